// SPDX-License-Identifier: GPL-2.0
/*
 * What a child may not do to the host, each shown by a step of one
 * real-mode guest:
 * - WBINVD, WBNOINVD and INVD complete without flushing anything and
 *   without an exit to the VMM;
 * - RDPMC raises #GP, and RDMSR of a performance counter or its event
 *   select is the VMM's to answer: no host counter is readable;
 * - RDTSCP and RDPID read the VP's own TSC_AUX, the value the guest
 *   wrote, never the host CPU's number (on VT-x a child has neither: #UD);
 * - MONITOR and MWAIT raise #UD;
 * - XSETBV takes only what the CPU could run the VP with: XCR0 without
 *   x87, or any other XCR, is #GP;
 * - DR0 reads as the VP's own (0 at first), although the VMM thread has a
 *   hardware breakpoint of its own in DR0 meanwhile; a breakpoint the
 *   guest sets in DR0 and DR7 fires in the guest (#DB, DR6.B0), and the
 *   VMM's breakpoint still fires in the VMM after the run.
 * The guest's #DB, #UD and #GP handlers record the vector for the step
 * and step over a faulting instruction.
 */
#include <cpuid.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define SKIP		0x2000	/* u16: bytes the next fault steps over */
#define STEP		0x2002	/* u8: the step running */
#define DO_BREAK	0x2003	/* u8: the VMM lets the guest's breakpoint hit */
#define VEC		0x2010	/* u8 per step: vector + 1 raised in it */
#define AUX_RDTSCP	0x2040	/* u32: ECX after RDTSCP */
#define AUX_RDPID	0x2044	/* u32: EAX after RDPID */
#define AUX_MSR		0x2048	/* u32: RDMSR TSC_AUX */
#define PMC_VAL		0x204c	/* u32: RDMSR of a counter */
#define XCR0_VAL	0x2050	/* u32: XGETBV after a good XSETBV */
#define DR0_FIRST	0x2054	/* u32: DR0 before the guest wrote it */
#define DR0_BACK	0x2058	/* u32: DR0 after it did */
#define DR6_VAL		0x205c	/* u32: DR6 after its breakpoint hit */
#define WATCH		0x3000	/* the guest's breakpoint */
#define PORT_DONE	0x80
#define TSC_AUX_VAL	0x5a5a1234
#define PMC_ANSWER	0x1234

enum {
	S_WBINVD, S_WBNOINVD, S_INVD, S_RDPMC, S_RDTSCP, S_RDPID, S_MONITOR,
	S_MWAIT, S_PMC_AMD, S_PMC_INTEL, S_XCR0_NO_X87, S_XCR1, S_XCR0_OK,
	S_DR_BREAK, S_NR
};

#define STR_(x)		#x
#define STR(x)		STR_(x)
/* Start step n; a fault in it steps over skip bytes. */
#define GSTEP(n, skip)	"	movb $" STR(n) ", " STR(STEP) "\n" \
			"	movw $" STR(skip) ", " STR(SKIP) "\n"

asm(".pushsection .rodata\n"
	".code16\n"
	".set CODE, " STR(CODE) "\n"
	"ic_guest:\n"
	"	movw $(CODE + ic_db - ic_guest), 1 * 4\n"
	"	movw $0, 1 * 4 + 2\n"
	"	movw $(CODE + ic_ud - ic_guest), 6 * 4\n"
	"	movw $0, 6 * 4 + 2\n"
	"	movw $(CODE + ic_gp - ic_guest), 13 * 4\n"
	"	movw $0, 13 * 4 + 2\n"
	GSTEP(0, 2)  "	wbinvd\n"
	GSTEP(1, 3)  "	.byte 0xf3, 0x0f, 0x09\n"	/* wbnoinvd */
	GSTEP(2, 2)  "	invd\n"
	"	mov $0xc0000103, %ecx\n"		/* TSC_AUX */
	"	mov $" STR(TSC_AUX_VAL) ", %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	rdmsr\n"
	"	mov %eax, " STR(AUX_MSR) "\n"
	GSTEP(3, 2)  "	xor %ecx, %ecx\n"
	"	rdpmc\n"
	GSTEP(4, 3)  "	xor %ecx, %ecx\n"
	"	rdtscp\n"
	"	mov %ecx, " STR(AUX_RDTSCP) "\n"
	GSTEP(5, 4)  "	xor %eax, %eax\n"
	"	.byte 0xf3, 0x0f, 0xc7, 0xf8\n"	/* rdpid eax */
	"	mov %eax, " STR(AUX_RDPID) "\n"
	GSTEP(6, 3)  "	xor %eax, %eax\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	.byte 0x0f, 0x01, 0xc8\n"		/* monitor */
	GSTEP(7, 3)  "	.byte 0x0f, 0x01, 0xc9\n"	/* mwait */
	GSTEP(8, 2)  "	mov $0xc0010004, %ecx\n"	/* AMD PERF_CTR0 */
	"	rdmsr\n"
	"	mov %eax, " STR(PMC_VAL) "\n"
	GSTEP(9, 2)  "	mov $0x186, %ecx\n"		/* PERFEVTSEL0 */
	"	rdmsr\n"
	GSTEP(10, 3) "	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	mov $2, %eax\n"				/* SSE without x87 */
	"	xsetbv\n"
	GSTEP(11, 3) "	mov $1, %ecx\n"
	"	mov $3, %eax\n"
	"	xsetbv\n"
	GSTEP(12, 3) "	xor %ecx, %ecx\n"
	"	mov $3, %eax\n"				/* x87 and SSE */
	"	xsetbv\n"
	"	xgetbv\n"
	"	mov %eax, " STR(XCR0_VAL) "\n"
	GSTEP(13, 0) "	mov %dr0, %eax\n"
	"	mov %eax, " STR(DR0_FIRST) "\n"
	"	mov $" STR(WATCH) ", %eax\n"
	"	mov %eax, %dr0\n"
	"	mov %dr0, %ebx\n"
	"	mov %ebx, " STR(DR0_BACK) "\n"
	"	cmpb $0, " STR(DO_BREAK) "\n"
	"	je 1f\n"
	"	mov $0x10001, %eax\n"			/* L0, 1-byte write */
	"	mov %eax, %dr7\n"
	"	movb $1, " STR(WATCH) "\n"
	"	mov %dr6, %eax\n"
	"	mov %eax, " STR(DR6_VAL) "\n"
	"	mov $0x400, %eax\n"
	"	mov %eax, %dr7\n"
	"1:\n"
	"	mov $1, %al\n"
	"	out %al, $" STR(PORT_DONE) "\n"
	"	hlt\n"
	"ic_db:\n"				/* a trap: nothing to skip */
	"	push %bx\n"
	"	mov $1, %bx\n"
	"	jmp ic_record\n"
	"ic_ud:\n"
	"	push %bx\n"
	"	mov $6, %bx\n"
	"	jmp ic_record\n"
	"ic_gp:\n"				/* real mode: no error code */
	"	push %bx\n"
	"	mov $13, %bx\n"
	"ic_record:\n"
	"	push %si\n"
	"	push %bp\n"
	"	movzbw " STR(STEP) ", %si\n"
	"	inc %bx\n"
	"	mov %bl, " STR(VEC) "(%si)\n"
	"	mov %sp, %bp\n"
	"	mov " STR(SKIP) ", %bx\n"
	"	add %bx, 6(%bp)\n"
	"	pop %bp\n"
	"	pop %si\n"
	"	pop %bx\n"
	"	iret\n"
	"ic_guest_end:\n"
	".code64\n"
	".popsection\n");
PV_GUEST_DECLARE(ic_guest);

/* The VMM's own breakpoint: a write of it counts (its address escapes). */
static int watched;

static int watch_open(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (unsigned long)&watched,
		.bp_len = HW_BREAKPOINT_LEN_4,
		.sample_period = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};

	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long long watch_count(int fd)
{
	long long n = -1;

	if (fd < 0 || read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

/*
 * QEMU 7.2's TCG does not arm the breakpoints a VMRUN loads with the
 * guest's DR7: the guest's own breakpoint is tried under Bochs only.
 */
static int emulator_breaks_on_guest_breakpoints(void)
{
	char vendor[32] = "";
	FILE *f = fopen("/sys/class/dmi/id/sys_vendor", "r");

	if (f) {
		if (!fgets(vendor, sizeof(vendor), f))
			vendor[0] = '\0';
		fclose(f);
	}
	return !strncmp(vendor, "QEMU", 4);
}

/* The vector + 1 the guest recorded for step @s (0: none). */
static unsigned int vec(const struct pv_guest *g, unsigned int s)
{
	return g->mem[VEC + s];
}

int main(void)
{
	struct partvisor_info info = { 0 };
	unsigned int a, b, c, d, msrs[4], nr_msrs = 0;
	struct partvisor_vp_state st;
	struct partvisor_run r = { 0 };
	int dev, ret, svm, rdtscp, rdpid, xsave, bp;
	long long other, before, after;
	struct pv_guest g;

	dev = pv_open_vps_or_skip();
	if (ioctl(dev, PARTVISOR_GET_INFO, &info)) {
		printf("Bail out! GET_INFO: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	svm = info.vendor == PARTVISOR_VENDOR_SVM;
	__cpuid(0x80000001, a, b, c, d);
	rdtscp = !!(d & (1u << 27));
	__cpuid_count(7, 0, a, b, c, d);
	rdpid = !!(c & (1u << 22));
	__cpuid(1, a, b, c, d);
	xsave = !!(c & (1u << 27));	/* OSXSAVE: Linux uses XSAVE */
	pv_plan(12);
	pv_diag("%s, host RDTSCP %d, RDPID %d, OSXSAVE %d", svm ? "AMD-V" : "VT-x",
		rdtscp, rdpid, xsave);
	if (pv_guest_new(dev, &g, MEM_SIZE, CODE, ic_guest,
			 ic_guest_end - ic_guest) ||
	    ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st)) {
		printf("Bail out! set up the guest: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	pv_state_real(&st, 0, CODE, 0x8000);
	if (xsave)
		st.cr4 |= 1u << 18;	/* OSXSAVE */
	if (ioctl(g.vp, PARTVISOR_SET_VP_STATE, &st)) {
		printf("Bail out! set the state: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}

	g.mem[DO_BREAK] = !emulator_breaks_on_guest_breakpoints();
	bp = watch_open();
	if (bp < 0)
		pv_diag("no hardware breakpoint for the VMM: %s", strerror(errno));
	before = watch_count(bp);
	for (;;) {
		ret = ioctl(g.vp, PARTVISOR_RUN_VP, &r);
		if (ret || r.reason != PARTVISOR_EXIT_MSR ||
		    nr_msrs == ARRAY_SIZE(msrs))
			break;
		msrs[nr_msrs++] = r.msr.index;
		r.msr.data = PMC_ANSWER;
	}
	watched++;
	after = watch_count(bp);
	other = pv_vp_counter(g.id, 0, "intercepts_other");

	pv_check(!ret && r.reason == PARTVISOR_EXIT_IO &&
		 r.io.port == PORT_DONE && other >= 4,
		 "the guest ran to its end; WBINVD, WBNOINVD, INVD and RDPMC were completed without the VMM (ret %d, exit %u, port %#x, %lld other intercepts)",
		 ret, r.reason, r.io.port, other);
	pv_check(!vec(&g, S_WBINVD) && !vec(&g, S_WBNOINVD) &&
		 !vec(&g, S_INVD) && pv_guest_u32(&g, AUX_MSR) == TSC_AUX_VAL,
		 "cache flushes raise nothing; RDMSR TSC_AUX gives back what WRMSR set (%#x)",
		 pv_guest_u32(&g, AUX_MSR));
	pv_check(vec(&g, S_RDPMC) == 13 + 1,
		 "RDPMC raises #GP (vector + 1: %u)", vec(&g, S_RDPMC));
	if (svm && rdtscp)
		pv_check(pv_guest_u32(&g, AUX_RDTSCP) == TSC_AUX_VAL,
			 "RDTSCP reads the VP's TSC_AUX (%#x)",
			 pv_guest_u32(&g, AUX_RDTSCP));
	else
		pv_check(vec(&g, S_RDTSCP) == 6 + 1,
			 "RDTSCP raises #UD (%s)", svm ? "the host has none" :
			 "VT-x gives a child none");
	if (svm && rdpid)
		pv_check(pv_guest_u32(&g, AUX_RDPID) == TSC_AUX_VAL,
			 "RDPID reads the VP's TSC_AUX (%#x)",
			 pv_guest_u32(&g, AUX_RDPID));
	else
		pv_check(vec(&g, S_RDPID) == 6 + 1,
			 "RDPID raises #UD (vector + 1: %u)", vec(&g, S_RDPID));
	pv_check(vec(&g, S_MONITOR) == 6 + 1 && vec(&g, S_MWAIT) == 6 + 1,
		 "MONITOR and MWAIT raise #UD (vector + 1: %u, %u)",
		 vec(&g, S_MONITOR), vec(&g, S_MWAIT));
	pv_check(nr_msrs == 2 && msrs[0] == 0xc0010004 && msrs[1] == 0x186 &&
		 pv_guest_u32(&g, PMC_VAL) == PMC_ANSWER &&
		 !vec(&g, S_PMC_AMD) && !vec(&g, S_PMC_INTEL),
		 "RDMSR of PERF_CTR0 and PERFEVTSEL0 go to the VMM, which answers (%u exits: %#x %#x, guest read %#x)",
		 nr_msrs, nr_msrs > 0 ? msrs[0] : 0, nr_msrs > 1 ? msrs[1] : 0,
		 pv_guest_u32(&g, PMC_VAL));
	if (xsave) {
		pv_check(vec(&g, S_XCR0_NO_X87) == 13 + 1 &&
			 vec(&g, S_XCR1) == 13 + 1,
			 "XSETBV of XCR0 without x87, and of XCR1, raise #GP (vector + 1: %u, %u)",
			 vec(&g, S_XCR0_NO_X87), vec(&g, S_XCR1));
		pv_check(!vec(&g, S_XCR0_OK) && pv_guest_u32(&g, XCR0_VAL) == 3,
			 "XSETBV of x87 and SSE is taken, XGETBV reads it back (%#x)",
			 pv_guest_u32(&g, XCR0_VAL));
	} else {
		pv_skip("XSETBV validation", "Linux does not use XSAVE here");
		pv_skip("XSETBV and XGETBV", "Linux does not use XSAVE here");
	}
	pv_check(pv_guest_u32(&g, DR0_FIRST) == 0 &&
		 pv_guest_u32(&g, DR0_BACK) == WATCH,
		 "DR0 is the VP's own: %#x at first (the VMM thread's DR0 held %p), %#x after the guest wrote it",
		 pv_guest_u32(&g, DR0_FIRST), bp >= 0 ? (void *)&watched : NULL,
		 pv_guest_u32(&g, DR0_BACK));
	if (g.mem[DO_BREAK])
		pv_check(vec(&g, S_DR_BREAK) == 1 + 1 &&
			 (pv_guest_u32(&g, DR6_VAL) & 0xf) == 1,
			 "the guest's own breakpoint fires in the guest (vector + 1: %u, DR6 %#x)",
			 vec(&g, S_DR_BREAK), pv_guest_u32(&g, DR6_VAL));
	else
		pv_skip("the guest's own breakpoint fires in the guest",
			"QEMU's TCG arms no breakpoint inside an AMD-V guest");
	if (bp >= 0)
		pv_check(after == before + 1,
			 "the VMM's breakpoint still fires after the run (%lld hits, then %lld)",
			 before, after);
	else
		pv_skip("the VMM's breakpoint after the run",
			"no hardware breakpoint here");
	if (bp >= 0)
		close(bp);
	pv_guest_free(&g);
	close(dev);
	return pv_finish();
}
