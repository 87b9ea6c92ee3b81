// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x capability probing. Decoding is kept apart from the MSR reads
 * so that KUnit can feed it the values of CPUs we do not have.
 */
#include <linux/bits.h>
#include <asm/cpufeatures.h>
#include <asm/msr.h>
#include <asm/special_insns.h>

#include "../partvisor.h"

/* Allowed-1 settings live in the high half of the control MSRs. */
#define VMX_ALLOWED1(msr, bit)		((msr) & BIT_ULL(32 + (bit)))

#define VMX_BASIC_REVISION_MASK		0x7fffffffULL
#define PIN_VIRTUAL_NMIS		5
#define PIN_PREEMPTION_TIMER		6
#define PROC_SECONDARY_CONTROLS		31
#define PROC2_EPT			1
#define PROC2_VPID			5
#define PROC2_UNRESTRICTED_GUEST	7

#define EPT_CAP_PAGE_WALK_4		BIT_ULL(6)
#define EPT_CAP_MEMTYPE_WB		BIT_ULL(14)
#define EPT_CAP_INVEPT			BIT_ULL(20)
#define VPID_CAP_INVVPID		BIT_ULL(32)

/* VPIDs are 16 bits wide and VPID 0 is the root's. */
#define VMX_NR_VPIDS			0xffff

void pv_vmx_decode_caps(const struct pv_vmx_raw *raw, struct pv_caps *caps)
{
	u64 proc2 = 0;

	caps->vendor = PARTVISOR_VENDOR_VMX;
	caps->revision = raw->basic & VMX_BASIC_REVISION_MASK;
	caps->features = 0;
	caps->nr_tlb_tags = 0;

	if (VMX_ALLOWED1(raw->pinbased, PIN_VIRTUAL_NMIS))
		caps->features |= PARTVISOR_FEAT_VNMI;
	if (VMX_ALLOWED1(raw->pinbased, PIN_PREEMPTION_TIMER))
		caps->features |= PARTVISOR_FEAT_PREEMPT_TIMER;

	/* PROCBASED_CTLS2 is only meaningful when secondary controls exist. */
	if (VMX_ALLOWED1(raw->procbased, PROC_SECONDARY_CONTROLS))
		proc2 = raw->procbased2;

	/* EPT is usable only with a 4-level walk, WB paging structures and INVEPT. */
	if (VMX_ALLOWED1(proc2, PROC2_EPT) &&
	    (raw->ept_vpid_cap & EPT_CAP_PAGE_WALK_4) &&
	    (raw->ept_vpid_cap & EPT_CAP_MEMTYPE_WB) &&
	    (raw->ept_vpid_cap & EPT_CAP_INVEPT))
		caps->features |= PARTVISOR_FEAT_NESTED_PAGING;

	if (VMX_ALLOWED1(proc2, PROC2_VPID) &&
	    (raw->ept_vpid_cap & VPID_CAP_INVVPID)) {
		caps->features |= PARTVISOR_FEAT_TAGGED_TLB;
		caps->nr_tlb_tags = VMX_NR_VPIDS;
	}

	/* Unrestricted guest requires EPT (SDM 26.2.1.1). */
	if (VMX_ALLOWED1(proc2, PROC2_UNRESTRICTED_GUEST) &&
	    (caps->features & PARTVISOR_FEAT_NESTED_PAGING))
		caps->features |= PARTVISOR_FEAT_UNRESTRICTED;
}

u32 pv_vmx_decode_state(u64 feature_control, bool cr4_vmxe)
{
	u32 state = 0;

	/* Locked without VMXON outside SMX: only a firmware change helps. */
	if ((feature_control & FEAT_CTL_LOCKED) &&
	    !(feature_control & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		state |= PARTVISOR_EXT_FW_DISABLED;
	if (cr4_vmxe)
		state |= PARTVISOR_EXT_IN_USE;
	return state;
}

/* Emulators lack some of these MSRs: a faulting read counts as "nothing". */
static u64 pv_vmx_read(u32 msr)
{
	u64 val;

	return rdmsrl_safe(msr, &val) ? 0 : val;
}

int pv_vmx_probe(struct pv_caps *caps)
{
	struct pv_vmx_raw raw = {
		.basic = pv_vmx_read(MSR_IA32_VMX_BASIC),
		.pinbased = pv_vmx_read(MSR_IA32_VMX_PINBASED_CTLS),
		.procbased = pv_vmx_read(MSR_IA32_VMX_PROCBASED_CTLS),
	};

	if (VMX_ALLOWED1(raw.procbased, PROC_SECONDARY_CONTROLS)) {
		raw.procbased2 = pv_vmx_read(MSR_IA32_VMX_PROCBASED_CTLS2);
		raw.ept_vpid_cap = pv_vmx_read(MSR_IA32_VMX_EPT_VPID_CAP);
	}
	pv_vmx_decode_caps(&raw, caps);
	return 0;
}

u32 pv_vmx_ext_state(void)
{
	return pv_vmx_decode_state(pv_vmx_read(MSR_IA32_FEAT_CTL),
				   __read_cr4() & X86_CR4_VMXE);
}
