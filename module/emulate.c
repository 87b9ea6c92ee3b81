// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO and string I/O exits of child VPs, in process context from the run
 * loop (module/run.c). Neither vendor's exit says enough without decode
 * assists, so the instruction is fetched at CS:RIP through the VP's own
 * page tables and decoded here, the same way on AMD-V and VT-x:
 *
 * - MMIO: a decoded MOV gives the VMM the access size and, for a write,
 *   the value; the VP then moves past the instruction at once. A read
 *   completes on the next RUN with the VMM's value in the destination
 *   register. An instruction not decoded leaves size 0 and the VP at the
 *   instruction.
 * - INS/OUTS: one element per exit, RSI/RDI and RCX stepped as the CPU
 *   would, and the instruction run again while a REP count remains, so
 *   the VP takes interrupts between elements.
 *
 * A fault in the VP's page tables becomes a #PF for the VP, as the CPU
 * would raise it.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "partition.h"
#include "vendor.h"
#include "emulate.h"

/* Bytes of guest memory at a linear address: at most two pages. */
struct pv_emul_span {
	u64 gpa[2];
	unsigned int split;	/* bytes at gpa[0] */
};

static u64 pv_emul_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : BIT_ULL(8 * size) - 1;
}

static int pv_emul_read_gpa(void *ctx, u64 gpa, void *val, unsigned int size)
{
	return pv_gpa_read(ctx, gpa, val, size);
}

/* The run loop's way to guest memory: the VMM's regions, under p->lock. */
static struct pv_gpa_reader pv_emul_reader(struct pv_vp *vp)
{
	return (struct pv_gpa_reader){ .read = pv_emul_read_gpa, .ctx = vp->part };
}

/* The backend's state of the VP, in vp->state, to read from. */
static const struct partvisor_vp_state *pv_emul_state(struct pv_vp *vp)
{
	pv_vendor->vp_store(vp);
	return &vp->state;
}

/* The code size: 8 in 64-bit mode, else 4 or 2 by CS.D. */
static unsigned int pv_emul_mode(const struct partvisor_vp_state *s)
{
	if (!(s->cr0 & X86_CR0_PE) || (s->rflags & X86_EFLAGS_VM))
		return 2;
	if ((s->efer & EFER_LMA) && (s->cs.attrib & PARTVISOR_SEG_L))
		return 8;
	return s->cs.attrib & PARTVISOR_SEG_DB ? 4 : 2;
}

/* Segment base + offset; in 64-bit mode only FS and GS have a base. */
static u64 pv_emul_linear(const struct partvisor_vp_state *s,
			  unsigned int seg, u64 off, unsigned int mode)
{
	const struct partvisor_segment *segs[] = {
		&s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs,
	};

	if (mode == 8)
		return seg < PV_SREG_FS ? off : segs[seg]->base + off;
	return (u32)(segs[seg]->base + off);
}

/*
 * Translate @len bytes at @la. 0; -EFAULT with the faulting address and
 * the #PF error code; -ENXIO with the GPA of a paging-structure entry
 * outside RAM.
 */
static int pv_emul_xlate(struct pv_vp *vp, const struct pv_gpa_reader *rd,
			 u64 la, unsigned int len, u32 access,
			 struct pv_emul_span *sp, u64 *bad, u32 *code)
{
	const struct partvisor_vp_state *s = &vp->state;
	struct pv_gva_walk w = {
		.cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer,
		.read = rd->read, .ctx = rd->ctx,
	};
	unsigned int i;
	u64 at;
	int ret;

	if (pv_vendor->vp_cpl(vp) == 3)
		access |= PV_PF_USER;
	sp->split = min_t(u64, len, PAGE_SIZE - offset_in_page(la));
	sp->gpa[1] = 0;
	for (i = 0; i < (sp->split < len ? 2 : 1); i++) {
		at = la + (i ? sp->split : 0);
		ret = pv_gva_translate(&w, at, access, &sp->gpa[i], code);
		if (ret) {
			*bad = ret == -EFAULT ? at : sp->gpa[i];
			return ret;
		}
	}
	return 0;
}

/* Copy @len bytes between @buf and the span: 0, or -errno with *@bad. */
static int pv_emul_copy(struct pv_vp *vp, const struct pv_emul_span *sp,
			void *buf, unsigned int len, bool write, u64 *bad)
{
	unsigned int i, n, done = 0;

	for (i = 0; done < len; i++) {
		n = i ? len - done : sp->split;
		if (pv_gpa_access(vp->part, sp->gpa[i], buf ? buf + done : NULL,
				  n, write)) {
			*bad = sp->gpa[i];
			return -EFAULT;
		}
		done += n;
	}
	return 0;
}

/* Up to PV_INSN_MAX bytes at CS:RIP: how many, or -errno. */
static int pv_emul_fetch(struct pv_vp *vp, const struct pv_gpa_reader *rd,
			 unsigned int mode, u8 *buf)
{
	u64 la = pv_emul_linear(&vp->state, PV_SREG_CS, vp->state.rip, mode);
	unsigned int first = min_t(u64, PV_INSN_MAX,
				   PAGE_SIZE - offset_in_page(la));
	struct pv_emul_span sp;
	u64 bad;
	u32 code;

	if (pv_emul_xlate(vp, rd, la, first, PV_PF_FETCH, &sp, &bad, &code) ||
	    rd->read(rd->ctx, sp.gpa[0], buf, first))
		return -EFAULT;
	if (first == PV_INSN_MAX)
		return first;
	/* The next page matters only to an instruction that reaches it. */
	if (pv_emul_xlate(vp, rd, la + first, PV_INSN_MAX - first, PV_PF_FETCH,
			  &sp, &bad, &code) ||
	    rd->read(rd->ctx, sp.gpa[0], buf + first, PV_INSN_MAX - first))
		return first;
	return PV_INSN_MAX;
}

static int pv_emul_decode(struct pv_vp *vp, struct pv_insn *insn)
{
	struct pv_gpa_reader rd = pv_emul_reader(vp);
	unsigned int mode = pv_emul_mode(&vp->state);
	u8 bytes[PV_INSN_MAX];
	int n;

	n = pv_emul_fetch(vp, &rd, mode, bytes);
	if (n < 0)
		return n;
	return pv_insn_decode(bytes, n, mode, insn);
}

int pv_emul_fetch_insn(struct pv_vp *vp, const struct pv_gpa_reader *rd,
		       u8 *buf, bool *code64)
{
	unsigned int mode = pv_emul_mode(pv_emul_state(vp));

	*code64 = mode == 8;
	return pv_emul_fetch(vp, rd, mode, buf);
}

static u64 pv_emul_get_reg(struct pv_vp *vp, unsigned int reg,
			   unsigned int size, bool high8)
{
	u64 val = *pv_vendor->vp_gpr(vp, reg);

	return (high8 ? val >> 8 : val) & pv_emul_mask(size);
}

/* As the CPU writes: 8/16 bits keep the rest, 32 bits zero-extend. */
static void pv_emul_set_reg(struct pv_vp *vp, unsigned int reg,
			    unsigned int size, bool high8, u64 val)
{
	u64 *r = pv_vendor->vp_gpr(vp, reg);
	unsigned int shift = high8 ? 8 : 0;
	u64 mask = pv_emul_mask(size) << shift;

	if (size == 4)
		*r = (u32)val;
	else
		*r = (*r & ~mask) | ((val << shift) & mask);
}

/* Move the VP to @next_rip, as after an instruction that completed. */
static void pv_emul_skip(struct pv_vp *vp, u64 next_rip)
{
	struct pv_exit e = { .kind = PV_EXIT_IO, .next_rip = next_rip };

	pv_vendor->vp_resume(vp, &e, PV_RESUME_SKIP);
}

static void pv_emul_inject_pf(struct pv_vp *vp, u64 addr, u32 code)
{
	struct pv_exit e = { .kind = PV_EXIT_IO };

	e.pf.addr = addr;
	e.pf.code = code;
	pv_vendor->vp_resume(vp, &e, PV_RESUME_PF);
}

static void pv_emul_report_mmio(struct partvisor_run *run, u64 gpa,
				u32 flags)
{
	run->reason = PARTVISOR_EXIT_MMIO;
	run->mmio.gpa = gpa;
	run->mmio.flags = flags;
	run->mmio.size = 0;
	run->mmio.data = 0;
}

bool pv_emul_mmio(struct pv_vp *vp, const struct pv_exit *e,
		  struct partvisor_run *run)
{
	struct pv_exit_pending *pend = &vp->pend;
	const struct partvisor_vp_state *s;
	struct pv_insn insn;
	u64 next_rip, val;
	bool write;

	pv_emul_report_mmio(run, e->mem.gpa,
			    (e->mem.write ? PARTVISOR_MMIO_WRITE : 0) |
			    (e->mem.fetch ? PARTVISOR_MMIO_FETCH : 0));
	/*
	 * Nothing to decode in a fetch, nor when the CPU itself made the
	 * access (its page walk, an event's delivery): not the instruction.
	 */
	if (e->mem.fetch || e->mem.by_cpu)
		return false;
	s = pv_emul_state(vp);
	if (pv_emul_decode(vp, &insn))
		return false;
	switch (insn.kind) {
	case PV_INSN_MOV_TO_MEM:
	case PV_INSN_MOV_IMM:
		write = true;
		break;
	case PV_INSN_MOV_FROM_MEM:
		write = false;
		break;
	default:
		return false;
	}
	/* Not what exited (another VP rewrote it?): leave it undecoded. */
	if (write != e->mem.write)
		return false;
	next_rip = s->rip + insn.len;
	if (pv_emul_mode(s) != 8)
		next_rip = (u32)next_rip;
	run->mmio.size = insn.mem_size;
	if (write) {
		val = insn.kind == PV_INSN_MOV_IMM ? insn.imm :
		      pv_emul_get_reg(vp, insn.reg, insn.reg_size, insn.high8);
		run->mmio.data = val & pv_emul_mask(insn.mem_size);
		pv_emul_skip(vp, next_rip);
		return false;
	}
	vp->pending = true;
	pend->reason = PARTVISOR_EXIT_MMIO;
	pend->size = insn.mem_size;
	pend->next_rip = next_rip;
	pend->reg = insn.reg;
	pend->reg_size = insn.reg_size;
	pend->high8 = insn.high8;
	pend->sign = insn.sign;
	pend->string = false;
	return false;
}

/* One element done: step RSI or RDI, and RCX with REP; then the next. */
static void pv_emul_string_step(struct pv_vp *vp, unsigned int idx,
				unsigned int addr_size, unsigned int size,
				bool df, bool rep, u64 next_rip)
{
	u64 amask = pv_emul_mask(addr_size);
	u64 *r = pv_vendor->vp_gpr(vp, idx);
	u64 *rcx = pv_vendor->vp_gpr(vp, PV_REG_RCX);

	pv_emul_set_reg(vp, idx, addr_size, false,
			df ? *r - size : *r + size);
	if (rep) {
		pv_emul_set_reg(vp, PV_REG_RCX, addr_size, false, *rcx - 1);
		/* More to do: the same instruction again. */
		if (*rcx & amask)
			return;
	}
	pv_emul_skip(vp, next_rip);
}

bool pv_emul_string_io(struct pv_vp *vp, const struct pv_exit *e,
		       struct partvisor_run *run)
{
	struct pv_gpa_reader rd = pv_emul_reader(vp);
	struct pv_exit_pending *pend = &vp->pend;
	const struct partvisor_vp_state *s;
	unsigned int idx, size = e->io.size;
	struct pv_emul_span sp;
	struct pv_insn insn;
	u64 la, bad, data = 0;
	u32 code;
	int ret;

	s = pv_emul_state(vp);
	if (pv_emul_decode(vp, &insn) ||
	    insn.kind != (e->io.in ? PV_INSN_INS : PV_INSN_OUTS)) {
		run->reason = PARTVISOR_EXIT_UNSUPPORTED;
		return false;
	}
	if (e->io.rep &&
	    !(*pv_vendor->vp_gpr(vp, PV_REG_RCX) & pv_emul_mask(insn.addr_size))) {
		pv_emul_skip(vp, e->next_rip);
		return true;
	}
	idx = e->io.in ? PV_REG_RDI : PV_REG_RSI;
	la = pv_emul_linear(s, insn.seg, pv_emul_get_reg(vp, idx, insn.addr_size,
							 false),
			    pv_emul_mode(s));
	ret = pv_emul_xlate(vp, &rd, la, size, e->io.in ? PV_PF_WRITE : 0,
			    &sp, &bad, &code);
	if (ret == -EFAULT) {
		pv_emul_inject_pf(vp, bad, code);
		return true;
	}
	if (ret) {
		pv_emul_report_mmio(run, bad, 0);
		return false;
	}
	/* Guest memory that is not RAM: the VMM sees where, undecoded. */
	if (pv_emul_copy(vp, &sp, e->io.in ? NULL : &data, size, e->io.in,
			 &bad)) {
		pv_emul_report_mmio(run, bad,
				    e->io.in ? PARTVISOR_MMIO_WRITE : 0);
		return false;
	}
	run->reason = PARTVISOR_EXIT_IO;
	run->io.port = e->io.port;
	run->io.size = size;
	run->io.flags = PARTVISOR_IO_STRING |
			(e->io.rep ? PARTVISOR_IO_REP : 0) |
			(e->io.in ? PARTVISOR_IO_IN : 0);
	run->io.data = data;
	if (!e->io.in) {
		pv_emul_string_step(vp, idx, insn.addr_size, size,
				    s->rflags & X86_EFLAGS_DF, e->io.rep,
				    e->next_rip);
		return false;
	}
	vp->pending = true;
	pend->reason = PARTVISOR_EXIT_IO;
	pend->size = size;
	pend->next_rip = e->next_rip;
	pend->string = true;
	pend->rep = e->io.rep;
	pend->df = s->rflags & X86_EFLAGS_DF;
	pend->addr_size = insn.addr_size;
	pend->split = sp.split;
	pend->gpa[0] = sp.gpa[0];
	pend->gpa[1] = sp.gpa[1];
	return false;
}

int pv_emul_complete(struct pv_vp *vp, const struct partvisor_run *run)
{
	struct pv_exit_pending *pend = &vp->pend;
	struct pv_emul_span sp;
	u64 val, bad;

	if (run->flags)
		return -EINVAL;
	if (pend->reason == PARTVISOR_EXIT_MMIO) {
		val = run->mmio.data & pv_emul_mask(pend->size);
		if (pend->sign)
			val = sign_extend64(val, 8 * pend->size - 1);
		pv_emul_set_reg(vp, pend->reg, pend->reg_size, pend->high8, val);
		pv_emul_skip(vp, pend->next_rip);
		return 0;
	}
	/* INS: the element lands in memory (lost if the VMM unmapped it). */
	pend->string = false;
	val = run->io.data;
	sp.gpa[0] = pend->gpa[0];
	sp.gpa[1] = pend->gpa[1];
	sp.split = pend->split;
	pv_emul_copy(vp, &sp, &val, pend->size, true, &bad);
	pv_emul_string_step(vp, PV_REG_RDI, pend->addr_size, pend->size,
			    pend->df, pend->rep, pend->next_rip);
	return 0;
}

/*
 * A CR0 write the backend intercepted and decoded (e->cr0): performed on
 * the VP's state, or #GP(0) as the CPU would raise it. The CPU checks
 * CPL 0 before the intercept; a second look costs nothing.
 */
void pv_emul_cr0_write(struct pv_vp *vp, const struct pv_exit *e)
{
	const struct pv_vendor_ops *ops = pv_vendor;
	struct partvisor_vp_state *s = &vp->state;
	u64 src = 0, cr0, efer;
	int ret;

	if (ops->vp_cpl(vp)) {
		ops->vp_resume(vp, e, PV_RESUME_GP);
		return;
	}
	if (e->cr0.op != PV_CR0_CLTS) {
		src = *ops->vp_gpr(vp, e->cr0.gpr);
		if (!e->cr0.wide)
			src = (u32)src;
	}
	ops->vp_store(vp);
	ret = pv_cr0_next(s->cr0, s->cr4, s->efer,
			  s->cs.attrib & PARTVISOR_SEG_L, e->cr0.op, src,
			  &cr0, &efer);
	if (!ret) {
		s->cr0 = cr0;
		s->efer = efer;
		ops->vp_load(vp);
	}
	ops->vp_resume(vp, e, ret ? PV_RESUME_GP : PV_RESUME_SKIP);
}
