/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VT-x world switches: one guest run of the root VP, and leaving host
 * mode on devirtualize.
 */
#include <linux/linkage.h>
#include <linux/errno.h>
#include <asm/asm.h>
#include <asm/cpufeatures.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "vmx.h"
#include "../host.inc"

	.text

/*
 * int pv_vmx_run(struct pv_gprs *regs, int launched)
 *
 * One VMLAUNCH (first run) or VMRESUME of the root VP. A VM exit lands on
 * pv_vmx_exit with the stack pointer recorded here as the host RSP, so
 * the regs pointer is on top of the stack there, just as when the
 * instruction fails and falls through. The flags tell the two apart: a VM
 * exit clears them all, VMfail sets CF or ZF. Returns 0 after a VM exit
 * and 1 on VMfail (the guest registers are then saved back unchanged).
 * The return stack buffer and branch history are cleared before the
 * first RET (module/spec.c).
 */
SYM_FUNC_START(pv_vmx_run)
	PV_PUSH_CALLEE_SAVED
	push	%rdi
	mov	$PV_VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax

	/* The MOVs below leave the flags alone. */
	test	%esi, %esi
	mov	PV_GPR_RAX(%rdi), %rax
	PV_LOAD_GPRS %rdi
	mov	PV_GPR_RDI(%rdi), %rdi
	jnz	.Lresume
	vmlaunch
	jmp	pv_vmx_exit
.Lresume:
	vmresume

SYM_INNER_LABEL(pv_vmx_exit, SYM_L_GLOBAL)
	/* Nothing from here to SETNA may change the flags. */
	push	%rdi
	mov	8(%rsp), %rdi
	PV_SAVE_GPRS %rdi
	popq	PV_GPR_RDI(%rdi)
	lea	8(%rsp), %rsp
	setna	%bl

	PV_RSB_REFILL %rcx, 1f
	CLEAR_BRANCH_HISTORY_VMEXIT
1:	movzbl	%bl, %eax
	PV_POP_CALLEE_SAVED
	RET
SYM_FUNC_END(pv_vmx_run)

/*
 * void pv_vmx_devirt(struct pv_leave *leave)
 *
 * Become the root again after VMXOFF: its data segments and FS/GS bases
 * (a VM exit zeroed the selectors), control registers and page table,
 * then back to it after the instruction that left host mode. The GS
 * selector is loaded only when the root's is not null (a kernel thread's
 * always is), because loading it changes the GS base that per-CPU data
 * and an NMI arriving right then depend on.
 */
SYM_CODE_START(pv_vmx_devirt)
	UNWIND_HINT_EMPTY
	mov	PV_LEAVE_DS(%rdi), %rax
	mov	%eax, %ds
	mov	PV_LEAVE_ES(%rdi), %rax
	mov	%eax, %es
	mov	PV_LEAVE_FS(%rdi), %rax
	mov	%eax, %fs
	mov	$MSR_FS_BASE, %ecx
	mov	PV_LEAVE_FS_BASE(%rdi), %eax
	mov	PV_LEAVE_FS_BASE+4(%rdi), %edx
	wrmsr
	mov	PV_LEAVE_GS(%rdi), %rax
	test	%eax, %eax
	jz	1f
	mov	%eax, %gs
1:	mov	$MSR_GS_BASE, %ecx
	mov	PV_LEAVE_GS_BASE(%rdi), %eax
	mov	PV_LEAVE_GS_BASE+4(%rdi), %edx
	wrmsr
	PV_LEAVE_CRS %rdi
	PV_LEAVE_TAIL %rdi
SYM_CODE_END(pv_vmx_devirt)

/*
 * int pv_xsetbv_safe(u32 index, u64 value): XSETBV for the root, which
 * VT-x always intercepts; 0, or -EIO when it raised #GP.
 */
SYM_FUNC_START(pv_xsetbv_safe)
	mov	%edi, %ecx
	mov	%rsi, %rax
	mov	%rsi, %rdx
	shr	$32, %rdx
1:	xsetbv
	xor	%eax, %eax
	RET
2:	mov	$-EIO, %eax
	RET
	_ASM_EXTABLE(1b, 2b)
SYM_FUNC_END(pv_xsetbv_safe)
