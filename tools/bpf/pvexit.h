/* SPDX-License-Identifier: GPL-2.0 */
/* pvexit: shared by pvexit.bpf.c and pvexit.c. */
#ifndef PVEXIT_H
#define PVEXIT_H

#include "pv_common.h"

/* One exit reason, cumulative: user space reports the differences. */
struct pvexit_stat {
	__u64 count;		/* exits */
	__u64 timed;		/* of those, followed by the VP's next entry */
	__u64 total_ns;		/* exit to entry, summed over the timed ones */
	__u32 slots[PV_HIST_SLOTS];	/* the same, log2 (us, or ns with -n) */
};

#endif /* PVEXIT_H */
