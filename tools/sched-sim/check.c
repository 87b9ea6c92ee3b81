// SPDX-License-Identifier: GPL-2.0
/*
 * pvsim --check: the acceptance scenarios of the scheduler core, as TAP.
 * Every number is measured by the simulator's own accounting; the core's
 * statistics are only compared with it. The policy checks, which need no
 * simulation, are in policy.c. Each scenario also checks that
 * the run was clean: no pick broke an affinity mask, the core's states
 * were the simulated ones and its statistics agree.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvsim.h"

#define PLAN		39
#define SIM_SECS	20.0
#define MAX_SPECS	32

static unsigned int tap_nr, tap_failed;

void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tap_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

struct run {
	unsigned int lps, nodes;
	double secs;
	const char *hog;	/* LP list or NULL */
	bool track_lp;
	size_t trace_cap;
	const char *const *vps;	/* SPECs, NULL-terminated */
};

/* Build, run and return a scenario; NULL (with a diagnostic) on error. */
static struct sim *simulate(const struct run *r)
{
	static struct sim_group g[MAX_SPECS];
	struct sim_opts o = {
		.nr_lps = r->lps,
		.nr_nodes = r->nodes ? r->nodes : 1,
		.root_quantum_ns = PARTVISOR_SCHED_SLICE_DEFAULT_US * NS_PER_US,
		.seed = 1,
		.track_lp = r->track_lp,
		.trace_cap = r->trace_cap,
	};
	unsigned int n;
	struct sim_err e;
	struct sim *s;
	char msg[160];

	if (r->hog && sim_parse_lps(r->hog, o.root_hog, r->lps)) {
		diag("bad root hog list %s", r->hog);
		return NULL;
	}
	for (n = 0; r->vps[n]; n++) {
		if (n == MAX_SPECS ||
		    sim_parse_group(r->vps[n], &g[n],
				    PARTVISOR_SCHED_SLICE_DEFAULT_US *
				    NS_PER_US, msg, sizeof(msg))) {
			diag("bad SPEC '%s'", r->vps[n]);
			return NULL;
		}
	}
	if (sim_create(&s, &o, g, n, &e)) {
		diag("cannot set up: %s: %s", e.where, sched_strerror(e.err));
		return NULL;
	}
	sim_run(s, r->secs * NS_PER_SEC, U64_MAX);
	return s;
}

static u64 total_run(const struct sim *s)
{
	u64 t = 0;
	unsigned int i;

	for (i = 0; i < s->nr_vps; i++)
		t += s->vps[i].run_ns;
	return t;
}

/* A VP's run time as a percentage of one LP, or of all VPs' run time. */
static double vp_lp_pct(const struct sim *s, unsigned int i)
{
	return s->end ? 100.0 * s->vps[i].run_ns / s->end : 0;
}

static double vp_share(const struct sim *s, unsigned int i)
{
	u64 t = total_run(s);

	return t ? 100.0 * s->vps[i].run_ns / t : 0;
}

static double vp_wait_us(const struct sim *s)
{
	u64 wait = 0, disp = 0;
	unsigned int i;

	for (i = 0; i < s->nr_vps; i++) {
		wait += s->vps[i].wait_ns;
		disp += s->vps[i].dispatches;
	}
	return wait_us(wait, disp);
}

/* Whether the run was clean; the reasons go out as diagnostics. */
static bool clean(const struct sim *s)
{
	char msg[160];
	bool ok = true;

	if (!s)
		return false;
	if (s->violations) {
		diag("%llu picks broke an affinity mask",
		     (unsigned long long)s->violations);
		ok = false;
	}
	if (s->anomalies) {
		diag("%llu anomalies, the first: %s",
		     (unsigned long long)s->anomalies, s->first_anomaly);
		ok = false;
	}
	if (sim_compare_stats(s, msg, sizeof(msg))) {
		diag("statistics differ: %s", msg);
		ok = false;
	}
	return ok;
}

static void check_clean(const struct sim *s, const char *what)
{
	bool ok = clean(s);

	/* affinity kept, core states and statistics as simulated */
	tap(ok, "%s: clean run of %llu decisions", what,
	    s ? (unsigned long long)s->decisions : 0ULL);
}

static void check_weights(void)
{
	static const char *const vps[] = {
		"weight=100", "weight=200", "weight=300", "weight=400",
		"weight=100", "weight=200", "weight=300", "weight=400", NULL
	};
	struct run r = { .lps = 4, .secs = SIM_SECS, .vps = vps };
	struct sim *s = simulate(&r);
	bool ok = s;
	unsigned int c, i;

	for (c = 0; s && c < 4; c++) {
		double want = 10.0 * (c + 1);
		double got = vp_share(s, c) + vp_share(s, c + 4);

		diag("weight %u: VPs %u, %u: %.2f%% + %.2f%% = %.2f%% (want %.0f%%)",
		     100 * (c + 1), c, c + 4, vp_share(s, c),
		     vp_share(s, c + 4), got, want);
		if (got < want * 0.98 || got > want * 1.02)
			ok = false;
	}
	for (i = 0; s && i < 4; i++)
		diag("LP %u: %.1f%% in VPs", i,
		     100.0 * s->slp[i].vp_ns / s->end);
	tap(ok, "weights 100-400 x2 on 4 LPs: shares 10/20/30/40%% +-2%%");
	check_clean(s, "weight shares");
	sim_destroy(s);
}

static void check_limit(void)
{
	static const char *const capped[] = { "limit=25", "count=7", NULL };
	static const char *const uncapped[] = { "count=8", NULL };
	struct run r = { .lps = 4, .secs = SIM_SECS, .vps = capped };
	struct sim *s = simulate(&r), *c;
	double got = s ? vp_lp_pct(s, 0) : 0, ctl;

	r.vps = uncapped;
	c = simulate(&r);
	ctl = c ? vp_lp_pct(c, 0) : 0;
	diag("capped: VP 0 gets %.2f%% of an LP (throttled %llu times)",
	     got, s ? (unsigned long long)s->vps[0].core.st.throttles : 0ULL);
	diag("uncapped: VP 0 gets %.2f%% of an LP", ctl);
	tap(s && got >= 24.0 && got <= 25.5,
	    "limit=25, 8 VPs on 4 LPs: 24-25.5%% of an LP");
	tap(c && ctl >= 45.0 && ctl <= 55.0,
	    "the same uncapped: 45-55%% of an LP, so the cap binds");
	check_clean(s, "cap");
	sim_destroy(s);
	sim_destroy(c);
}

static double root_pct(const struct sim *s)
{
	u64 root = 0;
	unsigned int i;

	for (i = 0; i < s->o.nr_lps; i++)
		root += s->slp[i].root_ns;
	return 100.0 * root / s->end / s->o.nr_lps;
}

static void check_reserve(void)
{
	static const char *const res[] = {
		"reserve=40,weight=1", "count=15,weight=10000", NULL
	};
	static const char *const nores[] = {
		"weight=1", "count=15,weight=10000", NULL
	};
	struct run r = { .lps = 4, .secs = SIM_SECS, .vps = nores };
	struct sim *s = simulate(&r);
	double got;

	diag("without reserve the weight-1 VP gets %.3f%% of an LP",
	     s ? vp_lp_pct(s, 0) : 0);
	sim_destroy(s);

	r.vps = res;
	s = simulate(&r);
	got = s ? vp_lp_pct(s, 0) : 0;
	diag("reserve=40: it gets %.3f%% of an LP", got);
	tap(s && got >= 39.5,
	    "reserve=40 weight=1 vs 15 of weight 10000: >= 39.5%% of an LP");
	check_clean(s, "reserved share");
	sim_destroy(s);

	r.hog = "0-3";
	s = simulate(&r);
	got = s ? vp_lp_pct(s, 0) : 0;
	if (s)
		diag("root hogs: %.3f%% of an LP; root %.1f%% of the LPs",
		     got, root_pct(s));
	tap(s && got >= 39.5,
	    "the same with a root CPU hog on every LP: >= 39.5%% of an LP");
	check_clean(s, "reserved share under root hogs");
	sim_destroy(s);
}

static void check_affinity(void)
{
	static const char *const vps[] = {
		"aff=3", "aff=0", "aff=0-1", "aff=1-2", "aff=2-3", "aff=0,2",
		"aff=1,demand=burst:2000:3000",
		"aff=0-3,demand=burst:1000:5000",
		"aff=1,3,demand=burst:5000:5000",
		"demand=burst:3000:2000", "weight=100",
		"aff=2,demand=burst:500:1500", NULL
	};
	struct run r = {
		.lps = 4, .secs = SIM_SECS, .track_lp = true, .vps = vps
	};
	struct sim *s = simulate(&r);
	bool all_ran = s, pinned;
	unsigned int i;
	u64 *lr;

	for (i = 0; s && i < s->nr_vps; i++)
		if (!s->vps[i].run_ns)
			all_ran = false;
	tap(s && !s->violations && s->decisions,
	    "12 VPs with varied masks on 4 LPs: 0 violations in %llu picks",
	    s ? (unsigned long long)s->decisions : 0ULL);
	if (s) {
		lr = s->lp_run;
		diag("VP 0 (aff=3): ms on LP 0-3: %.1f %.1f %.1f %.1f",
		     lr[0] / 1e6, lr[1] / 1e6, lr[2] / 1e6, lr[3] / 1e6);
		diag("VP 0: %llu dispatches, %llu migrations",
		     (unsigned long long)s->vps[0].dispatches,
		     (unsigned long long)s->vps[0].migrations);
	}
	pinned = s && s->lp_run[3] && s->lp_run[3] == s->vps[0].run_ns &&
		 !s->vps[0].migrations;
	tap(pinned, "the VP pinned to LP 3 runs only there, never migrates");
	for (i = 0; s && i < s->nr_vps; i++)
		diag("VP %u: %.1f%% of an LP, %llu migrations", i,
		     vp_lp_pct(s, i),
		     (unsigned long long)s->vps[i].migrations);
	tap(all_ran, "every VP of the affinity mix ran");
	check_clean(s, "affinity mix");
	sim_destroy(s);
}

/* A partition's progress (run time less NUMA cost) in LPs. */
static double progress_lps(const struct sim *s, unsigned int g, char *msg,
			   size_t len)
{
	struct sim_sum sum;

	sim_group_sum(s, g, &sum);
	snprintf(msg, len, "%.3f LPs run, %.1f%% at home, %.1f ms to NUMA cost, %llu node moves",
		 (double)sum.run_ns / s->end,
		 sum.run_ns ? 100.0 * sum.home_ns / sum.run_ns : 0,
		 sum.numa_lost_ns / 1e6,
		 (unsigned long long)sum.node_migrations);
	return (double)(sum.run_ns - sum.numa_lost_ns) / s->end;
}

static void check_numa(void)
{
	/* Node 1's VPs come first, so that placement by load alone errs. */
	static const char *const homes[] = {
		"count=2,node=1", "count=2,node=0",
		"count=2,node=1,demand=burst:1000:9000",
		"count=2,node=0,demand=burst:1000:9000", NULL
	};
	static const char *const spill[] = { "count=6,node=0", NULL };
	/* Node 1 is taken when A wakes, and free after 2 s. */
	static const char *const later[] = {
		"node=1,weight=1000,start=0,demand=burst:2000000:100000000",
		"node=1,weight=1000,start=0,demand=burst:2000000:100000000",
		"count=6,node=0", NULL
	};
	struct run r = { .lps = 4, .nodes = 2, .secs = SIM_SECS, .vps = homes };
	struct sim *s = simulate(&r);
	double min = 100, pct, lps = 0;
	bool all_clean;
	unsigned int i;
	char msg[200];

	for (i = 0; s && i < s->nr_vps; i++) {
		const struct sim_vp *v = &s->vps[i];

		pct = v->run_ns ? 100.0 * v->home_ns / v->run_ns : 0;
		diag("VP %u (node %u): %.2f%% of an LP, %.2f%% at home",
		     i, s->groups[v->group].p.node, vp_lp_pct(s, i), pct);
		if (pct < min)
			min = pct;
	}
	tap(s && min >= 95.0,
	    "2 nodes x 2 LPs, partitions of both: every VP >= 95%% at home");
	check_clean(s, "NUMA homes");
	sim_destroy(s);

	r.vps = spill;
	s = simulate(&r);
	if (s) {
		lps = progress_lps(s, 0, msg, sizeof(msg));
		diag("6 VPs of node 0: progress %.3f LPs", lps);
		diag("(%s)", msg);
	}
	tap(s && lps > 2.0,
	    "6 VPs of node 0 spill to node 1: progress > 2 LPs");
	all_clean = clean(s);
	sim_destroy(s);

	r.vps = later;
	s = simulate(&r);
	lps = 0;
	if (s) {
		lps = progress_lps(s, 2, msg, sizeof(msg));
		diag("node 1 busy for 2 s: progress %.3f LPs, ideal 3.8",
		     lps);
		diag("(%s)", msg);
	}
	tap(s && lps > 3.0,
	    "they spill by balancing once node 1 frees up: > 3 LPs");
	if (!clean(s))
		all_clean = false;
	tap(all_clean, "NUMA spills: clean runs");
	sim_destroy(s);
}

static void check_wait(void)
{
	static const char *const n4[] = { "count=4", NULL };
	static const char *const n8[] = { "count=8", NULL };
	static const char *const n16[] = { "count=16", NULL };
	const char *const *sets[] = { n4, n8, n16 };
	struct run r = { .lps = 4, .secs = SIM_SECS };
	double w[3] = { 0 };
	bool all_clean = true;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct sim *s;

		r.vps = sets[i];
		s = simulate(&r);
		if (s)
			w[i] = vp_wait_us(s);
		diag("%u VPs on 4 LPs: %.1f us wait per dispatch", 4 << i,
		     w[i]);
		if (!clean(s))
			all_clean = false;
		sim_destroy(s);
	}
	tap(w[0] < w[1] && w[1] < w[2],
	    "wait per dispatch grows with 4, 8, 16 VPs on 4 LPs");
	tap(all_clean, "wait growth: clean runs");
}

static void check_one_lp(void)
{
	static const char *const heavy[] = {
		"weight=1", "weight=10000", NULL
	};
	static const char *const three[] = { "count=3", NULL };
	struct run r = { .lps = 1, .secs = 100, .vps = heavy };
	struct sim *s = simulate(&r);
	bool all_clean = clean(s), rr;
	double light = s ? vp_share(s, 0) : 0, lo = 100, hi = 0, mean;
	unsigned int i;

	diag("light VP: %.4f%% (ideal %.4f%%) in %llu dispatches over 100 s",
	     light, 100.0 / 10001,
	     s ? (unsigned long long)s->vps[0].dispatches : 0ULL);
	tap(s && light > 0 && light <= 0.05,
	    "weight 1 vs 10000 on 1 LP: light VP share in (0, 0.05%%]");
	sim_destroy(s);

	r.secs = SIM_SECS;
	r.vps = three;
	r.trace_cap = 100000;
	s = simulate(&r);
	for (i = 0; s && i < 3; i++) {
		diag("equal VP %u: %.3f%%", i, vp_share(s, i));
		if (vp_share(s, i) < lo)
			lo = vp_share(s, i);
		if (vp_share(s, i) > hi)
			hi = vp_share(s, i);
	}
	mean = 100.0 / 3;
	tap(s && hi - lo <= mean / 100,
	    "3 equal VPs on 1 LP: shares equal within 1%%");
	rr = s && s->trace_nr >= 3;
	for (i = 2; s && i < s->trace_nr; i++) {
		if (s->trace[i] == s->trace[i - 1] ||
		    s->trace[i] == s->trace[i - 2]) {
			diag("pick %u: VP %u after %u, %u", i, s->trace[i],
			     s->trace[i - 2], s->trace[i - 1]);
			rr = false;
			break;
		}
	}
	if (s)
		diag("picks: %zu, the first six: %u %u %u %u %u %u",
		     s->trace_nr, s->trace[0], s->trace[1], s->trace[2],
		     s->trace[3], s->trace[4], s->trace[5]);
	tap(rr, "3 equal VPs on 1 LP: picks go round robin");
	if (!clean(s))
		all_clean = false;
	tap(all_clean, "1-LP edges: clean runs");
	sim_destroy(s);
}

static double idle_pct(const struct sim *s, unsigned int from)
{
	u64 idle = 0;
	unsigned int i;

	for (i = from; i < s->o.nr_lps; i++)
		idle += s->slp[i].idle_ns;
	return 100.0 * idle / s->end / (s->o.nr_lps - from);
}

/*
 * Work conservation: LP 0's queue is long but pinned, two CPU-bound VPs
 * and four bursty ones (a whole LP's worth) may go anywhere. Every free
 * VP fits on LPs 1-3, so none of them should idle while work waits. A
 * run with LP 0's VPs lighter (so that LP 0 is not the busiest) shows
 * what the same VPs get when balancing is not misled.
 */
static void check_work_conserving(void)
{
	static const char *const heavy[] = {
		"count=8,aff=0", "count=2",
		"count=4,demand=burst:2000:6000", NULL
	};
	static const char *const light[] = {
		"count=8,aff=0,weight=10", "count=2",
		"count=4,demand=burst:2000:6000", NULL
	};
	struct run r = { .lps = 4, .secs = SIM_SECS, .vps = light };
	struct sim *s = simulate(&r);
	double lo, idle;

	if (s)
		diag("LP 0 lighter: free VPs %.2f%% and %.2f%% of an LP, LPs 1-3 idle %.2f%%",
		     vp_lp_pct(s, 8), vp_lp_pct(s, 9), idle_pct(s, 1));
	sim_destroy(s);

	r.vps = heavy;
	s = simulate(&r);
	lo = s ? vp_lp_pct(s, 8) : 0;
	if (s && vp_lp_pct(s, 9) < lo)
		lo = vp_lp_pct(s, 9);
	idle = s ? idle_pct(s, 1) : 100;
	if (s)
		diag("LP 0 busiest: free VPs %.2f%% and %.2f%% of an LP, LPs 1-3 idle %.2f%%",
		     vp_lp_pct(s, 8), vp_lp_pct(s, 9), idle);
	tap(s && lo >= 95.0 && idle <= 5.0,
	    "busiest LP all pinned: others stay busy (free VPs >= 95%%, idle <= 5%%)");
	check_clean(s, "work conservation");
	sim_destroy(s);
}

int run_check(void)
{
	printf("TAP version 13\n1..%d\n", PLAN);
	fflush(stdout);
	check_weights();
	check_limit();
	check_reserve();
	check_affinity();
	check_numa();
	check_wait();
	check_one_lp();
	check_work_conserving();
	check_policy();
	if (tap_nr != PLAN) {
		printf("# pvsim: %u tests run, %d planned\n", tap_nr, PLAN);
		return 1;
	}
	return tap_failed ? 1 : 0;
}
