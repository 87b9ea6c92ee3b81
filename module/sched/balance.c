// SPDX-License-Identifier: GPL-2.0
/*
 * Where VPs run: reserve admission, placement of a waking VP and
 * balancing between the per-LP run queues.
 *
 * The load of an LP is the weight of its ready and running VPs. A tree of
 * min and max loads over the LPs, ordered by NUMA node so that each node
 * is one range of leaves, finds the idlest or busiest LP of a node or of
 * the system in O(log LPs). Balancing looks at a bounded number of queued
 * VPs (PV_CANDIDATES), so a decision stays O(log LPs) however many VPs
 * there are.
 */
#include "internal.h"

#define PV_CANDIDATES	8
#define PV_IDLE_SCAN	8
#define PV_NONE		U32_MAX

static void pv_slot_leaf(struct pv_sched_slot *t, const struct pv_sched_lp *lp)
{
	t->min = lp->load;
	t->max = lp->load;
	t->amin = lp->id;
	t->amax = lp->id;
}

static void pv_slot_join(struct pv_sched_slot *t, const struct pv_sched_slot *a,
			 const struct pv_sched_slot *b)
{
	*t = *a;
	if (b->min < t->min) {
		t->min = b->min;
		t->amin = b->amin;
	}
	if (b->max > t->max || t->amax == PV_NONE) {
		t->max = b->max;
		t->amax = b->amax;
	}
}

void pv_tree_init(struct pv_sched *s)
{
	unsigned int count[PV_SCHED_MAX_NODES] = { 0 };
	unsigned int i, n;

	s->leaves = pv_sched_tree_slots(s->nr_lps) / 2;
	for (i = 0; i < s->nr_lps; i++)
		count[s->lps[i].node]++;
	s->node_first[0] = 0;
	for (n = 0; n < PV_SCHED_MAX_NODES; n++)
		s->node_first[n + 1] = s->node_first[n] + count[n];
	for (n = 0; n < PV_SCHED_MAX_NODES; n++)
		count[n] = s->node_first[n];
	for (i = 0; i < 2 * s->leaves; i++)
		s->tree[i] = (struct pv_sched_slot){ .min = U64_MAX, .max = 0,
						     .amin = PV_NONE,
						     .amax = PV_NONE };
	for (i = 0; i < s->nr_lps; i++) {
		s->lps[i].pos = count[s->lps[i].node]++;
		pv_slot_leaf(&s->tree[s->leaves + s->lps[i].pos], &s->lps[i]);
	}
	for (i = s->leaves - 1; i >= 1; i--)
		pv_slot_join(&s->tree[i], &s->tree[2 * i], &s->tree[2 * i + 1]);
}

void pv_tree_update(struct pv_sched *s, struct pv_sched_lp *lp)
{
	unsigned int i = s->leaves + lp->pos;

	pv_slot_leaf(&s->tree[i], lp);
	for (i /= 2; i >= 1; i /= 2)
		pv_slot_join(&s->tree[i], &s->tree[2 * i], &s->tree[2 * i + 1]);
}

/* Min and max load over the leaves [lo, hi). */
static struct pv_sched_slot pv_tree_range(const struct pv_sched *s,
					  unsigned int lo, unsigned int hi)
{
	struct pv_sched_slot r = { .min = U64_MAX, .max = 0,
				   .amin = PV_NONE, .amax = PV_NONE };

	for (lo += s->leaves, hi += s->leaves; lo < hi; lo /= 2, hi /= 2) {
		if (lo & 1)
			pv_slot_join(&r, &r, &s->tree[lo++]);
		if (hi & 1)
			pv_slot_join(&r, &r, &s->tree[--hi]);
	}
	return r;
}

static struct pv_sched_slot pv_tree_node(const struct pv_sched *s,
					 unsigned int node)
{
	return pv_tree_range(s, s->node_first[node], s->node_first[node + 1]);
}

/* The idlest LP @vp may use, on its home node when @home. */
static struct pv_sched_lp *pv_idlest(struct pv_sched *s,
				     const struct pv_sched_vp *vp, bool home)
{
	struct pv_sched_lp *best = NULL, *lp;
	struct pv_sched_slot r;
	unsigned int i;

	if (vp->any_lp) {
		r = home ? pv_tree_node(s, vp->p.node) :
			   pv_tree_range(s, 0, s->nr_lps);
		return r.amin == PV_NONE ? NULL : &s->lps[r.amin];
	}
	/* Affinity: its own LPs, usually few. */
	for (i = 0; i < s->nr_lps; i++) {
		lp = &s->lps[i];
		if (!pv_aff_test(vp->aff, i) || (home && lp->node != vp->p.node))
			continue;
		if (!best || lp->load < best->load)
			best = lp;
	}
	return best;
}

struct pv_sched_lp *pv_place(struct pv_sched *s, struct pv_sched_vp *vp)
{
	struct pv_sched_lp *best, *home = NULL, *prev = vp->ran;

	if (vp->res_lp)
		return vp->res_lp;
	best = pv_idlest(s, vp, false);
	if (vp->p.node != PARTVISOR_SCHED_NODE_NONE) {
		home = pv_idlest(s, vp, true);
		/* Away from home only for a whole VP's worth of spare room. */
		if (home && home->load < best->load + vp->p.weight)
			best = home;
	}
	/* Stay where the caches are warm unless that costs a VP's share. */
	if (prev && prev != best && pv_sched_allowed(vp, prev) &&
	    prev->node == best->node &&
	    prev->load <= best->load + vp->p.weight / 2)
		best = prev;
	return best;
}

/*
 * Queued VPs of @lp that may move to @to, among a few near the front of
 * its queue: the heap's root and its first children.
 */
static unsigned int pv_candidates(struct pv_sched_lp *lp,
				  const struct pv_sched_lp *to,
				  struct pv_sched_vp **c)
{
	struct pv_sched_vp *vp = lp->heap;
	unsigned int n = 0, seen = 0;

	if (!vp)
		return 0;
	for (; vp && seen < PV_CANDIDATES; seen++) {
		if (!vp->res_lp && pv_sched_allowed(vp, to))
			c[n++] = vp;
		vp = vp == lp->heap ? vp->h_child : vp->h_next;
	}
	return n;
}

static void pv_move(struct pv_sched *s, struct pv_sched_vp *vp,
		    struct pv_sched_lp *to)
{
	pv_migrate(s, vp, to);
	to->st.balance_moves++;
}

static u64 pv_absdiff(u64 a, u64 b)
{
	return a > b ? a - b : b - a;
}

/*
 * Even out @lp and the busier @src by moving one queued VP, or swapping
 * two, whichever leaves the smaller difference. @cross: another node,
 * only for an idle @lp and preferring VPs that live on its node.
 */
static bool pv_pull(struct pv_sched *s, struct pv_sched_lp *lp,
		    struct pv_sched_lp *src, bool cross)
{
	struct pv_sched_vp *from[PV_CANDIDATES], *mine[PV_CANDIDATES];
	struct pv_sched_vp *best_a = NULL, *best_b = NULL;
	unsigned int nf, nm = 0, i, j;
	u64 diff, best, w, res;

	if (src == lp || src->load <= lp->load || !src->nr_ready)
		return false;
	diff = src->load - lp->load;
	best = diff;
	nf = pv_candidates(src, lp, from);
	for (i = 0; i < nf; i++) {
		w = from[i]->p.weight;
		if (w >= diff)
			continue;
		res = pv_absdiff(diff, 2 * w);
		/* Across nodes, a VP going home wins a tie. */
		if (res < best || (cross && res == best && best_a &&
				   from[i]->p.node == lp->node)) {
			best = res;
			best_a = from[i];
		}
	}
	if (!cross)
		nm = pv_candidates(lp, src, mine);
	for (i = 0; i < nf; i++) {
		for (j = 0; j < nm; j++) {
			if (from[i]->p.weight <= mine[j]->p.weight)
				continue;
			w = from[i]->p.weight - mine[j]->p.weight;
			if (w >= diff)
				continue;
			res = pv_absdiff(diff, 2 * w);
			if (res < best) {
				best = res;
				best_a = from[i];
				best_b = mine[j];
			}
		}
	}
	if (!best_a)
		return false;
	pv_move(s, best_a, lp);
	if (best_b)
		pv_move(s, best_b, src);
	return true;
}

void pv_balance(struct pv_sched *s, struct pv_sched_lp *lp)
{
	struct pv_sched_slot r = pv_tree_node(s, lp->node);
	struct pv_sched_lp *src;
	unsigned int i;

	if (r.amax != PV_NONE && pv_pull(s, lp, &s->lps[r.amax], false))
		return;
	/* Another node's VPs only when this LP would idle, paying the cost. */
	if (lp->load || !s->nr_ready)
		return;
	r = pv_tree_range(s, 0, s->nr_lps);
	if (r.amax != PV_NONE && s->lps[r.amax].node != lp->node &&
	    pv_pull(s, lp, &s->lps[r.amax], true))
		return;
	/*
	 * The busiest LPs may hold only VPs that cannot come (pinned or
	 * reserved): an idle LP looks at a few others, in turn.
	 */
	for (i = 0; i < PV_IDLE_SCAN && i < s->nr_lps; i++) {
		src = &s->lps[s->scan++ % s->nr_lps];
		if (src->nr_ready &&
		    pv_pull(s, lp, src, src->node != lp->node))
			return;
	}
}

/*
 * Reserve admission: an LP the affinity allows whose reserves, with this
 * one, stay within 100 %. The VP's present LP is kept when it still fits;
 * otherwise its home node first, then the least reserved LP.
 */
int pv_admit(struct pv_sched *s, struct pv_sched_vp *vp,
	     const struct pv_sched_params *p, const u64 *aff, bool any,
	     struct pv_sched_lp **res_lp)
{
	struct pv_sched_lp *best = NULL, *lp;
	unsigned int i, used;
	bool home, best_home = false;

	*res_lp = NULL;
	if (!p->reserve)
		return 0;
	for (i = 0; i < s->nr_lps; i++) {
		lp = &s->lps[i];
		if (!any && !pv_aff_test(aff, i))
			continue;
		used = lp->nr_reserved_pct;
		if (vp->res_lp == lp)
			used -= vp->p.reserve;
		if (used + p->reserve >
		    PARTVISOR_SCHED_RESERVE_MAX - s->cfg.root_floor_pct)
			continue;
		if (vp->res_lp == lp) {
			best = lp;
			break;
		}
		home = lp->node == p->node;
		if (!best || (home && !best_home) ||
		    (home == best_home &&
		     lp->nr_reserved_pct < best->nr_reserved_pct)) {
			best = lp;
			best_home = home;
		}
	}
	if (!best)
		return -ENOSPC;
	*res_lp = best;
	return 0;
}
