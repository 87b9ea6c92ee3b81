// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the partition scheduler's core (module/sched/): shares
 * by weight, reserve admission and guarantee, limits, affinity, NUMA
 * homes, balancing between LPs, wait accounting, the policy range checks
 * and the order of the run queue.
 *
 * A small simulated machine drives the core as the module would: each LP
 * runs what pv_sched_pick() hands it for the slice (or what is left of a
 * VP's burst), stops it, picks again; idle LPs look again when the core
 * asks or when something is queued on them. Time is simulated, so every
 * run is deterministic. The driver keeps its own books (run and wait time,
 * the affinity masks), so that the core's statistics and decisions are
 * checked against something other than themselves.
 */
#include <kunit/test.h>

#include "../sched/core.c"
#include "../sched/heap.c"
#include "../sched/balance.c"

#define T_MS		NSEC_PER_MSEC
#define T_SLICE		(PARTVISOR_SCHED_SLICE_DEFAULT_US * NSEC_PER_USEC)

/* A VP of the simulated machine. */
struct t_vp {
	struct pv_sched_vp core;
	u64 burst;		/* 0: always ready; else runs this long, */
	u64 block;		/* then blocks this long */
	u64 left;		/* of the current burst */
	u64 wake_at;		/* U64_MAX: no wake pending */
	const u64 *aff;		/* the test's own copy of its mask; NULL: any */
	u64 ready_at, run, wait;	/* the driver's books */
};

struct t_rig {
	struct kunit *test;
	struct pv_sched s;
	struct pv_sched_lp *lps;
	u64 *next;		/* per LP: its next stop or look (U64_MAX: none) */
	u64 *start;		/* per LP: when its curr was dispatched */
	struct t_vp *vps;
	unsigned int nr_lps, nr_vps;
	u64 now;
	u64 bad_picks;		/* on an LP the VP's own mask forbids */
	u64 idle_picks;		/* picks that found nothing to run */
	unsigned int *trace;	/* the VP of each pick, up to trace_cap */
	unsigned int trace_nr, trace_cap;
};

static bool t_bit(const u64 *mask, unsigned int bit)
{
	return (mask[bit / 64] >> (bit % 64)) & 1;
}

static u64 t_absdiff(u64 a, u64 b)
{
	return a > b ? a - b : b - a;
}

/* Default config; @nr_nodes nodes of consecutive LPs. Everything starts at 0. */
static struct t_rig *t_rig(struct kunit *test, unsigned int nr_lps,
			   unsigned int nr_nodes, unsigned int nr_vps)
{
	struct pv_sched_config cfg = {};
	struct pv_sched_slot *tree;
	struct t_rig *r;
	unsigned int i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->lps = kunit_kcalloc(test, nr_lps, sizeof(*r->lps), GFP_KERNEL);
	r->next = kunit_kcalloc(test, nr_lps, sizeof(*r->next), GFP_KERNEL);
	r->start = kunit_kcalloc(test, nr_lps, sizeof(*r->start), GFP_KERNEL);
	r->vps = kunit_kcalloc(test, nr_vps, sizeof(*r->vps), GFP_KERNEL);
	tree = kunit_kcalloc(test, pv_sched_tree_slots(nr_lps), sizeof(*tree),
			     GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, r->lps && r->next && r->start && r->vps &&
			  tree);
	for (i = 0; i < nr_lps; i++)
		r->lps[i].node = i * nr_nodes / nr_lps;
	KUNIT_ASSERT_EQ(test, pv_sched_init(&r->s, &cfg, r->lps, nr_lps, tree,
					    0), 0);
	for (i = 0; i < nr_vps; i++)
		r->vps[i].wake_at = U64_MAX;
	r->test = test;
	r->nr_lps = nr_lps;
	r->nr_vps = nr_vps;
	return r;	/* next[] is 0: every LP looks once at the start */
}

static struct pv_sched_params t_params(u32 weight)
{
	return (struct pv_sched_params){
		.weight = weight, .limit = PARTVISOR_SCHED_LIMIT_MAX,
		.slice_ns = T_SLICE, .node = PARTVISOR_SCHED_NODE_NONE,
	};
}

static u64 *t_mask(struct kunit *test, u64 lps)
{
	u64 *m = kunit_kcalloc(test, PV_SCHED_AFF_WORDS, sizeof(*m),
			       GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m[0] = lps;
	return m;
}

static void t_wake(struct t_rig *r, struct t_vp *v)
{
	pv_sched_wake(&r->s, &v->core, r->now);
	v->ready_at = r->now;
	v->wake_at = U64_MAX;
}

/* VP @i, woken at once; @burst 0: always ready. */
static void t_add(struct t_rig *r, unsigned int i,
		  const struct pv_sched_params *p, u64 burst, u64 block)
{
	struct t_vp *v = &r->vps[i];

	KUNIT_ASSERT_EQ(r->test, pv_sched_vp_add(&r->s, &v->core, p, r->now),
			0);
	v->aff = p->affinity;
	v->burst = burst;
	v->left = burst;
	v->block = block;
	t_wake(r, v);
}

static void t_stop(struct t_rig *r, unsigned int i)
{
	struct t_vp *v = container_of(r->lps[i].curr, struct t_vp, core);
	u64 ran = r->now - r->start[i];
	bool ready = true;

	v->run += ran;
	if (v->burst) {
		v->left -= ran;
		if (!v->left) {
			ready = false;
			v->left = v->burst;
			v->wake_at = r->now + v->block;
		}
	}
	pv_sched_stop(&r->s, &r->lps[i], r->now, ready);
	v->ready_at = r->now;
	r->next[i] = r->now;
}

/* LP @i's event: its VP's slice or burst is over, or it looks again. */
static void t_lp(struct t_rig *r, unsigned int i)
{
	struct pv_sched_lp *lp = &r->lps[i];
	struct pv_sched_decision d;
	struct t_vp *v;
	u64 len;

	if (lp->curr)
		t_stop(r, i);
	pv_sched_pick(&r->s, lp, r->now, &d);
	if (!d.vp) {
		r->idle_picks++;
		/* Else simulated time would stand still here. */
		KUNIT_ASSERT_NULL(r->test, lp->heap);
		KUNIT_ASSERT_GT(r->test, d.wake_ns, r->now);
		r->next[i] = d.wake_ns;
		return;
	}
	v = container_of(d.vp, struct t_vp, core);
	if ((v->aff && !t_bit(v->aff, i)) || !pv_sched_allowed(d.vp, lp))
		r->bad_picks++;
	if (r->trace_nr < r->trace_cap)
		r->trace[r->trace_nr++] = v - r->vps;
	v->wait += r->now - v->ready_at;
	len = d.slice_ns;
	if (v->burst && v->left < len)
		len = v->left;
	KUNIT_ASSERT_GT(r->test, len, 0);
	r->start[i] = r->now;
	r->next[i] = r->now + len;
}

/* Run the machine until just before @until. */
static void t_run(struct t_rig *r, u64 until)
{
	unsigned int i, lp, vp;
	struct pv_sched_lp *l;
	u64 t;

	for (;;) {
		/*
		 * Wakes, balancing and policy changes queue VPs on LPs without
		 * telling them: an idle LP with a queue, or one asked to
		 * preempt, acts now.
		 */
		for (i = 0; i < r->nr_lps; i++) {
			l = &r->lps[i];
			if ((l->curr ? l->need_resched : !!l->heap) &&
			    r->next[i] > r->now)
				r->next[i] = r->now;
		}
		/* The earliest event; at equal times wakes go first. */
		t = U64_MAX;
		lp = UINT_MAX;
		vp = UINT_MAX;
		for (i = 0; i < r->nr_vps; i++) {
			if (r->vps[i].wake_at < t) {
				t = r->vps[i].wake_at;
				vp = i;
			}
		}
		for (i = 0; i < r->nr_lps; i++) {
			if (r->next[i] < t) {
				t = r->next[i];
				lp = i;
			}
		}
		if (t >= until)
			break;
		r->now = t;
		if (lp != UINT_MAX)
			t_lp(r, lp);
		else
			t_wake(r, &r->vps[vp]);
	}
	r->now = until;
}

/* Stop every running VP, so that all run time is charged; check books. */
static void t_finish(struct t_rig *r)
{
	struct pv_sched_vp_stats *st;
	unsigned int i;

	for (i = 0; i < r->nr_lps; i++)
		if (r->lps[i].curr)
			t_stop(r, i);
	for (i = 0; i < r->nr_vps; i++) {
		st = &r->vps[i].core.st;
		KUNIT_EXPECT_EQ_MSG(r->test, st->run_ns, r->vps[i].run,
				    "VP %u run time", i);
		KUNIT_EXPECT_EQ_MSG(r->test, st->wait_ns, r->vps[i].wait,
				    "VP %u wait time", i);
	}
	KUNIT_EXPECT_EQ(r->test, r->bad_picks, 0);
}

static u64 t_run_ns(struct t_rig *r, unsigned int i)
{
	return r->vps[i].core.st.run_ns;
}

static void sched_weights(struct kunit *test)
{
	static const u32 w[] = { 100, 200, 300, 400, 100, 200, 300, 400 };
	struct t_rig *r = t_rig(test, 4, 1, ARRAY_SIZE(w));
	struct pv_sched_params p;
	u64 total = 0, wsum = 0, want, diff;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		p = t_params(w[i]);
		t_add(r, i, &p, 0, 0);
		wsum += w[i];
	}
	t_run(r, 20 * NSEC_PER_SEC);
	t_finish(r);
	for (i = 0; i < ARRAY_SIZE(w); i++)
		total += t_run_ns(r, i);
	/* Always-ready VPs keep every LP busy. */
	KUNIT_EXPECT_EQ(test, total, r->nr_lps * r->now);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		/* share run / total against w / wsum, within 2 % of it */
		want = w[i] * total;
		diff = t_absdiff(t_run_ns(r, i) * wsum, want);
		KUNIT_EXPECT_LE_MSG(test, diff * 50, want,
				    "VP %u weight %u ran %llu of %llu", i, w[i],
				    t_run_ns(r, i), total);
	}
}

static void sched_weight_edges(struct kunit *test)
{
	struct t_rig *r = t_rig(test, 1, 1, 2);
	struct pv_sched_params p;
	unsigned int i, n = 3;
	u64 light, total;

	/*
	 * The light VP is owed 1/10001 of the LP. Its shortest slice keeps
	 * one dispatch of it well under the 0.05 % bound over the run.
	 */
	p = t_params(PARTVISOR_SCHED_WEIGHT_MIN);
	p.slice_ns = PARTVISOR_SCHED_SLICE_MIN_US * NSEC_PER_USEC;
	t_add(r, 0, &p, 0, 0);
	p = t_params(PARTVISOR_SCHED_WEIGHT_MAX);
	t_add(r, 1, &p, 0, 0);
	t_run(r, 20 * NSEC_PER_SEC);
	t_finish(r);
	light = t_run_ns(r, 0);
	total = light + t_run_ns(r, 1);
	KUNIT_EXPECT_GT(test, light, 0);
	KUNIT_EXPECT_LT(test, light * 10000, total * 5);

	/* Equal weights on one LP: round robin, in a fixed order. */
	r = t_rig(test, 1, 1, n);
	r->trace_cap = 10 * n;
	r->trace = kunit_kcalloc(test, r->trace_cap, sizeof(*r->trace),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->trace);
	p = t_params(PARTVISOR_SCHED_WEIGHT_DEFAULT);
	for (i = 0; i < n; i++)
		t_add(r, i, &p, 0, 0);
	t_run(r, NSEC_PER_SEC);
	t_finish(r);
	KUNIT_ASSERT_EQ(test, r->trace_nr, r->trace_cap);
	KUNIT_EXPECT_NE(test, r->trace[0], r->trace[1]);
	KUNIT_EXPECT_NE(test, r->trace[1], r->trace[2]);
	KUNIT_EXPECT_NE(test, r->trace[0], r->trace[2]);
	for (i = n; i < r->trace_nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, r->trace[i], r->trace[i - n],
				    "pick %u", i);
	total = 0;
	for (i = 0; i < n; i++)
		total += t_run_ns(r, i);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_LE_MSG(test, t_absdiff(t_run_ns(r, i) * n, total),
				    n * T_SLICE, "VP %u", i);
}

/* The root's floor: reserves on an LP stop at 100 % minus the floor. */
static void sched_root_floor(struct kunit *test)
{
	struct t_rig *r = t_rig(test, 1, 1, 2);
	struct pv_sched_vp *a = &r->vps[0].core, *b = &r->vps[1].core;
	struct pv_sched_params p = t_params(100);

	r->s.cfg.root_floor_pct = 5;
	p.reserve = 100;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, a, &p, 0), -ENOSPC);
	p.reserve = 96;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, a, &p, 0), -ENOSPC);
	p.reserve = 90;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, a, &p, 0), 0);
	p.reserve = 6;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), -ENOSPC);
	p.reserve = 5;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), 0);
	KUNIT_EXPECT_EQ(test, r->lps[0].nr_reserved_pct, 95);
	/* A change that would cross it fails and changes nothing. */
	p.reserve = 6;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_set(&r->s, b, &p), -ENOSPC);
	KUNIT_EXPECT_EQ(test, r->lps[0].nr_reserved_pct, 95);
}

static void sched_reserve_admission(struct kunit *test)
{
	struct t_rig *r = t_rig(test, 1, 1, 2);
	struct pv_sched_vp *a = &r->vps[0].core, *b = &r->vps[1].core;
	struct pv_sched_lp *lp0 = &r->lps[0], *lp1;
	struct pv_sched_params p = t_params(100), q;
	u64 *only0;

	/* All of an LP for one VP, and then nothing more with a reserve. */
	p.reserve = 100;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, a, &p, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, a->res_lp, lp0);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 100);
	p.reserve = 1;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), -ENOSPC);
	p.reserve = 0;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), 0);
	KUNIT_EXPECT_NULL(test, b->res_lp);
	pv_sched_vp_remove(&r->s, b, 0);
	/* Removing a VP releases its reserve. */
	pv_sched_vp_remove(&r->s, a, 0);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 0);
	KUNIT_EXPECT_NULL(test, lp0->reserved);

	p.reserve = 60;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, a, &p, 0), 0);
	p.reserve = 40;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->res_lp, lp0);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 100);
	pv_sched_vp_remove(&r->s, b, 0);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 60);
	p.reserve = 50;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 60);

	/* Two LPs: the affinity decides whether there is room elsewhere. */
	r = t_rig(test, 2, 1, 2);
	a = &r->vps[0].core;
	b = &r->vps[1].core;
	lp0 = &r->lps[0];
	lp1 = &r->lps[1];
	only0 = t_mask(test, 1);
	p = t_params(100);
	p.reserve = 60;
	p.affinity = only0;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, a, &p, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, a->res_lp, lp0);
	p.reserve = 50;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), -ENOSPC);
	p.affinity = NULL;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(&r->s, b, &p, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->res_lp, lp1);

	/* A failed change of policy changes nothing. */
	q = t_params(200);
	q.reserve = 50;
	q.affinity = only0;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_set(&r->s, b, &q), -ENOSPC);
	q.weight = 0;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_set(&r->s, b, &q), -EINVAL);
	KUNIT_EXPECT_EQ(test, b->p.weight, 100);
	KUNIT_EXPECT_EQ(test, b->p.reserve, 50);
	KUNIT_EXPECT_TRUE(test, b->any_lp);
	KUNIT_EXPECT_PTR_EQ(test, b->res_lp, lp1);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 60);
	KUNIT_EXPECT_EQ(test, lp1->nr_reserved_pct, 50);

	/* One that fits moves the reserve, and frees the old one. */
	q.weight = 200;
	q.reserve = 40;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_set(&r->s, b, &q), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->res_lp, lp0);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 100);
	KUNIT_EXPECT_EQ(test, lp1->nr_reserved_pct, 0);
	pv_sched_vp_remove(&r->s, a, 0);
	KUNIT_EXPECT_EQ(test, lp0->nr_reserved_pct, 40);
	KUNIT_EXPECT_PTR_EQ(test, lp0->reserved, b);
}

static void sched_reserve_guarantee(struct kunit *test)
{
	struct t_rig *r = t_rig(test, 2, 1, 8);
	struct pv_sched_params p = t_params(PARTVISOR_SCHED_WEIGHT_MIN);
	u64 period = r->s.cfg.period_ns, reserve = 40, budget;
	struct pv_sched_lp *res;
	unsigned int i, k, n = 10;

	p.reserve = reserve;
	budget = period * reserve / 100;
	t_add(r, 0, &p, 0, 0);
	res = r->vps[0].core.res_lp;
	KUNIT_ASSERT_NOT_NULL(test, res);
	/* By weight alone it would get about 1/35000 of an LP. */
	p = t_params(PARTVISOR_SCHED_WEIGHT_MAX);
	for (i = 1; i < r->nr_vps; i++)
		t_add(r, i, &p, 0, 0);
	for (k = 0; k < n; k++) {
		/* Nothing of this period's reserve has run yet. */
		t_run(r, k * period);
		KUNIT_EXPECT_EQ_MSG(test, pv_sched_lp_owed(&r->s, res, r->now),
				    budget, "period %u", k);
		/* Reserves go first: paid well before the period ends. */
		t_run(r, k * period + period * 3 / 4);
		KUNIT_EXPECT_EQ_MSG(test, pv_sched_lp_owed(&r->s, res, r->now),
				    0, "period %u", k);
	}
	t_run(r, n * period);
	t_finish(r);
	/* 40 % of one LP, less 0.5 percentage points */
	KUNIT_EXPECT_GE(test, t_run_ns(r, 0) * 1000,
			n * period * (reserve * 10 - 5));
}

static void sched_limit(struct kunit *test)
{
	struct t_rig *r = t_rig(test, 1, 1, 2);
	struct pv_sched_params p = t_params(100);
	u64 t, a;

	p.limit = 25;
	t_add(r, 0, &p, 0, 0);
	p = t_params(100);
	t_add(r, 1, &p, 0, 0);
	t = 20 * r->s.cfg.period_ns;
	t_run(r, t);
	t_finish(r);
	a = t_run_ns(r, 0);
	/* between 24 % and 25.5 % of the LP */
	KUNIT_EXPECT_GE(test, a * 1000, t * 240);
	KUNIT_EXPECT_LE(test, a * 1000, t * 255);
	KUNIT_EXPECT_GT(test, r->vps[0].core.st.throttles, 0);
	/* The other VP fills the LP whenever the limited one may not run. */
	KUNIT_EXPECT_EQ(test, a + t_run_ns(r, 1), t);
	KUNIT_EXPECT_EQ(test, r->idle_picks, 0);
	KUNIT_EXPECT_EQ(test, r->lps[0].st.idle_ns, 0);
}

static void sched_affinity(struct kunit *test)
{
	/* LP masks, 0: any; bursty VPs (odd) wake and get placed often. */
	static const u64 masks[] = { 0x1, 0x2, 0x3, 0xc, 0xe, 0x8, 0, 0x5 };
	struct t_rig *r = t_rig(test, 4, 1, ARRAY_SIZE(masks));
	struct pv_sched_vp *run, *queued;
	struct pv_sched_decision d;
	struct pv_sched_params p;
	unsigned int i;
	u64 *only1;

	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		p = t_params(100 * (i + 1));
		p.affinity = masks[i] ? t_mask(test, masks[i]) : NULL;
		if (i & 1)
			t_add(r, i, &p, (i + 2) * T_MS, 5 * T_MS);
		else
			t_add(r, i, &p, 0, 0);
	}
	t_run(r, 2 * NSEC_PER_SEC);
	t_finish(r);	/* checks every pick against the masks above */
	for (i = 0; i < ARRAY_SIZE(masks); i++)
		KUNIT_EXPECT_GT_MSG(test, t_run_ns(r, i), 0, "VP %u", i);

	/* A new mask moves a queued VP at once, a running one at its stop. */
	r = t_rig(test, 2, 1, 2);
	only1 = t_mask(test, 2);
	p = t_params(100);
	p.affinity = t_mask(test, 1);
	t_add(r, 0, &p, 0, 0);
	t_add(r, 1, &p, 0, 0);
	KUNIT_EXPECT_PTR_EQ(test, r->vps[1].core.lp, &r->lps[0]);
	pv_sched_pick(&r->s, &r->lps[0], 0, &d);
	KUNIT_ASSERT_NOT_NULL(test, d.vp);
	run = d.vp;
	queued = run == &r->vps[0].core ? &r->vps[1].core : &r->vps[0].core;
	KUNIT_EXPECT_EQ(test, queued->state, PV_SCHED_READY);
	p.affinity = only1;
	KUNIT_EXPECT_EQ(test, pv_sched_vp_set(&r->s, queued, &p), 0);
	KUNIT_EXPECT_EQ(test, queued->state, PV_SCHED_READY);
	KUNIT_EXPECT_PTR_EQ(test, queued->lp, &r->lps[1]);
	KUNIT_EXPECT_EQ(test, r->lps[0].nr_ready, 0);
	KUNIT_EXPECT_EQ(test, r->lps[1].nr_ready, 1);
	KUNIT_EXPECT_EQ(test, r->lps[0].load, run->p.weight);
	KUNIT_EXPECT_EQ(test, r->lps[1].load, queued->p.weight);

	KUNIT_EXPECT_EQ(test, pv_sched_vp_set(&r->s, run, &p), 0);
	KUNIT_EXPECT_EQ(test, run->state, PV_SCHED_RUNNING);
	KUNIT_EXPECT_PTR_EQ(test, run->lp, &r->lps[0]);
	KUNIT_EXPECT_TRUE(test, r->lps[0].need_resched);
	pv_sched_stop(&r->s, &r->lps[0], T_MS, true);
	KUNIT_EXPECT_EQ(test, run->state, PV_SCHED_READY);
	KUNIT_EXPECT_PTR_EQ(test, run->lp, &r->lps[1]);
	KUNIT_EXPECT_EQ(test, r->lps[1].nr_ready, 2);
	KUNIT_EXPECT_EQ(test, r->lps[0].load, 0);
	KUNIT_EXPECT_EQ(test, r->lps[1].load, 2 * p.weight);
	pv_sched_pick(&r->s, &r->lps[0], T_MS, &d);
	KUNIT_EXPECT_NULL(test, d.vp);
	pv_sched_pick(&r->s, &r->lps[1], T_MS, &d);
	KUNIT_EXPECT_NOT_NULL(test, d.vp);
}

static void sched_numa(struct kunit *test)
{
	struct t_rig *r = t_rig(test, 4, 2, 4);
	struct pv_sched_params p;
	u64 off = 0, node1 = 0;
	struct pv_sched_vp *vp;
	unsigned int i;

	/*
	 * Two VPs per node, in bursts of different lengths: many wakes.
	 * Node 1's VPs wake first, where placing by load alone would put
	 * them on node 0.
	 */
	for (i = 0; i < 4; i++) {
		p = t_params(100);
		p.node = 1 - i / 2;
		t_add(r, i, &p, (3 + i) * T_MS, (1 + i) * T_MS);
	}
	t_run(r, 2 * NSEC_PER_SEC);
	t_finish(r);
	for (i = 0; i < 4; i++) {
		vp = &r->vps[i].core;
		KUNIT_EXPECT_GT(test, vp->st.run_ns, 0);
		KUNIT_EXPECT_GE_MSG(test, vp->st.home_ns * 100,
				    vp->st.run_ns * 95, "VP %u", i);
	}

	/* Six VPs at home on node 0 and nothing on node 1: they spill. */
	r = t_rig(test, 4, 2, 6);
	p = t_params(100);
	p.node = 0;
	for (i = 0; i < 6; i++)
		t_add(r, i, &p, 0, 0);
	t_run(r, NSEC_PER_SEC);
	t_finish(r);
	for (i = 0; i < 6; i++) {
		vp = &r->vps[i].core;
		off += vp->st.run_ns - vp->st.home_ns;
	}
	for (i = 0; i < 4; i++)
		if (r->lps[i].node == 1)
			node1 += r->lps[i].st.run_ns;
	KUNIT_EXPECT_GT(test, off, 0);
	KUNIT_EXPECT_EQ(test, off, node1);
}

/* All VPs start on LP 0; balancing alone must spread them evenly. */
static void t_balance(struct kunit *test, const u32 *w, unsigned int nr)
{
	struct t_rig *r = t_rig(test, 4, 1, nr);
	u64 *only0 = t_mask(test, 1);
	struct pv_sched_params p;
	u64 wsum = 0, load;
	unsigned int i, j, count;

	for (i = 0; i < nr; i++) {
		p = t_params(w[i]);
		p.affinity = only0;
		t_add(r, i, &p, 0, 0);
		wsum += w[i];
	}
	KUNIT_EXPECT_EQ(test, r->lps[0].load, wsum);
	for (i = 0; i < nr; i++) {
		p = t_params(w[i]);
		KUNIT_EXPECT_EQ(test, pv_sched_vp_set(&r->s, &r->vps[i].core,
						      &p), 0);
		r->vps[i].aff = NULL;
	}
	/* Widening a mask moves nothing by itself. */
	KUNIT_EXPECT_EQ(test, r->lps[0].load, wsum);
	t_run(r, 50 * r->s.cfg.balance_ns);
	for (i = 0; i < r->nr_lps; i++) {
		load = 0;
		count = 0;
		for (j = 0; j < nr; j++) {
			if (r->vps[j].core.lp == &r->lps[i]) {
				load += w[j];
				count++;
			}
		}
		KUNIT_EXPECT_EQ_MSG(test, load, wsum / r->nr_lps, "LP %u", i);
		KUNIT_EXPECT_EQ_MSG(test, count, nr / r->nr_lps, "LP %u", i);
		KUNIT_EXPECT_EQ_MSG(test, r->lps[i].load, load, "LP %u", i);
		if (i)
			KUNIT_EXPECT_GT_MSG(test, r->lps[i].st.balance_moves, 0,
					    "LP %u", i);
	}
	t_finish(r);
}

static void sched_balance(struct kunit *test)
{
	static const u32 equal[] = { 100, 100, 100, 100, 100, 100, 100, 100 };
	/* Moves alone cannot even these out: it takes swaps. */
	static const u32 swap[] = { 400, 100, 300, 200, 400, 100, 300, 200 };

	t_balance(test, equal, ARRAY_SIZE(equal));
	t_balance(test, swap, ARRAY_SIZE(swap));
}

/* @n always-ready VPs on one LP; returns VP 0's wait per dispatch. */
static u64 t_wait_rr(struct kunit *test, unsigned int n)
{
	struct t_rig *r = t_rig(test, 1, 1, n);
	struct pv_sched_params p = t_params(100);
	struct pv_sched_vp_stats *st;
	unsigned int i;

	for (i = 0; i < n; i++)
		t_add(r, i, &p, 0, 0);
	t_run(r, NSEC_PER_SEC);
	t_finish(r);
	for (i = 0; i < n; i++) {
		st = &r->vps[i].core.st;
		/* Between two of its slices, each other VP runs one. */
		KUNIT_EXPECT_LE_MSG(test, t_absdiff(st->wait_ns,
						    (n - 1) * st->run_ns),
				    (n - 1) * T_SLICE, "VP %u of %u", i, n);
		KUNIT_EXPECT_LE_MSG(test, t_absdiff(st->wait_ns, (n - 1) *
						    T_SLICE * st->dispatches),
				    (n - 1) * T_SLICE, "VP %u of %u", i, n);
	}
	st = &r->vps[0].core.st;
	KUNIT_ASSERT_GT(test, st->dispatches, 0);
	return st->wait_ns / st->dispatches;
}

static void sched_wait_accounting(struct kunit *test)
{
	struct pv_sched_params p = t_params(100);
	struct pv_sched_vp_stats *st;
	struct t_rig *r;

	KUNIT_EXPECT_GT(test, t_wait_rr(test, 4), t_wait_rr(test, 2));

	/*
	 * A VP that blocks for 32 ms after each 5 ms burst, so that it wakes
	 * in the middle of the other VP's slice and waits for the rest of
	 * it. t_finish() holds its wait against the driver's, which counts
	 * from the wake.
	 */
	r = t_rig(test, 1, 1, 2);
	t_add(r, 0, &p, 0, 0);
	t_add(r, 1, &p, 5 * T_MS, 32 * T_MS);
	t_run(r, NSEC_PER_SEC);
	t_finish(r);
	st = &r->vps[1].core.st;
	KUNIT_EXPECT_GT(test, st->dispatches, 10);
	KUNIT_EXPECT_LE(test, st->wait_ns, st->dispatches * T_SLICE);
}

static void sched_check_ranges(struct kunit *test)
{
	struct t_rig *r = t_rig(test, 4, 2, 1);
	struct pv_sched_params ok = t_params(100), p;
	struct pv_sched *s = &r->s;

	/* zero config fields take the defaults */
	KUNIT_EXPECT_EQ(test, s->cfg.period_ns, 100 * T_MS);
	KUNIT_EXPECT_EQ(test, s->cfg.balance_ns, 4 * T_MS);
	KUNIT_EXPECT_EQ(test, s->nr_nodes, 2);
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &ok), 0);

	p = ok;
	p.weight = PARTVISOR_SCHED_WEIGHT_MIN - 1;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	KUNIT_EXPECT_EQ(test, pv_sched_vp_add(s, &r->vps[0].core, &p, 0),
			-EINVAL);
	p.weight = PARTVISOR_SCHED_WEIGHT_MAX + 1;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.weight = PARTVISOR_SCHED_WEIGHT_MIN;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);
	p.weight = PARTVISOR_SCHED_WEIGHT_MAX;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);

	p = ok;
	p.reserve = PARTVISOR_SCHED_RESERVE_MAX + 1;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.reserve = PARTVISOR_SCHED_RESERVE_MAX;
	p.limit = PARTVISOR_SCHED_LIMIT_MAX;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);
	p.reserve = 30;
	p.limit = 20;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.reserve = 20;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);

	p = ok;
	p.limit = PARTVISOR_SCHED_LIMIT_MIN - 1;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.limit = PARTVISOR_SCHED_LIMIT_MAX + 1;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.limit = PARTVISOR_SCHED_LIMIT_MIN;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);

	p = ok;
	p.slice_ns = PARTVISOR_SCHED_SLICE_MIN_US * NSEC_PER_USEC - 1000;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.slice_ns = PARTVISOR_SCHED_SLICE_MAX_US * NSEC_PER_USEC + 1000;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.slice_ns = PARTVISOR_SCHED_SLICE_MIN_US * NSEC_PER_USEC;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);
	p.slice_ns = PARTVISOR_SCHED_SLICE_MAX_US * NSEC_PER_USEC;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);

	p = ok;
	p.node = s->nr_nodes;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.node = s->nr_nodes - 1;
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);

	/* Bit n is LP n: only LPs 0-3 exist. */
	p = ok;
	p.affinity = t_mask(test, 0);
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.affinity = t_mask(test, 0x10);
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), -EINVAL);
	p.affinity = t_mask(test, 0x18);
	KUNIT_EXPECT_EQ(test, pv_sched_check(s, &p), 0);
}

/* xorshift64: reproducible without a seeded kernel RNG */
static u64 t_rand(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* (vtime, seq) order, vtimes counted from @base so that they may wrap */
static bool t_earlier(const struct pv_sched_vp *a,
		      const struct pv_sched_vp *b, u64 base)
{
	if (a->vtime - base != b->vtime - base)
		return a->vtime - base < b->vtime - base;
	return a->seq < b->seq;
}

static void sched_heap_order(struct kunit *test)
{
	const unsigned int n = 300;
	struct pv_sched_vp *vps, *root = NULL, *v, *prev = NULL;
	/* vtimes just below the wrap of u64, some past it */
	u64 base = U64_MAX - 1000, x = 0x9e3779b97f4a7c15ULL;
	unsigned int i, popped = 0, added = 0, removed = 0;
	u8 *queued;

	vps = kunit_kcalloc(test, 2 * n, sizeof(*vps), GFP_KERNEL);
	queued = kunit_kcalloc(test, 2 * n, sizeof(*queued), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, vps && queued);
	for (i = 0; i < n; i++) {
		/* few distinct vtimes: many ties, ordered by seq alone */
		vps[i].vtime = base + t_rand(&x) % 2000;
		vps[i].seq = (i * 7919) % n;
		pv_heap_insert(&root, &vps[i]);
		queued[i] = 1;
	}
	added = n;
	/* Out of the middle: a random third, neighbours in a row included. */
	for (i = 0; i < n; i++) {
		if (t_rand(&x) % 3)
			continue;
		pv_heap_remove(&root, &vps[i]);
		queued[i] = 0;
		removed++;
	}
	while (root) {
		v = root;
		pv_heap_remove(&root, v);
		KUNIT_ASSERT_TRUE(test, queued[v - vps]);
		queued[v - vps] = 0;
		if (prev)
			KUNIT_EXPECT_TRUE_MSG(test, t_earlier(prev, v, base),
					      "pop %u", popped);
		prev = v;
		popped++;
		/* Now and then one more, no earlier than the last pop ... */
		if (popped % 4 == 0 && added < 2 * n) {
			v = &vps[added];
			v->vtime = prev->vtime + t_rand(&x) % 8;
			v->seq = added;
			pv_heap_insert(&root, v);
			queued[added++] = 1;
		}
		/* ... and one out of the middle of the reshaped heap. */
		v = &vps[t_rand(&x) % added];
		if (popped % 3 == 0 && queued[v - vps] && v != root) {
			pv_heap_remove(&root, v);
			queued[v - vps] = 0;
			removed++;
		}
	}
	KUNIT_EXPECT_EQ(test, popped, added - removed);
	KUNIT_EXPECT_GT(test, added, n);
}

/* Cases are named without their functions' sched_ prefix. */
#define T_CASE(c) { .run_case = sched_##c, .name = #c }

static struct kunit_case pv_sched_cases[] = {
	T_CASE(weights),
	T_CASE(weight_edges),
	T_CASE(reserve_admission),
	T_CASE(root_floor),
	T_CASE(reserve_guarantee),
	T_CASE(limit),
	T_CASE(affinity),
	T_CASE(numa),
	T_CASE(balance),
	T_CASE(wait_accounting),
	T_CASE(check_ranges),
	T_CASE(heap_order),
	{}
};

static struct kunit_suite pv_sched_suite = {
	.name = "partvisor_sched",
	.test_cases = pv_sched_cases,
};

kunit_test_suite(pv_sched_suite);
