// SPDX-License-Identifier: GPL-2.0
/*
 * Classic scheduler mode: partvisor, not Linux, decides which child VP
 * runs on which LP and for how long.
 *
 * One dispatch thread per LP (CPU) asks the core (core.c) for a VP, runs
 * it until its slice ends, something needs its VMM, it halts, or Linux
 * needs the CPU, and tells the core. The VMM's RUN only queues the VP and
 * waits for the intercept message. The thread runs as an ordinary task,
 * so the root's own work competes with it, except while a reserve is
 * owed on its LP: then it runs SCHED_FIFO, which is what makes reserves
 * hold on a busy root.
 *
 * One raw spinlock serializes the core; interrupt asserts (also from the
 * synthetic timer's hard interrupt) take it to wake a halted VP.
 *
 * A dispatch thread's FPU handling is in module/fpu.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/topology.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "../partvisor.h"
#include "../partition.h"
#include "../fpu.h"
#include "classic.h"
#include "../trace.h"

/*
 * The root's floor: reserves run their dispatch thread SCHED_FIFO, so
 * without one they could take every LP from the root's own work.
 */
static unsigned int root_floor = PV_SCHED_ROOT_FLOOR_PCT;

static int pv_root_floor_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 10, &v);

	if (ret)
		return ret;
	if (v > PV_SCHED_ROOT_FLOOR_MAX)
		return -EINVAL;
	root_floor = v;
	return 0;
}

static const struct kernel_param_ops pv_root_floor_ops = {
	.set = pv_root_floor_set,
	.get = param_get_uint,
};

module_param_cb(root_floor, &pv_root_floor_ops, &root_floor, 0444);
MODULE_PARM_DESC(root_floor, "classic mode: percent of every LP that VP reserves leave to the root (0-50, default 5)");

/* One LP's dispatch thread. */
struct pv_disp {
	struct pv_sched_lp *lp;
	unsigned int cpu;
	struct task_struct *task;
	struct hrtimer slice;		/* its interrupt ends the child's run */
	atomic_t kick;			/* look again before sleeping */
	/*
	 * At the next period reserves are owed again, but a thread that
	 * root work starves cannot notice: a timer then has a worker on
	 * another CPU raise it to SCHED_FIFO.
	 */
	struct hrtimer period;
	struct work_struct boost;
	u64 start_ns;
	u32 last_part, last_vp;		/* what it ran last, for tracing */
};

static struct {
	raw_spinlock_t lock;
	struct pv_sched core;
	struct pv_sched_lp *lps;
	struct pv_sched_slot *tree;
	struct pv_disp *disp;		/* by LP */
	int *lp_of_cpu;			/* by CPU, nr_cpu_ids; -1: not an LP */
	int cpuhp;
} pv_cl = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(pv_cl.lock),
	.cpuhp = -1,
};

static struct pv_vp *pv_se_vp(struct pv_sched_vp *se)
{
	return container_of(se, struct pv_vp, cl.se);
}

/* After the core placed work on @lp: wake its thread or preempt. */
static void pv_lp_kick(struct pv_sched_lp *lp, bool idle, bool preempt)
{
	struct pv_disp *dp = &pv_cl.disp[lp->id];

	if (idle) {
		atomic_set(&dp->kick, 1);
		wake_up_process(dp->task);
	} else if (preempt) {
		/* Any interrupt ends the child's run; the thread looks then. */
		smp_send_reschedule(dp->cpu);
		pv_lp_count_ipi();
	}
}

static void pv_wake_locked(struct pv_vp *vp, u64 now, bool *idle,
			   bool *preempt, struct pv_sched_lp **lp)
{
	*lp = pv_sched_wake(&pv_cl.core, &vp->cl.se, now);
	*idle = !(*lp)->curr;
	*preempt = (*lp)->need_resched;
}

/* Interrupt asserted (any context): a VP halted in the scheduler wakes. */
void pv_classic_irq(struct pv_vp *vp)
{
	struct pv_sched_lp *lp = NULL;
	bool idle = false, preempt = false;
	unsigned long flags;

	raw_spin_lock_irqsave(&pv_cl.lock, flags);
	if (vp->cl.halt_blocked) {
		vp->cl.halt_blocked = false;
		pv_wake_locked(vp, ktime_get_ns(), &idle, &preempt, &lp);
	}
	raw_spin_unlock_irqrestore(&pv_cl.lock, flags);
	if (lp)
		pv_lp_kick(lp, idle, preempt);
}

static enum hrtimer_restart pv_slice_end(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

/*
 * SCHED_FIFO while a reserve is owed here, an ordinary task otherwise;
 * then, if reserves live here, the next period's start boosts it again.
 */
static void pv_boost(struct pv_disp *dp, bool owed, bool reserves, u64 now)
{
	u64 period = pv_cl.core.cfg.period_ns;
	bool fifo = current->policy == SCHED_FIFO;

	if (owed && !fifo)
		sched_set_fifo_low(current);
	else if (!owed && fifo)
		sched_set_normal(current, 0);
	if (!owed && reserves && !hrtimer_is_queued(&dp->period))
		hrtimer_start(&dp->period,
			      ns_to_ktime((div64_u64(now, period) + 1) * period),
			      HRTIMER_MODE_ABS);
}

static void pv_boost_work(struct work_struct *w)
{
	struct pv_disp *dp = container_of(w, struct pv_disp, boost);

	sched_set_fifo_low(dp->task);
	/* Its VP's slice ends now: the next pick serves the reserve. */
	raw_spin_lock_irq(&pv_cl.lock);
	dp->lp->need_resched = true;
	raw_spin_unlock_irq(&pv_cl.lock);
	smp_send_reschedule(dp->cpu);
}

static enum hrtimer_restart pv_period_start(struct hrtimer *t)
{
	struct pv_disp *dp = container_of(t, struct pv_disp, period);
	unsigned int cpu = cpumask_any_but(cpu_online_mask, dp->cpu);

	if (cpu >= nr_cpu_ids)
		cpu = dp->cpu;
	queue_work_on(cpu, system_highpri_wq, &dp->boost);
	return HRTIMER_NORESTART;
}

enum pv_disp_end {
	PV_DISP_READY,		/* slice over or preempted: queue again */
	PV_DISP_HALT,		/* HLT: blocked until an interrupt */
	PV_DISP_DONE,		/* RUN's answer is ready */
};

/*
 * Run @vp on this LP until its slice ends or it stops being runnable. Its
 * FPU image is loaded and saved around each entry (module/fpu.c): a
 * dispatch thread's own registers are nobody's.
 */
static enum pv_disp_end pv_disp_steps(struct pv_disp *dp, struct pv_vp *vp,
				      u64 end)
{
	struct pv_vp_classic *c = &vp->cl;
	int ret;

	for (;;) {
		if (READ_ONCE(c->cancel)) {
			c->ret = -EINTR;
			return PV_DISP_DONE;
		}
		if (ktime_get_ns() >= end || READ_ONCE(dp->lp->need_resched) ||
		    need_resched())
			return PV_DISP_READY;
		ret = pv_run_step(vp, c->run);
		if (ret == -EAGAIN)
			continue;
		if (ret != 1) {
			c->ret = ret;
			return PV_DISP_DONE;
		}
		if (vp->irq.halted)
			return PV_DISP_HALT;
		if (c->yield) {
			c->yield = false;
			return PV_DISP_READY;
		}
	}
}

static enum pv_disp_end pv_disp_vp(struct pv_disp *dp, struct pv_vp *vp,
				   u64 end)
{
	enum pv_disp_end how;

	vp->cl.fpu = true;
	how = pv_disp_steps(dp, vp, end);
	vp->cl.fpu = false;
	return how;
}

static void pv_disp_run(struct pv_disp *dp, struct pv_vp *vp, u64 slice)
{
	enum pv_disp_end how;
	u64 now = ktime_get_ns();

	hrtimer_start(&dp->slice, ns_to_ktime(now + slice),
		      HRTIMER_MODE_ABS_PINNED_HARD);
	how = pv_disp_vp(dp, vp, now + slice);
	hrtimer_cancel(&dp->slice);

	raw_spin_lock_irq(&pv_cl.lock);
	/* RUN gave up while it ran: it waits for this, not for a requeue. */
	if (how != PV_DISP_DONE && READ_ONCE(vp->cl.cancel)) {
		vp->cl.ret = -EINTR;
		how = PV_DISP_DONE;	/* a halted VP stays halted */
	} else if (how == PV_DISP_HALT) {
		vp->irq.halted = false;
		/* An interrupt that came meanwhile wakes it right away. */
		if (pv_irq_pending(vp))
			how = PV_DISP_READY;
		else
			vp->cl.halt_blocked = true;
	}
	pv_sched_stop(&pv_cl.core, dp->lp, ktime_get_ns(),
		      how == PV_DISP_READY);
	raw_spin_unlock_irq(&pv_cl.lock);
	/* Last: RUN may return and the VP go away after this. */
	if (how == PV_DISP_DONE)
		complete(&vp->cl.done);
}

static void pv_disp_idle(struct pv_disp *dp, u64 wake_ns)
{
	ktime_t until = ns_to_ktime(wake_ns);

	set_current_state(TASK_INTERRUPTIBLE);
	if (atomic_xchg(&dp->kick, 0) || kthread_should_stop()) {
		__set_current_state(TASK_RUNNING);
		return;
	}
	if (wake_ns == U64_MAX)
		schedule();
	else
		schedule_hrtimeout(&until, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
}

/* Trace a dispatch, and the switch when @vp is not what ran here last. */
static void pv_disp_trace(struct pv_disp *dp, const struct pv_vp *vp,
			  u64 wait_ns, u32 queued)
{
	trace_dispatch(dp->cpu, vp->part->id, vp->index, wait_ns, queued);
	if (dp->last_part == vp->part->id && dp->last_vp == vp->index)
		return;
	trace_vp_switch(dp->cpu, dp->last_part, dp->last_vp, vp->part->id,
			vp->index);
	dp->last_part = vp->part->id;
	dp->last_vp = vp->index;
}

static int pv_disp_thread(void *arg)
{
	struct pv_disp *dp = arg;
	struct pv_sched_decision d;
	bool owed, reserves;
	u32 queued;
	u64 now;

	while (!kthread_should_stop()) {
		cond_resched();
		atomic_set(&dp->kick, 0);
		raw_spin_lock_irq(&pv_cl.lock);
		now = ktime_get_ns();
		pv_sched_pick(&pv_cl.core, dp->lp, now, &d);
		owed = d.vp && pv_sched_lp_owed(&pv_cl.core, dp->lp, now);
		reserves = !!dp->lp->reserved;
		queued = dp->lp->nr_ready;
		raw_spin_unlock_irq(&pv_cl.lock);
		pv_boost(dp, owed, reserves, now);
		if (d.vp) {
			pv_disp_trace(dp, pv_se_vp(d.vp), d.wait_ns, queued);
			pv_disp_run(dp, pv_se_vp(d.vp), d.slice_ns);
		} else {
			pv_disp_idle(dp, d.wake_ns);
		}
	}
	return 0;
}

/*
 * The partition's policy with the VP's own fields over it, as the core
 * takes it; @vp NULL: the partition's alone.
 */
static void pv_effective(const struct pv_partition *p, const struct pv_vp *vp,
			 struct pv_sched_params *out)
{
	const struct partvisor_sched_params *pp = &p->sched;
	const struct partvisor_sched_params *own = vp ? &vp->cl.own : pp;
	u32 set = vp ? own->set : 0;

	out->weight = set & PARTVISOR_SCHED_SET_WEIGHT ? own->weight :
							  pp->weight;
	out->reserve = set & PARTVISOR_SCHED_SET_RESERVE ? own->reserve :
							    pp->reserve;
	out->limit = set & PARTVISOR_SCHED_SET_LIMIT ? own->limit : pp->limit;
	out->slice_ns = 1000ULL * (set & PARTVISOR_SCHED_SET_SLICE ?
				   own->slice_us : pp->slice_us);
	out->node = set & PARTVISOR_SCHED_SET_NODE ? own->node : pp->node;
	out->affinity = set & PARTVISOR_SCHED_SET_AFFINITY ? own->affinity :
							      pp->affinity;
	/* All zero: any LP. */
	if (!memchr_inv(out->affinity, 0, sizeof(pp->affinity)))
		out->affinity = NULL;
}

void pv_classic_part_init(struct pv_partition *p)
{
	p->sched = (struct partvisor_sched_params){
		.vp = PARTVISOR_SCHED_PARTITION,
		.weight = PARTVISOR_SCHED_WEIGHT_DEFAULT,
		.limit = PARTVISOR_SCHED_LIMIT_MAX,
		.slice_us = PARTVISOR_SCHED_SLICE_DEFAULT_US,
		.node = PARTVISOR_SCHED_NODE_NONE,
	};
}

/* Caller holds p->lock. */
int pv_classic_vp_add(struct pv_vp *vp)
{
	struct pv_sched_params sp;
	int ret;

	init_completion(&vp->cl.done);
	vp->cl.own.vp = vp->index;
	if (!pv_classic())
		return 0;
	pv_effective(vp->part, vp, &sp);
	raw_spin_lock_irq(&pv_cl.lock);
	ret = pv_sched_vp_add(&pv_cl.core, &vp->cl.se, &sp, ktime_get_ns());
	raw_spin_unlock_irq(&pv_cl.lock);
	return ret;
}

/* No RUN is in progress: the VP is blocked in the core. */
void pv_classic_vp_remove(struct pv_vp *vp)
{
	if (!pv_classic())
		return;
	raw_spin_lock_irq(&pv_cl.lock);
	pv_sched_vp_remove(&pv_cl.core, &vp->cl.se, ktime_get_ns());
	raw_spin_unlock_irq(&pv_cl.lock);
}

/* RUN in classic mode: queue the VP and wait for its intercept message. */
long pv_classic_run(struct pv_vp *vp, struct partvisor_run *run)
{
	struct pv_vp_classic *c = &vp->cl;
	struct pv_sched_lp *lp = NULL;
	bool idle = false, preempt = false, gone = false;
	int ret;

	ret = pv_fpu_check(vp);
	if (ret)
		return ret;
	reinit_completion(&c->done);
	c->run = run;
	c->ret = 0;
	WRITE_ONCE(c->cancel, false);

	raw_spin_lock_irq(&pv_cl.lock);
	if (vp->irq.halted && !pv_irq_pending(vp)) {
		vp->irq.halted = false;
		c->halt_blocked = true;
	} else {
		vp->irq.halted = false;
		pv_wake_locked(vp, ktime_get_ns(), &idle, &preempt, &lp);
	}
	raw_spin_unlock_irq(&pv_cl.lock);
	if (lp)
		pv_lp_kick(lp, idle, preempt);

	if (!wait_for_completion_interruptible(&c->done))
		return c->ret;

	/* A signal: take the VP back from wherever it is. */
	raw_spin_lock_irq(&pv_cl.lock);
	if (c->halt_blocked) {
		c->halt_blocked = false;
		vp->irq.halted = true;	/* still halted at the next RUN */
		gone = true;
	} else if (c->se.state == PV_SCHED_READY ||
		   c->se.state == PV_SCHED_THROTTLED) {
		pv_sched_block(&pv_cl.core, &c->se);
		gone = true;
	} else if (c->se.state == PV_SCHED_RUNNING) {
		WRITE_ONCE(c->cancel, true);
		lp = c->se.lp;
	}
	raw_spin_unlock_irq(&pv_cl.lock);
	if (gone)
		return -EINTR;
	if (lp)
		smp_send_reschedule(pv_cl.disp[lp->id].cpu);
	/* Its dispatch thread lets go at the next exit. */
	wait_for_completion(&c->done);
	return c->ret;
}

static int pv_sched_copy_in(struct partvisor_sched_params *a,
			    void __user *argp)
{
	if (copy_from_user(a, argp, sizeof(*a)))
		return -EFAULT;
	if ((a->set & ~PARTVISOR_SCHED_SET_ALL) || a->reserved0 ||
	    memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return -EINVAL;
	return 0;
}

/* Copy the fields @set names from @src to @dst. */
static void pv_sched_merge(struct partvisor_sched_params *dst,
			   const struct partvisor_sched_params *src, u32 set)
{
	if (set & PARTVISOR_SCHED_SET_WEIGHT)
		dst->weight = src->weight;
	if (set & PARTVISOR_SCHED_SET_RESERVE)
		dst->reserve = src->reserve;
	if (set & PARTVISOR_SCHED_SET_LIMIT)
		dst->limit = src->limit;
	if (set & PARTVISOR_SCHED_SET_SLICE)
		dst->slice_us = src->slice_us;
	if (set & PARTVISOR_SCHED_SET_NODE)
		dst->node = src->node;
	if (set & PARTVISOR_SCHED_SET_AFFINITY)
		memcpy(dst->affinity, src->affinity, sizeof(dst->affinity));
}

/* Root mode runs VPs under Linux's scheduler: only the defaults hold. */
static int pv_root_mode_check(const struct pv_sched_params *sp)
{
	unsigned int i;

	if (pv_sched_check_ranges(sp))
		return -EINVAL;
	if (sp->weight != PARTVISOR_SCHED_WEIGHT_DEFAULT || sp->reserve ||
	    sp->limit != PARTVISOR_SCHED_LIMIT_MAX ||
	    sp->slice_ns != PARTVISOR_SCHED_SLICE_DEFAULT_US * 1000ULL ||
	    sp->node != PARTVISOR_SCHED_NODE_NONE)
		return -EOPNOTSUPP;
	for (i = 0; sp->affinity && i < PV_SCHED_AFF_WORDS; i++)
		if (sp->affinity[i])
			return -EOPNOTSUPP;
	return 0;
}

/*
 * Apply the partition's or a VP's new fields to every VP they concern;
 * all or nothing: a VP the core refuses undoes the ones before it.
 */
static int pv_sched_apply(struct pv_partition *p, struct pv_vp *only,
			  const struct partvisor_sched_params *old)
{
	struct pv_sched_params sp;
	unsigned int i, done;
	int ret = 0;

	raw_spin_lock_irq(&pv_cl.lock);
	for (i = 0; i < PARTVISOR_MAX_VPS && !ret; i++) {
		if (!p->vps[i] || (only && p->vps[i] != only))
			continue;
		pv_effective(p, p->vps[i], &sp);
		ret = pv_classic() ? pv_sched_vp_set(&pv_cl.core,
						     &p->vps[i]->cl.se, &sp) :
				     pv_root_mode_check(&sp);
	}
	if (ret) {
		/*
		 * Back to the old policy, and the VPs before the one that
		 * failed back to their old effective values, last first:
		 * each step returns to a state the core admitted on the way
		 * here, so it cannot fail.
		 */
		done = i - 1;
		if (only)
			only->cl.own = *old;
		else
			p->sched = *old;
		for (i = done; pv_classic() && i-- > 0;) {
			if (!p->vps[i] || (only && p->vps[i] != only))
				continue;
			pv_effective(p, p->vps[i], &sp);
			WARN_ON_ONCE(pv_sched_vp_set(&pv_cl.core,
						     &p->vps[i]->cl.se, &sp));
		}
	}
	raw_spin_unlock_irq(&pv_cl.lock);
	return ret;
}

long pv_sched_set_ioctl(struct pv_partition *p, void __user *argp)
{
	struct partvisor_sched_params a, old, *dst;
	struct pv_sched_params check;
	struct pv_vp *vp = NULL;
	long ret;

	ret = pv_sched_copy_in(&a, argp);
	if (ret)
		return ret;
	mutex_lock(&p->lock);
	if (a.vp != PARTVISOR_SCHED_PARTITION) {
		vp = a.vp < PARTVISOR_MAX_VPS ? p->vps[a.vp] : NULL;
		if (!vp) {
			ret = -ENOENT;
			goto out;
		}
	}
	dst = vp ? &vp->cl.own : &p->sched;
	old = *dst;
	pv_sched_merge(dst, &a, a.set);
	if (vp)
		dst->set |= a.set;
	/* The values in effect, checked whether or not a VP exists yet. */
	pv_effective(p, vp, &check);
	ret = pv_classic() ? pv_sched_check(&pv_cl.core, &check) :
			     pv_root_mode_check(&check);
	if (!ret)
		ret = pv_sched_apply(p, vp, &old);
	else
		*dst = old;
out:
	mutex_unlock(&p->lock);
	return ret;
}

long pv_sched_get_ioctl(struct pv_partition *p, void __user *argp)
{
	struct partvisor_sched_params a;
	struct pv_sched_params sp;
	struct pv_vp *vp;
	long ret;

	ret = pv_sched_copy_in(&a, argp);
	if (ret)
		return ret;
	mutex_lock(&p->lock);
	if (a.vp == PARTVISOR_SCHED_PARTITION) {
		a = p->sched;
		a.set = 0;
	} else if (a.vp < PARTVISOR_MAX_VPS && p->vps[a.vp]) {
		vp = p->vps[a.vp];
		pv_effective(p, vp, &sp);
		a = p->sched;
		a.vp = vp->index;
		a.set = vp->cl.own.set;
		a.weight = sp.weight;
		a.reserve = sp.reserve;
		a.limit = sp.limit;
		a.slice_us = div_u64(sp.slice_ns, 1000);
		a.node = sp.node;
		if (sp.affinity)
			memcpy(a.affinity, sp.affinity, sizeof(a.affinity));
		else
			memset(a.affinity, 0, sizeof(a.affinity));
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&p->lock);
	if (!ret && copy_to_user(argp, &a, sizeof(a)))
		ret = -EFAULT;
	return ret;
}

static const struct pv_stat_desc pv_classic_vp_descs[] = {
	{ "sched_run_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_wait_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_dispatches" },
	{ "sched_migrations" },
	{ "sched_node_migrations" },
	{ "sched_home_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_throttles" },
};

const struct pv_stat_desc *pv_classic_vp_desc(unsigned int i)
{
	return i < ARRAY_SIZE(pv_classic_vp_descs) ?
	       &pv_classic_vp_descs[i] : NULL;
}

void pv_classic_vp_fill(const struct pv_vp *vp, u64 *val)
{
	const struct pv_sched_vp_stats *st = &vp->cl.se.st;

	val[0] = READ_ONCE(st->run_ns);
	val[1] = READ_ONCE(st->wait_ns);
	val[2] = READ_ONCE(st->dispatches);
	val[3] = READ_ONCE(st->migrations);
	val[4] = READ_ONCE(st->node_migrations);
	val[5] = READ_ONCE(st->home_ns);
	val[6] = READ_ONCE(st->throttles);
}

static const struct pv_stat_desc pv_classic_lp_descs[] = {
	{ "sched_lp", PARTVISOR_STATS_TYPE_INSTANT },
	{ "sched_node", PARTVISOR_STATS_TYPE_INSTANT },
	{ "sched_elapsed_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_vp_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_idle_ns", PARTVISOR_STATS_UNIT_SECONDS, -9 },
	{ "sched_dispatches" },
	{ "sched_switches" },
	{ "sched_balance_moves" },
	{ "sched_ready", PARTVISOR_STATS_TYPE_INSTANT },
	{ "sched_reserved_pct", PARTVISOR_STATS_TYPE_INSTANT },
};

const struct pv_stat_desc *pv_classic_lp_desc(unsigned int i)
{
	return i < ARRAY_SIZE(pv_classic_lp_descs) ?
	       &pv_classic_lp_descs[i] : NULL;
}

/* A CPU that is no LP of the scheduler (it came online later): zeros. */
void pv_classic_lp_fill(unsigned int cpu, u64 *val)
{
	struct pv_sched_lp *lp;
	int id;

	memset(val, 0, sizeof(*val) * ARRAY_SIZE(pv_classic_lp_descs));
	id = pv_cl.lps && cpu < nr_cpu_ids ? pv_cl.lp_of_cpu[cpu] : -1;
	if (id < 0)
		return;
	lp = &pv_cl.lps[id];
	val[0] = id;
	val[1] = lp->node;
	val[2] = ktime_get_ns() - pv_cl.disp[id].start_ns;
	val[3] = READ_ONCE(lp->st.run_ns);
	val[4] = READ_ONCE(lp->st.idle_ns);
	val[5] = READ_ONCE(lp->st.dispatches);
	val[6] = READ_ONCE(lp->st.switches);
	val[7] = READ_ONCE(lp->st.balance_moves);
	val[8] = READ_ONCE(lp->nr_ready);
	val[9] = READ_ONCE(lp->nr_reserved_pct);
}

/* The LPs are the CPUs online at load; taking one away is refused. */
static int pv_classic_cpu_down(unsigned int cpu)
{
	if (pv_cl.lp_of_cpu && pv_cl.lp_of_cpu[cpu] >= 0) {
		pr_info("CPU %u is an LP of the classic scheduler: it stays online until partvisor is unloaded\n",
			cpu);
		return -EBUSY;
	}
	return 0;
}

static void pv_classic_free(void)
{
	kfree(pv_cl.lp_of_cpu);
	pv_cl.lp_of_cpu = NULL;
	kfree(pv_cl.disp);
	kfree(pv_cl.tree);
	kfree(pv_cl.lps);
	pv_cl.disp = NULL;
	pv_cl.tree = NULL;
	pv_cl.lps = NULL;
}

static void pv_classic_stop_threads(unsigned int n)
{
	unsigned int i;

	/* The boost work holds no reference: the task outlives it here. */
	for (i = 0; i < n; i++) {
		kthread_stop(pv_cl.disp[i].task);
		hrtimer_cancel(&pv_cl.disp[i].period);
		cancel_work_sync(&pv_cl.disp[i].boost);
		put_task_struct(pv_cl.disp[i].task);
	}
}

int pv_classic_init(void)
{
	struct pv_sched_config cfg = { 0 };
	unsigned int nr = 0, i, cpu;
	struct pv_disp *dp;
	int ret;

	if (!pv_classic())
		return 0;

	cpus_read_lock();
	nr = num_online_cpus();
	pv_cl.lp_of_cpu = kmalloc_array(nr_cpu_ids, sizeof(int), GFP_KERNEL);
	pv_cl.lps = kcalloc(nr, sizeof(*pv_cl.lps), GFP_KERNEL);
	pv_cl.tree = kcalloc(pv_sched_tree_slots(nr), sizeof(*pv_cl.tree),
			     GFP_KERNEL);
	pv_cl.disp = kcalloc(nr, sizeof(*pv_cl.disp), GFP_KERNEL);
	ret = -ENOMEM;
	if (!pv_cl.lps || !pv_cl.tree || !pv_cl.disp || !pv_cl.lp_of_cpu)
		goto fail;
	for (i = 0; i < nr_cpu_ids; i++)
		pv_cl.lp_of_cpu[i] = -1;
	i = 0;
	for_each_online_cpu(cpu) {
		pv_cl.lps[i].node = min_t(unsigned int, cpu_to_node(cpu),
					  PV_SCHED_MAX_NODES - 1);
		pv_cl.disp[i].cpu = cpu;
		pv_cl.lp_of_cpu[cpu] = i;
		i++;
	}
	cfg.root_floor_pct = root_floor;
	ret = pv_sched_init(&pv_cl.core, &cfg, pv_cl.lps, nr, pv_cl.tree,
			    ktime_get_ns());
	if (ret)
		goto fail;
	for (i = 0; i < nr; i++) {
		dp = &pv_cl.disp[i];
		dp->lp = &pv_cl.lps[i];
		dp->start_ns = ktime_get_ns();
		hrtimer_init(&dp->slice, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_PINNED_HARD);
		dp->slice.function = pv_slice_end;
		hrtimer_init(&dp->period, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		dp->period.function = pv_period_start;
		INIT_WORK(&dp->boost, pv_boost_work);
		dp->task = kthread_create_on_cpu(pv_disp_thread, dp, dp->cpu,
						 "partvisor/%u");
		if (IS_ERR(dp->task)) {
			ret = PTR_ERR(dp->task);
			pv_classic_stop_threads(i);
			goto fail;
		}
		get_task_struct(dp->task);
		wake_up_process(dp->task);
	}
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   "partvisor:sched", NULL,
						   pv_classic_cpu_down);
	if (ret < 0) {
		pv_classic_stop_threads(nr);
		goto fail;
	}
	pv_cl.cpuhp = ret;
	cpus_read_unlock();
	pr_info("classic scheduler on %u LPs, %u NUMA nodes\n", nr,
		pv_cl.core.nr_nodes);
	return 0;

fail:
	cpus_read_unlock();
	pv_classic_free();
	return ret;
}

/* Every partition is gone: the dispatch threads only idle. */
void pv_classic_exit(void)
{
	if (!pv_cl.lps)
		return;
	if (pv_cl.cpuhp >= 0)
		cpuhp_remove_state_nocalls(pv_cl.cpuhp);
	pv_cl.cpuhp = -1;
	pv_classic_stop_threads(pv_cl.core.nr_lps);
	pv_classic_free();
}

const struct pv_sched_mode pv_sched_classic = {
	.id = PARTVISOR_SCHED_CLASSIC,
	.name = "classic",
	.run = pv_classic_run,
	.irq = pv_classic_irq,
	.vp_set = PV_STATS_VP_CLASSIC,
	.lp_set = PV_STATS_LP_CLASSIC,
};
