/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter sets (Documentation/counters.rst). Plain u64s, written only by
 * the LP that owns them (in host mode or the run loop, without locks) and
 * read by anyone as a snapshot. Time is in TSC cycles; tools derive rates
 * and costs. One descriptor table per set drives both its debugfs file and
 * its binary statistics fd (module/stats.c), so the two cannot disagree.
 */
#ifndef _PV_STATS_H
#define _PV_STATS_H

#include <linux/types.h>
#include <asm/msr.h>
#include <uapi/linux/partvisor.h>

struct file;
struct seq_file;

/*
 * Hypercall counter slots: one per entry of the call table
 * (module/hcall/table.c, which checks the number), then every other code.
 */
#define PV_NR_HC_CALLS		7
#define PV_HC_SLOT_OTHER	PV_NR_HC_CALLS
#define PV_NR_HC_SLOTS		(PV_NR_HC_CALLS + 1)

unsigned int pv_hc_slot(u16 code);
const char *pv_hc_slot_name(unsigned int slot, char *buf, size_t len);

/*
 * A VP's counter set: the root partition's VP on each LP and every child
 * VP keep the same one. For a child, "hypervisor" time is partvisor's
 * handling of its exits, in host mode or in the run loop; the VMM's own
 * time in user space is in neither.
 */
struct pv_vp_stats {
	u64 dispatches;
	u64 run_total_cycles;		/* guest + hypervisor */
	u64 run_guest_cycles;		/* entry to exit */
	u64 run_hypervisor_cycles;	/* exit to handled */
	u64 intercepts[PARTVISOR_NR_INTERCEPTS];
	u64 intercept_cycles[PARTVISOR_NR_INTERCEPTS];
	u64 host_intercepts[PARTVISOR_NR_INTERCEPTS];	/* of them: host mode */
	u64 hypercalls[PV_NR_HC_SLOTS];
	u64 hypercall_cycles[PV_NR_HC_SLOTS];
	u64 interrupts_injected;
	u64 ipis_sent;
};

/* An LP's own counters; the rest of its set comes from Linux. */
struct pv_lp_stats {
	struct pv_vp_stats root_vp;	/* the root partition's VP here */
	u64 launch_tsc;			/* when the LP entered host mode */
	u64 launch_idle_us;		/* Linux's idle time by then */
	u64 child_cycles;		/* in DISPATCH_VP: running child VPs */
	u64 child_host_cycles;		/* of that, host mode on their exits */
	u64 dispatches;			/* of child VPs */
	u64 vp_switches;		/* a different child VP than the last */
	u64 ipis_sent;			/* by partvisor, to kick a VP */
	u64 world_switches;		/* guest entries, the root's and children's */
	const void *last_vp;		/* the last child VP dispatched */
};

/*
 * Built with -DPV_NO_STATS (the overhead benchmark's baseline, see
 * Documentation/counters.rst) nothing is counted or timed.
 */
#ifdef PV_NO_STATS
#define PV_STATS	0
#else
#define PV_STATS	1
#endif

/* Add one counter's worth: the owner writes, readers may look any time. */
static inline void pv_stat_add(u64 *counter, u64 delta)
{
	if (PV_STATS)
		WRITE_ONCE(*counter, *counter + delta);
}

/* The TSC for a counter's cycles: 0 when nothing is counted. */
static inline u64 pv_stat_tsc(void)
{
	return PV_STATS ? rdtsc() : 0;
}

/* A counter in a set: its name, PARTVISOR_STATS_* flags and exponent. */
struct pv_stat_desc {
	const char *name;
	u32 flags;
	s16 exponent;
};

/*
 * A counter set: @fill writes @nr values in the order of @desc, from a
 * snapshot of @obj taken without stopping its owner.
 */
struct pv_stat_set {
	const char *kind;	/* the id's prefix */
	const struct pv_stat_desc *desc;
	unsigned int nr;
	void (*fill)(const void *obj, u64 *val);
};

/*
 * The scheduler's counters follow a VP's own in either mode, and an LP's
 * in classic mode.
 */
enum pv_stat_set_id {
	PV_STATS_VP,		/* a child VP under the root scheduler */
	PV_STATS_VP_CLASSIC,
	PV_STATS_ROOT_VP,
	PV_STATS_PARTITION,
	PV_STATS_ROOT_PARTITION,
	PV_STATS_LP,
	PV_STATS_LP_CLASSIC,
	PV_NR_STAT_SETS,
};

/* The partition set's state value. */
#define PV_PART_STATE_ACTIVE	0
#define PV_PART_STATE_CRASHED	1	/* a VP triple-faulted */

extern const struct pv_stat_set pv_stat_sets[PV_NR_STAT_SETS];

void pv_stats_init(void);
u64 pv_lp_idle_us(unsigned int cpu);
const struct pv_stat_desc *pv_stats_desc(enum pv_stat_set_id set,
					 unsigned int i);
unsigned int pv_stats_nr(enum pv_stat_set_id set);
enum pv_stat_set_id pv_stats_vp_set(void);
enum pv_stat_set_id pv_stats_lp_set(void);

/* debugfs: the set's "name: value" lines. */
int pv_stats_show(struct seq_file *m, enum pv_stat_set_id set,
		  const void *obj);

/* PARTVISOR_GET_STATS_FD on each kind of fd (module/stats_fd.c). */
enum pv_stats_src {
	PV_STATS_SRC_DEV,
	PV_STATS_SRC_PARTITION,
	PV_STATS_SRC_VP,
};

long pv_stats_fd_ioctl(struct file *filp, void __user *argp,
		       enum pv_stats_src src);

#endif /* _PV_STATS_H */
