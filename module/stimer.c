// SPDX-License-Identifier: GPL-2.0
/*
 * The synthetic MSRs a child VP reads and writes without its VMM:
 * VP_INDEX, TIME_REF_COUNT and synthetic timer 0 in direct mode (the
 * timer asserts a plain vector, as a VMM's ASSERT_INTERRUPT would). Run
 * from the run loop with the VP's lock held. Reference time counts
 * 100 ns units from the partition's creation on CLOCK_MONOTONIC; the
 * timer is an hrtimer on the same clock.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>

#include "partvisor.h"
#include "partition.h"
#include "vendor.h"

#define PV_STIMER_VALID		(PARTVISOR_STIMER_ENABLE | \
				 PARTVISOR_STIMER_PERIODIC | \
				 PARTVISOR_STIMER_DIRECT | \
				 PARTVISOR_STIMER_VECTOR_MASK)
#define PV_STIMER_MIN_VECTOR	32
/* A shorter period would only load the host: 100 us at least. */
#define PV_STIMER_MIN_PERIOD	1000
#define PV_REF_UNIT_NS		100

static u64 pv_ref_time(const struct pv_partition *p)
{
	return div_u64(ktime_get_ns() - p->ref_time_base, PV_REF_UNIT_NS);
}

static u64 pv_stimer_period_ns(u64 count)
{
	return clamp_val(count, PV_STIMER_MIN_PERIOD,
			 KTIME_MAX / PV_REF_UNIT_NS) * PV_REF_UNIT_NS;
}

static enum hrtimer_restart pv_stimer_fire(struct hrtimer *t)
{
	struct pv_vp *vp = container_of(t, struct pv_vp, irq.stimer);
	u64 config = READ_ONCE(vp->irq.stimer_config), period;

	pv_vp_assert_interrupt(vp, (config & PARTVISOR_STIMER_VECTOR_MASK) >>
				   PARTVISOR_STIMER_VECTOR_SHIFT);
	if (config & PARTVISOR_STIMER_PERIODIC) {
		period = pv_stimer_period_ns(READ_ONCE(vp->irq.stimer_count));
		hrtimer_forward_now(t, ns_to_ktime(period));
		return HRTIMER_RESTART;
	}
	/* A one-shot timer disables itself, as the TLFS has it. */
	WRITE_ONCE(vp->irq.stimer_config, config & ~PARTVISOR_STIMER_ENABLE);
	return HRTIMER_NORESTART;
}

void pv_stimer_init(struct pv_vp *vp)
{
	hrtimer_init(&vp->irq.stimer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	vp->irq.stimer.function = pv_stimer_fire;
}

void pv_stimer_destroy(struct pv_vp *vp)
{
	hrtimer_cancel(&vp->irq.stimer);
}

/*
 * (Re)start the timer after a write: periodic fires every COUNT units
 * from now, one-shot at reference time COUNT (at once if that is past).
 */
static void pv_stimer_arm(struct pv_vp *vp)
{
	struct pv_vp_irq *irq = &vp->irq;
	u64 base = vp->part->ref_time_base, count = irq->stimer_count;

	hrtimer_cancel(&irq->stimer);
	if (!(irq->stimer_config & PARTVISOR_STIMER_ENABLE) || !count)
		return;
	if (irq->stimer_config & PARTVISOR_STIMER_PERIODIC) {
		hrtimer_start(&irq->stimer,
			      ns_to_ktime(pv_stimer_period_ns(count)),
			      HRTIMER_MODE_REL);
		return;
	}
	/* Beyond what ktime counts: it never expires. */
	if (count > div_u64(KTIME_MAX - base, PV_REF_UNIT_NS))
		return;
	hrtimer_start(&irq->stimer, ns_to_ktime(base + count * PV_REF_UNIT_NS),
		      HRTIMER_MODE_ABS);
}

/* Zero, or direct mode with a vector of 32 or more: else #GP. */
static bool pv_stimer_set_config(struct pv_vp *vp, u64 val)
{
	u64 vector = (val & PARTVISOR_STIMER_VECTOR_MASK) >>
		     PARTVISOR_STIMER_VECTOR_SHIFT;

	if (val && ((val & ~PV_STIMER_VALID) ||
		    !(val & PARTVISOR_STIMER_DIRECT) ||
		    vector < PV_STIMER_MIN_VECTOR))
		return false;
	hrtimer_cancel(&vp->irq.stimer);
	WRITE_ONCE(vp->irq.stimer_config, val);
	pv_stimer_arm(vp);
	return true;
}

/* Zero stops the timer and clears ENABLE. */
static void pv_stimer_set_count(struct pv_vp *vp, u64 val)
{
	struct pv_vp_irq *irq = &vp->irq;

	hrtimer_cancel(&irq->stimer);
	WRITE_ONCE(irq->stimer_count, val);
	if (!val)
		WRITE_ONCE(irq->stimer_config,
			   irq->stimer_config & ~PARTVISOR_STIMER_ENABLE);
	pv_stimer_arm(vp);
}

/*
 * An RDMSR or WRMSR exit: handled here, with the VP resumed past it or
 * given #GP (true), or not one of these MSRs (false: the VMM's).
 */
bool pv_synthetic_msr(struct pv_vp *vp, const struct pv_exit *e)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	bool write = e->kind == PV_EXIT_MSR_WRITE, ok = true;
	u64 val = pv_vp_reg_pair(vp, PV_REG_RDX, PV_REG_RAX);

	switch ((u32)*ops->vp_gpr(vp, PV_REG_RCX)) {
	case PARTVISOR_MSR_VP_INDEX:
		ok = !write;
		val = vp->index;
		break;
	case PARTVISOR_MSR_TIME_REF_COUNT:
		ok = !write;
		val = pv_ref_time(vp->part);
		break;
	case PARTVISOR_MSR_STIMER0_CONFIG:
		if (write)
			ok = pv_stimer_set_config(vp, val);
		else
			val = READ_ONCE(vp->irq.stimer_config);
		break;
	case PARTVISOR_MSR_STIMER0_COUNT:
		if (write)
			pv_stimer_set_count(vp, val);
		else
			val = vp->irq.stimer_count;
		break;
	default:
		return false;
	}
	if (ok && !write)
		pv_vp_set_edx_eax(vp, val);
	ops->vp_resume(vp, e, ok ? PV_RESUME_SKIP : PV_RESUME_GP);
	return true;
}
