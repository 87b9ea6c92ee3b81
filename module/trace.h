/* SPDX-License-Identifier: GPL-2.0 */
/*
 * partvisor's tracepoints (Documentation/tracing.rst). Every argument is
 * a scalar, so that a raw_tp program reads them without the module's
 * BTF; tp_btf programs get them typed. Partitions are named by id and
 * VPs by index, as in debugfs. module/trace.c creates them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM partvisor

#if !defined(_PV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PV_TRACE_H

#include <linux/tracepoint.h>

#include "partvisor.h"
#include "partition.h"

/* The instruction set of the exit's vendor code and info words. */
#define PV_TRACE_ISA_SVM	0
#define PV_TRACE_ISA_VMX	1

/* How a vector reaches the VP (the inject event's kind). */
#define PV_TRACE_INJECT_IRQ	0	/* a fixed interrupt asserted for it */

/* enum partvisor_intercept by value in the events' format, for user space. */
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_CPUID);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_IO);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_MSR_READ);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_MSR_WRITE);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_HLT);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_HYPERCALL);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_NPF);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_CR);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_EXCEPTION);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_EXTINT);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_INTR_WINDOW);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_VIRT_INSN);
TRACE_DEFINE_ENUM(PARTVISOR_INTERCEPT_OTHER);

/* A child VP is entered: dispatched by a run loop, or resumed by host mode. */
TRACE_EVENT(vp_entry,
	    TP_PROTO(u32 part, u32 vp),
	    TP_ARGS(part, vp),
	    TP_STRUCT__entry(__field(u32, part)
			     __field(u32, vp)),
	    TP_fast_assign(__entry->part = part;
			   __entry->vp = vp;),
	    TP_printk("part=%u vp=%u", __entry->part, __entry->vp)
);

/*
 * A child VP exited: @reason is enum partvisor_intercept, the type its
 * counter set counts the exit as, @vendor_code the
 * hardware's exit code, @info1/@info2 its exit information (AMD-V:
 * EXITINFO1/EXITINFO2; VT-x: the exit qualification and the
 * guest-physical address).
 */
TRACE_EVENT(vp_exit,
	    TP_PROTO(u32 part, u32 vp, u32 reason, u64 vendor_code, u8 isa,
		     u64 rip, u64 info1, u64 info2),
	    TP_ARGS(part, vp, reason, vendor_code, isa, rip, info1, info2),
	    TP_STRUCT__entry(__field(u32, part)
			     __field(u32, vp)
			     __field(u32, reason)
			     __field(u8, isa)
			     __field(u64, vendor_code)
			     __field(u64, rip)
			     __field(u64, info1)
			     __field(u64, info2)),
	    TP_fast_assign(__entry->part = part;
			   __entry->vp = vp;
			   __entry->reason = reason;
			   __entry->isa = isa;
			   __entry->vendor_code = vendor_code;
			   __entry->rip = rip;
			   __entry->info1 = info1;
			   __entry->info2 = info2;),
	    TP_printk("part=%u vp=%u reason=%s isa=%s vendor_code=0x%llx rip=0x%llx info1=0x%llx info2=0x%llx",
		      __entry->part, __entry->vp,
		      __print_symbolic(__entry->reason,
				       { PARTVISOR_INTERCEPT_CPUID, "cpuid" },
				       { PARTVISOR_INTERCEPT_IO, "io" },
				       { PARTVISOR_INTERCEPT_MSR_READ, "msr_read" },
				       { PARTVISOR_INTERCEPT_MSR_WRITE, "msr_write" },
				       { PARTVISOR_INTERCEPT_HLT, "hlt" },
				       { PARTVISOR_INTERCEPT_HYPERCALL, "hypercall" },
				       { PARTVISOR_INTERCEPT_NPF, "npf" },
				       { PARTVISOR_INTERCEPT_CR, "cr" },
				       { PARTVISOR_INTERCEPT_EXCEPTION, "exception" },
				       { PARTVISOR_INTERCEPT_EXTINT, "extint" },
				       { PARTVISOR_INTERCEPT_INTR_WINDOW, "intr_window" },
				       { PARTVISOR_INTERCEPT_VIRT_INSN, "virt_insn" },
				       { PARTVISOR_INTERCEPT_OTHER, "other" }),
		      __entry->isa == PV_TRACE_ISA_VMX ? "vmx" : "svm",
		      __entry->vendor_code, __entry->rip, __entry->info1,
		      __entry->info2)
);

/*
 * A child's hypercall, answered: @reps is the reps completed, @cycles
 * the TSC cycles partvisor took for it.
 */
TRACE_EVENT(hypercall,
	    TP_PROTO(u32 part, u32 vp, u16 code, bool fast, u16 reps,
		     u16 status, u64 cycles),
	    TP_ARGS(part, vp, code, fast, reps, status, cycles),
	    TP_STRUCT__entry(__field(u32, part)
			     __field(u32, vp)
			     __field(u16, code)
			     __field(bool, fast)
			     __field(u16, reps)
			     __field(u16, status)
			     __field(u64, cycles)),
	    TP_fast_assign(__entry->part = part;
			   __entry->vp = vp;
			   __entry->code = code;
			   __entry->fast = fast;
			   __entry->reps = reps;
			   __entry->status = status;
			   __entry->cycles = cycles;),
	    TP_printk("part=%u vp=%u code=0x%x fast=%u reps=%u status=0x%x cycles=%llu",
		      __entry->part, __entry->vp, __entry->code, __entry->fast,
		      __entry->reps, __entry->status, __entry->cycles)
);

/* A vector is injected into a VP at its next entry. */
TRACE_EVENT(inject,
	    TP_PROTO(u32 part, u32 vp, u8 vector, u8 kind),
	    TP_ARGS(part, vp, vector, kind),
	    TP_STRUCT__entry(__field(u32, part)
			     __field(u32, vp)
			     __field(u8, vector)
			     __field(u8, kind)),
	    TP_fast_assign(__entry->part = part;
			   __entry->vp = vp;
			   __entry->vector = vector;
			   __entry->kind = kind;),
	    TP_printk("part=%u vp=%u vector=0x%x kind=%s", __entry->part,
		      __entry->vp, __entry->vector,
		      __print_symbolic(__entry->kind,
				       { PV_TRACE_INJECT_IRQ, "irq" }))
);

/*
 * Classic scheduler: LP @lp (a CPU number, as in debugfs lp/<n>)
 * dispatches a VP that waited @wait_ns since it became ready; @queued VPs
 * are left ready in the LP's run queue.
 */
TRACE_EVENT(dispatch,
	    TP_PROTO(u32 lp, u32 part, u32 vp, u64 wait_ns, u32 queued),
	    TP_ARGS(lp, part, vp, wait_ns, queued),
	    TP_STRUCT__entry(__field(u32, lp)
			     __field(u32, part)
			     __field(u32, vp)
			     __field(u32, queued)
			     __field(u64, wait_ns)),
	    TP_fast_assign(__entry->lp = lp;
			   __entry->part = part;
			   __entry->vp = vp;
			   __entry->queued = queued;
			   __entry->wait_ns = wait_ns;),
	    TP_printk("lp=%u part=%u vp=%u wait_ns=%llu queued=%u", __entry->lp,
		      __entry->part, __entry->vp, __entry->wait_ns,
		      __entry->queued)
);

/*
 * Classic scheduler: LP @lp runs another VP than the one it ran last
 * (@prev_part 0: none since its dispatch thread started).
 */
TRACE_EVENT(vp_switch,
	    TP_PROTO(u32 lp, u32 prev_part, u32 prev_vp, u32 next_part,
		     u32 next_vp),
	    TP_ARGS(lp, prev_part, prev_vp, next_part, next_vp),
	    TP_STRUCT__entry(__field(u32, lp)
			     __field(u32, prev_part)
			     __field(u32, prev_vp)
			     __field(u32, next_part)
			     __field(u32, next_vp)),
	    TP_fast_assign(__entry->lp = lp;
			   __entry->prev_part = prev_part;
			   __entry->prev_vp = prev_vp;
			   __entry->next_part = next_part;
			   __entry->next_vp = next_vp;),
	    TP_printk("lp=%u prev_part=%u prev_vp=%u ==> next_part=%u next_vp=%u",
		      __entry->lp, __entry->prev_part, __entry->prev_vp,
		      __entry->next_part, __entry->next_vp)
);

/* A child partition is created by process @owner (a global PID). */
TRACE_EVENT(partition_create,
	    TP_PROTO(u32 part, s32 owner),
	    TP_ARGS(part, owner),
	    TP_STRUCT__entry(__field(u32, part)
			     __field(s32, owner)),
	    TP_fast_assign(__entry->part = part;
			   __entry->owner = owner;),
	    TP_printk("part=%u owner=%d", __entry->part, __entry->owner)
);

/*
 * A child partition is freed: the VPs it had over its life and the
 * guest pages still mapped (and pinned) then.
 */
TRACE_EVENT(partition_destroy,
	    TP_PROTO(u32 part, s32 owner, u32 vps, u64 mapped_pages,
		     u64 pinned_pages),
	    TP_ARGS(part, owner, vps, mapped_pages, pinned_pages),
	    TP_STRUCT__entry(__field(u32, part)
			     __field(s32, owner)
			     __field(u32, vps)
			     __field(u64, mapped_pages)
			     __field(u64, pinned_pages)),
	    TP_fast_assign(__entry->part = part;
			   __entry->owner = owner;
			   __entry->vps = vps;
			   __entry->mapped_pages = mapped_pages;
			   __entry->pinned_pages = pinned_pages;),
	    TP_printk("part=%u owner=%d vps=%u mapped_pages=%llu pinned_pages=%llu",
		      __entry->part, __entry->owner, __entry->vps,
		      __entry->mapped_pages, __entry->pinned_pages)
);

/* Call sites with a VP and its exit, one line each. */
#ifndef _PV_TRACE_CALLS_H
#define _PV_TRACE_CALLS_H

static inline void pv_trace_vp_entry(const struct pv_vp *vp)
{
	trace_vp_entry(vp->part->id, vp->index);
}

static inline void pv_trace_vp_exit(const struct pv_vp *vp,
				    const struct pv_exit *e)
{
	if (!trace_vp_exit_enabled())
		return;
	trace_vp_exit(vp->part->id, vp->index, pv_exit_intercept(e),
		      e->vendor_code,
		      pv_caps.vendor == PARTVISOR_VENDOR_VMX ?
		      PV_TRACE_ISA_VMX : PV_TRACE_ISA_SVM,
		      e->rip, e->info[0], e->info[1]);
}

static inline void pv_trace_inject(const struct pv_vp *vp, u8 vector)
{
	trace_inject(vp->part->id, vp->index, vector, PV_TRACE_INJECT_IRQ);
}

#endif /* _PV_TRACE_CALLS_H */

#endif /* _PV_TRACE_H */

/* This part must be outside the multi-read guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
