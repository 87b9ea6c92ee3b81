// SPDX-License-Identifier: GPL-2.0
/*
 * Child partitions: creation from /dev/partvisor, the partition fd and
 * its ioctls, the CPUID table, and the life cycle. A partition is
 * reference counted: its fd holds one reference and every VP fd another,
 * so the VMM may close them in any order, or die, and the last close
 * frees everything, pinned memory included.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "partvisor.h"
#include "partition.h"
#include "vendor.h"
#include "trace.h"

/*
 * Every partition from creation until it is freed. An id is reserved
 * with a NULL entry until the partition is ready to be seen, so lookups
 * never meet one half built. Nests outside each partition's lock.
 */
static DEFINE_MUTEX(pv_parts_lock);
static DEFINE_IDR(pv_parts_idr);
static unsigned int pv_nr_parts;	/* partitions not yet freed */

unsigned int pv_nr_partitions(void)
{
	return READ_ONCE(pv_nr_parts);
}

/* The part that needs no backend: drop the id and the owner's objects. */
static void pv_part_free(struct pv_partition *p)
{
	mutex_lock(&pv_parts_lock);
	idr_remove(&pv_parts_idr, p->id);
	/* Last, so that a zero count means every page is unpinned. */
	pv_nr_parts--;
	mutex_unlock(&pv_parts_lock);

	/* No reader is left: no VP, no fd. */
	kvfree(rcu_dereference_protected(p->cpuid, true));
	mmdrop(p->mm);
	put_pid(p->owner);
	mutex_destroy(&p->lock);
	kfree(p);
}

static void pv_part_release(struct kref *ref)
{
	struct pv_partition *p = container_of(ref, struct pv_partition, ref);

	/* Hide it first: no list or debugfs reader may reach it after this. */
	mutex_lock(&pv_parts_lock);
	idr_replace(&pv_parts_idr, NULL, p->id);
	mutex_unlock(&pv_parts_lock);
	pv_debugfs_remove_partition(p);

	mutex_lock(&p->lock);
	WARN_ON_ONCE(p->nr_vps);
	trace_partition_destroy(p->id, pid_nr(p->owner), p->vps_created,
				p->mapped_bytes >> PAGE_SHIFT, p->pinned_pages);
	pv_unmap_all(p);
	if (pv_vendor_children())
		pv_vendor->part_destroy(p);
	mutex_unlock(&p->lock);
	pv_part_free(p);
}

void pv_part_put(struct pv_partition *p)
{
	kref_put(&p->ref, pv_part_release);
}

static int pv_part_release_file(struct inode *inode, struct file *filp)
{
	pv_part_put(filp->private_data);
	return 0;
}

static int pv_cpuid_check(const struct partvisor_cpuid_entry *e,
			  unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (e[i].reserved || (e[i].flags & ~PARTVISOR_CPUID_SUBLEAF))
			return -EINVAL;
		if (e[i].index && !(e[i].flags & PARTVISOR_CPUID_SUBLEAF))
			return -EINVAL;
		/* The hypervisor answers its own leaves. */
		if ((e[i].function & 0xf0000000) == 0x40000000)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (e[j].function == e[i].function &&
			    e[j].index == e[i].index)
				return -EINVAL;
	}
	return 0;
}

static long pv_set_cpuid(struct pv_partition *p, void __user *argp)
{
	struct pv_cpuid_table *table = NULL, *old;
	struct partvisor_cpuid args;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.reserved0 || memchr_inv(args.reserved, 0,
					 sizeof(args.reserved)) ||
	    args.nr_entries > PARTVISOR_MAX_CPUID_ENTRIES)
		return -EINVAL;

	if (args.nr_entries) {
		table = kvmalloc(struct_size(table, e, args.nr_entries),
				 GFP_KERNEL_ACCOUNT);
		if (!table)
			return -ENOMEM;
		table->nr = args.nr_entries;
		ret = copy_from_user(table->e, u64_to_user_ptr(args.entries),
				     array_size(table->nr, sizeof(table->e[0]))) ?
		      -EFAULT : pv_cpuid_check(table->e, table->nr);
		if (ret) {
			kvfree(table);
			return ret;
		}
	}

	mutex_lock(&p->lock);
	old = rcu_replace_pointer(p->cpuid, table, lockdep_is_held(&p->lock));
	mutex_unlock(&p->lock);
	/* A VP may be reading it in host mode right now. */
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

static long pv_get_cpuid(struct pv_partition *p, void __user *argp)
{
	const struct pv_cpuid_table *table;
	struct partvisor_cpuid args;
	unsigned int room;
	long ret = 0;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.reserved0 || memchr_inv(args.reserved, 0,
					 sizeof(args.reserved)))
		return -EINVAL;

	mutex_lock(&p->lock);
	table = rcu_dereference_protected(p->cpuid, lockdep_is_held(&p->lock));
	room = args.nr_entries;
	args.nr_entries = table ? table->nr : 0;
	if (room < args.nr_entries)
		ret = -E2BIG;
	else if (table &&
		 copy_to_user(u64_to_user_ptr(args.entries), table->e,
			      array_size(table->nr, sizeof(table->e[0]))))
		ret = -EFAULT;
	mutex_unlock(&p->lock);

	/* Too small a buffer still learns the size it needs. */
	if ((!ret || ret == -E2BIG) && copy_to_user(argp, &args, sizeof(args)))
		ret = -EFAULT;
	return ret;
}

static long pv_part_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	struct pv_partition *p = filp->private_data;
	void __user *argp = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case PARTVISOR_MAP_MEMORY:
		return pv_map_memory(p, argp);
	case PARTVISOR_UNMAP_MEMORY:
		return pv_unmap_memory(p, argp);
	case PARTVISOR_SET_CPUID:
		return pv_set_cpuid(p, argp);
	case PARTVISOR_GET_CPUID:
		return pv_get_cpuid(p, argp);
	case PARTVISOR_CREATE_VP:
		return pv_create_vp(p, argp);
	case PARTVISOR_SET_SCHED:
		return pv_sched_set_ioctl(p, argp);
	case PARTVISOR_GET_SCHED:
		return pv_sched_get_ioctl(p, argp);
	case PARTVISOR_GET_STATS_FD:
		return pv_stats_fd_ioctl(filp, argp, PV_STATS_SRC_PARTITION);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pv_part_fops = {
	.owner = THIS_MODULE,	/* rmmod waits for the last partition */
	.release = pv_part_release_file,
	.unlocked_ioctl = pv_part_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct pv_partition *pv_part_alloc(void)
{
	struct pv_partition *p;
	int id;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	pv_classic_part_init(p);

	mutex_lock(&pv_parts_lock);
	if (pv_nr_parts >= PARTVISOR_MAX_PARTITIONS)
		id = -ENOSPC;
	else
		id = idr_alloc_cyclic(&pv_parts_idr, NULL, 1, 0, GFP_KERNEL);
	if (id >= 0)
		pv_nr_parts++;
	mutex_unlock(&pv_parts_lock);
	if (id < 0) {
		kfree(p);
		return ERR_PTR(id);
	}

	kref_init(&p->ref);
	mutex_init(&p->lock);
	INIT_LIST_HEAD(&p->regions);
	p->id = id;
	p->ref_time_base = ktime_get_ns();
	p->owner = get_task_pid(current, PIDTYPE_TGID);
	/* Pages are charged to this mm; it must outlive the VMM's exit. */
	p->mm = current->mm;
	mmgrab(p->mm);
	return p;
}

long pv_create_partition(void __user *argp)
{
	struct partvisor_create_partition args;
	struct pv_partition *p;
	struct file *file;
	int fd, ret = 0;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.id ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	/* Children run under the hypervisor: there must be one. */
	if (!pv_launched())
		return -ENODEV;
	if (!current->mm)
		return -EINVAL;

	p = pv_part_alloc();
	if (IS_ERR(p))
		return PTR_ERR(p);

	if (pv_vendor_children()) {
		mutex_lock(&p->lock);
		ret = pv_vendor->part_init(p);
		mutex_unlock(&p->lock);
	}
	if (ret) {
		pv_part_free(p);
		return ret;
	}

	/* From here on the file owns the reference: fput() undoes it all. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		pv_part_put(p);
		return fd;
	}
	file = anon_inode_getfile("partvisor-partition", &pv_part_fops, p,
				  O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		pv_part_put(p);
		return PTR_ERR(file);
	}
	args.id = p->id;
	if (copy_to_user(argp, &args, sizeof(args))) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}

	mutex_lock(&pv_parts_lock);
	idr_replace(&pv_parts_idr, p, p->id);
	mutex_unlock(&pv_parts_lock);
	pv_debugfs_add_partition(p);
	trace_partition_create(p->id, pid_nr(p->owner));
	fd_install(fd, file);
	return fd;
}

static void pv_part_entry(struct pv_partition *p,
			  struct partvisor_partition_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = p->id;
	mutex_lock(&p->lock);
	e->nr_vps = p->nr_vps;
	e->nr_regions = p->nr_regions;
	e->mapped_bytes = p->mapped_bytes;
	mutex_unlock(&p->lock);
	e->owner_pid = pid_vnr(p->owner);
}

long pv_list_partitions(void __user *argp)
{
	struct partvisor_partition_entry *entries;
	struct partvisor_partition_list args;
	struct pv_partition *p;
	unsigned int n = 0;
	long ret = 0;
	int id;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.reserved0 || memchr_inv(args.reserved, 0,
					 sizeof(args.reserved)))
		return -EINVAL;

	entries = kcalloc(PARTVISOR_MAX_PARTITIONS, sizeof(*entries),
			  GFP_KERNEL);
	if (!entries)
		return -ENOMEM;

	mutex_lock(&pv_parts_lock);
	idr_for_each_entry(&pv_parts_idr, p, id)
		if (!WARN_ON_ONCE(n >= PARTVISOR_MAX_PARTITIONS))
			pv_part_entry(p, &entries[n++]);
	mutex_unlock(&pv_parts_lock);

	if (copy_to_user(u64_to_user_ptr(args.entries), entries,
			 min(n, args.count) * sizeof(*entries)))
		ret = -EFAULT;
	args.count = n;
	if (!ret && copy_to_user(argp, &args, sizeof(args)))
		ret = -EFAULT;
	kfree(entries);
	return ret;
}

/* debugfs partvisor/partitions: one line per partition. */
void pv_partitions_show(struct seq_file *m)
{
	struct partvisor_partition_entry e;
	struct pv_partition *p;
	int id;

	mutex_lock(&pv_parts_lock);
	idr_for_each_entry(&pv_parts_idr, p, id) {
		pv_part_entry(p, &e);
		seq_printf(m, "id=%u vps=%u regions=%u mapped_bytes=%llu owner_pid=%d\n",
			   e.id, e.nr_vps, e.nr_regions, e.mapped_bytes,
			   pid_nr(p->owner));
	}
	mutex_unlock(&pv_parts_lock);
}
