/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Child partitions as the root driver keeps them: the partition, its
 * mapped memory regions and its VPs. Vendor-neutral; a backend attaches
 * nested page tables and VMCBs/VMCSs through the vendor table
 * (vendor.h).
 */
#ifndef _PV_PARTITION_H
#define _PV_PARTITION_H

#include <linux/bitmap.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/partvisor.h>

#include "npt.h"
#include "vp_stats.h"
#include "hcall/hcall.h"
#include "sched/classic.h"
#include "sched/root.h"

struct dentry;
struct file;
struct mm_struct;
struct page;
struct pid;
struct seq_file;

/*
 * A range of guest-physical memory backed by pinned user pages. The pages
 * stay pinned, and charged to the VMM's RLIMIT_MEMLOCK, until the region
 * is unmapped or the partition dies.
 */
struct pv_mem_region {
	struct list_head node;		/* in pv_partition.regions, by gpa */
	u64 gpa;
	u64 size;
	u64 uaddr;
	u32 flags;			/* PARTVISOR_MEM_* */
	unsigned long nr_pages;
	struct page **pages;		/* nr_pages, pinned */
};

struct pv_partition;

#define PV_NR_VECTORS	256

/* A virtual processor; lives as long as its fd. */
struct pv_vp {
	struct pv_partition *part;	/* holds a reference */
	u32 index;
	struct mutex lock;		/* serializes the VP's ioctls */
	struct partvisor_vp_state state;
	struct partvisor_xsave *xsave;
	u32 pkru, host_pkru;		/* module/fpu.c */
	u32 tsc_aux;			/* RDTSCP and RDPID read it (known_msr.c) */
	u64 spec_ctrl;			/* its SPEC_CTRL (module/spec.c) */
	u64 db[4], dr6;			/* module/debugreg.c */
	void *arch;			/* backend state */
	/*
	 * An exit the VMM completes on the next RUN (IN, RDMSR, WRMSR, and
	 * what module/emulate.c completes: MMIO reads, INS).
	 */
	bool pending;
	struct pv_exit_pending {
		u32 reason;		/* PARTVISOR_EXIT_* */
		u8 size;		/* IN, MMIO, INS: bytes */
		bool write;		/* MSR */
		u8 insn_len;		/* MSR */
		u64 next_rip;		/* IN, MMIO, INS */
		/* MMIO read: the destination register */
		u8 reg, reg_size;
		bool high8, sign;
		/* INS: where the element goes, and how RDI and RCX step */
		bool string, rep, df;
		u8 addr_size, split;	/* split: bytes at gpa[0] */
		u64 gpa[2];
	} pend;
	/*
	 * Interrupts and the synthetic timer (module/irq.c, stimer.c):
	 * asserted from any thread without @lock.
	 */
	struct pv_vp_irq {
		DECLARE_BITMAP(pending, PV_NR_VECTORS);
		atomic_t news;		/* asserted since the run loop looked */
		int cpu;		/* the LP running the VP, or -1 */
		bool halted;		/* in HLT with IF set (RUN's) */
		wait_queue_head_t wq;	/* a halted VP waits here */
		struct hrtimer stimer;
		u64 stimer_config;	/* PARTVISOR_STIMER_* */
		u64 stimer_count;
	} irq;
	struct pv_vp_stats stats;	/* module/vp_stats.c */
	u64 entry_tsc;			/* the VP's last entry */
	struct dentry *debugfs;		/* partition/<id>/vp/<index> */
	struct pv_vp_classic cl;	/* module/sched/classic.c */
	struct pv_vp_root_sched rs;	/* module/sched/root.c */
};

/*
 * A VMM's CPUID table. Replaced whole under the partition's lock and read
 * under RCU, by host mode too: a dispatch runs with interrupts off.
 */
struct pv_cpuid_table {
	struct rcu_head rcu;
	unsigned int nr;
	struct partvisor_cpuid_entry e[];
};

/*
 * A child partition. Freed when the last of its fd and its VP fds is
 * closed (@ref). @lock protects everything below it and is held across
 * every vendor table call.
 */
struct pv_partition {
	struct kref ref;
	u32 id;
	struct pid *owner;		/* the creating process */
	struct mm_struct *mm;		/* grabbed: its locked_vm is charged */
	struct dentry *debugfs;
	struct dentry *debugfs_vps;	/* its vp/ directory */
	void *arch;			/* backend state: nested page table */

	struct mutex lock;		/* held across vendor calls; before mmap_lock */
	struct list_head regions;	/* struct pv_mem_region, by gpa */
	unsigned int nr_regions;
	u64 mapped_bytes;
	unsigned long pinned_pages;
	struct pv_vp *vps[PARTVISOR_MAX_VPS];
	unsigned int nr_vps;
	unsigned int vps_created;	/* over its life, for tracing */
	struct pv_cpuid_table __rcu *cpuid;	/* the VMM's, or NULL */
	bool crashed;			/* triple fault: no VP runs again */
	u64 ref_time_base;		/* ktime_get_ns() at creation */
	struct pv_hv_msrs hv;		/* under pv_hv_msr_lock (guest_vp.c) */
	struct partvisor_sched_params sched;	/* the VPs' policy */
};

/*
 * An exit of a child VP as the backend decoded it for the run loop
 * (module/run.c), which decides what happens next.
 */
enum pv_exit_kind {
	PV_EXIT_INTERRUPTED,	/* a physical interrupt or NMI: just rerun */
	PV_EXIT_CPUID,
	PV_EXIT_HLT,
	PV_EXIT_IO,
	PV_EXIT_MSR_READ,
	PV_EXIT_MSR_WRITE,
	PV_EXIT_MEMORY,		/* a GPA no region maps (or maps read-only) */
	PV_EXIT_SHUTDOWN,	/* triple fault */
	PV_EXIT_HYPERCALL,
	PV_EXIT_XSETBV,
	PV_EXIT_UD,		/* an instruction the VP gets #UD for */
	PV_EXIT_NOP,		/* completed as a no-op: WBINVD, WBNOINVD, INVD */
	PV_EXIT_GP,		/* an instruction the VP gets #GP(0) for: RDPMC */
	PV_EXIT_DR,		/* MOV to or from a debug register */
	PV_EXIT_CR0_WRITE,	/* a CR0 write partvisor performs (AMD-V) */
	PV_EXIT_INVALID_STATE,	/* the hardware refused the VP's state */
	PV_EXIT_IRQ_WINDOW,	/* the VP can take an interrupt now */
	PV_EXIT_UNSUPPORTED,	/* nothing handles it yet */
};

struct pv_exit {
	enum pv_exit_kind kind;
	u64 vendor_code;
	/* for tracing: EXITINFO1/2 (AMD-V), qualification and GPA (VT-x) */
	u64 info[2];
	u64 rip;
	u64 next_rip;		/* IO: the instruction after */
	unsigned int insn_len;	/* without NRIPS: the plain opcode's */
	struct {
		u16 port;
		u8 size;
		bool in, string, rep;
	} io;
	struct {
		u64 gpa;
		bool write, fetch;
		/* by the CPU itself: its page walk or an event's delivery */
		bool by_cpu;
	} mem;
	struct {
		u64 addr;	/* CR2 */
		u32 code;
	} pf;			/* PV_RESUME_PF */
	struct {
		u8 num;		/* DR0-7 */
		u8 gpr;		/* enum pv_reg */
		bool write;	/* MOV to the DR */
		bool wide;	/* 64-bit mode: all of the GPR */
	} dr;
	struct {
		u8 op;		/* enum pv_cr0_op */
		u8 gpr;		/* enum pv_reg: MOV's and LMSW's source */
		bool wide;	/* 64-bit mode: all of the GPR */
	} cr0;
};

/* How the run loop resumes a VP after an exit. */
enum pv_resume {
	PV_RESUME_RETRY,	/* run the same instruction again */
	PV_RESUME_SKIP,		/* past the instruction that exited */
	PV_RESUME_UD,		/* raise #UD at it */
	PV_RESUME_GP,		/* raise #GP(0) at it */
	PV_RESUME_PF,		/* raise #PF (pv_exit.pf) at it */
};

/* GPRs, numbered as instructions encode them (ModRM, REX). */
enum pv_reg {
	PV_REG_RAX, PV_REG_RCX, PV_REG_RDX, PV_REG_RBX,
	PV_REG_RSP, PV_REG_RBP, PV_REG_RSI, PV_REG_RDI,
	PV_REG_R8, PV_REG_R9, PV_REG_R10, PV_REG_R11,
	PV_REG_R12, PV_REG_R13, PV_REG_R14, PV_REG_R15,
	PV_NR_REGS
};

/* module/partition.c */
long pv_create_partition(void __user *argp);
long pv_list_partitions(void __user *argp);
void pv_part_put(struct pv_partition *p);
unsigned int pv_nr_partitions(void);
unsigned int pv_nr_vps(void);
void pv_partitions_show(struct seq_file *m);

/* module/mem.c */
long pv_map_memory(struct pv_partition *p, void __user *argp);
long pv_unmap_memory(struct pv_partition *p, void __user *argp);
/* The callers hold p->lock. */
void pv_unmap_all(struct pv_partition *p);
struct pv_mem_region *pv_part_region(struct pv_partition *p, u64 gpa);
u64 pv_pinned_pages(void);

/*
 * A child partition's nested page table with the locking both backends
 * use around it: module/child_mem.c.
 */
struct pv_child_mem {
	struct pv_npt npt;
	struct rw_semaphore run_lock;	/* runs: read; unmaps: write */
	atomic_t tlb_gen;		/* bumped by every unmap */
};

int pv_child_mem_init(struct pv_child_mem *m, const struct pv_npt_fmt *fmt,
		      unsigned int levels);
void pv_child_mem_free(struct pv_child_mem *m);
int pv_child_mem_map(struct pv_child_mem *m, struct pv_mem_region *r);
void pv_child_mem_unmap(struct pv_child_mem *m, struct pv_mem_region *r);
int pv_child_mem_read(void *mem, u64 gpa, void *buf, unsigned int len);

/* Where a VP's TLB tag was last filled: the LP and the unmap generation. */
struct pv_tlb_track {
	int last_cpu;		/* -1: never */
	int gen;
};

bool pv_child_mem_enter(struct pv_child_mem *m, struct pv_vp *vp,
			struct pv_tlb_track *t, bool shared, bool *flush);
void pv_child_mem_leave(struct pv_child_mem *m, struct pv_vp *vp);

/* module/guest_mem.c */
int pv_gpa_access(struct pv_partition *p, u64 gpa, void *buf, size_t len,
		  bool write);

static inline int pv_gpa_read(struct pv_partition *p, u64 gpa, void *buf,
			      size_t len)
{
	return pv_gpa_access(p, gpa, buf, len, false);
}

static inline int pv_gpa_write(struct pv_partition *p, u64 gpa,
			       const void *buf, size_t len)
{
	return pv_gpa_access(p, gpa, (void *)buf, len, true);
}

/* module/hcall/guest_vp.c: guest hypercalls and synthetic MSRs */
bool pv_guest_hypercall(struct pv_vp *vp, const struct pv_exit *e,
			struct partvisor_run *run);
bool pv_guest_msr(struct pv_vp *vp, const struct pv_exit *e);

/* module/run.c */
long pv_vp_run(struct pv_vp *vp, void __user *argp);
bool pv_run_handle(struct pv_vp *vp, const struct pv_exit *e,
		   struct partvisor_run *run);
int pv_run_step(struct pv_vp *vp, struct partvisor_run *run);
long pv_root_run(struct pv_vp *vp, struct partvisor_run *run);

/* module/host_exit.c: exits a backend handles in host mode */
bool pv_host_exit(struct pv_vp *vp, const struct pv_exit *e);
bool pv_guest_hypercall_host(struct pv_vp *vp, const struct pv_exit *e);

/* module/irq.c */
void pv_vp_irq_init(struct pv_vp *vp);
void pv_vp_irq_destroy(struct pv_vp *vp);
int pv_vp_assert_interrupt(struct pv_vp *vp, u32 vector);
long pv_vp_assert_ioctl(struct pv_vp *vp, void __user *argp);
bool pv_irq_enter(struct pv_vp *vp, int cpu);
void pv_irq_leave(struct pv_vp *vp);
int pv_irq_prepare(struct pv_vp *vp);
bool pv_irq_halt(struct pv_vp *vp);
bool pv_irq_pending(struct pv_vp *vp);

/* module/stimer.c */
void pv_stimer_init(struct pv_vp *vp);
void pv_stimer_destroy(struct pv_vp *vp);
bool pv_synthetic_msr(struct pv_vp *vp, const struct pv_exit *e);
bool pv_known_msr(struct pv_vp *vp, const struct pv_exit *e);
bool pv_canonical(u64 va);
bool pv_pat_ok(u64 pat);

/* module/vp.c */
long pv_create_vp(struct pv_partition *p, void __user *argp);
void pv_vp_reset_state(struct partvisor_vp_state *s);
int pv_vp_check_state(const struct partvisor_vp_state *s);

/* module/debugfs.c */
void pv_debugfs_add_partition(struct pv_partition *p);
void pv_debugfs_remove_partition(struct pv_partition *p);

#endif /* _PV_PARTITION_H */
