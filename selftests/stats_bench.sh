#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What observability costs a child's exit: exit_bench (N CPUIDs, then N
# refused hypercalls, microseconds per exit) under the normal module --
# counters on, tracepoints present but disabled -- against a build with
# both compiled out (PV_MODULE_NOSTATS, built with -DPV_NO_STATS
# -DNOTRACE), alternating, best of each; then with pvexit attached to the
# normal module. A benchmark: the checks are that every run completed and
# that pvexit saw the exits; the ratios are printed, never asserted (the
# target for counters without tracing is <= 1.02). Leaves the normal
# module loaded, as run_tests.sh expects.
#
#   PV_BENCH_EXITS   exits of each kind per run (default 5000)
#   PV_BENCH_ROUNDS  run pairs, best of each shown (default 9)

: "${PV_MODULE:?set PV_MODULE to partvisor.ko}"
nostats=${PV_MODULE_NOSTATS:-$(dirname "$PV_MODULE")/partvisor-nostats.ko}
here=$(dirname "$0")
PATH=$here/../tools/bpf:$PATH
exits=${PV_BENCH_EXITS:-5000}
rounds=${PV_BENCH_ROUNDS:-9}
out=/tmp/stats_bench.$$

if [ ! -r "$nostats" ]; then
	echo "1..0 # SKIP no module without counters at $nostats"
	exit 4
fi
. "$here/pv_lib.sh"
n=0 failed=0
echo "TAP version 13"
echo "1..3"

# bench MODULE FILE: load MODULE and append one exit_bench run to FILE.
bench() {
	[ -e /sys/module/partvisor ] && rmmod partvisor
	insmod "$1" && exit_bench partvisor "$exits" >> "$2"
}

: > "$out.on"
: > "$out.off"
ok=0
for _ in $(seq "$rounds"); do
	bench "$PV_MODULE" "$out.on" || ok=1
	bench "$nostats" "$out.off" || ok=1
done
check $ok "$rounds runs of $exits CPUID and $exits hypercall exits with and without counters"

[ -e /sys/module/partvisor ] && rmmod partvisor
insmod "$PV_MODULE"
: > "$out.bpf"
pvexit > "$out.pvexit" 2> "$out.err" &
tpid=$!
i=0
while ! grep -q '^Tracing ' "$out.err" && kill -0 $tpid 2>/dev/null &&
	[ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok=1
if grep -q '^Tracing ' "$out.err"; then
	ok=0
	for _ in $(seq "$rounds"); do
		exit_bench partvisor "$exits" >> "$out.bpf" || ok=1
	done
fi
kill -INT $tpid 2>/dev/null
wait $tpid
check $ok "$rounds runs with pvexit attached"
seen=$(awk '$1 == "cpuid" { print $2 }' "$out.pvexit")
[ "${seen:-0}" -ge $((exits * rounds)) ]
check $? "pvexit counted ${seen:-0} CPUID exits of the $((exits * rounds)) run"
sed 's/^/# pvexit: /' "$out.err" | grep -v '^# pvexit: Tracing'

# The best of each name per file, then one line per kind of exit.
awk -F': ' '
	FNR == 1 { file++ }
	{ if (!((file, $1) in best) || $2 < best[file, $1]) best[file, $1] = $2
	  names[$1] = 1 }
	END {
		for (k in names) {
			on = best[1, k]; off = best[2, k]; bpf = best[3, k]
			name = k; sub(/_us$/, "", name)
			if (off > 0)
				printf "# %s per exit (best of %d): %.3f us with counters, %.3f us compiled out: ratio %.3f\n",
					name, rounds, on, off, on / off
			if (on > 0 && bpf > 0)
				printf "# %s per exit with pvexit attached: %.3f us, %.2fx the counters-only cost\n",
					name, bpf, bpf / on
		}
	}' rounds="$rounds" "$out.on" "$out.off" "$out.bpf"
# Every run, for the spread behind the best.
for f in on off bpf; do
	awk -F': ' -v f=$f '{ v[$1] = v[$1] " " $2 }
		END { for (k in v) printf "# %s runs, %s:%s\n", k, f, v[k] }' "$out.$f"
done
rm -f "$out.on" "$out.off" "$out.bpf" "$out.pvexit" "$out.err"
[ "$failed" -eq 0 ]
