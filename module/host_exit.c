// SPDX-License-Identifier: GPL-2.0
/*
 * Exits of child VPs that host mode handles itself, between two entries
 * of the VP on the LP that ran it: CPUID, hypercalls rejected before they
 * do anything, the instructions a child gets #UD or #GP for, and the
 * cache flushes it may not do to the host's caches (WBINVD, WBNOINVD and
 * INVD complete as no-ops: a child can neither see the caches nor lose
 * data through them, since its memory is ordinary write-back memory). Going through
 * the root instead costs two more world switches per exit (host mode to
 * the root and back), which is most of what such an exit costs.
 *
 * Context: host mode with GIF clear; the dispatching thread is parked in
 * DISPATCH_VP with interrupts off and holds the partition's run_lock for
 * reading, and its VP's lock. So nothing here takes a lock or sleeps,
 * guest memory is read only through the nested page table, and the
 * CPUID table is read under RCU (interrupts off is a read-side section).
 * Anything else goes to the root driver (module/run.c) unchanged.
 */
#include <linux/rcupdate.h>

#include "partvisor.h"
#include "partition.h"
#include "vendor.h"

/*
 * CPUID for a child: partvisor's own leaves (without the root's
 * privileges), else the VMM's table, else zeros, as Hyper-V does.
 */
static void pv_vp_cpuid(struct pv_vp *vp)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	u64 *rax = ops->vp_gpr(vp, PV_REG_RAX), *rbx = ops->vp_gpr(vp, PV_REG_RBX);
	u64 *rcx = ops->vp_gpr(vp, PV_REG_RCX), *rdx = ops->vp_gpr(vp, PV_REG_RDX);
	const struct pv_cpuid_table *t;
	u32 leaf = *rax, subleaf = *rcx;
	struct pv_cpuid_regs r = { 0 };
	unsigned int i;

	if (leaf >= PV_CPUID_BASE && leaf <= PV_CPUID_BASE + 0xff) {
		pv_root_cpuid(leaf, subleaf, &r);
		if (leaf == PV_CPUID_BASE + 3) {
			r.eax = PV_HC_GUEST_PRIV_EAX;
			r.ebx = PV_HC_GUEST_PRIV_EBX;
		}
	} else {
		/* Not rcu_dereference(): lockdep is not for host mode. */
		t = rcu_dereference_raw(vp->part->cpuid);
		for (i = 0; t && i < t->nr; i++) {
			const struct partvisor_cpuid_entry *e = &t->e[i];

			if (e->function != leaf ||
			    ((e->flags & PARTVISOR_CPUID_SUBLEAF) &&
			     e->index != subleaf))
				continue;
			r.eax = e->eax;
			r.ebx = e->ebx;
			r.ecx = e->ecx;
			r.edx = e->edx;
			break;
		}
	}
	*rax = r.eax;
	*rbx = r.ebx;
	*rcx = r.ecx;
	*rdx = r.edx;
}

/*
 * Host mode, right after @e: true when it is handled and the VP may be
 * entered again at once; false leaves the VP untouched for the root. The
 * run loop calls it too, under rcu_read_lock(), for CPUID and #UD exits
 * a backend returned with (VT-x returns with every exit).
 */
bool pv_host_exit(struct pv_vp *vp, const struct pv_exit *e)
{
	switch (e->kind) {
	case PV_EXIT_CPUID:
		pv_vp_cpuid(vp);
		pv_vendor->vp_resume(vp, e, PV_RESUME_SKIP);
		return true;
	case PV_EXIT_HYPERCALL:
		return pv_guest_hypercall_host(vp, e);
	case PV_EXIT_UD:
		pv_vendor->vp_resume(vp, e, PV_RESUME_UD);
		return true;
	case PV_EXIT_NOP:
		pv_vendor->vp_resume(vp, e, PV_RESUME_SKIP);
		return true;
	case PV_EXIT_GP:
		pv_vendor->vp_resume(vp, e, PV_RESUME_GP);
		return true;
	default:
		return false;
	}
}
