// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls from the root partition. Runs in host mode on the calling LP:
 * no allocation, no locks, no sleeping.
 */
#include <linux/kernel.h>
#include <asm/msr.h>

#include "hcall.h"
#include "../stats.h"

struct pv_root_call {
	struct pv_hc_desc desc;
	enum pv_hc_slot slot;
};

static const struct pv_root_call pv_root_calls[] = {
	{ { PV_HC_DEVIRTUALIZE, PV_HC_ROOT_ONLY | PV_HC_FAST_OK },
	  PV_HC_SLOT_DEVIRTUALIZE },
};

static const struct pv_root_call *pv_hc_lookup(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pv_root_calls); i++)
		if (pv_root_calls[i].desc.code == code)
			return &pv_root_calls[i];
	return NULL;
}

static u64 pv_hc_root_call(u64 input, enum pv_hc_action *action,
			   enum pv_hc_slot *slot)
{
	const struct pv_root_call *call;
	struct pv_hc_input in;
	u16 status;

	status = pv_hc_decode(input, &in);
	if (status)
		return pv_hc_result(status, 0);
	call = pv_hc_lookup(in.code);
	if (!call)
		return pv_hc_result(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
	*slot = call->slot;
	status = pv_hc_validate(&call->desc, &in, true);
	if (status)
		return pv_hc_result(status, 0);

	switch (in.code) {
	case PV_HC_DEVIRTUALIZE:
		*action = PV_HC_DEVIRT;
		break;
	}
	return pv_hc_result(HV_STATUS_SUCCESS, 0);
}

/* One root hypercall, counted by code in the calling VP's statistics. */
enum pv_hc_action pv_hc_root_dispatch(struct pv_hc_regs *regs,
				      struct pv_vp_stats *stats)
{
	enum pv_hc_action action = PV_HC_CONTINUE;
	enum pv_hc_slot slot = PV_HC_SLOT_OTHER;
	u64 t0 = rdtsc();

	regs->result = pv_hc_root_call(regs->input, &action, &slot);
	stats->hypercalls[slot]++;
	stats->hypercall_cycles[slot] += rdtsc() - t0;
	return action;
}
