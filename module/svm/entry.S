/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-V world switches: entering host mode at launch, one guest run of the
 * root VP, and leaving host mode on devirtualize.
 */
#include <linux/linkage.h>
#include <asm/msr-index.h>
#include <asm/unwind_hints.h>

#include "svm.h"

	.text

.macro PV_PUSH_CALLEE_SAVED
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

.macro PV_POP_CALLEE_SAVED
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
.endm

/* Every guest GPR but RAX, RSP (in the VMCB) and RDI (the base's user). */
.macro PV_LOAD_GPRS base:req
	mov	PV_GPR_RBX(\base), %rbx
	mov	PV_GPR_RCX(\base), %rcx
	mov	PV_GPR_RDX(\base), %rdx
	mov	PV_GPR_RSI(\base), %rsi
	mov	PV_GPR_RBP(\base), %rbp
	mov	PV_GPR_R8(\base), %r8
	mov	PV_GPR_R9(\base), %r9
	mov	PV_GPR_R10(\base), %r10
	mov	PV_GPR_R11(\base), %r11
	mov	PV_GPR_R12(\base), %r12
	mov	PV_GPR_R13(\base), %r13
	mov	PV_GPR_R14(\base), %r14
	mov	PV_GPR_R15(\base), %r15
.endm

/*
 * int pv_svm_launch(u64 *rsp_slot, void *stack_top, struct pv_lp *lp)
 *
 * Saves the callee-saved registers, records the stack pointer the root
 * will resume on, and continues on the LP's host stack in
 * pv_svm_host_main(), which never returns here. The root comes back from
 * this call through pv_svm_guest_resume (0, now in guest mode) or
 * pv_svm_launch_abort (an error, still native).
 */
SYM_FUNC_START(pv_svm_launch)
	PV_PUSH_CALLEE_SAVED
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	mov	%rdx, %rdi
	clgi
	call	pv_svm_host_main
	ud2
SYM_FUNC_END(pv_svm_launch)

/* The root's first guest-mode instruction, on the stack it launched from. */
SYM_CODE_START(pv_svm_guest_resume)
	UNWIND_HINT_EMPTY
	PV_POP_CALLEE_SAVED
	xor	%eax, %eax
	RET
SYM_CODE_END(pv_svm_guest_resume)

/* void pv_svm_launch_abort(u64 rsp, int err): return err from the launch. */
SYM_CODE_START(pv_svm_launch_abort)
	UNWIND_HINT_EMPTY
	mov	%rdi, %rsp
	mov	%esi, %eax
	PV_POP_CALLEE_SAVED
	RET
SYM_CODE_END(pv_svm_launch_abort)

/*
 * void pv_svm_run(struct pv_gprs *regs, u64 vmcb_pa, u64 host_save_pa)
 *
 * One VMRUN of the root VP. FS, GS, TR, LDTR and the syscall MSRs are the
 * guest's between VMLOAD and VMSAVE; the host's come back from
 * host_save_pa so that per-CPU data works in the exit handler.
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

	PV_POP_CALLEE_SAVED
	RET
SYM_FUNC_END(pv_svm_run)

/*
 * void pv_svm_devirt(struct pv_svm_leave *leave)
 *
 * Become the root again, natively: its FS/GS/TR/syscall MSRs, control
 * registers and page table, then an IRET frame just below its stack
 * pointer (kernel code has no red zone) returns to the instruction after
 * its VMMCALL with RAX = 0 (HV_STATUS_SUCCESS). GIF is set again before
 * EFER.SVME is cleared, as STGI needs SVME.
 */
SYM_CODE_START(pv_svm_devirt)
	UNWIND_HINT_EMPTY
	mov	PV_LEAVE_VMCB(%rdi), %rax
	vmload	%rax
	mov	PV_LEAVE_CR0(%rdi), %rax
	mov	%rax, %cr0
	mov	PV_LEAVE_CR4(%rdi), %rax
	mov	%rax, %cr4
	mov	PV_LEAVE_CR3(%rdi), %rax
	mov	%rax, %cr3
	mov	PV_LEAVE_DR7(%rdi), %rax
	mov	%rax, %dr7

	mov	PV_LEAVE_RSP(%rdi), %rsi
	sub	$40, %rsi
	mov	PV_LEAVE_RIP(%rdi), %rax
	mov	%rax, 0(%rsi)
	mov	PV_LEAVE_CS(%rdi), %rax
	mov	%rax, 8(%rsi)
	mov	PV_LEAVE_RFLAGS(%rdi), %rax
	mov	%rax, 16(%rsi)
	mov	PV_LEAVE_RSP(%rdi), %rax
	mov	%rax, 24(%rsi)
	mov	PV_LEAVE_SS(%rdi), %rax
	mov	%rax, 32(%rsi)
	mov	%rsi, %rsp

	stgi
	mov	PV_LEAVE_EFER(%rdi), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$MSR_EFER, %ecx
	wrmsr

	mov	PV_LEAVE_REGS(%rdi), %rax
	PV_LOAD_GPRS %rax
	mov	PV_GPR_RDI(%rax), %rdi
	xor	%eax, %eax
	iretq
SYM_CODE_END(pv_svm_devirt)
