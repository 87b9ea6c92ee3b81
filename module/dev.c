// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/partvisor: the root driver's control device. Every ioctl checks
 * CAP_SYS_ADMIN itself, because an fd may be passed to a process that
 * never had the right to open the device.
 */
#include <linux/bitfield.h>
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "partvisor.h"
#include "vendor.h"
#include "partition.h"
#include "hcall/hcall.h"

void pv_fill_info(struct partvisor_info *info)
{
	/* Once launched the extension is ours: EFER.SVME is set by us. */
	u32 state = pv_launched() ? 0 : pv_ext_state_all_cpus();

	pv_caps_to_info(&pv_caps, state, num_online_cpus(), info);
	info->sched_mode = pv_sched->id;
}

static long pv_ioctl_get_info(void __user *argp)
{
	struct partvisor_info info;

	pv_fill_info(&info);
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/*
 * Read hypervisor properties with one GET_SYSTEM_PROPERTY hypercall. The
 * id and value lists are kernel pages, given by physical address: the
 * root has no nested paging. Continuation is the hypervisor's business:
 * the hypercall instruction simply runs again until the call completes.
 */
static long pv_ioctl_get_properties(void __user *argp)
{
	struct partvisor_properties props;
	u64 *ids = NULL, *values = NULL;
	size_t len;
	u64 result;
	long ret;

	BUILD_BUG_ON(PARTVISOR_MAX_PROPERTIES * sizeof(u64) > PAGE_SIZE);
	BUILD_BUG_ON(PARTVISOR_MAX_PROPERTIES >
		     FIELD_MAX(HV_HC_REP_COUNT_MASK));

	if (copy_from_user(&props, argp, sizeof(props)))
		return -EFAULT;
	if (props.version != PARTVISOR_PROPERTIES_VERSION || !props.count ||
	    props.count > PARTVISOR_MAX_PROPERTIES ||
	    memchr_inv(props.reserved, 0, sizeof(props.reserved)))
		return -EINVAL;
	/* Only a launched hypervisor answers hypercalls. */
	if (!pv_launched())
		return -ENODEV;

	len = props.count * sizeof(u64);
	ids = (u64 *)__get_free_page(GFP_KERNEL);
	values = (u64 *)get_zeroed_page(GFP_KERNEL);
	if (!ids || !values) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(ids, u64_to_user_ptr(props.ids), len)) {
		ret = -EFAULT;
		goto out;
	}

	result = pv_hypercall(PV_HC_GET_SYSTEM_PROPERTY |
			      FIELD_PREP(HV_HC_REP_COUNT_MASK,
					 (u64)props.count),
			      __pa(ids), __pa(values));
	props.status = FIELD_GET(HV_HC_RESULT_STATUS_MASK, result);
	props.reps_done = min_t(u32, FIELD_GET(HV_HC_RESULT_REPS_MASK, result),
				props.count);

	/* The values page was zeroed: entries from reps_done on read 0. */
	ret = 0;
	if (copy_to_user(u64_to_user_ptr(props.values), values, len) ||
	    copy_to_user(argp, &props, sizeof(props)))
		ret = -EFAULT;
out:
	free_page((unsigned long)values);
	free_page((unsigned long)ids);
	return ret;
}

static long pv_dev_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case PARTVISOR_GET_INFO:
		return pv_ioctl_get_info(argp);
	case PARTVISOR_GET_PROPERTIES:
		return pv_ioctl_get_properties(argp);
	case PARTVISOR_CREATE_PARTITION:
		return pv_create_partition(argp);
	case PARTVISOR_LIST_PARTITIONS:
		return pv_list_partitions(argp);
	case PARTVISOR_GET_STATS_FD:
		return pv_stats_fd_ioctl(filp, argp, PV_STATS_SRC_DEV);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = pv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice pv_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "partvisor",
	.fops = &pv_dev_fops,
	.mode = 0600,
};

int pv_dev_init(void)
{
	return misc_register(&pv_miscdev);
}

void pv_dev_exit(void)
{
	misc_deregister(&pv_miscdev);
}
