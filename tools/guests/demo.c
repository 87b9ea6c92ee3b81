// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime's demo: every VP greets over the serial port, in turn.
 * VP 0 goes first, names the CPU and the hypervisor, sleeps in HLT until
 * its synthetic timer wakes it, and sends VP 1 an IPI; VP n sleeps in HLT
 * until VP n-1's IPI arrives, greets and passes it on. Then each halts.
 * Run: pvctl run --mode long --vps 2 demo.elf
 */
#include "rt/rt.h"

#define TIMER_VECTOR	0x30
#define IPI_VECTOR	0x40
#define TIMER_100NS	10000		/* 1 ms */

/* Sleep in HLT until @vector has arrived on this VP at least once. */
static void wait_for(unsigned int vp, unsigned int vector)
{
	while (!rt_irq_count(vp, vector))
		rt_wait_for_interrupt();
	rt_irq_disable();
}

static void greet_first(unsigned int nr_vps)
{
	uint64_t t0, t1;
	char cpu[13], hv[13];

	rt_cpuid_vendor(0, cpu);
	rt_cpuid_vendor(0x40000000, hv);
	rt_printf("VP 0 of %u: hello from the partvisor guest runtime",
		  nr_vps);
	rt_printf(" (CPU %s, hypervisor \"%s\")\n",
		  cpu[0] ? cpu : "unknown", hv);
	if (rt_time_ref_count(&t0) ||
	    rt_stimer0_start(TIMER_VECTOR, t0 + TIMER_100NS, false)) {
		rt_printf("VP 0: no synthetic timer\n");
		return;
	}
	wait_for(0, TIMER_VECTOR);
	rt_time_ref_count(&t1);
	rt_printf("VP 0: woken from HLT by its timer after %lu us\n",
		  (unsigned long)(t1 - t0) / 10);
}

int main(unsigned int vp, unsigned int nr_vps)
{
	uint16_t status;

	if (vp == 0) {
		greet_first(nr_vps);
	} else {
		wait_for(vp, IPI_VECTOR);
		rt_printf("VP %u of %u: woken by VP %u's IPI; hello too\n",
			  vp, nr_vps, vp - 1);
	}
	if (vp + 1 < nr_vps) {
		status = rt_send_ipi(IPI_VECTOR, BIT_ULL(vp + 1));
		if (status)
			rt_printf("VP %u: SEND_IPI failed, status %u\n", vp,
				  status);
	}
	return 0;
}
