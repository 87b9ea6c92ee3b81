// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V child partitions: a nested page table and an ASID per partition,
 * a VMCB per VP, and running a VP from host mode.
 *
 * The root's VMM thread stages its VP on its LP and issues the DISPATCH
 * hypercall with interrupts off; host mode runs the VP and decodes each
 * exit. CPUID, rejected hypercalls and #UD instructions are handled there
 * and the VP entered again (module/host_exit.c); at any other exit host
 * mode returns to the root, which decides about it in process context
 * (module/run.c). A physical interrupt always ends the run (INTR is
 * intercepted, V_INTR_MASKING keeps the child's IF away from the host's),
 * and the root takes it as soon as it enables interrupts again.
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/svm.h>
#include <asm/trap_pf.h>
#include <asm/traps.h>

#include "../partvisor.h"
#include "../partition.h"
#include "../npt.h"
#include "../emulate.h"
#include "../spec.h"
#include "../debugreg.h"
#include "../fpu.h"
#include "../hcall/hcall.h"
#include "insn_len.h"
#include "svm.h"
#include "../trace.h"

#define PV_SVM_CHILD_IOPM_ORDER		2	/* 12 KiB used */
#define PV_SVM_CHILD_MSRPM_ORDER	1	/* 8 KiB */
#define PV_SVM_FIRST_CHILD_ASID		2	/* 1 is the root's */
#define PV_NPF_GUEST_PAGE		BIT_ULL(33)	/* NPF in the guest's walk */

struct pv_svm_part {
	struct pv_child_mem mem;	/* nested page table, run lock */
	u32 asid;
	bool shared_asid;	/* ran out: flush on every run */
};

struct pv_svm_vp {
	struct vmcb *vmcb;
	struct pv_gprs regs;
	struct pv_tlb_track tlb;
	struct pv_vp *vp;
	struct pv_exit exit;	/* the last, decoded in host mode */
};

/* Every port and every MSR exits for children. */
static void *pv_child_iopm;
static void *pv_child_msrpm;
static DEFINE_IDA(pv_svm_asids);

int pv_svm_child_setup(void)
{
	pv_child_iopm = (void *)__get_free_pages(GFP_KERNEL,
						 PV_SVM_CHILD_IOPM_ORDER);
	pv_child_msrpm = (void *)__get_free_pages(GFP_KERNEL,
						  PV_SVM_CHILD_MSRPM_ORDER);
	if (!pv_child_iopm || !pv_child_msrpm) {
		pv_svm_child_teardown();
		return -ENOMEM;
	}
	memset(pv_child_iopm, 0xff, PAGE_SIZE << PV_SVM_CHILD_IOPM_ORDER);
	memset(pv_child_msrpm, 0xff, PAGE_SIZE << PV_SVM_CHILD_MSRPM_ORDER);
	return 0;
}

void pv_svm_child_teardown(void)
{
	free_pages((unsigned long)pv_child_iopm, PV_SVM_CHILD_IOPM_ORDER);
	free_pages((unsigned long)pv_child_msrpm, PV_SVM_CHILD_MSRPM_ORDER);
	pv_child_iopm = NULL;
	pv_child_msrpm = NULL;
}

int pv_svm_part_init(struct pv_partition *p)
{
	struct pv_svm_part *sp;
	int asid, ret;

	/* The last ASID is shared by partitions that find none free. */
	if (pv_caps.nr_tlb_tags <= PV_SVM_FIRST_CHILD_ASID + 1)
		return -ENOSPC;
	sp = kzalloc(sizeof(*sp), GFP_KERNEL_ACCOUNT);
	if (!sp)
		return -ENOMEM;
	asid = ida_alloc_range(&pv_svm_asids, PV_SVM_FIRST_CHILD_ASID,
			       pv_caps.nr_tlb_tags - 2, GFP_KERNEL);
	if (asid == -ENOSPC) {
		asid = pv_caps.nr_tlb_tags - 1;
		sp->shared_asid = true;
	} else if (asid < 0) {
		kfree(sp);
		return asid;
	}
	/* The nested walk has as many levels as the host's paging. */
	ret = pv_child_mem_init(&sp->mem, &pv_npt_fmt_amd,
				__read_cr4() & X86_CR4_LA57 ? 5 : 4);
	if (ret) {
		if (!sp->shared_asid)
			ida_free(&pv_svm_asids, asid);
		kfree(sp);
		return ret;
	}
	sp->asid = asid;
	p->arch = sp;
	return 0;
}

void pv_svm_part_destroy(struct pv_partition *p)
{
	struct pv_svm_part *sp = p->arch;

	if (!sp)
		return;
	pv_child_mem_free(&sp->mem);
	if (!sp->shared_asid)
		ida_free(&pv_svm_asids, sp->asid);
	kfree(sp);
	p->arch = NULL;
}

int pv_svm_map(struct pv_partition *p, struct pv_mem_region *r)
{
	return pv_child_mem_map(&((struct pv_svm_part *)p->arch)->mem, r);
}

void pv_svm_unmap(struct pv_partition *p, struct pv_mem_region *r)
{
	pv_child_mem_unmap(&((struct pv_svm_part *)p->arch)->mem, r);
}

static void pv_svm_child_intercepts(struct vmcb *vmcb)
{
	static const unsigned int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
		INTERCEPT_CPUID, INTERCEPT_HLT, INTERCEPT_INVD,
		INTERCEPT_WBINVD, INTERCEPT_RDPMC,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
		INTERCEPT_TASK_SWITCH, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
		INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI,
		INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_INVLPGA,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
		INTERCEPT_XSETBV, INTERCEPT_RSM,
		/*
		 * DR0-3 are the root's while a child runs: the VP's own are
		 * emulated, and a DR7 write says when they must be loaded.
		 */
		INTERCEPT_DR0_READ, INTERCEPT_DR1_READ, INTERCEPT_DR2_READ,
		INTERCEPT_DR3_READ, INTERCEPT_DR0_WRITE, INTERCEPT_DR1_WRITE,
		INTERCEPT_DR2_WRITE, INTERCEPT_DR3_WRITE, INTERCEPT_DR7_WRITE,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		vmcb->control.intercepts[intercepts[i] / 32] |=
			BIT(intercepts[i] % 32);
}

int pv_svm_vp_init(struct pv_vp *vp)
{
	struct pv_svm_part *sp = vp->part->arch;
	struct pv_svm_vp *v;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->vmcb = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->vmcb) {
		kfree(v);
		return -ENOMEM;
	}
	pv_svm_child_intercepts(v->vmcb);
	v->vmcb->control.iopm_base_pa = __pa(pv_child_iopm);
	v->vmcb->control.msrpm_base_pa = __pa(pv_child_msrpm);
	v->vmcb->control.asid = sp->asid;
	v->vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	v->vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	v->vmcb->control.nested_cr3 = __pa(sp->mem.npt.root);
	v->tlb.last_cpu = -1;
	v->vp = vp;
	vp->arch = v;
	return 0;
}

void pv_svm_vp_destroy(struct pv_vp *vp)
{
	struct pv_svm_vp *v = vp->arch;

	if (!v)
		return;
	free_page((unsigned long)v->vmcb);
	kfree(v);
	vp->arch = NULL;
}

static void pv_svm_seg_in(struct vmcb_seg *d, const struct partvisor_segment *s)
{
	d->selector = s->selector;
	d->attrib = s->attrib;
	d->limit = s->limit;
	d->base = s->base;
}

static void pv_svm_seg_out(struct partvisor_segment *d, const struct vmcb_seg *s)
{
	d->selector = s->selector;
	d->attrib = s->attrib;
	d->limit = s->limit;
	d->base = s->base;
}

#define PV_SVM_CR0_TLB	(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE)
#define PV_SVM_CR4_TLB	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | \
			 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP | \
			 X86_CR4_PKE | X86_CR4_LA57)

/*
 * EFER.LME in the VMCB only with paging on, and CR0 writes performed by
 * partvisor while the VP has LME (module/cr0.c). QEMU's #VMEXIT loads
 * the host's CR0 while the guest's CR4 and EFER are still in place, and
 * it declines to turn paging on while that EFER has LME and that CR4
 * has no PAE: host mode then ran on with the child's CR0, paging off,
 * and its LP was lost (a child in real mode with LME set, as every
 * 64-bit boot has for a moment, was enough). Without paging LME does
 * nothing, so the VMCB leaves it out; the intercepted CR0 write that
 * turns paging on or off moves it between the VMCB and the VP's state.
 */
static void pv_svm_lme(struct vmcb *vmcb, bool lme)
{
	u32 *cr = &vmcb->control.intercepts[INTERCEPT_CR0_WRITE / 32];

	if (lme)
		*cr |= BIT(INTERCEPT_CR0_WRITE % 32);
	else
		*cr &= ~BIT(INTERCEPT_CR0_WRITE % 32);
}

/* The VP's own EFER.LME: exactly while its CR0 writes are intercepted. */
static bool pv_svm_lme_of(const struct vmcb *vmcb)
{
	return vmcb->control.intercepts[INTERCEPT_CR0_WRITE / 32] &
	       BIT(INTERCEPT_CR0_WRITE % 32);
}

/* The VP's state into its VMCB, before a run. */
void pv_svm_vp_load(struct pv_vp *vp)
{
	const struct partvisor_vp_state *st = &vp->state;
	struct pv_svm_vp *v = vp->arch;
	struct vmcb_save_area *sa = &v->vmcb->save;
	struct pv_gprs *r = &v->regs;

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
	sa->rax = st->rax;
	sa->rsp = st->rsp;
	sa->rip = st->rip;
	sa->rflags = st->rflags;
	pv_svm_seg_in(&sa->cs, &st->cs);
	pv_svm_seg_in(&sa->ds, &st->ds);
	pv_svm_seg_in(&sa->es, &st->es);
	pv_svm_seg_in(&sa->fs, &st->fs);
	pv_svm_seg_in(&sa->gs, &st->gs);
	pv_svm_seg_in(&sa->ss, &st->ss);
	pv_svm_seg_in(&sa->tr, &st->tr);
	pv_svm_seg_in(&sa->ldtr, &st->ldtr);
	sa->gdtr.base = st->gdtr.base;
	sa->gdtr.limit = st->gdtr.limit;
	sa->idtr.base = st->idtr.base;
	sa->idtr.limit = st->idtr.limit;
	/* Paging the CPU did not change itself: the VP's TLB entries go. */
	if (((sa->cr0 ^ st->cr0) & PV_SVM_CR0_TLB) || sa->cr3 != st->cr3 ||
	    ((sa->cr4 ^ st->cr4) & PV_SVM_CR4_TLB))
		v->tlb.last_cpu = -1;
	sa->cr0 = st->cr0;
	sa->cr2 = st->cr2;
	sa->cr3 = st->cr3;
	sa->cr4 = st->cr4;
	/*
	 * VMRUN requires SVME in the guest's EFER; the VP never sees it.
	 * LME goes in only with paging on; pv_svm_lme() says why.
	 */
	sa->efer = st->efer | EFER_SVME;
	if (!(st->cr0 & X86_CR0_PG))
		sa->efer &= ~EFER_LME;
	pv_svm_lme(v->vmcb, st->efer & EFER_LME);
	sa->dr7 = st->dr7;
	sa->dr6 = vp->dr6;
	sa->g_pat = st->pat;
	/* VMLOAD/VMSAVE around the VP's VMRUN switch these. */
	sa->star = st->star;
	sa->lstar = st->lstar;
	sa->cstar = st->cstar;
	sa->sfmask = st->sfmask;
	sa->kernel_gs_base = st->kernel_gs_base;
	sa->sysenter_cs = st->sysenter_cs;
	sa->sysenter_esp = st->sysenter_esp;
	sa->sysenter_eip = st->sysenter_eip;
	sa->cpl = st->cr0 & X86_CR0_PE ?
		  (st->ss.attrib >> PARTVISOR_SEG_DPL_SHIFT) & 3 : 0;
	/*
	 * V_INTR_MASKING is set again, never just kept: QEMU's refusal of a
	 * VMRUN writes back an int_ctl without it, and then the child's IF
	 * would decide whether a physical interrupt ends its run.
	 */
	v->vmcb->control.int_ctl = (v->vmcb->control.int_ctl & ~V_TPR_MASK) |
				   V_INTR_MASKING_MASK |
				   (st->cr8 & V_TPR_MASK);
}

/* ...and back, after it. */
void pv_svm_vp_store(struct pv_vp *vp)
{
	struct partvisor_vp_state *st = &vp->state;
	struct pv_svm_vp *v = vp->arch;
	const struct vmcb_save_area *sa = &v->vmcb->save;
	const struct pv_gprs *r = &v->regs;

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
	st->rax = sa->rax;
	st->rsp = sa->rsp;
	st->rip = sa->rip;
	st->rflags = sa->rflags;
	pv_svm_seg_out(&st->cs, &sa->cs);
	pv_svm_seg_out(&st->ds, &sa->ds);
	pv_svm_seg_out(&st->es, &sa->es);
	pv_svm_seg_out(&st->fs, &sa->fs);
	pv_svm_seg_out(&st->gs, &sa->gs);
	pv_svm_seg_out(&st->ss, &sa->ss);
	pv_svm_seg_out(&st->tr, &sa->tr);
	pv_svm_seg_out(&st->ldtr, &sa->ldtr);
	st->gdtr.base = sa->gdtr.base;
	st->gdtr.limit = sa->gdtr.limit;
	st->idtr.base = sa->idtr.base;
	st->idtr.limit = sa->idtr.limit;
	st->cr0 = sa->cr0;
	st->cr2 = sa->cr2;
	st->cr3 = sa->cr3;
	st->cr4 = sa->cr4;
	/*
	 * LME is the VP's own, which the VMCB holds only with paging on
	 * (pv_svm_lme()). LMA is LME with paging, whatever the exit left:
	 * Bochs's AMD-V changes it before it checks the CR0 write intercept.
	 */
	st->efer = sa->efer & ~(EFER_SVME | EFER_LME | EFER_LMA);
	if (pv_svm_lme_of(v->vmcb))
		st->efer |= EFER_LME;
	if ((st->efer & EFER_LME) && (sa->cr0 & X86_CR0_PG))
		st->efer |= EFER_LMA;
	st->dr7 = sa->dr7;
	vp->dr6 = sa->dr6;
	st->pat = sa->g_pat;
	st->star = sa->star;
	st->lstar = sa->lstar;
	st->cstar = sa->cstar;
	st->sfmask = sa->sfmask;
	st->kernel_gs_base = sa->kernel_gs_base;
	/*
	 * Not the SYSENTER MSRs: only an intercepted WRMSR changes them, and
	 * AMD CPUs may hold only the low 32 bits of ESP and EIP, which VMSAVE
	 * would then give back.
	 */
	st->cr8 = v->vmcb->control.int_ctl & V_TPR_MASK;
}

/* Root side: one dispatch with interrupts off, on whatever LP we are. */
int pv_svm_vp_dispatch(struct pv_vp *vp)
{
	struct pv_svm_part *sp = vp->part->arch;
	struct pv_svm_vp *v = vp->arch;
	bool aux = boot_cpu_has(X86_FEATURE_RDTSCP) ||
		   boot_cpu_has(X86_FEATURE_RDPID);
	u64 result, host_aux = 0;
	bool flush;

	if (!pv_child_mem_enter(&sp->mem, vp, &v->tlb, sp->shared_asid, &flush))
		return -EAGAIN;
	if (flush)
		v->vmcb->control.tlb_ctl =
			pv_caps.features & PARTVISOR_FEAT_FLUSH_BY_ASID ?
			TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL_ASID;
	/*
	 * RDTSCP and RDPID read TSC_AUX without an exit: the VP's, not
	 * the host CPU's number, while it runs. WRMSR always exits, so the
	 * value never needs reading back.
	 */
	if (aux) {
		rdmsrl(MSR_TSC_AUX, host_aux);
		aux = host_aux != vp->tsc_aux;
		if (aux)
			wrmsrl(MSR_TSC_AUX, vp->tsc_aux);
	}
	result = pv_hypercall_dispatch(v);
	if (aux)
		wrmsrl(MSR_TSC_AUX, host_aux);
	pv_child_mem_leave(&sp->mem, vp);
	return result & HV_HC_RESULT_STATUS_MASK ? -EIO : 0;
}

/*
 * Past an instruction of known length, or to the next RIP if NRIPS. An
 * STI or MOV SS shadow ends with the instruction.
 */
static void pv_svm_child_skip(struct vmcb *vmcb, unsigned int len)
{
	if (pv_caps.features & PARTVISOR_FEAT_NRIPS)
		vmcb->save.rip = vmcb->control.next_rip;
	else
		vmcb->save.rip += len;
	vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/* The bytes at the VP's RIP, from its own memory: their count, or <= 0. */
static int pv_svm_child_fetch(struct pv_vp *vp, u8 *buf, bool *code64)
{
	struct pv_gpa_reader rd = {
		.read = pv_child_mem_read,
		.ctx = &((struct pv_svm_part *)vp->part->arch)->mem,
	};

	return pv_emul_fetch_insn(vp, &rd, buf, code64);
}

/*
 * Without NRIPS: the length of the intercepted instruction with its
 * prefixes, from its bytes; the plain opcode's when they cannot be read
 * or are not that instruction.
 */
static unsigned int pv_svm_child_len(struct pv_vp *vp, enum pv_svm_insn insn)
{
	u8 buf[PV_INSN_MAX];
	bool code64;
	int n, len = -EINVAL;

	if (pv_caps.features & PARTVISOR_FEAT_NRIPS)
		return pv_svm_insn_min_len(insn);
	n = pv_svm_child_fetch(vp, buf, &code64);
	if (n > 0)
		len = pv_svm_insn_len(buf, n, code64, insn);
	return len > 0 ? len : pv_svm_insn_min_len(insn);
}

/*
 * An interrupt exit between STI and HLT, the way every guest waits for an
 * interrupt. The VMCB's interrupt shadow says the HLT must run before any
 * interrupt, but QEMU's AMD-V (7.2, TCG) ignores it on VMRUN: the
 * interrupt the run loop injects next arrived before the HLT, and the
 * guest then halted with its wake-up spent (the lost timer wake-ups of
 * the demo guest). Such an exit is completed as the HLT exit it turns
 * into on hardware one instruction later: past the HLT, halted until an
 * interrupt, which then arrives after it.
 */
static void pv_svm_shadowed_hlt(struct pv_vp *vp, struct pv_exit *e)
{
	const struct vmcb *vmcb = ((struct pv_svm_vp *)vp->arch)->vmcb;
	u8 buf[PV_INSN_MAX];
	bool code64;

	if (!(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK) ||
	    !(vmcb->save.rflags & X86_EFLAGS_IF))
		return;
	if (pv_svm_child_fetch(vp, buf, &code64) < 1 || buf[0] != 0xf4)
		return;
	e->kind = PV_EXIT_HLT;
	e->next_rip = e->rip + 1;
}

/*
 * MOV to or from DR0-3, or to DR7 (the debug registers intercepted):
 * which GPR, from EXITINFO1 with decode assists, else from the bytes.
 * Bytes that are not a MOV DR (changed under the CPU) are run again.
 */
static void pv_svm_dr_decode(struct pv_vp *vp, struct pv_exit *e,
			     unsigned int code)
{
	const struct vmcb *vmcb = ((struct pv_svm_vp *)vp->arch)->vmcb;
	bool write = code >= SVM_EXIT_WRITE_DR0;
	u8 buf[PV_INSN_MAX], gpr = 0;
	bool code64;
	int n, len = -EINVAL;

	n = pv_svm_child_fetch(vp, buf, &code64);
	if (n > 0)
		len = pv_svm_mov_dr_len(buf, n, code64, write, &gpr);
	if (pv_caps.features & PARTVISOR_FEAT_DECODE_ASSISTS)
		gpr = vmcb->control.exit_info_1 & 0xf;
	else if (len < 0)
		return;		/* PV_EXIT_INTERRUPTED: retried */
	e->kind = PV_EXIT_DR;
	e->dr.num = (code - SVM_EXIT_READ_DR0) & 0xf;
	e->dr.gpr = gpr;
	e->dr.write = write;
	e->dr.wide = code64;
	e->insn_len = len > 0 ? len : 3;
}

/*
 * A CR0 write (intercepted while the VP has EFER.LME): which instruction
 * and register, from the bytes. LMSW from memory is left to the VMM;
 * bytes that are no CR0 write (changed under the CPU) are run again.
 */
static void pv_svm_cr0_decode(struct pv_vp *vp, struct pv_exit *e)
{
	enum pv_cr0_op op = PV_CR0_MOV;
	u8 buf[PV_INSN_MAX], gpr = 0;
	bool code64;
	int n, len = -EINVAL;

	n = pv_svm_child_fetch(vp, buf, &code64);
	if (n > 0)
		len = pv_svm_cr0_write_len(buf, n, code64, &op, &gpr);
	if (len == -EOPNOTSUPP)
		e->kind = PV_EXIT_UNSUPPORTED;
	if (len < 0)
		return;
	e->kind = PV_EXIT_CR0_WRITE;
	e->cr0.op = op;
	e->cr0.gpr = gpr;
	e->cr0.wide = code64;
	e->insn_len = len;
}

/*
 * Decode an exit into what host mode and the vendor-neutral run loop
 * handle. Runs in host mode, right after the exit.
 */
static void pv_svm_exit_decode(struct pv_vp *vp, struct pv_exit *e)
{
	struct pv_svm_vp *v = vp->arch;
	struct vmcb *vmcb = v->vmcb;
	u64 info1 = vmcb->control.exit_info_1;

	memset(e, 0, sizeof(*e));
	/* An event cut short by the exit is delivered again on the next run. */
	if (vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID) {
		vmcb->control.event_inj = vmcb->control.exit_int_info;
		vmcb->control.event_inj_err =
			vmcb->control.exit_int_info_err;
	} else {
		vmcb->control.event_inj = 0;
	}
	e->vendor_code = vmcb->control.exit_code;
	e->info[0] = info1;
	e->info[1] = vmcb->control.exit_info_2;
	e->rip = vmcb->save.rip;
	switch (vmcb->control.exit_code) {
	case SVM_EXIT_INTR:
		e->kind = PV_EXIT_INTERRUPTED;
		pv_svm_shadowed_hlt(vp, e);
		break;
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		e->kind = PV_EXIT_INTERRUPTED;
		break;
	case SVM_EXIT_CPUID:
		e->kind = PV_EXIT_CPUID;
		e->insn_len = pv_svm_child_len(vp, PV_INSN_CPUID);
		break;
	case SVM_EXIT_VINTR:
		e->kind = PV_EXIT_IRQ_WINDOW;
		break;
	case SVM_EXIT_HLT:
		e->kind = PV_EXIT_HLT;
		e->insn_len = pv_svm_child_len(vp, PV_INSN_HLT);
		break;
	case SVM_EXIT_IOIO:
		e->kind = PV_EXIT_IO;
		e->io.port = info1 >> 16;
		e->io.size = (info1 & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
		e->io.in = info1 & SVM_IOIO_TYPE_MASK;
		e->io.string = info1 & SVM_IOIO_STR_MASK;
		e->io.rep = info1 & SVM_IOIO_REP_MASK;
		/* IOIO gives the next RIP even without NRIPS. */
		e->next_rip = vmcb->control.exit_info_2;
		break;
	case SVM_EXIT_MSR:
		e->kind = info1 ? PV_EXIT_MSR_WRITE : PV_EXIT_MSR_READ;
		e->insn_len = pv_svm_child_len(vp, info1 ? PV_INSN_WRMSR :
							    PV_INSN_RDMSR);
		break;
	case SVM_EXIT_NPF:
		e->kind = PV_EXIT_MEMORY;
		e->mem.gpa = vmcb->control.exit_info_2;
		e->mem.write = info1 & X86_PF_WRITE;
		e->mem.fetch = info1 & X86_PF_INSTR;
		e->mem.by_cpu = (info1 & PV_NPF_GUEST_PAGE) ||
				(vmcb->control.exit_int_info &
				 SVM_EXITINTINFO_VALID);
		break;
	case SVM_EXIT_SHUTDOWN:
		e->kind = PV_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_VMMCALL:
		e->kind = PV_EXIT_HYPERCALL;
		e->insn_len = pv_svm_child_len(vp, PV_INSN_VMMCALL);
		break;
	case SVM_EXIT_XSETBV:
		e->kind = PV_EXIT_XSETBV;
		e->insn_len = pv_svm_child_len(vp, PV_INSN_XSETBV);
		break;
	case SVM_EXIT_WBINVD:		/* WBNOINVD too */
		e->kind = PV_EXIT_NOP;
		e->insn_len = pv_svm_child_len(vp, PV_INSN_WBINVD);
		break;
	case SVM_EXIT_INVD:
		e->kind = PV_EXIT_NOP;
		e->insn_len = pv_svm_child_len(vp, PV_INSN_INVD);
		break;
	case SVM_EXIT_RDPMC:
		e->kind = PV_EXIT_GP;
		break;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR3:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR3:
	case SVM_EXIT_WRITE_DR7:
		e->kind = PV_EXIT_INTERRUPTED;
		pv_svm_dr_decode(vp, e, vmcb->control.exit_code);
		break;
	case SVM_EXIT_WRITE_CR0:
		e->kind = PV_EXIT_INTERRUPTED;
		pv_svm_cr0_decode(vp, e);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_RSM:
		e->kind = PV_EXIT_UD;
		break;
	case SVM_EXIT_ERR:
		/*
		 * What VMRUN leaves in the VMCB when it refuses it is not
		 * the VP's: QEMU writes the host mode's own registers into
		 * the save area, and an int_ctl without V_INTR_MASKING.
		 * Put back the state the VP was given (every state that
		 * enters the VMCB from outside goes through vp_load), so
		 * that neither GET_VP_STATE nor the next VMRUN sees the
		 * host's, and the next run still ends at a physical
		 * interrupt.
		 */
		pv_svm_vp_load(vp);
		e->rip = vmcb->save.rip;
		e->kind = PV_EXIT_INVALID_STATE;
		break;
	default:
		e->kind = PV_EXIT_UNSUPPORTED;
		break;
	}
}

/*
 * Host mode, on the VMM thread's LP: run the staged VP until an exit that
 * host mode does not handle itself (module/host_exit.c). The root's own
 * state stays in its VMCB meanwhile.
 */
u64 pv_svm_dispatch(struct pv_lp *lp, void *host_save)
{
	struct pv_svm_vp *v = lp->dispatch;
	unsigned long host_dr[4];
	bool dr;
	u64 t;

	if (!v)
		return HV_STATUS_INVALID_PARTITION_STATE;
	for (;;) {
		/*
		 * With V_INTR_MASKING the host's RFLAGS.IF decides whether a
		 * physical interrupt ends the child's run. GIF is clear
		 * here, so setting IF lets nothing in before VMRUN; clear it
		 * again before the root runs. An interrupt that arrives
		 * while host mode handles an exit ends the next run at once.
		 */
		dr = pv_dr_guest_enter(v->vp, v->vmcb->save.dr7, host_dr);
		pv_fpu_xcr0_enter(v->vp, v->vmcb->save.cr4);
		pv_spec_guest_enter(lp, v->vp, false);
		asm volatile("sti" : : : "memory");
		pv_svm_run(&v->regs, __pa(v->vmcb), __pa(host_save));
		asm volatile("cli" : : : "memory");
		pv_stat_add(&lp->stats.world_switches, 1);
		pv_spec_guest_exit(lp, v->vp);
		pv_fpu_xcr0_exit(v->vp);
		if (dr)
			pv_dr_guest_exit(host_dr);
		v->vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
		pv_svm_exit_decode(v->vp, &v->exit);
		t = pv_stat_tsc();
		if (!pv_host_exit(v->vp, &v->exit))
			break;
		pv_stat_add(&lp->stats.child_host_cycles,
			    pv_vp_stats_host(v->vp, &v->exit, t));
		pv_trace_vp_exit(v->vp, &v->exit);
		pv_trace_vp_entry(v->vp);
	}
	return HV_STATUS_SUCCESS;
}

/* The exit that ended the dispatch, for the run loop. */
void pv_svm_vp_exit(struct pv_vp *vp, struct pv_exit *e)
{
	*e = ((struct pv_svm_vp *)vp->arch)->exit;
}

/* What the exit's handler asked for. */
void pv_svm_vp_resume(struct pv_vp *vp, const struct pv_exit *e,
		      enum pv_resume how)
{
	struct vmcb *vmcb = ((struct pv_svm_vp *)vp->arch)->vmcb;

	switch (how) {
	case PV_RESUME_RETRY:
		break;
	case PV_RESUME_SKIP:
		/* IOIO, emulated MMIO, or pv_svm_shadowed_hlt()'s HLT. */
		if (e->kind == PV_EXIT_IO || e->next_rip) {
			vmcb->save.rip = e->next_rip;
			vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
		} else {
			pv_svm_child_skip(vmcb, e->insn_len);
		}
		break;
	case PV_RESUME_UD:
		pv_svm_inject(vmcb, X86_TRAP_UD, false);
		break;
	case PV_RESUME_GP:
		/* Real mode pushes no error code. */
		pv_svm_inject(vmcb, X86_TRAP_GP, vmcb->save.cr0 & X86_CR0_PE);
		break;
	case PV_RESUME_PF:
		pv_svm_inject(vmcb, X86_TRAP_PF, true);
		vmcb->control.event_inj_err = e->pf.code;
		vmcb->save.cr2 = e->pf.addr;
		break;
	}
}

/* GPRs by the run loop: RAX and RSP live in the VMCB on AMD-V. */
u64 *pv_svm_vp_gpr(struct pv_vp *vp, enum pv_reg reg)
{
	struct pv_svm_vp *v = vp->arch;
	struct pv_gprs *r = &v->regs;
	u64 *gprs[PV_NR_REGS] = {
		&v->vmcb->save.rax, &r->rcx, &r->rdx, &r->rbx,
		&v->vmcb->save.rsp, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11,
		&r->r12, &r->r13, &r->r14, &r->r15,
	};

	return gprs[reg % PV_NR_REGS];
}

unsigned int pv_svm_vp_cpl(struct pv_vp *vp)
{
	return ((struct pv_svm_vp *)vp->arch)->vmcb->save.cpl;
}

/*
 * Interrupts for the VP. EVENTINJ delivers one; V_IRQ (ignoring the
 * virtual TPR) with VINTR intercepted gives the exit when the VP could
 * take one. V_INTR_MASKING stays: the host's IF, not the VP's, decides
 * about physical interrupts.
 */
bool pv_svm_vp_irq_ready(struct pv_vp *vp)
{
	const struct vmcb *vmcb = ((struct pv_svm_vp *)vp->arch)->vmcb;

	return (vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK) &&
	       !(vmcb->control.event_inj & SVM_EVTINJ_VALID);
}

void pv_svm_vp_irq_inject(struct pv_vp *vp, u8 vector)
{
	struct vmcb *vmcb = ((struct pv_svm_vp *)vp->arch)->vmcb;

	vmcb->control.event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR |
				  vector;
	vmcb->control.event_inj_err = 0;
}

void pv_svm_vp_irq_window(struct pv_vp *vp, bool on)
{
	struct vmcb_control_area *c = &((struct pv_svm_vp *)vp->arch)->vmcb->control;

	if (on) {
		c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK;
		c->intercepts[INTERCEPT_VINTR / 32] |= BIT(INTERCEPT_VINTR % 32);
	} else {
		c->int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK);
		c->intercepts[INTERCEPT_VINTR / 32] &= ~BIT(INTERCEPT_VINTR % 32);
	}
}
