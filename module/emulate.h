/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the root driver emulates for a child VP without decode assists:
 * guest-virtual to guest-physical translation (gva.c), decoding of the
 * few instructions that access MMIO (insn.c), and MMIO and string I/O
 * exits built on them (emulate.c). gva.c and insn.c depend on nothing
 * else, so KUnit tests build them on their own.
 */
#ifndef _PV_EMULATE_H
#define _PV_EMULATE_H

#include <linux/types.h>

/* Access and #PF error-code bits, as the CPU reports them. */
#define PV_PF_PRESENT	BIT(0)
#define PV_PF_WRITE	BIT(1)
#define PV_PF_USER	BIT(2)
#define PV_PF_RSVD	BIT(3)
#define PV_PF_FETCH	BIT(4)

/*
 * The VP's paging state and how to read a paging-structure entry: @read
 * copies @size (4 or 8) bytes at guest-physical @gpa into @val and
 * returns 0, or -errno when no RAM is there.
 */
struct pv_gva_walk {
	u64 cr0, cr3, cr4, efer;
	int (*read)(void *ctx, u64 gpa, void *val, unsigned int size);
	void *ctx;
};

/*
 * Translate linear @gva for an access of @access (PV_PF_WRITE, _USER,
 * _FETCH). 0 with *@gpa; -EFAULT when the walk faults, with the #PF
 * error code in *@pf_code (CR2 is @gva); or -ENXIO when a
 * paging-structure entry is not in RAM, with its address in *@gpa.
 * Accessed and dirty bits are not set.
 */
int pv_gva_translate(const struct pv_gva_walk *w, u64 gva, u32 access,
		     u64 *gpa, u32 *pf_code);

/* The three instructions that write CR0. */
enum pv_cr0_op {
	PV_CR0_MOV,		/* MOV CR0, r */
	PV_CR0_LMSW,		/* LMSW r16: PE (set only), MP, EM, TS */
	PV_CR0_CLTS,		/* clears TS */
};

/*
 * What a CR0 write by @op with source @src leaves, from the VP's @cr0,
 * @cr4 and @efer; @cs_l is its CS.L. 0 with *@new_cr0 and *@new_efer
 * (LMA follows paging while EFER.LME is set), or -EINVAL for the #GP(0)
 * the CPU raises. cr0.c, on its own for KUnit.
 */
int pv_cr0_next(u64 cr0, u64 cr4, u64 efer, bool cs_l, enum pv_cr0_op op,
		u64 src, u64 *new_cr0, u64 *new_efer);

/* Segment registers in instruction-encoding order. */
enum pv_sreg { PV_SREG_ES, PV_SREG_CS, PV_SREG_SS, PV_SREG_DS, PV_SREG_FS, PV_SREG_GS };

/* What the decoder knows about an instruction. */
enum pv_insn_kind {
	PV_INSN_MOV_TO_MEM,	/* 88, 89, a2, a3: memory <- register */
	PV_INSN_MOV_FROM_MEM,	/* 8a, 8b, a0, a1, 0f b6/b7/be/bf */
	PV_INSN_MOV_IMM,	/* c6 /0, c7 /0: memory <- immediate */
	PV_INSN_INS,		/* 6c, 6d */
	PV_INSN_OUTS,		/* 6e, 6f */
};

struct pv_insn {
	enum pv_insn_kind kind;
	u8 len;			/* bytes, prefixes included */
	u8 mem_size;		/* bytes of memory accessed: 1, 2, 4, 8 */
	u8 reg_size;		/* bytes of the register operand */
	u8 reg;			/* enum pv_reg number */
	u8 addr_size;		/* 2, 4, 8 */
	u8 seg;			/* enum pv_sreg of the memory operand */
	bool high8;		/* AH, CH, DH or BH (reg is RAX..RBX) */
	bool sign;		/* MOVSX: sign-extend, else zero-extend */
	bool rep;		/* F2/F3 prefix */
	u64 imm;		/* PV_INSN_MOV_IMM, sign-extended */
};

/*
 * Decode @avail bytes at a VP's RIP; @mode is the code size, 2, 4 or 8
 * (64-bit mode). 0; -EAGAIN when more bytes are needed; -EINVAL for
 * anything but the instructions above with a memory operand.
 */
int pv_insn_decode(const u8 *bytes, unsigned int avail, unsigned int mode,
		   struct pv_insn *insn);

#define PV_INSN_MAX	15	/* bytes in one x86 instruction */

struct pv_vp;
struct pv_exit;
struct partvisor_run;

/* emulate.c; run.c's loop: true when the VP runs on without the VMM. */
bool pv_emul_mmio(struct pv_vp *vp, const struct pv_exit *e,
		  struct partvisor_run *run);
bool pv_emul_string_io(struct pv_vp *vp, const struct pv_exit *e,
		       struct partvisor_run *run);
int pv_emul_complete(struct pv_vp *vp, const struct partvisor_run *run);
void pv_emul_cr0_write(struct pv_vp *vp, const struct pv_exit *e);

/*
 * How guest-physical memory is read: @read copies @len bytes at @gpa into
 * @buf and returns 0, or -errno when the VP has no RAM there.
 */
struct pv_gpa_reader {
	int (*read)(void *ctx, u64 gpa, void *buf, unsigned int len);
	void *ctx;
};

/*
 * For a backend decoding an exit: up to PV_INSN_MAX bytes at the VP's
 * CS:RIP read through @rd (how many, or -errno), *@code64 for 64-bit
 * code.
 */
int pv_emul_fetch_insn(struct pv_vp *vp, const struct pv_gpa_reader *rd,
		       u8 *buf, bool *code64);

#endif /* _PV_EMULATE_H */
