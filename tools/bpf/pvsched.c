// SPDX-License-Identifier: GPL-2.0
/*
 * pvsched: the classic scheduler's dispatch waits, migrations and
 * run-queue lengths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pvtool.h"
#include "pvsched.h"
#include "pvsched.skel.h"

#define MAX_VPS	4096

static struct {
	bool table;
	bool ns;
} opts;

/* Whether the dispatch event gives the run-queue length. */
static bool has_queued;

static struct pvsched_bpf *skel;

static const char doc[] =
"Summarize the classic scheduler's dispatches: each VP's wait from ready\n"
"to running, its migrations between LPs, the LPs' run-queue lengths.\n"
"\n"
"USAGE: pvsched [-t] [-n] [-p ID] [-v N] [--raw-tp] [interval] [count]\n"
"\n"
"Only partvisor loaded with sched=classic dispatches VPs itself; under\n"
"the root scheduler there is nothing to show.\n"
"\n"
"EXAMPLES:\n"
"    pvsched             # until Ctrl-C: wait histograms per VP\n"
"    pvsched -t 1 10     # a table every second, ten times\n"
"    pvsched -p 2        # partition 2 only\n";

static const struct argp_option options[] = {
	{ "table", 't', NULL, 0, "A table instead of histograms", 0 },
	{ "nanoseconds", 'n', NULL, 0, "Nanoseconds, not microseconds", 0 },
	{},
};

static const struct pv_flag flags[] = {
	{ 't', &opts.table },
	{ 'n', &opts.ns },
	{},
};

struct vp_row {
	__u64 key;
	struct pvsched_vp prev;
	struct pvsched_vp d;
};

static struct vp_row rows[MAX_VPS];
static unsigned int nr_rows;
static __u64 prev_qlen[PV_QLEN_SLOTS];

static struct vp_row *find_row(__u64 key)
{
	unsigned int i;

	for (i = 0; i < nr_rows; i++)
		if (rows[i].key == key)
			return &rows[i];
	if (nr_rows == MAX_VPS)
		return NULL;
	rows[nr_rows].key = key;
	return &rows[nr_rows++];
}

static int cmp_row(const void *a, const void *b)
{
	const struct vp_row *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static void read_vps(int fd)
{
	__u64 key, next, *prev_key = NULL;
	struct pvsched_vp cur;
	struct vp_row *r;
	unsigned int i;

	while (!bpf_map_get_next_key(fd, prev_key, &next)) {
		key = next;
		prev_key = &key;
		if (bpf_map_lookup_elem(fd, &key, &cur))
			continue;
		r = find_row(key);
		if (!r)
			continue;
		r->d.dispatches = cur.dispatches - r->prev.dispatches;
		r->d.wait_ns = cur.wait_ns - r->prev.wait_ns;
		r->d.migrations = cur.migrations - r->prev.migrations;
		for (i = 0; i < PV_HIST_SLOTS; i++)
			r->d.slots[i] = cur.slots[i] - r->prev.slots[i];
		r->prev = cur;
	}
	qsort(rows, nr_rows, sizeof(rows[0]), cmp_row);
}

/* Run-queue lengths as a linear histogram. */
static int print_qlen(int fd)
{
	__u64 d[PV_QLEN_SLOTS], cur, max = 0;
	unsigned int i, j, last = 0;

	for (i = 0; i < PV_QLEN_SLOTS; i++) {
		if (bpf_map_lookup_elem(fd, &i, &cur)) {
			fprintf(stderr, "%s: cannot read the run-queue lengths: %s\n",
				pv_prog, strerror(errno));
			return -1;
		}
		d[i] = cur - prev_qlen[i];
		prev_qlen[i] = cur;
		if (d[i])
			last = i + 1;
		if (d[i] > max)
			max = d[i];
	}
	if (!last)
		return 0;
	printf("\nrun-queue length after each pick:\n%8s : %-10s %s\n",
	       "queued", "count", "distribution");
	for (i = 0; i < last; i++) {
		int bar = (int)(d[i] * 40 / max);

		printf("%7u%s : %-10llu |", i,
		       i == PV_QLEN_SLOTS - 1 ? "+" : " ",
		       (unsigned long long)d[i]);
		for (j = 0; j < 40; j++)
			putchar((int)j < bar ? '*' : ' ');
		printf("|\n");
	}
	return 0;
}

static int report(__u64 elapsed_ns)
{
	const double div = opts.ns ? 1 : 1000;
	unsigned long long total = 0, migrations = 0;
	unsigned int i;

	(void)elapsed_ns;
	read_vps(bpf_map__fd(skel->maps.vps));
	pv_print_time(stdout);
	if (opts.table)
		printf("%-6s %-5s %12s %12s %14s %12s\n", "PART", "VP",
		       "DISPATCHES", "MIGRATIONS",
		       opts.ns ? "WAIT_ns" : "WAIT_us",
		       opts.ns ? "AVG_ns" : "AVG_us");
	for (i = 0; i < nr_rows; i++) {
		const struct pvsched_vp *d = &rows[i].d;
		double avg;

		if (!d->dispatches)
			continue;
		total += d->dispatches;
		migrations += d->migrations;
		avg = (double)d->wait_ns / d->dispatches / div;
		if (opts.table) {
			printf("%-6u %-5u %12llu %12llu %14.1f %12.1f\n",
			       PV_KEY_PART(rows[i].key), PV_KEY_VP(rows[i].key),
			       (unsigned long long)d->dispatches,
			       (unsigned long long)d->migrations,
			       d->wait_ns / div, avg);
			continue;
		}
		printf("\npartition %u vp %u: %llu dispatches, %llu migrations, avg wait %.1f %s\n",
		       PV_KEY_PART(rows[i].key), PV_KEY_VP(rows[i].key),
		       (unsigned long long)d->dispatches,
		       (unsigned long long)d->migrations, avg,
		       opts.ns ? "ns" : "us");
		pv_print_log2_hist(stdout, d->slots, PV_HIST_SLOTS,
				   opts.ns ? "nsecs" : "usecs");
	}
	if (has_queued && print_qlen(bpf_map__fd(skel->maps.qlen)))
		return -1;
	printf("\nTOTAL %llu dispatches, %llu migrations\n\n", total,
	       migrations);
	fflush(stdout);
	return 0;
}

static int setup(void)
{
	char mode[32];

	/* Unknown (debugfs not mounted): trace anyway. */
	if (!pv_hypervisor_value("scheduler", mode, sizeof(mode)) &&
	    strcmp(mode, "classic")) {
		fprintf(stderr, "%s: partvisor runs the %s scheduler, %s\n",
			pv_prog, mode,
			"which has no dispatches (load it with sched=classic)");
		return 1;	/* nothing to trace: exit status 0 */
	}
	has_queued = pv_event_nargs("dispatch") >= 5;
	if (!has_queued && pv_env.verbose)
		fprintf(stderr, "%s: the dispatch event has no run-queue length\n",
			pv_prog);
	return 0;
}

/* The skeleton with the filters, the unit and has_queued in its rodata. */
static struct bpf_object_skeleton *open_skel(void)
{
	skel = pvsched_bpf__open();
	if (!skel)
		return NULL;
	skel->rodata->targ_part = pv_env.part;
	skel->rodata->targ_vp = pv_env.vp;
	skel->rodata->targ_ns = opts.ns;
	skel->rodata->has_queued = has_queued;
	return skel->skeleton;
}

static void destroy_skel(void)
{
	pvsched_bpf__destroy(skel);
}

static const struct pv_tool tool = {
	.name = "pvsched",
	.doc = doc,
	.options = options,
	.flags = flags,
	.what = "VP dispatches",
	.setup = setup,
	.open = open_skel,
	.destroy = destroy_skel,
	.report = report,
};

int main(int argc, char **argv)
{
	return pv_main(&tool, argc, argv);
}
