// SPDX-License-Identifier: GPL-2.0
/*
 * partvisor: a late-launch Hyper-V-style hypervisor for Linux.
 * Module entry points.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "partvisor.h"
#include "vendor.h"
#include "sched/classic.h"
#include "fpu.h"
#include "spec.h"

static bool launch = true;
module_param(launch, bool, 0444);
MODULE_PARM_DESC(launch, "late-launch the hypervisor on load (default); 0: only the control device and capability report");

static int __init pv_init(void)
{
	int ret;

	ret = pv_vendor_init();
	if (ret) {
		pr_err("cannot read the virtualization capabilities (%d)\n", ret);
		return ret;
	}

	pv_stats_init();
	pv_spec_init();
	pv_fpu_init();
	pv_debugfs_init();
	if (launch) {
		ret = pv_launch_all();
		if (ret)
			goto fail_launch;
	}

	ret = pv_classic_init();
	if (ret) {
		pr_err("cannot start the classic scheduler (%d)\n", ret);
		goto fail_classic;
	}

	/* Last: once the device exists, userspace may hold the module. */
	ret = pv_dev_init();
	if (ret) {
		pr_err("cannot register /dev/partvisor (%d)\n", ret);
		goto fail_dev;
	}

	pr_info("version %s loaded, extension: %s, features %#llx\n",
		PV_MODULE_VERSION, pv_vendor_name(pv_caps.vendor),
		pv_caps.features);
	return 0;

fail_dev:
	pv_classic_exit();
fail_classic:
	pv_unlaunch_all();
fail_launch:
	pv_debugfs_exit();
	return ret;
}

static void __exit pv_exit(void)
{
	pv_classic_exit();
	pv_unlaunch_all();
	pv_dev_exit();
	pv_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(pv_init);
module_exit(pv_exit);

MODULE_DESCRIPTION("partvisor: late-launch Hyper-V-style hypervisor");
MODULE_VERSION(PV_MODULE_VERSION);
MODULE_LICENSE("GPL");
