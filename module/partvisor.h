/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces shared by the vendor-neutral core and the vendor
 * backends. Nothing here is ABI; see include/uapi/linux/partvisor.h.
 */
#ifndef _PARTVISOR_H
#define _PARTVISOR_H

#include <linux/types.h>
#include <asm/desc_defs.h>
#include <uapi/linux/partvisor.h>

#include "stats.h"

#define PV_MODULE_VERSION	"0.1.0"

/* What the CPU's virtualization extension offers, decoded once at load. */
struct pv_caps {
	u32 vendor;		/* enum partvisor_vendor */
	u32 revision;		/* VMCS revision id or SVM revision */
	u32 nr_tlb_tags;	/* usable ASIDs or VPIDs */
	u64 features;		/* PARTVISOR_FEAT_* */
};

/*
 * Guest general-purpose registers that the VMCB/VMCS does not hold. The
 * entry assembly depends on this exact layout (checked at build time).
 */
struct pv_gprs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rax;		/* VT-x only: AMD-V keeps RAX in the VMCB */
};

/* One logical processor: the root VP that runs on it and its host state. */
struct pv_lp {
	unsigned int cpu;
	bool launched;
	u64 host_cr3;		/* private page table, outlives every mm */
	void *arch;		/* vendor state */
	void *dispatch;		/* the child VP staged for DISPATCH_VP */
	struct dentry *debugfs;		/* lp/<cpu> */
	struct dentry *debugfs_root_vp;	/* partition/0/vp/<cpu> */
	struct pv_lp_stats stats;
	u32 last_part;		/* the last child partition dispatched here */
	u64 host_spec_ctrl;	/* Linux's SPEC_CTRL while a child runs */
	/* Linux's tables before the launch, which devirtualizing restores */
	struct desc_ptr native_gdt, native_idt;
};

/* Raw values the SVM backend decodes; filled from hardware or by tests. */
struct pv_svm_raw {
	u32 cpuid_8000000a_eax;	/* SVM revision */
	u32 cpuid_8000000a_ebx;	/* number of ASIDs */
	u32 cpuid_8000000a_edx;	/* SVM feature bits */
};

void pv_svm_decode_caps(const struct pv_svm_raw *raw, struct pv_caps *caps);
u32 pv_svm_decode_state(u64 vm_cr, u64 efer);
/* The vendor table's probe and ext_state (vendor.h), from svm/caps.c. */
int pv_svm_probe(struct pv_caps *caps);
u32 pv_svm_ext_state(void);

/* Raw values the VMX backend decodes; filled from hardware or by tests. */
struct pv_vmx_raw {
	u64 basic;		/* IA32_VMX_BASIC */
	u64 pinbased;		/* IA32_VMX_PINBASED_CTLS */
	u64 procbased;		/* IA32_VMX_PROCBASED_CTLS */
	u64 procbased2;		/* IA32_VMX_PROCBASED_CTLS2, 0 when absent */
	u64 ept_vpid_cap;	/* IA32_VMX_EPT_VPID_CAP, 0 when absent */
};

void pv_vmx_decode_caps(const struct pv_vmx_raw *raw, struct pv_caps *caps);
u32 pv_vmx_decode_state(u64 feature_control, bool cr4_vmxe);
/* ...and VT-x's, from vmx/caps.c. */
int pv_vmx_probe(struct pv_caps *caps);
u32 pv_vmx_ext_state(void);

/*
 * A segment register from the live GDT. attrib packs the descriptor's
 * type, S, DPL, P, AVL, L, D/B and G in bits 0-11, as AMD-V stores them.
 */
struct pv_seg {
	u16 sel;
	u16 attrib;
	u32 limit;
	u64 base;
};

void pv_seg_read(u16 sel, struct pv_seg *seg);

/* Core: module/caps.c */
u32 pv_vendor_select(u32 cpuid_1_ecx, u32 cpuid_80000001_ecx);
void pv_caps_to_info(const struct pv_caps *caps, u32 ext_state, u32 nr_cpus,
		     struct partvisor_info *info);
void pv_fill_info(struct partvisor_info *info);
const char *pv_vendor_name(u32 vendor);

extern struct pv_caps pv_caps;

/* Late launch: module/launch.c */
int pv_launch_all(void);
void pv_unlaunch_all(void);
bool pv_launched(void);
u64 pv_hypercall(u64 input, u64 param0, u64 param1);
u64 pv_hypercall_dispatch(void *vp);
struct pv_lp *pv_lp_launched(unsigned int cpu);
unsigned int pv_nr_launched_lps(void);
void pv_lp_count_ipi(void);

/* What the root sees of CPUID: module/root_cpuid.c */
struct pv_cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

#define PV_CPUID_BASE		0x40000000
#define PV_CPUID_MAX		0x40000005
void pv_root_cpuid(u32 leaf, u32 subleaf, struct pv_cpuid_regs *regs);

/* Root driver: module/dev.c and module/debugfs.c */
int pv_dev_init(void);
void pv_dev_exit(void);
void pv_debugfs_init(void);
void pv_debugfs_exit(void);
void pv_debugfs_add_lp(struct pv_lp *lp);
void pv_debugfs_remove_lp(struct pv_lp *lp);

#endif /* _PARTVISOR_H */
