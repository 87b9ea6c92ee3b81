// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the nested page tables: mapping, lookup and unmapping
 * in both vendors' entry formats, the input checks, and that tables are
 * made only when needed and all freed with the tree.
 */
#include <kunit/test.h>
#include <linux/mm.h>

#include "../npt.c"
#include "../svm/npt.c"
#include "../vmx/ept.c"

static const struct pv_npt_fmt *const pv_fmts[] = {
	&pv_npt_fmt_amd, &pv_npt_fmt_ept,
};

/* A page to map; its contents do not matter, its address must be real. */
static phys_addr_t test_page(struct kunit *test)
{
	void *p = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_TRUE(test, PAGE_ALIGNED(p));
	return __pa(p);
}

static void npt_map_lookup_unmap(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pv_fmts); i++) {
		const struct pv_npt_fmt *fmt = pv_fmts[i];
		phys_addr_t hpa = test_page(test);
		struct pv_npt npt;
		u64 gpa = 0x12345000, e;

		KUNIT_ASSERT_EQ(test, pv_npt_init(&npt, fmt, 4), 0);
		KUNIT_EXPECT_EQ(test, pv_npt_lookup(&npt, gpa), 0);
		KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, gpa, hpa,
						 PV_NPT_READ | PV_NPT_WRITE), 0);
		e = pv_npt_lookup(&npt, gpa);
		KUNIT_EXPECT_EQ(test, e & fmt->addr, hpa);
		KUNIT_EXPECT_EQ(test, e, fmt->leaf(hpa, PV_NPT_READ |
						   PV_NPT_WRITE));
		/* Neighbours stay unmapped. */
		KUNIT_EXPECT_EQ(test, pv_npt_lookup(&npt, gpa + PAGE_SIZE), 0);
		KUNIT_EXPECT_EQ(test, pv_npt_lookup(&npt, gpa - PAGE_SIZE), 0);
		KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, gpa, hpa, PV_NPT_READ),
				-EEXIST);
		KUNIT_EXPECT_EQ(test, pv_npt_unmap(&npt, gpa), 0);
		KUNIT_EXPECT_EQ(test, pv_npt_lookup(&npt, gpa), 0);
		KUNIT_EXPECT_EQ(test, pv_npt_unmap(&npt, gpa), -ENOENT);
		pv_npt_free(&npt);
		KUNIT_EXPECT_EQ(test, npt.nr_tables, 0);
	}
}

static void npt_rejects_bad_input(struct kunit *test)
{
	phys_addr_t hpa = test_page(test);
	struct pv_npt npt;

	KUNIT_ASSERT_EQ(test, pv_npt_init(&npt, &pv_npt_fmt_amd, 4), 0);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0x1001, hpa, PV_NPT_READ),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0x1000, hpa + 8, PV_NPT_READ),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 1ULL << PV_NPT_GPA_BITS, hpa,
					 PV_NPT_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0x1000, hpa, PV_NPT_WRITE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0x1000, hpa, PV_NPT_READ | 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_npt_unmap(&npt, 0x1001), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv_npt_unmap(&npt, 0x1000), -ENOENT);
	KUNIT_EXPECT_EQ(test, pv_npt_lookup(&npt, ~0ULL), 0);
	/* Nothing above was mapped: only the root exists. */
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 1);
	pv_npt_free(&npt);
}

/* Tables appear per 2 MiB, 1 GiB and 512 GiB of address space in use. */
static void npt_tables_on_demand(struct kunit *test)
{
	phys_addr_t hpa = test_page(test);
	struct pv_npt npt;

	KUNIT_ASSERT_EQ(test, pv_npt_init(&npt, &pv_npt_fmt_ept, 4), 0);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0, hpa, PV_NPT_READ), 0);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 4);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0x1ff000, hpa, PV_NPT_READ),
			0);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 4);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0x200000, hpa, PV_NPT_READ),
			0);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 5);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 1ULL << 30, hpa, PV_NPT_READ),
			0);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 7);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 1ULL << 39, hpa, PV_NPT_READ),
			0);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 10);
	/* Unmapping keeps tables: host-mode lookups never meet a freed one. */
	KUNIT_EXPECT_EQ(test, pv_npt_unmap(&npt, 1ULL << 39), 0);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 10);
	pv_npt_free(&npt);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 0);
}

/* Five levels (AMD under LA57): one more table, same leaves. */
static void npt_five_levels(struct kunit *test)
{
	phys_addr_t hpa = test_page(test);
	struct pv_npt npt;

	KUNIT_EXPECT_EQ(test, pv_npt_init(&npt, &pv_npt_fmt_amd, 3), -EINVAL);
	KUNIT_ASSERT_EQ(test, pv_npt_init(&npt, &pv_npt_fmt_amd, 5), 0);
	KUNIT_EXPECT_EQ(test, pv_npt_map(&npt, 0x1000, hpa, PV_NPT_READ), 0);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 5);
	KUNIT_EXPECT_EQ(test, pv_npt_lookup(&npt, 0x1000) & npt.fmt->addr,
			hpa);
	/* The walk really has five levels: the root's first entry leads on. */
	KUNIT_EXPECT_TRUE(test, npt.root[0] & npt.fmt->valid);
	KUNIT_EXPECT_EQ(test, pv_npt_lookup(&npt, 0x2000), 0);
	pv_npt_free(&npt);
	KUNIT_EXPECT_EQ(test, npt.nr_tables, 0);
}

static void npt_amd_entries(struct kunit *test)
{
	u64 ro = pv_npt_fmt_amd.leaf(0x5000, PV_NPT_READ);
	u64 rwx = pv_npt_fmt_amd.leaf(0x5000, PV_NPT_PROT_MASK);
	u64 t = pv_npt_fmt_amd.table(0x6000);

	/* Nested walks are user accesses: U/S on every level. */
	KUNIT_EXPECT_TRUE(test, t & _PAGE_USER);
	KUNIT_EXPECT_TRUE(test, t & _PAGE_RW);
	KUNIT_EXPECT_TRUE(test, ro & _PAGE_USER);
	KUNIT_EXPECT_FALSE(test, ro & _PAGE_RW);
	KUNIT_EXPECT_TRUE(test, ro & _PAGE_NX);
	KUNIT_EXPECT_TRUE(test, rwx & _PAGE_RW);
	KUNIT_EXPECT_FALSE(test, rwx & _PAGE_NX);
	KUNIT_EXPECT_EQ(test, rwx & pv_npt_fmt_amd.addr, 0x5000);
}

static void npt_ept_entries(struct kunit *test)
{
	u64 ro = pv_npt_fmt_ept.leaf(0x5000, PV_NPT_READ);
	u64 rx = pv_npt_fmt_ept.leaf(0x5000, PV_NPT_READ | PV_NPT_EXEC);

	KUNIT_EXPECT_EQ(test, ro & VMX_EPT_RWX_MASK, VMX_EPT_READABLE_MASK);
	KUNIT_EXPECT_EQ(test, rx & VMX_EPT_RWX_MASK,
			VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK);
	KUNIT_EXPECT_EQ(test, (ro & VMX_EPT_MT_MASK) >> VMX_EPT_MT_EPTE_SHIFT,
			MTRR_TYPE_WRBACK);
	KUNIT_EXPECT_EQ(test, pv_npt_fmt_ept.table(0x6000) & VMX_EPT_RWX_MASK,
			VMX_EPT_RWX_MASK);
}

static struct kunit_case pv_npt_cases[] = {
	KUNIT_CASE(npt_map_lookup_unmap),
	KUNIT_CASE(npt_rejects_bad_input),
	KUNIT_CASE(npt_tables_on_demand),
	KUNIT_CASE(npt_five_levels),
	KUNIT_CASE(npt_amd_entries),
	KUNIT_CASE(npt_ept_entries),
	{}
};

static struct kunit_suite pv_npt_suite = {
	.name = "partvisor_npt",
	.test_cases = pv_npt_cases,
};

kunit_test_suite(pv_npt_suite);
