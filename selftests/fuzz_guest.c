// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's guests: memory with descriptor tables, exception handlers
 * that report through port 0x80, page tables and hypercall inputs at fixed
 * GPAs (fuzz.h), random code made of instructions that exit (port and
 * string I/O, MSRs, CPUID, HLT, hypercalls, MMIO, control registers,
 * XSETBV, the virtualization instructions...) mixed with random bytes, and
 * VP states: "mostly valid" ones built with vp_modes.h so that guests
 * really run, random ones, and mutations of any field. The documented
 * checks of SET_VP_STATE and SET_XSAVE are mirrored here, so the fuzzer
 * knows which states the module must refuse.
 */
#include <string.h>

#include "fuzz.h"
#include "../tools/pvctl/vp_modes.h"

__u64 fz_interesting(struct fz_rng *r)
{
	static const __u64 v[] = {
		0, 1, 2, 3, 4, 7, 8, 0xf, 0x10, 0x1f, 0x20, 0x3f, 0x40, 0x7f,
		0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001, 0x7fff, 0x8000,
		0xffff, 0x10000, 0xfffff, 0x100000, 0x7fffffff, 0x80000000,
		0xfffff000, 0xffffffff, 0x100000000ULL, 0xfffffffffULL,
		0x7fffffffffffULL, 0x800000000000ULL, 0xffff800000000000ULL,
		0x00ffffffffffffffULL, 0x0100000000000000ULL,
		0xff00000000000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xfffffffffffff000ULL,
		0xfffffffffffffffeULL, 0xffffffffffffffffULL,
		PARTVISOR_MAX_GPA, PARTVISOR_MAX_GPA - FZ_PAGE,
		PARTVISOR_MAX_REGION_SIZE, PARTVISOR_MAX_REGION_SIZE + FZ_PAGE,
		0xffffffff81000000ULL, 0xffff888000000000ULL,
	};
	unsigned int k;

	switch (fz_below(r, 6)) {
	case 0:
		return fz_next(r);
	case 1:
		k = fz_below(r, 64);
		return (1ULL << k) + fz_below(r, 3) - 1;
	case 2:
		return fz_below(r, 0x100);
	default:
		return v[fz_below(r, ARRAY_SIZE(v))];
	}
}

/* A value near @v: a bit flipped, a small step, a byte replaced. */
__u64 fz_mutate(struct fz_rng *r, __u64 v)
{
	switch (fz_below(r, 5)) {
	case 0:
		return v ^ (1ULL << fz_below(r, 64));
	case 1:
		return v ^ (1ULL << fz_below(r, 32));
	case 2:
		return v + fz_below(r, 17) - 8;
	case 3:
		return v ^ ((__u64)fz_below(r, 256) << (8 * fz_below(r, 8)));
	default:
		return fz_interesting(r);
	}
}

/* A little x86 assembler: enough to write the instructions we want. */
struct fz_emit {
	struct fz_rng *r;
	const struct fz_layout *l;
	unsigned char *p;
	__u64 base;		/* GPA (and linear address) of p[0] */
	size_t n, cap;
	int bits;		/* 16, 32 or 64 */
};

static void e1(struct fz_emit *e, unsigned int b)
{
	if (e->n < e->cap)
		e->p[e->n++] = b;
}

static void eb(struct fz_emit *e, const unsigned char *b, size_t n)
{
	while (n--)
		e1(e, *b++);
}

static void eimm(struct fz_emit *e, __u64 v, unsigned int bytes)
{
	while (bytes--) {
		e1(e, v & 0xff);
		v >>= 8;
	}
}

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

/* mov reg, imm: 32 bits (zero-extended in 64-bit mode), or 64. */
static void emov(struct fz_emit *e, unsigned int reg, __u64 v)
{
	if (e->bits == 16)
		e1(e, 0x66);
	if (e->bits == 64 && (v >> 32)) {
		e1(e, 0x48);
		e1(e, 0xb8 + reg);
		eimm(e, v, 8);
		return;
	}
	e1(e, 0xb8 + reg);
	eimm(e, v, 4);
}

/* An instruction with a [ebx] / [rbx] operand: 16-bit code needs 0x67. */
static void emem(struct fz_emit *e, const unsigned char *op, size_t n,
		 unsigned int reg)
{
	if (e->bits == 16)
		e1(e, 0x67);
	eb(e, op, n);
	e1(e, (reg << 3) | RBX);
}

static const unsigned char fz_priv[][6] = {
	{ 3, 0x0f, 0x01, 0xd8 },		/* vmrun */
	{ 3, 0x0f, 0x01, 0xda },		/* vmload */
	{ 3, 0x0f, 0x01, 0xdb },		/* vmsave */
	{ 3, 0x0f, 0x01, 0xdc },		/* stgi */
	{ 3, 0x0f, 0x01, 0xdd },		/* clgi */
	{ 3, 0x0f, 0x01, 0xde },		/* skinit */
	{ 3, 0x0f, 0x01, 0xdf },		/* invlpga */
	{ 3, 0x0f, 0x01, 0xc8 },		/* monitor */
	{ 3, 0x0f, 0x01, 0xc9 },		/* mwait */
	{ 3, 0x0f, 0x01, 0xfa },		/* monitorx */
	{ 3, 0x0f, 0x01, 0xfb },		/* mwaitx */
	{ 2, 0x0f, 0x33 },			/* rdpmc */
	{ 2, 0x0f, 0xaa },			/* rsm */
	{ 3, 0x0f, 0x01, 0xc4 },		/* vmxoff */
	{ 4, 0xf3, 0x0f, 0xc7, 0x33 },		/* vmxon [ebx] */
	{ 3, 0x0f, 0xc7, 0x33 },		/* vmptrld [ebx] */
	{ 4, 0x66, 0x0f, 0xc7, 0x33 },		/* vmclear [ebx] */
	{ 3, 0x0f, 0x01, 0xc2 },		/* vmlaunch */
	{ 3, 0x0f, 0x01, 0xc3 },		/* vmresume */
	{ 5, 0x66, 0x0f, 0x38, 0x80, 0x03 },	/* invept */
	{ 5, 0x66, 0x0f, 0x38, 0x81, 0x03 },	/* invvpid */
	{ 3, 0x0f, 0x01, 0xd4 },		/* vmfunc */
	{ 3, 0x0f, 0x01, 0xee },		/* rdpkru */
	{ 3, 0x0f, 0x01, 0xf8 },		/* swapgs */
	{ 5, 0xf3, 0x48, 0x0f, 0xae, 0xd0 },	/* wrfsbase rax */
	{ 5, 0xf3, 0x48, 0x0f, 0xae, 0xd8 },	/* wrgsbase rax */
	{ 3, 0x0f, 0x00, 0xd8 },		/* ltr ax */
	{ 3, 0x0f, 0x00, 0xd0 },		/* lldt ax */
	{ 3, 0x0f, 0x01, 0xcb },		/* stac */
	{ 3, 0x0f, 0x01, 0xca },		/* clac */
	{ 3, 0x0f, 0x01, 0xfc },		/* clzero */
	{ 2, 0x0f, 0x09 },			/* wbinvd */
	{ 2, 0x0f, 0x08 },			/* invd */
	{ 3, 0xf3, 0x0f, 0x09 },		/* wbnoinvd */
	{ 3, 0x0f, 0x01, 0x3b },		/* invlpg [ebx] */
	{ 3, 0x0f, 0xae, 0x3b },		/* clflush [ebx] */
	{ 2, 0x0f, 0x31 },			/* rdtsc */
	{ 3, 0x0f, 0x01, 0xf9 },		/* rdtscp */
	{ 4, 0xf3, 0x0f, 0xc7, 0xf8 },		/* rdpid eax */
	{ 3, 0x0f, 0xc7, 0xf0 },		/* rdrand eax */
	{ 3, 0x0f, 0xc7, 0xf8 },		/* rdseed eax */
	{ 3, 0x0f, 0x01, 0xd0 },		/* xgetbv */
	{ 2, 0x0f, 0x05 },			/* syscall */
	{ 2, 0x0f, 0x07 },			/* sysret */
	{ 3, 0x48, 0x0f, 0x07 },		/* sysretq */
	{ 2, 0x0f, 0x34 },			/* sysenter */
	{ 2, 0x0f, 0x35 },			/* sysexit */
	{ 1, 0xcf },				/* iret */
	{ 2, 0x48, 0xcf },			/* iretq */
	{ 1, 0xcb },				/* retf */
	{ 2, 0x0f, 0x06 },			/* clts */
	{ 3, 0x0f, 0x01, 0xf0 },		/* lmsw ax */
	{ 1, 0xf1 },				/* icebp */
	{ 1, 0xcc },				/* int3 */
	{ 2, 0x0f, 0x0b },			/* ud2 */
	{ 1, 0xce },				/* into */
	{ 4, 0x31, 0xc9, 0xf7, 0xf1 },		/* xor ecx, ecx; div ecx */
	{ 3, 0x0f, 0x01, 0xd5 },		/* xend */
	{ 2, 0xfa, 0xf4 },			/* cli; hlt */
	{ 2, 0xfb, 0xf4 },			/* sti; hlt */
	{ 2, 0xeb, 0xfe },			/* jmp $ */
	{ 3, 0xfb, 0xeb, 0xfe },		/* sti; jmp $ */
	{ 4, 0xf3, 0x90, 0xeb, 0xfc },		/* pause; jmp back */
	{ 3, 0x0f, 0xae, 0xf0 },		/* mfence */
	{ 3, 0xc5, 0xf8, 0x77 },		/* vzeroupper */
	{ 3, 0x0f, 0x57, 0xc0 },		/* xorps xmm0, xmm0 */
	{ 2, 0xdb, 0xe3 },			/* fninit */
	{ 2, 0xd9, 0xe8 },			/* fld1 */
	{ 2, 0x0f, 0xa2 },			/* cpuid */
	{ 1, 0xf4 },				/* hlt */
	{ 2, 0x8c, 0xd0 },			/* mov ax, ss */
	{ 2, 0x8e, 0xd0 },			/* mov ss, ax: a shadow */
	{ 1, 0x9c },				/* pushf */
	{ 1, 0x9d },				/* popf */
};

static const __u64 fz_msrs[] = {
	PARTVISOR_MSR_GUEST_OS_ID, PARTVISOR_MSR_HYPERCALL,
	PARTVISOR_MSR_VP_INDEX, PARTVISOR_MSR_TIME_REF_COUNT,
	PARTVISOR_MSR_STIMER0_CONFIG, PARTVISOR_MSR_STIMER0_COUNT,
	0x40000003, 0x40000070, 0x400000b2, 0x400000ff, 0x40000100,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0010114,
	0xc0010117, 0x10, 0x1b, 0x3a, 0x48, 0x8b, 0xe7, 0xe8, 0x174,
	0x175, 0x176, 0x1d9, 0x277, 0x2ff, 0x480, 0x6e0, 0x800, 0x830,
	0xffffffff,
};

static __u64 fz_port(struct fz_rng *r)
{
	return FZ_PICK(r, 0x80, 0x3f8, 0x3fd, 0xe9, 0x60, 0x64, 0x70, 0x71,
		       0xcf8, 0xcfc, 0x20, 0x21, 0x402, 0x510, 0xffff,
		       fz_below(r, 0x10000));
}

/* A GPA guest code can reach in its mode: a hole, RAM or anything. */
static __u64 fz_addr(struct fz_emit *e)
{
	if (fz_chance(e->r, 60))
		return e->l->mmio[fz_below(e->r, FZ_NR_MMIO)] +
		       fz_below(e->r, 16);
	if (fz_chance(e->r, 60))
		return fz_below(e->r, e->l->mem_size);
	return fz_interesting(e->r);
}

/* An access to @gpa; real mode reaches it through ES. */
static void fz_access(struct fz_emit *e, __u64 gpa)
{
	static const unsigned char ops[][3] = {
		{ 1, 0x88 }, { 1, 0x89 }, { 1, 0x8a }, { 1, 0x8b },
		{ 2, 0x0f, 0xb6 }, { 2, 0x0f, 0xb7 }, { 2, 0x0f, 0xbe },
		{ 2, 0x0f, 0xbf }, { 1, 0x01 }, { 1, 0x31 }, { 1, 0x87 },
		{ 1, 0xc6 }, { 1, 0xc7 }, { 1, 0xff },
	};
	const unsigned char *op = ops[fz_below(e->r, 14)];
	unsigned int reg = fz_below(e->r, 8);

	if (op[1] == 0xff)
		reg = 0;		/* inc [ebx] */
	if (op[1] == 0xc6 || op[1] == 0xc7)
		reg = 0;		/* mov [ebx], imm */
	if (e->bits == 16 && gpa < 0x10fff0) {
		__u64 seg = gpa >> 4 > 0xffff ? 0xffff : gpa >> 4;

		emov(e, RAX, seg);
		e1(e, 0x8e);
		e1(e, 0xc0);		/* mov es, ax */
		emov(e, RBX, gpa - (seg << 4));
		e1(e, 0x26);		/* es: */
	} else {
		emov(e, RBX, gpa);
	}
	if (fz_chance(e->r, 20))
		e1(e, 0x66);
	if (e->bits == 64 && fz_chance(e->r, 30))
		e1(e, 0x48 | fz_below(e->r, 8));
	emem(e, op + 1, op[0], reg);
	if (op[1] == 0xc6)
		eimm(e, fz_next(e->r), 1);
	if (op[1] == 0xc7)
		eimm(e, fz_next(e->r), 4);
}

static void fz_hypercall(struct fz_emit *e)
{
	struct fz_rng *r = e->r;
	__u64 code = FZ_PICK(r, PARTVISOR_HC_NOTIFY_LONG_SPIN_WAIT,
			     PARTVISOR_HC_SEND_IPI, PARTVISOR_HC_POST_MESSAGE,
			     PARTVISOR_HC_DEBUG_OUTPUT, 0x8001, 0x8003, 0x0001,
			     0x0002, fz_below(r, 0x10000));
	__u64 in = code == PARTVISOR_HC_POST_MESSAGE ? FZ_G_MSG : FZ_G_DBG;
	__u64 out = fz_chance(r, 80) ? 0 : fz_interesting(r);

	if (code == PARTVISOR_HC_SEND_IPI || code == 0x8) {
		/* Fast: vector (or spin count) and VP mask in registers. */
		code |= 1ULL << 16;
		in = fz_chance(r, 80) ? 32 + fz_below(r, 224) :
					fz_interesting(r);
		out = fz_chance(r, 80) ? fz_below(r, 16) : fz_interesting(r);
	}
	if (fz_chance(r, 10))
		code ^= 1ULL << fz_below(r, 64);
	if (fz_chance(r, 10))
		in = fz_addr(e);
	if (e->bits == 64) {
		emov(e, RCX, code);
		emov(e, RDX, in);
		e1(e, 0x49);
		e1(e, 0xb8);
		eimm(e, out, 8);	/* mov r8, imm64 */
	} else {
		/* EDX:EAX input value, EBX:ECX input, EDI:ESI output. */
		emov(e, RAX, code);
		emov(e, RDX, code >> 32);
		emov(e, RCX, in);
		emov(e, RBX, in >> 32);
		emov(e, RSI, out);
		emov(e, RDI, out >> 32);
	}
	e1(e, 0x0f);
	e1(e, 0x01);
	if (fz_chance(r, 90) == !e->l->vmx)
		e1(e, 0xd9);		/* vmmcall */
	else
		e1(e, 0xc1);		/* vmcall */
}

static void fz_wrmsr(struct fz_emit *e, __u64 msr, __u64 v)
{
	emov(e, RCX, msr);
	emov(e, RAX, (__u32)v);
	emov(e, RDX, v >> 32);
	e1(e, 0x0f);
	e1(e, 0x30);
}

/* One random instruction (or a few that belong together). */
static void fz_emit_one(struct fz_emit *e)
{
	struct fz_rng *r = e->r;
	unsigned int i, n;
	__u64 v;

	switch (fz_below(r, 26)) {
	case 0:
	case 1:
		for (n = 1 + fz_below(r, 8), i = 0; i < n; i++)
			e1(e, fz_next(r));
		break;
	case 2:
		emov(e, fz_below(r, 8) == RSP ? RAX : fz_below(r, 8),
		     fz_interesting(r));
		break;
	case 3:				/* out */
	case 4:				/* in */
		v = fz_port(r);
		if (v < 0x100 && fz_chance(r, 40)) {
			e1(e, (fz_below(r, 2) ? 0xe4 : 0xe6) | fz_below(r, 2));
			e1(e, v);
			break;
		}
		emov(e, RDX, v);
		emov(e, RAX, fz_interesting(r));
		if (fz_chance(r, 30))
			e1(e, 0x66);
		e1(e, 0xec | fz_below(r, 4));
		break;
	case 5:				/* string I/O */
		emov(e, RCX, fz_chance(r, 80) ? fz_below(r, 5) :
						fz_interesting(r));
		emov(e, RSI, fz_chance(r, 70) ? FZ_G_DATA + fz_below(r, 256) :
						fz_addr(e));
		emov(e, RDI, fz_chance(r, 70) ? FZ_G_DATA + fz_below(r, 256) :
						fz_addr(e));
		emov(e, RDX, fz_port(r));
		e1(e, fz_chance(r, 20) ? 0xfd : 0xfc);	/* std / cld */
		if (fz_chance(r, 20))
			e1(e, FZ_PICK(r, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65));
		if (fz_chance(r, 20))
			e1(e, 0x66);
		if (fz_chance(r, 10))
			e1(e, 0x67);
		if (fz_chance(r, 60))
			e1(e, 0xf3);
		e1(e, 0x6c + fz_below(r, 4));
		break;
	case 6:				/* rdmsr / wrmsr */
		v = fz_pick(r, fz_msrs, ARRAY_SIZE(fz_msrs));
		if (fz_chance(r, 15))
			v = fz_interesting(r);
		if (fz_chance(r, 50)) {
			fz_wrmsr(e, v, fz_interesting(r));
		} else {
			emov(e, RCX, v);
			e1(e, 0x0f);
			e1(e, 0x32);
		}
		break;
	case 7:				/* cpuid */
		emov(e, RAX, FZ_PICK(r, 0, 1, 7, 0xb, 0xd, 0x40000000,
				     0x40000001, 0x40000003, 0x40000004,
				     0x40000005, 0x40000006, 0x400000ff,
				     0x80000000, 0x80000001, 0x8000000a,
				     fz_next(r)));
		emov(e, RCX, fz_below(r, 4));
		e1(e, 0x0f);
		e1(e, 0xa2);
		break;
	case 8:				/* hlt, with IF either way */
		if (fz_chance(r, 50))
			e1(e, fz_chance(r, 50) ? 0xfb : 0xfa);
		e1(e, 0xf4);
		break;
	case 9:
	case 10:
		fz_hypercall(e);
		break;
	case 11:
	case 12:
		fz_access(e, fz_addr(e));
		break;
	case 13:			/* control registers */
		n = FZ_PICK(r, 0, 0, 3, 4, 4, 2, 8);
		v = n == 0 ? fz_mutate(r, PV_CR0_PE | PV_CR0_ET | PV_CR0_NE) :
		    n == 3 ? (fz_chance(r, 70) ? FZ_G_PML4 : fz_interesting(r)) :
		    n == 4 ? fz_mutate(r, 0x620) : fz_interesting(r);
		if (n == 8 && e->l->no_cr8)
			n = 2;
		emov(e, RAX, v);
		if (n == 8) {
			e1(e, e->bits == 64 ? 0x44 : 0xf0);
			n = 0;
		}
		e1(e, 0x0f);
		e1(e, fz_chance(r, 80) ? 0x22 : 0x20);
		e1(e, 0xc0 | (n << 3));
		break;
	case 14:			/* xsetbv */
		emov(e, RCX, fz_chance(r, 90) ? 0 : fz_interesting(r));
		emov(e, RAX, FZ_PICK(r, 1, 3, 7, 0xe7, 0x203, 0x207, 5,
				     0x2ff, fz_interesting(r)));
		emov(e, RDX, 0);
		e1(e, 0x0f);
		e1(e, 0x01);
		e1(e, 0xd1);
		break;
	case 15:			/* int n */
		e1(e, 0xcd);
		e1(e, fz_chance(r, 50) ? 32 + fz_below(r, 224) :
					 fz_below(r, 32));
		break;
	case 16:
	case 17:
		i = fz_below(r, ARRAY_SIZE(fz_priv));
		eb(e, fz_priv[i] + 1, fz_priv[i][0]);
		break;
	case 18:			/* a store anywhere: tables, code... */
		emov(e, RBX, fz_chance(r, 80) ? fz_below(r, e->l->mem_size) :
						fz_interesting(r));
		emov(e, RAX, fz_interesting(r));
		emem(e, (const unsigned char *)"\x89", 1, RAX);
		break;
	case 19:			/* lgdt / lidt / sgdt / sidt */
		emov(e, RBX, fz_chance(r, 80) ? FZ_G_DATA + fz_below(r, 64) :
						fz_addr(e));
		emem(e, (const unsigned char *)"\x0f\x01", 2,
		     FZ_PICK(r, 0, 1, 2, 3));
		break;
	case 20:			/* the synthetic timer, then wait */
		v = PARTVISOR_STIMER_DIRECT | PARTVISOR_STIMER_ENABLE |
		    ((32 + fz_below(r, 224)) << PARTVISOR_STIMER_VECTOR_SHIFT);
		if (fz_chance(r, 40))
			v |= PARTVISOR_STIMER_PERIODIC;
		if (fz_chance(r, 10))
			v = fz_interesting(r);
		fz_wrmsr(e, PARTVISOR_MSR_STIMER0_CONFIG, v);
		fz_wrmsr(e, PARTVISOR_MSR_STIMER0_COUNT,
			 fz_chance(r, 80) ? 1000 + fz_below(r, 10000) :
					    fz_interesting(r));
		e1(e, 0xfb);
		if (fz_chance(r, 50))
			e1(e, 0xf4);
		break;
	case 21:			/* segment loads */
		emov(e, RAX, FZ_PICK(r, 0, 0x08, 0x10, 0x18, 0x28, 0x2b,
				     0x30, 0x33, 0x3b, 0x40, 0x48,
				     fz_below(r, 0x10000)));
		e1(e, 0x8e);
		e1(e, FZ_PICK(r, 0xd8, 0xc0, 0xe0, 0xe8, 0xd0));
		break;
	case 22:			/* far jump to the next instruction */
		v = FZ_PICK(r, 0x08, 0x08, 0x38, 0x40, 0x2b, 0x33,
			    fz_below(r, 0x10000));
		if (e->bits == 64) {
			/* push sel; push rip; retfq */
			e1(e, 0x68);
			eimm(e, v, 4);
			e1(e, 0x68);
			eimm(e, e->base + e->n + 6, 4);
			e1(e, 0x48);
			e1(e, 0xcb);
		} else {
			e1(e, 0xea);
			eimm(e, e->base + e->n + (e->bits == 16 ? 4 : 6),
			     e->bits / 8);
			eimm(e, v, 2);
		}
		break;
	case 23:			/* debug registers */
		emov(e, RAX, fz_interesting(r));
		e1(e, 0x0f);
		e1(e, fz_chance(r, 70) ? 0x23 : 0x21);
		e1(e, 0xc0 | (FZ_PICK(r, 0, 1, 6, 7) << 3));
		break;
	case 24:			/* popf a random RFLAGS */
		emov(e, RAX, fz_mutate(r, 0x202));
		e1(e, 0x50);
		e1(e, 0x9d);
		break;
	default:			/* a jump somewhere near */
		e1(e, 0xeb);
		e1(e, fz_below(r, 256));
		break;
	}
}

/* Random code in [@start, @start + @len) of the guest's memory. */
void fz_guest_code(struct fz_rng *r, unsigned char *mem,
		   const struct fz_layout *l, __u64 start, __u64 len)
{
	struct fz_emit e = {
		.r = r, .l = l, .p = mem + start, .base = start,
		.cap = len > 8 ? len - 8 : 0,
		.bits = l->mode == FZ_LONG ? 64 : l->mode == FZ_PROT ? 32 : 16,
	};
	unsigned int n = 1 + fz_below(r, 24);
	__s64 rel;

	if (fz_chance(r, 3)) {
		for (; e.n < len; e.n++)
			mem[start + e.n] = fz_next(r);
		return;
	}
	while (n-- && e.n < e.cap)
		fz_emit_one(&e);
	/* Then halt, and go around again from the start. */
	e.cap = len;
	e1(&e, 0xf4);
	e1(&e, 0xe9);
	rel = (__s64)FZ_G_CODE - (__s64)(start + e.n + (e.bits == 16 ? 2 : 4));
	eimm(&e, rel, e.bits == 16 ? 2 : 4);
}

static void fz_put64(unsigned char *mem, __u64 gpa, __u64 v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static const unsigned int fz_errcode_vectors = (1U << 8) | (1U << 10) |
	(1U << 11) | (1U << 12) | (1U << 13) | (1U << 14) | (1U << 17) |
	(1U << 21) | (1U << 29) | (1U << 30);

/*
 * Fill the first FZ_G_MIN bytes: IVT and handlers for real mode; GDT,
 * TSS, IDT and handlers for the mode chosen; page tables; hypercall
 * inputs; code and data. Each part is sometimes broken on purpose.
 */
void fz_guest_image(struct fz_rng *r, unsigned char *mem, struct fz_layout *l)
{
	unsigned int v, i, hlt = fz_chance(r, 30);
	int lm = l->mode == FZ_LONG;
	unsigned char *s;
	__u64 d;

	for (i = 0; i < FZ_G_MIN; i++)
		mem[i] = fz_chance(r, 90) ? 0 : fz_next(r);

	/* Real mode: IVT at 0; each handler reports its vector. */
	for (v = 0; v < 256; v++) {
		memcpy(mem + v * 4, &(__u32){ FZ_G_STUBS16 + v * 8 }, 4);
		s = mem + FZ_G_STUBS16 + v * 8;
		s[0] = 0xb0;	/* mov al, v */
		s[1] = v;
		s[2] = 0xe6;	/* out 0x80, al */
		s[3] = 0x80;
		s[4] = hlt ? 0xf4 : 0x90;
		s[5] = 0xcf;	/* iret */
	}

	/* GDT: null, code, data, TSS (16 bytes), user code/data, code16. */
	d = lm ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL;
	fz_put64(mem, FZ_G_GDT + 0x08, d);
	fz_put64(mem, FZ_G_GDT + 0x10, 0x00cf93000000ffffULL);
	fz_put64(mem, FZ_G_GDT + 0x18, 0x00008b0000000067ULL |
		 ((__u64)FZ_G_TSS << 16));
	fz_put64(mem, FZ_G_GDT + 0x20, 0);
	fz_put64(mem, FZ_G_GDT + 0x28, 0x00cffb000000ffffULL);
	fz_put64(mem, FZ_G_GDT + 0x30, 0x00cff3000000ffffULL);
	fz_put64(mem, FZ_G_GDT + 0x38, 0x00affb000000ffffULL);
	fz_put64(mem, FZ_G_GDT + 0x40, 0x00009b000000ffffULL);
	/* TSS: a ring-0 stack for interrupts from ring 3. */
	memset(mem + FZ_G_TSS, 0, 0x68);
	if (lm) {
		fz_put64(mem, FZ_G_TSS + 4, 0xf000);
	} else {
		memcpy(mem + FZ_G_TSS + 4, &(__u32){ 0xf000 }, 4);
		memcpy(mem + FZ_G_TSS + 8, &(__u32){ 0x10 }, 4);
	}
	mem[FZ_G_TSS + 0x66] = 0x68;

	/* IDT and handlers: report, pop an error code, return. */
	for (v = 0; v < 256; v++) {
		__u64 h = FZ_G_STUBS + v * 16;
		__u8 type = fz_chance(r, 90) ? 0x8e : FZ_PICK(r, 0x8f, 0xee,
							       0x0e, 0x85);

		s = mem + h;
		i = 0;
		s[i++] = 0xb0;
		s[i++] = v;
		s[i++] = 0xe6;
		s[i++] = 0x80;
		if (hlt)
			s[i++] = 0xf4;
		if (v < 32 && (fz_errcode_vectors & (1U << v))) {
			if (lm)
				s[i++] = 0x48;
			s[i++] = 0x83;
			s[i++] = 0xc4;
			s[i++] = lm ? 8 : 4;
		}
		if (lm)
			s[i++] = 0x48;
		s[i++] = 0xcf;
		if (lm) {
			fz_put64(mem, FZ_G_IDT + v * 16, (h & 0xffff) |
				 (0x08ULL << 16) | ((__u64)type << 40) |
				 ((h >> 16) << 48));
			fz_put64(mem, FZ_G_IDT + v * 16 + 8, h >> 32);
		} else {
			fz_put64(mem, FZ_G_IDT + v * 8, (h & 0xffff) |
				 (0x08ULL << 16) | ((__u64)type << 40) |
				 ((h >> 16) << 48));
		}
	}

	/* Identity paging of the first GiB in 2 MiB pages, also up high. */
	fz_put64(mem, FZ_G_PML4, FZ_G_PDPT | 7);
	fz_put64(mem, FZ_G_PML4 + 511 * 8, FZ_G_PDPT | 7);
	fz_put64(mem, FZ_G_PDPT, FZ_G_PD | 7);
	for (i = 0; i < 512; i++)
		fz_put64(mem, FZ_G_PD + i * 8, ((__u64)i << 21) | 0x87);
	if (fz_chance(r, 5))
		fz_put64(mem, FZ_G_PDPT + 8, (1ULL << 30) | 0x87);
	if (fz_chance(r, 5))
		fz_put64(mem, FZ_G_PD + fz_below(r, 512) * 8, 0);
	if (fz_chance(r, 5))
		mem[FZ_G_PD + fz_below(r, 512) * 8 + 7] |= 0x80;	/* NX */

	/* POST_MESSAGE and DEBUG_OUTPUT inputs, mostly well formed. */
	memcpy(mem + FZ_G_MSG, &(__u32){ fz_next(r) }, 4);
	memcpy(mem + FZ_G_MSG + 8, &(__u32){ fz_chance(r, 90) ?
		1 + fz_below(r, 0x7fffffff) : fz_next(r) }, 4);
	memcpy(mem + FZ_G_MSG + 12, &(__u32){ fz_chance(r, 90) ?
		fz_below(r, 241) : fz_interesting(r) }, 4);
	memcpy(mem + FZ_G_DBG, &(__u32){ fz_chance(r, 90) ?
		fz_below(r, 241) : fz_interesting(r) }, 4);
	for (i = 16; i < 256; i++)
		mem[FZ_G_MSG + i] = fz_next(r);
	for (i = 8; i < 248; i++)
		mem[FZ_G_DBG + i] = fz_next(r);
	if (fz_chance(r, 5))
		mem[FZ_G_MSG + 4 + fz_below(r, 4)] = 1;
	if (fz_chance(r, 5))
		mem[FZ_G_DBG + 4 + fz_below(r, 4)] = 1;

	for (i = FZ_G_DATA; i < FZ_G_DATA + 0x1000; i++)
		mem[i] = fz_next(r);

	/* Holes code can reach in its mode (1 GiB is mapped in long mode). */
	for (i = 0; i < FZ_NR_MMIO; i++) {
		d = FZ_PICK(r, l->mem_size, l->mem_size + FZ_PAGE, 0xa0000,
			    0x100000, 0xf0000, 0x200000,
			    fz_below(r, 0x40000000));
		if (l->mode == FZ_REAL)
			d %= 0x100000;
		else if (l->mode == FZ_PROT && fz_chance(r, 20))
			d = FZ_PICK(r, 0xfee00000, 0xfec00000, 0xfffff000);
		l->mmio[i] = d & ~(FZ_PAGE - 1);
	}

	fz_guest_code(r, mem, l, FZ_G_CODE, FZ_G_CODE_SIZE);
}

/* A VP after INIT, as Documentation/partitions.rst describes it. */
void fz_state_init(struct partvisor_vp_state *s)
{
	memset(s, 0, sizeof(*s));
	pv_seg_set(&s->cs, 0xf000, 0xffff0000, 0xffff, 0x9b);
	pv_data_segs(s, 0, 0, 0xffff, 0x93);
	pv_seg_set(&s->tr, 0, 0, 0xffff, 0x8b);
	pv_seg_set(&s->ldtr, 0, 0, 0xffff, 0x82);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	s->rip = 0xfff0;
	s->rflags = PARTVISOR_RFLAGS_FIXED1;
	s->cr0 = 0x60000010;
	s->dr7 = 0x400;
	s->pat = 0x0007040600070406ULL;
	s->xcr0 = 1;
}

/* The eight segment registers of @s. */
static void fz_segs(const struct partvisor_vp_state *s,
		    struct partvisor_segment *segs[8])
{
	struct partvisor_vp_state *w = (struct partvisor_vp_state *)s;

	segs[0] = &w->cs;
	segs[1] = &w->ds;
	segs[2] = &w->es;
	segs[3] = &w->fs;
	segs[4] = &w->gs;
	segs[5] = &w->ss;
	segs[6] = &w->tr;
	segs[7] = &w->ldtr;
}

/* General-purpose register @i (RAX, RCX, ... R15 order of encoding). */
static void fz_gpr(struct partvisor_vp_state *s, unsigned int i, __u64 v)
{
	__u64 *regs[] = {
		&s->rax, &s->rcx, &s->rdx, &s->rbx, &s->rsp, &s->rbp, &s->rsi,
		&s->rdi, &s->r8, &s->r9, &s->r10, &s->r11, &s->r12, &s->r13,
		&s->r14, &s->r15,
	};

	*regs[i & 15] = v;
}

static __u64 fz_bit(struct fz_rng *r, unsigned int percent, __u64 bit)
{
	return fz_chance(r, percent) ? bit : 0;
}

static __u64 fz_pat(struct fz_rng *r)
{
	static const __u8 types[] = { 0, 1, 4, 5, 6, 7 };
	__u64 pat = 0;
	int i;

	for (i = 0; i < 8; i++)
		pat |= (__u64)types[fz_below(r, 6)] << (8 * i);
	return pat;
}

static __u64 fz_xcr0(struct fz_rng *r)
{
	return FZ_PICK(r, 1, 1, 1, 3, 3, 7, 7, 0x1f, 0xe7, 0x207, 0x2ff, 0x203);
}

static __u64 fz_canonical(struct fz_rng *r)
{
	__u64 v = fz_interesting(r);

	return (__u64)((__s64)(v << 16) >> 16);
}

/*
 * A state that runs: the mode's segments and tables, our code, a stack,
 * and random registers and feature bits on top.
 */
void fz_guest_state(struct fz_rng *r, const struct fz_layout *l,
		    struct partvisor_vp_state *s)
{
	unsigned int i;

	fz_state_init(s);
	switch (l->mode) {
	case FZ_REAL:
		pv_state_real(s, 0, FZ_G_CODE, FZ_G_STACK);
		s->idtr.base = 0;
		s->idtr.limit = 0x3ff;
		break;
	case FZ_PROT:
		pv_state_protected(s, FZ_G_CODE, FZ_G_STACK, FZ_G_GDT,
				   FZ_G_GDT_LIMIT, FZ_G_TSS);
		s->idtr.base = FZ_G_IDT;
		s->idtr.limit = 256 * 8 - 1;
		break;
	default:
		pv_state_long(s, FZ_G_CODE, FZ_G_STACK, FZ_G_PML4, FZ_G_GDT,
			      FZ_G_GDT_LIMIT, FZ_G_TSS);
		s->idtr.base = FZ_G_IDT;
		s->idtr.limit = 256 * 16 - 1;
		break;
	}
	if (fz_chance(r, 10))
		s->idtr.limit = fz_chance(r, 50) ? 0 : fz_next(r);
	for (i = 0; i < 16; i++)
		if (i != RSP && fz_chance(r, 40))
			fz_gpr(s, i, fz_interesting(r));
	if (fz_chance(r, 20))
		s->rip = FZ_G_CODE + fz_below(r, FZ_G_CODE_SIZE);
	s->rflags |= fz_bit(r, 40, 1 << 9) | fz_bit(r, 5, 1 << 10) |
		     fz_bit(r, 3, 1 << 8) | fz_bit(r, 3, 1 << 18) |
		     fz_bit(r, 2, 1 << 14) | fz_bit(r, 2, 3 << 12) |
		     fz_bit(r, 2, 1 << 16) | fz_bit(r, 2, 1 << 21);
	if (l->mode != FZ_LONG)
		s->rflags |= fz_bit(r, 2, 1 << 17);	/* virtual-8086 */
	s->cr0 |= fz_bit(r, 30, 1 << 1) | fz_bit(r, 5, 1 << 3) |
		  fz_bit(r, 5, 1 << 2) | fz_bit(r, 30, 1 << 16) |
		  fz_bit(r, 10, 1 << 18) | fz_bit(r, 5, 1 << 30);
	s->cr4 |= fz_bit(r, 50, 1 << 9) | fz_bit(r, 30, 1 << 10) |
		  fz_bit(r, 20, 1 << 18) | fz_bit(r, 20, 1 << 7) |
		  fz_bit(r, 20, 1 << 4) | fz_bit(r, 5, 1 << 2) |
		  fz_bit(r, 10, 1 << 3) | fz_bit(r, 5, 1 << 11) |
		  fz_bit(r, 20, 1 << 16) | fz_bit(r, 5, 1 << 20) |
		  fz_bit(r, 5, 1 << 21) | fz_bit(r, 5, 1 << 22) |
		  fz_bit(r, 2, 1 << 13) | fz_bit(r, 2, 1 << 12);
	if (l->mode == FZ_LONG)
		s->cr4 |= fz_bit(r, 5, 1 << 17);	/* PCIDE */
	s->efer |= fz_bit(r, 30, 1 << 11) | fz_bit(r, 30, 1 << 0) |
		   fz_bit(r, 3, 1 << 12);
	if (fz_chance(r, 40))
		s->xcr0 = fz_xcr0(r);
	if (fz_chance(r, 10))
		s->cr8 = fz_below(r, 16);
	if (fz_chance(r, 5))
		s->dr7 = (__u32)fz_interesting(r);
	if (fz_chance(r, 10))
		s->pat = fz_pat(r);
	if (fz_chance(r, 50)) {
		s->star = 0x0028000800000000ULL;
		s->lstar = FZ_G_CODE + fz_below(r, FZ_G_CODE_SIZE);
		s->cstar = FZ_G_CODE;
		s->sfmask = fz_chance(r, 80) ? 0x4700 : (__u32)fz_next(r);
		s->sysenter_cs = 0x08;
		s->sysenter_esp = FZ_G_STACK;
		s->sysenter_eip = FZ_G_CODE;
	}
	if (fz_chance(r, 10))
		s->kernel_gs_base = fz_canonical(r);
	if (fz_chance(r, 10))
		s->fs.base = fz_canonical(r);
	if (fz_chance(r, 10))
		s->gs.base = fz_canonical(r);
	if (fz_chance(r, 5))
		s->cr2 = fz_interesting(r);
}

/* Every field random, but most within what SET_VP_STATE checks. */
void fz_state_random(struct fz_rng *r, struct partvisor_vp_state *s)
{
	struct partvisor_segment *segs[8];
	unsigned int i;

	memset(s, 0, sizeof(*s));
	fz_segs(s, segs);
	for (i = 0; i < 16; i++)
		fz_gpr(s, i, fz_interesting(r));
	s->rip = fz_interesting(r);
	for (i = 0; i < 8; i++) {
		segs[i]->base = fz_chance(r, 80) ? fz_canonical(r) :
						   fz_interesting(r);
		segs[i]->limit = fz_interesting(r);
		segs[i]->selector = fz_next(r);
		segs[i]->attrib = fz_next(r) & (fz_chance(r, 95) ? 0xfff :
								    0xffff);
	}
	s->gdtr.base = fz_canonical(r);
	s->gdtr.limit = fz_next(r);
	s->idtr.base = fz_canonical(r);
	s->idtr.limit = fz_next(r);
	s->rflags = (fz_next(r) & PARTVISOR_RFLAGS_VALID) |
		    PARTVISOR_RFLAGS_FIXED1;
	s->cr0 = fz_next(r) & PARTVISOR_CR0_VALID;
	if (fz_chance(r, 70)) {
		if (s->cr0 & PV_CR0_PG)
			s->cr0 |= PV_CR0_PE;
		if (s->cr0 & (1ULL << 29))
			s->cr0 |= 1ULL << 30;
	}
	s->cr2 = fz_interesting(r);
	s->cr3 = fz_next(r) & PARTVISOR_CR3_VALID;
	s->cr4 = fz_next(r) & PARTVISOR_CR4_VALID;
	s->cr8 = fz_below(r, 16);
	s->efer = fz_next(r) & PARTVISOR_EFER_VALID & ~PV_EFER_LMA;
	if ((s->efer & PV_EFER_LME) && (s->cr0 & PV_CR0_PG)) {
		s->efer |= PV_EFER_LMA;
		s->cr4 |= PV_CR4_PAE;
	}
	s->dr7 = (__u32)fz_next(r);
	s->pat = fz_pat(r);
	s->xcr0 = fz_xcr0(r);
	s->star = fz_next(r);
	s->lstar = fz_canonical(r);
	s->cstar = fz_canonical(r);
	s->sfmask = (__u32)fz_next(r);
	s->kernel_gs_base = fz_canonical(r);
	s->sysenter_cs = (__u32)fz_next(r);
	s->sysenter_esp = fz_canonical(r);
	s->sysenter_eip = fz_canonical(r);
}

enum { C_ANY, C_ADDR, C_BITS, C_ATTR, C_ZERO };

struct fz_field {
	unsigned short off;
	unsigned char size, cls;
};

#define FZ_F(m, size, cls) \
	{ offsetof(struct partvisor_vp_state, m), size, cls }

/* Every field of struct partvisor_vp_state, with its size. */
static const struct fz_field fz_fields[] = {
	FZ_F(rax, 8, C_ANY), FZ_F(rbx, 8, C_ANY), FZ_F(rcx, 8, C_ANY),
	FZ_F(rdx, 8, C_ANY), FZ_F(rsi, 8, C_ANY), FZ_F(rdi, 8, C_ANY),
	FZ_F(rbp, 8, C_ANY), FZ_F(rsp, 8, C_ADDR), FZ_F(r8, 8, C_ANY),
	FZ_F(r9, 8, C_ANY), FZ_F(r10, 8, C_ANY), FZ_F(r11, 8, C_ANY),
	FZ_F(r12, 8, C_ANY), FZ_F(r13, 8, C_ANY), FZ_F(r14, 8, C_ANY),
	FZ_F(r15, 8, C_ANY), FZ_F(rip, 8, C_ADDR), FZ_F(rflags, 8, C_BITS),
	FZ_F(cs.base, 8, C_ADDR), FZ_F(cs.limit, 4, C_ANY),
	FZ_F(cs.selector, 2, C_ANY), FZ_F(cs.attrib, 2, C_ATTR),
	FZ_F(ds.base, 8, C_ADDR), FZ_F(ds.limit, 4, C_ANY),
	FZ_F(ds.selector, 2, C_ANY), FZ_F(ds.attrib, 2, C_ATTR),
	FZ_F(es.base, 8, C_ADDR), FZ_F(es.limit, 4, C_ANY),
	FZ_F(es.selector, 2, C_ANY), FZ_F(es.attrib, 2, C_ATTR),
	FZ_F(fs.base, 8, C_ADDR), FZ_F(fs.limit, 4, C_ANY),
	FZ_F(fs.selector, 2, C_ANY), FZ_F(fs.attrib, 2, C_ATTR),
	FZ_F(gs.base, 8, C_ADDR), FZ_F(gs.limit, 4, C_ANY),
	FZ_F(gs.selector, 2, C_ANY), FZ_F(gs.attrib, 2, C_ATTR),
	FZ_F(ss.base, 8, C_ADDR), FZ_F(ss.limit, 4, C_ANY),
	FZ_F(ss.selector, 2, C_ANY), FZ_F(ss.attrib, 2, C_ATTR),
	FZ_F(tr.base, 8, C_ADDR), FZ_F(tr.limit, 4, C_ANY),
	FZ_F(tr.selector, 2, C_ANY), FZ_F(tr.attrib, 2, C_ATTR),
	FZ_F(ldtr.base, 8, C_ADDR), FZ_F(ldtr.limit, 4, C_ANY),
	FZ_F(ldtr.selector, 2, C_ANY), FZ_F(ldtr.attrib, 2, C_ATTR),
	FZ_F(gdtr.base, 8, C_ADDR), FZ_F(gdtr.limit, 2, C_ANY),
	FZ_F(gdtr.pad[0], 2, C_ZERO), FZ_F(gdtr.pad[1], 2, C_ZERO),
	FZ_F(gdtr.pad[2], 2, C_ZERO),
	FZ_F(idtr.base, 8, C_ADDR), FZ_F(idtr.limit, 2, C_ANY),
	FZ_F(idtr.pad[0], 2, C_ZERO), FZ_F(idtr.pad[1], 2, C_ZERO),
	FZ_F(idtr.pad[2], 2, C_ZERO),
	FZ_F(cr0, 8, C_BITS), FZ_F(cr2, 8, C_ANY), FZ_F(cr3, 8, C_ADDR),
	FZ_F(cr4, 8, C_BITS), FZ_F(cr8, 8, C_ANY), FZ_F(efer, 8, C_BITS),
	FZ_F(dr7, 8, C_BITS), FZ_F(pat, 8, C_ANY), FZ_F(xcr0, 8, C_BITS),
	FZ_F(star, 8, C_ANY), FZ_F(lstar, 8, C_ADDR), FZ_F(cstar, 8, C_ADDR),
	FZ_F(sfmask, 8, C_BITS), FZ_F(kernel_gs_base, 8, C_ADDR),
	FZ_F(sysenter_cs, 8, C_ANY), FZ_F(sysenter_esp, 8, C_ADDR),
	FZ_F(sysenter_eip, 8, C_ADDR),
	FZ_F(reserved[0], 8, C_ZERO), FZ_F(reserved[1], 8, C_ZERO),
	FZ_F(reserved[2], 8, C_ZERO), FZ_F(reserved[3], 8, C_ZERO),
	FZ_F(reserved[4], 8, C_ZERO), FZ_F(reserved[5], 8, C_ZERO),
	FZ_F(reserved[6], 8, C_ZERO), FZ_F(reserved[7], 8, C_ZERO),
	FZ_F(reserved[8], 8, C_ZERO),
};

/* Change @n random fields, each in a way that suits it. */
void fz_state_mutate(struct fz_rng *r, struct partvisor_vp_state *s,
		     unsigned int n)
{
	const struct fz_field *f;
	unsigned char *p = (unsigned char *)s;
	__u64 v = 0;

	while (n--) {
		f = &fz_fields[fz_below(r, ARRAY_SIZE(fz_fields))];
		memcpy(&v, p + f->off, f->size);
		switch (f->cls) {
		case C_ADDR:
			v = fz_chance(r, 50) ? fz_interesting(r) :
			    fz_chance(r, 50) ? fz_mutate(r, v) :
					       FZ_G_CODE + fz_below(r, 0x8000);
			break;
		case C_BITS:
			v ^= 1ULL << (fz_chance(r, 80) ? fz_below(r, 32) :
							 fz_below(r, 64));
			break;
		case C_ATTR:
			v = fz_chance(r, 60) ? v ^ (1ULL << fz_below(r, 16)) :
			    FZ_PICK(r, 0, 0x9b, 0x93, 0x8b, 0x82, 0x89, 0xa9b,
				    0xc9b, 0xc93, 0x29b, 0x80, 0xf3, 0xfb,
				    0xffff);
			break;
		case C_ZERO:
			v = fz_chance(r, 20) ? 0 : fz_interesting(r);
			break;
		default:
			v = fz_chance(r, 50) ? fz_interesting(r) :
					       fz_mutate(r, v);
			break;
		}
		memcpy(p + f->off, &v, f->size);
	}
}

/* Canonical for any paging width (57 bits covers 48 too). */
static int fz_canon57(__u64 v)
{
	return (__u64)((__s64)(v << 7) >> 7) == v;
}

static int fz_canon48(__u64 v)
{
	return (__u64)((__s64)(v << 16) >> 16) == v;
}

static int fz_nonzero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 1;
	return 0;
}

/*
 * Why SET_VP_STATE refuses @s (EINVAL) by Documentation/uapi.rst, or
 * NULL. "Canonical" is 48 bits for LSTAR there; for the other bases the
 * width is not said: with @strict only what is non-canonical under every
 * paging width (57 bits) counts, so that a NULL means the module must
 * refuse nothing less; without, 48 bits, so that a NULL means the module
 * must accept the state.
 */
const char *fz_state_invalid(const struct partvisor_vp_state *s, int strict)
{
	int (*canon)(__u64) = strict ? fz_canon57 : fz_canon48;
	struct partvisor_segment *segs[8];
	__u64 avx512 = 0xe0, mpx = 0x18, x = s->xcr0;
	int lma = !!(s->efer & PV_EFER_LMA), i;

	fz_segs(s, segs);
	if (fz_nonzero(s->reserved, sizeof(s->reserved)))
		return "a reserved word is not zero";
	if (fz_nonzero(s->gdtr.pad, sizeof(s->gdtr.pad)) ||
	    fz_nonzero(s->idtr.pad, sizeof(s->idtr.pad)))
		return "GDTR/IDTR padding is not zero";
	for (i = 0; i < 8; i++)
		if (segs[i]->attrib & ~PARTVISOR_SEG_ATTRIB_VALID)
			return "segment attribute bits 15:12 set";
	if ((s->rflags & ~PARTVISOR_RFLAGS_VALID) ||
	    !(s->rflags & PARTVISOR_RFLAGS_FIXED1))
		return "reserved RFLAGS bits";
	if (s->cr0 & ~PARTVISOR_CR0_VALID)
		return "reserved CR0 bits";
	if (s->cr3 & ~PARTVISOR_CR3_VALID)
		return "CR3 bits 63:52";
	if (s->cr4 & ~PARTVISOR_CR4_VALID)
		return "reserved CR4 bits";
	if (s->cr8 & ~PARTVISOR_CR8_VALID)
		return "CR8 above 15";
	if (s->efer & ~PARTVISOR_EFER_VALID)
		return "reserved EFER bits";
	if (s->dr7 >> 32)
		return "DR7 bits 63:32";
	if ((s->cr0 & PV_CR0_PG) && !(s->cr0 & PV_CR0_PE))
		return "CR0.PG without PE";
	if ((s->cr0 & (1ULL << 29)) && !(s->cr0 & (1ULL << 30)))
		return "CR0.NW without CD";
	if (lma != ((s->efer & PV_EFER_LME) && (s->cr0 & PV_CR0_PG)))
		return "EFER.LMA differs from LME and CR0.PG";
	if (lma && !(s->cr4 & PV_CR4_PAE))
		return "long mode without CR4.PAE";
	for (i = 0; i < 8; i++) {
		__u8 t = s->pat >> (8 * i);

		if (t == 2 || t == 3 || t > 7)
			return "PAT memory type";
	}
	if (!(x & 1) || (x & ~PARTVISOR_XCR0_VALID) ||
	    ((x & 4) && !(x & 2)) ||
	    ((x & avx512) && ((x & avx512) != avx512 || !(x & 4))) ||
	    ((x & mpx) && (x & mpx) != mpx))
		return "XCR0 that XSETBV refuses";
	if (!canon(s->fs.base) || !canon(s->gs.base) ||
	    !canon(s->tr.base) || !canon(s->ldtr.base) ||
	    !canon(s->gdtr.base) || !canon(s->idtr.base))
		return "non-canonical FS/GS/TR/LDTR/GDTR/IDTR base";
	if (!fz_canon48(s->lstar))
		return "non-canonical LSTAR";
	if (!canon(s->cstar) || !canon(s->kernel_gs_base) ||
	    !canon(s->sysenter_esp) || !canon(s->sysenter_eip))
		return "non-canonical CSTAR/KERNEL_GS_BASE/SYSENTER_ESP/EIP";
	if (s->sfmask >> 32)
		return "SFMASK bits 63:32";
	if (s->sysenter_cs >> 32)
		return "SYSENTER_CS bits 63:32";
	return NULL;
}

#define FZ_X_FCW	0
#define FZ_X_MXCSR	24
#define FZ_X_HDR	512
#define FZ_X_HDR_SIZE	64

void fz_xsave_init(struct partvisor_xsave *x)
{
	memset(x, 0, sizeof(*x));
	memcpy(x->region + FZ_X_FCW, &(__u16){ 0x37f }, 2);
	memcpy(x->region + FZ_X_MXCSR, &(__u32){ 0x1f80 }, 4);
}

void fz_xsave_mutate(struct fz_rng *r, struct partvisor_xsave *x,
		     unsigned int n)
{
	unsigned char *b = x->region;
	__u64 v;

	while (n--) {
		switch (fz_below(r, 10)) {
		case 0:
			memcpy(b + FZ_X_FCW, &(__u16){ fz_next(r) }, 2);
			break;
		case 1:			/* MXCSR, rarely with bits above 15 */
			v = fz_chance(r, 85) ? (0x1f80 ^ fz_below(r, 0x10000)) :
					       fz_interesting(r);
			memcpy(b + FZ_X_MXCSR, &(__u32){ v }, 4);
			break;
		case 2:			/* XSTATE_BV */
			v = fz_chance(r, 85) ?
			    fz_next(r) & PARTVISOR_XCR0_VALID :
			    fz_interesting(r);
			memcpy(b + FZ_X_HDR, &v, 8);
			break;
		case 3:			/* XCOMP_BV or a reserved header byte */
			if (fz_chance(r, 50))
				memcpy(b + FZ_X_HDR + 8,
				       &(__u64){ fz_interesting(r) }, 8);
			else
				b[FZ_X_HDR + 16 + fz_below(r, 48)] = fz_next(r);
			break;
		case 4:			/* XMM registers */
		case 5:
			b[160 + fz_below(r, 256)] = fz_next(r);
			break;
		case 6:			/* x87 registers, FTW, FOP */
			b[2 + fz_below(r, 158)] = fz_next(r);
			break;
		case 7:			/* AVX and beyond */
			b[576 + fz_below(r, sizeof(*x) - 576)] = fz_next(r);
			break;
		case 8:			/* bytes 464-511, free for software */
			b[464 + fz_below(r, 48)] = fz_next(r);
			break;
		default:
			b[fz_below(r, sizeof(*x))] = fz_next(r);
			break;
		}
	}
}

/* Why SET_XSAVE must refuse @x (EINVAL), or NULL. */
const char *fz_xsave_invalid(const struct partvisor_xsave *x)
{
	__u32 mxcsr;
	__u64 bv;

	memcpy(&mxcsr, x->region + FZ_X_MXCSR, 4);
	memcpy(&bv, x->region + FZ_X_HDR, 8);
	if (mxcsr >> 16)
		return "MXCSR bits above 15";
	if (bv & ~PARTVISOR_XCR0_VALID)
		return "XSTATE_BV bits outside PARTVISOR_XCR0_VALID";
	if (fz_nonzero(x->region + FZ_X_HDR + 8, FZ_X_HDR_SIZE - 8))
		return "XCOMP_BV or a reserved XSAVE header byte not zero";
	return NULL;
}
