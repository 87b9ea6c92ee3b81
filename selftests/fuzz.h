/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the partvisor fuzzer: its random numbers (fuzz.c
 * derives one stream per thread from the seed) and the guest builder in
 * fuzz_guest.c, which lays out guest memory, writes random code and makes
 * VP and XSAVE states, valid, mostly valid or not at all.
 */
#ifndef _PV_FUZZ_H
#define _PV_FUZZ_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/partvisor.h>

/* xoshiro256**, seeded through splitmix64: small and reproducible. */
struct fz_rng {
	__u64 s[4];
};

static inline __u64 fz_splitmix(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Stream @stream of @seed: one per process and thread. */
static inline void fz_rng_seed(struct fz_rng *r, __u64 seed, __u64 stream)
{
	__u64 x = seed ^ (stream * 0xd1342543de82ef95ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = fz_splitmix(&x);
}

static inline __u64 fz_rol(__u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline __u64 fz_next(struct fz_rng *r)
{
	__u64 *s = r->s;
	__u64 res = fz_rol(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = fz_rol(s[3], 45);
	return res;
}

/* 0 to @n - 1 (0 for @n 0). */
static inline __u64 fz_below(struct fz_rng *r, __u64 n)
{
	return n ? fz_next(r) % n : 0;
}

static inline int fz_chance(struct fz_rng *r, unsigned int percent)
{
	return fz_below(r, 100) < percent;
}

static inline __u64 fz_pick(struct fz_rng *r, const __u64 *v, size_t n)
{
	return v[fz_below(r, n)];
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* One of the values given, at random. */
#define FZ_PICK(r, ...)	({						\
	const __u64 __v[] = { __VA_ARGS__ };				\
	fz_pick(r, __v, ARRAY_SIZE(__v));				\
})

#define FZ_PAGE		4096ULL

__u64 fz_interesting(struct fz_rng *r);
__u64 fz_mutate(struct fz_rng *r, __u64 v);

/* Where a guest starts, and what its memory at GPA 0 holds. */
enum fz_mode { FZ_REAL, FZ_PROT, FZ_LONG, FZ_NR_MODES };

/* Fixed places in guest memory (GPA = offset in the main memory). */
#define FZ_G_STUBS16	0x0800	/* real-mode handlers, 8 bytes each */
#define FZ_G_GDT	0x1000
#define FZ_G_GDT_LIMIT	0x47
#define FZ_G_TSS	0x1100
#define FZ_G_IDT	0x2000
#define FZ_G_STUBS	0x3000	/* protected/long-mode handlers, 16 each */
#define FZ_G_PML4	0x4000
#define FZ_G_PDPT	0x5000
#define FZ_G_PD		0x6000
#define FZ_G_MSG	0x7000	/* POST_MESSAGE input */
#define FZ_G_DBG	0x7400	/* DEBUG_OUTPUT input */
#define FZ_G_CODE	0x8000
#define FZ_G_CODE_SIZE	0x4000
#define FZ_G_DATA	0xc000
#define FZ_G_STACK	0xfff0
#define FZ_G_MIN	0x10000	/* the least main memory */

#define FZ_NR_MMIO	4

struct fz_layout {
	int mode;		/* enum fz_mode */
	int vmx;		/* VMCALL, not VMMCALL */
	__u64 mem_size;		/* main memory, mapped at GPA 0 */
	__u64 mmio[FZ_NR_MMIO];	/* GPAs guest code reaches that are holes */
	int no_cr8;		/* no MOV to CR8 (see fz_qemu_svm()) */
};

void fz_guest_image(struct fz_rng *r, unsigned char *mem, struct fz_layout *l);
void fz_guest_code(struct fz_rng *r, unsigned char *mem,
		   const struct fz_layout *l, __u64 start, __u64 len);
void fz_state_init(struct partvisor_vp_state *s);
void fz_guest_state(struct fz_rng *r, const struct fz_layout *l,
		    struct partvisor_vp_state *s);
void fz_state_random(struct fz_rng *r, struct partvisor_vp_state *s);
void fz_state_mutate(struct fz_rng *r, struct partvisor_vp_state *s,
		     unsigned int n);
const char *fz_state_invalid(const struct partvisor_vp_state *s, int strict);
void fz_xsave_init(struct partvisor_xsave *x);
void fz_xsave_mutate(struct fz_rng *r, struct partvisor_xsave *x,
		     unsigned int n);
const char *fz_xsave_invalid(const struct partvisor_xsave *x);

#endif /* _PV_FUZZ_H */
