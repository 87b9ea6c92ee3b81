// SPDX-License-Identifier: GPL-2.0
/*
 * Speculation hygiene on the world switch. A child runs arbitrary code: it
 * trains the branch predictors, fills the return stack buffer and leaves
 * data in the CPU's buffers. partvisor keeps that from steering or leaking
 * into the host and other partitions with the measures Linux chose for
 * this CPU: each one is keyed on the flags Linux's mitigation code set,
 * so a CPU that is not affected (or a kernel booted with mitigations=off)
 * pays nothing for it.
 *
 * RSB: after every VMRUN and VM exit, before the first RET, the entry
 *   assembly overwrites the return stack buffer (32 calls) where Linux
 *   fills it on VM exits (X86_FEATURE_RSB_VMEXIT; one entry with
 *   RSB_VMEXIT_LITE on eIBRS parts with PBRSB). AMD-V then untrains
 *   returns where Linux's retbleed/SRSO mitigation does, and VT-x clears
 *   the branch history where Linux's BHI mitigation does on VM exit.
 *   About 100 cycles per exit where it applies.
 * IBPB: when an LP dispatches a VP of another child partition than the
 *   last one it ran, where Linux uses IBPB (X86_FEATURE_USE_IBPB): one
 *   partition's branch training never steers another's indirect branches.
 *   Several thousand cycles per such switch; nothing between the VPs of
 *   one partition, or between a VP and the root, whose kernel protects
 *   itself with its own mitigations.
 * SPEC_CTRL: each VP has its own, 0 at creation. WRMSR always exits; a
 *   bit the host CPU lacks is a #GP. The VP's value is loaded right
 *   before its entry, in host mode, and Linux's current value for the CPU
 *   right after the exit, only when the two differ: two loads and a
 *   compare otherwise. Writes of PRED_CMD (IBPB) and FLUSH_CMD (L1D) do
 *   the barrier the guest asked for; without the feature they are #GP.
 * VERW: before a child's entry where Linux clears CPU buffers before a
 *   VM entry (X86_FEATURE_CLEAR_CPU_BUF_VM: MDS, TAA, MMIO stale data,
 *   TSA), so that no host data is left in them for the child to sample.
 * L1D flush, VT-x: before a child's entry where the CPU has L1TF and the
 *   FLUSH_CMD MSR and Linux's L1TF policy for VMX is not "never"; it
 *   clears the CPU buffers too, so VERW is left out then. Every entry,
 *   not only after host-mode work that may have touched secrets, which
 *   is what KVM's conditional mode tracks.
 *
 * spec_hygiene=0 turns off everything but the SPEC_CTRL switch (which is
 * correctness, not mitigation), for the exit benchmark's comparison.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <asm/cpufeature.h>
#include <asm/nospec-branch.h>
#include <asm/vmx.h>

#include "spec.h"
#include "vendor.h"

bool pv_spec_hygiene = true;
module_param_named(spec_hygiene, pv_spec_hygiene, bool, 0444);
MODULE_PARM_DESC(spec_hygiene,
		 "RSB fill, IBPB, VERW and L1D flush around child runs where the CPU needs them (default: on)");

u8 pv_spec_rsb_fill;
bool pv_spec_verw, pv_spec_l1d;
static bool pv_spec_ibpb;
static u64 pv_spec_ctrl_valid;	/* SPEC_CTRL bits a VP may set */

void pv_spec_init(void)
{
	bool on = pv_spec_hygiene;

	pv_spec_rsb_fill = on;
	pv_spec_ibpb = on && boot_cpu_has(X86_FEATURE_USE_IBPB);
	pv_spec_verw = on && boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM);
	pv_spec_l1d = on && boot_cpu_has_bug(X86_BUG_L1TF) &&
		      boot_cpu_has(X86_FEATURE_FLUSH_L1D) &&
		      l1tf_vmx_mitigation != VMENTER_L1D_FLUSH_NEVER;
	pv_spec_ctrl_valid = 0;
	if (boot_cpu_has(X86_FEATURE_MSR_SPEC_CTRL)) {
		if (boot_cpu_has(X86_FEATURE_IBRS))
			pv_spec_ctrl_valid |= SPEC_CTRL_IBRS;
		if (boot_cpu_has(X86_FEATURE_STIBP))
			pv_spec_ctrl_valid |= SPEC_CTRL_STIBP;
		if (boot_cpu_has(X86_FEATURE_SSBD))
			pv_spec_ctrl_valid |= SPEC_CTRL_SSBD;
	}
	pr_info("speculation hygiene: RSB fill %s, IBPB between partitions %s, VERW %s, L1D flush %s, VP SPEC_CTRL bits %#llx\n",
		!on ? "off" :
		boot_cpu_has(X86_FEATURE_RSB_VMEXIT) ? "on" :
		boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE) ? "one entry" :
		"not needed",
		pv_spec_ibpb ? "on" : "off", pv_spec_verw ? "on" : "off",
		pv_spec_l1d ? "on (VT-x)" : "off", pv_spec_ctrl_valid);
}

/*
 * Root side, interrupts off, right before @vp's dispatch on @lp: the
 * barrier between partitions, and the host SPEC_CTRL value host mode
 * puts back after each exit.
 */
void pv_spec_dispatch(struct pv_lp *lp, struct pv_vp *vp)
{
	if (lp->last_part != vp->part->id) {
		lp->last_part = vp->part->id;
		if (pv_spec_ibpb)
			indirect_branch_prediction_barrier();
	}
	lp->host_spec_ctrl = pv_spec_ctrl_valid ? spec_ctrl_current() : 0;
}

/*
 * RDMSR/WRMSR of SPEC_CTRL, PRED_CMD or FLUSH_CMD: done or #GP, and true;
 * false for any other MSR.
 */
bool pv_spec_msr(struct pv_vp *vp, const struct pv_exit *e)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	u32 index = *ops->vp_gpr(vp, PV_REG_RCX);
	bool write = e->kind == PV_EXIT_MSR_WRITE;
	u64 val = pv_vp_reg_pair(vp, PV_REG_RDX, PV_REG_RAX), cmd;
	bool ok;

	switch (index) {
	case MSR_IA32_SPEC_CTRL:
		ok = boot_cpu_has(X86_FEATURE_MSR_SPEC_CTRL) &&
		     !(write && (val & ~pv_spec_ctrl_valid));
		if (ok && write)
			vp->spec_ctrl = val;
		else if (ok)
			pv_vp_set_edx_eax(vp, vp->spec_ctrl);
		break;
	case MSR_IA32_PRED_CMD:
	case MSR_IA32_FLUSH_CMD:
		/* Write-only commands, each with one valid value. */
		cmd = index == MSR_IA32_PRED_CMD ? PRED_CMD_IBPB : L1D_FLUSH;
		ok = write && val == cmd &&
		     boot_cpu_has(index == MSR_IA32_PRED_CMD ?
				  X86_FEATURE_IBPB : X86_FEATURE_FLUSH_L1D);
		if (ok)
			wrmsrl(index, cmd);
		break;
	default:
		return false;
	}
	ops->vp_resume(vp, e, ok ? PV_RESUME_SKIP : PV_RESUME_GP);
	return true;
}
