/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VT-x backend internals shared between the C code and entry.S.
 */
#ifndef _PV_VMX_H
#define _PV_VMX_H

#include "../host.h"

/* VMCS field encoding of the host RSP, written by entry.S on every run. */
#define PV_VMCS_HOST_RSP	0x00006c14

#ifndef __ASSEMBLY__
struct pv_gprs;

/* 0 after a VM exit, 1 when VMLAUNCH or VMRESUME itself failed. */
int pv_vmx_run(struct pv_gprs *regs, int launched);
void pv_vmx_exit(void);
void __noreturn pv_vmx_devirt(struct pv_leave *leave);
int pv_xsetbv_safe(u32 index, u64 value);
#endif

#endif /* _PV_VMX_H */
