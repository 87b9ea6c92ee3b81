#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Late launch under load: load partvisor with launch=1, check every CPU
# (launch_test), unload, again and again, while every CPU runs a syscall
# loop and a pipe pair keeps cross-CPU wake-ups (IPIs) going. The root and
# its processes must come through unharmed, and every CPU's registers must
# be as before the first launch after each unload. Leaves the module
# unloaded.
#
# usage: launch_cycles.sh [CYCLES]   (default $PV_LAUNCH_CYCLES or 20)

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
cycles=${1:-${PV_LAUNCH_CYCLES:-20}}

if ! grep -qwE 'svm|vmx' /proc/cpuinfo; then
	echo "1..0 # SKIP no AMD-V or VT-x"
	exit 4
fi

[ -e /sys/module/partvisor ] && rmmod partvisor
not_restored() { dmesg | grep -c 'partvisor: CPU [0-9]*: descriptor tables not restored'; }
bad_tables0=$(not_restored)

# Every CPU's state before the first launch, to compare after each unload
# (partvisor_cpustate.ko, built with the module; read by IPIs).
cpustate=/sys/kernel/debug/partvisor_cpustate
helper=$(dirname "$PV_MODULE")/partvisor_cpustate.ko
[ -e $cpustate ] || insmod "$helper" 2>/dev/null
cat $cpustate > /tmp/cpustate.before 2>/dev/null
state_bad=0
# Compare with the state before the launch; show the first difference.
state_check() {
	cat $cpustate > /tmp/cpustate.after 2>&1
	cmp -s /tmp/cpustate.before /tmp/cpustate.after && return
	state_bad=$((state_bad + 1))
	[ $state_bad -eq 1 ] &&
		diff /tmp/cpustate.before /tmp/cpustate.after | sed 's/^/# /'
}

# Once on a quiet system, where the counters must match exactly.
insmod "$PV_MODULE" launch=1 && launch_test -q > /tmp/launch_test.out 2>&1
quiet_rc=$?
sed 's/^/# /' /tmp/launch_test.out
rmmod partvisor 2>/dev/null
[ ! -s /tmp/cpustate.before ] || state_check

# Every workload process is a direct child with no inherited output, so
# that killing the pids ends it and nothing holds the caller's pipe open.
pids=
for _ in $(seq "$(nproc)"); do
	(while :; do cat /proc/self/stat; done) > /dev/null 2>&1 < /dev/null &
	pids="$pids $!"
done
fifo=/tmp/launch_cycles.fifo
rm -f $fifo
mkfifo $fifo
yes > $fifo 2>/dev/null &
pids="$pids $!"
cat $fifo > /dev/null 2>&1 &
pids="$pids $!"
up0=$(cut -d. -f1 /proc/uptime)

echo "TAP version 13"
echo "1..7"
done_cycles=0 cpuid_bad=0
i=0
while [ $i -lt "$cycles" ]; do
	insmod "$PV_MODULE" launch=1 || break
	launch_test > /tmp/launch_test.out 2>&1 || {
		cpuid_bad=$((cpuid_bad + 1))
		sed 's/^/# /' /tmp/launch_test.out
	}
	rmmod partvisor || break
	[ ! -s /tmp/cpustate.before ] || state_check
	i=$((i + 1))
	done_cycles=$i
done

alive=0
for p in $pids; do
	kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
done
kill $pids 2>/dev/null
wait 2>/dev/null
rm -f $fifo
up1=$(cut -d. -f1 /proc/uptime)

n=0 failed=0
. "$(dirname "$0")/pv_lib.sh"
[ "$quiet_rc" -eq 0 ]
check $? "launch_test -q on an idle system"
[ "$done_cycles" -eq "$cycles" ]
check $? "$done_cycles of $cycles load/launch/unload cycles"
[ "$cpuid_bad" -eq 0 ]
check $? "every CPU showed the partvisor CPUID leaves in every cycle ($cpuid_bad bad)"
[ "$alive" -eq "$(echo $pids | wc -w)" ]
check $? "the workload survived ($alive processes alive)"
bad_tables=$(($(not_restored) - bad_tables0))
[ "$bad_tables" -eq 0 ]
check $? "every CPU had Linux's GDT and IDT back after every unload ($bad_tables not)"
if [ -s /tmp/cpustate.before ]; then
	[ "$state_bad" -eq 0 ] && ! grep -q "ipi failed" /tmp/cpustate.before
	check $? "every CPU's MSRs, control, debug and table registers as before the launch after every unload, and its IPI answered ($state_bad unloads differed)"
	sed 's/^/# before: /' /tmp/cpustate.before | head -n 30
else
	skip "every CPU's state as before the launch" "no partvisor_cpustate.ko"
fi
[ "$up1" -ge "$up0" ] && [ ! -e /sys/module/partvisor ]
check $? "the root kept running (uptime ${up0}s -> ${up1}s) and partvisor is unloaded"
[ "$failed" -eq 0 ]
