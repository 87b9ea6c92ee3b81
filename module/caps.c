// SPDX-License-Identifier: GPL-2.0
/*
 * Vendor-neutral view of the CPU's virtualization extension: which vendor
 * applies, what it offers, and how that is reported to userspace. Pure:
 * KUnit builds it with the vendors' capability decoders.
 */
#include <linux/bits.h>
#include <linux/cache.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "partvisor.h"

#define CPUID_1_ECX_VMX			BIT(5)
#define CPUID_80000001_ECX_SVM		BIT(2)

struct pv_caps pv_caps __ro_after_init;

/*
 * Decide from raw CPUID bits rather than Linux's feature flags: Linux clears
 * X86_FEATURE_VMX when firmware disabled VMX, and we want to report that
 * case as "VMX, disabled by firmware" instead of "no extension".
 */
u32 pv_vendor_select(u32 cpuid_1_ecx, u32 cpuid_80000001_ecx)
{
	if (cpuid_1_ecx & CPUID_1_ECX_VMX)
		return PARTVISOR_VENDOR_VMX;
	if (cpuid_80000001_ecx & CPUID_80000001_ECX_SVM)
		return PARTVISOR_VENDOR_SVM;
	return PARTVISOR_VENDOR_NONE;
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
