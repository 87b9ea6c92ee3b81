// SPDX-License-Identifier: GPL-2.0
/* partvisor's tracepoints: the one place they are created (trace.h). */
#define CREATE_TRACE_POINTS
#include "trace.h"
