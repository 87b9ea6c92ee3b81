// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/partvisor: counter sets as "name: value" lines. Raw
 * values only; tools derive rates and costs.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <asm/tsc.h>

#include "partvisor.h"
#include "partition.h"
#include "hcall/hcall.h"

static struct dentry *pv_debugfs_root;
static struct dentry *pv_debugfs_lps;
static struct dentry *pv_debugfs_parts;
static struct dentry *pv_debugfs_root_vps;	/* partition/0/vp */

/* An LP's counter set; read while the owning LP may be writing it. */
static int pv_lp_show(struct seq_file *m, void *unused)
{
	return pv_stats_show(m, pv_stats_lp_set(), m->private);
}
DEFINE_SHOW_ATTRIBUTE(pv_lp);

/* The root partition's VP on an LP: the VP counter set, from host mode. */
static int pv_root_vp_show(struct seq_file *m, void *unused)
{
	struct pv_lp *lp = m->private;

	seq_printf(m, "vp_index: %u\n", lp->cpu);
	return pv_stats_show(m, PV_STATS_ROOT_VP, lp);
}
DEFINE_SHOW_ATTRIBUTE(pv_root_vp);

void pv_debugfs_add_lp(struct pv_lp *lp)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", lp->cpu);
	lp->debugfs = debugfs_create_file(name, 0400, pv_debugfs_lps, lp,
					  &pv_lp_fops);
	lp->debugfs_root_vp = debugfs_create_file(name, 0400,
						  pv_debugfs_root_vps, lp,
						  &pv_root_vp_fops);
}

/* Waits for readers, so the LP may be freed afterwards. */
void pv_debugfs_remove_lp(struct pv_lp *lp)
{
	debugfs_remove(lp->debugfs);
	debugfs_remove(lp->debugfs_root_vp);
	lp->debugfs = NULL;
	lp->debugfs_root_vp = NULL;
}

static int pv_hypervisor_show(struct seq_file *m, void *unused)
{
	static const char * const feat_names[] = PARTVISOR_FEAT_NAMES;
	struct partvisor_info info;
	unsigned int i;

	pv_fill_info(&info);
	seq_printf(m, "abi_version: %u\n", info.abi_version);
	seq_printf(m, "module_version: %s\n", info.module_version);
	seq_printf(m, "vendor: %s\n", pv_vendor_name(info.vendor));
	seq_printf(m, "state: %s\n", pv_launched() ? "launched" : "not-launched");
	seq_printf(m, "lps: %u\n", info.nr_cpus);
	seq_printf(m, "revision: %u\n", info.revision);
	seq_printf(m, "tlb_tags: %u\n", info.nr_tlb_tags);
	seq_printf(m, "features: %#llx\n", info.features);
	for (i = 0; i < ARRAY_SIZE(feat_names); i++)
		seq_printf(m, "feature_%s: %u\n", feat_names[i],
			   !!(info.features & BIT_ULL(i)));
	seq_printf(m, "ext_fw_disabled: %u\n",
		   !!(info.ext_state & PARTVISOR_EXT_FW_DISABLED));
	seq_printf(m, "ext_in_use: %u\n",
		   !!(info.ext_state & PARTVISOR_EXT_IN_USE));
	seq_printf(m, "scheduler: %s\n", pv_sched->name);
	seq_printf(m, "partitions: %u\n", pv_nr_partitions());
	seq_printf(m, "vps: %u\n", pv_nr_vps());
	seq_printf(m, "pinned_pages: %llu\n", pv_pinned_pages());
	seq_printf(m, "tsc_khz: %u\n", tsc_khz);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pv_hypervisor);

/*
 * One partition's counter set, then its memory regions; the partition
 * outlives its debugfs entry.
 */
static int pv_partition_show(struct seq_file *m, void *unused)
{
	struct pv_partition *p = m->private;
	struct pv_mem_region *r;
	int ret;

	ret = pv_stats_show(m, PV_STATS_PARTITION, p);
	if (ret)
		return ret;
	mutex_lock(&p->lock);
	list_for_each_entry(r, &p->regions, node)
		seq_printf(m, "region: gpa=%#llx size=%#llx flags=%c%c%c\n",
			   r->gpa, r->size,
			   r->flags & PARTVISOR_MEM_READ ? 'r' : '-',
			   r->flags & PARTVISOR_MEM_WRITE ? 'w' : '-',
			   r->flags & PARTVISOR_MEM_EXEC ? 'x' : '-');
	mutex_unlock(&p->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pv_partition);

void pv_debugfs_add_partition(struct pv_partition *p)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", p->id);
	p->debugfs = debugfs_create_dir(name, pv_debugfs_parts);
	debugfs_create_file("partition", 0400, p->debugfs, p,
			    &pv_partition_fops);
}

/* Waits for readers, so the partition may be freed afterwards. */
void pv_debugfs_remove_partition(struct pv_partition *p)
{
	debugfs_remove(p->debugfs);
	p->debugfs = NULL;
}

static int pv_root_partition_show(struct seq_file *m, void *unused)
{
	return pv_stats_show(m, PV_STATS_ROOT_PARTITION, NULL);
}
DEFINE_SHOW_ATTRIBUTE(pv_root_partition);

static int pv_partitions_list_show(struct seq_file *m, void *unused)
{
	pv_partitions_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pv_partitions_list);

/*
 * The hypercall table, one call a line: code, name, forms, callers
 * ("0x000b send_ipi simple,fast child"). Tools take call names from here.
 */
static int pv_hypercalls_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < PV_NR_HC_CALLS; i++) {
		const struct pv_hc_call *c = &pv_hc_calls[i];

		seq_printf(m, "0x%04x %s %s%s %s\n", c->desc.code, c->name,
			   c->desc.flags & PV_HC_REP ? "rep" : "simple",
			   c->desc.flags & PV_HC_FAST_OK ? ",fast" : "",
			   c->guest && c->root ? "root,child" :
			   c->root ? "root" : "child");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pv_hypercalls);

void pv_debugfs_init(void)
{
	struct dentry *root;

	/* debugfs failures are not fatal: counters are a view, not a function. */
	pv_debugfs_root = debugfs_create_dir("partvisor", NULL);
	debugfs_create_file("hypervisor", 0400, pv_debugfs_root, NULL,
			    &pv_hypervisor_fops);
	pv_debugfs_lps = debugfs_create_dir("lp", pv_debugfs_root);
	pv_debugfs_parts = debugfs_create_dir("partition", pv_debugfs_root);
	/* The root partition is 0: child partitions count from 1. */
	root = debugfs_create_dir("0", pv_debugfs_parts);
	debugfs_create_file("partition", 0400, root, NULL,
			    &pv_root_partition_fops);
	pv_debugfs_root_vps = debugfs_create_dir("vp", root);
	debugfs_create_file("partitions", 0400, pv_debugfs_root, NULL,
			    &pv_partitions_list_fops);
	debugfs_create_file("hypercalls", 0400, pv_debugfs_root, NULL,
			    &pv_hypercalls_fops);
}

void pv_debugfs_exit(void)
{
	debugfs_remove_recursive(pv_debugfs_root);
	pv_debugfs_root = NULL;
	pv_debugfs_lps = NULL;
	pv_debugfs_parts = NULL;
	pv_debugfs_root_vps = NULL;
}
