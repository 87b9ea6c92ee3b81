/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor table: everything that differs between AMD-V and VT-x, one
 * table per vendor listed in one place (svm/vendor.c, vmx/vendor.c) and
 * chosen once, when the module loads (pv_vendor_init()). Generic code
 * calls through pv_vendor and includes no vendor header.
 */
#ifndef _PV_VENDOR_H
#define _PV_VENDOR_H

#include "partvisor.h"
#include "partition.h"

struct pv_vendor_ops {
	/*
	 * What the extension is. probe runs once, on the CPU that loads
	 * the module; ext_state on every CPU whenever the state is asked
	 * for, because another hypervisor may take the extension on some
	 * CPUs at any time.
	 */
	const char *name;
	u32 vendor;			/* PARTVISOR_VENDOR_* */
	const char *kvm_module;		/* owns the extension when loaded */
	unsigned int x86_feature;	/* X86_FEATURE_SVM or X86_FEATURE_VMX */
	int (*probe)(struct pv_caps *caps);
	u32 (*ext_state)(void);

	/*
	 * Host mode: launch and devirtualize. setup/teardown and
	 * lp_alloc/lp_free run in process context; lp_launch,
	 * lp_devirtualized and hypercall on the LP with interrupts off;
	 * host_main in host mode, never returning.
	 */
	int (*setup)(void);
	void (*teardown)(void);
	int (*lp_alloc)(struct pv_lp *lp);
	void (*lp_free)(struct pv_lp *lp);
	int (*lp_launch)(struct pv_lp *lp);
	void (*lp_devirtualized)(struct pv_lp *lp);	/* optional */
	void (*host_main)(struct pv_lp *lp);		/* does not return */
	u64 (*hypercall)(u64 input, u64 param0, u64 param1);

	/*
	 * Child partitions, once launched and where children_ok says the
	 * CPU can run them. These run in process context with the
	 * partition's @lock held. A failing init or map cleans up after
	 * itself: the core then fails the ioctl, releases what it set up
	 * and calls no matching destroy or unmap.
	 */
	bool (*children_ok)(void);
	int (*part_init)(struct pv_partition *p);	/* nested page table */
	void (*part_destroy)(struct pv_partition *p);
	int (*map)(struct pv_partition *p, struct pv_mem_region *r);
	void (*unmap)(struct pv_partition *p, struct pv_mem_region *r);
	int (*vp_init)(struct pv_vp *vp);
	void (*vp_destroy)(struct pv_vp *vp);
	/*
	 * Running, with the VP's lock held instead of the partition's:
	 * load and store move the state between struct pv_vp and the
	 * hardware's structures around a RUN; dispatch runs the VP once
	 * (its FPU state is the thread's for the whole RUN; 0, or -errno
	 * when the hypervisor refused); exit decodes what stopped it;
	 * resume prepares the next run.
	 */
	void (*vp_load)(struct pv_vp *vp);
	void (*vp_store)(struct pv_vp *vp);
	int (*vp_dispatch)(struct pv_vp *vp);
	void (*vp_exit)(struct pv_vp *vp, struct pv_exit *e);
	void (*vp_resume)(struct pv_vp *vp, const struct pv_exit *e,
			  enum pv_resume how);
	u64 *(*vp_gpr)(struct pv_vp *vp, enum pv_reg reg);
	unsigned int (*vp_cpl)(struct pv_vp *vp);
	/*
	 * Interrupts, between dispatches: irq_ready says whether an
	 * external interrupt would be taken at the next entry (RFLAGS.IF
	 * set, no STI/MOV SS shadow, no event being injected already);
	 * irq_inject injects one at the next entry; irq_window(true) asks
	 * for a PV_EXIT_IRQ_WINDOW exit as soon as the VP could take one.
	 */
	bool (*vp_irq_ready)(struct pv_vp *vp);
	void (*vp_irq_inject)(struct pv_vp *vp, u8 vector);
	void (*vp_irq_window)(struct pv_vp *vp, bool on);
};

extern const struct pv_vendor_ops pv_svm_vendor;
extern const struct pv_vendor_ops pv_vmx_vendor;

/* The CPU's vendor table, from pv_vendor_init(); NULL: no extension. */
extern const struct pv_vendor_ops *pv_vendor;

int pv_vendor_init(void);
u32 pv_ext_state_all_cpus(void);

/* Whether child partitions have a backend: launched, and children_ok. */
bool pv_vendor_children(void);

/* The 64-bit value a VP passes in two registers (EDX:EAX and the like). */
static inline u64 pv_vp_reg_pair(struct pv_vp *vp, enum pv_reg hi,
				 enum pv_reg lo)
{
	return (*pv_vendor->vp_gpr(vp, hi) << 32) |
	       (u32)*pv_vendor->vp_gpr(vp, lo);
}

/* Hand a VP @val in EDX:EAX, each half zero-extended, as RDMSR does. */
static inline void pv_vp_set_edx_eax(struct pv_vp *vp, u64 val)
{
	*pv_vendor->vp_gpr(vp, PV_REG_RAX) = (u32)val;
	*pv_vendor->vp_gpr(vp, PV_REG_RDX) = val >> 32;
}

#endif /* _PV_VENDOR_H */
