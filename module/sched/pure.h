/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the scheduler core needs from its surroundings, in the kernel and
 * in user space (the simulator defines PV_SCHED_USER): fixed-size
 * integers, bool, errno values, memcpy, a 64-bit division and the policy ranges
 * of the ioctl ABI.
 */
#ifndef _PV_SCHED_PURE_H
#define _PV_SCHED_PURE_H

#ifdef PV_SCHED_USER
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef __u64 u64;
typedef __s64 s64;
typedef __u32 u32;
typedef __u16 u16;
typedef __u8 u8;

#define U64_MAX		UINT64_MAX
#define U32_MAX		UINT32_MAX

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

#include <linux/partvisor.h>
#else
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/types.h>
#include <uapi/linux/partvisor.h>
#endif

#endif /* _PV_SCHED_PURE_H */
