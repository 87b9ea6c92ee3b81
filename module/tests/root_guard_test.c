// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the root partition cannot reach the virtualization extension
 * under partvisor. Runs against the real CPU, and only while partvisor is
 * launched (CPUID 0x40000000 says so); otherwise every case is skipped.
 * Each instruction that would start or control a second hypervisor must
 * fault in the root instead of doing anything (the fault is caught
 * through the exception table), and the root's EFER keeps SVME. VMXOFF is
 * not tried: from CPL 0 it is partvisor's way out (devirtualize).
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "root_guard.h"

static bool pv_root_is_child_of_partvisor(void)
{
	unsigned int eax, sig[3];

	cpuid(0x40000000, &eax, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "PartVisor Hv", 12);
}

static void pv_guard_skip_unless_launched(struct kunit *test, bool amd)
{
	bool is_amd = boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		      boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;

	if (!pv_root_is_child_of_partvisor())
		kunit_skip(test, "partvisor is not launched");
	if (is_amd != amd)
		kunit_skip(test, "another vendor's extension");
}

struct pv_guard_probe {
	const char *name;
	int (*svm)(u64 pa);
	int (*vmx)(u64 *pa);
};

static const struct pv_guard_probe pv_guard_svm[] = {
	{ "VMRUN", pv_guard_vmrun }, { "VMLOAD", pv_guard_vmload },
	{ "VMSAVE", pv_guard_vmsave }, { "CLGI", pv_guard_clgi },
	{ "STGI", pv_guard_stgi }, { "INVLPGA", pv_guard_invlpga },
};

static const struct pv_guard_probe pv_guard_vmx[] = {
	{ "VMXON", NULL, pv_guard_vmxon }, { "VMPTRLD", NULL, pv_guard_vmptrld },
	{ "VMCLEAR", NULL, pv_guard_vmclear },
	{ "VMLAUNCH", NULL, pv_guard_vmlaunch },
	{ "VMRESUME", NULL, pv_guard_vmresume },
};

static void pv_guard_run(struct kunit *test,
			 const struct pv_guard_probe *probes, unsigned int n)
{
	/* kmalloc aligns a page-sized buffer to a page. */
	void *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	const struct pv_guard_probe *p;
	u64 pa;

	KUNIT_ASSERT_NOT_NULL(test, page);
	pa = __pa(page);
	for (p = probes; p < probes + n; p++)
		KUNIT_EXPECT_EQ_MSG(test, p->svm ? p->svm(pa) : p->vmx(&pa), 1,
				    "%s did not fault in the root", p->name);
}

static void root_svm_insns_fault(struct kunit *test)
{
	pv_guard_skip_unless_launched(test, true);
	pv_guard_run(test, pv_guard_svm, ARRAY_SIZE(pv_guard_svm));
}

static void root_efer_keeps_svme(struct kunit *test)
{
	u64 efer, now;

	pv_guard_skip_unless_launched(test, true);
	preempt_disable();
	rdmsrl(MSR_EFER, efer);
	KUNIT_EXPECT_EQ(test, wrmsrl_safe(MSR_EFER, efer & ~EFER_SVME), 0);
	rdmsrl(MSR_EFER, now);
	preempt_enable();
	KUNIT_EXPECT_TRUE_MSG(test, now & EFER_SVME,
			      "the root cleared EFER.SVME: %#llx", now);
	KUNIT_EXPECT_EQ(test, now & ~EFER_SVME, efer & ~EFER_SVME);
}

static void root_vmx_insns_fault(struct kunit *test)
{
	pv_guard_skip_unless_launched(test, false);
	pv_guard_run(test, pv_guard_vmx, ARRAY_SIZE(pv_guard_vmx));
}

static struct kunit_case pv_root_guard_cases[] = {
	KUNIT_CASE(root_svm_insns_fault),
	KUNIT_CASE(root_efer_keeps_svme),
	KUNIT_CASE(root_vmx_insns_fault),
	{}
};

static struct kunit_suite pv_root_guard_suite = {
	.name = "partvisor_root_guard",
	.test_cases = pv_root_guard_cases,
};

kunit_test_suite(pv_root_guard_suite);
