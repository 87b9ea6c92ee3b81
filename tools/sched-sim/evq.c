// SPDX-License-Identifier: GPL-2.0
/*
 * Indexed binary min-heap; see evq.h. pos[] lets evq_set() find an
 * object's entry, so a preempted LP or a re-planned idle look costs a
 * sift instead of a scan.
 */
#include <stdlib.h>

#include "evq.h"

static bool ent_less(const struct evq_ent *a, const struct evq_ent *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->obj < b->obj;
}

static void put(struct evq *q, u32 i, const struct evq_ent *e)
{
	q->h[i] = *e;
	q->pos[e->obj] = i + 1;
}

static void sift_up(struct evq *q, u32 i)
{
	struct evq_ent e = q->h[i];

	while (i) {
		u32 parent = (i - 1) / 2;

		if (!ent_less(&e, &q->h[parent]))
			break;
		put(q, i, &q->h[parent]);
		i = parent;
	}
	put(q, i, &e);
}

static void sift_down(struct evq *q, u32 i)
{
	struct evq_ent e = q->h[i];

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= q->nr)
			break;
		if (c + 1 < q->nr && ent_less(&q->h[c + 1], &q->h[c]))
			c++;
		if (!ent_less(&q->h[c], &e))
			break;
		put(q, i, &q->h[c]);
		i = c;
	}
	put(q, i, &e);
}

int evq_init(struct evq *q, u32 nr_objs)
{
	q->h = calloc(nr_objs ? nr_objs : 1, sizeof(*q->h));
	q->pos = calloc(nr_objs ? nr_objs : 1, sizeof(*q->pos));
	q->nr = 0;
	q->nr_objs = nr_objs;
	if (!q->h || !q->pos) {
		evq_free(q);
		return -ENOMEM;
	}
	return 0;
}

void evq_free(struct evq *q)
{
	free(q->h);
	free(q->pos);
	q->h = NULL;
	q->pos = NULL;
	q->nr = 0;
}

void evq_set(struct evq *q, u32 obj, u32 kind, u64 time)
{
	struct evq_ent e = { .time = time, .kind = kind, .obj = obj };
	u32 i;

	if (q->pos[obj]) {
		i = q->pos[obj] - 1;
		put(q, i, &e);
		sift_up(q, i);
		sift_down(q, q->pos[obj] - 1);
		return;
	}
	i = q->nr++;
	put(q, i, &e);
	sift_up(q, i);
}

void evq_cancel(struct evq *q, u32 obj)
{
	u32 i = q->pos[obj];
	u32 moved;

	if (!i)
		return;
	i--;
	q->pos[obj] = 0;
	if (i == --q->nr)
		return;
	/* The last entry fills the hole and may belong above or below it. */
	moved = q->h[q->nr].obj;
	put(q, i, &q->h[q->nr]);
	sift_up(q, i);
	sift_down(q, q->pos[moved] - 1);
}

bool evq_peek(const struct evq *q, struct evq_ent *e)
{
	if (!q->nr)
		return false;
	*e = q->h[0];
	return true;
}

bool evq_pop(struct evq *q, struct evq_ent *e)
{
	if (!evq_peek(q, e))
		return false;
	evq_cancel(q, e->obj);
	return true;
}
