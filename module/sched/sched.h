/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition scheduler's core (classic mode): which ready VP runs on
 * which LP, and for how long. Pure C: no hardware, no Linux scheduler, no
 * allocation and no locking. The caller serializes every call, passes the
 * time in nanoseconds and owns all memory. The module (module/sched/
 * classic.c) and the user-space simulator (tools/sched-sim) build these
 * same files.
 *
 * Policy, per VP: weight (shares among competing VPs, by virtual time in
 * per-LP run queues), reserve (a share of one LP each period, admitted
 * only when every reserve on that LP still fits), limit (a cap per
 * period), affinity (LPs it may use, never violated) and a home NUMA node
 * (preferred; leaving it needs a clear gain). Balancing moves or swaps
 * queued VPs so that the weight on each LP evens out; it looks at a
 * bounded number of candidates, and finds the busiest and idlest LPs
 * through a tree of LP loads, so a decision costs O(log LPs). Placing a
 * VP with an affinity mask and admitting a reserve walk the LPs instead.
 */
#ifndef _PV_SCHED_H
#define _PV_SCHED_H

#include "pure.h"

#define PV_SCHED_MAX_NODES	64
#define PV_SCHED_MAX_LPS	PARTVISOR_SCHED_MAX_LPS
#define PV_SCHED_AFF_WORDS	(PV_SCHED_MAX_LPS / 64)

/* Defaults for struct pv_sched_config fields left zero. */
#define PV_SCHED_PERIOD_NS	(100ULL * 1000 * 1000)
#define PV_SCHED_BALANCE_NS	(4ULL * 1000 * 1000)
#define PV_SCHED_NUMA_COST_NS	(100ULL * 1000)
/* The root's floor on every LP in the module, and its highest value. */
#define PV_SCHED_ROOT_FLOOR_PCT	5
#define PV_SCHED_ROOT_FLOOR_MAX	50

struct pv_sched_config {
	u64 period_ns;		/* reserve and limit are per period */
	u64 balance_ns;		/* how often a busy LP balances */
	/*
	 * What leaving the home node costs a VP (remote memory, cold
	 * caches): the simulator charges it. Placement and balancing stand
	 * for it with their rules: a VP leaves home only for a whole VP's
	 * worth of spare room, or for an otherwise idle LP.
	 */
	u64 numa_cost_ns;
	/*
	 * Percent of every LP that reserves leave to the root: admission
	 * keeps the reserves of an LP at or below 100 minus this.
	 */
	u32 root_floor_pct;
};

/* A VP's policy; validated by pv_sched_check(). */
struct pv_sched_params {
	u32 weight;		/* PARTVISOR_SCHED_WEIGHT_MIN..MAX */
	u32 reserve;		/* percent of an LP, 0..100 */
	u32 limit;		/* percent of an LP, 1..100 (100: none) */
	u64 slice_ns;
	u32 node;		/* home node or PARTVISOR_SCHED_NODE_NONE */
	const u64 *affinity;	/* PV_SCHED_AFF_WORDS words, or NULL: any */
};

enum pv_sched_state {
	PV_SCHED_BLOCKED,	/* waits for something outside the scheduler */
	PV_SCHED_READY,		/* in its LP's run queue */
	PV_SCHED_RUNNING,	/* its LP's curr */
	PV_SCHED_THROTTLED,	/* ready, but its limit is used up */
};

/* A VP's accounting: raw sums, derived values are for readers. */
struct pv_sched_vp_stats {
	u64 run_ns;
	u64 wait_ns;		/* ready (or throttled) until dispatched */
	u64 dispatches;
	u64 migrations;		/* dispatched on another LP than before */
	u64 node_migrations;	/* ... on another NUMA node */
	u64 home_ns;		/* run time on its home node's LPs */
	u64 throttles;		/* limit reached */
};

struct pv_sched_lp;

struct pv_sched_vp {
	/* pairing-heap links: parent (first child) or left sibling */
	struct pv_sched_vp *h_child, *h_next, *h_prev;
	struct pv_sched_vp *l_next, *l_prev;	/* throttled list */
	struct pv_sched_vp *r_next, *r_prev;	/* reserved list */
	u64 vtime;		/* weighted run time, ns * 10000 / weight */
	u64 seq;		/* enqueue order: round robin among equals */
	struct pv_sched_lp *lp;	/* its queue's, or where it last ran */
	struct pv_sched_lp *ran;	/* where it was last dispatched */
	struct pv_sched_lp *res_lp;	/* reserve > 0: its admitted LP */
	enum pv_sched_state state;
	struct pv_sched_params p;
	u64 aff[PV_SCHED_AFF_WORDS];	/* copy of p.affinity */
	bool any_lp;
	u64 period;		/* period number of period_used */
	u64 period_used;
	u64 since;		/* ready, throttled or running since */
	struct pv_sched_vp_stats st;
};

struct pv_sched_lp_stats {
	u64 run_ns;		/* in VPs */
	u64 idle_ns;		/* nothing to run */
	u64 dispatches;
	u64 switches;		/* dispatched another VP than the last */
	u64 balance_moves;	/* VPs pulled here by balancing */
};

struct pv_sched_lp {
	unsigned int id;
	unsigned int node;
	unsigned int pos;	/* leaf in the load tree */
	struct pv_sched_vp *heap;	/* READY VPs, earliest vtime first */
	struct pv_sched_vp *throttled;
	struct pv_sched_vp *reserved;	/* every VP admitted here */
	unsigned int nr_ready;	/* in heap */
	unsigned int nr_reserved_pct;
	u64 load;		/* weight of its READY and RUNNING VPs */
	u64 min_vtime;
	struct pv_sched_vp *curr;
	struct pv_sched_vp *last;
	u64 period;		/* when throttled VPs were last released */
	u64 next_balance;
	u64 idle_since;		/* U64_MAX: not idle */
	bool need_resched;	/* a waking VP should preempt curr */
	struct pv_sched_lp_stats st;
};

/* One node of the load tree: min and max of a range of LPs. */
struct pv_sched_slot {
	u64 min, max;
	u32 amin, amax;		/* LP ids */
};

struct pv_sched {
	struct pv_sched_config cfg;
	struct pv_sched_lp *lps;
	unsigned int nr_lps;
	unsigned int nr_nodes;
	unsigned int leaves;	/* power of two >= nr_lps */
	struct pv_sched_slot *tree;	/* 2 * leaves */
	/* leaf positions of each node's LPs: [node_first[n], node_first[n+1]) */
	unsigned int node_first[PV_SCHED_MAX_NODES + 1];
	u64 seq;
	unsigned int nr_ready;	/* queued on any LP */
	unsigned int scan;	/* where idle LPs look next */
	u64 decisions;
};

/* What pv_sched_pick() decided for an LP. */
struct pv_sched_decision {
	struct pv_sched_vp *vp;	/* NULL: nothing to run */
	u64 slice_ns;		/* run it at most this long */
	u64 wait_ns;		/* what this pick added to its wait_ns */
	u64 wake_ns;		/* vp NULL: look again then (U64_MAX: never) */
};

/* Slots a caller allocates for pv_sched_init()'s tree. */
unsigned int pv_sched_tree_slots(unsigned int nr_lps);

/*
 * @lps[i].node must be set (< PV_SCHED_MAX_NODES); everything else in
 * @lps and @tree is initialized here. -EINVAL for no LPs, too many, or a
 * bad node.
 */
int pv_sched_init(struct pv_sched *s, const struct pv_sched_config *cfg,
		  struct pv_sched_lp *lps, unsigned int nr_lps,
		  struct pv_sched_slot *tree, u64 now);

/* Weight, reserve, limit and slice alone: 0 or -EINVAL. */
int pv_sched_check_ranges(const struct pv_sched_params *p);

/* ...and node and affinity against these LPs: 0 or -EINVAL. */
int pv_sched_check(const struct pv_sched *s, const struct pv_sched_params *p);

/*
 * A new VP, blocked. Fails with -EINVAL (pv_sched_check, or no LP the
 * affinity allows) or -ENOSPC (its reserve fits on no allowed LP).
 */
int pv_sched_vp_add(struct pv_sched *s, struct pv_sched_vp *vp,
		    const struct pv_sched_params *p, u64 now);

/* A new policy; on error nothing changed. A running VP moves at its stop. */
int pv_sched_vp_set(struct pv_sched *s, struct pv_sched_vp *vp,
		    const struct pv_sched_params *p);

/* A ready or throttled VP leaves its queue, blocked; it keeps its policy. */
void pv_sched_block(struct pv_sched *s, struct pv_sched_vp *vp);

/* Forget a VP that is not running; its reserve is released. */
void pv_sched_vp_remove(struct pv_sched *s, struct pv_sched_vp *vp, u64 now);

/*
 * A blocked VP became ready: queued on the LP placement chose, which is
 * returned. The caller wakes that LP when it is idle (curr NULL) or has
 * need_resched set.
 */
struct pv_sched_lp *pv_sched_wake(struct pv_sched *s, struct pv_sched_vp *vp,
				  u64 now);

/*
 * The next VP for @lp (which must have no curr): balances first when it
 * is time, releases throttled VPs in a new period, and serves owed
 * reserves before virtual time. The VP becomes RUNNING.
 */
void pv_sched_pick(struct pv_sched *s, struct pv_sched_lp *lp, u64 now,
		   struct pv_sched_decision *d);

/* @lp's curr stopped: queued again when @ready, else blocked. */
void pv_sched_stop(struct pv_sched *s, struct pv_sched_lp *lp, u64 now,
		   bool ready);

/* Reserve time still owed this period to ready VPs admitted on @lp. */
u64 pv_sched_lp_owed(struct pv_sched *s, struct pv_sched_lp *lp, u64 now);

bool pv_sched_allowed(const struct pv_sched_vp *vp,
		      const struct pv_sched_lp *lp);

#endif /* _PV_SCHED_H */
