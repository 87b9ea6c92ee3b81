// SPDX-License-Identifier: GPL-2.0
/*
 * pvsim --check, the policy part: what pv_sched_check() and
 * pv_sched_vp_add() accept and reject, on bare schedulers without a
 * simulation around them.
 */
#include <string.h>

#include "pvsim.h"

/* A bare scheduler for the policy checks. */
struct bare {
	struct pv_sched s;
	struct pv_sched_lp lps[4];
	struct pv_sched_slot tree[64];
	struct pv_sched_vp vps[4];
	unsigned int nr_vps;
};

static int bare_init(struct bare *b, unsigned int nr_lps)
{
	struct pv_sched_config cfg = { 0 };

	memset(b, 0, sizeof(*b));
	if (pv_sched_tree_slots(nr_lps) > 64)
		return -ENOMEM;
	return pv_sched_init(&b->s, &cfg, b->lps, nr_lps, b->tree, 0);
}

#define W_DEF		PARTVISOR_SCHED_WEIGHT_DEFAULT
#define L_MAX		PARTVISOR_SCHED_LIMIT_MAX
#define SLICE_DEF	(PARTVISOR_SCHED_SLICE_DEFAULT_US * NS_PER_US)
#define SLICE_MIN	(PARTVISOR_SCHED_SLICE_MIN_US * NS_PER_US)
#define SLICE_MAX	(PARTVISOR_SCHED_SLICE_MAX_US * NS_PER_US)

static struct pv_sched_params params(u32 weight, u32 reserve, u32 limit,
				     u64 slice_ns, const u64 *affinity)
{
	return (struct pv_sched_params){
		.weight = weight,
		.reserve = reserve,
		.limit = limit,
		.slice_ns = slice_ns,
		.node = PARTVISOR_SCHED_NODE_NONE,
		.affinity = affinity,
	};
}

static int bare_add(struct bare *b, struct pv_sched_params p)
{
	return pv_sched_vp_add(&b->s, &b->vps[b->nr_vps++], &p, 0);
}

static void reject(const char *what, struct pv_sched_params p)
{
	struct bare b;
	int init = bare_init(&b, 4), check = -1, add = -1;

	if (!init) {
		check = pv_sched_check(&b.s, &p);
		add = bare_add(&b, p);
	}
	if (check != -EINVAL || add != -EINVAL)
		diag("%s: init %d, pv_sched_check %d, pv_sched_vp_add %d",
		     what, init, check, add);
	tap(!init && check == -EINVAL && add == -EINVAL,
	    "rejected with -EINVAL: %s", what);
}

/* Up to three reserves in a row on a bare scheduler of @lps LPs. */
static void reserves(unsigned int lps, const u32 *pct, const u64 **aff,
		     unsigned int nr, int *ret)
{
	struct bare b;
	unsigned int i;

	for (i = 0; i < nr; i++)
		ret[i] = -1;
	if (bare_init(&b, lps))
		return;
	for (i = 0; i < nr; i++)
		ret[i] = bare_add(&b, params(W_DEF, pct[i], L_MAX, SLICE_DEF,
					     aff[i]));
}

void check_policy(void)
{
	static const u64 no_lp[PV_SCHED_AFF_WORDS] = { 1ULL << 10 };
	static const u64 lp0[PV_SCHED_AFF_WORDS] = { 1 };
	static const u32 fit[] = { 60, 50, 50 }, full[] = { 100, 1 };
	const u64 *aff[] = { lp0, lp0, NULL }, *any[] = { NULL, NULL, NULL };
	struct bare b;
	int r[3];
	bool ok;

	reject("weight 0", params(0, 0, L_MAX, SLICE_DEF, NULL));
	reject("weight 10001", params(PARTVISOR_SCHED_WEIGHT_MAX + 1, 0,
				      L_MAX, SLICE_DEF, NULL));
	reject("reserve 101", params(W_DEF, PARTVISOR_SCHED_RESERVE_MAX + 1,
				     L_MAX, SLICE_DEF, NULL));
	reject("limit 0", params(W_DEF, 0, 0, SLICE_DEF, NULL));
	reject("limit 101", params(W_DEF, 0, L_MAX + 1, SLICE_DEF, NULL));
	reject("slice 1 ns below the minimum",
	       params(W_DEF, 0, L_MAX, SLICE_MIN - 1, NULL));
	reject("slice 1 ns above the maximum",
	       params(W_DEF, 0, L_MAX, SLICE_MAX + 1, NULL));
	reject("reserve 50 > limit 40", params(W_DEF, 50, 40, SLICE_DEF, NULL));
	reject("affinity only to LP 10 of 4",
	       params(W_DEF, 0, L_MAX, SLICE_DEF, no_lp));

	/* The bounds themselves are valid. */
	ok = !bare_init(&b, 4);
	ok = ok && !bare_add(&b, params(PARTVISOR_SCHED_WEIGHT_MIN, 0,
					PARTVISOR_SCHED_LIMIT_MIN, SLICE_MIN,
					NULL));
	ok = ok && !bare_add(&b, params(PARTVISOR_SCHED_WEIGHT_MAX,
					PARTVISOR_SCHED_RESERVE_MAX, L_MAX,
					SLICE_MAX, NULL));
	tap(ok, "accepted: the bounds of weight, reserve, limit and slice");

	reserves(1, fit, any, 2, r);
	diag("1 LP: reserve 60: %d, then 50: %d", r[0], r[1]);
	tap(!r[0] && r[1] == -ENOSPC,
	    "1 LP: reserves of 60%% and 50%%: -ENOSPC for the second");

	reserves(2, fit, aff, 3, r);
	diag("2 LPs: 60%% on LP 0: %d, 50%% on LP 0: %d, 50%% anywhere: %d",
	     r[0], r[1], r[2]);
	tap(!r[0] && r[1] == -ENOSPC && !r[2],
	    "2 LPs: 50%% more on a 60%% LP: -ENOSPC; elsewhere it fits");

	reserves(1, full, any, 2, r);
	diag("1 LP: reserve 100: %d, then 1: %d", r[0], r[1]);
	tap(!r[0] && r[1] == -ENOSPC,
	    "1 LP: reserve 100%% alone fits, nothing more does");
}
