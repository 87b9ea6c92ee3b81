// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V's vendor table (vendor.h): what the extension is (caps.c), host
 * mode (launch.c, entry.S) and child partitions (child.c, npt.c).
 */
#include <asm/cpufeatures.h>

#include "../vendor.h"
#include "svm.h"

/* Every AMD-V CPU partvisor launches on runs children (NPT is required). */
static bool pv_svm_children_ok(void)
{
	return true;
}

const struct pv_vendor_ops pv_svm_vendor = {
	.name = "svm",
	.vendor = PARTVISOR_VENDOR_SVM,
	.kvm_module = "kvm_amd",
	.x86_feature = X86_FEATURE_SVM,
	.probe = pv_svm_probe,
	.ext_state = pv_svm_ext_state,

	.setup = pv_svm_setup,
	.teardown = pv_svm_teardown,
	.lp_alloc = pv_svm_lp_alloc,
	.lp_free = pv_svm_lp_free,
	.lp_launch = pv_svm_lp_launch,
	.host_main = pv_svm_host_main,
	.hypercall = pv_svm_hypercall,

	.children_ok = pv_svm_children_ok,
	.part_init = pv_svm_part_init,
	.part_destroy = pv_svm_part_destroy,
	.map = pv_svm_map,
	.unmap = pv_svm_unmap,
	.vp_init = pv_svm_vp_init,
	.vp_destroy = pv_svm_vp_destroy,
	.vp_load = pv_svm_vp_load,
	.vp_store = pv_svm_vp_store,
	.vp_dispatch = pv_svm_vp_dispatch,
	.vp_exit = pv_svm_vp_exit,
	.vp_resume = pv_svm_vp_resume,
	.vp_gpr = pv_svm_vp_gpr,
	.vp_cpl = pv_svm_vp_cpl,
	.vp_irq_ready = pv_svm_vp_irq_ready,
	.vp_irq_inject = pv_svm_vp_irq_inject,
	.vp_irq_window = pv_svm_vp_irq_window,
};
