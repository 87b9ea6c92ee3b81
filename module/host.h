/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-mode pieces shared by both backends and their entry code: the
 * layout of the saved guest registers, the state a CPU returns to when it
 * leaves host mode, and the assembly that gets it there.
 */
#ifndef _PV_HOST_H
#define _PV_HOST_H

/* Offsets in struct pv_gprs. */
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
#define PV_GPR_RAX	112

/* Offsets in struct pv_leave. */
#define PV_LEAVE_CR0		0
#define PV_LEAVE_CR3		8
#define PV_LEAVE_CR4		16
#define PV_LEAVE_EFER		24
#define PV_LEAVE_RIP		32
#define PV_LEAVE_CS		40
#define PV_LEAVE_RFLAGS		48
#define PV_LEAVE_RSP		56
#define PV_LEAVE_SS		64
#define PV_LEAVE_REGS		72
#define PV_LEAVE_DR7		80
#define PV_LEAVE_DS		88
#define PV_LEAVE_ES		96
#define PV_LEAVE_FS		104
#define PV_LEAVE_GS		112
#define PV_LEAVE_FS_BASE	120
#define PV_LEAVE_GS_BASE	128
#define PV_LEAVE_VMCB		136

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct pv_lp;

/* The root's state at the moment it leaves host mode. */
struct pv_leave {
	u64 cr0, cr3, cr4, efer, rip, cs, rflags, rsp, ss;
	u64 regs;		/* struct pv_gprs * */
	u64 dr7;
	u64 ds, es, fs, gs, fs_base, gs_base;	/* VT-x only */
	u64 vmcb_pa;				/* AMD-V only */
};

/*
 * int pv_host_enter(u64 *rsp_slot, void *stack_top, struct pv_lp *lp):
 * continue on the LP's host stack in pv_host_main(lp), which never returns
 * there. The caller comes back through pv_root_resume (0, now the root
 * partition's VP) or pv_launch_abort (an error, still native).
 */
int pv_host_enter(u64 *rsp_slot, void *stack_top, struct pv_lp *lp);
void pv_root_resume(void);
void __noreturn pv_launch_abort(u64 rsp, int err);
void pv_host_main(struct pv_lp *lp);
#endif

#endif /* _PV_HOST_H */
