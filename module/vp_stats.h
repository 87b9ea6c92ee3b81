/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child VP's counters, kept by the run loop (module/run.c) in process
 * context with the VP's lock held, and by host mode on the run loop's
 * behalf, and read by debugfs as a snapshot while the VP may be running.
 * Time is in TSC cycles.
 */
#ifndef _PV_VP_STATS_H
#define _PV_VP_STATS_H

#include <linux/types.h>
#include <uapi/linux/partvisor.h>

struct pv_vp;
struct pv_exit;

/* Exits by kind, in the order of PARTVISOR_VP_EXIT_KIND_NAMES. */
enum pv_vp_stat_exit {
	PV_VP_STAT_CPUID,
	PV_VP_STAT_IO,
	PV_VP_STAT_MMIO,
	PV_VP_STAT_MSR,
	PV_VP_STAT_HLT,
	PV_VP_STAT_HYPERCALL,
	PV_VP_STAT_XSETBV,
	PV_VP_STAT_INTERRUPTED,
	PV_VP_STAT_IRQ_WINDOW,
	PV_VP_STAT_OTHER,
	PV_VP_NR_STAT_EXITS,
};

struct pv_vp_run_stats {
	u64 runs;				/* dispatches */
	u64 run_cycles;				/* inside PARTVISOR_RUN_VP */
	u64 exits[PV_VP_NR_STAT_EXITS];
	u64 guest_cycles[PV_VP_NR_STAT_EXITS];	/* dispatch to exit */
	u64 handle_cycles[PV_VP_NR_STAT_EXITS];	/* exit to handled */
	u64 host_exits[PV_VP_NR_STAT_EXITS];	/* of exits: in host mode */
	u64 entry_tsc;				/* the VP's last entry */
};

/*
 * module/vp_stats.c: the run loop's side. Dispatch marks the VP's entry;
 * exit counts an exit the run loop got and returns the TSC it read;
 * handled adds the time since then. An exit handled in host mode, where
 * @since is the TSC of the exit, is counted by pv_vp_stats_host(), which
 * marks the VP's entry again.
 */
void pv_vp_stats_dispatch(struct pv_vp *vp);
u64 pv_vp_stats_exit(struct pv_vp *vp, const struct pv_exit *e);
void pv_vp_stats_handled(struct pv_vp *vp, const struct pv_exit *e, u64 since);
void pv_vp_stats_host(struct pv_vp *vp, const struct pv_exit *e, u64 since);
void pv_vp_stats_run(struct pv_vp *vp, u64 since);
u64 pv_vp_stats_now(void);

/* debugfs partvisor/partition/<id>/vp/<n> */
void pv_debugfs_add_vp(struct pv_vp *vp);
void pv_debugfs_remove_vp(struct pv_vp *vp);

#endif /* _PV_VP_STATS_H */
