// SPDX-License-Identifier: GPL-2.0
/*
 * pvexit: child VP intercepts by reason, with the time partvisor and the
 * VMM took from each exit to the VP's next entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pvtool.h"
#include "pvexit.h"
#include "pvexit.skel.h"

static struct {
	bool hist;
	bool ns;
} opts;

static struct pvexit_bpf *skel;

static const char doc[] =
"Count child VP intercepts by reason and time them, exit to next entry.\n"
"\n"
"USAGE: pvexit [-H] [-n] [-p ID] [-v N] [--raw-tp] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    pvexit              # until Ctrl-C: counts and times per reason\n"
"    pvexit 1 5          # five one-second reports\n"
"    pvexit -H -p 3      # histograms per reason, partition 3 only\n"
"    pvexit -n -v 0      # VP 0 of every partition, in nanoseconds\n";

static const struct argp_option options[] = {
	{ "histogram", 'H', NULL, 0, "Print a histogram per reason", 0 },
	{ "nanoseconds", 'n', NULL, 0, "Nanoseconds, not microseconds", 0 },
	{},
};

static const struct pv_flag flags[] = {
	{ 'H', &opts.hist },
	{ 'n', &opts.ns },
	{},
};

static const char *reason_name(unsigned int r, char *buf, size_t len)
{
	/* The last slot also counts the reasons above it. */
	if (r == PV_MAX_REASONS - 1 && r >= pv_nr_reason_names) {
		snprintf(buf, len, "reason_%u+", r);
		return buf;
	}
	return pv_reason_name(r, buf, len);
}

static struct pvexit_stat prev[PV_MAX_REASONS];

/* The differences since the last report, printed; then they are the base. */
static int report(__u64 elapsed_ns)
{
	int fd = bpf_map__fd(skel->maps.stats);
	const char *unit = opts.ns ? "ns" : "us";
	unsigned long long total = 0;
	struct pvexit_stat cur, d;
	unsigned int r, i;
	char buf[32];

	(void)elapsed_ns;
	pv_print_time(stdout);
	if (!opts.hist)
		printf("%-16s %10s %14s %12s\n", "REASON", "COUNT",
		       opts.ns ? "TOTAL_ns" : "TOTAL_us",
		       opts.ns ? "AVG_ns" : "AVG_us");
	for (r = 0; r < PV_MAX_REASONS; r++) {
		if (bpf_map_lookup_elem(fd, &r, &cur)) {
			fprintf(stderr, "%s: cannot read the counts: %s\n",
				pv_prog, strerror(errno));
			return -1;
		}
		d.count = cur.count - prev[r].count;
		d.timed = cur.timed - prev[r].timed;
		d.total_ns = cur.total_ns - prev[r].total_ns;
		for (i = 0; i < PV_HIST_SLOTS; i++)
			d.slots[i] = cur.slots[i] - prev[r].slots[i];
		prev[r] = cur;
		if (!d.count && !d.timed)
			continue;
		total += d.count;
		if (opts.hist) {
			printf("\nreason = %s: %llu exits, %llu timed, avg %.1f %s\n",
			       reason_name(r, buf, sizeof(buf)),
			       (unsigned long long)d.count,
			       (unsigned long long)d.timed,
			       d.timed ? (double)d.total_ns / d.timed /
					 (opts.ns ? 1 : 1000) : 0.0, unit);
			pv_print_log2_hist(stdout, d.slots, PV_HIST_SLOTS,
					   opts.ns ? "nsecs" : "usecs");
			continue;
		}
		printf("%-16s %10llu %14.1f %12.1f\n",
		       reason_name(r, buf, sizeof(buf)),
		       (unsigned long long)d.count,
		       (double)d.total_ns / (opts.ns ? 1 : 1000),
		       d.timed ? (double)d.total_ns / d.timed /
				 (opts.ns ? 1 : 1000) : 0.0);
	}
	if (opts.hist)
		printf("\n");
	printf("%-16s %10llu\n\n", "TOTAL", total);
	fflush(stdout);
	return 0;
}

/* The skeleton with the filters and the unit in its rodata. */
static struct bpf_object_skeleton *open_skel(void)
{
	skel = pvexit_bpf__open();
	if (!skel)
		return NULL;
	skel->rodata->targ_part = pv_env.part;
	skel->rodata->targ_vp = pv_env.vp;
	skel->rodata->targ_ns = opts.ns;
	return skel->skeleton;
}

static void destroy_skel(void)
{
	pvexit_bpf__destroy(skel);
}

static const struct pv_tool tool = {
	.name = "pvexit",
	.doc = doc,
	.options = options,
	.flags = flags,
	.what = "child VP exits",
	.open = open_skel,
	.destroy = destroy_skel,
	.report = report,
};

int main(int argc, char **argv)
{
	return pv_main(&tool, argc, argv);
}
