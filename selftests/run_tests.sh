#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run partvisor selftests inside a test VM (or on a test box) the way the
# kselftest runner does: one top-level TAP line per program, the program's
# own output indented behind "# ". Exit codes: 0 pass, 1 fail, 4 skip.
#
# usage: run_tests.sh [TEST...]
#   PV_MODULE  partvisor.ko to load when it is not loaded (the test VMs set
#              it; default /pv/partvisor.ko)
#   PV_EXPECT  expectations for pvctl_info_test.sh, e.g. "vendor=svm +nrips"
#   PV_LAUNCH_CYCLES  load/launch/unload cycles for launch_cycles.sh
#   PV_SKIP    tests not to run in this lane, each reported as a SKIP with
#              PV_SKIP_REASON (for an emulator's known defect)

here=$(cd "$(dirname "$0")" && pwd)
PATH=$here:$here/../tools/pvctl:$PATH
export PATH
: "${PV_MODULE:=/pv/partvisor.ko}"
export PV_MODULE PV_EXPECT PV_LAUNCH_CYCLES
: "${PV_SKIP:=}" "${PV_SKIP_REASON:=skipped in this lane}"

[ $# -gt 0 ] || set -- module_test.sh info_test ioctl_test perm_test \
	race_test pvctl_info_test.sh hcall_test partition_test vp_run_test \
	irq_test mmio_test guest_hcall_test pvctl_run_test.sh trace_test.sh \
	isolation_test sched_test counters_test fpu_test \
	launch_cycles.sh hotplug_test.sh nmi_test.sh kvm_coexist.sh exit_bench.sh

if [ ! -e /sys/module/partvisor ]; then
	insmod "$PV_MODULE" || { echo "Bail out! insmod $PV_MODULE failed"; exit 1; }
fi

echo "TAP version 13"
echo "1..$#"
n=0 failed=0
for t in "$@"; do
	n=$((n + 1))
	case " $PV_SKIP " in
	*" $t "*)
		echo "ok $n selftests: partvisor: $t # SKIP $PV_SKIP_REASON"
		continue ;;
	esac
	echo "# selftests: partvisor: $t"
	{ "$t" 2>&1; echo "rc=$?" > /tmp/pv-rc; } | sed 's/^/# /'
	rc=$(sed -n 's/^rc=//p' /tmp/pv-rc)
	case "$rc" in
	0) echo "ok $n selftests: partvisor: $t" ;;
	4) echo "ok $n selftests: partvisor: $t # SKIP" ;;
	*) echo "not ok $n selftests: partvisor: $t # exit=$rc"
	   failed=$((failed + 1)) ;;
	esac
done
rm -f /tmp/pv-rc
[ "$failed" -eq 0 ]
