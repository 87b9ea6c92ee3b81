// SPDX-License-Identifier: GPL-2.0
/*
 * Length of an intercepted instruction, for SVM without NRIPS. The exit
 * code already says which instruction trapped, so this only has to skip
 * its prefixes and confirm the opcode; anything else means the bytes at
 * RIP are not what the CPU executed (self-modifying code, a racing remap)
 * and the caller must not advance RIP blindly.
 *
 * Returns the length, -ENODATA when @avail bytes do not hold the whole
 * instruction, -E2BIG past 15 bytes, or -EINVAL when the opcode does not
 * match @insn.
 */
#include <linux/errno.h>
#include <linux/kernel.h>

#include "insn_len.h"

struct pv_opcode {
	u8 len;
	u8 bytes[3];
};

/* Opcode bytes after the prefixes; PAUSE is F3 90 and keeps its F3. */
static const struct pv_opcode pv_svm_opcodes[PV_NR_SVM_INSNS] = {
	[PV_INSN_CPUID]   = { 2, { 0x0f, 0xa2 } },
	[PV_INSN_RDMSR]   = { 2, { 0x0f, 0x32 } },
	[PV_INSN_WRMSR]   = { 2, { 0x0f, 0x30 } },
	[PV_INSN_HLT]     = { 1, { 0xf4 } },
	[PV_INSN_PAUSE]   = { 1, { 0x90 } },
	[PV_INSN_RDTSC]   = { 2, { 0x0f, 0x31 } },
	[PV_INSN_RDTSCP]  = { 3, { 0x0f, 0x01, 0xf9 } },
	[PV_INSN_RDPMC]   = { 2, { 0x0f, 0x33 } },
	[PV_INSN_INVD]    = { 2, { 0x0f, 0x08 } },
	[PV_INSN_WBINVD]  = { 2, { 0x0f, 0x09 } },
	[PV_INSN_XSETBV]  = { 3, { 0x0f, 0x01, 0xd1 } },
	[PV_INSN_MONITOR] = { 3, { 0x0f, 0x01, 0xc8 } },
	[PV_INSN_MWAIT]   = { 3, { 0x0f, 0x01, 0xc9 } },
	[PV_INSN_VMRUN]   = { 3, { 0x0f, 0x01, 0xd8 } },
	[PV_INSN_VMMCALL] = { 3, { 0x0f, 0x01, 0xd9 } },
	[PV_INSN_VMLOAD]  = { 3, { 0x0f, 0x01, 0xda } },
	[PV_INSN_VMSAVE]  = { 3, { 0x0f, 0x01, 0xdb } },
	[PV_INSN_STGI]    = { 3, { 0x0f, 0x01, 0xdc } },
	[PV_INSN_CLGI]    = { 3, { 0x0f, 0x01, 0xdd } },
	[PV_INSN_SKINIT]  = { 3, { 0x0f, 0x01, 0xde } },
	[PV_INSN_INVLPGA] = { 3, { 0x0f, 0x01, 0xdf } },
};

static bool pv_is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e:	/* segment overrides */
	case 0x64: case 0x65:
	case 0x66: case 0x67:				/* operand, address size */
	case 0xf0: case 0xf2: case 0xf3:		/* lock, repne, rep */
		return true;
	default:
		return false;
	}
}

/* The length without any prefix. */
int pv_svm_insn_min_len(enum pv_svm_insn insn)
{
	return insn < PV_NR_SVM_INSNS ? pv_svm_opcodes[insn].len : 0;
}

/* Bytes that end before the instruction does: too short, or past 15. */
static int pv_cut_short(unsigned int avail)
{
	return avail > PV_MAX_INSN_LEN ? -E2BIG : -ENODATA;
}

/* The instruction's length, its last byte at @end - 1. */
static int pv_insn_end(unsigned int end)
{
	return end > PV_MAX_INSN_LEN ? -E2BIG : end;
}

/*
 * Past the prefixes: legacy ones in any order, REX (40-4F) only in 64-bit
 * mode, and only the last REX counts. The opcode's offset, or an error.
 */
static int pv_skip_prefixes(const u8 *bytes, unsigned int avail,
			    bool long_mode, bool *rep, u8 *rex)
{
	unsigned int pos = 0;

	*rep = false;
	*rex = 0;
	for (;;) {
		if (pos >= avail)
			return pv_cut_short(avail);
		if (pv_is_legacy_prefix(bytes[pos])) {
			*rep |= bytes[pos] == 0xf3;
			*rex = 0;
			pos++;
		} else if (long_mode && (bytes[pos] & 0xf0) == 0x40) {
			*rex = bytes[pos];
			pos++;
		} else {
			return pos;
		}
	}
}

int pv_svm_insn_len(const u8 *bytes, unsigned int avail, bool long_mode,
		    enum pv_svm_insn insn)
{
	const struct pv_opcode *op;
	unsigned int pos, i;
	bool rep;
	u8 rex;
	int ret;

	if (insn >= PV_NR_SVM_INSNS)
		return -EINVAL;
	op = &pv_svm_opcodes[insn];
	avail = min_t(unsigned int, avail, PV_MAX_INSN_LEN + 1);
	ret = pv_skip_prefixes(bytes, avail, long_mode, &rep, &rex);
	if (ret < 0)
		return ret;
	pos = ret;

	/* PAUSE is the only one whose meaning depends on a prefix. */
	if (insn == PV_INSN_PAUSE && !rep)
		return -EINVAL;

	for (i = 0; i < op->len; i++) {
		if (pos + i >= avail)
			return pv_cut_short(avail);
		if (bytes[pos + i] != op->bytes[i])
			return -EINVAL;
	}
	return pv_insn_end(pos + op->len);
}

/*
 * Past the prefixes, with @need opcode and ModRM bytes in reach: their
 * offset (REX in *@rex), or an error as above.
 */
static int pv_opcode_at(const u8 *bytes, unsigned int *avail, bool long_mode,
			unsigned int need, u8 *rex)
{
	bool rep;
	int pos;

	*avail = min_t(unsigned int, *avail, PV_MAX_INSN_LEN + 1);
	pos = pv_skip_prefixes(bytes, *avail, long_mode, &rep, rex);
	if (pos >= 0 && pos + need > *avail)
		return pv_cut_short(*avail);
	return pos;
}

/*
 * MOV to (0F 23) or from (0F 21) a debug register: its length and, in
 * *@gpr, the general register (ModRM.rm, extended by REX.B; the CPU
 * treats any ModRM as the register form).
 */
int pv_svm_mov_dr_len(const u8 *bytes, unsigned int avail, bool long_mode,
		      bool write, u8 *gpr)
{
	int pos;
	u8 rex;

	pos = pv_opcode_at(bytes, &avail, long_mode, 3, &rex);
	if (pos < 0)
		return pos;
	if (bytes[pos] != 0x0f || bytes[pos + 1] != (write ? 0x23 : 0x21))
		return -EINVAL;
	*gpr = (bytes[pos + 2] & 7) | (rex & 1 ? 8 : 0);
	return pv_insn_end(pos + 3);
}

/*
 * A write to CR0: MOV CR0, r (0F 22 with ModRM.reg 0 and no REX.R; any
 * ModRM is the register form), CLTS (0F 06), or LMSW from a register
 * (0F 01 /6 with ModRM.mod 3). Its length, *@op and the source *@gpr;
 * -EOPNOTSUPP for LMSW from memory, -EINVAL for anything else.
 */
int pv_svm_cr0_write_len(const u8 *bytes, unsigned int avail, bool long_mode,
			 enum pv_cr0_op *op, u8 *gpr)
{
	int pos;
	u8 rex, modrm;

	pos = pv_opcode_at(bytes, &avail, long_mode, 2, &rex);
	if (pos < 0)
		return pos;
	if (bytes[pos] != 0x0f)
		return -EINVAL;
	if (bytes[pos + 1] == 0x06) {
		*op = PV_CR0_CLTS;
		*gpr = 0;
		return pv_insn_end(pos + 2);
	}
	if (pos + 3 > avail)
		return pv_cut_short(avail);
	modrm = bytes[pos + 2];
	if (bytes[pos + 1] == 0x22 && !(modrm & 0x38) && !(rex & 4))
		*op = PV_CR0_MOV;
	else if (bytes[pos + 1] == 0x01 && (modrm & 0xf8) == 0xf0)
		*op = PV_CR0_LMSW;
	else if (bytes[pos + 1] == 0x01 && (modrm & 0x38) == 0x30)
		return -EOPNOTSUPP;
	else
		return -EINVAL;
	*gpr = (modrm & 7) | (rex & 1 ? 8 : 0);
	return pv_insn_end(pos + 3);
}
