/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child VP's debug registers (module/debugreg.c). The inline pair runs
 * in host mode right around the VP's entry.
 */
#ifndef _PV_DEBUGREG_H
#define _PV_DEBUGREG_H

#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/special_insns.h>
#include <asm/debugreg.h>

#include "partition.h"

#define PV_DR7_ENABLES	0xffULL		/* L0-L3, G0-G3 */

enum pv_resume pv_dr_access(struct pv_vp *vp, const struct pv_exit *e);

/*
 * The VP's DR0-3 are in the CPU only while its DR7 (@dr7, what the entry
 * loads) enables a breakpoint; the root's, saved in @host, come back
 * after the exit. Host mode itself runs with DR7 clear (AMD-V: set at
 * launch, kept by every #VMEXIT; VT-x: every VM exit loads 0x400), so
 * the VP's addresses never trap there.
 */
static __always_inline bool pv_dr_guest_enter(const struct pv_vp *vp,
					      u64 dr7, unsigned long *host)
{
	int i;

	if (!(dr7 & PV_DR7_ENABLES))
		return false;
	for (i = 0; i < 4; i++) {
		host[i] = native_get_debugreg(i);
		native_set_debugreg(i, vp->db[i]);
	}
	return true;
}

static __always_inline void pv_dr_guest_exit(const unsigned long *host)
{
	int i;

	for (i = 0; i < 4; i++)
		native_set_debugreg(i, host[i]);
}

#endif /* _PV_DEBUGREG_H */
