/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Speculation hygiene around a child's runs (module/spec.c explains each
 * measure). The inline pair runs in host mode right around a child's
 * VMRUN/VMLAUNCH; the rest on the root side.
 */
#ifndef _PV_SPEC_H
#define _PV_SPEC_H

#include <linux/types.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "partvisor.h"
#include "partition.h"

extern bool pv_spec_hygiene;
extern u8 pv_spec_rsb_fill;	/* read by the entry assembly */
extern bool pv_spec_verw, pv_spec_l1d;

void pv_spec_init(void);
void pv_spec_dispatch(struct pv_lp *lp, struct pv_vp *vp);
bool pv_spec_msr(struct pv_vp *vp, const struct pv_exit *e);

/* Host mode, before the VP's entry: its SPEC_CTRL, and flushes. */
static __always_inline void pv_spec_guest_enter(struct pv_lp *lp,
						struct pv_vp *vp, bool vmx)
{
	if (vp->spec_ctrl != lp->host_spec_ctrl)
		__wrmsr(MSR_IA32_SPEC_CTRL, (u32)vp->spec_ctrl,
			vp->spec_ctrl >> 32);
	if (vmx && pv_spec_l1d)
		__wrmsr(MSR_IA32_FLUSH_CMD, L1D_FLUSH, 0);
	else if (pv_spec_verw)
		x86_clear_cpu_buffers();
}

/* ...and right after its exit: the host's value back. */
static __always_inline void pv_spec_guest_exit(struct pv_lp *lp,
					       struct pv_vp *vp)
{
	if (vp->spec_ctrl != lp->host_spec_ctrl)
		__wrmsr(MSR_IA32_SPEC_CTRL, (u32)lp->host_spec_ctrl,
			lp->host_spec_ctrl >> 32);
}

#endif /* _PV_SPEC_H */
