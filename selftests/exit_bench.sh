#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a child's exit costs under partvisor compared with KVM, in one boot:
# exit_bench runs the same guest bytes (N CPUIDs, then N VMMCALLs) first
# under kvm_amd and then under partvisor, and this prints microseconds per
# exit for both and partvisor/KVM ratios. A benchmark: the checks are that
# both runs completed; the ratios are printed, never asserted (partvisor's
# target is <= 1.0). Needs the KVM modules (pv-vm --kvm) and AMD-V; leaves
# partvisor loaded as run_tests.sh expects.
#
#   PV_BENCH_EXITS  exits of each kind per run (default 5000)

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
. "$(dirname "$0")/pv_lib.sh"
n=0 failed=0
exits=${PV_BENCH_EXITS:-5000}
out=/tmp/exit_bench.$$

if ! grep -qw svm /proc/cpuinfo; then
	echo "1..0 # SKIP the same-guest comparison uses VMMCALL (AMD-V)"
	exit 4
fi
if [ ! -e "$pv_kmod/kvm-amd.ko" ]; then
	echo "1..0 # SKIP no KVM modules in $pv_kmod (pv-vm --kvm)"
	exit 4
fi

echo "TAP version 13"
echo "1..2"
[ -e /sys/module/partvisor ] && rmmod partvisor
load_kvm && exit_bench kvm "$exits" > "$out.kvm"
check $? "KVM ran $exits CPUID and $exits VMMCALL exits"
unload_kvm

insmod "$PV_MODULE" && exit_bench partvisor "$exits" > "$out.pv"
check $? "partvisor ran $exits CPUID and $exits VMMCALL exits"

# name: value lines from both runs, one comparison line per exit kind.
awk -F': ' '
	FNR == NR { kvm[$1] = $2; next }
	$1 in kvm && kvm[$1] > 0 {
		printf "# %s per exit: partvisor %.3f us, KVM %.3f us, ratio %.3f\n",
			$1, $2, kvm[$1], $2 / kvm[$1]
	}' "$out.kvm" "$out.pv" | sed 's/_us per exit/ per exit/'
rm -f "$out.kvm" "$out.pv"
[ "$failed" -eq 0 ]
