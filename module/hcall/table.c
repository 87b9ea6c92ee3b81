// SPDX-License-Identifier: GPL-2.0
/*
 * Every hypercall partvisor knows, in one table: its code, its name in
 * the counters, the forms it accepts, and who may make it, through which
 * handler: the root partition (calls.c), children (guest.c), or both.
 * The root's dispatch, the children's and the counters all read this
 * table; a call's index here is its counter slot, and its counters are
 * named hypercalls_0x<code>_<name> (Documentation/counters.rst). Adding a
 * call is one row here and its handler. Pure: KUnit runs it anywhere.
 */
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <uapi/linux/partvisor.h>

#include "hcall.h"

const struct pv_hc_call pv_hc_calls[] = {
	{ .desc = { PARTVISOR_HC_NOTIFY_LONG_SPIN_WAIT, PV_HC_FAST_OK },
	  .name = "notify_long_spin_wait", .in_size = sizeof(u64),
	  .guest = pv_hc_long_spin_wait },
	{ .desc = { PARTVISOR_HC_SEND_IPI, PV_HC_FAST_OK },
	  .name = "send_ipi", .in_size = sizeof(struct pv_hc_send_ipi),
	  .guest = pv_hc_send_ipi },
	{ .desc = { PARTVISOR_HC_POST_MESSAGE, 0 },
	  .name = "post_message", .in_size = sizeof(struct pv_hc_post_message),
	  .guest = pv_hc_post_message },
	{ .desc = { PV_HC_DEVIRTUALIZE, PV_HC_ROOT_ONLY | PV_HC_FAST_OK },
	  .name = "devirtualize", .root = pv_hc_devirtualize },
	{ .desc = { PV_HC_GET_SYSTEM_PROPERTY, PV_HC_ROOT_ONLY | PV_HC_REP },
	  .name = "get_system_property", .root = pv_hc_get_system_property },
	{ .desc = { PV_HC_DISPATCH_VP, PV_HC_ROOT_ONLY | PV_HC_FAST_OK },
	  .name = "dispatch_vp", .root = pv_hc_dispatch_vp },
	{ .desc = { PARTVISOR_HC_DEBUG_OUTPUT, 0 },
	  .name = "debug_output", .in_size = sizeof(struct pv_hc_debug_output),
	  .guest = pv_hc_debug_output },
};

static_assert(ARRAY_SIZE(pv_hc_calls) == PV_NR_HC_CALLS);

/* The call with @code, or NULL. Seven entries: a scan is cheapest. */
const struct pv_hc_call *pv_hc_find(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pv_hc_calls); i++)
		if (pv_hc_calls[i].desc.code == code)
			return &pv_hc_calls[i];
	return NULL;
}

unsigned int pv_hc_slot(u16 code)
{
	const struct pv_hc_call *call = pv_hc_find(code);

	return call ? call - pv_hc_calls : PV_HC_SLOT_OTHER;
}

/* A slot's name in the counters: "0x0008_notify_long_spin_wait", "other". */
const char *pv_hc_slot_name(unsigned int slot, char *buf, size_t len)
{
	if (slot >= ARRAY_SIZE(pv_hc_calls))
		snprintf(buf, len, "other");
	else
		snprintf(buf, len, "0x%04x_%s", pv_hc_calls[slot].desc.code,
			 pv_hc_calls[slot].name);
	return buf;
}
