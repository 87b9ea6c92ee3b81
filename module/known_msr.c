// SPDX-License-Identifier: GPL-2.0
/*
 * The architectural MSRs of a child VP partvisor keeps itself: EFER, the
 * SYSCALL/SYSENTER MSRs, FS/GS bases, KERNEL_GS_BASE, PAT, the TSC and
 * TSC_AUX.
 * Between dispatches the VP's registers are its state, as the VMM sees
 * them with GET_VP_STATE; RDMSR and WRMSR go through that view, checked
 * as the CPU would check them.
 */
#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "partition.h"
#include "vendor.h"

bool pv_canonical(u64 va)
{
	return ((s64)(va << 16) >> 16) == (s64)va;
}

/* The slot of an MSR that is a plain address or value in the state. */
static u64 *pv_known_msr_slot(struct partvisor_vp_state *s, u32 index,
			      bool *addr)
{
	*addr = true;
	switch (index) {
	case MSR_LSTAR:
		return &s->lstar;
	case MSR_CSTAR:
		return &s->cstar;
	case MSR_KERNEL_GS_BASE:
		return &s->kernel_gs_base;
	case MSR_FS_BASE:
		return &s->fs.base;
	case MSR_GS_BASE:
		return &s->gs.base;
	case MSR_IA32_SYSENTER_ESP:
		return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &s->sysenter_eip;
	}
	*addr = false;
	switch (index) {
	case MSR_STAR:
		return &s->star;
	}
	return NULL;
}

static bool pv_known_msr_read(struct partvisor_vp_state *s, u32 index,
			      u64 *val)
{
	bool addr;
	u64 *slot = pv_known_msr_slot(s, index, &addr);

	if (slot) {
		*val = *slot;
		return true;
	}
	switch (index) {
	case MSR_EFER:
		*val = s->efer;
		return true;
	case MSR_SYSCALL_MASK:
		*val = s->sfmask;
		return true;
	case MSR_IA32_SYSENTER_CS:
		*val = s->sysenter_cs;
		return true;
	case MSR_IA32_CR_PAT:
		*val = s->pat;
		return true;
	case MSR_IA32_TSC:
		/* The children run with a TSC offset of zero. */
		*val = rdtsc();
		return true;
	}
	return false;
}

/* False: #GP. */
static bool pv_known_msr_write(struct partvisor_vp_state *s, u32 index,
			       u64 val)
{
	u64 efer_ok = EFER_SCE | EFER_LME | EFER_LMA;
	bool addr;
	u64 *slot = pv_known_msr_slot(s, index, &addr);

	if (slot) {
		if (addr && !pv_canonical(val))
			return false;
		*slot = val;
		return true;
	}
	switch (index) {
	case MSR_EFER:
		if (boot_cpu_has(X86_FEATURE_NX))
			efer_ok |= EFER_NX;
		if (val & ~efer_ok)
			return false;
		/* Long mode is entered and left with paging off. */
		if ((s->cr0 & X86_CR0_PG) && ((val ^ s->efer) & EFER_LME))
			return false;
		/* LMA is the CPU's: a write does not change it. */
		s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA);
		return true;
	case MSR_SYSCALL_MASK:
		if (val >> 32)
			return false;
		s->sfmask = val;
		return true;
	case MSR_IA32_SYSENTER_CS:
		if (val >> 32)
			return false;
		s->sysenter_cs = val;
		return true;
	case MSR_IA32_CR_PAT:
		if (!pv_pat_ok(val))
			return false;
		s->pat = val;
		return true;
	case MSR_IA32_TSC:
		/* Read only: the VP's TSC is the host's. */
		return false;
	}
	return false;
}

/*
 * TSC_AUX, which RDTSCP and RDPID read: the VP's own, 0 at creation, and
 * never the host CPU's number (AMD-V loads it for each run; VT-x gives a
 * child no RDTSCP or RDPID). Bits 63:32 are reserved.
 */
static bool pv_tsc_aux_msr(struct pv_vp *vp, const struct pv_exit *e)
{
	u64 val = pv_vp_reg_pair(vp, PV_REG_RDX, PV_REG_RAX);
	bool ok = true;

	if (e->kind == PV_EXIT_MSR_WRITE) {
		ok = !(val >> 32);
		if (ok)
			vp->tsc_aux = val;
	} else {
		pv_vp_set_edx_eax(vp, vp->tsc_aux);
	}
	pv_vendor->vp_resume(vp, e, ok ? PV_RESUME_SKIP : PV_RESUME_GP);
	return true;
}

/*
 * RDMSR/WRMSR of one of the MSRs above: done, or #GP, and true. False for
 * any other MSR (the VMM's).
 */
bool pv_known_msr(struct pv_vp *vp, const struct pv_exit *e)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct partvisor_vp_state *s = &vp->state;
	u32 index = *ops->vp_gpr(vp, PV_REG_RCX);
	bool ok;
	u64 val;

	if (index == MSR_TSC_AUX)
		return pv_tsc_aux_msr(vp, e);
	if (!pv_known_msr_read(s, index, &val))
		return false;
	/* The run's registers into the state, and back after the access. */
	ops->vp_store(vp);
	if (e->kind == PV_EXIT_MSR_WRITE) {
		ok = pv_known_msr_write(s, index,
					(s->rdx << 32) | (u32)s->rax);
	} else {
		ok = pv_known_msr_read(s, index, &val);
		s->rax = (u32)val;
		s->rdx = val >> 32;
	}
	ops->vp_load(vp);
	ops->vp_resume(vp, e, ok ? PV_RESUME_SKIP : PV_RESUME_GP);
	return true;
}
