/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction lengths for SVM intercepts on CPUs without NRIPS (next-RIP
 * save), such as QEMU TCG: the hypervisor must find the next RIP itself.
 */
#ifndef _PV_SVM_INSN_LEN_H
#define _PV_SVM_INSN_LEN_H

#include <linux/types.h>

#include "../emulate.h"

/* The intercepted instructions whose length the backend may need. */
enum pv_svm_insn {
	PV_INSN_CPUID,
	PV_INSN_RDMSR,
	PV_INSN_WRMSR,
	PV_INSN_HLT,
	PV_INSN_PAUSE,
	PV_INSN_RDTSC,
	PV_INSN_RDTSCP,
	PV_INSN_RDPMC,
	PV_INSN_INVD,
	PV_INSN_WBINVD,
	PV_INSN_XSETBV,
	PV_INSN_MONITOR,
	PV_INSN_MWAIT,
	PV_INSN_VMRUN,
	PV_INSN_VMMCALL,
	PV_INSN_VMLOAD,
	PV_INSN_VMSAVE,
	PV_INSN_STGI,
	PV_INSN_CLGI,
	PV_INSN_SKINIT,
	PV_INSN_INVLPGA,
	PV_NR_SVM_INSNS,
};

/* The architectural limit on one x86 instruction. */
#define PV_MAX_INSN_LEN		15

int pv_svm_insn_len(const u8 *bytes, unsigned int avail, bool long_mode,
		    enum pv_svm_insn insn);
int pv_svm_insn_min_len(enum pv_svm_insn insn);
int pv_svm_mov_dr_len(const u8 *bytes, unsigned int avail, bool long_mode,
		      bool write, u8 *gpr);
int pv_svm_cr0_write_len(const u8 *bytes, unsigned int avail, bool long_mode,
			 enum pv_cr0_op *op, u8 *gpr);

#endif /* _PV_SVM_INSN_LEN_H */
