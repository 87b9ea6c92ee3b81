// SPDX-License-Identifier: GPL-2.0
/*
 * The counter sets: their descriptors and snapshots, shared by debugfs
 * (name: value lines) and the binary statistics fd (stats_fd.c). Every
 * value is read once per snapshot with READ_ONCE while its owner may be
 * writing it; nothing here stops or waits for an LP.
 */
#include <linux/kernel_stat.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/seq_file.h>
#include <linux/tick.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "partvisor.h"
#include "partition.h"
#include "hcall/hcall.h"

#define CUM		PARTVISOR_STATS_TYPE_CUMULATIVE
#define INSTANT		PARTVISOR_STATS_TYPE_INSTANT
#define CYCLES		PARTVISOR_STATS_UNIT_CYCLES
#define SECONDS		PARTVISOR_STATS_UNIT_SECONDS
#define PAGES		PARTVISOR_STATS_UNIT_PAGES

/*
 * The VP set is built at load time from the uapi's intercept names and
 * the hypercall table, so that debugfs, the binary fd and the
 * tracepoint's reason use one list each.
 */
#define PV_VP_NR_DESC	(4 + 3 * PARTVISOR_NR_INTERCEPTS + 2 * PV_NR_HC_SLOTS + 2)
#define PV_NAME_LEN	48

static char pv_vp_names[PV_VP_NR_DESC][PV_NAME_LEN];
static struct pv_stat_desc pv_vp_desc[PV_VP_NR_DESC];
/* Where each value of the VP set is in struct pv_vp_stats, in u64s. */
static u16 pv_vp_off[PV_VP_NR_DESC];

#define PV_VP_OFF(field) (offsetof(struct pv_vp_stats, field) / sizeof(u64))

static void pv_vp_desc_add(unsigned int *n, const char *prefix,
			   const char *name, u32 flags, size_t off)
{
	snprintf(pv_vp_names[*n], PV_NAME_LEN, "%s%s", prefix, name);
	pv_vp_desc[*n].name = pv_vp_names[*n];
	pv_vp_desc[*n].flags = flags;
	pv_vp_off[*n] = off;
	(*n)++;
}

void pv_stats_init(void)
{
	static const char * const icpt[] = PARTVISOR_INTERCEPT_NAMES;
	unsigned int i, n = 0;
	char hc[PV_NAME_LEN];

	BUILD_BUG_ON(ARRAY_SIZE(icpt) != PARTVISOR_NR_INTERCEPTS);
	BUILD_BUG_ON(sizeof(struct pv_vp_stats) / sizeof(u64) > U16_MAX);

	pv_vp_desc_add(&n, "", "dispatches", CUM, PV_VP_OFF(dispatches));
	pv_vp_desc_add(&n, "run_time_", "total_cycles", CUM | CYCLES,
		       PV_VP_OFF(run_total_cycles));
	pv_vp_desc_add(&n, "run_time_", "guest_cycles", CUM | CYCLES,
		       PV_VP_OFF(run_guest_cycles));
	pv_vp_desc_add(&n, "run_time_", "hypervisor_cycles", CUM | CYCLES,
		       PV_VP_OFF(run_hypervisor_cycles));
	for (i = 0; i < PARTVISOR_NR_INTERCEPTS; i++) {
		pv_vp_desc_add(&n, "intercepts_", icpt[i], CUM,
			       PV_VP_OFF(intercepts[i]));
		pv_vp_desc_add(&n, "intercept_cycles_", icpt[i], CUM | CYCLES,
			       PV_VP_OFF(intercept_cycles[i]));
		pv_vp_desc_add(&n, "host_intercepts_", icpt[i], CUM,
			       PV_VP_OFF(host_intercepts[i]));
	}
	for (i = 0; i < PV_NR_HC_SLOTS; i++) {
		pv_hc_slot_name(i, hc, sizeof(hc));
		pv_vp_desc_add(&n, "hypercalls_", hc, CUM,
			       PV_VP_OFF(hypercalls[i]));
		pv_vp_desc_add(&n, "hypercall_cycles_", hc, CUM | CYCLES,
			       PV_VP_OFF(hypercall_cycles[i]));
	}
	pv_vp_desc_add(&n, "", "interrupts_injected", CUM,
		       PV_VP_OFF(interrupts_injected));
	pv_vp_desc_add(&n, "", "ipis_sent", CUM, PV_VP_OFF(ipis_sent));
	WARN_ON(n != PV_VP_NR_DESC);
}

static void pv_vp_stats_fill(const struct pv_vp_stats *s, u64 *val)
{
	const u64 *raw = (const u64 *)s;
	unsigned int i;

	for (i = 0; i < PV_VP_NR_DESC; i++)
		val[i] = READ_ONCE(raw[pv_vp_off[i]]);
}

static void pv_child_vp_fill(const void *obj, u64 *val)
{
	pv_vp_stats_fill(&((const struct pv_vp *)obj)->stats, val);
}

static void pv_child_vp_root_sched_fill(const void *obj, u64 *val)
{
	pv_child_vp_fill(obj, val);
	pv_root_sched_vp_fill(obj, val + PV_VP_NR_DESC);
}

static void pv_child_vp_classic_fill(const void *obj, u64 *val)
{
	pv_child_vp_fill(obj, val);
	pv_classic_vp_fill(obj, val + PV_VP_NR_DESC);
}

/*
 * The root VP runs whenever its LP is neither in host mode for it nor
 * running a child: its run times follow from the LP's clock, and replace
 * the stored ones wherever the set has them.
 */
static void pv_root_vp_fill(const void *obj, u64 *val)
{
	const struct pv_lp *lp = obj;
	const struct pv_lp_stats *st = &lp->stats;
	u64 total, hv;
	unsigned int i;

	pv_vp_stats_fill(&st->root_vp, val);
	total = rdtsc() - READ_ONCE(st->launch_tsc) -
		READ_ONCE(st->child_cycles);
	hv = READ_ONCE(st->root_vp.run_hypervisor_cycles);
	for (i = 0; i < PV_VP_NR_DESC; i++) {
		if (pv_vp_off[i] == PV_VP_OFF(run_total_cycles))
			val[i] = total;
		else if (pv_vp_off[i] == PV_VP_OFF(run_guest_cycles))
			val[i] = total > hv ? total - hv : 0;
		else if (pv_vp_off[i] == PV_VP_OFF(run_hypervisor_cycles))
			val[i] = hv;
	}
}

static const struct pv_stat_desc pv_part_desc[] = {
	{ "id", INSTANT },
	{ "owner_pid", INSTANT },
	{ "vps", INSTANT },
	{ "state", INSTANT },
	{ "regions", INSTANT },
	{ "mapped_pages", INSTANT | PAGES },
	{ "pinned_pages", INSTANT | PAGES },
	{ "cpuid_entries", INSTANT },
};

static void pv_part_fill(const void *obj, u64 *val)
{
	const struct pv_partition *p = obj;
	const struct pv_cpuid_table *cpuid;

	val[0] = p->id;
	val[1] = pid_nr(p->owner);
	val[2] = READ_ONCE(p->nr_vps);
	val[3] = READ_ONCE(p->crashed) ? PV_PART_STATE_CRASHED :
					 PV_PART_STATE_ACTIVE;
	val[4] = READ_ONCE(p->nr_regions);
	val[5] = READ_ONCE(p->mapped_bytes) >> PAGE_SHIFT;
	val[6] = READ_ONCE(p->pinned_pages);
	rcu_read_lock();
	cpuid = rcu_dereference(p->cpuid);
	val[7] = cpuid ? cpuid->nr : 0;
	rcu_read_unlock();
}

/* The root partition owns all memory and has a VP on every LP. */
static void pv_root_part_fill(const void *obj, u64 *val)
{
	memset(val, 0, ARRAY_SIZE(pv_part_desc) * sizeof(*val));
	val[2] = pv_nr_launched_lps();
	val[3] = PV_PART_STATE_ACTIVE;
	val[5] = totalram_pages();
}

static const struct pv_stat_desc pv_lp_desc[] = {
	{ "cpu", INSTANT },
	{ "run_time_total_cycles", CUM | CYCLES },
	{ "run_time_hypervisor_cycles", CUM | CYCLES },
	{ "run_time_guest_cycles", CUM | CYCLES },
	{ "run_time_idle_us", CUM | SECONDS, -6 },
	{ "run_time_child_cycles", CUM | CYCLES },
	{ "interrupts_hardware", CUM },
	{ "interrupts_timer", CUM },
	{ "ipis_received", CUM },
	{ "ipis_sent", CUM },
	{ "dispatches", CUM },
	{ "vp_switches", CUM },
	{ "world_switches", CUM },
};

/* Linux's idle time of @cpu since boot. */
u64 pv_lp_idle_us(unsigned int cpu)
{
	u64 idle = get_cpu_idle_time_us(cpu, NULL);

	if (idle == (u64)-1)	/* no NO_HZ idle accounting */
		idle = div_u64(kcpustat_cpu(cpu).cpustat[CPUTIME_IDLE],
			       NSEC_PER_USEC);
	return idle;
}

/*
 * Interrupts and idle time are Linux's: the root takes every physical
 * interrupt itself, without an intercept, so only it can count them.
 * Hypervisor time is all of host mode's, for the root's exits and the
 * children's; guest time is the rest that is not idle.
 */
static void pv_lp_fill(const void *obj, u64 *val)
{
	const struct pv_lp *lp = obj;
	const struct pv_lp_stats *st = &lp->stats;
	const irq_cpustat_t *irq = &per_cpu(irq_stat, lp->cpu);
	u64 idle = pv_lp_idle_us(lp->cpu) - READ_ONCE(st->launch_idle_us);
	u64 total, hv, idle_cycles, ipis;

	total = rdtsc() - READ_ONCE(st->launch_tsc);
	hv = READ_ONCE(st->root_vp.run_hypervisor_cycles) +
	     READ_ONCE(st->child_host_cycles);
	idle_cycles = div_u64(idle * tsc_khz, USEC_PER_MSEC);
	val[0] = lp->cpu;
	val[1] = total;
	val[2] = hv;
	val[3] = total > hv + idle_cycles ? total - hv - idle_cycles : 0;
	val[4] = idle;
	val[5] = READ_ONCE(st->child_cycles);
	ipis = READ_ONCE(irq->irq_resched_count) +
	       READ_ONCE(irq->irq_call_count);
	val[7] = READ_ONCE(irq->apic_timer_irqs);
	val[6] = kstat_cpu_irqs_sum(lp->cpu) + val[7] + ipis;
	val[8] = ipis;
	val[9] = READ_ONCE(st->ipis_sent);
	val[10] = READ_ONCE(st->dispatches);
	val[11] = READ_ONCE(st->vp_switches);
	val[12] = READ_ONCE(st->world_switches);
}

static void pv_lp_classic_fill(const void *obj, u64 *val)
{
	pv_lp_fill(obj, val);
	pv_classic_lp_fill(((const struct pv_lp *)obj)->cpu,
			   val + ARRAY_SIZE(pv_lp_desc));
}

const struct pv_stat_set pv_stat_sets[PV_NR_STAT_SETS] = {
	[PV_STATS_VP] = { "vp", pv_vp_desc, PV_VP_NR_DESC,
			  pv_child_vp_root_sched_fill },
	[PV_STATS_VP_CLASSIC] = { "vp", pv_vp_desc, PV_VP_NR_DESC,
				  pv_child_vp_classic_fill },
	[PV_STATS_ROOT_VP] = { "root-vp", pv_vp_desc, PV_VP_NR_DESC,
			       pv_root_vp_fill },
	[PV_STATS_PARTITION] = { "partition", pv_part_desc,
				 ARRAY_SIZE(pv_part_desc), pv_part_fill },
	[PV_STATS_ROOT_PARTITION] = { "partition", pv_part_desc,
				      ARRAY_SIZE(pv_part_desc),
				      pv_root_part_fill },
	[PV_STATS_LP] = { "lp", pv_lp_desc, ARRAY_SIZE(pv_lp_desc),
			  pv_lp_fill },
	[PV_STATS_LP_CLASSIC] = { "lp", pv_lp_desc, ARRAY_SIZE(pv_lp_desc),
				  pv_lp_classic_fill },
};

/* The descriptors of a set: its own, then the scheduler's. */
const struct pv_stat_desc *pv_stats_desc(enum pv_stat_set_id set,
					 unsigned int i)
{
	const struct pv_stat_set *s = &pv_stat_sets[set];

	if (i < s->nr)
		return &s->desc[i];
	if (set == PV_STATS_VP)
		return pv_root_sched_vp_desc(i - s->nr);
	if (set == PV_STATS_VP_CLASSIC)
		return pv_classic_vp_desc(i - s->nr);
	if (set == PV_STATS_LP_CLASSIC)
		return pv_classic_lp_desc(i - s->nr);
	return NULL;
}

unsigned int pv_stats_nr(enum pv_stat_set_id set)
{
	unsigned int n = pv_stat_sets[set].nr;

	while (pv_stats_desc(set, n))
		n++;
	return n;
}

/*
 * The set a child VP or an LP has now: a VP's has the scheduler's part of
 * either mode, an LP's only classic mode's.
 */
enum pv_stat_set_id pv_stats_vp_set(void)
{
	return pv_sched->vp_set;
}

enum pv_stat_set_id pv_stats_lp_set(void)
{
	return pv_sched->lp_set;
}

int pv_stats_show(struct seq_file *m, enum pv_stat_set_id set,
		  const void *obj)
{
	unsigned int i, nr = pv_stats_nr(set);
	u64 *val;

	val = kmalloc_array(nr, sizeof(*val), GFP_KERNEL);
	if (!val)
		return -ENOMEM;
	pv_stat_sets[set].fill(obj, val);
	for (i = 0; i < nr; i++)
		seq_printf(m, "%s: %llu\n", pv_stats_desc(set, i)->name,
			   val[i]);
	kfree(val);
	return 0;
}
