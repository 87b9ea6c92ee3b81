#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a child's exit costs under partvisor compared with KVM, in one boot:
# exit_bench runs the same guest bytes (N CPUIDs, then N VMMCALLs) under
# kvm_amd and under partvisor, alternating, and this prints the best
# microseconds per exit of each and the partvisor/KVM ratios. A benchmark: the checks are that
# both runs completed; the ratios are printed, never asserted (partvisor's
# target is <= 1.0). Needs the KVM modules (pv-vm --kvm) and AMD-V; leaves
# partvisor loaded as run_tests.sh expects.
#
#   PV_BENCH_EXITS   exits of each kind per run (default 5000)
#   PV_BENCH_ROUNDS  KVM/partvisor run pairs, best of each shown (default 3)

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
. "$(dirname "$0")/pv_lib.sh"
n=0 failed=0
exits=${PV_BENCH_EXITS:-5000}
rounds=${PV_BENCH_ROUNDS:-3}
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
# Alternate the two, best of each: emulation makes single runs noisy.
kvm_ok=0 pv_ok=0
: > "$out.kvm"
: > "$out.pv"
for _ in $(seq "$rounds"); do
	[ -e /sys/module/partvisor ] && rmmod partvisor
	{ load_kvm && exit_bench kvm "$exits" >> "$out.kvm"; } ||
		kvm_ok=1
	unload_kvm
	{ insmod "$PV_MODULE" && exit_bench partvisor "$exits" >> "$out.pv"; } ||
		pv_ok=1
done
check $kvm_ok "KVM ran $exits CPUID and $exits VMMCALL exits, $rounds times"
check $pv_ok "partvisor ran $exits CPUID and $exits VMMCALL exits, $rounds times"
[ -e /sys/module/partvisor ] || insmod "$PV_MODULE"

# name: value lines from both, the best of each name, one line per kind.
awk -F': ' '
	FNR == 1 { file++ }
	file == 1 && (!($1 in kvm) || $2 < kvm[$1]) { kvm[$1] = $2 }
	file == 2 && (!($1 in pv) || $2 < pv[$1]) { pv[$1] = $2 }
	END {
		for (k in pv) if (kvm[k] > 0) {
			name = k; sub(/_us$/, "", name)
			printf "# %s per exit (best of %d): partvisor %.3f us, KVM %.3f us, ratio %.3f\n",
				name, rounds, pv[k], kvm[k], pv[k] / kvm[k]
		}
	}' rounds="$rounds" "$out.kvm" "$out.pv"
rm -f "$out.kvm" "$out.pv"
[ "$failed" -eq 0 ]
