#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module life cycle: an open fd pins the module, unload removes the device
# and the debugfs tree, and load/unload cycles leave nothing behind.
# Leaves the module loaded. Needs PV_MODULE (path to partvisor.ko).

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
dbg=/sys/kernel/debug/partvisor
n=0 failed=0
. "$(dirname "$0")/pv_lib.sh"
loaded() { [ -e /sys/module/partvisor ]; }

echo "TAP version 13"
echo "1..8"
loaded || insmod "$PV_MODULE"
loaded; check $? "module is loaded"
[ -c /dev/partvisor ] && [ -r $dbg/hypervisor ]
check $? "/dev/partvisor and $dbg/hypervisor exist"

exec 3</dev/partvisor
rmmod partvisor 2>/dev/null
loaded; check $? "rmmod refused while an fd is open"
exec 3<&-

rmmod partvisor
! loaded && [ ! -e /dev/partvisor ] && [ ! -e $dbg ]
check $? "rmmod removes the module, the device and the debugfs tree"

insmod "$PV_MODULE" && loaded && grep -q '^vendor: ' $dbg/hypervisor
check $? "insmod after rmmod brings everything back"

bad=0
i=0
while [ $i -lt 10 ]; do
	rmmod partvisor || bad=1
	insmod "$PV_MODULE" || bad=1
	i=$((i + 1))
done
loaded && [ $bad -eq 0 ]
check $? "10 unload/load cycles"

# A second load of the same module must fail and change nothing.
insmod "$PV_MODULE" 2>/dev/null
[ $? -ne 0 ] && loaded && [ -c /dev/partvisor ]
check $? "a second insmod fails and leaves the loaded module alone"

insmod /nonexistent-partvisor.ko 2>/dev/null
loaded; check $? "module still loaded at the end"

[ "$failed" -eq 0 ]
