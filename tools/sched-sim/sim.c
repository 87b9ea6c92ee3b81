// SPDX-License-Identifier: GPL-2.0
/*
 * pvsim's engine. Every LP is in one of three states: running a VP until
 * the end of its slice or burst, idle until a wake or the time the core
 * asked to look again, or lent to a root CPU hog for a quantum. Only the
 * event of the LP or VP concerned is touched per step, so a step costs
 * O(log(LPs + VPs)) here plus what the core spends.
 *
 * The simulator keeps its own books (run, wait, dispatches, home node
 * time, the affinity masks) rather than reading the core's, so that a
 * core that misaccounts or breaks a rule is caught, not believed.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

/* Event kinds; at equal times wakes go first, so LPs see every wake. */
enum {
	EV_WAKE,		/* a blocked VP's demand resumes */
	EV_END,			/* a slice or burst ends, or a preemption */
	EV_LOOK,		/* an idle LP looks again */
	EV_ROOT,		/* an LP's root quantum ends */
};

u64 sim_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* xorshift64*: reproducible runs without depending on libc's rand(). */
static u64 rng_next(u64 *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dULL;
}

static bool mask_test(const u64 *mask, unsigned int bit)
{
	return (mask[bit / 64] >> (bit % 64)) & 1;
}

unsigned int sim_lp_node(const struct sim_opts *o, unsigned int lp)
{
	/* contiguous blocks: LPs 0..n/k-1 on node 0 and so on */
	return (u64)lp * o->nr_nodes / o->nr_lps;
}

bool sim_allowed(const struct sim *s, const struct sim_vp *v, unsigned int lp)
{
	const struct sim_group *g = &s->groups[v->group];

	return !g->has_aff || mask_test(g->aff, lp);
}

static void anomaly(struct sim *s, bool fatal, const char *fmt, ...)
{
	va_list ap;

	if (!s->anomalies++) {
		va_start(ap, fmt);
		vsnprintf(s->first_anomaly, sizeof(s->first_anomaly), fmt, ap);
		va_end(ap);
	}
	if (fatal)
		s->broken = true;
}

static u64 timer_start(const struct sim *s)
{
	return s->o.timing ? sim_clock_ns() : 0;
}

static void timer_stop(struct sim *s, u64 t0)
{
	if (s->o.timing) {
		s->core_ns += sim_clock_ns() - t0;
		s->core_calls++;
	}
}

static u32 lp_obj(unsigned int lp)
{
	return lp;
}

static u32 vp_obj(const struct sim *s, const struct sim_vp *v)
{
	return s->o.nr_lps + v->id;
}

/* The simulator's VP of a core VP pointer, or NULL when it is none. */
static struct sim_vp *vp_of(struct sim *s, struct pv_sched_vp *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)s->vps;

	if (a < base || a >= base + s->nr_vps * sizeof(*s->vps) ||
	    (a - base) % sizeof(*s->vps) !=
	    offsetof(struct sim_vp, core))
		return NULL;
	return &s->vps[(a - base) / sizeof(*s->vps)];
}

static int lp_index(const struct sim *s, const struct pv_sched_lp *lp)
{
	uintptr_t a = (uintptr_t)lp, base = (uintptr_t)s->lps;

	if (a < base || a >= base + s->o.nr_lps * sizeof(*s->lps) ||
	    (a - base) % sizeof(*s->lps))
		return -1;
	return (a - base) / sizeof(*s->lps);
}

/* Account the time of the state @l leaves. */
static void lp_enter(struct sim *s, struct sim_lp *l, enum sim_lp_state st)
{
	u64 d = s->now - l->since;

	switch (l->state) {
	case LS_IDLE:
		l->idle_ns += d;
		break;
	case LS_VP:
		l->vp_ns += d;
		break;
	case LS_ROOT:
		l->root_ns += d;
		break;
	}
	l->state = st;
	l->since = s->now;
}

static void root_quantum(struct sim *s, unsigned int i)
{
	lp_enter(s, &s->slp[i], LS_ROOT);
	evq_set(&s->q, lp_obj(i), EV_ROOT, s->now + s->o.root_quantum_ns);
}

static void dispatch(struct sim *s, unsigned int i)
{
	struct pv_sched_lp *lp = &s->lps[i];
	struct sim_lp *l = &s->slp[i];
	unsigned int node = sim_lp_node(&s->o, i);
	struct pv_sched_decision d = { 0 };
	const struct sim_group *g;
	struct sim_vp *v;
	bool remote;
	u64 t0, len;

	if (lp->curr) {
		anomaly(s, true, "LP %u has a curr before pick", i);
		return;
	}
	t0 = timer_start(s);
	pv_sched_pick(&s->core, lp, s->now, &d);
	timer_stop(s, t0);
	s->decisions++;
	l->picks++;

	if (!d.vp) {
		l->empty_picks++;
		if (l->hog) {
			/* the dispatch thread sleeps: the hog has the LP */
			root_quantum(s, i);
			return;
		}
		lp_enter(s, l, LS_IDLE);
		if (d.wake_ns == U64_MAX) {
			evq_cancel(&s->q, lp_obj(i));
			return;
		}
		if (d.wake_ns <= s->now) {
			anomaly(s, false, "LP %u: wake_ns %llu, not after %llu",
				i, (unsigned long long)d.wake_ns,
				(unsigned long long)s->now);
			d.wake_ns = s->now + NS_PER_US;
		}
		evq_set(&s->q, lp_obj(i), EV_LOOK, d.wake_ns);
		return;
	}

	v = vp_of(s, d.vp);
	if (!v) {
		anomaly(s, true, "LP %u: pick returned an unknown VP", i);
		return;
	}
	if (v->state != VS_READY) {
		anomaly(s, true, "LP %u: picked VP %u, which is %s", i, v->id,
			v->state == VS_RUNNING ? "running" : "blocked");
		return;
	}
	if (d.vp->state != PV_SCHED_RUNNING || lp->curr != d.vp)
		anomaly(s, false, "LP %u: picked VP %u is not its RUNNING curr",
			i, v->id);
	if (!sim_allowed(s, v, i)) {
		s->violations++;
		v->violations++;
	}
	if (!d.slice_ns) {
		anomaly(s, false, "LP %u: VP %u picked with a zero slice",
			i, v->id);
		d.slice_ns = NS_PER_US;
	}

	g = &s->groups[v->group];
	v->wait_ns += s->now - v->ready_since;
	v->dispatches++;
	if (v->last_lp >= 0 && v->last_lp != (int)i)
		v->migrations++;
	if (v->last_node >= 0 && v->last_node != (int)node)
		v->node_migrations++;
	/*
	 * Leaving home costs the VP numa_cost_ns of every dispatch (remote
	 * memory, cold caches): run time without progress. A VP without a
	 * home pays it when it changes node.
	 */
	if (g->p.node != PARTVISOR_SCHED_NODE_NONE)
		remote = node != g->p.node;
	else
		remote = v->last_node >= 0 && v->last_node != (int)node;
	l->charge = remote ? s->core.cfg.numa_cost_ns : 0;
	v->last_lp = i;
	v->last_node = node;

	len = d.slice_ns;
	if (g->demand == SIM_BURST && v->left + l->charge < len)
		len = v->left + l->charge;
	v->state = VS_RUNNING;
	l->curr = v;
	lp_enter(s, l, LS_VP);
	evq_set(&s->q, lp_obj(i), EV_END, s->now + len);
	if (s->trace_nr < s->o.trace_cap)
		s->trace[s->trace_nr++] = v->id;
}

/*
 * A dispatch decision after a slice: a hog takes the LP for a quantum
 * first, unless reserve is owed, when the dispatch thread's boosted
 * priority wins.
 */
static void decide(struct sim *s, unsigned int i)
{
	if (s->slp[i].hog && !pv_sched_lp_owed(&s->core, &s->lps[i], s->now))
		root_quantum(s, i);
	else
		dispatch(s, i);
}

/* The running VP's stretch ends: account it and tell the core. */
static void stop_curr(struct sim *s, unsigned int i)
{
	struct sim_lp *l = &s->slp[i];
	struct sim_vp *v = l->curr;
	const struct sim_group *g = &s->groups[v->group];
	u64 ran = s->now - l->since, useful, t0;
	bool ready = true;

	useful = ran > l->charge ? ran - l->charge : 0;
	v->run_ns += ran;
	v->numa_lost_ns += ran - useful;
	if (sim_lp_node(&s->o, i) == g->p.node)
		v->home_ns += ran;
	if (s->lp_run)
		s->lp_run[(u64)v->id * s->o.nr_lps + i] += ran;
	if (g->demand == SIM_BURST) {
		v->left -= useful < v->left ? useful : v->left;
		ready = v->left > 0;
	}
	l->curr = NULL;
	lp_enter(s, l, LS_IDLE);

	t0 = timer_start(s);
	pv_sched_stop(&s->core, &s->lps[i], s->now, ready);
	timer_stop(s, t0);

	if (s->lps[i].curr)
		anomaly(s, false, "LP %u keeps a curr after stop", i);
	if (ready) {
		if (v->core.state != PV_SCHED_READY &&
		    v->core.state != PV_SCHED_THROTTLED)
			anomaly(s, false, "VP %u not ready after stop(ready)",
				v->id);
		v->state = VS_READY;
		v->ready_since = s->now;
	} else {
		if (v->core.state != PV_SCHED_BLOCKED)
			anomaly(s, false, "VP %u not blocked after stop",
				v->id);
		v->state = VS_BLOCKED;
		evq_set(&s->q, vp_obj(s, v), EV_WAKE, s->now + g->block_ns);
	}
}

/* What the module does after pv_sched_wake() returned LP @i. */
static void kick(struct sim *s, unsigned int i)
{
	struct sim_lp *l = &s->slp[i];
	struct pv_sched_lp *lp = &s->lps[i];

	switch (l->state) {
	case LS_IDLE:
		evq_set(&s->q, lp_obj(i), EV_LOOK, s->now);
		break;
	case LS_ROOT:
		/* the boosted dispatch thread preempts the hog */
		if (pv_sched_lp_owed(&s->core, lp, s->now)) {
			l->root_cuts++;
			evq_set(&s->q, lp_obj(i), EV_ROOT, s->now);
		}
		break;
	case LS_VP:
		if (lp->need_resched) {
			l->preempt = true;
			evq_set(&s->q, lp_obj(i), EV_END, s->now);
		}
		break;
	}
}

static void vp_wake(struct sim *s, struct sim_vp *v)
{
	const struct sim_group *g = &s->groups[v->group];
	struct pv_sched_lp *lp;
	u64 t0;
	int i;

	if (v->core.state != PV_SCHED_BLOCKED)
		anomaly(s, false, "VP %u not blocked before its wake", v->id);
	v->state = VS_READY;
	v->ready_since = s->now;
	v->left = g->burst_ns;

	t0 = timer_start(s);
	lp = pv_sched_wake(&s->core, &v->core, s->now);
	timer_stop(s, t0);

	i = lp_index(s, lp);
	if (i < 0) {
		anomaly(s, true, "VP %u woken onto an unknown LP", v->id);
		return;
	}
	if (v->core.state != PV_SCHED_READY &&
	    v->core.state != PV_SCHED_THROTTLED)
		anomaly(s, false, "VP %u not ready after its wake", v->id);
	kick(s, i);
}

static void lp_event(struct sim *s, unsigned int i, u32 kind)
{
	struct sim_lp *l = &s->slp[i];
	bool preempt;

	switch (kind) {
	case EV_END:
		if (l->state != LS_VP)
			break;
		preempt = l->preempt;
		l->preempt = false;
		stop_curr(s, i);
		if (preempt) {
			/* the dispatch thread is running: no root quantum */
			l->preemptions++;
			dispatch(s, i);
		} else {
			decide(s, i);
		}
		return;
	case EV_LOOK:
		if (l->state != LS_IDLE)
			break;
		decide(s, i);
		return;
	case EV_ROOT:
		if (l->state != LS_ROOT)
			break;
		dispatch(s, i);
		return;
	}
	anomaly(s, true, "simulator: LP %u event %u in state %u", i, kind,
		l->state);
}

/* Stop every LP at @end so that both sides have accounted everything. */
static void finish(struct sim *s, u64 end)
{
	unsigned int i;

	s->now = end;
	s->end = end;
	for (i = 0; i < s->o.nr_lps; i++) {
		if (s->slp[i].state == LS_VP && !s->broken)
			stop_curr(s, i);
		lp_enter(s, &s->slp[i], LS_IDLE);
	}
}

void sim_run(struct sim *s, u64 until_ns, u64 max_decisions)
{
	struct evq_ent e;

	while (!s->broken && s->decisions < max_decisions &&
	       evq_peek(&s->q, &e) && e.time < until_ns) {
		evq_pop(&s->q, &e);
		s->now = e.time;
		if (e.obj >= s->o.nr_lps)
			vp_wake(s, &s->vps[e.obj - s->o.nr_lps]);
		else
			lp_event(s, e.obj, e.kind);
	}
	/* cut short, or out of events with no end given: end now */
	if (s->broken || s->decisions >= max_decisions || until_ns == U64_MAX)
		until_ns = s->now;
	finish(s, until_ns);
}

static int add_vps(struct sim *s, struct sim_err *e)
{
	unsigned int gi, k;
	int ret;

	for (gi = 0; gi < s->nr_groups; gi++) {
		struct sim_group *g = &s->groups[gi];

		e->group = gi;
		g->p.affinity = g->has_aff ? g->aff : NULL;
		e->where = "pv_sched_check";
		ret = pv_sched_check(&s->core, &g->p);
		if (ret)
			return ret;
		e->where = "pv_sched_vp_add";
		for (k = 0; k < g->count; k++) {
			struct sim_vp *v = &s->vps[g->first + k];

			v->id = g->first + k;
			v->group = gi;
			v->last_lp = -1;
			v->last_node = -1;
			ret = pv_sched_vp_add(&s->core, &v->core, &g->p, 0);
			if (ret)
				return ret;
		}
	}
	e->group = -1;
	return 0;
}

int sim_create(struct sim **out, const struct sim_opts *o,
	       const struct sim_group *groups, unsigned int nr_groups,
	       struct sim_err *e)
{
	struct sim *s;
	unsigned int i;
	int ret = -ENOMEM;

	*e = (struct sim_err){ .group = -1, .where = "allocation" };
	*out = NULL;
	if (!o->nr_lps || o->nr_lps > PV_SCHED_MAX_LPS || !o->nr_nodes) {
		*e = (struct sim_err){ .err = -EINVAL, .group = -1,
				       .where = "LP or node count" };
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ret;
	s->o = *o;
	s->rng = o->seed ? o->seed : 1;
	s->nr_groups = nr_groups;
	s->groups = calloc(nr_groups ? nr_groups : 1, sizeof(*s->groups));
	s->lps = calloc(o->nr_lps, sizeof(*s->lps));
	s->slp = calloc(o->nr_lps, sizeof(*s->slp));
	s->tree = calloc(pv_sched_tree_slots(o->nr_lps), sizeof(*s->tree));
	if (!s->groups || !s->lps || !s->slp || !s->tree)
		goto fail;
	for (i = 0; i < nr_groups; i++) {
		s->groups[i] = groups[i];
		s->groups[i].first = s->nr_vps;
		s->nr_vps += groups[i].count;
	}
	s->vps = calloc(s->nr_vps ? s->nr_vps : 1, sizeof(*s->vps));
	if (!s->vps || evq_init(&s->q, o->nr_lps + s->nr_vps))
		goto fail;
	if (o->track_lp) {
		s->lp_run = calloc((u64)s->nr_vps * o->nr_lps + 1,
				   sizeof(*s->lp_run));
		if (!s->lp_run)
			goto fail;
	}
	if (o->trace_cap) {
		s->trace = calloc(o->trace_cap, sizeof(*s->trace));
		if (!s->trace)
			goto fail;
	}

	for (i = 0; i < o->nr_lps; i++)
		s->lps[i].node = sim_lp_node(o, i);
	e->where = "pv_sched_init";
	ret = pv_sched_init(&s->core, &o->cfg, s->lps, o->nr_lps, s->tree, 0);
	if (ret)
		goto fail;
	ret = add_vps(s, e);
	if (ret)
		goto fail;

	/* VPs wake in creation order; bursty ones at a random phase. */
	for (i = 0; i < s->nr_vps; i++) {
		struct sim_vp *v = &s->vps[i];
		const struct sim_group *g = &s->groups[v->group];
		u64 t = 0;

		if (g->has_start)
			t = g->start_ns;
		else if (g->demand == SIM_BURST && g->block_ns)
			t = rng_next(&s->rng) % g->block_ns;
		evq_set(&s->q, vp_obj(s, v), EV_WAKE, t);
	}
	for (i = 0; i < o->nr_lps; i++) {
		s->slp[i].hog = mask_test(o->root_hog, i);
		evq_set(&s->q, lp_obj(i), EV_LOOK, 0);
	}
	*out = s;
	return 0;
fail:
	e->err = ret;
	sim_destroy(s);
	return ret;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	evq_free(&s->q);
	free(s->trace);
	free(s->lp_run);
	free(s->vps);
	free(s->tree);
	free(s->slp);
	free(s->lps);
	free(s->groups);
	free(s);
}

void sim_group_sum(const struct sim *s, unsigned int g, struct sim_sum *sum)
{
	const struct sim_group *grp = &s->groups[g];
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = grp->first; i < grp->first + grp->count; i++) {
		const struct sim_vp *v = &s->vps[i];

		sum->run_ns += v->run_ns;
		sum->wait_ns += v->wait_ns;
		sum->dispatches += v->dispatches;
		sum->migrations += v->migrations;
		sum->node_migrations += v->node_migrations;
		sum->home_ns += v->home_ns;
		sum->numa_lost_ns += v->numa_lost_ns;
		sum->violations += v->violations;
	}
}

static int differs(char *msg, size_t len, const char *what, unsigned int id,
		   const char *field, u64 core, u64 sim)
{
	if (core == sim)
		return 0;
	snprintf(msg, len, "%s %u: core %s %llu, simulated %llu", what, id,
		 field, (unsigned long long)core, (unsigned long long)sim);
	return -1;
}

int sim_compare_stats(const struct sim *s, char *msg, size_t len)
{
	unsigned int i;

	if (differs(msg, len, "scheduler", 0, "decisions", s->core.decisions,
		    s->decisions))
		return -1;
	for (i = 0; i < s->nr_vps; i++) {
		const struct sim_vp *v = &s->vps[i];
		const struct pv_sched_vp_stats *st = &v->core.st;

		if (differs(msg, len, "VP", i, "run_ns", st->run_ns,
			    v->run_ns) ||
		    differs(msg, len, "VP", i, "wait_ns", st->wait_ns,
			    v->wait_ns) ||
		    differs(msg, len, "VP", i, "dispatches", st->dispatches,
			    v->dispatches))
			return -1;
		if (s->groups[v->group].p.node != PARTVISOR_SCHED_NODE_NONE &&
		    differs(msg, len, "VP", i, "home_ns", st->home_ns,
			    v->home_ns))
			return -1;
	}
	for (i = 0; i < s->o.nr_lps; i++) {
		const struct sim_lp *l = &s->slp[i];
		const struct pv_sched_lp_stats *st = &s->lps[i].st;

		if (differs(msg, len, "LP", i, "run_ns", st->run_ns,
			    l->vp_ns) ||
		    differs(msg, len, "LP", i, "dispatches", st->dispatches,
			    l->picks - l->empty_picks))
			return -1;
	}
	return 0;
}
