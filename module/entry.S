/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entering host mode at launch, vendor-neutral: the calling CPU moves to
 * its LP's host stack, and Linux later resumes where it called in, either
 * as the root partition's VP or, when the first entry failed, natively.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>

#include "host.h"
#include "host.inc"

	.text

SYM_FUNC_START(pv_host_enter)
	PV_PUSH_CALLEE_SAVED
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	mov	%rdx, %rdi
	call	pv_host_main
	ud2
SYM_FUNC_END(pv_host_enter)

/* The root's first guest-mode instruction, on the stack it launched from. */
SYM_CODE_START(pv_root_resume)
	UNWIND_HINT_EMPTY
	PV_POP_CALLEE_SAVED
	xor	%eax, %eax
	RET
SYM_CODE_END(pv_root_resume)

/* void pv_launch_abort(u64 rsp, int err): return err from the launch. */
SYM_CODE_START(pv_launch_abort)
	UNWIND_HINT_EMPTY
	mov	%rdi, %rsp
	mov	%esi, %eax
	PV_POP_CALLEE_SAVED
	RET
SYM_CODE_END(pv_launch_abort)
