// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: the VMM lends page-aligned user memory for ranges of
 * guest-physical addresses. The pages are pinned for as long as they are
 * mapped (FOLL_LONGTERM: the hypervisor maps them in the child's nested
 * page table, behind the back of the VMM's page tables) and charged to the
 * VMM's RLIMIT_MEMLOCK like any other long-term pin. Writable memory
 * must be anonymous, shmem/memfd or hugetlbfs (pv_page_pin_ok()).
 */
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "partvisor.h"
#include "partition.h"
#include "vendor.h"

/* Pages pinned for all partitions; tests read it to find leaks. */
static atomic64_t pv_pinned_total = ATOMIC64_INIT(0);

u64 pv_pinned_pages(void)
{
	return atomic64_read(&pv_pinned_total);
}

/* Checks that need no partition state, for map (@map) and unmap. */
static int pv_region_args(const struct partvisor_memory_region *r, bool map)
{
	if (r->reserved0 || memchr_inv(r->reserved, 0, sizeof(r->reserved)))
		return -EINVAL;
	if (!r->size || !PAGE_ALIGNED(r->gpa) || !PAGE_ALIGNED(r->size))
		return -EINVAL;
	/* The second test also catches gpa + size wrapping around. */
	if (r->size > PARTVISOR_MAX_REGION_SIZE ||
	    r->gpa >= PARTVISOR_MAX_GPA ||
	    r->size > PARTVISOR_MAX_GPA - r->gpa)
		return -EINVAL;
	if (!map)
		return r->uaddr || r->flags ? -EINVAL : 0;

	if ((r->flags & ~PARTVISOR_MEM_ALL) || !(r->flags & PARTVISOR_MEM_READ))
		return -EINVAL;
	if (!PAGE_ALIGNED(r->uaddr) || r->uaddr + r->size < r->uaddr)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(r->uaddr), r->size))
		return -EFAULT;
	return 0;
}

static bool pv_region_overlaps(struct pv_partition *p, u64 gpa, u64 size)
{
	struct pv_mem_region *r;

	list_for_each_entry(r, &p->regions, node)
		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return true;
	return false;
}

/* The region that holds @gpa, or NULL. The caller holds p->lock. */
struct pv_mem_region *pv_part_region(struct pv_partition *p, u64 gpa)
{
	struct pv_mem_region *r;

	lockdep_assert_held(&p->lock);
	list_for_each_entry(r, &p->regions, node) {
		if (gpa < r->gpa)
			break;
		if (gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/*
 * Whether a page may stay pinned writable for as long as it is mapped:
 * anonymous memory (private file mappings included: the write pin copies
 * their pages), shmem and memfd, hugetlbfs. Page-cache pages of other
 * files are not: the child writes them behind the file system's back, so
 * writeback may see a page change under it or clean it while the child
 * still writes (the long-standing GUP and page-cache problem).
 */
static bool pv_page_pin_ok(struct page *page)
{
	struct folio *folio = page_folio(page);
	struct address_space *mapping;

	if (folio_test_anon(folio) || folio_test_hugetlb(folio))
		return true;
	mapping = folio_mapping(folio);
	return !mapping || shmem_mapping(mapping);
}

static int pv_region_pin(struct pv_mem_region *r)
{
	unsigned int gup = FOLL_LONGTERM;
	unsigned long done = 0, i;
	int n;

	if (r->flags & PARTVISOR_MEM_WRITE)
		gup |= FOLL_WRITE;
	/* pin_user_pages_fast() may pin fewer pages than asked for. */
	while (done < r->nr_pages) {
		n = pin_user_pages_fast(r->uaddr + done * PAGE_SIZE,
					r->nr_pages - done, gup,
					r->pages + done);
		if (n <= 0) {
			unpin_user_pages(r->pages, done);
			return n ? n : -EFAULT;
		}
		done += n;
	}
	if (!(gup & FOLL_WRITE))
		return 0;
	for (i = 0; i < r->nr_pages; i++) {
		if (!pv_page_pin_ok(r->pages[i])) {
			unpin_user_pages(r->pages, r->nr_pages);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static void pv_region_unpin(struct pv_partition *p, struct pv_mem_region *r)
{
	/* The child may have written anything it was allowed to. */
	unpin_user_pages_dirty_lock(r->pages, r->nr_pages,
				    r->flags & PARTVISOR_MEM_WRITE);
	account_locked_vm(p->mm, r->nr_pages, false);
	atomic64_sub(r->nr_pages, &pv_pinned_total);
}

static void pv_region_free(struct pv_mem_region *r)
{
	kvfree(r->pages);
	kfree(r);
}

/* Map @r for the partition; on failure nothing is left pinned. */
static int pv_region_add(struct pv_partition *p, struct pv_mem_region *r)
{
	struct pv_mem_region *pos;
	int ret;

	lockdep_assert_held(&p->lock);
	if (p->nr_regions >= PARTVISOR_MAX_REGIONS)
		return -ENOSPC;
	if (pv_region_overlaps(p, r->gpa, r->size))
		return -EEXIST;

	ret = account_locked_vm(p->mm, r->nr_pages, true);
	if (ret)
		return ret;
	ret = pv_region_pin(r);
	if (ret) {
		account_locked_vm(p->mm, r->nr_pages, false);
		return ret;
	}
	atomic64_add(r->nr_pages, &pv_pinned_total);
	if (pv_vendor_children()) {
		ret = pv_vendor->map(p, r);
		if (ret) {
			pv_region_unpin(p, r);
			return ret;
		}
	}

	/* Keep the list sorted by gpa. */
	list_for_each_entry(pos, &p->regions, node)
		if (pos->gpa > r->gpa)
			break;
	list_add_tail(&r->node, &pos->node);
	p->nr_regions++;
	p->mapped_bytes += r->size;
	p->pinned_pages += r->nr_pages;
	return 0;
}

long pv_map_memory(struct pv_partition *p, void __user *argp)
{
	struct partvisor_memory_region args;
	struct pv_mem_region *r;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	ret = pv_region_args(&args, true);
	if (ret)
		return ret;
	/* The pages come from, and are charged to, the creator's mm. */
	if (current->mm != p->mm)
		return -EPERM;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->gpa = args.gpa;
	r->size = args.size;
	r->uaddr = args.uaddr;
	r->flags = args.flags;
	r->nr_pages = args.size >> PAGE_SHIFT;
	r->pages = kvmalloc_array(r->nr_pages, sizeof(*r->pages),
				  GFP_KERNEL_ACCOUNT);
	if (!r->pages) {
		kfree(r);
		return -ENOMEM;
	}

	mutex_lock(&p->lock);
	ret = pv_region_add(p, r);
	mutex_unlock(&p->lock);
	if (ret)
		pv_region_free(r);
	return ret;
}

static void pv_region_remove(struct pv_partition *p, struct pv_mem_region *r)
{
	lockdep_assert_held(&p->lock);
	if (pv_vendor_children())
		pv_vendor->unmap(p, r);
	list_del(&r->node);
	p->nr_regions--;
	p->mapped_bytes -= r->size;
	p->pinned_pages -= r->nr_pages;
	pv_region_unpin(p, r);
	pv_region_free(r);
}

long pv_unmap_memory(struct pv_partition *p, void __user *argp)
{
	struct partvisor_memory_region args;
	struct pv_mem_region *r;
	int ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	ret = pv_region_args(&args, false);
	if (ret)
		return ret;

	/* Only a whole region goes: no splitting, no partial unmaps. */
	mutex_lock(&p->lock);
	r = pv_part_region(p, args.gpa);
	if (r && r->gpa == args.gpa && r->size == args.size)
		pv_region_remove(p, r);
	else
		ret = -ENOENT;
	mutex_unlock(&p->lock);
	return ret;
}

void pv_unmap_all(struct pv_partition *p)
{
	struct pv_mem_region *r, *tmp;

	list_for_each_entry_safe(r, tmp, &p->regions, node)
		pv_region_remove(p, r);
}
