// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls of child partitions, from real guests: a long-mode guest
 * issues each call with right and wrong inputs and reports every status
 * (RAX) with OUT; the VMM checks the exact PostMessage and debug-output
 * exits, the synthetic MSRs, the hypercall page (and a call through it),
 * #GP for bad hypercall MSR writes and #UD for a hypercall from CPL 3. A
 * 32-bit protected-mode guest uses the 32-bit register convention, and a
 * real-mode guest gets #UD. The guests use VMMCALL or VMCALL as the
 * vendor wants (the VMM tells them).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define FLAG_INTEL	0x2000	/* non-zero: use VMCALL */
#define MSGS		0x3000	/* the input lists the VMM prepares */
#define HC_PAGE		0x6000
#define PML4		0x7000
#define PDPT		0x8000
#define PD		0x9000
#define GDT		0xa000
#define IDT		0xb000
#define TSS		0xc000
#define RSP0		0xd000
#define USER_STACK	0xe000
#define STACK		0xf000

#define PORT_STATUS	0xe0
#define PORT_EXC	0xe1

/*
 * The long-mode guest, loaded at CODE. Every status goes out on port
 * 0xe0; the #UD and #GP handlers report their vector on port 0xe1 and go
 * on at the address in 0x2008 (a #UD from CPL 3 halts instead).
 */
asm(".pushsection .rodata\n"
	"lm_start:\n"
	".code64\n"
	/* NOTIFY_LONG_SPIN_WAIT, fast: 0 */
	"	mov $0x10008, %ecx\n"
	"	mov $1000, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	/* unknown code 0x0001: 2 */
	"	mov $0x0001, %ecx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	/* SEND_IPI, fast: vector 15, then VP 1 (there is none): 5 */
	"	mov $0x1000b, %ecx\n"
	"	mov $0x0f, %edx\n"
	"	mov $1, %r8d\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x1000b, %ecx\n"
	"	mov $0x40, %edx\n"
	"	mov $2, %r8d\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	/* a reserved input bit, a rep count on a simple call: 3 */
	"	movabs $0x8000000000010008, %rcx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	movabs $0x0000000100010008, %rcx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	/* the root's DISPATCH_VP: 6 */
	"	mov $0x18003, %ecx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	/*
	 * PostMessage: good (exit, then 0), misaligned, across a page (4),
	 * unmapped, bad type, too long (5), fast (3)
	 */
	"	xor %r8d, %r8d\n"
	"	mov $0x5c, %ecx\n"
	"	mov $0x3000, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x5c, %ecx\n"
	"	mov $0x3004, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x5c, %ecx\n"
	"	mov $0x3f08, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x5c, %ecx\n"
	"	mov $0x100000, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x5c, %ecx\n"
	"	mov $0x3100, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x5c, %ecx\n"
	"	mov $0x3200, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x1005c, %ecx\n"
	"	mov $0x3000, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	/* debug output: good (exit, then 0), too long, reserved set (5) */
	"	mov $0x8004, %ecx\n"
	"	mov $0x3400, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x8004, %ecx\n"
	"	mov $0x3500, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x8004, %ecx\n"
	"	mov $0x3600, %edx\n"
	"	call lm_hc\n"
	"	out %eax, $0xe0\n"
	/* HYPERCALL enabled without a guest OS id: ignored, reads 0 */
	"	mov $0x40000001, %ecx\n"
	"	mov $0x6001, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	rdmsr\n"
	"	out %eax, $0xe0\n"
	/* GUEST_OS_ID reads back */
	"	mov $0x40000000, %ecx\n"
	"	mov $0x81000000, %edx\n"
	"	mov $0x12345, %eax\n"
	"	wrmsr\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	rdmsr\n"
	"	out %eax, $0xe0\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0xe0\n"
	/* HYPERCALL enabled at 0x6000: reads 0x6001 */
	"	mov $0x40000001, %ecx\n"
	"	mov $0x6001, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	xor %eax, %eax\n"
	"	rdmsr\n"
	"	out %eax, $0xe0\n"
	/* a call through the page: 0 */
	"	mov $0x10008, %ecx\n"
	"	mov $0x6000, %eax\n"
	"	call *%rax\n"
	"	out %eax, $0xe0\n"
	/* a page outside memory, reserved bits: #GP, the MSR unchanged */
	"	lea 1f(%rip), %rax\n"
	"	mov %rax, 0x2008\n"
	"	mov $0x40000001, %ecx\n"
	"	mov $0x100001, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"1:	lea 1f(%rip), %rax\n"
	"	mov %rax, 0x2008\n"
	"	mov $0x40000001, %ecx\n"
	"	mov $0x6003, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"1:	mov $0x40000001, %ecx\n"
	"	rdmsr\n"
	"	out %eax, $0xe0\n"
	/* to CPL 3, and a hypercall there: #UD */
	"	mov $0xe000, %eax\n"
	"	push $0x33\n"
	"	push %rax\n"
	"	pushfq\n"
	"	push $0x2b\n"
	"	lea lm_user(%rip), %rax\n"
	"	push %rax\n"
	"	iretq\n"
	"lm_user:\n"
	"	mov $0x10008, %ecx\n"
	"	call lm_hc\n"
	"	jmp lm_user\n"
	"lm_hc:\n"
	"	cmpb $0, 0x2000\n"
	"	jne 1f\n"
	"	vmmcall\n"
	"	ret\n"
	"1:	vmcall\n"
	"	ret\n"
	"lm_ud:\n"
	"	push %rax\n"
	"	mov $6, %eax\n"
	"	out %eax, $0xe1\n"
	"	testb $3, 16(%rsp)\n"
	"	jnz 2f\n"
	"	mov 0x2008, %rax\n"
	"	mov %rax, 8(%rsp)\n"
	"	pop %rax\n"
	"	iretq\n"
	"2:	hlt\n"
	"	jmp 2b\n"
	"lm_gp:\n"
	"	add $8, %rsp\n"
	"	push %rax\n"
	"	mov $13, %eax\n"
	"	out %eax, $0xe1\n"
	"	mov 0x2008, %rax\n"
	"	mov %rax, 8(%rsp)\n"
	"	pop %rax\n"
	"	iretq\n"
	"lm_end:\n"
	/* 32-bit protected mode: EDX:EAX in, EBX:ECX input GPA, EDX:EAX out */
	".code32\n"
	"pm_start:\n"
	"	xor %edx, %edx\n"
	"	mov $0x10008, %eax\n"
	"	xor %ebx, %ebx\n"
	"	mov $5, %ecx\n"
	"	call pm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0xe0\n"
	"	xor %edx, %edx\n"
	"	mov $0x8004, %eax\n"
	"	xor %ebx, %ebx\n"
	"	mov $0x3400, %ecx\n"
	"	call pm_hc\n"
	"	out %eax, $0xe0\n"
	"	xor %edx, %edx\n"
	"	mov $0x0001, %eax\n"
	"	call pm_hc\n"
	"	out %eax, $0xe0\n"
	"	mov $0x80000000, %edx\n"
	"	mov $0x10008, %eax\n"
	"	call pm_hc\n"
	"	out %eax, $0xe0\n"
	"	hlt\n"
	"pm_hc:\n"
	"	cmpb $0, 0x2000\n"
	"	jne 1f\n"
	"	vmmcall\n"
	"	ret\n"
	"1:	vmcall\n"
	"	ret\n"
	"pm_end:\n"
	/* real mode: the hypercall instruction is #UD */
	".code16\n"
	"rm_start:\n"
	"	cmpb $0, 0x2000\n"
	"	jne 1f\n"
	"	vmmcall\n"
	"	jmp 2f\n"
	"1:	vmcall\n"
	"2:	mov $0xff, %al\n"
	"	out %al, $0xe0\n"
	"	hlt\n"
	"rm_ud:\n"
	"	mov $6, %al\n"
	"	out %al, $0xe1\n"
	"	hlt\n"
	"rm_end:\n"
	".code64\n"
	".popsection\n");

/* Where a label of the guest code is, in this program. */
#define GUEST_SYM(name) ({						\
	const unsigned char *p_;					\
	asm("lea " #name "(%%rip), %0" : "=r"(p_));			\
	p_;								\
})

static int intel;

static int guest_new(int dev, struct pv_guest *g, const unsigned char *start,
		     const unsigned char *end,
		     void (*setup)(struct pv_guest *g,
				   struct partvisor_vp_state *st))
{
	struct partvisor_vp_state st;

	if (pv_guest_new(dev, g, MEM_SIZE, CODE, start, end - start) ||
	    ioctl(g->vp, PARTVISOR_GET_VP_STATE, &st))
		return -1;
	g->mem[FLAG_INTEL] = intel;
	setup(g, &st);
	/* A broken copy would fail in confusing ways; say so instead. */
	if (memcmp(g->mem + CODE, start, end - start)) {
		errno = EIO;
		return -1;
	}
	return ioctl(g->vp, PARTVISOR_SET_VP_STATE, &st);
}

static void put64(struct pv_guest *g, __u64 gpa, __u64 v)
{
	memcpy(g->mem + gpa, &v, sizeof(v));
}

static void put32(struct pv_guest *g, __u64 gpa, __u32 v)
{
	memcpy(g->mem + gpa, &v, sizeof(v));
}

/* A 64-bit interrupt gate to @handler, DPL 0. */
static void idt_gate(struct pv_guest *g, unsigned int vector, __u64 handler)
{
	__u64 lo, hi = handler >> 32;

	lo = (handler & 0xffff) | ((__u64)PV_SEL_CODE << 16) |
	     (0x8eULL << 40) | ((handler >> 16) << 48);
	put64(g, IDT + vector * 16, lo);
	put64(g, IDT + vector * 16 + 8, hi);
}

/*
 * Long mode: the first 2 MiB identity-mapped, user-accessible; GDT with
 * kernel code and data, the TSS, user code (0x2b) and data (0x33).
 */
static void setup_long(struct pv_guest *g, struct partvisor_vp_state *st)
{
	put64(g, PML4, PDPT | 7);
	put64(g, PDPT, PD | 7);
	put64(g, PD, 0x87);
	put64(g, GDT + 0x08, 0x00af9a000000ffffULL);
	put64(g, GDT + 0x10, 0x00cf92000000ffffULL);
	put64(g, GDT + 0x18, 0x0000890000000067ULL | ((__u64)TSS << 16));
	put64(g, GDT + 0x28, 0x00affa000000ffffULL);
	put64(g, GDT + 0x30, 0x00cff2000000ffffULL);
	put64(g, TSS + 4, RSP0);
	idt_gate(g, 6, CODE + (GUEST_SYM(lm_ud) - GUEST_SYM(lm_start)));
	idt_gate(g, 13, CODE + (GUEST_SYM(lm_gp) - GUEST_SYM(lm_start)));
	pv_state_long(st, CODE, STACK, PML4, GDT, 0x37, TSS);
	st->idtr.base = IDT;
	st->idtr.limit = 32 * 16 - 1;
}

static void setup_protected(struct pv_guest *g, struct partvisor_vp_state *st)
{
	(void)g;
	pv_state_protected(st, CODE, STACK, GDT, 0x1f, TSS);
}

static void setup_real(struct pv_guest *g, struct partvisor_vp_state *st)
{
	/* IVT entry 6 (#UD) at 0000:rm_ud. */
	put32(g, 6 * 4, CODE + (GUEST_SYM(rm_ud) - GUEST_SYM(rm_start)));
	pv_state_real(st, 0, CODE, STACK);
}

static int run(struct pv_guest *g, struct partvisor_run *r)
{
	memset(r, 0, sizeof(*r));
	return ioctl(g->vp, PARTVISOR_RUN_VP, r);
}

/* The next exit is an OUT of @value to @port. */
static int expect_out(struct pv_guest *g, unsigned int port, __u32 value,
		      const char *what)
{
	struct partvisor_run r;
	int ret = run(g, &r);

	return pv_check(!ret && r.reason == PARTVISOR_EXIT_IO &&
			r.io.port == port && (__u32)r.io.data == value,
			"%s: %#x (exit %u port %#x value %#llx, ret %d)", what,
			value, r.reason, r.io.port,
			(unsigned long long)r.io.data, ret);
}

static int expect_status(struct pv_guest *g, __u32 status, const char *what)
{
	return expect_out(g, PORT_STATUS, status, what);
}

static void put_msg(struct pv_guest *g, __u64 gpa, __u32 conn,
		    __u32 rsvd, __u32 type, __u32 size)
{
	unsigned int i;

	put32(g, gpa, conn);
	put32(g, gpa + 4, rsvd);
	put32(g, gpa + 8, type);
	put32(g, gpa + 12, size);
	for (i = 0; i < PARTVISOR_MESSAGE_PAYLOAD; i++)
		g->mem[gpa + 16 + i] = i * 7 + 1;
}

static const char dbg_text[] = "hello from the guest";

static void put_dbg(struct pv_guest *g, __u64 gpa, __u32 size,
		    __u32 rsvd)
{
	put32(g, gpa, size);
	put32(g, gpa + 4, rsvd);
	memcpy(g->mem + gpa + 8, dbg_text, sizeof(dbg_text) - 1);
}

static void expect_debug_output(struct pv_guest *g, const char *what)
{
	size_t len = sizeof(dbg_text) - 1;
	struct partvisor_run r;
	int ret = run(g, &r);

	pv_check(!ret && r.reason == PARTVISOR_EXIT_DEBUG_OUTPUT &&
		 !r.msg.connection_id && !r.msg.type && r.msg.size == len &&
		 !r.msg.reserved && !memcmp(r.msg.payload, dbg_text, len),
		 "%s: DEBUG_OUTPUT exit with the bytes (exit %u size %u '%.*s', ret %d)",
		 what, r.reason, r.msg.size, (int)len, r.msg.payload, ret);
}

/*
 * How many of the VP's intercepts of @kind host mode handled, per
 * debugfs: exactly @want, out of at least as many of that kind.
 */
static void expect_in_host(struct pv_guest *g, const char *kind,
			   long long want)
{
	char name[64];
	long long host, all;

	snprintf(name, sizeof(name), "host_intercepts_%s", kind);
	host = pv_vp_counter(g->id, 0, name);
	snprintf(name, sizeof(name), "intercepts_%s", kind);
	all = pv_vp_counter(g->id, 0, name);
	pv_check(host == want && all >= host,
		 "%s exits handled in host mode: %lld of %lld (want %lld)",
		 kind, host, all, want);
}

static void test_long(int dev)
{
	static const unsigned char svm[] = { 0x0f, 0x01, 0xd9, 0xc3 };
	static const unsigned char vmx[] = { 0x0f, 0x01, 0xc1, 0xc3 };
	struct partvisor_run r;
	struct pv_guest g;
	unsigned int i;
	int ret, same;

	if (guest_new(dev, &g, GUEST_SYM(lm_start), GUEST_SYM(lm_end),
		      setup_long)) {
		pv_check(0, "set up the long-mode guest: %s", strerror(errno));
		return;
	}
	put_msg(&g, MSGS, 0x2a, 0, 0x1234, PARTVISOR_MESSAGE_PAYLOAD);
	put_msg(&g, MSGS + 0x100, 1, 0, 0x80000001, 8);
	put_msg(&g, MSGS + 0x200, 1, 0, 1, PARTVISOR_MESSAGE_PAYLOAD + 1);
	put_dbg(&g, MSGS + 0x400, sizeof(dbg_text) - 1, 0);
	put_dbg(&g, MSGS + 0x500, PARTVISOR_MESSAGE_PAYLOAD + 1, 0);
	put_dbg(&g, MSGS + 0x600, 4, 1);
	memset(g.mem + HC_PAGE, 0xf4, 0x1000);

	expect_status(&g, 0, "NOTIFY_LONG_SPIN_WAIT, fast: SUCCESS");
	expect_status(&g, 2, "unknown call 0x0001: INVALID_HYPERCALL_CODE");
	expect_status(&g, 5, "SEND_IPI with vector 15: INVALID_PARAMETER");
	expect_status(&g, 5, "SEND_IPI to a VP that does not exist: INVALID_PARAMETER");
	expect_status(&g, 3, "reserved input bit 63: INVALID_HYPERCALL_INPUT");
	expect_status(&g, 3, "rep count on a simple call: INVALID_HYPERCALL_INPUT");
	expect_status(&g, 6, "the root's DISPATCH_VP: ACCESS_DENIED");

	ret = run(&g, &r);
	same = 1;
	for (i = 0; i < PARTVISOR_MESSAGE_PAYLOAD; i++)
		same &= r.msg.payload[i] == (unsigned char)(i * 7 + 1);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_MESSAGE &&
		 r.msg.connection_id == 0x2a && r.msg.type == 0x1234 &&
		 r.msg.size == PARTVISOR_MESSAGE_PAYLOAD && !r.msg.reserved &&
		 same,
		 "PostMessage: MESSAGE exit with connection, type and 240 bytes (exit %u conn %#x type %#x size %u, ret %d)",
		 r.reason, r.msg.connection_id, r.msg.type, r.msg.size, ret);
	expect_status(&g, 0, "...and SUCCESS when the guest runs again");
	expect_status(&g, 4, "PostMessage, list misaligned: INVALID_ALIGNMENT");
	expect_status(&g, 4, "PostMessage, list across a page: INVALID_ALIGNMENT");
	expect_status(&g, 5, "PostMessage, list unmapped: INVALID_PARAMETER");
	expect_status(&g, 5, "PostMessage, type with bit 31: INVALID_PARAMETER");
	expect_status(&g, 5, "PostMessage, 241 bytes: INVALID_PARAMETER");
	expect_status(&g, 3, "PostMessage, fast: INVALID_HYPERCALL_INPUT");

	expect_debug_output(&g, "debug output");
	expect_status(&g, 0, "...and SUCCESS when the guest runs again");
	expect_status(&g, 5, "debug output, 241 bytes: INVALID_PARAMETER");
	expect_status(&g, 5, "debug output, reserved set: INVALID_PARAMETER");

	expect_status(&g, 0, "HYPERCALL enabled without a guest OS id: ignored");
	pv_check(g.mem[HC_PAGE] == 0xf4, "...and the page is not written");
	expect_status(&g, 0x12345, "GUEST_OS_ID reads back, low half");
	expect_status(&g, 0x81000000, "GUEST_OS_ID reads back, high half");
	expect_status(&g, 0x6001, "HYPERCALL enabled at 0x6000 reads back");
	pv_check(!memcmp(g.mem + HC_PAGE, intel ? vmx : svm, 4),
		 "the hypercall page holds %s; RET (%02x %02x %02x %02x)",
		 intel ? "VMCALL" : "VMMCALL", g.mem[HC_PAGE],
		 g.mem[HC_PAGE + 1], g.mem[HC_PAGE + 2], g.mem[HC_PAGE + 3]);
	expect_status(&g, 0, "a call through the hypercall page: SUCCESS");
	expect_out(&g, PORT_EXC, 13, "HYPERCALL page outside memory: #GP");
	expect_out(&g, PORT_EXC, 13, "HYPERCALL reserved bits: #GP");
	expect_status(&g, 0x6001, "...and the MSR is unchanged");
	expect_out(&g, PORT_EXC, 6, "a hypercall from CPL 3: #UD");
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_HALT,
		 "the guest ends with HLT (exit %u, ret %d)", r.reason, ret);
	/*
	 * On AMD-V host mode answers the calls rejected before they do
	 * anything: code 0x0001, bit 63, a rep count, DISPATCH_VP,
	 * PostMessage in the fast form, and the call from CPL 3 (#UD).
	 */
	expect_in_host(&g, "hypercall", intel ? 0 : 6);
	pv_guest_free(&g);
}

static void test_protected(int dev)
{
	struct pv_guest g;

	if (guest_new(dev, &g, GUEST_SYM(pm_start), GUEST_SYM(pm_end),
		      setup_protected)) {
		pv_check(0, "set up the protected-mode guest: %s",
			 strerror(errno));
		return;
	}
	put_dbg(&g, MSGS + 0x400, sizeof(dbg_text) - 1, 0);
	expect_status(&g, 0, "32-bit: NOTIFY_LONG_SPIN_WAIT, EAX = SUCCESS");
	expect_status(&g, 0, "32-bit: EDX = 0");
	expect_debug_output(&g, "32-bit: debug output from EBX:ECX");
	expect_status(&g, 0, "...and SUCCESS when the guest runs again");
	expect_status(&g, 2, "32-bit: unknown code: INVALID_HYPERCALL_CODE");
	expect_status(&g, 3, "32-bit: reserved bit 63 (EDX bit 31): INVALID_HYPERCALL_INPUT");
	pv_guest_free(&g);
}

static void test_real(int dev)
{
	struct partvisor_run r;
	struct pv_guest g;
	int ret;

	if (guest_new(dev, &g, GUEST_SYM(rm_start), GUEST_SYM(rm_end),
		      setup_real)) {
		pv_check(0, "set up the real-mode guest: %s", strerror(errno));
		return;
	}
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_IO &&
		 r.io.port == PORT_EXC && (r.io.data & 0xff) == 6,
		 "a hypercall in real mode: #UD (exit %u port %#x data %#llx, ret %d)",
		 r.reason, r.io.port, (unsigned long long)r.io.data, ret);
	pv_guest_free(&g);
}

/* CPUID 0x40000003 in a child: its MSRs and PostMessage. */
static const unsigned char cpuid_guest[] = {
	0x66, 0xb8, 0x03, 0x00, 0x00, 0x40,	/* mov eax, 0x40000003 */
	0x0f, 0xa2,				/* cpuid */
	0x66, 0xe7, 0xe0,			/* out 0xe0, eax */
	0x66, 0x89, 0xd8,			/* mov eax, ebx */
	0x66, 0xe7, 0xe0,			/* out 0xe0, eax */
	0xf4,					/* hlt */
};

static void setup_cpuid(struct pv_guest *g, struct partvisor_vp_state *st)
{
	(void)g;
	pv_state_real(st, 0, CODE, STACK);
}

static void test_cpuid(int dev)
{
	struct pv_guest g;

	if (guest_new(dev, &g, cpuid_guest, cpuid_guest + sizeof(cpuid_guest),
		      setup_cpuid)) {
		pv_check(0, "set up the CPUID guest: %s", strerror(errno));
		return;
	}
	expect_status(&g, 1u << 1 | 1u << 3 | 1u << 5 | 1u << 6,
		      "CPUID 0x40000003 EAX: reference counter, timer, hypercall and VP index MSRs");
	expect_status(&g, 1u << 4, "CPUID 0x40000003 EBX: PostMessages only");
	expect_in_host(&g, "cpuid", intel ? 0 : 1);
	pv_guest_free(&g);
}

int main(void)
{
	int dev = pv_open_vps_or_skip();
	struct partvisor_info info = { 0 };

	if (ioctl(dev, PARTVISOR_GET_INFO, &info))
		pv_skip_all("no GET_INFO");
	intel = info.vendor == PARTVISOR_VENDOR_VMX;

	printf("TAP version 13\n");
	pv_diag("guests use %s", intel ? "VMCALL" : "VMMCALL");
	test_long(dev);
	test_protected(dev);
	test_real(dev);
	test_cpuid(dev);
	printf("1..%u\n", pv_test_nr);
	return pv_finish();
}
