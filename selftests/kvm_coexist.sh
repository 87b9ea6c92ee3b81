#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# partvisor and KVM take turns: partvisor refuses to launch while kvm_amd
# is loaded and KVM keeps working; while partvisor is launched, kvm_amd
# refuses to load; after partvisor is gone, KVM works again. Needs the KVM
# modules in $PV_ROOT/kmod (pv-vm --kvm). Leaves both unloaded.

kmod=${PV_ROOT:-/pv}/kmod
: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"

if ! grep -qw svm /proc/cpuinfo || grep -qw vmx /proc/cpuinfo; then
	echo "1..0 # SKIP late launch is AMD-V only so far"
	exit 4
fi
if [ ! -e "$kmod/kvm-amd.ko" ]; then
	echo "1..0 # SKIP no KVM modules in $kmod (pv-vm --kvm)"
	exit 4
fi

load_kvm() {
	for m in irqbypass ccp kvm kvm-amd; do
		[ -e "$kmod/$m.ko" ] || continue
		insmod "$kmod/$m.ko" 2>/dev/null || [ "$m" != kvm-amd ] || return 1
	done
}
unload_kvm() {
	rmmod kvm_amd kvm 2>/dev/null
	return 0
}

n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else
		echo "not ok $n $2"; failed=$((failed + 1)); fi
}

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
