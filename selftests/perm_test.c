// SPDX-License-Identifier: GPL-2.0
/*
 * Who may use /dev/partvisor: the node is root-only, and every ioctl
 * checks CAP_SYS_ADMIN itself, so an fd handed to an unprivileged process
 * (or kept across a privilege drop) is useless.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "pv_test.h"

#define NOBODY	65534

/* Run fn in a child; its exit status is the check's result (0 = pass). */
static int in_child(int (*fn)(int fd), int fd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(fd));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int drop_to_nobody(void)
{
	return setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(NOBODY, NOBODY, NOBODY);
}

static int open_as_nobody(int fd)
{
	(void)fd;
	if (drop_to_nobody())
		return 10;
	if (open(PARTVISOR_DEVICE, O_RDWR) >= 0)
		return 11;
	return errno == EACCES ? 0 : 12;
}

static int ioctl_as_nobody(int fd)
{
	struct partvisor_info info;

	if (drop_to_nobody())
		return 10;
	if (ioctl(fd, PARTVISOR_GET_INFO, &info) == 0)
		return 11;
	return errno == EPERM ? 0 : 12;
}

/* Still uid 0, but without CAP_SYS_ADMIN in the effective set. */
static int ioctl_without_cap(int fd)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct partvisor_info info;

	if (syscall(SYS_capget, &hdr, data))
		return 10;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &=
		~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return 11;
	if (ioctl(fd, PARTVISOR_GET_INFO, &info) == 0)
		return 12;
	return errno == EPERM ? 0 : 13;
}

int main(void)
{
	struct partvisor_info info;
	struct stat st;
	int fd, ret;

	if (geteuid() != 0)
		pv_skip_all("needs root");
	fd = pv_open_or_skip();
	pv_plan(6);

	ret = stat(PARTVISOR_DEVICE, &st);
	pv_check(!ret && S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 &&
		 st.st_uid == 0, "%s is a root-only character device (%o)",
		 PARTVISOR_DEVICE, ret ? 0 : st.st_mode & 07777);
	pv_check(ioctl(fd, PARTVISOR_GET_INFO, &info) == 0,
		 "root with CAP_SYS_ADMIN may call GET_INFO");

	ret = in_child(open_as_nobody, fd);
	pv_check(ret == 0, "an unprivileged open fails with EACCES (child %d)",
		 ret);
	ret = in_child(ioctl_as_nobody, fd);
	pv_check(ret == 0,
		 "an inherited fd after dropping to nobody gets EPERM (child %d)",
		 ret);
	ret = in_child(ioctl_without_cap, fd);
	pv_check(ret == 0, "uid 0 without CAP_SYS_ADMIN gets EPERM (child %d)",
		 ret);
	pv_check(ioctl(fd, PARTVISOR_GET_INFO, &info) == 0,
		 "the privileged fd still works");
	close(fd);
	return pv_finish();
}
