// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V nested page table entries: ordinary x86-64 page-table entries.
 * The nested walk counts as a user access, so every entry has U/S set;
 * a page without EXEC gets NX (honoured with the host's EFER.NXE).
 */
#include <asm/pgtable_types.h>

#include "../npt.h"

#define PV_NPT_AMD_ADDR		GENMASK_ULL(51, 12)

static u64 pv_npt_amd_table(phys_addr_t pa)
{
	return pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
}

static u64 pv_npt_amd_leaf(phys_addr_t pa, u32 prot)
{
	u64 e = pa | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

	if (prot & PV_NPT_WRITE)
		e |= _PAGE_RW | _PAGE_DIRTY;
	if (!(prot & PV_NPT_EXEC))
		e |= _PAGE_NX;
	return e;
}

const struct pv_npt_fmt pv_npt_fmt_amd = {
	.table = pv_npt_amd_table,
	.leaf = pv_npt_amd_leaf,
	.valid = _PAGE_PRESENT,
	.addr = PV_NPT_AMD_ADDR,
};
