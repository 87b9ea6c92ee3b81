/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters. Plain u64s, written only by the LP that owns them (in host
 * mode, without locks) and read by anyone as a snapshot. Time is in TSC
 * cycles; tools derive rates and costs.
 */
#ifndef _PV_STATS_H
#define _PV_STATS_H

#include <linux/types.h>

/* Vendor-neutral intercept reasons, shared by both backends. */
enum pv_intercept {
	PV_INTERCEPT_CPUID,
	PV_INTERCEPT_IO,
	PV_INTERCEPT_MSR_READ,
	PV_INTERCEPT_MSR_WRITE,
	PV_INTERCEPT_HLT,
	PV_INTERCEPT_HYPERCALL,
	PV_INTERCEPT_NPF,
	PV_INTERCEPT_CR,
	PV_INTERCEPT_EXCEPTION,
	PV_INTERCEPT_EXTINT,
	PV_INTERCEPT_INTR_WINDOW,
	PV_INTERCEPT_VIRT_INSN,	/* VMRUN, VMXON, ... refused with #UD */
	PV_INTERCEPT_OTHER,
	PV_NR_INTERCEPTS,
};

#define PV_INTERCEPT_NAMES {						\
	"cpuid", "io", "msr_read", "msr_write", "hlt", "hypercall",	\
	"npf", "cr", "exception", "extint", "intr_window", "virt_insn",	\
	"other" }

/* Hypercall statistics slots: the known codes, then everything else. */
enum pv_hc_slot {
	PV_HC_SLOT_DEVIRTUALIZE,
	PV_HC_SLOT_GET_SYSTEM_PROPERTY,
	PV_HC_SLOT_DISPATCH_VP,
	PV_HC_SLOT_OTHER,
	PV_NR_HC_SLOTS,
};

#define PV_HC_SLOT_NAMES {						\
	"0x8001_devirtualize", "0x8002_get_system_property",		\
	"0x8003_dispatch_vp", "other" }

struct pv_vp_stats {
	u64 intercepts[PV_NR_INTERCEPTS];
	u64 intercept_cycles[PV_NR_INTERCEPTS];
	u64 hypercalls[PV_NR_HC_SLOTS];
	u64 hypercall_cycles[PV_NR_HC_SLOTS];
};

struct pv_lp_stats {
	struct pv_vp_stats root_vp;	/* the root partition's VP on this LP */
	u64 host_cycles;		/* time spent in host mode */
};

#endif /* _PV_STATS_H */
