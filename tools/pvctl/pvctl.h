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

/* pvctl run: run.c */
int cmd_run(int argc, char **argv);
void run_help(FILE *out);

/* pvctl stats: stats.c */
int cmd_stats(int argc, char **argv);
void stats_help(FILE *out);
/* A partition's counters from debugfs as a table; -1 after an error line. */
int print_partition_stats(unsigned int id);

#endif /* _PVCTL_H */
