// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl surface of /dev/partvisor: unknown commands are refused with
 * ENOTTY, bad pointers with EFAULT, and GET_INFO never writes past its
 * structure.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>

#include "pv_test.h"

static void expect_errno(int fd, unsigned long cmd, void *arg, int err,
			 const char *what)
{
	int ret = ioctl(fd, cmd, arg);
	int got = ret ? errno : 0;

	pv_check(ret == -1 && got == err, "%s: %s (want %s)", what,
		 got ? strerror(got) : "success", strerror(err));
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct partvisor_info info;
	unsigned char *buf, *ro;
	char byte;
	int fd, ok, ret;
	size_t i;

	fd = pv_open_or_skip();
	pv_plan(13);

	expect_errno(fd, _IO(PARTVISOR_IOCTL_TYPE, 0x7f), NULL, ENOTTY,
		     "unknown command number");
	expect_errno(fd, _IOW(PARTVISOR_IOCTL_TYPE, 0x00,
			      struct partvisor_info), &info, ENOTTY,
		     "GET_INFO number with write direction");
	expect_errno(fd, _IOR(PARTVISOR_IOCTL_TYPE, 0x00, __u32), &info,
		     ENOTTY, "GET_INFO number with a smaller size");
	expect_errno(fd, _IOR(PARTVISOR_IOCTL_TYPE + 1, 0x00,
			      struct partvisor_info), &info, ENOTTY,
		     "foreign ioctl type");
	expect_errno(fd, TCGETS, &info, ENOTTY, "terminal ioctl");
	expect_errno(fd, PARTVISOR_GET_INFO, NULL, EFAULT, "GET_INFO to NULL");
	expect_errno(fd, PARTVISOR_GET_INFO, (void *)-4096L, EFAULT,
		     "GET_INFO to a kernel address");

	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED || buf == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	expect_errno(fd, PARTVISOR_GET_INFO, ro, EFAULT,
		     "GET_INFO to read-only memory");

	/* A structure that runs into an unmapped page must fault. */
	munmap(buf + page, page);
	expect_errno(fd, PARTVISOR_GET_INFO, buf + page - sizeof(info) / 2,
		     EFAULT, "GET_INFO straddling an unmapped page");

	/* Exactly sizeof(info) bytes are written, nothing around them. */
	memset(buf, 0x5a, page);
	ok = ioctl(fd, PARTVISOR_GET_INFO, buf + 64) == 0;
	for (i = 0; i < 64; i++)
		ok &= buf[i] == 0x5a;
	for (i = 64 + sizeof(info); i < (size_t)page; i++)
		ok &= buf[i] == 0x5a;
	pv_check(ok, "GET_INFO writes only its %zu bytes", sizeof(info));

	ret = read(fd, &byte, 1) == -1 ? errno : 0;
	pv_check(ret == EINVAL, "read() is refused (%s)", strerror(ret));
	ret = write(fd, &byte, 1) == -1 ? errno : 0;
	pv_check(ret == EINVAL, "write() is refused (%s)", strerror(ret));
	pv_check(ioctl(fd, PARTVISOR_GET_INFO, &info) == 0 &&
		 info.abi_version == PARTVISOR_ABI_VERSION,
		 "device still answers after bad calls");
	close(fd);
	return pv_finish();
}
