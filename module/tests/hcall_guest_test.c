// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for child partitions' hypercalls and synthetic MSRs: the
 * order of the checks and the status each gets, the input of each call
 * and the exit it produces, and the hypercall MSRs' rules, with guest
 * memory faked. abi.c and calls.c come from hcall_test.c.
 */
#include <kunit/test.h>

#include "../hcall/guest.c"

/* Fake guest memory: GPAs 0x1000-0x3fff, nothing else. */
#define MEM_BASE	0x1000
#define MEM_SIZE	0x3000

static u8 pv_test_mem[MEM_SIZE] __aligned(8);

static int fake_read(void *priv, u64 gpa, void *buf, u32 len)
{
	if (gpa < MEM_BASE || gpa + len > MEM_BASE + MEM_SIZE)
		return -EFAULT;
	memcpy(buf, pv_test_mem + gpa - MEM_BASE, len);
	return 0;
}

/* The fake partition has VPs 0 and 1; the last IPI sent is kept. */
static u32 ipi_vector;
static u64 ipi_mask;

static u16 fake_send_ipi(void *priv, u32 vector, u64 mask)
{
	if (mask & ~3ULL)
		return HV_STATUS_INVALID_PARAMETER;
	ipi_vector = vector;
	ipi_mask = mask;
	return HV_STATUS_SUCCESS;
}

static const struct pv_hc_guest_env env = {
	.read = fake_read, .send_ipi = fake_send_ipi,
};

static u64 input(u16 code, bool fast, u16 hdr, u16 count)
{
	return code | (fast ? HV_HC_FAST : 0) | ((u64)hdr << 17) |
	       ((u64)count << 32);
}

/* One call; its status, and the action through @action if wanted. */
static u16 call(u64 in, u64 p0, u64 p1, struct pv_hc_guest_exit *exit,
		enum pv_hc_guest_action *action)
{
	struct pv_hc_regs regs = { .input = in, .param0 = p0, .param1 = p1 };
	struct pv_hc_guest_exit scratch;
	enum pv_hc_guest_action a;

	a = pv_hc_guest_call(&regs, &env, exit ? exit : &scratch);
	if (action)
		*action = a;
	/* Guest calls are simple: reps completed is 0, other bits too. */
	if (regs.result & ~HV_HC_RESULT_STATUS_MASK)
		return 0xffff;
	return regs.result;
}

static void put_msg(u64 gpa, u32 conn, u32 rsvd, u32 type, u32 size)
{
	struct pv_hc_post_message *m = (void *)(pv_test_mem + gpa - MEM_BASE);
	unsigned int i;

	m->connection_id = conn;
	m->reserved = rsvd;
	m->message_type = type;
	m->payload_size = size;
	for (i = 0; i < sizeof(m->payload); i++)
		m->payload[i] = i ^ 0x5a;
}

static void guest_codes(struct kunit *test)
{
	enum pv_hc_guest_action a;

	/* Reserved input bits come first, even on an unknown code. */
	KUNIT_EXPECT_EQ(test, call(BIT_ULL(63) | 0x0001, 0, 0, NULL, NULL),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, call(BIT_ULL(31) | PARTVISOR_HC_NOTIFY_LONG_SPIN_WAIT |
				   HV_HC_FAST, 0, 0, NULL, NULL),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, call(0x0001, 0, 0, NULL, &a),
			HV_STATUS_INVALID_HYPERCALL_CODE);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_CONTINUE);
	KUNIT_EXPECT_EQ(test, call(0xffff, 0, 0, NULL, NULL),
			HV_STATUS_INVALID_HYPERCALL_CODE);
	/* The root's management calls, in any form. */
	KUNIT_EXPECT_EQ(test, call(input(PV_HC_DEVIRTUALIZE, true, 0, 0), 0, 0,
				   NULL, NULL), HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, call(input(PV_HC_GET_SYSTEM_PROPERTY, false, 0, 1),
				   0x1000, 0x1008, NULL, NULL),
			HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, call(input(PV_HC_DISPATCH_VP, false, 0, 0), 0, 0,
				   NULL, &a), HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_CONTINUE);
}

/* Fast form: RDX = vector | VTL << 32, R8 = the VP mask. */
static void guest_send_ipi(struct kunit *test)
{
	u64 in = input(PARTVISOR_HC_SEND_IPI, true, 0, 0);
	struct pv_hc_send_ipi *m = (void *)(pv_test_mem + 0x1000 - MEM_BASE);

	ipi_vector = 0;
	KUNIT_EXPECT_EQ(test, call(in, 0x40, 2, NULL, NULL), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ipi_vector, 0x40);
	KUNIT_EXPECT_EQ(test, ipi_mask, 2);
	/* Vectors 16-255 only, VTL 0 only, no reserved bits. */
	ipi_vector = 0;
	KUNIT_EXPECT_EQ(test, call(in, 0x0f, 1, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, call(in, 0x100, 1, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, call(in, 0x40 | 1ULL << 32, 1, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, call(in, 0x40 | 1ULL << 40, 1, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	/* A VP that does not exist. */
	KUNIT_EXPECT_EQ(test, call(in, 0x40, 4, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, ipi_vector, 0);
	KUNIT_EXPECT_EQ(test, call(in, 0x10, 3, NULL, NULL), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ipi_vector, 0x10);

	/* The memory form reads the same 16 bytes from the list. */
	memset(m, 0, sizeof(*m));
	m->vector = 0xff;
	m->processor_mask = 1;
	KUNIT_EXPECT_EQ(test, call(input(PARTVISOR_HC_SEND_IPI, false, 0, 0),
				   0x1000, 0, NULL, NULL), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ipi_vector, 0xff);
	KUNIT_EXPECT_EQ(test, ipi_mask, 1);
}

static void guest_spin_wait(struct kunit *test)
{
	u16 code = PARTVISOR_HC_NOTIFY_LONG_SPIN_WAIT;
	enum pv_hc_guest_action a;

	KUNIT_EXPECT_EQ(test, call(input(code, true, 0, 0), 100, 0, NULL, &a),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_YIELD);
	/* The memory form reads its u64 like any list. */
	KUNIT_EXPECT_EQ(test, call(input(code, false, 0, 0), 0x2000, 0, NULL,
				   &a), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_YIELD);
	KUNIT_EXPECT_EQ(test, call(input(code, false, 0, 0), 0x2004, 0, NULL,
				   &a), HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_CONTINUE);
	KUNIT_EXPECT_EQ(test, call(input(code, false, 0, 0), 0x8000, 0, NULL,
				   NULL), HV_STATUS_INVALID_PARAMETER);
	/* A simple call with rep fields or a variable header. */
	KUNIT_EXPECT_EQ(test, call(input(code, true, 0, 1), 0, 0, NULL, NULL),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, call(input(code, true, 0, 0) | (1ULL << 48), 0, 0,
				   NULL, NULL), HV_STATUS_INVALID_HYPERCALL_INPUT);
	KUNIT_EXPECT_EQ(test, call(input(code, true, 1, 0), 0, 0, NULL, NULL),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void guest_post_message(struct kunit *test)
{
	u64 in = input(PARTVISOR_HC_POST_MESSAGE, false, 0, 0);
	struct pv_hc_guest_exit exit;
	enum pv_hc_guest_action a;
	unsigned int i;
	bool same = true;

	put_msg(0x2000, 0x1234, 0, 7, 240);
	memset(&exit, 0xee, sizeof(exit));
	KUNIT_EXPECT_EQ(test, call(in, 0x2000, 0, &exit, &a), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_EXIT);
	KUNIT_EXPECT_EQ(test, exit.reason, PARTVISOR_EXIT_MESSAGE);
	KUNIT_EXPECT_EQ(test, exit.msg.connection_id, 0x1234);
	KUNIT_EXPECT_EQ(test, exit.msg.type, 7);
	KUNIT_EXPECT_EQ(test, exit.msg.size, 240);
	KUNIT_EXPECT_EQ(test, exit.msg.reserved, 0);
	for (i = 0; i < 240; i++)
		same &= exit.msg.payload[i] == (u8)(i ^ 0x5a);
	KUNIT_EXPECT_TRUE(test, same);

	/* Only @payload_size bytes reach the VMM; the rest is zero. */
	put_msg(0x2000, 1, 0, 0x7fffffff, 3);
	KUNIT_EXPECT_EQ(test, call(in, 0x2000, 0, &exit, &a), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, exit.msg.size, 3);
	KUNIT_EXPECT_EQ(test, exit.msg.payload[2], 2 ^ 0x5a);
	KUNIT_EXPECT_EQ(test, exit.msg.payload[3], 0);
	put_msg(0x2000, 1, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, call(in, 0x2000, 0, &exit, &a), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, exit.msg.size, 0);

	put_msg(0x2000, 1, 0, 0, 8);
	KUNIT_EXPECT_EQ(test, call(in, 0x2000, 0, NULL, &a),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_CONTINUE);
	put_msg(0x2000, 1, 0, 0x80000001, 8);
	KUNIT_EXPECT_EQ(test, call(in, 0x2000, 0, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	put_msg(0x2000, 1, 0, 1, 241);
	KUNIT_EXPECT_EQ(test, call(in, 0x2000, 0, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	put_msg(0x2000, 1, 1, 1, 8);
	KUNIT_EXPECT_EQ(test, call(in, 0x2000, 0, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);

	/* The whole 256-byte list must sit in one page of readable memory. */
	put_msg(0x1f00, 1, 0, 1, 8);
	KUNIT_EXPECT_EQ(test, call(in, 0x1f00, 0, NULL, NULL), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, call(in, 0x1f08, 0, NULL, NULL),
			HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, call(in, 0x2001, 0, NULL, NULL),
			HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, call(in, 0x4000, 0, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, call(in, 0xfffffffffffff000ULL, 0, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	/* No fast form. */
	KUNIT_EXPECT_EQ(test, call(in | HV_HC_FAST, 0, 0, NULL, NULL),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void put_dbg(u64 gpa, u32 size, u32 rsvd, const char *s)
{
	struct pv_hc_debug_output *d = (void *)(pv_test_mem + gpa - MEM_BASE);

	d->size = size;
	d->reserved = rsvd;
	if (s)
		memcpy(d + 1, s, strlen(s));
}

static void guest_debug_output(struct kunit *test)
{
	u64 in = input(PARTVISOR_HC_DEBUG_OUTPUT, false, 0, 0);
	struct pv_hc_guest_exit exit;
	enum pv_hc_guest_action a;

	put_dbg(0x3000, 5, 0, "hello");
	memset(&exit, 0xee, sizeof(exit));
	KUNIT_EXPECT_EQ(test, call(in, 0x3000, 0, &exit, &a), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_EXIT);
	KUNIT_EXPECT_EQ(test, exit.reason, PARTVISOR_EXIT_DEBUG_OUTPUT);
	KUNIT_EXPECT_EQ(test, exit.msg.connection_id, 0);
	KUNIT_EXPECT_EQ(test, exit.msg.type, 0);
	KUNIT_EXPECT_EQ(test, exit.msg.size, 5);
	KUNIT_EXPECT_EQ(test, memcmp(exit.msg.payload, "hello\0", 6), 0);

	put_dbg(0x3000, 0, 0, NULL);
	KUNIT_EXPECT_EQ(test, call(in, 0x3000, 0, &exit, &a), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, exit.msg.size, 0);
	put_dbg(0x3000, 241, 0, NULL);
	KUNIT_EXPECT_EQ(test, call(in, 0x3000, 0, NULL, &a),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, a, PV_HC_GUEST_CONTINUE);
	put_dbg(0x3000, 5, 2, "hello");
	KUNIT_EXPECT_EQ(test, call(in, 0x3000, 0, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	/* Header and bytes in one page: 8 + 8 fit at 0x2ff0, 8 + 9 do not. */
	put_dbg(0x2ff0, 8, 0, "12345678");
	KUNIT_EXPECT_EQ(test, call(in, 0x2ff0, 0, &exit, NULL),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, memcmp(exit.msg.payload, "12345678", 8), 0);
	put_dbg(0x2ff0, 9, 0, NULL);
	KUNIT_EXPECT_EQ(test, call(in, 0x2ff0, 0, NULL, NULL),
			HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, call(in, 0x3004, 0, NULL, NULL),
			HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, call(in, 0x5000, 0, NULL, NULL),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, call(in | HV_HC_FAST, 0x3000, 0, NULL, NULL),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void guest_msrs(struct kunit *test)
{
	struct pv_hv_msrs m = { 0 }, next;
	u64 v = 1;

	KUNIT_EXPECT_EQ(test, pv_hv_msr_read(&m, 0x40000002, &v),
			PV_HV_MSR_NOT_OURS);
	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, 0xc0000080, 0, &next),
			PV_HV_MSR_NOT_OURS);
	KUNIT_EXPECT_EQ(test, pv_hv_msr_read(&m, PARTVISOR_MSR_HYPERCALL, &v),
			PV_HV_MSR_DONE);
	KUNIT_EXPECT_EQ(test, v, 0);

	/* Enabling without a guest OS id is ignored. */
	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, PARTVISOR_MSR_HYPERCALL,
					      0x5001, &next), PV_HV_MSR_DONE);
	KUNIT_EXPECT_EQ(test, next.hypercall, 0);
	/* A disabled value is kept as written. */
	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, PARTVISOR_MSR_HYPERCALL,
					      0x5000, &next), PV_HV_MSR_DONE);
	KUNIT_EXPECT_EQ(test, next.hypercall, 0x5000);
	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, PARTVISOR_MSR_HYPERCALL,
					      0x5002, &next), PV_HV_MSR_GP);
	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, PARTVISOR_MSR_HYPERCALL,
					      0x5801, &next), PV_HV_MSR_GP);

	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, PARTVISOR_MSR_GUEST_OS_ID,
					      0x8100000000000000ULL, &next),
			PV_HV_MSR_DONE);
	m = next;
	KUNIT_EXPECT_EQ(test, pv_hv_msr_read(&m, PARTVISOR_MSR_GUEST_OS_ID, &v),
			PV_HV_MSR_DONE);
	KUNIT_EXPECT_EQ(test, v, 0x8100000000000000ULL);
	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, PARTVISOR_MSR_HYPERCALL,
					      0x5001, &next),
			PV_HV_MSR_FILL_PAGE);
	KUNIT_EXPECT_EQ(test, next.hypercall, 0x5001);
	m = next;
	/* Clearing the OS id disables the page. */
	KUNIT_EXPECT_EQ(test, pv_hv_msr_write(&m, PARTVISOR_MSR_GUEST_OS_ID, 0,
					      &next), PV_HV_MSR_DONE);
	KUNIT_EXPECT_EQ(test, next.hypercall, 0x5000);
	KUNIT_EXPECT_EQ(test, next.guest_os_id, 0);
}

static void guest_page_code(struct kunit *test)
{
	static const u8 svm[] = { 0x0f, 0x01, 0xd9, 0xc3 };
	static const u8 vmx[] = { 0x0f, 0x01, 0xc1, 0xc3 };
	u8 code[PV_HC_PAGE_CODE_SIZE];

	pv_hc_page_code(code, PARTVISOR_VENDOR_SVM);
	KUNIT_EXPECT_EQ(test, memcmp(code, svm, sizeof(svm)), 0);
	pv_hc_page_code(code, PARTVISOR_VENDOR_VMX);
	KUNIT_EXPECT_EQ(test, memcmp(code, vmx, sizeof(vmx)), 0);
}

/* Counts the guest-memory reads host mode must not make. */
static unsigned int host_reads;

static int counting_read(void *priv, u64 gpa, void *buf, u32 len)
{
	host_reads++;
	return fake_read(priv, gpa, buf, len);
}

/*
 * Host mode: rejections are answered there; any call that gets past the
 * generic checks goes to the root with the result untouched and without
 * reading guest memory or sending an IPI, although the environment could
 * do both (in the fast form these parameters would send vector 0x30 to
 * VP 0).
 */
static void guest_host_mode(struct kunit *test)
{
	static const struct pv_hc_guest_env host = {
		.read = counting_read, .send_ipi = fake_send_ipi,
		.host_mode = true,
	};
	static const struct {
		u64 input;
		u16 status;	/* 0: goes to the root */
	} cases[] = {
		{ 0x0001, HV_STATUS_INVALID_HYPERCALL_CODE },
		{ BIT_ULL(63) | PARTVISOR_HC_SEND_IPI,
		  HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ PARTVISOR_HC_SEND_IPI | BIT_ULL(32),	/* rep count */
		  HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ PARTVISOR_HC_POST_MESSAGE | HV_HC_FAST,
		  HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ PV_HC_DISPATCH_VP, HV_STATUS_ACCESS_DENIED },
		{ PARTVISOR_HC_SEND_IPI | HV_HC_FAST, 0 },
		{ PARTVISOR_HC_SEND_IPI, 0 },
		{ PARTVISOR_HC_POST_MESSAGE, 0 },
		{ PARTVISOR_HC_DEBUG_OUTPUT, 0 },
		{ PARTVISOR_HC_NOTIFY_LONG_SPIN_WAIT | HV_HC_FAST, 0 },
	};
	const u64 untouched = 0x5a5a5a5a5a5a5a5aULL;
	struct pv_hc_regs regs;
	enum pv_hc_guest_action a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		regs = (struct pv_hc_regs){
			.input = cases[i].input, .param0 = 0x30,
			.param1 = 1, .result = untouched,
		};
		ipi_mask = 0;
		host_reads = 0;
		/* No exit is passed: no call's function may run. */
		a = pv_hc_guest_call(&regs, &host, NULL);
		if (cases[i].status) {
			KUNIT_EXPECT_EQ_MSG(test, a, PV_HC_GUEST_CONTINUE,
					    "input %#llx", cases[i].input);
			KUNIT_EXPECT_EQ_MSG(test, regs.result,
					    (u64)cases[i].status,
					    "input %#llx", cases[i].input);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, a, PV_HC_GUEST_ROOT,
					    "input %#llx", cases[i].input);
			KUNIT_EXPECT_EQ_MSG(test, regs.result, untouched,
					    "input %#llx", cases[i].input);
		}
		KUNIT_EXPECT_EQ(test, ipi_mask, 0ULL);
		KUNIT_EXPECT_EQ(test, host_reads, 0U);
	}
}

static struct kunit_case pv_hcall_guest_cases[] = {
	KUNIT_CASE(guest_codes),
	KUNIT_CASE(guest_host_mode),
	KUNIT_CASE(guest_spin_wait),
	KUNIT_CASE(guest_send_ipi),
	KUNIT_CASE(guest_post_message),
	KUNIT_CASE(guest_debug_output),
	KUNIT_CASE(guest_msrs),
	KUNIT_CASE(guest_page_code),
	{}
};

static struct kunit_suite pv_hcall_guest_suite = {
	.name = "partvisor_hcall_guest",
	.test_cases = pv_hcall_guest_cases,
};

kunit_test_suite(pv_hcall_guest_suite);
