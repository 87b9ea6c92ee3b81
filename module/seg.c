// SPDX-License-Identifier: GPL-2.0
/*
 * Segment registers as the hardware has them cached, read back from the
 * live GDT, for building a root VP's guest state on either vendor.
 */
#include <asm/desc.h>

#include "partvisor.h"

void pv_seg_read(u16 sel, struct pv_seg *seg)
{
	struct desc_struct *d;
	struct desc_ptr gdtr;

	memset(seg, 0, sizeof(*seg));
	seg->sel = sel;
	if (!(sel & ~3))
		return;
	native_store_gdt(&gdtr);
	d = (struct desc_struct *)(gdtr.address + (sel & ~7));
	seg->attrib = d->type | d->s << 4 | d->dpl << 5 | d->p << 7 |
		      d->avl << 8 | d->l << 9 | d->d << 10 | d->g << 11;
	seg->limit = get_desc_limit(d);
	if (d->g)
		seg->limit = (seg->limit << 12) | 0xfff;
	seg->base = get_desc_base(d);
	/* System descriptors (TSS, LDT) are 16 bytes with the base's top. */
	if (!d->s)
		seg->base |= (u64)((struct ldttss_desc *)d)->base3 << 32;
}
