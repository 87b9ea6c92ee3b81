#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# NMIs while partvisor is launched: every CPU spins on CPUID, so it spends
# much of its time in host mode handling exits, and NMI backtrace requests
# (sysrq l: an NMI IPI to every other CPU) keep arriving. Each NMI must
# reach the root's handler - whether it hit the root or host mode - and the
# system must come through. The backtraces are expected kernel output, so
# they are fenced off from the VM runner's log check. Leaves the module
# unloaded.
#
# usage: nmi_test.sh [ROUNDS]   (default 10)

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
rounds=${1:-10}
ncpu=$(nproc)

if ! grep -qwE 'svm|vmx' /proc/cpuinfo; then
	echo "1..0 # SKIP no AMD-V or VT-x"
	exit 4
fi
if [ "$ncpu" -lt 2 ] || [ ! -w /proc/sysrq-trigger ]; then
	echo "1..0 # SKIP needs 2 CPUs and /proc/sysrq-trigger"
	exit 4
fi
[ -e /sys/module/partvisor ] && rmmod partvisor

# Sum of the NMI line of /proc/interrupts over all CPUs.
nmis() {
	awk '$1 == "NMI:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
		s += $i; print s }' /proc/interrupts
}

echo "TAP version 13"
echo "1..5"
n=0 failed=0
. "$(dirname "$0")/pv_lib.sh"

insmod "$PV_MODULE" launch=1
check $? "insmod launch=1"

pids=
for _ in $(seq "$ncpu"); do
	launch_test -s > /dev/null 2>&1 < /dev/null &
	pids="$pids $!"
done
before=$(nmis)
dmesg -c > /dev/null
echo "PV-EXPECT-TRACES-BEGIN nmi_test" > /dev/kmsg
i=0
while [ $i -lt "$rounds" ]; do
	echo l > /proc/sysrq-trigger
	i=$((i + 1))
done
echo "PV-EXPECT-TRACES-END nmi_test" > /dev/kmsg
after=$(nmis)
traces=$(dmesg | grep -c 'NMI backtrace for cpu')
# Only backtraces are expected inside the fence, nothing worse.
worse=$(dmesg | grep -cE 'WARNING:|BUG:|Oops|Kernel panic|unwind')
alive=0
for p in $pids; do
	kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
done
kill $pids 2>/dev/null
wait 2>/dev/null

# The writing CPU prints its own backtrace without an NMI.
want=$((rounds * (ncpu - 1)))
[ $((after - before)) -ge $want ] && [ "$traces" -ge $((rounds * ncpu)) ]
check $? "$((after - before)) NMIs for $want IPIs, $traces backtraces for $rounds rounds on $ncpu CPUs"
[ "$worse" -eq 0 ]
check $? "no warning, oops or unwinder complaint among them ($worse)"
[ "$alive" -eq "$ncpu" ]
check $? "the CPUID spinners survived ($alive of $ncpu)"
rmmod partvisor && launch_test -u > /dev/null 2>&1
check $? "unload devirtualizes every CPU afterwards"
[ "$failed" -eq 0 ]
