// SPDX-License-Identifier: GPL-2.0
/*
 * A child partition's guest-physical memory as the hardware walks it, for
 * both backends: the nested page table, and the rule that an unmap waits
 * for runs in progress (they hold run_lock for reading around each
 * dispatch) and bumps tlb_gen so that every VP flushes its TLB tag before
 * its next run. Only then may the core unpin the pages. The same rule
 * lets host mode read guest memory through the table (pv_child_mem_read).
 * pv_child_mem_enter/leave bracket a dispatch on either backend, with the
 * FPU switch (module/fpu.c) and the barrier between partitions
 * (module/spec.c).
 */
#include <linux/irqflags.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/io.h>

#include "partition.h"
#include "fpu.h"
#include "spec.h"

int pv_child_mem_init(struct pv_child_mem *m, const struct pv_npt_fmt *fmt,
		      unsigned int levels)
{
	init_rwsem(&m->run_lock);
	atomic_set(&m->tlb_gen, 0);
	return pv_npt_init(&m->npt, fmt, levels);
}

void pv_child_mem_free(struct pv_child_mem *m)
{
	pv_npt_free(&m->npt);
}

static void pv_child_mem_unmap_pages(struct pv_child_mem *m, u64 gpa,
				     unsigned long n)
{
	unsigned long i;

	down_write(&m->run_lock);
	for (i = 0; i < n; i++)
		pv_npt_unmap(&m->npt, gpa + i * PAGE_SIZE);
	atomic_inc(&m->tlb_gen);
	up_write(&m->run_lock);
}

/* A region into the table; on failure nothing of it stays mapped. */
int pv_child_mem_map(struct pv_child_mem *m, struct pv_mem_region *r)
{
	u32 prot = (r->flags & PARTVISOR_MEM_READ ? PV_NPT_READ : 0) |
		   (r->flags & PARTVISOR_MEM_WRITE ? PV_NPT_WRITE : 0) |
		   (r->flags & PARTVISOR_MEM_EXEC ? PV_NPT_EXEC : 0);
	unsigned long i;
	int ret;

	for (i = 0; i < r->nr_pages; i++) {
		ret = pv_npt_map(&m->npt, r->gpa + i * PAGE_SIZE,
				 page_to_phys(r->pages[i]), prot);
		if (ret) {
			/* A VP may already have used the first pages. */
			pv_child_mem_unmap_pages(m, r->gpa, i);
			return ret;
		}
	}
	return 0;
}

void pv_child_mem_unmap(struct pv_child_mem *m, struct pv_mem_region *r)
{
	pv_child_mem_unmap_pages(m, r->gpa, r->nr_pages);
}

/*
 * The start of a dispatch, for both backends: the run lock for reading
 * (no unmap meanwhile), interrupts off, and the VP known to this LP for
 * interrupt kicks. False, with nothing held, when an interrupt was
 * asserted in between and the run loop should look again. *@flush says
 * whether the VP's TLB tag may hold stale translations: it last ran on
 * another LP, an unmap came since, or the tag is @shared with other
 * partitions.
 */
bool pv_child_mem_enter(struct pv_child_mem *m, struct pv_vp *vp,
			struct pv_tlb_track *t, bool shared, bool *flush)
{
	struct pv_lp *lp;
	int cpu, gen;

	down_read(&m->run_lock);
	local_irq_disable();
	cpu = smp_processor_id();
	if (!pv_irq_enter(vp, cpu)) {
		local_irq_enable();
		up_read(&m->run_lock);
		return false;
	}
	gen = atomic_read(&m->tlb_gen);
	*flush = t->last_cpu != cpu || t->gen != gen || shared;
	t->last_cpu = cpu;
	t->gen = gen;
	pv_fpu_dispatch_enter(vp);
	lp = pv_lp_launched(cpu);
	if (lp)		/* else the dispatch fails */
		pv_spec_dispatch(lp, vp);
	return true;
}

/* ...and its end. */
void pv_child_mem_leave(struct pv_child_mem *m, struct pv_vp *vp)
{
	pv_fpu_dispatch_leave(vp);
	pv_irq_leave(vp);
	local_irq_enable();
	up_read(&m->run_lock);
}

/*
 * Copy @len bytes at guest-physical @gpa into @buf through the nested
 * page table, as the VP itself would read them: 0, or -EFAULT when a page
 * is not mapped. For host mode and for holders of run_lock, which keeps
 * every mapped page pinned; no locks, nothing that sleeps.
 */
int pv_child_mem_read(void *mem, u64 gpa, void *buf, unsigned int len)
{
	struct pv_child_mem *m = mem;
	unsigned int n;
	u64 e;

	while (len) {
		n = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		e = pv_npt_lookup(&m->npt, gpa & PAGE_MASK);
		if (!e)
			return -EFAULT;
		memcpy(buf, __va((e & m->npt.fmt->addr) + offset_in_page(gpa)), n);
		buf += n;
		gpa += n;
		len -= n;
	}
	return 0;
}
