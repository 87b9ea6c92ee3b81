// SPDX-License-Identifier: GPL-2.0
/*
 * PARTVISOR_GET_INFO against the kernel's own view of the CPU: the vendor
 * extension and every feature bit must agree with /proc/cpuinfo, which
 * Linux derives from the same CPUID leaves and MSRs independently.
 */
#include <sys/ioctl.h>

#include "pv_test.h"

static char cpu_flags[8192];

/* Concatenate the first CPU's "flags" and "vmx flags" lines, space-padded. */
static int read_cpu_flags(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	int seen = 0;
	size_t len;

	if (!f)
		return -1;
	strcpy(cpu_flags, " ");
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "processor", 9) && seen)
			break;
		if (!colon || (strncmp(line, "flags", 5) &&
			       strncmp(line, "vmx flags", 9)))
			continue;
		seen = 1;
		line[strcspn(line, "\n")] = '\0';
		len = strlen(cpu_flags);
		snprintf(cpu_flags + len, sizeof(cpu_flags) - len, "%s ",
			 colon + 1);
	}
	fclose(f);
	return seen ? 0 : -1;
}

static int has_flag(const char *flag)
{
	char word[64];

	snprintf(word, sizeof(word), " %s ", flag);
	return !!strstr(cpu_flags, word);
}

struct feature_flag {
	unsigned long long bit;
	const char *flag;
};

static const struct feature_flag svm_flags[] = {
	{ PARTVISOR_FEAT_NESTED_PAGING, "npt" },
	{ PARTVISOR_FEAT_NRIPS, "nrip_save" },
	{ PARTVISOR_FEAT_DECODE_ASSISTS, "decodeassists" },
	{ PARTVISOR_FEAT_VMCB_CLEAN, "vmcb_clean" },
	{ PARTVISOR_FEAT_FLUSH_BY_ASID, "flushbyasid" },
	{ PARTVISOR_FEAT_VGIF, "vgif" },
};

static const struct feature_flag vmx_flags[] = {
	{ PARTVISOR_FEAT_NESTED_PAGING, "ept" },
	{ PARTVISOR_FEAT_TAGGED_TLB, "vpid" },
	{ PARTVISOR_FEAT_PREEMPT_TIMER, "preemption_timer" },
	{ PARTVISOR_FEAT_UNRESTRICTED, "unrestricted_guest" },
	{ PARTVISOR_FEAT_VNMI, "vnmi" },
};

static void check_features(const struct partvisor_info *info,
			   const struct feature_flag *map, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int ours = !!(info->features & map[i].bit);

		pv_check(ours == has_flag(map[i].flag),
			 "feature bit %#llx is %d, cpuinfo '%s' is %d",
			 map[i].bit, ours, map[i].flag, has_flag(map[i].flag));
	}
}

static int read_module_version(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/partvisor/version", "r");
	int ok;

	if (!f)
		return -1;
	ok = !!fgets(buf, len, f);
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int kvm_loaded(void)
{
	return !access("/sys/module/kvm_amd", F_OK) ||
	       !access("/sys/module/kvm_intel", F_OK);
}

int main(void)
{
	struct partvisor_info info;
	unsigned int vendor;
	char version[64];
	int fd, ret, zero = 1;
	size_t i;

	fd = pv_open_or_skip();
	if (read_cpu_flags()) {
		printf("Bail out! cannot read /proc/cpuinfo flags\n");
		return PV_EXIT_FAIL;
	}
	vendor = has_flag("vmx") ? PARTVISOR_VENDOR_VMX :
		 has_flag("svm") ? PARTVISOR_VENDOR_SVM : PARTVISOR_VENDOR_NONE;
	pv_plan(8 + (vendor == PARTVISOR_VENDOR_SVM ? 7 : 0) +
		(vendor == PARTVISOR_VENDOR_VMX ? 5 : 0));

	memset(&info, 0xa5, sizeof(info));
	ret = ioctl(fd, PARTVISOR_GET_INFO, &info);
	if (!pv_check(ret == 0, "GET_INFO succeeds (%s)",
		      ret ? strerror(errno) : "ok"))
		return pv_finish();

	pv_check(info.abi_version == PARTVISOR_ABI_VERSION,
		 "abi_version %u", info.abi_version);
	pv_check(memchr(info.module_version, 0, sizeof(info.module_version)) &&
		 !read_module_version(version, sizeof(version)) &&
		 !strcmp(version, info.module_version),
		 "module_version '%.32s' matches /sys/module/partvisor/version",
		 info.module_version);
	pv_check(info.vendor == vendor, "vendor %u matches cpuinfo (%u)",
		 info.vendor, vendor);
	pv_check(info.nr_cpus == (unsigned int)sysconf(_SC_NPROCESSORS_ONLN),
		 "nr_cpus %u is the online CPU count", info.nr_cpus);
	pv_check(!(info.features & ~PARTVISOR_FEAT_ALL) &&
		 !(info.ext_state & ~PARTVISOR_EXT_ALL),
		 "no undefined feature or state bits (%#llx, %#x)",
		 info.features, info.ext_state);
	for (i = 0; i < ARRAY_SIZE(info.reserved); i++)
		zero &= info.reserved[i] == 0;
	pv_check(zero, "reserved words are zero");
	/* With no other hypervisor around, the extension must be free. */
	pv_check(kvm_loaded() || info.ext_state == 0,
		 "extension state %#x with no KVM module loaded",
		 info.ext_state);

	if (vendor == PARTVISOR_VENDOR_SVM) {
		check_features(&info, svm_flags, ARRAY_SIZE(svm_flags));
		pv_check(!!(info.features & PARTVISOR_FEAT_TAGGED_TLB) ==
			 (info.nr_tlb_tags > 0),
			 "tagged TLB bit agrees with %u ASIDs",
			 info.nr_tlb_tags);
	} else if (vendor == PARTVISOR_VENDOR_VMX) {
		check_features(&info, vmx_flags, ARRAY_SIZE(vmx_flags));
	}
	close(fd);
	return pv_finish();
}
