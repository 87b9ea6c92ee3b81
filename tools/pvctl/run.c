// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl run: a small VMM. Loads an ELF image (or a flat binary) into a
 * new child partition, starts its VPs in real, protected or long mode at
 * the entry point, one thread per VP, connects a 16550 UART at 0x3f8 to
 * the terminal and runs until every VP has stopped, then says why.
 */
#define _GNU_SOURCE		/* pthread_timedjoin_np */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/elf.h>

#include "pvctl.h"
#include "sched.h"
#include "uart.h"
#include "vp_modes.h"

#define TABLES_SIZE	0x4000	/* GDT, TSS and page tables: top of memory */

/* Exit statuses: why the partition stopped. */
enum {
	RUN_HALTED = 0,
	RUN_ERROR = 1,
	RUN_USAGE = 2,
	RUN_CRASHED = 3,	/* triple fault */
	RUN_MMIO = 4,		/* access outside its memory */
	RUN_REFUSED = 5,	/* the hardware refused the state */
	RUN_UNSUPPORTED = 6,
	RUN_INTERRUPTED = 130,
	RUN_STOPPED = -1,	/* a VP stopped because another one failed */
};

struct vcpu {
	struct vm *vm;
	unsigned int index;
	int fd;
	pthread_t thread;
	bool started;
	int status;
	char why[192];		/* the line that says how it stopped */
};

struct vm {
	int part;
	unsigned int id;
	unsigned char *mem;
	unsigned long long mem_size;
	unsigned int nr_vps;
	struct vcpu *vcpus;
	pthread_t main;
	atomic_bool stopping;	/* a VP failed or the user interrupted */
	pthread_mutex_t lock;	/* the UART, output lines, what follows */
	struct uart uart;
	unsigned int nr_stopped;
	struct vcpu *first_failure;
};

void run_help(FILE *out)
{
	fprintf(out,
		"usage: %s run [OPTIONS] IMAGE\n\n"
		"Run IMAGE in a new child partition and show what it writes to its\n"
		"serial port (a 16550 at 0x3f8) until every VP has stopped.\n"
		"IMAGE is an ELF file (32- or 64-bit; PT_LOAD segments go to their\n"
		"physical addresses, the entry is e_entry) or else a flat binary.\n\n"
		"  --mode MODE   real (default), protected or long\n"
		"  --vps N       VPs, 1-64 (default 1), one thread each; all start\n"
		"                at the entry with RDI = VP index, RSI = N\n"
		"  --load GPA    where a flat IMAGE goes (default 0x1000)\n"
		"  --entry GPA   where the VPs start (default: e_entry or --load)\n"
		"  --mem MIB     guest memory at GPA 0, in MiB (default 4)\n"
		"  --stats       print the partition's counters before exiting\n\n"
		"The scheduler's policy for every VP, set before any of them runs\n"
		"(see '%s sched --help'):\n",
		progname, progname);
	sched_help_options(out);
	fputs("  --vp-affinity N:LIST  VP N only on these LPs (or all); repeatable\n\n"
		"Protected and long mode get flat segments (code 0x08, data 0x10);\n"
		"long mode identity-maps the first GiB. Only VP 0 gets a stack.\n"
		"Debug output goes to standard error as 'pvctl: VP n: debug: ...'.\n"
		"Exit status: 0 every VP halted, 3 triple fault, 4 access outside\n"
		"memory, 5 state refused, 6 unsupported exit, 130 interrupted,\n"
		"1 other errors, 2 usage errors.\n", out);
}

static int usage(const char *fmt, const char *arg)
{
	return usage_error("run", fmt, arg);
}

static int parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: cannot read %s: %s\n", progname, path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "%s: cannot read %s\n", progname, path);
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Room for an image: below the tables, and below 1 MiB in real mode. */
static bool fits(unsigned long long gpa, unsigned long long len,
		 unsigned long long limit)
{
	return gpa <= limit && len <= limit - gpa;
}

/* One PT_LOAD segment, after checking it against the file and memory. */
static int load_segment(struct vm *vm, const unsigned char *img, size_t len,
			unsigned long long paddr, unsigned long long offset,
			unsigned long long filesz, unsigned long long memsz,
			unsigned long long limit, const char *path)
{
	if (filesz > memsz || offset > len || filesz > len - offset) {
		fprintf(stderr, "%s: %s: a PT_LOAD segment lies outside the file\n",
			progname, path);
		return -1;
	}
	if (!fits(paddr, memsz, limit)) {
		fprintf(stderr, "%s: %s: segment at %#llx-%#llx does not fit the guest's memory\n",
			progname, path, paddr, paddr + memsz);
		return -1;
	}
	memcpy(vm->mem + paddr, img + offset, filesz);
	memset(vm->mem + paddr + filesz, 0, memsz - filesz);
	return 0;
}

static bool elf_ident_ok(const unsigned char *ident, int class)
{
	return ident[EI_CLASS] == class && ident[EI_DATA] == ELFDATA2LSB;
}

/* An ELF image: its PT_LOAD segments at p_paddr; 0 and *entry, or -1. */
static int load_elf(struct vm *vm, const unsigned char *img, size_t len,
		    unsigned long long limit, unsigned long long *entry,
		    const char *path)
{
	const struct elf64_hdr *e64 = (const void *)img;
	const struct elf32_hdr *e32 = (const void *)img;
	unsigned long long phoff, phentsize, phnum, i;
	bool is64 = len >= sizeof(*e64) && elf_ident_ok(img, ELFCLASS64) &&
		    e64->e_machine == EM_X86_64 && e64->e_type == ET_EXEC;
	bool is32 = len >= sizeof(*e32) && elf_ident_ok(img, ELFCLASS32) &&
		    e32->e_machine == EM_386 && e32->e_type == ET_EXEC;

	if (!is64 && !is32) {
		fprintf(stderr, "%s: %s: not a little-endian x86 ELF executable\n",
			progname, path);
		return -1;
	}
	phoff = is64 ? e64->e_phoff : e32->e_phoff;
	phentsize = is64 ? e64->e_phentsize : e32->e_phentsize;
	phnum = is64 ? e64->e_phnum : e32->e_phnum;
	*entry = is64 ? e64->e_entry : e32->e_entry;
	if (phentsize != (is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr)) ||
	    phoff > len || phnum * phentsize > len - phoff) {
		fprintf(stderr, "%s: %s: bad program header table\n", progname,
			path);
		return -1;
	}
	for (i = 0; i < phnum; i++) {
		const unsigned char *ph = img + phoff + i * phentsize;
		int ret;

		if (is64) {
			const struct elf64_phdr *p = (const void *)ph;

			if (p->p_type != PT_LOAD)
				continue;
			ret = load_segment(vm, img, len, p->p_paddr, p->p_offset,
					   p->p_filesz, p->p_memsz, limit, path);
		} else {
			const struct elf32_phdr *p = (const void *)ph;

			if (p->p_type != PT_LOAD)
				continue;
			ret = load_segment(vm, img, len, p->p_paddr, p->p_offset,
					   p->p_filesz, p->p_memsz, limit, path);
		}
		if (ret)
			return -1;
	}
	return 0;
}

/*
 * A GDT (null, code, data, TSS), a TSS and, for long mode, page tables
 * identity-mapping 1 GiB with 2 MiB pages, in the top 16 KiB of memory.
 * Every VP shares them: nothing switches tasks.
 */
static void build_tables(struct vm *vm, int mode)
{
	unsigned long long base = vm->mem_size - TABLES_SIZE;
	unsigned long long gdt = base, tss = base + 0x100;
	unsigned long long pml4 = base + 0x1000, pdpt = base + 0x2000;
	unsigned long long pd = base + 0x3000, *t, i;
	unsigned long long tss_desc = 0x67 | (tss & 0xffffff) << 16 |
				      0x8bULL << 40 | (tss >> 24 & 0xff) << 56;

	t = (unsigned long long *)(vm->mem + gdt);
	t[0] = 0;
	t[1] = mode == 'l' ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL;
	t[2] = 0x00cf93000000ffffULL;
	t[3] = tss_desc;
	t[4] = tss >> 32;
	if (mode != 'l')
		return;
	t = (unsigned long long *)(vm->mem + pml4);
	t[0] = pdpt | 3;
	t = (unsigned long long *)(vm->mem + pdpt);
	t[0] = pd | 3;
	t = (unsigned long long *)(vm->mem + pd);
	for (i = 0; i < 512; i++)
		t[i] = (i << 21) | 0x83;	/* present, writable, 2 MiB */
}

/* The boot protocol: every VP at the entry, RDI its index, RSI the count. */
static int vp_start_state(struct vm *vm, struct vcpu *c, int mode,
			  unsigned long long entry)
{
	unsigned long long base = vm->mem_size - TABLES_SIZE;
	struct partvisor_vp_state st;

	if (ioctl(c->fd, PARTVISOR_GET_VP_STATE, &st))
		return -1;
	if (mode == 'r')
		pv_state_real(&st, entry >> 4 & 0xf000, entry & 0xffff,
			      c->index ? 0 : 0x8000);
	else if (mode == 'p')
		pv_state_protected(&st, entry, c->index ? 0 : base, base,
				   5 * 8 - 1, base + 0x100);
	else
		pv_state_long(&st, entry, c->index ? 0 : base, base + 0x1000,
			      base, 5 * 8 - 1, base + 0x100);
	st.rdi = c->index;
	st.rsi = vm->nr_vps;
	return ioctl(c->fd, PARTVISOR_SET_VP_STATE, &st);
}

/*
 * The CPUID leaves a guest needs to know its CPU: vendor and family from
 * the host, with what a child partition does not have (VMX, SVM, SMX,
 * MONITOR, x2APIC, the TSC deadline timer, OSXSAVE before it sets
 * CR4.OSXSAVE itself) hidden and the hypervisor bit set.
 */
static int vm_set_cpuid(struct vm *vm)
{
	struct partvisor_cpuid_entry e[4] = {
		{ .function = 0 }, { .function = 1 },
		{ .function = 0x80000000 }, { .function = 0x80000001 },
	};
	struct partvisor_cpuid args = { .nr_entries = 4, .entries = (uintptr_t)e };
	unsigned int i;

	for (i = 0; i < 4; i++)
		__cpuid(e[i].function, e[i].eax, e[i].ebx, e[i].ecx, e[i].edx);
	e[0].eax = 1;
	e[1].ebx &= 0xffff;			/* no APIC id, one LP */
	e[1].ecx &= ~(1U << 3 | 1U << 5 | 1U << 6 | 1U << 21 | 1U << 24 |
		      1U << 27);
	e[1].ecx |= 1U << 31;
	if (e[2].eax > 0x80000001)
		e[2].eax = 0x80000001;
	e[3].ecx &= ~(1U << 2);			/* SVM */
	return ioctl(vm->part, PARTVISOR_SET_CPUID, &args);
}

static int vm_create(struct vm *vm,
		     const struct partvisor_sched_params *sched)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_memory_region mr = { 0 };
	int dev = open_device();

	if (dev < 0)
		return -1;
	vm->part = ioctl(dev, PARTVISOR_CREATE_PARTITION, &cp);
	close(dev);
	if (vm->part < 0) {
		fprintf(stderr, "%s: cannot create a partition: %s\n", progname,
			errno == ENODEV ? "the hypervisor is not launched" :
			strerror(errno));
		return -1;
	}
	vm->id = cp.id;
	if (sched_set(vm->part, vm->id, sched))
		return -1;
	if (vm_set_cpuid(vm)) {
		fprintf(stderr, "%s: cannot set the partition's CPUID: %s\n",
			progname, strerror(errno));
		return -1;
	}
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		fprintf(stderr, "%s: no memory for the guest\n", progname);
		return -1;
	}
	mr.size = vm->mem_size;
	mr.uaddr = (unsigned long)vm->mem;
	mr.flags = PARTVISOR_MEM_ALL;
	if (ioctl(vm->part, PARTVISOR_MAP_MEMORY, &mr)) {
		fprintf(stderr, "%s: cannot map guest memory: %s\n", progname,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int vm_create_vps(struct vm *vm, int mode, unsigned long long entry,
			 const struct partvisor_sched_params *sched)
{
	char who[48];
	unsigned int i;

	for (i = 0; i < vm->nr_vps; i++) {
		struct partvisor_create_vp cv = { .vp_index = i };
		struct vcpu *c = &vm->vcpus[i];

		c->vm = vm;
		c->index = i;
		c->fd = ioctl(vm->part, PARTVISOR_CREATE_VP, &cv);
		if (c->fd < 0 && errno == ENOSPC &&
		    (sched->set & PARTVISOR_SCHED_SET_RESERVE)) {
			/* A new VP takes the partition's reserve. */
			snprintf(who, sizeof(who), "cannot create VP %u", i);
			sched_report_enospc(who, sched->reserve);
			return -1;
		}
		if (c->fd < 0) {
			fprintf(stderr, "%s: cannot create VP %u: %s\n",
				progname, i, strerror(errno));
			return -1;
		}
		if (vp_start_state(vm, c, mode, entry)) {
			fprintf(stderr, "%s: VP %u refused the start state: %s\n",
				progname, i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void print_debug_output(struct vcpu *c, const struct partvisor_run *r)
{
	unsigned int i, n = r->msg.size;
	char text[4 * PARTVISOR_MESSAGE_PAYLOAD + 1], *p = text;

	if (n > PARTVISOR_MESSAGE_PAYLOAD)
		n = PARTVISOR_MESSAGE_PAYLOAD;
	while (n && (r->msg.payload[n - 1] == '\n' || r->msg.payload[n - 1] == '\r'))
		n--;
	for (i = 0; i < n; i++) {
		unsigned char b = r->msg.payload[i];

		if (b >= 0x20 && b < 0x7f)
			*p++ = b;
		else
			p += sprintf(p, "\\x%02x", b);
	}
	*p = '\0';
	fprintf(stderr, "%s: VP %u: debug: %s\n", progname, c->index, text);
}

static void print_message(struct vcpu *c, const struct partvisor_run *r)
{
	unsigned int i, n = r->msg.size < 16 ? r->msg.size : 16;
	char hex[3 * 16 + 4] = "", *p = hex;

	for (i = 0; i < n; i++)
		p += sprintf(p, " %02x", r->msg.payload[i]);
	if (r->msg.size > n)
		strcpy(p, " ...");
	fprintf(stderr, "%s: VP %u: message: connection %u type %u size %u:%s\n",
		progname, c->index, r->msg.connection_id, r->msg.type,
		r->msg.size, hex);
}

/*
 * One exit the VMM must answer: 1 to run again, 0 when the VP stopped
 * (c->status and c->why say how).
 */
static int vp_exit(struct vcpu *c, struct partvisor_run *r)
{
	struct vm *vm = c->vm;
	unsigned long long rip = r->rip;

	r->flags = 0;
	switch (r->reason) {
	case PARTVISOR_EXIT_IO:
		pthread_mutex_lock(&vm->lock);
		uart_io(&vm->uart, r->io.port, r->io.flags & PARTVISOR_IO_IN,
			r->io.size, &r->io.data);
		pthread_mutex_unlock(&vm->lock);
		return 1;
	case PARTVISOR_EXIT_MSR:
		/* No MSRs are emulated here: the guest gets #GP. */
		r->flags = PARTVISOR_RUN_INJECT_GP;
		return 1;
	case PARTVISOR_EXIT_DEBUG_OUTPUT:
		pthread_mutex_lock(&vm->lock);
		print_debug_output(c, r);
		pthread_mutex_unlock(&vm->lock);
		return 1;
	case PARTVISOR_EXIT_MESSAGE:
		pthread_mutex_lock(&vm->lock);
		print_message(c, r);
		pthread_mutex_unlock(&vm->lock);
		return 1;
	case PARTVISOR_EXIT_HALT:
		c->status = RUN_HALTED;
		snprintf(c->why, sizeof(c->why), "VP %u halted at rip %#llx",
			 c->index, rip);
		return 0;
	case PARTVISOR_EXIT_SHUTDOWN:
		c->status = RUN_CRASHED;
		snprintf(c->why, sizeof(c->why),
			 "VP %u triple-faulted at rip %#llx: crashed",
			 c->index, rip);
		return 0;
	case PARTVISOR_EXIT_MMIO:
		c->status = RUN_MMIO;
		snprintf(c->why, sizeof(c->why),
			 "VP %u %s unmapped address %#llx at rip %#llx",
			 c->index,
			 r->mmio.flags & PARTVISOR_MMIO_FETCH ? "executed" :
			 r->mmio.flags & PARTVISOR_MMIO_WRITE ? "wrote" : "read",
			 (unsigned long long)r->mmio.gpa, rip);
		return 0;
	case PARTVISOR_EXIT_INVALID_STATE:
		c->status = RUN_REFUSED;
		snprintf(c->why, sizeof(c->why),
			 "the CPU refused VP %u's state", c->index);
		return 0;
	default:
		c->status = RUN_UNSUPPORTED;
		snprintf(c->why, sizeof(c->why),
			 "VP %u: unhandled exit %u (code %#llx) at rip %#llx",
			 c->index, r->reason,
			 (unsigned long long)r->vendor_code, rip);
		return 0;
	}
}

static void *vp_thread(void *arg)
{
	struct vcpu *c = arg;
	struct vm *vm = c->vm;
	struct partvisor_run r = { 0 };
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	for (;;) {
		if (atomic_load(&vm->stopping)) {
			c->status = RUN_STOPPED;
			break;
		}
		if (ioctl(c->fd, PARTVISOR_RUN_VP, &r)) {
			/* EINTR: kicked; ESHUTDOWN: another VP crashed it. */
			if (errno == EINTR || errno == ESHUTDOWN) {
				if (errno == ESHUTDOWN)
					atomic_store(&vm->stopping, true);
				continue;
			}
			c->status = RUN_ERROR;
			snprintf(c->why, sizeof(c->why), "VP %u: RUN failed: %s",
				 c->index, strerror(errno));
			break;
		}
		if (!vp_exit(c, &r))
			break;
	}
	pthread_mutex_lock(&vm->lock);
	vm->nr_stopped++;
	if (c->status != RUN_HALTED && c->status != RUN_STOPPED) {
		atomic_store(&vm->stopping, true);
		if (!vm->first_failure)
			vm->first_failure = c;
	}
	pthread_mutex_unlock(&vm->lock);
	pthread_kill(vm->main, SIGUSR2);	/* pending until main waits */
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig;	/* only to make RUN return EINTR */
}

/* Stop a VP thread: kick it out of RUN until it has seen @stopping. */
static void vp_reap(struct vcpu *c)
{
	struct timespec ts;

	if (!c->started)
		return;
	for (;;) {
		pthread_kill(c->thread, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!pthread_timedjoin_np(c->thread, NULL, &ts))
			break;
	}
	c->started = false;
}

static int vm_run(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_kick };
	bool interrupted = false;
	sigset_t set;
	unsigned int i;
	int sig, status;

	/* Only the VP threads take SIGUSR1; only this one the others. */
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGUSR1);
	vm->main = pthread_self();
	for (i = 0; i < vm->nr_vps; i++) {
		struct vcpu *c = &vm->vcpus[i];

		if (pthread_create(&c->thread, NULL, vp_thread, c)) {
			fprintf(stderr, "%s: cannot start VP %u's thread\n",
				progname, i);
			atomic_store(&vm->stopping, true);
			break;
		}
		c->started = true;
	}
	while (!atomic_load(&vm->stopping)) {
		pthread_mutex_lock(&vm->lock);
		status = vm->nr_stopped == vm->nr_vps;
		pthread_mutex_unlock(&vm->lock);
		if (status)
			break;
		if (sigwait(&set, &sig))
			continue;
		if (sig == SIGINT || sig == SIGTERM) {
			interrupted = true;
			atomic_store(&vm->stopping, true);
		}
	}
	for (i = 0; i < vm->nr_vps; i++)
		vp_reap(&vm->vcpus[i]);
	uart_flush(&vm->uart);

	if (interrupted) {
		fprintf(stderr, "\n%s: interrupted\n", progname);
		return RUN_INTERRUPTED;
	}
	if (vm->first_failure) {
		fprintf(stderr, "%s: %s\n", progname, vm->first_failure->why);
		return vm->first_failure->status;
	}
	for (i = 0; i < vm->nr_vps; i++)
		if (vm->vcpus[i].status != RUN_HALTED)
			return RUN_ERROR;	/* a thread did not start */
	{
		if (vm->nr_vps == 1)
			fprintf(stderr, "%s: %s\n", progname, vm->vcpus[0].why);
		else
			fprintf(stderr, "%s: all %u VPs halted\n", progname,
				vm->nr_vps);
		return RUN_HALTED;
	}
	return RUN_ERROR;
}

static void vm_destroy(struct vm *vm)
{
	unsigned int i;

	for (i = 0; vm->vcpus && i < vm->nr_vps; i++)
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	free(vm->vcpus);
	if (vm->part >= 0)
		close(vm->part);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->mem_size);
}

struct run_opts {
	int mode;
	unsigned long long load, entry, mib, vps;
	bool load_set, entry_set, stats;
	const char *image;
	struct sched_policy sched;
};

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option own[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "mem", required_argument, NULL, 's' },
		{ "vps", required_argument, NULL, 'n' },
		{ "stats", no_argument, NULL, 'S' },
		{ "vp-affinity", required_argument, NULL, SCHED_OPT_VP_AFFINITY },
	};
	struct option opts[ARRAY_SIZE(own) + SCHED_NR_OPTIONS + 1];
	int c;

	sched_options(opts, own, ARRAY_SIZE(own));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "real") && strcmp(optarg, "protected") &&
			    strcmp(optarg, "long"))
				return usage("--mode must be real, protected or long, not '%s'",
					     optarg);
			o->mode = optarg[0];
			break;
		case 'l':
			if (parse_u64(optarg, &o->load))
				return usage("--load wants an address, not '%s'", optarg);
			o->load_set = true;
			break;
		case 'e':
			if (parse_u64(optarg, &o->entry))
				return usage("--entry wants an address, not '%s'", optarg);
			o->entry_set = true;
			break;
		case 's':
			if (parse_u64(optarg, &o->mib) || !o->mib || o->mib > 4096)
				return usage("--mem wants 1-4096 (MiB), not '%s'", optarg);
			break;
		case 'n':
			if (parse_u64(optarg, &o->vps) || !o->vps ||
			    o->vps > PARTVISOR_MAX_VPS)
				return usage("--vps wants 1-64, not '%s'", optarg);
			break;
		case 'S':
			o->stats = true;
			break;
		case SCHED_OPT_FIRST ... SCHED_OPT_LAST:
			if (sched_parse_option("run", c, optarg, &o->sched))
				return RUN_USAGE;
			break;
		case ':':
			return usage("%s needs a value", argv[optind - 1]);
		default:
			return usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage("%s", "no IMAGE given");
	if (optind != argc - 1)
		return usage("one IMAGE only; '%s' is one too many",
			     argv[optind + 1]);
	o->image = argv[optind];
	return sched_check("run", &o->sched, o->vps);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .mode = 'r', .load = 0x1000, .mib = 4, .vps = 1 };
	struct vm vm = { .part = -1, .lock = PTHREAD_MUTEX_INITIALIZER };
	unsigned long long limit, entry;
	unsigned char *image;
	unsigned int i;
	size_t len;
	bool elf;
	int ret;

	sched_policy_init(&o.sched);
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	image = read_file(o.image, &len);
	if (!image)
		return RUN_ERROR;
	elf = len >= SELFMAG && !memcmp(image, ELFMAG, SELFMAG);
	if (elf && o.load_set) {
		free(image);
		return usage("--load is for flat binaries; %s is an ELF file",
			     o.image);
	}
	vm.mem_size = o.mib << 20;
	vm.nr_vps = o.vps;
	uart_init(&vm.uart, STDOUT_FILENO);
	limit = vm.mem_size - (o.mode == 'r' ? 0 : TABLES_SIZE);
	if (o.mode == 'r' && limit > 0x100000)
		limit = 0x100000;
	if (!elf && !fits(o.load, len, limit)) {
		fprintf(stderr, "%s: image at %#llx-%#llx beyond usable memory (%#llx)\n",
			progname, o.load, o.load + len, limit);
		free(image);
		return RUN_ERROR;
	}
	vm.vcpus = calloc(vm.nr_vps, sizeof(*vm.vcpus));
	for (i = 0; vm.vcpus && i < vm.nr_vps; i++)
		vm.vcpus[i].fd = -1;
	if (!vm.vcpus || vm_create(&vm, &o.sched.params)) {
		free(image);
		vm_destroy(&vm);
		return RUN_ERROR;
	}
	entry = o.load;
	if (elf)
		ret = load_elf(&vm, image, len, limit, &entry, o.image);
	else
		memcpy(vm.mem + o.load, image, len);
	free(image);
	if (o.entry_set)
		entry = o.entry;
	if (!ret && entry >= limit) {
		fprintf(stderr, "%s: entry %#llx beyond usable memory (%#llx)\n",
			progname, entry, limit);
		ret = -1;
	}
	if (!ret && o.mode != 'r')
		build_tables(&vm, o.mode);
	if (!ret)
		ret = vm_create_vps(&vm, o.mode, entry, &o.sched.params);
	if (!ret)
		ret = sched_set_vps(vm.part, vm.id, &o.sched);
	if (ret) {
		vm_destroy(&vm);
		return RUN_ERROR;
	}
	ret = vm_run(&vm);
	if (o.stats) {
		fflush(stdout);
		print_partition_stats(vm.id);
	}
	vm_destroy(&vm);
	return ret;
}
