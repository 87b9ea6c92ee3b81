/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulator's event queue: a binary min-heap of (time, kind, object)
 * with at most one pending event per object (an LP or a VP), so that an
 * event can be moved or cancelled in O(log n) instead of being left
 * behind as a stale entry. Ties are broken by kind and then by object,
 * which keeps a run deterministic.
 */
#ifndef _PVSIM_EVQ_H
#define _PVSIM_EVQ_H

#include "pure.h"

struct evq_ent {
	u64 time;
	u32 kind;
	u32 obj;
};

struct evq {
	struct evq_ent *h;
	u32 *pos;		/* per object: index in h plus one, 0: none */
	u32 nr;
	u32 nr_objs;
};

int evq_init(struct evq *q, u32 nr_objs);
void evq_free(struct evq *q);
/* Queue @obj's event, replacing the one it has. */
void evq_set(struct evq *q, u32 obj, u32 kind, u64 time);
void evq_cancel(struct evq *q, u32 obj);
bool evq_peek(const struct evq *q, struct evq_ent *e);
bool evq_pop(struct evq *q, struct evq_ent *e);

#endif /* _PVSIM_EVQ_H */
