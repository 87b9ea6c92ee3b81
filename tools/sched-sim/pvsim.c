// SPDX-License-Identifier: GPL-2.0
/*
 * pvsim: the partition scheduler's core (module/sched/) in a discrete-event
 * simulation, in user space. Runs a scenario given on the command line and
 * prints per VP group and per LP what each got; --check runs the
 * acceptance scenarios as TAP, --bench the scale benchmark.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvsim.h"

#define MAX_GROUPS	256

static const char usage[] =
"usage: pvsim --lps N [--nodes N] [--time SEC] [--slice-us N] [--vp SPEC]...\n"
"             [--root-hog LPLIST] [--root-quantum-us N] [--period-us N]\n"
"             [--balance-us N] [--numa-cost-us N] [--seed N]\n"
"       pvsim --check     acceptance scenarios, as TAP\n"
"       pvsim --bench     scale benchmark, 16 to 256 LPs\n"
"\n"
"Simulates the partition scheduler's core on N LPs, spread over the NUMA\n"
"nodes in contiguous blocks, and prints what every VP group and LP got.\n"
"\n"
"  --lps N              logical processors (1-1024)\n"
"  --nodes N            NUMA nodes (default 1)\n"
"  --time SEC           simulated time (default 10)\n"
"  --slice-us N         slice of VPs whose SPEC sets none (default 10000)\n"
"  --vp SPEC            a group of VPs, repeatable; SPEC is a comma list of\n"
"                         count=N        VPs in the group (default 1)\n"
"                         weight=W       1-10000 (default 100)\n"
"                         reserve=R      percent of an LP (default 0)\n"
"                         limit=L        percent of an LP (default 100)\n"
"                         aff=LPLIST     allowed LPs, e.g. 0-3,6 (default all)\n"
"                         node=N|none    home NUMA node (default none)\n"
"                         slice=US       slice in microseconds\n"
"                         start=US       first wake (default 0, bursty VPs:\n"
"                                        a random point of their block time)\n"
"                         demand=cpu     always ready (default)\n"
"                         demand=burst:RUN_US:BLOCK_US\n"
"                                        runs RUN_US, blocks BLOCK_US, again\n"
"  --root-hog LPLIST    a root CPU hog on these LPs: it takes the LP for a\n"
"                       quantum before each dispatch unless reserve is owed\n"
"  --root-quantum-us N  the hog's quantum (default 10000)\n"
"  --period-us N, --balance-us N, --numa-cost-us N\n"
"                       scheduler configuration (default: the core's)\n"
"  --seed N             phase of the bursty VPs (default 1)\n"
"  -h, --help           this text\n";

static const char valid[] =
"valid: weight %u-%u, reserve 0-%u and at most limit %u-%u,\n"
"       slice %u-%u us, node below the node count or none,\n"
"       aff naming an existing LP\n";

enum {
	OPT_LPS = 256, OPT_NODES, OPT_TIME, OPT_SLICE, OPT_VP, OPT_HOG,
	OPT_QUANTUM, OPT_PERIOD, OPT_BALANCE, OPT_NUMA, OPT_SEED, OPT_CHECK,
	OPT_BENCH,
};

static const struct option options[] = {
	{ "lps", required_argument, NULL, OPT_LPS },
	{ "nodes", required_argument, NULL, OPT_NODES },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "slice-us", required_argument, NULL, OPT_SLICE },
	{ "vp", required_argument, NULL, OPT_VP },
	{ "root-hog", required_argument, NULL, OPT_HOG },
	{ "root-quantum-us", required_argument, NULL, OPT_QUANTUM },
	{ "period-us", required_argument, NULL, OPT_PERIOD },
	{ "balance-us", required_argument, NULL, OPT_BALANCE },
	{ "numa-cost-us", required_argument, NULL, OPT_NUMA },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "bench", no_argument, NULL, OPT_BENCH },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

const char *sched_strerror(int err)
{
	switch (err) {
	case -EINVAL:
		return "invalid value (EINVAL)";
	case -ENOSPC:
		return "reserve does not fit (ENOSPC)";
	case -ENOMEM:
		return "out of memory";
	default:
		return strerror(-err);
	}
}

double share_pct(const struct sim *s, unsigned int g)
{
	struct sim_sum sum;
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < s->nr_vps; i++)
		total += s->vps[i].run_ns;
	sim_group_sum(s, g, &sum);
	return total ? 100.0 * sum.run_ns / total : 0;
}

double lp_pct(const struct sim *s, unsigned int g)
{
	struct sim_sum sum;

	sim_group_sum(s, g, &sum);
	if (!s->end || !s->groups[g].count)
		return 0;
	return 100.0 * sum.run_ns / s->end / s->groups[g].count;
}

double wait_us(u64 wait_ns, u64 dispatches)
{
	return dispatches ? (double)wait_ns / dispatches / NS_PER_US : 0;
}

static void describe(const struct sim_group *g, char *buf, size_t len)
{
	char aff[64] = "all", node[16] = "-", demand[48] = "cpu";

	if (g->has_aff)
		sim_format_lps(g->aff, PV_SCHED_MAX_LPS, aff, sizeof(aff));
	if (g->p.node != PARTVISOR_SCHED_NODE_NONE)
		snprintf(node, sizeof(node), "%u", g->p.node);
	if (g->demand == SIM_BURST)
		snprintf(demand, sizeof(demand), "burst:%llu:%llu",
			 (unsigned long long)(g->burst_ns / NS_PER_US),
			 (unsigned long long)(g->block_ns / NS_PER_US));
	snprintf(buf, len, "w=%u r=%u l=%u aff=%s node=%s %s", g->p.weight,
		 g->p.reserve, g->p.limit, aff, node, demand);
}

void print_report(FILE *f, const struct sim *s)
{
	double secs = (double)s->end / NS_PER_SEC;
	struct sim_sum sum;
	char desc[192], home[16];
	unsigned int i;

	fprintf(f, "%u LPs on %u node(s), %.3f s simulated, %llu decisions (%.0f/s)\n",
		s->o.nr_lps, s->o.nr_nodes, secs,
		(unsigned long long)s->decisions,
		secs > 0 ? s->decisions / secs : 0);
	fprintf(f, "%llu affinity violations, %llu anomalies\n",
		(unsigned long long)s->violations,
		(unsigned long long)s->anomalies);
	if (s->anomalies)
		fprintf(f, "first anomaly: %s\n", s->first_anomaly);
	fprintf(f, "\n%-5s %5s %7s %7s %10s %10s %9s %6s  %s\n", "group", "vps",
		"share%", "lp%/vp", "wait/d(us)", "dispatches", "migr", "home%",
		"policy");
	for (i = 0; i < s->nr_groups; i++) {
		const struct sim_group *g = &s->groups[i];

		sim_group_sum(s, i, &sum);
		describe(g, desc, sizeof(desc));
		snprintf(home, sizeof(home), "-");
		if (g->p.node != PARTVISOR_SCHED_NODE_NONE && sum.run_ns)
			snprintf(home, sizeof(home), "%.1f",
				 100.0 * sum.home_ns / sum.run_ns);
		fprintf(f, "g%-4u %5u %7.2f %7.2f %10.1f %10llu %9llu %6s  %s\n",
			i, g->count, share_pct(s, i), lp_pct(s, i),
			wait_us(sum.wait_ns, sum.dispatches),
			(unsigned long long)sum.dispatches,
			(unsigned long long)sum.migrations, home, desc);
	}
	fprintf(f, "\n%-5s %4s %6s %6s %6s\n", "lp", "node", "vp%", "idle%",
		"root%");
	for (i = 0; i < s->o.nr_lps; i++) {
		const struct sim_lp *l = &s->slp[i];
		double t = s->end ? (double)s->end : 1;

		fprintf(f, "%-5u %4u %6.1f %6.1f %6.1f\n", i,
			sim_lp_node(&s->o, i), 100.0 * l->vp_ns / t,
			100.0 * l->idle_ns / t, 100.0 * l->root_ns / t);
	}
}

static unsigned long num_arg(const char *opt, const char *arg,
			     unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || *end || end == arg || v < min || v > max) {
		fprintf(stderr, "pvsim: %s: '%s' is not a number in %lu..%lu\n",
			opt, arg, min, max);
		exit(1);
	}
	return v;
}

static struct sim_group groups[MAX_GROUPS];
static const char *specs[MAX_GROUPS];

int main(int argc, char **argv)
{
	struct sim_opts o = {
		.nr_nodes = 1,
		.root_quantum_ns = PARTVISOR_SCHED_SLICE_DEFAULT_US * NS_PER_US,
		.seed = 1,
	};
	u64 slice_ns = PARTVISOR_SCHED_SLICE_DEFAULT_US * NS_PER_US;
	unsigned int nr_groups = 0, i;
	const char *hog = NULL;
	double secs = 10;
	struct sim_err e;
	struct sim *s;
	char msg[160], *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_LPS:
			o.nr_lps = num_arg("--lps", optarg, 1,
					   PV_SCHED_MAX_LPS);
			break;
		case OPT_NODES:
			o.nr_nodes = num_arg("--nodes", optarg, 1,
					     PV_SCHED_MAX_NODES);
			break;
		case OPT_TIME:
			secs = strtod(optarg, &end);
			if (*end || end == optarg || !(secs > 0) ||
			    secs > 1e6) {
				fprintf(stderr, "pvsim: --time: '%s' is not a time in seconds\n",
					optarg);
				return 1;
			}
			break;
		case OPT_SLICE:
			/* range left to pv_sched_check() */
			slice_ns = num_arg("--slice-us", optarg, 0,
					   U32_MAX) * NS_PER_US;
			break;
		case OPT_VP:
			if (nr_groups == MAX_GROUPS) {
				fprintf(stderr, "pvsim: at most %u --vp\n",
					MAX_GROUPS);
				return 1;
			}
			specs[nr_groups++] = optarg;
			break;
		case OPT_HOG:
			hog = optarg;
			break;
		case OPT_QUANTUM:
			o.root_quantum_ns = num_arg("--root-quantum-us",
						    optarg, 1, 10000000) *
					    NS_PER_US;
			break;
		case OPT_PERIOD:
			o.cfg.period_ns = num_arg("--period-us", optarg, 0,
						  U32_MAX) * NS_PER_US;
			break;
		case OPT_BALANCE:
			o.cfg.balance_ns = num_arg("--balance-us", optarg, 0,
						   U32_MAX) * NS_PER_US;
			break;
		case OPT_NUMA:
			o.cfg.numa_cost_ns = num_arg("--numa-cost-us", optarg,
						     0, U32_MAX) * NS_PER_US;
			break;
		case OPT_SEED:
			o.seed = num_arg("--seed", optarg, 1, ~0UL);
			break;
		case OPT_CHECK:
			return run_check();
		case OPT_BENCH:
			return run_bench();
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}
	if (optind < argc || !o.nr_lps || !nr_groups) {
		fprintf(stderr, "pvsim: %s\n", optind < argc ?
			"unexpected argument" : "--lps and a --vp are needed");
		fputs(usage, stderr);
		return 1;
	}
	if (hog && sim_parse_lps(hog, o.root_hog, o.nr_lps)) {
		fprintf(stderr, "pvsim: --root-hog: bad LP list '%s'\n",
			hog);
		return 1;
	}
	for (i = 0; i < nr_groups; i++) {
		if (sim_parse_group(specs[i], &groups[i], slice_ns, msg,
				    sizeof(msg))) {
			fprintf(stderr, "pvsim: --vp '%s': %s\n", specs[i],
				msg);
			return 1;
		}
	}

	ret = sim_create(&s, &o, groups, nr_groups, &e);
	if (ret) {
		if (e.group >= 0)
			fprintf(stderr, "pvsim: --vp #%d '%s': %s: %s\n",
				e.group + 1, specs[e.group], e.where,
				sched_strerror(ret));
		else
			fprintf(stderr, "pvsim: %s: %s\n", e.where,
				sched_strerror(ret));
		if (ret == -EINVAL && e.group >= 0)
			fprintf(stderr, valid, PARTVISOR_SCHED_WEIGHT_MIN,
				PARTVISOR_SCHED_WEIGHT_MAX,
				PARTVISOR_SCHED_RESERVE_MAX,
				PARTVISOR_SCHED_LIMIT_MIN,
				PARTVISOR_SCHED_LIMIT_MAX,
				PARTVISOR_SCHED_SLICE_MIN_US,
				PARTVISOR_SCHED_SLICE_MAX_US);
		return 1;
	}
	sim_run(s, secs * NS_PER_SEC, U64_MAX);
	print_report(stdout, s);
	ret = s->violations || s->anomalies;
	if (sim_compare_stats(s, msg, sizeof(msg))) {
		printf("core statistics differ: %s\n", msg);
		ret = 1;
	}
	sim_destroy(s);
	return ret;
}
