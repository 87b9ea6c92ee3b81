/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvctl: the partition scheduler's policy options, shared by 'pvctl run'
 * and 'pvctl sched set', and the PARTVISOR_SET_SCHED call with its error
 * messages.
 */
#ifndef _PVCTL_SCHED_H
#define _PVCTL_SCHED_H

#include <getopt.h>
#include <stdio.h>
#include <linux/partvisor.h>

/* The first ABI with sched_mode, SET_SCHED and GET_SCHED. */
#define SCHED_ABI_VERSION	5
#define SCHED_AFF_WORDS		(PARTVISOR_SCHED_MAX_LPS / 64)

/* getopt_long values of the policy options, beyond any short option. */
enum {
	SCHED_OPT_WEIGHT = 0x100,
	SCHED_OPT_RESERVE,
	SCHED_OPT_LIMIT,
	SCHED_OPT_SLICE,
	SCHED_OPT_NODE,
	SCHED_OPT_AFFINITY,
	SCHED_OPT_VP_AFFINITY,	/* pvctl run only; not in sched_options() */
	SCHED_OPT_FIRST = SCHED_OPT_WEIGHT,
	SCHED_OPT_LAST = SCHED_OPT_VP_AFFINITY,
};

/* The entries sched_options() appends, the terminating one not counted. */
#define SCHED_NR_OPTIONS	6

/**
 * struct sched_policy - the policy options given on a command line
 * @params: the partition's policy (or one VP's): @params.set has a
 *	PARTVISOR_SCHED_SET_* bit for each option given
 * @vp_affinity_set: bit n: VP n has its own affinity (--vp-affinity)
 * @vp_affinity: VP n's LPs; all zero: any
 */
struct sched_policy {
	struct partvisor_sched_params params;
	__u64 vp_affinity_set;
	__u64 vp_affinity[PARTVISOR_MAX_VPS][SCHED_AFF_WORDS];
};

/* No option given: the partition's policy, nothing to set. */
void sched_policy_init(struct sched_policy *pol);

/*
 * A getopt_long table: the @n entries of @own, the policy options and the
 * terminating entry. @table has room for @n + SCHED_NR_OPTIONS + 1.
 */
void sched_options(struct option *table, const struct option *own, size_t n);

/*
 * The policy option @opt (SCHED_OPT_FIRST to SCHED_OPT_LAST) with its
 * argument @arg into @pol: 0, or 2 after one usage line for 'pvctl @cmd'.
 */
int sched_parse_option(const char *cmd, int opt, const char *arg,
		       struct sched_policy *pol);

/*
 * What the options say together, once all are parsed: reserve within the
 * limit, --vp-affinity only for VPs below @nr_vps. 0, or 2 as above.
 */
int sched_check(const char *cmd, const struct sched_policy *pol,
		unsigned int nr_vps);

/*
 * PARTVISOR_SET_SCHED with @p on the fd of partition @id; nothing when
 * @p->set is zero. 0, or -1 after one line saying why the module refused.
 */
int sched_set(int fd, unsigned int id, const struct partvisor_sched_params *p);

/* Each --vp-affinity, once the VPs exist: 0, or -1 as sched_set(). */
int sched_set_vps(int fd, unsigned int id, const struct sched_policy *pol);

/*
 * One line for a reserve the scheduler cannot admit (ENOSPC), at
 * PARTVISOR_SET_SCHED or when a VP that inherits it is created.
 */
void sched_report_enospc(const char *who, unsigned int reserve);

/* The help lines of the options sched_options() adds. */
void sched_help_options(FILE *out);

#endif /* _PVCTL_SCHED_H */
