// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x late launch: VMXON on every CPU, a root VP VMCS built from
 * the CPU's live state, and Linux resuming in VMX non-root operation where
 * it called in. The root runs without EPT, without interrupt or NMI
 * exiting and with an empty MSR bitmap; it exits only for what VT-x
 * forces (CPUID, VMCALL, the VMX instructions, XSETBV, INVD, MSRs outside
 * the bitmap) and for attempts to switch VT-x off behind our back.
 *
 * Exit handling runs in host mode with interrupts off and, unlike AMD-V,
 * NMIs open: an NMI there runs Linux's handler on its IST stack with the
 * host GS base, so everything here must be NMI-safe as well: no locks, no
 * allocation.
 */
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/panic.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/traps.h>
#include <asm/vmx.h>

#include "../partvisor.h"
#include "../hcall/hcall.h"
#include "vmx.h"

#define PV_VMX_STACK_ORDER	2
#define PV_VMX_ROOT_VPID	1

/* CR0 bits VMX operation requires set; the root may not clear them. */
#define PV_VMX_CR0_OWNED	(X86_CR0_PE | X86_CR0_NE | X86_CR0_PG)

/* INVVPID types and their capability bits in IA32_VMX_EPT_VPID_CAP. */
#define PV_INVVPID_ALL_CONTEXT		2
#define PV_VPID_CAP_INVVPID		BIT_ULL(32)
#define PV_VPID_CAP_ALL_CONTEXT		BIT_ULL(42)

/* VM-entry interruption information: a hardware exception. */
#define PV_INTR_TYPE_HARD_EXCEPTION	(3 << 8)
#define PV_INTR_DELIVER_CODE		BIT(11)
#define PV_INTR_VALID			BIT(31)

#define PV_EXIT_REASON_FAILED_ENTRY	BIT(31)

/* Segment access rights: unusable, and where AMD-V's packing differs. */
#define PV_AR_UNUSABLE			BIT(16)

/* RFLAGS arithmetic flags that VMXOFF clears on success. */
#define PV_RFLAGS_ARITH		(X86_EFLAGS_CF | X86_EFLAGS_PF | \
				 X86_EFLAGS_AF | X86_EFLAGS_ZF | \
				 X86_EFLAGS_SF | X86_EFLAGS_OF)

struct pv_vmx_lp {
	void *vmxon;		/* VMXON region */
	void *vmcs;		/* the root VP's VMCS */
	void *stack;
	struct pv_gprs regs;
	u64 launch_rsp;
	u64 launch_cr3;
	bool entered;
	u32 fail_reason;	/* why the first entry failed, for the log */
	u32 fail_error;
	struct desc_ptr launch_gdt, launch_idt;
	u16 launch_tr, launch_ds, launch_es;
	struct pv_leave leave;
};

struct pv_vmx_caps pv_vmx;

static void *pv_msr_bitmap;

static_assert(offsetof(struct pv_gprs, rdi) == PV_GPR_RDI);
static_assert(offsetof(struct pv_gprs, r15) == PV_GPR_R15);
static_assert(offsetof(struct pv_gprs, rax) == PV_GPR_RAX);
static_assert(offsetof(struct pv_leave, regs) == PV_LEAVE_REGS);
static_assert(offsetof(struct pv_leave, dr7) == PV_LEAVE_DR7);
static_assert(offsetof(struct pv_leave, gs_base) == PV_LEAVE_GS_BASE);
static_assert(offsetof(struct pv_leave, vmcb_pa) == PV_LEAVE_VMCB);
static_assert(HOST_RSP == PV_VMCS_HOST_RSP);

/* A VMWRITE that reports VMfail, for building the VMCS at launch. */
static bool pv_vmwrite_ok(unsigned long field, u64 val)
{
	bool fail;

	asm volatile("vmwrite %2, %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "r"(field), "rm"(val)
		     : "memory");
	return !fail;
}

/* VMXON takes a physical address; false on VMfail. */
static bool pv_vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "m"(pa) : "memory");
	return !fail;
}

static void pv_invvpid_all(void)
{
	struct { u64 vpid, addr; } desc = { 0, 0 };

	asm volatile("invvpid %0, %1"
		     : : "m"(desc), "r"((u64)PV_INVVPID_ALL_CONTEXT)
		     : "cc", "memory");
}

static void pv_invept_all(void)
{
	struct { u64 eptp, reserved; } desc = { 0, 0 };

	asm volatile("invept %0, %1"
		     : : "m"(desc), "r"((u64)VMX_EPT_EXTENT_GLOBAL)
		     : "cc", "memory");
}

/*
 * A control field: the bits we want, the ones we take when offered, and
 * whatever the CPU insists on. Fails when a wanted bit is not allowed.
 */
static int pv_vmx_ctl(u32 msr, u32 want, u32 optional, u32 *ctl)
{
	u64 v;
	u32 must = 0, may = 0;

	if (!rdmsrl_safe(msr, &v)) {
		must = v;
		may = v >> 32;
	}
	if (want & ~may) {
		pr_err("partvisor: VT-x control MSR %#x lacks %#x\n", msr,
		       want & ~may);
		return -EOPNOTSUPP;
	}
	*ctl = want | (optional & may) | must;
	return 0;
}

int pv_vmx_setup(void)
{
	bool true_ctls;
	u64 basic, cap = 0;
	int ret;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	pv_vmx.revision = basic & 0x7fffffff;
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	ret = pv_vmx_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			 MSR_IA32_VMX_PINBASED_CTLS, 0, 0, &pv_vmx.pin);
	ret = ret ?: pv_vmx_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				MSR_IA32_VMX_PROCBASED_CTLS,
				CPU_BASED_USE_MSR_BITMAPS,
				CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
				&pv_vmx.proc);
	/*
	 * Without these the root's RDTSCP, INVPCID, XSAVES and
	 * UMWAIT/TPAUSE would raise #UD: Linux uses them when CPUID says so.
	 */
	if (!ret && (pv_vmx.proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)) {
		rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &cap);
		ret = pv_vmx_ctl(MSR_IA32_VMX_PROCBASED_CTLS2, 0,
				 SECONDARY_EXEC_ENABLE_RDTSCP |
				 SECONDARY_EXEC_ENABLE_INVPCID |
				 SECONDARY_EXEC_XSAVES |
				 SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE |
				 SECONDARY_EXEC_ENABLE_VPID, &pv_vmx.proc2);
	}
	pv_vmx.invept_all = (cap & VMX_EPT_INVEPT_BIT) &&
			    (cap & VMX_EPT_EXTENT_GLOBAL_BIT);
	/* A root VPID saves a TLB flush per exit, if we can flush it. */
	if ((cap & PV_VPID_CAP_INVVPID) && (cap & PV_VPID_CAP_ALL_CONTEXT))
		pv_vmx.vpid = pv_vmx.proc2 & SECONDARY_EXEC_ENABLE_VPID;
	else
		pv_vmx.proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	ret = ret ?: pv_vmx_ctl(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				MSR_IA32_VMX_EXIT_CTLS,
				VM_EXIT_HOST_ADDR_SPACE_SIZE |
				VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
				VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
				VM_EXIT_SAVE_DEBUG_CONTROLS, 0, &pv_vmx.exit);
	ret = ret ?: pv_vmx_ctl(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				MSR_IA32_VMX_ENTRY_CTLS,
				VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_EFER |
				VM_ENTRY_LOAD_IA32_PAT |
				VM_ENTRY_LOAD_DEBUG_CONTROLS, 0, &pv_vmx.entry);
	if (ret)
		return ret;
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, pv_vmx.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, pv_vmx.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, pv_vmx.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, pv_vmx.cr4_fixed1);

	pv_vmx.true_ctls = true_ctls;
	pv_vmx.ept_vpid_cap = cap;

	/* All zero: no MSR in the bitmap's ranges exits. */
	pv_msr_bitmap = (void *)get_zeroed_page(GFP_KERNEL);
	if (!pv_msr_bitmap)
		return -ENOMEM;
	pv_vmx_child_setup();
	return 0;
}

void pv_vmx_teardown(void)
{
	free_page((unsigned long)pv_msr_bitmap);
	pv_msr_bitmap = NULL;
}

void pv_vmx_lp_free(struct pv_lp *lp)
{
	struct pv_vmx_lp *v = lp->arch;

	if (!v)
		return;
	free_page((unsigned long)v->vmxon);
	free_page((unsigned long)v->vmcs);
	free_pages((unsigned long)v->stack, PV_VMX_STACK_ORDER);
	kfree(v);
	lp->arch = NULL;
}

int pv_vmx_lp_alloc(struct pv_lp *lp)
{
	struct pv_vmx_lp *v = kzalloc(sizeof(*v), GFP_KERNEL);

	if (!v)
		return -ENOMEM;
	lp->arch = v;
	v->vmxon = (void *)get_zeroed_page(GFP_KERNEL);
	v->vmcs = (void *)get_zeroed_page(GFP_KERNEL);
	v->stack = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					    PV_VMX_STACK_ORDER);
	if (!v->vmxon || !v->vmcs || !v->stack) {
		pv_vmx_lp_free(lp);
		return -ENOMEM;
	}
	return 0;
}

/* VT-x access rights from the descriptor bits AMD-V packs in 12. */
static u32 pv_vmx_ar(const struct pv_seg *seg)
{
	if (!(seg->sel & ~3))
		return PV_AR_UNUSABLE;
	return (seg->attrib & 0xff) | (seg->attrib & 0xf00) << 4;
}

/*
 * A guest segment register from its selector. The VMCS keeps ES, CS, SS,
 * DS, FS, GS, LDTR and TR in that order, two encodings apart.
 */
enum { PV_SEG_ES, PV_SEG_CS, PV_SEG_SS, PV_SEG_DS, PV_SEG_FS, PV_SEG_GS };

static bool pv_vmx_guest_seg(unsigned int n, u16 sel)
{
	struct pv_seg s;
	bool ok = true;

	pv_seg_read(sel, &s);
	ok &= pv_vmwrite_ok(GUEST_ES_SELECTOR + 2 * n, s.sel);
	ok &= pv_vmwrite_ok(GUEST_ES_LIMIT + 2 * n, s.limit);
	ok &= pv_vmwrite_ok(GUEST_ES_AR_BYTES + 2 * n, pv_vmx_ar(&s));
	ok &= pv_vmwrite_ok(GUEST_ES_BASE + 2 * n, s.base);
	return ok;
}

static u64 pv_rdmsr_or_zero(u32 msr)
{
	u64 v;

	return rdmsrl_safe(msr, &v) ? 0 : v;
}

/* The root VP's VMCS: this CPU's state now, resuming at pv_root_resume. */
static bool pv_vmx_init_vmcs(struct pv_lp *lp)
{
	struct pv_vmx_lp *v = lp->arch;
	struct desc_ptr gdt, idt;
	struct pv_seg tr;
	bool ok = true;
	u64 cr0 = read_cr0(), cr4 = __read_cr4();
	u16 sel;

	/* Controls. */
	ok &= pv_vmwrite_ok(PIN_BASED_VM_EXEC_CONTROL, pv_vmx.pin);
	ok &= pv_vmwrite_ok(CPU_BASED_VM_EXEC_CONTROL, pv_vmx.proc);
	if (pv_vmx.proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		ok &= pv_vmwrite_ok(SECONDARY_VM_EXEC_CONTROL, pv_vmx.proc2);
	ok &= pv_vmwrite_ok(VM_EXIT_CONTROLS, pv_vmx.exit);
	ok &= pv_vmwrite_ok(VM_ENTRY_CONTROLS, pv_vmx.entry);
	ok &= pv_vmwrite_ok(EXCEPTION_BITMAP, 0);
	ok &= pv_vmwrite_ok(PAGE_FAULT_ERROR_CODE_MASK, 0);
	ok &= pv_vmwrite_ok(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	ok &= pv_vmwrite_ok(CR3_TARGET_COUNT, 0);
	ok &= pv_vmwrite_ok(VM_EXIT_MSR_STORE_COUNT, 0);
	ok &= pv_vmwrite_ok(VM_EXIT_MSR_LOAD_COUNT, 0);
	ok &= pv_vmwrite_ok(VM_ENTRY_MSR_LOAD_COUNT, 0);
	ok &= pv_vmwrite_ok(VM_ENTRY_INTR_INFO_FIELD, 0);
	ok &= pv_vmwrite_ok(MSR_BITMAP, __pa(pv_msr_bitmap));
	ok &= pv_vmwrite_ok(TSC_OFFSET, 0);
	if (pv_vmx.proc2 & SECONDARY_EXEC_XSAVES)
		ok &= pv_vmwrite_ok(XSS_EXIT_BITMAP, 0);
	if (pv_vmx.vpid)
		ok &= pv_vmwrite_ok(VIRTUAL_PROCESSOR_ID, PV_VMX_ROOT_VPID);
	/* The root owns CR0 and CR4 but for what VMX operation needs. */
	ok &= pv_vmwrite_ok(CR0_GUEST_HOST_MASK, PV_VMX_CR0_OWNED);
	ok &= pv_vmwrite_ok(CR0_READ_SHADOW, cr0);
	ok &= pv_vmwrite_ok(CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	ok &= pv_vmwrite_ok(CR4_READ_SHADOW, cr4);

	/* Host: Linux's own tables, a private CR3 and the LP's stack. */
	native_store_gdt(&gdt);
	store_idt(&idt);
	asm volatile("str %0" : "=r"(sel));
	pv_seg_read(sel, &tr);
	ok &= pv_vmwrite_ok(HOST_CR0, cr0);
	ok &= pv_vmwrite_ok(HOST_CR3, lp->host_cr3);
	ok &= pv_vmwrite_ok(HOST_CR4, cr4);
	ok &= pv_vmwrite_ok(HOST_CS_SELECTOR, __KERNEL_CS);
	ok &= pv_vmwrite_ok(HOST_SS_SELECTOR, __KERNEL_DS);
	/* RPL must be 0 and Linux may run with __USER_DS here: use null. */
	ok &= pv_vmwrite_ok(HOST_DS_SELECTOR, 0);
	ok &= pv_vmwrite_ok(HOST_ES_SELECTOR, 0);
	ok &= pv_vmwrite_ok(HOST_FS_SELECTOR, 0);
	ok &= pv_vmwrite_ok(HOST_GS_SELECTOR, 0);
	ok &= pv_vmwrite_ok(HOST_TR_SELECTOR, sel);
	ok &= pv_vmwrite_ok(HOST_FS_BASE, pv_rdmsr_or_zero(MSR_FS_BASE));
	/* Called from the kernel: this is the per-CPU base host mode needs. */
	ok &= pv_vmwrite_ok(HOST_GS_BASE, pv_rdmsr_or_zero(MSR_GS_BASE));
	ok &= pv_vmwrite_ok(HOST_TR_BASE, tr.base);
	ok &= pv_vmwrite_ok(HOST_GDTR_BASE, gdt.address);
	ok &= pv_vmwrite_ok(HOST_IDTR_BASE, idt.address);
	ok &= pv_vmwrite_ok(HOST_IA32_SYSENTER_CS,
			    pv_rdmsr_or_zero(MSR_IA32_SYSENTER_CS));
	ok &= pv_vmwrite_ok(HOST_IA32_SYSENTER_ESP,
			    pv_rdmsr_or_zero(MSR_IA32_SYSENTER_ESP));
	ok &= pv_vmwrite_ok(HOST_IA32_SYSENTER_EIP,
			    pv_rdmsr_or_zero(MSR_IA32_SYSENTER_EIP));
	ok &= pv_vmwrite_ok(HOST_IA32_EFER, pv_rdmsr_or_zero(MSR_EFER));
	ok &= pv_vmwrite_ok(HOST_IA32_PAT, pv_rdmsr_or_zero(MSR_IA32_CR_PAT));
	ok &= pv_vmwrite_ok(HOST_RIP, (unsigned long)pv_vmx_exit);

	/* Guest: everything as it is now. */
	savesegment(es, sel);
	ok &= pv_vmx_guest_seg(PV_SEG_ES, sel);
	savesegment(cs, sel);
	ok &= pv_vmx_guest_seg(PV_SEG_CS, sel);
	savesegment(ss, sel);
	ok &= pv_vmx_guest_seg(PV_SEG_SS, sel);
	savesegment(ds, sel);
	ok &= pv_vmx_guest_seg(PV_SEG_DS, sel);
	savesegment(fs, sel);
	ok &= pv_vmx_guest_seg(PV_SEG_FS, sel);
	savesegment(gs, sel);
	ok &= pv_vmx_guest_seg(PV_SEG_GS, sel);
	ok &= pv_vmwrite_ok(GUEST_FS_BASE, pv_rdmsr_or_zero(MSR_FS_BASE));
	ok &= pv_vmwrite_ok(GUEST_GS_BASE, pv_rdmsr_or_zero(MSR_GS_BASE));
	ok &= pv_vmwrite_ok(GUEST_LDTR_SELECTOR, 0);
	ok &= pv_vmwrite_ok(GUEST_LDTR_LIMIT, 0);
	ok &= pv_vmwrite_ok(GUEST_LDTR_AR_BYTES, PV_AR_UNUSABLE);
	ok &= pv_vmwrite_ok(GUEST_LDTR_BASE, 0);
	ok &= pv_vmwrite_ok(GUEST_TR_SELECTOR, tr.sel);
	ok &= pv_vmwrite_ok(GUEST_TR_LIMIT, tr.limit);
	/* A loaded TR is busy whatever the GDT copy says. */
	ok &= pv_vmwrite_ok(GUEST_TR_AR_BYTES,
			    (pv_vmx_ar(&tr) & ~0xf) | DESC_TSS | 2);
	ok &= pv_vmwrite_ok(GUEST_TR_BASE, tr.base);
	ok &= pv_vmwrite_ok(GUEST_GDTR_BASE, gdt.address);
	ok &= pv_vmwrite_ok(GUEST_GDTR_LIMIT, gdt.size);
	ok &= pv_vmwrite_ok(GUEST_IDTR_BASE, idt.address);
	ok &= pv_vmwrite_ok(GUEST_IDTR_LIMIT, idt.size);
	ok &= pv_vmwrite_ok(GUEST_CR0, cr0);
	ok &= pv_vmwrite_ok(GUEST_CR3, __read_cr3());
	ok &= pv_vmwrite_ok(GUEST_CR4, cr4);
	ok &= pv_vmwrite_ok(GUEST_DR7, native_get_debugreg(7));
	ok &= pv_vmwrite_ok(GUEST_RFLAGS, native_save_fl());
	ok &= pv_vmwrite_ok(GUEST_RIP, (unsigned long)pv_root_resume);
	ok &= pv_vmwrite_ok(GUEST_IA32_DEBUGCTL,
			    pv_rdmsr_or_zero(MSR_IA32_DEBUGCTLMSR));
	ok &= pv_vmwrite_ok(GUEST_IA32_EFER, pv_rdmsr_or_zero(MSR_EFER));
	ok &= pv_vmwrite_ok(GUEST_IA32_PAT, pv_rdmsr_or_zero(MSR_IA32_CR_PAT));
	ok &= pv_vmwrite_ok(GUEST_SYSENTER_CS,
			    pv_rdmsr_or_zero(MSR_IA32_SYSENTER_CS));
	ok &= pv_vmwrite_ok(GUEST_SYSENTER_ESP,
			    pv_rdmsr_or_zero(MSR_IA32_SYSENTER_ESP));
	ok &= pv_vmwrite_ok(GUEST_SYSENTER_EIP,
			    pv_rdmsr_or_zero(MSR_IA32_SYSENTER_EIP));
	ok &= pv_vmwrite_ok(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	ok &= pv_vmwrite_ok(GUEST_INTERRUPTIBILITY_INFO, 0);
	ok &= pv_vmwrite_ok(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	ok &= pv_vmwrite_ok(VMCS_LINK_POINTER, -1ull);

	v->launch_cr3 = __read_cr3();
	v->launch_gdt = gdt;
	v->launch_idt = idt;
	v->launch_tr = tr.sel;
	savesegment(ds, v->launch_ds);
	savesegment(es, v->launch_es);
	return ok;
}

/*
 * A VM exit sets the GDT and IDT limits to 0xffff and TR's to 0x67. TR
 * is reloaded with its descriptor made available (not busy) in the
 * writable GDT, which must be the loaded one while LTR marks it busy.
 */
static void pv_vmx_reload_tables(const struct desc_ptr *gdt,
				 const struct desc_ptr *idt, u16 tr)
{
	struct desc_struct *gdt_rw = get_cpu_gdt_rw(smp_processor_id());
	struct desc_ptr rw = {
		.address = (unsigned long)gdt_rw,
		.size = gdt->size,
	};

	native_load_gdt(&rw);
	gdt_rw[tr >> 3].type = DESC_TSS;
	asm volatile("ltr %0" : : "rm"(tr) : "memory");
	native_load_gdt(gdt);
	native_load_idt(idt);
}

/* Undo VMXON on this CPU: the launch failed or the root left. */
static void pv_vmx_off(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

int pv_vmx_lp_launch(struct pv_lp *lp)
{
	struct pv_vmx_lp *v = lp->arch;
	u64 cr0 = read_cr0(), cr4;
	int ret;

	if (__read_cr4() & X86_CR4_VMXE)
		return -EBUSY;
	cr4 = __read_cr4() | X86_CR4_VMXE;
	if ((cr0 & pv_vmx.cr0_fixed0) != pv_vmx.cr0_fixed0 ||
	    (cr0 & ~pv_vmx.cr0_fixed1) ||
	    (cr4 & pv_vmx.cr4_fixed0) != pv_vmx.cr4_fixed0 ||
	    (cr4 & ~pv_vmx.cr4_fixed1)) {
		pr_err("partvisor: CPU %u: CR0/CR4 not allowed in VMX operation\n",
		       lp->cpu);
		return -EIO;
	}
	*(u32 *)v->vmxon = pv_vmx.revision;
	*(u32 *)v->vmcs = pv_vmx.revision;
	memset(&v->regs, 0, sizeof(v->regs));
	v->entered = false;
	v->fail_reason = 0;
	v->fail_error = 0;

	/* Linux's cached CR4 keeps VMXE, so KVM sees VT-x is taken. */
	cr4_set_bits(X86_CR4_VMXE);
	if (!pv_vmxon(__pa(v->vmxon))) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EBUSY;
	}
	ret = -EIO;
	if (!pv_vmclear(__pa(v->vmcs)) || !pv_vmptrld(__pa(v->vmcs)))
		goto off;
	/* VPIDs are reused across loads: start from a clean TLB. */
	if (pv_vmx.vpid)
		pv_invvpid_all();
	if (!pv_vmx_init_vmcs(lp)) {
		pr_err("partvisor: CPU %u: VMCS field rejected\n", lp->cpu);
		goto off;
	}
	ret = pv_host_enter(&v->launch_rsp,
			    v->stack + (PAGE_SIZE << PV_VMX_STACK_ORDER), lp);
	if (!ret)
		return 0;
	if (v->fail_reason) {
		/* The failed entry was an exit: it loaded host state. */
		pv_vmx_reload_tables(&v->launch_gdt, &v->launch_idt,
				     v->launch_tr);
		loadsegment(ds, v->launch_ds);
		loadsegment(es, v->launch_es);
		pr_err("partvisor: CPU %u: root VP entry failed, exit reason %#x\n",
		       lp->cpu, v->fail_reason);
	} else {
		pr_err("partvisor: CPU %u: VMLAUNCH failed, VM-instruction error %u\n",
		       lp->cpu, v->fail_error);
	}
off:
	/* No child's translations outlive partvisor in the TLB. */
	if (pv_vmx.vpid)
		pv_invvpid_all();
	if (pv_vmx.invept_all)
		pv_invept_all();
	pv_vmclear(__pa(v->vmcs));
	pv_vmx_off();
	cr4_clear_bits(X86_CR4_VMXE);
	return ret;
}

/* After VMXOFF on the way out: flush what the root left under VPID 0. */
void pv_vmx_lp_devirtualized(struct pv_lp *lp)
{
	cr4_clear_bits(X86_CR4_VMXE);
	__flush_tlb_all();
}

static void pv_vmx_inject(unsigned int vector, bool error_code)
{
	pv_vmwrite(VM_ENTRY_INTR_INFO_FIELD,
		   PV_INTR_VALID | PV_INTR_TYPE_HARD_EXCEPTION | vector |
		   (error_code ? PV_INTR_DELIVER_CODE : 0));
	if (error_code)
		pv_vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
}

/* Step past the exiting instruction; STI/MOV SS shadows end with it. */
static void pv_vmx_skip(void)
{
	u64 intr = pv_vmread(GUEST_INTERRUPTIBILITY_INFO);

	pv_vmwrite(GUEST_RIP, pv_vmread(GUEST_RIP) +
		   pv_vmread(VM_EXIT_INSTRUCTION_LEN));
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		pv_vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(GUEST_INTR_STATE_STI |
				    GUEST_INTR_STATE_MOV_SS));
}

static unsigned int pv_vmx_cpl(void)
{
	return (pv_vmread(GUEST_SS_AR_BYTES) >> 5) & 3;
}

static void pv_vmx_cpuid(struct pv_vmx_lp *v)
{
	struct pv_cpuid_regs r;
	u32 leaf = v->regs.rax, subleaf = v->regs.rcx;

	r.eax = leaf;
	r.ecx = subleaf;
	native_cpuid(&r.eax, &r.ebx, &r.ecx, &r.edx);
	pv_root_cpuid(leaf, subleaf, &r);
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	pv_vmx_skip();
}

/* MSRs outside the bitmap's ranges: performed for the root, #GP and all. */
static void pv_vmx_msr(struct pv_vmx_lp *v, bool write)
{
	u32 msr = v->regs.rcx;
	u64 val = (v->regs.rdx << 32) | (u32)v->regs.rax;

	if (write ? wrmsrl_safe(msr, val) : rdmsrl_safe(msr, &val)) {
		pv_vmx_inject(X86_TRAP_GP, true);
		return;
	}
	if (!write) {
		v->regs.rax = (u32)val;
		v->regs.rdx = val >> 32;
	}
	pv_vmx_skip();
}

static void pv_vmx_xsetbv(struct pv_vmx_lp *v)
{
	u64 val = (v->regs.rdx << 32) | (u32)v->regs.rax;

	if (pv_vmx_cpl() || pv_xsetbv_safe(v->regs.rcx, val))
		pv_vmx_inject(X86_TRAP_GP, true);
	else
		pv_vmx_skip();
}

/* A GPR by its number in an exit qualification; RSP is in the VMCS. */
static u64 *pv_vmx_gpr(struct pv_gprs *r, unsigned int n)
{
	u64 *gprs[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi,
		&r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
		&r->r14, &r->r15,
	};

	return gprs[n & 15];
}

/*
 * MOV to CR0/CR4 touching what VMX operation owns: CR4.VMXE and CR0's
 * PE/NE/PG. Clearing them is refused with #GP, as in VMX operation; any
 * other change in the same write goes through. MOV CR3/CR8 exit only if
 * the CPU forces those controls on; they are done for the root.
 */
static void pv_vmx_cr(struct pv_vmx_lp *v)
{
	u64 q = pv_vmread(EXIT_QUALIFICATION);
	unsigned int cr = q & 15, type = (q >> 4) & 3;
	u64 *gpr = pv_vmx_gpr(&v->regs, q >> 8);
	u64 val = gpr ? *gpr : pv_vmread(GUEST_RSP);

	if (type == 0 && cr == 0) {
		if ((val & PV_VMX_CR0_OWNED) != PV_VMX_CR0_OWNED)
			goto gp;
		pv_vmwrite(GUEST_CR0, val);
		pv_vmwrite(CR0_READ_SHADOW, val);
	} else if (type == 0 && cr == 4) {
		if (!(val & X86_CR4_VMXE))
			goto gp;
		pv_vmwrite(GUEST_CR4, val);
		pv_vmwrite(CR4_READ_SHADOW, val);
	} else if (type == 0 && cr == 3) {
		pv_vmwrite(GUEST_CR3, val);
	} else if (type == 1 && cr == 3 && gpr) {
		*gpr = pv_vmread(GUEST_CR3);
	} else if (type == 0 && cr == 8) {
		asm volatile("mov %0, %%cr8" : : "r"(val) : "memory");
	} else if (type == 1 && cr == 8 && gpr) {
		asm volatile("mov %%cr8, %0" : "=r"(*gpr));
	} else {
		goto gp;
	}
	pv_vmx_skip();
	return;
gp:
	pv_vmx_inject(X86_TRAP_GP, true);
}

static enum pv_hc_action pv_vmx_vmcall(struct pv_lp *lp, struct pv_vmx_lp *v)
{
	struct pv_hc_regs hc = {
		.input = v->regs.rcx,
		.param0 = v->regs.rdx,
		.param1 = v->regs.r8,
	};
	enum pv_hc_action action;

	/* Hypercalls are for CPL 0: user space gets #UD, as natively. */
	if (pv_vmx_cpl()) {
		pv_vmx_inject(X86_TRAP_UD, false);
		return PV_HC_CONTINUE;
	}
	action = pv_hc_root_dispatch(&hc, &lp->stats.root_vp);
	if (action == PV_HC_REPEAT) {
		v->regs.rcx = hc.input;
		return action;
	}
	v->regs.rax = hc.result;
	pv_vmx_skip();
	return action;
}

/*
 * VMXOFF from the root's kernel: Linux does that on its emergency paths
 * (reboot, kdump) because it sees CR4.VMXE set. The root gets what it
 * asked for: this CPU leaves host mode, with VMXOFF's success flags.
 */
static enum pv_hc_action pv_vmx_root_vmxoff(struct pv_lp *lp)
{
	if (pv_vmx_cpl()) {
		pv_vmx_inject(X86_TRAP_UD, false);
		return PV_HC_CONTINUE;
	}
	pv_vmwrite(GUEST_RFLAGS, pv_vmread(GUEST_RFLAGS) & ~PV_RFLAGS_ARITH);
	pv_vmx_skip();
	lp->launched = false;
	return PV_HC_DEVIRT;
}

static enum pv_hc_action pv_vmx_handle_exit(struct pv_lp *lp,
					    struct pv_vmx_lp *v, u32 exit,
					    enum partvisor_intercept *reason)
{
	switch (exit) {
	case EXIT_REASON_CPUID:
		*reason = PARTVISOR_INTERCEPT_CPUID;
		pv_vmx_cpuid(v);
		break;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		*reason = exit == EXIT_REASON_MSR_WRITE ?
			  PARTVISOR_INTERCEPT_MSR_WRITE : PARTVISOR_INTERCEPT_MSR_READ;
		pv_vmx_msr(v, exit == EXIT_REASON_MSR_WRITE);
		break;
	case EXIT_REASON_VMCALL:
		*reason = PARTVISOR_INTERCEPT_HYPERCALL;
		return pv_vmx_vmcall(lp, v);
	case EXIT_REASON_CR_ACCESS:
		*reason = PARTVISOR_INTERCEPT_CR;
		pv_vmx_cr(v);
		break;
	case EXIT_REASON_XSETBV:
		pv_vmx_xsetbv(v);
		break;
	case EXIT_REASON_INVD:
		/* Never drop the hypervisor's dirty lines: write them back. */
		wbinvd();
		pv_vmx_skip();
		break;
	case EXIT_REASON_VMOFF:
		*reason = PARTVISOR_INTERCEPT_VIRT_INSN;
		return pv_vmx_root_vmxoff(lp);
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		/* No hypervisor runs under partvisor. */
		*reason = PARTVISOR_INTERCEPT_VIRT_INSN;
		pv_vmx_inject(X86_TRAP_UD, false);
		break;
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_SIPI_SIGNAL:
		/* Only CPUs being brought up get these, and those are native. */
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		panic("partvisor: the root partition triple-faulted on CPU %d\n",
		      smp_processor_id());
	default:
		panic("partvisor: unexpected root exit %#x on CPU %d\n", exit,
		      smp_processor_id());
	}
	return PV_HC_CONTINUE;
}

/* Return the root to native operation after what made it leave. */
static void __noreturn pv_vmx_leave(struct pv_vmx_lp *v)
{
	struct pv_leave *l = &v->leave;
	struct desc_ptr gdt = {
		.address = pv_vmread(GUEST_GDTR_BASE),
		.size = pv_vmread(GUEST_GDTR_LIMIT),
	};
	struct desc_ptr idt = {
		.address = pv_vmread(GUEST_IDTR_BASE),
		.size = pv_vmread(GUEST_IDTR_LIMIT),
	};
	u16 tr = pv_vmread(GUEST_TR_SELECTOR);
	u64 debugctl = pv_vmread(GUEST_IA32_DEBUGCTL);

	l->cr0 = pv_vmread(GUEST_CR0);
	l->cr3 = pv_vmread(GUEST_CR3);
	l->cr4 = pv_vmread(GUEST_CR4);
	l->efer = pv_vmread(GUEST_IA32_EFER);
	l->rip = pv_vmread(GUEST_RIP);
	l->cs = pv_vmread(GUEST_CS_SELECTOR);
	l->rflags = pv_vmread(GUEST_RFLAGS);
	l->rsp = pv_vmread(GUEST_RSP);
	l->ss = pv_vmread(GUEST_SS_SELECTOR);
	l->ds = pv_vmread(GUEST_DS_SELECTOR);
	l->es = pv_vmread(GUEST_ES_SELECTOR);
	l->fs = pv_vmread(GUEST_FS_SELECTOR);
	l->gs = pv_vmread(GUEST_GS_SELECTOR);
	l->fs_base = pv_vmread(GUEST_FS_BASE);
	l->gs_base = pv_vmread(GUEST_GS_BASE);
	l->dr7 = pv_vmread(GUEST_DR7);
	l->regs = (unsigned long)&v->regs;
	wrmsrl(MSR_IA32_CR_PAT, pv_vmread(GUEST_IA32_PAT));
	wrmsrl(MSR_IA32_SYSENTER_CS, pv_vmread(GUEST_SYSENTER_CS));
	wrmsrl(MSR_IA32_SYSENTER_ESP, pv_vmread(GUEST_SYSENTER_ESP));
	wrmsrl(MSR_IA32_SYSENTER_EIP, pv_vmread(GUEST_SYSENTER_EIP));

	pv_vmclear(__pa(v->vmcs));
	pv_vmx_off();

	/* The VM exit also cleared DEBUGCTL. */
	if (debugctl)
		wrmsrl_safe(MSR_IA32_DEBUGCTLMSR, debugctl);
	pv_vmx_reload_tables(&gdt, &idt, tr);
	pv_vmx_devirt(l);
}

/* Runs on the host stack from pv_host_enter() until devirtualized. */
void __noreturn pv_vmx_host_main(struct pv_lp *lp)
{
	struct pv_vp_stats *st = &lp->stats.root_vp;
	struct pv_vmx_lp *v = lp->arch;
	enum partvisor_intercept reason;
	enum pv_hc_action action;
	u64 t0, cycles;
	u32 exit;

	pv_vmwrite(GUEST_RSP, v->launch_rsp);

	for (;;) {
		if (pv_vmx_run(&v->regs, v->entered)) {
			if (v->entered)
				panic("partvisor: root VMRESUME failed on CPU %d, error %llu\n",
				      smp_processor_id(),
				      pv_vmread(VM_INSTRUCTION_ERROR));
			v->fail_error = pv_vmread(VM_INSTRUCTION_ERROR);
			pv_launch_abort(v->launch_rsp, -EIO);
		}
		exit = pv_vmread(VM_EXIT_REASON);
		if (exit & PV_EXIT_REASON_FAILED_ENTRY) {
			/* The root cannot make its state invalid later. */
			if (v->entered)
				panic("partvisor: root VM entry failed on CPU %d, reason %#x\n",
				      smp_processor_id(), exit);
			v->fail_reason = exit;
			native_write_cr3(v->launch_cr3);
			pv_launch_abort(v->launch_rsp, -EIO);
		}
		v->entered = true;
		pv_stat_add(&lp->stats.world_switches, 1);
		t0 = pv_stat_tsc();
		reason = PARTVISOR_INTERCEPT_OTHER;
		action = pv_vmx_handle_exit(lp, v, exit & 0xffff, &reason);
		cycles = pv_stat_tsc() - t0;
		pv_stat_add(&st->intercepts[reason], 1);
		pv_stat_add(&st->intercept_cycles[reason], cycles);
		pv_stat_add(&st->run_hypervisor_cycles, cycles);
		if (action == PV_HC_DISPATCH)
			v->regs.rax = pv_hc_result(pv_vmx_dispatch(lp,
								   __pa(v->vmcs)),
						   0);
		else if (action == PV_HC_DEVIRT)
			pv_vmx_leave(v);
	}
}

u64 pv_vmx_hypercall(u64 input, u64 param0, u64 param1)
{
	register u64 r8 asm("r8") = param1;
	u64 result;

	asm volatile("vmcall"
		     : "=a"(result), "+c"(input)
		     : "d"(param0), "r"(r8)
		     : "memory");
	return result;
}
