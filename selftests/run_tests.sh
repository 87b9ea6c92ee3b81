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
#   PV_TEST_TIMEOUT  seconds each test may take (default 300): a test still
#              running then has its tasks' kernel stacks printed, is
#              killed with its whole session, fails alone as TIMEOUT, and
#              the next test runs

here=$(cd "$(dirname "$0")" && pwd)
PATH=$here:$here/../tools/pvctl:$PATH
export PATH
: "${PV_MODULE:=/pv/partvisor.ko}"
export PV_MODULE PV_EXPECT PV_LAUNCH_CYCLES
: "${PV_SKIP:=}" "${PV_SKIP_REASON:=skipped in this lane}"
: "${PV_TEST_TIMEOUT:=300}"

[ $# -gt 0 ] || set -- module_test.sh info_test ioctl_test perm_test \
	race_test pvctl_info_test.sh hcall_test partition_test vp_run_test \
	irq_test mmio_test guest_hcall_test pvctl_run_test.sh trace_test.sh \
	isolation_test sched_test counters_test fpu_test wakeup_test \
	intercepts_test \
	launch_cycles.sh hotplug_test.sh nmi_test.sh kvm_coexist.sh exit_bench.sh

if [ ! -e /sys/module/partvisor ]; then
	insmod "$PV_MODULE" || { echo "Bail out! insmod $PV_MODULE failed"; exit 1; }
fi

# The tasks of session @1: their names and kernel stacks.
stacks() {
	for st in /proc/[0-9]*/stat; do
		d=${st%/stat}
		set -- $(cat "$st" 2>/dev/null)
		[ "${6:-}" = "$sid" ] || continue
		echo "task ${d#/proc/} $2 state $3:"
		sed 's/^/    /' "$d/stack" 2>/dev/null
	done
}

# Ends the test of session @1 after PV_TEST_TIMEOUT seconds: TERM, then
# KILL; a test stuck in the kernel is left behind and the run goes on.
watchdog() {
	sid=$1 i=0
	while [ $i -lt "$PV_TEST_TIMEOUT" ]; do
		sleep 1
		i=$((i + 1))
	done
	kill -0 "$sid" 2>/dev/null || return
	echo "TIMEOUT after $PV_TEST_TIMEOUT s; its tasks then:" > /tmp/pv-timeout
	stacks "$sid" >> /tmp/pv-timeout
	kill -TERM -"$sid" 2>/dev/null
	sleep 5
	kill -KILL -"$sid" 2>/dev/null
	sleep 5
	kill -0 "$sid" 2>/dev/null && kill -USR1 $main
}

# One test in its own session, its output indented behind "# " as it
# comes; the exit status in $rc.
run_one() {
	rm -f /tmp/pv-out /tmp/pv-timeout
	start=$(date +%s)
	mkfifo /tmp/pv-out
	sed 's/^/# /' < /tmp/pv-out &
	sedpid=$!
	setsid "$1" > /tmp/pv-out 2>&1 &
	pid=$!
	watchdog "$pid" > /dev/null 2>&1 &
	wdpid=$!
	wait "$pid"
	rc=$?
	kill "$wdpid" 2>/dev/null
	if kill -0 "$pid" 2>/dev/null; then
		# Stuck in the kernel: it still holds the output.
		kill "$sedpid"
	else
		# Whatever the test left running goes with it.
		kill -KILL -"$pid" 2>/dev/null
		wait "$sedpid"
	fi
	if [ -e /tmp/pv-timeout ]; then
		sed 's/^/# /' /tmp/pv-timeout
		rc=timeout
	fi
	echo "# $1: $(($(date +%s) - start)) s"
	rm -f /tmp/pv-out /tmp/pv-timeout
}

main=$$
# The watchdog's word that a killed test did not end: stop waiting.
trap ':' USR1

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
	run_one "$t"
	case "$rc" in
	0) echo "ok $n selftests: partvisor: $t" ;;
	4) echo "ok $n selftests: partvisor: $t # SKIP" ;;
	timeout)
	   echo "not ok $n selftests: partvisor: $t # TIMEOUT ${PV_TEST_TIMEOUT}s"
	   failed=$((failed + 1)) ;;
	*) echo "not ok $n selftests: partvisor: $t # exit=$rc"
	   failed=$((failed + 1)) ;;
	esac
done
[ "$failed" -eq 0 ]
