// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls and synthetic MSRs of child partitions, as pure logic: the
 * guest call table, the order of the checks, each call's input parsing,
 * and what the hypercall MSRs do. guest_vp.c gives them the VP's
 * registers and memory; KUnit gives them fakes.
 *
 * Adding a call is one row in the call table (table.c) and one function.
 */
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <uapi/linux/partvisor.h>

#include "hcall.h"

/* A simple call; its u64 input (the spin count) only informs. */
u16 pv_hc_long_spin_wait(struct pv_hc_guest_ctx *c)
{
	c->action = PV_HC_GUEST_YIELD;
	return HV_STATUS_SUCCESS;
}

/*
 * PostMessage: the message goes to the VMM, which routes it; every
 * connection id is accepted. Type 0, a type with bit 31 set (the
 * hypervisor's own), a payload over 240 bytes or a non-zero reserved
 * field: HV_STATUS_INVALID_PARAMETER.
 */
u16 pv_hc_post_message(struct pv_hc_guest_ctx *c)
{
	const struct pv_hc_post_message *in = (const void *)c->input;
	struct partvisor_exit_message *msg = &c->exit->msg;

	if (in->reserved || !in->message_type ||
	    (in->message_type & PV_HC_MSG_TYPE_HYPERVISOR) ||
	    in->payload_size > PARTVISOR_MESSAGE_PAYLOAD)
		return HV_STATUS_INVALID_PARAMETER;
	memset(msg, 0, sizeof(*msg));
	msg->connection_id = in->connection_id;
	msg->type = in->message_type;
	msg->size = in->payload_size;
	memcpy(msg->payload, in->payload, in->payload_size);
	c->exit->reason = PARTVISOR_EXIT_MESSAGE;
	c->action = PV_HC_GUEST_EXIT;
	return HV_STATUS_SUCCESS;
}

/*
 * Debug output: a header, then @size bytes right behind it, all inside
 * the list's page. A size over 240 or a non-zero reserved field:
 * HV_STATUS_INVALID_PARAMETER; bytes crossing into the next page:
 * HV_STATUS_INVALID_ALIGNMENT, as for any list that does.
 */
u16 pv_hc_debug_output(struct pv_hc_guest_ctx *c)
{
	const struct pv_hc_debug_output *in = (const void *)c->input;
	struct partvisor_exit_message *msg = &c->exit->msg;
	u64 gpa = c->regs->param0 + sizeof(*in);
	u16 status;

	if (in->reserved || in->size > PARTVISOR_MESSAGE_PAYLOAD)
		return HV_STATUS_INVALID_PARAMETER;
	status = pv_hc_check_gpa(c->regs->param0, sizeof(*in) + in->size);
	if (status)
		return status;
	memset(msg, 0, sizeof(*msg));
	if (in->size && c->env->read(c->env->priv, gpa, msg->payload, in->size))
		return HV_STATUS_INVALID_PARAMETER;
	msg->size = in->size;
	c->exit->reason = PARTVISOR_EXIT_DEBUG_OUTPUT;
	c->action = PV_HC_GUEST_EXIT;
	return HV_STATUS_SUCCESS;
}

/*
 * SendSyntheticClusterIpi: a fixed interrupt for every VP in the mask
 * (the caller included, if named). A vector outside 16-255, another VTL
 * than 0, a non-zero reserved byte or a VP that does not exist:
 * HV_STATUS_INVALID_PARAMETER, and no VP gets anything.
 */
u16 pv_hc_send_ipi(struct pv_hc_guest_ctx *c)
{
	const struct pv_hc_send_ipi *in = (const void *)c->input;

	if (in->vector < PV_HC_IPI_VECTOR_MIN ||
	    in->vector > PV_HC_IPI_VECTOR_MAX || in->target_vtl ||
	    memchr_inv(in->reserved, 0, sizeof(in->reserved)))
		return HV_STATUS_INVALID_PARAMETER;
	if (!c->env->send_ipi)
		return HV_STATUS_INVALID_PARAMETER;
	return c->env->send_ipi(c->env->priv, in->vector, in->processor_mask);
}

/*
 * The call's fixed input: RDX and R8 in the fast form; else the list at
 * RDX, 8-byte aligned, inside one page (HV_STATUS_INVALID_ALIGNMENT) and
 * in memory the VP may read (HV_STATUS_INVALID_PARAMETER).
 */
static u16 pv_guest_input(const struct pv_hc_call *call,
			  const struct pv_hc_input *in,
			  const struct pv_hc_regs *regs,
			  const struct pv_hc_guest_env *env, u8 *buf)
{
	u16 status;

	if (in->fast) {
		memcpy(buf, &regs->param0, sizeof(u64));
		memcpy(buf + sizeof(u64), &regs->param1, sizeof(u64));
		return HV_STATUS_SUCCESS;
	}
	status = pv_hc_check_gpa(regs->param0, call->in_size);
	if (status)
		return status;
	if (env->read(env->priv, regs->param0, buf, call->in_size))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/*
 * One guest hypercall: decode, look up, validate, read the input, run.
 * The order is the root's (Documentation/hypercalls.rst): reserved bits,
 * unknown code, a root-only call (HV_STATUS_ACCESS_DENIED), the form,
 * alignment, access, then the call's own checks. @regs->result is set
 * unless the call goes to the root (PV_HC_GUEST_ROOT); no guest call is
 * a rep call, so reps completed is always 0.
 */
enum pv_hc_guest_action pv_hc_guest_call(struct pv_hc_regs *regs,
					 const struct pv_hc_guest_env *env,
					 struct pv_hc_guest_exit *exit)
{
	u8 buf[PV_HC_GUEST_INPUT_MAX] __aligned(8) = { 0 };
	const struct pv_hc_call *call;
	struct pv_hc_guest_ctx c = {
		.env = env,
		.regs = regs,
		.input = buf,
		.action = PV_HC_GUEST_CONTINUE,
		.exit = exit,
	};
	struct pv_hc_input in;
	u16 status;

	c.in = &in;
	status = pv_hc_decode(regs->input, &in);
	if (status)
		goto out;
	call = pv_hc_find(in.code);
	if (!call) {
		status = HV_STATUS_INVALID_HYPERCALL_CODE;
		goto out;
	}
	/* The root's calls are ROOT_ONLY: HV_STATUS_ACCESS_DENIED here. */
	status = pv_hc_validate(&call->desc, &in, false);
	if (!status && !call->guest)
		status = HV_STATUS_ACCESS_DENIED;
	/* A call that passed the generic checks does something. */
	if (!status && env->host_mode)
		return PV_HC_GUEST_ROOT;
	if (!status)
		status = pv_guest_input(call, &in, regs, env, buf);
	if (!status)
		status = call->guest(&c);
out:
	if (status)
		c.action = PV_HC_GUEST_CONTINUE;
	regs->result = pv_hc_result(status, 0);
	return c.action;
}

/* The hypercall page's code: VMMCALL or VMCALL, then RET. */
void pv_hc_page_code(u8 code[PV_HC_PAGE_CODE_SIZE], u32 vendor)
{
	code[0] = 0x0f;
	code[1] = 0x01;
	code[2] = vendor == PARTVISOR_VENDOR_VMX ? 0xc1 : 0xd9;
	code[3] = 0xc3;
}

enum pv_hv_msr_action pv_hv_msr_read(const struct pv_hv_msrs *m, u32 index,
				     u64 *value)
{
	switch (index) {
	case PARTVISOR_MSR_GUEST_OS_ID:
		*value = m->guest_os_id;
		return PV_HV_MSR_DONE;
	case PARTVISOR_MSR_HYPERCALL:
		*value = m->hypercall;
		return PV_HV_MSR_DONE;
	}
	return PV_HV_MSR_NOT_OURS;
}

/*
 * GUEST_OS_ID takes any value; setting it to 0 disables the hypercall
 * page. HYPERCALL: bits 11:1 are reserved (#GP); enabling it while the
 * guest OS id is 0 is ignored, as the TLFS has it; enabling it (again)
 * writes the page, which must be writable guest memory (else #GP).
 */
enum pv_hv_msr_action pv_hv_msr_write(const struct pv_hv_msrs *m, u32 index,
				      u64 value, struct pv_hv_msrs *next)
{
	*next = *m;
	switch (index) {
	case PARTVISOR_MSR_GUEST_OS_ID:
		next->guest_os_id = value;
		if (!value)
			next->hypercall &= ~PV_HV_HYPERCALL_ENABLE;
		return PV_HV_MSR_DONE;
	case PARTVISOR_MSR_HYPERCALL:
		if (value & PV_HV_HYPERCALL_RESERVED)
			return PV_HV_MSR_GP;
		if (!(value & PV_HV_HYPERCALL_ENABLE)) {
			next->hypercall = value;
			return PV_HV_MSR_DONE;
		}
		if (!m->guest_os_id)
			return PV_HV_MSR_DONE;
		next->hypercall = value;
		return PV_HV_MSR_FILL_PAGE;
	}
	return PV_HV_MSR_NOT_OURS;
}
