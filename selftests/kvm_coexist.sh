#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# partvisor and KVM take turns: partvisor refuses to launch while kvm_amd
# is loaded and KVM keeps working; while partvisor is launched, kvm_amd
# refuses to load; after partvisor is gone, KVM works again. Needs the KVM
# modules in $PV_ROOT/kmod (pv-vm --kvm). Leaves both unloaded.

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
. "$(dirname "$0")/pv_lib.sh"
n=0 failed=0

if ! grep -qw svm /proc/cpuinfo || grep -qw vmx /proc/cpuinfo; then
	echo "1..0 # SKIP late launch is AMD-V only so far"
	exit 4
fi
if [ ! -e "$pv_kmod/kvm-amd.ko" ]; then
	echo "1..0 # SKIP no KVM modules in $pv_kmod (pv-vm --kvm)"
	exit 4
fi

[ -e /sys/module/partvisor ] && rmmod partvisor
echo "TAP version 13"
echo "1..7"

load_kvm && kvm_smoke
check $? "kvm_amd loads and runs a guest"

insmod "$PV_MODULE" launch=1 2>/dev/null
[ $? -ne 0 ] && [ ! -e /sys/module/partvisor ]
check $? "partvisor refuses to launch while kvm_amd is loaded"
dmesg | grep -q 'partvisor: kvm_amd is loaded'
check $? "dmesg names kvm_amd as the reason"

kvm_smoke
check $? "KVM still runs a guest after the refusal"

unload_kvm
insmod "$PV_MODULE" launch=1
check $? "partvisor launches once KVM is unloaded"

load_kvm
[ ! -e /sys/module/kvm_amd ]
check $? "kvm_amd refuses to load while partvisor is launched"

rmmod partvisor
load_kvm && kvm_smoke
check $? "after rmmod partvisor, kvm_amd loads and runs a guest again"
unload_kvm
[ "$failed" -eq 0 ]
