// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VP counters of child partitions: what the run loop counts, and
 * their debugfs file partvisor/partition/<id>/vp/<n> (the VP counter set
 * of module/stats.c). The run loop writes them with the VP's lock held,
 * host mode while the run loop waits for it; readers do not take the lock
 * (a RUN may hold it for long) and see a snapshot.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "partition.h"

enum partvisor_intercept pv_exit_intercept(const struct pv_exit *e)
{
	switch (e->kind) {
	case PV_EXIT_CPUID:
		return PARTVISOR_INTERCEPT_CPUID;
	case PV_EXIT_IO:
		return PARTVISOR_INTERCEPT_IO;
	case PV_EXIT_MEMORY:
		return PARTVISOR_INTERCEPT_NPF;
	case PV_EXIT_MSR_READ:
		return PARTVISOR_INTERCEPT_MSR_READ;
	case PV_EXIT_MSR_WRITE:
		return PARTVISOR_INTERCEPT_MSR_WRITE;
	case PV_EXIT_HLT:
		return PARTVISOR_INTERCEPT_HLT;
	case PV_EXIT_HYPERCALL:
		return PARTVISOR_INTERCEPT_HYPERCALL;
	case PV_EXIT_INTERRUPTED:
		return PARTVISOR_INTERCEPT_EXTINT;
	case PV_EXIT_IRQ_WINDOW:
		return PARTVISOR_INTERCEPT_INTR_WINDOW;
	case PV_EXIT_UD:
		return PARTVISOR_INTERCEPT_VIRT_INSN;
	default:	/* XSETBV, WBINVD, INVD, RDPMC, shutdown, invalid state, ... */
		return PARTVISOR_INTERCEPT_OTHER;
	}
}

void pv_vp_stats_dispatch(struct pv_vp *vp)
{
	pv_stat_add(&vp->stats.dispatches, 1);
	vp->entry_tsc = pv_stat_tsc();
}

/* An exit at @now: its count and the guest time that led to it. */
static void pv_vp_stats_count(struct pv_vp *vp, enum partvisor_intercept i,
			      u64 now)
{
	u64 guest = now - vp->entry_tsc;

	pv_stat_add(&vp->stats.intercepts[i], 1);
	pv_stat_add(&vp->stats.run_guest_cycles, guest);
	pv_stat_add(&vp->stats.run_total_cycles, guest);
}

/* ...and the time partvisor took to handle it. */
static void pv_vp_stats_cost(struct pv_vp *vp, enum partvisor_intercept i,
			     u64 cycles)
{
	pv_stat_add(&vp->stats.intercept_cycles[i], cycles);
	pv_stat_add(&vp->stats.run_hypervisor_cycles, cycles);
	pv_stat_add(&vp->stats.run_total_cycles, cycles);
}

u64 pv_vp_stats_exit(struct pv_vp *vp, const struct pv_exit *e)
{
	u64 now = pv_stat_tsc();

	pv_vp_stats_count(vp, pv_exit_intercept(e), now);
	return now;
}

void pv_vp_stats_handled(struct pv_vp *vp, const struct pv_exit *e, u64 since)
{
	pv_vp_stats_cost(vp, pv_exit_intercept(e), pv_stat_tsc() - since);
}

u64 pv_vp_stats_host(struct pv_vp *vp, const struct pv_exit *e, u64 since)
{
	enum partvisor_intercept i = pv_exit_intercept(e);
	u64 now = pv_stat_tsc();

	pv_vp_stats_count(vp, i, since);
	pv_stat_add(&vp->stats.host_intercepts[i], 1);
	pv_vp_stats_cost(vp, i, now - since);
	vp->entry_tsc = now;
	return now - since;
}

void pv_vp_stats_hypercall(struct pv_vp *vp, u16 code, u64 cycles)
{
	unsigned int slot = pv_hc_slot(code);

	pv_stat_add(&vp->stats.hypercalls[slot], 1);
	pv_stat_add(&vp->stats.hypercall_cycles[slot], cycles);
}

/* The VP outlives its debugfs file: pv_debugfs_remove_vp() waits. */
static int pv_vp_stats_show(struct seq_file *m, void *unused)
{
	const struct pv_vp *vp = m->private;

	seq_printf(m, "vp_index: %u\n", vp->index);
	return pv_stats_show(m, pv_stats_vp_set(), vp);
}
DEFINE_SHOW_ATTRIBUTE(pv_vp_stats);

/* Called once the VP is in place, with the partition's lock held. */
void pv_debugfs_add_vp(struct pv_vp *vp)
{
	struct pv_partition *p = vp->part;
	char name[16];

	if (IS_ERR_OR_NULL(p->debugfs))
		return;
	if (!p->debugfs_vps)
		p->debugfs_vps = debugfs_create_dir("vp", p->debugfs);
	snprintf(name, sizeof(name), "%u", vp->index);
	vp->debugfs = debugfs_create_file(name, 0400, p->debugfs_vps, vp,
					  &pv_vp_stats_fops);
}

/* Waits for readers, so the VP may be freed afterwards. */
void pv_debugfs_remove_vp(struct pv_vp *vp)
{
	debugfs_remove(vp->debugfs);
	vp->debugfs = NULL;
}
