// SPDX-License-Identifier: GPL-2.0
/*
 * A child's CR0 writes where partvisor performs them instead of the CPU
 * (AMD-V, while the VP's EFER.LME is set: module/svm/child.c says why).
 * The checks are the CPU's: #GP(0) for bits 63:32, PG without PE, NW
 * without CD, paging turned on in long mode without PAE or with CS.L
 * set, and paging turned off in 64-bit mode. Bits CR0 does not define
 * read as zero, ET as one. No dependencies, so KUnit builds it alone.
 */
#include <linux/errno.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "emulate.h"

#define PV_CR0_DEFINED	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define PV_CR0_LMSW_BITS	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS)

int pv_cr0_next(u64 cr0, u64 cr4, u64 efer, bool cs_l, enum pv_cr0_op op,
		u64 src, u64 *new_cr0, u64 *new_efer)
{
	u64 val;

	switch (op) {
	case PV_CR0_MOV:
		val = src;
		break;
	case PV_CR0_LMSW:
		/* LMSW sets PE but never clears it. */
		val = (cr0 & ~(PV_CR0_LMSW_BITS & ~X86_CR0_PE)) |
		      (src & PV_CR0_LMSW_BITS);
		break;
	case PV_CR0_CLTS:
		val = cr0 & ~X86_CR0_TS;
		break;
	default:
		return -EINVAL;
	}
	if (val >> 32)
		return -EINVAL;
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return -EINVAL;
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return -EINVAL;
	*new_efer = efer;
	if ((val & ~cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(cr4 & X86_CR4_PAE) || cs_l)
			return -EINVAL;
		*new_efer |= EFER_LMA;
	} else if ((cr0 & ~val & X86_CR0_PG) && (efer & EFER_LMA)) {
		if (cs_l)
			return -EINVAL;
		*new_efer &= ~EFER_LMA;
	}
	*new_cr0 = (val & PV_CR0_DEFINED) | X86_CR0_ET;
	return 0;
}
