// SPDX-License-Identifier: GPL-2.0
/*
 * The architectural MSRs partvisor keeps per VP: each is written and read
 * back, values the CPU refuses must raise #GP, and the SYSCALL/SYSRET and
 * SWAPGS machinery they configure must work. Prints one line per failed
 * check and a summary line that selftests/pvctl_run_test.sh checks. Run on
 * one VP: pvctl run --mode long msrs.elf
 */
#include "rt/rt.h"

#define MSR_TSC			0x10
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_PAT			0x277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

#define EFER_SCE		(1ULL << 0)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
#define EFER_NXE		(1ULL << 11)
#define EFER_SVME		(1ULL << 12)
#define RFLAGS_IF		(1ULL << 9)
#define RFLAGS_DF		(1ULL << 10)
#define NONCANONICAL		0x0000800000000000ULL
#define PTE_USER		(1ULL << 2)

/* The runtime's flat code and data segments; SYSRET's are 0x20 and 0x18. */
#define KERNEL_CS		0x08
#define USER_BASE		0x10
#define USER_CS			(USER_BASE + 16 + 3)

static unsigned int failures;

/* Filled in by the SYSCALL handler below. */
uint64_t msrs_sys_cs, msrs_sys_user_cs, msrs_sys_rcx, msrs_sys_r11;
uint64_t msrs_sys_flags, msrs_trip_rsp;
void msrs_syscall_entry(void);
void msrs_trip(void);
extern char msrs_user_ret[];

/*
 * msrs_trip: SYSRET to a CPL 3 stub, which makes a SYSCALL to
 * msrs_syscall_entry (LSTAR), which notes what it got and returns to
 * msrs_trip's caller on the caller's stack.
 */
__asm__(
	".pushsection .text\n"
	".globl msrs_trip\n"
	"msrs_trip:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	mov %rsp, msrs_trip_rsp(%rip)\n"
	"	lea 1f(%rip), %rcx\n"
	"	mov $0x2, %r11\n"		/* IF clear */
	"	sysretq\n"
	"1:	mov %cs, %eax\n"		/* CPL 3 now */
	"	syscall\n"
	".globl msrs_user_ret\n"
	"msrs_user_ret:\n"
	"	ud2\n"
	".globl msrs_syscall_entry\n"
	"msrs_syscall_entry:\n"
	"	mov %rax, msrs_sys_user_cs(%rip)\n"
	"	mov %cs, %eax\n"
	"	mov %rax, msrs_sys_cs(%rip)\n"
	"	mov %rcx, msrs_sys_rcx(%rip)\n"
	"	mov %r11, msrs_sys_r11(%rip)\n"
	"	pushfq\n"
	"	popq msrs_sys_flags(%rip)\n"
	"	mov msrs_trip_rsp(%rip), %rsp\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".popsection\n");

static void check(bool ok, const char *what)
{
	if (!ok) {
		rt_printf("msrs: FAIL %s\n", what);
		failures++;
	}
}

/* Write @v, read it back. */
static void roundtrip(uint32_t msr, uint64_t v, const char *name)
{
	uint64_t got = ~v;

	if (rt_wrmsr_safe(msr, v)) {
		rt_printf("msrs: FAIL %s: write of %lx refused\n", name, v);
		failures++;
		return;
	}
	if (rt_rdmsr_safe(msr, &got) || got != v) {
		rt_printf("msrs: FAIL %s: wrote %lx, read %lx\n", name, v, got);
		failures++;
	}
}

static void refused(uint32_t msr, uint64_t v, const char *name)
{
	uint64_t before = 0, after = 1;

	rt_rdmsr_safe(msr, &before);
	if (!rt_wrmsr_safe(msr, v)) {
		rt_printf("msrs: FAIL %s: write of %lx not refused\n", name, v);
		failures++;
	}
	rt_rdmsr_safe(msr, &after);
	check(before == after, name);
}

/* The identity map's tables, user-accessible or not (for the CPL 3 stub). */
static void user_pages(bool on)
{
	uint64_t cr3, *pml4, *pdpt, *pd;
	unsigned int i;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(cr3 & ~0xfffULL);
	pdpt = (uint64_t *)(pml4[0] & 0xffffffffff000ULL);
	pd = (uint64_t *)(pdpt[0] & 0xffffffffff000ULL);
	for (i = 0; i < 512; i++)
		pd[i] = on ? pd[i] | PTE_USER : pd[i] & ~PTE_USER;
	pml4[0] = on ? pml4[0] | PTE_USER : pml4[0] & ~PTE_USER;
	pdpt[0] = on ? pdpt[0] | PTE_USER : pdpt[0] & ~PTE_USER;
	__asm__ __volatile__("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

static void test_efer(void)
{
	uint64_t efer = 0, v = 0;

	check(!rt_rdmsr_safe(MSR_EFER, &efer), "EFER read");
	check((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA) &&
	      !(efer & EFER_SVME), "EFER: LME and LMA, no SVME");
	roundtrip(MSR_EFER, efer | EFER_SCE, "EFER.SCE");
	if (rt_cpuid(0x80000001, 0).edx & (1U << 20))
		roundtrip(MSR_EFER, efer | EFER_SCE | EFER_NXE, "EFER.NXE");
	refused(MSR_EFER, efer | EFER_SVME, "EFER.SVME refused");
	refused(MSR_EFER, efer | (1ULL << 1), "EFER reserved bit refused");
	refused(MSR_EFER, efer & ~EFER_LME, "EFER.LME cleared with paging");
	/* LMA follows the CPU, not the write. */
	check(!rt_wrmsr_safe(MSR_EFER, (efer | EFER_SCE) & ~EFER_LMA) &&
	      !rt_rdmsr_safe(MSR_EFER, &v) && (v & EFER_LMA),
	      "EFER.LMA ignored on write");
	rt_wrmsr_safe(MSR_EFER, efer | EFER_SCE);
}

static void test_plain(void)
{
	uint64_t pat = 0, t0 = 0, t1 = 0;

	roundtrip(MSR_STAR, 0x0123456789abcdefULL, "STAR");
	roundtrip(MSR_LSTAR, 0xffff800012345678ULL, "LSTAR");
	roundtrip(MSR_CSTAR, 0x00007fff87654321ULL, "CSTAR");
	roundtrip(MSR_SFMASK, 0x47700, "SFMASK");
	roundtrip(MSR_KERNEL_GS_BASE, 0xffffffff80001000ULL, "KERNEL_GS_BASE");
	roundtrip(MSR_FS_BASE, 0x12345000, "FS_BASE");
	roundtrip(MSR_GS_BASE, 0xffff888000000000ULL, "GS_BASE");
	roundtrip(MSR_SYSENTER_CS, 0x10, "SYSENTER_CS");
	roundtrip(MSR_SYSENTER_ESP, 0xffffc90000004000ULL, "SYSENTER_ESP");
	roundtrip(MSR_SYSENTER_EIP, 0xffffffff81000000ULL, "SYSENTER_EIP");
	refused(MSR_LSTAR, NONCANONICAL, "LSTAR non-canonical refused");
	refused(MSR_CSTAR, NONCANONICAL, "CSTAR non-canonical refused");
	refused(MSR_KERNEL_GS_BASE, NONCANONICAL,
		"KERNEL_GS_BASE non-canonical refused");
	refused(MSR_FS_BASE, NONCANONICAL, "FS_BASE non-canonical refused");
	refused(MSR_SYSENTER_EIP, NONCANONICAL,
		"SYSENTER_EIP non-canonical refused");
	rt_wrmsr_safe(MSR_FS_BASE, 0);
	rt_wrmsr_safe(MSR_GS_BASE, 0);

	check(!rt_rdmsr_safe(MSR_PAT, &pat), "PAT read");
	roundtrip(MSR_PAT, 0x0007010600070406ULL, "PAT");
	refused(MSR_PAT, 0x0007040600070402ULL, "PAT type 2 refused");
	refused(MSR_PAT, 0x0007040600070408ULL, "PAT type 8 refused");
	rt_wrmsr_safe(MSR_PAT, pat);

	check(!rt_rdmsr_safe(MSR_TSC, &t0) && !rt_rdmsr_safe(MSR_TSC, &t1) &&
	      t1 > t0, "TSC reads and advances");
	/* Not refused(): the TSC moves on between the reads. */
	check(rt_wrmsr_safe(MSR_TSC, 0) != 0, "TSC write refused");
}

static void test_syscall(void)
{
	rt_wrmsr(MSR_STAR, (uint64_t)USER_BASE << 48 |
			   (uint64_t)KERNEL_CS << 32);
	rt_wrmsr(MSR_LSTAR, (uintptr_t)msrs_syscall_entry);
	rt_wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_DF);
	user_pages(true);
	msrs_trip();
	user_pages(false);
	check(msrs_sys_user_cs == USER_CS, "SYSRET to CPL 3");
	check(msrs_sys_cs == KERNEL_CS, "SYSCALL to STAR's CS");
	check(msrs_sys_rcx == (uintptr_t)msrs_user_ret, "SYSCALL: RCX");
	check((msrs_sys_r11 & 0x3) == 0x2, "SYSCALL: R11 holds RFLAGS");
	check(!(msrs_sys_flags & (RFLAGS_IF | RFLAGS_DF)),
	      "SYSCALL: SFMASK applied");
}

static void test_swapgs(void)
{
	uint64_t gs, kgs;

	rt_wrmsr(MSR_GS_BASE, 0x1000);
	rt_wrmsr(MSR_KERNEL_GS_BASE, 0x2000);
	__asm__ __volatile__("swapgs" ::: "memory");
	gs = rt_rdmsr(MSR_GS_BASE);
	kgs = rt_rdmsr(MSR_KERNEL_GS_BASE);
	__asm__ __volatile__("swapgs" ::: "memory");
	check(gs == 0x2000 && kgs == 0x1000, "SWAPGS exchanges GS bases");
	check(rt_rdmsr(MSR_GS_BASE) == 0x1000 &&
	      rt_rdmsr(MSR_KERNEL_GS_BASE) == 0x2000, "SWAPGS back");
	rt_wrmsr(MSR_GS_BASE, 0);
}

int main(unsigned int vp, unsigned int nr_vps)
{
	(void)nr_vps;
	if (vp)
		return 0;
	test_efer();
	test_plain();
	test_syscall();
	test_swapgs();
	if (failures)
		rt_printf("msrs: %u failures\n", failures);
	else
		rt_printf("msrs: PASS\n");
	return 0;
}
