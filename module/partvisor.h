/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces shared by the vendor-neutral core and the vendor
 * backends. Nothing here is ABI; see include/uapi/linux/partvisor.h.
 */
#ifndef _PARTVISOR_H
#define _PARTVISOR_H

#include <linux/types.h>
#include <uapi/linux/partvisor.h>

#define PV_MODULE_VERSION	"0.1.0"

/* What the CPU's virtualization extension offers, decoded once at load. */
struct pv_caps {
	u32 vendor;		/* enum partvisor_vendor */
	u32 revision;		/* VMCS revision id or SVM revision */
	u32 nr_tlb_tags;	/* usable ASIDs or VPIDs */
	u64 features;		/* PARTVISOR_FEAT_* */
};

/*
 * One vendor backend. Probing runs once on the CPU that loads the module;
 * ext_state runs on every CPU whenever the state is asked for, because
 * another hypervisor may take the extension on some CPUs at any time.
 */
struct pv_arch_ops {
	const char *name;
	u32 vendor;
	int (*probe)(struct pv_caps *caps);
	u32 (*ext_state)(void);
};

extern const struct pv_arch_ops pv_svm_ops;
extern const struct pv_arch_ops pv_vmx_ops;

/* Raw values the SVM backend decodes; filled from hardware or by tests. */
struct pv_svm_raw {
	u32 cpuid_8000000a_eax;	/* SVM revision */
	u32 cpuid_8000000a_ebx;	/* number of ASIDs */
	u32 cpuid_8000000a_edx;	/* SVM feature bits */
};

void pv_svm_decode_caps(const struct pv_svm_raw *raw, struct pv_caps *caps);
u32 pv_svm_decode_state(u64 vm_cr, u64 efer);

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

/* Core: module/caps.c */
const struct pv_arch_ops *pv_arch_select(u32 cpuid_1_ecx, u32 cpuid_80000001_ecx);
void pv_caps_to_info(const struct pv_caps *caps, u32 ext_state, u32 nr_cpus,
		     struct partvisor_info *info);
int pv_caps_init(void);
u32 pv_ext_state_all_cpus(void);
void pv_fill_info(struct partvisor_info *info);
const char *pv_vendor_name(u32 vendor);

extern const struct pv_arch_ops *pv_arch;
extern struct pv_caps pv_caps;

/* Root driver: module/dev.c and module/debugfs.c */
int pv_dev_init(void);
void pv_dev_exit(void);
void pv_debugfs_init(void);
void pv_debugfs_exit(void);

#endif /* _PARTVISOR_H */
