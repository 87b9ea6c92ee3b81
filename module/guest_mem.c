// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and writing a child partition's memory by guest-physical
 * address, for what the root driver emulates or decodes on a VP's behalf
 * (hypercall input and output pages, instruction bytes, string I/O). Only
 * the VMM's pinned regions are reachable, with the access they were
 * mapped with, exactly as for the VP itself.
 */
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mutex.h>

#include "partition.h"

/*
 * Copy @len bytes between @buf and guest-physical @gpa. 0, -EFAULT when a
 * byte is outside every region, or -EACCES when writing a region mapped
 * without PARTVISOR_MEM_WRITE; nothing is written then. A NULL @buf only
 * checks the range. Takes p->lock, so the caller must not hold it (the
 * VP's lock may be held).
 */
int pv_gpa_access(struct pv_partition *p, u64 gpa, void *buf, size_t len,
		  bool write)
{
	u64 end = gpa + len;
	u64 cur;
	int ret = 0;

	if (end < gpa)
		return -EFAULT;
	mutex_lock(&p->lock);
	/* Check the whole range first so that a failed write changes nothing. */
	for (cur = gpa; cur < end; ) {
		struct pv_mem_region *r = pv_part_region(p, cur);

		if (!r) {
			ret = -EFAULT;
			goto out;
		}
		if (write && !(r->flags & PARTVISOR_MEM_WRITE)) {
			ret = -EACCES;
			goto out;
		}
		cur = r->gpa + r->size;
	}
	if (!buf)
		goto out;
	for (cur = gpa; cur < end; ) {
		struct pv_mem_region *r = pv_part_region(p, cur);
		u64 off = cur - r->gpa;
		size_t n = min_t(u64, end - cur, PAGE_SIZE - offset_in_page(off));
		struct page *pg = r->pages[off >> PAGE_SHIFT];
		void *va = kmap_local_page(pg);

		if (write)
			memcpy(va + offset_in_page(off), buf, n);
		else
			memcpy(buf, va + offset_in_page(off), n);
		kunmap_local(va);
		buf += n;
		cur += n;
	}
out:
	mutex_unlock(&p->lock);
	return ret;
}
