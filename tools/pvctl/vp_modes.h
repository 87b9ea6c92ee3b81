/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting states for a partvisor VP, for pvctl and the selftests. A new
 * VP holds the state of a CPU after INIT (real mode at f000:fff0); these
 * helpers turn such a state into a flat 16-bit real-mode, 32-bit
 * protected-mode or 64-bit long-mode state at a given entry point, the
 * way a loader leaves a CPU. The caller provides the GDT (selectors 0x08
 * code, 0x10 data, 0x18 TSS) and, for long mode, page tables at @cr3;
 * the hidden parts set here are what loading those selectors would give.
 */
#ifndef _PVCTL_VP_MODES_H
#define _PVCTL_VP_MODES_H

#include <string.h>
#include <linux/partvisor.h>

#define PV_SEL_CODE	0x08
#define PV_SEL_DATA	0x10
#define PV_SEL_TSS	0x18

#define PV_CR0_PE	0x1ULL
#define PV_CR0_ET	0x10ULL
#define PV_CR0_NE	0x20ULL
#define PV_CR0_WP	0x10000ULL
#define PV_CR0_PG	0x80000000ULL
#define PV_CR4_PAE	0x20ULL
#define PV_EFER_LME	0x100ULL
#define PV_EFER_LMA	0x400ULL

/* Present, S, DPL 0, plus @type and the size bits. */
static inline __u16 pv_seg_attrib(unsigned int type, unsigned int size_bits)
{
	return PARTVISOR_SEG_P | PARTVISOR_SEG_S | type | size_bits;
}

static inline void pv_seg_set(struct partvisor_segment *seg, __u16 sel,
			      __u64 base, __u32 limit, __u16 attrib)
{
	seg->selector = sel;
	seg->base = base;
	seg->limit = limit;
	seg->attrib = attrib;
}

static inline void pv_data_segs(struct partvisor_vp_state *s, __u16 sel,
				__u64 base, __u32 limit, __u16 attrib)
{
	pv_seg_set(&s->ds, sel, base, limit, attrib);
	pv_seg_set(&s->es, sel, base, limit, attrib);
	pv_seg_set(&s->fs, sel, base, limit, attrib);
	pv_seg_set(&s->gs, sel, base, limit, attrib);
	pv_seg_set(&s->ss, sel, base, limit, attrib);
}

/* Real mode, every segment at @seg (base seg << 4), execution at seg:ip. */
static inline void pv_state_real(struct partvisor_vp_state *s, __u16 seg,
				 __u16 ip, __u16 sp)
{
	pv_seg_set(&s->cs, seg, (__u64)seg << 4, 0xffff, pv_seg_attrib(0xb, 0));
	pv_data_segs(s, seg, (__u64)seg << 4, 0xffff, pv_seg_attrib(0x3, 0));
	s->rip = ip;
	s->rsp = sp;
	s->cr0 = PV_CR0_ET;
	s->cr4 = 0;
	s->efer = 0;
	s->rflags = PARTVISOR_RFLAGS_FIXED1;
}

static inline void pv_flat_tables(struct partvisor_vp_state *s,
				  __u64 gdt_base, __u16 gdt_limit,
				  __u64 tss_base)
{
	s->gdtr.base = gdt_base;
	s->gdtr.limit = gdt_limit;
	pv_seg_set(&s->tr, PV_SEL_TSS, tss_base, 0x67, PARTVISOR_SEG_P | 0xb);
	memset(&s->ldtr, 0, sizeof(s->ldtr));	/* null: unusable */
}

/* 32-bit protected mode, flat 4 GiB segments, no paging. */
static inline void pv_state_protected(struct partvisor_vp_state *s,
				      __u32 eip, __u32 esp, __u64 gdt_base,
				      __u16 gdt_limit, __u64 tss_base)
{
	__u16 big = PARTVISOR_SEG_G | PARTVISOR_SEG_DB;

	pv_seg_set(&s->cs, PV_SEL_CODE, 0, 0xffffffff, pv_seg_attrib(0xb, big));
	pv_data_segs(s, PV_SEL_DATA, 0, 0xffffffff, pv_seg_attrib(0x3, big));
	pv_flat_tables(s, gdt_base, gdt_limit, tss_base);
	s->rip = eip;
	s->rsp = esp;
	s->cr0 = PV_CR0_PE | PV_CR0_ET | PV_CR0_NE;
	s->cr4 = 0;
	s->efer = 0;
	s->rflags = PARTVISOR_RFLAGS_FIXED1;
}

/* 64-bit long mode with 4-level paging rooted at @cr3. */
static inline void pv_state_long(struct partvisor_vp_state *s, __u64 rip,
				 __u64 rsp, __u64 cr3, __u64 gdt_base,
				 __u16 gdt_limit, __u64 tss_base)
{
	__u16 big = PARTVISOR_SEG_G | PARTVISOR_SEG_DB;

	pv_seg_set(&s->cs, PV_SEL_CODE, 0, 0xffffffff,
		   pv_seg_attrib(0xb, PARTVISOR_SEG_G | PARTVISOR_SEG_L));
	pv_data_segs(s, PV_SEL_DATA, 0, 0xffffffff, pv_seg_attrib(0x3, big));
	pv_flat_tables(s, gdt_base, gdt_limit, tss_base);
	s->rip = rip;
	s->rsp = rsp;
	s->cr0 = PV_CR0_PE | PV_CR0_ET | PV_CR0_NE | PV_CR0_WP | PV_CR0_PG;
	s->cr3 = cr3;
	s->cr4 = PV_CR4_PAE;
	s->efer = PV_EFER_LME | PV_EFER_LMA;
	s->rflags = PARTVISOR_RFLAGS_FIXED1;
}

#endif /* _PVCTL_VP_MODES_H */
