// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl stats: partvisor's debugfs counters as tables. The module writes
 * raw "name: value" lines (partition/<id>/partition, partition/<id>/vp/<n>,
 * lp/<n>); this file reads them back and lays them out, skipping counters
 * that are still zero.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pvctl.h"

#define DEBUGFS		"/sys/kernel/debug"
#define PV_DEBUGFS	DEBUGFS "/partvisor"
#define MAX_KV		256
#define MAX_COLS	64

static const char * const intercepts[] = PARTVISOR_INTERCEPT_NAMES;

struct kv {
	char name[64];
	char value[96];
};

struct kvset {
	unsigned int n;
	struct kv kv[MAX_KV];
};

void stats_help(FILE *out)
{
	fprintf(out,
		"usage: %s stats [--interval SEC] [ID]\n\n"
		"Show partvisor's counter sets from debugfs (%s) as tables:\n"
		"for each partition (or only partition ID; 0 is the root) its\n"
		"memory and, per VP, dispatches, guest and hypervisor run time,\n"
		"intercepts by type with the TSC cycles spent handling them,\n"
		"hypercalls by code, interrupts injected and IPIs sent; under the\n"
		"classic scheduler each VP's run and wait time, wait per dispatch\n"
		"and migrations; without ID also each LP's run times, interrupts,\n"
		"IPIs and dispatches. Counters that are zero are left out.\n"
		"With --interval SEC (0.1-3600) every counter shows what\n"
		"happened during that many seconds, with dispatches and exits\n"
		"per second and a VP's share of an LP.\n"
		"Needs root and a mounted debugfs.\n",
		progname, PV_DEBUGFS);
}

/* Counter names and values are short; longer ones are cut. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * --interval: what each file held at the start, so that the second
 * reading shows what changed during the interval.
 */
struct baseline {
	char path[96];
	struct kvset set;
};

static struct baseline *bases;
static unsigned int nr_bases;
static int collecting;		/* the first pass only remembers */
static double interval_s;	/* 0: totals since the module loaded */

/* Values that are not counters: names, sizes, levels. */
static int kv_is_counter(const char *name)
{
	static const char * const fixed[] = {
		"vp_index", "cpu", "id", "owner_pid", "vps", "state",
		"regions", "mapped_pages", "pinned_pages", "cpuid_entries",
		"sched_lp", "sched_node", "sched_ready", "sched_reserved_pct",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		if (!strcmp(name, fixed[i]))
			return 0;
	return 1;
}

static const char *kv_str(const struct kvset *set, const char *name);

/* Remember @set as @path's baseline, or turn @set into the change. */
static void kv_interval(const char *path, struct kvset *set)
{
	unsigned long long now, then;
	struct baseline *b;
	char *end, *end2;
	unsigned int i;

	if (collecting) {
		b = realloc(bases, (nr_bases + 1) * sizeof(*bases));
		if (!b)
			return;
		bases = b;
		b = &bases[nr_bases++];
		copy(b->path, sizeof(b->path), path);
		b->set = *set;
		return;
	}
	for (b = bases; b < bases + nr_bases; b++)
		if (!strcmp(b->path, path))
			break;
	for (i = 0; i < set->n; i++) {
		struct kv *kv = &set->kv[i];

		if (!kv_is_counter(kv->name))
			continue;
		now = strtoull(kv->value, &end, 0);
		/* New since the start: all of it happened in the interval. */
		then = b < bases + nr_bases ?
		       strtoull(kv_str(&b->set, kv->name), &end2, 0) : 0;
		if (!*end && now >= then)
			snprintf(kv->value, sizeof(kv->value), "%llu",
				 now - then);
	}
}

/* "name: value" lines; 0, or -1 with errno set. */
static int kv_read(const char *path, struct kvset *set)
{
	char line[256], *colon;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	set->n = 0;
	while (fgets(line, sizeof(line), f) && set->n < MAX_KV) {
		struct kv *kv = &set->kv[set->n];

		line[strcspn(line, "\n")] = '\0';
		colon = strstr(line, ": ");
		if (!colon)
			continue;
		*colon = '\0';
		copy(kv->name, sizeof(kv->name), line);
		copy(kv->value, sizeof(kv->value), colon + 2);
		set->n++;
	}
	fclose(f);
	if (interval_s > 0)
		kv_interval(path, set);
	return 0;
}

static const char *kv_str(const struct kvset *set, const char *name)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->kv[i].name, name))
			return set->kv[i].value;
	return "?";
}

static unsigned long long kv_u64(const struct kvset *set, const char *fmt,
				 const char *arg)
{
	char name[64];

	snprintf(name, sizeof(name), fmt, arg);
	return strtoull(kv_str(set, name), NULL, 0);
}

/* One clear line when the counters cannot be read at all. */
static int check_debugfs(void)
{
	char line[256];
	FILE *f;
	int mounted = 0;

	if (!access(PV_DEBUGFS, R_OK | X_OK))
		return 0;
	if (errno == EACCES || errno == EPERM || geteuid()) {
		fprintf(stderr, "%s: cannot read %s: permission denied (needs root)\n",
			progname, PV_DEBUGFS);
		return -1;
	}
	f = fopen("/proc/mounts", "re");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, " " DEBUGFS " debugfs "))
			mounted = 1;
	if (f)
		fclose(f);
	if (!mounted)
		fprintf(stderr, "%s: debugfs is not mounted (mount -t debugfs none %s)\n",
			progname, DEBUGFS);
	else
		fprintf(stderr, "%s: %s not found: is the partvisor module loaded?\n",
			progname, PV_DEBUGFS);
	return -1;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The numeric entries of a directory, sorted; -1 if it cannot be read. */
static int list_numbers(const char *dir, unsigned int *out, int max)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;
	char *end;

	if (!dp)
		return -1;
	while ((d = readdir(dp)) && n < max) {
		unsigned long v = strtoul(d->d_name, &end, 10);

		if (d->d_name[0] >= '0' && d->d_name[0] <= '9' && !*end)
			out[n++] = v;
	}
	closedir(dp);
	qsort(out, n, sizeof(*out), cmp_uint);
	return n;
}

static unsigned long long avg(unsigned long long total, unsigned long long n)
{
	return n ? total / n : 0;
}

/*
 * The scheduler's view of the VP; wait per dispatch is the CPU wait time
 * a dispatch cost it (ready until running). Under the root scheduler it
 * is Linux's view of the VMM thread while that runs the VP, without
 * classic mode's NUMA and limit counters.
 */
static void print_vp_sched(const struct kvset *vp)
{
	unsigned long long n = kv_u64(vp, "sched_dispatches", NULL);
	unsigned long long wait = kv_u64(vp, "sched_wait_ns", NULL);
	bool classic = strcmp(kv_str(vp, "sched_throttles"), "?");

	if (!strcmp(kv_str(vp, "sched_dispatches"), "?"))
		return;
	printf("    %s: %.3f ms run, %.3f ms waiting, %llu dispatches, ",
	       classic ? "scheduler" : "Linux's scheduler",
	       kv_u64(vp, "sched_run_ns", NULL) / 1e6, wait / 1e6, n);
	printf("%.3f ms wait per dispatch\n", n ? wait / 1e6 / n : 0.0);
	if (interval_s > 0)
		printf("    %.1f %% of %s\n",
		       kv_u64(vp, "sched_run_ns", NULL) / 1e7 / interval_s,
		       classic ? "an LP" : "a CPU");
	printf("    %llu migrations", kv_u64(vp, "sched_migrations", NULL));
	if (classic)
		printf(" (%llu across nodes), %llu throttled",
		       kv_u64(vp, "sched_node_migrations", NULL),
		       kv_u64(vp, "sched_throttles", NULL));
	printf("\n");
}

static unsigned long long intercepts_total(const struct kvset *vp)
{
	unsigned long long n = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		n += kv_u64(vp, "intercepts_%s", intercepts[i]);
	return n;
}

/* Hypercalls by code: the rows of the set named hypercalls_<code>. */
static void print_vp_hypercalls(const struct kvset *vp)
{
	unsigned int i, shown = 0;

	for (i = 0; i < vp->n; i++) {
		const char *name = vp->kv[i].name;
		unsigned long long n, c;

		if (strncmp(name, "hypercalls_", 11))
			continue;
		n = strtoull(vp->kv[i].value, NULL, 0);
		if (!n)
			continue;
		c = kv_u64(vp, "hypercall_cycles_%s", name + 11);
		if (!shown++)
			printf("    %-30s %10s %16s %10s\n", "HYPERCALL", "COUNT",
			       "CYCLES", "AVG");
		printf("    %-30s %10llu %16llu %10llu\n", name + 11, n, c,
		       avg(c, n));
	}
}

static void print_vp(const struct kvset *vp)
{
	unsigned long long runs = kv_u64(vp, "dispatches", NULL);
	unsigned long long total = intercepts_total(vp);
	unsigned int i;

	printf("  VP %s: %llu dispatches, run time %llu cycles ",
	       kv_str(vp, "vp_index"), runs,
	       kv_u64(vp, "run_time_total_cycles", NULL));
	printf("(guest %llu, hypervisor %llu)\n",
	       kv_u64(vp, "run_time_guest_cycles", NULL),
	       kv_u64(vp, "run_time_hypervisor_cycles", NULL));
	if (interval_s > 0)
		printf("    %.0f dispatches/s, %.0f intercepts/s\n",
		       runs / interval_s, total / interval_s);
	printf("    %llu interrupts injected, %llu IPIs sent\n",
	       kv_u64(vp, "interrupts_injected", NULL),
	       kv_u64(vp, "ipis_sent", NULL));
	print_vp_sched(vp);
	if (total)
		printf("    %-12s %10s %10s %16s %10s\n", "INTERCEPT", "COUNT",
		       "IN_HOST", "CYCLES", "AVG");
	for (i = 0; total && i < ARRAY_SIZE(intercepts); i++) {
		const char *k = intercepts[i];
		unsigned long long n = kv_u64(vp, "intercepts_%s", k);
		unsigned long long host = kv_u64(vp, "host_intercepts_%s", k);
		unsigned long long c = kv_u64(vp, "intercept_cycles_%s", k);

		if (n)
			printf("    %-12s %10llu %10llu %16llu %10llu\n", k, n,
			       host, c, avg(c, n));
	}
	print_vp_hypercalls(vp);
}

int print_partition_stats(unsigned int id)
{
	static struct kvset part, vp;
	unsigned int vps[MAX_COLS];
	char path[128];
	int i, n;

	snprintf(path, sizeof(path), PV_DEBUGFS "/partition/%u/partition", id);
	if (kv_read(path, &part)) {
		fprintf(stderr, "%s: no partition %u (%s: %s)\n", progname, id,
			path, strerror(errno));
		return -1;
	}
	if (!id) {
		printf("partition 0 (root): %s VPs, %s pages\n",
		       kv_str(&part, "vps"), kv_str(&part, "mapped_pages"));
	} else {
		printf("partition %u: %s VPs, %s regions, %s pages mapped, ",
		       id, kv_str(&part, "vps"), kv_str(&part, "regions"),
		       kv_str(&part, "mapped_pages"));
		printf("%s pinned, owner pid %s%s\n",
		       kv_str(&part, "pinned_pages"),
		       kv_str(&part, "owner_pid"),
		       kv_u64(&part, "state", NULL) ? ", crashed" : "");
	}
	snprintf(path, sizeof(path), PV_DEBUGFS "/partition/%u/vp", id);
	n = list_numbers(path, vps, MAX_COLS);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), PV_DEBUGFS "/partition/%u/vp/%u",
			 id, vps[i]);
		if (!kv_read(path, &vp))
			print_vp(&vp);
	}
	return 0;
}

/*
 * The LP counter sets: one row per counter that is non-zero somewhere,
 * one column per LP (at most 16 shown).
 */
static void print_lps(void)
{
	static struct kvset lps[16];
	unsigned int cpus[MAX_COLS];
	unsigned int i, j;
	int n;

	n = list_numbers(PV_DEBUGFS "/lp", cpus, MAX_COLS);
	if (n <= 0) {
		printf("no LPs (hypervisor not launched)\n");
		return;
	}
	if (n > 16)
		n = 16;
	for (i = 0; i < (unsigned int)n; i++) {
		char path[64];

		snprintf(path, sizeof(path), PV_DEBUGFS "/lp/%u", cpus[i]);
		if (kv_read(path, &lps[i]))
			lps[i].n = 0;
	}
	printf("LPs:\n  %-44s", "COUNTER");
	for (i = 0; i < (unsigned int)n; i++)
		printf(" %12s", kv_str(&lps[i], "cpu"));
	printf("\n");
	for (j = 0; j < lps[0].n; j++) {
		const char *name = lps[0].kv[j].name;
		int nonzero = 0;

		if (!strcmp(name, "cpu"))
			continue;
		for (i = 0; i < (unsigned int)n; i++)
			if (strtoull(kv_str(&lps[i], name), NULL, 0))
				nonzero = 1;
		if (!nonzero)
			continue;
		printf("  %-44s", name);
		for (i = 0; i < (unsigned int)n; i++)
			printf(" %12s", kv_str(&lps[i], name));
		printf("\n");
	}
}

/* Every partition and the LPs, or only partition @id: 0, or 1. */
static int stats_pass(int one, unsigned int id)
{
	unsigned int ids[PARTVISOR_MAX_PARTITIONS];
	int i, n;

	if (one)
		return print_partition_stats(id) ? 1 : 0;
	n = list_numbers(PV_DEBUGFS "/partition", ids, PARTVISOR_MAX_PARTITIONS);
	if (n <= 1)
		printf("no child partitions\n");
	for (i = 0; i < n; i++)
		print_partition_stats(ids[i]);
	print_lps();
	return 0;
}

/* The first reading of --interval: read everything, print nothing. */
static int stats_baseline(int one, unsigned int id)
{
	int saved, null, ret;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0) {
		fprintf(stderr, "%s stats: cannot set stdout aside: %s\n",
			progname, strerror(errno));
		return 1;
	}
	close(null);
	collecting = 1;
	ret = stats_pass(one, id);
	collecting = 0;
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return ret;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int stats_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s stats: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try '%s stats --help')\n", progname);
	return 2;
}

int cmd_stats(int argc, char **argv)
{
	unsigned long id = 0;
	struct timespec ts;
	int i, one = 0;
	double t0;
	char *end;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--interval")) {
			if (++i == argc)
				return stats_usage("--interval needs seconds%s",
						   "");
			errno = 0;
			interval_s = strtod(argv[i], &end);
			if (errno || *end || !(interval_s >= 0.1 &&
					       interval_s <= 3600))
				return stats_usage("--interval %s: out of range 0.1-3600 seconds",
						   argv[i]);
			continue;
		}
		if (argv[i][0] == '-')
			return stats_usage("unknown option %s", argv[i]);
		if (one)
			return stats_usage("too many arguments at %s", argv[i]);
		errno = 0;
		id = strtoul(argv[i], &end, 10);
		if (errno || !*argv[i] || *end || id > 0xffffffffUL)
			return stats_usage("'%s' is not a partition id", argv[i]);
		one = 1;
	}
	if (check_debugfs())
		return 1;
	if (interval_s > 0) {
		if (stats_baseline(one, id))
			return 1;
		t0 = now_s();
		ts.tv_sec = (time_t)interval_s;
		ts.tv_nsec = (long)((interval_s - ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		/* Rates over the time that really passed between readings. */
		interval_s = now_s() - t0;
		printf("during the last %.1f s:\n", interval_s);
	}
	return stats_pass(one, id);
}
