// SPDX-License-Identifier: GPL-2.0
/*
 * Guest hypercalls and TLFS synthetic MSRs of a child VP: the registers
 * and memory behind the pure logic in guest.c. Runs in the run loop
 * (module/run.c), in process context with the VP's lock held, so guest
 * memory is reached with pv_gpa_read()/pv_gpa_write(), which may sleep;
 * and, for the calls that need neither memory nor Linux, in host mode
 * (pv_guest_hypercall_host, from module/host_exit.c).
 */
#include <linux/bitfield.h>
#include <linux/mutex.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../partvisor.h"
#include "../partition.h"
#include "../vendor.h"
#include "hcall.h"
#include "../trace.h"

/* Serializes the synthetic MSR writes of all partitions; they are rare. */
static DEFINE_MUTEX(pv_hv_msr_lock);

static int pv_guest_read(void *priv, u64 gpa, void *buf, u32 len)
{
	struct pv_vp *vp = priv;

	return pv_gpa_read(vp->part, gpa, buf, len);
}

/* Asserted under the partition's lock, which keeps the targets alive. */
static u16 pv_guest_send_ipi(void *priv, u32 vector, u64 mask)
{
	struct pv_vp *vp = priv;
	struct pv_partition *p = vp->part;
	u16 status = HV_STATUS_SUCCESS;
	unsigned int i;

	BUILD_BUG_ON(PARTVISOR_MAX_VPS > 64);
	mutex_lock(&p->lock);
	for (i = 0; i < PARTVISOR_MAX_VPS; i++)
		if ((mask & BIT_ULL(i)) && !p->vps[i])
			status = HV_STATUS_INVALID_PARAMETER;
	for (i = 0; !status && i < PARTVISOR_MAX_VPS; i++)
		if (mask & BIT_ULL(i))
			pv_vp_assert_interrupt(p->vps[i], vector);
	mutex_unlock(&p->lock);
	if (!status)
		pv_stat_add(&vp->stats.ipis_sent, hweight64(mask));
	return status;
}

static void pv_guest_hc_trace(const struct pv_vp *vp,
			      const struct pv_hc_regs *regs, u64 since)
{
	trace_hypercall(vp->part->id, vp->index,
			FIELD_GET(HV_HC_CODE_MASK, regs->input),
			regs->input & HV_HC_FAST,
			FIELD_GET(HV_HC_RESULT_REPS_MASK, regs->result),
			FIELD_GET(HV_HC_RESULT_STATUS_MASK, regs->result),
			rdtsc_ordered() - since);
}

/*
 * A hypercall instruction of a child VP, in the root driver or in host
 * mode (@env says which). CPL > 0 and real mode (or virtual-8086 mode,
 * which runs at CPL 3) get #UD, as on Hyper-V. False when the call has
 * to go to the root driver: nothing was changed then.
 */
static bool pv_guest_hc(struct pv_vp *vp, const struct pv_exit *e,
			const struct pv_hc_guest_env *env,
			enum pv_hc_guest_action *action,
			struct pv_hc_guest_exit *exit)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	const struct partvisor_vp_state *st = &vp->state;
	struct pv_hc_regs regs = { 0 };
	u64 t = PV_STATS || trace_hypercall_enabled() ? rdtsc_ordered() : 0;
	bool wide;

	/*
	 * vp_store only copies the hardware's view of the VP into vp->state
	 * (the end of RUN does it again): here for CR0, EFER and CS.
	 */
	ops->vp_store(vp);
	*action = PV_HC_GUEST_CONTINUE;
	if (ops->vp_cpl(vp) || !(st->cr0 & X86_CR0_PE)) {
		ops->vp_resume(vp, e, PV_RESUME_UD);
		return true;
	}
	/*
	 * The TLFS register convention follows the caller's mode: in 64-bit
	 * mode RCX is the input value, RDX and R8 the input and output GPAs
	 * (or fast parameters) and RAX the result; otherwise EDX:EAX,
	 * EBX:ECX, EDI:ESI and EDX:EAX.
	 */
	wide = (st->efer & EFER_LMA) && (st->cs.attrib & PARTVISOR_SEG_L);
	if (wide) {
		regs.input = *ops->vp_gpr(vp, PV_REG_RCX);
		regs.param0 = *ops->vp_gpr(vp, PV_REG_RDX);
		regs.param1 = *ops->vp_gpr(vp, PV_REG_R8);
	} else {
		regs.input = pv_vp_reg_pair(vp, PV_REG_RDX, PV_REG_RAX);
		regs.param0 = pv_vp_reg_pair(vp, PV_REG_RBX, PV_REG_RCX);
		regs.param1 = pv_vp_reg_pair(vp, PV_REG_RDI, PV_REG_RSI);
	}

	*action = pv_hc_guest_call(&regs, env, exit);
	if (*action == PV_HC_GUEST_ROOT)
		return false;

	if (wide)
		*ops->vp_gpr(vp, PV_REG_RAX) = regs.result;
	else
		pv_vp_set_edx_eax(vp, regs.result);
	ops->vp_resume(vp, e, PV_RESUME_SKIP);
	pv_vp_stats_hypercall(vp, FIELD_GET(HV_HC_CODE_MASK, regs.input),
			      rdtsc_ordered() - t);
	pv_guest_hc_trace(vp, &regs, t);
	return true;
}

/*
 * Host mode: the calls that are rejected before they do anything (an
 * unknown or root-only code, reserved bits, the wrong form) and #UD.
 * True when done; false leaves the VP as it was, for the root driver.
 */
bool pv_guest_hypercall_host(struct pv_vp *vp, const struct pv_exit *e)
{
	const struct pv_hc_guest_env env = { .priv = vp, .host_mode = true };
	enum pv_hc_guest_action action;

	/* No call's function runs in host mode, so nothing fills an exit. */
	return pv_guest_hc(vp, e, &env, &action, NULL);
}

/* Root driver: any call. True to run on, false when @run holds an exit. */
bool pv_guest_hypercall(struct pv_vp *vp, const struct pv_exit *e,
			struct partvisor_run *run)
{
	const struct pv_hc_guest_env env = {
		.read = pv_guest_read, .send_ipi = pv_guest_send_ipi, .priv = vp,
	};
	struct pv_hc_guest_exit exit = { 0 };
	enum pv_hc_guest_action action;

	pv_guest_hc(vp, e, &env, &action, &exit);
	/*
	 * PV_HC_GUEST_YIELD: the root scheduler's run loop does
	 * cond_resched() next; a classic dispatch thread ends the slice.
	 */
	if (action == PV_HC_GUEST_YIELD)
		vp->cl.yield = true;
	if (action != PV_HC_GUEST_EXIT)
		return true;
	run->reason = exit.reason;
	run->msg = exit.msg;
	return false;
}

/*
 * RDMSR/WRMSR of a TLFS synthetic MSR partvisor keeps itself. Returns
 * false for an MSR that is not one of them (the VMM's).
 */
bool pv_guest_msr(struct pv_vp *vp, const struct pv_exit *e)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct pv_partition *p = vp->part;
	u32 index = *ops->vp_gpr(vp, PV_REG_RCX);
	enum pv_hv_msr_action action;
	u8 code[PV_HC_PAGE_CODE_SIZE];
	struct pv_hv_msrs next;
	u64 value;

	/* The VMM's MSRs do not wait for the lock. */
	if (index != PARTVISOR_MSR_GUEST_OS_ID &&
	    index != PARTVISOR_MSR_HYPERCALL)
		return false;
	mutex_lock(&pv_hv_msr_lock);
	if (e->kind == PV_EXIT_MSR_READ) {
		action = pv_hv_msr_read(&p->hv, index, &value);
		if (action == PV_HV_MSR_DONE)
			pv_vp_set_edx_eax(vp, value);
	} else {
		value = pv_vp_reg_pair(vp, PV_REG_RDX, PV_REG_RAX);
		action = pv_hv_msr_write(&p->hv, index, value, &next);
		if (action == PV_HV_MSR_FILL_PAGE) {
			pv_hc_page_code(code, pv_caps.vendor);
			action = pv_gpa_write(p, next.hypercall &
					      PV_HV_HYPERCALL_GPA_MASK,
					      code, sizeof(code)) ?
				 PV_HV_MSR_GP : PV_HV_MSR_DONE;
		}
		if (action == PV_HV_MSR_DONE)
			p->hv = next;
	}
	mutex_unlock(&pv_hv_msr_lock);

	switch (action) {
	case PV_HV_MSR_NOT_OURS:
		return false;
	case PV_HV_MSR_DONE:
	case PV_HV_MSR_FILL_PAGE:
		ops->vp_resume(vp, e, PV_RESUME_SKIP);
		break;
	case PV_HV_MSR_GP:
		ops->vp_resume(vp, e, PV_RESUME_GP);
		break;
	}
	return true;
}
