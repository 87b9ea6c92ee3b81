// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime's demo: every VP greets over the serial port, in turn.
 * VP 0 goes first and names the CPU and the hypervisor; VP n waits for
 * VP n-1 through shared memory. Then each halts.
 * Run: pvctl run --mode long --vps 2 demo.elf
 */
#include "rt/rt.h"

static uint32_t turn;	/* whose turn it is to greet */

int main(unsigned int vp, unsigned int nr_vps)
{
	char cpu[13], hv[13];
	uint64_t msr_index;

	while (rt_load_acquire(&turn) != vp)
		rt_pause();
	if (vp == 0) {
		rt_cpuid_vendor(0, cpu);
		rt_cpuid_vendor(0x40000000, hv);
		rt_printf("VP 0 of %u: hello from the partvisor guest runtime",
			  nr_vps);
		rt_printf(" (CPU %s, hypervisor \"%s\")\n",
			  cpu[0] ? cpu : "unknown", hv);
	} else {
		rt_printf("VP %u of %u: VP %u said hello through shared memory; hello too\n",
			  vp, nr_vps, vp - 1);
	}
	if (!rt_vp_index_msr(&msr_index) && msr_index != vp)
		rt_printf("VP %u: but the VP_INDEX MSR says %lu\n", vp,
			  (unsigned long)msr_index);
	rt_store_release(&turn, vp + 1);
	return 0;
}
