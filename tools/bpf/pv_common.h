/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF programs and the user-space side of partvisor's BPF tools
 * share: map key layout, histogram size and filter values. Only
 * <linux/types.h> types, so that both compilers read it the same way.
 */
#ifndef PV_COMMON_H
#define PV_COMMON_H

#include <linux/types.h>

/* log2 histogram slots: slot k counts values in [2^k, 2^(k+1)), slot 0 also 0. */
#define PV_HIST_SLOTS		32

/* Filter values meaning "any": partition ids start at 1, VP indexes at 0. */
#define PV_ANY_PART		0
#define PV_ANY_VP		0xffffffffU

/*
 * Exit reasons counted per slot; larger values share the last slot so
 * that a newer module's reasons are still counted.
 */
#define PV_MAX_REASONS		32

/* A VP as one hash key: its partition id above its index. */
#define PV_VP_KEY(part, vp)	(((__u64)(part) << 32) | (__u32)(vp))
#define PV_KEY_PART(key)	((__u32)((key) >> 32))
#define PV_KEY_VP(key)		((__u32)(key))

#endif /* PV_COMMON_H */
