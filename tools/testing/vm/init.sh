#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the pv-vm initramfs: mount the usual file systems, mark the
# baseline in the kernel log, run /pv/cmd with its output on the second
# serial port, report its exit status there, and power off.

/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

out=/dev/ttyS1
stty -F $out raw -echo 2>/dev/null
exec 3>$out

kmemleak=/sys/kernel/debug/kmemleak
# Whatever boot leaked is not ours: start the count from here.
[ -w $kmemleak ] && echo clear > $kmemleak
echo "PV-BASELINE: $(nproc) CPUs, $(uname -r)" > /dev/kmsg

export PATH=/pv/bin:/pv/selftests:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/tmp
cd /pv
sh /pv/cmd >&3 2>&3
rc=$?

if [ -w $kmemleak ]; then
	# kmemleak reports only objects older than 5 s: let the newest age.
	sleep 6
	echo scan > $kmemleak
	cat $kmemleak >&3
	[ -s $kmemleak ] && echo "pv-vm: kmemleak: suspected memory leaks" > /dev/kmsg
fi

echo "PV-EXIT-STATUS: $rc" >&3
sync
poweroff -f
