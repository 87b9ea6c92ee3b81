// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V late launch: the root VP's VMCB is built from the CPU's live state,
 * the CPU continues on a private host stack and page table, and Linux
 * resumes in guest mode where it called in. Exit handling for the root VP
 * runs in host mode with GIF clear: NMI-like, no locks, no allocation.
 */
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/panic.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/svm.h>
#include <asm/traps.h>

#include "../partvisor.h"
#include "../hcall/hcall.h"
#include "insn_len.h"
#include "svm.h"

#define PV_SVM_STACK_ORDER	2
#define PV_SVM_ASID		1
#define PV_MSRPM_ORDER		1	/* 8 KiB */
#define PV_IOPM_ORDER		2	/* 12 KiB used */

/* EFER bits the root may set; anything else is a #GP, as natively. */
#define PV_EFER_VALID		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | \
				 EFER_SVME | EFER_LMSLE | EFER_FFXSR | \
				 BIT_ULL(15) | BIT_ULL(21))

struct pv_svm_lp {
	struct vmcb *vmcb;
	void *hsave;
	void *host_save;	/* VMSAVE image of the host's FS/GS/TR/... */
	void *stack;
	struct pv_gprs regs;
	u64 launch_rsp;
	u64 launch_cr3;
	u64 root_hsave_pa;	/* what the root believes VM_HSAVE_PA holds */
	bool entered;
	bool tlb_dropped;	/* the devirtualize call flushed every ASID */
	struct pv_leave leave;
};

static void *pv_msrpm;
static void *pv_iopm;

/* Intercept the root's writes to EFER and all access to VM_HSAVE_PA. */
static void pv_msrpm_intercept(u32 msr, bool read, bool write)
{
	unsigned long *bits = pv_msrpm;
	unsigned int base;

	if (msr >= 0xc0010000) {
		base = 0x1000 * 8 + (msr - 0xc0010000) * 2;
	} else {
		WARN_ON(msr < 0xc0000000);
		base = 0x800 * 8 + (msr - 0xc0000000) * 2;
	}
	if (read)
		__set_bit(base, bits);
	if (write)
		__set_bit(base + 1, bits);
}

int pv_svm_setup(void)
{
	pv_msrpm = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					    PV_MSRPM_ORDER);
	pv_iopm = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					   PV_IOPM_ORDER);
	if (!pv_msrpm || !pv_iopm) {
		free_pages((unsigned long)pv_msrpm, PV_MSRPM_ORDER);
		free_pages((unsigned long)pv_iopm, PV_IOPM_ORDER);
		return -ENOMEM;
	}
	pv_msrpm_intercept(MSR_EFER, false, true);
	pv_msrpm_intercept(MSR_VM_HSAVE_PA, true, true);
	return pv_svm_child_setup();
}

void pv_svm_teardown(void)
{
	pv_svm_child_teardown();
	free_pages((unsigned long)pv_msrpm, PV_MSRPM_ORDER);
	free_pages((unsigned long)pv_iopm, PV_IOPM_ORDER);
	pv_msrpm = NULL;
	pv_iopm = NULL;
}

void pv_svm_lp_free(struct pv_lp *lp)
{
	struct pv_svm_lp *s = lp->arch;

	if (!s)
		return;
	free_page((unsigned long)s->vmcb);
	free_page((unsigned long)s->hsave);
	free_page((unsigned long)s->host_save);
	free_pages((unsigned long)s->stack, PV_SVM_STACK_ORDER);
	kfree(s);
	lp->arch = NULL;
}

int pv_svm_lp_alloc(struct pv_lp *lp)
{
	struct pv_svm_lp *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	lp->arch = s;
	s->vmcb = (void *)get_zeroed_page(GFP_KERNEL);
	s->hsave = (void *)get_zeroed_page(GFP_KERNEL);
	s->host_save = (void *)get_zeroed_page(GFP_KERNEL);
	s->stack = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					    PV_SVM_STACK_ORDER);
	if (!s->vmcb || !s->hsave || !s->host_save || !s->stack) {
		pv_svm_lp_free(lp);
		return -ENOMEM;
	}
	return 0;
}

static inline void pv_vmsave(u64 pa)
{
	asm volatile("vmsave %0" : : "a"(pa) : "memory");
}

static inline void pv_stgi(void)
{
	asm volatile("stgi" : : : "memory");
}

/* A segment register as the VMCB wants it, from the live GDT. */
static void pv_svm_seg(struct vmcb_seg *seg, u16 sel)
{
	struct pv_seg live;

	pv_seg_read(sel, &live);
	seg->selector = live.sel;
	seg->attrib = live.attrib;
	seg->limit = live.limit;
	seg->base = live.base;
}

static void pv_svm_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

/* The root VP's VMCB: this CPU's state now, resuming at guest_resume. */
static void pv_svm_init_vmcb(struct pv_svm_lp *s)
{
	static const unsigned int intercepts[] = {
		INTERCEPT_CPUID, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
		INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD,
		INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
		INTERCEPT_SKINIT, INTERCEPT_INVLPGA,
	};
	struct vmcb *vmcb = s->vmcb;
	struct desc_ptr dt;
	unsigned int i;
	u64 v;
	u16 sel;

	memset(vmcb, 0, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		pv_svm_intercept(vmcb, intercepts[i]);
	vmcb->control.iopm_base_pa = __pa(pv_iopm);
	vmcb->control.msrpm_base_pa = __pa(pv_msrpm);
	vmcb->control.asid = PV_SVM_ASID;
	/* ASIDs are reused across loads: start from a clean TLB. */
	vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;

	savesegment(cs, sel);
	pv_svm_seg(&vmcb->save.cs, sel);
	savesegment(ss, sel);
	pv_svm_seg(&vmcb->save.ss, sel);
	savesegment(ds, sel);
	pv_svm_seg(&vmcb->save.ds, sel);
	savesegment(es, sel);
	pv_svm_seg(&vmcb->save.es, sel);
	native_store_gdt(&dt);
	vmcb->save.gdtr.base = dt.address;
	vmcb->save.gdtr.limit = dt.size;
	store_idt(&dt);
	vmcb->save.idtr.base = dt.address;
	vmcb->save.idtr.limit = dt.size;

	/* FS, GS, TR, LDTR and the syscall MSRs, exactly as they are. */
	pv_vmsave(__pa(vmcb));

	vmcb->save.cpl = 0;
	rdmsrl(MSR_EFER, v);
	vmcb->save.efer = v;
	vmcb->save.cr0 = read_cr0();
	vmcb->save.cr2 = native_read_cr2();
	vmcb->save.cr3 = __read_cr3();
	vmcb->save.cr4 = __read_cr4();
	asm volatile("mov %%dr7, %0" : "=r"(v));
	vmcb->save.dr7 = v;
	asm volatile("mov %%dr6, %0" : "=r"(v));
	vmcb->save.dr6 = v;
	vmcb->save.rflags = native_save_fl();
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcb->save.g_pat = v;
	vmcb->save.rip = (unsigned long)pv_root_resume;
	vmcb->save.rax = 0;
	s->launch_cr3 = vmcb->save.cr3;
}

int pv_svm_lp_launch(struct pv_lp *lp)
{
	struct pv_svm_lp *s = lp->arch;
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, __pa(s->hsave));
	s->entered = false;
	s->tlb_dropped = false;
	memset(&s->regs, 0, sizeof(s->regs));
	pv_svm_init_vmcb(s);
	pv_vmsave(__pa(s->host_save));

	return pv_host_enter(&s->launch_rsp,
			     s->stack + (PAGE_SIZE << PV_SVM_STACK_ORDER), lp);
}

/*
 * Read the bytes at the root's RIP. Kernel text is mapped in the host page
 * table; user text needs the root's own page table for the read, and
 * kernel half is the same in both, so host code keeps running.
 */
static unsigned int pv_svm_fetch(struct vmcb *vmcb, u8 *buf, unsigned int len)
{
	unsigned long rip = vmcb->save.rip;
	unsigned long host_cr3;
	unsigned int n;

	n = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(rip));
	if (rip >= TASK_SIZE_MAX)
		return copy_from_kernel_nofault(buf, (void *)rip, n) ? 0 : n;

	host_cr3 = __read_cr3();
	native_write_cr3(vmcb->save.cr3);
	if (copy_from_user_nofault(buf, (void __user *)rip, n))
		n = 0;
	native_write_cr3(host_cr3);
	return n;
}

/* Move the root past the instruction that exited. */
static void pv_svm_skip(struct vmcb *vmcb, enum pv_svm_insn insn)
{
	u8 buf[PV_MAX_INSN_LEN + 1];
	unsigned int n;
	bool lm;
	int len;

	if (pv_caps.features & PARTVISOR_FEAT_NRIPS) {
		vmcb->save.rip = vmcb->control.next_rip;
		return;
	}
	lm = (vmcb->save.efer & EFER_LMA) &&
	     (vmcb->save.cs.attrib & SVM_SELECTOR_L_MASK);
	n = pv_svm_fetch(vmcb, buf, sizeof(buf));
	len = pv_svm_insn_len(buf, n, lm, insn);
	/* Unreadable or unexpected bytes: the bare opcode is the best guess. */
	if (len <= 0)
		len = pv_svm_insn_min_len(insn);
	vmcb->save.rip += len;
}

static void pv_svm_cpuid(struct pv_svm_lp *s)
{
	struct vmcb *vmcb = s->vmcb;
	struct pv_cpuid_regs r;
	u32 leaf = vmcb->save.rax, subleaf = s->regs.rcx;

	r.eax = leaf;
	r.ecx = subleaf;
	native_cpuid(&r.eax, &r.ebx, &r.ecx, &r.edx);
	pv_root_cpuid(leaf, subleaf, &r);
	vmcb->save.rax = r.eax;
	s->regs.rbx = r.ebx;
	s->regs.rcx = r.ecx;
	s->regs.rdx = r.edx;
	pv_svm_skip(vmcb, PV_INSN_CPUID);
}

static void pv_svm_msr(struct pv_svm_lp *s)
{
	struct vmcb *vmcb = s->vmcb;
	bool write = vmcb->control.exit_info_1;
	u32 msr = s->regs.rcx;
	u64 val = (s->regs.rdx << 32) | (u32)vmcb->save.rax;

	switch (msr) {
	case MSR_EFER:
		if (!write || (val & ~PV_EFER_VALID))
			goto gp;
		/* SVME stays set: the root cannot switch our SVM off. */
		vmcb->save.efer = val | EFER_SVME;
		break;
	case MSR_VM_HSAVE_PA:
		if (write && !PAGE_ALIGNED(val))
			goto gp;
		if (write)
			s->root_hsave_pa = val;
		else
			val = s->root_hsave_pa;
		break;
	default:
		/*
		 * MSRs outside the permission map's ranges always exit: do
		 * the access for the root, with its #GP if it faults.
		 */
		if (write ? wrmsrl_safe(msr, val) : rdmsrl_safe(msr, &val))
			goto gp;
		break;
	}
	if (!write) {
		vmcb->save.rax = (u32)val;
		s->regs.rdx = val >> 32;
	}
	pv_svm_skip(vmcb, write ? PV_INSN_WRMSR : PV_INSN_RDMSR);
	return;
gp:
	pv_svm_inject(vmcb, X86_TRAP_GP, true);
}

static enum pv_hc_action pv_svm_vmmcall(struct pv_lp *lp,
					struct pv_svm_lp *s)
{
	struct vmcb *vmcb = s->vmcb;
	struct pv_hc_regs hc = {
		.input = s->regs.rcx,
		.param0 = s->regs.rdx,
		.param1 = s->regs.r8,
	};
	enum pv_hc_action action;

	/* Hypercalls are for CPL 0: user space gets #UD, as natively. */
	if (vmcb->save.cpl) {
		pv_svm_inject(vmcb, X86_TRAP_UD, false);
		return PV_HC_CONTINUE;
	}
	action = pv_hc_root_dispatch(&hc, &lp->stats.root_vp);
	if (action == PV_HC_DEVIRT && !s->tlb_dropped) {
		/*
		 * Children's translations stay in the TLB under their ASIDs
		 * and would outlive partvisor, for whatever uses SVM next. One
		 * more VMRUN of the root flushes every ASID; the root then
		 * makes the same call again, and leaves.
		 */
		s->tlb_dropped = true;
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		return PV_HC_CONTINUE;
	}
	if (action == PV_HC_REPEAT) {
		s->regs.rcx = hc.input;
		return action;
	}
	vmcb->save.rax = hc.result;
	pv_svm_skip(vmcb, PV_INSN_VMMCALL);
	return action;
}

static enum pv_hc_action pv_svm_handle_exit(struct pv_lp *lp,
					    struct pv_svm_lp *s,
					    enum partvisor_intercept *reason)
{
	struct vmcb *vmcb = s->vmcb;

	vmcb->control.event_inj = 0;
	switch (vmcb->control.exit_code) {
	case SVM_EXIT_CPUID:
		*reason = PARTVISOR_INTERCEPT_CPUID;
		pv_svm_cpuid(s);
		break;
	case SVM_EXIT_MSR:
		*reason = vmcb->control.exit_info_1 ?
			  PARTVISOR_INTERCEPT_MSR_WRITE : PARTVISOR_INTERCEPT_MSR_READ;
		pv_svm_msr(s);
		break;
	case SVM_EXIT_VMMCALL:
		*reason = PARTVISOR_INTERCEPT_HYPERCALL;
		return pv_svm_vmmcall(lp, s);
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		/* No hypervisor runs under partvisor. */
		*reason = PARTVISOR_INTERCEPT_VIRT_INSN;
		pv_svm_inject(vmcb, X86_TRAP_UD, false);
		break;
	case SVM_EXIT_SHUTDOWN:
		panic("partvisor: the root partition triple-faulted on CPU %d\n",
		      smp_processor_id());
	default:
		panic("partvisor: unexpected root exit %#x on CPU %d\n",
		      vmcb->control.exit_code, smp_processor_id());
	}
	return PV_HC_CONTINUE;
}

/* Return the root to native operation at its devirtualize VMMCALL. */
static void __noreturn pv_svm_leave(struct pv_svm_lp *s)
{
	struct vmcb *vmcb = s->vmcb;
	struct pv_leave *l = &s->leave;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	l->vmcb_pa = __pa(vmcb);
	l->cr0 = vmcb->save.cr0;
	l->cr3 = vmcb->save.cr3;
	l->cr4 = vmcb->save.cr4;
	l->efer = vmcb->save.efer & ~EFER_SVME;
	l->rip = vmcb->save.rip;
	l->cs = vmcb->save.cs.selector;
	l->rflags = vmcb->save.rflags;
	l->rsp = vmcb->save.rsp;
	l->ss = vmcb->save.ss.selector;
	s->regs.rax = vmcb->save.rax;
	l->regs = (unsigned long)&s->regs;
	l->dr7 = vmcb->save.dr7;
	pv_svm_devirt(l);
}

/* Runs on the host stack from pv_host_enter() until devirtualized. */
void __noreturn pv_svm_host_main(struct pv_lp *lp)
{
	struct pv_vp_stats *st = &lp->stats.root_vp;
	struct pv_svm_lp *s = lp->arch;
	struct vmcb *vmcb = s->vmcb;
	enum partvisor_intercept reason;
	enum pv_hc_action action;
	u64 efer, t0, cycles;

	asm volatile("clgi" : : : "memory");
	/*
	 * Host mode runs without breakpoints: every #VMEXIT brings back
	 * this DR7, and a child's DR0-3 may be in the CPU (debugreg.h).
	 */
	native_set_debugreg(7, 0);
	vmcb->save.rsp = s->launch_rsp;
	native_write_cr3(lp->host_cr3);

	for (;;) {
		pv_svm_run(&s->regs, __pa(vmcb), __pa(s->host_save));
		pv_stat_add(&lp->stats.world_switches, 1);

		if (vmcb->control.exit_code == SVM_EXIT_ERR) {
			/*
			 * The first VMRUN can fail on bad state; the VMCB may
			 * be overwritten then, so undo from our own copy.
			 * Later the root cannot make its state invalid: every
			 * way to do so is intercepted.
			 */
			if (s->entered)
				panic("partvisor: root VMRUN failed on CPU %d\n",
				      smp_processor_id());
			native_write_cr3(s->launch_cr3);
			wrmsrl(MSR_VM_HSAVE_PA, 0);
			pv_stgi();
			rdmsrl(MSR_EFER, efer);
			wrmsrl(MSR_EFER, efer & ~EFER_SVME);
			pv_launch_abort(s->launch_rsp, -EIO);
		}
		if (!s->entered) {
			s->entered = true;
			vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
		}
		t0 = pv_stat_tsc();
		reason = PARTVISOR_INTERCEPT_OTHER;
		action = pv_svm_handle_exit(lp, s, &reason);
		cycles = pv_stat_tsc() - t0;
		pv_stat_add(&st->intercepts[reason], 1);
		pv_stat_add(&st->intercept_cycles[reason], cycles);
		pv_stat_add(&st->run_hypervisor_cycles, cycles);
		if (action == PV_HC_DISPATCH)
			vmcb->save.rax = pv_svm_dispatch(lp, s->host_save);
		else if (action == PV_HC_DEVIRT)
			pv_svm_leave(s);
	}
}

u64 pv_svm_hypercall(u64 input, u64 param0, u64 param1)
{
	register u64 r8 asm("r8") = param1;
	u64 result;

	asm volatile("vmmcall"
		     : "=a"(result), "+c"(input)
		     : "d"(param0), "r"(r8)
		     : "memory");
	return result;
}
