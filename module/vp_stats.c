// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VP counters of child partitions: what the run loop counts and
 * their debugfs file, partvisor/partition/<id>/vp/<n>, as "name: value"
 * lines. The run loop writes them with the VP's lock held, host mode
 * while the run loop waits for it; readers do not take the lock (a RUN
 * may hold it for long) and see a snapshot.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <asm/msr.h>

#include "partition.h"

u64 pv_vp_stats_now(void)
{
	return rdtsc_ordered();
}

static void pv_stat_add(u64 *counter, u64 delta)
{
	WRITE_ONCE(*counter, *counter + delta);
}

static enum pv_vp_stat_exit pv_vp_stat_kind(const struct pv_exit *e)
{
	switch (e->kind) {
	case PV_EXIT_CPUID:
		return PV_VP_STAT_CPUID;
	case PV_EXIT_IO:
		return PV_VP_STAT_IO;
	case PV_EXIT_MEMORY:
		return PV_VP_STAT_MMIO;
	case PV_EXIT_MSR_READ:
	case PV_EXIT_MSR_WRITE:
		return PV_VP_STAT_MSR;
	case PV_EXIT_HLT:
		return PV_VP_STAT_HLT;
	case PV_EXIT_HYPERCALL:
		return PV_VP_STAT_HYPERCALL;
	case PV_EXIT_XSETBV:
		return PV_VP_STAT_XSETBV;
	case PV_EXIT_INTERRUPTED:
		return PV_VP_STAT_INTERRUPTED;
	case PV_EXIT_IRQ_WINDOW:
		return PV_VP_STAT_IRQ_WINDOW;
	default:
		return PV_VP_STAT_OTHER;
	}
}

void pv_vp_stats_dispatch(struct pv_vp *vp)
{
	pv_stat_add(&vp->stats.runs, 1);
	vp->stats.entry_tsc = pv_vp_stats_now();
}

static void pv_vp_stats_count(struct pv_vp *vp, enum pv_vp_stat_exit k,
			      u64 now)
{
	pv_stat_add(&vp->stats.exits[k], 1);
	pv_stat_add(&vp->stats.guest_cycles[k], now - vp->stats.entry_tsc);
}

u64 pv_vp_stats_exit(struct pv_vp *vp, const struct pv_exit *e)
{
	u64 now = pv_vp_stats_now();

	pv_vp_stats_count(vp, pv_vp_stat_kind(e), now);
	return now;
}

void pv_vp_stats_handled(struct pv_vp *vp, const struct pv_exit *e, u64 since)
{
	pv_stat_add(&vp->stats.handle_cycles[pv_vp_stat_kind(e)],
		    pv_vp_stats_now() - since);
}

void pv_vp_stats_host(struct pv_vp *vp, const struct pv_exit *e, u64 since)
{
	enum pv_vp_stat_exit k = pv_vp_stat_kind(e);
	u64 now = pv_vp_stats_now();

	pv_vp_stats_count(vp, k, since);
	pv_stat_add(&vp->stats.host_exits[k], 1);
	pv_stat_add(&vp->stats.handle_cycles[k], now - since);
	vp->stats.entry_tsc = now;
}

void pv_vp_stats_run(struct pv_vp *vp, u64 since)
{
	pv_stat_add(&vp->stats.run_cycles, pv_vp_stats_now() - since);
}

/* The VP outlives its debugfs file: pv_debugfs_remove_vp() waits. */
static int pv_vp_stats_show(struct seq_file *m, void *unused)
{
	static const char * const names[] = PARTVISOR_VP_EXIT_KIND_NAMES;
	const struct pv_vp *vp = m->private;
	const struct pv_vp_run_stats *s = &vp->stats;
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(names) != PV_VP_NR_STAT_EXITS);

	seq_printf(m, "vp_index: %u\n", vp->index);
	seq_printf(m, "runs: %llu\n", READ_ONCE(s->runs));
	seq_printf(m, "run_cycles: %llu\n", READ_ONCE(s->run_cycles));
	for (i = 0; i < PV_VP_NR_STAT_EXITS; i++) {
		seq_printf(m, "exits_%s: %llu\n", names[i],
			   READ_ONCE(s->exits[i]));
		seq_printf(m, "guest_cycles_%s: %llu\n", names[i],
			   READ_ONCE(s->guest_cycles[i]));
		seq_printf(m, "handle_cycles_%s: %llu\n", names[i],
			   READ_ONCE(s->handle_cycles[i]));
		seq_printf(m, "host_exits_%s: %llu\n", names[i],
			   READ_ONCE(s->host_exits[i]));
	}
	pv_classic_vp_show(m, vp);
	return 0;
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
