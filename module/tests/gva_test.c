// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the guest page-table walk: page tables built by hand in
 * a fake guest memory, in every paging mode, and the faults it reports.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "../gva.c"

#define FAKE_SIZE	0x20000	/* guest RAM from GPA 0 */

#define P	PV_PTE_P
#define RW	PV_PTE_RW
#define US	PV_PTE_US
#define PS	PV_PTE_PS
#define NX	PV_PTE_NX

struct fake_mem {
	u8 *bytes;
};

static int fake_read(void *ctx, u64 gpa, void *val, unsigned int size)
{
	struct fake_mem *m = ctx;

	if (gpa >= FAKE_SIZE || FAKE_SIZE - gpa < size)
		return -EFAULT;
	memcpy(val, m->bytes + gpa, size);
	return 0;
}

static void put64(struct fake_mem *m, u64 gpa, u64 val)
{
	memcpy(m->bytes + gpa, &val, 8);
}

static void put32(struct fake_mem *m, u64 gpa, u32 val)
{
	memcpy(m->bytes + gpa, &val, 4);
}

static struct pv_gva_walk *fake_walk(struct kunit *test, u64 cr0, u64 cr4,
				     u64 efer)
{
	struct pv_gva_walk *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct fake_mem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->bytes = kunit_kzalloc(test, FAKE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->bytes);
	w->cr0 = cr0;
	w->cr3 = 0x1000;
	w->cr4 = cr4;
	w->efer = efer;
	w->read = fake_read;
	w->ctx = m;
	return w;
}

#define PG	(X86_CR0_PE | X86_CR0_PG)
#define LM	(EFER_LME | EFER_LMA)

static void gva_no_paging(struct kunit *test)
{
	struct pv_gva_walk *w = fake_walk(test, X86_CR0_PE, 0, 0);
	u64 gpa = 0;
	u32 code;

	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x12345678, PV_PF_WRITE,
					       &gpa, &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x12345678ULL);
	/* Linear addresses wrap at 4 GiB outside long mode. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x100000010ULL, 0, &gpa,
					       &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x10ULL);
}

static void gva_32bit(struct kunit *test)
{
	struct pv_gva_walk *w = fake_walk(test, PG | X86_CR0_WP, X86_CR4_PSE, 0);
	struct fake_mem *m = w->ctx;
	u64 gpa = 0;
	u32 code = 0;

	put32(m, 0x1000 + 1 * 4, 0x2000 | P | RW | US);
	put32(m, 0x2000 + 2 * 4, 0x5000 | P | US);		/* read-only */
	put32(m, 0x1000 + 2 * 4, 0x00800000 | P | RW | PS);	/* 4M */
	put32(m, 0x1000 + 3 * 4, 0x00c00000 | BIT(13) | P | RW | PS); /* PSE-36 */

	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x402123, PV_PF_USER, &gpa,
					       &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x5123ULL);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x801234, PV_PF_WRITE, &gpa,
					       &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x801234ULL);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0xc00010, 0, &gpa, &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x100c00010ULL);
	/* CR0.WP: a supervisor write to a read-only page faults. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x402000, PV_PF_WRITE, &gpa,
					       &code), -EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_PRESENT | PV_PF_WRITE);
	/* A user access to a supervisor 4M page. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x800000, PV_PF_USER, &gpa,
					       &code), -EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_PRESENT | PV_PF_USER);
	/* Nothing mapped. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x1000000, PV_PF_WRITE, &gpa,
					       &code), -EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_WRITE);
	/* Without CR4.PSE, PS is ignored: 0x800000 is a page table, not RAM. */
	w->cr4 = 0;
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x801234, 0, &gpa, &code),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, gpa, 0x800000ULL + 1 * 4);
	/* Without CR0.WP the supervisor may write it. */
	w->cr0 = PG;
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x402000, PV_PF_WRITE, &gpa,
					       &code), 0);
}

static void gva_pae(struct kunit *test)
{
	struct pv_gva_walk *w = fake_walk(test, PG, X86_CR4_PAE, EFER_NX);
	struct fake_mem *m = w->ctx;
	u64 gpa = 0;
	u32 code = 0;

	w->cr3 = 0x1020;	/* PDPT: 32-byte aligned */
	put64(m, 0x1020 + 1 * 8, 0x2000 | P);
	put64(m, 0x2000 + 1 * 8, 0x3000 | P | RW);
	put64(m, 0x3000 + 3 * 8, 0x7000 | P | RW | NX);
	put64(m, 0x2000 + 2 * 8, 0x600000 | P | RW | PS);	/* 2M */

	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x40203abc, PV_PF_WRITE,
					       &gpa, &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x7abcULL);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x40412345, 0, &gpa, &code),
			0);
	KUNIT_EXPECT_EQ(test, gpa, 0x612345ULL);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x40203000, PV_PF_FETCH,
					       &gpa, &code), -EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_PRESENT | PV_PF_FETCH);
	/* PDPTE 0 is not present. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x1000, 0, &gpa, &code),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, code, 0);
	/* NX without EFER.NXE is a reserved bit. */
	w->efer = 0;
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x40203000, 0, &gpa, &code),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_PRESENT | PV_PF_RSVD);
}

static void gva_long(struct kunit *test)
{
	struct pv_gva_walk *w = fake_walk(test, PG | X86_CR0_WP, X86_CR4_PAE,
					  LM | EFER_NX);
	struct fake_mem *m = w->ctx;
	u64 va = 0xffff800000000000ULL | (3ULL << 30) | (5ULL << 21) |
		 (7ULL << 12) | 0x10;
	u64 gpa = 0;
	u32 code = 0;

	put64(m, 0x1000 + 256 * 8, 0x2000 | P | RW | US);
	put64(m, 0x2000 + 3 * 8, 0x3000 | P | RW | US);
	put64(m, 0x3000 + 5 * 8, 0x4000 | P | RW);
	put64(m, 0x4000 + 7 * 8, 0x9000 | P | RW);
	put64(m, 0x2000 + 4 * 8, 0x40000000ULL | P | PS);	/* 1G */
	put64(m, 0x3000 + 6 * 8, 0x12345600000ULL | P | RW | PS); /* 2M */

	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, va, PV_PF_WRITE, &gpa,
					       &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x9010ULL);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0xffff800100000000ULL +
					       0x3456789, 0, &gpa, &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x43456789ULL);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0xffff8000c0c12345ULL,
					       PV_PF_FETCH, &gpa, &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x12345612345ULL);
	/* User: the PD entry is supervisor-only. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, va, PV_PF_USER, &gpa, &code),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_PRESENT | PV_PF_USER);
	/* The 1G page is read-only. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0xffff800100000000ULL,
					       PV_PF_WRITE, &gpa, &code),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_PRESENT | PV_PF_WRITE);
	/* The lower half has no PML4 entry. */
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x1000, PV_PF_FETCH, &gpa,
					       &code), -EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_FETCH);
	/* PS in a PML4 entry is reserved. */
	put64(m, 0x1000 + 0 * 8, 0x2000 | P | PS);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0x1000, 0, &gpa, &code),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, code, PV_PF_PRESENT | PV_PF_RSVD);
	/* A page table outside RAM. */
	put64(m, 0x3000 + 7 * 8, 0x200000000ULL | P);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, 0xffff8000c0e00000ULL, 0,
					       &gpa, &code), -ENXIO);
	KUNIT_EXPECT_EQ(test, gpa, 0x200000000ULL);
}

static void gva_la57(struct kunit *test)
{
	struct pv_gva_walk *w = fake_walk(test, PG, X86_CR4_PAE | X86_CR4_LA57,
					  LM);
	struct fake_mem *m = w->ctx;
	u64 va = (1ULL << 48) | (2ULL << 39) | 0x123;
	u64 gpa = 0;
	u32 code;

	put64(m, 0x1000 + 1 * 8, 0x2000 | P | RW);
	put64(m, 0x2000 + 2 * 8, 0x3000 | P | RW);
	put64(m, 0x3000 + 0 * 8, 0x4000 | P | RW);
	put64(m, 0x4000 + 0 * 8, 0x5000 | P | RW);
	put64(m, 0x5000 + 0 * 8, 0xa000 | P | RW);
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, va, PV_PF_WRITE, &gpa,
					       &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xa123ULL);
	/* With 4 levels the same tables give another address. */
	w->cr4 = X86_CR4_PAE;
	KUNIT_EXPECT_EQ(test, pv_gva_translate(w, (1ULL << 39) | (2ULL << 30) |
					       0x123, 0, &gpa, &code), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x5123ULL);
}

static struct kunit_case gva_test_cases[] = {
	KUNIT_CASE(gva_no_paging),
	KUNIT_CASE(gva_32bit),
	KUNIT_CASE(gva_pae),
	KUNIT_CASE(gva_long),
	KUNIT_CASE(gva_la57),
	{}
};

static struct kunit_suite gva_test_suite = {
	.name = "partvisor_gva",
	.test_cases = gva_test_cases,
};

kunit_test_suite(gva_test_suite);
