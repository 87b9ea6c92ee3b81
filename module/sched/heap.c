// SPDX-License-Identifier: GPL-2.0
/*
 * A pairing heap, intrusive in struct pv_sched_vp: insertion in O(1),
 * removal of the minimum or of any VP in amortized O(log n), and no
 * memory of its own, which an array heap per LP would need for every VP
 * that could ever queue there. h_prev is the parent for a first child and
 * the left sibling otherwise.
 */
#include "internal.h"

static struct pv_sched_vp *pv_meld(struct pv_sched_vp *a,
				   struct pv_sched_vp *b)
{
	struct pv_sched_vp *t;

	if (!a)
		return b;
	if (!b)
		return a;
	if (pv_before(b, a)) {
		t = a;
		a = b;
		b = t;
	}
	b->h_next = a->h_child;
	if (a->h_child)
		a->h_child->h_prev = b;
	b->h_prev = a;
	a->h_child = b;
	return a;
}

/* The two-pass merge of a sibling list into one heap. */
static struct pv_sched_vp *pv_merge_pairs(struct pv_sched_vp *first)
{
	struct pv_sched_vp *stack = NULL, *a, *b, *rest, *root = NULL;

	while (first) {
		a = first;
		b = a->h_next;
		rest = b ? b->h_next : NULL;
		a->h_next = NULL;
		a->h_prev = NULL;
		if (b) {
			b->h_next = NULL;
			b->h_prev = NULL;
			a = pv_meld(a, b);
		}
		/* h_next links the stack of pairs; roots have no siblings. */
		a->h_next = stack;
		stack = a;
		first = rest;
	}
	while (stack) {
		a = stack;
		stack = a->h_next;
		a->h_next = NULL;
		root = pv_meld(root, a);
	}
	return root;
}

void pv_heap_insert(struct pv_sched_vp **root, struct pv_sched_vp *vp)
{
	vp->h_child = NULL;
	vp->h_next = NULL;
	vp->h_prev = NULL;
	*root = pv_meld(*root, vp);
}

void pv_heap_remove(struct pv_sched_vp **root, struct pv_sched_vp *vp)
{
	struct pv_sched_vp *sub = pv_merge_pairs(vp->h_child);

	if (vp == *root) {
		*root = sub;
	} else {
		if (vp->h_prev->h_child == vp)
			vp->h_prev->h_child = vp->h_next;
		else
			vp->h_prev->h_next = vp->h_next;
		if (vp->h_next)
			vp->h_next->h_prev = vp->h_prev;
		*root = pv_meld(*root, sub);
	}
	vp->h_child = NULL;
	vp->h_next = NULL;
	vp->h_prev = NULL;
}
