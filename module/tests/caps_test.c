// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for capability decoding. The units under test are compiled
 * into this module directly so that partvisor.ko exports nothing for tests.
 */
#include <kunit/test.h>

#include "../caps.c"
#include "../svm/caps.c"
#include "../vmx/caps.c"

#define FEAT(x)	PARTVISOR_FEAT_##x

/* QEMU TCG -cpu max: NPT and vGIF, but no NRIPS or decode assists. */
static void svm_decode_qemu_tcg(struct kunit *test)
{
	struct pv_svm_raw raw = {
		.cpuid_8000000a_eax = 1,
		.cpuid_8000000a_ebx = 16,
		.cpuid_8000000a_edx = SVM_EDX_NP | SVM_EDX_VGIF,
	};
	struct pv_caps caps;

	memset(&caps, 0xa5, sizeof(caps));
	pv_svm_decode_caps(&raw, &caps);
	KUNIT_EXPECT_EQ(test, caps.vendor, PARTVISOR_VENDOR_SVM);
	KUNIT_EXPECT_EQ(test, caps.revision, 1);
	KUNIT_EXPECT_EQ(test, caps.nr_tlb_tags, 15);
	KUNIT_EXPECT_EQ(test, caps.features,
			FEAT(NESTED_PAGING) | FEAT(TAGGED_TLB) | FEAT(VGIF));
}

/* Bochs "ryzen" and real Zen parts: the assists QEMU TCG lacks. */
static void svm_decode_ryzen(struct kunit *test)
{
	struct pv_svm_raw raw = {
		.cpuid_8000000a_eax = 0x101,
		.cpuid_8000000a_ebx = 0x8000,
		.cpuid_8000000a_edx = SVM_EDX_NP | SVM_EDX_NRIPS |
				      SVM_EDX_VMCB_CLEAN |
				      SVM_EDX_FLUSH_BY_ASID |
				      SVM_EDX_DECODE_ASSISTS | BIT(10),
	};
	struct pv_caps caps;

	pv_svm_decode_caps(&raw, &caps);
	KUNIT_EXPECT_EQ(test, caps.revision, 1);
	KUNIT_EXPECT_EQ(test, caps.nr_tlb_tags, 0x7fff);
	KUNIT_EXPECT_EQ(test, caps.features,
			FEAT(NESTED_PAGING) | FEAT(TAGGED_TLB) | FEAT(NRIPS) |
			FEAT(VMCB_CLEAN) | FEAT(FLUSH_BY_ASID) |
			FEAT(DECODE_ASSISTS));
}

/* One ASID is the host's: a CPU reporting 0 or 1 has none for guests. */
static void svm_decode_no_guest_asid(struct kunit *test)
{
	struct pv_svm_raw raw = { .cpuid_8000000a_ebx = 1 };
	struct pv_caps caps;

	pv_svm_decode_caps(&raw, &caps);
	KUNIT_EXPECT_EQ(test, caps.nr_tlb_tags, 0);
	KUNIT_EXPECT_EQ(test, caps.features, 0);

	raw.cpuid_8000000a_ebx = 0;
	pv_svm_decode_caps(&raw, &caps);
	KUNIT_EXPECT_EQ(test, caps.nr_tlb_tags, 0);
}

static void svm_decode_state(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pv_svm_decode_state(0, 0), 0);
	KUNIT_EXPECT_EQ(test, pv_svm_decode_state(VM_CR_SVMDIS, 0),
			PARTVISOR_EXT_FW_DISABLED);
	KUNIT_EXPECT_EQ(test, pv_svm_decode_state(0, PV_EFER_SVME),
			PARTVISOR_EXT_IN_USE);
	/* Other VM_CR and EFER bits (LME, LMA, NXE) mean nothing here. */
	KUNIT_EXPECT_EQ(test, pv_svm_decode_state(~VM_CR_SVMDIS,
						  ~PV_EFER_SVME), 0);
}

#define ALLOW1(bit)	BIT_ULL(32 + (bit))

/* Bochs corei7_skylake_x, as far as partvisor looks. */
static const struct pv_vmx_raw skylake = {
	.basic = (1ULL << 55) | (4096ULL << 32) | 0x2b,
	.pinbased = ALLOW1(0) | ALLOW1(3) | ALLOW1(PIN_VIRTUAL_NMIS) |
		    ALLOW1(PIN_PREEMPTION_TIMER) | 0x16,
	.procbased = ALLOW1(PROC_SECONDARY_CONTROLS) | ALLOW1(7) | 0x0401e172,
	.procbased2 = ALLOW1(PROC2_EPT) | ALLOW1(PROC2_VPID) |
		      ALLOW1(PROC2_UNRESTRICTED_GUEST) | ALLOW1(3),
	.ept_vpid_cap = EPT_CAP_PAGE_WALK_4 | EPT_CAP_MEMTYPE_WB |
			EPT_CAP_INVEPT | VPID_CAP_INVVPID | BIT_ULL(16),
};

static void vmx_decode_skylake(struct kunit *test)
{
	struct pv_caps caps;

	memset(&caps, 0xa5, sizeof(caps));
	pv_vmx_decode_caps(&skylake, &caps);
	KUNIT_EXPECT_EQ(test, caps.vendor, PARTVISOR_VENDOR_VMX);
	KUNIT_EXPECT_EQ(test, caps.revision, 0x2b);
	KUNIT_EXPECT_EQ(test, caps.nr_tlb_tags, 0xffff);
	KUNIT_EXPECT_EQ(test, caps.features,
			FEAT(NESTED_PAGING) | FEAT(TAGGED_TLB) |
			FEAT(PREEMPT_TIMER) | FEAT(UNRESTRICTED) | FEAT(VNMI));
}

/* Bit 31 of the basic MSR is reserved and must not leak into the revision. */
static void vmx_decode_revision_mask(struct kunit *test)
{
	struct pv_vmx_raw raw = { .basic = 0x80000004ULL };
	struct pv_caps caps;

	pv_vmx_decode_caps(&raw, &caps);
	KUNIT_EXPECT_EQ(test, caps.revision, 4);
}

/* Secondary controls that cannot be activated offer nothing. */
static void vmx_decode_no_secondary(struct kunit *test)
{
	struct pv_vmx_raw raw = skylake;
	struct pv_caps caps;

	raw.procbased &= ~ALLOW1(PROC_SECONDARY_CONTROLS);
	pv_vmx_decode_caps(&raw, &caps);
	KUNIT_EXPECT_EQ(test, caps.features,
			FEAT(PREEMPT_TIMER) | FEAT(VNMI));
	KUNIT_EXPECT_EQ(test, caps.nr_tlb_tags, 0);
}

/* EPT without the walk length, memory type or INVEPT we need is no EPT. */
static void vmx_decode_ept_requirements(struct kunit *test)
{
	static const u64 needed[] = {
		EPT_CAP_PAGE_WALK_4, EPT_CAP_MEMTYPE_WB, EPT_CAP_INVEPT,
	};
	struct pv_vmx_raw raw;
	struct pv_caps caps;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(needed); i++) {
		raw = skylake;
		raw.ept_vpid_cap &= ~needed[i];
		pv_vmx_decode_caps(&raw, &caps);
		KUNIT_EXPECT_FALSE(test, caps.features & FEAT(NESTED_PAGING));
		/* Unrestricted guest depends on EPT. */
		KUNIT_EXPECT_FALSE(test, caps.features & FEAT(UNRESTRICTED));
		KUNIT_EXPECT_TRUE(test, caps.features & FEAT(TAGGED_TLB));
	}

	raw = skylake;
	raw.ept_vpid_cap &= ~VPID_CAP_INVVPID;
	pv_vmx_decode_caps(&raw, &caps);
	KUNIT_EXPECT_FALSE(test, caps.features & FEAT(TAGGED_TLB));
	KUNIT_EXPECT_EQ(test, caps.nr_tlb_tags, 0);
	KUNIT_EXPECT_TRUE(test, caps.features & FEAT(NESTED_PAGING));
}

/* Allowed-0 bits (low half) must never be read as capabilities. */
static void vmx_decode_ignores_allowed0(struct kunit *test)
{
	struct pv_vmx_raw raw = {
		.pinbased = 0xffffffffULL,
		.procbased = 0xffffffffULL,
		.procbased2 = 0xffffffffULL,
		.ept_vpid_cap = ~0ULL,
	};
	struct pv_caps caps;

	pv_vmx_decode_caps(&raw, &caps);
	KUNIT_EXPECT_EQ(test, caps.features, 0);
}

static void vmx_decode_state(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pv_vmx_decode_state(0, false), 0);
	KUNIT_EXPECT_EQ(test, pv_vmx_decode_state(FEAT_CTL_LOCKED, false),
			PARTVISOR_EXT_FW_DISABLED);
	KUNIT_EXPECT_EQ(test,
			pv_vmx_decode_state(FEAT_CTL_LOCKED |
					    FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX,
					    false), 0);
	/* Enabled only inside SMX is still disabled for us. */
	KUNIT_EXPECT_EQ(test, pv_vmx_decode_state(FEAT_CTL_LOCKED | BIT(1),
						  false),
			PARTVISOR_EXT_FW_DISABLED);
	KUNIT_EXPECT_EQ(test, pv_vmx_decode_state(0, true),
			PARTVISOR_EXT_IN_USE);
}

static void vendor_select(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pv_vendor_select(CPUID_1_ECX_VMX, 0),
			PARTVISOR_VENDOR_VMX);
	KUNIT_EXPECT_EQ(test, pv_vendor_select(0, CPUID_80000001_ECX_SVM),
			PARTVISOR_VENDOR_SVM);
	/* Both bits: VT-x, as on the Intel CPUs that could show both. */
	KUNIT_EXPECT_EQ(test, pv_vendor_select(CPUID_1_ECX_VMX,
					       CPUID_80000001_ECX_SVM),
			PARTVISOR_VENDOR_VMX);
	KUNIT_EXPECT_EQ(test, pv_vendor_select((u32)~CPUID_1_ECX_VMX,
					       (u32)~CPUID_80000001_ECX_SVM),
			PARTVISOR_VENDOR_NONE);
}

static void caps_to_info(struct kunit *test)
{
	const struct pv_caps caps = {
		.vendor = PARTVISOR_VENDOR_SVM,
		.revision = 1,
		.nr_tlb_tags = 15,
		.features = FEAT(NESTED_PAGING) | BIT_ULL(63),
	};
	struct partvisor_info info;
	unsigned int i;

	memset(&info, 0xff, sizeof(info));
	pv_caps_to_info(&caps, PARTVISOR_EXT_IN_USE | BIT(31), 4, &info);
	KUNIT_EXPECT_EQ(test, info.abi_version, PARTVISOR_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, info.vendor, PARTVISOR_VENDOR_SVM);
	KUNIT_EXPECT_STREQ(test, info.module_version, PV_MODULE_VERSION);
	/* Bits the ABI does not define are never reported. */
	KUNIT_EXPECT_EQ(test, info.features, FEAT(NESTED_PAGING));
	KUNIT_EXPECT_EQ(test, info.ext_state, PARTVISOR_EXT_IN_USE);
	KUNIT_EXPECT_EQ(test, info.nr_cpus, 4);
	KUNIT_EXPECT_EQ(test, info.nr_tlb_tags, 15);
	KUNIT_EXPECT_EQ(test, info.revision, 1);
	for (i = 0; i < ARRAY_SIZE(info.reserved); i++)
		KUNIT_EXPECT_EQ(test, info.reserved[i], 0);
}

static void vendor_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, pv_vendor_name(PARTVISOR_VENDOR_VMX), "vmx");
	KUNIT_EXPECT_STREQ(test, pv_vendor_name(PARTVISOR_VENDOR_SVM), "svm");
	KUNIT_EXPECT_STREQ(test, pv_vendor_name(PARTVISOR_VENDOR_NONE), "none");
	KUNIT_EXPECT_STREQ(test, pv_vendor_name(77), "none");
}

static struct kunit_case pv_caps_cases[] = {
	KUNIT_CASE(svm_decode_qemu_tcg),
	KUNIT_CASE(svm_decode_ryzen),
	KUNIT_CASE(svm_decode_no_guest_asid),
	KUNIT_CASE(svm_decode_state),
	KUNIT_CASE(vmx_decode_skylake),
	KUNIT_CASE(vmx_decode_revision_mask),
	KUNIT_CASE(vmx_decode_no_secondary),
	KUNIT_CASE(vmx_decode_ept_requirements),
	KUNIT_CASE(vmx_decode_ignores_allowed0),
	KUNIT_CASE(vmx_decode_state),
	KUNIT_CASE(vendor_select),
	KUNIT_CASE(caps_to_info),
	KUNIT_CASE(vendor_names),
	{}
};

static struct kunit_suite pv_caps_suite = {
	.name = "partvisor_caps",
	.test_cases = pv_caps_cases,
};

kunit_test_suite(pv_caps_suite);

MODULE_DESCRIPTION("partvisor KUnit tests");
MODULE_LICENSE("GPL");
