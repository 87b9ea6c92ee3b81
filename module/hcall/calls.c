// SPDX-License-Identifier: GPL-2.0
/*
 * The root partition's hypercalls as pure logic: their dispatch and the
 * calls themselves (their rows are in table.c), on top of what root.c
 * reads from the machine (struct pv_hc_root_env). No hardware access, no
 * allocation, no locks: the exit handlers run this in host mode, and
 * KUnit runs it anywhere.
 */
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <uapi/linux/partvisor.h>

#include "hcall.h"

/*
 * "major.minor[.anything]" as major << 16 | minor, each part saturated at
 * 0xffff. Parsing stops at the first character that is neither a digit
 * nor the first dot.
 */
u32 pv_hc_version(const char *s)
{
	u32 part[2] = { 0, 0 };
	unsigned int i = 0;

	for (; *s; s++) {
		if (*s == '.') {
			if (++i == ARRAY_SIZE(part))
				break;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		part[i] = min_t(u32, part[i] * 10 + (*s - '0'), 0xffff);
	}
	return part[0] << 16 | part[1];
}

/* One property by id: HV_STATUS_INVALID_PARAMETER for an unknown id. */
u16 pv_hc_sysprop(const struct pv_hc_sysprops *props, u64 id, u64 *value)
{
	switch (id) {
	case PARTVISOR_PROP_VERSION:
		*value = props->version;
		break;
	case PARTVISOR_PROP_VENDOR:
		*value = props->vendor;
		break;
	case PARTVISOR_PROP_FEATURES:
		*value = props->features;
		break;
	case PARTVISOR_PROP_NR_LPS:
		*value = props->nr_lps;
		break;
	case PARTVISOR_PROP_CURRENT_LP:
		*value = props->current_lp;
		break;
	case PARTVISOR_PROP_NR_TLB_TAGS:
		*value = props->nr_tlb_tags;
		break;
	case PARTVISOR_PROP_TSC_KHZ:
		*value = props->tsc_khz;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

/*
 * GET_SYSTEM_PROPERTY, memory form: RDX = GPA of rep_count u64 property
 * ids, R8 = GPA of as many u64 values. Each exit does up to
 * PV_HC_REPS_PER_ENTRY of them from rep_start on. The lists are checked
 * on every exit: the root may have changed them between two.
 */
enum pv_hc_action pv_hc_get_system_property(struct pv_hc_regs *regs,
					    const struct pv_hc_input *in,
					    const struct pv_hc_root_env *env)
{
	u32 size = (u32)in->rep_count * sizeof(u64);
	u16 i = in->rep_start, end = pv_hc_rep_batch_end(in);
	const u64 *ids;
	u64 *values;
	u16 status;
	u64 value;

	status = pv_hc_check_gpa(regs->param0, size);
	if (!status)
		status = pv_hc_check_gpa(regs->param1, size);
	if (status)
		return pv_hc_rep_end(regs, in, status, i);
	ids = env->map(regs->param0, false);
	values = env->map(regs->param1, true);
	if (!ids || !values)
		return pv_hc_rep_end(regs, in, HV_STATUS_INVALID_PARAMETER, i);

	for (; i < end; i++) {
		status = pv_hc_sysprop(&env->props, READ_ONCE(ids[i]), &value);
		if (status)
			break;
		WRITE_ONCE(values[i], value);
	}
	return pv_hc_rep_end(regs, in, status, i);
}

enum pv_hc_action pv_hc_devirtualize(struct pv_hc_regs *regs,
				     const struct pv_hc_input *in,
				     const struct pv_hc_root_env *env)
{
	regs->result = pv_hc_result(HV_STATUS_SUCCESS, 0);
	return PV_HC_DEVIRT;
}

/* The backend runs the child and sets the result. */
enum pv_hc_action pv_hc_dispatch_vp(struct pv_hc_regs *regs,
				    const struct pv_hc_input *in,
				    const struct pv_hc_root_env *env)
{
	regs->result = pv_hc_result(HV_STATUS_SUCCESS, 0);
	return PV_HC_DISPATCH;
}

/*
 * One root hypercall: decode, look up, validate, run. @slot is where the
 * call is counted: calls that do not decode, or that the root cannot
 * make, count as "other".
 */
enum pv_hc_action pv_hc_root_call(struct pv_hc_regs *regs,
				  const struct pv_hc_root_env *env,
				  unsigned int *slot)
{
	const struct pv_hc_call *call = NULL;
	struct pv_hc_input in;
	u16 status;

	*slot = PV_HC_SLOT_OTHER;
	status = pv_hc_decode(regs->input, &in);
	if (!status) {
		call = pv_hc_find(in.code);
		if (call && call->root) {
			*slot = call - pv_hc_calls;
			status = pv_hc_validate(&call->desc, &in, true);
		} else {
			status = HV_STATUS_INVALID_HYPERCALL_CODE;
		}
	}
	if (status) {
		regs->result = pv_hc_result(status, 0);
		return PV_HC_CONTINUE;
	}
	return call->root(regs, &in, env);
}
