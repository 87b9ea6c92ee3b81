// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual processors: creation from a partition fd, the VP fd and the
 * state ioctls. The state lives in struct pv_vp in the ABI's own layout;
 * a backend loads it into its VMCB/VMCS before a run and stores it back
 * afterwards. Checks here are structural: bits no x86-64 CPU defines and
 * combinations no CPU can be in. What a particular CPU or backend cannot
 * run is the backend's business when the VP runs.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/fpu/types.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "partvisor.h"
#include "partition.h"
#include "vendor.h"

/* Offsets into the standard-format XSAVE area. */
#define PV_XSAVE_FCW		0
#define PV_XSAVE_MXCSR		24
#define PV_XSAVE_HDR		512	/* XSTATE_BV, XCOMP_BV, reserved */
#define PV_XSAVE_HDR_SIZE	64
#define PV_MXCSR_VALID		0xffff
#define PV_MXCSR_INIT		0x1f80
#define PV_FCW_INIT		0x037f
#define PV_DR7_INIT		0x400	/* bit 10 reads as one */

/* What a CPU holds after INIT; PAT and XCR0 as after RESET. */
void pv_vp_reset_state(struct partvisor_vp_state *s)
{
	const struct partvisor_segment data = {
		.limit = 0xffff,
		.attrib = PARTVISOR_SEG_P | PARTVISOR_SEG_S | 0x3,
	};

	memset(s, 0, sizeof(*s));
	s->rip = 0xfff0;
	s->rflags = X86_EFLAGS_FIXED;
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	s->cs.limit = 0xffff;
	s->cs.attrib = PARTVISOR_SEG_P | PARTVISOR_SEG_S | 0xb;
	s->ds = data;
	s->es = data;
	s->fs = data;
	s->gs = data;
	s->ss = data;
	/* A busy TSS: VT-x refuses any other TR type on entry. */
	s->tr.limit = 0xffff;
	s->tr.attrib = PARTVISOR_SEG_P | 0xb;
	s->ldtr.limit = 0xffff;
	s->ldtr.attrib = PARTVISOR_SEG_P | 0x2;
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	s->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	s->dr7 = PV_DR7_INIT;
	s->pat = 0x0007040600070406ULL;
	s->xcr0 = XFEATURE_MASK_FP;
}

static void pv_vp_reset_xsave(struct partvisor_xsave *x)
{
	u16 fcw = PV_FCW_INIT;
	u32 mxcsr = PV_MXCSR_INIT;

	/* XSTATE_BV 0: every component in its initial configuration. */
	memset(x, 0, sizeof(*x));
	memcpy(x->region + PV_XSAVE_FCW, &fcw, sizeof(fcw));
	memcpy(x->region + PV_XSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
}

bool pv_pat_ok(u64 pat)
{
	unsigned int i;
	u8 type;

	/* Memory types 2, 3 and above 7 do not exist. */
	for (i = 0; i < 8; i++) {
		type = pat >> (i * 8);
		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/* What XSETBV would refuse: no x87, AVX without SSE, split groups. */
static bool pv_xcr0_ok(u64 xcr0)
{
	u64 avx512 = XFEATURE_MASK_AVX512, mpx = XFEATURE_MASK_BNDREGS |
		     XFEATURE_MASK_BNDCSR;

	if (xcr0 & ~PARTVISOR_XCR0_VALID || !(xcr0 & XFEATURE_MASK_FP))
		return false;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return false;
	if ((xcr0 & avx512) &&
	    ((xcr0 & avx512) != avx512 || !(xcr0 & XFEATURE_MASK_YMM)))
		return false;
	return (xcr0 & mpx) == 0 || (xcr0 & mpx) == mpx;
}

int pv_vp_check_state(const struct partvisor_vp_state *s)
{
	const struct partvisor_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr,
		&s->ldtr,
	};
	bool lma = s->efer & EFER_LMA;
	unsigned int i;

	if (memchr_inv(s->reserved, 0, sizeof(s->reserved)) ||
	    memchr_inv(s->gdtr.pad, 0, sizeof(s->gdtr.pad)) ||
	    memchr_inv(s->idtr.pad, 0, sizeof(s->idtr.pad)))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (segs[i]->attrib & ~PARTVISOR_SEG_ATTRIB_VALID)
			return -EINVAL;

	if ((s->rflags & ~PARTVISOR_RFLAGS_VALID) ||
	    !(s->rflags & PARTVISOR_RFLAGS_FIXED1))
		return -EINVAL;
	if ((s->cr0 & ~PARTVISOR_CR0_VALID) || (s->cr3 & ~PARTVISOR_CR3_VALID) ||
	    (s->cr4 & ~PARTVISOR_CR4_VALID) || (s->cr8 & ~PARTVISOR_CR8_VALID) ||
	    (s->efer & ~PARTVISOR_EFER_VALID) || (s->dr7 & ~PARTVISOR_DR7_VALID))
		return -EINVAL;
	/* MOV to CR0 raises #GP for these. */
	if ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return -EINVAL;
	/* The CPU sets LMA exactly when paging is on with LME; it needs PAE. */
	if (lma != ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)))
		return -EINVAL;
	if (lma && !(s->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if (!pv_pat_ok(s->pat) || !pv_xcr0_ok(s->xcr0))
		return -EINVAL;
	/*
	 * Bases no CPU state holds: VM entry refuses them, WRMSR of FS/GS
	 * base and LGDT/LIDT in 64-bit mode fault.
	 */
	if (!pv_canonical(s->fs.base) || !pv_canonical(s->gs.base) ||
	    !pv_canonical(s->tr.base) || !pv_canonical(s->ldtr.base) ||
	    !pv_canonical(s->gdtr.base) || !pv_canonical(s->idtr.base))
		return -EINVAL;
	/* What WRMSR refuses; VM entry checks some of them too. */
	if (!pv_canonical(s->lstar) || !pv_canonical(s->cstar) ||
	    !pv_canonical(s->kernel_gs_base) ||
	    !pv_canonical(s->sysenter_esp) || !pv_canonical(s->sysenter_eip) ||
	    (s->sfmask >> 32) || (s->sysenter_cs >> 32))
		return -EINVAL;
	return 0;
}

static int pv_xsave_check(const struct partvisor_xsave *x)
{
	const u8 *hdr = x->region + PV_XSAVE_HDR;
	u64 xstate_bv;
	u32 mxcsr;

	memcpy(&mxcsr, x->region + PV_XSAVE_MXCSR, sizeof(mxcsr));
	memcpy(&xstate_bv, hdr, sizeof(xstate_bv));
	if (mxcsr & ~PV_MXCSR_VALID)
		return -EINVAL;
	if (xstate_bv & ~PARTVISOR_XCR0_VALID)
		return -EINVAL;
	/* XCOMP_BV and the reserved header bytes: the standard format only. */
	if (memchr_inv(hdr + sizeof(xstate_bv), 0,
		       PV_XSAVE_HDR_SIZE - sizeof(xstate_bv)))
		return -EINVAL;
	return 0;
}

static long pv_vp_get_state(struct pv_vp *vp, void __user *argp)
{
	long ret = 0;

	mutex_lock(&vp->lock);
	if (copy_to_user(argp, &vp->state, sizeof(vp->state)))
		ret = -EFAULT;
	mutex_unlock(&vp->lock);
	return ret;
}

static long pv_vp_set_state(struct pv_vp *vp, void __user *argp)
{
	struct partvisor_vp_state *s;
	long ret;

	/* Half a kilobyte: too much for the stack of an ioctl. */
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = pv_vp_check_state(s);
	if (!ret) {
		mutex_lock(&vp->lock);
		vp->state = *s;
		mutex_unlock(&vp->lock);
	}
	kfree(s);
	return ret;
}

static long pv_vp_get_xsave(struct pv_vp *vp, void __user *argp)
{
	long ret = 0;

	mutex_lock(&vp->lock);
	if (copy_to_user(argp, vp->xsave, sizeof(*vp->xsave)))
		ret = -EFAULT;
	mutex_unlock(&vp->lock);
	return ret;
}

static long pv_vp_set_xsave(struct pv_vp *vp, void __user *argp)
{
	struct partvisor_xsave *x;
	long ret;

	x = memdup_user(argp, sizeof(*x));
	if (IS_ERR(x))
		return PTR_ERR(x);
	ret = pv_xsave_check(x);
	if (!ret) {
		mutex_lock(&vp->lock);
		memcpy(vp->xsave, x, sizeof(*x));
		mutex_unlock(&vp->lock);
	}
	kfree(x);
	return ret;
}

/* Child VPs of every partition, for the hypervisor counter set. */
static atomic_t pv_vps_alive = ATOMIC_INIT(0);

unsigned int pv_nr_vps(void)
{
	return atomic_read(&pv_vps_alive);
}

static long pv_vp_ioctl(struct file *filp, unsigned int cmd,
			unsigned long arg)
{
	struct pv_vp *vp = filp->private_data;
	void __user *argp = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case PARTVISOR_GET_VP_STATE:
		return pv_vp_get_state(vp, argp);
	case PARTVISOR_SET_VP_STATE:
		return pv_vp_set_state(vp, argp);
	case PARTVISOR_GET_XSAVE:
		return pv_vp_get_xsave(vp, argp);
	case PARTVISOR_SET_XSAVE:
		return pv_vp_set_xsave(vp, argp);
	case PARTVISOR_RUN_VP:
		return pv_vp_run(vp, argp);
	case PARTVISOR_ASSERT_INTERRUPT:
		return pv_vp_assert_ioctl(vp, argp);
	case PARTVISOR_GET_STATS_FD:
		return pv_stats_fd_ioctl(filp, argp, PV_STATS_SRC_VP);
	default:
		return -ENOTTY;
	}
}

static void pv_vp_free(struct pv_vp *vp)
{
	pv_vp_irq_destroy(vp);
	mutex_destroy(&vp->lock);
	kfree(vp->xsave);
	kfree(vp);
}

static int pv_vp_release(struct inode *inode, struct file *filp)
{
	struct pv_vp *vp = filp->private_data;
	struct pv_partition *p = vp->part;

	pv_debugfs_remove_vp(vp);
	mutex_lock(&p->lock);
	pv_classic_vp_remove(vp);
	if (pv_vendor_children())
		pv_vendor->vp_destroy(vp);
	p->vps[vp->index] = NULL;
	p->nr_vps--;
	atomic_dec(&pv_vps_alive);
	mutex_unlock(&p->lock);

	pv_vp_free(vp);
	/* Possibly the last reference: the partition goes with its VP. */
	pv_part_put(p);
	return 0;
}

static const struct file_operations pv_vp_fops = {
	.owner = THIS_MODULE,
	.release = pv_vp_release,
	.unlocked_ioctl = pv_vp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Called with p->lock held; the VP is in place when it returns 0. */
static int pv_vp_attach(struct pv_partition *p, struct pv_vp *vp)
{
	int ret;

	lockdep_assert_held(&p->lock);
	if (p->vps[vp->index])
		return -EEXIST;
	if (pv_vendor_children()) {
		ret = pv_vendor->vp_init(vp);
		if (ret)
			return ret;
	}
	ret = pv_classic_vp_add(vp);
	if (ret) {
		if (pv_vendor_children())
			pv_vendor->vp_destroy(vp);
		return ret;
	}
	p->vps[vp->index] = vp;
	p->nr_vps++;
	atomic_inc(&pv_vps_alive);
	p->vps_created++;
	return 0;
}

long pv_create_vp(struct pv_partition *p, void __user *argp)
{
	struct partvisor_create_vp args;
	struct file *file;
	struct pv_vp *vp;
	int fd, ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)) ||
	    args.vp_index >= PARTVISOR_MAX_VPS)
		return -EINVAL;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return -ENOMEM;
	vp->xsave = kzalloc(sizeof(*vp->xsave), GFP_KERNEL_ACCOUNT);
	if (!vp->xsave) {
		kfree(vp);
		return -ENOMEM;
	}
	mutex_init(&vp->lock);
	pv_vp_irq_init(vp);
	vp->part = p;
	vp->index = args.vp_index;
	pv_vp_reset_state(&vp->state);
	pv_vp_reset_xsave(vp->xsave);
	vp->dr6 = DR6_RESERVED;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		pv_vp_free(vp);
		return fd;
	}

	mutex_lock(&p->lock);
	ret = pv_vp_attach(p, vp);
	if (ret)
		goto fail;
	file = anon_inode_getfile("partvisor-vp", &pv_vp_fops, vp, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		pv_classic_vp_remove(vp);
		if (pv_vendor_children())
			pv_vendor->vp_destroy(vp);
		p->vps[vp->index] = NULL;
		p->nr_vps--;
		atomic_dec(&pv_vps_alive);
		goto fail;
	}
	/* The caller's partition fd keeps @p alive until here. */
	kref_get(&p->ref);
	pv_debugfs_add_vp(vp);
	mutex_unlock(&p->lock);
	fd_install(fd, file);
	return fd;

fail:
	mutex_unlock(&p->lock);
	put_unused_fd(fd);
	pv_vp_free(vp);
	return ret;
}
