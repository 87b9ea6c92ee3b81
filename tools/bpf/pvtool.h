/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space side shared by partvisor's BPF tools: the common options,
 * choosing between tp_btf and raw_tp programs, histograms and the
 * module's debugfs facts.
 */
#ifndef PVTOOL_H
#define PVTOOL_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pv_common.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* What every tool accepts: filters, attach method, interval and count. */
struct pv_env {
	__u32 part;		/* PV_ANY_PART or a partition id */
	__u32 vp;		/* PV_ANY_VP or a VP index */
	bool raw_tp;		/* skip tp_btf */
	bool verbose;
	unsigned int interval;	/* seconds; 0: one report at the end */
	unsigned long count;	/* reports; 0: until interrupted */
};

extern struct pv_env pv_env;
extern const char *pv_prog;
extern volatile sig_atomic_t pv_exiting;

/* argp child with -p, -v, --raw-tp, --verbose and [interval] [count]. */
extern const struct argp pv_common_argp;

/* Set up libbpf logging and signals; fail clearly without the module. */
int pv_init(const char *prog);

/* The attach method for the next load attempt, and the reason for it. */
bool pv_want_btf(void);

/* Enable the tp_btf or the raw_tp variants of @obj's programs. */
void pv_select_progs(struct bpf_object *obj, bool btf);

/*
 * After a failed load or attach with @btf: report it and return true if a
 * raw_tp attempt should follow.
 */
bool pv_retry_raw(bool btf, int err);

/* Say on stderr (with --verbose) how the programs are attached. */
void pv_report_method(bool btf);

/* The "Tracing ..." line tests wait for: the programs are attached. */
void pv_tracing(const char *what);

/*
 * Sleep until the next report is due: the interval passed or the tool
 * was interrupted. True when that report is the last one.
 */
bool pv_wait_report(void);

/* Time of day as HH:MM:SS for report headers. */
void pv_print_time(FILE *out);

/* A log2 histogram; @unit names the value's unit. */
void pv_print_log2_hist(FILE *out, const __u32 *slots, int nr,
			const char *unit);

/* A "name: value" line of the module's debugfs file hypervisor. */
int pv_hypervisor_value(const char *name, char *buf, size_t len);

/*
 * The number of arguments of partvisor's tracepoint @event, from the
 * module's BTF or tracefs; -1 when neither tells.
 */
int pv_event_nargs(const char *event);

#endif /* PVTOOL_H */
