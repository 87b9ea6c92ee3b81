/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * partvisor ioctl ABI, shared by the module, pvctl, the selftests and the
 * BPF tools. Every structure is explicitly padded and has room to grow;
 * userspace checks abi_version before it trusts a field added later.
 */
#ifndef _UAPI_LINUX_PARTVISOR_H
#define _UAPI_LINUX_PARTVISOR_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PARTVISOR_DEVICE		"/dev/partvisor"
#define PARTVISOR_ABI_VERSION		2
#define PARTVISOR_IOCTL_TYPE		0xBA

/* Which hardware virtualization extension the CPU offers. */
enum partvisor_vendor {
	PARTVISOR_VENDOR_NONE	= 0,
	PARTVISOR_VENDOR_VMX	= 1,	/* Intel VT-x */
	PARTVISOR_VENDOR_SVM	= 2,	/* AMD-V */
};

/* Names of enum partvisor_vendor, indexed by value. */
#define PARTVISOR_VENDOR_NAMES	{ "none", "vmx", "svm" }

/* partvisor_info.features: what the extension can do. */
#define PARTVISOR_FEAT_NESTED_PAGING	(1ULL << 0)	/* EPT / NPT */
#define PARTVISOR_FEAT_TAGGED_TLB	(1ULL << 1)	/* VPID / ASID */
#define PARTVISOR_FEAT_NRIPS		(1ULL << 2)	/* SVM next-RIP save */
#define PARTVISOR_FEAT_DECODE_ASSISTS	(1ULL << 3)	/* SVM decode assists */
#define PARTVISOR_FEAT_PREEMPT_TIMER	(1ULL << 4)	/* VMX preemption timer */
#define PARTVISOR_FEAT_UNRESTRICTED	(1ULL << 5)	/* VMX unrestricted guest */
#define PARTVISOR_FEAT_VMCB_CLEAN	(1ULL << 6)	/* SVM VMCB clean bits */
#define PARTVISOR_FEAT_FLUSH_BY_ASID	(1ULL << 7)	/* SVM flush by ASID */
#define PARTVISOR_FEAT_VGIF		(1ULL << 8)	/* SVM virtual GIF */
#define PARTVISOR_FEAT_VNMI		(1ULL << 9)	/* VMX virtual NMIs */
#define PARTVISOR_FEAT_ALL		((1ULL << 10) - 1)

/* Which bits each vendor can offer at all. */
#define PARTVISOR_FEAT_VENDOR_ANY	(PARTVISOR_FEAT_NESTED_PAGING |	\
					 PARTVISOR_FEAT_TAGGED_TLB)
#define PARTVISOR_FEAT_SVM_ONLY		(PARTVISOR_FEAT_NRIPS |		\
					 PARTVISOR_FEAT_DECODE_ASSISTS |	\
					 PARTVISOR_FEAT_VMCB_CLEAN |	\
					 PARTVISOR_FEAT_FLUSH_BY_ASID |	\
					 PARTVISOR_FEAT_VGIF)
#define PARTVISOR_FEAT_VMX_ONLY		(PARTVISOR_FEAT_PREEMPT_TIMER |	\
					 PARTVISOR_FEAT_UNRESTRICTED |	\
					 PARTVISOR_FEAT_VNMI)

/* Names of the PARTVISOR_FEAT_* bits, in bit order, for tools and debugfs. */
#define PARTVISOR_FEAT_NAMES {						\
	"nested_paging", "tagged_tlb", "nrips", "decode_assists",	\
	"preempt_timer", "unrestricted_guest", "vmcb_clean",		\
	"flush_by_asid", "vgif", "vnmi" }

/* partvisor_info.ext_state: why the extension may not be usable. */
#define PARTVISOR_EXT_FW_DISABLED	(1U << 0)	/* VM_CR.SVMDIS / FEATURE_CONTROL */
#define PARTVISOR_EXT_IN_USE		(1U << 1)	/* EFER.SVME / CR4.VMXE set */
#define PARTVISOR_EXT_ALL		((1U << 2) - 1)

#define PARTVISOR_VERSION_LEN		32

/**
 * struct partvisor_info - what the module and the CPU offer
 * @abi_version: PARTVISOR_ABI_VERSION of the running module
 * @vendor: enum partvisor_vendor
 * @module_version: NUL-terminated module version string
 * @features: PARTVISOR_FEAT_* bits
 * @ext_state: PARTVISOR_EXT_* bits, as seen on the CPU that answered
 * @nr_cpus: online logical processors
 * @nr_tlb_tags: usable ASIDs (SVM) or VPIDs (VMX); 0 without tagged TLB
 * @revision: VMCS revision identifier (VMX) or SVM revision (SVM)
 * @reserved: zero; room for later ABI versions
 */
struct partvisor_info {
	__u32 abi_version;
	__u32 vendor;
	char module_version[PARTVISOR_VERSION_LEN];
	__u64 features;
	__u32 ext_state;
	__u32 nr_cpus;
	__u32 nr_tlb_tags;
	__u32 revision;
	__u64 reserved[8];
};

/*
 * Properties of the running hypervisor, read by the root through the
 * GET_SYSTEM_PROPERTY hypercall (PARTVISOR_GET_PROPERTIES). The numbers
 * are ABI; 0 is no property.
 */
enum partvisor_prop {
	PARTVISOR_PROP_VERSION		= 1,	/* major << 16 | minor */
	PARTVISOR_PROP_VENDOR		= 2,	/* enum partvisor_vendor */
	PARTVISOR_PROP_FEATURES		= 3,	/* PARTVISOR_FEAT_* */
	PARTVISOR_PROP_NR_LPS		= 4,	/* logical processors */
	PARTVISOR_PROP_CURRENT_LP	= 5,	/* the calling LP's CPU number */
	PARTVISOR_PROP_NR_TLB_TAGS	= 6,	/* usable ASIDs or VPIDs */
	PARTVISOR_PROP_TSC_KHZ		= 7,	/* TSC frequency in kHz */
	PARTVISOR_PROP_LAST		= PARTVISOR_PROP_TSC_KHZ,
};

/* Names of enum partvisor_prop, indexed by value. */
#define PARTVISOR_PROP_NAMES {						\
	"none", "version", "vendor", "features", "lps", "current_lp",	\
	"tlb_tags", "tsc_khz" }

#define PARTVISOR_PROPERTIES_VERSION	1
/* The id and value lists each fit in one page with room to spare. */
#define PARTVISOR_MAX_PROPERTIES	511

/**
 * struct partvisor_properties - read hypervisor properties
 * @version: PARTVISOR_PROPERTIES_VERSION
 * @count: number of ids, 1 to PARTVISOR_MAX_PROPERTIES
 * @status: out: the hypercall's TLFS status, 0 on success
 * @reps_done: out: properties read; the index of the failing id otherwise
 * @ids: user pointer to @count __u64 enum partvisor_prop values
 * @values: user pointer to @count __u64 results; the first @reps_done
 *	are the values, the rest are zero
 * @reserved: must be zero
 */
struct partvisor_properties {
	__u32 version;
	__u32 count;
	__u32 status;
	__u32 reps_done;
	__u64 ids;
	__u64 values;
	__u64 reserved[4];
};

#define PARTVISOR_GET_INFO	_IOR(PARTVISOR_IOCTL_TYPE, 0x00, struct partvisor_info)
#define PARTVISOR_GET_PROPERTIES \
	_IOWR(PARTVISOR_IOCTL_TYPE, 0x01, struct partvisor_properties)

#endif /* _UAPI_LINUX_PARTVISOR_H */
