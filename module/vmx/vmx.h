/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VT-x backend internals shared between the C code and entry.S.
 */
#ifndef _PV_VMX_H
#define _PV_VMX_H

#include "../host.h"

/* VMCS field encoding of the host RSP, written by entry.S on every run. */
#define PV_VMCS_HOST_RSP	0x00006c14

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <asm/asm.h>

struct pv_gprs;
struct pv_lp;

/* Controls and limits, decided once from the capability MSRs at setup. */
struct pv_vmx_caps {
	u32 pin, proc, proc2, exit, entry;	/* the root VP's controls */
	u32 revision;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;			/* IA32_VMX_EPT_VPID_CAP, or 0 */
	bool true_ctls;				/* the TRUE_* control MSRs exist */
	bool vpid;				/* VPIDs and INVVPID usable */
	bool invept_all;			/* INVEPT of every EPTP */
};

extern struct pv_vmx_caps pv_vmx;

static __always_inline u64 pv_vmread(unsigned long field)
{
	u64 val;

	asm volatile("vmread %1, %0" : "=rm"(val) : "r"(field) : "cc");
	return val;
}

static __always_inline void pv_vmwrite(unsigned long field, u64 val)
{
	asm volatile("vmwrite %1, %0" : : "r"(field), "rm"(val)
		     : "cc", "memory");
}

/* VMCLEAR and VMPTRLD take a physical address; false on VMfail. */
static __always_inline bool pv_vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "m"(pa) : "memory");
	return !fail;
}

static __always_inline bool pv_vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "m"(pa) : "memory");
	return !fail;
}

/* child.c: child partitions (struct pv_part_ops) and their runs. */
extern const struct pv_part_ops pv_vmx_part_ops;
extern bool pv_vmx_child_ok;
void pv_vmx_child_setup(void);
u64 pv_vmx_dispatch(struct pv_lp *lp, u64 root_vmcs_pa);

/* 0 after a VM exit, 1 when VMLAUNCH or VMRESUME itself failed. */
int pv_vmx_run(struct pv_gprs *regs, int launched);
void pv_vmx_exit(void);
void __noreturn pv_vmx_devirt(struct pv_leave *leave);
int pv_xsetbv_safe(u32 index, u64 value);
#endif

#endif /* _PV_VMX_H */
