#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Root-partition overhead benchmark: in one boot of an emulated machine,
# time root_bench natively, then with partvisor launched, and print the
# ratio per workload: best of several runs each, at 4x the default length
# (short loops are noisy under TCG). A benchmark, not a test: it prints
# numbers and never fails on them.
#
# usage: bench-root.sh [RUNS] [pv-vm options]   (default 5 runs)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
runs=${1:-5}
shift || true

"$here/install-deps.sh"
make -s -C "$top" modules 2>&1 | grep -v '^Skipping BTF' || true
make -s -C "$top/tools/bench"

"$here/pv-vm" --smp 2 "$@" \
	--file "$top/tools/bench/root_bench:pv/bin/root_bench" \
	-- sh -c "
best() { awk -F': *' '{ if (!(\$1 in m) || \$2 < m[\$1]) m[\$1] = \$2 }
	END { for (k in m) print k \": \" m[k] }'; }
run() { i=0; while [ \$i -lt $runs ]; do root_bench -s 4; i=\$((i + 1)); done | best; }
run > /tmp/native
insmod \$PV_MODULE launch=1 || exit 1
run > /tmp/launched
rmmod partvisor
echo 'workload       native_ns  launched_ns    ratio'
awk -F': *' 'NR == FNR { n[\$1] = \$2; next }
	(\$1 in n) { printf \"%-12s %11.3f %12.3f %8.3f\\n\", \$1, n[\$1], \$2, \$2 / n[\$1] }' \
	/tmp/native /tmp/launched | sort
"
