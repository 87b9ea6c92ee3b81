// SPDX-License-Identifier: GPL-2.0
/* The scheduler mode's module parameter (module/sched/mode.h). */
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "mode.h"

const struct pv_sched_mode *pv_sched = &pv_sched_root;

static int pv_sched_param_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, pv_sched_root.name))
		pv_sched = &pv_sched_root;
	else if (sysfs_streq(val, pv_sched_classic.name))
		pv_sched = &pv_sched_classic;
	else
		return -EINVAL;
	return 0;
}

static int pv_sched_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", pv_sched->name);
}

static const struct kernel_param_ops pv_sched_param_ops = {
	.set = pv_sched_param_set,
	.get = pv_sched_param_get,
};

module_param_cb(sched, &pv_sched_param_ops, NULL, 0444);
MODULE_PARM_DESC(sched, "scheduler mode: root (default; VMM threads run their VPs) or classic (partvisor's scheduler on per-LP dispatch threads)");
