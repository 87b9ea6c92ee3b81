// SPDX-License-Identifier: GPL-2.0
/*
 * A child trying the virtualization instructions of both vendors: every
 * one must raise #UD in the child and do nothing else, except the
 * hypercall instruction of the CPU's own vendor, which returns a status.
 * Prints one line per instruction and a summary line that
 * selftests/pvctl_run_test.sh checks. Run on one VP:
 * pvctl run --mode long privileged.elf
 */
#include "rt/rt.h"

#define UD_VECTOR	6
#define MSR_EFER	0xc0000080
#define EFER_SVME	(1ULL << 12)
#define CR4_VMXE	(1ULL << 13)
#define NR_SVM_PROBES	7	/* the first entries of probes[] */

struct probe {
	const char *name;
	uint8_t len;
	uint8_t bytes[6];
};

/* Memory operands are [RAX], which points at a scratch page. */
static const struct probe probes[] = {
	/* AMD-V */
	{ "vmrun", 3, { 0x0f, 0x01, 0xd8 } },
	{ "vmload", 3, { 0x0f, 0x01, 0xda } },
	{ "vmsave", 3, { 0x0f, 0x01, 0xdb } },
	{ "stgi", 3, { 0x0f, 0x01, 0xdc } },
	{ "clgi", 3, { 0x0f, 0x01, 0xdd } },
	{ "skinit", 3, { 0x0f, 0x01, 0xde } },
	{ "invlpga", 3, { 0x0f, 0x01, 0xdf } },
	/* VT-x */
	{ "vmxon", 4, { 0xf3, 0x0f, 0xc7, 0x30 } },
	{ "vmxoff", 3, { 0x0f, 0x01, 0xc4 } },
	{ "vmlaunch", 3, { 0x0f, 0x01, 0xc2 } },
	{ "vmresume", 3, { 0x0f, 0x01, 0xc3 } },
	{ "vmptrld", 3, { 0x0f, 0xc7, 0x30 } },
	{ "vmptrst", 3, { 0x0f, 0xc7, 0x38 } },
	{ "vmclear", 4, { 0x66, 0x0f, 0xc7, 0x30 } },
	{ "vmread", 3, { 0x0f, 0x78, 0xc0 } },
	{ "vmwrite", 3, { 0x0f, 0x79, 0xc0 } },
	{ "invept", 5, { 0x66, 0x0f, 0x38, 0x80, 0x00 } },
	{ "invvpid", 5, { 0x66, 0x0f, 0x38, 0x81, 0x00 } },
	{ "vmfunc", 3, { 0x0f, 0x01, 0xd4 } },
};

static const struct probe vmmcall = { "vmmcall", 3, { 0x0f, 0x01, 0xd9 } };
static const struct probe vmcall = { "vmcall", 3, { 0x0f, 0x01, 0xc1 } };

static uint8_t scratch[4096] __aligned(4096);

static bool probe_ud(const struct probe *p)
{
	int v = rt_try_insn(p->bytes, p->len, (uintptr_t)scratch);

	if (v == UD_VECTOR) {
		rt_printf("privileged: %s: #UD\n", p->name);
		return true;
	}
	if (v < 0)
		rt_printf("privileged: %s: completed, no exception\n", p->name);
	else
		rt_printf("privileged: %s: vector %d, not #UD\n", p->name, v);
	return false;
}

/*
 * Turn the vendor's enable bit on in the child's view (EFER.SVME,
 * CR4.VMXE), so that the instructions get past the CPU's own checks to
 * the hypervisor: true when the child could set it.
 */
static bool enable_extension(bool amd)
{
	static const uint8_t mov_cr4_rax[] = { 0x0f, 0x22, 0xe0 };
	uint64_t v;

	if (amd)
		return !rt_rdmsr_safe(MSR_EFER, &v) &&
		       !rt_wrmsr_safe(MSR_EFER, v | EFER_SVME);
	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return rt_try_insn(mov_cr4_rax, sizeof(mov_cr4_rax), v | CR4_VMXE) < 0;
}

int main(unsigned int vp, unsigned int nr_vps)
{
	const struct probe *own, *other;
	unsigned int n = sizeof(probes) / sizeof(probes[0]);
	unsigned int i, ud = 0, total = n + 1;
	bool amd;
	int v;

	(void)nr_vps;
	if (vp)
		return 0;
	/* "Auth" of AuthenticAMD: AMD-V's hypercall is VMMCALL. */
	amd = rt_cpuid(0, 0).ebx == 0x68747541;
	own = amd ? &vmmcall : &vmcall;
	other = own == &vmmcall ? &vmcall : &vmmcall;

	for (i = 0; i < n; i++)
		ud += probe_ud(&probes[i]);
	/* The other vendor's hypercall instruction is no hypercall. */
	ud += probe_ud(other);
	/* Again with the extension enabled: now the hypervisor must say no. */
	if (enable_extension(amd)) {
		rt_printf("privileged: %s set in the child\n",
			  amd ? "EFER.SVME" : "CR4.VMXE");
		for (i = amd ? 0 : NR_SVM_PROBES;
		     i < (amd ? NR_SVM_PROBES : n); i++, total++)
			ud += probe_ud(&probes[i]);
	} else {
		rt_printf("privileged: the child cannot set %s\n",
			  amd ? "EFER.SVME" : "CR4.VMXE");
	}
	/* RAX = RCX = RDX = 0: call code 0, answered with a status. */
	v = rt_try_insn(own->bytes, own->len, 0);
	rt_printf("privileged: %s: %s\n", own->name,
		  v < 0 ? "a hypercall, no exception" : "raised an exception");
	rt_printf("privileged: %u of %u got #UD, %s %s\n", ud, total,
		  own->name, v < 0 ? "works" : "failed");
	rt_printf("privileged: %s\n", ud == total && v < 0 ? "PASS" : "FAIL");
	return 0;
}
