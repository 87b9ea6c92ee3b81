// SPDX-License-Identifier: GPL-2.0
/*
 * Child VPs that really run (root scheduler mode): a real-mode guest does
 * port I/O both ways, CPUID (answered by partvisor), HLT and a read of
 * unmapped memory, and the VMM sees each as the right exit with the right
 * data; each answered exit resumes after its own instruction; a triple
 * fault crashes the partition; the hardware's refusal of an impossible
 * state is reported, not fatal; a signal ends a RUN of a spinning guest;
 * and killing VMMs in the middle of runs leaves no partition behind.
 */
#include <cpuid.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define DATA		0x2000

/* A partition with MEM_SIZE bytes at GPA 0, code at CODE, one VP. */
static int guest_new(int dev, struct pv_guest *g, const void *code,
		     size_t len, void (*tweak)(struct partvisor_vp_state *))
{
	struct partvisor_vp_state st;

	if (pv_guest_new(dev, g, MEM_SIZE, CODE, code, len) ||
	    ioctl(g->vp, PARTVISOR_GET_VP_STATE, &st))
		return -1;
	pv_state_real(&st, 0, CODE, 0x8000);
	if (tweak)
		tweak(&st);
	return ioctl(g->vp, PARTVISOR_SET_VP_STATE, &st);
}

static int run(struct pv_guest *g, struct partvisor_run *r)
{
	return ioctl(g->vp, PARTVISOR_RUN_VP, r);
}

/* OUT, IN, CPUID (not an exit), stores, HLT, then a read at 1 MiB. */
static const unsigned char io_guest[] = {
	0xba, 0xf8, 0x03,			/* mov dx, 0x3f8 */
	0xb0, 'P',				/* mov al, 'P' */
	0xee,					/* out dx, al */
	0xec,					/* in al, dx */
	0xa2, 0x04, 0x20,			/* mov [DATA + 4], al */
	0x66, 0xb8, 0x00, 0x00, 0x00, 0x40,	/* mov eax, 0x40000000 */
	0x0f, 0xa2,				/* cpuid */
	0x66, 0x89, 0x1e, 0x00, 0x20,		/* mov [DATA], ebx */
	0xf4,					/* hlt */
	0xb8, 0xff, 0xff,			/* mov ax, 0xffff */
	0x8e, 0xd8,				/* mov ds, ax */
	0xa0, 0x10, 0x00,			/* mov al, [0x10]: GPA 1 MiB */
	0xf4,
};

static void test_exits(int dev)
{
	struct partvisor_run r = { 0 };
	struct pv_guest g;
	int ret;

	if (guest_new(dev, &g, io_guest, sizeof(io_guest), NULL)) {
		pv_check(0, "set up a real-mode guest: %s", strerror(errno));
		return;
	}
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_IO &&
		 r.io.port == 0x3f8 && r.io.size == 1 && !r.io.flags &&
		 r.io.data == 'P',
		 "OUT: exit %u port %#x size %u flags %#x data %#llx (ret %d)",
		 r.reason, r.io.port, r.io.size, r.io.flags,
		 (unsigned long long)r.io.data, ret);
	memset(&r, 0, sizeof(r));
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_IO &&
		 r.io.port == 0x3f8 && r.io.flags == PARTVISOR_IO_IN,
		 "IN: exit %u port %#x flags %#x", r.reason, r.io.port,
		 r.io.flags);
	r.io.data = 0x5a;
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_HALT,
		 "HLT after CPUID: exit %u (ret %d)", r.reason, ret);
	pv_check(g.mem[DATA + 4] == 0x5a,
		 "the guest got the value the VMM gave to IN (%#x)",
		 g.mem[DATA + 4]);
	pv_check(!memcmp(g.mem + DATA, "Part", 4),
		 "CPUID 0x40000000 in the child says PartVisor (%.4s)",
		 (char *)g.mem + DATA);
	memset(&r, 0, sizeof(r));
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_MMIO &&
		 r.mmio.gpa == 0x100000 && !r.mmio.flags,
		 "a read outside mapped memory is an MMIO exit (gpa %#llx flags %#x)",
		 (unsigned long long)r.mmio.gpa, r.mmio.flags);
	memset(&r, 0, sizeof(r));
	r.flags = 1u << 31;
	pv_check(run(&g, &r) == -1 && errno == EINVAL,
		 "RUN with unknown flags: EINVAL");
	pv_guest_free(&g);
}

/* IN, then RDMSR of an MSR only the VMM knows, a store and HLT. */
static const unsigned char in_msr_guest[] = {
	0xba, 0xf8, 0x03,			/* mov dx, 0x3f8 */
	0xec,					/* in al, dx */
	0x66, 0xb9, 0x34, 0x12, 0x00, 0x00,	/* mov ecx, 0x1234 */
	0x0f, 0x32,				/* rdmsr */
	0x66, 0xa3, 0x08, 0x20,			/* mov [DATA + 8], eax */
	0xf4,					/* hlt */
};

/*
 * Each answered exit resumes after its own instruction: the RDMSR the VMM
 * answered must not resume after the earlier IN (it did on AMD-V, which
 * took the IN's next RIP for any completion, and ran the RDMSR again).
 */
static void test_in_then_msr(int dev)
{
	struct partvisor_run r = { 0 };
	unsigned int msrs = 0;
	struct pv_guest g;
	int ret;

	if (guest_new(dev, &g, in_msr_guest, sizeof(in_msr_guest), NULL)) {
		pv_check(0, "set up the IN and RDMSR guest: %s", strerror(errno));
		return;
	}
	ret = run(&g, &r);
	if (!ret && r.reason == PARTVISOR_EXIT_IO) {
		r.io.data = 1;
		ret = run(&g, &r);
	}
	while (!ret && r.reason == PARTVISOR_EXIT_MSR && r.msr.index == 0x1234 &&
	       ++msrs < 3) {
		r.msr.data = 0xabcdef;
		ret = run(&g, &r);
	}
	pv_check(!ret && r.reason == PARTVISOR_EXIT_HALT && msrs == 1 &&
		 pv_guest_u32(&g, DATA + 8) == 0xabcdef,
		 "an answered RDMSR after an answered IN runs once and resumes after itself (%u RDMSR exits, then exit %u, EAX %#x)",
		 msrs, r.reason, pv_guest_u32(&g, DATA + 8));
	pv_guest_free(&g);
}

/* pxor xmm0, xmm0; hlt: the VP's SSE state, not the VMM's. */
static const unsigned char sse_guest[] = { 0x66, 0x0f, 0xef, 0xc0, 0xf4 };

#define XMM0_OFFSET	160
#define XSTATE_BV	512

static void sse_on(struct partvisor_vp_state *st)
{
	st->cr0 |= 1ULL << 1;	/* MP */
	st->cr4 |= 1ULL << 9;	/* OSFXSR */
}

/* RUN with a pattern in the VMM's XMM0 across the system call. */
static long run_keeping_xmm0(int fd, struct partvisor_run *r,
			     unsigned long long *xmm0)
{
	unsigned long long pattern = 0x1122334455667788ULL, out;
	long ret;

	asm volatile("movq %[p], %%xmm0\n\t"
		     "syscall\n\t"
		     "movq %%xmm0, %[o]"
		     : "=a"(ret), [o] "=r"(out)
		     : "a"((long)SYS_ioctl), "D"((long)fd),
		       "S"((long)PARTVISOR_RUN_VP), "d"(r), [p] "r"(pattern)
		     : "rcx", "r11", "memory", "xmm0");
	*xmm0 = out;
	return ret;
}

static void test_fpu(int dev)
{
	struct partvisor_xsave *x = malloc(sizeof(*x));
	struct partvisor_run r = { 0 };
	unsigned long long xmm0 = 0, bv;
	struct pv_guest g;
	long ret;

	if (!x || guest_new(dev, &g, sse_guest, sizeof(sse_guest), sse_on) ||
	    ioctl(g.vp, PARTVISOR_GET_XSAVE, x)) {
		pv_check(0, "set up the SSE guest: %s", strerror(errno));
		free(x);
		return;
	}
	memset(x->region + XMM0_OFFSET, 0xaa, 16);
	memcpy(&bv, x->region + XSTATE_BV, 8);
	bv |= 3;	/* x87 and SSE state given */
	memcpy(x->region + XSTATE_BV, &bv, 8);
	ret = ioctl(g.vp, PARTVISOR_SET_XSAVE, x);
	if (!ret)
		ret = run_keeping_xmm0(g.vp, &r, &xmm0);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_HALT &&
		 xmm0 == 0x1122334455667788ULL,
		 "a VP clearing XMM0 leaves the VMM's XMM0 alone (%#llx, exit %u, ret %ld)",
		 xmm0, r.reason, ret);
	ioctl(g.vp, PARTVISOR_GET_XSAVE, x);
	memcpy(&bv, x->region + XSTATE_BV, 8);
	pv_check(!(bv & 2) || !memcmp(x->region + XMM0_OFFSET,
				      "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16),
		 "...and its own XMM0 is clear in its XSAVE image");
	free(x);
	pv_guest_free(&g);
}

/* INT3 with an empty IVT: #GP, #DF, triple fault. */
static const unsigned char crash_guest[] = { 0xcc };

static void empty_ivt(struct partvisor_vp_state *st)
{
	st->idtr.limit = 0;
}

static void test_triple_fault(int dev)
{
	struct partvisor_run r = { 0 };
	struct pv_guest g;
	int ret;

	if (pv_bochs_amd()) {
		pv_skip("a triple fault is a SHUTDOWN exit",
			"Bochs AMD-V stops the emulator instead");
		pv_skip("a crashed partition runs no more",
			"Bochs AMD-V stops the emulator instead");
		return;
	}

	if (guest_new(dev, &g, crash_guest, sizeof(crash_guest), empty_ivt)) {
		pv_check(0, "set up the crashing guest: %s", strerror(errno));
		return;
	}
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_SHUTDOWN,
		 "a triple fault is a SHUTDOWN exit (%u)", r.reason);
	memset(&r, 0, sizeof(r));
	pv_check(run(&g, &r) == -1 && errno == ESHUTDOWN,
		 "a crashed partition runs no more: ESHUTDOWN");
	pv_guest_free(&g);
}

static const unsigned char spin_guest[] = { 0xeb, 0xfe };	/* jmp $ */

/*
 * The spinning guest keeps interrupts disabled: a physical interrupt must
 * end its run all the same (V_INTR_MASKING: the host's IF decides). Bochs
 * 2.7's AMD-V ends it only when the guest's IF is set, so there it is.
 */
static void spin_if(struct partvisor_vp_state *st)
{
	if (pv_bochs_amd())
		st->rflags |= 0x200;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Long mode with a code segment both 64-bit (L) and 32-bit (D): every
 * bit is defined, so it passes partvisor's checks, but VMRUN refuses it.
 */
static void impossible(struct partvisor_vp_state *st)
{
	st->cr0 |= PV_CR0_PE | PV_CR0_PG;
	st->cr4 |= PV_CR4_PAE;
	st->efer |= PV_EFER_LME | PV_EFER_LMA;
	st->cs.attrib |= PARTVISOR_SEG_L | PARTVISOR_SEG_DB;
}

/*
 * A CR3 beyond the CPU's physical address width (all but 52-bit ones):
 * QEMU refuses it before it reads the VMCB's control fields, the CS
 * above after.
 */
static void wide_cr3(struct partvisor_vp_state *st)
{
	st->cr3 = 1ULL << 51;
}

/* test_invalid_state()'s checks after the first RUN, skipped together. */
#define INVALID_STATE_CHECKS	4

static void test_invalid_state(int dev,
			       void (*tweak)(struct partvisor_vp_state *),
			       const char *what, const char *may_run)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct partvisor_vp_state set, got;
	struct partvisor_run r = { 0 };
	struct timespec t0, t1;
	struct pv_guest g;
	int ret, i;

	if (guest_new(dev, &g, crash_guest, sizeof(crash_guest), tweak)) {
		pv_check(errno == EINVAL, "%s refused when set (%s)", what,
			 strerror(errno));
		pv_guest_free(&g);
		return;
	}
	ioctl(g.vp, PARTVISOR_GET_VP_STATE, &set);
	ret = run(&g, &r);
	if (may_run && !ret && r.reason != PARTVISOR_EXIT_INVALID_STATE) {
		for (i = 0; i < INVALID_STATE_CHECKS; i++)
			pv_skip(what, may_run);
		pv_guest_free(&g);
		return;
	}
	pv_check(!ret && r.reason == PARTVISOR_EXIT_INVALID_STATE,
		 "%s: INVALID_STATE exit (%u, ret %d)",
		 what, r.reason, ret);
	/*
	 * The refused entry must leave the VP as it was set: no host-mode
	 * RIP, CR3 or descriptor table in its place, and the next RUN
	 * refused the same way rather than run from whatever is there.
	 */
	memset(&got, 0, sizeof(got));
	ioctl(g.vp, PARTVISOR_GET_VP_STATE, &got);
	pv_check(!memcmp(&set, &got, sizeof(set)),
		 "%s: the refused VP's state is the one it was given (rip %#llx, cr3 %#llx, gdtr %#llx; set %#llx, %#llx, %#llx)",
		 what, (unsigned long long)got.rip, (unsigned long long)got.cr3,
		 (unsigned long long)got.gdtr.base,
		 (unsigned long long)set.rip, (unsigned long long)set.cr3,
		 (unsigned long long)set.gdtr.base);
	ret = run(&g, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_INVALID_STATE,
		 "%s: a second RUN is refused the same way (%u, ret %d)",
		 what, r.reason, ret);
	/*
	 * The refused entries must not cost the root its LP: QEMU's refusal
	 * also cleared V_INTR_MASKING in the VMCB, after which a child with
	 * IF clear kept out physical interrupts, and so the signal, until
	 * an NMI came (RCU's stall report, 21 s later).
	 */
	memcpy(g.mem + CODE, spin_guest, sizeof(spin_guest));
	pv_state_real(&set, 0, CODE, 0x8000);
	set.cr3 = 0;
	spin_if(&set);
	ret = ioctl(g.vp, PARTVISOR_SET_VP_STATE, &set);
	sigaction(SIGALRM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(1);
	if (!ret)
		ret = run(&g, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pv_check(ret == -1 && errno == EINTR && t1.tv_sec - t0.tv_sec < 10,
		 "%s: then a signal ends RUN of the VP spinning with IF clear, after %ld s (%d, %s)",
		 what, (long)(t1.tv_sec - t0.tv_sec), ret, strerror(errno));
	pv_guest_free(&g);
}

/* OUT, HLT: with EFER.LME already set, by the VMM or by the guest. */
static const unsigned char lme_guest[] = {
	0xba, 0xf8, 0x03,			/* mov dx, 0x3f8 */
	0xee,					/* out dx, al */
	0xf4,					/* hlt */
};

/* The guest sets EFER.LME itself, with paging and PAE off. */
static const unsigned char lme_wrmsr_guest[] = {
	0x66, 0xb9, 0x80, 0x00, 0x00, 0xc0,	/* mov ecx, EFER */
	0x0f, 0x32,				/* rdmsr */
	0x0d, 0x00, 0x01,			/* or ax, LME */
	0x0f, 0x30,				/* wrmsr */
	0xba, 0xf8, 0x03,			/* mov dx, 0x3f8 */
	0xee,					/* out dx, al */
	0xf4,					/* hlt */
};

static void lme_on(struct partvisor_vp_state *st)
{
	st->efer |= PV_EFER_LME;
}

/*
 * EFER.LME set while paging and PAE are off is what every 64-bit boot
 * goes through. Each exit from that state must come back to the VMM with
 * the state intact, and the LP with it.
 */
static void test_lme_paging_off(int dev, const unsigned char *code,
				size_t len,
				void (*tweak)(struct partvisor_vp_state *),
				const char *what)
{
	struct partvisor_vp_state st;
	struct partvisor_run r = { 0 };
	struct pv_guest g;
	int ret;

	if (guest_new(dev, &g, code, len, tweak)) {
		pv_check(0, "set up %s: %s", what, strerror(errno));
		return;
	}
	ret = run(&g, &r);
	if (!ret && r.reason == PARTVISOR_EXIT_IO)
		ret = run(&g, &r);
	memset(&st, 0, sizeof(st));
	ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_HALT &&
		 (st.efer & PV_EFER_LME) && !(st.efer & PV_EFER_LMA) &&
		 !(st.cr0 & PV_CR0_PG) && !(st.cr4 & PV_CR4_PAE),
		 "%s: OUT and HLT exits, EFER %#llx CR0 %#llx CR4 %#llx (exit %u, ret %d)",
		 what, (unsigned long long)st.efer,
		 (unsigned long long)st.cr0, (unsigned long long)st.cr4,
		 r.reason, ret);
	pv_guest_free(&g);
}

/*
 * 32-bit code with EFER.LME and CR4.PAE set turns paging on (long mode,
 * compatibility mode) and off again, clears PAE, and then tries paging
 * once more: #GP, whose handler OUTs 0x0d. Each OUT is a look at its
 * state.
 */
static const unsigned char long_mode_guest[] = {
	0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	0x0d, 0x00, 0x00, 0x00, 0x80,		/* or eax, PG */
	0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	0x66, 0xba, 0xf8, 0x03,			/* mov dx, 0x3f8 */
	0xee,					/* out dx, al */
	0x25, 0xff, 0xff, 0xff, 0x7f,		/* and eax, ~PG */
	0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	0xee,					/* out dx, al */
	0x31, 0xc9,				/* xor ecx, ecx */
	0x0f, 0x22, 0xe1,			/* mov cr4, ecx */
	0xee,					/* out dx, al */
	0x0d, 0x00, 0x00, 0x00, 0x80,		/* or eax, PG */
	0x0f, 0x22, 0xc0,			/* mov cr0, eax: #GP */
	0xf4,					/* hlt */
};

static const unsigned char gp_handler[] = {
	0xb0, 0x0d,				/* mov al, 13 */
	0xee,					/* out dx, al */
	0xf4,					/* hlt */
};

#define GP_HANDLER	(CODE + 0x100)
#define GDT		0x3000
#define IDT		0x3100
#define PML4		0x4000

static void long_mode_ready(struct partvisor_vp_state *st)
{
	pv_state_protected(st, CODE, 0x8000, GDT, 3 * 8 - 1, 0);
	st->idtr.base = IDT;
	st->idtr.limit = 14 * 8 - 1;
	st->cr3 = PML4;
	st->cr4 = PV_CR4_PAE;
	st->efer = PV_EFER_LME;
	/* No interrupt comes; IF lets a signal end a stuck run on Bochs. */
	st->rflags |= 0x200;
}

/* The state at the next exit, which must be an OUT. */
static int out_state(struct pv_guest *g, struct partvisor_vp_state *st)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct partvisor_run r = { 0 };
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	alarm(10);
	ret = run(g, &r);
	alarm(0);
	ioctl(g->vp, PARTVISOR_GET_VP_STATE, st);
	if (ret || r.reason != PARTVISOR_EXIT_IO) {
		pv_diag("no OUT: ret %d (%s), exit %u, rip %#llx", ret,
			ret ? strerror(errno) : "", r.reason,
			(unsigned long long)st->rip);
		return -1;
	}
	return 0;
}

/*
 * AMD-V performs these CR0 writes in partvisor while the VP has LME
 * (module/cr0.c); whoever performs them, the VP must see the CPU's rules.
 */
static void test_long_mode_switch(int dev)
{
	struct partvisor_vp_state st;
	struct partvisor_run r = { 0 };
	struct pv_guest g;
	__u64 *pt;
	int ret;

	if (guest_new(dev, &g, long_mode_guest, sizeof(long_mode_guest),
		      long_mode_ready)) {
		pv_check(0, "set up the long-mode guest: %s", strerror(errno));
		return;
	}
	/* Flat 32-bit code and data, and a 32-bit interrupt gate for #GP. */
	pt = (__u64 *)(g.mem + GDT);
	pt[1] = 0x00cf9b000000ffffULL;
	pt[2] = 0x00cf93000000ffffULL;
	pt = (__u64 *)(g.mem + IDT);
	pt[13] = GP_HANDLER | (PV_SEL_CODE << 16) | (0x8e00ULL << 32);
	memcpy(g.mem + GP_HANDLER, gp_handler, sizeof(gp_handler));
	/* PML4 -> PDPT -> PD, whose first 2 MiB page maps GPA 0. */
	pt = (__u64 *)(g.mem + PML4);
	pt[0] = (PML4 + 0x1000) | 3;
	pt[512] = (PML4 + 0x2000) | 3;
	pt[1024] = 0x83;
	ret = out_state(&g, &st);
	pv_check(!ret && (st.cr0 & PV_CR0_PG) &&
		 st.efer == (PV_EFER_LME | PV_EFER_LMA),
		 "paging on with LME: long mode (CR0 %#llx EFER %#llx, ret %d)",
		 (unsigned long long)st.cr0, (unsigned long long)st.efer, ret);
	ret = out_state(&g, &st);
	pv_check(!ret && !(st.cr0 & PV_CR0_PG) && st.efer == PV_EFER_LME,
		 "paging off from compatibility mode: LMA clear (CR0 %#llx EFER %#llx, ret %d)",
		 (unsigned long long)st.cr0, (unsigned long long)st.efer, ret);
	ret = out_state(&g, &st);
	pv_check(!ret && !(st.cr4 & PV_CR4_PAE) && st.efer == PV_EFER_LME,
		 "PAE off with LME and no paging: an exit like any other (CR4 %#llx EFER %#llx, ret %d)",
		 (unsigned long long)st.cr4, (unsigned long long)st.efer, ret);
	ret = run(&g, &r);
	ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_IO && r.io.data == 0x0d &&
		 !(st.cr0 & PV_CR0_PG) && st.efer == PV_EFER_LME,
		 "paging on with LME but no PAE: #GP, paging still off (exit %u data %#llx, CR0 %#llx EFER %#llx)",
		 r.reason, (unsigned long long)r.io.data,
		 (unsigned long long)st.cr0, (unsigned long long)st.efer);
	pv_guest_free(&g);
}

/* OUT of the byte at DATA, which differs per partition. */
static const unsigned char own_guest[] = {
	0xba, 0xf8, 0x03,			/* mov dx, 0x3f8 */
	0xa0, 0x00, 0x20,			/* mov al, [DATA] */
	0xee,					/* out dx, al */
	0xf4,					/* hlt */
};

#define MANY	24

/*
 * More partitions than AMD-V under QEMU has ASIDs (15), run in turns
 * twice: each must read its own memory, never another's.
 */
static void test_many(int dev)
{
	struct partvisor_run r;
	struct pv_guest g[MANY];
	unsigned int i, n, bad = 0, round;

	for (n = 0; n < MANY; n++) {
		if (guest_new(dev, &g[n], own_guest, sizeof(own_guest), NULL))
			break;
		g[n].mem[DATA] = 0x40 + n;
	}
	for (round = 0; round < 2 && n == MANY; round++) {
		for (i = 0; i < n; i++) {
			struct partvisor_vp_state st;

			memset(&r, 0, sizeof(r));
			if (run(&g[i], &r) || r.reason != PARTVISOR_EXIT_IO ||
			    r.io.data != 0x40 + i) {
				pv_diag("partition %u: exit %u data %#llx", i,
					r.reason, (unsigned long long)r.io.data);
				bad++;
			}
			/* Back to the start for the next round. */
			memset(&r, 0, sizeof(r));
			run(&g[i], &r);
			ioctl(g[i].vp, PARTVISOR_GET_VP_STATE, &st);
			st.rip = CODE;
			ioctl(g[i].vp, PARTVISOR_SET_VP_STATE, &st);
		}
	}
	pv_check(n == MANY && !bad,
		 "%u partitions ran twice each, %u saw memory not their own",
		 n, bad);
	for (i = 0; i < n; i++)
		pv_guest_free(&g[i]);
}

static void test_signal(int dev)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct partvisor_run r = { 0 };
	struct pv_guest g;
	int ret;

	if (guest_new(dev, &g, spin_guest, sizeof(spin_guest), spin_if)) {
		pv_check(0, "set up the spinning guest: %s", strerror(errno));
		return;
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ret = run(&g, &r);
	pv_check(ret == -1 && errno == EINTR,
		 "a signal ends RUN of a spinning guest with EINTR (%d, %s)",
		 ret, strerror(errno));
	pv_guest_free(&g);
}

#define KILLS	50

/* VMMs killed while their VP runs: nothing may stay behind. */
static void test_kill(int dev)
{
	unsigned int i, before = pv_nr_partitions(dev), bad = 0;
	int fds[2], status;
	pid_t pid;
	char c;

	for (i = 0; i < KILLS; i++) {
		if (pipe(fds))
			break;
		pid = fork();
		if (!pid) {
			struct partvisor_run r = { 0 };
			struct pv_guest g;

			close(fds[0]);
			if (guest_new(dev, &g, spin_guest, sizeof(spin_guest),
				      spin_if))
				_exit(1);
			c = 1;
			if (write(fds[1], &c, 1) != 1)
				_exit(1);
			run(&g, &r);
			_exit(1);
		}
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			bad++;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		if (!WIFSIGNALED(status))
			bad++;
	}
	pv_check(i == KILLS && !bad && pv_nr_partitions(dev) == before,
		 "%u VMMs killed in RUN, %u bad; partitions %u -> %u", i, bad,
		 before, pv_nr_partitions(dev));
}

int main(void)
{
	int dev = pv_open_vps_or_skip();

	pv_plan(29);
	test_exits(dev);
	test_in_then_msr(dev);
	test_fpu(dev);
	test_triple_fault(dev);
	test_invalid_state(dev, impossible, "a CS both L and D", NULL);
	test_invalid_state(dev, wide_cr3, "a CR3 beyond the address width",
			   "this CPU ran it (Bochs's AMD-V checks no CR3 bits)");
	test_lme_paging_off(dev, lme_guest, sizeof(lme_guest), lme_on,
			    "EFER.LME set by the VMM, paging off");
	test_lme_paging_off(dev, lme_wrmsr_guest, sizeof(lme_wrmsr_guest),
			    NULL, "EFER.LME set by the guest, paging off");
	test_long_mode_switch(dev);
	test_many(dev);
	test_signal(dev);
	test_kill(dev);
	return pv_finish();
}
