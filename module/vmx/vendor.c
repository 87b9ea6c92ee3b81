// SPDX-License-Identifier: GPL-2.0
/*
 * VT-x's vendor table (vendor.h): what the extension is (caps.c), host
 * mode (launch.c, entry.S) and child partitions (child.c, ept.c).
 */
#include <asm/cpufeatures.h>

#include "../vendor.h"
#include "vmx.h"

const struct pv_vendor_ops pv_vmx_vendor = {
	.name = "vmx",
	.vendor = PARTVISOR_VENDOR_VMX,
	.kvm_module = "kvm_intel",
	.x86_feature = X86_FEATURE_VMX,
	.probe = pv_vmx_probe,
	.ext_state = pv_vmx_ext_state,

	.setup = pv_vmx_setup,
	.teardown = pv_vmx_teardown,
	.lp_alloc = pv_vmx_lp_alloc,
	.lp_free = pv_vmx_lp_free,
	.lp_launch = pv_vmx_lp_launch,
	.lp_devirtualized = pv_vmx_lp_devirtualized,
	.host_main = pv_vmx_host_main,
	.hypercall = pv_vmx_hypercall,

	.children_ok = pv_vmx_children_ok,
	.part_init = pv_vmx_part_init,
	.part_destroy = pv_vmx_part_destroy,
	.map = pv_vmx_map,
	.unmap = pv_vmx_unmap,
	.vp_init = pv_vmx_vp_init,
	.vp_destroy = pv_vmx_vp_destroy,
	.vp_load = pv_vmx_vp_load,
	.vp_store = pv_vmx_vp_store,
	.vp_dispatch = pv_vmx_vp_dispatch,
	.vp_exit = pv_vmx_vp_exit,
	.vp_resume = pv_vmx_vp_resume,
	.vp_gpr = pv_vmx_vp_gpr,
	.vp_cpl = pv_vmx_vp_cpl,
	.vp_irq_ready = pv_vmx_vp_irq_ready,
	.vp_irq_inject = pv_vmx_vp_irq_inject,
	.vp_irq_window = pv_vmx_vp_irq_window,
};
