// SPDX-License-Identifier: GPL-2.0
/*
 * Intel EPT entries: read, write and execute bits of their own, and a
 * memory type in leaves. Guest memory is ordinary RAM: write-back, with
 * the guest's PAT applied on top (IPAT clear), as on bare metal.
 */
#include <asm/mtrr.h>
#include <asm/vmx.h>

#include "../npt.h"

#define PV_EPT_ADDR		GENMASK_ULL(51, 12)

static u64 pv_ept_table(phys_addr_t pa)
{
	return pa | VMX_EPT_RWX_MASK;
}

static u64 pv_ept_leaf(phys_addr_t pa, u32 prot)
{
	u64 e = pa | VMX_EPT_READABLE_MASK |
		(u64)MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT;

	if (prot & PV_NPT_WRITE)
		e |= VMX_EPT_WRITABLE_MASK;
	if (prot & PV_NPT_EXEC)
		e |= VMX_EPT_EXECUTABLE_MASK;
	return e;
}

const struct pv_npt_fmt pv_npt_fmt_ept = {
	.table = pv_ept_table,
	.leaf = pv_ept_leaf,
	.valid = VMX_EPT_RWX_MASK,
	.addr = PV_EPT_ADDR,
};
