// SPDX-License-Identifier: GPL-2.0
/*
 * Late launch: every online CPU enters host mode and the running Linux
 * continues on it as the root partition's VP. CPU hotplug callbacks do the
 * work, so a CPU that comes online later is virtualized as it arrives, one
 * going offline is devirtualized first, and a failure on any CPU during
 * load rolls back the ones already done.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/suspend.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>

#include "partvisor.h"
#include "hcall/hcall.h"
#include "host.h"
#include "partition.h"
#include "vendor.h"

static struct pv_lp **pv_lps;
static unsigned long pv_host_pgd;
static int pv_cpuhp_state = -1;
static bool pv_pm_registered;

bool pv_launched(void)
{
	return pv_cpuhp_state >= 0;
}

/* Set while launched where the vendor runs children. */
static bool pv_children;

bool pv_vendor_children(void)
{
	return pv_children;
}

/* LP @cpu while it is in host mode; the memory lives until unload. */
struct pv_lp *pv_lp_launched(unsigned int cpu)
{
	if (!pv_lps || cpu >= nr_cpu_ids || !pv_lps[cpu] ||
	    !READ_ONCE(pv_lps[cpu]->launched))
		return NULL;
	return pv_lps[cpu];
}

unsigned int pv_nr_launched_lps(void)
{
	unsigned int cpu, n = 0;

	for_each_possible_cpu(cpu)
		n += !!pv_lp_launched(cpu);
	return n;
}

/*
 * Host mode must not run on the loading process's page table: it is freed
 * when that process exits. A private top level with the kernel half
 * copied lives as long as partvisor. Order 1 keeps physical bit 12 clear,
 * which page-table isolation reserves for the user copy.
 */
static int pv_host_pgd_alloc(void)
{
	pgd_t *cur = __va(__read_cr3() & PAGE_MASK);
	pgd_t *pgd;

	pv_host_pgd = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	if (!pv_host_pgd)
		return -ENOMEM;
	pgd = (pgd_t *)pv_host_pgd;
	memcpy(pgd + PTRS_PER_PGD / 2, cur + PTRS_PER_PGD / 2,
	       PTRS_PER_PGD / 2 * sizeof(pgd_t));
	return 0;
}

/* Is another module loaded? Our own kobject's kset holds every module's. */
static bool pv_module_loaded(const char *name)
{
	struct kobject *kobj = kset_find_obj(THIS_MODULE->mkobj.kobj.kset,
					     name);

	if (!kobj)
		return false;
	kobject_put(kobj);
	return true;
}

/*
 * The root driver's way into the hypervisor: one hypercall on the current
 * LP. A CPU that is not in host mode (not launched, or on its way offline)
 * cannot take one; the caller gets HV_STATUS_INVALID_PARTITION_STATE.
 */
u64 pv_hypercall(u64 input, u64 param0, u64 param1)
{
	u64 result = HV_STATUS_INVALID_PARTITION_STATE;
	struct pv_lp *lp;

	preempt_disable();
	lp = pv_lps ? pv_lps[smp_processor_id()] : NULL;
	if (lp && lp->launched)
		result = pv_vendor->hypercall(input, param0, param1);
	preempt_enable();
	return result;
}

/*
 * Host mode starts here on the LP's own stack; the backend takes over and
 * never comes back (pv_host_enter has a UD2 after the call).
 */
void pv_host_main(struct pv_lp *lp)
{
	pv_vendor->host_main(lp);
}

/*
 * Run a child VP on this LP: stage it where host mode finds it, then the
 * DISPATCH_VP hypercall. Interrupts are off, so the LP cannot change and
 * no one else stages on it meanwhile.
 */
u64 pv_hypercall_dispatch(void *vp)
{
	struct pv_lp *lp = pv_lps[smp_processor_id()];
	struct pv_lp_stats *st = &lp->stats;
	u64 result, t;

	lockdep_assert_irqs_disabled();
	pv_stat_add(&st->dispatches, 1);
	if (st->last_vp != vp) {
		pv_stat_add(&st->vp_switches, 1);
		st->last_vp = vp;
	}
	lp->dispatch = vp;
	t = pv_stat_tsc();
	result = pv_hypercall(PV_HC_DISPATCH_VP, 0, 0);
	pv_stat_add(&st->child_cycles, pv_stat_tsc() - t);
	lp->dispatch = NULL;
	return result;
}

/* partvisor kicks a VP off another LP: counted on the sending LP. */
void pv_lp_count_ipi(void)
{
	struct pv_lp *lp;

	preempt_disable();
	lp = pv_lp_launched(smp_processor_id());
	if (lp)
		pv_stat_add(&lp->stats.ipis_sent, 1);
	preempt_enable();
}

/*
 * A VM exit leaves the GDT and IDT limits at 0xffff on VT-x, and both
 * vendors' host modes load tables of their own: after devirtualizing, the
 * CPU must hold Linux's again. Checked on every CPU at every unload.
 */
static void pv_lp_check_tables(const struct pv_lp *lp)
{
	struct desc_ptr gdt, idt;

	native_store_gdt(&gdt);
	store_idt(&idt);
	if (gdt.address != lp->native_gdt.address ||
	    gdt.size != lp->native_gdt.size ||
	    idt.address != lp->native_idt.address ||
	    idt.size != lp->native_idt.size)
		pr_err("CPU %u: descriptor tables not restored: GDT %#lx/%#x IDT %#lx/%#x, were %#lx/%#x %#lx/%#x\n",
		       lp->cpu, gdt.address, gdt.size, idt.address, idt.size,
		       lp->native_gdt.address, lp->native_gdt.size,
		       lp->native_idt.address, lp->native_idt.size);
}

static int pv_lp_online(unsigned int cpu)
{
	struct pv_lp *lp = pv_lps[cpu];
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	native_store_gdt(&lp->native_gdt);
	store_idt(&lp->native_idt);
	ret = pv_vendor->lp_launch(lp);
	local_irq_restore(flags);
	if (ret) {
		pr_err("CPU %u: cannot enter host mode (%d)\n", cpu, ret);
		return ret;
	}
	if (!lp->stats.launch_tsc) {
		lp->stats.launch_tsc = rdtsc();
		lp->stats.launch_idle_us = pv_lp_idle_us(cpu);
	}
	WRITE_ONCE(lp->launched, true);
	pv_debugfs_add_lp(lp);
	return 0;
}

static int pv_lp_offline(unsigned int cpu)
{
	struct pv_lp *lp = pv_lps[cpu];
	unsigned long flags;
	u64 result;

	pv_debugfs_remove_lp(lp);
	/* Never launched, or the root switched the extension off itself. */
	if (!lp->launched)
		return 0;
	local_irq_save(flags);
	result = pv_vendor->hypercall(PV_HC_DEVIRTUALIZE, 0, 0);
	if (!(result & HV_HC_RESULT_STATUS_MASK)) {
		/*
		 * Before interrupts come back: a handler that asks this CPU
		 * for host mode (an IPI count, the NMI path) must see it gone.
		 */
		WRITE_ONCE(lp->launched, false);
		if (pv_vendor->lp_devirtualized)
			pv_vendor->lp_devirtualized(lp);
		pv_lp_check_tables(lp);
	}
	local_irq_restore(flags);
	if (result & HV_HC_RESULT_STATUS_MASK) {
		pr_err("CPU %u: devirtualize refused (status %#llx)\n", cpu,
		       result & HV_HC_RESULT_STATUS_MASK);
		pv_debugfs_add_lp(lp);
		return -EIO;
	}
	return 0;
}

static void pv_free_lps(void)
{
	unsigned int cpu;

	if (!pv_lps)
		return;
	for_each_possible_cpu(cpu) {
		if (!pv_lps[cpu])
			continue;
		pv_vendor->lp_free(pv_lps[cpu]);
		kfree(pv_lps[cpu]);
	}
	kfree(pv_lps);
	pv_lps = NULL;
	free_pages(pv_host_pgd, 1);
	pv_host_pgd = 0;
}

/*
 * Suspend and hibernation would take every CPU through firmware and reset
 * paths that know nothing of host mode: refuse them while launched, before
 * anything is frozen, so the caller just gets -EBUSY.
 */
static int pv_pm_notify(struct notifier_block *nb, unsigned long event,
			void *unused)
{
	if (event != PM_SUSPEND_PREPARE && event != PM_HIBERNATION_PREPARE)
		return NOTIFY_DONE;
	pr_err("%s refused: the hypervisor is running; unload partvisor first\n",
	       event == PM_SUSPEND_PREPARE ? "suspend" : "hibernation");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block pv_pm_nb = {
	.notifier_call = pv_pm_notify,
};

int pv_launch_all(void)
{
	unsigned int cpu;
	u32 state;
	int ret;

	if (!pv_vendor || !(pv_caps.features & PARTVISOR_FEAT_NESTED_PAGING)) {
		pr_err("no usable hardware virtualization with nested paging\n");
		return -ENODEV;
	}
	/*
	 * An idle KVM has not switched the extension on yet (EFER.SVME,
	 * CR4.VMXE), but it owns it all the same.
	 */
	if (pv_module_loaded(pv_vendor->kvm_module)) {
		pr_err("%s is loaded: another hypervisor owns %s; unload it first\n",
		       pv_vendor->kvm_module, pv_vendor->name);
		return -EBUSY;
	}
	state = pv_ext_state_all_cpus();
	if (state & PARTVISOR_EXT_FW_DISABLED) {
		pr_err("%s is disabled by firmware\n", pv_vendor->name);
		return -ENODEV;
	}
	if (state & PARTVISOR_EXT_IN_USE) {
		pr_err("%s is in use by another hypervisor\n", pv_vendor->name);
		return -EBUSY;
	}

	ret = pv_host_pgd_alloc();
	if (ret)
		return ret;
	pv_lps = kcalloc(nr_cpu_ids, sizeof(*pv_lps), GFP_KERNEL);
	if (!pv_lps) {
		ret = -ENOMEM;
		goto fail;
	}
	/* Possible, not online: a CPU plugged in later needs its LP too. */
	for_each_possible_cpu(cpu) {
		pv_lps[cpu] = kzalloc(sizeof(*pv_lps[cpu]), GFP_KERNEL);
		if (!pv_lps[cpu]) {
			ret = -ENOMEM;
			goto fail;
		}
		pv_lps[cpu]->cpu = cpu;
		pv_lps[cpu]->host_cr3 = __pa(pv_host_pgd);
		ret = pv_vendor->lp_alloc(pv_lps[cpu]);
		if (ret)
			goto fail;
	}
	ret = pv_vendor->setup();
	if (ret)
		goto fail;
	ret = register_pm_notifier(&pv_pm_nb);
	if (ret) {
		pv_vendor->teardown();
		goto fail;
	}
	pv_pm_registered = true;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "partvisor:lp",
				pv_lp_online, pv_lp_offline);
	if (ret < 0) {
		pv_vendor->teardown();
		goto fail;
	}
	pv_cpuhp_state = ret;
	/*
	 * Other hypervisors look at the cached feature bits, not at CPUID:
	 * with the extension gone from them, KVM refuses to load instead of
	 * failing later in VMRUN or VMXON.
	 */
	clear_bit(pv_vendor->x86_feature,
		  (unsigned long *)boot_cpu_data.x86_capability);
	/* Child partitions, where the vendor runs them. */
	pv_children = pv_vendor->children_ok();
	pr_info("launched on %u CPUs (%s)\n", num_online_cpus(),
		pv_vendor->name);
	return 0;

fail:
	if (pv_pm_registered)
		unregister_pm_notifier(&pv_pm_nb);
	pv_pm_registered = false;
	pv_free_lps();
	return ret;
}

void pv_unlaunch_all(void)
{
	if (!pv_launched())
		return;
	pv_children = false;
	cpuhp_remove_state(pv_cpuhp_state);
	pv_cpuhp_state = -1;
	/*
	 * The extension goes back to other hypervisors only once no CPU is
	 * in host mode any more: one that loaded in between would find a
	 * CPU still ours.
	 */
	set_bit(pv_vendor->x86_feature,
		(unsigned long *)boot_cpu_data.x86_capability);
	unregister_pm_notifier(&pv_pm_nb);
	pv_pm_registered = false;
	pv_vendor->teardown();
	pv_free_lps();
	pr_info("devirtualized\n");
}
