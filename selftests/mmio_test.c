// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO and string I/O of child VPs: a real-mode guest and a 64-bit guest
 * with paging (MMIO reached through virtual addresses that differ from
 * the physical ones, a 2 MiB page, RIP-relative operands) read and write
 * unmapped memory with several MOV forms and sizes and run INS/OUTS with
 * and without REP, forwards and backwards. The VMM checks every exit's
 * address, size, data and direction, and answers reads with values the
 * guest stores to RAM for the test to check. An instruction the
 * hypervisor does not decode is reported with size 0 and left in place;
 * a string I/O element at a virtual address without a mapping raises a
 * #PF in the guest; a CPUID with a prefix is skipped whole, also on
 * AMD-V without NRIPS.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000		/* RAM at GPA 0; MMIO above it */
#define CODE		0x1000
#define RESULTS		0x3000
#define GDT		0x800
#define TSS		0x900
#define PML4		0x4000
#define PDPT		0x5000
#define PD		0x6000
#define PT_LOW		0x7000		/* VA 0-2M: identity, RAM only */
#define PT_MMIO		0x8000		/* VA 2M-4M: MMIO and moved RAM */
#define STRINGS		0x9000		/* RAM the 64-bit guest sees at VA 0x205000 */

#define IO_PORT		0xe0

/* Real mode: DS is 0x1000, so DS:x is MMIO GPA 0x10000 + x. */
asm(".pushsection .rodata\n"
	"real_start:\n"
	".code16\n"
	"	mov $0x1000, %ax\n"
	"	mov %ax, %ds\n"
	"	xor %ax, %ax\n"
	"	mov %ax, %es\n"
	"	movb $0x5a, 0x10\n"			/* c6: write 1 */
	"	mov $0x1234, %ax\n"
	"	mov %ax, 0x20\n"			/* a3: write 2 */
	"	mov $0x30, %si\n"
	"	mov $0x89abcdef, %ebx\n"
	"	mov %ebx, (%si)\n"			/* 66 89: write 4 */
	"	mov 0x40, %al\n"			/* a0: read 1 */
	"	mov %al, %es:0x3000\n"
	"	mov $0x50, %di\n"
	"	mov (%di), %cx\n"			/* 8b: read 2 */
	"	mov %cx, %es:0x3002\n"
	"	mov 0x60, %edx\n"			/* 66 8b: read 4 */
	"	mov %edx, %es:0x3004\n"
	"	mov $0xffffffff, %eax\n"
	"	movzbl 0x70, %eax\n"			/* movzx: read 1 */
	"	mov %eax, %es:0x3008\n"
	"	movsbw 0x71, %bp\n"			/* movsx: read 1 */
	"	mov %bp, %es:0x300c\n"
	"	mov $0x55, %al\n"
	"	mov 0x80, %ah\n"			/* 8a into AH: read 1 */
	"	mov %ax, %es:0x300e\n"
	"	mov $0xe0, %dx\n"
	"	cld\n"
	"	mov $0x3100, %si\n"
	"	mov $4, %cx\n"
	"	rep outsb %es:(%si), (%dx)\n"		/* 'a' 'b' 'c' 'd' */
	"	mov $0x3200, %di\n"
	"	mov $3, %cx\n"
	"	rep insw (%dx), %es:(%di)\n"
	"	std\n"
	"	mov $0x3103, %si\n"
	"	mov $2, %cx\n"
	"	rep outsb %es:(%si), (%dx)\n"		/* 'd' 'c' */
	"	cld\n"
	"	mov $0x3100, %si\n"
	"	outsw %es:(%si), (%dx)\n"		/* "ab" */
	"	mov %si, %es:0x3010\n"
	"	mov %di, %es:0x3012\n"
	"	mov %cx, %es:0x3014\n"
	"	hlt\n"
	"real_end:\n"
	".code64\n"
	".popsection\n");

/*
 * 64-bit mode: VA 0x200000 + n * 4K is GPA 0x10000 + n * 4K (MMIO),
 * VA 0x205000 is GPA STRINGS (RAM), VA 0x600000 is a 2M page at GPA
 * 0x400000 (MMIO), VA 0x300000 is not mapped.
 */
asm(".pushsection .rodata\n"
	"long_start:\n"
	".code64\n"
	"	mov $0x200000, %rbx\n"
	"	mov $0x1122334455667788, %rax\n"
	"	mov %rax, 8(%rbx)\n"			/* REX.W 89: write 8 */
	"	movl $0xdeadbeef, 0x10(%rbx)\n"		/* c7: write 4 */
	"	mov $0x7f, %r9d\n"
	"	mov %r9b, 0x18(%rbx)\n"			/* REX 88: write 1 */
	"	movw $0xbeef, 0x1000(%rbx)\n"		/* 66 c7: write 2, next page */
	"	movabs %eax, 0x200020\n"		/* a3 moffs64: write 4 */
	"	movabs 0x600008, %rax\n"		/* 2M page: read 8 */
	"	mov %rax, 0x3000\n"
	"	mov $-1, %r11\n"
	"	mov 0x28(%rbx), %r11w\n"		/* read 2, upper kept */
	"	mov %r11, 0x3008\n"
    /* mov disp32(%rip), %edx, at VA 0x200030 wherever the test is linked */
	"	.byte 0x8b, 0x15\n"
	"	.long 0x200030 - 0x1000 - (1f - long_start)\n"
	"1:	mov %rdx, 0x3010\n"			/* RIP-relative read 4 */
	"	movzwl 0x38(%rbx), %esi\n"
	"	mov %rsi, 0x3018\n"
	"	movsbq 0x3a(%rbx), %rdi\n"
	"	mov %rdi, 0x3020\n"
	"	mov $0xe0, %dx\n"
	"	mov $0x205000, %rsi\n"
	"	mov $2, %ecx\n"
	"	rep outsl\n"
	"	std\n"
	"	mov $0x205102, %rdi\n"
	"	mov $3, %ecx\n"
	"	rep insb\n"
	"	cld\n"
	"	mov %rsi, 0x3028\n"
	"	mov %rdi, 0x3030\n"
	"	add %eax, 0x40(%rbx)\n"			/* not decoded */
	"	rex.w cpuid\n"				/* skipped whole */
	"	hlt\n"
	"	mov $0x300000, %rsi\n"
	"	outsb\n"				/* #PF: no IDT, triple fault */
	"long_end:\n"
	".popsection\n");

/* Where an asm() block above begins and how long it is. */
#define GUEST_CODE(start, end, len) ({					\
	const unsigned char *s_, *e_;					\
	asm("lea " #start "(%%rip), %0\n\tlea " #end "(%%rip), %1"	\
	    : "=r"(s_), "=r"(e_));					\
	*(len) = e_ - s_;						\
	s_;								\
})

/* One exit the VMM expects, and what it answers to a read or IN. */
struct expect {
	unsigned int reason;
	unsigned long long addr;	/* GPA or port */
	unsigned int size, flags;
	unsigned long long data;
};

#define W	PARTVISOR_MMIO_WRITE
#define STR	PARTVISOR_IO_STRING
#define REP	PARTVISOR_IO_REP
#define IN	PARTVISOR_IO_IN
#define MMIO(gpa, size, flags, data) \
	{ PARTVISOR_EXIT_MMIO, gpa, size, flags, data }
#define IO(size, flags, data) \
	{ PARTVISOR_EXIT_IO, IO_PORT, size, flags, data }

static const struct expect real_exits[] = {
	MMIO(0x10010, 1, W, 0x5a),
	MMIO(0x10020, 2, W, 0x1234),
	MMIO(0x10030, 4, W, 0x89abcdef),
	MMIO(0x10040, 1, 0, 0x11),
	MMIO(0x10050, 2, 0, 0x2233),
	MMIO(0x10060, 4, 0, 0x44556677),
	MMIO(0x10070, 1, 0, 0x88),
	MMIO(0x10071, 1, 0, 0x99),
	MMIO(0x10080, 1, 0, 0xaa),
	IO(1, STR | REP, 'a'), IO(1, STR | REP, 'b'),
	IO(1, STR | REP, 'c'), IO(1, STR | REP, 'd'),
	IO(2, STR | REP | IN, 0x1111), IO(2, STR | REP | IN, 0x2222),
	IO(2, STR | REP | IN, 0x3333),
	IO(1, STR | REP, 'd'), IO(1, STR | REP, 'c'),
	IO(2, STR, 0x6261),
	{ PARTVISOR_EXIT_HALT, 0, 0, 0, 0 },
};

static const struct expect long_exits[] = {
	MMIO(0x10008, 8, W, 0x1122334455667788ULL),
	MMIO(0x10010, 4, W, 0xdeadbeef),
	MMIO(0x10018, 1, W, 0x7f),
	MMIO(0x11000, 2, W, 0xbeef),
	MMIO(0x10020, 4, W, 0x55667788),
	MMIO(0x400008, 8, 0, 0x0102030405060708ULL),
	MMIO(0x10028, 2, 0, 0xabcd),
	MMIO(0x10030, 4, 0, 0x87654321),
	MMIO(0x10038, 2, 0, 0xfedc),
	MMIO(0x1003a, 1, 0, 0x80),
	IO(4, STR | REP, 0x64636261), IO(4, STR | REP, 0x68676665),
	IO(1, STR | REP | IN, 'x'), IO(1, STR | REP | IN, 'y'),
	IO(1, STR | REP | IN, 'z'),
};

static int guest_new(int dev, struct pv_guest *g, const unsigned char *code,
		     size_t len)
{
	return pv_guest_new(dev, g, MEM_SIZE, CODE, code, len);
}

/*
 * Run through the expected exits, answering reads; false at a mismatch.
 * @r holds the answer to the last one for the caller's next RUN.
 */
static int run_expect(struct pv_guest *g, const char *what,
		      const struct expect *x, unsigned int n,
		      struct partvisor_run *rp)
{
	struct partvisor_run r = { 0 };
	unsigned int i, size, flags;
	unsigned long long addr, data;
	int ret, ok;

	for (i = 0; i < n; i++) {
		ret = ioctl(g->vp, PARTVISOR_RUN_VP, &r);
		addr = r.reason == PARTVISOR_EXIT_IO ? r.io.port : r.mmio.gpa;
		size = r.reason == PARTVISOR_EXIT_IO ? r.io.size : r.mmio.size;
		flags = r.reason == PARTVISOR_EXIT_IO ? r.io.flags : r.mmio.flags;
		data = r.reason == PARTVISOR_EXIT_IO ? r.io.data : r.mmio.data;
		ok = !ret && r.reason == x[i].reason;
		if (ok && x[i].reason != PARTVISOR_EXIT_HALT) {
			ok = addr == x[i].addr && size == x[i].size &&
			     flags == x[i].flags;
			/* The guest's value for writes and OUTs. */
			if (x[i].reason == PARTVISOR_EXIT_IO ? !(flags & IN) :
			    (flags & W))
				ok &= data == x[i].data;
		}
		pv_check(ok,
			 "%s exit %u: reason %u addr %#llx size %u flags %#x data %#llx (want %u %#llx %u %#x %#llx; ret %d)",
			 what, i, r.reason, addr, size, flags, data,
			 x[i].reason, x[i].addr, x[i].size, x[i].flags,
			 x[i].data, ret);
		if (!ok)
			return 0;
		memset(&r, 0, sizeof(r));
		if (x[i].reason == PARTVISOR_EXIT_IO)
			r.io.data = x[i].data;
		else
			r.mmio.data = x[i].data;
	}
	*rp = r;
	return 1;
}

static unsigned long long rd(const struct pv_guest *g, unsigned int off,
			     unsigned int size)
{
	unsigned long long v = 0;

	memcpy(&v, g->mem + off, size);
	return v;
}

static void test_real(int dev)
{
	struct partvisor_vp_state st;
	struct partvisor_run r;
	struct pv_guest g;
	size_t len;
	const unsigned char *code = GUEST_CODE(real_start, real_end, &len);

	if (guest_new(dev, &g, code, len) ||
	    ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st)) {
		pv_check(0, "set up the real-mode guest: %s", strerror(errno));
		pv_guest_free(&g);
		return;
	}
	pv_state_real(&st, 0, CODE, 0x8000);
	memcpy(g.mem + RESULTS + 0x100, "abcd", 4);
	if (ioctl(g.vp, PARTVISOR_SET_VP_STATE, &st)) {
		pv_check(0, "set the real-mode state: %s", strerror(errno));
		pv_guest_free(&g);
		return;
	}
	if (run_expect(&g, "real mode", real_exits, ARRAY_SIZE(real_exits),
		       &r)) {
		pv_check(rd(&g, 0x3000, 1) == 0x11 &&
			 rd(&g, 0x3002, 2) == 0x2233 &&
			 rd(&g, 0x3004, 4) == 0x44556677,
			 "real mode: MOV reads of 1, 2, 4 bytes got the VMM's values (%#llx %#llx %#llx)",
			 rd(&g, 0x3000, 1), rd(&g, 0x3002, 2),
			 rd(&g, 0x3004, 4));
		pv_check(rd(&g, 0x3008, 4) == 0x88 && rd(&g, 0x300c, 2) == 0xff99,
			 "real mode: MOVZX zero-extends, MOVSX sign-extends (%#llx %#llx)",
			 rd(&g, 0x3008, 4), rd(&g, 0x300c, 2));
		pv_check(rd(&g, 0x300e, 2) == 0xaa55,
			 "real mode: a read into AH keeps AL (%#llx)",
			 rd(&g, 0x300e, 2));
		pv_check(rd(&g, 0x3200, 6) == 0x333322221111ULL,
			 "real mode: REP INSW stored the VMM's words (%#llx)",
			 rd(&g, 0x3200, 6));
		pv_check(rd(&g, 0x3010, 2) == 0x3102 &&
			 rd(&g, 0x3012, 2) == 0x3206 && rd(&g, 0x3014, 2) == 0,
			 "real mode: SI, DI and CX after the string I/O (%#llx %#llx %#llx)",
			 rd(&g, 0x3010, 2), rd(&g, 0x3012, 2),
			 rd(&g, 0x3014, 2));
	}
	pv_guest_free(&g);
}

/* GDT, TSS, page tables for the 64-bit guest; see long_start. */
static void long_tables(struct pv_guest *g, struct partvisor_vp_state *st)
{
	unsigned long long *t, i;

	t = (unsigned long long *)(g->mem + GDT);
	t[1] = 0x00af9b000000ffffULL;
	t[2] = 0x00cf93000000ffffULL;
	t[3] = 0x67 | (unsigned long long)TSS << 16 | 0x8bULL << 40;
	((unsigned long long *)(g->mem + PML4))[0] = PDPT | 3;
	((unsigned long long *)(g->mem + PDPT))[0] = PD | 3;
	t = (unsigned long long *)(g->mem + PD);
	t[0] = PT_LOW | 3;
	t[1] = PT_MMIO | 3;
	t[3] = 0x400000 | 0x83;				/* 2M at VA 6M */
	t = (unsigned long long *)(g->mem + PT_LOW);
	for (i = 0; i < MEM_SIZE / 0x1000; i++)
		t[i] = i << 12 | 3;
	t = (unsigned long long *)(g->mem + PT_MMIO);
	t[0] = 0x10000 | 3;
	t[1] = 0x11000 | 3;
	t[5] = STRINGS | 3;
	pv_state_long(st, CODE, 0x8000, PML4, GDT, 5 * 8 - 1, TSS);
}

static void test_long(int dev)
{
	struct partvisor_run r = { 0 };
	struct partvisor_vp_state st;
	unsigned long long rip;
	struct pv_guest g;
	size_t len;
	const unsigned char *code = GUEST_CODE(long_start, long_end, &len);
	int ret;

	if (guest_new(dev, &g, code, len) ||
	    ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st)) {
		pv_check(0, "set up the 64-bit guest: %s", strerror(errno));
		pv_guest_free(&g);
		return;
	}
	long_tables(&g, &st);
	memcpy(g.mem + STRINGS, "abcdefgh", 8);
	if (ioctl(g.vp, PARTVISOR_SET_VP_STATE, &st)) {
		pv_check(0, "set the 64-bit state: %s", strerror(errno));
		pv_guest_free(&g);
		return;
	}
	if (!run_expect(&g, "64-bit", long_exits, ARRAY_SIZE(long_exits), &r)) {
		pv_guest_free(&g);
		return;
	}
	pv_check(rd(&g, 0x3000, 8) == 0x0102030405060708ULL &&
		 rd(&g, 0x3008, 8) == 0xffffffffffffabcdULL &&
		 rd(&g, 0x3010, 8) == 0x87654321,
		 "64-bit: reads of 8 bytes, of 2 into R11W, RIP-relative of 4 (%#llx %#llx %#llx)",
		 rd(&g, 0x3000, 8), rd(&g, 0x3008, 8), rd(&g, 0x3010, 8));
	pv_check(rd(&g, 0x3018, 8) == 0xfedc &&
		 rd(&g, 0x3020, 8) == 0xffffffffffffff80ULL,
		 "64-bit: MOVZX and MOVSX to 64 bits (%#llx %#llx)",
		 rd(&g, 0x3018, 8), rd(&g, 0x3020, 8));
	/* With the last INSB element: an instruction not decoded. */
	ret = ioctl(g.vp, PARTVISOR_RUN_VP, &r);
	rip = r.rip;
	/* A read-modify-write may exit as a read or as a write. */
	pv_check(!ret && r.reason == PARTVISOR_EXIT_MMIO &&
		 r.mmio.gpa == 0x10040 && r.mmio.size == 0 &&
		 !(r.mmio.flags & PARTVISOR_MMIO_FETCH),
		 "64-bit: ADD to MMIO is not decoded (gpa %#llx size %u flags %#x)",
		 (unsigned long long)r.mmio.gpa, r.mmio.size, r.mmio.flags);
	pv_check(!memcmp(g.mem + STRINGS + 0x100, "zyx", 3) &&
		 rd(&g, 0x3028, 8) == 0x205008 && rd(&g, 0x3030, 8) == 0x2050ff,
		 "64-bit: REP INSB with DF=1 through a moved page (%.3s, RSI %#llx, RDI %#llx)",
		 (char *)g.mem + STRINGS + 0x100, rd(&g, 0x3028, 8),
		 rd(&g, 0x3030, 8));

	memset(&r, 0, sizeof(r));
	ret = ioctl(g.vp, PARTVISOR_RUN_VP, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_MMIO && r.rip == rip &&
		 !ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st) && st.rip == rip,
		 "...and exits again at the same RIP %#llx (%#llx)", rip,
		 (unsigned long long)r.rip);
	/* The VMM emulates it: past the 3-byte ADD. */
	st.rip += 3;
	ret = ioctl(g.vp, PARTVISOR_SET_VP_STATE, &st);
	memset(&r, 0, sizeof(r));
	if (!ret)
		ret = ioctl(g.vp, PARTVISOR_RUN_VP, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_HALT,
		 "...the VMM steps over it; REX.W CPUID is skipped whole and the guest halts (exit %u)",
		 r.reason);

	/* OUTSB from an unmapped VA: #PF, no IDT, triple fault. */
	if (pv_bochs_amd()) {
		pv_skip("64-bit: OUTSB from an unmapped VA faults in the guest",
			"a triple fault stops Bochs AMD-V itself");
		pv_guest_free(&g);
		return;
	}
	memset(&r, 0, sizeof(r));
	memset(&st, 0, sizeof(st));
	ret = ioctl(g.vp, PARTVISOR_RUN_VP, &r);
	/* Read the state first: the message prints CR2 too. */
	if (!ret)
		ret = ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_SHUTDOWN &&
		 st.cr2 == 0x300000,
		 "64-bit: OUTSB from an unmapped VA faults in the guest (exit %u, CR2 %#llx)",
		 r.reason, (unsigned long long)st.cr2);
	pv_guest_free(&g);
}

int main(void)
{
	int dev = pv_open_vps_or_skip();

	pv_plan(ARRAY_SIZE(real_exits) + 5 + ARRAY_SIZE(long_exits) + 3 + 4);
	test_real(dev);
	test_long(dev);
	return pv_finish();
}
