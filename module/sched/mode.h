/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler mode, chosen at load (sched=, module/sched/mode.c): what
 * RUN does, what an asserted interrupt adds, and which counter sets
 * describe VPs and LPs. Root mode (module/run.c, sched/root.c): the
 * VMM's thread runs its VP and Linux decides when. Classic mode
 * (sched/classic.c): RUN queues the VP and per-LP dispatch threads run
 * what partvisor's scheduler picks. Generic code asks this table, never
 * which mode it is.
 */
#ifndef _PV_SCHED_MODE_H
#define _PV_SCHED_MODE_H

#include <uapi/linux/partvisor.h>

#include "../stats.h"

struct pv_vp;

struct pv_sched_mode {
	enum partvisor_sched_mode id;
	const char *name;
	/* PARTVISOR_RUN_VP after the VMM's answer is in: run to an exit. */
	long (*run)(struct pv_vp *vp, struct partvisor_run *run);
	/* An interrupt was asserted and its waiters woken; may be NULL. */
	void (*irq)(struct pv_vp *vp);
	enum pv_stat_set_id vp_set;
	enum pv_stat_set_id lp_set;
};

extern const struct pv_sched_mode pv_sched_root;
extern const struct pv_sched_mode pv_sched_classic;
/* Set once, by the module parameter, before anything runs. */
extern const struct pv_sched_mode *pv_sched;

/* For the classic scheduler's own setup and teardown. */
static inline bool pv_classic(void)
{
	return pv_sched == &pv_sched_classic;
}

#endif /* _PV_SCHED_MODE_H */
