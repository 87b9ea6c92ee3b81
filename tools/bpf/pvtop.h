/* SPDX-License-Identifier: GPL-2.0 */
/* pvtop: shared by pvtop.bpf.c and pvtop.c. */
#ifndef PVTOP_H
#define PVTOP_H

#include "pv_common.h"

/* One VP, cumulative: user space shows the differences. */
struct pvtop_vp {
	__u64 entry_ns;		/* when it was entered; 0 while out */
	__u64 run_ns;		/* entry to exit, summed */
	__u64 exits;
	__u64 hypercalls;
	__u64 injects;
	__u64 dispatches;
	__u64 wait_ns;		/* before its dispatches (classic) */
	__u64 reasons[PV_MAX_REASONS];	/* exits by reason */
};

#endif /* PVTOP_H */
