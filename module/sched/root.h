/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Root scheduler mode's part of a child VP's counters (module/sched/
 * root.c). A VP runs on its VMM's thread there, and Linux schedules that
 * thread: while it is inside RUN, the thread's run time, waits, dispatches
 * and migrations are the VP's. They carry classic mode's names, so that
 * readers derive wait time per dispatch the same way in both modes.
 */
#ifndef _PV_SCHED_ROOT_H
#define _PV_SCHED_ROOT_H

#include <linux/types.h>

struct pv_vp;
struct pv_stat_desc;

/* Linux's totals for a thread, as the VP's counters last took them. */
struct pv_task_sched {
	u64 run_ns, wait_ns, pcount, migrations;
};

struct pv_vp_root_sched {
	u64 run_ns;
	u64 wait_ns;		/* runnable, not running: ready, not dispatched */
	u64 dispatches;		/* RUN's start, then each time it got a CPU back */
	u64 migrations;		/* moved to another CPU */
	struct pv_task_sched mark;
};

/*
 * Called by the VMM's thread inside RUN, with the VP's lock held: enter
 * at RUN's start, account after every exit and at the end.
 */
void pv_root_sched_enter(struct pv_vp *vp);
void pv_root_sched_account(struct pv_vp *vp);

/* Their part of the VP counter set under the root scheduler. */
const struct pv_stat_desc *pv_root_sched_vp_desc(unsigned int i);
void pv_root_sched_vp_fill(const struct pv_vp *vp, u64 *val);

#endif /* _PV_SCHED_ROOT_H */
