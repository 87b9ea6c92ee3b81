// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the root partition sees it once partvisor is launched: the
 * hardware's answer, with the hypervisor-present bit set, the
 * virtualization extension hidden (nothing else can own it now), and the
 * TLFS-style 0x4000000x leaves. Pure: the caller runs the real CPUID.
 */
#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/string.h>

#include "partvisor.h"

#define CPUID_1_ECX_VMX			BIT(5)
#define CPUID_1_ECX_HYPERVISOR		BIT(31)
#define CPUID_80000001_ECX_SVM		BIT(2)

/* "PartVisor Hv" in EBX, ECX, EDX; "Hv#1" in EAX of the next leaf. */
static const char pv_vendor_id[12] = "PartVisor Hv";
#define PV_INTERFACE_HV1		0x31237648

/* Partition privileges (TLFS HV_PARTITION_PRIVILEGE_MASK, high half). */
#define HV_PRIV_CREATE_PARTITIONS	BIT(0)
#define HV_PRIV_ACCESS_PARTITION_ID	BIT(1)
#define HV_PRIV_POST_MESSAGES		BIT(4)
#define HV_PRIV_CPU_MANAGEMENT		BIT(12)

#define PV_VERSION_MAJOR		0
#define PV_VERSION_MINOR		1
#define PV_MAX_VPS			256

void pv_root_cpuid(u32 leaf, u32 subleaf, struct pv_cpuid_regs *r)
{
	if (leaf >= PV_CPUID_BASE && leaf <= PV_CPUID_BASE + 0xff) {
		memset(r, 0, sizeof(*r));
		switch (leaf) {
		case PV_CPUID_BASE:
			r->eax = PV_CPUID_MAX;
			memcpy(&r->ebx, pv_vendor_id, 4);
			memcpy(&r->ecx, pv_vendor_id + 4, 4);
			memcpy(&r->edx, pv_vendor_id + 8, 4);
			break;
		case PV_CPUID_BASE + 1:
			r->eax = PV_INTERFACE_HV1;
			break;
		case PV_CPUID_BASE + 2:
			r->ebx = PV_VERSION_MAJOR << 16 | PV_VERSION_MINOR;
			break;
		case PV_CPUID_BASE + 3:
			r->ebx = HV_PRIV_CREATE_PARTITIONS |
				 HV_PRIV_ACCESS_PARTITION_ID |
				 HV_PRIV_POST_MESSAGES | HV_PRIV_CPU_MANAGEMENT;
			break;
		case PV_CPUID_BASE + 4:
			/* Never notify about long spin waits. */
			r->ebx = 0xffffffff;
			break;
		case PV_CPUID_BASE + 5:
			r->eax = PV_MAX_VPS;
			r->ebx = nr_cpu_ids;
			break;
		}
		return;
	}

	switch (leaf) {
	case 1:
		r->ecx |= CPUID_1_ECX_HYPERVISOR;
		r->ecx &= ~CPUID_1_ECX_VMX;
		break;
	case 0x80000001:
		r->ecx &= ~CPUID_80000001_ECX_SVM;
		break;
	case 0x8000000a:
		/* SVM features of an SVM that is not there. */
		memset(r, 0, sizeof(*r));
		break;
	}
}
