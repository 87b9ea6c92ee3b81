/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child VP's counters (struct pv_vp_stats, module/stats.h), kept by the
 * run loop (module/run.c) in process context with the VP's lock held, and
 * by host mode on the run loop's behalf, and read as a snapshot while the
 * VP may be running. Time is in TSC cycles.
 */
#ifndef _PV_VP_STATS_H
#define _PV_VP_STATS_H

#include <linux/types.h>
#include <uapi/linux/partvisor.h>

struct pv_vp;
struct pv_exit;

/* The intercept type an exit counts as, and the vp_exit event's reason. */
enum partvisor_intercept pv_exit_intercept(const struct pv_exit *e);

/*
 * module/vp_stats.c: the run loop's side. Dispatch marks the VP's entry;
 * exit counts an exit the run loop got and returns the TSC it read;
 * handled adds the time since then. An exit handled in host mode, where
 * @since is the TSC of the exit, is counted by pv_vp_stats_host(), which
 * marks the VP's entry again and returns the cycles it took.
 */
void pv_vp_stats_dispatch(struct pv_vp *vp);
u64 pv_vp_stats_exit(struct pv_vp *vp, const struct pv_exit *e);
void pv_vp_stats_handled(struct pv_vp *vp, const struct pv_exit *e, u64 since);
u64 pv_vp_stats_host(struct pv_vp *vp, const struct pv_exit *e, u64 since);
void pv_vp_stats_hypercall(struct pv_vp *vp, u16 code, u64 cycles);

/* debugfs partvisor/partition/<id>/vp/<n> */
void pv_debugfs_add_vp(struct pv_vp *vp);
void pv_debugfs_remove_vp(struct pv_vp *vp);

#endif /* _PV_VP_STATS_H */
