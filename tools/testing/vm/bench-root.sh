#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Root-partition overhead benchmark: in one boot of an emulated machine,
# time root_bench natively and with partvisor launched, alternating (load,
# run, unload, run, ...) so that drift of the host machine hits both
# sides alike, and print the ratio per workload: best of RUNS runs each,
# at 4x the default length (short loops are noisy under TCG), the spread
# of the native runs (slowest over fastest: the emulator's noise), and how
# many root intercepts other than CPUID a launched run took (what
# partvisor itself did during the workloads). A benchmark, not a test: it
# prints numbers and never fails on them.
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
icpt() { cat /sys/kernel/debug/partvisor/partition/0/vp/* | awk -F': *' '
	/^intercepts_/ && \$1 != \"intercepts_cpuid\" { s += \$2 }
	END { print s + 0 }'; }
i=0
while [ \$i -lt $runs ]; do
	root_bench -s 4 >> /tmp/native.all
	insmod \$PV_MODULE launch=1 || exit 1
	a=\$(icpt)
	root_bench -s 4 >> /tmp/launched.all
	echo \$((\$(icpt) - a)) >> /tmp/icpt
	rmmod partvisor
	i=\$((i + 1))
done
best < /tmp/native.all > /tmp/native
best < /tmp/launched.all > /tmp/launched
echo 'workload       native_ns  launched_ns    ratio  native_max/min'
awk -F': *' 'FNR == 1 { f++ }
	f == 1 { if (!(\$1 in lo) || \$2 < lo[\$1]) lo[\$1] = \$2
		 if (\$2 > hi[\$1]) hi[\$1] = \$2; next }
	f == 2 { n[\$1] = \$2; next }
	(\$1 in n) { printf \"%-12s %11.3f %12.3f %8.3f %15.3f\\n\", \$1, n[\$1], \$2,
		      \$2 / n[\$1], hi[\$1] / lo[\$1] }' \
	/tmp/native.all /tmp/native /tmp/launched | sort
echo \"root intercepts other than CPUID per launched run: \$(sort -n /tmp/icpt | tail -n 1) at most\"
"
