// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls from the root partition. Runs in host mode on the calling LP:
 * no allocation, no locks, no sleeping, nothing that may fault. The calls
 * themselves are pure logic in calls.c; this file gives them the machine.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/pgtable.h>
#include <asm/tsc.h>

#include "hcall.h"
#include "../partvisor.h"

/*
 * A parameter list of the root, by GPA. The root has no nested paging, so
 * its GPA is the host physical address, reached through the direct map.
 * Only pages that the direct map really maps (and maps writable, for an
 * output list) are used: touching anything else would fault in host mode.
 * pfn_valid() is not enough for that (it is true for holes and for pages
 * the direct map leaves out) and not usable here either: it takes
 * rcu_read_lock_sched(), whose lockdep hooks must not run in host mode.
 * The caller has checked that the list lies inside one page.
 */
static void *pv_hc_map_root(u64 gpa, bool write)
{
	unsigned long end = (unsigned long)high_memory - PAGE_OFFSET;
	unsigned int level;
	pteval_t flags;
	pte_t *pte;
	void *va;

	if (gpa >= end)
		return NULL;
	va = __va(gpa);
	pte = lookup_address((unsigned long)va, &level);
	if (!pte)
		return NULL;
	flags = pte_flags(*pte);
	if (!(flags & _PAGE_PRESENT) || (write && !(flags & _PAGE_RW)))
		return NULL;
	return va;
}

static void pv_hc_root_env(struct pv_hc_root_env *env)
{
	struct pv_hc_sysprops *p = &env->props;

	p->version = pv_hc_version(PV_MODULE_VERSION);
	p->vendor = pv_caps.vendor;
	p->features = pv_caps.features;
	p->nr_lps = num_online_cpus();
	p->current_lp = raw_smp_processor_id();
	p->nr_tlb_tags = pv_caps.nr_tlb_tags;
	p->tsc_khz = tsc_khz;
	env->map = pv_hc_map_root;
}

/* One root hypercall, counted by code in the calling VP's statistics. */
enum pv_hc_action pv_hc_root_dispatch(struct pv_hc_regs *regs,
				      struct pv_vp_stats *stats)
{
	struct pv_hc_root_env env;
	enum pv_hc_action action;
	unsigned int slot;
	u64 t0 = pv_stat_tsc();

	pv_hc_root_env(&env);
	action = pv_hc_root_call(regs, &env, &slot);
	pv_stat_add(&stats->hypercalls[slot], 1);
	pv_stat_add(&stats->hypercall_cycles[slot], pv_stat_tsc() - t0);
	return action;
}
