/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvsim's discrete-event engine around the scheduler core: LPs that run
 * what pv_sched_pick() hands them, VPs with CPU-bound or bursty demand,
 * an optional root CPU hog per LP, and accounting kept apart from the
 * core's own so that the two can be compared.
 */
#ifndef _PVSIM_SIM_H
#define _PVSIM_SIM_H

#include <stddef.h>

#include "sched.h"
#include "evq.h"

#define NS_PER_US	1000ULL
#define NS_PER_MS	(1000ULL * NS_PER_US)
#define NS_PER_SEC	(1000ULL * NS_PER_MS)

enum sim_demand {
	SIM_CPU,		/* always ready */
	SIM_BURST,		/* runs burst_ns, blocks block_ns, again */
};

/* VPs with one policy and one demand, as given by a --vp SPEC. */
struct sim_group {
	unsigned int count;
	struct pv_sched_params p;	/* p.affinity is set by sim_create() */
	bool has_aff;			/* else any LP */
	u64 aff[PV_SCHED_AFF_WORDS];
	enum sim_demand demand;
	u64 burst_ns, block_ns;
	bool has_start;			/* first wake at start_ns */
	u64 start_ns;			/* else 0, or random if bursty */
	unsigned int first;		/* index of its first VP */
};

struct sim_opts {
	unsigned int nr_lps, nr_nodes;
	struct pv_sched_config cfg;
	u64 root_quantum_ns;
	u64 root_hog[PV_SCHED_AFF_WORDS];	/* LPs with a root hog */
	u64 seed;
	bool track_lp;		/* keep run time per (VP, LP) */
	bool timing;		/* time the pv_sched_* calls */
	size_t trace_cap;	/* remember the VP of the first picks */
};

enum sim_vp_state { VS_BLOCKED, VS_READY, VS_RUNNING };

struct sim_vp {
	struct pv_sched_vp core;
	unsigned int id, group;
	enum sim_vp_state state;
	u64 left;		/* SIM_BURST: CPU time left in this burst */
	u64 ready_since;
	int last_lp, last_node;	/* -1: never ran */
	/* the simulator's own accounting */
	u64 run_ns, wait_ns, dispatches, migrations, node_migrations;
	u64 home_ns;
	u64 numa_lost_ns;	/* run time that made no progress */
	u64 violations;		/* dispatches its affinity forbids */
};

enum sim_lp_state { LS_IDLE, LS_VP, LS_ROOT };

struct sim_lp {
	enum sim_lp_state state;
	u64 since;		/* in this state since */
	u64 charge;		/* LS_VP: NUMA cost of this dispatch */
	struct sim_vp *curr;
	bool hog;
	bool preempt;		/* its pending EV_END preempts */
	u64 vp_ns, idle_ns, root_ns;
	u64 picks, empty_picks, preemptions, root_cuts;
};

struct sim {
	struct sim_opts o;
	struct pv_sched core;
	struct pv_sched_lp *lps;
	struct pv_sched_slot *tree;
	struct sim_lp *slp;
	struct sim_vp *vps;
	unsigned int nr_vps;
	struct sim_group *groups;
	unsigned int nr_groups;
	struct evq q;
	u64 now, end;
	u64 rng;
	u64 *lp_run;		/* track_lp: [vp * nr_lps + lp] */
	unsigned int *trace;	/* VP ids of the first trace_cap picks */
	size_t trace_nr;
	u64 decisions;
	u64 violations;		/* picks on an LP the VP may not use */
	u64 anomalies;		/* core state other than simulated */
	bool broken;		/* an anomaly the run cannot go on with */
	char first_anomaly[160];
	u64 core_ns, core_calls;
};

/* Where sim_create() failed. */
struct sim_err {
	int err;		/* negative errno */
	int group;		/* -1: not a group's */
	const char *where;
};

int sim_create(struct sim **out, const struct sim_opts *o,
	       const struct sim_group *groups, unsigned int nr_groups,
	       struct sim_err *e);
/* Run until @until_ns or @max_decisions picks, then stop every LP. */
void sim_run(struct sim *s, u64 until_ns, u64 max_decisions);
void sim_destroy(struct sim *s);
/* CLOCK_MONOTONIC in ns: what timing uses. */
u64 sim_clock_ns(void);

/* Totals over a group's VPs, from the simulator's accounting. */
struct sim_sum {
	u64 run_ns, wait_ns, dispatches, migrations, node_migrations;
	u64 home_ns, numa_lost_ns, violations;
};

void sim_group_sum(const struct sim *s, unsigned int g, struct sim_sum *sum);
bool sim_allowed(const struct sim *s, const struct sim_vp *v, unsigned int lp);
unsigned int sim_lp_node(const struct sim_opts *o, unsigned int lp);
/*
 * Compare the core's statistics with the simulator's: 0 when they agree,
 * else -1 and a description of the first difference in @msg.
 */
int sim_compare_stats(const struct sim *s, char *msg, size_t len);

/* "0-3,6" into @mask; -EINVAL when malformed or an LP >= @max. */
int sim_parse_lps(const char *str, u64 *mask, unsigned int max);
/*
 * A --vp SPEC into @g, starting from the defaults (one CPU-bound VP,
 * weight 100, no reserve, no limit, any LP, no home node, @slice_ns).
 */
int sim_parse_group(const char *spec, struct sim_group *g, u64 slice_ns,
		    char *msg, size_t len);
void sim_group_default(struct sim_group *g, u64 slice_ns);
void sim_format_lps(const u64 *mask, unsigned int max, char *buf, size_t len);

#endif /* _PVSIM_SIM_H */
