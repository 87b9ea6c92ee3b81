// SPDX-License-Identifier: GPL-2.0
/*
 * What a child may not do to the host, each shown by a real-mode guest:
 * WBINVD, WBNOINVD and INVD complete without flushing anything and
 * without an exit to the VMM; RDPMC raises #GP (no host performance
 * counter is readable); RDTSCP and RDPID read the VP's own TSC_AUX, the
 * value the guest wrote, never the host CPU's number (on VT-x a child
 * has neither: #UD). The guest's #UD and #GP handlers log the vector and
 * step over the instruction.
 */
#include <cpuid.h>
#include <sys/ioctl.h>

#include "pv_test.h"
#include "../tools/pvctl/vp_modes.h"

#define MEM_SIZE	0x10000
#define CODE		0x1000
#define SKIP		0x2000	/* u16: bytes the next fault steps over */
#define FAULTS		0x2002	/* u8 per vector 0-31: times raised */
#define AUX_RDTSCP	0x2040	/* u32: ECX after RDTSCP */
#define AUX_RDPID	0x2044	/* u32: EAX after RDPID */
#define AUX_MSR		0x2048	/* u32: RDMSR TSC_AUX */
#define PORT_DONE	0x80
#define TSC_AUX_VAL	0x5a5a1234

#define STR_(x)		#x
#define STR(x)		STR_(x)

asm(".pushsection .rodata\n"
	".code16\n"
	".set CODE, " STR(CODE) "\n"
	"ic_guest:\n"
	"	movw $(CODE + ic_fault6 - ic_guest), 6 * 4\n"
	"	movw $0, 6 * 4 + 2\n"
	"	movw $(CODE + ic_fault13 - ic_guest), 13 * 4\n"
	"	movw $0, 13 * 4 + 2\n"
	"	wbinvd\n"
	"	.byte 0xf3, 0x0f, 0x09\n"		/* wbnoinvd */
	"	invd\n"
	"	mov $0xc0000103, %ecx\n"		/* TSC_AUX */
	"	mov $" STR(TSC_AUX_VAL) ", %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	rdmsr\n"
	"	mov %eax, " STR(AUX_MSR) "\n"
	"	movw $2, " STR(SKIP) "\n"
	"	xor %ecx, %ecx\n"
	"	rdpmc\n"
	"	movw $3, " STR(SKIP) "\n"
	"	xor %ecx, %ecx\n"
	"	rdtscp\n"
	"	mov %ecx, " STR(AUX_RDTSCP) "\n"
	"	movw $4, " STR(SKIP) "\n"
	"	xor %eax, %eax\n"
	"	.byte 0xf3, 0x0f, 0xc7, 0xf8\n"	/* rdpid eax */
	"	mov %eax, " STR(AUX_RDPID) "\n"
	"	mov $1, %al\n"
	"	out %al, $" STR(PORT_DONE) "\n"
	"	hlt\n"
	"ic_fault6:\n"
	"	push %bx\n"
	"	mov $6, %bx\n"
	"	jmp ic_fault\n"
	"ic_fault13:\n"				/* real mode: no error code */
	"	push %bx\n"
	"	mov $13, %bx\n"
	"ic_fault:\n"
	"	incb " STR(FAULTS) "(%bx)\n"
	"	push %bp\n"
	"	mov %sp, %bp\n"
	"	mov " STR(SKIP) ", %bx\n"
	"	add %bx, 4(%bp)\n"
	"	pop %bp\n"
	"	pop %bx\n"
	"	iret\n"
	"ic_guest_end:\n"
	".code64\n"
	".popsection\n");
PV_GUEST_DECLARE(ic_guest);

int main(void)
{
	struct partvisor_info info = { 0 };
	struct partvisor_vp_state st;
	struct partvisor_run r = { 0 };
	unsigned int a, b, c, d;
	int dev, ret, svm, rdtscp, rdpid;
	long long other;
	struct pv_guest g;

	dev = pv_open_vps_or_skip();
	if (ioctl(dev, PARTVISOR_GET_INFO, &info)) {
		printf("Bail out! GET_INFO: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	svm = info.vendor == PARTVISOR_VENDOR_SVM;
	__cpuid(0x80000001, a, b, c, d);
	rdtscp = !!(d & (1u << 27));
	__cpuid_count(7, 0, a, b, c, d);
	rdpid = !!(c & (1u << 22));
	printf("TAP version 13\n1..5\n");
	pv_diag("%s, host RDTSCP %d, RDPID %d", svm ? "AMD-V" : "VT-x",
		rdtscp, rdpid);
	if (pv_guest_new(dev, &g, MEM_SIZE, CODE, ic_guest,
			 ic_guest_end - ic_guest) ||
	    ioctl(g.vp, PARTVISOR_GET_VP_STATE, &st)) {
		printf("Bail out! set up the guest: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	pv_state_real(&st, 0, CODE, 0x8000);
	if (ioctl(g.vp, PARTVISOR_SET_VP_STATE, &st)) {
		printf("Bail out! set the state: %s\n", strerror(errno));
		return PV_EXIT_FAIL;
	}
	ret = ioctl(g.vp, PARTVISOR_RUN_VP, &r);
	other = pv_vp_counter(g.id, 0, "intercepts_other");
	pv_check(!ret && r.reason == PARTVISOR_EXIT_IO &&
		 r.io.port == PORT_DONE && other >= 4,
		 "WBINVD, WBNOINVD, INVD and RDPMC are intercepted and completed without the VMM (ret %d, exit %u, port %#x, %lld other intercepts)",
		 ret, r.reason, r.io.port, other);
	pv_check(pv_guest_u32(&g, AUX_MSR) == TSC_AUX_VAL,
		 "RDMSR TSC_AUX gives back what WRMSR set (%#x)",
		 pv_guest_u32(&g, AUX_MSR));
	pv_check(g.mem[FAULTS + 13] == 1,
		 "RDPMC raises #GP (%u times)", g.mem[FAULTS + 13]);
	if (svm && rdtscp)
		pv_check(pv_guest_u32(&g, AUX_RDTSCP) == TSC_AUX_VAL,
			 "RDTSCP reads the VP's TSC_AUX (%#x)",
			 pv_guest_u32(&g, AUX_RDTSCP));
	else
		pv_check(g.mem[FAULTS + 6] >= 1 && pv_guest_u32(&g, AUX_RDTSCP) == 0,
			 "RDTSCP raises #UD (%s)", svm ? "the host has none" :
			 "VT-x gives a child none");
	if (svm && rdpid)
		pv_check(pv_guest_u32(&g, AUX_RDPID) == TSC_AUX_VAL,
			 "RDPID reads the VP's TSC_AUX (%#x)",
			 pv_guest_u32(&g, AUX_RDPID));
	else
		pv_check(g.mem[FAULTS + 6] == (svm && rdtscp ? 1 : 2) &&
			 pv_guest_u32(&g, AUX_RDPID) == 0,
			 "RDPID raises #UD (%u #UDs in all)", g.mem[FAULTS + 6]);
	pv_guest_free(&g);
	close(dev);
	return pv_finish();
}
