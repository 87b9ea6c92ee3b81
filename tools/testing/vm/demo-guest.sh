#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM: load partvisor and show what it sees.

show() {
	echo
	echo "guest# $1"
	sh -c "$1"
}

echo "guest: Linux $(uname -r), $(nproc) CPUs,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"

echo
echo "== load: Linux becomes the root partition on every CPU"
show "insmod $PV_MODULE" || exit 1
show "dmesg | grep 'partvisor: launched'"
show "pvctl info"
show "cat /sys/kernel/debug/partvisor/hypervisor"
show "launch_test"

echo
echo "== a child partition: a real-mode program on its serial port"
show "pvctl run /pv/guests/hello.bin"

echo
echo "== two VPs on the guest runtime (an ELF program in long mode), with their counters"
show "pvctl run --mode long --vps 2 --stats /pv/guests/demo.elf"
show "pvctl stats"

echo
echo "== unload: every CPU back to native"
show "rmmod partvisor"
show "dmesg | tail -n 2"
