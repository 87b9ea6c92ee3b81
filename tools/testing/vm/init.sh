#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs COMMAND (the file $PV_ROOT/cmd) in a test VM: mark the baseline in
# the kernel log, run it with its output on $PV_OUT, check kmemleak, and
# report "PV-EXIT-STATUS: N" there. As /init of the pv-vm initramfs it also
# mounts the file systems first and powers off at the end; under virtme-ng
# the guest is already set up and ends by itself.

pv=${PV_ROOT:-/pv}
out=${PV_OUT:-/dev/ttyS1}

if [ $$ -eq 1 ]; then
	/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
	/bin/busybox --install -s
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	export PATH=/bin:/sbin:/usr/bin:/usr/sbin
fi
# Not every busybox has mountpoint.
mounted() { grep -q " $1 " /proc/mounts; }
mounted /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
mounted /sys/kernel/tracing ||
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
# Pseudo-terminals, for tests that drive a tool as a person at a terminal.
mkdir -p /dev/pts
mounted /dev/pts || mount -t devpts -o ptmxmode=0666 devpts /dev/pts
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx

[ -c "$out" ] && stty -F "$out" raw -echo 2>/dev/null
exec 3>>"$out"

kmemleak=/sys/kernel/debug/kmemleak
# Whatever boot leaked is not ours: start the count from here.
[ -w $kmemleak ] && echo clear > $kmemleak
echo "PV-BASELINE: $(nproc) CPUs, $(uname -r)" > /dev/kmsg

export PATH=$pv/bin:$pv/selftests:$PATH
export HOME=/tmp PV_ROOT=$pv PV_MODULE=$pv/partvisor.ko
cd "$pv" || exit 1
sh "$pv/cmd" >&3 2>&3
rc=$?

if [ -w $kmemleak ]; then
	# kmemleak reports only objects older than 5 s: let the newest age.
	sleep 6
	echo scan > $kmemleak
	cat $kmemleak >&3
	[ -s $kmemleak ] && echo "pv-vm: kmemleak: suspected memory leaks" > /dev/kmsg
fi

echo "PV-EXIT-STATUS: $rc" >&3
# Closing the last fd of the serial port waits until its output has left;
# powering off before that loses the tail (seen under Bochs). Ours is the
# last only once every other process has gone (a test's leftover, a
# watcher's sleep holding the port): end them and wait for them.
if [ $$ -eq 1 ]; then
	kill -9 -1 2>/dev/null
	i=0
	while [ $i -lt 20 ]; do
		busy=
		for p in /proc/[0-9]*; do
			# Kernel threads and zombies have no exe.
			[ "$p" != /proc/1 ] && [ -e "$p/exe" ] && busy=$p
		done
		[ -z "$busy" ] && break
		sleep 1
		i=$((i + 1))
	done
fi
exec 3>&-
if [ $$ -eq 1 ]; then
	sync
	poweroff -f
fi
