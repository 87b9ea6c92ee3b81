/* SPDX-License-Identifier: GPL-2.0 */
/* pvsim's modes and the report shared by them. */
#ifndef _PVSIM_H
#define _PVSIM_H

#include <stdio.h>

#include "sim.h"

/* A group's run time as a percentage of all VPs' run time. */
double share_pct(const struct sim *s, unsigned int g);
/* Run time per VP of a group, as a percentage of one LP's time. */
double lp_pct(const struct sim *s, unsigned int g);
/* Wait per dispatch in microseconds. */
double wait_us(u64 wait_ns, u64 dispatches);
void print_report(FILE *f, const struct sim *s);
/* pv_sched_* error to words. */
const char *sched_strerror(int err);

int run_check(void);
/* --check's TAP output: a test point, a diagnostic line. */
void tap(bool ok, const char *fmt, ...);
void diag(const char *fmt, ...);
void check_policy(void);
int run_bench(void);

#endif /* _PVSIM_H */
