// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V capability probing. Decoding is kept apart from the register reads
 * so that KUnit can feed it the values of CPUs we do not have.
 */
#include <linux/bits.h>
#include <asm/cpufeatures.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "../partvisor.h"

#define SVM_CPUID_LEAF			0x8000000a
#define SVM_EDX_NP			BIT(0)
#define SVM_EDX_NRIPS			BIT(3)
#define SVM_EDX_VMCB_CLEAN		BIT(5)
#define SVM_EDX_FLUSH_BY_ASID		BIT(6)
#define SVM_EDX_DECODE_ASSISTS		BIT(7)
#define SVM_EDX_VGIF			BIT(16)

#define PV_MSR_VM_CR			0xc0010114
#define VM_CR_SVMDIS			BIT_ULL(4)
#define PV_EFER_SVME			BIT_ULL(12)

void pv_svm_decode_caps(const struct pv_svm_raw *raw, struct pv_caps *caps)
{
	static const struct {
		u32 edx;
		u64 feat;
	} map[] = {
		{ SVM_EDX_NP,		  PARTVISOR_FEAT_NESTED_PAGING },
		{ SVM_EDX_NRIPS,	  PARTVISOR_FEAT_NRIPS },
		{ SVM_EDX_VMCB_CLEAN,	  PARTVISOR_FEAT_VMCB_CLEAN },
		{ SVM_EDX_FLUSH_BY_ASID,  PARTVISOR_FEAT_FLUSH_BY_ASID },
		{ SVM_EDX_DECODE_ASSISTS, PARTVISOR_FEAT_DECODE_ASSISTS },
		{ SVM_EDX_VGIF,		  PARTVISOR_FEAT_VGIF },
	};
	u32 nasid = raw->cpuid_8000000a_ebx;
	unsigned int i;

	caps->vendor = PARTVISOR_VENDOR_SVM;
	caps->revision = raw->cpuid_8000000a_eax & 0xff;
	caps->features = 0;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (raw->cpuid_8000000a_edx & map[i].edx)
			caps->features |= map[i].feat;

	/* ASID 0 belongs to the host; guests need at least one other. */
	caps->nr_tlb_tags = nasid > 1 ? nasid - 1 : 0;
	if (caps->nr_tlb_tags)
		caps->features |= PARTVISOR_FEAT_TAGGED_TLB;
}

u32 pv_svm_decode_state(u64 vm_cr, u64 efer)
{
	u32 state = 0;

	if (vm_cr & VM_CR_SVMDIS)
		state |= PARTVISOR_EXT_FW_DISABLED;
	if (efer & PV_EFER_SVME)
		state |= PARTVISOR_EXT_IN_USE;
	return state;
}

int pv_svm_probe(struct pv_caps *caps)
{
	struct pv_svm_raw raw = {};

	if (cpuid_eax(0x80000000) >= SVM_CPUID_LEAF) {
		raw.cpuid_8000000a_eax = cpuid_eax(SVM_CPUID_LEAF);
		raw.cpuid_8000000a_ebx = cpuid_ebx(SVM_CPUID_LEAF);
		raw.cpuid_8000000a_edx = cpuid_edx(SVM_CPUID_LEAF);
	}
	pv_svm_decode_caps(&raw, caps);
	return 0;
}

u32 pv_svm_ext_state(void)
{
	u64 vm_cr = 0, efer = 0;

	/* Some emulators lack VM_CR; treat a faulting read as "not disabled". */
	if (rdmsrl_safe(PV_MSR_VM_CR, &vm_cr))
		vm_cr = 0;
	rdmsrl(MSR_EFER, efer);
	return pv_svm_decode_state(vm_cr, efer);
}
