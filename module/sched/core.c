// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler core's decisions and accounting: policy checks, VP
 * states, picking the next VP for an LP and charging what it ran.
 * Placement and balancing are in balance.c, the run queue in heap.c.
 */
#include "internal.h"

/* vtime advances by run time * PV_VT_SCALE / weight. */
#define PV_VT_SCALE	PARTVISOR_SCHED_WEIGHT_MAX

bool pv_aff_test(const u64 *aff, unsigned int lp)
{
	return (aff[lp / 64] >> (lp % 64)) & 1;
}

bool pv_sched_allowed(const struct pv_sched_vp *vp,
		      const struct pv_sched_lp *lp)
{
	if (vp->res_lp)
		return lp == vp->res_lp;
	return vp->any_lp || pv_aff_test(vp->aff, lp->id);
}

static u64 pv_pct(const struct pv_sched *s, u32 pct)
{
	return div64_u64(s->cfg.period_ns * pct, 100);
}

static u64 pv_period_of(const struct pv_sched *s, u64 now)
{
	return div64_u64(now, s->cfg.period_ns);
}

static bool pv_limited(const struct pv_sched_vp *vp)
{
	return vp->p.limit < PARTVISOR_SCHED_LIMIT_MAX;
}

/*
 * The VP's run time charged to the current period, the running stretch
 * included. A slice ends at the first exit after its timer, a little
 * late; what a limited VP ran beyond its budget in the last period is
 * charged to this one, so that the limit holds over time.
 */
static u64 pv_used(const struct pv_sched *s, const struct pv_sched_vp *vp,
		   u64 now)
{
	u64 per = pv_period_of(s, now), start = per * s->cfg.period_ns;
	u64 used = 0, budget;

	if (vp->period == per) {
		used = vp->period_used;
	} else if (vp->period + 1 == per && pv_limited(vp)) {
		budget = pv_pct(s, vp->p.limit);
		if (vp->period_used > budget)
			used = vp->period_used - budget;
	}

	if (vp->state == PV_SCHED_RUNNING)
		used += now - (vp->since > start ? vp->since : start);
	return used;
}

/* Reserve time @vp is still owed this period (0 when not ready). */
static u64 pv_owed(const struct pv_sched *s, const struct pv_sched_vp *vp,
		   u64 now)
{
	u64 budget = pv_pct(s, vp->p.reserve), used;

	if (vp->state != PV_SCHED_READY && vp->state != PV_SCHED_RUNNING)
		return 0;
	used = pv_used(s, vp, now);
	return used < budget ? budget - used : 0;
}

u64 pv_sched_lp_owed(struct pv_sched *s, struct pv_sched_lp *lp, u64 now)
{
	struct pv_sched_vp *vp;
	u64 owed = 0;

	for (vp = lp->reserved; vp; vp = vp->r_next)
		owed += pv_owed(s, vp, now);
	return owed;
}

int pv_sched_check_ranges(const struct pv_sched_params *p)
{
	if (p->weight < PARTVISOR_SCHED_WEIGHT_MIN ||
	    p->weight > PARTVISOR_SCHED_WEIGHT_MAX ||
	    p->reserve > PARTVISOR_SCHED_RESERVE_MAX ||
	    p->limit < PARTVISOR_SCHED_LIMIT_MIN ||
	    p->limit > PARTVISOR_SCHED_LIMIT_MAX || p->reserve > p->limit ||
	    p->slice_ns < PARTVISOR_SCHED_SLICE_MIN_US * 1000ULL ||
	    p->slice_ns > PARTVISOR_SCHED_SLICE_MAX_US * 1000ULL)
		return -EINVAL;
	return 0;
}

int pv_sched_check(const struct pv_sched *s, const struct pv_sched_params *p)
{
	unsigned int i;
	bool any = !p->affinity;

	if (pv_sched_check_ranges(p))
		return -EINVAL;
	if (p->node != PARTVISOR_SCHED_NODE_NONE && p->node >= s->nr_nodes)
		return -EINVAL;
	for (i = 0; !any && i < s->nr_lps; i++)
		any = pv_aff_test(p->affinity, i);
	return any ? 0 : -EINVAL;
}

static void pv_load(struct pv_sched *s, struct pv_sched_lp *lp, s64 delta)
{
	lp->load += delta;
	pv_tree_update(s, lp);
}

void pv_enqueue(struct pv_sched *s, struct pv_sched_lp *lp,
		struct pv_sched_vp *vp)
{
	/* No credit for time spent blocked or queued elsewhere. */
	if ((s64)(vp->vtime - lp->min_vtime) < 0)
		vp->vtime = lp->min_vtime;
	vp->seq = s->seq++;
	vp->lp = lp;
	vp->state = PV_SCHED_READY;
	pv_heap_insert(&lp->heap, vp);
	lp->nr_ready++;
	s->nr_ready++;
}

/* Out of its LP's heap; the caller decides its new state. */
void pv_dequeue(struct pv_sched *s, struct pv_sched_vp *vp)
{
	pv_heap_remove(&vp->lp->heap, vp);
	vp->lp->nr_ready--;
	s->nr_ready--;
}

/* Keep the VP's place relative to the others when it changes queue. */
static void pv_rebase(struct pv_sched_vp *vp, const struct pv_sched_lp *from,
		      const struct pv_sched_lp *to)
{
	if (from)
		vp->vtime = vp->vtime - from->min_vtime + to->min_vtime;
	else
		vp->vtime = to->min_vtime;
}

/* A queued VP into @to's queue, keeping its place in virtual time. */
void pv_migrate(struct pv_sched *s, struct pv_sched_vp *vp,
		struct pv_sched_lp *to)
{
	struct pv_sched_lp *from = vp->lp;

	pv_dequeue(s, vp);
	pv_load(s, from, -(s64)vp->p.weight);
	pv_rebase(vp, from, to);
	pv_enqueue(s, to, vp);
	pv_load(s, to, vp->p.weight);
}

static void pv_list_add(struct pv_sched_vp **head, struct pv_sched_vp *vp,
			bool reserved)
{
	struct pv_sched_vp **next = reserved ? &vp->r_next : &vp->l_next;
	struct pv_sched_vp **prev = reserved ? &vp->r_prev : &vp->l_prev;

	*prev = NULL;
	*next = *head;
	if (*head) {
		if (reserved)
			(*head)->r_prev = vp;
		else
			(*head)->l_prev = vp;
	}
	*head = vp;
}

static void pv_list_del(struct pv_sched_vp **head, struct pv_sched_vp *vp,
			bool reserved)
{
	struct pv_sched_vp *next = reserved ? vp->r_next : vp->l_next;
	struct pv_sched_vp *prev = reserved ? vp->r_prev : vp->l_prev;

	if (prev) {
		if (reserved)
			prev->r_next = next;
		else
			prev->l_next = next;
	} else {
		*head = next;
	}
	if (next) {
		if (reserved)
			next->r_prev = prev;
		else
			next->l_prev = prev;
	}
}

static void pv_set_reserve(struct pv_sched_vp *vp, struct pv_sched_lp *lp,
			   u32 pct)
{
	if (vp->res_lp) {
		vp->res_lp->nr_reserved_pct -= vp->p.reserve;
		pv_list_del(&vp->res_lp->reserved, vp, true);
	}
	vp->res_lp = lp;
	if (lp) {
		lp->nr_reserved_pct += pct;
		pv_list_add(&lp->reserved, vp, true);
	}
}

/* The policy in @vp's own copy; a NULL or full affinity: any LP. */
static void pv_copy_params(struct pv_sched_vp *vp,
			   const struct pv_sched_params *p)
{
	unsigned int i;

	vp->p = *p;
	vp->any_lp = true;
	for (i = 0; i < PV_SCHED_AFF_WORDS; i++) {
		vp->aff[i] = p->affinity ? p->affinity[i] : ~0ULL;
		if (vp->aff[i] != ~0ULL)
			vp->any_lp = false;
	}
	vp->p.affinity = NULL;
}

int pv_sched_vp_add(struct pv_sched *s, struct pv_sched_vp *vp,
		    const struct pv_sched_params *p, u64 now)
{
	struct pv_sched_lp *res_lp;
	int ret;

	*vp = (struct pv_sched_vp){ .state = PV_SCHED_BLOCKED };
	ret = pv_sched_check(s, p);
	if (ret)
		return ret;
	pv_copy_params(vp, p);
	ret = pv_admit(s, vp, p, vp->aff, vp->any_lp, &res_lp);
	if (ret)
		return ret;
	pv_set_reserve(vp, res_lp, p->reserve);
	vp->period = pv_period_of(s, now);
	vp->since = now;
	return 0;
}

/* Move a queued or throttled VP to where its new policy allows. */
static void pv_replace(struct pv_sched *s, struct pv_sched_vp *vp)
{
	struct pv_sched_lp *from = vp->lp, *to;

	if (pv_sched_allowed(vp, from))
		return;
	to = pv_place(s, vp);
	if (vp->state == PV_SCHED_THROTTLED) {
		pv_list_del(&from->throttled, vp, false);
		pv_list_add(&to->throttled, vp, false);
		pv_rebase(vp, from, to);
		vp->lp = to;
		return;
	}
	pv_migrate(s, vp, to);
}

int pv_sched_vp_set(struct pv_sched *s, struct pv_sched_vp *vp,
		    const struct pv_sched_params *p)
{
	struct pv_sched_vp tmp;
	struct pv_sched_lp *res_lp;
	u32 old_weight = vp->p.weight;
	int ret;

	ret = pv_sched_check(s, p);
	if (ret)
		return ret;
	pv_copy_params(&tmp, p);
	ret = pv_admit(s, vp, p, tmp.aff, tmp.any_lp, &res_lp);
	if (ret)
		return ret;
	pv_set_reserve(vp, NULL, 0);
	vp->p = tmp.p;
	vp->any_lp = tmp.any_lp;
	memcpy(vp->aff, tmp.aff, sizeof(vp->aff));
	pv_set_reserve(vp, res_lp, p->reserve);
	if (vp->state == PV_SCHED_READY || vp->state == PV_SCHED_RUNNING)
		pv_load(s, vp->lp, (s64)p->weight - old_weight);
	if (vp->state == PV_SCHED_READY || vp->state == PV_SCHED_THROTTLED)
		pv_replace(s, vp);
	else if (vp->state == PV_SCHED_RUNNING && !pv_sched_allowed(vp, vp->lp))
		vp->lp->need_resched = true;
	return 0;
}

void pv_sched_block(struct pv_sched *s, struct pv_sched_vp *vp)
{
	if (vp->state == PV_SCHED_READY) {
		pv_dequeue(s, vp);
		pv_load(s, vp->lp, -(s64)vp->p.weight);
	} else if (vp->state == PV_SCHED_THROTTLED) {
		pv_list_del(&vp->lp->throttled, vp, false);
	}
	if (vp->state != PV_SCHED_RUNNING)
		vp->state = PV_SCHED_BLOCKED;
}

void pv_sched_vp_remove(struct pv_sched *s, struct pv_sched_vp *vp, u64 now)
{
	/* The caller should have stopped it; account as a stop. */
	if (vp->state == PV_SCHED_RUNNING)
		pv_sched_stop(s, vp->lp, now, false);
	pv_sched_block(s, vp);
	pv_set_reserve(vp, NULL, 0);
	if (vp->lp && vp->lp->last == vp)
		vp->lp->last = NULL;
}

struct pv_sched_lp *pv_sched_wake(struct pv_sched *s, struct pv_sched_vp *vp,
				  u64 now)
{
	struct pv_sched_lp *to;

	if (vp->state != PV_SCHED_BLOCKED)
		return vp->lp;
	to = pv_place(s, vp);
	pv_rebase(vp, vp->lp, to);
	vp->since = now;
	pv_enqueue(s, to, vp);
	pv_load(s, to, vp->p.weight);
	/* A reserve owed now does not wait for the end of a slice. */
	if (to->curr && pv_owed(s, vp, now) && !pv_owed(s, to->curr, now))
		to->need_resched = true;
	return to;
}

/* New period: the throttled VPs of @lp queue again. */
static void pv_release(struct pv_sched *s, struct pv_sched_lp *lp)
{
	struct pv_sched_vp *vp;

	while ((vp = lp->throttled)) {
		pv_list_del(&lp->throttled, vp, false);
		pv_enqueue(s, lp, vp);
		pv_load(s, lp, vp->p.weight);
	}
}

/* The reserved VP most behind its reserve, or NULL when none is owed. */
static struct pv_sched_vp *pv_pick_reserved(struct pv_sched *s,
					    struct pv_sched_lp *lp, u64 now)
{
	struct pv_sched_vp *vp, *best = NULL;
	u64 best_used = 0, used;

	for (vp = lp->reserved; vp; vp = vp->r_next) {
		if (vp->state != PV_SCHED_READY || !pv_owed(s, vp, now))
			continue;
		used = pv_used(s, vp, now);
		/* used / reserve, compared without dividing */
		if (!best || used * best->p.reserve < best_used * vp->p.reserve) {
			best = vp;
			best_used = used;
		}
	}
	return best;
}

/* The earliest VP in @lp's heap that is within its limit. */
static struct pv_sched_vp *pv_pick_vtime(struct pv_sched *s,
					 struct pv_sched_lp *lp, u64 now)
{
	struct pv_sched_vp *vp;

	while ((vp = lp->heap)) {
		if (!pv_limited(vp) ||
		    pv_used(s, vp, now) < pv_pct(s, vp->p.limit))
			return vp;
		pv_dequeue(s, vp);
		pv_load(s, lp, -(s64)vp->p.weight);
		vp->state = PV_SCHED_THROTTLED;
		vp->st.throttles++;
		pv_list_add(&lp->throttled, vp, false);
	}
	return NULL;
}

void pv_sched_pick(struct pv_sched *s, struct pv_sched_lp *lp, u64 now,
		   struct pv_sched_decision *d)
{
	u64 per = pv_period_of(s, now), end = (per + 1) * s->cfg.period_ns;
	struct pv_sched_vp *vp;
	u64 slice, left, min;

	s->decisions++;
	lp->need_resched = false;
	if (lp->idle_since != U64_MAX) {
		lp->st.idle_ns += now - lp->idle_since;
		lp->idle_since = U64_MAX;
	}
	if (lp->period != per) {
		lp->period = per;
		pv_release(s, lp);
	}
	if (!lp->heap || (s64)(now - lp->next_balance) >= 0) {
		lp->next_balance = now + s->cfg.balance_ns;
		pv_balance(s, lp);
	}

	vp = pv_pick_reserved(s, lp, now);
	slice = vp ? pv_owed(s, vp, now) : 0;
	if (!vp)
		vp = pv_pick_vtime(s, lp, now);
	if (!vp) {
		d->vp = NULL;
		d->slice_ns = 0;
		d->wait_ns = 0;
		/* Throttled VPs come back next period; idle LPs help out. */
		d->wake_ns = lp->throttled ? end : U64_MAX;
		if (s->nr_ready && now + s->cfg.balance_ns < d->wake_ns)
			d->wake_ns = now + s->cfg.balance_ns;
		lp->idle_since = now;
		return;
	}
	pv_dequeue(s, vp);
	vp->state = PV_SCHED_RUNNING;
	d->wait_ns = now - vp->since;
	vp->st.wait_ns += d->wait_ns;
	vp->st.dispatches++;
	if (vp->ran && vp->ran != lp) {
		vp->st.migrations++;
		if (vp->ran->node != lp->node)
			vp->st.node_migrations++;
	}
	vp->ran = lp;
	vp->since = now;
	lp->curr = vp;
	lp->st.dispatches++;
	if (lp->last != vp)
		lp->st.switches++;
	lp->last = vp;
	/* min_vtime: the earliest of curr and the queue, never going back */
	min = vp->vtime;
	if (lp->heap && pv_before(lp->heap, vp))
		min = lp->heap->vtime;
	if ((s64)(min - lp->min_vtime) > 0)
		lp->min_vtime = min;

	if (!slice || slice > vp->p.slice_ns)
		slice = vp->p.slice_ns;
	if (pv_limited(vp)) {
		left = pv_pct(s, vp->p.limit) - pv_used(s, vp, now);
		if (left < slice)
			slice = left;
	}
	/* Reserve and limit are per period: stop at its end to charge it. */
	if ((pv_limited(vp) || vp->res_lp) && end - now < slice)
		slice = end - now;
	d->vp = vp;
	d->slice_ns = slice;
	d->wake_ns = U64_MAX;
}

void pv_sched_stop(struct pv_sched *s, struct pv_sched_lp *lp, u64 now,
		   bool ready)
{
	struct pv_sched_vp *vp = lp->curr;
	u64 ran = now - vp->since, per = pv_period_of(s, now);
	struct pv_sched_lp *to;

	vp->period_used = pv_used(s, vp, now);
	vp->period = per;
	lp->curr = NULL;
	vp->st.run_ns += ran;
	if (vp->p.node == lp->node)
		vp->st.home_ns += ran;
	lp->st.run_ns += ran;
	vp->vtime += div64_u64(ran * PV_VT_SCALE, vp->p.weight);
	vp->since = now;
	if (!ready) {
		vp->state = PV_SCHED_BLOCKED;
		pv_load(s, lp, -(s64)vp->p.weight);
		return;
	}
	if (pv_sched_allowed(vp, lp)) {
		pv_enqueue(s, lp, vp);
		return;
	}
	/* Its policy changed while it ran. */
	to = pv_place(s, vp);
	pv_load(s, lp, -(s64)vp->p.weight);
	pv_rebase(vp, lp, to);
	pv_enqueue(s, to, vp);
	pv_load(s, to, vp->p.weight);
}

unsigned int pv_sched_tree_slots(unsigned int nr_lps)
{
	unsigned int leaves = 1;

	while (leaves < nr_lps)
		leaves <<= 1;
	return 2 * leaves;
}

int pv_sched_init(struct pv_sched *s, const struct pv_sched_config *cfg,
		  struct pv_sched_lp *lps, unsigned int nr_lps,
		  struct pv_sched_slot *tree, u64 now)
{
	unsigned int i, node;

	if (!nr_lps || nr_lps > PV_SCHED_MAX_LPS)
		return -EINVAL;
	*s = (struct pv_sched){ .cfg = *cfg, .lps = lps, .nr_lps = nr_lps,
				.tree = tree };
	if (!s->cfg.period_ns)
		s->cfg.period_ns = PV_SCHED_PERIOD_NS;
	if (!s->cfg.balance_ns)
		s->cfg.balance_ns = PV_SCHED_BALANCE_NS;
	if (!s->cfg.numa_cost_ns)
		s->cfg.numa_cost_ns = PV_SCHED_NUMA_COST_NS;
	for (i = 0; i < nr_lps; i++) {
		node = lps[i].node;
		if (node >= PV_SCHED_MAX_NODES)
			return -EINVAL;
		lps[i] = (struct pv_sched_lp){
			.id = i, .node = node, .idle_since = now,
			.period = pv_period_of(s, now),
			.next_balance = now + s->cfg.balance_ns,
		};
		if (node >= s->nr_nodes)
			s->nr_nodes = node + 1;
	}
	pv_tree_init(s);
	return 0;
}
