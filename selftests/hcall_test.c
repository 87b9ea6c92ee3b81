// SPDX-License-Identifier: GPL-2.0
/*
 * PARTVISOR_GET_PROPERTIES end to end: the ioctl's argument checks, its
 * clear error while partvisor is not launched, and with partvisor launched
 * the GET_SYSTEM_PROPERTY rep hypercall and its continuations, checked
 * against PARTVISOR_GET_INFO, the kernel log and the debugfs counters.
 *
 * The test needs the module in both states. It runs the phase for the
 * state it finds; then, with PV_MODULE naming partvisor.ko, it reloads the
 * module in the other state for the other phase and finally restores the
 * state it found. A phase that cannot run here (partvisor cannot launch on
 * this machine, or PV_MODULE is unset) is reported as skipped, and the
 * program exits with the skip status when nothing failed.
 */
#include <dirent.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <x86intrin.h>

#include "pv_test.h"

/* PV_HC_REPS_PER_ENTRY in module/hcall/hcall.h: reps done per exit. */
#define REPS_PER_EXIT	16
#define NR_IDS		100
#define BAD_INDEX	37
#define POISON		0xa5a5a5a5a5a5a5a5ULL
#define HV_STATUS_INVALID_PARAMETER	5

#define SLOT_NAME	"hypercalls_0x8002_get_system_property"

/* Checks per phase; each phase must make exactly this many. */
#define N_ARGS		7
#define N_NOT_LAUNCHED	2
#define N_LAUNCHED	21
#define N_RESTORE	1

static unsigned int skipped;
static struct partvisor_info info;
static unsigned long tsc_khz;
static const char *tsc_source = "none";

static void skip_checks(unsigned int n, const char *phase, const char *why)
{
	while (n--) {
		pv_test_nr++;
		skipped++;
		printf("ok %u %s # SKIP %s\n", pv_test_nr, phase, why);
	}
	fflush(stdout);
}

static void fail_checks(unsigned int n, const char *phase, const char *why)
{
	while (n--)
		pv_check(0, "%s: %s", phase, why);
}

static void set_props(struct partvisor_properties *p, const __u64 *ids,
		      __u64 *values, unsigned int count)
{
	memset(p, 0, sizeof(*p));
	p->version = PARTVISOR_PROPERTIES_VERSION;
	p->count = count;
	p->ids = (uintptr_t)ids;
	p->values = (uintptr_t)values;
}

static int ioctl_props(int fd, struct partvisor_properties *p)
{
	return ioctl(fd, PARTVISOR_GET_PROPERTIES, p) ? -errno : 0;
}

static int get_props(int fd, const __u64 *ids, __u64 *values,
		     unsigned int count, struct partvisor_properties *p)
{
	set_props(p, ids, values, count);
	return ioctl_props(fd, p);
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* 'Y' or 'N' from the module parameter; -1 when not loaded. */
static int module_launched(void)
{
	FILE *f = fopen("/sys/module/partvisor/parameters/launch", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == 'Y' ? 1 : c == 'N' ? 0 : -1;
}

/* Unload partvisor and load it again with launch=1 or launch=0. */
static int reload(const char *ko, int launch)
{
	int fd, ret, tries;

	for (tries = 0; module_launched() >= 0; tries++) {
		if (!syscall(SYS_delete_module, "partvisor", O_NONBLOCK))
			break;
		if (errno != EAGAIN && errno != EBUSY)
			return -errno;
		if (tries == 50)
			return -EBUSY;
		usleep(100000);
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, launch ? "launch=1" : "launch=0",
		      0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* Sum of one counter over the root partition's VPs; -1 on error. */
static long long lp_counter_sum(const char *name)
{
	long long sum = 0, v;
	struct dirent *de;
	char path[300];
	int found = 0;
	DIR *d;

	d = opendir(PV_DEBUGFS "/partition/0/vp");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PV_DEBUGFS "/partition/0/vp/%s",
			 de->d_name);
		v = pv_file_value(path, name);
		if (v >= 0) {
			sum += v;
			found++;
		}
	}
	closedir(d);
	return found ? sum : -1;
}

/* "major.minor[...]" as the hypervisor reports it: major << 16 | minor. */
static __u64 version_of(const char *s)
{
	unsigned int major = 0, minor = 0;

	if (sscanf(s, "%u.%u", &major, &minor) < 1)
		return POISON;
	return (__u64)major << 16 | minor;
}

/*
 * tsc_khz as the kernel last announced it: the refined calibration, else
 * the TSC or processor frequency from boot. Without any of them in the
 * log, measure the TSC against CLOCK_MONOTONIC_RAW instead.
 */
static void find_tsc_khz(void)
{
	static const char * const keys[] = {
		"tsc: Detected ", "tsc: Refined TSC clocksource calibration: ",
	};
	int size = klogctl(10, NULL, 0), len;
	unsigned long mhz, frac;
	char *buf, *p, *line;
	struct timespec t0, t1;
	unsigned long long c0, c1;
	size_t i;

	buf = size > 0 ? malloc(size + 1) : NULL;
	len = buf ? klogctl(3, buf, size) : -1;
	if (len > 0) {
		buf[len] = '\0';
		for (line = strtok_r(buf, "\n", &p); line;
		     line = strtok_r(NULL, "\n", &p)) {
			for (i = 0; i < ARRAY_SIZE(keys); i++) {
				char *k = strstr(line, keys[i]);

				if (k && sscanf(k + strlen(keys[i]), "%lu.%3lu MHz",
						&mhz, &frac) == 2) {
					tsc_khz = mhz * 1000 + frac;
					tsc_source = "kernel log";
				}
			}
		}
	}
	free(buf);
	if (tsc_khz)
		return;
	clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
	c0 = __rdtsc();
	usleep(200000);
	c1 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
	tsc_khz = (c1 - c0) / ((t1.tv_sec - t0.tv_sec) * 1000000ULL +
			       (t1.tv_nsec - t0.tv_nsec) / 1000) * 1000;
	tsc_source = "measured";
}

static int tsc_khz_ok(__u64 value)
{
	/* From the log: exact. Measured under emulation: roughly. */
	if (!strcmp(tsc_source, "kernel log"))
		return value == tsc_khz;
	return value && value > tsc_khz * 3 / 4 && value < tsc_khz * 5 / 4;
}

/* The value each id must have, asked on @cpu. */
static __u64 expected(__u64 id, int cpu)
{
	switch (id) {
	case PARTVISOR_PROP_VERSION:
		return version_of(info.module_version);
	case PARTVISOR_PROP_VENDOR:
		return info.vendor;
	case PARTVISOR_PROP_FEATURES:
		return info.features;
	case PARTVISOR_PROP_NR_LPS:
		return info.nr_cpus;
	case PARTVISOR_PROP_CURRENT_LP:
		return cpu;
	case PARTVISOR_PROP_NR_TLB_TAGS:
		return info.nr_tlb_tags;
	case PARTVISOR_PROP_TSC_KHZ:
		return tsc_khz;
	}
	return POISON;
}

static int value_ok(__u64 id, __u64 value, int cpu)
{
	if (id == PARTVISOR_PROP_TSC_KHZ)
		return tsc_khz_ok(value);
	return value == expected(id, cpu);
}

/* Every id, in turn, over and over. */
static void fill_ids(__u64 *ids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ids[i] = i % PARTVISOR_PROP_LAST + 1;
}

static void fill(__u64 *values, unsigned int n, __u64 v)
{
	while (n--)
		values[n] = v;
}

/* The ioctl from a child that dropped to nobody (no CAP_SYS_ADMIN). */
static int ioctl_as_nobody(int fd)
{
	struct partvisor_properties p;
	__u64 ids[1] = { PARTVISOR_PROP_VERSION }, values[1];
	int status, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		ret = get_props(fd, ids, values, 1, &p);
		_exit(ret == -EPERM ? 0 : ret ? -ret : 101);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status) ? -WEXITSTATUS(status) : -EPERM;
}

/* Argument checks: the same answer whether launched or not. */
static void phase_args(int fd)
{
	struct partvisor_properties p;
	__u64 ids[4] = { 1, 2, 3, 4 }, values[4];
	int ret;

	fill(values, 4, POISON);
	set_props(&p, ids, values, 4);
	p.version = 0;
	ret = ioctl_props(fd, &p);
	pv_check(ret == -EINVAL, "version 0: %s", strerror(-ret));
	p.version = PARTVISOR_PROPERTIES_VERSION + 1;
	ret = ioctl_props(fd, &p);
	pv_check(ret == -EINVAL, "version %u: %s", p.version, strerror(-ret));
	ret = get_props(fd, ids, values, 0, &p);
	pv_check(ret == -EINVAL, "count 0: %s", strerror(-ret));
	ret = get_props(fd, ids, values, PARTVISOR_MAX_PROPERTIES + 1, &p);
	pv_check(ret == -EINVAL, "count %u: %s", PARTVISOR_MAX_PROPERTIES + 1,
		 strerror(-ret));
	set_props(&p, ids, values, 4);
	p.reserved[3] = 1;
	ret = ioctl_props(fd, &p);
	pv_check(ret == -EINVAL && values[0] == POISON && values[3] == POISON,
		 "a reserved word set: %s, values untouched", strerror(-ret));
	ret = ioctl(fd, PARTVISOR_GET_PROPERTIES, NULL) ? -errno : 0;
	pv_check(ret == -EFAULT, "NULL argument: %s", strerror(-ret));
	ret = ioctl_as_nobody(fd);
	pv_check(ret == -EPERM, "the fd used as nobody: %s", strerror(-ret));
}

static void phase_not_launched(int fd)
{
	struct partvisor_properties p;
	__u64 ids[4] = { 1, 2, 3, 4 }, values[4];
	int ret;

	fill(values, 4, POISON);
	ret = get_props(fd, ids, values, 4, &p);
	pv_check(ret == -ENODEV && values[0] == POISON && values[3] == POISON,
		 "not launched: %s, values untouched", strerror(-ret));
	ret = get_props(fd, NULL, NULL, 4, &p);
	pv_check(ret == -ENODEV, "not launched, NULL lists: %s",
		 strerror(-ret));
}

/* All entries of each id right, one check per id. */
static void check_values(const __u64 *ids, const __u64 *values,
			 unsigned int n, int cpu)
{
	unsigned int i, seen;
	__u64 id;

	for (id = 1; id <= PARTVISOR_PROP_LAST; id++) {
		int bad = -1, at = -1;

		seen = 0;
		for (i = 0; i < n; i++) {
			if (ids[i] != id)
				continue;
			seen++;
			if (at < 0)
				at = i;
			if (bad < 0 && !value_ok(id, values[i], cpu)) {
				bad = i;
				at = i;
			}
		}
		pv_check(seen && bad < 0,
			 "property %llu: %u entries %s, value %#llx, expected %#llx",
			 id, seen, bad < 0 ? "right" : "WRONG",
			 at < 0 ? 0 : values[at], expected(id, cpu));
	}
}

static void phase_launched(int fd)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), cpu, good;
	static __u64 ids[PARTVISOR_MAX_PROPERTIES], values[PARTVISOR_MAX_PROPERTIES];
	long pagesz = sysconf(_SC_PAGESIZE);
	struct partvisor_properties p;
	long long c0, c1;
	unsigned int i;
	char *map;
	int ret;

	ret = ioctl(fd, PARTVISOR_GET_INFO, &info) ? -errno : 0;
	pv_check(ret == 0, "GET_INFO: %s", strerror(-ret));
	find_tsc_khz();
	pv_diag("tsc_khz %lu (%s), module %s, %u CPUs", tsc_khz, tsc_source,
		info.module_version, info.nr_cpus);

	/* ~100 properties on the last CPU: 7 exits, 6 continuations. */
	cpu = ncpu - 1;
	pin(cpu);
	fill_ids(ids, NR_IDS);
	fill(values, NR_IDS + 1, POISON);
	c0 = lp_counter_sum(SLOT_NAME);
	ret = get_props(fd, ids, values, NR_IDS, &p);
	c1 = lp_counter_sum(SLOT_NAME);
	pv_check(ret == 0 && p.status == 0 && p.reps_done == NR_IDS,
		 "%u properties on CPU %d: %s, status %u, reps_done %u", NR_IDS,
		 cpu, strerror(-ret), p.status, p.reps_done);
	check_values(ids, values, NR_IDS, cpu);
	pv_check(values[NR_IDS] == POISON, "nothing written past the count");
	/*
	 * Every exit is counted once; nothing else in the system issues this
	 * hypercall, so the growth is exact.
	 */
	pv_check(c0 >= 0 && c1 - c0 == (NR_IDS + REPS_PER_EXIT - 1) /
		 REPS_PER_EXIT,
		 "debugfs %s grew by %lld over all LPs, ceil(%u/%u) = %u exits",
		 SLOT_NAME, c1 - c0, NR_IDS, REPS_PER_EXIT,
		 (NR_IDS + REPS_PER_EXIT - 1) / REPS_PER_EXIT);

	/* The most a call may ask: 32 exits. */
	fill_ids(ids, PARTVISOR_MAX_PROPERTIES);
	c0 = lp_counter_sum(SLOT_NAME);
	ret = get_props(fd, ids, values, PARTVISOR_MAX_PROPERTIES, &p);
	c1 = lp_counter_sum(SLOT_NAME);
	for (i = good = 0; i < PARTVISOR_MAX_PROPERTIES; i++)
		good += value_ok(ids[i], values[i], cpu);
	pv_check(ret == 0 && p.status == 0 &&
		 p.reps_done == PARTVISOR_MAX_PROPERTIES &&
		 good == PARTVISOR_MAX_PROPERTIES && c1 - c0 == 32,
		 "%u properties: %s, status %u, reps_done %u, %d right, %lld exits",
		 PARTVISOR_MAX_PROPERTIES, strerror(-ret), p.status,
		 p.reps_done, good, c1 - c0);

	/* The calling LP, on every CPU, across continuations. */
	for (cpu = good = 0; cpu < ncpu; cpu++) {
		if (pin(cpu))
			continue;
		fill(ids, 40, PARTVISOR_PROP_CURRENT_LP);
		fill(values, 40, POISON);
		ret = get_props(fd, ids, values, 40, &p);
		for (i = 0; i < 40 && !ret && !p.status; i++)
			if (values[i] != (__u64)cpu)
				break;
		if (i == 40)
			good++;
		else
			pv_diag("CPU %d: %s, status %u, value[%u] %llu",
				cpu, strerror(-ret), p.status, i,
				values[i < 40 ? i : 0]);
	}
	pv_check(good == ncpu, "current_lp right on %d of %d CPUs", good, ncpu);
	pin(0);

	/* An unknown id stops the call at its index. */
	fill_ids(ids, NR_IDS);
	ids[BAD_INDEX] = 0xdead;
	fill(values, NR_IDS, POISON);
	ret = get_props(fd, ids, values, NR_IDS, &p);
	pv_check(ret == 0 && p.status == HV_STATUS_INVALID_PARAMETER &&
		 p.reps_done == BAD_INDEX,
		 "unknown id at %u: %s, status %u, reps_done %u", BAD_INDEX,
		 strerror(-ret), p.status, p.reps_done);
	for (i = good = 0; i < BAD_INDEX; i++)
		good += value_ok(ids[i], values[i], 0);
	for (; i < NR_IDS; i++)
		good += values[i] == 0;
	pv_check(good == NR_IDS,
		 "values before it right, from it on zero (%d of %u)", good,
		 NR_IDS);
	ids[0] = 0;
	ret = get_props(fd, ids, values, NR_IDS, &p);
	pv_check(ret == 0 && p.status == HV_STATUS_INVALID_PARAMETER &&
		 p.reps_done == 0, "id 0 at 0: status %u, reps_done %u",
		 p.status, p.reps_done);

	/* In place: the same array for ids and values. */
	fill_ids(ids, 20);
	ret = get_props(fd, ids, ids, 20, &p);
	for (i = good = 0; i < 20; i++)
		good += value_ok(i % PARTVISOR_PROP_LAST + 1, ids[i], 0);
	pv_check(ret == 0 && p.status == 0 && good == 20,
		 "ids and values in one array: %s, %d right", strerror(-ret),
		 good);

	/* Bad lists: NULL, running into an unmapped or read-only page. */
	fill_ids(ids, 4);
	ret = get_props(fd, NULL, values, 4, &p);
	pv_check(ret == -EFAULT, "NULL ids: %s", strerror(-ret));
	ret = get_props(fd, ids, NULL, 4, &p);
	pv_check(ret == -EFAULT, "NULL values: %s", strerror(-ret));
	map = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		fail_checks(2, "mmap", strerror(errno));
		return;
	}
	munmap(map + pagesz, pagesz);
	fill_ids((__u64 *)(map + pagesz) - 2, 2);
	ret = get_props(fd, (__u64 *)(map + pagesz) - 2, values, 4, &p);
	pv_check(ret == -EFAULT, "ids running into an unmapped page: %s",
		 strerror(-ret));
	mprotect(map, pagesz, PROT_READ);
	ret = get_props(fd, ids, (__u64 *)map, 4, &p);
	pv_check(ret == -EFAULT, "values in a read-only page: %s",
		 strerror(-ret));
	munmap(map, pagesz);
}

static void run_phase(int fd, int launched)
{
	unsigned int before = pv_test_nr;
	unsigned int want = launched ? N_LAUNCHED : N_NOT_LAUNCHED;

	if (launched)
		phase_launched(fd);
	else
		phase_not_launched(fd);
	if (pv_test_nr - before != want) {
		printf("Bail out! the %s phase made %u checks, not %u\n",
		       launched ? "launched" : "not-launched",
		       pv_test_nr - before, want);
		exit(PV_EXIT_FAIL);
	}
}

int main(void)
{
	const char *ko = getenv("PV_MODULE");
	int fd, start, other, ret;
	char why[128];

	fd = pv_open_or_skip();
	start = module_launched();
	if (start < 0) {
		printf("Bail out! no /sys/module/partvisor/parameters/launch\n");
		return PV_EXIT_FAIL;
	}
	other = !start;
	pv_plan(N_ARGS + N_NOT_LAUNCHED + N_LAUNCHED + N_RESTORE);
	pv_diag("partvisor is %slaunched", start ? "" : "not ");

	phase_args(fd);
	run_phase(fd, start);
	close(fd);

	if (!ko || !*ko) {
		skip_checks(other ? N_LAUNCHED : N_NOT_LAUNCHED,
			    other ? "launched" : "not launched",
			    "PV_MODULE not set: cannot reload partvisor");
		skip_checks(N_RESTORE, "restore", "nothing reloaded");
		goto out;
	}

	ret = reload(ko, other);
	if (ret == 0) {
		fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			run_phase(fd, other);
			close(fd);
		} else {
			fail_checks(other ? N_LAUNCHED : N_NOT_LAUNCHED,
				    "open after reload", strerror(errno));
		}
	} else if (other && (ret == -EOPNOTSUPP || ret == -ENODEV ||
			     ret == -EBUSY)) {
		/* No late launch for this extension, none at all, or KVM. */
		snprintf(why, sizeof(why), "partvisor cannot launch here: %s",
			 strerror(-ret));
		skip_checks(N_LAUNCHED, "launched", why);
	} else {
		snprintf(why, sizeof(why), "reload with launch=%d: %s", other,
			 strerror(-ret));
		fail_checks(other ? N_LAUNCHED : N_NOT_LAUNCHED, "reload", why);
	}

	ret = reload(ko, start);
	pv_check(ret == 0 && module_launched() == start,
		 "partvisor reloaded with launch=%d as found: %s", start,
		 strerror(-ret));
out:
	if (pv_test_failed)
		return pv_finish();
	pv_finish();
	return skipped ? PV_EXIT_SKIP : PV_EXIT_PASS;
}
