/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LP lists like "0-3,6" to and from bitmaps of 64-bit words, for pvctl
 * and the scheduler simulator. Header-only: each tool has its own copy.
 */
#ifndef _PV_LP_LIST_H
#define _PV_LP_LIST_H

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

static inline bool lp_list_test(const __u64 *bits, unsigned int lp)
{
	return (bits[lp / 64] >> (lp % 64)) & 1;
}

/*
 * @s into @bits (@max bits, cleared first; a trailing newline is fine):
 * 0, or what is wrong in @why and -1 (not such a list) or -2 (an LP of
 * @max or above, a range backwards).
 */
static inline int lp_list_parse(const char *s, __u64 *bits, unsigned int max,
				char *why, size_t len)
{
	unsigned long lo, hi, i;
	char *end;

	memset(bits, 0, (max + 63) / 64 * sizeof(*bits));
	for (;;) {
		if (!isdigit((unsigned char)*s))
			break;
		lo = strtoul(s, &end, 10);
		hi = lo;
		s = end;
		if (*s == '-') {
			if (!isdigit((unsigned char)s[1]))
				break;
			hi = strtoul(s + 1, &end, 10);
			s = end;
		}
		if (lo >= max || hi >= max) {
			snprintf(why, len, "LP %lu out of range 0-%u",
				 lo > hi ? lo : hi, max - 1);
			return -2;
		}
		if (lo > hi) {
			snprintf(why, len, "%lu-%lu is backwards", lo, hi);
			return -2;
		}
		for (i = lo; i <= hi; i++)
			bits[i / 64] |= 1ULL << (i % 64);
		if (!*s || *s == '\n')
			return 0;
		if (*s++ != ',')
			break;
	}
	snprintf(why, len, "not a list of LPs like 0-3,6");
	return -1;
}

/* The first @max bits of @bits as "0-3,6" in @buf; "" when none is set. */
static inline char *lp_list_format(const __u64 *bits, unsigned int max,
				   char *buf, size_t len)
{
	unsigned int i, j;
	size_t n = 0;

	buf[0] = '\0';
	for (i = 0; i < max; i = j + 1) {
		j = i;
		if (!lp_list_test(bits, i))
			continue;
		while (j + 1 < max && lp_list_test(bits, j + 1))
			j++;
		if (n >= len)
			break;
		if (i == j)
			n += snprintf(buf + n, len - n, "%s%u", n ? "," : "", i);
		else
			n += snprintf(buf + n, len - n, "%s%u-%u", n ? "," : "",
				      i, j);
	}
	return buf;
}

#endif /* _PV_LP_LIST_H */
