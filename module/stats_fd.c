// SPDX-License-Identifier: GPL-2.0
/*
 * Binary statistics fds (PARTVISOR_GET_STATS_FD): a counter set in the
 * self-describing layout of the uapi header. The header, the id and the
 * descriptors are built once when the fd is made; the values are a fresh
 * snapshot, taken by the same fill function as the debugfs file, on every
 * read that reaches them.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "partvisor.h"
#include "partition.h"

struct pv_stats_file {
	enum pv_stat_set_id set;
	const void *obj;
	struct file *hold;	/* keeps @obj alive; NULL for LPs */
	unsigned int nr;
	size_t head_size;	/* header, id and descriptors: data_offset */
	char head[];
};

/* Room for the longest name, NUL included, in whole u64s. */
#define PV_STATS_NAME_SIZE	56

static ssize_t pv_stats_read(struct file *filp, char __user *buf,
			     size_t len, loff_t *ppos)
{
	struct pv_stats_file *sf = filp->private_data;
	size_t total = sf->head_size + sf->nr * sizeof(u64);
	loff_t pos = *ppos;
	size_t done = 0, n;
	u64 *val;

	if (pos < 0)
		return -EINVAL;
	if (pos >= total || !len)
		return 0;
	len = min_t(size_t, len, total - pos);
	if (pos < sf->head_size) {
		n = min_t(size_t, len, sf->head_size - pos);
		if (copy_to_user(buf, sf->head + pos, n))
			return -EFAULT;
		done = n;
	}
	if (done < len) {
		val = kmalloc_array(sf->nr, sizeof(*val), GFP_KERNEL);
		if (!val)
			return -ENOMEM;
		pv_stat_sets[sf->set].fill(sf->obj, val);
		n = len - done;
		if (copy_to_user(buf + done,
				 (char *)val + (pos + done - sf->head_size), n)) {
			kfree(val);
			return -EFAULT;
		}
		kfree(val);
		done += n;
	}
	*ppos = pos + done;
	return done;
}

static int pv_stats_release(struct inode *inode, struct file *filp)
{
	struct pv_stats_file *sf = filp->private_data;

	if (sf->hold)
		fput(sf->hold);
	kfree(sf);
	return 0;
}

static const struct file_operations pv_stats_fops = {
	.owner = THIS_MODULE,	/* LPs and the sets' tables stay until close */
	.read = pv_stats_read,
	.llseek = generic_file_llseek,
	.release = pv_stats_release,
};

/* Lay out header, id and descriptors; the values follow at head_size. */
static struct pv_stats_file *pv_stats_build(enum pv_stat_set_id set,
					    const char *id)
{
	size_t dsize = sizeof(struct partvisor_stats_desc) + PV_STATS_NAME_SIZE;
	unsigned int i, nr = pv_stats_nr(set);
	struct partvisor_stats_header *h;
	struct pv_stats_file *sf;
	size_t desc_off, size;

	desc_off = sizeof(*h) + PARTVISOR_STATS_ID_SIZE;
	size = desc_off + nr * dsize;
	sf = kzalloc(sizeof(*sf) + size, GFP_KERNEL_ACCOUNT);
	if (!sf)
		return NULL;
	sf->set = set;
	sf->nr = nr;
	sf->head_size = size;
	h = (struct partvisor_stats_header *)sf->head;
	h->name_size = PV_STATS_NAME_SIZE;
	h->num_desc = nr;
	h->id_offset = sizeof(*h);
	h->desc_offset = desc_off;
	h->data_offset = size;
	strscpy(sf->head + h->id_offset, id, PARTVISOR_STATS_ID_SIZE);
	for (i = 0; i < nr; i++) {
		const struct pv_stat_desc *d = pv_stats_desc(set, i);
		struct partvisor_stats_desc *o;

		o = (struct partvisor_stats_desc *)(sf->head + desc_off +
						    i * dsize);
		o->flags = d->flags;
		o->exponent = d->exponent;
		o->size = 1;
		o->offset = i * sizeof(u64);
		if (strscpy(o->name, d->name, PV_STATS_NAME_SIZE) < 0) {
			kfree(sf);
			return NULL;
		}
	}
	return sf;
}

static int pv_stats_fd(enum pv_stat_set_id set, const void *obj,
		       struct file *hold, const char *id)
{
	struct pv_stats_file *sf;
	struct file *file;
	int fd;

	sf = pv_stats_build(set, id);
	if (!sf)
		return -ENOMEM;
	sf->obj = obj;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		kfree(sf);
		return fd;
	}
	file = anon_inode_getfile("partvisor-stats", &pv_stats_fops, sf,
				  O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		kfree(sf);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_PREAD;
	if (hold)
		sf->hold = get_file(hold);
	fd_install(fd, file);
	return fd;
}

long pv_stats_fd_ioctl(struct file *filp, void __user *argp,
		       enum pv_stats_src src)
{
	struct partvisor_stats_fd args;
	char id[PARTVISOR_STATS_ID_SIZE];
	struct pv_partition *p;
	struct pv_lp *lp;
	struct pv_vp *vp;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~PARTVISOR_STATS_LP) ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;

	switch (src) {
	case PV_STATS_SRC_PARTITION:
		if (args.vp != PARTVISOR_STATS_OWN || args.flags)
			return -EINVAL;
		p = filp->private_data;
		snprintf(id, sizeof(id), "partition-%u", p->id);
		return pv_stats_fd(PV_STATS_PARTITION, p, filp, id);
	case PV_STATS_SRC_VP:
		if (args.vp != PARTVISOR_STATS_OWN || args.flags)
			return -EINVAL;
		vp = filp->private_data;
		snprintf(id, sizeof(id), "partition-%u/vp-%u", vp->part->id,
			 vp->index);
		return pv_stats_fd(pv_stats_vp_set(), vp, filp, id);
	case PV_STATS_SRC_DEV:
		if (args.vp == PARTVISOR_STATS_OWN) {
			if (args.flags)
				return -EINVAL;
			return pv_stats_fd(PV_STATS_ROOT_PARTITION, NULL, NULL,
					   "partition-0");
		}
		lp = pv_lp_launched(args.vp);
		if (!lp)
			return -ENOENT;
		if (args.flags & PARTVISOR_STATS_LP) {
			snprintf(id, sizeof(id), "lp-%u", args.vp);
			return pv_stats_fd(pv_stats_lp_set(), lp, NULL, id);
		}
		snprintf(id, sizeof(id), "partition-0/vp-%u", args.vp);
		return pv_stats_fd(PV_STATS_ROOT_VP, lp, NULL, id);
	}
	return -EINVAL;
}
