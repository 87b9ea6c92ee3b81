// SPDX-License-Identifier: GPL-2.0
/*
 * FPU and PKRU isolation under forced preemption. Two VMM processes run
 * a real-mode guest each; every guest keeps its own pattern in XMM0-7
 * (and in PKRU where the CPU has protection keys) and checks it on every
 * round, with an exit that the run loop handles in between (a read of
 * TIME_REF_COUNT) so that the VMM's thread passes through the places
 * where Linux may switch tasks. Each VMM keeps a pattern of its own in
 * XMM0-7 (YMM0-7 with AVX) and PKRU across every RUN; an ordinary process
 * keeps a third pattern and yields and sleeps all the time; a CPU hog
 * makes the runnable tasks outnumber the CPU they are all pinned to. Any
 * value seen where another's should be fails the test, and at the end
 * each guest's XSAVE image must still hold its own XMM and YMM halves.
 *
 * PV_FPU_SECONDS sets how long it runs (default 10).
 */
#include <cpuid.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define NR_VMMS		2
#define MEM_SIZE	0x10000
#define CODE		0x1000
#define PAT		0x2000	/* XMM0-7 pattern, then PKRU, then flags */
#define PAT_PKRU	(PAT + 128)
#define PAT_FLAGS	(PAT + 132)
#define SEEN		0x2100	/* what the registers held on a mismatch */
#define SEEN_PKRU	(SEEN + 128)
#define ROUNDS		0x2200
#define PORT_ROUND	0x21
#define PORT_BAD	0x20
#define FLAG_PKRU	1

#define XMM_OFFSET	160
#define YMM_OFFSET	576
#define XSTATE_BV	512

/*
 * Real mode, all segments 0. Loads XMM0-7 (and PKRU) from PAT once, then
 * stores and compares them on every round; reports every 64 rounds on
 * PORT_ROUND, and a mismatch on PORT_BAD (AL 1: XMM, 2: PKRU).
 */
asm(".pushsection .rodata\n"
	"fpu_guest:\n"
	".code16\n"
	"	cld\n"
	"	movdqu 0x2000, %xmm0\n"
	"	movdqu 0x2010, %xmm1\n"
	"	movdqu 0x2020, %xmm2\n"
	"	movdqu 0x2030, %xmm3\n"
	"	movdqu 0x2040, %xmm4\n"
	"	movdqu 0x2050, %xmm5\n"
	"	movdqu 0x2060, %xmm6\n"
	"	movdqu 0x2070, %xmm7\n"
	"	testb $1, 0x2084\n"
	"	jz 1f\n"
	"	mov 0x2080, %eax\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	wrpkru\n"
	"1:	movdqu %xmm0, 0x2100\n"
	"	movdqu %xmm1, 0x2110\n"
	"	movdqu %xmm2, 0x2120\n"
	"	movdqu %xmm3, 0x2130\n"
	"	movdqu %xmm4, 0x2140\n"
	"	movdqu %xmm5, 0x2150\n"
	"	movdqu %xmm6, 0x2160\n"
	"	movdqu %xmm7, 0x2170\n"
	"	mov $0x2000, %si\n"
	"	mov $0x2100, %di\n"
	"	mov $128, %cx\n"
	"	repe cmpsb\n"
	"	jne 8f\n"
	"	testb $1, 0x2084\n"
	"	jz 2f\n"
	"	xor %ecx, %ecx\n"
	"	rdpkru\n"
	"	mov %eax, 0x2180\n"
	"	cmp 0x2080, %eax\n"
	"	jne 9f\n"
	"2:	mov $0x40000020, %ecx\n"	/* TIME_REF_COUNT */
	"	rdmsr\n"
	"	incl 0x2200\n"
	"	testb $63, 0x2200\n"
	"	jnz 1b\n"
	"	mov $0x21, %dx\n"
	"	out %al, %dx\n"
	"	jmp 1b\n"
	"8:	mov $1, %al\n"
	"	jmp 7f\n"
	"9:	mov $2, %al\n"
	"7:	mov $0x20, %dx\n"
	"	out %al, %dx\n"
	"	hlt\n"
	".code64\n"
	"fpu_guest_end:\n"
	".popsection\n");
PV_GUEST_DECLARE(fpu_guest);

/* What each party found, in memory shared across fork(). */
struct result {
	unsigned long long rounds;	/* guest rounds, or process rounds */
	unsigned int runs;		/* RUNs, or yields */
	int guest_bad;			/* 0, or the guest's PORT_BAD code */
	unsigned char seen[128];	/* the guest's registers then */
	unsigned int seen_pkru;
	unsigned int own_bad;		/* its own registers changed */
	unsigned int own_pkru_bad;
	unsigned char own_seen[256];
	unsigned int own_seen_pkru;
	int image_bad;			/* the final XSAVE image is not its own */
	int error;			/* errno, or -1 for a wrong exit */
	unsigned int exit_reason;
};

static int have_avx, have_pkru;
static double end_time;	/* CLOCK_MONOTONIC seconds */

static void fill(unsigned char *p, size_t len, unsigned char seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 16 + i * 7 + 1);
}

static unsigned int pkru_pattern(unsigned int who)
{
	/* Keys 1-15 only: key 0 (every page here) stays accessible. */
	return 0x55555554u ^ (who << 8);
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static unsigned int rdpkru(void)
{
	unsigned int eax, edx;

	asm volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static void wrpkru(unsigned int v)
{
	asm volatile("wrpkru" : : "a"(v), "c"(0), "d"(0) : "memory");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Not time(NULL): a 1 s run could end after a few ms, before any RUN. */
static bool now_over(void)
{
	return now() >= end_time;
}

/* A system call with XMM0-7 (YMM0-7 with AVX) loaded from @in, saved to @out. */
static long syscall_keeping(long nr, long a, long b, long c,
			    const unsigned char *in, unsigned char *out)
{
	long ret;

	if (have_avx)
		asm volatile("vmovdqu 0(%[i]), %%ymm0\n\tvmovdqu 32(%[i]), %%ymm1\n\t"
			     "vmovdqu 64(%[i]), %%ymm2\n\tvmovdqu 96(%[i]), %%ymm3\n\t"
			     "vmovdqu 128(%[i]), %%ymm4\n\tvmovdqu 160(%[i]), %%ymm5\n\t"
			     "vmovdqu 192(%[i]), %%ymm6\n\tvmovdqu 224(%[i]), %%ymm7\n\t"
			     "syscall\n\t"
			     "vmovdqu %%ymm0, 0(%[o])\n\tvmovdqu %%ymm1, 32(%[o])\n\t"
			     "vmovdqu %%ymm2, 64(%[o])\n\tvmovdqu %%ymm3, 96(%[o])\n\t"
			     "vmovdqu %%ymm4, 128(%[o])\n\tvmovdqu %%ymm5, 160(%[o])\n\t"
			     "vmovdqu %%ymm6, 192(%[o])\n\tvmovdqu %%ymm7, 224(%[o])\n\t"
			     "vzeroupper"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b), "d"(c), [i] "r"(in),
			       [o] "r"(out)
			     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2",
			       "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
	else
		asm volatile("movdqu 0(%[i]), %%xmm0\n\tmovdqu 16(%[i]), %%xmm1\n\t"
			     "movdqu 32(%[i]), %%xmm2\n\tmovdqu 48(%[i]), %%xmm3\n\t"
			     "movdqu 64(%[i]), %%xmm4\n\tmovdqu 80(%[i]), %%xmm5\n\t"
			     "movdqu 96(%[i]), %%xmm6\n\tmovdqu 112(%[i]), %%xmm7\n\t"
			     "syscall\n\t"
			     "movdqu %%xmm0, 0(%[o])\n\tmovdqu %%xmm1, 16(%[o])\n\t"
			     "movdqu %%xmm2, 32(%[o])\n\tmovdqu %%xmm3, 48(%[o])\n\t"
			     "movdqu %%xmm4, 64(%[o])\n\tmovdqu %%xmm5, 80(%[o])\n\t"
			     "movdqu %%xmm6, 96(%[o])\n\tmovdqu %%xmm7, 112(%[o])"
			     : "=a"(ret)
			     : "a"(nr), "D"(a), "S"(b), "d"(c), [i] "r"(in),
			       [o] "r"(out)
			     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2",
			       "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
	return ret;
}

static size_t own_len(void)
{
	return have_avx ? 256 : 128;
}

/* Check what came back against @in; note the first mismatch. */
static void check_own(struct result *res, const unsigned char *in,
		      const unsigned char *out, unsigned int pkru)
{
	if (memcmp(in, out, own_len())) {
		if (!res->own_bad)
			memcpy(res->own_seen, out, own_len());
		res->own_bad++;
	}
	if (have_pkru && rdpkru() != pkru) {
		if (!res->own_pkru_bad)
			res->own_seen_pkru = rdpkru();
		res->own_pkru_bad++;
		wrpkru(pkru);
	}
}

static void set_sse(struct partvisor_vp_state *st, bool pke)
{
	st->cr0 |= 1ULL << 1;	/* MP */
	st->cr4 |= 1ULL << 9;	/* OSFXSR */
	if (pke)
		st->cr4 |= 1ULL << 22;
}

/* The guest's XSAVE image: XMM0-7 = its pattern, YMM halves = seed + 8. */
static int image_set(int vp, const unsigned char *pat, unsigned int who,
		     struct partvisor_xsave *x, bool get)
{
	unsigned char hi[128];
	unsigned long long bv;

	if (ioctl(vp, PARTVISOR_GET_XSAVE, x))
		return -1;
	fill(hi, sizeof(hi), who + 8);
	memcpy(&bv, x->region + XSTATE_BV, 8);
	if (get)
		return memcmp(x->region + XMM_OFFSET, pat, 128) ||
		       (have_avx && (!(bv & 4) ||
				     memcmp(x->region + YMM_OFFSET, hi, 128)));
	memcpy(x->region + XMM_OFFSET, pat, 128);
	bv |= 3;
	if (have_avx) {
		memcpy(x->region + YMM_OFFSET, hi, 128);
		bv |= 4;
	}
	memcpy(x->region + XSTATE_BV, &bv, 8);
	return ioctl(vp, PARTVISOR_SET_XSAVE, x);
}

static void vmm(unsigned int who, struct result *res)
{
	unsigned char in[256], out[256], pat[128];
	unsigned int pkru = pkru_pattern(who);
	struct partvisor_vp_state st;
	struct partvisor_run r;
	struct partvisor_xsave *x = malloc(sizeof(*x));
	struct pv_guest g;
	int dev;
	long ret;

	pin_cpu0();
	dev = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
	fill(pat, sizeof(pat), who + 1);
	fill(in, sizeof(in), who + 4);
	if (!x || dev < 0 ||
	    pv_guest_new(dev, &g, MEM_SIZE, CODE, fpu_guest,
			 fpu_guest_end - fpu_guest) ||
	    ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st)) {
		res->error = errno;
		return;
	}
	memcpy(g.mem + PAT, pat, sizeof(pat));
	*(unsigned int *)(g.mem + PAT_PKRU) = pkru_pattern(who + 8);
	g.mem[PAT_FLAGS] = have_pkru ? FLAG_PKRU : 0;
	pv_state_real(&st, 0, CODE, 0x8000);
	set_sse(&st, have_pkru);
	if (ioctl(g.vp, PARTVISOR_SET_VP_STATE, &st) ||
	    image_set(g.vp, pat, who, x, false)) {
		res->error = errno;
		return;
	}
	if (have_pkru)
		wrpkru(pkru);
	while (!now_over()) {
		memset(&r, 0, sizeof(r));
		ret = syscall_keeping(SYS_ioctl, g.vp, PARTVISOR_RUN_VP,
				      (long)&r, in, out);
		res->runs++;
		check_own(res, in, out, pkru);
		if (ret) {
			res->error = -ret;
			break;
		}
		if (r.reason != PARTVISOR_EXIT_IO ||
		    (r.io.port != PORT_ROUND && r.io.port != PORT_BAD)) {
			res->error = -1;
			res->exit_reason = r.reason;
			break;
		}
		if (r.io.port == PORT_BAD) {
			res->guest_bad = r.io.data & 0xff;
			memcpy(res->seen, g.mem + SEEN, sizeof(res->seen));
			memcpy(&res->seen_pkru, g.mem + SEEN_PKRU, 4);
			break;
		}
		sched_yield();
	}
	res->rounds = *(unsigned int *)(g.mem + ROUNDS);
	if (!res->guest_bad && !res->error)
		res->image_bad = image_set(g.vp, pat, who, x, true);
	pv_guest_free(&g);
	free(x);
	close(dev);
}

/* An ordinary process with its own registers, yielding and sleeping. */
static void process(struct result *res)
{
	unsigned int pkru = pkru_pattern(3);
	struct timespec ts = { 0, 200000 };
	unsigned char in[256], out[256];

	pin_cpu0();
	fill(in, sizeof(in), 7);
	if (have_pkru)
		wrpkru(pkru);
	while (!now_over()) {
		syscall_keeping(SYS_sched_yield, 0, 0, 0, in, out);
		check_own(res, in, out, pkru);
		if (!(++res->runs % 8)) {
			syscall_keeping(SYS_nanosleep, (long)&ts, 0, 0, in, out);
			check_own(res, in, out, pkru);
		}
		res->rounds++;
	}
}

static void hog(void)
{
	pin_cpu0();
	while (!now_over())
		;
}

static void dump(const char *what, const unsigned char *p, size_t len)
{
	char line[3 * 32 + 1];
	size_t i;

	for (i = 0; i < len && i < 32; i++)
		sprintf(line + 3 * i, " %02x", p[i]);
	pv_diag("%s:%s%s", what, line, len > 32 ? " ..." : "");
}

static void report_vmm(unsigned int who, const struct result *res)
{
	unsigned char pat[128];

	fill(pat, sizeof(pat), who + 1);
	pv_diag("VMM %u: %u RUNs, %llu guest rounds", who, res->runs,
		res->rounds);
	if (!pv_check(!res->error && res->rounds > 0,
		      "VMM %u ran its guest (error %d, exit %u, %llu rounds)",
		      who, res->error, res->exit_reason, res->rounds))
		return;
	if (!pv_check(res->guest_bad != 1,
		      "guest %u never saw foreign XMM values", who)) {
		dump("expected", pat, 128);
		dump("seen    ", res->seen, 128);
	}
	if (have_pkru)
		pv_check(res->guest_bad != 2,
			 "guest %u never saw a foreign PKRU (%#x, its own %#x)",
			 who, res->guest_bad == 2 ? res->seen_pkru :
			 pkru_pattern(who + 8), pkru_pattern(who + 8));
	if (!pv_check(!res->own_bad,
		      "VMM %u kept its own %s across %u RUNs (%u changed)",
		      who, have_avx ? "YMM0-7" : "XMM0-7", res->runs,
		      res->own_bad))
		dump("seen", res->own_seen, own_len());
	if (have_pkru && !pv_check(!res->own_pkru_bad,
				   "VMM %u kept its own PKRU (%u changed)",
				   who, res->own_pkru_bad))
		pv_diag("its PKRU was %#x, its own %#x", res->own_seen_pkru,
			pkru_pattern(who));
	if (!res->guest_bad)
		pv_check(!res->image_bad,
			 "guest %u's XSAVE image still holds its own XMM%s",
			 who, have_avx ? " and YMM halves" : "");
}

int main(void)
{
	struct result *res;
	unsigned int a, b, c, d, i, seconds = 10;
	const char *env = getenv("PV_FPU_SECONDS");
	pid_t pids[NR_VMMS + 2];
	int dev;

	dev = pv_open_vps_or_skip();
	close(dev);
	if (env && atoi(env) > 0)
		seconds = atoi(env);
	__cpuid_count(7, 0, a, b, c, d);
	have_pkru = !!(c & (1u << 4));		/* OSPKE */
	__cpuid(1, a, b, c, d);
	if ((c & (1u << 27)) && (c & (1u << 28))) {	/* OSXSAVE, AVX */
		asm("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
		have_avx = (a & 6) == 6;
	}
	res = mmap(NULL, sizeof(*res) * (NR_VMMS + 1), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	memset(res, 0, sizeof(*res) * (NR_VMMS + 1));
	/* How many checks depends on what the guests found: plan at the end. */
	printf("TAP version 13\n");
	pv_diag("%u s, all on CPU 0; %s, %s", seconds,
		have_avx ? "AVX: YMM0-7" : "no AVX: XMM0-7",
		have_pkru ? "PKRU too" : "no protection keys");
	end_time = now() + seconds;
	for (i = 0; i < NR_VMMS + 2; i++) {
		pids[i] = fork();
		if (pids[i])
			continue;
		if (i < NR_VMMS)
			vmm(i, &res[i]);
		else if (i == NR_VMMS)
			process(&res[NR_VMMS]);
		else
			hog();
		_exit(0);
	}
	for (i = 0; i < NR_VMMS + 2; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	for (i = 0; i < NR_VMMS; i++)
		report_vmm(i, &res[i]);
	if (!pv_check(!res[NR_VMMS].own_bad && res[NR_VMMS].rounds > 0,
		      "the process kept its own %s over %llu rounds (%u changed)",
		      have_avx ? "YMM0-7" : "XMM0-7", res[NR_VMMS].rounds,
		      res[NR_VMMS].own_bad))
		dump("seen", res[NR_VMMS].own_seen, own_len());
	if (have_pkru && !pv_check(!res[NR_VMMS].own_pkru_bad,
				   "the process kept its own PKRU (%u changed)",
				   res[NR_VMMS].own_pkru_bad))
		pv_diag("its PKRU was %#x, its own %#x",
			res[NR_VMMS].own_seen_pkru, pkru_pattern(3));
	printf("1..%u\n", pv_test_nr);
	return pv_finish();
}
