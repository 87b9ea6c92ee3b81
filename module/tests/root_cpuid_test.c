// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the CPUID view of the root partition.
 */
#include <kunit/test.h>

#include "../root_cpuid.c"

static struct pv_cpuid_regs run(u32 leaf, u32 fill)
{
	struct pv_cpuid_regs r = { fill, fill, fill, fill };

	pv_root_cpuid(leaf, 0, &r);
	return r;
}

static void cpuid_vendor_leaf(struct kunit *test)
{
	struct pv_cpuid_regs r = run(PV_CPUID_BASE, 0xdeadbeef);
	char vendor[13];

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.ecx, 4);
	memcpy(vendor + 8, &r.edx, 4);
	vendor[12] = '\0';
	KUNIT_EXPECT_STREQ(test, vendor, "PartVisor Hv");
	KUNIT_EXPECT_EQ(test, r.eax, PV_CPUID_MAX);
	KUNIT_EXPECT_EQ(test, PV_CPUID_MAX, 0x40000005);
}

static void cpuid_interface_leaves(struct kunit *test)
{
	struct pv_cpuid_regs r = run(PV_CPUID_BASE + 1, 0xdeadbeef);

	/* "Hv#1" little-endian, nothing else in the leaf. */
	KUNIT_EXPECT_EQ(test, r.eax, 0x31237648);
	KUNIT_EXPECT_EQ(test, r.ebx | r.ecx | r.edx, 0);

	r = run(PV_CPUID_BASE + 3, 0xdeadbeef);
	KUNIT_EXPECT_TRUE(test, r.ebx & HV_PRIV_CREATE_PARTITIONS);
	KUNIT_EXPECT_TRUE(test, r.ebx & HV_PRIV_CPU_MANAGEMENT);

	r = run(PV_CPUID_BASE + 5, 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, r.eax, PV_MAX_VPS);
	KUNIT_EXPECT_EQ(test, r.ebx, nr_cpu_ids);
}

/* Leaves past the maximum, up to 0x400000ff, read as zero. */
static void cpuid_unused_leaves_zero(struct kunit *test)
{
	u32 leaf;

	for (leaf = PV_CPUID_MAX + 1; leaf <= PV_CPUID_BASE + 0xff; leaf++) {
		struct pv_cpuid_regs r = run(leaf, 0xffffffff);

		KUNIT_EXPECT_EQ_MSG(test, r.eax | r.ebx | r.ecx | r.edx, 0,
				    "leaf %#x", leaf);
	}
}

static void cpuid_hides_extension(struct kunit *test)
{
	struct pv_cpuid_regs r = run(1, 0xffffffff);

	KUNIT_EXPECT_EQ(test, r.ecx, 0xffffffff & ~CPUID_1_ECX_VMX);
	KUNIT_EXPECT_EQ(test, r.edx, 0xffffffff);

	r = run(1, 0);
	KUNIT_EXPECT_EQ(test, r.ecx, CPUID_1_ECX_HYPERVISOR);

	r = run(0x80000001, 0xffffffff);
	KUNIT_EXPECT_EQ(test, r.ecx, 0xffffffff & ~CPUID_80000001_ECX_SVM);
	KUNIT_EXPECT_EQ(test, r.edx, 0xffffffff);

	r = run(0x8000000a, 0xffffffff);
	KUNIT_EXPECT_EQ(test, r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void cpuid_other_leaves_untouched(struct kunit *test)
{
	static const u32 leaves[] = { 0, 7, 0xd, 0x80000000, 0x80000008,
				      0x3fffffff, 0x40000100 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		struct pv_cpuid_regs r = run(leaves[i], 0x12345678);

		KUNIT_EXPECT_EQ_MSG(test, r.eax & r.ebx & r.ecx & r.edx,
				    0x12345678, "leaf %#x", leaves[i]);
	}
}

static struct kunit_case pv_root_cpuid_cases[] = {
	KUNIT_CASE(cpuid_vendor_leaf),
	KUNIT_CASE(cpuid_interface_leaves),
	KUNIT_CASE(cpuid_unused_leaves_zero),
	KUNIT_CASE(cpuid_hides_extension),
	KUNIT_CASE(cpuid_other_leaves_untouched),
	{}
};

static struct kunit_suite pv_root_cpuid_suite = {
	.name = "partvisor_root_cpuid",
	.test_cases = pv_root_cpuid_cases,
};

kunit_test_suite(pv_root_cpuid_suite);
