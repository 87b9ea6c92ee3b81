// SPDX-License-Identifier: GPL-2.0
/*
 * The counter sets (Documentation/counters.rst). A 32-bit guest performs
 * known numbers of each intercept it can cause on purpose: CPUID, port
 * I/O, RDMSR and WRMSR of an MSR the VMM handles, MMIO writes (nested
 * page faults), NOTIFY_LONG_SPIN_WAIT and SEND_IPI hypercalls (each IPI to
 * itself taken through an interrupt window), an instruction of the
 * virtualization extension (#UD) and a final HLT. Its VP's debugfs
 * counters must match exactly, with run time = guest + hypervisor and the
 * per-type cycles adding up to the hypervisor time. Every binary stats fd
 * (the VP's, the partition's, the root partition's, a root VP's, an LP's)
 * must carry the names of its debugfs file, in order, with the same values
 * where nothing runs; bad requests fail cleanly.
 */
#include <cpuid.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define IDT		0x3000
#define GDT		0x4000
#define TSS		0x5000
#define IRQ_COUNT	0x6000	/* the interrupt handler counts here */
#define STACK		0x8000
#define MMIO_GPA	0x100000	/* outside memory */
#define TEST_MSR	0x1234
#define IPI_VECTOR	0x40

#define N_CPUID		37
#define N_IO		23
#define N_RDMSR		11
#define N_WRMSR		13
#define N_MMIO		17
#define N_SPIN		19
#define N_IPI		7
#define N_VIRT		5

/*
 * Flat 32-bit protected mode, CPL 0, IF clear. %ebp counts each loop:
 * CPUID, RDMSR and the hypercalls use the other registers. The three
 * bytes at cnt_hc and cnt_virt are patched for the vendor: its hypercall
 * instruction, and one of its own virtualization instructions.
 */
asm(".pushsection .rodata\n"
	"cnt_guest:\n"
	".code32\n"
	"	mov $37, %ebp\n"
	"1:	xor %eax, %eax\n"
	"	cpuid\n"
	"	dec %ebp\n"
	"	jnz 1b\n"
	"	mov $23, %ebp\n"
	"	mov $0xe0, %dx\n"
	"2:	out %al, %dx\n"
	"	dec %ebp\n"
	"	jnz 2b\n"
	"	mov $11, %ebp\n"
	"3:	mov $0x1234, %ecx\n"
	"	rdmsr\n"
	"	dec %ebp\n"
	"	jnz 3b\n"
	"	mov $13, %ebp\n"
	"4:	mov $0x1234, %ecx\n"
	"	wrmsr\n"
	"	dec %ebp\n"
	"	jnz 4b\n"
	"	mov $17, %ebp\n"
	"5:	mov %eax, 0x100000\n"
	"	dec %ebp\n"
	"	jnz 5b\n"
	/* NOTIFY_LONG_SPIN_WAIT, fast: EDX:EAX input, EBX:ECX the count */
	"	mov $19, %ebp\n"
	"6:	mov $0x10008, %eax\n"
	"	xor %edx, %edx\n"
	"	mov $1, %ecx\n"
	"	xor %ebx, %ebx\n"
	"	call cnt_hc_call\n"
	"	dec %ebp\n"
	"	jnz 6b\n"
	/* SEND_IPI, fast, to this VP: taken once IF is set */
	"	mov $7, %ebp\n"
	"7:	mov $0x1000b, %eax\n"
	"	xor %edx, %edx\n"
	"	mov $0x40, %ecx\n"
	"	xor %ebx, %ebx\n"
	"	mov $1, %esi\n"
	"	xor %edi, %edi\n"
	"	call cnt_hc_call\n"
	"	sti\n"
	"	nop\n"
	"	cli\n"
	"	dec %ebp\n"
	"	jnz 7b\n"
	"	mov $5, %ebp\n"
	"8:\n"
	"cnt_virt:\n"
	"	.byte 0x0f, 0x01, 0xd8\n"
	"	dec %ebp\n"
	"	jnz 8b\n"
	"	hlt\n"
	"cnt_hc_call:\n"
	"cnt_hc:\n"
	"	.byte 0x0f, 0x01, 0xd9\n"
	"	ret\n"
	/* #UD: past the three-byte instruction */
	"cnt_ud:\n"
	"	addl $3, (%esp)\n"
	"	iret\n"
	"cnt_irq:\n"
	"	incl 0x6000\n"
	"	iret\n"
	".code64\n"
	"cnt_guest_end:\n"
	".popsection\n");
PV_GUEST_DECLARE(cnt_guest);
PV_GUEST_LABEL(cnt_hc);
PV_GUEST_LABEL(cnt_virt);
PV_GUEST_LABEL(cnt_ud);
PV_GUEST_LABEL(cnt_irq);

#define GUEST_ADDR(label)	(CODE + (unsigned int)((label) - cnt_guest))

static int intel;

static void idt_gate(unsigned char *mem, unsigned int vector, __u32 handler)
{
	__u32 *g = (__u32 *)(mem + IDT + vector * 8);

	g[0] = (PV_SEL_CODE << 16) | (handler & 0xffff);
	g[1] = (handler & 0xffff0000) | 0x8e00;	/* present 32-bit int gate */
}

static void setup_guest(struct pv_guest *g, struct partvisor_vp_state *s)
{
	static const unsigned char vmcall[] = { 0x0f, 0x01, 0xc1 };
	static const unsigned char vmxoff[] = { 0x0f, 0x01, 0xc4 };
	__u64 *gdt = (__u64 *)(g->mem + GDT);

	gdt[1] = 0x00cf9a000000ffffULL;	/* 0x08: flat 32-bit code */
	gdt[2] = 0x00cf92000000ffffULL;	/* 0x10: flat data */
	gdt[3] = 0x00008b0000000067ULL | ((__u64)TSS << 16);	/* busy TSS */
	idt_gate(g->mem, 6, GUEST_ADDR(cnt_ud));
	idt_gate(g->mem, IPI_VECTOR, GUEST_ADDR(cnt_irq));
	if (intel) {
		memcpy(g->mem + GUEST_ADDR(cnt_hc), vmcall, 3);
		memcpy(g->mem + GUEST_ADDR(cnt_virt), vmxoff, 3);
	}
	pv_state_protected(s, CODE, STACK, GDT, 4 * 8 - 1, TSS);
	s->idtr.base = IDT;
	s->idtr.limit = 256 * 8 - 1;
}

/* Run to the final HLT, answering each VMM exit; the exits, or -1. */
static int run_guest(struct pv_guest *g, unsigned int *vmm_exits)
{
	struct partvisor_run r = { 0 };
	unsigned int n = 0;

	for (;;) {
		if (ioctl(g->vp, PARTVISOR_RUN_VP, &r)) {
			if (errno == EINTR)
				continue;
			/* Before the plan: the backend runs no VPs here. */
			if (errno == EOPNOTSUPP && !n)
				pv_skip_all("child VPs do not run on this backend yet");
			pv_diag("RUN: %s", strerror(errno));
			return -1;
		}
		if (r.reason == PARTVISOR_EXIT_HALT)
			break;
		if (r.reason != PARTVISOR_EXIT_IO &&
		    r.reason != PARTVISOR_EXIT_MSR &&
		    r.reason != PARTVISOR_EXIT_MMIO) {
			pv_diag("unexpected exit %u at %#llx (vendor code %#llx)",
				r.reason, (unsigned long long)r.rip,
				(unsigned long long)r.vendor_code);
			return -1;
		}
		if (r.reason == PARTVISOR_EXIT_MSR)
			r.msr.data = 0;
		n++;
	}
	*vmm_exits = n;
	return 0;
}

/* A binary stats fd read whole: header, id, descriptors, values. */
struct stats {
	struct partvisor_stats_header h;
	char id[PARTVISOR_STATS_ID_SIZE];
	unsigned int nr;
	char (*names)[128];
	__u32 *flags;
	__u64 *val;
};

static void stats_free(struct stats *st)
{
	free(st->names);
	free(st->flags);
	free(st->val);
	memset(st, 0, sizeof(*st));
}

static int stats_read(int fd, struct stats *st)
{
	size_t dsize;
	unsigned int i;
	char *desc;

	memset(st, 0, sizeof(*st));
	if (pread(fd, &st->h, sizeof(st->h), 0) != sizeof(st->h) ||
	    pread(fd, st->id, sizeof(st->id), st->h.id_offset) !=
	    sizeof(st->id))
		return -1;
	st->id[sizeof(st->id) - 1] = '\0';
	st->nr = st->h.num_desc;
	if (!st->nr || st->nr > 4096 || st->h.name_size > 128 ||
	    st->h.desc_offset < st->h.id_offset + sizeof(st->id))
		return -1;
	dsize = sizeof(struct partvisor_stats_desc) + st->h.name_size;
	desc = malloc(st->nr * dsize);
	st->names = calloc(st->nr, sizeof(*st->names));
	st->flags = calloc(st->nr, sizeof(*st->flags));
	st->val = calloc(st->nr, sizeof(*st->val));
	if (!desc || !st->names || !st->flags || !st->val ||
	    pread(fd, desc, st->nr * dsize, st->h.desc_offset) !=
	    (ssize_t)(st->nr * dsize) ||
	    pread(fd, st->val, st->nr * 8, st->h.data_offset) !=
	    (ssize_t)(st->nr * 8)) {
		free(desc);
		return -1;
	}
	for (i = 0; i < st->nr; i++) {
		struct partvisor_stats_desc *d = (void *)(desc + i * dsize);

		if (d->size != 1 || d->offset != i * 8) {
			free(desc);
			return -1;
		}
		memcpy(st->names[i], d->name, st->h.name_size);
		st->names[i][st->h.name_size] = '\0';
		st->flags[i] = d->flags;
	}
	free(desc);
	return 0;
}

static int stats_open(int fd, __u32 vp, __u32 flags, struct stats *st)
{
	struct partvisor_stats_fd req = { .vp = vp, .flags = flags };
	int sfd = ioctl(fd, PARTVISOR_GET_STATS_FD, &req);
	int ret;

	if (sfd < 0)
		return -1;
	ret = stats_read(sfd, st);
	close(sfd);
	return ret;
}

static int stats_index(const struct stats *st, const char *name)
{
	unsigned int i;

	for (i = 0; i < st->nr; i++)
		if (!strcmp(st->names[i], name))
			return i;
	return -1;
}

/* A value by name; -1 if the fd has no such counter (or was not read). */
static long long stats_value(const struct stats *st, const char *name)
{
	int i = stats_index(st, name);

	return i < 0 ? -1 : (long long)st->val[i];
}

/*
 * The debugfs file's "name: value" lines against the fd's descriptors:
 * the same names in the same order; with @values, the same numbers too.
 */
static int same_as_debugfs(const struct stats *st, const char *path,
			   int values, const char *what)
{
	char line[200], *colon;
	unsigned int i = 0, bad = 0;
	FILE *f;

	if (!st->nr)
		return pv_check(0, "%s: no fd to compare with %s", what, path);
	f = fopen(path, "r");
	if (!f)
		return pv_check(0, "%s: %s: %s", what, path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		colon = strstr(line, ": ");
		if (!colon || !strncmp(line, "vp_index:", 9) ||
		    !strncmp(line, "region:", 7))
			continue;
		*colon = '\0';
		if (i >= st->nr || strcmp(line, st->names[i]) ||
		    (values && strtoull(colon + 2, NULL, 10) != st->val[i])) {
			if (!bad++)
				pv_diag("%s: line %u %s: %s, fd has %s = %llu", what,
					i, line, colon + 2,
					i < st->nr ? st->names[i] : "nothing",
					i < st->nr ?
					(unsigned long long)st->val[i] : 0);
		}
		i++;
	}
	fclose(f);
	return pv_check(!bad && i == st->nr,
			"%s: %u counters, %s as in %s", what, st->nr,
			values ? "names and values" : "names", path);
}

struct expect {
	const char *name;
	long long want;
};

static void check_vp_counts(unsigned int id, unsigned int vmm_exits)
{
	const struct expect e[] = {
		{ "intercepts_cpuid", N_CPUID },
		{ "intercepts_io", N_IO },
		{ "intercepts_msr_read", N_RDMSR },
		{ "intercepts_msr_write", N_WRMSR },
		{ "intercepts_npf", N_MMIO },
		{ "intercepts_hypercall", N_SPIN + N_IPI },
		{ "intercepts_virt_insn", N_VIRT },
		{ "intercepts_hlt", 1 },
		{ "intercepts_cr", 0 },
		{ "intercepts_exception", 0 },
		{ "intercepts_other", 0 },
		{ "hypercalls_0x0008_notify_long_spin_wait", N_SPIN },
		{ "hypercalls_0x000b_send_ipi", N_IPI },
		{ "hypercalls_0x005c_post_message", 0 },
		{ "hypercalls_other", 0 },
		{ "interrupts_injected", N_IPI },
		{ "ipis_sent", N_IPI },
	};
	static const char * const icpt[] = PARTVISOR_INTERCEPT_NAMES;
	long long total, guest, hv, sum = 0, v, disp, ext;
	unsigned int i, bad = 0;
	char name[64];

	for (i = 0; i < ARRAY_SIZE(e); i++) {
		v = pv_vp_counter(id, 0, e[i].name);
		if (v != e[i].want) {
			pv_diag("%s: %lld, want %lld", e[i].name, v, e[i].want);
			bad++;
		}
	}
	/*
	 * Each IPI waits for IF in an interrupt window, unless a physical
	 * interrupt ends the run first: then it goes in at the next entry.
	 */
	v = pv_vp_counter(id, 0, "intercepts_intr_window");
	ext = pv_vp_counter(id, 0, "intercepts_extint");
	if (v > N_IPI || v + ext < N_IPI) {
		pv_diag("intercepts_intr_window: %lld for %d IPIs, %lld extint",
			v, N_IPI, ext);
		bad++;
	}
	pv_check(!bad, "debugfs: %u of %zu counters as the guest made them, %lld windows",
		 (unsigned int)ARRAY_SIZE(e) + 1 - bad, ARRAY_SIZE(e) + 1, v);

	total = pv_vp_counter(id, 0, "run_time_total_cycles");
	guest = pv_vp_counter(id, 0, "run_time_guest_cycles");
	hv = pv_vp_counter(id, 0, "run_time_hypervisor_cycles");
	for (i = 0; i < ARRAY_SIZE(icpt); i++) {
		snprintf(name, sizeof(name), "intercept_cycles_%s", icpt[i]);
		sum += pv_vp_counter(id, 0, name);
	}
	pv_check(guest > 0 && hv > 0 && total == guest + hv && sum == hv,
		 "run time %lld = guest %lld + hypervisor %lld cycles, the sum over intercept types",
		 total, guest, hv);

	disp = pv_vp_counter(id, 0, "dispatches");
	pv_check(disp > vmm_exits, "%lld dispatches for %u exits to the VMM",
		 disp, vmm_exits);
}

static void check_bad_requests(int dev, const struct pv_guest *g)
{
	struct partvisor_stats_fd req = { .vp = PARTVISOR_STATS_OWN };
	int bad = 0;

	req.flags = 2;
	bad += ioctl(dev, PARTVISOR_GET_STATS_FD, &req) != -1 || errno != EINVAL;
	req.flags = 0;
	req.reserved[1] = 1;
	bad += ioctl(g->part, PARTVISOR_GET_STATS_FD, &req) != -1 ||
	       errno != EINVAL;
	req.reserved[1] = 0;
	req.vp = 0;
	bad += ioctl(g->vp, PARTVISOR_GET_STATS_FD, &req) != -1 ||
	       errno != EINVAL;
	req.flags = PARTVISOR_STATS_LP;
	bad += ioctl(g->part, PARTVISOR_GET_STATS_FD, &req) != -1 ||
	       errno != EINVAL;
	req.vp = 100000;
	bad += ioctl(dev, PARTVISOR_GET_STATS_FD, &req) != -1 ||
	       errno != ENOENT;
	bad += ioctl(dev, PARTVISOR_GET_STATS_FD, NULL) != -1 ||
	       errno != EFAULT;
	pv_check(!bad, "bad requests: EINVAL, ENOENT and EFAULT (%d wrong)", bad);
}

/* The fd's reads: a value read alone, past the end, and not writable. */
static void check_fd_io(const struct pv_guest *g)
{
	struct partvisor_stats_fd req = { .vp = PARTVISOR_STATS_OWN };
	struct partvisor_stats_header h;
	__u64 v = ~0ULL;
	char c;
	int fd, ok;

	fd = ioctl(g->vp, PARTVISOR_GET_STATS_FD, &req);
	ok = fd >= 0 && pread(fd, &h, sizeof(h), 0) == sizeof(h) &&
	     pread(fd, &v, 8, h.data_offset + 8) == 8 &&
	     pread(fd, &c, 1, h.data_offset + h.num_desc * 8) == 0 &&
	     write(fd, &c, 1) == -1 && errno == EBADF;
	ok = ok && (long long)v == pv_vp_counter(g->id, 0,
						 "run_time_total_cycles");
	pv_check(ok,
		 "pread of one value matches debugfs; EOF after the last; not writable");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char path[128], want[PARTVISOR_STATS_ID_SIZE];
	unsigned int a, b, c, d, vmm_exits = 0;
	struct partvisor_vp_state s;
	struct stats st, st2;
	struct pv_guest g;
	long long before;
	cpu_set_t set;
	int dev, ok, i;

	/*
	 * Not pv_open_vps_or_skip(): its probe would run a VP of its own,
	 * and the BPF tools' test counts every child exit while this runs.
	 */
	dev = pv_open_or_skip();
	__cpuid(0, a, b, c, d);
	intel = b == 0x756e6547;	/* "Genu"ineIntel */
	if (pv_guest_new(dev, &g, MEM_SIZE, CODE, cnt_guest,
			 cnt_guest_end - cnt_guest)) {
		if (g.part < 0)
			pv_skip_all("no partitions here (hypervisor not launched)");
		pv_diag("guest: %s", strerror(errno));
		return PV_EXIT_FAIL;
	}
	if (ioctl(g.vp, PARTVISOR_GET_VP_STATE, &s)) {
		pv_diag("GET_VP_STATE: %s", strerror(errno));
		return PV_EXIT_FAIL;
	}
	setup_guest(&g, &s);
	if (ioctl(g.vp, PARTVISOR_SET_VP_STATE, &s)) {
		pv_diag("SET_VP_STATE: %s", strerror(errno));
		return PV_EXIT_FAIL;
	}
	ok = !run_guest(&g, &vmm_exits);
	/* What the guest made, for bpf_tools_test.sh to hold the tools to. */
	pv_diag("made: cpuid=%d io=%d msr_read=%d msr_write=%d npf=%d hlt=1",
		N_CPUID, N_IO, N_RDMSR, N_WRMSR, N_MMIO);
	pv_diag("made: hypercall=%d virt_insn=%d ipis=%d hc_0x0008=%d hc_0x000b=%d",
		N_SPIN + N_IPI, N_VIRT, N_IPI, N_SPIN, N_IPI);
	pv_plan(17);
	pv_check(ok && *(__u32 *)(g.mem + IRQ_COUNT) == N_IPI,
		 "the guest ran to its HLT: %u VMM exits, %u interrupts taken",
		 vmm_exits, *(__u32 *)(g.mem + IRQ_COUNT));
	check_vp_counts(g.id, vmm_exits);

	/* The VP does not run now: the fd and debugfs agree exactly. */
	snprintf(path, sizeof(path), PV_DEBUGFS "/partition/%u/vp/0", g.id);
	ok = !stats_open(g.vp, PARTVISOR_STATS_OWN, 0, &st);
	snprintf(want, sizeof(want), "partition-%u/vp-0", g.id);
	i = ok ? stats_index(&st, "run_time_total_cycles") : -1;
	pv_check(ok && !strcmp(st.id, want) && i >= 0 &&
		 (st.flags[i] & PARTVISOR_STATS_UNIT_MASK) ==
		 PARTVISOR_STATS_UNIT_CYCLES &&
		 stats_value(&st, "intercepts_cpuid") == N_CPUID,
		 "VP fd: id %s, %u counters, run time in cycles",
		 ok ? st.id : strerror(errno), st.nr);
	same_as_debugfs(&st, path, 1, "VP fd");
	stats_free(&st);

	snprintf(path, sizeof(path), PV_DEBUGFS "/partition/%u/partition",
		 g.id);
	ok = !stats_open(g.part, PARTVISOR_STATS_OWN, 0, &st);
	pv_check(ok && stats_value(&st, "vps") == 1 &&
		 stats_value(&st, "mapped_pages") == MEM_SIZE / 4096 &&
		 stats_value(&st, "id") == g.id,
		 "partition fd: 1 VP, %lld pages mapped",
		 stats_value(&st, "mapped_pages"));
	same_as_debugfs(&st, path, 1, "partition fd");
	stats_free(&st);

	/* The root partition, and its VP and the LP on CPU 0 (names only). */
	ok = !stats_open(dev, PARTVISOR_STATS_OWN, 0, &st);
	pv_check(ok && !strcmp(st.id, "partition-0") &&
		 stats_value(&st, "vps") > 0,
		 "root partition fd: %lld VPs", stats_value(&st, "vps"));
	same_as_debugfs(&st, PV_DEBUGFS "/partition/0/partition", 1,
			"root partition fd");
	stats_free(&st);

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	ok = !stats_open(dev, 0, 0, &st);
	for (i = 0; i < 100; i++)
		__cpuid(0x40000000, a, b, c, d);
	ok = !stats_open(dev, 0, 0, &st2) && ok;
	before = stats_value(&st, "intercepts_cpuid");
	pv_check(ok && !strcmp(st2.id, "partition-0/vp-0") && before >= 0 &&
		 stats_value(&st2, "intercepts_cpuid") - before >= 100,
		 "root VP 0 fd: %lld CPUIDs counted for our 100",
		 stats_value(&st2, "intercepts_cpuid") - before);
	same_as_debugfs(&st2, PV_DEBUGFS "/partition/0/vp/0", 0, "root VP fd");
	stats_free(&st);
	stats_free(&st2);

	ok = !stats_open(dev, 0, PARTVISOR_STATS_LP, &st);
	pv_check(ok && !strcmp(st.id, "lp-0") && stats_value(&st, "cpu") == 0,
		 "LP fd: id %s", ok ? st.id : strerror(errno));
	same_as_debugfs(&st, PV_DEBUGFS "/lp/0", 0, "LP fd");
	/* Every CPUID of the root is an exit and an entry of its LP. */
	for (i = 0; i < 100; i++)
		__cpuid(0x40000000, a, b, c, d);
	ok = !stats_open(dev, 0, PARTVISOR_STATS_LP, &st2) && ok;
	before = stats_value(&st, "world_switches");
	pv_check(ok && before > 0 &&
		 stats_value(&st2, "world_switches") - before >= 100,
		 "LP 0: %lld world switches for our 100 CPUIDs",
		 stats_value(&st2, "world_switches") - before);
	stats_free(&st);
	stats_free(&st2);

	check_fd_io(&g);
	check_bad_requests(dev, &g);
	pv_guest_free(&g);
	close(dev);
	return pv_finish();
}
