// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding and validation of the TLFS hypercall input value, encoding of
 * the result value, and rep continuation. Every check returns a TLFS
 * status so that a guest sees exactly why its call was refused.
 */
#include <linux/bitfield.h>
#include <linux/minmax.h>

#include "hcall.h"

u16 pv_hc_decode(u64 value, struct pv_hc_input *in)
{
	in->code = FIELD_GET(HV_HC_CODE_MASK, value);
	in->fast = value & HV_HC_FAST;
	in->var_hdr_size = FIELD_GET(HV_HC_VAR_HDR_MASK, value);
	in->rep_count = FIELD_GET(HV_HC_REP_COUNT_MASK, value);
	in->rep_start = FIELD_GET(HV_HC_REP_START_MASK, value);

	if (value & HV_HC_RESERVED_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

/*
 * A call's form must match its kind: simple calls carry no rep fields, rep
 * calls at least one rep and a start index inside it (a continuation
 * restarts with rep_start = reps already completed).
 */
u16 pv_hc_validate(const struct pv_hc_desc *desc,
		   const struct pv_hc_input *in, bool from_root)
{
	if ((desc->flags & PV_HC_ROOT_ONLY) && !from_root)
		return HV_STATUS_ACCESS_DENIED;
	if (in->fast && !(desc->flags & PV_HC_FAST_OK))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (in->var_hdr_size && !(desc->flags & PV_HC_VAR_HDR))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (desc->flags & PV_HC_REP) {
		if (!in->rep_count || in->rep_start >= in->rep_count)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else if (in->rep_count || in->rep_start) {
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	return HV_STATUS_SUCCESS;
}

/* A memory-form parameter list: 8-byte aligned and inside one page. */
u16 pv_hc_check_gpa(u64 gpa, u32 size)
{
	if (gpa & (HV_HC_ALIGN - 1))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (size > HV_HC_PAGE_SIZE ||
	    (gpa & (HV_HC_PAGE_SIZE - 1)) + size > HV_HC_PAGE_SIZE)
		return HV_STATUS_INVALID_ALIGNMENT;
	return HV_STATUS_SUCCESS;
}

/* reps_done is at most the 12-bit rep count; anything wider is cut. */
u64 pv_hc_result(u16 status, u16 reps_done)
{
	return (u64)status | (((u64)reps_done << 32) & HV_HC_RESULT_REPS_MASK);
}

/* Where this exit's part of a rep call ends: the count, or a batch on. */
u16 pv_hc_rep_batch_end(const struct pv_hc_input *in)
{
	return min_t(u32, in->rep_count,
		     (u32)in->rep_start + PV_HC_REPS_PER_ENTRY);
}

/*
 * End one exit of a rep call that got to rep @next (the reps before it
 * are done) with @status. A success short of the count continues: the
 * input value gets the new start index and the root re-executes the
 * instruction. Anything else completes the call, and reports @next as
 * the reps completed: on a failure that is the index of the failing rep.
 */
enum pv_hc_action pv_hc_rep_end(struct pv_hc_regs *regs,
				const struct pv_hc_input *in, u16 status,
				u16 next)
{
	if (status == HV_STATUS_SUCCESS && next < in->rep_count) {
		regs->input &= ~HV_HC_REP_START_MASK;
		regs->input |= FIELD_PREP(HV_HC_REP_START_MASK, (u64)next);
		return PV_HC_REPEAT;
	}
	regs->result = pv_hc_result(status, next);
	return PV_HC_CONTINUE;
}
