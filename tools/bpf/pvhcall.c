// SPDX-License-Identifier: GPL-2.0
/*
 * pvhcall: child hypercall latency by call code and status.
 */
#include <stdlib.h>

#include "pvtool.h"
#include "pvhcall.h"
#include "pvhcall.skel.h"

#define MAX_KINDS	4096

static struct {
	bool table;
	bool ns;
	bool cycles;
} opts;

/* The module's TSC rate for the BPF side: 0 if unknown or with -c. */
static unsigned long long tsc_khz;
/* The unit of the BPF side's times, fixed at load. */
static bool in_cycles;

static struct pvhcall_bpf *skel;

static const char doc[] =
"Summarize child hypercalls by call code and status, with their latency.\n"
"\n"
"USAGE: pvhcall [-t] [-n] [-c] [-p ID] [-v N] [--raw-tp] [interval] [count]\n"
"\n"
"Latency is the time partvisor took for a call, from the start of its\n"
"handling to the result in the VP's registers. It is converted from TSC\n"
"cycles with the module's tsc_khz; without it, cycles are shown.\n"
"\n"
"EXAMPLES:\n"
"    pvhcall             # until Ctrl-C: a histogram per code and status\n"
"    pvhcall -t 1        # a table every second\n"
"    pvhcall -p 2 -v 1   # VP 1 of partition 2 only\n";

static const struct argp_option options[] = {
	{ "table", 't', NULL, 0, "A table instead of histograms", 0 },
	{ "nanoseconds", 'n', NULL, 0, "Nanoseconds, not microseconds", 0 },
	{ "cycles", 'c', NULL, 0, "TSC cycles even when the rate is known", 0 },
	{},
};

static const struct pv_flag flags[] = {
	{ 't', &opts.table },
	{ 'n', &opts.ns },
	{ 'c', &opts.cycles },
	{},
};

#define PV_HYPERCALLS	"/sys/kernel/debug/partvisor/hypercalls"
#define MAX_CALLS	64

/* The module's hypercall table (its debugfs file): code and name. */
static struct {
	unsigned int code;
	char name[32];
} calls[MAX_CALLS];
static unsigned int nr_calls;

static void load_call_names(void)
{
	FILE *f = fopen(PV_HYPERCALLS, "r");
	char line[128];

	if (!f)
		return;
	while (nr_calls < MAX_CALLS && fgets(line, sizeof(line), f))
		if (sscanf(line, "%x %31s", &calls[nr_calls].code,
			   calls[nr_calls].name) == 2)
			nr_calls++;
	fclose(f);
}

static const char *code_name(unsigned int code)
{
	unsigned int i;

	for (i = 0; i < nr_calls; i++)
		if (calls[i].code == code)
			return calls[i].name;
	return "-";
}

struct kind {
	struct pvhcall_key key;
	struct pvhcall_stat prev;
	struct pvhcall_stat d;
};

static struct kind kinds[MAX_KINDS];
static unsigned int nr_kinds;

static struct kind *find_kind(const struct pvhcall_key *key)
{
	unsigned int i;

	for (i = 0; i < nr_kinds; i++)
		if (kinds[i].key.code == key->code &&
		    kinds[i].key.status == key->status)
			return &kinds[i];
	if (nr_kinds == MAX_KINDS)
		return NULL;
	kinds[nr_kinds].key = *key;
	return &kinds[nr_kinds++];
}

static int cmp_kind(const void *a, const void *b)
{
	const struct kind *x = a, *y = b;

	if (x->key.code != y->key.code)
		return x->key.code - y->key.code;
	return x->key.status - y->key.status;
}

/* Divide a BPF-side total or average into the unit shown. */
static double shown(double v)
{
	return in_cycles || opts.ns ? v : v / 1000;
}

static int report(__u64 elapsed_ns)
{
	int fd = bpf_map__fd(skel->maps.stats);
	const char *unit = in_cycles ? "cycles" : opts.ns ? "ns" : "us";
	struct pvhcall_key key, next, *prev_key = NULL;
	unsigned long long total = 0;
	struct pvhcall_stat cur;
	unsigned int i, j;
	struct kind *k;

	(void)elapsed_ns;
	while (!bpf_map_get_next_key(fd, prev_key, &next)) {
		key = next;
		prev_key = &key;
		if (bpf_map_lookup_elem(fd, &key, &cur))
			continue;	/* not deleted by us: cannot happen */
		k = find_kind(&key);
		if (!k)
			continue;
		k->d.count = cur.count - k->prev.count;
		k->d.fast = cur.fast - k->prev.fast;
		k->d.reps = cur.reps - k->prev.reps;
		k->d.total = cur.total - k->prev.total;
		for (j = 0; j < PV_HIST_SLOTS; j++)
			k->d.slots[j] = cur.slots[j] - k->prev.slots[j];
		k->prev = cur;
	}
	qsort(kinds, nr_kinds, sizeof(kinds[0]), cmp_kind);

	pv_print_time(stdout);
	if (opts.table)
		printf("%-6s %-22s %-6s %10s %10s %10s %14s %12s\n", "CODE",
		       "NAME", "STATUS", "COUNT", "FAST", "REPS",
		       in_cycles ? "TOTAL_cycles" : opts.ns ? "TOTAL_ns" : "TOTAL_us",
		       in_cycles ? "AVG_cycles" : opts.ns ? "AVG_ns" : "AVG_us");
	for (i = 0; i < nr_kinds; i++) {
		const struct pvhcall_stat *d = &kinds[i].d;
		const struct pvhcall_key *kk = &kinds[i].key;

		if (!d->count)
			continue;
		total += d->count;
		if (opts.table) {
			printf("0x%04x %-22s 0x%04x %10llu %10llu %10llu %14.1f %12.1f\n",
			       kk->code, code_name(kk->code), kk->status,
			       (unsigned long long)d->count,
			       (unsigned long long)d->fast,
			       (unsigned long long)d->reps, shown(d->total),
			       shown((double)d->total / d->count));
			continue;
		}
		printf("\ncode = 0x%04x (%s), status = 0x%04x: ", kk->code,
		       code_name(kk->code), kk->status);
		printf("%llu calls (%llu fast), %llu reps, avg %.1f %s\n",
		       (unsigned long long)d->count,
		       (unsigned long long)d->fast,
		       (unsigned long long)d->reps,
		       shown((double)d->total / d->count), unit);
		pv_print_log2_hist(stdout, d->slots, PV_HIST_SLOTS,
				   in_cycles ? "cycles" : opts.ns ? "nsecs" : "usecs");
	}
	if (!opts.table)
		printf("\n");
	printf("TOTAL %llu\n\n", total);
	fflush(stdout);
	return 0;
}

/* The module's TSC rate from debugfs, 0 if it does not say. */
static unsigned long long tsc_rate(void)
{
	char buf[32];
	char *end;
	unsigned long long khz;

	if (pv_hypervisor_value("tsc_khz", buf, sizeof(buf)))
		return 0;
	khz = strtoull(buf, &end, 10);
	return end != buf && !*end ? khz : 0;
}

static int setup(void)
{
	load_call_names();
	if (!opts.cycles) {
		tsc_khz = tsc_rate();
		if (!tsc_khz)
			fprintf(stderr, "%s: no tsc_khz from the module: TSC cycles\n",
				pv_prog);
	}
	in_cycles = !tsc_khz;
	return 0;
}

/* The skeleton with the filters, the TSC rate and the unit in its rodata. */
static struct bpf_object_skeleton *open_skel(void)
{
	skel = pvhcall_bpf__open();
	if (!skel)
		return NULL;
	skel->rodata->targ_part = pv_env.part;
	skel->rodata->targ_vp = pv_env.vp;
	skel->rodata->tsc_khz = tsc_khz;
	skel->rodata->targ_ns = opts.ns;
	return skel->skeleton;
}

static void destroy_skel(void)
{
	pvhcall_bpf__destroy(skel);
}

static const struct pv_tool tool = {
	.name = "pvhcall",
	.doc = doc,
	.options = options,
	.flags = flags,
	.what = "child hypercalls",
	.setup = setup,
	.open = open_skel,
	.destroy = destroy_skel,
	.report = report,
};

int main(int argc, char **argv)
{
	return pv_main(&tool, argc, argv);
}
