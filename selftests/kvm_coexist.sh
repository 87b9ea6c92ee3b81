#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# partvisor and KVM take turns: partvisor refuses to launch while the
# vendor's KVM module (kvm_amd or kvm_intel) is loaded and KVM keeps
# working; while partvisor is launched, that module refuses to load; after
# partvisor is gone, KVM works again. Needs the KVM modules in
# $PV_ROOT/kmod (pv-vm --kvm). Leaves both unloaded.
#
# PV_KVM_NO_RUN=1: KVM's guests are set up but not run, where running
# them is not dependable (KVM under QEMU's emulated AMD-V).

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
. "$(dirname "$0")/pv_lib.sh"
n=0 failed=0

if ! grep -qw -e svm -e vmx /proc/cpuinfo; then
	echo "1..0 # SKIP neither AMD-V nor VT-x"
	exit 4
fi
if [ ! -e "$pv_kmod/$pv_kvm.ko" ]; then
	echo "1..0 # SKIP no KVM modules in $pv_kmod (pv-vm --kvm)"
	exit 4
fi

[ -e /sys/module/partvisor ] && rmmod partvisor
if [ -n "${PV_KVM_NO_RUN:-}" ]; then
	smoke="kvm_smoke --no-run" runs="sets up"
else
	smoke=kvm_smoke runs="runs"
fi
echo "TAP version 13"
echo "1..7"

load_kvm && $smoke
check $? "$pv_kvm_mod loads and $runs a guest"

insmod "$PV_MODULE" launch=1 2>/dev/null
[ $? -ne 0 ] && [ ! -e /sys/module/partvisor ]
check $? "partvisor refuses to launch while $pv_kvm_mod is loaded"
dmesg | grep -q "partvisor: $pv_kvm_mod is loaded"
check $? "dmesg names $pv_kvm_mod as the reason"

$smoke
check $? "KVM still $runs a guest after the refusal"

unload_kvm
insmod "$PV_MODULE" launch=1
check $? "partvisor launches once KVM is unloaded"

load_kvm
[ ! -e "/sys/module/$pv_kvm_mod" ]
check $? "$pv_kvm_mod refuses to load while partvisor is launched"

rmmod partvisor
load_kvm && $smoke
check $? "after rmmod partvisor, $pv_kvm_mod loads and $runs a guest again"
unload_kvm
[ "$failed" -eq 0 ]
