#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvctl run, the small VMM: a guest payload greets over its serial port and
# halts; a guest reading outside its memory is reported as such; bad
# arguments and missing files give one clear line and the documented exit
# status. Needs partvisor loaded (launched) and child VPs that run.

guests=${PV_GUESTS:-$(dirname "$0")/../guests}
hello=$guests/hello.bin
out=/tmp/pvctl_run.out err=/tmp/pvctl_run.err

if [ ! -r "$hello" ]; then
	echo "1..0 # SKIP no guest payloads in $guests"
	exit 4
fi
pvctl run "$hello" > $out 2> $err
rc=$?
if [ $rc -eq 1 ] && grep -q "EOPNOTSUPP\|not supported" $err; then
	echo "1..0 # SKIP child VPs do not run on this backend yet"
	exit 4
fi

echo "TAP version 13"
echo "1..5"
n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else
		echo "not ok $n $2"; failed=$((failed + 1)); fi
}

sed 's/^/# out: /' $out
sed 's/^/# err: /' $err
[ $rc -eq 0 ] &&
	grep -q "Hello from a partvisor child partition. The hypervisor says: PartVisor Hv" $out &&
	grep -q "VP 0 halted" $err
check $? "hello.bin greets with partvisor's CPUID vendor and halts (exit $rc)"

# mov ax, 0xffff; mov ds, ax; mov al, [0x10]: the first byte past 1 MiB.
printf '\270\377\377\216\330\240\020\000\364' > /tmp/pvctl_mmio.bin
pvctl run --mem 1 /tmp/pvctl_mmio.bin > $out 2> $err
rc=$?
sed 's/^/# err: /' $err
[ $rc -eq 4 ] && grep -q "read unmapped address 0x100000" $err
check $? "a read past guest memory: exit 4 and the address (exit $rc)"

pvctl run /nonexistent.bin > $out 2> $err
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < $err)" -eq 1 ]
check $? "a missing image: exit 1 and one line (exit $rc: $(cat $err))"

pvctl run --mode sideways "$hello" > $out 2> $err
rc=$?
[ $rc -eq 2 ] && grep -q "usage: pvctl run" $err
check $? "a bad option: exit 2 and the usage (exit $rc)"

pvctl run --help > $out 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q -- "--mode MODE" $out
check $? "pvctl run --help"

rm -f $out $err /tmp/pvctl_mmio.bin
[ "$failed" -eq 0 ]
