/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child VP's FPU, SSE/AVX and PKRU state around its entries, in both
 * scheduler modes (module/fpu.c).
 */
#ifndef _PV_FPU_H
#define _PV_FPU_H

#include <linux/types.h>
#include <asm/fpu/api.h>

struct pv_vp;

void pv_fpu_init(void);
u64 pv_fpu_host_xcr0(void);
int pv_fpu_check(struct pv_vp *vp);

/* Root scheduler mode: the VP's state is the VMM thread's for a RUN. */
int pv_fpu_run_enter(struct pv_vp *vp, struct fpu_guest *gfpu);
void pv_fpu_run_leave(struct pv_vp *vp, struct fpu_guest *gfpu);

/* Every entry, both modes: interrupts off from the first to the second. */
void pv_fpu_dispatch_enter(struct pv_vp *vp);
void pv_fpu_dispatch_leave(struct pv_vp *vp);

#endif /* _PV_FPU_H */
