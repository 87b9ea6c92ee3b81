/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Classic scheduler mode, the root driver's half (module/sched/
 * classic.c): a dispatch thread per LP runs the VPs the core picks, RUN
 * waits for their intercept messages, and the policy ioctls. In root mode
 * none of it is active and RUN dispatches from the VMM's thread.
 */
#ifndef _PV_SCHED_CLASSIC_H
#define _PV_SCHED_CLASSIC_H

#include <linux/completion.h>
#include <uapi/linux/partvisor.h>

#include "sched.h"
#include "mode.h"

struct pv_vp;
struct pv_partition;
struct pv_stat_desc;

/* A VP's part in classic mode. */
struct pv_vp_classic {
	struct pv_sched_vp se;		/* under the scheduler's lock */
	struct partvisor_sched_params own;	/* own.set: fields it sets */
	struct completion done;		/* RUN's answer is ready */
	struct partvisor_run *run;	/* RUN's, while it waits */
	int ret;			/* RUN's result */
	bool cancel;			/* RUN gives up (signal) */
	bool halt_blocked;		/* in HLT, blocked until an interrupt */
	bool yield;			/* a spin-wait hypercall: slice over */
	bool fpu;			/* a dispatch thread runs it */
};

int pv_classic_init(void);
void pv_classic_exit(void);

void pv_classic_part_init(struct pv_partition *p);
int pv_classic_vp_add(struct pv_vp *vp);
void pv_classic_vp_remove(struct pv_vp *vp);
long pv_classic_run(struct pv_vp *vp, struct partvisor_run *run);
void pv_classic_irq(struct pv_vp *vp);
long pv_sched_set_ioctl(struct pv_partition *p, void __user *argp);
long pv_sched_get_ioctl(struct pv_partition *p, void __user *argp);

/* Around each dispatch from a dispatch thread, interrupts off. */

/* The scheduler's part of the VP and LP counter sets (module/stats.c). */
const struct pv_stat_desc *pv_classic_vp_desc(unsigned int i);
void pv_classic_vp_fill(const struct pv_vp *vp, u64 *val);
const struct pv_stat_desc *pv_classic_lp_desc(unsigned int i);
void pv_classic_lp_fill(unsigned int cpu, u64 *val);

#endif /* _PV_SCHED_CLASSIC_H */
