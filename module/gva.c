// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-virtual to guest-physical translation for what the root driver
 * emulates on a VP's behalf: a software walk of the VP's own page tables
 * in whichever paging mode it runs (none, 32-bit, PAE, 4- or 5-level),
 * with the present, write, user and no-execute checks the CPU makes.
 * Entries are read through a callback, so the walk knows nothing of how
 * guest memory is reached. SMEP, SMAP and protection keys are not
 * checked; the segment base is the caller's.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "emulate.h"

#define PV_PTE_P		BIT_ULL(0)
#define PV_PTE_RW		BIT_ULL(1)
#define PV_PTE_US		BIT_ULL(2)
#define PV_PTE_PS		BIT_ULL(7)
#define PV_PTE_NX		BIT_ULL(63)
#define PV_PTE_ADDR		GENMASK_ULL(51, 12)
#define PV_PTE32_ADDR		GENMASK_ULL(31, 12)
#define PV_PDE32_4M		GENMASK_ULL(31, 22)
/* PAE PDPTEs: bits 2:1, 8:5 and 63 are reserved. */
#define PV_PDPTE_RSVD		(GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5) | BIT_ULL(63))

static int pv_gva_fault(u32 access, u32 why, bool nxe, u32 *pf_code)
{
	u32 code = (access & (PV_PF_WRITE | PV_PF_USER)) | why;

	/* The instruction-fetch bit exists where fetches can fault. */
	if ((access & PV_PF_FETCH) && nxe)
		code |= PV_PF_FETCH;
	*pf_code = code;
	return -EFAULT;
}

int pv_gva_translate(const struct pv_gva_walk *w, u64 gva, u32 access,
		     u64 *gpa, u32 *pf_code)
{
	bool nxe = w->efer & EFER_NX, lma = w->efer & EFER_LMA;
	bool writable = true, user = true, nx = false, large = false;
	unsigned int level, levels, esize, bits, shift = 12;
	u64 table, addr, e = 0;

	if (!(w->cr0 & X86_CR0_PG)) {
		*gpa = lma ? gva : (u32)gva;
		return 0;
	}
	if (lma) {
		levels = w->cr4 & X86_CR4_LA57 ? 5 : 4;
		esize = 8;
		table = w->cr3 & PV_PTE_ADDR;
	} else if (w->cr4 & X86_CR4_PAE) {
		gva = (u32)gva;
		addr = (w->cr3 & GENMASK_ULL(31, 5)) + ((gva >> 30) & 3) * 8;
		if (w->read(w->ctx, addr, &e, 8)) {
			*gpa = addr;
			return -ENXIO;
		}
		if (!(e & PV_PTE_P))
			return pv_gva_fault(access, 0, nxe, pf_code);
		if (e & PV_PDPTE_RSVD)
			return pv_gva_fault(access, PV_PF_PRESENT | PV_PF_RSVD,
					    nxe, pf_code);
		levels = 2;
		esize = 8;
		table = e & PV_PTE_ADDR;
	} else {
		gva = (u32)gva;
		levels = 2;
		esize = 4;
		table = w->cr3 & PV_PTE32_ADDR;
	}
	bits = esize == 8 ? 9 : 10;

	for (level = levels; level; level--) {
		shift = 12 + bits * (level - 1);
		addr = table + ((gva >> shift) & (BIT_ULL(bits) - 1)) * esize;
		e = 0;
		if (w->read(w->ctx, addr, &e, esize)) {
			*gpa = addr;
			return -ENXIO;
		}
		if (!(e & PV_PTE_P))
			return pv_gva_fault(access, 0, nxe, pf_code);
		if ((e & PV_PTE_NX) && !nxe)
			return pv_gva_fault(access, PV_PF_PRESENT | PV_PF_RSVD,
					    nxe, pf_code);
		writable &= !!(e & PV_PTE_RW);
		user &= !!(e & PV_PTE_US);
		nx |= !!(e & PV_PTE_NX);
		if (level > 1 && (e & PV_PTE_PS)) {
			/* 4M pages need CR4.PSE; PS is reserved above 1G. */
			if (esize == 4 && !(w->cr4 & X86_CR4_PSE)) {
				e &= ~PV_PTE_PS;
			} else if (level > 3) {
				return pv_gva_fault(access,
						    PV_PF_PRESENT | PV_PF_RSVD,
						    nxe, pf_code);
			} else {
				large = true;
				break;
			}
		}
		if (level == 1)
			break;
		table = e & (esize == 8 ? PV_PTE_ADDR : PV_PTE32_ADDR);
	}

	if (((access & PV_PF_USER) && !user) ||
	    ((access & PV_PF_WRITE) && !writable &&
	     ((access & PV_PF_USER) || (w->cr0 & X86_CR0_WP))) ||
	    ((access & PV_PF_FETCH) && nx))
		return pv_gva_fault(access, PV_PF_PRESENT, nxe, pf_code);

	if (!large)
		addr = e & (esize == 8 ? PV_PTE_ADDR : PV_PTE32_ADDR);
	else if (esize == 4)	/* PSE-36: PDE bits 20:13 are address bits 39:32 */
		addr = (e & PV_PDE32_4M) | (((e >> 13) & 0xff) << 32);
	else
		addr = e & PV_PTE_ADDR & ~(BIT_ULL(shift) - 1);
	*gpa = addr | (gva & (BIT_ULL(shift) - 1));
	return 0;
}
