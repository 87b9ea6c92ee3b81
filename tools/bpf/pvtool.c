// SPDX-License-Identifier: GPL-2.0
/*
 * Shared by partvisor's BPF tools (pvtool.h).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/partvisor.h>

#include "pvtool.h"

#define PV_MODULE_DIR	"/sys/module/partvisor"
#define PV_MODULE_BTF	"/sys/kernel/btf/partvisor"
#define PV_HYPERVISOR	"/sys/kernel/debug/partvisor/hypervisor"

enum {
	OPT_RAW_TP = 0x100,
	OPT_VERBOSE,
};

struct pv_env pv_env = {
	.part = PV_ANY_PART,
	.vp = PV_ANY_VP,
};

const char *pv_prog = "pvtool";
static volatile sig_atomic_t exiting;

static unsigned long reports;
static unsigned int positional;

static int parse_ulong(const char *arg, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(arg, &end, 0);
	if (errno || end == arg || *end || *arg == '-' || *v > max)
		return -1;
	return 0;
}

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	unsigned long v;

	switch (key) {
	case 'p':
		if (parse_ulong(arg, UINT_MAX, &v) || v == PV_ANY_PART)
			argp_error(state, "invalid partition id '%s'", arg);
		pv_env.part = v;
		break;
	case 'v':
		if (parse_ulong(arg, UINT_MAX - 1, &v))
			argp_error(state, "invalid VP index '%s'", arg);
		pv_env.vp = v;
		break;
	case OPT_RAW_TP:
		pv_env.raw_tp = true;
		break;
	case OPT_VERBOSE:
		pv_env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (positional == 0) {
			if (parse_ulong(arg, 86400, &v) || !v)
				argp_error(state, "invalid interval '%s'", arg);
			pv_env.interval = v;
		} else if (positional == 1) {
			if (parse_ulong(arg, ULONG_MAX, &v) || !v)
				argp_error(state, "invalid count '%s'", arg);
			pv_env.count = v;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		positional++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option common_options[] = {
	{ "partition", 'p', "ID", 0, "Only partition ID", 0 },
	{ "vp", 'v', "N", 0, "Only VP index N (of every partition, or of -p's)", 0 },
	{ "raw-tp", OPT_RAW_TP, NULL, 0,
	  "Attach raw_tp programs, not tp_btf (no module BTF needed)", 0 },
	{ "verbose", OPT_VERBOSE, NULL, 0,
	  "Say how the programs are attached; libbpf's messages", 0 },
	{},
};

static const struct argp common_argp = {
	.options = common_options,
	.parser = parse_common,
};

/* The tool's own options: its flags, then its parser if it has one. */
static error_t parse_tool(int key, char *arg, struct argp_state *state)
{
	const struct pv_tool *tool = state->input;
	const struct pv_flag *f;

	for (f = tool->flags; f && f->set; f++) {
		if (f->key == key) {
			*f->set = true;
			return 0;
		}
	}
	if (tool->parser)
		return tool->parser(key, arg, state);
	return ARGP_ERR_UNKNOWN;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	/* tp_btf failing on a module without BTF is expected: quiet then. */
	if (!pv_env.verbose)
		return 0;
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int init(const char *prog)
{
	struct sigaction sa = { .sa_handler = on_signal };

	pv_prog = prog;
	libbpf_set_print(libbpf_print);
	/* No SA_RESTART: a signal ends the sleep in wait_report(). */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		fprintf(stderr, "%s: cannot catch signals: %s\n", prog,
			strerror(errno));
		return -1;
	}
	if (access(PV_MODULE_DIR, F_OK)) {
		fprintf(stderr, "%s: partvisor module not loaded\n", prog);
		return -1;
	}
	return 0;
}

static bool want_btf(void)
{
	if (pv_env.raw_tp) {
		if (pv_env.verbose)
			fprintf(stderr, "%s: raw_tp requested\n", pv_prog);
		return false;
	}
	if (access(PV_MODULE_BTF, R_OK)) {
		if (pv_env.verbose)
			fprintf(stderr, "%s: no module BTF (%s): raw_tp\n",
				pv_prog, PV_MODULE_BTF);
		return false;
	}
	return true;
}

/* Enable the tp_btf or the raw_tp variants of @obj's programs. */
static void select_progs(struct bpf_object *obj, bool btf)
{
	const char *want = btf ? "tp_btf/" : "raw_tp/";
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		bpf_program__set_autoload(prog, !strncmp(sec, want, strlen(want)));
	}
}

/*
 * After a failed load or attach with @btf: report it and return true if a
 * raw_tp attempt should follow.
 */
static bool retry_raw(bool btf, int err)
{
	if (err < 0)
		err = -err;
	if (btf && err != EPERM) {
		if (pv_env.verbose)
			fprintf(stderr, "%s: tp_btf failed (%s), trying raw_tp\n",
				pv_prog, strerror(err));
		return true;
	}
	if (err == EPERM || err == EACCES)
		fprintf(stderr, "%s: BPF not permitted (%s): run as root\n",
			pv_prog, strerror(err));
	else if (err == ENOENT)
		fprintf(stderr, "%s: partvisor's tracepoints not found\n",
			pv_prog);
	else
		fprintf(stderr, "%s: cannot load or attach the BPF programs: %s\n",
			pv_prog, strerror(err));
	return false;
}

/*
 * Open, load and attach the tool's programs: tp_btf unless ruled out,
 * then raw_tp if tp_btf fails.
 */
static int load(const struct pv_tool *tool)
{
	bool btf = want_btf();
	struct bpf_object_skeleton *s;
	int err;

	for (;;) {
		s = tool->open();
		if (!s) {
			fprintf(stderr, "%s: cannot open the BPF object: %s\n",
				pv_prog, strerror(errno));
			return -1;
		}
		select_progs(*s->obj, btf);
		err = bpf_object__load_skeleton(s);
		if (!err)
			err = bpf_object__attach_skeleton(s);
		if (!err)
			break;
		tool->destroy();
		if (!retry_raw(btf, err))
			return -1;
		btf = false;
	}
	if (pv_env.verbose)
		fprintf(stderr, "%s: attached with %s\n", pv_prog,
			btf ? "tp_btf (module BTF)" : "raw_tp");
	return 0;
}

/* The terminal as it was, while keys are read one at a time. */
static struct termios saved_tty;
static bool keys_on;

static void keys_off(void)
{
	if (keys_on)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	keys_on = false;
}

/* Keys without Enter and without echo, so that 'q' alone ends the view. */
static void keys_start(void)
{
	struct termios raw;

	if (!pv_env.quit_key || !isatty(STDIN_FILENO) ||
	    tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	raw = saved_tty;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		return;
	keys_on = true;
	atexit(keys_off);
}

/* Wait up to @ms for a key; 'q' asks the tool to end. */
static void keys_wait(int ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, ms) <= 0)
		return;
	if (read(STDIN_FILENO, &c, 1) != 1)
		keys_off();	/* end of input: wait on the clock only */
	else if (c == 'q' || c == 'Q')
		exiting = 1;
}

/*
 * Sleep until the next report is due: the interval passed or the tool
 * was interrupted. True when that report is the last one.
 */
static bool wait_report(void)
{
	__u64 due = pv_mono_ns() +
		    (pv_env.interval ? pv_env.interval : 3600) * 1000000000ULL;
	struct timespec left;
	__u64 now;

	while (!exiting) {
		now = pv_mono_ns();
		if (now >= due) {
			if (pv_env.interval)
				break;
			due = now + 3600 * 1000000000ULL;
		}
		if (keys_on) {
			keys_wait((due - now + 999999) / 1000000);
			continue;
		}
		left.tv_sec = (due - now) / 1000000000ULL;
		left.tv_nsec = (due - now) % 1000000000ULL;
		nanosleep(&left, NULL);
	}
	reports++;
	return exiting || (pv_env.count && reports >= pv_env.count);
}

int pv_main(const struct pv_tool *tool, int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &common_argp, 0, NULL, 0 },
		{},
	};
	const struct argp argp = {
		.options = tool->options,
		.parser = parse_tool,
		.args_doc = "[interval] [count]",
		.doc = tool->doc,
		.children = children,
	};
	__u64 start, now;
	int err;
	bool last;

	/* parse_tool() reads @tool back from argp's (non-const) input. */
	if (argp_parse(&argp, argc, argv, 0, NULL, (void *)tool))
		return 1;
	if (init(tool->name))
		return 1;
	err = tool->setup ? tool->setup() : 0;
	if (err)
		return err < 0;
	if (load(tool))
		return 1;
	/* Scripts wait for this line: the programs are attached. */
	fprintf(stderr, "Tracing %s... Hit Ctrl-C to end.\n", tool->what);
	start = pv_mono_ns();
	keys_start();
	do {
		last = wait_report();
		now = pv_mono_ns();
		err = tool->report(now - start);
		start = now;
	} while (!err && !last);
	keys_off();
	tool->destroy();
	return err ? 1 : 0;
}

__u64 pv_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void pv_time_of_day(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

void pv_print_time(FILE *out)
{
	char buf[16];

	pv_time_of_day(buf, sizeof(buf));
	fprintf(out, "%s\n", buf);
}

void pv_print_log2_hist(FILE *out, const __u32 *slots, int nr,
			const char *unit)
{
	unsigned int max = 0;
	int i, j, last = -1;

	for (i = 0; i < nr; i++) {
		if (slots[i])
			last = i;
		if (slots[i] > max)
			max = slots[i];
	}
	if (last < 0)
		return;
	fprintf(out, "%24s : %-10s %s\n", unit, "count", "distribution");
	for (i = 0; i <= last; i++) {
		unsigned long long lo = i ? 1ULL << i : 0;
		unsigned long long hi = (2ULL << i) - 1;
		int bar = (int)((unsigned long long)slots[i] * 40 / max);

		fprintf(out, "%11llu -> %-10llu : %-10u |", lo, hi, slots[i]);
		for (j = 0; j < 40; j++)
			fputc(j < bar ? '*' : ' ', out);
		fputs("|\n", out);
	}
}

#ifdef PARTVISOR_INTERCEPT_NAMES
static const char * const reason_names[] = PARTVISOR_INTERCEPT_NAMES;
const unsigned int pv_nr_reason_names = ARRAY_SIZE(reason_names);
#else
/* A uapi header without the intercept names: reasons by number. */
const unsigned int pv_nr_reason_names;
#endif

const char *pv_reason_name(unsigned int r, char *buf, size_t len)
{
#ifdef PARTVISOR_INTERCEPT_NAMES
	if (r < pv_nr_reason_names)
		return reason_names[r];
#endif
	snprintf(buf, len, "reason_%u", r);
	return buf;
}

int pv_hypervisor_value(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	char line[256];
	int ret = -1;
	FILE *f;

	f = fopen(PV_HYPERVISOR, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, n) || line[n] != ':')
			continue;
		snprintf(buf, len, "%s", line + n + 1 + strspn(line + n + 1, " "));
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* From the module's BTF: the tracepoint's typedef, minus its __data. */
static int btf_nargs(const char *event)
{
	const struct btf_type *t;
	struct btf *vmlinux, *mod;
	char name[64];
	int id, ret = -1;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -1;
	mod = btf__load_module_btf("partvisor", vmlinux);
	if (!mod)
		goto out;
	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(mod, name, BTF_KIND_TYPEDEF);
	if (id > 0) {
		t = btf__type_by_id(mod, id);
		t = btf__type_by_id(mod, t->type);
		if (t && btf_is_ptr(t))
			t = btf__type_by_id(mod, t->type);
		if (t && btf_is_func_proto(t))
			ret = btf_vlen(t) - 1;
	}
	btf__free(mod);
out:
	btf__free(vmlinux);
	return ret;
}

/* From tracefs: the event's own fields, which are its arguments here. */
static int tracefs_nargs(const char *event)
{
	static const char * const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128], line[256];
	unsigned int i;
	int n = 0;
	FILE *f = NULL;

	for (i = 0; i < ARRAY_SIZE(roots) && !f; i++) {
		snprintf(path, sizeof(path), "%s/events/partvisor/%s/format",
			 roots[i], event);
		f = fopen(path, "r");
	}
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "field:") && !strstr(line, " common_"))
			n++;
	fclose(f);
	return n;
}

int pv_event_nargs(const char *event)
{
	int n = -1;

	if (!access(PV_MODULE_BTF, R_OK))
		n = btf_nargs(event);
	if (n < 0)
		n = tracefs_nargs(event);
	return n;
}
