#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# partvisor's BPF tools (Documentation/tools/): each one runs while
# pvctl runs a guest with --stats, is stopped with SIGINT, and its counts
# must equal the counters 'pvctl run --stats' printed for the partition:
# pvexit's CPUID and total exits (tp_btf where the module has BTF, and
# raw_tp with --raw-tp), its filters and histograms; pvhcall's
# hypercalls; pvsched's dispatches and waits under sched=classic (and
# its message under the root scheduler); pvtop's exits and hypercalls in
# CSV and JSON, its count of intervals and its q key on a terminal;
# pvexit's and pvhcall's counts of counters_test's known intercepts and
# hypercalls.

here=$(dirname "$0")
guests=${PV_GUESTS:-$here/../guests}
hello=$guests/hello.bin
demo=$guests/demo.elf
PATH=$here/../tools/bpf:$here:$PATH
out=/tmp/bpf_tools.out err=/tmp/bpf_tools.err stats=/tmp/bpf_tools.stats

if [ ! -r "$hello" ] || [ ! -r "$demo" ]; then
	echo "1..0 # SKIP no guest payloads in $guests"
	exit 4
fi
for t in pvexit pvhcall pvsched pvtop; do
	if ! command -v $t > /dev/null; then
		echo "1..0 # SKIP $t not built (make tools)"
		exit 4
	fi
done

. "$here/pv_lib.sh"

# start_tool TOOL ARGS...: run it in the background and wait until it has
# attached ("Tracing ..." on stderr); sets tpid. Fails if it ended first.
start_tool() {
	"$@" > $out 2> $err &
	tpid=$!
	i=0
	while ! grep -q '^Tracing ' $err; do
		if ! kill -0 $tpid 2>/dev/null || [ $i -ge 300 ]; then
			kill -INT $tpid 2>/dev/null
			wait $tpid
			sed 's/^/# err: /' $err
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# stop_tool: SIGINT, as Ctrl-C would; the tool prints its final report.
stop_tool() {
	kill -INT $tpid
	wait $tpid
	trc=$?
	grep -v '^Tracing ' $err | sed 's/^/# err: /'
	return $trc
}

# guest ARGS...: pvctl run --stats ARGS; sets id (the partition's).
guest() {
	pvctl run --stats "$@" > $stats 2>/dev/null
	grc=$?
	id=$(sed -n 's/^partition \([0-9]*\): .*/\1/p' $stats)
	echo "# pvctl run $*: exit $grc, partition ${id:-?}"
}

# stat_exits [KIND] [VP]: 'pvctl run --stats' exits of KIND (all kinds
# when empty) on VP (all VPs when empty).
stat_exits() {
	awk -v k="$1" -v want="$2" '
		$1 == "VP" { vp = $2; sub(":", "", vp); tbl = 0; next }
		($1 == "INTERCEPT" || $1 == "EXIT") && $2 == "COUNT" { tbl = 1; next }
		tbl && $2 ~ /^[0-9]+$/ {
			if ((k == "" || $1 == k) && (want == "" || want == vp))
				s += $2
			next
		}
		{ tbl = 0 }
		END { print s + 0 }' $stats
}

# stat_dispatches: the classic scheduler's dispatches over the VPs.
stat_dispatches() {
	awk '/scheduler:/ { for (i = 2; i <= NF; i++)
			if ($i ~ /^dispatches/) s += $(i - 1) }
	     END { print s + 0 }' $stats
}

# col NAME: the sum of column 2 of the tool's rows named NAME.
col() {
	awk -v k="$1" '$1 == k { s += $2 } END { print s + 0 }' $out
}

echo "TAP version 13"
echo "1..18"
n=0 failed=0

# BPF itself may be missing (a kernel without it, or locked down): the
# only reason to skip.
if ! start_tool pvexit --verbose; then
	if grep -q 'BPF not permitted\|Function not implemented' $err; then
		echo "# BPF is not available here"
		exit 4
	fi
	check 1 "pvexit attaches"
	exit 1
fi
guest "$hello"
stop_tool
rc=$?
cpuid=$(col cpuid) total=$(col TOTAL)
want_cpuid=$(stat_exits cpuid) want_total=$(stat_exits)
echo "# pvexit: cpuid $cpuid, total $total; pvctl: cpuid $want_cpuid, total $want_total"
[ $rc -eq 0 ] && [ $grc -eq 0 ] && [ "$cpuid" -gt 0 ] &&
	[ "$cpuid" -eq "$want_cpuid" ] && [ "$total" -eq "$want_total" ]
check $? "pvexit counts hello.bin's exits as pvctl does ($cpuid cpuid, $total in all)"

if [ -s /sys/kernel/btf/partvisor ]; then
	grep -q 'attached with tp_btf' $err
	check $? "pvexit attaches tp_btf programs with the module's BTF"
else
	grep -q 'attached with raw_tp' $err
	check $? "pvexit falls back to raw_tp without the module's BTF"
fi

start_tool pvexit --raw-tp --verbose && guest "$hello" && stop_tool
rc=$?
cpuid=$(col cpuid) total=$(col TOTAL)
want_cpuid=$(stat_exits cpuid) want_total=$(stat_exits)
echo "# pvexit --raw-tp: cpuid $cpuid, total $total; pvctl: cpuid $want_cpuid, total $want_total"
[ $rc -eq 0 ] && grep -q 'attached with raw_tp' $err &&
	[ "$cpuid" -gt 0 ] && [ "$cpuid" -eq "$want_cpuid" ] &&
	[ "$total" -eq "$want_total" ]
check $? "pvexit --raw-tp: raw_tp programs, the same counts ($cpuid, $total)"

start_tool pvexit -H && guest "$hello" && stop_tool
rc=$?
h=$(sed -n 's/^reason = cpuid: \([0-9]*\) exits.*/\1/p' $out)
[ $rc -eq 0 ] && [ "${h:-0}" -eq "$(stat_exits cpuid)" ] &&
	grep -q '^ *[0-9]* -> [0-9]* *: [0-9]* *|\*' $out
check $? "pvexit -H: a histogram per reason (cpuid: ${h:-none})"

# Partition ids start at 1 and are never reused while the module is
# loaded: 4294967295 is no partition of this test.
start_tool pvexit -p 4294967295 && guest "$hello" && stop_tool
rc=$?
[ $rc -eq 0 ] && [ $grc -eq 0 ] && [ "$(col TOTAL)" -eq 0 ]
check $? "pvexit -p: another partition's exits are not counted"

start_tool pvexit -v 1 && guest --mode long --vps 2 "$demo" && stop_tool
rc=$?
total=$(col TOTAL) want=$(stat_exits "" 1)
echo "# pvexit -v 1: $total exits; pvctl: VP 1 $want, all $(stat_exits)"
[ $rc -eq 0 ] && [ "$total" -gt 0 ] && [ "$total" -eq "$want" ]
check $? "pvexit -v 1: VP 1's exits only ($total)"

start_tool pvhcall -t && guest --mode long --vps 2 "$demo" && stop_tool
rc=$?
calls=$(col TOTAL) want=$(stat_exits hypercall)
echo "# pvhcall: $calls hypercalls; pvctl: $want"
[ $rc -eq 0 ] && [ "$calls" -gt 0 ] && [ "$calls" -eq "$want" ] &&
	awk '$3 == "0x0000" { ok = 1 } END { exit !ok }' $out
check $? "pvhcall counts the demo's hypercalls as pvctl does ($calls)"

start_tool pvhcall --raw-tp --verbose && guest --mode long --vps 2 "$demo" &&
	stop_tool
rc=$?
calls=$(sed -n 's/.*: \([0-9]*\) calls .*/\1/p' $out | awk '{ s += $1 } END { print s + 0 }')
want=$(stat_exits hypercall)
[ $rc -eq 0 ] && grep -q 'attached with raw_tp' $err &&
	[ "$calls" -eq "$want" ] && grep -q '^ *[0-9]* -> [0-9]* *: ' $out
check $? "pvhcall --raw-tp: histograms, the same count ($calls)"

# counters_test's guest makes a known number of each intercept type and
# hypercall (Documentation/counters.rst) and says how many on a "made:"
# line; its own checks hold them against debugfs and the binary stats
# fds, these against the tools.
made() {
	sed -n 's/^# made: //p' /tmp/bpf_counters.out | tr ' ' '\n' |
		sed -n "s/^$1=//p"
}
start_tool pvexit && counters_test > /tmp/bpf_counters.out 2>&1
crc=$?
stop_tool
rc=$?
bad=0
for k in cpuid io msr_read msr_write npf hypercall virt_insn hlt; do
	got=$(col $k) want=$(made $k)
	[ -n "$want" ] && [ "$got" -eq "$want" ] || {
		echo "# pvexit: $k $got, counters_test made ${want:-?}"
		bad=$((bad + 1)); }
done
# Each IPI takes an interrupt window unless a physical interrupt ends the
# run first.
iw=$(col intr_window) ext=$(col extint) ipis=$(made ipis)
[ -n "$ipis" ] && [ "$iw" -le "$ipis" ] && [ $((iw + ext)) -ge "$ipis" ] || {
	echo "# pvexit: intr_window $iw, extint $ext for ${ipis:-?} IPIs"
	bad=$((bad + 1)); }
[ $crc -eq 0 ] && [ $rc -eq 0 ] && [ $bad -eq 0 ]
check $? "pvexit counts counters_test's intercepts of each type exactly (exit $crc, $bad wrong)"

start_tool pvhcall -t && counters_test > /tmp/bpf_counters.out 2>&1
crc=$?
stop_tool
rc=$?
spin=$(awk '$1 == "0x0008" { s += $4 } END { print s + 0 }' $out)
ipi=$(awk '$1 == "0x000b" { s += $4 } END { print s + 0 }' $out)
want_spin=$(made hc_0x0008) want_ipi=$(made hc_0x000b)
[ $crc -eq 0 ] && [ $rc -eq 0 ] && [ -n "$want_spin" ] &&
	[ -n "$want_ipi" ] && [ "$spin" -eq "$want_spin" ] &&
	[ "$ipi" -eq "$want_ipi" ]
check $? "pvhcall counts counters_test's hypercalls by code: $spin of ${want_spin:-?} spin waits, $ipi of ${want_ipi:-?} IPIs"
# Call names come from the module's hypercall table, not from the tool.
table=/sys/kernel/debug/partvisor/hypercalls
bad=$(awk 'NR == FNR { name[$1] = $2; next }
	   $1 ~ /^0x/ && name[$1] != $2 { print $1 "=" $2 }' $table $out)
[ -n "$(awk '$1 == "0x000b" && $2 == "send_ipi"' $table)" ] &&
	[ "$ipi" -gt 0 ] && [ -z "$bad" ]
check $? "pvhcall names each code as the module's table does (${bad:-all match})"

if pvctl info | grep -q "scheduler: *classic"; then
	start_tool pvsched -t && guest --mode long --vps 2 "$demo" && stop_tool
	rc=$?
	d=$(col TOTAL) want=$(stat_dispatches)
	# Waits: pvsched's us against pvctl's ms, each VP's rounded to 1 us.
	w=$(awk -v id="$id" '$1 == id { s += $5 } END { printf "%.3f", s / 1000 }' $out)
	want_w=$(awk '/scheduler:/ { for (i = 2; i <= NF; i++)
			if ($i == "waiting,") s += $(i - 2) }
		END { printf "%.3f", s }' $stats)
	echo "# pvsched: $d dispatches, $w ms waiting; pvctl: $want, $want_w ms"
	[ $rc -eq 0 ] && [ "$d" -gt 0 ] && [ "$d" -eq "$want" ] &&
		awk -v a="$w" -v b="$want_w" 'BEGIN { d = a - b
			exit !(d <= 0.003 && d >= -0.003) }'
	check $? "pvsched counts dispatches and waits as pvctl does ($d)"

	start_tool pvsched --raw-tp --verbose && guest --mode long --vps 2 "$demo" &&
		stop_tool
	rc=$?
	[ $rc -eq 0 ] && grep -q 'attached with raw_tp' $err &&
		grep -q "^partition $id vp [01]: [1-9][0-9]* dispatches" $out
	check $? "pvsched --raw-tp: wait histograms per VP"
else
	pvsched > $out 2> $err
	rc=$?
	sed 's/^/# err: /' $err
	[ $rc -eq 0 ] && grep -q 'root scheduler' $err && [ ! -s $out ]
	check $? "pvsched under the root scheduler: says so, shows nothing"
	skip "pvsched counts dispatches" "no dispatches under the root scheduler"
fi

start_tool pvtop -b --csv 1 && guest --mode long --vps 2 "$demo" && stop_tool
rc=$?
set -- $(awk -F, -v id="$id" '$3 == id { e += $6; h += $7; i += $8 }
	END { print e + 0, h + 0, i + 0 }' $out)
echo "# pvtop: partition $id: $1 exits, $2 hypercalls, $3 injections;" \
     "pvctl: $(stat_exits) exits, $(stat_exits hypercall) hypercalls"
[ $rc -eq 0 ] && head -n 1 $out | grep -q '^time,seconds,part,vp,run_pct,' &&
	[ "$1" -gt 0 ] && [ "$1" -eq "$(stat_exits)" ] &&
	[ "$2" -eq "$(stat_exits hypercall)" ] && [ "$3" -gt 0 ]
check $? "pvtop --csv: the partition's exits and hypercalls as pvctl counts them"

start_tool pvtop --json --raw-tp 1 && guest --mode long --vps 2 "$demo" &&
	stop_tool
rc=$?
# Intervals without activity have an empty list.
[ $rc -eq 0 ] && grep -q "^{\"time\":.*{\"part\":$id,\"vp\":1,\"run_pct\":" $out &&
	! grep -qv '^{"time":"[0-9:]*","seconds":[0-9.]*,"vps":\[.*\]}$' $out
check $? "pvtop --json --raw-tp: one object per interval with the VPs"

pvtop -b 1 2 > $out 2> $err
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^pvtop - ' $out)" -eq 2 ]
check $? "pvtop -b 1 2: two intervals, then it ends by itself"

# On a terminal: q after the first view ends it, and the terminal's modes
# are as they were before.
pty_keys 'pvtop - ' q pvtop 1 > $out 2>&1
rc=$?
sed 's/^/# pty: /' $out
[ $rc -eq 0 ]
check $? "pvtop on a terminal: q ends it and puts the terminal back"

pvexit --no-such-option > /dev/null 2>&1
r1=$?
pvtop -s nothing > /dev/null 2>&1
r2=$?
pvhcall --help | grep -q 'Usage: pvhcall'
r3=$?
[ $r1 -ne 0 ] && [ $r2 -ne 0 ] && [ $r3 -eq 0 ]
check $? "unknown options fail, --help describes the tool"

rm -f $out $err $stats
[ "$failed" -eq 0 ]
