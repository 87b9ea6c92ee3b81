/* SPDX-License-Identifier: GPL-2.0 */
/* Between the scheduler core's files; nothing outside module/sched/. */
#ifndef _PV_SCHED_INTERNAL_H
#define _PV_SCHED_INTERNAL_H

#include "sched.h"

/* heap.c: each LP's run queue, a pairing heap by (vtime, seq) */
void pv_heap_insert(struct pv_sched_vp **root, struct pv_sched_vp *vp);
void pv_heap_remove(struct pv_sched_vp **root, struct pv_sched_vp *vp);

/* balance.c: where VPs go */
void pv_tree_init(struct pv_sched *s);
void pv_tree_update(struct pv_sched *s, struct pv_sched_lp *lp);
struct pv_sched_lp *pv_place(struct pv_sched *s, struct pv_sched_vp *vp);
void pv_balance(struct pv_sched *s, struct pv_sched_lp *lp);
int pv_admit(struct pv_sched *s, struct pv_sched_vp *vp,
	     const struct pv_sched_params *p, const u64 *aff, bool any,
	     struct pv_sched_lp **res_lp);

/* core.c: moving a VP between queues */
void pv_enqueue(struct pv_sched *s, struct pv_sched_lp *lp,
		struct pv_sched_vp *vp);
void pv_dequeue(struct pv_sched *s, struct pv_sched_vp *vp);
void pv_migrate(struct pv_sched *s, struct pv_sched_vp *vp,
		struct pv_sched_lp *to);
bool pv_aff_test(const u64 *aff, unsigned int lp);

static inline bool pv_before(const struct pv_sched_vp *a,
			     const struct pv_sched_vp *b)
{
	s64 d = (s64)(a->vtime - b->vtime);

	return d < 0 || (d == 0 && (s64)(a->seq - b->seq) < 0);
}

#endif /* _PV_SCHED_INTERNAL_H */
