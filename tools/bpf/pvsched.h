/* SPDX-License-Identifier: GPL-2.0 */
/* pvsched: shared by pvsched.bpf.c and pvsched.c. */
#ifndef PVSCHED_H
#define PVSCHED_H

#include "pv_common.h"

/* Run-queue lengths 0..PV_QLEN_SLOTS - 2 each, the last slot the rest. */
#define PV_QLEN_SLOTS	32

/* One VP's dispatches, cumulative: user space reports differences. */
struct pvsched_vp {
	__u64 dispatches;
	__u64 wait_ns;
	__u64 migrations;	/* dispatches on another LP than the last one */
	__u32 last_lp;		/* plus one; 0: not dispatched yet */
	__u32 slots[PV_HIST_SLOTS];	/* log2 wait, us (ns with -n) */
};

#endif /* PVSCHED_H */
