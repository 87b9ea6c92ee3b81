/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-V backend internals shared between the C code and entry.S.
 */
#ifndef _PV_SVM_H
#define _PV_SVM_H

#include "../host.h"

#ifndef __ASSEMBLY__
#include <asm/svm.h>

struct pv_gprs;

/* Raise a hardware exception in the guest at its next VMRUN. */
static inline void pv_svm_inject(struct vmcb *vmcb, unsigned int vector,
				 bool error_code)
{
	vmcb->control.event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT |
				  vector |
				  (error_code ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = 0;
}

void pv_svm_run(struct pv_gprs *regs, u64 vmcb_pa, u64 host_save_pa);
void __noreturn pv_svm_devirt(struct pv_leave *leave);

/* Child partitions: child.c */
int pv_svm_child_setup(void);
void pv_svm_child_teardown(void);
u64 pv_svm_dispatch(struct pv_lp *lp, void *host_save);
#endif

#endif /* _PV_SVM_H */
