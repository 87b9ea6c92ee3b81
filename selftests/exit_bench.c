// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench: the cost of a child's exit under partvisor and under KVM,
 * with the same guest bytes. A flat 32-bit guest executes N CPUIDs, tells
 * the VMM (OUT 0x10), executes N VMMCALLs with EAX, ECX and EDX zero (a
 * call nobody serves, answered in the kernel with an error: KVM's call
 * number is EAX, partvisor's 32-bit input EDX:EAX), tells the VMM again
 * (OUT 0x11) and halts. The VMM times the two loops between RUN
 * returns and prints microseconds per exit:
 *
 *	cpuid_us: 21.503
 *	hypercall_us: 23.118
 *
 * usage: exit_bench partvisor|kvm N
 * Exit status: 0 measured, 1 failed, 4 the hypervisor is not there.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/kvm.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define GDT		0x0000
#define TSS		0x0800
#define CODE		0x1000
#define STACK		0x8000
#define PORT_CPUID_DONE	0x10
#define PORT_HC_DONE	0x11

/* ESI = N on entry; the loops count down in EBP (CPUID clobbers EAX-EDX). */
asm(".pushsection .rodata\n"
	"bench_guest:\n"
	".code32\n"
	"	mov %esi, %ebp\n"
	"1:	xor %eax, %eax\n"
	"	cpuid\n"
	"	dec %ebp\n"
	"	jnz 1b\n"
	"	out %al, $0x10\n"
	"	mov %esi, %ebp\n"
	"2:	xor %eax, %eax\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	vmmcall\n"
	"	dec %ebp\n"
	"	jnz 2b\n"
	"	out %al, $0x11\n"
	"	hlt\n"
	".code64\n"
	"bench_guest_end:\n"
	".popsection\n");
PV_GUEST_DECLARE(bench_guest);

/* One hypervisor's VMM: set up the guest, then run until the next exit. */
struct vmm {
	const char *name;
	int (*setup)(struct vmm *v, unsigned char *mem, unsigned int n);
	/* The port of the OUT that stopped it, 0 for HLT, -1 on errors. */
	int (*run)(struct vmm *v);
	int fd, vm, vcpu;
	struct kvm_run *kvm_run;
};

static int fail(const char *what)
{
	printf("exit_bench: %s: %s\n", what, strerror(errno));
	return -1;
}

static int pv_setup(struct vmm *v, unsigned char *mem, unsigned int n)
{
	struct partvisor_create_partition cp = { 0 };
	struct partvisor_memory_region mr = {
		.size = MEM_SIZE, .uaddr = (unsigned long)mem,
		.flags = PARTVISOR_MEM_ALL,
	};
	struct partvisor_create_vp cv = { 0 };
	struct partvisor_vp_state st;

	v->vm = ioctl(v->fd, PARTVISOR_CREATE_PARTITION, &cp);
	if (v->vm < 0)
		return fail("PARTVISOR_CREATE_PARTITION");
	if (ioctl(v->vm, PARTVISOR_MAP_MEMORY, &mr))
		return fail("PARTVISOR_MAP_MEMORY");
	v->vcpu = ioctl(v->vm, PARTVISOR_CREATE_VP, &cv);
	if (v->vcpu < 0 || ioctl(v->vcpu, PARTVISOR_GET_VP_STATE, &st))
		return fail("PARTVISOR_CREATE_VP");
	pv_state_protected(&st, CODE, STACK, GDT, 0x17, TSS);
	st.rsi = n;
	if (ioctl(v->vcpu, PARTVISOR_SET_VP_STATE, &st))
		return fail("PARTVISOR_SET_VP_STATE");
	return 0;
}

static int pv_run(struct vmm *v)
{
	struct partvisor_run run = { 0 };

	if (ioctl(v->vcpu, PARTVISOR_RUN_VP, &run))
		return fail("PARTVISOR_RUN_VP");
	if (run.reason == PARTVISOR_EXIT_HALT)
		return 0;
	if (run.reason == PARTVISOR_EXIT_IO && !(run.io.flags & PARTVISOR_IO_IN))
		return run.io.port;
	printf("exit_bench: unexpected exit %u at %#llx\n", run.reason,
	       (unsigned long long)run.rip);
	return -1;
}

static void kvm_seg(struct kvm_segment *s, __u16 sel, __u8 type)
{
	*s = (struct kvm_segment) {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
}

static int kvm_setup(struct vmm *v, unsigned char *mem, unsigned int n)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = MEM_SIZE, .userspace_addr = (unsigned long)mem,
	};
	struct kvm_regs regs = { .rip = CODE, .rsp = STACK, .rsi = n,
				 .rflags = 2 };
	struct kvm_sregs sregs;
	int size;

	v->vm = ioctl(v->fd, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		return fail("KVM_CREATE_VM");
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return fail("KVM_SET_USER_MEMORY_REGION");
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	size = ioctl(v->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->kvm_run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  v->vcpu, 0);
	if (v->kvm_run == MAP_FAILED)
		return fail("mmap kvm_run");
	/* The same flat protected mode partvisor's helper sets up. */
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		return fail("KVM_GET_SREGS");
	kvm_seg(&sregs.cs, PV_SEL_CODE, 0xb);
	kvm_seg(&sregs.ds, PV_SEL_DATA, 0x3);
	sregs.es = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	sregs.ss = sregs.ds;
	sregs.cr0 |= PV_CR0_PE;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(v->vcpu, KVM_SET_REGS, &regs))
		return fail("KVM_SET_SREGS/REGS");
	return 0;
}

static int kvm_run(struct vmm *v)
{
	if (ioctl(v->vcpu, KVM_RUN, 0))
		return fail("KVM_RUN");
	if (v->kvm_run->exit_reason == KVM_EXIT_HLT)
		return 0;
	if (v->kvm_run->exit_reason == KVM_EXIT_IO &&
	    v->kvm_run->io.direction == KVM_EXIT_IO_OUT)
		return v->kvm_run->io.port;
	printf("exit_bench: unexpected KVM exit %u\n", v->kvm_run->exit_reason);
	return -1;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	struct vmm vmm = { .name = "partvisor", .setup = pv_setup,
			   .run = pv_run };
	const char *dev = PARTVISOR_DEVICE;
	double t0, t1, t2;
	unsigned char *mem;
	unsigned int n;

	n = argc == 3 ? strtoul(argv[2], NULL, 0) : 0;
	if (!n || (strcmp(argv[1], "kvm") && strcmp(argv[1], "partvisor"))) {
		fprintf(stderr, "usage: exit_bench partvisor|kvm N\n");
		return PV_EXIT_FAIL;
	}
	if (!strcmp(argv[1], "kvm")) {
		vmm = (struct vmm) { .name = "kvm", .setup = kvm_setup,
				     .run = kvm_run };
		dev = "/dev/kvm";
	}
	vmm.fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vmm.fd < 0) {
		printf("exit_bench: %s: %s\n", dev, strerror(errno));
		return errno == ENOENT ? PV_EXIT_SKIP : PV_EXIT_FAIL;
	}
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return PV_EXIT_FAIL;
	memcpy(mem + CODE, bench_guest, bench_guest_end - bench_guest);
	if (vmm.setup(&vmm, mem, n))
		return PV_EXIT_FAIL;

	t0 = now_us();
	if (vmm.run(&vmm) != PORT_CPUID_DONE)
		return PV_EXIT_FAIL;
	t1 = now_us();
	if (vmm.run(&vmm) != PORT_HC_DONE)
		return PV_EXIT_FAIL;
	t2 = now_us();
	if (vmm.run(&vmm) != 0)
		return PV_EXIT_FAIL;
	printf("cpuid_us: %.3f\nhypercall_us: %.3f\n", (t1 - t0) / n,
	       (t2 - t1) / n);
	return PV_EXIT_PASS;
}
