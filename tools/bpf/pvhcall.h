/* SPDX-License-Identifier: GPL-2.0 */
/* pvhcall: shared by pvhcall.bpf.c and pvhcall.c. */
#ifndef PVHCALL_H
#define PVHCALL_H

#include "pv_common.h"

struct pvhcall_key {
	__u16 code;
	__u16 status;
	__u32 pad;
};

/* One call code and status, cumulative: user space reports differences. */
struct pvhcall_stat {
	__u64 count;
	__u64 fast;		/* of those, register (fast) calls */
	__u64 reps;		/* reps completed */
	__u64 total;		/* ns, or TSC cycles without the TSC rate */
	__u32 slots[PV_HIST_SLOTS];	/* log2 of us (ns with -n) or cycles */
};

#endif /* PVHCALL_H */
