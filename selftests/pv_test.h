/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal kselftest-style TAP helpers for the partvisor selftests: a plan,
 * one "ok"/"not ok" line per check, and the kselftest exit codes.
 */
#ifndef _PV_TEST_H
#define _PV_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cpuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/partvisor.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define PV_EXIT_PASS	0
#define PV_EXIT_FAIL	1
#define PV_EXIT_SKIP	4

/*
 * Guest code assembled into a test by a top-level asm() block that puts
 * the bytes between the labels NAME and NAME_end.
 */
#define PV_GUEST_DECLARE(name) \
	extern const unsigned char name[], name##_end[]
/* Another label inside such a block. */
#define PV_GUEST_LABEL(name) extern const unsigned char name[]

static unsigned int pv_test_nr, pv_test_failed;

static inline void pv_plan(unsigned int count)
{
	printf("TAP version 13\n1..%u\n", count);
	fflush(stdout);
}

static inline void pv_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Record one check; returns cond so callers can stop on failure. */
static inline int pv_check(int cond, const char *fmt, ...)
{
	va_list ap;

	pv_test_nr++;
	if (!cond)
		pv_test_failed++;
	printf("%sok %u ", cond ? "" : "not ", pv_test_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

/* Record one check that cannot run here, with the reason. */
static inline void pv_skip(const char *what, const char *why)
{
	printf("ok %u %s # SKIP %s\n", ++pv_test_nr, what, why);
	fflush(stdout);
}

static inline void pv_skip_all(const char *why)
{
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	exit(PV_EXIT_SKIP);
}

static inline int pv_finish(void)
{
	printf("# %u checks, %u failed\n", pv_test_nr, pv_test_failed);
	return pv_test_failed ? PV_EXIT_FAIL : PV_EXIT_PASS;
}

/* Open the control device or skip the whole program when it is absent. */
static inline int pv_open_or_skip(void)
{
	int fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		pv_skip_all("partvisor module not loaded");
	if (fd < 0) {
		printf("Bail out! open %s: %s\n", PARTVISOR_DEVICE,
		       strerror(errno));
		exit(PV_EXIT_FAIL);
	}
	return fd;
}

/* Partitions alive system-wide, or ~0u when the list cannot be read. */
static inline unsigned int pv_nr_partitions(int dev)
{
	struct partvisor_partition_list l = { 0 };

	if (ioctl(dev, PARTVISOR_LIST_PARTITIONS, &l))
		return ~0u;
	return l.count;
}

/* A partition, its memory at GPA 0 as the VMM sees it, and its VP 0. */
struct pv_guest {
	int part, vp;
	unsigned int id;	/* the partition's */
	unsigned char *mem;
	size_t size;
};

#define PV_DEBUGFS	"/sys/kernel/debug/partvisor"

/*
 * The number in a "name: value" line of a file (debugfs counters,
 * /proc/self/status); -1 if absent.
 */
static inline long long pv_file_value(const char *path, const char *name)
{
	size_t len = strlen(name);
	long long v = -1;
	char line[160];
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			v = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

/* A counter of VP @vp of partition @id (partition/<id>/vp/<vp>). */
static inline long long pv_vp_counter(unsigned int id, unsigned int vp,
				      const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), PV_DEBUGFS "/partition/%u/vp/%u", id, vp);
	return pv_file_value(path, name);
}

/*
 * Map @size bytes of fresh memory at GPA 0 with every access, copy @len
 * bytes of @code to @code_gpa and create VP 0: 0, or -1 with errno.
 * pv_guest_free() releases whatever was made, in either case.
 */
static inline int pv_guest_new(int dev, struct pv_guest *g, size_t size,
			       __u64 code_gpa, const void *code, size_t len)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_memory_region mr = { 0 };
	struct partvisor_create_vp cv = { 0 };

	g->part = -1;
	g->vp = -1;
	g->size = size;
	g->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED)
		return -1;
	memcpy(g->mem + code_gpa, code, len);
	g->part = ioctl(dev, PARTVISOR_CREATE_PARTITION, &cp);
	if (g->part < 0)
		return -1;
	g->id = cp.id;
	mr.size = size;
	mr.uaddr = (unsigned long)g->mem;
	mr.flags = PARTVISOR_MEM_ALL;
	if (ioctl(g->part, PARTVISOR_MAP_MEMORY, &mr))
		return -1;
	g->vp = ioctl(g->part, PARTVISOR_CREATE_VP, &cv);
	return g->vp < 0 ? -1 : 0;
}

/* A 32-bit value the guest left at @gpa. */
static inline __u32 pv_guest_u32(const struct pv_guest *g, unsigned int gpa)
{
	__u32 v;

	memcpy(&v, g->mem + gpa, sizeof(v));
	return v;
}

static inline void pv_guest_free(struct pv_guest *g)
{
	if (g->vp >= 0)
		close(g->vp);
	if (g->part >= 0)
		close(g->part);
	if (g->mem != MAP_FAILED)
		munmap(g->mem, g->size);
}

/*
 * Bochs 2.7's AMD-V does not turn a guest's triple fault into a SHUTDOWN
 * exit: the whole emulator stops ("3rd exception with no resolution").
 * Tests skip their triple faults there.
 */
static inline int pv_bochs_amd(void)
{
	unsigned int a, b, c, d;
	char bios[64] = "";
	FILE *f;

	__cpuid(0, a, b, c, d);
	if (b != 0x68747541)	/* "Auth"enticAMD */
		return 0;
	f = fopen("/sys/class/dmi/id/bios_version", "r");
	if (f) {
		if (!fgets(bios, sizeof(bios), f))
			bios[0] = '\0';
		fclose(f);
	}
	return !!strstr(bios, "Bochs");
}

/*
 * Open the control device; skip the whole program unless child VPs run
 * here (partvisor launched, with a backend that runs them).
 */
static inline int pv_open_vps_or_skip(void)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_create_vp cv = { 0 };
	struct partvisor_run r = { 0 };
	int dev = pv_open_or_skip();
	int part, vp;

	part = ioctl(dev, PARTVISOR_CREATE_PARTITION, &cp);
	if (part < 0)
		pv_skip_all("no partitions here (hypervisor not launched)");
	vp = ioctl(part, PARTVISOR_CREATE_VP, &cv);
	if (vp >= 0 && ioctl(vp, PARTVISOR_RUN_VP, &r) && errno == EOPNOTSUPP)
		pv_skip_all("child VPs do not run on this backend yet");
	close(vp);
	close(part);
	return dev;
}

#endif /* _PV_TEST_H */
