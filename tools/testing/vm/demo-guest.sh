#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: load partvisor and show what it sees.

show() {
	echo
	echo "guest# $1"
	sh -c "$1"
}

echo "guest: Linux $(uname -r), $(nproc) CPUs,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
show "insmod $PV_MODULE" || exit 1
show "dmesg | grep 'partvisor: version'"
show "pvctl info"
show "ls -l /dev/partvisor"
show "find /sys/kernel/debug/partvisor"
show "cat /sys/kernel/debug/partvisor/hypervisor"
show "rmmod partvisor"

echo
echo "== late launch: Linux becomes the root partition (AMD-V)"
show "insmod $PV_MODULE launch=1" || exit 0
show "dmesg | grep 'partvisor: launched'"
show "grep state /sys/kernel/debug/partvisor/hypervisor"
show "launch_test"
show "rmmod partvisor"
show "dmesg | tail -n 2"
