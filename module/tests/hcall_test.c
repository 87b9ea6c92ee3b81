// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the hypercall ABI: input decoding, validation against a
 * call's descriptor, memory-form argument checks and result encoding.
 */
#include <kunit/test.h>
#include <linux/bitops.h>

#include "../hcall/abi.c"

static u64 input(u16 code, bool fast, u16 hdr, u16 count, u16 start)
{
	return code | (fast ? HV_HC_FAST : 0) | ((u64)hdr << 17) |
	       ((u64)count << 32) | ((u64)start << 48);
}

static void hc_decode_fields(struct kunit *test)
{
	struct pv_hc_input in;

	KUNIT_EXPECT_EQ(test, pv_hc_decode(input(0x0013, true, 0x3ff, 0xfff,
						 0xabc), &in),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, in.code, 0x0013);
	KUNIT_EXPECT_TRUE(test, in.fast);
	KUNIT_EXPECT_EQ(test, in.var_hdr_size, 0x3ff);
	KUNIT_EXPECT_EQ(test, in.rep_count, 0xfff);
	KUNIT_EXPECT_EQ(test, in.rep_start, 0xabc);

	KUNIT_EXPECT_EQ(test, pv_hc_decode(0xffff, &in), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, in.code, 0xffff);
	KUNIT_EXPECT_FALSE(test, in.fast);
	KUNIT_EXPECT_EQ(test, in.var_hdr_size, 0);
	KUNIT_EXPECT_EQ(test, in.rep_count, 0);
	KUNIT_EXPECT_EQ(test, in.rep_start, 0);
}

/* Every reserved bit on its own is refused; every defined bit is not. */
static void hc_decode_reserved_bits(struct kunit *test)
{
	const u64 reserved = HV_HC_RESERVED_MASK;
	struct pv_hc_input in;
	unsigned int bit;

	for (bit = 0; bit < 64; bit++) {
		u16 want = (reserved & BIT_ULL(bit)) ?
			   HV_STATUS_INVALID_HYPERCALL_INPUT :
			   HV_STATUS_SUCCESS;

		KUNIT_EXPECT_EQ_MSG(test, pv_hc_decode(BIT_ULL(bit), &in), want,
				    "bit %u", bit);
	}
	/* The architecture page's layout leaves exactly these 13 bits. */
	KUNIT_EXPECT_EQ(test, hweight64(reserved), 13);
}

static const struct pv_hc_desc simple_call = { .code = 1 };

static const struct pv_hc_desc rep_call = { .code = 2, .flags = PV_HC_REP };

static const struct pv_hc_desc fast_call = {
	.code = 3, .flags = PV_HC_FAST_OK | PV_HC_VAR_HDR,
};

static const struct pv_hc_desc root_call = {
	.code = 4, .flags = PV_HC_ROOT_ONLY,
};

static u16 validate(const struct pv_hc_desc *desc, u64 value, bool root)
{
	struct pv_hc_input in;
	u16 status = pv_hc_decode(value, &in);

	return status ? status : pv_hc_validate(desc, &in, root);
}

static void hc_validate_form(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, validate(&simple_call, input(1, 0, 0, 0, 0), 0),
			HV_STATUS_SUCCESS);
	/* Rep fields on a simple call. */
	KUNIT_EXPECT_EQ(test, validate(&simple_call, input(1, 0, 0, 1, 0), 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, validate(&simple_call, input(1, 0, 0, 0, 1), 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* Fast form or variable header where the call has none. */
	KUNIT_EXPECT_EQ(test, validate(&simple_call, input(1, 1, 0, 0, 0), 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, validate(&simple_call, input(1, 0, 1, 0, 0), 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, validate(&fast_call, input(3, 1, 2, 0, 0), 0),
			HV_STATUS_SUCCESS);
}

static void hc_validate_reps(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, validate(&rep_call, input(2, 0, 0, 1, 0), 0),
			HV_STATUS_SUCCESS);
	/* A continuation resumes inside the count... */
	KUNIT_EXPECT_EQ(test, validate(&rep_call,
				       input(2, 0, 0, 0xfff, 0xffe), 0),
			HV_STATUS_SUCCESS);
	/* ...never at or past it, and a rep call needs a rep. */
	KUNIT_EXPECT_EQ(test, validate(&rep_call, input(2, 0, 0, 5, 5), 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, validate(&rep_call, input(2, 0, 0, 5, 9), 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, validate(&rep_call, input(2, 0, 0, 0, 0), 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void hc_validate_privilege(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, validate(&root_call, input(4, 0, 0, 0, 0), true),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, validate(&root_call, input(4, 0, 0, 0, 0), false),
			HV_STATUS_ACCESS_DENIED);
	/* Reserved bits are reported before anything else. */
	KUNIT_EXPECT_EQ(test, validate(&root_call, BIT_ULL(63) | 4, false),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void hc_check_gpa(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(0x1000, 16), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(0x1ff8, 8), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(0x1000, 4096), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(0x1004, 8),
			HV_STATUS_INVALID_ALIGNMENT);
	/* Crossing into the next page. */
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(0x1ff8, 16),
			HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(0x1008, 4096),
			HV_STATUS_INVALID_ALIGNMENT);
	/* Sizes that would wrap a 32-bit sum must not pass. */
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(0x1ff8, 0xfffffff8),
			HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, pv_hc_check_gpa(~0ULL & ~7ULL, 8),
			HV_STATUS_SUCCESS);
}

static void hc_result(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pv_hc_result(HV_STATUS_SUCCESS, 0), 0);
	KUNIT_EXPECT_EQ(test, pv_hc_result(HV_STATUS_INVALID_VP_INDEX, 7),
			0x0000000700000000ULL | HV_STATUS_INVALID_VP_INDEX);
	KUNIT_EXPECT_EQ(test, pv_hc_result(0xffff, 0xfff),
			0x00000fff0000ffffULL);
	/* Reps beyond the 12-bit field never spill into reserved bits. */
	KUNIT_EXPECT_EQ(test, pv_hc_result(0, 0x1000), 0);
}

static struct kunit_case pv_hcall_cases[] = {
	KUNIT_CASE(hc_decode_fields),
	KUNIT_CASE(hc_decode_reserved_bits),
	KUNIT_CASE(hc_validate_form),
	KUNIT_CASE(hc_validate_reps),
	KUNIT_CASE(hc_validate_privilege),
	KUNIT_CASE(hc_check_gpa),
	KUNIT_CASE(hc_result),
	{}
};

static struct kunit_suite pv_hcall_suite = {
	.name = "partvisor_hcall",
	.test_cases = pv_hcall_cases,
};

kunit_test_suite(pv_hcall_suite);
