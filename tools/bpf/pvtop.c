// SPDX-License-Identifier: GPL-2.0
/*
 * pvtop: a top-style view of child partitions and their VPs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pvtool.h"
#include "pvtop.h"
#include "pvtop.skel.h"

#define MAX_VPS		8192
#define TOP_REASONS	3	/* reasons shown per VP in the terminal view */

enum sort_key { SORT_RUN, SORT_EXITS, SORT_HCALLS, SORT_IRQS, SORT_DISP,
		SORT_WAIT, SORT_VP };

static const char * const sort_names[] = {
	[SORT_RUN] = "run", [SORT_EXITS] = "exits", [SORT_HCALLS] = "hcalls",
	[SORT_IRQS] = "irqs", [SORT_DISP] = "disp", [SORT_WAIT] = "wait",
	[SORT_VP] = "vp",
};

enum { OPT_CSV = 0x200, OPT_JSON };

static struct {
	enum sort_key sort;
	bool batch;
	bool csv;
	bool json;
} opts;

/* Redraw the view in place: not -b, and stdout is a terminal. */
static bool redraw;

static struct pvtop_bpf *skel;

static const char doc[] =
"Show child partitions' VPs top-style: time in the child, intercepts,\n"
"hypercalls, injected interrupts and dispatch waits, per interval.\n"
"\n"
"USAGE: pvtop [-b [--csv|--json]] [-s COL] [-p ID] [-v N] [interval] [count]\n"
"\n"
"The interval defaults to 1 s. On a terminal the view is redrawn in\n"
"place until q or Ctrl-C; -b prints each interval after the last, for\n"
"scripts: as text, as CSV (a header, then one row per VP and interval)\n"
"or as JSON (one object per interval and line). CSV and JSON give\n"
"counts per interval, the text view rates per second.\n"
"\n"
"Sort columns (-s): run, exits, hcalls, irqs, disp, wait, vp.\n"
"\n"
"EXAMPLES:\n"
"    pvtop               # live view, sorted by run time\n"
"    pvtop -s exits 2    # by intercepts, every 2 s\n"
"    pvtop -b --csv 1 10 # ten one-second intervals as CSV\n";

static const struct argp_option options[] = {
	{ "sort", 's', "COL", 0, "Sort by COL (default run)", 0 },
	{ "batch", 'b', NULL, 0, "Batch mode: no redraw, for scripts", 0 },
	{ "csv", OPT_CSV, NULL, 0, "Batch mode as CSV", 0 },
	{ "json", OPT_JSON, NULL, 0, "Batch mode as JSON lines", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	unsigned int i;

	switch (key) {
	case 's':
		for (i = 0; i < ARRAY_SIZE(sort_names); i++)
			if (!strcmp(arg, sort_names[i]))
				break;
		if (i == ARRAY_SIZE(sort_names))
			argp_error(state, "unknown sort column '%s'", arg);
		opts.sort = i;
		break;
	case 'b':
		opts.batch = true;
		break;
	case OPT_CSV:
		opts.csv = true;
		opts.batch = true;
		break;
	case OPT_JSON:
		opts.json = true;
		opts.batch = true;
		break;
	case ARGP_KEY_END:
		if (opts.csv && opts.json)
			argp_error(state, "--csv and --json exclude each other");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* A VP's last sample and what changed since the one before. */
struct row {
	__u64 key;
	struct pvtop_vp prev;
	__u64 prev_run;		/* run_ns including the current stay */
	struct pvtop_vp d;
	double run_pct;
	double wait_us;		/* per dispatch */
	bool active;
};

static struct row rows[MAX_VPS];
static unsigned int nr_rows;
static struct row *sorted[MAX_VPS];
static bool csv_header_done;

/* Reasons a report lists: the named ones, and any other one seen. */
static unsigned int nr_reasons_shown(void)
{
	unsigned int r, n = pv_nr_reason_names, i;

	for (i = 0; i < nr_rows; i++)
		for (r = n; r < PV_MAX_REASONS; r++)
			if (rows[i].prev.reasons[r])
				n = r + 1;
	return n;
}

static struct row *find_row(__u64 key)
{
	unsigned int i;

	for (i = 0; i < nr_rows; i++)
		if (rows[i].key == key)
			return &rows[i];
	if (nr_rows == MAX_VPS)
		return NULL;
	memset(&rows[nr_rows], 0, sizeof(rows[0]));
	rows[nr_rows].key = key;
	return &rows[nr_rows++];
}

/* A counter's change; a VP evicted and seen again starts over. */
static __u64 delta(__u64 cur, __u64 prev)
{
	return cur >= prev ? cur - prev : cur;
}

/* Take a sample of every VP: the differences over @elapsed_ns. */
static void sample(int fd, __u64 elapsed_ns)
{
	__u64 key, next, *prev_key = NULL, now, run;
	struct pvtop_vp cur;
	struct row *r;
	unsigned int i;

	for (i = 0; i < nr_rows; i++)
		rows[i].active = false;
	while (!bpf_map_get_next_key(fd, prev_key, &next)) {
		key = next;
		prev_key = &key;
		if (bpf_map_lookup_elem(fd, &key, &cur))
			continue;
		r = find_row(key);
		if (!r)
			continue;
		/* bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
		now = pv_mono_ns();
		run = cur.run_ns;
		if (cur.entry_ns && now > cur.entry_ns)
			run += now - cur.entry_ns;
		r->d.run_ns = delta(run, r->prev_run);
		r->d.exits = delta(cur.exits, r->prev.exits);
		r->d.hypercalls = delta(cur.hypercalls, r->prev.hypercalls);
		r->d.injects = delta(cur.injects, r->prev.injects);
		r->d.dispatches = delta(cur.dispatches, r->prev.dispatches);
		r->d.wait_ns = delta(cur.wait_ns, r->prev.wait_ns);
		for (i = 0; i < PV_MAX_REASONS; i++)
			r->d.reasons[i] = delta(cur.reasons[i],
						r->prev.reasons[i]);
		r->prev = cur;
		r->prev_run = run;
		r->run_pct = elapsed_ns ? 100.0 * r->d.run_ns / elapsed_ns : 0;
		if (r->run_pct > 100)
			r->run_pct = 100;
		r->wait_us = r->d.dispatches ?
			     r->d.wait_ns / 1000.0 / r->d.dispatches : 0;
		r->active = r->d.run_ns || r->d.exits || r->d.hypercalls ||
			    r->d.injects || r->d.dispatches;
	}
}

static double sort_value(const struct row *r)
{
	switch (opts.sort) {
	case SORT_RUN:
		return r->run_pct;
	case SORT_EXITS:
		return r->d.exits;
	case SORT_HCALLS:
		return r->d.hypercalls;
	case SORT_IRQS:
		return r->d.injects;
	case SORT_DISP:
		return r->d.dispatches;
	case SORT_WAIT:
		return r->wait_us;
	default:
		return 0;
	}
}

/* Largest first; by partition and VP for ties and for -s vp. */
static int cmp_row(const void *a, const void *b)
{
	const struct row *x = *(const struct row **)a;
	const struct row *y = *(const struct row **)b;
	double vx = sort_value(x), vy = sort_value(y);

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static unsigned int sort_rows(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr_rows; i++)
		if (rows[i].active)
			sorted[n++] = &rows[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_row);
	return n;
}

/* The VP's most frequent reasons, "name:rate" each. */
static void top_reasons(const struct row *r, double secs, char *buf,
			size_t len)
{
	bool used[PV_MAX_REASONS] = {};
	unsigned int i, k, best;
	size_t off = 0;
	char name[32];

	buf[0] = '\0';
	for (k = 0; k < TOP_REASONS; k++) {
		best = PV_MAX_REASONS;
		for (i = 0; i < PV_MAX_REASONS; i++)
			if (!used[i] && r->d.reasons[i] &&
			    (best == PV_MAX_REASONS ||
			     r->d.reasons[i] > r->d.reasons[best]))
				best = i;
		if (best == PV_MAX_REASONS || off >= len)
			break;
		used[best] = true;
		off += snprintf(buf + off, len - off, "%s%s:%.0f", k ? " " : "",
				pv_reason_name(best, name, sizeof(name)),
				r->d.reasons[best] / secs);
	}
}

static unsigned int term_rows(void)
{
	struct winsize ws;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 6)
		return ws.ws_row;
	return 0;
}

static void print_text(unsigned int n, double secs)
{
	unsigned int i, j, parts = 0, max = redraw ? term_rows() : 0;
	__u64 exits = 0, hcalls = 0, irqs = 0;
	char when[16], top[96];

	pv_time_of_day(when, sizeof(when));
	for (i = 0; i < n; i++) {
		exits += sorted[i]->d.exits;
		hcalls += sorted[i]->d.hypercalls;
		irqs += sorted[i]->d.injects;
	}
	/* Partitions: the distinct ids among the active VPs. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (PV_KEY_PART(sorted[j]->key) ==
			    PV_KEY_PART(sorted[i]->key))
				break;
		if (j == i)
			parts++;
	}
	if (redraw)
		printf("\033[H\033[2J");
	printf("pvtop - %s, %.1f s, sorted by %s\n", when, secs,
	       sort_names[opts.sort]);
	printf("partitions: %u, VPs: %u, intercepts/s: %.0f, ", parts, n,
	       exits / secs);
	printf("hypercalls/s: %.0f, interrupts/s: %.0f\n\n", hcalls / secs,
	       irqs / secs);
	printf("%-6s %-4s %6s %10s %9s %9s %9s %9s  %s\n", "PART", "VP",
	       "RUN%", "EXITS/s", "HCALLS/s", "IRQS/s", "DISP/s", "WAIT_us",
	       "TOP INTERCEPTS/s");
	for (i = 0; i < n; i++) {
		const struct row *r = sorted[i];

		if (max && i + 6 > max)
			break;
		top_reasons(r, secs, top, sizeof(top));
		printf("%-6u %-4u %6.1f %10.0f %9.0f %9.0f %9.0f %9.1f  %s\n",
		       PV_KEY_PART(r->key), PV_KEY_VP(r->key), r->run_pct,
		       r->d.exits / secs, r->d.hypercalls / secs,
		       r->d.injects / secs, r->d.dispatches / secs,
		       r->wait_us, top);
	}
	if (!redraw)
		printf("\n");
}

static void print_csv(unsigned int n, double secs)
{
	unsigned int i, r, nr = nr_reasons_shown();
	char when[16], name[32];

	pv_time_of_day(when, sizeof(when));
	if (!csv_header_done) {
		printf("time,seconds,part,vp,run_pct,exits,hypercalls,injects,dispatches,wait_us");
		for (r = 0; r < nr; r++)
			printf(",exits_%s", pv_reason_name(r, name, sizeof(name)));
		printf("\n");
		csv_header_done = true;
	}
	for (i = 0; i < n; i++) {
		const struct row *w = sorted[i];

		printf("%s,%.3f,%u,%u,%.2f,%llu,%llu,%llu,%llu,%.1f", when,
		       secs, PV_KEY_PART(w->key), PV_KEY_VP(w->key),
		       w->run_pct, (unsigned long long)w->d.exits,
		       (unsigned long long)w->d.hypercalls,
		       (unsigned long long)w->d.injects,
		       (unsigned long long)w->d.dispatches, w->wait_us);
		for (r = 0; r < nr; r++)
			printf(",%llu", (unsigned long long)w->d.reasons[r]);
		printf("\n");
	}
}

static void print_json(unsigned int n, double secs)
{
	unsigned int i, r, nr = nr_reasons_shown();
	char when[16], name[32];
	bool first;

	pv_time_of_day(when, sizeof(when));
	printf("{\"time\":\"%s\",\"seconds\":%.3f,\"vps\":[", when, secs);
	for (i = 0; i < n; i++) {
		const struct row *w = sorted[i];

		printf("%s{\"part\":%u,\"vp\":%u,\"run_pct\":%.2f,", i ? "," : "",
		       PV_KEY_PART(w->key), PV_KEY_VP(w->key), w->run_pct);
		printf("\"exits\":%llu,\"hypercalls\":%llu,\"injects\":%llu,",
		       (unsigned long long)w->d.exits,
		       (unsigned long long)w->d.hypercalls,
		       (unsigned long long)w->d.injects);
		printf("\"dispatches\":%llu,\"wait_us\":%.1f,\"intercepts\":{",
		       (unsigned long long)w->d.dispatches, w->wait_us);
		first = true;
		for (r = 0; r < nr; r++) {
			if (!w->d.reasons[r])
				continue;
			printf("%s\"%s\":%llu", first ? "" : ",",
			       pv_reason_name(r, name, sizeof(name)),
			       (unsigned long long)w->d.reasons[r]);
			first = false;
		}
		printf("}}");
	}
	printf("]}\n");
}

static int report(__u64 elapsed_ns)
{
	double secs = elapsed_ns ? elapsed_ns / 1e9 : 1;
	unsigned int n;

	sample(bpf_map__fd(skel->maps.vps), elapsed_ns);
	n = sort_rows();
	if (opts.csv)
		print_csv(n, secs);
	else if (opts.json)
		print_json(n, secs);
	else
		print_text(n, secs);
	fflush(stdout);
	return 0;
}

static int setup(void)
{
	if (!pv_env.interval)
		pv_env.interval = 1;
	redraw = !opts.batch && isatty(STDOUT_FILENO);
	pv_env.quit_key = redraw;
	return 0;
}

/* The skeleton with the filters in its rodata. */
static struct bpf_object_skeleton *open_skel(void)
{
	skel = pvtop_bpf__open();
	if (!skel)
		return NULL;
	skel->rodata->targ_part = pv_env.part;
	skel->rodata->targ_vp = pv_env.vp;
	return skel->skeleton;
}

static void destroy_skel(void)
{
	pvtop_bpf__destroy(skel);
}

static const struct pv_tool tool = {
	.name = "pvtop",
	.doc = doc,
	.options = options,
	.parser = parse_arg,
	.what = "child partitions",
	.setup = setup,
	.open = open_skel,
	.destroy = destroy_skel,
	.report = report,
};

int main(int argc, char **argv)
{
	return pv_main(&tool, argc, argv);
}
