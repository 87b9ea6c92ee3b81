// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of LP lists ("0-3,6") and --vp SPECs. Only the syntax is
 * checked here: policy values go to the core unchanged, so that what
 * pv_sched_check() and pv_sched_vp_add() reject is what pvsim rejects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../lib/lp_list.h"

static int parse_u64(const char *str, u64 *val)
{
	char *end;

	if (*str < '0' || *str > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoull(str, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int parse_u32(const char *str, u32 *val)
{
	u64 v;

	if (parse_u64(str, &v) || v > U32_MAX)
		return -EINVAL;
	*val = v;
	return 0;
}

int sim_parse_lps(const char *str, u64 *mask, unsigned int max)
{
	char why[64];

	memset(mask, 0, PV_SCHED_AFF_WORDS * sizeof(*mask));
	return lp_list_parse(str, mask, max, why, sizeof(why)) ? -EINVAL : 0;
}

void sim_group_default(struct sim_group *g, u64 slice_ns)
{
	memset(g, 0, sizeof(*g));
	g->count = 1;
	g->p.weight = PARTVISOR_SCHED_WEIGHT_DEFAULT;
	g->p.limit = PARTVISOR_SCHED_LIMIT_MAX;
	g->p.slice_ns = slice_ns;
	g->p.node = PARTVISOR_SCHED_NODE_NONE;
	g->demand = SIM_CPU;
}

static int parse_demand(const char *val, struct sim_group *g)
{
	char buf[64], *colon;
	u64 run, block;

	if (!strcmp(val, "cpu")) {
		g->demand = SIM_CPU;
		return 0;
	}
	if (strncmp(val, "burst:", 6) || strlen(val) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, val + 6);
	colon = strchr(buf, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	if (parse_u64(buf, &run) || parse_u64(colon + 1, &block) || !run ||
	    run > U32_MAX || block > U32_MAX)
		return -EINVAL;
	g->demand = SIM_BURST;
	g->burst_ns = run * NS_PER_US;
	g->block_ns = block * NS_PER_US;
	return 0;
}

static int parse_key(struct sim_group *g, const char *key, const char *val)
{
	u32 us;

	if (!strcmp(key, "count"))
		return parse_u32(val, &g->count) || !g->count ? -EINVAL : 0;
	if (!strcmp(key, "weight"))
		return parse_u32(val, &g->p.weight);
	if (!strcmp(key, "reserve"))
		return parse_u32(val, &g->p.reserve);
	if (!strcmp(key, "limit"))
		return parse_u32(val, &g->p.limit);
	if (!strcmp(key, "slice")) {
		if (parse_u32(val, &us))
			return -EINVAL;
		g->p.slice_ns = us * NS_PER_US;
		return 0;
	}
	if (!strcmp(key, "start")) {
		if (parse_u32(val, &us))
			return -EINVAL;
		g->has_start = true;
		g->start_ns = us * NS_PER_US;
		return 0;
	}
	if (!strcmp(key, "node")) {
		if (!strcmp(val, "none")) {
			g->p.node = PARTVISOR_SCHED_NODE_NONE;
			return 0;
		}
		return parse_u32(val, &g->p.node);
	}
	if (!strcmp(key, "aff")) {
		g->has_aff = true;
		return sim_parse_lps(val, g->aff, PV_SCHED_MAX_LPS);
	}
	if (!strcmp(key, "demand"))
		return parse_demand(val, g);
	return -ENOENT;
}

/*
 * Keys are separated by commas, and so are the items of an LP list: a
 * piece without '=' continues the aff= before it ("aff=0-3,6,weight=1").
 */
int sim_parse_group(const char *spec, struct sim_group *g, u64 slice_ns,
		    char *msg, size_t len)
{
	char buf[512], aff[512] = "", *tok, *save, *eq;
	bool in_aff = false, aff_seen = false;
	int ret;

	sim_group_default(g, slice_ns);
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(msg, len, "SPEC too long");
		return -EINVAL;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			if (!in_aff) {
				snprintf(msg, len, "'%s' is not KEY=VALUE",
					 tok);
				return -EINVAL;
			}
			strcat(aff, ",");
			strcat(aff, tok);
			continue;
		}
		*eq = '\0';
		in_aff = !strcmp(tok, "aff");
		if (in_aff) {
			aff_seen = true;
			snprintf(aff, sizeof(aff), "%s", eq + 1);
			continue;
		}
		ret = parse_key(g, tok, eq + 1);
		if (ret == -ENOENT) {
			snprintf(msg, len, "unknown key '%s'", tok);
			return -EINVAL;
		}
		if (ret) {
			snprintf(msg, len, "bad value for %s: '%s'", tok,
				 eq + 1);
			return -EINVAL;
		}
	}
	if (aff_seen && parse_key(g, "aff", aff)) {
		snprintf(msg, len, "bad LP list for aff: '%s' (LPs 0-%u)",
			 aff, PV_SCHED_MAX_LPS - 1);
		return -EINVAL;
	}
	return 0;
}

/* The inverse of sim_parse_lps(), for reports. */
void sim_format_lps(const u64 *mask, unsigned int max, char *buf, size_t len)
{
	lp_list_format(mask, max, buf, len);
}
