// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the hypercall ABI: input decoding, validation against a
 * call's descriptor, memory-form argument checks, result encoding and rep
 * continuation; and for the root's calls, with the machine faked.
 */
#include <kunit/test.h>
#include <linux/bitops.h>

#include "../hcall/abi.c"
#include "../hcall/calls.c"
#include "../hcall/table.c"

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

static void hc_rep_batch_end(struct kunit *test)
{
	struct pv_hc_input in = { .rep_count = 100 };

	KUNIT_EXPECT_EQ(test, PV_HC_REPS_PER_ENTRY, 16);
	KUNIT_EXPECT_EQ(test, pv_hc_rep_batch_end(&in), 16);
	in.rep_start = 80;
	KUNIT_EXPECT_EQ(test, pv_hc_rep_batch_end(&in), 96);
	in.rep_start = 96;
	KUNIT_EXPECT_EQ(test, pv_hc_rep_batch_end(&in), 100);
	in.rep_start = 99;
	KUNIT_EXPECT_EQ(test, pv_hc_rep_batch_end(&in), 100);
	/* Near the top of the 12-bit fields nothing wraps. */
	in.rep_count = 0xfff;
	in.rep_start = 0xffe;
	KUNIT_EXPECT_EQ(test, pv_hc_rep_batch_end(&in), 0xfff);
	in.rep_count = 5;
	in.rep_start = 0;
	KUNIT_EXPECT_EQ(test, pv_hc_rep_batch_end(&in), 5);
}

static void hc_rep_end(struct kunit *test)
{
	u64 value = input(2, 1, 3, 100, 16);
	struct pv_hc_regs regs = { .input = value, .result = 0x1234 };
	struct pv_hc_input in;

	pv_hc_decode(value, &in);
	/* Short of the count: only the start index changes, no result. */
	KUNIT_EXPECT_EQ(test, pv_hc_rep_end(&regs, &in, HV_STATUS_SUCCESS, 32),
			PV_HC_REPEAT);
	KUNIT_EXPECT_EQ(test, regs.input, input(2, 1, 3, 100, 32));
	KUNIT_EXPECT_EQ(test, regs.result, 0x1234);

	KUNIT_EXPECT_EQ(test, pv_hc_rep_end(&regs, &in, HV_STATUS_SUCCESS,
					    100),
			PV_HC_CONTINUE);
	KUNIT_EXPECT_EQ(test, regs.result, pv_hc_result(HV_STATUS_SUCCESS, 100));

	/* A failure ends the call wherever it happened. */
	regs.input = value;
	KUNIT_EXPECT_EQ(test, pv_hc_rep_end(&regs, &in,
					    HV_STATUS_INVALID_PARAMETER, 37),
			PV_HC_CONTINUE);
	KUNIT_EXPECT_EQ(test, regs.input, value);
	KUNIT_EXPECT_EQ(test, regs.result,
			pv_hc_result(HV_STATUS_INVALID_PARAMETER, 37));
}

static void hc_version(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pv_hc_version("0.1.0"), 0x00000001);
	KUNIT_EXPECT_EQ(test, pv_hc_version("2.13"), 0x0002000d);
	KUNIT_EXPECT_EQ(test, pv_hc_version("12.345.6.7"), 0x000c0159);
	KUNIT_EXPECT_EQ(test, pv_hc_version("3"), 0x00030000);
	KUNIT_EXPECT_EQ(test, pv_hc_version("1.2-rc3"), 0x00010002);
	KUNIT_EXPECT_EQ(test, pv_hc_version(""), 0);
	KUNIT_EXPECT_EQ(test, pv_hc_version("70000.99999"), 0xffffffff);
}

/*
 * A fake machine for the root's calls: three pages at made-up GPAs, one
 * of them mapped read-only. Every map() is recorded.
 */
#define FAKE_IN		0x10000ULL
#define FAKE_OUT	0x20000ULL
#define FAKE_RO		0x30000ULL
#define FAKE_WORDS	(HV_HC_PAGE_SIZE / sizeof(u64))
#define FAKE_POISON	0x5a5a5a5a5a5a5a5aULL

struct fake_machine {
	u64 in[FAKE_WORDS];
	u64 out[FAKE_WORDS];
	u64 ro[FAKE_WORDS];
	unsigned int maps;
};

static struct fake_machine *fake;

static void *fake_map(u64 gpa, bool write)
{
	u64 page = gpa & ~(u64)(HV_HC_PAGE_SIZE - 1);
	u64 *base;

	fake->maps++;
	if (page == FAKE_IN)
		base = fake->in;
	else if (page == FAKE_OUT)
		base = fake->out;
	else if (page == FAKE_RO && !write)
		base = fake->ro;
	else
		return NULL;
	return (u8 *)base + (gpa - page);
}

static const struct pv_hc_root_env fake_env = {
	.props = {
		.version = 0x00020003,
		.vendor = PARTVISOR_VENDOR_SVM,
		.features = PARTVISOR_FEAT_NESTED_PAGING | PARTVISOR_FEAT_VGIF,
		.nr_lps = 4,
		.current_lp = 3,
		.nr_tlb_tags = 15,
		.tsc_khz = 2994364,
	},
	.map = fake_map,
};

static u64 fake_expect(u64 id)
{
	const struct pv_hc_sysprops *p = &fake_env.props;

	switch (id) {
	case PARTVISOR_PROP_VERSION:
		return p->version;
	case PARTVISOR_PROP_VENDOR:
		return p->vendor;
	case PARTVISOR_PROP_FEATURES:
		return p->features;
	case PARTVISOR_PROP_NR_LPS:
		return p->nr_lps;
	case PARTVISOR_PROP_CURRENT_LP:
		return p->current_lp;
	case PARTVISOR_PROP_NR_TLB_TAGS:
		return p->nr_tlb_tags;
	case PARTVISOR_PROP_TSC_KHZ:
		return p->tsc_khz;
	}
	return FAKE_POISON;
}

static int fake_init(struct kunit *test)
{
	unsigned int i;

	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	if (!fake)
		return -ENOMEM;
	for (i = 0; i < FAKE_WORDS; i++) {
		fake->in[i] = i % PARTVISOR_PROP_LAST + 1;
		fake->out[i] = FAKE_POISON;
		fake->ro[i] = fake->in[i];
	}
	return 0;
}

/*
 * The first entry of out[from, to) that is not the value in[] asks for,
 * or that was written at all; -1 if none. One expectation per range keeps
 * a failure's log short.
 */
static int first_wrong(unsigned int from, unsigned int to)
{
	for (; from < to; from++)
		if (fake->out[from] != fake_expect(fake->in[from]))
			return from;
	return -1;
}

static int first_written(unsigned int from, unsigned int to)
{
	for (; from < to; from++)
		if (fake->out[from] != FAKE_POISON)
			return from;
	return -1;
}

/* Run one hypercall to completion the way the hardware would. */
struct run {
	u64 result;
	unsigned int exits;
	unsigned int slot;
	enum pv_hc_action action;
};

static struct run run_root(u64 value, u64 param0, u64 param1)
{
	struct pv_hc_regs regs = {
		.input = value, .param0 = param0, .param1 = param1,
	};
	struct run r = { .result = ~0ULL };

	do {
		r.action = pv_hc_root_call(&regs, &fake_env, &r.slot);
		r.exits++;
	} while (r.action == PV_HC_REPEAT && r.exits < 1000);
	r.result = regs.result;
	return r;
}

static u64 sysprop(u16 count, u16 start)
{
	return input(PV_HC_GET_SYSTEM_PROPERTY, 0, 0, count, start);
}

#define EXPECT_RESULT(test, r, status, reps)				\
	KUNIT_EXPECT_EQ(test, (r).result, pv_hc_result(status, reps))

static void hc_sysprop_values(struct kunit *test)
{
	u64 v;
	u64 id;

	for (id = 0; id <= PARTVISOR_PROP_LAST + 1; id++) {
		u16 status = pv_hc_sysprop(&fake_env.props, id, &v);

		if (id == 0 || id > PARTVISOR_PROP_LAST) {
			KUNIT_EXPECT_EQ_MSG(test, status,
					    HV_STATUS_INVALID_PARAMETER,
					    "id %llu", id);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, status, HV_STATUS_SUCCESS, "id %llu",
				    id);
		KUNIT_EXPECT_EQ_MSG(test, v, fake_expect(id), "id %llu", id);
	}
	KUNIT_EXPECT_EQ(test, pv_hc_sysprop(&fake_env.props, ~0ULL, &v),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, pv_hc_sysprop(&fake_env.props,
					    BIT_ULL(32) | PARTVISOR_PROP_VENDOR,
					    &v),
			HV_STATUS_INVALID_PARAMETER);
}

/* 100 reps: seven exits, six of them continuations, every value right. */
static void hc_sysprop_continuation(struct kunit *test)
{
	struct pv_hc_regs regs = {
		.input = sysprop(100, 0), .param0 = FAKE_IN, .param1 = FAKE_OUT,
	};
	enum pv_hc_action action;
	unsigned int slot;
	unsigned int exit;

	for (exit = 0; exit < 6; exit++) {
		action = pv_hc_root_call(&regs, &fake_env, &slot);
		KUNIT_ASSERT_EQ(test, action, PV_HC_REPEAT);
		KUNIT_EXPECT_EQ(test, slot,
				pv_hc_slot(PV_HC_GET_SYSTEM_PROPERTY));
		KUNIT_EXPECT_EQ(test, regs.input, sysprop(100, 16 * (exit + 1)));
		/* Exactly the reps so far are done, no more. */
		KUNIT_EXPECT_EQ(test, first_wrong(0, 16 * (exit + 1)), -1);
		KUNIT_EXPECT_EQ(test, first_written(16 * (exit + 1), FAKE_WORDS),
				-1);
	}
	action = pv_hc_root_call(&regs, &fake_env, &slot);
	KUNIT_EXPECT_EQ(test, action, PV_HC_CONTINUE);
	KUNIT_EXPECT_EQ(test, regs.result,
			pv_hc_result(HV_STATUS_SUCCESS, 100));
	KUNIT_EXPECT_EQ(test, first_wrong(0, 100), -1);
	KUNIT_EXPECT_EQ(test, first_written(100, FAKE_WORDS), -1);
}

static void hc_sysprop_rep_counts(struct kunit *test)
{
	static const struct {
		u16 count, start;
		unsigned int exits;
	} cases[] = {
		{ 1, 0, 1 }, { 16, 0, 1 }, { 17, 0, 2 }, { 32, 0, 2 },
		{ 512, 0, 32 }, { 512, 500, 1 }, { 100, 99, 1 }, { 40, 5, 3 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct run r = run_root(sysprop(cases[i].count, cases[i].start),
					FAKE_IN, FAKE_OUT);

		KUNIT_EXPECT_TRUE_MSG(test, r.action == PV_HC_CONTINUE &&
				      r.exits == cases[i].exits &&
				      r.result == pv_hc_result(0, cases[i].count),
				      "count %u start %u: action %d, %u exits, result %#llx",
				      cases[i].count, cases[i].start, r.action,
				      r.exits, r.result);
	}
}

/* The reps before rep_start are not touched; the ones from it are done. */
static void hc_sysprop_rep_start(struct kunit *test)
{
	struct run r = run_root(sysprop(60, 50), FAKE_IN, FAKE_OUT);

	EXPECT_RESULT(test, r, HV_STATUS_SUCCESS, 60);
	KUNIT_EXPECT_EQ(test, r.exits, 1);
	KUNIT_EXPECT_EQ(test, first_written(0, 50), -1);
	KUNIT_EXPECT_EQ(test, first_wrong(50, 60), -1);
	KUNIT_EXPECT_EQ(test, first_written(60, FAKE_WORDS), -1);
}

/* An unknown id stops the call there: the values before it are written. */
static void hc_sysprop_bad_id(struct kunit *test)
{
	static const u64 bad[] = { 0, PARTVISOR_PROP_LAST + 1, 0xdead, ~0ULL };
	unsigned int i, j;
	struct run r;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (j = 0; j < FAKE_WORDS; j++)
			fake->out[j] = FAKE_POISON;
		fake->in[37] = bad[i];
		r = run_root(sysprop(100, 0), FAKE_IN, FAKE_OUT);
		KUNIT_EXPECT_TRUE_MSG(test, r.result ==
				      pv_hc_result(HV_STATUS_INVALID_PARAMETER,
						   37) &&
				      r.action == PV_HC_CONTINUE &&
				      r.exits == 3 && first_wrong(0, 37) < 0 &&
				      first_written(37, FAKE_WORDS) < 0,
				      "id %#llx: result %#llx, %u exits, wrong %d, written %d",
				      bad[i], r.result, r.exits,
				      first_wrong(0, 37),
				      first_written(37, FAKE_WORDS));
	}

	/* On the first rep, and on the first rep of a continuation. */
	fake->in[0] = 0;
	r = run_root(sysprop(10, 0), FAKE_IN, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_PARAMETER, 0);
	fake->in[0] = 1;
	fake->in[16] = 0;
	r = run_root(sysprop(20, 0), FAKE_IN, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_PARAMETER, 16);
	KUNIT_EXPECT_EQ(test, r.exits, 2);
}

/* Both lists must be aligned and fit in one page, at their full length. */
static void hc_sysprop_lists(struct kunit *test)
{
	u64 last = FAKE_OUT + HV_HC_PAGE_SIZE - 8;
	struct run r;

	r = run_root(sysprop(4, 0), FAKE_IN + 4, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_ALIGNMENT, 0);
	r = run_root(sysprop(4, 0), FAKE_IN, FAKE_OUT + 1);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_ALIGNMENT, 0);
	/* One entry fits in the page's last word, two do not. */
	r = run_root(sysprop(1, 0), FAKE_IN, last);
	EXPECT_RESULT(test, r, HV_STATUS_SUCCESS, 1);
	r = run_root(sysprop(2, 0), FAKE_IN, last);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_ALIGNMENT, 0);
	/* The reps before the start index count as done, as everywhere. */
	r = run_root(sysprop(2, 1), FAKE_IN, last);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_ALIGNMENT, 1);
	/* A page holds 512; the 12-bit count allows more. */
	r = run_root(sysprop(512, 0), FAKE_IN, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_SUCCESS, 512);
	r = run_root(sysprop(513, 0), FAKE_IN, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_ALIGNMENT, 0);
	r = run_root(sysprop(0xfff, 0), FAKE_IN, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_ALIGNMENT, 0);
	/* Only lists that passed were mapped: both, on each of 1 + 32 exits. */
	KUNIT_EXPECT_EQ(test, fake->maps, 2 * (1 + 32));
	r = run_root(sysprop(30, 20), FAKE_IN + 8 * 500, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_ALIGNMENT, 20);
}

/* Lists the root may not use: unmapped, or an output list read-only. */
static void hc_sysprop_unmapped(struct kunit *test)
{
	struct run r;

	r = run_root(sysprop(8, 0), 0x40000, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_PARAMETER, 0);
	r = run_root(sysprop(8, 0), FAKE_IN, 0x40000);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_PARAMETER, 0);
	r = run_root(sysprop(8, 0), FAKE_IN, FAKE_RO);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_PARAMETER, 0);
	r = run_root(sysprop(8, 3), FAKE_IN, FAKE_RO);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_PARAMETER, 3);
	KUNIT_EXPECT_EQ(test, fake->out[0], FAKE_POISON);
	/* A read-only page is fine for the ids. */
	r = run_root(sysprop(8, 0), FAKE_RO, FAKE_OUT);
	EXPECT_RESULT(test, r, HV_STATUS_SUCCESS, 8);
	KUNIT_EXPECT_EQ(test, fake->out[7], fake_expect(fake->ro[7]));
}

/* Fast form, variable header, bad rep fields, reserved bits: refused. */
static void hc_sysprop_form(struct kunit *test)
{
	const u64 bad[] = {
		input(PV_HC_GET_SYSTEM_PROPERTY, 1, 0, 4, 0),
		input(PV_HC_GET_SYSTEM_PROPERTY, 0, 1, 4, 0),
		input(PV_HC_GET_SYSTEM_PROPERTY, 0, 0, 0, 0),
		input(PV_HC_GET_SYSTEM_PROPERTY, 0, 0, 4, 4),
		input(PV_HC_GET_SYSTEM_PROPERTY, 0, 0, 4, 7),
		input(PV_HC_GET_SYSTEM_PROPERTY, 0, 0, 4, 0) | BIT_ULL(31),
		input(PV_HC_GET_SYSTEM_PROPERTY, 0, 0, 4, 0) | BIT_ULL(44),
		input(PV_HC_GET_SYSTEM_PROPERTY, 0, 0, 4, 0) | BIT_ULL(63),
	};
	unsigned int i;
	struct run r;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = run_root(bad[i], FAKE_IN, FAKE_OUT);
		KUNIT_EXPECT_EQ_MSG(test, r.result,
				    pv_hc_result(HV_STATUS_INVALID_HYPERCALL_INPUT,
						 0), "input %#llx", bad[i]);
		KUNIT_EXPECT_EQ(test, r.action, PV_HC_CONTINUE);
		KUNIT_EXPECT_EQ(test, r.exits, 1);
	}
	/* Nothing was mapped, nothing written. */
	KUNIT_EXPECT_EQ(test, fake->maps, 0);
	KUNIT_EXPECT_EQ(test, fake->out[0], FAKE_POISON);
}

/*
 * The one call table: codes unique, each call someone's, the root's
 * calls ROOT_ONLY, children's inputs within the buffer, counter names
 * unique and as the tools know them.
 */
static void hc_table(struct kunit *test)
{
	char a[48], b[48];
	unsigned int i, j;

	for (i = 0; i < PV_NR_HC_CALLS; i++) {
		const struct pv_hc_call *c = &pv_hc_calls[i];

		KUNIT_EXPECT_PTR_EQ(test, pv_hc_find(c->desc.code), c);
		KUNIT_EXPECT_EQ(test, pv_hc_slot(c->desc.code), i);
		KUNIT_EXPECT_TRUE_MSG(test, c->guest || c->root, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, !c->guest,
				    !!(c->desc.flags & PV_HC_ROOT_ONLY), "%s",
				    c->name);
		KUNIT_EXPECT_LE(test, c->in_size, PV_HC_GUEST_INPUT_MAX);
		if (c->desc.flags & PV_HC_FAST_OK && c->guest)
			KUNIT_EXPECT_LE(test, c->in_size, 2 * sizeof(u64));
		pv_hc_slot_name(i, a, sizeof(a));
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, a,
					    pv_hc_slot_name(j, b, sizeof(b)));
	}
	KUNIT_EXPECT_EQ(test, pv_hc_slot(0x0002), PV_HC_SLOT_OTHER);
	KUNIT_EXPECT_STREQ(test, pv_hc_slot_name(PV_HC_SLOT_OTHER, a, sizeof(a)),
			   "other");
	KUNIT_EXPECT_STREQ(test,
			   pv_hc_slot_name(pv_hc_slot(PARTVISOR_HC_SEND_IPI), a,
					   sizeof(a)), "0x000b_send_ipi");
	KUNIT_EXPECT_STREQ(test,
			   pv_hc_slot_name(pv_hc_slot(PV_HC_DEVIRTUALIZE), a,
					   sizeof(a)), "0x8001_devirtualize");
}

/* The root's calls: their slots, and what each does. */
static void hc_root_codes(struct kunit *test)
{
	struct run r;

	r = run_root(PV_HC_DEVIRTUALIZE, 0, 0);
	KUNIT_EXPECT_EQ(test, r.action, PV_HC_DEVIRT);
	KUNIT_EXPECT_EQ(test, r.slot, pv_hc_slot(PV_HC_DEVIRTUALIZE));
	EXPECT_RESULT(test, r, HV_STATUS_SUCCESS, 0);
	/* A malformed devirtualize must not leave host mode. */
	r = run_root(input(PV_HC_DEVIRTUALIZE, 0, 0, 1, 0), 0, 0);
	KUNIT_EXPECT_EQ(test, r.action, PV_HC_CONTINUE);
	KUNIT_EXPECT_EQ(test, r.slot, pv_hc_slot(PV_HC_DEVIRTUALIZE));
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_HYPERCALL_INPUT, 0);
	r = run_root(PV_HC_DEVIRTUALIZE | BIT_ULL(60), 0, 0);
	KUNIT_EXPECT_EQ(test, r.action, PV_HC_CONTINUE);
	KUNIT_EXPECT_EQ(test, r.slot, PV_HC_SLOT_OTHER);

	r = run_root(sysprop(1, 0), FAKE_IN, FAKE_OUT);
	KUNIT_EXPECT_EQ(test, r.slot, pv_hc_slot(PV_HC_GET_SYSTEM_PROPERTY));
	EXPECT_RESULT(test, r, HV_STATUS_SUCCESS, 1);

	r = run_root(PV_HC_DISPATCH_VP, 0, 0);
	KUNIT_EXPECT_EQ(test, r.action, PV_HC_DISPATCH);
	KUNIT_EXPECT_EQ(test, r.slot, pv_hc_slot(PV_HC_DISPATCH_VP));
	EXPECT_RESULT(test, r, HV_STATUS_SUCCESS, 0);
	/* Dispatch takes no reps: a malformed one runs nothing. */
	r = run_root(input(PV_HC_DISPATCH_VP, 0, 0, 1, 0), 0, 0);
	KUNIT_EXPECT_EQ(test, r.action, PV_HC_CONTINUE);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_HYPERCALL_INPUT, 0);

	r = run_root(0x8004, 0, 0);
	KUNIT_EXPECT_EQ(test, r.slot, PV_HC_SLOT_OTHER);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_HYPERCALL_CODE, 0);
	r = run_root(0x0002, 0, 0);
	EXPECT_RESULT(test, r, HV_STATUS_INVALID_HYPERCALL_CODE, 0);
}

static struct kunit_case pv_hcall_cases[] = {
	KUNIT_CASE(hc_table),
	KUNIT_CASE(hc_decode_fields),
	KUNIT_CASE(hc_decode_reserved_bits),
	KUNIT_CASE(hc_validate_form),
	KUNIT_CASE(hc_validate_reps),
	KUNIT_CASE(hc_validate_privilege),
	KUNIT_CASE(hc_check_gpa),
	KUNIT_CASE(hc_result),
	KUNIT_CASE(hc_rep_batch_end),
	KUNIT_CASE(hc_rep_end),
	KUNIT_CASE(hc_version),
	{}
};

static struct kunit_suite pv_hcall_suite = {
	.name = "partvisor_hcall",
	.test_cases = pv_hcall_cases,
};

static struct kunit_case pv_hcall_root_cases[] = {
	KUNIT_CASE(hc_sysprop_values),
	KUNIT_CASE(hc_sysprop_continuation),
	KUNIT_CASE(hc_sysprop_rep_counts),
	KUNIT_CASE(hc_sysprop_rep_start),
	KUNIT_CASE(hc_sysprop_bad_id),
	KUNIT_CASE(hc_sysprop_lists),
	KUNIT_CASE(hc_sysprop_unmapped),
	KUNIT_CASE(hc_sysprop_form),
	KUNIT_CASE(hc_root_codes),
	{}
};

static struct kunit_suite pv_hcall_root_suite = {
	.name = "partvisor_hcall_root",
	.init = fake_init,
	.test_cases = pv_hcall_root_cases,
};

kunit_test_suites(&pv_hcall_suite, &pv_hcall_root_suite);
