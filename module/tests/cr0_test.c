// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the CR0 writes partvisor performs for a child.
 */
#include <kunit/test.h>

#include "../cr0.c"

#define REAL	(X86_CR0_ET | X86_CR0_NE)
#define PROT	(REAL | X86_CR0_PE)
#define PAGED	(PROT | X86_CR0_PG | X86_CR0_WP)

struct cr0_case {
	u64 cr0, cr4, efer;
	bool cs_l;
	enum pv_cr0_op op;
	u64 src;
	int ret;
	u64 cr0_after, efer_after;
};

static const struct cr0_case cr0_cases[] = {
	/* Real to protected mode, and the LMSW way. */
	{ REAL, 0, 0, false, PV_CR0_MOV, PROT, 0, PROT, 0 },
	{ REAL, 0, 0, false, PV_CR0_LMSW, 0xfff0f, 0, REAL | 0xf, 0 },
	/* LMSW never clears PE; CLTS clears TS and nothing else. */
	{ PROT, 0, 0, false, PV_CR0_LMSW, 0, 0, PROT, 0 },
	{ PROT | X86_CR0_TS, 0, 0, false, PV_CR0_CLTS, 0, 0, PROT, 0 },
	/* Long mode on: LMA follows, with PAE and without CS.L only. */
	{ PROT, X86_CR4_PAE, EFER_LME, false, PV_CR0_MOV, PAGED, 0, PAGED,
	  EFER_LME | EFER_LMA },
	{ PROT, 0, EFER_LME, false, PV_CR0_MOV, PAGED, -EINVAL },
	{ PROT, X86_CR4_PAE, EFER_LME, true, PV_CR0_MOV, PAGED, -EINVAL },
	/* ...and off again from compatibility mode, not from 64-bit mode. */
	{ PAGED, X86_CR4_PAE, EFER_LME | EFER_LMA, false, PV_CR0_MOV, PROT, 0,
	  PROT, EFER_LME },
	{ PAGED, X86_CR4_PAE, EFER_LME | EFER_LMA, true, PV_CR0_MOV, PROT,
	  -EINVAL },
	/* In long mode a write that keeps paging keeps LMA. */
	{ PAGED, X86_CR4_PAE, EFER_LME | EFER_LMA, true, PV_CR0_MOV,
	  PAGED | X86_CR0_AM, 0, PAGED | X86_CR0_AM, EFER_LME | EFER_LMA },
	/* Legacy paging without LME: EFER untouched. */
	{ PROT, 0, 0, false, PV_CR0_MOV, PAGED, 0, PAGED, 0 },
	/* The CPU's #GP cases. */
	{ PROT, 0, 0, false, PV_CR0_MOV, PROT | BIT_ULL(32), -EINVAL },
	{ REAL, 0, 0, false, PV_CR0_MOV, REAL | X86_CR0_PG, -EINVAL },
	{ PROT, 0, 0, false, PV_CR0_MOV, PROT | X86_CR0_NW, -EINVAL },
	/* CD and NW together are fine; undefined bits read as zero, ET one. */
	{ PROT, 0, 0, false, PV_CR0_MOV, X86_CR0_PE | X86_CR0_CD | X86_CR0_NW |
	  BIT(6) | BIT(20), 0, X86_CR0_PE | X86_CR0_ET | X86_CR0_CD |
	  X86_CR0_NW, 0 },
};

static void cr0_writes(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr0_cases); i++) {
		const struct cr0_case *c = &cr0_cases[i];
		u64 cr0 = 0xdead, efer = 0xdead;
		int ret;

		ret = pv_cr0_next(c->cr0, c->cr4, c->efer, c->cs_l, c->op,
				  c->src, &cr0, &efer);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "case %u", i);
		if (ret || c->ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, cr0, c->cr0_after, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, efer, c->efer_after, "case %u", i);
	}
}

static struct kunit_case pv_cr0_cases[] = {
	KUNIT_CASE(cr0_writes),
	{}
};

static struct kunit_suite pv_cr0_suite = {
	.name = "partvisor_cr0",
	.test_cases = pv_cr0_cases,
};

kunit_test_suite(pv_cr0_suite);
