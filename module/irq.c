// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed interrupts for child VPs. Any thread asserts one (the VMM's
 * PARTVISOR_ASSERT_INTERRUPT, the VP's synthetic timer, a guest IPI) by
 * setting its bit in the VP's pending bitmap, without the VP's lock,
 * which RUN holds throughout. The run loop injects the highest pending
 * vector before each dispatch when the VP can take it, and otherwise
 * asks the backend for an exit as soon as it can. An assert kicks a VP
 * that is in the child (a reschedule IPI: any physical interrupt ends a
 * child's run) and wakes one that waits in HLT.
 *
 * The run loop and an assert order themselves like this: the run loop
 * clears @news, then reads the bitmap; at entry it publishes its LP in
 * @cpu, then checks @news and gives up the entry if it is set. An
 * assert sets the bit, then @news, then reads @cpu. Either the run loop
 * sees the new bit, or the assert sees the LP and interrupts it.
 */
#include <linux/atomic.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "partvisor.h"
#include "partition.h"
#include "vendor.h"
#include "trace.h"

/* Exceptions own 0-15; 16-31 only for the TLFS's guest IPIs. */
#define PV_FIRST_IRQ_VECTOR	16
#define PV_FIRST_VMM_VECTOR	32

void pv_vp_irq_init(struct pv_vp *vp)
{
	vp->irq.cpu = -1;
	init_waitqueue_head(&vp->irq.wq);
	pv_stimer_init(vp);
}

/* No RUN, no timer callback and no assert runs any more or later. */
void pv_vp_irq_destroy(struct pv_vp *vp)
{
	pv_stimer_destroy(vp);
}

static bool pv_irq_any(struct pv_vp *vp)
{
	return find_first_bit(vp->irq.pending, PV_NR_VECTORS) < PV_NR_VECTORS;
}

bool pv_irq_pending(struct pv_vp *vp)
{
	return pv_irq_any(vp);
}

/*
 * Any context, also hard interrupts (the timer); never sleeps. The caller
 * keeps @vp alive: it holds the VP's fd, or it holds the partition's lock
 * and found @vp in its vps[] (the release takes it out under that lock).
 * Vectors 16-255; the ioctl allows 32-255 only.
 */
int pv_vp_assert_interrupt(struct pv_vp *vp, u32 vector)
{
	struct pv_vp_irq *irq = &vp->irq;
	int cpu, me;

	if (vector < PV_FIRST_IRQ_VECTOR || vector >= PV_NR_VECTORS)
		return -EINVAL;
	set_bit(vector, irq->pending);
	/* The bit before @news: see the top. */
	smp_mb__after_atomic();
	atomic_set(&irq->news, 1);
	/* @news before @cpu; pairs with pv_irq_enter's. */
	smp_mb();
	cpu = READ_ONCE(irq->cpu);
	me = get_cpu();
	/* On this LP the run loop is not in the child: it sees @news. */
	if (cpu >= 0 && cpu != me) {
		smp_send_reschedule(cpu);
		pv_lp_count_ipi();
	}
	put_cpu();
	wake_up_interruptible(&irq->wq);
	/* Classic mode: a VP halted in the scheduler becomes ready. */
	if (pv_sched->irq)
		pv_sched->irq(vp);
	return 0;
}

long pv_vp_assert_ioctl(struct pv_vp *vp, void __user *argp)
{
	struct partvisor_interrupt args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.vector < PV_FIRST_VMM_VECTOR || args.vector >= PV_NR_VECTORS ||
	    args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	return pv_vp_assert_interrupt(vp, args.vector);
}

/*
 * The backend, with interrupts off on @cpu, just before it enters the
 * child: false if something was asserted since pv_irq_prepare looked
 * (the run loop then looks again instead of entering).
 */
bool pv_irq_enter(struct pv_vp *vp, int cpu)
{
	WRITE_ONCE(vp->irq.cpu, cpu);
	/* @cpu before @news; pairs with pv_vp_assert_interrupt's. */
	smp_mb();
	if (!atomic_read(&vp->irq.news))
		return true;
	WRITE_ONCE(vp->irq.cpu, -1);
	return false;
}

/* ...and after the child's exit, interrupts still off. */
void pv_irq_leave(struct pv_vp *vp)
{
	WRITE_ONCE(vp->irq.cpu, -1);
}

/*
 * The run loop, before each dispatch: wait while the VP is halted, then
 * inject the highest pending vector if the VP can take it, and ask for an
 * interrupt-window exit while any remains pending. 0, or -EINTR for a
 * signal during the wait (the VP stays halted for the next RUN).
 */
int pv_irq_prepare(struct pv_vp *vp)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct pv_vp_irq *irq = &vp->irq;
	unsigned int vector;

	if (irq->halted) {
		if (wait_event_interruptible(irq->wq, pv_irq_any(vp)))
			return -EINTR;
		irq->halted = false;
	}
	atomic_xchg(&irq->news, 0);
	vector = find_last_bit(irq->pending, PV_NR_VECTORS);
	if (vector < PV_NR_VECTORS && ops->vp_irq_ready(vp) &&
	    test_and_clear_bit(vector, irq->pending)) {
		ops->vp_irq_inject(vp, vector);
		pv_stat_add(&vp->stats.interrupts_injected, 1);
		pv_trace_inject(vp, vector);
		vector = find_last_bit(irq->pending, PV_NR_VECTORS);
	}
	ops->vp_irq_window(vp, vector < PV_NR_VECTORS);
	return 0;
}

/*
 * A HLT the backend has already skipped. With RFLAGS.IF set the VP waits
 * inside RUN for an interrupt (true); with IF clear nothing can wake it
 * and the VMM decides (false).
 */
bool pv_irq_halt(struct pv_vp *vp)
{
	if (!pv_vendor->vp_irq_ready(vp))
		return false;
	vp->irq.halted = true;
	return true;
}
