#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CPU hotplug, suspend and hibernation while partvisor is launched. A CPU
# going offline leaves host mode first and one coming online enters it
# (launch_test checks every online CPU); unload then devirtualizes all of
# them, including the ones that came back. Suspend and hibernation are
# refused with a clear message while launched. Leaves the module unloaded.
#
# usage: hotplug_test.sh [CYCLES]   (offline/online rounds, default 5)

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
rounds=${1:-5}

if ! grep -qwE 'svm|vmx' /proc/cpuinfo; then
	echo "1..0 # SKIP no AMD-V or VT-x"
	exit 4
fi
[ -e /sys/module/partvisor ] && rmmod partvisor

echo "TAP version 13"
echo "1..6"
n=0 failed=0
. "$(dirname "$0")/pv_lib.sh"

insmod "$PV_MODULE" launch=1
check $? "insmod launch=1"

# The highest-numbered CPU that may go offline (CPU 0 usually may not).
cpu=
for f in /sys/devices/system/cpu/cpu*/online; do
	[ -e "$f" ] && cpu=$(basename "$(dirname "$f")")
done
if [ -z "$cpu" ]; then
	skip "offline/online rounds" "no hot-pluggable CPU"
	skip "lp debugfs entry follows the CPU" "no hot-pluggable CPU"
else
	nr=${cpu#cpu}
	ok=0 gone=0 i=0
	while [ $i -lt "$rounds" ]; do
		echo 0 > /sys/devices/system/cpu/$cpu/online || break
		[ -e /sys/kernel/debug/partvisor/lp/$nr ] || gone=$((gone + 1))
		launch_test > /tmp/hotplug.out 2>&1 || {
			sed 's/^/# offline: /' /tmp/hotplug.out; break; }
		echo 1 > /sys/devices/system/cpu/$cpu/online || break
		[ -e /sys/kernel/debug/partvisor/lp/$nr ] || gone=$((gone + 10000))
		launch_test > /tmp/hotplug.out 2>&1 || {
			sed 's/^/# online: /' /tmp/hotplug.out; break; }
		i=$((i + 1))
		ok=$i
	done
	check $((ok != rounds)) "$ok of $rounds offline/online rounds of $cpu, every online CPU virtualized"
	check $((gone != ok)) "lp/$nr is gone while $cpu is offline and back when online"
fi

# None may start; the write fails and the message says why. Without the
# refusal, "freeze" would suspend this machine and the test time out.
dmesg -c > /dev/null
tried=0 refused=0
for state in freeze mem disk; do
	grep -qw $state /sys/power/state || continue
	tried=$((tried + 1))
	echo $state > /sys/power/state 2>/dev/null || refused=$((refused + 1))
done
msgs=$(dmesg | grep -c 'partvisor: .* refused: the hypervisor is running')
[ $tried -gt 0 ] && [ $refused -eq $tried ] && [ "$msgs" -eq $tried ]
check $? "$refused of $tried sleep states ($(cat /sys/power/state)) refused while launched, $msgs messages"

rmmod partvisor
check $? "rmmod after hotplug"
launch_test -u > /tmp/hotplug.out 2>&1
rc=$?
sed 's/^/# /' /tmp/hotplug.out
check $rc "every online CPU is native again"
[ "$failed" -eq 0 ]
