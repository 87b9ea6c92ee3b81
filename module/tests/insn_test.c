// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the MMIO instruction decoder, on encodings an assembler
 * produced, with trailing bytes that must not count.
 */
#include <kunit/test.h>

#include "../insn.c"

/* Decode the bytes followed by two bytes of the next instruction. */
#define DECODE(insn, mode, ...) ({					\
	static const u8 b[] = { __VA_ARGS__, 0x90, 0x90 };		\
	pv_insn_decode(b, sizeof(b), mode, insn);			\
})

struct insn_case {
	const char *name;
	u8 bytes[PV_INSN_MAX + 2];
	unsigned int mode;
	enum pv_insn_kind kind;
	u8 len, mem_size, reg_size, reg, addr_size, seg;
	bool high8, sign;
};

static const struct insn_case insn_cases[] = {
	{ "mov %eax,(%rbx)", { 0x89, 0x03 }, 8,
	  PV_INSN_MOV_TO_MEM, 2, 4, 4, 0, 8, PV_SREG_DS },
	{ "mov %al,0x10(%rbx,%rcx,4)", { 0x88, 0x44, 0x8b, 0x10 }, 8,
	  PV_INSN_MOV_TO_MEM, 4, 1, 1, 0, 8, PV_SREG_DS },
	{ "mov %ah,(%rsi)", { 0x88, 0x26 }, 8,
	  PV_INSN_MOV_TO_MEM, 2, 1, 1, 0, 8, PV_SREG_DS, true },
	{ "mov %sil,(%rdi)", { 0x40, 0x88, 0x37 }, 8,
	  PV_INSN_MOV_TO_MEM, 3, 1, 1, 6, 8, PV_SREG_DS },
	{ "mov %r9,0x12345678(%rip)",
	  { 0x4c, 0x89, 0x0d, 0x78, 0x56, 0x34, 0x12 }, 8,
	  PV_INSN_MOV_TO_MEM, 7, 8, 8, 9, 8, PV_SREG_DS },
	{ "mov (%rax),%r10w", { 0x66, 0x44, 0x8b, 0x10 }, 8,
	  PV_INSN_MOV_FROM_MEM, 4, 2, 2, 10, 8, PV_SREG_DS },
	{ "mov %fs:8(%r11),%ecx", { 0x64, 0x41, 0x8b, 0x4b, 0x08 }, 8,
	  PV_INSN_MOV_FROM_MEM, 5, 4, 4, 1, 8, PV_SREG_FS },
	{ "movb $0x80,(%rdx)", { 0xc6, 0x02, 0x80 }, 8,
	  PV_INSN_MOV_IMM, 3, 1, 1, 0, 8, PV_SREG_DS },
	{ "movq $-2,0x100(%rbp)",
	  { 0x48, 0xc7, 0x85, 0x00, 0x01, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff },
	  8, PV_INSN_MOV_IMM, 11, 8, 8, 0, 8, PV_SREG_DS },
	{ "movw $0x1234,(%rax)", { 0x66, 0xc7, 0x00, 0x34, 0x12 }, 8,
	  PV_INSN_MOV_IMM, 5, 2, 2, 0, 8, PV_SREG_DS },
	{ "movabs 0x1122334455667788,%al",
	  { 0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, 8,
	  PV_INSN_MOV_FROM_MEM, 9, 1, 1, 0, 8, PV_SREG_DS },
	{ "movabs %rax,0x1122334455667788",
	  { 0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, 8,
	  PV_INSN_MOV_TO_MEM, 10, 8, 8, 0, 8, PV_SREG_DS },
	{ "movzbl (%rax),%ecx", { 0x0f, 0xb6, 0x08 }, 8,
	  PV_INSN_MOV_FROM_MEM, 3, 1, 4, 1, 8, PV_SREG_DS },
	{ "movzwq (%rax),%r8", { 0x4c, 0x0f, 0xb7, 0x00 }, 8,
	  PV_INSN_MOV_FROM_MEM, 4, 2, 8, 8, 8, PV_SREG_DS },
	{ "movsbw (%rax),%dx", { 0x66, 0x0f, 0xbe, 0x10 }, 8,
	  PV_INSN_MOV_FROM_MEM, 4, 1, 2, 2, 8, PV_SREG_DS, false, true },
	{ "movswl (%rax),%ebx", { 0x0f, 0xbf, 0x18 }, 8,
	  PV_INSN_MOV_FROM_MEM, 3, 2, 4, 3, 8, PV_SREG_DS, false, true },
	{ "movsbq 4(%rsp),%rax", { 0x48, 0x0f, 0xbe, 0x44, 0x24, 0x04 }, 8,
	  PV_INSN_MOV_FROM_MEM, 6, 1, 8, 0, 8, PV_SREG_DS, false, true },
	{ "addr32 mov %eax,(%ebx)", { 0x67, 0x89, 0x03 }, 8,
	  PV_INSN_MOV_TO_MEM, 3, 4, 4, 0, 4, PV_SREG_DS },
	{ "rep outsb", { 0xf3, 0x6e }, 8,
	  PV_INSN_OUTS, 2, 1, 1, 0, 8, PV_SREG_DS },
	{ "rep insw", { 0x66, 0xf3, 0x6d }, 8,
	  PV_INSN_INS, 3, 2, 2, 0, 8, PV_SREG_ES },
	{ "outsl %gs:(%rsi)", { 0x65, 0x6f }, 8,
	  PV_INSN_OUTS, 2, 4, 4, 0, 8, PV_SREG_GS },
	{ "16: mov %ax,(%bx,%si)", { 0x89, 0x00 }, 2,
	  PV_INSN_MOV_TO_MEM, 2, 2, 2, 0, 2, PV_SREG_DS },
	{ "16: mov 0x1234,%al", { 0xa0, 0x34, 0x12 }, 2,
	  PV_INSN_MOV_FROM_MEM, 3, 1, 1, 0, 2, PV_SREG_DS },
	{ "16: mov %eax,0x10(%bp)", { 0x66, 0x89, 0x46, 0x10 }, 2,
	  PV_INSN_MOV_TO_MEM, 4, 4, 4, 0, 2, PV_SREG_DS },
	{ "16: movw $0x5678,(0x2000)", { 0xc7, 0x06, 0x00, 0x20, 0x78, 0x56 }, 2,
	  PV_INSN_MOV_IMM, 6, 2, 2, 0, 2, PV_SREG_DS },
	{ "16: es mov (%di),%cl", { 0x26, 0x8a, 0x0d }, 2,
	  PV_INSN_MOV_FROM_MEM, 3, 1, 1, 1, 2, PV_SREG_ES },
	{ "32: mov %ax,0x2000", { 0x66, 0xa3, 0x00, 0x20, 0x00, 0x00 }, 4,
	  PV_INSN_MOV_TO_MEM, 6, 2, 2, 0, 4, PV_SREG_DS },
	{ "32: mov (%ebp),%eax", { 0x8b, 0x45, 0x00 }, 4,
	  PV_INSN_MOV_FROM_MEM, 3, 4, 4, 0, 4, PV_SREG_DS },
	{ "32: rep insb", { 0xf3, 0x6c }, 4,
	  PV_INSN_INS, 2, 1, 1, 0, 4, PV_SREG_ES },
	{ "32: addr16 rep outsw", { 0x67, 0x66, 0xf3, 0x6f }, 4,
	  PV_INSN_OUTS, 4, 2, 2, 0, 2, PV_SREG_DS },
	{ "32: dec %eax is no REX", { 0x48, 0x89, 0x03 }, 4,
	  PV_INSN_MOV_TO_MEM, 1, 0, 0, 0, 0, 0 },
};

static void insn_encodings(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(insn_cases); i++) {
		const struct insn_case *c = &insn_cases[i];
		struct pv_insn insn;
		int ret;

		ret = pv_insn_decode(c->bytes, sizeof(c->bytes), c->mode, &insn);
		if (!c->mem_size) {
			/* 0x48 alone is an instruction outside 64-bit mode. */
			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "%s", c->name);
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.kind, c->kind, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.len, c->len, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.mem_size, c->mem_size, "%s",
				    c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.reg_size, c->reg_size, "%s",
				    c->name);
		if (c->kind != PV_INSN_MOV_IMM && c->kind != PV_INSN_INS &&
		    c->kind != PV_INSN_OUTS)
			KUNIT_EXPECT_EQ_MSG(test, insn.reg, c->reg, "%s",
					    c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.addr_size, c->addr_size, "%s",
				    c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.seg, c->seg, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.high8, c->high8, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, insn.sign, c->sign, "%s", c->name);
		/* Every shorter prefix of the bytes asks for more. */
		KUNIT_EXPECT_EQ_MSG(test, pv_insn_decode(c->bytes, c->len - 1,
							 c->mode, &insn),
				    -EAGAIN, "%s short", c->name);
	}
}

static void insn_immediates(struct kunit *test)
{
	struct pv_insn insn;

	KUNIT_ASSERT_EQ(test, DECODE(&insn, 8, 0xc6, 0x02, 0x80), 0);
	KUNIT_EXPECT_EQ(test, insn.imm & 0xff, 0x80ULL);
	KUNIT_ASSERT_EQ(test, DECODE(&insn, 8, 0x48, 0xc7, 0x85, 0x00, 0x01,
				     0x00, 0x00, 0xfe, 0xff, 0xff, 0xff), 0);
	KUNIT_EXPECT_EQ(test, insn.imm, (u64)-2);
	KUNIT_ASSERT_EQ(test, DECODE(&insn, 2, 0xc7, 0x06, 0x00, 0x20, 0x78,
				     0x56), 0);
	KUNIT_EXPECT_EQ(test, insn.imm & 0xffff, 0x5678ULL);
	KUNIT_EXPECT_TRUE(test, insn.kind == PV_INSN_MOV_IMM);
}

static void insn_refused(struct kunit *test)
{
	struct pv_insn insn;

	/* add %eax,(%rbx); mov %eax,%ebx; c7 /1; movzx from a register */
	KUNIT_EXPECT_EQ(test, DECODE(&insn, 8, 0x01, 0x03), -EINVAL);
	KUNIT_EXPECT_EQ(test, DECODE(&insn, 8, 0x89, 0xc3), -EINVAL);
	KUNIT_EXPECT_EQ(test, DECODE(&insn, 8, 0xc7, 0x08, 0, 0, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, DECODE(&insn, 8, 0x0f, 0xb6, 0xc8), -EINVAL);
	KUNIT_EXPECT_EQ(test, DECODE(&insn, 8, 0x0f, 0x0b), -EINVAL);
	/* Only prefixes: more than 15 bytes is no instruction. */
	KUNIT_EXPECT_EQ(test, DECODE(&insn, 8, 0x66, 0x66, 0x66, 0x66, 0x66,
				     0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				     0x66, 0x66, 0x66, 0x89), -EINVAL);
	KUNIT_EXPECT_EQ(test, DECODE(&insn, 8, 0x66, 0x66, 0x66, 0x66, 0x66,
				     0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				     0x66, 0x66, 0x89, 0x03), -EINVAL);
	/* A legacy prefix after REX voids the REX. */
	KUNIT_ASSERT_EQ(test, DECODE(&insn, 8, 0x48, 0x66, 0x89, 0x03), 0);
	KUNIT_EXPECT_EQ(test, insn.mem_size, 2);
}

static struct kunit_case insn_test_cases[] = {
	KUNIT_CASE(insn_encodings),
	KUNIT_CASE(insn_immediates),
	KUNIT_CASE(insn_refused),
	{}
};

static struct kunit_suite insn_test_suite = {
	.name = "partvisor_insn",
	.test_cases = insn_test_cases,
};

kunit_test_suite(insn_test_suite);
