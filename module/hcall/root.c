// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls from the root partition. Runs in host mode on the calling LP:
 * no allocation, no locks, no sleeping.
 */
#include <linux/kernel.h>

#include "hcall.h"

static const struct pv_hc_desc pv_root_calls[] = {
	{ PV_HC_DEVIRTUALIZE, PV_HC_ROOT_ONLY | PV_HC_FAST_OK },
};

static const struct pv_hc_desc *pv_hc_lookup(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pv_root_calls); i++)
		if (pv_root_calls[i].code == code)
			return &pv_root_calls[i];
	return NULL;
}

u64 pv_hc_root_dispatch(u64 input, enum pv_hc_action *action)
{
	const struct pv_hc_desc *desc;
	struct pv_hc_input in;
	u16 status;

	*action = PV_HC_CONTINUE;
	status = pv_hc_decode(input, &in);
	if (status)
		return pv_hc_result(status, 0);
	desc = pv_hc_lookup(in.code);
	if (!desc)
		return pv_hc_result(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
	status = pv_hc_validate(desc, &in, true);
	if (status)
		return pv_hc_result(status, 0);

	switch (in.code) {
	case PV_HC_DEVIRTUALIZE:
		*action = PV_HC_DEVIRT;
		break;
	}
	return pv_hc_result(HV_STATUS_SUCCESS, 0);
}
