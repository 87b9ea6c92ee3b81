/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probes for root_guard_test.c: each runs one virtualization instruction
 * and returns 0 when it completed, 1 when it faulted (caught through the
 * exception table). The argument (RDI) is a page's physical address for
 * AMD-V's instructions, which take it in RAX, and a pointer to one for
 * VT-x's, which read it from memory.
 */
#include <linux/linkage.h>
#include <asm/asm.h>

.macro PV_GUARD name, insn:vararg
SYM_FUNC_START(\name)
	mov	%rdi, %rax
	xor	%ecx, %ecx
1:	\insn
	xor	%eax, %eax
	RET
2:	mov	$1, %eax
	RET
	_ASM_EXTABLE(1b, 2b)
SYM_FUNC_END(\name)
.endm

	.text
PV_GUARD pv_guard_vmrun, vmrun %rax
PV_GUARD pv_guard_vmload, vmload %rax
PV_GUARD pv_guard_vmsave, vmsave %rax
PV_GUARD pv_guard_clgi, clgi
PV_GUARD pv_guard_stgi, stgi
PV_GUARD pv_guard_invlpga, invlpga %rax, %ecx
PV_GUARD pv_guard_vmxon, vmxon (%rax)
PV_GUARD pv_guard_vmptrld, vmptrld (%rax)
PV_GUARD pv_guard_vmclear, vmclear (%rax)
PV_GUARD pv_guard_vmlaunch, vmlaunch
PV_GUARD pv_guard_vmresume, vmresume
