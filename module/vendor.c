// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the vendor table (vendor.h) once, when the module loads, and
 * the extension's state across CPUs.
 */
#include <linux/atomic.h>
#include <linux/smp.h>
#include <asm/processor.h>

#include "vendor.h"

const struct pv_vendor_ops *pv_vendor __ro_after_init;

int pv_vendor_init(void)
{
	u32 ecx1 = cpuid_ecx(1);
	u32 ecx_ext = 0;

	if (cpuid_eax(0x80000000) >= 0x80000001)
		ecx_ext = cpuid_ecx(0x80000001);

	switch (pv_vendor_select(ecx1, ecx_ext)) {
	case PARTVISOR_VENDOR_SVM:
		pv_vendor = &pv_svm_vendor;
		break;
	case PARTVISOR_VENDOR_VMX:
		pv_vendor = &pv_vmx_vendor;
		break;
	default:
		pv_caps.vendor = PARTVISOR_VENDOR_NONE;
		return 0;
	}
	return pv_vendor->probe(&pv_caps);
}

static void pv_ext_state_one(void *acc)
{
	atomic_or(pv_vendor->ext_state(), acc);
}

/* The union over all online CPUs: one CPU in use makes the extension busy. */
u32 pv_ext_state_all_cpus(void)
{
	atomic_t acc = ATOMIC_INIT(0);

	if (!pv_vendor)
		return 0;
	on_each_cpu(pv_ext_state_one, &acc, 1);
	return atomic_read(&acc);
}
