/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child VP's FPU, SSE/AVX and PKRU state around its entries, in both
 * scheduler modes (module/fpu.c).
 */
#ifndef _PV_FPU_H
#define _PV_FPU_H

#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>

#include "partition.h"

/* Linux's XCR0, the same on every CPU; 0 when Linux does not use XSAVE. */
extern u64 pv_fpu_xcr0;

void pv_fpu_init(void);
u64 pv_fpu_host_xcr0(void);
int pv_fpu_check(struct pv_vp *vp);

/* Root scheduler mode: the VP's state is the VMM thread's for a RUN. */
int pv_fpu_run_enter(struct pv_vp *vp, struct fpu_guest *gfpu);
void pv_fpu_run_leave(struct pv_vp *vp, struct fpu_guest *gfpu);

/* Every entry, both modes: interrupts off from the first to the second. */
void pv_fpu_dispatch_enter(struct pv_vp *vp);
void pv_fpu_dispatch_leave(struct pv_vp *vp);

/*
 * Host mode, right around the VP's entry: its own XCR0 while it runs,
 * when its CR4 (@cr4, what it runs with) lets it use XSAVE; XCR0 does not
 * matter to it otherwise. Only the part Linux's XCR0 enables: a VMM may
 * set components this CPU lacks (SET_VP_STATE checks the combination,
 * not the CPU), and the intersection of two valid values is valid.
 * XSETBV always exits on hardware, but QEMU's TCG runs a child's XSETBV
 * without its intercept: an XCR0 the exit finds that is not what was
 * loaded is the VP's (QEMU checked it as the CPU would), and Linux's
 * goes back before anything can use it.
 */
static __always_inline u64 pv_fpu_vp_xcr0(const struct pv_vp *vp)
{
	return vp->state.xcr0 & pv_fpu_xcr0;
}

static __always_inline void pv_fpu_xcr0_enter(struct pv_vp *vp, u64 cr4)
{
	if ((cr4 & X86_CR4_OSXSAVE) && pv_fpu_xcr0 &&
	    pv_fpu_vp_xcr0(vp) != pv_fpu_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, pv_fpu_vp_xcr0(vp));
}

static __always_inline void pv_fpu_xcr0_exit(struct pv_vp *vp)
{
	u64 xcr0;

	if (!pv_fpu_xcr0)
		return;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (xcr0 != pv_fpu_xcr0) {
		if (xcr0 != pv_fpu_vp_xcr0(vp))
			vp->state.xcr0 = xcr0;
		xsetbv(XCR_XFEATURE_ENABLED_MASK, pv_fpu_xcr0);
	}
}

#endif /* _PV_FPU_H */
