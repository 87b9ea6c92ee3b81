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
#define PARTVISOR_ABI_VERSION		6
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
 * @sched_mode: enum partvisor_sched_mode, chosen at load (ABI 5)
 * @pad: zero
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
	__u32 sched_mode;
	__u32 pad;
	__u64 reserved[7];
};

/*
 * Who decides when child VPs run: the VMM threads' RUN under Linux's
 * scheduler (root), or partvisor's own scheduler on dispatch threads that
 * hold the LPs (classic). Module parameter sched=root|classic.
 */
enum partvisor_sched_mode {
	PARTVISOR_SCHED_ROOT	= 0,
	PARTVISOR_SCHED_CLASSIC	= 1,
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

/*
 * Child partitions (ABI version 3). A file-descriptor hierarchy:
 * /dev/partvisor creates a partition and returns its fd; the partition
 * fd maps memory, sets the CPUID table and creates VPs, each returning a
 * VP fd; the VP fd reads and writes the VP's state. Each fd answers only
 * its own ioctls (ENOTTY otherwise). A VP fd holds its partition: the
 * partition dies when its fd and all its VP fds are closed.
 */

/* Limits; anything beyond them is refused. */
#define PARTVISOR_MAX_PARTITIONS	64	/* at once, system-wide */
#define PARTVISOR_MAX_VPS		64	/* per partition; index 0-63 */
#define PARTVISOR_MAX_REGIONS		64	/* mapped regions per partition */
#define PARTVISOR_MAX_GPA		(1ULL << 40)	/* every GPA is below 1 TiB */
#define PARTVISOR_MAX_REGION_SIZE	(4ULL << 30)	/* 4 GiB per region */
#define PARTVISOR_MAX_CPUID_ENTRIES	256

/**
 * struct partvisor_create_partition - PARTVISOR_CREATE_PARTITION
 * @flags: must be zero
 * @id: out: the partition's id, unique while the module is loaded
 * @reserved: must be zero
 */
struct partvisor_create_partition {
	__u32 flags;
	__u32 id;
	__u64 reserved[3];
};

/**
 * struct partvisor_partition_entry - one partition in a list
 * @id: partition id
 * @nr_vps: VPs that exist (have an open fd)
 * @nr_regions: mapped memory regions
 * @owner_pid: the creating process, in the caller's pid namespace; 0
 *	when it is not visible there
 * @mapped_bytes: bytes mapped (and pinned) for the partition
 * @reserved: zero
 */
struct partvisor_partition_entry {
	__u32 id;
	__u32 nr_vps;
	__u32 nr_regions;
	__s32 owner_pid;
	__u64 mapped_bytes;
	__u64 reserved[3];
};

/**
 * struct partvisor_partition_list - PARTVISOR_LIST_PARTITIONS
 * @count: in: room in @entries; out: partitions that exist. At most
 *	min(in, out) entries are written, in id order.
 * @reserved0: must be zero
 * @entries: user pointer to @count struct partvisor_partition_entry
 * @reserved: must be zero
 */
struct partvisor_partition_list {
	__u32 count;
	__u32 reserved0;
	__u64 entries;
	__u64 reserved[2];
};

/* struct partvisor_memory_region.flags: access the partition gets. */
#define PARTVISOR_MEM_READ		(1U << 0)	/* required */
#define PARTVISOR_MEM_WRITE		(1U << 1)
#define PARTVISOR_MEM_EXEC		(1U << 2)
#define PARTVISOR_MEM_ALL		((1U << 3) - 1)

/**
 * struct partvisor_memory_region - PARTVISOR_MAP_MEMORY, _UNMAP_MEMORY
 * @gpa: guest-physical address, page aligned
 * @size: bytes, page aligned, 1 page to PARTVISOR_MAX_REGION_SIZE
 * @uaddr: page-aligned user address of the memory (map); zero (unmap)
 * @flags: PARTVISOR_MEM_* (map); zero (unmap)
 * @reserved0: must be zero
 * @reserved: must be zero
 */
struct partvisor_memory_region {
	__u64 gpa;
	__u64 size;
	__u64 uaddr;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/* struct partvisor_cpuid_entry.flags */
#define PARTVISOR_CPUID_SUBLEAF		(1U << 0)	/* @index is significant */

/**
 * struct partvisor_cpuid_entry - what CPUID returns for one leaf
 * @function: EAX input; not in the hypervisor's range 0x40000000-0x4fffffff
 * @index: ECX input; zero unless PARTVISOR_CPUID_SUBLEAF
 * @flags: PARTVISOR_CPUID_*
 * @eax: output EAX
 * @ebx: output EBX
 * @ecx: output ECX
 * @edx: output EDX
 * @reserved: must be zero
 */
struct partvisor_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
	__u32 reserved;
};

/**
 * struct partvisor_cpuid - PARTVISOR_SET_CPUID, PARTVISOR_GET_CPUID
 * @nr_entries: set: entries in the table, 0 to PARTVISOR_MAX_CPUID_ENTRIES;
 *	get: in: room in @entries, out: entries in the table
 * @reserved0: must be zero
 * @entries: user pointer to struct partvisor_cpuid_entry[@nr_entries]
 * @reserved: must be zero
 */
struct partvisor_cpuid {
	__u32 nr_entries;
	__u32 reserved0;
	__u64 entries;
	__u64 reserved[2];
};

/**
 * struct partvisor_create_vp - PARTVISOR_CREATE_VP
 * @vp_index: 0 to PARTVISOR_MAX_VPS - 1, unique in the partition
 * @flags: must be zero
 * @reserved: must be zero
 */
struct partvisor_create_vp {
	__u32 vp_index;
	__u32 flags;
	__u64 reserved[3];
};

/*
 * Segment attributes as AMD-V stores them: the descriptor's type (bits
 * 3:0), S (4), DPL (6:5), P (7), AVL (8), L (9), D/B (10) and G (11).
 */
#define PARTVISOR_SEG_TYPE_MASK		0x000f
#define PARTVISOR_SEG_S			(1U << 4)
#define PARTVISOR_SEG_DPL_SHIFT		5
#define PARTVISOR_SEG_P			(1U << 7)
#define PARTVISOR_SEG_AVL		(1U << 8)
#define PARTVISOR_SEG_L			(1U << 9)
#define PARTVISOR_SEG_DB		(1U << 10)
#define PARTVISOR_SEG_G			(1U << 11)
#define PARTVISOR_SEG_ATTRIB_VALID	0x0fff

/**
 * struct partvisor_segment - a segment register, hidden part included
 * @base: base address
 * @limit: limit in bytes (already scaled by G)
 * @selector: visible selector
 * @attrib: PARTVISOR_SEG_* bits; bits 15:12 must be zero
 */
struct partvisor_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attrib;
};

/**
 * struct partvisor_dtable - GDTR or IDTR
 * @base: linear base address
 * @limit: limit in bytes
 * @pad: must be zero
 */
struct partvisor_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

/* Bits that some x86-64 CPU defines; the others are refused. */
#define PARTVISOR_CR0_VALID	0xe005003fULL	/* PE MP EM TS ET NE WP AM NW CD PG */
#define PARTVISOR_CR4_VALID	0x03ff7fffULL	/* VME ... VMXE SMXE, FSGSBASE ... */
#define PARTVISOR_CR8_VALID	0xfULL
#define PARTVISOR_CR3_VALID	((1ULL << 52) - 1)
#define PARTVISOR_EFER_VALID	0x0036fd01ULL	/* SCE LME LMA NXE SVME ... */
#define PARTVISOR_DR7_VALID	0xffffffffULL
/* RFLAGS: bit 1 is always one; bits 3, 5, 15 and 63:22 are zero. */
#define PARTVISOR_RFLAGS_VALID	0x003f7fd7ULL
#define PARTVISOR_RFLAGS_FIXED1	0x2ULL
/*
 * XCR0: x87 SSE AVX BNDREGS BNDCSR opmask ZMM_Hi256 Hi16_ZMM PKRU, what
 * the 4096-byte XSAVE buffer can hold in the standard format.
 */
#define PARTVISOR_XCR0_VALID	0x2ffULL

/**
 * struct partvisor_vp_state - PARTVISOR_GET_VP_STATE, _SET_VP_STATE
 *
 * The architectural state of a VP outside the FPU. A new VP holds the
 * state of a CPU after INIT (see Documentation/partitions.rst).
 */
struct partvisor_vp_state {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip;
	__u64 rflags;
	struct partvisor_segment cs, ds, es, fs, gs, ss, tr, ldtr;
	struct partvisor_dtable gdtr, idtr;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 dr7;
	__u64 pat;
	__u64 xcr0;
	__u64 star, lstar, cstar, sfmask;	/* SYSCALL */
	__u64 kernel_gs_base;			/* SWAPGS */
	__u64 sysenter_cs, sysenter_esp, sysenter_eip;
	__u64 reserved[9];
};

#define PARTVISOR_XSAVE_SIZE		4096

/**
 * struct partvisor_xsave - PARTVISOR_GET_XSAVE, _SET_XSAVE
 * @region: an XSAVE area in the standard (non-compacted) format: the
 *	legacy FXSAVE region (bytes 0-511), the XSAVE header (512-575),
 *	the extended components at their CPUID 0xD offsets
 */
struct partvisor_xsave {
	__u8 region[PARTVISOR_XSAVE_SIZE];
};

/* /dev/partvisor */
#define PARTVISOR_CREATE_PARTITION \
	_IOWR(PARTVISOR_IOCTL_TYPE, 0x02, struct partvisor_create_partition)
#define PARTVISOR_LIST_PARTITIONS \
	_IOWR(PARTVISOR_IOCTL_TYPE, 0x03, struct partvisor_partition_list)

/* partition fd */
#define PARTVISOR_MAP_MEMORY \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x10, struct partvisor_memory_region)
#define PARTVISOR_UNMAP_MEMORY \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x11, struct partvisor_memory_region)
#define PARTVISOR_SET_CPUID \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x12, struct partvisor_cpuid)
#define PARTVISOR_GET_CPUID \
	_IOWR(PARTVISOR_IOCTL_TYPE, 0x13, struct partvisor_cpuid)
#define PARTVISOR_CREATE_VP \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x14, struct partvisor_create_vp)

/* VP fd */
#define PARTVISOR_GET_VP_STATE \
	_IOR(PARTVISOR_IOCTL_TYPE, 0x20, struct partvisor_vp_state)
#define PARTVISOR_SET_VP_STATE \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x21, struct partvisor_vp_state)
#define PARTVISOR_GET_XSAVE \
	_IOR(PARTVISOR_IOCTL_TYPE, 0x22, struct partvisor_xsave)
#define PARTVISOR_SET_XSAVE \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x23, struct partvisor_xsave)

/*
 * Running a VP (root scheduler mode): PARTVISOR_RUN_VP runs the VP on the
 * calling thread until something needs the VMM, and describes it in
 * struct partvisor_run. A pending signal ends it with EINTR; the VP
 * then simply continues on the next RUN.
 */
#define PARTVISOR_EXIT_IO		1	/* port I/O: @io */
#define PARTVISOR_EXIT_MMIO		2	/* access outside mapped memory: @mmio */
#define PARTVISOR_EXIT_HALT		3	/* HLT with RFLAGS.IF clear */
#define PARTVISOR_EXIT_SHUTDOWN		4	/* triple fault: partition crashed */
#define PARTVISOR_EXIT_MSR		5	/* an MSR the hypervisor does not know: @msr */
#define PARTVISOR_EXIT_INVALID_STATE	6	/* the hardware refused the VP's state */
#define PARTVISOR_EXIT_UNSUPPORTED	7	/* an exit nothing handles yet: @vendor_code */
#define PARTVISOR_EXIT_MESSAGE		8	/* the guest's PostMessage hypercall: @msg */
#define PARTVISOR_EXIT_DEBUG_OUTPUT	9	/* the guest's debug-output hypercall: @msg */

/* struct partvisor_exit_io.flags */
#define PARTVISOR_IO_IN			(1U << 0)
#define PARTVISOR_IO_STRING		(1U << 1)
#define PARTVISOR_IO_REP		(1U << 2)

/**
 * struct partvisor_exit_io - PARTVISOR_EXIT_IO
 * @port: I/O port
 * @size: access size in bytes: 1, 2 or 4
 * @flags: PARTVISOR_IO_*
 * @reserved: zero
 * @data: OUT: the value written. IN: on the next RUN, the VMM puts the
 *	value read here (low @size bytes)
 */
struct partvisor_exit_io {
	__u16 port;
	__u8 size;
	__u8 flags;
	__u32 reserved;
	__u64 data;
};

/* struct partvisor_exit_mmio.flags */
#define PARTVISOR_MMIO_WRITE		(1U << 0)
#define PARTVISOR_MMIO_FETCH		(1U << 1)

/**
 * struct partvisor_exit_mmio - PARTVISOR_EXIT_MMIO
 * @gpa: guest-physical address accessed
 * @flags: PARTVISOR_MMIO_*
 * @size: access size in bytes; 0 while the access is not decoded (the
 *	VP then stays at the instruction)
 * @data: the value written (writes), or to be read (reads, next RUN)
 */
struct partvisor_exit_mmio {
	__u64 gpa;
	__u32 flags;
	__u32 size;
	__u64 data;
};

/* struct partvisor_exit_msr.flags */
#define PARTVISOR_MSR_WRITE		(1U << 0)

/**
 * struct partvisor_exit_msr - PARTVISOR_EXIT_MSR
 * @index: MSR number (ECX)
 * @flags: PARTVISOR_MSR_*
 * @data: WRMSR: the value written. RDMSR: on the next RUN, the VMM puts
 *	the value read here
 */
struct partvisor_exit_msr {
	__u32 index;
	__u32 flags;
	__u64 data;
};

/* Longest PostMessage or debug-output payload, as in the TLFS. */
#define PARTVISOR_MESSAGE_PAYLOAD	240

/**
 * struct partvisor_exit_message - what a guest posted (PARTVISOR_EXIT_MESSAGE)
 * or printed (PARTVISOR_EXIT_DEBUG_OUTPUT)
 * @connection_id: PostMessage's connection id; 0 for debug output
 * @type: PostMessage's message type (non-zero); 0 for debug output
 * @size: bytes of @payload that are valid (at most 240)
 * @reserved: zero
 * @payload: the bytes, copied from the guest's input page
 */
struct partvisor_exit_message {
	__u32 connection_id;
	__u32 type;
	__u32 size;
	__u32 reserved;
	__u8 payload[PARTVISOR_MESSAGE_PAYLOAD];
};

/* struct partvisor_run.flags, in */
#define PARTVISOR_RUN_INJECT_GP		(1U << 0)	/* fail the pending MSR access with #GP */

/**
 * struct partvisor_run - PARTVISOR_RUN_VP
 * @reason: out: PARTVISOR_EXIT_*
 * @flags: in: PARTVISOR_RUN_*; other bits must be zero
 * @rip: out: the VP's RIP at the exit
 * @vendor_code: out: the hardware's exit code (VMCB EXITCODE or VMCS
 *	exit reason)
 * @io: PARTVISOR_EXIT_IO
 * @mmio: PARTVISOR_EXIT_MMIO
 * @msr: PARTVISOR_EXIT_MSR
 * @pad: the size of the union
 * @reserved: must be zero
 */
struct partvisor_run {
	__u32 reason;
	__u32 flags;
	__u64 rip;
	__u64 vendor_code;
	union {
		struct partvisor_exit_io io;
		struct partvisor_exit_mmio mmio;
		struct partvisor_exit_msr msr;
		struct partvisor_exit_message msg;
		__u64 pad[32];
	};
	__u64 reserved[4];
};

#define PARTVISOR_RUN_VP \
	_IOWR(PARTVISOR_IOCTL_TYPE, 0x24, struct partvisor_run)

/*
 * Intercepts by type: how a VP's counter set (Documentation/counters.rst)
 * counts exits, and the vp_exit tracepoint's reason. npf is a nested page
 * fault (MMIO for children), extint a physical interrupt that ended the
 * child's run, virt_insn an instruction of the virtualization extension
 * refused with #UD.
 */
enum partvisor_intercept {
	PARTVISOR_INTERCEPT_CPUID,
	PARTVISOR_INTERCEPT_IO,
	PARTVISOR_INTERCEPT_MSR_READ,
	PARTVISOR_INTERCEPT_MSR_WRITE,
	PARTVISOR_INTERCEPT_HLT,
	PARTVISOR_INTERCEPT_HYPERCALL,
	PARTVISOR_INTERCEPT_NPF,
	PARTVISOR_INTERCEPT_CR,
	PARTVISOR_INTERCEPT_EXCEPTION,
	PARTVISOR_INTERCEPT_EXTINT,
	PARTVISOR_INTERCEPT_INTR_WINDOW,
	PARTVISOR_INTERCEPT_VIRT_INSN,
	PARTVISOR_INTERCEPT_OTHER,
	PARTVISOR_NR_INTERCEPTS,
};

#define PARTVISOR_INTERCEPT_NAMES {					\
	"cpuid", "io", "msr_read", "msr_write", "hlt", "hypercall",	\
	"npf", "cr", "exception", "extint", "intr_window", "virt_insn",	\
	"other" }

/**
 * struct partvisor_interrupt - a fixed interrupt for a VP
 * @vector: 32-255; delivered when the VP can take it (RFLAGS.IF set, no
 *	interrupt shadow), waking it from HLT
 * @flags: zero
 * @reserved: zero
 */
struct partvisor_interrupt {
	__u32 vector;
	__u32 flags;
	__u64 reserved[3];
};

#define PARTVISOR_ASSERT_INTERRUPT \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x25, struct partvisor_interrupt)

/*
 * What a guest sees of partvisor beyond CPUID: TLFS synthetic MSRs (same
 * numbers as Hyper-V's) and its hypercall codes. Guest programs may use
 * these; the hypervisor handles them without the VMM.
 */
#define PARTVISOR_MSR_GUEST_OS_ID	0x40000000
#define PARTVISOR_MSR_HYPERCALL		0x40000001
#define PARTVISOR_MSR_VP_INDEX		0x40000002	/* read-only */
#define PARTVISOR_MSR_TIME_REF_COUNT	0x40000020	/* 100 ns units, read-only */
#define PARTVISOR_MSR_STIMER0_CONFIG	0x400000b0
#define PARTVISOR_MSR_STIMER0_COUNT	0x400000b1

/* STIMER0_CONFIG bits: only direct mode (a plain vector) is offered. */
#define PARTVISOR_STIMER_ENABLE		(1ULL << 0)
#define PARTVISOR_STIMER_PERIODIC	(1ULL << 1)
#define PARTVISOR_STIMER_DIRECT		(1ULL << 12)
#define PARTVISOR_STIMER_VECTOR_SHIFT	4
#define PARTVISOR_STIMER_VECTOR_MASK	(0xffULL << 4)

#define PARTVISOR_HC_NOTIFY_LONG_SPIN_WAIT	0x0008	/* fast: yield */
#define PARTVISOR_HC_SEND_IPI			0x000b	/* fast: vector, VP mask */
#define PARTVISOR_HC_POST_MESSAGE		0x005c	/* memory form */
#define PARTVISOR_HC_DEBUG_OUTPUT		0x8004	/* memory form, partvisor's */

/*
 * The partition scheduler's policy (classic mode, Documentation/
 * scheduler.rst). Percentages are of one LP. In root mode only the
 * defaults of every field are accepted.
 */
#define PARTVISOR_SCHED_WEIGHT_MIN		1
#define PARTVISOR_SCHED_WEIGHT_MAX		10000
#define PARTVISOR_SCHED_WEIGHT_DEFAULT		100
#define PARTVISOR_SCHED_RESERVE_MAX		100	/* default 0: none */
#define PARTVISOR_SCHED_LIMIT_MIN		1
#define PARTVISOR_SCHED_LIMIT_MAX		100	/* and default: no cap */
#define PARTVISOR_SCHED_SLICE_MIN_US		1000
#define PARTVISOR_SCHED_SLICE_MAX_US		100000
#define PARTVISOR_SCHED_SLICE_DEFAULT_US	10000
#define PARTVISOR_SCHED_NODE_NONE		0xffffffffU	/* no home node */
#define PARTVISOR_SCHED_MAX_LPS			1024
#define PARTVISOR_SCHED_PARTITION		0xffffffffU	/* @vp: all */

/* Which fields PARTVISOR_SET_SCHED changes. */
#define PARTVISOR_SCHED_SET_WEIGHT	(1U << 0)
#define PARTVISOR_SCHED_SET_RESERVE	(1U << 1)
#define PARTVISOR_SCHED_SET_LIMIT	(1U << 2)
#define PARTVISOR_SCHED_SET_SLICE	(1U << 3)
#define PARTVISOR_SCHED_SET_NODE	(1U << 4)
#define PARTVISOR_SCHED_SET_AFFINITY	(1U << 5)
#define PARTVISOR_SCHED_SET_ALL		0x3fU

/**
 * struct partvisor_sched_params - PARTVISOR_SET_SCHED, PARTVISOR_GET_SCHED
 * @vp: a VP index, or PARTVISOR_SCHED_PARTITION for the partition's
 *	policy, which every VP without its own value of a field follows
 * @set: PARTVISOR_SCHED_SET_*; GET_SCHED returns which fields the VP
 *	sets itself (zero for the partition)
 * @weight: relative weight among competing VPs
 * @reserve: percent of an LP guaranteed to each VP
 * @limit: percent of an LP each VP may use at most
 * @slice_us: time slice
 * @node: home NUMA node, or PARTVISOR_SCHED_NODE_NONE
 * @reserved0: zero
 * @affinity: the LPs the VPs may run on (bit n: LP n); all zero: any
 * @reserved: zero
 */
struct partvisor_sched_params {
	__u32 vp;
	__u32 set;
	__u32 weight;
	__u32 reserve;
	__u32 limit;
	__u32 slice_us;
	__u32 node;
	__u32 reserved0;
	__u64 affinity[PARTVISOR_SCHED_MAX_LPS / 64];
	__u64 reserved[4];
};

#define PARTVISOR_SET_SCHED \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x15, struct partvisor_sched_params)
#define PARTVISOR_GET_SCHED \
	_IOWR(PARTVISOR_IOCTL_TYPE, 0x16, struct partvisor_sched_params)

/*
 * Binary statistics: PARTVISOR_GET_STATS_FD returns a read-only fd whose
 * contents describe themselves, so that tools need no table of counters:
 *
 *	struct partvisor_stats_header	at offset 0
 *	the set's id, a NUL-terminated string	at @id_offset
 *	@num_desc descriptors			at @desc_offset, each
 *		sizeof(struct partvisor_stats_desc) + @name_size bytes
 *	the values, __u64 each			at @data_offset
 *
 * Everything before @data_offset stays the same for the fd's life; the
 * values are a fresh snapshot on every read (pread at @data_offset).
 */
struct partvisor_stats_header {
	__u32 name_size;
	__u32 num_desc;
	__u32 id_offset;
	__u32 desc_offset;
	__u32 data_offset;
	__u32 reserved[3];
};

#define PARTVISOR_STATS_ID_SIZE		48

/* partvisor_stats_desc.flags: type | unit | base */
#define PARTVISOR_STATS_TYPE_MASK	0x0fU
#define PARTVISOR_STATS_TYPE_CUMULATIVE	0x00U	/* only grows */
#define PARTVISOR_STATS_TYPE_INSTANT	0x01U	/* a current value */
#define PARTVISOR_STATS_TYPE_PEAK	0x02U	/* the highest value seen */
#define PARTVISOR_STATS_TYPE_LOG_HIST	0x03U	/* bucket n: [2^(n-1), 2^n) */
#define PARTVISOR_STATS_UNIT_MASK	0xf0U
#define PARTVISOR_STATS_UNIT_NONE	0x00U
#define PARTVISOR_STATS_UNIT_BYTES	0x10U
#define PARTVISOR_STATS_UNIT_SECONDS	0x20U
#define PARTVISOR_STATS_UNIT_CYCLES	0x30U	/* TSC cycles */
#define PARTVISOR_STATS_UNIT_PAGES	0x40U	/* 4 KiB */
#define PARTVISOR_STATS_BASE_MASK	0xf00U
#define PARTVISOR_STATS_BASE_POW10	0x000U

/**
 * struct partvisor_stats_desc - one counter of a binary statistics fd
 * @flags: PARTVISOR_STATS_TYPE_*, _UNIT_* and _BASE_*
 * @exponent: a value times 10^@exponent is in the unit (-9: ns)
 * @size: how many __u64 values (1, or the buckets of a histogram)
 * @offset: of the first value, in bytes from the header's @data_offset
 * @reserved: zero
 * @name: @name_size bytes, NUL-terminated, as in debugfs
 */
struct partvisor_stats_desc {
	__u32 flags;
	__s16 exponent;
	__u16 size;
	__u32 offset;
	__u32 reserved;
	char name[];
};

/* partvisor_stats_fd.vp: the fd's own set (/dev/partvisor: the root's) */
#define PARTVISOR_STATS_OWN		0xffffffffU
/* partvisor_stats_fd.flags, on /dev/partvisor: LP @vp's set */
#define PARTVISOR_STATS_LP		(1U << 0)

/**
 * struct partvisor_stats_fd - PARTVISOR_GET_STATS_FD
 * @vp: PARTVISOR_STATS_OWN on a partition or VP fd: that partition's or
 *	VP's set. On /dev/partvisor: PARTVISOR_STATS_OWN for the root
 *	partition, or a CPU number for the root VP on that LP (with
 *	PARTVISOR_STATS_LP: the LP's own set)
 * @flags: PARTVISOR_STATS_LP or zero
 * @reserved: zero
 *
 * Returns a new read-only fd (O_CLOEXEC). The set's counters are those
 * of its debugfs file, in the same order and with the same names.
 */
struct partvisor_stats_fd {
	__u32 vp;
	__u32 flags;
	__u64 reserved[3];
};

#define PARTVISOR_GET_STATS_FD \
	_IOW(PARTVISOR_IOCTL_TYPE, 0x17, struct partvisor_stats_fd)

#endif /* _UAPI_LINUX_PARTVISOR_H */
