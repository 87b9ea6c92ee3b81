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

#include "../partition.h"

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

/* child.c: child partitions and their runs. */
void pv_vmx_child_setup(void);
u64 pv_vmx_dispatch(struct pv_lp *lp, u64 root_vmcs_pa);

/* 0 after a VM exit, 1 when VMLAUNCH or VMRESUME itself failed. */
int pv_vmx_run(struct pv_gprs *regs, int launched);
void pv_vmx_exit(void);
void __noreturn pv_vmx_devirt(struct pv_leave *leave);
int pv_xsetbv_safe(u32 index, u64 value);

/*
 * The vendor table's hooks from launch.c and child.c (caps.c's are in
 * partvisor.h); vendor.c lists them.
 */
int pv_vmx_setup(void);
void pv_vmx_teardown(void);
int pv_vmx_lp_alloc(struct pv_lp *lp);
void pv_vmx_lp_free(struct pv_lp *lp);
int pv_vmx_lp_launch(struct pv_lp *lp);
void pv_vmx_lp_devirtualized(struct pv_lp *lp);
void __noreturn pv_vmx_host_main(struct pv_lp *lp);
u64 pv_vmx_hypercall(u64 input, u64 param0, u64 param1);
int pv_vmx_part_init(struct pv_partition *p);
void pv_vmx_part_destroy(struct pv_partition *p);
int pv_vmx_map(struct pv_partition *p, struct pv_mem_region *r);
void pv_vmx_unmap(struct pv_partition *p, struct pv_mem_region *r);
int pv_vmx_vp_init(struct pv_vp *vp);
void pv_vmx_vp_destroy(struct pv_vp *vp);
void pv_vmx_vp_load(struct pv_vp *vp);
void pv_vmx_vp_store(struct pv_vp *vp);
int pv_vmx_vp_dispatch(struct pv_vp *vp);
void pv_vmx_vp_exit(struct pv_vp *vp, struct pv_exit *e);
void pv_vmx_vp_resume(struct pv_vp *vp, const struct pv_exit *e,
		      enum pv_resume how);
u64 *pv_vmx_vp_gpr(struct pv_vp *vp, enum pv_reg reg);
unsigned int pv_vmx_vp_cpl(struct pv_vp *vp);
bool pv_vmx_vp_irq_ready(struct pv_vp *vp);
void pv_vmx_vp_irq_inject(struct pv_vp *vp, u8 vector);
void pv_vmx_vp_irq_window(struct pv_vp *vp, bool on);
bool pv_vmx_children_ok(void);
#endif

#endif /* _PV_VMX_H */
