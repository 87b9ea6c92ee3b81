// SPDX-License-Identifier: GPL-2.0
/*
 * Child partitions through their ioctls: partition and VP fds, guest
 * memory maps and every input they must refuse, the CPUID table, VP state
 * in real, protected and long mode, XSAVE, wrong and closed fds,
 * concurrent calls on one VP, fds closed in any order, VMMs killed at
 * random points, and that partitions hold the module. Afterwards the
 * debugfs counters must show no partition and no pinned page.
 *
 * Needs partvisor launched. The module-unload part reloads partvisor
 * from PV_MODULE and leaves it launched, as run_tests.sh expects; without
 * PV_MODULE those checks are skipped.
 */
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define PAGE		4096UL
#define HV_FILE		PV_DEBUGFS "/hypervisor"
#define KILL_ROUNDS	50
#define NR_THREADS	4
#define THREAD_LOOPS	2000

static int dev;
static unsigned int skipped;

static void skip(const char *what, const char *why)
{
	pv_test_nr++;
	skipped++;
	printf("ok %u %s # SKIP %s\n", pv_test_nr, what, why);
	fflush(stdout);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* An fd, or -errno. */
static int create_partition(__u32 *id)
{
	struct partvisor_create_partition args = { 0 };
	int fd = ioctl(dev, PARTVISOR_CREATE_PARTITION, &args);

	if (fd < 0)
		return -errno;
	if (id)
		*id = args.id;
	return fd;
}

static int create_vp(int part, __u32 index)
{
	struct partvisor_create_vp args = { .vp_index = index };
	int fd = ioctl(part, PARTVISOR_CREATE_VP, &args);

	return fd < 0 ? -errno : fd;
}

static int map_mem(int part, __u64 gpa, __u64 size, const void *uaddr,
		   __u32 flags)
{
	struct partvisor_memory_region r = {
		.gpa = gpa, .size = size, .uaddr = (uintptr_t)uaddr,
		.flags = flags,
	};

	return xioctl(part, PARTVISOR_MAP_MEMORY, &r);
}

static int unmap_mem(int part, __u64 gpa, __u64 size)
{
	struct partvisor_memory_region r = { .gpa = gpa, .size = size };

	return xioctl(part, PARTVISOR_UNMAP_MEMORY, &r);
}

static void *alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		printf("Bail out! mmap %zu: %s\n", size, strerror(errno));
		exit(PV_EXIT_FAIL);
	}
	return p;
}

/* A "name: value" line of the debugfs hypervisor file; -1 if absent. */
static long long hv_counter(const char *name)
{
	return pv_file_value(HV_FILE, name);
}

static int nothing_left(const char *when)
{
	long long parts = hv_counter("partitions");
	long long pinned = hv_counter("pinned_pages");

	return pv_check(parts == 0 && pinned == 0,
			"%s: debugfs shows %lld partitions, %lld pinned pages",
			when, parts, pinned);
}

/* VmLck of this process in kB: what account_locked_vm() charged. */
static long vm_locked_kb(void)
{
	return pv_file_value("/proc/self/status", "VmLck");
}

static void test_partitions(void)
{
	struct partvisor_create_partition args = { 0 };
	int fds[PARTVISOR_MAX_PARTITIONS];
	__u32 id1 = 0, id2 = 0;
	int a, b, ret, i, n;

	a = create_partition(&id1);
	b = create_partition(&id2);
	pv_check(a >= 0 && b >= 0 && id1 && id2 && id1 != id2,
		 "two partitions: fds %d %d, ids %u %u", a, b, id1, id2);
	pv_check(hv_counter("partitions") == 2, "debugfs counts 2 partitions");
	close(a);
	close(b);
	pv_check(hv_counter("partitions") == 0, "closing them frees both");

	args.flags = 1;
	ret = xioctl(dev, PARTVISOR_CREATE_PARTITION, &args);
	pv_check(ret == -EINVAL, "create with flags: %s", strerror(-ret));
	args.flags = 0;
	args.reserved[2] = 1;
	ret = xioctl(dev, PARTVISOR_CREATE_PARTITION, &args);
	pv_check(ret == -EINVAL, "create with a reserved word: %s",
		 strerror(-ret));
	ret = xioctl(dev, PARTVISOR_CREATE_PARTITION, NULL);
	pv_check(ret == -EFAULT, "create from NULL: %s", strerror(-ret));

	for (n = 0; n < PARTVISOR_MAX_PARTITIONS; n++) {
		fds[n] = create_partition(NULL);
		if (fds[n] < 0)
			break;
	}
	/* A backend may run out of ASIDs or VPIDs first: ENOSPC as well. */
	ret = n < PARTVISOR_MAX_PARTITIONS ? fds[n] : create_partition(NULL);
	pv_check(n >= 2 && ret == -ENOSPC,
		 "%d partitions at once (limit %d or the backend's), then: %s",
		 n, PARTVISOR_MAX_PARTITIONS, strerror(-ret));
	for (i = 0; i < n; i++)
		close(fds[i]);
	nothing_left("after the limit test");
}

static void test_memory(void)
{
	const __u32 rw = PARTVISOR_MEM_READ | PARTVISOR_MEM_WRITE;
	char *mem = alloc(16 * PAGE), *hole, *ro;
	struct partvisor_memory_region r;
	struct partvisor_partition_list list = { 0 };
	struct partvisor_partition_entry e[PARTVISOR_MAX_PARTITIONS];
	int part, ret, i, ok;
	long lck0, lck1;
	__u32 id;

	part = create_partition(&id);
	if (!pv_check(part >= 0, "partition for memory tests: %s",
		      strerror(part < 0 ? -part : 0)))
		return;

	lck0 = vm_locked_kb();
	ret = map_mem(part, 0, 4 * PAGE, mem, rw | PARTVISOR_MEM_EXEC);
	pv_check(ret == 0, "map 4 pages rwx at gpa 0: %s", strerror(-ret));
	lck1 = vm_locked_kb();
	pv_check(lck1 - lck0 == 16, "VmLck grew by %ld kB (16 expected)",
		 lck1 - lck0);
	pv_check(hv_counter("pinned_pages") == 4, "debugfs: 4 pinned pages");
	ret = map_mem(part, 0x100000, 2 * PAGE, mem + 4 * PAGE,
		      PARTVISOR_MEM_READ);
	pv_check(ret == 0, "map 2 pages read-only at 1 MiB: %s",
		 strerror(-ret));

	/* Every malformed request is refused and maps nothing. */
	struct {
		__u64 gpa, size;
		const void *uaddr;
		__u32 flags;
		int err;
		const char *what;
	} bad[] = {
		{ 0x200000 + 1, PAGE, mem, rw, EINVAL, "misaligned gpa" },
		{ 0x200000, PAGE + 1, mem, rw, EINVAL, "misaligned size" },
		{ 0x200000, PAGE, mem + 1, rw, EINVAL, "misaligned uaddr" },
		{ 0x200000, 0, mem, rw, EINVAL, "zero size" },
		{ -PAGE, 2 * PAGE, mem, rw, EINVAL, "gpa + size wraps" },
		{ 0x200000, 2 * PAGE, (void *)-PAGE, rw, EINVAL,
		  "uaddr + size wraps" },
		{ 0x200000, 1ULL << 40, mem, rw, EINVAL, "1 TiB region" },
		{ 0x200000, PARTVISOR_MAX_REGION_SIZE + PAGE, mem, rw, EINVAL,
		  "region above the size limit" },
		{ PARTVISOR_MAX_GPA, PAGE, mem, rw, EINVAL, "gpa at 1 TiB" },
		{ PARTVISOR_MAX_GPA - PAGE, 2 * PAGE, mem, rw, EINVAL,
		  "region crossing 1 TiB" },
		{ 0x200000, PAGE, mem, rw | 8, EINVAL, "unknown flag" },
		{ 0x200000, PAGE, mem, PARTVISOR_MEM_WRITE, EINVAL,
		  "writable without read" },
		{ 0x200000, PAGE, mem, 0, EINVAL, "no flags" },
		{ 2 * PAGE, 4 * PAGE, mem, rw, EEXIST, "overlapping the end" },
		{ 0, 4 * PAGE, mem, rw, EEXIST, "the same range again" },
		{ 0xff000, 2 * PAGE, mem, rw, EEXIST, "overlapping the start" },
		{ 0x200000, PAGE, (void *)0x1000, rw, EFAULT,
		  "memory not mapped in the process" },
		{ 0x200000, PAGE, (void *)(1ULL << 60), rw, EFAULT,
		  "a kernel address" },
	};
	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		ret = map_mem(part, bad[i].gpa, bad[i].size, bad[i].uaddr,
			      bad[i].flags);
		pv_check(ret == -bad[i].err, "map %s: %s (want %s)",
			 bad[i].what, strerror(-ret), strerror(bad[i].err));
	}
	memset(&r, 0, sizeof(r));
	r.gpa = 0x200000;
	r.size = PAGE;
	r.uaddr = (uintptr_t)mem;
	r.flags = rw;
	r.reserved[1] = 1;
	ret = xioctl(part, PARTVISOR_MAP_MEMORY, &r);
	pv_check(ret == -EINVAL, "map with a reserved word: %s",
		 strerror(-ret));
	r.reserved[1] = 0;
	r.reserved0 = 1;
	ret = xioctl(part, PARTVISOR_MAP_MEMORY, &r);
	pv_check(ret == -EINVAL, "map with reserved0: %s", strerror(-ret));
	ret = xioctl(part, PARTVISOR_MAP_MEMORY, NULL);
	pv_check(ret == -EFAULT, "map from NULL: %s", strerror(-ret));

	/* Memory that ends in a hole, and writes to read-only memory. */
	hole = alloc(2 * PAGE);
	munmap(hole + PAGE, PAGE);
	ret = map_mem(part, 0x200000, 2 * PAGE, hole, rw);
	pv_check(ret == -EFAULT, "map running into unmapped memory: %s",
		 strerror(-ret));
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = map_mem(part, 0x200000, PAGE, ro, rw);
	pv_check(ret == -EFAULT, "writable map of read-only memory: %s",
		 strerror(-ret));
	ret = map_mem(part, 0x200000, PAGE, ro, PARTVISOR_MEM_READ);
	pv_check(ret == 0 && unmap_mem(part, 0x200000, PAGE) == 0,
		 "read-only map of read-only memory: %s", strerror(-ret));
	pv_check(hv_counter("pinned_pages") == 6,
		 "refused maps pinned nothing: %lld pinned pages",
		 hv_counter("pinned_pages"));

	list.count = ARRAY_SIZE(e);
	list.entries = (uintptr_t)e;
	ret = xioctl(dev, PARTVISOR_LIST_PARTITIONS, &list);
	pv_check(ret == 0 && list.count == 1 && e[0].id == id &&
		 e[0].nr_regions == 2 && e[0].mapped_bytes == 6 * PAGE &&
		 e[0].owner_pid == getpid() && e[0].nr_vps == 0,
		 "list: %s, %u partitions, id %u regions %u bytes %llu pid %d",
		 strerror(-ret), list.count, e[0].id, e[0].nr_regions,
		 e[0].mapped_bytes, e[0].owner_pid);
	list.count = 0;
	ret = xioctl(dev, PARTVISOR_LIST_PARTITIONS, &list);
	pv_check(ret == 0 && list.count == 1,
		 "list with no room counts: %s, %u", strerror(-ret),
		 list.count);
	list.reserved0 = 1;
	ret = xioctl(dev, PARTVISOR_LIST_PARTITIONS, &list);
	pv_check(ret == -EINVAL, "list with reserved0: %s", strerror(-ret));

	/* Unmap names exactly one region. */
	ret = unmap_mem(part, 0, 2 * PAGE);
	pv_check(ret == -ENOENT, "unmap half a region: %s", strerror(-ret));
	ret = unmap_mem(part, PAGE, 3 * PAGE);
	pv_check(ret == -ENOENT, "unmap from inside a region: %s",
		 strerror(-ret));
	ret = unmap_mem(part, 0x300000, PAGE);
	pv_check(ret == -ENOENT, "unmap nothing: %s", strerror(-ret));
	ret = unmap_mem(part, 1, PAGE);
	pv_check(ret == -EINVAL, "unmap misaligned: %s", strerror(-ret));
	memset(&r, 0, sizeof(r));
	r.size = 4 * PAGE;
	r.flags = PARTVISOR_MEM_READ;
	ret = xioctl(part, PARTVISOR_UNMAP_MEMORY, &r);
	pv_check(ret == -EINVAL, "unmap with flags: %s", strerror(-ret));
	ret = unmap_mem(part, 0, 4 * PAGE);
	pv_check(ret == 0 && unmap_mem(part, 0, 4 * PAGE) == -ENOENT,
		 "unmap a region, then again: %s", strerror(-ret));
	pv_check(hv_counter("pinned_pages") == 2 &&
		 vm_locked_kb() - lck0 == 8,
		 "unmap unpins: %lld pinned pages, VmLck +%ld kB",
		 hv_counter("pinned_pages"), vm_locked_kb() - lck0);
	ret = map_mem(part, 0, 4 * PAGE, mem, rw);
	pv_check(ret == 0, "the range maps again: %s", strerror(-ret));

	/* Up to the region limit, one page each, all from the same page. */
	for (i = 2; i < PARTVISOR_MAX_REGIONS; i++)
		if (map_mem(part, 0x1000000 + i * PAGE, PAGE, mem, rw))
			break;
	ret = map_mem(part, 0x2000000, PAGE, mem, rw);
	pv_check(i == PARTVISOR_MAX_REGIONS && ret == -ENOSPC,
		 "%d regions, one more: %s", i, strerror(-ret));
	for (ok = 1, i = 2; i < PARTVISOR_MAX_REGIONS; i++)
		ok &= unmap_mem(part, 0x1000000 + i * PAGE, PAGE) == 0;
	pv_check(ok, "unmap them all");

	close(part);
	pv_check(vm_locked_kb() == lck0, "closing the partition uncharges VmLck");
	nothing_left("after the memory tests");
	munmap(mem, 16 * PAGE);
	munmap(hole, PAGE);
	munmap(ro, PAGE);
}

static int get_state(int vp, struct partvisor_vp_state *s)
{
	return xioctl(vp, PARTVISOR_GET_VP_STATE, s);
}

static int set_state(int vp, struct partvisor_vp_state *s)
{
	return xioctl(vp, PARTVISOR_SET_VP_STATE, s);
}

static void fill_gprs(struct partvisor_vp_state *s, __u64 v)
{
	__u64 *gpr = &s->rax;
	int i;

	for (i = 0; i < 16; i++)
		gpr[i] = v + i;
}

/* A valid long-mode state: GDT at 0x1000, TSS at 0x2000, PML4 at 0x3000. */
static void long_state(struct partvisor_vp_state *s)
{
	pv_state_long(s, 0x400000, 0x80000, 0x3000, 0x1000, 0x1f, 0x2000);
}

/* Make @s invalid in way @i; NULL when there are no more ways. */
static const char *corrupt(struct partvisor_vp_state *s, int i)
{
	switch (i) {
	case 0:
		s->reserved[8] = 1;
		return "a reserved word";
	case 1:
		s->gdtr.pad[2] = 1;
		return "GDTR padding";
	case 2:
		s->idtr.pad[0] = 1;
		return "IDTR padding";
	case 3:
		s->cs.attrib |= 1 << 12;
		return "CS attribute bit 12";
	case 4:
		s->tr.attrib |= 0x8000;
		return "TR attribute bit 15";
	case 5:
		s->rflags &= ~2ULL;
		return "RFLAGS bit 1 clear";
	case 6:
		s->rflags |= 1 << 3;
		return "RFLAGS bit 3";
	case 7:
		s->rflags |= 1ULL << 22;
		return "RFLAGS bit 22";
	case 8:
		s->cr0 |= 1 << 6;
		return "CR0 bit 6";
	case 9:
		s->cr0 |= 1ULL << 32;
		return "CR0 bit 32";
	case 10:
		s->cr4 |= 1 << 15;
		return "CR4 bit 15";
	case 11:
		s->cr4 |= 1ULL << 32;
		return "CR4 bit 32";
	case 12:
		s->cr3 |= 1ULL << 63;
		return "CR3 bit 63";
	case 13:
		s->cr8 = 16;
		return "CR8 16";
	case 14:
		s->efer |= 1 << 1;
		return "EFER bit 1";
	case 15:
		s->efer |= 1 << 9;
		return "EFER bit 9";
	case 16:
		s->efer |= 1ULL << 32;
		return "EFER bit 32";
	case 17:
		s->dr7 |= 1ULL << 32;
		return "DR7 bit 32";
	case 18:
		s->pat = (s->pat & ~0xffULL) | 2;
		return "PAT type 2";
	case 19:
		s->pat |= 8ULL << 56;
		return "PAT type 8";
	case 20:
		s->xcr0 = 0;
		return "XCR0 without x87";
	case 21:
		s->xcr0 = 5;
		return "XCR0 AVX without SSE";
	case 22:
		s->xcr0 = 3 | 1 << 17;
		return "XCR0 AMX tile config";
	case 23:
		s->xcr0 = 7 | 0x20;
		return "XCR0 part of AVX-512";
	case 24:
		s->cr0 &= ~PV_CR0_PE;
		return "CR0.PG without PE";
	case 25:
		s->efer &= ~PV_EFER_LMA;
		return "LME and PG without LMA";
	case 26:
		s->cr4 &= ~PV_CR4_PAE;
		return "long mode without PAE";
	case 27:
		s->cr0 &= ~PV_CR0_PG;
		return "LMA without paging";
	case 28:
		s->cr0 |= 1ULL << 29;
		return "CR0.NW without CD";
	case 29:
		s->lstar = 0x0000800000000000ULL;
		return "a non-canonical LSTAR";
	case 30:
		s->cstar = 0xff00000000000000ULL;
		return "a non-canonical CSTAR";
	case 31:
		s->kernel_gs_base = 0x0001000000000000ULL;
		return "a non-canonical KERNEL_GS_BASE";
	case 32:
		s->sysenter_eip = 0x8000000000000000ULL;
		return "a non-canonical SYSENTER_EIP";
	case 33:
		s->sysenter_esp = 0x0000800000000000ULL;
		return "a non-canonical SYSENTER_ESP";
	case 34:
		s->sfmask = 1ULL << 32;
		return "SFMASK bit 32";
	case 35:
		s->sysenter_cs = 1ULL << 32;
		return "SYSENTER_CS bit 32";
	case 36:
		s->fs.base = 0x0000800000000000ULL;
		return "a non-canonical FS base";
	case 37:
		s->gs.base = 0xfff0000000000000ULL;
		return "a non-canonical GS base";
	case 38:
		s->tr.base = 0x0001000000000000ULL;
		return "a non-canonical TR base";
	case 39:
		s->ldtr.base = 0x8000000000000000ULL;
		return "a non-canonical LDTR base";
	case 40:
		s->gdtr.base = 0x0000800000001000ULL;
		return "a non-canonical GDTR base";
	case 41:
		s->idtr.base = 0x7fff000000000000ULL;
		return "a non-canonical IDTR base";
	}
	return NULL;
}

static void test_vp_state(int vp)
{
	struct partvisor_vp_state reset, s, t;
	const char *what;
	int ret, i, ok;

	ret = get_state(vp, &reset);
	pv_check(ret == 0 && reset.rip == 0xfff0 && reset.cs.selector == 0xf000 &&
		 reset.cs.base == 0xffff0000 && reset.cs.limit == 0xffff &&
		 reset.cs.attrib == 0x9b && reset.ds.attrib == 0x93 &&
		 reset.tr.attrib == 0x8b && reset.ldtr.attrib == 0x82 &&
		 reset.rflags == 2 && reset.cr0 == 0x60000010 &&
		 reset.cr3 == 0 && reset.cr4 == 0 && reset.efer == 0 &&
		 reset.dr7 == 0x400 && reset.pat == 0x0007040600070406ULL &&
		 reset.xcr0 == 1 && reset.gdtr.limit == 0xffff && reset.rax == 0,
		 "a new VP is at f000:fff0 in the INIT state: %s, rip %#llx cr0 %#llx",
		 strerror(-ret), reset.rip, reset.cr0);

	for (i = 0; i < 3; i++) {
		static const char * const mode[] = { "real", "protected", "long" };

		s = reset;
		if (i == 0)
			pv_state_real(&s, 0x1000, 0x100, 0xfffe);
		else if (i == 1)
			pv_state_protected(&s, 0x100000, 0x90000, 0x1000, 0x1f,
					   0x2000);
		else
			long_state(&s);
		fill_gprs(&s, 0x1111 * (i + 1));
		s.rsp = 0x8000 + i;
		s.cr2 = 0xdead000 + i;
		s.cr8 = i;
		s.idtr.base = 0x5000;
		s.idtr.limit = 0xfff;
		s.xcr0 = 7;
		s.dr7 = 0x401;
		s.star = 0x0023001000080000ULL + i;
		s.lstar = 0xffffffff81000000ULL + i;
		s.cstar = 0x00007fffffff0000ULL + i;
		s.sfmask = 0x47700 + i;
		s.kernel_gs_base = 0xffff888000000000ULL + i;
		s.sysenter_cs = 0x10 + i;
		s.sysenter_esp = 0xffffc90000000000ULL + i;
		s.sysenter_eip = 0xffffffff81800000ULL + i;
		ret = set_state(vp, &s);
		memset(&t, 0xa5, sizeof(t));
		ok = ret == 0 && get_state(vp, &t) == 0 && !memcmp(&s, &t, sizeof(s));
		pv_check(ok, "%s-mode state round trip: %s", mode[i], strerror(-ret));
	}

	long_state(&s);
	ret = set_state(vp, &s);
	pv_check(ret == 0, "long-mode base state: %s", strerror(-ret));
	for (i = 0; ; i++) {
		t = s;
		what = corrupt(&t, i);
		if (!what)
			break;
		ret = set_state(vp, &t);
		ok = get_state(vp, &t) == 0 && !memcmp(&s, &t, sizeof(s));
		pv_check(ret == -EINVAL && ok, "state with %s: %s, state %s", what,
			 strerror(-ret), ok ? "unchanged" : "CHANGED");
	}
	ret = xioctl(vp, PARTVISOR_SET_VP_STATE, NULL);
	pv_check(ret == -EFAULT, "set state from NULL: %s", strerror(-ret));
	ret = xioctl(vp, PARTVISOR_GET_VP_STATE, (void *)-4096L);
	pv_check(ret == -EFAULT, "get state to a kernel address: %s",
		 strerror(-ret));
}

static __u64 xsave_u64(const struct partvisor_xsave *x, unsigned int off)
{
	__u64 v;

	memcpy(&v, x->region + off, sizeof(v));
	return v;
}

static void xsave_set_u64(struct partvisor_xsave *x, unsigned int off, __u64 v)
{
	memcpy(x->region + off, &v, sizeof(v));
}

static void test_xsave(int vp)
{
	static struct partvisor_xsave x, y;
	unsigned int i;
	int ret, ok;
	__u32 mxcsr;
	__u16 fcw;

	ret = xioctl(vp, PARTVISOR_GET_XSAVE, &x);
	memcpy(&fcw, x.region, 2);
	memcpy(&mxcsr, x.region + 24, 4);
	pv_check(ret == 0 && fcw == 0x37f && mxcsr == 0x1f80 &&
		 xsave_u64(&x, 512) == 0 && xsave_u64(&x, 520) == 0,
		 "initial XSAVE area: %s, FCW %#x MXCSR %#x", strerror(-ret),
		 fcw, mxcsr);

	for (i = 32; i < 416; i++)	/* ST0-7 and XMM0-15 */
		x.region[i] = i * 7;
	for (i = 576; i < 832; i++)	/* YMM_Hi128 */
		x.region[i] = i * 13;
	xsave_set_u64(&x, 512, 7);
	ret = xioctl(vp, PARTVISOR_SET_XSAVE, &x);
	ok = ret == 0 && xioctl(vp, PARTVISOR_GET_XSAVE, &y) == 0 &&
	     !memcmp(&x, &y, sizeof(x));
	pv_check(ok, "XSAVE round trip: %s", strerror(-ret));

	for (i = 0; i < 4; i++) {
		static const char * const what[] = {
			"MXCSR bit 16", "XCOMP_BV (compacted format)",
			"a reserved header byte", "XSTATE_BV bit 17",
		};

		y = x;
		if (i == 0)
			y.region[26] = 1;
		else if (i == 1)
			xsave_set_u64(&y, 520, 1ULL << 63 | 7);
		else if (i == 2)
			y.region[560] = 1;
		else
			xsave_set_u64(&y, 512, 7 | 1 << 17);
		ret = xioctl(vp, PARTVISOR_SET_XSAVE, &y);
		ok = xioctl(vp, PARTVISOR_GET_XSAVE, &y) == 0 &&
		     !memcmp(&x, &y, sizeof(x));
		pv_check(ret == -EINVAL && ok, "XSAVE with %s: %s, area %s",
			 what[i], strerror(-ret), ok ? "unchanged" : "CHANGED");
	}
	ret = xioctl(vp, PARTVISOR_SET_XSAVE, NULL);
	pv_check(ret == -EFAULT, "set XSAVE from NULL: %s", strerror(-ret));
}

static int set_cpuid(int part, struct partvisor_cpuid_entry *e, __u32 n)
{
	struct partvisor_cpuid c = { .nr_entries = n, .entries = (uintptr_t)e };

	return xioctl(part, PARTVISOR_SET_CPUID, &c);
}

static void test_cpuid(int part)
{
	struct partvisor_cpuid_entry e[4] = {
		{ .function = 0, .eax = 0xd, .ebx = 1, .ecx = 2, .edx = 3 },
		{ .function = 1, .eax = 0x806f8, .ecx = 1 << 31 },
		{ .function = 7, .flags = PARTVISOR_CPUID_SUBLEAF, .ebx = 9 },
		{ .function = 7, .index = 1, .flags = PARTVISOR_CPUID_SUBLEAF },
	}, out[5], big[PARTVISOR_MAX_CPUID_ENTRIES + 1];
	struct partvisor_cpuid c = { 0 };
	int ret, i;

	ret = set_cpuid(part, e, 4);
	c.nr_entries = 5;
	c.entries = (uintptr_t)out;
	if (!ret)
		ret = xioctl(part, PARTVISOR_GET_CPUID, &c);
	pv_check(ret == 0 && c.nr_entries == 4 && !memcmp(e, out, sizeof(e)),
		 "CPUID table round trip: %s, %u entries", strerror(-ret),
		 c.nr_entries);
	c.nr_entries = 1;
	ret = xioctl(part, PARTVISOR_GET_CPUID, &c);
	pv_check(ret == -E2BIG && c.nr_entries == 4,
		 "get into a 1-entry buffer: %s, needs %u", strerror(-ret),
		 c.nr_entries);

	for (i = 0; i < 6; i++) {
		static const char * const what[] = {
			"an unknown flag", "an index without SUBLEAF",
			"a hypervisor leaf", "a duplicate", "a reserved word",
			"too many entries",
		};
		struct partvisor_cpuid_entry f[2] = { e[0], e[1] };
		__u32 n = 2;

		if (i == 0)
			f[1].flags = 2;
		else if (i == 1)
			f[1].index = 1;
		else if (i == 2)
			f[1].function = 0x40000001;
		else if (i == 3)
			f[1] = f[0];
		else if (i == 4)
			f[1].reserved = 1;
		ret = i == 5 ? set_cpuid(part, big, PARTVISOR_MAX_CPUID_ENTRIES + 1) :
			       set_cpuid(part, f, n);
		c.nr_entries = 5;
		pv_check(ret == -EINVAL &&
			 xioctl(part, PARTVISOR_GET_CPUID, &c) == 0 &&
			 c.nr_entries == 4, "CPUID table with %s: %s, table kept",
			 what[i], strerror(-ret));
	}
	ret = set_cpuid(part, NULL, 2);
	pv_check(ret == -EFAULT, "CPUID entries at NULL: %s", strerror(-ret));
	ret = set_cpuid(part, NULL, 0);
	c.nr_entries = 0;
	pv_check(ret == 0 && xioctl(part, PARTVISOR_GET_CPUID, &c) == 0 &&
		 c.nr_entries == 0, "an empty table clears it: %s",
		 strerror(-ret));
}

/* A shared mapping of @fd's first @len bytes, or NULL. */
static char *map_file(int fd, size_t len, int prot, int flags)
{
	char *p;

	if (fd < 0 || ftruncate(fd, len))
		return NULL;
	p = mmap(NULL, len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0x5a, prot & PROT_WRITE ? len : 0);
	return p;
}

/*
 * Writable maps of page-cache pages (a ramfs file here) are refused and
 * leave nothing pinned; shmem, memfd, anonymous shared memory, private
 * file mappings and read-only maps of the file work.
 */
static void test_file_backed(void)
{
	const __u32 rw = PARTVISOR_MEM_READ | PARTVISOR_MEM_WRITE;
	const char *dir = "/tmp/pv-ramfs";
	long long pinned0 = hv_counter("pinned_pages");
	char *memfd, *shared, *file, *priv;
	int part, fd, ret;
	long lck0;
	__u32 id;

	part = create_partition(&id);
	if (!pv_check(part >= 0, "partition for file-backed memory"))
		return;
	lck0 = vm_locked_kb();
	fd = memfd_create("pv-test", 0);
	memfd = map_file(fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ret = memfd ? map_mem(part, 0, 2 * PAGE, memfd, rw) : -errno;
	pv_check(ret == 0, "map a memfd writable: %s", strerror(-ret));
	if (fd >= 0)
		close(fd);
	shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ret = shared != MAP_FAILED ?
	      map_mem(part, 0x10000, 2 * PAGE, shared, rw) : -errno;
	pv_check(ret == 0, "map MAP_SHARED | MAP_ANONYMOUS writable: %s",
		 strerror(-ret));

	mkdir(dir, 0700);
	if (mount("pv-ramfs", dir, "ramfs", 0, NULL)) {
		pv_skip("writable page cache refused", "cannot mount ramfs");
		goto out;
	}
	fd = open("/tmp/pv-ramfs/f", O_RDWR | O_CREAT, 0600);
	file = map_file(fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ret = file ? map_mem(part, 0x20000, 2 * PAGE, file, rw) : -errno;
	pv_check(ret == -EOPNOTSUPP,
		 "map a shared ramfs file writable: %s (want EOPNOTSUPP)",
		 strerror(-ret));
	pv_check(hv_counter("pinned_pages") == pinned0 + 4 &&
		 vm_locked_kb() - lck0 == 16,
		 "...and nothing of it stays pinned or charged");
	ret = file ? map_mem(part, 0x20000, 2 * PAGE, file,
			     PARTVISOR_MEM_READ) : -EFAULT;
	pv_check(ret == 0, "map it read-only: %s", strerror(-ret));
	priv = map_file(fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ret = priv ? map_mem(part, 0x30000, 2 * PAGE, priv, rw) : -errno;
	pv_check(ret == 0, "map a private mapping of it writable: %s",
		 strerror(-ret));
	close(part);
	part = -1;
	if (file)
		munmap(file, 2 * PAGE);
	if (priv)
		munmap(priv, 2 * PAGE);
	if (fd >= 0)
		close(fd);
	umount(dir);
out:
	rmdir(dir);
	if (part >= 0)
		close(part);
	if (memfd)
		munmap(memfd, 2 * PAGE);
	if (shared != MAP_FAILED)
		munmap(shared, 2 * PAGE);
	pv_check(hv_counter("pinned_pages") == pinned0,
		 "closing the partition unpins every page");
}

static void test_vps(void)
{
	struct partvisor_create_vp args = { 0 };
	int part, vp, vp2, ret, i, n;
	int vps[PARTVISOR_MAX_VPS];
	struct partvisor_vp_state s;

	part = create_partition(NULL);
	vp = part >= 0 ? create_vp(part, 0) : -1;
	if (!pv_check(part >= 0 && vp >= 0, "partition with VP 0: %d %d",
		      part, vp))
		return;

	test_cpuid(part);
	test_vp_state(vp);
	test_xsave(vp);

	ret = create_vp(part, 0);
	pv_check(ret == -EEXIST, "VP 0 again: %s", strerror(-ret));
	ret = create_vp(part, PARTVISOR_MAX_VPS);
	pv_check(ret == -EINVAL, "VP index %d: %s", PARTVISOR_MAX_VPS,
		 strerror(-ret));
	args.vp_index = 1;
	args.flags = 1;
	ret = xioctl(part, PARTVISOR_CREATE_VP, &args);
	pv_check(ret == -EINVAL, "VP with flags: %s", strerror(-ret));
	args.flags = 0;
	args.reserved[0] = 1;
	ret = xioctl(part, PARTVISOR_CREATE_VP, &args);
	pv_check(ret == -EINVAL, "VP with a reserved word: %s", strerror(-ret));

	vps[0] = vp;
	for (n = 1; n < PARTVISOR_MAX_VPS; n++) {
		vps[n] = create_vp(part, PARTVISOR_MAX_VPS - n);
		if (vps[n] < 0)
			break;
	}
	pv_check(n == PARTVISOR_MAX_VPS, "%d VPs in one partition", n);
	for (i = 1; i < n; i++)
		close(vps[i]);

	/* Wrong fd types and closed fds. */
	ret = get_state(part, &s);
	pv_check(ret == -ENOTTY, "VP state on a partition fd: %s",
		 strerror(-ret));
	ret = map_mem(vp, 0, PAGE, &s, PARTVISOR_MEM_READ);
	pv_check(ret == -ENOTTY, "map on a VP fd: %s", strerror(-ret));
	ret = create_vp(vp, 1);
	pv_check(ret == -ENOTTY, "create VP on a VP fd: %s", strerror(-ret));
	ret = xioctl(part, PARTVISOR_CREATE_PARTITION,
		     &(struct partvisor_create_partition){ 0 });
	pv_check(ret == -ENOTTY, "create partition on a partition fd: %s",
		 strerror(-ret));
	ret = map_mem(dev, 0, PAGE, &s, PARTVISOR_MEM_READ);
	pv_check(ret == -ENOTTY, "map on /dev/partvisor: %s", strerror(-ret));
	ret = get_state(dev, &s);
	pv_check(ret == -ENOTTY, "VP state on /dev/partvisor: %s",
		 strerror(-ret));
	ret = xioctl(vp, PARTVISOR_GET_INFO, &(struct partvisor_info){ 0 });
	pv_check(ret == -ENOTTY, "GET_INFO on a VP fd: %s", strerror(-ret));

	close(vp);
	ret = get_state(vp, &s);
	pv_check(ret == -EBADF, "state on a closed VP fd: %s", strerror(-ret));
	vp2 = create_vp(part, 0);
	pv_check(vp2 >= 0, "VP 0 again after its fd closed: %s",
		 strerror(vp2 < 0 ? -vp2 : 0));
	close(vp2);
	close(part);
	ret = create_vp(part, 0);
	pv_check(ret == -EBADF, "create VP on a closed partition fd: %s",
		 strerror(-ret));
	nothing_left("after the VP tests");
}

/* The partition fd closed first: its VPs keep it, and its memory, alive. */
static void test_close_order(void)
{
	char *mem = alloc(8 * PAGE);
	struct partvisor_vp_state s;
	int part, vp0, vp1, ret;

	part = create_partition(NULL);
	vp0 = create_vp(part, 0);
	vp1 = create_vp(part, 1);
	ret = map_mem(part, 0, 8 * PAGE, mem, PARTVISOR_MEM_READ |
		      PARTVISOR_MEM_WRITE);
	pv_check(part >= 0 && vp0 >= 0 && vp1 >= 0 && ret == 0,
		 "partition with 2 VPs and 8 pages");
	close(part);
	pv_check(hv_counter("partitions") == 1 &&
		 hv_counter("pinned_pages") == 8,
		 "partition fd closed: the partition and its pages remain");
	ret = get_state(vp0, &s);
	if (!ret)
		ret = set_state(vp1, &s);
	pv_check(ret == 0, "its VPs still work: %s", strerror(-ret));
	close(vp0);
	pv_check(hv_counter("partitions") == 1, "one VP fd still holds it");
	close(vp1);
	nothing_left("the last VP fd closed");
	munmap(mem, 8 * PAGE);
}

/* Not the creator: other processes may not map, nobody may do anything. */
static void test_other_process(void)
{
	char *mem = alloc(PAGE);
	int part, vp, status, ret;
	pid_t pid;

	part = create_partition(NULL);
	vp = create_vp(part, 0);
	pid = fork();
	if (!pid) {
		struct partvisor_vp_state s;

		if (map_mem(part, 0, PAGE, mem, PARTVISOR_MEM_READ) != -EPERM)
			_exit(1);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (get_state(vp, &s) != -EPERM || create_vp(part, 1) != -EPERM)
			_exit(3);
		_exit(0);
	}
	ret = waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
	      WEXITSTATUS(status) : -1;
	pv_check(ret == 0, "a forked child cannot map (EPERM), nobody gets EPERM (step %d)",
		 ret);
	close(vp);
	close(part);
	munmap(mem, PAGE);
}

/* Without CAP_IPC_LOCK, maps count against RLIMIT_MEMLOCK. */
static void test_memlock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int status, ret;
	pid_t pid;

	pid = fork();
	if (!pid) {
		struct rlimit rl = { 16 * PAGE, 16 * PAGE };
		char *mem = alloc(32 * PAGE);
		int part;

		if (syscall(SYS_capget, &hdr, data))
			_exit(1);
		data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
		if (syscall(SYS_capset, &hdr, data) || setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(2);
		part = create_partition(NULL);
		if (part < 0)
			_exit(3);
		if (map_mem(part, 0, 32 * PAGE, mem, PARTVISOR_MEM_READ) != -ENOMEM)
			_exit(4);
		if (map_mem(part, 0, 12 * PAGE, mem, PARTVISOR_MEM_READ))
			_exit(5);
		if (map_mem(part, 0x100000, 8 * PAGE, mem, PARTVISOR_MEM_READ) !=
		    -ENOMEM)
			_exit(6);
		if (unmap_mem(part, 0, 12 * PAGE) ||
		    map_mem(part, 0x100000, 16 * PAGE, mem, PARTVISOR_MEM_READ))
			_exit(7);
		_exit(0);
	}
	ret = waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
	      WEXITSTATUS(status) : -1;
	pv_check(ret == 0,
		 "RLIMIT_MEMLOCK 16 pages, no CAP_IPC_LOCK: 32 refused, 12 then 8 refused, 16 after unmap (step %d)",
		 ret);
	nothing_left("after the RLIMIT_MEMLOCK child exited");
}

struct hammer {
	int vp;
	unsigned int id;
	unsigned int bad;
	int stop_on_ebadf;
};

/* Set and get state as fast as possible; a get must never be torn. */
static void *hammer_vp(void *arg)
{
	struct hammer *h = arg;
	struct partvisor_vp_state s, t;
	static struct partvisor_xsave xs[NR_THREADS];
	struct partvisor_xsave *x = &xs[h->id];
	unsigned int i, j;
	int ret;

	ret = get_state(h->vp, &s);
	if (ret == -EBADF && h->stop_on_ebadf)
		return NULL;
	if (ret)
		h->bad++;
	for (i = 0; i < THREAD_LOOPS; i++) {
		fill_gprs(&s, ((__u64)h->id << 32) | i << 8);
		ret = h->id & 1 ? xioctl(h->vp, PARTVISOR_GET_XSAVE, x) :
				  set_state(h->vp, &s);
		if (!ret && h->id & 1)
			ret = xioctl(h->vp, PARTVISOR_SET_XSAVE, x);
		if (!ret)
			ret = get_state(h->vp, &t);
		if (ret == -EBADF && h->stop_on_ebadf)
			break;
		if (ret) {
			h->bad++;
			continue;
		}
		for (j = 1; j < 16; j++)
			if (*(&t.rax + j) != t.rax + j)
				h->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct partvisor_vp_state s;
	struct hammer h[NR_THREADS];
	pthread_t tid[NR_THREADS];
	unsigned int bad = 0;
	int part, vp, round, i;

	part = create_partition(NULL);
	for (round = 0; round < 2; round++) {
		vp = create_vp(part, 0);
		/* Untorn from the start: the reset state's GPRs are all 0. */
		get_state(vp, &s);
		fill_gprs(&s, 1);
		set_state(vp, &s);
		for (i = 0; i < NR_THREADS; i++) {
			h[i] = (struct hammer){ vp, i, 0, round };
			pthread_create(&tid[i], NULL, hammer_vp, &h[i]);
		}
		/* Second round: the fd goes away under the threads. */
		if (round)
			close(vp);
		for (i = 0; i < NR_THREADS; i++) {
			pthread_join(tid[i], NULL);
			bad += h[i].bad;
		}
		if (!round)
			close(vp);
		pv_check(bad == 0, "%d threads x %d set/get on one VP%s: %u torn or failed",
			 NR_THREADS, THREAD_LOOPS,
			 round ? ", fd closed meanwhile" : "", bad);
	}
	close(part);
	nothing_left("after the thread tests");
}

struct churn {
	int part;
	unsigned int id;
	unsigned int bad;
	char *mem;
	char path[96];
};

/* Map and unmap a range of its own, over and over. */
static void *churn_map(void *arg)
{
	struct churn *c = arg;
	__u64 gpa = 0x100000ULL * (c->id + 1);
	unsigned int i;

	for (i = 0; i < THREAD_LOOPS / 4; i++)
		if (map_mem(c->part, gpa, 4 * PAGE, c->mem,
			    PARTVISOR_MEM_READ | PARTVISOR_MEM_WRITE) ||
		    unmap_mem(c->part, gpa, 4 * PAGE))
			c->bad++;
	return NULL;
}

/* Create and close VPs, set a state on each. */
static void *churn_vps(void *arg)
{
	struct partvisor_vp_state s;
	struct churn *c = arg;
	unsigned int i;
	int vp;

	for (i = 0; i < THREAD_LOOPS / 4; i++) {
		vp = create_vp(c->part, c->id);
		if (vp < 0 || get_state(vp, &s) || set_state(vp, &s))
			c->bad++;
		if (vp >= 0)
			close(vp);
	}
	return NULL;
}

/* Read the partition's debugfs file, the list and the list ioctl. */
static void *churn_read(void *arg)
{
	struct partvisor_partition_entry e[PARTVISOR_MAX_PARTITIONS];
	struct partvisor_partition_list list;
	struct churn *c = arg;
	char buf[4096];
	unsigned int i;
	int fd;

	for (i = 0; i < THREAD_LOOPS / 4; i++) {
		fd = open(i & 1 ? c->path :
			  "/sys/kernel/debug/partvisor/partitions", O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
			c->bad++;
		if (fd >= 0)
			close(fd);
		memset(&list, 0, sizeof(list));
		list.count = ARRAY_SIZE(e);
		list.entries = (uintptr_t)e;
		if (xioctl(dev, PARTVISOR_LIST_PARTITIONS, &list))
			c->bad++;
	}
	return NULL;
}

/* Partition-level calls from several threads at once. */
static void test_churn(void)
{
	void *(*fn[NR_THREADS])(void *) = {
		churn_map, churn_map, churn_vps, churn_read,
	};
	struct churn c[NR_THREADS];
	pthread_t tid[NR_THREADS];
	char *mem = alloc(4 * PAGE);
	unsigned int bad = 0;
	__u32 id = 0;
	int part, i;

	part = create_partition(&id);
	for (i = 0; i < NR_THREADS; i++) {
		c[i] = (struct churn){ .part = part, .id = i, .mem = mem };
		snprintf(c[i].path, sizeof(c[i].path),
			 "/sys/kernel/debug/partvisor/partition/%u/partition", id);
		pthread_create(&tid[i], NULL, fn[i], &c[i]);
	}
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(tid[i], NULL);
		bad += c[i].bad;
	}
	pv_check(part >= 0 && bad == 0,
		 "map/unmap x2, VP create/close and readers on one partition: %u failed",
		 bad);
	close(part);
	nothing_left("after the partition churn");
	munmap(mem, 4 * PAGE);
}

/* A VMM that builds partitions until it is killed; one byte per step. */
static void vmm(int out)
{
	const __u32 rw = PARTVISOR_MEM_READ | PARTVISOR_MEM_WRITE;
	struct partvisor_vp_state s;
	int a, b, va0, va1, vb0;
	char *mem = alloc(16 * PAGE);
	unsigned int round;

	for (round = 0;; round++) {
		a = create_partition(NULL);
		b = create_partition(NULL);
		if (write(out, "p", 1) != 1)
			_exit(1);
		map_mem(a, 0, 8 * PAGE, mem, rw);
		map_mem(a, 0x100000, 4 * PAGE, mem + 8 * PAGE, PARTVISOR_MEM_READ);
		if (write(out, "m", 1) != 1)
			_exit(1);
		map_mem(b, 0, 16 * PAGE, mem, rw);
		va0 = create_vp(a, 0);
		va1 = create_vp(a, 1);
		vb0 = create_vp(b, 3);
		if (write(out, "v", 1) != 1)
			_exit(1);
		get_state(va0, &s);
		long_state(&s);
		set_state(va1, &s);
		set_state(vb0, &s);
		if (write(out, "s", 1) != 1)
			_exit(1);
		/* Every round closes in another order. */
		if (round & 1) {
			close(a);
			close(va1);
			unmap_mem(b, 0, 16 * PAGE);
			close(vb0);
		} else {
			close(vb0);
			close(va0);
			close(b);
		}
		if (write(out, "c", 1) != 1)
			_exit(1);
		close(a);
		close(b);
		close(va0);
		close(va1);
	}
}

static void test_kill_loop(void)
{
	unsigned int seed = getpid() ^ (unsigned int)time(NULL);
	int round, done = 0, killed = 0;

	pv_diag("kill loop seed %u", seed);
	srand(seed);
	for (round = 0; round < KILL_ROUNDS; round++) {
		int pfd[2], steps = rand() % 24, status;
		char c;
		pid_t pid;

		if (pipe(pfd))
			break;
		pid = fork();
		if (!pid) {
			close(pfd[0]);
			vmm(pfd[1]);
		}
		close(pfd[1]);
		while (steps-- > 0 && read(pfd[0], &c, 1) == 1)
			;
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) == pid && WIFSIGNALED(status))
			killed++;
		close(pfd[0]);
		done++;
	}
	pv_check(killed == KILL_ROUNDS, "%d VMMs killed at random steps (%d run)",
		 killed, done);
	nothing_left("after the kill loop");
}

/* Run a shell command; its output in @buf, its exit status returned. */
static int run(const char *cmd, char *buf, size_t size)
{
	size_t len = 0;
	FILE *f;
	int status;

	buf[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (len + 1 < size && fgets(buf + len, size - len, f))
		len += strlen(buf + len);
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* pvctl list: one line per partition, a header, --help, bad usage. */
static void test_pvctl_list(void)
{
	char *mem = alloc(4 * PAGE), out[4096], want[2][128], *line;
	int a, b, vp, rc, found = 0, i;
	__u32 ida = 0, idb = 0;

	if (run("command -v pvctl", out, sizeof(out)) != 0) {
		skip("pvctl list", "no pvctl in PATH");
		return;
	}
	a = create_partition(&ida);
	b = create_partition(&idb);
	vp = create_vp(b, 5);
	map_mem(b, 0, 4 * PAGE, mem, PARTVISOR_MEM_READ);
	rc = run("pvctl list 2>&1", out, sizeof(out));
	snprintf(want[0], sizeof(want[0]), "%u 0 0 0 %d", ida, getpid());
	snprintf(want[1], sizeof(want[1]), "%u 1 1 %lu %d", idb, 4 * PAGE,
		 getpid());
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned int id, vps, regions;
		unsigned long long bytes;
		char norm[128];
		int pid;

		pv_diag("pvctl list: %s", line);
		if (sscanf(line, "%u %u %u %llu %d", &id, &vps, &regions,
			   &bytes, &pid) != 5)
			continue;
		snprintf(norm, sizeof(norm), "%u %u %u %llu %d", id, vps,
			 regions, bytes, pid);
		for (i = 0; i < 2; i++)
			found += !strcmp(norm, want[i]);
	}
	pv_check(rc == 0 && found == 2 && !strncmp(out, "ID", 2),
		 "pvctl list: exit %d, header, %d of 2 partitions right", rc,
		 found);
	close(vp);
	close(a);
	close(b);
	rc = run("pvctl list 2>&1", out, sizeof(out));
	line = strchr(out, '\n');
	pv_check(rc == 0 && line && !line[1],
		 "pvctl list without partitions: exit %d, only the header", rc);
	rc = run("pvctl list --help 2>&1", out, sizeof(out));
	pv_check(rc == 0 && !strncmp(out, "usage: pvctl list", 17),
		 "pvctl list --help: exit %d", rc);
	rc = run("pvctl list extra 2>/dev/null", out, sizeof(out));
	pv_check(rc == 2, "pvctl list with an argument: exit %d", rc);
	munmap(mem, 4 * PAGE);
}

static int module_launched(void)
{
	FILE *f = fopen("/sys/module/partvisor/parameters/launch", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == 'Y' ? 1 : c == 'N' ? 0 : -1;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "partvisor", O_NONBLOCK) ? -errno : 0;
}

static int load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Partition and VP fds hold the module; with none left it unloads. */
static void test_module(void)
{
	const char *ko = getenv("PV_MODULE");
	int part, vp, ret, ret2;

	part = create_partition(NULL);
	vp = create_vp(part, 0);
	close(dev);
	dev = -1;
	ret = unload();
	pv_check((ret == -EAGAIN || ret == -EBUSY) && module_launched() == 1,
		 "rmmod with a partition fd open: %s", strerror(-ret));
	close(part);
	ret = unload();
	pv_check((ret == -EAGAIN || ret == -EBUSY) && module_launched() == 1,
		 "rmmod with only a VP fd open: %s", strerror(-ret));
	close(vp);

	if (!ko || !*ko) {
		skip("rmmod after the last fd", "PV_MODULE not set");
		skip("create while not launched", "PV_MODULE not set");
		skip("reload with launch=1", "PV_MODULE not set");
		return;
	}
	ret = unload();
	pv_check(ret == 0 && module_launched() < 0,
		 "rmmod after the last fd closed: %s", strerror(-ret));
	ret = load(ko, "launch=0");
	dev = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);
	ret2 = dev >= 0 ? create_partition(NULL) : -errno;
	pv_check(ret == 0 && ret2 == -ENODEV,
		 "launch=0: load %s, create partition: %s", strerror(-ret),
		 strerror(-ret2));
	if (dev >= 0)
		close(dev);
	if (module_launched() >= 0)
		unload();
	ret = load(ko, "launch=1");
	pv_check(ret == 0 && module_launched() == 1,
		 "partvisor reloaded with launch=1: %s", strerror(-ret));
}

int main(void)
{
	dev = pv_open_or_skip();
	if (module_launched() != 1)
		pv_skip_all("partvisor is not launched");
	if (hv_counter("partitions") < 0)
		pv_skip_all("no " HV_FILE " (debugfs not mounted?)");

	printf("TAP version 13\n");
	nothing_left("at the start");
	test_partitions();
	test_memory();
	test_file_backed();
	test_vps();
	test_close_order();
	test_other_process();
	test_memlock();
	test_threads();
	test_churn();
	test_kill_loop();
	test_pvctl_list();
	test_module();
	/* The plan comes last: the count depends on tables above. */
	printf("1..%u\n", pv_test_nr);
	if (pv_test_failed)
		return pv_finish();
	pv_finish();
	return PV_EXIT_PASS;
}
