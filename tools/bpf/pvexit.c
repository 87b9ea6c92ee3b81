// SPDX-License-Identifier: GPL-2.0
/*
 * pvexit: child VP intercepts by reason, with the time partvisor and the
 * VMM took from each exit to the VP's next entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/partvisor.h>

#include "pvtool.h"
#include "pvexit.h"
#include "pvexit.skel.h"

#ifdef PARTVISOR_INTERCEPT_NAMES
static const char * const reason_names[] = PARTVISOR_INTERCEPT_NAMES;
#define NR_REASON_NAMES	ARRAY_SIZE(reason_names)
#else
/* A uapi header without the intercept names: reasons by number. */
#define NR_REASON_NAMES	0
#endif

static struct {
	bool hist;
	bool ns;
} opts;

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

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	(void)state;
	switch (key) {
	case 'H':
		opts.hist = true;
		break;
	case 'n':
		opts.ns = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = {
	{ &pv_common_argp, 0, NULL, 0 },
	{},
};

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "[interval] [count]",
	.doc = doc,
	.children = children,
};

static const char *reason_name(unsigned int r, char *buf, size_t len)
{
#ifdef PARTVISOR_INTERCEPT_NAMES
	if (r < NR_REASON_NAMES)
		return reason_names[r];
#endif
	snprintf(buf, len, r == PV_MAX_REASONS - 1 ? "reason_%u+" : "reason_%u",
		 r);
	return buf;
}

static struct pvexit_stat prev[PV_MAX_REASONS];

/* The differences since the last report, printed; then they are the base. */
static int report(int fd)
{
	const char *unit = opts.ns ? "ns" : "us";
	unsigned long long total = 0;
	struct pvexit_stat cur, d;
	unsigned int r, i;
	char buf[32];

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

static struct pvexit_bpf *open_load_attach(void)
{
	bool btf = pv_want_btf();
	struct pvexit_bpf *skel;
	int err;

	for (;;) {
		skel = pvexit_bpf__open();
		if (!skel) {
			fprintf(stderr, "%s: cannot open the BPF object: %s\n",
				pv_prog, strerror(errno));
			return NULL;
		}
		skel->rodata->targ_part = pv_env.part;
		skel->rodata->targ_vp = pv_env.vp;
		skel->rodata->targ_ns = opts.ns;
		pv_select_progs(skel->obj, btf);
		err = pvexit_bpf__load(skel);
		if (!err)
			err = pvexit_bpf__attach(skel);
		if (!err) {
			pv_report_method(btf);
			return skel;
		}
		pvexit_bpf__destroy(skel);
		if (!pv_retry_raw(btf, err))
			return NULL;
		btf = false;
	}
}

int main(int argc, char **argv)
{
	struct pvexit_bpf *skel;
	int err = 1, fd;
	bool last;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	if (pv_init("pvexit"))
		return 1;
	skel = open_load_attach();
	if (!skel)
		return 1;
	fd = bpf_map__fd(skel->maps.stats);
	pv_tracing("child VP exits");
	do {
		last = pv_wait_report();
		if (report(fd))
			goto out;
	} while (!last);
	err = 0;
out:
	pvexit_bpf__destroy(skel);
	return err;
}
