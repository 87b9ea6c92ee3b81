/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-V world switches: one guest run of the root VP, and leaving host
 * mode on devirtualize.
 */
#include <linux/linkage.h>
#include <asm/cpufeatures.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "svm.h"
#include "../host.inc"

	.text

/*
 * void pv_svm_run(struct pv_gprs *regs, u64 vmcb_pa, u64 host_save_pa)
 *
 * One VMRUN of the root VP. FS, GS, TR, LDTR and the syscall MSRs are the
 * guest's between VMLOAD and VMSAVE; the host's come back from
 * host_save_pa so that per-CPU data works in the exit handler. The
 * return stack buffer is refilled before the first RET (module/spec.c).
 */
SYM_FUNC_START(pv_svm_run)
	PV_PUSH_CALLEE_SAVED
	push	%rdx
	push	%rsi
	push	%rdi

	mov	%rsi, %rax
	PV_LOAD_GPRS %rdi
	mov	PV_GPR_RDI(%rdi), %rdi

	vmload	%rax
	vmrun	%rax

	xchg	%rdi, (%rsp)
	mov	%rbx, PV_GPR_RBX(%rdi)
	mov	%rcx, PV_GPR_RCX(%rdi)
	mov	%rdx, PV_GPR_RDX(%rdi)
	mov	%rsi, PV_GPR_RSI(%rdi)
	mov	%rbp, PV_GPR_RBP(%rdi)
	mov	%r8, PV_GPR_R8(%rdi)
	mov	%r9, PV_GPR_R9(%rdi)
	mov	%r10, PV_GPR_R10(%rdi)
	mov	%r11, PV_GPR_R11(%rdi)
	mov	%r12, PV_GPR_R12(%rdi)
	mov	%r13, PV_GPR_R13(%rdi)
	mov	%r14, PV_GPR_R14(%rdi)
	mov	%r15, PV_GPR_R15(%rdi)
	popq	PV_GPR_RDI(%rdi)

	pop	%rax
	vmsave	%rax
	pop	%rax
	vmload	%rax

	PV_RSB_REFILL %rax, 1f
	UNTRAIN_RET
1:
	PV_POP_CALLEE_SAVED
	RET
SYM_FUNC_END(pv_svm_run)

/*
 * void pv_svm_devirt(struct pv_leave *leave)
 *
 * Become the root again, natively: its FS/GS/TR/syscall MSRs from its
 * VMCB, control registers and page table, then back to it after its
 * VMMCALL. GIF is set again before EFER.SVME is cleared, as STGI needs
 * SVME.
 */
SYM_CODE_START(pv_svm_devirt)
	UNWIND_HINT_EMPTY
	mov	PV_LEAVE_VMCB(%rdi), %rax
	vmload	%rax
	PV_LEAVE_CRS %rdi
	stgi
	PV_LEAVE_TAIL %rdi
SYM_CODE_END(pv_svm_devirt)
