/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvctl: what the command files share.
 */
#ifndef _PVCTL_H
#define _PVCTL_H

#include <stdio.h>
#include <linux/partvisor.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern const char *progname;

/* /dev/partvisor, or -1 after one clear error line. */
int open_device(void);
/* The device and what GET_INFO says, or -1 after one error line. */
int open_with_info(struct partvisor_info *info);
/*
 * A new fd of the existing partition @id, through @dev, or -1 after one
 * error line. See the comment in pvctl.c for what it takes.
 */
int open_partition(int dev, unsigned int id);

/*
 * A usage error of 'pvctl @cmd': one line naming the problem and where
 * help is, on standard error; returns the exit status, 2.
 */
int usage_error(const char *cmd, const char *fmt, ...);

/* pvctl run: run.c */
int cmd_run(int argc, char **argv);
void run_help(FILE *out);

/* pvctl stats: stats.c */
int cmd_stats(int argc, char **argv);
void stats_help(FILE *out);
/* A partition's counters from debugfs as a table; -1 after an error line. */
int print_partition_stats(unsigned int id);

/* pvctl sched: sched.c */
int cmd_sched(int argc, char **argv);
void sched_help(FILE *out);

#endif /* _PVCTL_H */
