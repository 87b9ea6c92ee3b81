// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts for child VPs: real-mode guests with an interrupt vector
 * table whose handlers log the vectors they see. Interrupts the VMM
 * asserts arrive highest first and only while the guest has RFLAGS.IF
 * set; HLT with IF set waits inside RUN until an interrupt (from another
 * thread, or the guest's own synthetic timer) and survives a signal; the
 * synthetic MSRs VP_INDEX, TIME_REF_COUNT and STIMER0 work without the
 * VMM, and bad writes to them get #GP; ASSERT_INTERRUPT refuses bad
 * arguments; a VP spinning on one thread is interrupted from another;
 * and VMMs killed while their VP waits in HLT with a timer running leave
 * nothing behind.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define LOG		0x2000	/* u16 count, then one byte per event */
#define RES		0x2200	/* values the timer guest read */
#define PORT		0x80	/* OUT: progress for the VMM */

#define STR_(x)		#x
#define STR(x)		STR_(x)

/*
 * The guests, loaded at CODE; every address in them is absolute. The IVT
 * gets a stub for each of vectors 32-255 that logs its vector, and a #GP
 * handler that logs 13 and skips the faulting two-byte WRMSR.
 */
#define ST_ENABLE	0x1
#define ST_PERIODIC	0x2
#define ST_DIRECT	0x1000
#define STIMER_ON	0x1001
static_assert(PARTVISOR_STIMER_ENABLE + PARTVISOR_STIMER_PERIODIC +
	      PARTVISOR_STIMER_DIRECT + PARTVISOR_STIMER_VECTOR_MASK ==
	      ST_ENABLE + ST_PERIODIC + ST_DIRECT + 0xff0,
	      "the guests' STIMER0 bits");
asm(".pushsection .rodata\n"
	".code16\n"
	".set CODE, " STR(CODE) "\n"
	".set LOG, " STR(LOG) "\n"
	".set RES, " STR(RES) "\n"
	"guest_start:\n"

    /* The VMM asserts, from the highest down, then checks ordering. */
	"p_basic:\n"
	"	call setup\n"
	"	mov $0x10, %al\n"
	"	out %al, $0x80\n"
	"	mov $0xe0, %al\n"		/* IF is still clear */
	"	call logal\n"
	"	sti\n"
	"1:	cmpw $4, LOG\n"
	"	jb 1b\n"
	"	cli\n"
	"	mov $0x11, %al\n"		/* the VMM asserts 0x41 */
	"	out %al, $0x80\n"
	"	mov $0x12, %al\n"		/* another RUN with IF clear */
	"	out %al, $0x80\n"
	"	mov $0xe1, %al\n"
	"	call logal\n"
	"	sti\n"
	"1:	cmpw $6, LOG\n"
	"	jb 1b\n"
	"	mov $0x13, %al\n"		/* another thread asserts 0x42 */
	"	out %al, $0x80\n"
	"	hlt\n"
	"	mov $0x14, %al\n"
	"	out %al, $0x80\n"
	"	hlt\n"				/* signals, then 0x43 */
	"	mov $0x15, %al\n"
	"	out %al, $0x80\n"
	"	cli\n"
	"	hlt\n"

    /* The synthetic MSRs and timer, without the VMM. */
	"p_timer:\n"
	"	call setup\n"
	"	mov $" STR(PARTVISOR_MSR_VP_INDEX) ", %ecx\n"
	"	rdmsr\n"
	"	mov %eax, RES\n"
	"	mov $" STR(PARTVISOR_MSR_TIME_REF_COUNT) ", %ecx\n"
	"	rdmsr\n"
	"	mov %eax, RES + 4\n"
	"	mov %edx, RES + 8\n"
    /* One-shot, 10 ms from now: configured first, armed by COUNT. */
	"	mov $" STR(PARTVISOR_MSR_STIMER0_CONFIG) ", %ecx\n"
	"	mov $(" STR(STIMER_ON) " | (0x45 << 4)), %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	mov $" STR(PARTVISOR_MSR_TIME_REF_COUNT) ", %ecx\n"
	"	rdmsr\n"
	"	add $100000, %eax\n"
	"	adc $0, %edx\n"
	"	mov $" STR(PARTVISOR_MSR_STIMER0_COUNT) ", %ecx\n"
	"	wrmsr\n"
	"	sti\n"
	"	hlt\n"
	"	cli\n"
	"	mov $" STR(PARTVISOR_MSR_STIMER0_CONFIG) ", %ecx\n"
	"	rdmsr\n"
	"	mov %eax, RES + 12\n"
	"	mov $" STR(PARTVISOR_MSR_TIME_REF_COUNT) ", %ecx\n"
	"	rdmsr\n"
	"	mov %eax, RES + 16\n"
	"	mov %edx, RES + 20\n"
	"	mov $0x20, %al\n"
	"	out %al, $0x80\n"
    /* Periodic, every millisecond, five times. */
	"	mov $" STR(PARTVISOR_MSR_STIMER0_COUNT) ", %ecx\n"
	"	mov $10000, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	mov $" STR(PARTVISOR_MSR_STIMER0_CONFIG) ", %ecx\n"
	"	mov $(" STR(STIMER_ON) " | " STR(ST_PERIODIC) " | (0x46 << 4)), %eax\n"
	"	wrmsr\n"
	"	sti\n"
	"1:	hlt\n"
	"	cmpw $6, LOG\n"
	"	jb 1b\n"
	"	cli\n"
	"	xor %eax, %eax\n"
	"	wrmsr\n"
	"	mov $0x21, %al\n"
	"	out %al, $0x80\n"
    /* Six writes that must each raise #GP. */
	"	xor %edx, %edx\n"
	"	mov $(" STR(ST_ENABLE) " | (0x45 << 4)), %eax\n"
	"	wrmsr\n"			/* not direct */
	"	mov $(" STR(STIMER_ON) " | (0x10 << 4)), %eax\n"
	"	wrmsr\n"			/* vector 16 */
	"	mov $(" STR(STIMER_ON) " | (0x45 << 4) | 4), %eax\n"
	"	wrmsr\n"			/* lazy */
	"	mov $(" STR(STIMER_ON) " | (0x45 << 4)), %eax\n"
	"	mov $1, %edx\n"
	"	wrmsr\n"			/* bit 32 */
	"	mov $" STR(PARTVISOR_MSR_VP_INDEX) ", %ecx\n"
	"	wrmsr\n"
	"	mov $" STR(PARTVISOR_MSR_TIME_REF_COUNT) ", %ecx\n"
	"	wrmsr\n"
	"	mov $0x22, %al\n"
	"	out %al, $0x80\n"
	"	cli\n"
	"	hlt\n"

    /* Spins with IF set until an interrupt comes. */
	"p_spin:\n"
	"	call setup\n"
	"	sti\n"
	"	mov $0x30, %al\n"
	"	out %al, $0x80\n"
	"1:	cmpw $1, LOG\n"
	"	jb 1b\n"
	"	mov $0x31, %al\n"
	"	out %al, $0x80\n"
	"	cli\n"
	"	hlt\n"

    /* The other VP: tells its VMM, which interrupts the first. */
	"p_poke:\n"
	"	mov $0x32, %al\n"
	"	out %al, $0x80\n"
	"	cli\n"
	"	hlt\n"

    /* A one-second periodic timer, halted for good. */
	"p_sleep:\n"
	"	call setup\n"
	"	mov $" STR(PARTVISOR_MSR_STIMER0_COUNT) ", %ecx\n"
	"	mov $10000000, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	mov $" STR(PARTVISOR_MSR_STIMER0_CONFIG) ", %ecx\n"
	"	mov $(" STR(STIMER_ON) " | " STR(ST_PERIODIC) " | (0x48 << 4)), %eax\n"
	"	wrmsr\n"
	"	sti\n"
	"	mov $0x40, %al\n"
	"	out %al, $0x80\n"
	"1:	hlt\n"
	"	jmp 1b\n"

    /* Vectors 32-255 to their stubs, 13 to gp. */
	"setup:\n"
	"	mov $(CODE + stubs - guest_start), %ax\n"
	"	mov $(32 * 4), %di\n"
	"1:	mov %ax, (%di)\n"
	"	movw $0, 2(%di)\n"
	"	add $6, %ax\n"
	"	add $4, %di\n"
	"	cmp $0x400, %di\n"
	"	jb 1b\n"
	"	movw $(CODE + gp - guest_start), 13 * 4\n"
	"	movw $0, 13 * 4 + 2\n"
	"	ret\n"

    /* Append AL to the log. */
	"logal:\n"
	"	push %bx\n"
	"	mov LOG, %bx\n"
	"	mov %al, LOG + 2(%bx)\n"
	"	incw LOG\n"
	"	pop %bx\n"
	"	ret\n"

	"gp:\n"
	"	push %ax\n"
	"	push %bp\n"
	"	mov %sp, %bp\n"
	"	addw $2, 4(%bp)\n"
	"	pop %bp\n"
	"	mov $13, %al\n"
	"	jmp common\n"

	"common:\n"
	"	call logal\n"
	"	pop %ax\n"
	"	iret\n"

    /* push ax; mov al, vector; jmp near common: six bytes each. */
	"stubs:\n"
	".set vec, 32\n"
	".rept 224\n"
	"	.byte 0x50, 0xb0, vec, 0xe9\n"
	"	.word common - (. + 2)\n"
	"	.set vec, vec + 1\n"
	".endr\n"
	"guest_end:\n"
	".code64\n"
	".popsection\n");

/* The address of a label in the block above. */
#define SYM(name) ({							\
	const unsigned char *p_;					\
	asm("lea " #name "(%%rip), %0" : "=r"(p_));			\
	p_;								\
})
#define ENTRY(name)	(CODE + (unsigned int)(SYM(name) - SYM(guest_start)))

struct guest {
	int part, vp[2];
	unsigned char *mem;
};

static __u16 log_count(const struct guest *g)
{
	__u16 n;

	memcpy(&n, g->mem + LOG, sizeof(n));
	return n;
}

static const unsigned char *log_bytes(const struct guest *g)
{
	return g->mem + LOG + 2;
}

/* A VP with index @index at GPA @entry, its stack at @sp. */
static int guest_vp(int dev, struct guest *g, unsigned int slot,
		    unsigned int index, unsigned int entry,
		    unsigned int sp)
{
	struct partvisor_create_vp cv = { .vp_index = index };
	struct partvisor_vp_state st;

	(void)dev;
	g->vp[slot] = ioctl(g->part, PARTVISOR_CREATE_VP, &cv);
	if (g->vp[slot] < 0 || ioctl(g->vp[slot], PARTVISOR_GET_VP_STATE, &st))
		return -1;
	pv_state_real(&st, 0, entry, sp);
	return ioctl(g->vp[slot], PARTVISOR_SET_VP_STATE, &st);
}

static int guest_new(int dev, struct guest *g, unsigned int index,
		     unsigned int entry)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_memory_region mr = { 0 };

	g->part = -1;
	g->vp[0] = -1;
	g->vp[1] = -1;
	g->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED)
		return -1;
	memcpy(g->mem + CODE, SYM(guest_start),
	       SYM(guest_end) - SYM(guest_start));
	g->part = ioctl(dev, PARTVISOR_CREATE_PARTITION, &cp);
	if (g->part < 0)
		return -1;
	mr.size = MEM_SIZE;
	mr.uaddr = (unsigned long)g->mem;
	mr.flags = PARTVISOR_MEM_ALL;
	if (ioctl(g->part, PARTVISOR_MAP_MEMORY, &mr))
		return -1;
	return guest_vp(dev, g, 0, index, entry, 0x8000);
}

static void guest_free(struct guest *g)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (g->vp[i] >= 0)
			close(g->vp[i]);
	if (g->part >= 0)
		close(g->part);
	if (g->mem != MAP_FAILED)
		munmap(g->mem, MEM_SIZE);
}

static int assert_irq(int vp, unsigned int vector)
{
	struct partvisor_interrupt irq = { .vector = vector };

	return ioctl(vp, PARTVISOR_ASSERT_INTERRUPT, &irq);
}

/* RUN until the guest's next OUT to PORT: its byte, or -1. */
static int run_to_out(int vp)
{
	struct partvisor_run r = { 0 };

	if (ioctl(vp, PARTVISOR_RUN_VP, &r))
		return -1;
	if (r.reason != PARTVISOR_EXIT_IO || r.io.port != PORT)
		return -1;
	return r.io.data & 0xff;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct later {
	int vp;
	unsigned int vector;
	useconds_t delay;
};

static void *assert_later(void *arg)
{
	struct later *l = arg;

	usleep(l->delay);
	return (void *)(long)assert_irq(l->vp, l->vector);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void alarm_in(long usec)
{
	struct itimerval it = { .it_value = { .tv_usec = usec } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void test_basic(int dev)
{
	static const unsigned char want[] = {
		0xe0, 0x50, 0x40, 0x30, 0xe1, 0x41, 0x42, 0x43,
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	struct partvisor_run r = { 0 };
	struct later l;
	pthread_t t;
	double t0;
	void *res;
	int out, ret;
	struct guest g;

	if (guest_new(dev, &g, 0, ENTRY(p_basic))) {
		pv_check(0, "set up the basic guest: %s", strerror(errno));
		guest_free(&g);
		return;
	}
	out = run_to_out(g.vp[0]);
	ret = assert_irq(g.vp[0], 0x30) | assert_irq(g.vp[0], 0x50) |
	      assert_irq(g.vp[0], 0x40);
	pv_check(out == 0x10 && !ret, "three interrupts asserted (out %#x)",
		 out);
	out = run_to_out(g.vp[0]);
	pv_check(out == 0x11 && log_count(&g) == 4 &&
		 !memcmp(log_bytes(&g), want, 4),
		 "delivered after STI, highest first: %02x %02x %02x %02x (out %#x)",
		 log_bytes(&g)[0], log_bytes(&g)[1], log_bytes(&g)[2],
		 log_bytes(&g)[3], out);

	assert_irq(g.vp[0], 0x41);
	out = run_to_out(g.vp[0]);
	pv_check(out == 0x12 && log_count(&g) == 4,
		 "not delivered while IF is clear (%u events)", log_count(&g));
	out = run_to_out(g.vp[0]);
	pv_check(out == 0x13 && log_count(&g) == 6 &&
		 !memcmp(log_bytes(&g) + 4, want + 4, 2),
		 "...but right after STI: %02x %02x (out %#x)",
		 log_bytes(&g)[4], log_bytes(&g)[5], out);

	/* HLT with IF set: RUN waits until another thread asserts. */
	l = (struct later){ .vp = g.vp[0], .vector = 0x42, .delay = 100000 };
	t0 = now();
	pthread_create(&t, NULL, assert_later, &l);
	out = run_to_out(g.vp[0]);
	pthread_join(t, &res);
	pv_check(out == 0x14 && !res && log_count(&g) == 7 &&
		 log_bytes(&g)[6] == 0x42 && now() - t0 >= 0.09,
		 "HLT waits in RUN for another thread's interrupt (out %#x, %.3f s)",
		 out, now() - t0);

	/* A signal ends the wait; the VP is still halted afterwards. */
	sigaction(SIGALRM, &sa, NULL);
	alarm_in(50000);
	ret = ioctl(g.vp[0], PARTVISOR_RUN_VP, &r);
	pv_check(ret == -1 && errno == EINTR,
		 "a signal ends RUN of a halted VP: EINTR (%d)", ret);
	alarm_in(50000);
	ret = ioctl(g.vp[0], PARTVISOR_RUN_VP, &r);
	pv_check(ret == -1 && errno == EINTR && log_count(&g) == 7,
		 "...the next RUN waits again (%d, %u events)", ret,
		 log_count(&g));
	assert_irq(g.vp[0], 0x43);
	out = run_to_out(g.vp[0]);
	pv_check(out == 0x15 && log_count(&g) == 8 && log_bytes(&g)[7] == 0x43,
		 "...and wakes for the next interrupt (out %#x)", out);
	memset(&r, 0, sizeof(r));
	ret = ioctl(g.vp[0], PARTVISOR_RUN_VP, &r);
	pv_check(!ret && r.reason == PARTVISOR_EXIT_HALT,
		 "HLT with IF clear still ends RUN (exit %u)", r.reason);
	guest_free(&g);
}

static __u32 res32(const struct guest *g, unsigned int off)
{
	__u32 v;

	memcpy(&v, g->mem + RES + off, sizeof(v));
	return v;
}

static __u64 res64(const struct guest *g, unsigned int off)
{
	__u64 v;

	memcpy(&v, g->mem + RES + off, sizeof(v));
	return v;
}

static void test_timer(int dev)
{
	__u64 t1, t2, since;
	double t0, created;
	unsigned int i, n, first;
	struct guest g;
	int out;

	created = now();
	if (guest_new(dev, &g, 5, ENTRY(p_timer))) {
		pv_check(0, "set up the timer guest: %s", strerror(errno));
		guest_free(&g);
		return;
	}
	t0 = now();
	out = run_to_out(g.vp[0]);
	since = (now() - created) * 1e7 + 1;
	t1 = res64(&g, 4);
	t2 = res64(&g, 16);
	pv_check(out == 0x20 && res32(&g, 0) == 5,
		 "VP_INDEX reads the VP's index (%u, out %#x)", res32(&g, 0),
		 out);
	pv_check(t1 <= since && t2 > t1 && t2 <= since,
		 "TIME_REF_COUNT counts up from the partition's creation (%llu, %llu, at most %llu)",
		 (unsigned long long)t1, (unsigned long long)t2,
		 (unsigned long long)since);
	pv_check(log_count(&g) == 1 && log_bytes(&g)[0] == 0x45 &&
		 t2 - t1 >= 100000 && now() - t0 >= 0.01,
		 "a one-shot STIMER0 wakes HLT without the VMM (%u events, %llu units)",
		 log_count(&g), (unsigned long long)(t2 - t1));
	pv_check(res32(&g, 12) == (PARTVISOR_STIMER_DIRECT | 0x45 << 4),
		 "...and disables itself (config %#x)", res32(&g, 12));

	/* One more tick may come between the guest's count and its CLI. */
	out = run_to_out(g.vp[0]);
	first = log_count(&g);
	for (i = 1, n = 0; i < first; i++)
		n += log_bytes(&g)[i] == 0x46;
	pv_check(out == 0x21 && first >= 6 && n == first - 1U,
		 "a periodic STIMER0 fires again and again (%u of %u, out %#x)",
		 n, first, out);

	out = run_to_out(g.vp[0]);
	for (i = first, n = 0; i < log_count(&g); i++)
		n += log_bytes(&g)[i] == 13;
	pv_check(out == 0x22 && log_count(&g) == first + 6U && n == 6,
		 "bad STIMER0 configs and writes to read-only MSRs: #GP (%u of 6, out %#x)",
		 n, out);
	guest_free(&g);
}

static void test_bad_args(int dev)
{
	struct partvisor_interrupt irq = { .vector = 0x40 };
	static const unsigned int vectors[] = { 0, 31, 256, 0x80000040 };
	unsigned int i, bad = 0;
	struct guest g;

	if (guest_new(dev, &g, 0, ENTRY(p_basic))) {
		pv_check(0, "set up a guest: %s", strerror(errno));
		guest_free(&g);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(vectors); i++)
		if (assert_irq(g.vp[0], vectors[i]) != -1 || errno != EINVAL) {
			pv_diag("vector %#x not refused", vectors[i]);
			bad++;
		}
	pv_check(!bad, "vectors 0, 31, 256 and beyond: EINVAL");
	irq.flags = 1;
	pv_check(ioctl(g.vp[0], PARTVISOR_ASSERT_INTERRUPT, &irq) == -1 &&
		 errno == EINVAL, "flags: EINVAL");
	irq.flags = 0;
	irq.reserved[2] = 1;
	pv_check(ioctl(g.vp[0], PARTVISOR_ASSERT_INTERRUPT, &irq) == -1 &&
		 errno == EINVAL, "reserved: EINVAL");
	pv_check(ioctl(g.vp[0], PARTVISOR_ASSERT_INTERRUPT, (void *)8) == -1 &&
		 errno == EFAULT, "a bad pointer: EFAULT");
	pv_check(!assert_irq(g.vp[0], 32) && !assert_irq(g.vp[0], 255),
		 "vectors 32 and 255 are fine");
	guest_free(&g);
}

struct vp_thread {
	int vp, out;
};

static void *run_thread(void *arg)
{
	struct vp_thread *t = arg;

	t->out = run_to_out(t->vp);
	return NULL;
}

/*
 * Two VPs of a partition on two threads: while VP 0 spins with IF set,
 * VP 1's VMM thread interrupts it.
 */
static void test_two_vps(int dev)
{
	struct vp_thread spin;
	struct guest g;
	pthread_t t;
	int out, ret;

	if (guest_new(dev, &g, 0, ENTRY(p_spin)) ||
	    guest_vp(dev, &g, 1, 1, ENTRY(p_poke), 0x7000)) {
		pv_check(0, "set up two VPs: %s", strerror(errno));
		guest_free(&g);
		return;
	}
	spin.vp = g.vp[0];
	spin.out = run_to_out(g.vp[0]);
	if (spin.out != 0x30) {
		pv_check(0, "the spinning VP starts (out %#x)", spin.out);
		guest_free(&g);
		return;
	}
	pthread_create(&t, NULL, run_thread, &spin);
	out = run_to_out(g.vp[1]);
	/* Give VP 0 the time to be spinning in the child. */
	usleep(50000);
	ret = out == 0x32 ? assert_irq(g.vp[0], 0x47) : -1;
	pthread_join(t, NULL);
	pv_check(!ret && spin.out == 0x31 && log_count(&g) == 1 &&
		 log_bytes(&g)[0] == 0x47,
		 "a VP spinning on one thread is interrupted from another (out %#x, %u events)",
		 spin.out, log_count(&g));
	guest_free(&g);
}

#define KILLS	10

/* VMMs killed while their VP waits in HLT with its timer running. */
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
			struct guest g;

			close(fds[0]);
			if (guest_new(dev, &g, 0, ENTRY(p_sleep)) ||
			    run_to_out(g.vp[0]) != 0x40)
				_exit(1);
			c = 1;
			if (write(fds[1], &c, 1) != 1)
				_exit(1);
			run_to_out(g.vp[0]);
			_exit(1);
		}
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			bad++;
		/* Most often it is asleep in HLT by now. */
		usleep(20000);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		if (!WIFSIGNALED(status))
			bad++;
	}
	pv_check(i == KILLS && !bad && pv_nr_partitions(dev) == before,
		 "%u VMMs killed in HLT, %u bad; partitions %u -> %u", i, bad,
		 before, pv_nr_partitions(dev));
}

int main(void)
{
	int dev = pv_open_vps_or_skip();

	pv_plan(22);
	test_basic(dev);
	test_timer(dev);
	test_bad_args(dev);
	test_two_vps(dev);
	test_kill(dev);
	return pv_finish();
}
