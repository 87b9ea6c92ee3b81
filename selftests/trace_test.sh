#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# partvisor's tracepoints (Documentation/tracing.rst): every event is in
# tracefs; with them enabled, pvctl runs hello.bin and the trace has the
# partition's creation by pvctl, its VP's entries and exits with CPUID
# among the reasons, as many CPUID exits as the VP's intercepts_cpuid counter
# (printed by 'pvctl run --stats' before the partition goes away), and
# its destruction; the runtime's demo on two VPs gives one hypercall
# event per hypercall exit and interrupt injections; under sched=classic
# the dispatch threads trace dispatches and VP switches. Module BTF, which
# tp_btf programs need, is in /sys/kernel/btf/partvisor.

guests=${PV_GUESTS:-$(dirname "$0")/../guests}
hello=$guests/hello.bin
demo=$guests/demo.elf
tr=/sys/kernel/tracing
out=/tmp/trace_test.out err=/tmp/trace_test.err log=/tmp/trace_test.trace

if [ ! -r "$hello" ] || [ ! -r "$demo" ]; then
	echo "1..0 # SKIP no guest payloads in $guests"
	exit 4
fi
[ -e $tr/trace ] || mount -t tracefs tracefs $tr 2>/dev/null
if [ ! -e $tr/trace ]; then
	echo "1..0 # SKIP no tracefs at $tr"
	exit 4
fi

. "$(dirname "$0")/pv_lib.sh"
echo "TAP version 13"
echo "1..10"
n=0 failed=0

ok=0
for ev in vp_entry vp_exit hypercall inject dispatch vp_switch \
	  partition_create partition_destroy; do
	if [ ! -e $tr/events/partvisor/$ev/format ]; then
		echo "# no $tr/events/partvisor/$ev"
		ok=1
	fi
done
check $ok "the partvisor system's eight events are in tracefs"

# trace_run ARGS...: pvctl run ARGS with every partvisor event on; sets
# rc, pid (pvctl's) and id (the partition's, from --stats).
trace_run() {
	echo 0 > $tr/tracing_on
	echo > $tr/trace
	echo 1 > $tr/events/partvisor/enable
	echo 1 > $tr/tracing_on
	pvctl run --stats "$@" > $out 2> $err &
	pid=$!
	wait $pid
	rc=$?
	echo 0 > $tr/tracing_on
	echo 0 > $tr/events/partvisor/enable
	cat $tr/trace > $log
	id=$(sed -n 's/^partition \([0-9]*\): .*/\1/p' $out)
	sed 's/^/# err: /' $err
	echo "# pvctl run $*: exit $rc, pid $pid, partition ${id:-?}," \
	     "$(grep -c ' partvisor\| vp_\| partition_' $log) events"
}

# count EVENT PATTERN: lines of EVENT in the trace that match PATTERN.
count() {
	grep " $1: " $log | grep -c -- "$2"
}

# The sum of a counter over the VPs in 'pvctl run --stats' (its row).
stat_sum() {
	awk -v k="$1" '$1 == k && $2 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }' $out
}

saved_size=$(sed "s/ .*//" $tr/buffer_size_kb)
echo 4096 > $tr/buffer_size_kb

trace_run "$hello"
[ $rc -eq 0 ] && [ -n "$id" ] &&
	[ "$(count partition_create "part=$id owner=$pid\$")" -eq 1 ]
check $? "partition_create: partition $id by pvctl (pid $pid)"

entries=$(count vp_entry "part=$id vp=0\$")
exits=$(count vp_exit "part=$id vp=0 ")
echo "# VP 0: $entries entries, $exits exits"
[ "$entries" -gt 0 ] && [ "$exits" -gt 0 ] && [ "$entries" -ge "$exits" ]
check $? "vp_entry and vp_exit for VP 0 ($entries entries, $exits exits)"

cpuid=$(count vp_exit "part=$id vp=0 reason=cpuid ")
counted=$(stat_sum cpuid)
echo "# CPUID exits: $cpuid traced, $counted counted"
[ "$cpuid" -gt 0 ] && [ "$cpuid" -eq "$counted" ]
check $? "vp_exit reason=cpuid as often as intercepts_cpuid counts ($cpuid, $counted)"

[ "$(count partition_destroy "part=$id owner=$pid vps=1 ")" -eq 1 ]
check $? "partition_destroy: partition $id, one VP"

trace_run --mode long --vps 2 "$demo"
hcalls=$(count hypercall "part=$id ")
counted=$(stat_sum hypercall)
echo "# hypercalls: $hcalls traced, $counted counted"
[ $rc -eq 0 ] && [ "$hcalls" -gt 0 ] && [ "$hcalls" -eq "$counted" ]
check $? "hypercall once per hypercall exit on two VPs ($hcalls, $counted)"

[ "$(count hypercall "part=$id .* status=0x0 ")" -gt 0 ]
check $? "hypercall: successful calls have status 0"

[ "$(count inject "part=$id vp=[01] vector=0x[0-9a-f]* kind=irq")" -gt 0 ]
check $? "inject: the timer's and the IPI's vectors"

if pvctl info | grep -q "scheduler: *classic"; then
	d=$(count dispatch "part=$id vp=[01] wait_ns=[0-9]")
	s=$(count vp_switch "==> next_part=$id next_vp=[01]\$")
	echo "# classic: $d dispatches, $s switches"
	[ "$d" -gt 0 ] && [ "$s" -gt 0 ] && [ "$s" -le "$d" ]
	check $? "classic: dispatch and vp_switch ($d, $s)"
else
	[ "$(count dispatch .)" -eq 0 ] && [ "$(count vp_switch .)" -eq 0 ]
	check $? "root scheduler: no dispatch or vp_switch events"
fi

if [ ! -e /sys/kernel/btf/vmlinux ]; then
	skip "module BTF in /sys/kernel/btf/partvisor" \
		"the kernel has no BTF (/sys/kernel/btf/vmlinux)"
else
	[ -s /sys/kernel/btf/partvisor ]
	check $? "module BTF in /sys/kernel/btf/partvisor (for tp_btf)"
fi

echo "$saved_size" > $tr/buffer_size_kb
echo > $tr/trace
rm -f $out $err $log
[ "$failed" -eq 0 ]
