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

static u64 pv_task_wait_ns(struct task_struct *t)
{
#ifdef CONFIG_SCHED_INFO
	return READ_ONCE(t->sched_info.run_delay);
#else
	return 0;
#endif
}

static u64 pv_task_pcount(struct task_struct *t)
{
#ifdef CONFIG_SCHED_INFO
	return READ_ONCE(t->sched_info.pcount);
#else
	return 0;
#endif
}

static void pv_root_sched_mark(struct pv_vp_root_sched *rs)
{
	rs->mark.run_ns = READ_ONCE(current->se.sum_exec_runtime);
	rs->mark.wait_ns = pv_task_wait_ns(current);
	rs->mark.pcount = pv_task_pcount(current);
	rs->mark.migrations = READ_ONCE(current->se.nr_migrations);
}

void pv_root_sched_enter(struct pv_vp *vp)
{
	struct pv_vp_root_sched *rs = &vp->rs;

	WRITE_ONCE(rs->dispatches, rs->dispatches + 1);
	pv_root_sched_mark(rs);
}

void pv_root_sched_account(struct pv_vp *vp)
{
	struct pv_vp_root_sched *rs = &vp->rs;
	u64 run = READ_ONCE(current->se.sum_exec_runtime);
	u64 wait = pv_task_wait_ns(current);
	u64 pcount = pv_task_pcount(current);
	u64 mig = READ_ONCE(current->se.nr_migrations);

	WRITE_ONCE(rs->run_ns, rs->run_ns + run - rs->mark.run_ns);
	WRITE_ONCE(rs->wait_ns, rs->wait_ns + wait - rs->mark.wait_ns);
	WRITE_ONCE(rs->dispatches, rs->dispatches + pcount - rs->mark.pcount);
	WRITE_ONCE(rs->migrations, rs->migrations + mig - rs->mark.migrations);
	rs->mark.run_ns = run;
	rs->mark.wait_ns = wait;
	rs->mark.pcount = pcount;
	rs->mark.migrations = mig;
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
