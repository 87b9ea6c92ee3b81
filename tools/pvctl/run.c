// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl run: a small VMM. Loads a flat binary into a new child
 * partition, starts VP 0 in real, protected or long mode at the entry
 * point, connects a 16550-style serial port at 0x3f8 to the terminal and
 * runs the VP until it halts or fails, then says why it stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pvctl.h"
#include "vp_modes.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THR_EMPTY	0x60	/* holding and shift registers empty */

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
};

struct vm {
	int part, vp;
	unsigned char *mem;
	unsigned long long mem_size;
};

void run_help(FILE *out)
{
	fprintf(out,
		"usage: %s run [OPTIONS] IMAGE\n\n"
		"Run IMAGE, a flat binary, in a new child partition and show what\n"
		"it writes to its serial port (0x3f8) until it halts.\n\n"
		"  --mode MODE   real (default), protected or long\n"
		"  --load GPA    where IMAGE goes (default 0x1000)\n"
		"  --entry GPA   where VP 0 starts (default: the load address)\n"
		"  --mem MIB     guest memory at GPA 0, in MiB (default 1)\n\n"
		"Protected and long mode get flat segments; long mode identity-maps\n"
		"the first GiB. Exit status: 0 halted, 3 triple fault, 4 access\n"
		"outside memory, 5 state refused, 6 unsupported exit, 130\n"
		"interrupted, 1 other errors.\n",
		progname);
}

static int parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

static unsigned char *load_image(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: cannot read %s: %s\n", progname, path,
			strerror(errno));
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

/*
 * A GDT (null, code, data, TSS), a TSS and, for long mode, page tables
 * identity-mapping 1 GiB with 2 MiB pages, in the top 16 KiB of memory.
 */
static void build_tables(struct vm *vm, int mode,
			 struct partvisor_vp_state *st, unsigned long long rip)
{
	unsigned long long base = vm->mem_size - 0x4000;
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
	if (mode == 'p') {
		pv_state_protected(st, rip, base, gdt, 5 * 8 - 1, tss);
		return;
	}
	t = (unsigned long long *)(vm->mem + pml4);
	t[0] = pdpt | 3;
	t = (unsigned long long *)(vm->mem + pdpt);
	t[0] = pd | 3;
	t = (unsigned long long *)(vm->mem + pd);
	for (i = 0; i < 512; i++)
		t[i] = (i << 21) | 0x83;	/* present, writable, 2 MiB */
	pv_state_long(st, rip, base, pml4, gdt, 5 * 8 - 1, tss);
}

static int vm_create(struct vm *vm, int mode, unsigned long long load,
		     unsigned long long entry, const unsigned char *image,
		     size_t len)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_memory_region mr = { 0 };
	struct partvisor_create_vp cv = { 0 };
	struct partvisor_vp_state st;
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
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		fprintf(stderr, "%s: no memory for the guest\n", progname);
		return -1;
	}
	memcpy(vm->mem + load, image, len);
	mr.size = vm->mem_size;
	mr.uaddr = (unsigned long)vm->mem;
	mr.flags = PARTVISOR_MEM_ALL;
	if (ioctl(vm->part, PARTVISOR_MAP_MEMORY, &mr)) {
		fprintf(stderr, "%s: cannot map guest memory: %s\n", progname,
			strerror(errno));
		return -1;
	}
	vm->vp = ioctl(vm->part, PARTVISOR_CREATE_VP, &cv);
	if (vm->vp < 0 || ioctl(vm->vp, PARTVISOR_GET_VP_STATE, &st)) {
		fprintf(stderr, "%s: cannot create VP 0: %s\n", progname,
			strerror(errno));
		return -1;
	}
	if (mode == 'r')
		pv_state_real(&st, entry >> 4 & 0xf000, entry & 0xffff, 0x8000);
	else
		build_tables(vm, mode, &st, entry);
	if (ioctl(vm->vp, PARTVISOR_SET_VP_STATE, &st)) {
		fprintf(stderr, "%s: VP 0 refused the start state: %s\n",
			progname, strerror(errno));
		return -1;
	}
	return 0;
}

/* The serial port: THR to the terminal, LSR always ready, rest zero. */
static void serial_io(struct partvisor_run *r)
{
	char c;

	if (!(r->io.flags & PARTVISOR_IO_IN)) {
		if (r->io.port == COM1) {
			c = r->io.data;
			if (write(STDOUT_FILENO, &c, 1) != 1)
				return;
		}
		return;
	}
	r->io.data = r->io.port == COM1_LSR ? LSR_THR_EMPTY : 0;
	if (r->io.port < COM1 || r->io.port > COM1 + 7)
		r->io.data = ~0ULL;	/* nothing there: the bus floats */
}

static void on_sigint(int sig)
{
	(void)sig;
}

static int vm_run(struct vm *vm)
{
	struct partvisor_run r = { 0 };
	struct sigaction sa = { .sa_handler = on_sigint };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		if (ioctl(vm->vp, PARTVISOR_RUN_VP, &r)) {
			if (errno == EINTR) {
				fprintf(stderr, "\n%s: interrupted\n", progname);
				return RUN_INTERRUPTED;
			}
			fprintf(stderr, "%s: RUN failed: %s\n", progname,
				strerror(errno));
			return RUN_ERROR;
		}
		r.flags = 0;
		switch (r.reason) {
		case PARTVISOR_EXIT_IO:
			serial_io(&r);
			continue;
		case PARTVISOR_EXIT_MSR:
			/* No MSRs are emulated: the guest gets #GP. */
			r.flags = PARTVISOR_RUN_INJECT_GP;
			continue;
		case PARTVISOR_EXIT_HALT:
			fprintf(stderr, "%s: VP 0 halted at rip %#llx\n",
				progname, (unsigned long long)r.rip);
			return RUN_HALTED;
		case PARTVISOR_EXIT_SHUTDOWN:
			fprintf(stderr, "%s: VP 0 triple-faulted at rip %#llx: crashed\n",
				progname, (unsigned long long)r.rip);
			return RUN_CRASHED;
		case PARTVISOR_EXIT_MMIO:
			fprintf(stderr, "%s: VP 0 %s unmapped address %#llx at rip %#llx\n",
				progname,
				r.mmio.flags & PARTVISOR_MMIO_FETCH ? "executed" :
				r.mmio.flags & PARTVISOR_MMIO_WRITE ? "wrote" :
				"read", (unsigned long long)r.mmio.gpa,
				(unsigned long long)r.rip);
			return RUN_MMIO;
		case PARTVISOR_EXIT_INVALID_STATE:
			fprintf(stderr, "%s: the CPU refused VP 0's state\n",
				progname);
			return RUN_REFUSED;
		default:
			fprintf(stderr, "%s: VP 0: unhandled exit %u (code %#llx) at rip %#llx\n",
				progname, r.reason,
				(unsigned long long)r.vendor_code,
				(unsigned long long)r.rip);
			return RUN_UNSUPPORTED;
		}
	}
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "load", required_argument, NULL, 'l' },
		{ "entry", required_argument, NULL, 'e' },
		{ "mem", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long load = 0x1000, entry = ~0ULL, mib = 1;
	struct vm vm = { .part = -1, .vp = -1 };
	unsigned char *image;
	int mode = 'r', c;
	size_t len;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "real") && strcmp(optarg, "protected") &&
			    strcmp(optarg, "long"))
				goto usage;
			mode = optarg[0];
			break;
		case 'l':
			if (parse_u64(optarg, &load))
				goto usage;
			break;
		case 'e':
			if (parse_u64(optarg, &entry))
				goto usage;
			break;
		case 's':
			if (parse_u64(optarg, &mib) || !mib || mib > 4096)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	if (entry == ~0ULL)
		entry = load;
	vm.mem_size = mib << 20;
	image = load_image(argv[optind], &len);
	if (!image)
		return RUN_ERROR;
	if (load + len > vm.mem_size - (mode == 'r' ? 0 : 0x4000) ||
	    entry >= vm.mem_size || (mode == 'r' && entry >= 0x100000)) {
		fprintf(stderr, "%s: image or entry outside the guest's %llu MiB\n",
			progname, mib);
		free(image);
		return RUN_ERROR;
	}
	if (vm_create(&vm, mode, load, entry, image, len)) {
		free(image);
		return RUN_ERROR;
	}
	free(image);
	return vm_run(&vm);
usage:
	run_help(stderr);
	return RUN_USAGE;
}
