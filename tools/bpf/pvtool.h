/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space side shared by partvisor's BPF tools: pv_main() runs a
 * tool (the common options, loading its programs as tp_btf or raw_tp,
 * the report loop) from what it supplies in a struct pv_tool; and
 * helpers for its reports: histograms, intercept names and the module's
 * debugfs facts.
 */
#ifndef PVTOOL_H
#define PVTOOL_H

#include <argp.h>
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
	bool quit_key;		/* 'q' on a terminal ends it, as Ctrl-C */
};

extern struct pv_env pv_env;
extern const char *pv_prog;

/* An option without argument that only sets a bool. */
struct pv_flag {
	int key;
	bool *set;
};

/* A tool: what is its own. pv_main() does the rest. */
struct pv_tool {
	const char *name;
	/* argp's: the common options and [interval] [count] are added. */
	const char *doc;
	const struct argp_option *options;
	const struct pv_flag *flags;	/* its options that only set a bool */
	argp_parser_t parser;		/* its other options; NULL if none */
	const char *what;		/* "Tracing WHAT... Hit Ctrl-C to end." */
	/*
	 * Optional, before loading: 0 to go on, < 0 to fail, > 0 to end
	 * with status 0 (nothing to trace).
	 */
	int (*setup)(void);
	/*
	 * Open the tool's skeleton (TOOL_bpf__open()) and set its rodata:
	 * its bpf_object_skeleton, or NULL with errno set. Called again
	 * for raw_tp after a failed tp_btf attempt.
	 */
	struct bpf_object_skeleton *(*open)(void);
	/* Free what open() made (TOOL_bpf__destroy()). */
	void (*destroy)(void);
	/* Print a report: @elapsed_ns since the last one; < 0 to fail. */
	int (*report)(__u64 elapsed_ns);
};

/* Run @tool: its exit status. */
int pv_main(const struct pv_tool *tool, int argc, char **argv);

/* CLOCK_MONOTONIC in ns, the clock of bpf_ktime_get_ns(). */
__u64 pv_mono_ns(void);

/* Time of day as HH:MM:SS; pv_print_time() prints it as a line. */
void pv_time_of_day(char *buf, size_t len);
void pv_print_time(FILE *out);

/* A log2 histogram; @unit names the value's unit. */
void pv_print_log2_hist(FILE *out, const __u32 *slots, int nr,
			const char *unit);

/* How many intercept reasons have a name in the uapi header. */
extern const unsigned int pv_nr_reason_names;

/* Intercept reason @r's name, else "reason_@r" in @buf. */
const char *pv_reason_name(unsigned int r, char *buf, size_t len);

/* A "name: value" line of the module's debugfs file hypervisor. */
int pv_hypervisor_value(const char *name, char *buf, size_t len);

/*
 * The number of arguments of partvisor's tracepoint @event, from the
 * module's BTF or tracefs; -1 when neither tells.
 */
int pv_event_nargs(const char *event);

#endif /* PVTOOL_H */
