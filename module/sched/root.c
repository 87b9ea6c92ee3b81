// SPDX-License-Identifier: GPL-2.0
/*
 * Root scheduler mode: a VP's scheduling counters from Linux's scheduler
 * statistics for the VMM thread that runs it (root.h). Only that thread
 * writes them, and only from its own task's fields, so nothing is locked:
 * sum_exec_runtime may lag by up to a tick, and run_delay and pcount
 * exist only with CONFIG_SCHED_INFO (without it, waits and any dispatch
 * after RUN's start count as zero).
 */
#include <linux/sched.h>

#include "../partvisor.h"
#include "../partition.h"
#include "root.h"
#include "mode.h"

static void pv_task_sched_read(struct pv_task_sched *t)
{
	t->run_ns = READ_ONCE(current->se.sum_exec_runtime);
	t->migrations = READ_ONCE(current->se.nr_migrations);
#ifdef CONFIG_SCHED_INFO
	t->wait_ns = READ_ONCE(current->sched_info.run_delay);
	t->pcount = READ_ONCE(current->sched_info.pcount);
#else
	t->wait_ns = 0;
	t->pcount = 0;
#endif
}

void pv_root_sched_enter(struct pv_vp *vp)
{
	struct pv_vp_root_sched *rs = &vp->rs;

	WRITE_ONCE(rs->dispatches, rs->dispatches + 1);
	pv_task_sched_read(&rs->mark);
}

void pv_root_sched_account(struct pv_vp *vp)
{
	struct pv_vp_root_sched *rs = &vp->rs;
	struct pv_task_sched now;

	pv_task_sched_read(&now);
	WRITE_ONCE(rs->run_ns, rs->run_ns + now.run_ns - rs->mark.run_ns);
	WRITE_ONCE(rs->wait_ns, rs->wait_ns + now.wait_ns - rs->mark.wait_ns);
	WRITE_ONCE(rs->dispatches,
		   rs->dispatches + now.pcount - rs->mark.pcount);
	WRITE_ONCE(rs->migrations,
		   rs->migrations + now.migrations - rs->mark.migrations);
	rs->mark = now;
}

static const struct pv_stat_desc pv_root_sched_descs[] = {
	{ "sched_run_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_wait_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_dispatches" },
	{ "sched_migrations" },
};

const struct pv_stat_desc *pv_root_sched_vp_desc(unsigned int i)
{
	return i < ARRAY_SIZE(pv_root_sched_descs) ?
	       &pv_root_sched_descs[i] : NULL;
}

void pv_root_sched_vp_fill(const struct pv_vp *vp, u64 *val)
{
	const struct pv_vp_root_sched *rs = &vp->rs;

	val[0] = READ_ONCE(rs->run_ns);
	val[1] = READ_ONCE(rs->wait_ns);
	val[2] = READ_ONCE(rs->dispatches);
	val[3] = READ_ONCE(rs->migrations);
}

/* RUN runs the VP on the VMM's thread (module/run.c). */
const struct pv_sched_mode pv_sched_root = {
	.id = PARTVISOR_SCHED_ROOT,
	.name = "root",
	.run = pv_root_run,
	.vp_set = PV_STATS_VP,
	.lp_set = PV_STATS_LP,
};
