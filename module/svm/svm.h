/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-V backend internals shared between the C code and entry.S.
 */
#ifndef _PV_SVM_H
#define _PV_SVM_H

#include "../host.h"

#ifndef __ASSEMBLY__
#include <asm/svm.h>

#include "../partition.h"

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

/*
 * The vendor table's hooks from launch.c and child.c (caps.c's are in
 * partvisor.h); vendor.c lists them.
 */
int pv_svm_setup(void);
void pv_svm_teardown(void);
int pv_svm_lp_alloc(struct pv_lp *lp);
void pv_svm_lp_free(struct pv_lp *lp);
int pv_svm_lp_launch(struct pv_lp *lp);
void __noreturn pv_svm_host_main(struct pv_lp *lp);
u64 pv_svm_hypercall(u64 input, u64 param0, u64 param1);
int pv_svm_part_init(struct pv_partition *p);
void pv_svm_part_destroy(struct pv_partition *p);
int pv_svm_map(struct pv_partition *p, struct pv_mem_region *r);
void pv_svm_unmap(struct pv_partition *p, struct pv_mem_region *r);
int pv_svm_vp_init(struct pv_vp *vp);
void pv_svm_vp_destroy(struct pv_vp *vp);
void pv_svm_vp_load(struct pv_vp *vp);
void pv_svm_vp_store(struct pv_vp *vp);
int pv_svm_vp_dispatch(struct pv_vp *vp);
void pv_svm_vp_exit(struct pv_vp *vp, struct pv_exit *e);
void pv_svm_vp_resume(struct pv_vp *vp, const struct pv_exit *e,
		      enum pv_resume how);
u64 *pv_svm_vp_gpr(struct pv_vp *vp, enum pv_reg reg);
unsigned int pv_svm_vp_cpl(struct pv_vp *vp);
bool pv_svm_vp_irq_ready(struct pv_vp *vp);
void pv_svm_vp_irq_inject(struct pv_vp *vp, u8 vector);
void pv_svm_vp_irq_window(struct pv_vp *vp, bool on);
#endif

#endif /* _PV_SVM_H */
