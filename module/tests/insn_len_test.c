// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the SVM instruction-length decoder used without NRIPS.
 */
#include <kunit/test.h>

#include "../svm/insn_len.c"

#define LEN(insn, lm, ...) ({						\
	static const u8 b[] = { __VA_ARGS__ };				\
	pv_svm_insn_len(b, sizeof(b), lm, insn);			\
})

static void insn_plain(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_CPUID, true, 0x0f, 0xa2), 2);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_RDMSR, true, 0x0f, 0x32), 2);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_WRMSR, false, 0x0f, 0x30), 2);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_HLT, false, 0xf4), 1);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_PAUSE, true, 0xf3, 0x90), 2);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_VMMCALL, true, 0x0f, 0x01, 0xd9), 3);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_XSETBV, true, 0x0f, 0x01, 0xd1), 3);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_RDTSCP, true, 0x0f, 0x01, 0xf9), 3);
	/* Trailing bytes of the next instruction do not count. */
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_CPUID, true, 0x0f, 0xa2, 0x89, 0xc3),
			2);
}

/* Every table entry decodes to its own length and to nothing else. */
static void insn_table_is_consistent(struct kunit *test)
{
	unsigned int a, b;

	for (a = 0; a < PV_NR_SVM_INSNS; a++) {
		const struct pv_opcode *op = &pv_svm_opcodes[a];
		u8 buf[4] = { 0xf3 };

		KUNIT_ASSERT_GE(test, op->len, 1);
		memcpy(buf + 1, op->bytes, op->len);
		for (b = 0; b < PV_NR_SVM_INSNS; b++) {
			int want = a == b ? op->len + 1 : -EINVAL;

			KUNIT_EXPECT_EQ_MSG(test, pv_svm_insn_len(buf,
								  op->len + 1,
								  true, b),
					    want, "bytes of %u as %u", a, b);
		}
	}
}

static void insn_prefixes(struct kunit *test)
{
	/* REX.W rdmsr, operand-size cpuid, segment + lock-free mixes. */
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_RDMSR, true, 0x48, 0x0f, 0x32), 3);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_CPUID, false, 0x66, 0x0f, 0xa2), 3);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_VMMCALL, true, 0x2e, 0x66, 0x41,
				  0x0f, 0x01, 0xd9), 6);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_PAUSE, true, 0x66, 0xf3, 0x90), 3);
	/* 0x48 is DEC EAX outside 64-bit mode, not a prefix. */
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_RDMSR, false, 0x48, 0x0f, 0x32),
			-EINVAL);
	/* NOP without F3 is not PAUSE. */
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_PAUSE, true, 0x90), -EINVAL);
}

static void insn_limits(struct kunit *test)
{
	u8 buf[20];

	/* 13 prefixes + CPUID = 15 bytes: the longest legal instruction. */
	memset(buf, 0x66, sizeof(buf));
	buf[13] = 0x0f;
	buf[14] = 0xa2;
	KUNIT_EXPECT_EQ(test, pv_svm_insn_len(buf, 15, true, PV_INSN_CPUID), 15);
	KUNIT_EXPECT_EQ(test, pv_svm_insn_len(buf, sizeof(buf), true,
					      PV_INSN_CPUID), 15);

	/* 14 prefixes + CPUID = 16 bytes: over the limit. */
	memset(buf, 0x66, sizeof(buf));
	buf[14] = 0x0f;
	buf[15] = 0xa2;
	KUNIT_EXPECT_EQ(test, pv_svm_insn_len(buf, sizeof(buf), true,
					      PV_INSN_CPUID), -E2BIG);
	/* Nothing but prefixes. */
	memset(buf, 0x2e, sizeof(buf));
	KUNIT_EXPECT_EQ(test, pv_svm_insn_len(buf, sizeof(buf), true,
					      PV_INSN_CPUID), -E2BIG);
}

static void insn_truncated(struct kunit *test)
{
	static const u8 vmmcall[] = { 0x66, 0x0f, 0x01, 0xd9 };
	unsigned int avail;

	for (avail = 0; avail < sizeof(vmmcall); avail++)
		KUNIT_EXPECT_EQ_MSG(test, pv_svm_insn_len(vmmcall, avail, true,
							  PV_INSN_VMMCALL),
				    -ENODATA, "%u bytes", avail);
	KUNIT_EXPECT_EQ(test, pv_svm_insn_len(vmmcall, sizeof(vmmcall), true,
					      PV_INSN_VMMCALL), 4);
}

static void insn_mismatch(struct kunit *test)
{
	/* VMRUN and VMMCALL differ only in ModRM; Intel's VMCALL is neither. */
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_VMMCALL, true, 0x0f, 0x01, 0xd8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_VMMCALL, true, 0x0f, 0x01, 0xc1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, LEN(PV_INSN_CPUID, true, 0x0f, 0xa3), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv_svm_insn_len((const u8 *)"\x0f\xa2", 2, true,
					      PV_NR_SVM_INSNS), -EINVAL);
}

/* MOV DR: the GPR from ModRM.rm and REX.B, only the last REX counting. */
static void insn_mov_dr(struct kunit *test)
{
	const u8 from_dr0[] = { 0x0f, 0x21, 0xc1 };		/* mov ecx, dr0 */
	const u8 to_dr3[] = { 0x41, 0x0f, 0x23, 0xdf };	/* mov dr3, r15 */
	const u8 rex_voided[] = { 0x41, 0x66, 0x0f, 0x23, 0xc7 };
	const u8 not_dr[] = { 0x0f, 0x22, 0xc0 };		/* mov cr0, eax */
	u8 gpr = 0xff;

	KUNIT_EXPECT_EQ(test, pv_svm_mov_dr_len(from_dr0, 3, false, false, &gpr), 3);
	KUNIT_EXPECT_EQ(test, gpr, 1);
	KUNIT_EXPECT_EQ(test, pv_svm_mov_dr_len(to_dr3, 4, true, true, &gpr), 4);
	KUNIT_EXPECT_EQ(test, gpr, 15);
	/* Outside 64-bit mode 41 is INC ECX, not a prefix. */
	KUNIT_EXPECT_EQ(test, pv_svm_mov_dr_len(to_dr3, 4, false, true, &gpr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_svm_mov_dr_len(rex_voided, 5, true, true, &gpr), 5);
	KUNIT_EXPECT_EQ(test, gpr, 7);
	KUNIT_EXPECT_EQ(test, pv_svm_mov_dr_len(from_dr0, 3, false, true, &gpr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_svm_mov_dr_len(not_dr, 3, false, true, &gpr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_svm_mov_dr_len(from_dr0, 2, false, false, &gpr),
			-ENODATA);
}

static void insn_cr0_write(struct kunit *test)
{
	const u8 mov_rax[] = { 0x0f, 0x22, 0xc0 };		/* mov cr0, eax */
	const u8 mov_r9[] = { 0x66, 0x41, 0x0f, 0x22, 0xc1 };	/* mov cr0, r9 */
	const u8 mov_cr8[] = { 0x44, 0x0f, 0x22, 0xc0 };	/* mov cr8, rax */
	const u8 mov_cr4[] = { 0x0f, 0x22, 0xe0 };		/* mov cr4, eax */
	const u8 lmsw_dx[] = { 0x0f, 0x01, 0xf2 };		/* lmsw dx */
	const u8 lmsw_mem[] = { 0x0f, 0x01, 0x37 };		/* lmsw [bx] */
	const u8 clts[] = { 0x2e, 0x0f, 0x06 };
	const u8 smsw[] = { 0x0f, 0x01, 0xe0 };			/* smsw eax */
	enum pv_cr0_op op = PV_CR0_CLTS;
	u8 gpr = 0xff;

	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(mov_rax, 3, false, &op, &gpr), 3);
	KUNIT_EXPECT_EQ(test, op, PV_CR0_MOV);
	KUNIT_EXPECT_EQ(test, gpr, 0);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(mov_r9, 5, true, &op, &gpr), 5);
	KUNIT_EXPECT_EQ(test, gpr, 9);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(mov_cr8, 4, true, &op, &gpr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(mov_cr4, 3, true, &op, &gpr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(lmsw_dx, 3, false, &op, &gpr), 3);
	KUNIT_EXPECT_EQ(test, op, PV_CR0_LMSW);
	KUNIT_EXPECT_EQ(test, gpr, 2);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(lmsw_mem, 3, false, &op, &gpr),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(clts, 3, false, &op, &gpr), 3);
	KUNIT_EXPECT_EQ(test, op, PV_CR0_CLTS);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(smsw, 3, false, &op, &gpr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pv_svm_cr0_write_len(mov_rax, 2, false, &op, &gpr),
			-ENODATA);
}

static struct kunit_case pv_insn_len_cases[] = {
	KUNIT_CASE(insn_plain),
	KUNIT_CASE(insn_table_is_consistent),
	KUNIT_CASE(insn_prefixes),
	KUNIT_CASE(insn_limits),
	KUNIT_CASE(insn_truncated),
	KUNIT_CASE(insn_mismatch),
	KUNIT_CASE(insn_mov_dr),
	KUNIT_CASE(insn_cr0_write),
	{}
};

static struct kunit_suite pv_insn_len_suite = {
	.name = "partvisor_svm_insn_len",
	.test_cases = pv_insn_len_cases,
};

kunit_test_suite(pv_insn_len_suite);
