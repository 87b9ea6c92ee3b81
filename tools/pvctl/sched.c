// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl sched: the partition scheduler's policy of a partition or of one
 * of its VPs (PARTVISOR_SET_SCHED, PARTVISOR_GET_SCHED). The policy
 * options, their checks and the SET_SCHED call with its error messages
 * are shared with 'pvctl run' (sched.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pvctl.h"
#include "sched.h"
#include "../lib/lp_list.h"
#include "../lib/module_param.h"

#define CPU_ONLINE	"/sys/devices/system/cpu/online"
#define NODE_ONLINE	"/sys/devices/system/node/online"
/* The longest LP list: every other one of 1024 LPs takes about 2000. */
#define LIST_LEN	4096

static const struct option policy_options[SCHED_NR_OPTIONS] = {
	{ "weight", required_argument, NULL, SCHED_OPT_WEIGHT },
	{ "reserve", required_argument, NULL, SCHED_OPT_RESERVE },
	{ "limit", required_argument, NULL, SCHED_OPT_LIMIT },
	{ "slice-us", required_argument, NULL, SCHED_OPT_SLICE },
	{ "node", required_argument, NULL, SCHED_OPT_NODE },
	{ "affinity", required_argument, NULL, SCHED_OPT_AFFINITY },
};

/* EOPNOTSUPP from SET_SCHED: the module runs the root scheduler. */
#define CLASSIC_ONLY	"the classic scheduler: load partvisor with sched=classic"

/* The names 'pvctl sched get' uses, in PARTVISOR_SCHED_SET_* bit order. */
static const char * const field_names[] = {
	"weight", "reserve", "limit", "slice_us", "node", "affinity",
};

void sched_policy_init(struct sched_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->params.vp = PARTVISOR_SCHED_PARTITION;
}

void sched_options(struct option *table, const struct option *own, size_t n)
{
	memcpy(table, own, n * sizeof(*own));
	memcpy(table + n, policy_options, sizeof(policy_options));
	memset(table + n + SCHED_NR_OPTIONS, 0, sizeof(*table));
}

/* A decimal number @min-@max for option @opt; with @pct, "50%" too. */
static int parse_num(const char *cmd, const char *opt, const char *arg,
		     unsigned long min, unsigned long max, bool pct, __u32 *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (pct && end != arg && *end == '%')
		end++;
	if (!isdigit((unsigned char)*arg) || *end)
		return usage_error(cmd, "%s '%s': not a number (%lu-%lu)", opt,
				   arg, min, max);
	if (errno || n < min || n > max)
		return usage_error(cmd, "%s %s: out of range %lu-%lu", opt, arg,
				   min, max);
	*v = n;
	return 0;
}

static bool lps_empty(const __u64 *bits)
{
	unsigned int i;

	for (i = 0; i < SCHED_AFF_WORDS; i++)
		if (bits[i])
			return false;
	return true;
}

/* @bits as "0-3,6" in @buf; "all" when there are none (affinity: any). */
static char *format_list(const __u64 *bits, char *buf, size_t len)
{
	lp_list_format(bits, PARTVISOR_SCHED_MAX_LPS, buf, len);
	if (!buf[0])
		snprintf(buf, len, "all");
	return buf;
}

static int parse_affinity(const char *cmd, const char *opt, const char *arg,
			  const char *list, __u64 *bits)
{
	char why[64];
	int ret;

	if (!strcmp(list, "all")) {
		memset(bits, 0, SCHED_AFF_WORDS * sizeof(*bits));
		return 0;
	}
	ret = lp_list_parse(list, bits, PARTVISOR_SCHED_MAX_LPS, why,
			    sizeof(why));
	if (ret == -1)
		return usage_error(cmd, "%s '%s': %s", opt, arg, why);
	if (ret)
		return usage_error(cmd, "%s %s: %s", opt, arg, why);
	return 0;
}

/* --vp-affinity N:LIST */
static int parse_vp_affinity(const char *cmd, const char *arg,
			     struct sched_policy *pol)
{
	const char *colon = strchr(arg, ':');
	unsigned long vp;
	char *end;

	errno = 0;
	vp = strtoul(arg, &end, 10);
	if (!colon || !isdigit((unsigned char)*arg) || end != colon)
		return usage_error(cmd, "--vp-affinity '%s': not N:LIST, as 1:0-3",
				   arg);
	if (errno || vp >= PARTVISOR_MAX_VPS)
		return usage_error(cmd, "--vp-affinity %s: VP out of range 0-%u",
				   arg, PARTVISOR_MAX_VPS - 1);
	if (parse_affinity(cmd, "--vp-affinity", arg, colon + 1,
			   pol->vp_affinity[vp]))
		return 2;
	pol->vp_affinity_set |= 1ULL << vp;
	return 0;
}

int sched_parse_option(const char *cmd, int opt, const char *arg,
		       struct sched_policy *pol)
{
	struct partvisor_sched_params *p = &pol->params;
	__u32 bit;
	int ret;

	switch (opt) {
	case SCHED_OPT_WEIGHT:
		bit = PARTVISOR_SCHED_SET_WEIGHT;
		ret = parse_num(cmd, "--weight", arg, PARTVISOR_SCHED_WEIGHT_MIN,
				PARTVISOR_SCHED_WEIGHT_MAX, false, &p->weight);
		break;
	case SCHED_OPT_RESERVE:
		bit = PARTVISOR_SCHED_SET_RESERVE;
		ret = parse_num(cmd, "--reserve", arg, 0,
				PARTVISOR_SCHED_RESERVE_MAX, true, &p->reserve);
		break;
	case SCHED_OPT_LIMIT:
		bit = PARTVISOR_SCHED_SET_LIMIT;
		ret = parse_num(cmd, "--limit", arg, PARTVISOR_SCHED_LIMIT_MIN,
				PARTVISOR_SCHED_LIMIT_MAX, true, &p->limit);
		break;
	case SCHED_OPT_SLICE:
		bit = PARTVISOR_SCHED_SET_SLICE;
		ret = parse_num(cmd, "--slice-us", arg,
				PARTVISOR_SCHED_SLICE_MIN_US,
				PARTVISOR_SCHED_SLICE_MAX_US, false, &p->slice_us);
		break;
	case SCHED_OPT_NODE:
		bit = PARTVISOR_SCHED_SET_NODE;
		ret = 0;
		if (!strcmp(arg, "none"))
			p->node = PARTVISOR_SCHED_NODE_NONE;
		else if (!isdigit((unsigned char)*arg))
			ret = usage_error(cmd, "--node '%s': not a node number or none",
					  arg);
		else
			ret = parse_num(cmd, "--node", arg, 0,
					PARTVISOR_SCHED_NODE_NONE - 1, false,
					&p->node);
		break;
	case SCHED_OPT_AFFINITY:
		bit = PARTVISOR_SCHED_SET_AFFINITY;
		ret = parse_affinity(cmd, "--affinity", arg, arg, p->affinity);
		break;
	case SCHED_OPT_VP_AFFINITY:
		return parse_vp_affinity(cmd, arg, pol);
	default:
		return usage_error(cmd, "unknown policy option %#x", opt);
	}
	if (!ret)
		p->set |= bit;
	return ret;
}

int sched_check(const char *cmd, const struct sched_policy *pol,
		unsigned int nr_vps)
{
	const struct partvisor_sched_params *p = &pol->params;
	unsigned int vp;

	if ((p->set & PARTVISOR_SCHED_SET_RESERVE) &&
	    (p->set & PARTVISOR_SCHED_SET_LIMIT) && p->reserve > p->limit)
		return usage_error(cmd, "--reserve %u is above --limit %u",
				   p->reserve, p->limit);
	for (vp = nr_vps; vp < PARTVISOR_MAX_VPS; vp++)
		if (pol->vp_affinity_set & (1ULL << vp))
			return usage_error(cmd, "--vp-affinity: there is no VP %u with --vps %u",
					   vp, nr_vps);
	return 0;
}

/* "partition 3" or "partition 3 VP 1", for messages. */
static const char *target_name(char *buf, size_t len, unsigned int id,
			       unsigned int vp)
{
	if (vp == PARTVISOR_SCHED_PARTITION)
		snprintf(buf, len, "partition %u", id);
	else
		snprintf(buf, len, "partition %u VP %u", id, vp);
	return buf;
}

static int get_params(int fd, unsigned int vp,
		      struct partvisor_sched_params *p)
{
	memset(p, 0, sizeof(*p));
	p->vp = vp;
	return ioctl(fd, PARTVISOR_GET_SCHED, p);
}

/* A list from sysfs (CPUs or nodes below 1024): 0, or -1. */
static int read_sysfs_list(const char *path, __u64 *bits)
{
	char line[LIST_LEN], why[64];
	FILE *f = fopen(path, "re");
	int ret = -1;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		ret = lp_list_parse(line, bits, PARTVISOR_SCHED_MAX_LPS, why,
				    sizeof(why));
	fclose(f);
	return ret;
}

/* One error line: "pvctl: WHO: what". */
static void error_line(const char *who, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", progname, who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void sched_report_enospc(const char *who, unsigned int reserve)
{
	int floor = pv_module_param_int("root_floor");

	if (floor > 0)
		error_line(who,
			   "reserve %u%% cannot be admitted: the LPs it may use have no %u%% unreserved (reserves may take %d%% of an LP: the root keeps root_floor=%d%%)",
			   reserve, reserve, 100 - floor, floor);
	else
		error_line(who,
			   "reserve %u%% cannot be admitted: the LPs it may use have no %u%% unreserved",
			   reserve, reserve);
}

/* ENOSPC: the reserve, given now or already in place, does not fit. */
static void explain_enospc(int fd, const char *who,
			   const struct partvisor_sched_params *p)
{
	struct partvisor_sched_params cur;

	if (p->set & PARTVISOR_SCHED_SET_RESERVE)
		sched_report_enospc(who, p->reserve);
	else if (!get_params(fd, p->vp, &cur))
		sched_report_enospc(who, cur.reserve);
	else
		error_line(who, "its reserve cannot be admitted on the LPs it may use");
}

/*
 * EINVAL: pvctl checked the ranges, so the values do not fit together
 * or the machine: which one, as far as pvctl can tell.
 */
static void explain_einval(int fd, const char *who,
			   const struct partvisor_sched_params *p)
{
	struct partvisor_sched_params cur;
	__u64 online[SCHED_AFF_WORDS];
	char list[LIST_LEN], olist[LIST_LEN];
	bool have = !get_params(fd, p->vp, &cur);
	unsigned int reserve = p->reserve, limit = p->limit, i;
	bool any = false;

	if (!(p->set & PARTVISOR_SCHED_SET_RESERVE))
		reserve = have ? cur.reserve : 0;
	if (!(p->set & PARTVISOR_SCHED_SET_LIMIT))
		limit = have ? cur.limit : PARTVISOR_SCHED_LIMIT_MAX;
	if (reserve > limit) {
		error_line(who, "reserve %u%% is above the limit %u%%", reserve,
			   limit);
		return;
	}
	if ((p->set & PARTVISOR_SCHED_SET_AFFINITY) && !lps_empty(p->affinity) &&
	    !read_sysfs_list(CPU_ONLINE, online)) {
		for (i = 0; i < SCHED_AFF_WORDS; i++)
			any |= !!(p->affinity[i] & online[i]);
		if (!any) {
			error_line(who, "affinity %s: none of these LPs is online (online: %s)",
				   format_list(p->affinity, list, sizeof(list)),
				   format_list(online, olist, sizeof(olist)));
			return;
		}
	}
	if ((p->set & PARTVISOR_SCHED_SET_NODE) &&
	    p->node != PARTVISOR_SCHED_NODE_NONE) {
		/* Without NUMA there is no node directory: node 0 only. */
		if (read_sysfs_list(NODE_ONLINE, online)) {
			memset(online, 0, sizeof(online));
			online[0] = 1;
		}
		if (p->node >= PARTVISOR_SCHED_MAX_LPS ||
		    !lp_list_test(online, p->node)) {
			error_line(who, "node %u: no such NUMA node (nodes: %s)",
				   p->node,
				   format_list(online, olist, sizeof(olist)));
			return;
		}
	}
	error_line(who, "PARTVISOR_SET_SCHED refused the policy: %s",
		   strerror(EINVAL));
}

/* EOPNOTSUPP: root mode takes only defaults; name the fields given. */
static void report_classic_only(const char *who, __u32 set)
{
	char names[64] = "";
	size_t n = 0;
	unsigned int i, left, nr = __builtin_popcount(set);

	for (i = 0, left = nr; i < ARRAY_SIZE(field_names); i++) {
		if (!(set & (1U << i)))
			continue;
		left--;
		n += snprintf(names + n, sizeof(names) - n, "%s%s",
			      field_names[i],
			      left > 1 ? ", " : left ? " and " : "");
	}
	error_line(who, "%s %s " CLASSIC_ONLY, names, nr > 1 ? "need" : "needs");
}

/* What SET_SCHED and GET_SCHED can both fail with. */
static void report_error(const char *call, int err, unsigned int id,
			 unsigned int vp, const char *who)
{
	switch (err) {
	case ENOENT:
		fprintf(stderr, "%s: partition %u has no VP %u\n", progname, id,
			vp);
		break;
	case ENOTTY:
		error_line(who, "this partvisor module has no %s (it needs ABI %u)",
			   call, SCHED_ABI_VERSION);
		break;
	case EPERM:
	case EACCES:
		error_line(who, "%s: permission denied (partvisor needs root)",
			   call);
		break;
	default:
		error_line(who, "%s failed: %s", call, strerror(err));
		break;
	}
}

int sched_set(int fd, unsigned int id, const struct partvisor_sched_params *p)
{
	char who[48];
	int err;

	if (!p->set || !ioctl(fd, PARTVISOR_SET_SCHED, p))
		return 0;
	err = errno;
	target_name(who, sizeof(who), id, p->vp);
	switch (err) {
	case EOPNOTSUPP:
		report_classic_only(who, p->set);
		break;
	case ENOSPC:
		explain_enospc(fd, who, p);
		break;
	case EINVAL:
		explain_einval(fd, who, p);
		break;
	default:
		report_error("PARTVISOR_SET_SCHED", err, id, p->vp, who);
		break;
	}
	return -1;
}

int sched_set_vps(int fd, unsigned int id, const struct sched_policy *pol)
{
	struct partvisor_sched_params p;
	unsigned int vp;

	for (vp = 0; vp < PARTVISOR_MAX_VPS; vp++) {
		if (!(pol->vp_affinity_set & (1ULL << vp)))
			continue;
		memset(&p, 0, sizeof(p));
		p.vp = vp;
		p.set = PARTVISOR_SCHED_SET_AFFINITY;
		memcpy(p.affinity, pol->vp_affinity[vp], sizeof(p.affinity));
		if (sched_set(fd, id, &p))
			return -1;
	}
	return 0;
}

/* 'pvctl sched get': one "name: value" per line. */
static int print_policy(int fd, unsigned int id, unsigned int vp)
{
	struct partvisor_sched_params p;
	char list[LIST_LEN], who[48];
	unsigned int i;

	if (get_params(fd, vp, &p)) {
		report_error("PARTVISOR_GET_SCHED", errno, id, vp,
			     target_name(who, sizeof(who), id, vp));
		return -1;
	}
	printf("partition: %u\n", id);
	if (vp != PARTVISOR_SCHED_PARTITION)
		printf("vp: %u\n", vp);
	printf("weight: %u\n", p.weight);
	printf("reserve: %u\n", p.reserve);
	printf("limit: %u\n", p.limit);
	printf("slice_us: %u\n", p.slice_us);
	if (p.node == PARTVISOR_SCHED_NODE_NONE)
		printf("node: none\n");
	else
		printf("node: %u\n", p.node);
	printf("affinity: %s\n", format_list(p.affinity, list, sizeof(list)));
	if (vp == PARTVISOR_SCHED_PARTITION)
		return 0;
	printf("overrides:");
	for (i = 0; i < ARRAY_SIZE(field_names); i++)
		if (p.set & (1U << i))
			printf(" %s", field_names[i]);
	printf("\n");
	return 0;
}

void sched_help_options(FILE *out)
{
	fprintf(out,
		"  --weight W            share among competing VPs, %u-%u (default %u)\n"
		"  --reserve PCT         percent of an LP each VP is guaranteed, 0-%u\n"
		"                        (default 0)\n"
		"  --limit PCT           percent of an LP each VP may use at most, %u-%u\n"
		"                        (default %u: no cap)\n"
		"  --slice-us US         time slice, %u-%u microseconds (default %u)\n"
		"  --node N|none         home NUMA node (default none)\n"
		"  --affinity LIST|all   the LPs the VPs may run on, as 0-3,6 (default all)\n",
		PARTVISOR_SCHED_WEIGHT_MIN, PARTVISOR_SCHED_WEIGHT_MAX,
		PARTVISOR_SCHED_WEIGHT_DEFAULT, PARTVISOR_SCHED_RESERVE_MAX,
		PARTVISOR_SCHED_LIMIT_MIN, PARTVISOR_SCHED_LIMIT_MAX,
		PARTVISOR_SCHED_LIMIT_MAX, PARTVISOR_SCHED_SLICE_MIN_US,
		PARTVISOR_SCHED_SLICE_MAX_US, PARTVISOR_SCHED_SLICE_DEFAULT_US);
}

void sched_help(FILE *out)
{
	fprintf(out,
		"usage: %s sched set ID [--vp N] [POLICY OPTIONS]\n"
		"       %s sched get ID [--vp N]\n\n"
		"Set or show the partition scheduler's policy of child partition ID\n"
		"(see '%s list'): the partition's, which its VPs follow, or with\n"
		"--vp N the policy of VP N, whose fields set here override the\n"
		"partition's. 'set' changes only the fields given; 'get' prints\n"
		"weight, reserve, limit, slice_us, node and affinity, and for a VP\n"
		"the fields it overrides, one \"name: value\" per line.\n\n"
		"  --vp N                VP N, 0-%u, instead of the partition\n",
		progname, progname, progname, PARTVISOR_MAX_VPS - 1);
	sched_help_options(out);
	fprintf(out,
		"\nPercentages are of one LP; LPs are CPU numbers. A reserve is\n"
		"admitted only while the LPs the VP may use have that much left\n"
		"unreserved. Any value other than the defaults needs the\n"
		"classic scheduler: partvisor loaded with sched=classic\n"
		"('%s info' shows which). '%s run' takes the same options\n"
		"for the partition it creates.\n\n"
		"partvisor cannot open a partition by its id: pvctl takes a\n"
		"duplicate of the partition fd its creator holds (pidfd_getfd,\n"
		"needs root), so that process must hold only this one partition.\n"
		"Exit status: 0 done, 1 refused or failed, 2 usage errors.\n",
		progname, progname);
}

static int parse_id(const char *arg, unsigned int *id)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || !isdigit((unsigned char)*arg) || *end || v > 0xffffffffUL)
		return usage_error("sched", "'%s' is not a partition id", arg);
	*id = v;
	return 0;
}

/* 'pvctl sched set' (@set) or 'pvctl sched get'; argv[0] is the verb. */
static int sched_verb(int argc, char **argv, bool set)
{
	static const struct option own[] = {
		{ "vp", required_argument, NULL, 'v' },
	};
	struct option opts[ARRAY_SIZE(own) + SCHED_NR_OPTIONS + 1] = { 0 };
	struct partvisor_info info;
	struct sched_policy pol;
	unsigned int id = 0;
	__u32 vp = PARTVISOR_SCHED_PARTITION;
	int c, dev, fd, ret;

	sched_policy_init(&pol);
	if (set)
		sched_options(opts, own, ARRAY_SIZE(own));
	else
		memcpy(opts, own, sizeof(own));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (parse_num("sched", "--vp", optarg, 0,
				      PARTVISOR_MAX_VPS - 1, false, &vp))
				return 2;
			break;
		case SCHED_OPT_FIRST ... SCHED_OPT_LAST:
			if (sched_parse_option("sched", c, optarg, &pol))
				return 2;
			break;
		case ':':
			return usage_error("sched", "%s needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("sched", "unknown option '%s' for %s",
					   argv[optind - 1], argv[0]);
		}
	}
	if (optind == argc)
		return usage_error("sched", "no partition ID given");
	if (optind != argc - 1)
		return usage_error("sched", "one partition ID only; '%s' is one too many",
				   argv[optind + 1]);
	if (parse_id(argv[optind], &id))
		return 2;
	if (set && !pol.params.set)
		return usage_error("sched", "nothing to set: give a policy option, as --weight");
	if (set && sched_check("sched", &pol, PARTVISOR_MAX_VPS))
		return 2;

	dev = open_with_info(&info);
	if (dev < 0)
		return 1;
	if (info.abi_version < SCHED_ABI_VERSION) {
		fprintf(stderr, "%s: module ABI %u; scheduler policy needs ABI %u\n",
			progname, info.abi_version, SCHED_ABI_VERSION);
		close(dev);
		return 1;
	}
	fd = open_partition(dev, id);
	close(dev);
	if (fd < 0)
		return 1;
	pol.params.vp = vp;
	if (set)
		ret = sched_set(fd, id, &pol.params);
	else
		ret = print_policy(fd, id, vp);
	close(fd);
	return ret ? 1 : 0;
}

int cmd_sched(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("sched", "no subcommand given: set or get");
	if (!strcmp(argv[1], "set"))
		return sched_verb(argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "get"))
		return sched_verb(argc - 1, argv + 1, false);
	return usage_error("sched", "unknown subcommand '%s': set or get",
			   argv[1]);
}
