/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF-side helpers of partvisor's BPF tools. No vmlinux.h: every argument
 * of partvisor's tracepoints is a scalar, so the programs need no kernel
 * type and run on any kernel the module loads into.
 */
#ifndef PV_BPF_H
#define PV_BPF_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "pv_common.h"

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

/* Floor of log2(@v), 0 for 0 and 1; written out so the verifier sees no loop. */
static __always_inline u32 pv_log2(u64 v)
{
	u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

/* The histogram slot of @v: the slot index is bounded for the verifier. */
static __always_inline u32 pv_hist_slot(u64 v)
{
	u32 slot = pv_log2(v);

	return slot < PV_HIST_SLOTS ? slot : PV_HIST_SLOTS - 1;
}

/* Whether an event of VP @vp of partition @part passes the filters. */
static __always_inline bool pv_match(u32 want_part, u32 want_vp, u32 part,
				     u32 vp)
{
	if (want_part != PV_ANY_PART && part != want_part)
		return false;
	if (want_vp != PV_ANY_VP && vp != want_vp)
		return false;
	return true;
}

#endif /* PV_BPF_H */
