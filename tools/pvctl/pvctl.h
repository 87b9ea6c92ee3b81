/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvctl: what the command files share.
 */
#ifndef _PVCTL_H
#define _PVCTL_H

#include <stdio.h>
#include <linux/partvisor.h>

extern const char *progname;

/* /dev/partvisor, or -1 after one clear error line. */
int open_device(void);

/* pvctl run: run.c */
int cmd_run(int argc, char **argv);
void run_help(FILE *out);

#endif /* _PVCTL_H */
