// SPDX-License-Identifier: GPL-2.0
/*
 * partvisor_cpustate.ko, a test helper: /sys/kernel/debug/partvisor_cpustate
 * shows, for every online CPU, the state a late launch touches and an
 * unload must give back exactly, read on that CPU by a function-call IPI
 * (so reading it also shows that every CPU answers IPIs). Loaded before
 * partvisor and read again after each unload, it lets launch_cycles.sh
 * compare. CR3 belongs to whatever task the IPI interrupted: it is shown
 * as whether it is that task's page table (only for a task with an mm of
 * its own: a kernel thread or the idle task runs on a borrowed one). The
 * FS and user GS bases are left out: every context switch reloads them,
 * and Linux's copy of a running task's may be stale.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

struct pv_cs_msr {
	const char *name;
	u32 index;
};

static const struct pv_cs_msr pv_cs_msrs[] = {
	{ "efer", MSR_EFER },
	{ "vm_hsave_pa", MSR_VM_HSAVE_PA },
	{ "vm_cr", MSR_VM_CR },
	{ "feature_control", MSR_IA32_FEAT_CTL },
	{ "pat", MSR_IA32_CR_PAT },
	{ "star", MSR_STAR },
	{ "lstar", MSR_LSTAR },
	{ "cstar", MSR_CSTAR },
	{ "sfmask", MSR_SYSCALL_MASK },
	{ "sysenter_cs", MSR_IA32_SYSENTER_CS },
	{ "sysenter_esp", MSR_IA32_SYSENTER_ESP },
	{ "sysenter_eip", MSR_IA32_SYSENTER_EIP },
	{ "gs_base", MSR_GS_BASE },
	{ "tsc_aux", MSR_TSC_AUX },
	{ "debugctl", MSR_IA32_DEBUGCTLMSR },
};

struct pv_cs {
	u64 msr[ARRAY_SIZE(pv_cs_msrs)];
	bool msr_ok[ARRAY_SIZE(pv_cs_msrs)];
	unsigned long cr0, cr4, dr7;
	bool cr3_ok;
	struct desc_ptr gdt, idt;
	u16 tr;
	u32 tr_limit;
	u8 tr_type;
};

static void pv_cs_read(void *arg)
{
	struct pv_cs *cs = arg;
	struct desc_struct *gdt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pv_cs_msrs); i++)
		cs->msr_ok[i] = !rdmsrl_safe(pv_cs_msrs[i].index, &cs->msr[i]);
	cs->cr0 = read_cr0();
	cs->cr4 = __read_cr4();
	get_debugreg(cs->dr7, 7);
	/* A kernel thread or idle runs on a borrowed mm: nothing to check. */
	cs->cr3_ok = !current->mm || (__read_cr3() & CR3_ADDR_MASK) ==
				     __pa(current->mm->pgd);
	native_store_gdt(&cs->gdt);
	store_idt(&cs->idt);
	asm volatile("str %0" : "=r" (cs->tr));
	asm volatile("lsl %1, %0" : "=r" (cs->tr_limit) : "r" ((u32)cs->tr));
	gdt = (struct desc_struct *)cs->gdt.address;
	cs->tr_type = gdt[cs->tr >> 3].type;
}

static int pv_cs_show(struct seq_file *m, void *v)
{
	struct pv_cs cs;
	unsigned int cpu, i;
	int ret;

	for_each_online_cpu(cpu) {
		memset(&cs, 0, sizeof(cs));
		ret = smp_call_function_single(cpu, pv_cs_read, &cs, 1);
		if (ret) {
			seq_printf(m, "cpu %u ipi failed %d\n", cpu, ret);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(pv_cs_msrs); i++) {
			if (cs.msr_ok[i])
				seq_printf(m, "cpu %u %s %#llx\n", cpu,
					   pv_cs_msrs[i].name, cs.msr[i]);
		}
		seq_printf(m, "cpu %u cr0 %#lx\ncpu %u cr4 %#lx\ncpu %u dr7 %#lx\n",
			   cpu, cs.cr0, cpu, cs.cr4, cpu, cs.dr7);
		seq_printf(m, "cpu %u cr3_is_the_task_s %d\n", cpu, cs.cr3_ok);
		seq_printf(m, "cpu %u gdtr %#lx/%#x\ncpu %u idtr %#lx/%#x\n",
			   cpu, cs.gdt.address, cs.gdt.size, cpu,
			   cs.idt.address, cs.idt.size);
		seq_printf(m, "cpu %u tr %#x limit %#x type %#x\n", cpu, cs.tr,
			   cs.tr_limit, cs.tr_type);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pv_cs);

static struct dentry *pv_cs_file;

static int __init pv_cs_init(void)
{
	pv_cs_file = debugfs_create_file("partvisor_cpustate", 0400, NULL,
					 NULL, &pv_cs_fops);
	return 0;
}

static void __exit pv_cs_exit(void)
{
	debugfs_remove(pv_cs_file);
}

module_init(pv_cs_init);
module_exit(pv_cs_exit);
MODULE_DESCRIPTION("partvisor test helper: per-CPU state before and after a launch");
MODULE_LICENSE("GPL");
