/* SPDX-License-Identifier: GPL-2.0 */
/*
 * partvisor's module parameters as user space reads them, for pvctl and
 * the selftests. Header-only.
 */
#ifndef _PV_MODULE_PARAM_H
#define _PV_MODULE_PARAM_H

#include <stdio.h>

/* /sys/module/partvisor/parameters/@name as a number, or -1. */
static inline int pv_module_param_int(const char *name)
{
	char path[128];
	int v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/partvisor/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

#endif /* _PV_MODULE_PARAM_H */
