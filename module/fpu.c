// SPDX-License-Identifier: GPL-2.0
/*
 * A child VP's FPU, SSE/AVX and PKRU state, kept apart from every task's.
 *
 * Root scheduler mode: the VP's XSAVE image becomes a guest fpstate that
 * replaces the VMM thread's for the whole RUN (fpu_swap_kvm_fpstate, as
 * KVM does), so Linux saves it when the thread is switched out or a
 * softirq uses the FPU, and the thread's own state comes back when RUN
 * ends. Linux restores registers lazily, though: after a context switch
 * or kernel_fpu_begin() the thread has TIF_NEED_FPU_LOAD set and the
 * registers may hold another task's state until the thread returns to
 * user space, which a thread inside RUN does not. So every entry reloads
 * them first, with interrupts off (switch_fpu_return(), as KVM's
 * vcpu_enter_guest does).
 *
 * Classic mode: a dispatch thread is a kernel thread, whose registers
 * Linux neither saves nor restores, so each dispatch loads the VP's image
 * with interrupts off inside kernel_fpu_begin() and saves it before they
 * come back on.
 *
 * PKRU is not part of either exchange: Linux keeps the current task's
 * value in the register (switched in __switch_to, which also takes the
 * register's value as the outgoing task's). Neither VT-x nor AMD-V
 * switches it, and a child with CR4.PKE can write it with WRPKRU without
 * an exit, so every entry puts the VP's value in and every exit takes it
 * out and puts the host's back, before interrupts come on again.
 *
 * XCR0 is the VP's while it runs with CR4.OSXSAVE (switched in host mode
 * around the entry, fpu.h), so that XGETBV and XSAVE in the guest see
 * what it set; Linux's is back before the root or the exchanges above
 * run. Only the components a 4 KiB standard-format image can hold are
 * exchanged.
 */
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/fpu/xcr.h>
#include <asm/pkru.h>

#include "partvisor.h"
#include "partition.h"
#include "fpu.h"

u64 pv_fpu_xcr0;

u64 pv_fpu_host_xcr0(void)
{
	/* Linux runs without XSAVE where the CPU's XSAVE looks wrong. */
	if (!cpu_feature_enabled(X86_FEATURE_OSXSAVE))
		return XFEATURE_MASK_FPSSE;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK);
}

/* The components the VP's image may hold: the host's XCR0, no PKRU. */
static u64 pv_fpu_mask(void)
{
	return pv_fpu_host_xcr0() &
	       (PARTVISOR_XCR0_VALID & ~XFEATURE_MASK_PKRU);
}

/* The MXCSR bits this CPU takes: FXSAVE's MXCSR_MASK, 0 meaning 0xffbf. */
static u32 pv_mxcsr_mask;

void pv_fpu_init(void)
{
	u8 area[512] __aligned(16) = { 0 };
	u32 mask;

	kernel_fpu_begin();
	asm volatile("fxsave64 %0" : "=m" (area));
	kernel_fpu_end();
	memcpy(&mask, area + 28, sizeof(mask));
	pv_mxcsr_mask = mask ?: 0xffbf;
	pv_fpu_xcr0 = cpu_feature_enabled(X86_FEATURE_OSXSAVE) ?
		      pv_fpu_host_xcr0() : 0;
}

/* What XRSTOR would refuse, so that it cannot fault in a dispatch. */
int pv_fpu_check(struct pv_vp *vp)
{
	const u8 *hdr = vp->xsave->region + 512;
	u64 xstate_bv;
	u32 mxcsr;

	memcpy(&xstate_bv, hdr, sizeof(xstate_bv));
	memcpy(&mxcsr, vp->xsave->region + 24, sizeof(mxcsr));
	if (cpu_feature_enabled(X86_FEATURE_OSXSAVE) &&
	    (xstate_bv & ~pv_fpu_mask()))
		return -EINVAL;
	if (mxcsr & ~pv_mxcsr_mask)
		return -EINVAL;
	/* XCOMP_BV and the rest of the header were checked by SET_XSAVE. */
	return 0;
}

int pv_fpu_run_enter(struct pv_vp *vp, struct fpu_guest *gfpu)
{
	u32 pkru = 0;
	int ret;

	if (!fpu_alloc_guest_fpstate(gfpu))
		return -ENOMEM;
	ret = fpu_copy_uabi_to_guest_fpstate(gfpu, vp->xsave->region,
					     pv_fpu_mask(), &pkru);
	if (ret) {
		fpu_free_guest_fpstate(gfpu);
		return ret;
	}
	fpu_swap_kvm_fpstate(gfpu, true);
	return 0;
}

void pv_fpu_run_leave(struct pv_vp *vp, struct fpu_guest *gfpu)
{
	fpu_swap_kvm_fpstate(gfpu, false);
	fpu_copy_guest_fpstate_to_uabi(gfpu, vp->xsave->region,
				       sizeof(vp->xsave->region),
				       pv_fpu_mask(), 0);
	fpu_free_guest_fpstate(gfpu);
}

static void pv_fpu_classic_load(struct pv_vp *vp)
{
	u64 rfbm = pv_fpu_mask();
	u8 *img = vp->xsave->region;

	kernel_fpu_begin();
	/* RUN checked the image against rfbm: XRSTOR cannot fault. */
	if (cpu_feature_enabled(X86_FEATURE_OSXSAVE))
		asm volatile("xrstor64 %0"
			     : : "m" (*img), "a" ((u32)rfbm),
			       "d" ((u32)(rfbm >> 32)) : "memory");
	else
		asm volatile("fxrstor64 %0" : : "m" (*img) : "memory");
}

static void pv_fpu_classic_save(struct pv_vp *vp)
{
	u64 rfbm = pv_fpu_mask();
	u8 *img = vp->xsave->region;

	if (cpu_feature_enabled(X86_FEATURE_OSXSAVE))
		asm volatile("xsave64 %0"
			     : "+m" (*img) : "a" ((u32)rfbm),
			       "d" ((u32)(rfbm >> 32)) : "memory");
	else
		asm volatile("fxsave64 %0" : "+m" (*img) : : "memory");
	kernel_fpu_end();
}

void pv_fpu_dispatch_enter(struct pv_vp *vp)
{
	lockdep_assert_irqs_disabled();
	if (vp->cl.fpu)
		pv_fpu_classic_load(vp);
	else if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		vp->host_pkru = rdpkru();
		if (vp->pkru != vp->host_pkru)
			wrpkru(vp->pkru);
	}
}

void pv_fpu_dispatch_leave(struct pv_vp *vp)
{
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		vp->pkru = rdpkru();
		if (vp->pkru != vp->host_pkru)
			wrpkru(vp->host_pkru);
	}
	if (vp->cl.fpu)
		pv_fpu_classic_save(vp);
}
