// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl: the partvisor command-line tool.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pvctl.h"
#include "sched.h"

const char *progname = "pvctl";

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);
};

int open_device(void)
{
	int fd = open(PARTVISOR_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		fprintf(stderr, "%s: %s not found: is the partvisor module loaded?\n",
			progname, PARTVISOR_DEVICE);
	else if (errno == EACCES || errno == EPERM)
		fprintf(stderr, "%s: %s: permission denied (partvisor needs root)\n",
			progname, PARTVISOR_DEVICE);
	else
		fprintf(stderr, "%s: cannot open %s: %s\n", progname,
			PARTVISOR_DEVICE, strerror(errno));
	return -1;
}

static const char *vendor_name(unsigned long long vendor)
{
	static const char * const names[] = PARTVISOR_VENDOR_NAMES;

	return vendor < ARRAY_SIZE(names) ? names[vendor] : "unknown";
}

static const char *sched_mode_name(unsigned int mode)
{
	switch (mode) {
	case PARTVISOR_SCHED_ROOT:
		return "root";
	case PARTVISOR_SCHED_CLASSIC:
		return "classic";
	default:
		return "unknown";
	}
}

static const char *ext_state_name(unsigned int state)
{
	if (state & PARTVISOR_EXT_FW_DISABLED)
		return "disabled-by-firmware";
	if (state & PARTVISOR_EXT_IN_USE)
		return "in-use-by-another-hypervisor";
	return "available";
}

static void print_features(const char *label, unsigned long long bits)
{
	static const char * const names[] = PARTVISOR_FEAT_NAMES;
	size_t i;

	printf("%s:", label);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (bits & (1ULL << i))
			printf(" %s", names[i]);
	printf("\n");
}

/* Features this vendor's extension could offer, present or not. */
static unsigned long long vendor_features(unsigned int vendor)
{
	switch (vendor) {
	case PARTVISOR_VENDOR_VMX:
		return PARTVISOR_FEAT_VENDOR_ANY | PARTVISOR_FEAT_VMX_ONLY;
	case PARTVISOR_VENDOR_SVM:
		return PARTVISOR_FEAT_VENDOR_ANY | PARTVISOR_FEAT_SVM_ONLY;
	default:
		return 0;
	}
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", progname, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s %s --help')\n", progname, cmd);
	return 2;
}

/* A usage error: one line, exit status 2. */
static int extra_argument(const char *cmd, const char *arg)
{
	fprintf(stderr, "%s %s: unexpected argument '%s' (try '%s %s --help')\n",
		progname, cmd, arg, progname, cmd);
	return 2;
}

static void info_help(FILE *out)
{
	fprintf(out,
		"usage: %s info\n\n"
		"Show the partvisor module version and ABI, the CPU's hardware\n"
		"virtualization extension (vmx, svm or none), whether it is usable,\n"
		"the features partvisor found, and the scheduler the module was\n"
		"loaded with (root or classic: module parameter sched=). When\n"
		"partvisor is launched, also what the hypervisor itself reports\n"
		"(hv_* lines, read by hypercall). One \"name: value\" per line.\n",
		progname);
}

/* The hypervisor's own answers, through the GET_SYSTEM_PROPERTY call. */
static void print_properties(int fd)
{
	static const char * const names[] = PARTVISOR_PROP_NAMES;
	__u64 ids[PARTVISOR_PROP_LAST], values[PARTVISOR_PROP_LAST];
	struct partvisor_properties props = {
		.version = PARTVISOR_PROPERTIES_VERSION,
		.count = PARTVISOR_PROP_LAST,
		.ids = (uintptr_t)ids,
		.values = (uintptr_t)values,
	};
	unsigned int i;

	for (i = 0; i < PARTVISOR_PROP_LAST; i++)
		ids[i] = i + 1;
	if (ioctl(fd, PARTVISOR_GET_PROPERTIES, &props)) {
		if (errno == ENODEV)
			printf("hypervisor: not-launched\n");
		else
			printf("hypervisor: unknown (%s)\n", strerror(errno));
		return;
	}
	if (props.status) {
		printf("hypervisor: launched (get-system-property status %#x at %u)\n",
		       props.status, props.reps_done);
		return;
	}
	printf("hypervisor: launched\n");
	for (i = 0; i < PARTVISOR_PROP_LAST; i++) {
		char label[32];

		snprintf(label, sizeof(label), "hv_%s", names[ids[i]]);
		switch (ids[i]) {
		case PARTVISOR_PROP_VERSION:
			printf("%s: %llu.%llu\n", label, values[i] >> 16,
			       values[i] & 0xffff);
			break;
		case PARTVISOR_PROP_VENDOR:
			printf("%s: %s\n", label, vendor_name(values[i]));
			break;
		case PARTVISOR_PROP_FEATURES:
			print_features(label, values[i]);
			break;
		default:
			printf("%s: %llu\n", label, values[i]);
			break;
		}
	}
}

int open_with_info(struct partvisor_info *info)
{
	int fd = open_device();

	if (fd < 0)
		return -1;
	if (ioctl(fd, PARTVISOR_GET_INFO, info)) {
		fprintf(stderr, "%s: PARTVISOR_GET_INFO failed: %s\n", progname,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_info(int argc, char **argv)
{
	struct partvisor_info info;
	int fd;

	if (argc > 1)
		return extra_argument("info", argv[1]);
	fd = open_with_info(&info);
	if (fd < 0)
		return 1;

	info.module_version[sizeof(info.module_version) - 1] = '\0';
	printf("module_version: %s\n", info.module_version);
	printf("abi_version: %u\n", info.abi_version);
	if (info.abi_version != PARTVISOR_ABI_VERSION)
		printf("note: pvctl speaks ABI %u; fields may be missing\n",
		       PARTVISOR_ABI_VERSION);
	printf("vendor: %s\n", vendor_name(info.vendor));
	printf("extension: %s\n", ext_state_name(info.ext_state));
	printf("lps: %u\n", info.nr_cpus);
	printf("revision: %#x\n", info.revision);
	printf("tlb_tags: %u\n", info.nr_tlb_tags);
	if (info.abi_version >= SCHED_ABI_VERSION)
		printf("scheduler: %s\n", sched_mode_name(info.sched_mode));
	print_features("features", info.features);
	print_features("missing", ~info.features & vendor_features(info.vendor));
	if (info.abi_version >= 2)
		print_properties(fd);
	close(fd);
	return 0;
}

static void list_help(FILE *out)
{
	fprintf(out,
		"usage: %s list\n\n"
		"List the child partitions that exist, one per line after a\n"
		"header: id, VPs, mapped memory regions, bytes mapped (pinned)\n"
		"for the partition, and the pid of the process that created it\n"
		"(0 when it is not visible in this pid namespace).\n",
		progname);
}

/* All partitions, in a buffer that grows until they fit. */
static struct partvisor_partition_entry *
list_partitions(int fd, unsigned int *n)
{
	struct partvisor_partition_list list = { 0 };
	struct partvisor_partition_entry *e = NULL, *grown;
	unsigned int room = PARTVISOR_MAX_PARTITIONS;

	for (;;) {
		grown = realloc(e, room * sizeof(*e));
		if (!grown) {
			fprintf(stderr, "%s: out of memory\n", progname);
			free(e);
			return NULL;
		}
		e = grown;
		list.count = room;
		list.entries = (uintptr_t)e;
		if (ioctl(fd, PARTVISOR_LIST_PARTITIONS, &list)) {
			fprintf(stderr, "%s: PARTVISOR_LIST_PARTITIONS failed: %s\n",
				progname, strerror(errno));
			free(e);
			return NULL;
		}
		if (list.count <= room)
			break;
		room = list.count;
	}
	*n = list.count;
	return e;
}

#define PARTITION_FD_LINK	"anon_inode:partvisor-partition"

/* Whether the /proc fd link @name in directory @dir is a partition fd. */
static int is_partition_fd(int dir, const char *name)
{
	char link[sizeof(PARTITION_FD_LINK) + 1];
	ssize_t n = readlinkat(dir, name, link, sizeof(link) - 1);

	if (n < 0)
		return 0;
	link[n] = '\0';
	return !strcmp(link, PARTITION_FD_LINK);
}

/*
 * The one partition fd that process @pid holds: its number there, or -1
 * after an error line.
 */
static int find_partition_fd(unsigned int id, int pid)
{
	char dir[32];
	struct dirent *d;
	int fd = -1, found = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "%s: partition %u: cannot read %s: %s\n",
			progname, id, dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		if (is_partition_fd(dirfd(dp), d->d_name)) {
			fd = atoi(d->d_name);
			found++;
		}
	}
	closedir(dp);
	if (found == 1)
		return fd;
	if (!found)
		fprintf(stderr, "%s: partition %u: its creator, pid %d, closed its fd\n",
			progname, id, pid);
	else
		fprintf(stderr, "%s: partition %u: its creator, pid %d, holds %d partitions\n",
			progname, id, pid, found);
	return -1;
}

/*
 * partvisor has no ioctl that opens a partition by id, so this takes a
 * duplicate of the fd its creator holds: pidfd_getfd() (Linux 5.6), which
 * needs the right to ptrace that process (root has it). A partition fd
 * does not say which partition it is: the creator must hold only one.
 * This is the only place that knows; an OPEN_PARTITION ioctl on @dev
 * would replace it.
 */
int open_partition(int dev, unsigned int id)
{
	struct partvisor_partition_entry *e;
	unsigned int i, n, owned = 0;
	int pid = -1, pidfd, target, fd;
	char self[64];

	e = list_partitions(dev, &n);
	if (!e)
		return -1;
	for (i = 0; i < n; i++)
		if (e[i].id == id)
			pid = e[i].owner_pid;
	for (i = 0; i < n; i++)
		if (e[i].owner_pid == pid)
			owned++;
	free(e);
	if (pid < 0) {
		fprintf(stderr, "%s: no partition %u (see '%s list')\n", progname,
			id, progname);
		return -1;
	}
	if (!pid) {
		fprintf(stderr, "%s: partition %u: its creator is in another pid namespace\n",
			progname, id);
		return -1;
	}
	if (owned > 1) {
		fprintf(stderr, "%s: partition %u: its creator, pid %d, holds %u partitions\n",
			progname, id, pid, owned);
		return -1;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		if (errno == ESRCH)
			fprintf(stderr, "%s: partition %u: its creator, pid %d, has exited\n",
				progname, id, pid);
		else
			fprintf(stderr, "%s: partition %u: pidfd_open(%d) failed: %s\n",
				progname, id, pid, strerror(errno));
		return -1;
	}
	target = find_partition_fd(id, pid);
	fd = target < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, target, 0);
	if (target >= 0 && fd < 0) {
		if (errno == EPERM || errno == EACCES)
			fprintf(stderr, "%s: partition %u: may not take pid %d's fd (needs root)\n",
				progname, id, pid);
		else
			fprintf(stderr, "%s: partition %u: pidfd_getfd(pid %d, fd %d) failed: %s\n",
				progname, id, pid, target, strerror(errno));
	}
	close(pidfd);
	if (fd < 0)
		return -1;
	/* The creator may have closed it and reused the number meanwhile. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (!is_partition_fd(AT_FDCWD, self)) {
		fprintf(stderr, "%s: partition %u: its creator, pid %d, closed its fd\n",
			progname, id, pid);
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_list(int argc, char **argv)
{
	struct partvisor_partition_entry *e;
	struct partvisor_info info;
	unsigned int i, n;
	int fd;

	if (argc > 1)
		return extra_argument("list", argv[1]);
	fd = open_with_info(&info);
	if (fd < 0)
		return 1;
	if (info.abi_version != PARTVISOR_ABI_VERSION) {
		fprintf(stderr, "%s: module ABI %u; listing partitions needs ABI %u\n",
			progname, info.abi_version, PARTVISOR_ABI_VERSION);
		close(fd);
		return 1;
	}
	e = list_partitions(fd, &n);
	close(fd);
	if (!e)
		return 1;
	printf("%-6s %-4s %-7s %-14s %s\n", "ID", "VPS", "REGIONS",
	       "MAPPED_BYTES", "OWNER_PID");
	for (i = 0; i < n; i++)
		printf("%-6u %-4u %-7u %-14llu %d\n", e[i].id, e[i].nr_vps,
		       e[i].nr_regions, (unsigned long long)e[i].mapped_bytes,
		       e[i].owner_pid);
	free(e);
	return 0;
}

static const struct command commands[] = {
	{ "info", "module, ABI and CPU virtualization features",
	  cmd_info, info_help },
	{ "list", "child partitions: id, VPs, memory, owner",
	  cmd_list, list_help },
	{ "run", "run an ELF or flat image in a new child partition",
	  cmd_run, run_help },
	{ "sched", "scheduler policy of a partition or of one of its VPs",
	  cmd_sched, sched_help },
	{ "stats", "counters of partitions, their VPs and the LPs",
	  cmd_stats, stats_help },
};

static void main_help(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s COMMAND [ARGS]\n\ncommands:\n", progname);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\n'%s COMMAND --help' describes one command.\n",
		progname);
}

int main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "%s: no command given (try '%s --help')\n",
			progname, progname);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		main_help(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "%s: unknown command '%s' (try '%s --help')\n",
			progname, argv[1], progname);
		return 2;
	}
	for (i = 2; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cmd->help(stdout);
			return 0;
		}
	}
	return cmd->run(argc - 1, argv + 1);
}
