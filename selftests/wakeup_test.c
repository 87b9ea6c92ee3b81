// SPDX-License-Identifier: GPL-2.0
/*
 * Wake-ups from STI; HLT. A real-mode guest waits for an interrupt the
 * way every guest does, with STI right before HLT, many thousands of
 * times, while another thread of its VMM asserts interrupts on another
 * CPU all the while, so that interrupts keep arriving at every point of
 * the guest's loop. STI holds interrupts off until the HLT has run; an
 * interrupt delivered with the HLT as its return address broke that rule
 * and spends the wake-up the HLT waits for (the lost timer wake-ups of
 * the demo guest). The guest's handler counts each such delivery.
 *
 * PV_WAKEUP_ROUNDS sets the number of waits (default 20000).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>
#include <sys/ioctl.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define TARGET		0x2000	/* u32: waits to do */
#define ROUNDS		0x2004	/* u32: waits begun */
#define EARLY		0x2008	/* u32: interrupts delivered before the HLT */
#define IRQS		0x200c	/* u32: interrupts delivered */
#define VECTOR		0x40
#define PORT_DONE	0x80

#define STR_(x)		#x
#define STR(x)		STR_(x)

asm(".pushsection .rodata\n"
	".code16\n"
	".set CODE, " STR(CODE) "\n"
	"wk_guest:\n"
	"	movw $(CODE + wk_handler - wk_guest), " STR(VECTOR) " * 4\n"
	"	movw $0, " STR(VECTOR) " * 4 + 2\n"
	"1:	cli\n"
	"	incl " STR(ROUNDS) "\n"
	"	mov " STR(ROUNDS) ", %eax\n"
	"	cmp " STR(TARGET) ", %eax\n"
	"	ja 2f\n"
	"	sti\n"
	"wk_hlt:\n"
	"	hlt\n"
	"	jmp 1b\n"
	"2:	mov $1, %al\n"
	"	out %al, $" STR(PORT_DONE) "\n"
	"	hlt\n"
	"wk_handler:\n"
	"	push %bp\n"
	"	mov %sp, %bp\n"
	"	cmpw $(CODE + wk_hlt - wk_guest), 2(%bp)\n"
	"	jne 1f\n"
	"	incl " STR(EARLY) "\n"
	"1:	incl " STR(IRQS) "\n"
	"	pop %bp\n"
	"	iret\n"
	"wk_guest_end:\n"
	".code64\n"
	".popsection\n");
PV_GUEST_DECLARE(wk_guest);

struct asserter {
	int vp;
	atomic_bool stop;
	unsigned long sent;
	int error;
};

static void pin(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Assert the vector every few microseconds until told to stop. */
static void *asserter(void *arg)
{
	struct partvisor_interrupt irq = { .vector = VECTOR };
	struct timespec ts = { 0, 20000 };
	struct asserter *a = arg;

	pin(1);
	while (!atomic_load(&a->stop)) {
		if (ioctl(a->vp, PARTVISOR_ASSERT_INTERRUPT, &irq)) {
			a->error = errno;
			break;
		}
		a->sent++;
		if (a->sent % 4 == 0)
			nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(void)
{
	struct asserter a = { 0 };
	struct partvisor_vp_state st;
	struct partvisor_run r;
	unsigned int rounds = 20000;
	const char *env = getenv("PV_WAKEUP_ROUNDS");
	struct pv_guest g;
	pthread_t t;
	int dev, ret;
	__u32 target;

	dev = pv_open_vps_or_skip();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		pv_skip_all("needs 2 CPUs");
	if (env && atoi(env) > 0)
		rounds = atoi(env);
	printf("TAP version 13\n1..4\n");
	if (pv_guest_new(dev, &g, MEM_SIZE, CODE, wk_guest,
			 wk_guest_end - wk_guest) ||
	    ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st)) {
		printf("Bail out! set up the guest: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	pv_state_real(&st, 0, CODE, 0x8000);
	target = rounds;
	memcpy(g.mem + TARGET, &target, sizeof(target));
	if (ioctl(g.vp, PARTVISOR_SET_VP_STATE, &st)) {
		printf("Bail out! set the state: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	pin(0);
	a.vp = g.vp;
	if (pthread_create(&t, NULL, asserter, &a)) {
		printf("Bail out! no thread\n");
		return PV_EXIT_FAIL;
	}
	do {
		memset(&r, 0, sizeof(r));
		ret = ioctl(g.vp, PARTVISOR_RUN_VP, &r);
	} while (ret && errno == EINTR);
	atomic_store(&a.stop, true);
	pthread_join(t, NULL);

	pv_check(!ret && r.reason == PARTVISOR_EXIT_IO &&
		 r.io.port == PORT_DONE,
		 "the guest finished its waits (ret %d, exit %u, port %#x)",
		 ret, r.reason, r.io.port);
	pv_check(pv_guest_u32(&g, ROUNDS) == rounds + 1,
		 "%u waits, %u wanted", pv_guest_u32(&g, ROUNDS) - 1, rounds);
	pv_check(pv_guest_u32(&g, IRQS) >= rounds && !a.error,
		 "%u interrupts delivered, %lu asserted (error %d)",
		 pv_guest_u32(&g, IRQS), a.sent, a.error);
	pv_check(pv_guest_u32(&g, EARLY) == 0,
		 "no interrupt arrived between STI and HLT (%u did)",
		 pv_guest_u32(&g, EARLY));
	pv_guest_free(&g);
	close(dev);
	return pv_finish();
}
