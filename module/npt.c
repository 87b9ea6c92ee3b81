// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page tables, vendor-neutral: a radix tree of 4 KiB table pages
 * whose entry format comes from the backend (struct pv_npt_fmt). Tables
 * are allocated as mappings need them and freed only with the whole tree,
 * so a lookup in host mode never meets a table being freed. Leaves are
 * written with WRITE_ONCE: the hardware and host-mode lookups may read
 * them at any time; the caller flushes the partition's TLB tag after an
 * unmap before the memory behind it is reused.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include "npt.h"

#define PV_NPT_ENTRIES		512

static unsigned int pv_npt_index(u64 gpa, unsigned int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * level)) & (PV_NPT_ENTRIES - 1);
}

static u64 *pv_npt_alloc_table(struct pv_npt *npt)
{
	u64 *t = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (t)
		npt->nr_tables++;
	return t;
}

int pv_npt_init(struct pv_npt *npt, const struct pv_npt_fmt *fmt,
		unsigned int levels)
{
	if (levels != 4 && levels != 5)
		return -EINVAL;
	npt->fmt = fmt;
	npt->levels = levels;
	npt->nr_tables = 0;
	npt->root = pv_npt_alloc_table(npt);
	return npt->root ? 0 : -ENOMEM;
}

static void pv_npt_free_level(struct pv_npt *npt, u64 *table,
			      unsigned int level)
{
	unsigned int i;
	u64 e;

	for (i = 0; level && i < PV_NPT_ENTRIES; i++) {
		e = table[i];
		if (e & npt->fmt->valid)
			pv_npt_free_level(npt, __va(e & npt->fmt->addr),
					  level - 1);
	}
	free_page((unsigned long)table);
	npt->nr_tables--;
}

void pv_npt_free(struct pv_npt *npt)
{
	if (npt->root)
		pv_npt_free_level(npt, npt->root, npt->levels - 1);
	npt->root = NULL;
}

/* The leaf slot for gpa, with the tables above it made when asked to. */
static u64 *pv_npt_slot(struct pv_npt *npt, u64 gpa, bool alloc)
{
	u64 *table = npt->root;
	unsigned int level;
	u64 *e, *next;

	for (level = npt->levels - 1; level; level--) {
		e = &table[pv_npt_index(gpa, level)];
		if (!(READ_ONCE(*e) & npt->fmt->valid)) {
			if (!alloc)
				return NULL;
			next = pv_npt_alloc_table(npt);
			if (!next)
				return NULL;
			WRITE_ONCE(*e, npt->fmt->table(__pa(next)));
		}
		table = __va(READ_ONCE(*e) & npt->fmt->addr);
	}
	return &table[pv_npt_index(gpa, 0)];
}

static bool pv_npt_gpa_ok(u64 gpa)
{
	return PAGE_ALIGNED(gpa) && !(gpa >> PV_NPT_GPA_BITS);
}

int pv_npt_map(struct pv_npt *npt, u64 gpa, phys_addr_t hpa, u32 prot)
{
	u64 *slot;

	if (!pv_npt_gpa_ok(gpa) || !PAGE_ALIGNED(hpa) ||
	    !(prot & PV_NPT_READ) || (prot & ~PV_NPT_PROT_MASK))
		return -EINVAL;
	slot = pv_npt_slot(npt, gpa, true);
	if (!slot)
		return -ENOMEM;
	if (*slot & npt->fmt->valid)
		return -EEXIST;
	WRITE_ONCE(*slot, npt->fmt->leaf(hpa, prot));
	return 0;
}

int pv_npt_unmap(struct pv_npt *npt, u64 gpa)
{
	u64 *slot;

	if (!pv_npt_gpa_ok(gpa))
		return -EINVAL;
	slot = pv_npt_slot(npt, gpa, false);
	if (!slot || !(*slot & npt->fmt->valid))
		return -ENOENT;
	WRITE_ONCE(*slot, 0);
	return 0;
}

/* The leaf entry for gpa, or 0. Safe in host mode: no locks, no faults. */
u64 pv_npt_lookup(const struct pv_npt *npt, u64 gpa)
{
	const u64 *table = npt->root;
	unsigned int level;
	u64 e;

	if (!table || (gpa >> PV_NPT_GPA_BITS))
		return 0;
	for (level = npt->levels - 1; level; level--) {
		e = READ_ONCE(table[pv_npt_index(gpa, level)]);
		if (!(e & npt->fmt->valid))
			return 0;
		table = __va(e & npt->fmt->addr);
	}
	e = READ_ONCE(table[pv_npt_index(gpa, 0)]);
	return e & npt->fmt->valid ? e : 0;
}
