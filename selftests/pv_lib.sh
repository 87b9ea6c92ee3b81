# SPDX-License-Identifier: GPL-2.0
#
# Shared by the shell selftests (sourced, not run): TAP result lines and
# KVM module handling. Callers set n=0 failed=0 before the first check.

# check STATUS DESCRIPTION: one TAP line; a non-zero STATUS fails it.
check() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

# skip DESCRIPTION REASON
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# Bochs 2.7's AMD-V stops the whole emulator at a guest's triple fault
# instead of reporting a SHUTDOWN exit: tests skip their triple faults there.
pv_bochs_amd() {
	grep -q AuthenticAMD /proc/cpuinfo &&
		grep -qs Bochs /sys/class/dmi/id/bios_version
}

# KVM's modules as pv-vm --kvm provides them in $PV_ROOT/kmod.
pv_kmod=${PV_ROOT:-/pv}/kmod

# The vendor's KVM module, as a file name and as a loaded module's name.
if grep -q GenuineIntel /proc/cpuinfo; then
	pv_kvm=kvm-intel pv_kvm_mod=kvm_intel
else
	pv_kvm=kvm-amd pv_kvm_mod=kvm_amd
fi

load_kvm() {
	for m in irqbypass ccp kvm "$pv_kvm"; do
		[ -e "$pv_kmod/$m.ko" ] || continue
		insmod "$pv_kmod/$m.ko" 2>/dev/null || [ "$m" != "$pv_kvm" ] ||
			return 1
	done
}

unload_kvm() {
	rmmod "$pv_kvm_mod" kvm 2>/dev/null
	return 0
}
