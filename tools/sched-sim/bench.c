// SPDX-License-Identifier: GPL-2.0
/*
 * pvsim --bench: what a scheduling decision costs as the machine grows.
 * For 16 to 256 LPs with 32 VPs each, a mix of partitions (weights,
 * reserves, limits, node affinity, CPU-bound and bursty VPs) runs until
 * enough decisions are made, and only the time inside pv_sched_pick(),
 * pv_sched_stop() and pv_sched_wake() is counted. The core promises
 * O(log LPs) per decision, so the cost may grow from 16 to 256 LPs by
 * about log2(256) / log2(16) = 2 at most; the growth is printed, not
 * judged, since it depends on the machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pvsim.h"

#define VPS_PER_LP	32
#define PART_VPS	8	/* VPs per partition: 6 CPU-bound, 2 bursty */
#define MIN_DECISIONS	250000ULL
#define REPEATS		5
#define NR_SIZES	5

static u64 rnd(u64 *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dULL;
}

/*
 * Partition p: home node p % nodes; every 16th has a 10% reserve per
 * CPU-bound VP (their sum, 0.8 LP per 16 partitions, always fits), every
 * 8th otherwise a 50% limit, every 8th (offset) is pinned to its node's
 * LPs.
 */
static unsigned int make_groups(struct sim_group *g, unsigned int lps,
				unsigned int nodes, u64 *seed)
{
	static const u32 weights[] = { 50, 100, 200, 400, 1000 };
	unsigned int parts = lps * VPS_PER_LP / PART_VPS, p, n = 0, lp;
	u64 slice = PARTVISOR_SCHED_SLICE_DEFAULT_US * NS_PER_US;

	for (p = 0; p < parts; p++) {
		struct sim_group *cpu = &g[n++], *io = &g[n++];
		unsigned int node = p % nodes;

		sim_group_default(cpu, slice);
		cpu->count = PART_VPS * 3 / 4;
		cpu->p.weight = weights[rnd(seed) % 5];
		cpu->p.node = nodes > 1 ? node : PARTVISOR_SCHED_NODE_NONE;
		if (p % 16 == 0)
			cpu->p.reserve = 10;
		else if (p % 8 == 4)
			cpu->p.limit = 50;
		if (p % 8 == 2) {
			cpu->has_aff = true;
			for (lp = 0; lp < lps; lp++)
				if ((u64)lp * nodes / lps == node)
					cpu->aff[lp / 64] |= 1ULL << (lp % 64);
		}
		*io = *cpu;
		io->count = PART_VPS - cpu->count;
		io->p.reserve = 0;
		io->demand = SIM_BURST;
		io->burst_ns = (1 + rnd(seed) % 4) * NS_PER_MS;
		io->block_ns = (2 + rnd(seed) % 19) * NS_PER_MS;
	}
	return n;
}

/* What an empty timed interval costs, subtracted from the core's time. */
static double timer_overhead(void)
{
	u64 sum = 0, t0, i;

	for (i = 0; i < 1000000; i++) {
		t0 = sim_clock_ns();
		sum += sim_clock_ns() - t0;
	}
	return sum / 1e6;
}

struct result {
	u64 decisions, vps;
	double sim_s, core_s, wall_s;
};

/* One run of @lps LPs; the same seed gives the same run every time. */
static int bench_one(struct sim_group *g, unsigned int lps, double over,
		     struct result *res)
{
	struct sim_opts o = {
		.nr_lps = lps,
		.nr_nodes = lps / 64 ? lps / 64 : 1,
		.seed = 1,
		.timing = true,
	};
	u64 seed = lps, t0;
	struct sim_err e;
	struct sim *s;
	unsigned int n;
	int ret = 0;

	n = make_groups(g, lps, o.nr_nodes, &seed);
	if (sim_create(&s, &o, g, n, &e)) {
		printf("%u LPs: %s: %s\n", lps, e.where, sched_strerror(e.err));
		return 1;
	}
	t0 = sim_clock_ns();
	sim_run(s, U64_MAX, MIN_DECISIONS);
	res->wall_s = (sim_clock_ns() - t0) / 1e9;
	res->core_s = (s->core_ns - over * s->core_calls) / 1e9;
	if (res->core_s < 0)
		res->core_s = 0;
	res->sim_s = (double)s->end / NS_PER_SEC;
	res->decisions = s->decisions;
	res->vps = s->nr_vps;
	if (s->violations || s->anomalies) {
		printf("%u LPs: %llu affinity violations, %llu anomalies\n",
		       lps, (unsigned long long)s->violations,
		       (unsigned long long)s->anomalies);
		if (s->anomalies)
			printf("  the first: %s\n", s->first_anomaly);
		ret = 1;
	}
	sim_destroy(s);
	return ret;
}

int run_bench(void)
{
	static const unsigned int sizes[NR_SIZES] = { 16, 32, 64, 128, 256 };
	double ns_dec[NR_SIZES] = { 0 }, over = timer_overhead();
	struct result best[NR_SIZES], r;
	bool failed[NR_SIZES] = { 0 };
	struct sim_group *g;
	unsigned int i, k;
	int ret = 0;

	g = calloc(256 * VPS_PER_LP / PART_VPS * 2, sizeof(*g));
	if (!g)
		return 1;
	printf("pvsim bench: %u VPs per LP, 3/4 CPU-bound, 1/4 bursty\n",
	       VPS_PER_LP);
	printf("%llu decisions per run, core time: best of %u runs\n",
	       MIN_DECISIONS, REPEATS);
	printf("timer: %.1f ns per timed call, subtracted\n\n", over);
	/*
	 * The runs of a size are identical but for the machine's noise,
	 * which only ever adds time, so the fastest is the closest to the
	 * core's cost. Going round the sizes rather than repeating each in
	 * a row spreads a noisy stretch over all of them.
	 */
	for (k = 0; k < REPEATS; k++) {
		for (i = 0; i < NR_SIZES; i++) {
			if (failed[i])
				continue;
			if (bench_one(g, sizes[i], over, &r)) {
				failed[i] = true;
				ret = 1;
				continue;
			}
			if (!k || r.core_s < best[i].core_s)
				best[i] = r;
		}
	}
	free(g);
	printf("%5s %5s %6s %10s %8s %12s %10s %14s %8s\n", "LPs", "nodes",
	       "VPs", "decisions", "sim s", "dec/sim-s", "ns/dec", "core dec/s",
	       "wall s");
	for (i = 0; i < NR_SIZES; i++) {
		if (failed[i])
			continue;
		r = best[i];
		ns_dec[i] = r.core_s * 1e9 / r.decisions;
		printf("%5u %5u %6llu %10llu %8.3f %12.0f %10.1f %14.0f %8.2f\n",
		       sizes[i], sizes[i] / 64 ? sizes[i] / 64 : 1,
		       (unsigned long long)r.vps,
		       (unsigned long long)r.decisions, r.sim_s,
		       r.decisions / r.sim_s, ns_dec[i],
		       r.core_s ? r.decisions / r.core_s : 0, r.wall_s);
	}
	if (ns_dec[0] > 0 && ns_dec[NR_SIZES - 1] > 0)
		printf("\ncost growth 16->256 LPs: %.2fx (log bound %.2fx)\n",
		       ns_dec[NR_SIZES - 1] / ns_dec[0],
		       log2(sizes[NR_SIZES - 1]) / log2(sizes[0]));
	return ret;
}
