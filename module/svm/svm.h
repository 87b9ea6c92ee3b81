/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-V backend internals shared between the C code and entry.S.
 */
#ifndef _PV_SVM_H
#define _PV_SVM_H

/* Offsets in struct pv_gprs, for entry.S. */
#define PV_GPR_RBX	0
#define PV_GPR_RCX	8
#define PV_GPR_RDX	16
#define PV_GPR_RSI	24
#define PV_GPR_RDI	32
#define PV_GPR_RBP	40
#define PV_GPR_R8	48
#define PV_GPR_R9	56
#define PV_GPR_R10	64
#define PV_GPR_R11	72
#define PV_GPR_R12	80
#define PV_GPR_R13	88
#define PV_GPR_R14	96
#define PV_GPR_R15	104

/* Offsets in struct pv_svm_leave, for entry.S. */
#define PV_LEAVE_VMCB	0
#define PV_LEAVE_CR0	8
#define PV_LEAVE_CR3	16
#define PV_LEAVE_CR4	24
#define PV_LEAVE_EFER	32
#define PV_LEAVE_RIP	40
#define PV_LEAVE_CS	48
#define PV_LEAVE_RFLAGS	56
#define PV_LEAVE_RSP	64
#define PV_LEAVE_SS	72
#define PV_LEAVE_REGS	80
#define PV_LEAVE_DR7	88

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct pv_gprs;
struct pv_lp;

/* The root's state at the moment it leaves virtualization. */
struct pv_svm_leave {
	u64 vmcb_pa, cr0, cr3, cr4, efer, rip, cs, rflags, rsp, ss;
	u64 regs;	/* struct pv_gprs * */
	u64 dr7;
};

int pv_svm_launch(u64 *rsp_slot, void *stack_top, struct pv_lp *lp);
void pv_svm_guest_resume(void);
void pv_svm_launch_abort(u64 rsp, int err);
void pv_svm_run(struct pv_gprs *regs, u64 vmcb_pa, u64 host_save_pa);
void pv_svm_devirt(struct pv_svm_leave *leave);
#endif

#endif /* _PV_SVM_H */
