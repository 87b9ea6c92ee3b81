// SPDX-License-Identifier: GPL-2.0
/*
 * Is KVM usable? Runs a one-page real-mode guest that writes 0x42 to port
 * 0x10 and halts. partvisor's tests use it to show that KVM keeps working
 * next to partvisor, and that it is refused while partvisor owns the CPU.
 * With --no-run it sets the guest up (VM, memory, vCPU, registers) but
 * does not run it, for machines where running a KVM guest is not
 * dependable.
 *
 * Exit status: 0 the guest ran (or was set up), 1 it did not, 4 no
 * /dev/kvm.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "pv_test.h"

#define GUEST_BASE	0x1000

/* mov $0x42, %al; out %al, $0x10; hlt */
static const unsigned char guest_code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };

static int fail(const char *what)
{
	printf("# kvm_smoke: %s: %s\n", what, strerror(errno));
	return PV_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	int no_run = argc > 1 && !strcmp(argv[1], "--no-run");
	struct kvm_userspace_memory_region region = {
		.guest_phys_addr = GUEST_BASE,
		.memory_size = 4096,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };
	struct kvm_run *run;
	int kvm, vm, vcpu, size;
	void *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("# kvm_smoke: no /dev/kvm\n");
		return PV_EXIT_SKIP;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	memcpy(mem, guest_code, sizeof(guest_code));
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		return fail("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return fail("KVM_GET_SREGS");
	sregs.cs.base = GUEST_BASE;
	sregs.cs.selector = GUEST_BASE >> 4;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(vcpu, KVM_SET_REGS, &regs))
		return fail("KVM_SET_SREGS/REGS");
	if (no_run) {
		printf("# kvm_smoke: the KVM guest is set up, not run\n");
		return PV_EXIT_PASS;
	}

	if (ioctl(vcpu, KVM_RUN, 0))
		return fail("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x10 ||
	    *((unsigned char *)run + run->io.data_offset) != 0x42) {
		printf("# kvm_smoke: exit %u, wanted port 0x10 = 0x42\n",
		       run->exit_reason);
		return PV_EXIT_FAIL;
	}
	if (ioctl(vcpu, KVM_RUN, 0))
		return fail("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_HLT) {
		printf("# kvm_smoke: exit %u, wanted HLT\n", run->exit_reason);
		return PV_EXIT_FAIL;
	}
	printf("# kvm_smoke: the KVM guest ran (port 0x10 = 0x42, then HLT)\n");
	return PV_EXIT_PASS;
}
