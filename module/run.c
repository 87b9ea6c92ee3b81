// SPDX-License-Identifier: GPL-2.0
/*
 * Running a child VP from its VMM's thread (root scheduler mode).
 * PARTVISOR_RUN_VP dispatches the VP on the calling thread's LP again and
 * again, handles what partvisor handles itself (CPUID, hypercalls,
 * XSETBV, instructions that get #UD, known MSRs, HLT) and returns to the
 * VMM with an intercept message for the rest. A backend may handle some
 * exits in host mode first (module/host_exit.c); they never reach here.
 * Linux's scheduler decides when the thread runs: need_resched is
 * honoured between dispatches and a pending signal ends RUN with -EINTR,
 * so the VMM can be killed at any time.
 */
#include <linux/minmax.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "partvisor.h"
#include "partition.h"
#include "vendor.h"
#include "host.h"
#include "emulate.h"
#include "fpu.h"
#include "debugreg.h"
#include "spec.h"
#include "hcall/hcall.h"
#include "trace.h"

#define PV_XCR0_X87		BIT_ULL(0)
#define PV_XCR0_SSE		BIT_ULL(1)
#define PV_XCR0_AVX		BIT_ULL(2)

/*
 * XSETBV: XCR0 only, x87 always, AVX only with SSE, what the host has;
 * #UD where Linux itself does not use XSAVE.
 */
static enum pv_resume pv_run_xsetbv(struct pv_vp *vp)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	u64 val = pv_vp_reg_pair(vp, PV_REG_RDX, PV_REG_RAX);
	u64 host = pv_fpu_xcr0;

	if (!host)
		return PV_RESUME_UD;
	if (ops->vp_cpl(vp) || (u32)*ops->vp_gpr(vp, PV_REG_RCX) ||
	    !(val & PV_XCR0_X87) || (val & ~(host & PARTVISOR_XCR0_VALID)) ||
	    ((val & PV_XCR0_AVX) && !(val & PV_XCR0_SSE)))
		return PV_RESUME_GP;
	vp->state.xcr0 = val;
	return PV_RESUME_SKIP;
}

/* Complete the exit the VMM answered: IN, MMIO and RDMSR data, or #GP. */
static int pv_run_complete(struct pv_vp *vp, const struct partvisor_run *run)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct pv_exit e = { .kind = PV_EXIT_IO };
	u64 *rax = ops->vp_gpr(vp, PV_REG_RAX);
	u64 mask;

	if (!vp->pending)
		return run->flags ? -EINVAL : 0;
	vp->pending = false;
	if (vp->pend.reason == PARTVISOR_EXIT_MMIO || vp->pend.string)
		return pv_emul_complete(vp, run);
	if (vp->pend.reason == PARTVISOR_EXIT_MSR) {
		e.kind = vp->pend.write ? PV_EXIT_MSR_WRITE : PV_EXIT_MSR_READ;
		e.insn_len = vp->pend.insn_len;
		if (run->flags & PARTVISOR_RUN_INJECT_GP) {
			ops->vp_resume(vp, &e, PV_RESUME_GP);
			return 0;
		}
		if (!vp->pend.write)
			pv_vp_set_edx_eax(vp, run->msr.data);
	} else {
		if (run->flags)
			return -EINVAL;
		/* Only IN has a next RIP: an MSR exit's would be stale. */
		e.next_rip = vp->pend.next_rip;
		/* IN: the low bytes of RAX take the value; EAX zero-extends. */
		mask = vp->pend.size == 4 ? U32_MAX : BIT_ULL(8 * vp->pend.size) - 1;
		if (vp->pend.size == 4)
			*rax = (u32)run->io.data;
		else
			*rax = (*rax & ~mask) | (run->io.data & mask);
	}
	ops->vp_resume(vp, &e, PV_RESUME_SKIP);
	return 0;
}

static void pv_run_report_io(struct pv_vp *vp, const struct pv_exit *e,
			     struct partvisor_run *run)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	u64 rax = *ops->vp_gpr(vp, PV_REG_RAX);

	run->reason = PARTVISOR_EXIT_IO;
	run->io.port = e->io.port;
	run->io.size = e->io.size;
	run->io.flags = (e->io.in ? PARTVISOR_IO_IN : 0);
	if (e->io.in) {
		vp->pending = true;
		vp->pend.reason = PARTVISOR_EXIT_IO;
		vp->pend.size = e->io.size;
		vp->pend.next_rip = e->next_rip;
		return;
	}
	run->io.data = e->io.size == 4 ? (u32)rax :
		       rax & (BIT_ULL(8 * e->io.size) - 1);
	ops->vp_resume(vp, e, PV_RESUME_SKIP);
}

static void pv_run_report_msr(struct pv_vp *vp, const struct pv_exit *e,
			      struct partvisor_run *run)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	bool write = e->kind == PV_EXIT_MSR_WRITE;

	run->reason = PARTVISOR_EXIT_MSR;
	run->msr.index = *ops->vp_gpr(vp, PV_REG_RCX);
	run->msr.flags = write ? PARTVISOR_MSR_WRITE : 0;
	if (write)
		run->msr.data = pv_vp_reg_pair(vp, PV_REG_RDX, PV_REG_RAX);
	vp->pending = true;
	vp->pend.reason = PARTVISOR_EXIT_MSR;
	vp->pend.write = write;
	vp->pend.insn_len = e->insn_len;
}

/*
 * One exit: handled here (true: run again) or described in @run for the
 * VMM (false).
 */
bool pv_run_handle(struct pv_vp *vp, const struct pv_exit *e,
		   struct partvisor_run *run)
{
	const struct pv_vendor_ops *ops = pv_vendor;

	switch (e->kind) {
	case PV_EXIT_INTERRUPTED:
		return true;
	case PV_EXIT_CPUID:
	case PV_EXIT_UD:
	case PV_EXIT_NOP:
	case PV_EXIT_GP:
		/* As in host mode, for a backend that has no such loop (VT-x). */
		rcu_read_lock();
		pv_host_exit(vp, e);
		rcu_read_unlock();
		return true;
	case PV_EXIT_HYPERCALL:
		return pv_guest_hypercall(vp, e, run);
	case PV_EXIT_DR:
		ops->vp_resume(vp, e, pv_dr_access(vp, e));
		return true;
	case PV_EXIT_XSETBV:
		ops->vp_resume(vp, e, pv_run_xsetbv(vp));
		return true;
	case PV_EXIT_CR0_WRITE:
		pv_emul_cr0_write(vp, e);
		return true;
	case PV_EXIT_HLT:
		/* With IF set it waits for an interrupt; else for its VMM. */
		ops->vp_resume(vp, e, PV_RESUME_SKIP);
		if (pv_irq_halt(vp))
			return true;
		run->reason = PARTVISOR_EXIT_HALT;
		return false;
	case PV_EXIT_IRQ_WINDOW:
		return true;
	case PV_EXIT_IO:
		if (e->io.string)
			return pv_emul_string_io(vp, e, run);
		pv_run_report_io(vp, e, run);
		return false;
	case PV_EXIT_MSR_READ:
	case PV_EXIT_MSR_WRITE:
		if (pv_synthetic_msr(vp, e) || pv_guest_msr(vp, e) ||
		    pv_known_msr(vp, e) || pv_spec_msr(vp, e))
			return true;
		pv_run_report_msr(vp, e, run);
		return false;
	case PV_EXIT_MEMORY:
		return pv_emul_mmio(vp, e, run);
	case PV_EXIT_SHUTDOWN:
		vp->part->crashed = true;
		run->reason = PARTVISOR_EXIT_SHUTDOWN;
		return false;
	case PV_EXIT_INVALID_STATE:
		run->reason = PARTVISOR_EXIT_INVALID_STATE;
		return false;
	case PV_EXIT_UNSUPPORTED:
		break;
	}
	run->reason = PARTVISOR_EXIT_UNSUPPORTED;
	return false;
}

/*
 * One entry of @vp and the handling of its exit: the step both run loops
 * repeat, root-mode RUN below and the classic dispatch threads
 * (sched/classic.c). 1: handled, enter again; 0: @run holds an exit for
 * the VMM; -EAGAIN: something was asserted meanwhile, look again; any
 * other error ends RUN.
 */
int pv_run_step(struct pv_vp *vp, struct partvisor_run *run)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct pv_exit e;
	bool again;
	int ret;
	u64 t;

	ret = pv_irq_prepare(vp);
	if (ret)
		return ret;
	pv_vp_stats_dispatch(vp);
	pv_trace_vp_entry(vp);
	ret = ops->vp_dispatch(vp);
	if (ret)
		return ret;
	ops->vp_exit(vp, &e);
	t = pv_vp_stats_exit(vp, &e);
	pv_trace_vp_exit(vp, &e);
	again = pv_run_handle(vp, &e, run);
	pv_vp_stats_handled(vp, &e, t);
	if (again)
		return 1;
	run->rip = e.rip;
	run->vendor_code = e.vendor_code;
	return 0;
}

static long pv_run_loop(struct pv_vp *vp, struct partvisor_run *run)
{
	int ret;

	for (;;) {
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
		pv_root_sched_account(vp);
		ret = pv_run_step(vp, run);
		if (ret != 1 && ret != -EAGAIN)
			return ret;
	}
}

/* Root scheduler mode's RUN: the VMM's thread runs the VP itself. */
long pv_root_run(struct pv_vp *vp, struct partvisor_run *run)
{
	struct fpu_guest gfpu;
	long ret;

	ret = pv_fpu_run_enter(vp, &gfpu);
	if (ret)
		return ret;
	pv_root_sched_enter(vp);
	ret = pv_run_loop(vp, run);
	pv_root_sched_account(vp);
	pv_fpu_run_leave(vp, &gfpu);
	return ret;
}

long pv_vp_run(struct pv_vp *vp, void __user *argp)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct partvisor_run run;
	long ret;

	if (!pv_vendor_children() || !vp->arch)
		return -EOPNOTSUPP;
	if (copy_from_user(&run, argp, sizeof(run)))
		return -EFAULT;
	if ((run.flags & ~PARTVISOR_RUN_INJECT_GP) ||
	    memchr_inv(run.reserved, 0, sizeof(run.reserved)))
		return -EINVAL;
	if (mutex_lock_killable(&vp->lock))
		return -EINTR;
	if (READ_ONCE(vp->part->crashed)) {
		ret = -ESHUTDOWN;
		goto out;
	}
	ops->vp_load(vp);
	ret = pv_run_complete(vp, &run);
	run.flags = 0;
	if (!ret)
		ret = pv_sched->run(vp, &run);
	ops->vp_store(vp);
out:
	mutex_unlock(&vp->lock);
	if (!ret && copy_to_user(argp, &run, sizeof(run)))
		ret = -EFAULT;
	return ret;
}
