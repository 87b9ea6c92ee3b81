/* SPDX-License-Identifier: GPL-2.0 */
/*
 * root_guard_insns.S: each runs one virtualization instruction and returns
 * 0 when it completed, 1 when it faulted.
 */
#ifndef _PV_ROOT_GUARD_H
#define _PV_ROOT_GUARD_H

#include <linux/types.h>

int pv_guard_vmrun(u64 pa);
int pv_guard_vmload(u64 pa);
int pv_guard_vmsave(u64 pa);
int pv_guard_clgi(u64 pa);
int pv_guard_stgi(u64 pa);
int pv_guard_invlpga(u64 pa);
int pv_guard_vmxon(u64 *pa);
int pv_guard_vmptrld(u64 *pa);
int pv_guard_vmclear(u64 *pa);
int pv_guard_vmlaunch(u64 *pa);
int pv_guard_vmresume(u64 *pa);

#endif /* _PV_ROOT_GUARD_H */
