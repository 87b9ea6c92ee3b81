#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What speculation hygiene costs a child's exit (module/spec.c):
# exit_bench (N CPUIDs, then N refused hypercalls, microseconds per exit)
# under partvisor loaded with spec_hygiene=1 and with spec_hygiene=0,
# alternating, best of each, and their ratio per kind of exit. Meant for a
# kernel booted with mitigations on (the lane appends
# "mitigations=auto spectre_v2=retpoline"); under mitigations=off every
# measure is off either way and the ratio is 1. A benchmark: the checks
# are that every run completed and that the module refills the RSB where
# Linux does (with retpolines); the ratios are printed, never asserted. Leaves the module loaded with its defaults.
#
#   PV_BENCH_EXITS   exits of each kind per run (default 5000)
#   PV_BENCH_ROUNDS  run pairs, best of each shown (default 5)

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
. "$(dirname "$0")/pv_lib.sh"
exits=${PV_BENCH_EXITS:-5000}
rounds=${PV_BENCH_ROUNDS:-5}
out=/tmp/spec_bench.$$
n=0 failed=0
echo "TAP version 13"
echo "1..2"

# bench 1|0 FILE: load the module so and append one exit_bench run to FILE.
bench() {
	[ -e /sys/module/partvisor ] && rmmod partvisor
	insmod "$PV_MODULE" spec_hygiene="$1" &&
		exit_bench partvisor "$exits" >> "$2"
}

: > "$out.on"
: > "$out.off"
ok=0
for _ in $(seq "$rounds"); do
	bench 1 "$out.on" || ok=1
	bench 0 "$out.off" || ok=1
done
rmmod partvisor && insmod "$PV_MODULE" || ok=1
check $ok "$rounds runs of $exits CPUID and $exits hypercall exits with and without speculation hygiene"

v2=$(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null)
said=$(dmesg | grep 'speculation hygiene:' | tail -n 1)
echo "# spectre_v2: $v2"
echo "# ${said#*partvisor: }"
case "$v2" in
*Retpolines*)
	# Linux fills the RSB on VM exits in every retpoline mode.
	echo "$said" | grep -q 'RSB fill on,'
	check $? "the module refills the RSB on exits, as Linux does here"
	;;
*)
	skip "the module refills the RSB on exits" "Linux uses no retpolines here"
	;;
esac

# best FILE NAME: the smallest value of NAME in exit_bench's lines.
best() {
	awk -F': ' -v k="$2" '$1 == k && (b == "" || $2 < b) { b = $2 }
		END { print b }' "$1"
}
for k in cpuid_us hypercall_us; do
	awk -v n="${k%_us}" -v r="$rounds" -v on="$(best "$out.on" $k)" \
		-v off="$(best "$out.off" $k)" 'BEGIN { if (off > 0)
		printf "# %s per exit (best of %d): %.3f us with speculation hygiene, %.3f us without: ratio %.3f\n",
			n, r, on, off, on / off }'
done
rm -f "$out.on" "$out.off"
[ "$failed" -eq 0 ]
