/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry, interrupt stubs and the instructions that may fault on purpose.
 * pvctl starts every VP here in 64-bit mode with RDI = VP index and
 * RSI = VP count; each VP takes the stack rt_stacks[RDI].
 */
#define RT_MAX_VPS	64
#define RT_STACK_SHIFT	14	/* 16 KiB, RT_STACK_SIZE */

	.section .text.start, "ax"
	.code64
	.globl	_start
_start:
	cli
	cld
	cmpq	$RT_MAX_VPS, %rdi
	jae	.Ltoo_many
	leaq	1(%rdi), %rax
	shlq	$RT_STACK_SHIFT, %rax
	movabsq	$rt_stacks, %rsp
	addq	%rax, %rsp
	xorl	%ebp, %ebp
	call	rt_start		/* (vp_index, nr_vps); does not return */
.Ltoo_many:
	hlt
	jmp	.Ltoo_many

	.text
/* Each vector's stub is 16 bytes: (error code,) vector, common path. */
	.macro	rt_stub n
	.balign	16
	.if	(\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	rt_isr_common
	.endm

	.balign	16
	.globl	rt_isr_stubs
rt_isr_stubs:
	.altmacro
	.set	vec, 0
	.rept	256
	rt_stub	%vec
	.set	vec, vec + 1
	.endr
	.noaltmacro

/*
 * The CPU aligned RSP to 16 and pushed 5 words; with the error code,
 * the vector and 9 scratch registers that is 128 bytes: aligned again.
 */
rt_isr_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	leaq	72(%rsp), %rdi		/* struct rt_frame */
	call	rt_interrupt
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp
	iretq

/* int rt_rdmsr_safe(uint32_t msr, uint64_t *v): a #GP resumes at the fixup. */
	.globl	rt_rdmsr_safe, rt_rdmsr_insn, rt_wrmsr_safe, rt_wrmsr_insn
	.globl	rt_msr_fixup
rt_rdmsr_safe:
	movl	%edi, %ecx
rt_rdmsr_insn:
	rdmsr
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, (%rsi)
	xorl	%eax, %eax
	ret

/* int rt_wrmsr_safe(uint32_t msr, uint64_t v) */
rt_wrmsr_safe:
	movl	%edi, %ecx
	movl	%esi, %eax
	movq	%rsi, %rdx
	shrq	$32, %rdx
rt_wrmsr_insn:
	wrmsr
	xorl	%eax, %eax
	ret

rt_msr_fixup:
	movl	$-1, %eax
	ret

/*
 * uint64_t rt_hypercall(control, input, output): RCX, RDX, R8 as the TLFS
 * has them. AMD has VMMCALL, Intel VMCALL; the other one raises #UD,
 * which switches rt_use_vmmcall and resumes at the right instruction.
 */
	.globl	rt_hypercall, rt_vmcall_insn, rt_vmmcall_insn
rt_hypercall:
	movq	%rdi, %rcx
	movq	%rdx, %r8
	movq	%rsi, %rdx
	cmpb	$0, rt_use_vmmcall
	jne	rt_vmmcall_insn
rt_vmcall_insn:
	vmcall
	ret
rt_vmmcall_insn:
	vmmcall
	ret

	.section .note.GNU-stack, "", @progbits
