// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/partvisor: the root driver's control device. Every ioctl checks
 * CAP_SYS_ADMIN itself, because an fd may be passed to a process that
 * never had the right to open the device.
 */
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "partvisor.h"

void pv_fill_info(struct partvisor_info *info)
{
	/* Once launched the extension is ours: EFER.SVME is set by us. */
	u32 state = pv_launched() ? 0 : pv_ext_state_all_cpus();

	pv_caps_to_info(&pv_caps, state, num_online_cpus(), info);
}

static long pv_ioctl_get_info(void __user *argp)
{
	struct partvisor_info info;

	pv_fill_info(&info);
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
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
