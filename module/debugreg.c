// SPDX-License-Identifier: GPL-2.0
/*
 * A child VP's debug registers. Nothing switches DR0-3 between the root
 * and a child, so they hold the root's breakpoints (ptrace, perf, kgdb)
 * while a child runs: every access to them exits (AMD-V intercepts
 * DR0-3 and DR7 writes, VT-x every MOV DR) and works on the VP's own
 * copies here, which go into the CPU only for runs whose DR7 enables a
 * breakpoint (debugreg.h); since DR7 writes exit, the run after the one
 * that enabled it has them. A child therefore never reads the root's
 * addresses, and its DR7 never arms them. DR6 and DR7 are the VP's own in
 * the CPU: on AMD-V the VMCB switches both; on VT-x DR7 is in the VMCS,
 * DR6 is switched by hand around each run, and their MOVs are emulated.
 */
#include <asm/processor-flags.h>

#include "debugreg.h"
#include "vendor.h"

#define PV_DR6_WRITABLE	(DR_TRAP_BITS | DR_STEP | DR_SWITCH | BIT(13))
#define PV_DR7_ZERO	(BIT(11) | BIT(12) | BIT(14) | BIT(15))
#define PV_DR7_ONE	BIT(10)

/* MOV to or from DR@e->dr.num: how the VP resumes (SKIP, #GP or #UD). */
enum pv_resume pv_dr_access(struct pv_vp *vp, const struct pv_exit *e)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct partvisor_vp_state *s = &vp->state;
	u64 *reg = ops->vp_gpr(vp, e->dr.gpr);
	/* Outside 64-bit mode the upper half is neither read nor kept. */
	u64 val = e->dr.wide ? *reg : (u32)*reg;
	unsigned int num = e->dr.num;

	/* The CPU checks this before the intercept; a second look costs nothing. */
	if (ops->vp_cpl(vp))
		return PV_RESUME_GP;
	if (num < 4) {
		if (e->dr.write)
			vp->db[num] = val;
		else
			*reg = e->dr.wide ? vp->db[num] : (u32)vp->db[num];
		return PV_RESUME_SKIP;
	}
	/* DR4-6 exit on VT-x only; the state has CR4 and DR7. */
	ops->vp_store(vp);
	if (num == 4 || num == 5) {
		if (s->cr4 & X86_CR4_DE)
			return PV_RESUME_UD;
		num += 2;
	}
	if (e->dr.write && (val >> 32))
		return PV_RESUME_GP;
	if (num == 6 && e->dr.write)
		vp->dr6 = (val & PV_DR6_WRITABLE) | DR6_RESERVED;
	else if (e->dr.write)
		s->dr7 = (val & ~PV_DR7_ZERO) | PV_DR7_ONE;
	else
		val = num == 6 ? vp->dr6 : s->dr7;
	/* DR7 into the run's state, then the register read. */
	ops->vp_load(vp);
	if (!e->dr.write)
		*reg = val;
	return PV_RESUME_SKIP;
}
