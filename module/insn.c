// SPDX-License-Identifier: GPL-2.0
/*
 * A decoder for the instructions through which guests reach MMIO and
 * string I/O: the MOV forms with a memory operand, MOVZX/MOVSX, and
 * INS/OUTS. It finds what an MMIO exit needs and the hardware does not
 * tell without decode assists: the instruction's length, the access size,
 * the register or immediate, and for string I/O the address size and
 * segment. Anything else is refused, so the caller never guesses.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "emulate.h"

#define PV_REX_B	BIT(0)
#define PV_REX_X	BIT(1)
#define PV_REX_R	BIT(2)
#define PV_REX_W	BIT(3)

/* Bytes of ModRM, SIB and displacement; -EINVAL for a register operand. */
static int pv_insn_modrm_len(const u8 *b, unsigned int avail,
			     unsigned int addr_size)
{
	unsigned int mod, rm;

	if (!avail)
		return -EAGAIN;
	mod = b[0] >> 6;
	rm = b[0] & 7;
	if (mod == 3)
		return -EINVAL;
	if (addr_size == 2) {
		if (mod == 1)
			return 2;
		if (mod == 2 || rm == 6)
			return 3;
		return 1;
	}
	if (rm == 4) {			/* SIB */
		if (avail < 2)
			return -EAGAIN;
		if (mod == 0 && (b[1] & 7) == 5)
			return 6;
		return mod == 1 ? 3 : mod == 2 ? 6 : 2;
	}
	if (mod == 1)
		return 2;
	if (mod == 2 || rm == 5)	/* disp32, or RIP-relative in 64-bit */
		return 5;
	return 1;
}

/* A byte register: without REX, 4-7 are AH, CH, DH, BH. */
static void pv_insn_byte_reg(struct pv_insn *insn, bool rex)
{
	if (!rex && insn->reg >= 4 && insn->reg < 8) {
		insn->reg -= 4;
		insn->high8 = true;
	}
}

int pv_insn_decode(const u8 *bytes, unsigned int avail, unsigned int mode,
		   struct pv_insn *insn)
{
	unsigned int i, op_size, addr_size, rex = 0, n, imm_len = 0;
	bool opsz = false, adsz = false, has_rex = false, two = false;
	int seg = -1, len, more;
	u8 op, modrm = 0;

	memset(insn, 0, sizeof(*insn));
	if (avail > PV_INSN_MAX)
		avail = PV_INSN_MAX;
	/* Past 15 bytes an instruction is invalid, not incomplete. */
	more = avail == PV_INSN_MAX ? -EINVAL : -EAGAIN;
	for (i = 0; ; i++) {
		if (i >= avail)
			return more;
		op = bytes[i];
		if (mode == 8 && (op & 0xf0) == 0x40) {
			/* REX counts only right before the opcode. */
			rex = op & 0xf;
			has_rex = true;
			continue;
		}
		switch (op) {
		case 0x66:
			opsz = true;
			break;
		case 0x67:
			adsz = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			seg = (op >> 3) & 3;
			break;
		case 0x64: case 0x65:
			seg = op - 0x64 + PV_SREG_FS;
			break;
		case 0xf0:
			break;
		case 0xf2: case 0xf3:
			insn->rep = true;
			break;
		default:
			goto opcode;
		}
		/* A legacy prefix after REX voids it. */
		rex = 0;
		has_rex = false;
	}
opcode:
	if (mode == 8) {
		op_size = rex & PV_REX_W ? 8 : opsz ? 2 : 4;
		addr_size = adsz ? 4 : 8;
	} else {
		op_size = (mode == 4) ^ opsz ? 4 : 2;
		addr_size = (mode == 4) ^ adsz ? 4 : 2;
	}
	insn->addr_size = addr_size;
	insn->seg = seg < 0 ? PV_SREG_DS : seg;
	i++;
	if (op == 0x0f) {
		if (i >= avail)
			return more;
		op = bytes[i++];
		two = true;
	}
	if (!two && op >= 0xa0 && op <= 0xa3) {
		/* moffs: the address is as wide as the address size. */
		insn->kind = op & 2 ? PV_INSN_MOV_TO_MEM : PV_INSN_MOV_FROM_MEM;
		insn->mem_size = op & 1 ? op_size : 1;
		insn->reg_size = insn->mem_size;
		insn->reg = 0;
		len = i + addr_size;
		goto done;
	}
	if (!two && op >= 0x6c && op <= 0x6f) {
		insn->kind = op & 2 ? PV_INSN_OUTS : PV_INSN_INS;
		insn->mem_size = op & 1 ? min(op_size, 4U) : 1;
		insn->reg_size = insn->mem_size;
		/* INS always writes through ES. */
		if (insn->kind == PV_INSN_INS)
			insn->seg = PV_SREG_ES;
		len = i;
		goto done;
	}
	if (i >= avail)
		return more;
	modrm = bytes[i];
	insn->reg = ((modrm >> 3) & 7) | (rex & PV_REX_R ? 8 : 0);
	if (two) {
		switch (op) {
		case 0xb6: case 0xb7: case 0xbe: case 0xbf:
			insn->kind = PV_INSN_MOV_FROM_MEM;
			insn->mem_size = op & 1 ? 2 : 1;
			insn->reg_size = op_size;
			insn->sign = op & 8;
			break;
		default:
			return -EINVAL;
		}
	} else {
		switch (op) {
		case 0x88: case 0x89:
			insn->kind = PV_INSN_MOV_TO_MEM;
			break;
		case 0x8a: case 0x8b:
			insn->kind = PV_INSN_MOV_FROM_MEM;
			break;
		case 0xc6: case 0xc7:
			if ((modrm >> 3) & 7)
				return -EINVAL;
			insn->kind = PV_INSN_MOV_IMM;
			insn->reg = 0;
			imm_len = op & 1 ? min(op_size, 4U) : 1;
			break;
		default:
			return -EINVAL;
		}
		insn->mem_size = op & 1 ? op_size : 1;
		insn->reg_size = insn->mem_size;
		if (!(op & 1))
			pv_insn_byte_reg(insn, has_rex);
	}
	len = pv_insn_modrm_len(bytes + i, avail - i, addr_size);
	if (len < 0)
		return len == -EAGAIN ? more : len;
	i += len;
	if (imm_len) {
		if (i + imm_len > avail)
			return more;
		insn->imm = 0;
		for (n = 0; n < imm_len; n++)
			insn->imm |= (u64)bytes[i + n] << (8 * n);
		/* imm8/16/32, sign-extended to the operand. */
		if (insn->imm & BIT_ULL(8 * imm_len - 1))
			insn->imm |= ~0ULL << (8 * imm_len);
		i += imm_len;
	}
	len = i;
done:
	if (len > avail)
		return more;
	insn->len = len;
	return 0;
}
