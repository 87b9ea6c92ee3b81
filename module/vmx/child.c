// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x child partitions: an EPT and a VPID per partition, a VMCS
 * and a software copy of the guest state per VP, and running a VP from
 * host mode.
 *
 * The root runs in VMX non-root operation and cannot touch a VMCS, and a
 * VMCS must be cleared on the CPU where it was last active before another
 * CPU may load it. So the VP's state lives in struct pv_vmx_vp between
 * runs, where the root driver reads and changes it like a VMCB on AMD-V,
 * and host mode does everything with the VMCS in one go: on DISPATCH_VP
 * it loads the child's VMCS, writes the controls, the root's host state
 * and the whole guest state, VMLAUNCHes, reads the guest state and the
 * exit information back, clears the VMCS and makes the root's VMCS
 * current again. A VMCS is therefore never active anywhere while the
 * root runs, and the next run may be on any LP.
 *
 * A physical interrupt always ends a run (external-interrupt exiting,
 * without acknowledging it: the root takes it when it enables interrupts
 * again). So does an NMI (NMI exiting); the root sends itself one to
 * reach Linux's handler. Every decision about an exit is taken in the
 * root driver, in process context (module/run.c and pv_vmx_vp_exit).
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "../partvisor.h"
#include "../partition.h"
#include "../npt.h"
#include "../hcall/hcall.h"
#include "../spec.h"
#include "../debugreg.h"
#include "../fpu.h"
#include "vmx.h"

#define PV_VMX_FIRST_CHILD_VPID		2	/* 1 is the root's */
#define PV_VMX_LAST_VPID		0xffff
#define PV_VMX_EXIT_VMFAIL		U32_MAX	/* VMLAUNCH itself failed */
#define PV_VMX_FAILED_ENTRY		BIT(31)
#define PV_VMX_AR_UNUSABLE		BIT(16)
#define PV_VMX_AR_L			BIT(13)	/* 64-bit code segment */
#define PV_EPT_QUAL_READ		BIT(0)
#define PV_EPT_QUAL_WRITE		BIT(1)
#define PV_EPT_QUAL_FETCH		BIT(2)
#define PV_EPT_QUAL_GLA_VALID		BIT(7)
#define PV_EPT_QUAL_GLA_FINAL		BIT(8)
#define PV_EPT_QUAL_NMI_UNBLOCK		BIT(12)
#define PV_IO_QUAL_IN			BIT(3)
#define PV_IO_QUAL_STRING		BIT(4)
#define PV_IO_QUAL_REP			BIT(5)
#define PV_DR_QUAL_NUM			0x7
#define PV_DR_QUAL_FROM			BIT(4)	/* MOV from the DR */
#define PV_DR_QUAL_GPR_SHIFT		8
#define PV_VMX_SLICE_MS			1	/* preemption timer, when offered */

/* The VMCS keeps ES, CS, SS, DS, FS, GS, LDTR and TR two encodings apart. */
enum {
	PV_VSEG_ES, PV_VSEG_CS, PV_VSEG_SS, PV_VSEG_DS, PV_VSEG_FS,
	PV_VSEG_GS, PV_VSEG_LDTR, PV_VSEG_TR, PV_VSEG_NR
};

struct pv_vmx_seg {
	u64 base;
	u32 limit;
	u32 ar;			/* VT-x access rights */
	u16 sel;
};

/* Everything of the guest the VMCS holds, between runs. */
struct pv_vmx_guest {
	u64 rsp, rip, rflags;
	u64 cr0, cr3, cr4;		/* what the CPU runs with */
	u64 cr0_shadow, cr4_shadow;	/* what the VP sees */
	u64 cr2;			/* not in the VMCS: switched by hand */
	u64 efer, pat, dr7, pending_dbg;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	/* Not in the VMCS: in the MSRs by hand around the run (dispatch). */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	struct pv_vmx_seg seg[PV_VSEG_NR];
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u32 intr_state;			/* interruptibility */
	/* An event to inject at the next entry. */
	u32 inj_info, inj_err, inj_len;
};

/* What host mode read about the last exit. */
struct pv_vmx_exit_info {
	u32 reason;			/* or PV_VMX_EXIT_VMFAIL */
	u32 insn_error;			/* VMfail: VM-instruction error */
	u32 intr_info;
	u32 idt_info, idt_err;
	u32 insn_len;
	u64 qual, gpa;
};

struct pv_vmx_part {
	struct pv_child_mem mem;	/* EPT, run lock */
	u64 eptp;
	u16 vpid;
	bool shared_vpid;	/* ran out: flush on every run */
};

struct pv_vmx_vp {
	void *vmcs;
	struct pv_gprs regs;	/* RAX included */
	struct pv_vmx_guest g;
	struct pv_vmx_exit_info x;
	u64 eptp;
	u64 id;			/* unique while the module is loaded */
	u16 vpid;
	bool flush;		/* INVEPT before this run */
	bool irq_window;	/* interrupt-window exiting this run */
	struct pv_tlb_track tlb;
	struct pv_vp *vp;
};

/* The children's controls, decided once at setup. */
static struct {
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_owned, cr4_owned;	/* bits VT-x fixes: shadowed */
	u64 invept_type;
	u32 slice;			/* preemption timer ticks, or 0 */
	bool irq_window;		/* interrupt-window exiting offered */
} pv_vmxc;

static bool pv_vmx_child_ok;

static DEFINE_IDA(pv_vmx_vpids);
static atomic64_t pv_vmx_vp_ids;
/* The VP that last ran on each LP: another one there flushes first. */
static DEFINE_PER_CPU(u64, pv_vmx_last_vp);

/* Host fields copied from the root's VMCS into the child's on each run. */
static const u32 pv_vmx_host_fields[] = {
	HOST_CR0, HOST_CR3, HOST_CR4, HOST_ES_SELECTOR, HOST_CS_SELECTOR,
	HOST_SS_SELECTOR, HOST_DS_SELECTOR, HOST_FS_SELECTOR,
	HOST_GS_SELECTOR, HOST_TR_SELECTOR, HOST_FS_BASE, HOST_GS_BASE,
	HOST_TR_BASE, HOST_GDTR_BASE, HOST_IDTR_BASE, HOST_IA32_SYSENTER_CS,
	HOST_IA32_SYSENTER_ESP, HOST_IA32_SYSENTER_EIP, HOST_IA32_EFER,
	HOST_IA32_PAT, HOST_RIP,
};

/* A control: @want must be allowed; @optional taken when it is. Quiet. */
static bool pv_vmx_child_ctl(u32 msr, u32 true_msr, u32 want, u32 optional,
			     u32 *ctl)
{
	u64 v;

	if (rdmsrl_safe(pv_vmx.true_ctls ? true_msr : msr, &v))
		return false;
	if (want & ~(u32)(v >> 32))
		return false;
	*ctl = want | (optional & (u32)(v >> 32)) | (u32)v;
	return true;
}

/*
 * Called at the end of the backend's setup. Children need EPT with a
 * 4-level write-back walk and INVEPT, and unrestricted guest (VPs start in
 * real mode); without them child partitions are not offered.
 */
void pv_vmx_child_setup(void)
{
	u64 cap = pv_vmx.ept_vpid_cap, misc;
	bool ok;

	pv_vmx_child_ok = false;
	if (!(pv_vmx.proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) ||
	    !(cap & VMX_EPT_PAGE_WALK_4_BIT) || !(cap & VMX_EPTP_WB_BIT) ||
	    !(cap & VMX_EPT_INVEPT_BIT) ||
	    !(cap & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT)))
		return;
	ok = pv_vmx_child_ctl(MSR_IA32_VMX_PINBASED_CTLS,
			      MSR_IA32_VMX_TRUE_PINBASED_CTLS,
			      PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			      PIN_BASED_VMX_PREEMPTION_TIMER, &pv_vmxc.pin);
	ok = ok && pv_vmx_child_ctl(MSR_IA32_VMX_PROCBASED_CTLS,
				    MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
				    CPU_BASED_HLT_EXITING |
				    CPU_BASED_UNCOND_IO_EXITING |
				    CPU_BASED_RDPMC_EXITING |
				    CPU_BASED_MOV_DR_EXITING |
				    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
				    CPU_BASED_MWAIT_EXITING |
				    CPU_BASED_MONITOR_EXITING |
				    CPU_BASED_INTR_WINDOW_EXITING, &pv_vmxc.proc);
	ok = ok && pv_vmx_child_ctl(MSR_IA32_VMX_PROCBASED_CTLS2,
				    MSR_IA32_VMX_PROCBASED_CTLS2,
				    SECONDARY_EXEC_ENABLE_EPT |
				    SECONDARY_EXEC_UNRESTRICTED_GUEST |
				    (pv_vmx.vpid ? SECONDARY_EXEC_ENABLE_VPID : 0),
				    SECONDARY_EXEC_WBINVD_EXITING, &pv_vmxc.proc2);
	if (!ok)
		return;
	/* Without a bitmap every RDMSR and WRMSR exits. */
	pv_vmxc.proc &= ~CPU_BASED_USE_MSR_BITMAPS;
	/* Only while an interrupt waits for the VP (pv_vmx_vp_irq_window). */
	pv_vmxc.irq_window = pv_vmxc.proc & CPU_BASED_INTR_WINDOW_EXITING;
	pv_vmxc.proc &= ~CPU_BASED_INTR_WINDOW_EXITING;
	pv_vmxc.exit = pv_vmx.exit;
	pv_vmxc.entry = pv_vmx.entry & ~VM_ENTRY_IA32E_MODE;
	/* With unrestricted guest, CR0.PE and PG are the VP's own. */
	pv_vmxc.cr0_owned = pv_vmx.cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);
	pv_vmxc.cr4_owned = pv_vmx.cr4_fixed0;
	pv_vmxc.invept_type = cap & VMX_EPT_EXTENT_CONTEXT_BIT ?
			      VMX_EPT_EXTENT_CONTEXT : VMX_EPT_EXTENT_GLOBAL;
	/*
	 * A run also ends after a slice of TSC time: Bochs 2.7 ends a run
	 * of a guest with RFLAGS.IF clear on no physical interrupt despite
	 * external-interrupt exiting, and the slice keeps signals and
	 * rescheduling timely there too.
	 */
	if ((pv_vmxc.pin & PIN_BASED_VMX_PREEMPTION_TIMER) &&
	    !rdmsrl_safe(MSR_IA32_VMX_MISC, &misc))
		pv_vmxc.slice = clamp_val(((u64)(tsc_khz ?: 1000000) *
					   PV_VMX_SLICE_MS) >>
					  (misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK),
					  1, U32_MAX);
	else
		pv_vmxc.pin &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
	pv_vmx_child_ok = true;
}

/* Whether this CPU's VT-x has every control children need. */
bool pv_vmx_children_ok(void)
{
	return pv_vmx_child_ok;
}

int pv_vmx_part_init(struct pv_partition *p)
{
	struct pv_vmx_part *xp;
	int vpid = 0, ret;

	xp = kzalloc(sizeof(*xp), GFP_KERNEL_ACCOUNT);
	if (!xp)
		return -ENOMEM;
	/* The last VPID is shared by partitions that find none free. */
	if (pv_vmx.vpid) {
		vpid = ida_alloc_range(&pv_vmx_vpids, PV_VMX_FIRST_CHILD_VPID,
				       PV_VMX_LAST_VPID - 1, GFP_KERNEL);
		if (vpid == -ENOSPC) {
			vpid = PV_VMX_LAST_VPID;
			xp->shared_vpid = true;
		} else if (vpid < 0) {
			kfree(xp);
			return vpid;
		}
	}
	ret = pv_child_mem_init(&xp->mem, &pv_npt_fmt_ept, 4);
	if (ret) {
		if (vpid && !xp->shared_vpid)
			ida_free(&pv_vmx_vpids, vpid);
		kfree(xp);
		return ret;
	}
	xp->vpid = vpid;
	xp->eptp = __pa(xp->mem.npt.root) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	p->arch = xp;
	return 0;
}

void pv_vmx_part_destroy(struct pv_partition *p)
{
	struct pv_vmx_part *xp = p->arch;

	if (!xp)
		return;
	pv_child_mem_free(&xp->mem);
	if (xp->vpid && !xp->shared_vpid)
		ida_free(&pv_vmx_vpids, xp->vpid);
	kfree(xp);
	p->arch = NULL;
}

int pv_vmx_map(struct pv_partition *p, struct pv_mem_region *r)
{
	return pv_child_mem_map(&((struct pv_vmx_part *)p->arch)->mem, r);
}

void pv_vmx_unmap(struct pv_partition *p, struct pv_mem_region *r)
{
	pv_child_mem_unmap(&((struct pv_vmx_part *)p->arch)->mem, r);
}

int pv_vmx_vp_init(struct pv_vp *vp)
{
	struct pv_vmx_part *xp = vp->part->arch;
	struct pv_vmx_vp *v;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->vmcs) {
		kfree(v);
		return -ENOMEM;
	}
	*(u32 *)v->vmcs = pv_vmx.revision;
	v->eptp = xp->eptp;
	v->vpid = xp->vpid;
	v->id = atomic64_inc_return(&pv_vmx_vp_ids);
	v->tlb.last_cpu = -1;
	v->vp = vp;
	vp->arch = v;
	return 0;
}

void pv_vmx_vp_destroy(struct pv_vp *vp)
{
	struct pv_vmx_vp *v = vp->arch;

	if (!v)
		return;
	free_page((unsigned long)v->vmcs);
	kfree(v);
	vp->arch = NULL;
}

/* The ABI packs attributes like AMD-V: bits 11:8 are VT-x's 15:12. */
static void pv_vmx_seg_in(struct pv_vmx_seg *d,
			  const struct partvisor_segment *s)
{
	d->sel = s->selector;
	d->base = s->base;
	d->limit = s->limit;
	d->ar = (s->attrib & 0xff) | (s->attrib & 0xf00) << 4;
	if (!(s->attrib & PARTVISOR_SEG_P))
		d->ar |= PV_VMX_AR_UNUSABLE;
}

static void pv_vmx_seg_out(struct partvisor_segment *d,
			   const struct pv_vmx_seg *s)
{
	d->selector = s->sel;
	d->base = s->base;
	d->limit = s->limit;
	d->attrib = (s->ar & 0xff) | (s->ar >> 4 & 0xf00);
	if (s->ar & PV_VMX_AR_UNUSABLE)
		d->attrib &= ~PARTVISOR_SEG_P;
}

/* The VP's state into the software copy host mode loads, before a run. */
void pv_vmx_vp_load(struct pv_vp *vp)
{
	const struct partvisor_vp_state *st = &vp->state;
	struct pv_vmx_vp *v = vp->arch;
	struct pv_vmx_guest *g = &v->g;
	struct pv_gprs *r = &v->regs;

	r->rax = st->rax;
	r->rbx = st->rbx;
	r->rcx = st->rcx;
	r->rdx = st->rdx;
	r->rsi = st->rsi;
	r->rdi = st->rdi;
	r->rbp = st->rbp;
	r->r8 = st->r8;
	r->r9 = st->r9;
	r->r10 = st->r10;
	r->r11 = st->r11;
	r->r12 = st->r12;
	r->r13 = st->r13;
	r->r14 = st->r14;
	r->r15 = st->r15;
	g->rsp = st->rsp;
	g->rip = st->rip;
	g->rflags = st->rflags;
	pv_vmx_seg_in(&g->seg[PV_VSEG_ES], &st->es);
	pv_vmx_seg_in(&g->seg[PV_VSEG_CS], &st->cs);
	pv_vmx_seg_in(&g->seg[PV_VSEG_SS], &st->ss);
	pv_vmx_seg_in(&g->seg[PV_VSEG_DS], &st->ds);
	pv_vmx_seg_in(&g->seg[PV_VSEG_FS], &st->fs);
	pv_vmx_seg_in(&g->seg[PV_VSEG_GS], &st->gs);
	pv_vmx_seg_in(&g->seg[PV_VSEG_LDTR], &st->ldtr);
	pv_vmx_seg_in(&g->seg[PV_VSEG_TR], &st->tr);
	g->gdtr_base = st->gdtr.base;
	g->gdtr_limit = st->gdtr.limit;
	g->idtr_base = st->idtr.base;
	g->idtr_limit = st->idtr.limit;
	/* VMX operation fixes some CR0/CR4 bits: the VP sees its own. */
	g->cr0_shadow = st->cr0;
	g->cr0 = st->cr0 | pv_vmxc.cr0_owned;
	g->cr4_shadow = st->cr4;
	g->cr4 = st->cr4 | pv_vmxc.cr4_owned;
	g->cr2 = st->cr2;
	g->cr3 = st->cr3;
	g->efer = st->efer;
	g->pat = st->pat;
	g->dr7 = st->dr7;
	g->sysenter_cs = st->sysenter_cs;
	g->sysenter_esp = st->sysenter_esp;
	g->sysenter_eip = st->sysenter_eip;
	g->star = st->star;
	g->lstar = st->lstar;
	g->cstar = st->cstar;
	g->sfmask = st->sfmask;
	g->kernel_gs_base = st->kernel_gs_base;
	/* VM entry refuses an STI shadow with IF clear (the VMM's RFLAGS). */
	if (!(st->rflags & X86_EFLAGS_IF))
		g->intr_state &= ~GUEST_INTR_STATE_STI;
}

/* ...and back, after it. */
void pv_vmx_vp_store(struct pv_vp *vp)
{
	struct partvisor_vp_state *st = &vp->state;
	struct pv_vmx_vp *v = vp->arch;
	const struct pv_vmx_guest *g = &v->g;
	const struct pv_gprs *r = &v->regs;

	st->rax = r->rax;
	st->rbx = r->rbx;
	st->rcx = r->rcx;
	st->rdx = r->rdx;
	st->rsi = r->rsi;
	st->rdi = r->rdi;
	st->rbp = r->rbp;
	st->r8 = r->r8;
	st->r9 = r->r9;
	st->r10 = r->r10;
	st->r11 = r->r11;
	st->r12 = r->r12;
	st->r13 = r->r13;
	st->r14 = r->r14;
	st->r15 = r->r15;
	st->rsp = g->rsp;
	st->rip = g->rip;
	st->rflags = g->rflags;
	pv_vmx_seg_out(&st->es, &g->seg[PV_VSEG_ES]);
	pv_vmx_seg_out(&st->cs, &g->seg[PV_VSEG_CS]);
	pv_vmx_seg_out(&st->ss, &g->seg[PV_VSEG_SS]);
	pv_vmx_seg_out(&st->ds, &g->seg[PV_VSEG_DS]);
	pv_vmx_seg_out(&st->fs, &g->seg[PV_VSEG_FS]);
	pv_vmx_seg_out(&st->gs, &g->seg[PV_VSEG_GS]);
	pv_vmx_seg_out(&st->ldtr, &g->seg[PV_VSEG_LDTR]);
	pv_vmx_seg_out(&st->tr, &g->seg[PV_VSEG_TR]);
	st->gdtr.base = g->gdtr_base;
	st->gdtr.limit = g->gdtr_limit;
	st->idtr.base = g->idtr_base;
	st->idtr.limit = g->idtr_limit;
	st->cr0 = (g->cr0 & ~pv_vmxc.cr0_owned) |
		  (g->cr0_shadow & pv_vmxc.cr0_owned);
	st->cr4 = (g->cr4 & ~pv_vmxc.cr4_owned) |
		  (g->cr4_shadow & pv_vmxc.cr4_owned);
	st->cr2 = g->cr2;
	st->cr3 = g->cr3;
	st->efer = g->efer;
	st->pat = g->pat;
	st->dr7 = g->dr7;
	st->sysenter_cs = g->sysenter_cs;
	st->sysenter_esp = g->sysenter_esp;
	st->sysenter_eip = g->sysenter_eip;
	st->star = g->star;
	st->lstar = g->lstar;
	st->cstar = g->cstar;
	st->sfmask = g->sfmask;
	st->kernel_gs_base = g->kernel_gs_base;
}

static void pv_vmx_invept(u64 type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };

	asm volatile("invept %0, %1"
		     : : "m"(desc), "r"(type) : "cc", "memory");
}

/* Host mode: the child's VMCS is current; everything from @v into it. */
static void pv_vmx_write_vmcs(struct pv_vmx_vp *v, const u64 *host)
{
	const struct pv_vmx_guest *g = &v->g;
	unsigned int i;

	pv_vmwrite(PIN_BASED_VM_EXEC_CONTROL, pv_vmxc.pin);
	pv_vmwrite(CPU_BASED_VM_EXEC_CONTROL, pv_vmxc.proc |
		   (v->irq_window ? CPU_BASED_INTR_WINDOW_EXITING : 0));
	pv_vmwrite(SECONDARY_VM_EXEC_CONTROL, pv_vmxc.proc2);
	pv_vmwrite(VM_EXIT_CONTROLS, pv_vmxc.exit);
	pv_vmwrite(VM_ENTRY_CONTROLS, pv_vmxc.entry |
		   (g->efer & EFER_LMA ? VM_ENTRY_IA32E_MODE : 0));
	pv_vmwrite(EXCEPTION_BITMAP, 0);
	pv_vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	pv_vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	pv_vmwrite(CR3_TARGET_COUNT, 0);
	pv_vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	pv_vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	pv_vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	pv_vmwrite(VM_ENTRY_INTR_INFO_FIELD, g->inj_info);
	pv_vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, g->inj_err);
	pv_vmwrite(VM_ENTRY_INSTRUCTION_LEN, g->inj_len);
	pv_vmwrite(TSC_OFFSET, 0);
	if (pv_vmxc.slice)
		pv_vmwrite(VMX_PREEMPTION_TIMER_VALUE, pv_vmxc.slice);
	pv_vmwrite(EPT_POINTER, v->eptp);
	if (pv_vmxc.proc2 & SECONDARY_EXEC_ENABLE_VPID)
		pv_vmwrite(VIRTUAL_PROCESSOR_ID, v->vpid);
	pv_vmwrite(CR0_GUEST_HOST_MASK, pv_vmxc.cr0_owned);
	pv_vmwrite(CR0_READ_SHADOW, g->cr0_shadow);
	pv_vmwrite(CR4_GUEST_HOST_MASK, pv_vmxc.cr4_owned);
	pv_vmwrite(CR4_READ_SHADOW, g->cr4_shadow);
	pv_vmwrite(VMCS_LINK_POINTER, -1ull);

	for (i = 0; i < ARRAY_SIZE(pv_vmx_host_fields); i++)
		pv_vmwrite(pv_vmx_host_fields[i], host[i]);

	for (i = 0; i < PV_VSEG_NR; i++) {
		pv_vmwrite(GUEST_ES_SELECTOR + 2 * i, g->seg[i].sel);
		pv_vmwrite(GUEST_ES_LIMIT + 2 * i, g->seg[i].limit);
		pv_vmwrite(GUEST_ES_AR_BYTES + 2 * i, g->seg[i].ar);
		pv_vmwrite(GUEST_ES_BASE + 2 * i, g->seg[i].base);
	}
	pv_vmwrite(GUEST_GDTR_BASE, g->gdtr_base);
	pv_vmwrite(GUEST_GDTR_LIMIT, g->gdtr_limit);
	pv_vmwrite(GUEST_IDTR_BASE, g->idtr_base);
	pv_vmwrite(GUEST_IDTR_LIMIT, g->idtr_limit);
	pv_vmwrite(GUEST_CR0, g->cr0);
	pv_vmwrite(GUEST_CR3, g->cr3);
	pv_vmwrite(GUEST_CR4, g->cr4);
	pv_vmwrite(GUEST_DR7, g->dr7);
	pv_vmwrite(GUEST_RSP, g->rsp);
	pv_vmwrite(GUEST_RIP, g->rip);
	pv_vmwrite(GUEST_RFLAGS, g->rflags);
	pv_vmwrite(GUEST_IA32_DEBUGCTL, 0);
	pv_vmwrite(GUEST_IA32_EFER, g->efer);
	pv_vmwrite(GUEST_IA32_PAT, g->pat);
	pv_vmwrite(GUEST_SYSENTER_CS, g->sysenter_cs);
	pv_vmwrite(GUEST_SYSENTER_ESP, g->sysenter_esp);
	pv_vmwrite(GUEST_SYSENTER_EIP, g->sysenter_eip);
	pv_vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	pv_vmwrite(GUEST_INTERRUPTIBILITY_INFO, g->intr_state);
	pv_vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, g->pending_dbg);
}

/* Host mode, after the exit: the guest state and the exit back into @v. */
static void pv_vmx_read_vmcs(struct pv_vmx_vp *v)
{
	struct pv_vmx_exit_info *x = &v->x;
	struct pv_vmx_guest *g = &v->g;
	unsigned int i;

	x->reason = pv_vmread(VM_EXIT_REASON);
	x->qual = pv_vmread(EXIT_QUALIFICATION);
	x->gpa = pv_vmread(GUEST_PHYSICAL_ADDRESS);
	x->intr_info = pv_vmread(VM_EXIT_INTR_INFO);
	x->idt_info = pv_vmread(IDT_VECTORING_INFO_FIELD);
	x->idt_err = pv_vmread(IDT_VECTORING_ERROR_CODE);
	x->insn_len = pv_vmread(VM_EXIT_INSTRUCTION_LEN);
	/* A failed entry saved nothing: the copy is still what ran. */
	if (x->reason & PV_VMX_FAILED_ENTRY)
		return;
	for (i = 0; i < PV_VSEG_NR; i++) {
		g->seg[i].sel = pv_vmread(GUEST_ES_SELECTOR + 2 * i);
		g->seg[i].limit = pv_vmread(GUEST_ES_LIMIT + 2 * i);
		g->seg[i].ar = pv_vmread(GUEST_ES_AR_BYTES + 2 * i);
		g->seg[i].base = pv_vmread(GUEST_ES_BASE + 2 * i);
	}
	g->gdtr_base = pv_vmread(GUEST_GDTR_BASE);
	g->gdtr_limit = pv_vmread(GUEST_GDTR_LIMIT);
	g->idtr_base = pv_vmread(GUEST_IDTR_BASE);
	g->idtr_limit = pv_vmread(GUEST_IDTR_LIMIT);
	g->cr0 = pv_vmread(GUEST_CR0);
	g->cr3 = pv_vmread(GUEST_CR3);
	g->cr4 = pv_vmread(GUEST_CR4);
	g->dr7 = pv_vmread(GUEST_DR7);
	g->rsp = pv_vmread(GUEST_RSP);
	g->rip = pv_vmread(GUEST_RIP);
	g->rflags = pv_vmread(GUEST_RFLAGS);
	g->efer = pv_vmread(GUEST_IA32_EFER);
	g->pat = pv_vmread(GUEST_IA32_PAT);
	g->sysenter_cs = pv_vmread(GUEST_SYSENTER_CS);
	g->sysenter_esp = pv_vmread(GUEST_SYSENTER_ESP);
	g->sysenter_eip = pv_vmread(GUEST_SYSENTER_EIP);
	g->intr_state = pv_vmread(GUEST_INTERRUPTIBILITY_INFO);
	g->pending_dbg = pv_vmread(GUEST_PENDING_DBG_EXCEPTIONS);
	/* The event was delivered, or is in the IDT-vectoring field now. */
	g->inj_info = 0;
}

/*
 * Host mode, on the VMM thread's LP, with the root's VMCS current: run the
 * staged VP until its first exit, then make the root's VMCS current
 * again. No allocation, no locks, no faults; an NMI may come at any
 * point and runs Linux's handler, which does not touch a VMCS.
 */
u64 pv_vmx_dispatch(struct pv_lp *lp, u64 root_vmcs_pa)
{
	struct pv_vmx_vp *v = lp->dispatch;
	u64 host[ARRAY_SIZE(pv_vmx_host_fields)];
	unsigned long host_dr[4], host_dr6;
	u64 vmcs_pa, cr2;
	unsigned int i;
	bool dr;
	int ret;

	if (!v)
		return HV_STATUS_INVALID_PARTITION_STATE;
	for (i = 0; i < ARRAY_SIZE(pv_vmx_host_fields); i++)
		host[i] = pv_vmread(pv_vmx_host_fields[i]);

	vmcs_pa = __pa(v->vmcs);
	if (!pv_vmclear(vmcs_pa) || !pv_vmptrld(vmcs_pa)) {
		pv_vmptrld(root_vmcs_pa);
		return HV_STATUS_INVALID_PARTITION_STATE;
	}
	if (v->flush)
		pv_vmx_invept(pv_vmxc.invept_type, v->eptp);
	pv_vmx_write_vmcs(v, host);

	/* CR2 is not part of the VMCS: the VP's in the register meanwhile. */
	cr2 = native_read_cr2();
	native_write_cr2(v->g.cr2);
	/* DR6 is the VP's while it runs; the root's comes back. */
	host_dr6 = native_get_debugreg(6);
	if (host_dr6 != v->vp->dr6)
		native_set_debugreg(6, v->vp->dr6);
	dr = pv_dr_guest_enter(v->vp, v->g.dr7, host_dr);
	pv_fpu_xcr0_enter(v->vp, v->g.cr4);
	pv_spec_guest_enter(lp, v->vp, true);
	ret = pv_vmx_run(&v->regs, 0);
	pv_spec_guest_exit(lp, v->vp);
	if (!ret)
		pv_stat_add(&lp->stats.world_switches, 1);
	if (dr)
		pv_dr_guest_exit(host_dr);
	v->vp->dr6 = native_get_debugreg(6);
	if (v->vp->dr6 != host_dr6)
		native_set_debugreg(6, host_dr6);
	if (ret) {
		v->x.reason = PV_VMX_EXIT_VMFAIL;
		v->x.insn_error = pv_vmread(VM_INSTRUCTION_ERROR);
	} else {
		v->g.cr2 = native_read_cr2();
		pv_vmx_read_vmcs(v);
	}
	pv_fpu_xcr0_exit(v->vp);
	native_write_cr2(cr2);

	/* Never active anywhere while the root runs. */
	pv_vmclear(vmcs_pa);
	pv_vmptrld(root_vmcs_pa);
	return HV_STATUS_SUCCESS;
}

static bool pv_vmx_exit_was_nmi(const struct pv_vmx_exit_info *x)
{
	return x->reason == EXIT_REASON_EXCEPTION_NMI &&
	       (x->intr_info & INTR_INFO_VALID_MASK) &&
	       (x->intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR;
}

static const u32 pv_vmx_syscall_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

/* Root side: one dispatch with interrupts off, on whatever LP we are. */
int pv_vmx_vp_dispatch(struct pv_vp *vp)
{
	struct pv_vmx_part *xp = vp->part->arch;
	struct pv_vmx_vp *v = vp->arch;
	u64 result, host[ARRAY_SIZE(pv_vmx_syscall_msrs)];
	u64 *mine[ARRAY_SIZE(pv_vmx_syscall_msrs)] = {
		&v->g.star, &v->g.lstar, &v->g.sfmask, &v->g.kernel_gs_base,
	};
	unsigned int i;
	bool flush;

	/* The VP's FPU state is the thread's for the whole RUN (run.c). */
	if (!pv_child_mem_enter(&xp->mem, vp, &v->tlb, xp->shared_vpid, &flush))
		return -EAGAIN;
	/*
	 * Translations of this EPT on another LP, from before an unmap, of
	 * another VP or of a freed partition whose EPT root page this one
	 * reuses: INVEPT first.
	 */
	v->flush = flush || this_cpu_read(pv_vmx_last_vp) != v->id;
	this_cpu_write(pv_vmx_last_vp, v->id);
	/*
	 * VT-x switches none of the SYSCALL MSRs: the VP's go in by hand,
	 * with interrupts off. Only SWAPGS changes one without an exit.
	 * CSTAR stays in software: Intel CPUs never use it.
	 */
	for (i = 0; i < ARRAY_SIZE(host); i++) {
		rdmsrl(pv_vmx_syscall_msrs[i], host[i]);
		wrmsrl(pv_vmx_syscall_msrs[i], *mine[i]);
	}
	result = pv_hypercall_dispatch(v);
	rdmsrl(MSR_KERNEL_GS_BASE, v->g.kernel_gs_base);
	for (i = 0; i < ARRAY_SIZE(host); i++)
		wrmsrl(pv_vmx_syscall_msrs[i], host[i]);
	/* The exit swallowed an NMI: Linux's handler must still see one. */
	if (!(result & HV_HC_RESULT_STATUS_MASK) && pv_vmx_exit_was_nmi(&v->x))
		apic->send_IPI_mask(cpumask_of(smp_processor_id()), NMI_VECTOR);
	pv_child_mem_leave(&xp->mem, vp);
	return result & HV_HC_RESULT_STATUS_MASK ? -EIO : 0;
}

static void pv_vmx_child_inject(struct pv_vmx_vp *v, unsigned int vector,
				bool error_code)
{
	/* Real mode has no error codes; VM entry refuses one there. */
	if (!(v->g.cr0 & X86_CR0_PE))
		error_code = false;
	v->g.inj_info = INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION |
			vector | (error_code ? INTR_INFO_DELIVER_CODE_MASK : 0);
	v->g.inj_err = 0;
	v->g.inj_len = 0;
}

/* Past the instruction; STI/MOV SS shadows end with it. */
static void pv_vmx_child_skip(struct pv_vmx_vp *v, u64 next_rip)
{
	v->g.rip = next_rip;
	v->g.intr_state &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

/* A GPR by its number in an exit qualification. */
static u64 *pv_vmx_child_gpr(struct pv_vmx_vp *v, unsigned int n)
{
	struct pv_gprs *r = &v->regs;
	u64 *gprs[PV_NR_REGS] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, &v->g.rsp, &r->rbp,
		&r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12,
		&r->r13, &r->r14, &r->r15,
	};

	return gprs[n % PV_NR_REGS];
}

/*
 * MOV to CR0/CR4 that changes a bit VT-x fixes (CR0.NE, CR4.VMXE) in the
 * VP's view, and MOV to/from CR3 where the CPU forces those exits: done
 * here as the CPU would, with #GP where it would raise one. False: not
 * one of those.
 */
static bool pv_vmx_child_cr(struct pv_vmx_vp *v, u64 q)
{
	unsigned int cr = q & 15, type = (q >> 4) & 3;
	u64 *gpr = pv_vmx_child_gpr(v, q >> 8);
	struct pv_vmx_guest *g = &v->g;
	u64 val = *gpr;

	if (type == 1 && cr == 3) {
		*gpr = g->cr3;
	} else if (type != 0) {
		return false;
	} else if (cr == 3) {
		g->cr3 = val;
	} else if (cr == 0) {
		if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
		    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
		    ((val & X86_CR0_PG) && !(g->cr0 & X86_CR0_PG) &&
		     (g->efer & EFER_LME) && !(g->cr4 & X86_CR4_PAE)))
			goto gp;
		/* Paging on or off with LME: IA-32e mode follows. */
		if ((val & X86_CR0_PG) && (g->efer & EFER_LME))
			g->efer |= EFER_LMA;
		else if (!(val & X86_CR0_PG))
			g->efer &= ~EFER_LMA;
		g->cr0_shadow = val;
		g->cr0 = val | pv_vmxc.cr0_owned;
	} else if (cr == 4) {
		/* No VMX for children; nothing VMX operation forbids. */
		if ((val & X86_CR4_VMXE) || (val & ~pv_vmx.cr4_fixed1))
			goto gp;
		g->cr4_shadow = val;
		g->cr4 = val | pv_vmxc.cr4_owned;
	} else {
		return false;
	}
	pv_vmx_child_skip(v, g->rip + v->x.insn_len);
	return true;
gp:
	pv_vmx_child_inject(v, X86_TRAP_GP, true);
	return true;
}

/*
 * Decode the last exit into what the vendor-neutral run loop handles.
 * Runs in process context after the dispatch returned.
 */
void pv_vmx_vp_exit(struct pv_vp *vp, struct pv_exit *e)
{
	struct pv_vmx_vp *v = vp->arch;
	struct pv_vmx_exit_info *x = &v->x;
	struct pv_vmx_guest *g = &v->g;
	u64 q = x->qual;

	memset(e, 0, sizeof(*e));
	e->vendor_code = x->reason;
	e->info[0] = q;
	e->info[1] = x->gpa;
	e->rip = g->rip;
	if (x->reason == PV_VMX_EXIT_VMFAIL) {
		e->vendor_code = x->insn_error;
		e->kind = PV_EXIT_INVALID_STATE;
		return;
	}
	if (x->reason & PV_VMX_FAILED_ENTRY) {
		e->kind = PV_EXIT_INVALID_STATE;
		return;
	}
	/* An event cut short by the exit is delivered again on the next run. */
	if (x->idt_info & VECTORING_INFO_VALID_MASK) {
		g->inj_info = x->idt_info & ~INTR_INFO_RESVD_BITS_MASK;
		g->inj_err = x->idt_err;
		g->inj_len = x->insn_len;
	} else if ((x->reason == EXIT_REASON_EPT_VIOLATION &&
		    (q & PV_EPT_QUAL_NMI_UNBLOCK)) ||
		   (x->reason == EXIT_REASON_EXCEPTION_NMI &&
		    (x->intr_info & INTR_INFO_UNBLOCK_NMI))) {
		/* The IRET that unblocked NMIs did not complete. */
		g->intr_state |= GUEST_INTR_STATE_NMI;
	}
	e->insn_len = x->insn_len;
	switch (x->reason) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_SIPI_SIGNAL:
		e->kind = PV_EXIT_INTERRUPTED;
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		e->kind = pv_vmx_exit_was_nmi(x) ? PV_EXIT_INTERRUPTED :
						   PV_EXIT_UNSUPPORTED;
		break;
	case EXIT_REASON_CPUID:
		e->kind = PV_EXIT_CPUID;
		break;
	case EXIT_REASON_HLT:
		e->kind = PV_EXIT_HLT;
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
		e->kind = PV_EXIT_IRQ_WINDOW;
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		e->kind = PV_EXIT_IO;
		e->io.port = q >> 16;
		e->io.size = (q & 7) + 1;
		e->io.in = q & PV_IO_QUAL_IN;
		e->io.string = q & PV_IO_QUAL_STRING;
		e->io.rep = q & PV_IO_QUAL_REP;
		e->next_rip = g->rip + x->insn_len;
		break;
	case EXIT_REASON_MSR_READ:
		e->kind = PV_EXIT_MSR_READ;
		break;
	case EXIT_REASON_MSR_WRITE:
		e->kind = PV_EXIT_MSR_WRITE;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		e->kind = PV_EXIT_MEMORY;
		e->mem.gpa = x->gpa;
		e->mem.write = q & PV_EPT_QUAL_WRITE;
		e->mem.fetch = q & PV_EPT_QUAL_FETCH;
		e->mem.by_cpu = ((q & PV_EPT_QUAL_GLA_VALID) &&
				 !(q & PV_EPT_QUAL_GLA_FINAL)) ||
				(x->idt_info & VECTORING_INFO_VALID_MASK);
		break;
	case EXIT_REASON_EPT_MISCONFIG:
		e->kind = PV_EXIT_MEMORY;
		e->mem.gpa = x->gpa;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		e->kind = PV_EXIT_SHUTDOWN;
		break;
	case EXIT_REASON_VMCALL:
		e->kind = PV_EXIT_HYPERCALL;
		break;
	case EXIT_REASON_WBINVD:		/* WBNOINVD too */
	case EXIT_REASON_INVD:
		e->kind = PV_EXIT_NOP;
		break;
	case EXIT_REASON_RDPMC:
		e->kind = PV_EXIT_GP;
		break;
	case EXIT_REASON_DR_ACCESS:
		e->kind = PV_EXIT_DR;
		e->dr.num = q & PV_DR_QUAL_NUM;
		e->dr.write = !(q & PV_DR_QUAL_FROM);
		e->dr.gpr = (q >> PV_DR_QUAL_GPR_SHIFT) & 0xf;
		e->dr.wide = (g->efer & EFER_LMA) &&
			     (g->seg[PV_VSEG_CS].ar & PV_VMX_AR_L);
		break;
	case EXIT_REASON_XSETBV:
		/* The run loop's XSETBV needs the host's XSAVE. */
		e->kind = cpu_feature_enabled(X86_FEATURE_OSXSAVE) ?
			  PV_EXIT_XSETBV : PV_EXIT_UD;
		break;
	case EXIT_REASON_CR_ACCESS:
		e->kind = pv_vmx_child_cr(v, q) ? PV_EXIT_INTERRUPTED :
						  PV_EXIT_UNSUPPORTED;
		break;
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
		e->kind = PV_EXIT_UD;
		break;
	default:
		e->kind = PV_EXIT_UNSUPPORTED;
		break;
	}
}

/* What pv_vmx_vp_exit asked the run loop to do with the VP. */
void pv_vmx_vp_resume(struct pv_vp *vp, const struct pv_exit *e,
		      enum pv_resume how)
{
	struct pv_vmx_vp *v = vp->arch;

	switch (how) {
	case PV_RESUME_RETRY:
		break;
	case PV_RESUME_SKIP:
		pv_vmx_child_skip(v, e->kind == PV_EXIT_IO ? e->next_rip :
				  v->g.rip + e->insn_len);
		break;
	case PV_RESUME_UD:
		pv_vmx_child_inject(v, X86_TRAP_UD, false);
		break;
	case PV_RESUME_GP:
		pv_vmx_child_inject(v, X86_TRAP_GP, true);
		break;
	case PV_RESUME_PF:
		pv_vmx_child_inject(v, X86_TRAP_PF, true);
		v->g.inj_err = e->pf.code;
		v->g.cr2 = e->pf.addr;
		break;
	}
}

u64 *pv_vmx_vp_gpr(struct pv_vp *vp, enum pv_reg reg)
{
	return pv_vmx_child_gpr(vp->arch, reg);
}

unsigned int pv_vmx_vp_cpl(struct pv_vp *vp)
{
	struct pv_vmx_vp *v = vp->arch;

	return (v->g.seg[PV_VSEG_SS].ar >> 5) & 3;
}

/*
 * Interrupts for the VP: VM-entry interruption information delivers one;
 * interrupt-window exiting gives the exit when the VP could take one.
 * Where the CPU lacks that control, the preemption-timer slice ends runs
 * often enough for the run loop to look again.
 */
bool pv_vmx_vp_irq_ready(struct pv_vp *vp)
{
	const struct pv_vmx_guest *g = &((struct pv_vmx_vp *)vp->arch)->g;

	return (g->rflags & X86_EFLAGS_IF) &&
	       !(g->intr_state & (GUEST_INTR_STATE_STI |
				  GUEST_INTR_STATE_MOV_SS)) &&
	       !(g->inj_info & INTR_INFO_VALID_MASK);
}

void pv_vmx_vp_irq_inject(struct pv_vp *vp, u8 vector)
{
	struct pv_vmx_guest *g = &((struct pv_vmx_vp *)vp->arch)->g;

	g->inj_info = INTR_INFO_VALID_MASK | INTR_TYPE_EXT_INTR | vector;
	g->inj_err = 0;
	g->inj_len = 0;
}

void pv_vmx_vp_irq_window(struct pv_vp *vp, bool on)
{
	((struct pv_vmx_vp *)vp->arch)->irq_window = on && pv_vmxc.irq_window;
}
