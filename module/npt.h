/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested page tables: what a child partition's guest-physical addresses
 * map to. Four or five levels of 512 entries (AMD's nested walk has as
 * many levels as the host's paging: five under LA57), 4 KiB leaves, built and changed in
 * process context under the partition's lock; looked up (never changed)
 * in host mode. The entry format is the vendor's: AMD's nested page
 * tables use ordinary x86-64 entries, Intel's EPT its own bits.
 */
#ifndef _PV_NPT_H
#define _PV_NPT_H

#include <linux/bits.h>
#include <linux/types.h>

/* Access a mapping grants; READ is required, AMD-V cannot express less. */
#define PV_NPT_READ		BIT(0)
#define PV_NPT_WRITE		BIT(1)
#define PV_NPT_EXEC		BIT(2)
#define PV_NPT_PROT_MASK	(PV_NPT_READ | PV_NPT_WRITE | PV_NPT_EXEC)

/* Guest-physical addresses we map (four levels' worth). */
#define PV_NPT_GPA_BITS		48

struct pv_npt_fmt {
	u64 (*table)(phys_addr_t pa);		/* entry for a next-level table */
	u64 (*leaf)(phys_addr_t pa, u32 prot);	/* entry for a 4 KiB page */
	u64 valid;				/* an entry with any of these is in use */
	u64 addr;				/* the physical address bits */
};

extern const struct pv_npt_fmt pv_npt_fmt_amd;
extern const struct pv_npt_fmt pv_npt_fmt_ept;

struct pv_npt {
	const struct pv_npt_fmt *fmt;
	u64 *root;
	unsigned int levels;		/* 4 or 5 */
	unsigned long nr_tables;	/* pages of tables, root included */
};

int pv_npt_init(struct pv_npt *npt, const struct pv_npt_fmt *fmt,
		unsigned int levels);
void pv_npt_free(struct pv_npt *npt);
int pv_npt_map(struct pv_npt *npt, u64 gpa, phys_addr_t hpa, u32 prot);
int pv_npt_unmap(struct pv_npt *npt, u64 gpa);
u64 pv_npt_lookup(const struct pv_npt *npt, u64 gpa);

#endif /* _PV_NPT_H */
