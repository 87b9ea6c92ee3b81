// SPDX-License-Identifier: GPL-2.0
/*
 * Vendor-neutral view of the CPU's virtualization extension: which backend
 * applies, what it offers, and how that is reported to userspace.
 */
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/processor.h>

#include "partvisor.h"

#define CPUID_1_ECX_VMX			BIT(5)
#define CPUID_80000001_ECX_SVM		BIT(2)

const struct pv_arch_ops *pv_arch __ro_after_init;
struct pv_caps pv_caps __ro_after_init;

/*
 * Decide from raw CPUID bits rather than Linux's feature flags: Linux clears
 * X86_FEATURE_VMX when firmware disabled VMX, and we want to report that
 * case as "VMX, disabled by firmware" instead of "no extension".
 */
const struct pv_arch_ops *pv_arch_select(u32 cpuid_1_ecx, u32 cpuid_80000001_ecx)
{
	if (cpuid_1_ecx & CPUID_1_ECX_VMX)
		return &pv_vmx_ops;
	if (cpuid_80000001_ecx & CPUID_80000001_ECX_SVM)
		return &pv_svm_ops;
	return NULL;
}

const char *pv_vendor_name(u32 vendor)
{
	static const char * const names[] = PARTVISOR_VENDOR_NAMES;

	return vendor < ARRAY_SIZE(names) ? names[vendor] : names[0];
}

void pv_caps_to_info(const struct pv_caps *caps, u32 ext_state, u32 nr_cpus,
		     struct partvisor_info *info)
{
	memset(info, 0, sizeof(*info));
	info->abi_version = PARTVISOR_ABI_VERSION;
	strscpy(info->module_version, PV_MODULE_VERSION,
		sizeof(info->module_version));
	info->vendor = caps->vendor;
	info->features = caps->features & PARTVISOR_FEAT_ALL;
	info->ext_state = ext_state & PARTVISOR_EXT_ALL;
	info->nr_cpus = nr_cpus;
	info->nr_tlb_tags = caps->nr_tlb_tags;
	info->revision = caps->revision;
}

int pv_caps_init(void)
{
	u32 ecx1 = cpuid_ecx(1);
	u32 ecx_ext = 0;

	if (cpuid_eax(0x80000000) >= 0x80000001)
		ecx_ext = cpuid_ecx(0x80000001);

	pv_arch = pv_arch_select(ecx1, ecx_ext);
	if (!pv_arch) {
		pv_caps.vendor = PARTVISOR_VENDOR_NONE;
		return 0;
	}
	return pv_arch->probe(&pv_caps);
}

static void pv_ext_state_one(void *acc)
{
	atomic_or(pv_arch->ext_state(), acc);
}

/* The union over all online CPUs: one CPU in use makes the extension busy. */
u32 pv_ext_state_all_cpus(void)
{
	atomic_t acc = ATOMIC_INIT(0);

	if (!pv_arch)
		return 0;
	on_each_cpu(pv_ext_state_one, &acc, 1);
	return atomic_read(&acc);
}
