/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypercall ABI: the TLFS input value, result value and status codes.
 * Pure logic with no hardware access, shared by the exit handlers of both
 * vendors and by KUnit.
 */
#ifndef _PV_HCALL_H
#define _PV_HCALL_H

#include <linux/bits.h>
#include <linux/types.h>

#include <uapi/linux/partvisor.h>

#include "../stats.h"

/*
 * TLFS status codes, same numbers as Hyper-V. Linux's TLFS header defines
 * most of them; the ones it lacks are added here.
 */
#include <asm/hyperv-tlfs.h>

#ifndef HV_STATUS_INVALID_PARTITION_STATE
#define HV_STATUS_INVALID_PARTITION_STATE	0x0007
#endif
#ifndef HV_STATUS_INVALID_PARTITION_ID
#define HV_STATUS_INVALID_PARTITION_ID		0x000d
#endif
#ifndef HV_STATUS_INVALID_VP_INDEX
#define HV_STATUS_INVALID_VP_INDEX		0x000e
#endif

/* Input value fields (RCX). */
#define HV_HC_CODE_MASK			GENMASK_ULL(15, 0)
#define HV_HC_FAST			BIT_ULL(16)
#define HV_HC_VAR_HDR_MASK		GENMASK_ULL(26, 17)
#define HV_HC_REP_COUNT_MASK		GENMASK_ULL(43, 32)
#define HV_HC_REP_START_MASK		GENMASK_ULL(59, 48)
#define HV_HC_RESERVED_MASK		(GENMASK_ULL(31, 27) | \
					 GENMASK_ULL(47, 44) | \
					 GENMASK_ULL(63, 60))

/* Result value fields (RAX). */
#define HV_HC_RESULT_STATUS_MASK	GENMASK_ULL(15, 0)
#define HV_HC_RESULT_REPS_MASK		GENMASK_ULL(43, 32)

/* Memory-form parameter lists live in one guest page, 8-byte aligned. */
#define HV_HC_PAGE_SIZE			4096
#define HV_HC_ALIGN			8

struct pv_hc_input {
	u16 code;
	bool fast;
	u16 var_hdr_size;	/* variable header, in 8-byte units */
	u16 rep_count;
	u16 rep_start;
};

/* What a call code accepts, from the dispatch table. */
#define PV_HC_REP		BIT(0)	/* a rep call; otherwise simple */
#define PV_HC_FAST_OK		BIT(1)	/* may use the register (fast) form */
#define PV_HC_VAR_HDR		BIT(2)	/* may carry a variable header */
#define PV_HC_ROOT_ONLY		BIT(3)	/* management call: root partition */

struct pv_hc_desc {
	u16 code;
	u16 flags;		/* PV_HC_* */
};

/* partvisor-only call codes live in 0x8000-0xffff, above the TLFS's. */
#define PV_HC_PRIVATE_BASE		0x8000
#define PV_HC_DEVIRTUALIZE		0x8001	/* root, CPL0: leave host mode */
#define PV_HC_GET_SYSTEM_PROPERTY	0x8002	/* root, rep: PARTVISOR_PROP_* */
#define PV_HC_DISPATCH_VP		0x8003	/* root: run the staged child VP */

/*
 * A rep call does at most this many reps per exit; then the root
 * re-executes the hypercall with the rep start index advanced, and takes
 * its pending interrupts in between.
 */
#define PV_HC_REPS_PER_ENTRY		16

/* What the exit handler must do after a root hypercall. */
enum pv_hc_action {
	PV_HC_CONTINUE,		/* RAX = result, step past the instruction */
	PV_HC_REPEAT,		/* RCX = input, RIP unchanged: re-execute */
	PV_HC_DEVIRT,		/* leave host mode, RAX = result */
	PV_HC_DISPATCH,		/* run the child VP staged on this LP */
};

/* The hypercall registers as the guest left them, and what to return. */
struct pv_hc_regs {
	u64 input;		/* RCX; updated for PV_HC_REPEAT */
	u64 param0;		/* RDX: input GPA or first fast value */
	u64 param1;		/* R8: output GPA or second fast value */
	u64 result;		/* RAX for PV_HC_CONTINUE and PV_HC_DEVIRT */
};

/*
 * What the root's calls need from the machine: the property values and a
 * way to reach a parameter list by its GPA. root.c fills it from the
 * hardware on every call; KUnit fakes it.
 */
struct pv_hc_sysprops {
	u64 version;		/* major << 16 | minor */
	u64 vendor;		/* enum partvisor_vendor */
	u64 features;		/* PARTVISOR_FEAT_* */
	u64 nr_lps;
	u64 current_lp;		/* the calling LP's CPU number */
	u64 nr_tlb_tags;
	u64 tsc_khz;
};

struct pv_hc_root_env {
	struct pv_hc_sysprops props;
	/*
	 * The page holding a list at @gpa (already checked to be aligned and
	 * inside one page), mapped for reading or also for writing; NULL if
	 * the root may not use it.
	 */
	void *(*map)(u64 gpa, bool write);
};

/* The ABI: module/hcall/abi.c */
u16 pv_hc_decode(u64 value, struct pv_hc_input *in);
u16 pv_hc_validate(const struct pv_hc_desc *desc,
		   const struct pv_hc_input *in, bool from_root);
u16 pv_hc_check_gpa(u64 gpa, u32 size);
u64 pv_hc_result(u16 status, u16 reps_done);
u16 pv_hc_rep_batch_end(const struct pv_hc_input *in);
enum pv_hc_action pv_hc_rep_end(struct pv_hc_regs *regs,
				const struct pv_hc_input *in, u16 status,
				u16 next);

/* The root's calls as pure logic: module/hcall/calls.c */
u32 pv_hc_version(const char *s);
u16 pv_hc_sysprop(const struct pv_hc_sysprops *props, u64 id, u64 *value);
enum pv_hc_action pv_hc_get_system_property(struct pv_hc_regs *regs,
					    const struct pv_hc_input *in,
					    const struct pv_hc_root_env *env);
enum pv_hc_action pv_hc_devirtualize(struct pv_hc_regs *regs,
				     const struct pv_hc_input *in,
				     const struct pv_hc_root_env *env);
enum pv_hc_action pv_hc_dispatch_vp(struct pv_hc_regs *regs,
				    const struct pv_hc_input *in,
				    const struct pv_hc_root_env *env);
enum pv_hc_action pv_hc_root_call(struct pv_hc_regs *regs,
				  const struct pv_hc_root_env *env,
				  unsigned int *slot);

/* The exit handlers' entry: module/hcall/root.c */
enum pv_hc_action pv_hc_root_dispatch(struct pv_hc_regs *regs,
				      struct pv_vp_stats *stats);

/*
 * Hypercalls of child partitions, as pure logic (module/hcall/guest.c);
 * module/hcall/guest_vp.c gives them the VP's registers and memory.
 */

/* The largest fixed input a guest call reads: PostMessage's. */
#define PV_HC_GUEST_INPUT_MAX		256

/*
 * TLFS partition privileges (CPUID 0x40000003 EAX and EBX) a child has:
 * the hypercall MSRs, and posting messages. Other MSRs (VP index,
 * reference counter, synthetic timers) add their bits as they arrive.
 */
#define PV_HC_GUEST_PRIV_EAX		(BIT(1) |	/* AccessPartitionReferenceCounter */ \
					 BIT(3) |	/* AccessSyntheticTimerRegs */ \
					 BIT(5) |	/* AccessHypercallMsrs */ \
					 BIT(6))	/* AccessVpIndex */
#define PV_HC_GUEST_PRIV_EBX		BIT(4)	/* PostMessages */

/* What a guest call needs from its partition. */
struct pv_hc_guest_env {
	/*
	 * Copy @len bytes at guest-physical @gpa into @buf: 0, or -errno
	 * when the VP may not read all of them.
	 */
	int (*read)(void *priv, u64 gpa, void *buf, u32 len);
	/*
	 * Make @vector pending on every VP of the partition whose index is
	 * set in @mask: HV_STATUS_SUCCESS, or HV_STATUS_INVALID_PARAMETER
	 * (nothing asserted) when one of them does not exist.
	 */
	u16 (*send_ipi)(void *priv, u32 vector, u64 mask);
	void *priv;		/* the calling VP */
	/*
	 * Host mode, between two runs of the VP: only calls rejected
	 * before they do anything complete here; the others come back as
	 * PV_HC_GUEST_ROOT without a side effect, for the root driver.
	 */
	bool host_mode;
};

/* What the run loop does after a guest call, RAX = result in each case. */
enum pv_hc_guest_action {
	PV_HC_GUEST_CONTINUE,	/* step past the instruction, run on */
	PV_HC_GUEST_YIELD,	/* the same, letting the scheduler in first */
	PV_HC_GUEST_EXIT,	/* step past, and return @exit to the VMM */
	PV_HC_GUEST_ROOT,	/* host mode: nothing done, result not set */
};

/* An exit to the VMM a guest call produced. */
struct pv_hc_guest_exit {
	u32 reason;		/* PARTVISOR_EXIT_* */
	struct partvisor_exit_message msg;
};

/* One guest call in progress, as the call's function sees it. */
struct pv_hc_guest_ctx {
	const struct pv_hc_guest_env *env;
	const struct pv_hc_input *in;
	const struct pv_hc_regs *regs;
	const u8 *input;	/* the call's fixed input (list or registers) */
	enum pv_hc_guest_action action;	/* out */
	struct pv_hc_guest_exit *exit;	/* out, with PV_HC_GUEST_EXIT */
};

/* PostMessage's input list (TLFS HV_INPUT_POST_MESSAGE). */
struct pv_hc_post_message {
	u32 connection_id;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u8 payload[PARTVISOR_MESSAGE_PAYLOAD];
} __packed;

/* The debug-output call's input list: a header, then @size bytes. */
struct pv_hc_debug_output {
	u32 size;
	u32 reserved;
} __packed;

/* SendSyntheticClusterIpi's input (TLFS HV_INPUT_SEND_SYNTHETIC_CLUSTER_IPI). */
struct pv_hc_send_ipi {
	u32 vector;
	u8 target_vtl;
	u8 reserved[3];
	u64 processor_mask;	/* VP indexes 0-63 */
} __packed;

/* Vectors an IPI may carry, as in the TLFS. */
#define PV_HC_IPI_VECTOR_MIN		0x10
#define PV_HC_IPI_VECTOR_MAX		0xff

/* Message types with bit 31 set are the hypervisor's own. */
#define PV_HC_MSG_TYPE_HYPERVISOR	BIT(31)

u16 pv_hc_long_spin_wait(struct pv_hc_guest_ctx *c);
u16 pv_hc_send_ipi(struct pv_hc_guest_ctx *c);
u16 pv_hc_post_message(struct pv_hc_guest_ctx *c);
u16 pv_hc_debug_output(struct pv_hc_guest_ctx *c);
enum pv_hc_guest_action pv_hc_guest_call(struct pv_hc_regs *regs,
					 const struct pv_hc_guest_env *env,
					 struct pv_hc_guest_exit *exit);

/*
 * One row of the hypercall table (module/hcall/table.c): a call's code
 * and forms, its counters' name, and its handler for the root partition,
 * for children, or both. A call without a guest handler is ROOT_ONLY.
 */
struct pv_hc_call {
	struct pv_hc_desc desc;
	const char *name;
	/*
	 * Children's calls: bytes of fixed input the call reads, from the
	 * list at RDX in the memory form, from RDX and R8 (16 bytes at
	 * most) in the fast form.
	 */
	u16 in_size;
	u16 (*guest)(struct pv_hc_guest_ctx *c);
	enum pv_hc_action (*root)(struct pv_hc_regs *regs,
				  const struct pv_hc_input *in,
				  const struct pv_hc_root_env *env);
};

extern const struct pv_hc_call pv_hc_calls[PV_NR_HC_CALLS];
const struct pv_hc_call *pv_hc_find(u16 code);

/* The TLFS synthetic MSRs partvisor keeps per child partition. */
struct pv_hv_msrs {
	u64 guest_os_id;
	u64 hypercall;
};

#define PV_HV_HYPERCALL_ENABLE		BIT_ULL(0)
#define PV_HV_HYPERCALL_RESERVED	GENMASK_ULL(11, 1)
#define PV_HV_HYPERCALL_GPA_MASK	GENMASK_ULL(63, 12)

/* The hypercall page's code: the vendor's instruction, then RET. */
#define PV_HC_PAGE_CODE_SIZE		4

enum pv_hv_msr_action {
	PV_HV_MSR_NOT_OURS,	/* an MSR for the VMM */
	PV_HV_MSR_DONE,		/* read: the value; write: store @next */
	PV_HV_MSR_FILL_PAGE,	/* write the hypercall page, then store @next */
	PV_HV_MSR_GP,		/* raise #GP; nothing changes */
};

enum pv_hv_msr_action pv_hv_msr_read(const struct pv_hv_msrs *m, u32 index,
				     u64 *value);
enum pv_hv_msr_action pv_hv_msr_write(const struct pv_hv_msrs *m, u32 index,
				      u64 value, struct pv_hv_msrs *next);
void pv_hc_page_code(u8 code[PV_HC_PAGE_CODE_SIZE], u32 vendor);

#endif /* _PV_HCALL_H */
