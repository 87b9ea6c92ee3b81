#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pvctl run, the small VMM, and pvctl's command line: a flat real-mode
# payload and the runtime's ELF demo on one, two and four VPs (timer and
# IPIs); the other hypervisors' instructions raise #UD in a child; a crash
# on one VP stops the others; pvctl stats shows the VP counters; --help for
# every command; bad arguments give one line and status 2; missing or bad
# images one line and status 1; scheduler policy through 'pvctl run' and
# 'pvctl sched' (accepted under sched=classic, one clear line under the
# root scheduler); pvctl stats over an interval. Needs partvisor loaded (launched) and child VPs that
# run.

guests=${PV_GUESTS:-$(dirname "$0")/../guests}
hello=$guests/hello.bin
demo=$guests/demo.elf
privileged=$guests/privileged.elf
msrs=$guests/msrs.elf
out=/tmp/pvctl_run.out err=/tmp/pvctl_run.err
tmp=/tmp/pvctl_run.bin

if [ ! -r "$hello" ] || [ ! -r "$demo" ] || [ ! -r "$privileged" ] ||
   [ ! -r "$msrs" ]; then
	echo "1..0 # SKIP no guest payloads in $guests"
	exit 4
fi
pvctl run "$hello" > $out 2> $err
rc=$?
if [ $rc -eq 1 ] && grep -q "EOPNOTSUPP\|not supported" $err; then
	echo "1..0 # SKIP child VPs do not run on this backend yet"
	exit 4
fi

. "$(dirname "$0")/pv_lib.sh"
echo "TAP version 13"
echo "1..19"
n=0 failed=0
show() {
	sed 's/^/# out: /' $out
	sed 's/^/# err: /' $err
}

show
[ $rc -eq 0 ] &&
	grep -q "Hello from a partvisor child partition. The hypervisor says: PartVisor Hv" $out &&
	grep -q "VP 0 halted" $err
check $? "hello.bin greets with partvisor's CPUID vendor and halts (exit $rc)"

# mov ax, 0xffff; mov ds, ax; mov al, [0x10]: the first byte past 1 MiB.
printf '\270\377\377\216\330\240\020\000\364' > $tmp
pvctl run --mem 1 $tmp > $out 2> $err
rc=$?
show
[ $rc -eq 4 ] && grep -q "read unmapped address 0x100000" $err
check $? "a read past guest memory: exit 4 and the address (exit $rc)"

pvctl run --mode long "$demo" > $out 2> $err
rc=$?
show
[ $rc -eq 0 ] && grep -q "^VP 0 of 1: hello from the partvisor guest runtime" $out &&
	grep -q "hypervisor \"PartVisor Hv\"" $out && grep -q "VP 0 halted" $err
check $? "the runtime's ELF demo in long mode on one VP (exit $rc)"

pvctl run --mode long --vps 2 --stats "$demo" > $out 2> $err
rc=$?
show
[ $rc -eq 0 ] && [ "$(grep -c '^VP [01] of 2' $out)" -eq 2 ] &&
	grep -A2 "^VP 0 of 2" $out | grep -q "^VP 0: woken from HLT by its timer" &&
	grep -A2 "^VP 0 of 2" $out | grep -q "^VP 1 of 2: woken by VP 0's IPI" &&
	grep -q "all 2 VPs halted" $err
check $? "two VPs: VP 0's timer wakes it, its IPI wakes VP 1, both halt (exit $rc)"

grep -q "^partition [0-9]*: 2 VPs" $out &&
	grep -q "^  VP 1: [1-9][0-9]* dispatches" $out &&
	grep -q "^    io  *[1-9]" $out && grep -q "^    hlt  *[1-9]" $out &&
	grep -q "^    hypercall  *[1-9]" $out
check $? "run --stats: the partition's and each VP's counters"

pvctl run --mode long --vps 4 "$demo" > $out 2> $err
rc=$?
show
[ $rc -eq 0 ] && [ "$(sed -n 's/^VP \([0-9]\) of 4.*/\1/p' $out | tr -d '\n')" = 0123 ] &&
	grep -q "all 4 VPs halted" $err
check $? "four VPs greet in turn (exit $rc)"

# Long mode: VP 0 spins (jmp .), VP 1 executes ud2 without an IDT.
if pv_bochs_amd; then
	skip "a triple fault on VP 1 stops the spinning VP 0" \
		"a triple fault stops Bochs AMD-V itself"
else
	printf '\110\205\377\165\002\353\376\017\013' > $tmp
	pvctl run --mode long --vps 2 $tmp > $out 2> $err
	rc=$?
	show
	[ $rc -eq 3 ] && grep -q "VP 1 triple-faulted" $err &&
		[ "$(wc -l < $err)" -eq 1 ]
	check $? "a triple fault on VP 1 stops the spinning VP 0: exit 3, one line (exit $rc)"
fi

# 19 VT-x and AMD-V instructions and the other vendor's hypercall.
pvctl run --mode long "$privileged" > $out 2> $err
rc=$?
show
[ $rc -eq 0 ] && grep -q "^privileged: PASS" $out
check $? "virtualization instructions in a child: #UD, only the hypercall works (exit $rc)"

# EFER, SYSCALL/SYSENTER, FS/GS bases, PAT and TSC in the hypervisor.
pvctl run --mode long "$msrs" > $out 2> $err
rc=$?
show
[ $rc -eq 0 ] && grep -q "^msrs: PASS" $out
check $? "a child's architectural MSRs, SYSCALL/SYSRET and SWAPGS (exit $rc)"

pvctl stats > $out 2> $err
rc=$?
show
[ $rc -eq 0 ] && grep -q "^partition 0 (root): [1-9]" $out &&
	grep -q "^  VP 0: " $out && grep -q "^LPs:" $out &&
	grep -q "^  interrupts_timer  *[1-9]" $out
check $? "pvctl stats: the root partition, its VPs and the LPs' counters (exit $rc)"

pvctl run /nonexistent.bin > $out 2> $err
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < $err)" -eq 1 ]
check $? "a missing image: exit 1 and one line (exit $rc: $(cat $err))"

printf '\177ELF\002\001\001' > $tmp
pvctl run $tmp > $out 2> $err
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < $err)" -eq 1 ] && grep -q "not a little-endian x86 ELF" $err
check $? "a truncated ELF image: exit 1 and one line (exit $rc: $(cat $err))"

ok=0
for verb in info list run stats sched; do
	pvctl $verb --help > $out 2>&1 || ok=1
	grep -q "^usage: pvctl $verb" $out || ok=1
done
pvctl run --help | grep -q -- "--vps N" || ok=1
check $ok "--help for every command"

ok=0
for args in "" "frobnicate" "info extra" "list extra" "stats x" "stats 1 2" \
	    "run" "run --mode sideways $hello" "run --vps 65 $demo" \
	    "run --vps 0 $demo" "run --mem x $hello" "run --bogus $hello" \
	    "run --mode" "run $hello $hello" "run --load 0x2000 $demo" \
	    "sched" "sched frob 1" "sched set" "sched set x" \
	    "sched set 1 --weight 0" "sched set 1 --weight 10001" \
	    "sched set 1 --reserve 101" "sched set 1 --limit 0" \
	    "sched set 1 --reserve 60 --limit 50" "sched set 1 --slice-us 999" \
	    "sched set 1 --affinity 3-1" "run --weight 0 $hello"; do
	# shellcheck disable=SC2086
	pvctl $args > $out 2> $err
	rc=$?
	if [ $rc -ne 2 ] || [ "$(wc -l < $err)" -ne 1 ]; then
		echo "# 'pvctl $args': exit $rc: $(cat $err)"
		ok=1
	fi
done
check $ok "bad arguments: one line and exit 2"

pvctl stats 999999 > $out 2> $err
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < $err)" -eq 1 ]
check $? "pvctl stats of a partition that does not exist: exit 1, one line (exit $rc)"

pvctl run --mode sideways "$hello" > $out 2> $err
grep -q "^pvctl run: --mode must be real, protected or long" $err
check $? "a bad option names the problem"

# Scheduler policy: applied by the classic scheduler, refused by the root's.
classic=0
pvctl info | grep -q "scheduler: *classic" && classic=1
pvctl run --weight 300 --limit 50 "$hello" > $out 2> $err
rc=$?
show
if [ $classic -eq 1 ]; then
	[ $rc -eq 0 ] && grep -q "VP 0 halted" $err
else
	[ $rc -eq 1 ] && [ "$(wc -l < $err)" -eq 1 ] &&
		grep -q "sched=classic" $err
fi
check $? "pvctl run --weight 300 --limit 50 (classic $classic, exit $rc)"

if [ $classic -eq 1 ]; then
	pvctl run --reserve 100 "$hello" > $out 2> $err
	rc=$?
	show
	[ $rc -eq 1 ] && [ "$(wc -l < $err)" -eq 1 ] &&
		grep -q "the root keeps root_floor=" $err
	check $? "pvctl run --reserve 100: one line naming the root's floor (exit $rc)"
else
	skip "pvctl run --reserve 100 names the root's floor" "root scheduler"
fi

# A VP spinning in a partition pvctl run made: 'sti; jmp $'. With IF
# clear, Bochs 2.7's AMD-V masks physical interrupts by the child's IF
# despite V_INTR_MASKING, and the spinning child keeps the CPU for good.
printf '\373\353\376' > $tmp
pvctl run $tmp > /dev/null 2>&1 &
vmm=$!
id=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	id=$(pvctl list 2>/dev/null | awk -v p=$vmm '$5 == p { print $1 }')
	[ -n "$id" ] && break
	sleep 0.2
done
pvctl sched set "$id" --weight 300 --affinity 0 > $out 2> $err
rc=$?
pvctl sched get "$id" >> $out 2>> $err
show
if [ $classic -eq 1 ]; then
	[ $rc -eq 0 ] && grep -q "^weight: 300" $out &&
		grep -q "^affinity: 0$" $out
else
	[ $rc -eq 1 ] && grep -q "sched=classic" $err &&
		grep -q "^weight: 100" $out
fi
check $? "pvctl sched set/get on a running partition ($id, classic $classic, exit $rc)"

pvctl stats --interval 0.5 "$id" > $out 2> $err
rc=$?
show
[ $rc -eq 0 ] && grep -Eq "^during the last (0\.[5-9]|[1-9][0-9.]*) s" $out &&
	grep -q "dispatches/s" $out &&
	{ [ $classic -eq 0 ] || grep -q "% of an LP" $out; }
check $? "pvctl stats --interval: what a running VP did in 0.5 s (exit $rc)"
kill $vmm 2>/dev/null
wait $vmm 2>/dev/null

rm -f $out $err $tmp
[ "$failed" -eq 0 ]
