#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every partvisor test in one command: builds and static checks on the
# host, KUnit in the test kernel, the selftests in the QEMU lane on the test
# kernel and on Debian's stock kernel, and (with --full) the Bochs VT-x and
# Bochs AMD-V-with-NRIPS lanes. Installs what it needs first. The last line
# is "N passed, N failed, N skipped"; the exit status is non-zero on any
# failure.
#
# usage: check.sh [--full | --quick]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
mode=full
case "${1:---full}" in
--full) mode=full ;;
--quick) mode=quick ;;
*) echo "usage: $0 [--full | --quick]" >&2; exit 2 ;;
esac

passed=0 failed=0 skipped=0
logs=$top/build/logs
mkdir -p "$logs"
# Every failure again just above the totals, with what explains it: a
# reader who sees only the end of the output still learns what broke.
recap=()

pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	recap+=("FAIL: $*")
}

summary() {
	local line
	if [ ${#recap[@]} -gt 0 ]; then
		echo
		echo "== failures"
		for line in "${recap[@]}"; do
			echo "$line"
		done
	fi
	echo
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

# One host step: a name, then a command whose status decides it.
step() {
	local name=$1 log
	shift
	log=$logs/$(echo "$name" | tr -c 'A-Za-z0-9\n' -).log
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		fail "$name (log: ${log#"$top"/})"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
}

# Run one VM lane; its TAP output and exit status land in build/logs.
lane_run() {
	local name=$1
	shift
	"$here/pv-vm" --out "$logs/$name" "$@" >"$logs/$name.out" \
		2>"$logs/$name.err"
	echo $? > "$logs/$name.status"
}

# Count the top-level TAP lines a lane printed; a lane that fails without
# saying which test failed counts as one failure of its own.
lane_count() {
	local name=$1 status line p=0 f=0 s=0
	echo "== $name"
	status=$(cat "$logs/$name.status")
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			f=$((f + 1))
			echo "FAIL: $name: ${line#not ok }"
			recap+=("FAIL: $name: ${line#not ok }")
			;;
		"ok "*"# SKIP"*) s=$((s + 1)); echo "SKIP: $name: ${line#ok }" ;;
		"ok "*) p=$((p + 1)); echo "PASS: $name: ${line#ok }" ;;
		esac
	done < "$logs/$name.out"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	sed 's/^/    /' "$logs/$name.err"
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "$name: VM run failed with status $status (logs: build/logs/$name/)"
	fi
	# pv-vm's own reasons: a timeout, or the kernel's first report and
	# the test it came during.
	if [ "$status" -ne 0 ]; then
		while IFS= read -r line; do
			recap+=("    $line")
		done < <(grep -E '^pv-vm: (timed out|the VM ended|the first of them)' \
				"$logs/$name.err" | head -n 3
			 sed -n '/^pv-vm: the kernel log shows problems:/{n;p;n;p;n;p}' \
				"$logs/$name.err")
	elif [ $((p + f + s)) -eq 0 ]; then
		fail "$name: no test result at all"
	fi
}

# A host program that prints TAP, counted like a lane.
tap_step() {
	local name=$1
	shift
	"$@" >"$logs/$name.out" 2>"$logs/$name.err"
	echo $? > "$logs/$name.status"
	lane_count "$name"
}

lane() {
	lane_run "$@"
	lane_count "$1"
}

# Build the module against KDIR in a private copy of the sources, so that
# builds for different kernels never share objects. Fails on any warning.
build_module() {
	local kdir=$1 dir=$2
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$top/Kbuild" "$top/module" "$top/include" "$dir/"
	make -C "$kdir" M="$dir" W=1 C=1 "$@" modules 2>&1 | tee "$dir/build.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	if grep -E 'warning:|error:' "$dir/build.log"; then
		echo "the build is not warning-free"
		return 1
	fi
	# Debian's headers have no vmlinux: the module's BTF comes from here.
	"$here/module-btf.sh" "$kdir" "$dir/partvisor.ko"
}

echo "== dependencies"
if ! "$here/install-deps.sh" >"$logs/deps.log" 2>&1; then
	fail "install dependencies (log: build/logs/deps.log)"
	tail -n 20 "$logs/deps.log"
	summary
fi

echo "== host builds and static checks"
stock_kdir=$(ls -d /usr/src/linux-headers-*-amd64 | sort -V | tail -n 1)
step "module builds against $(basename "$stock_kdir") with W=1 C=1, no warnings" \
	build_module "$stock_kdir" "$top/build/stock"
# The eBPF tools' raw_tp fallback: the same module without its BTF.
step "a copy of the module without BTF" \
	objcopy --remove-section=.BTF "$top/build/stock/partvisor.ko" \
	"$top/build/stock/partvisor-nobtf.ko"
# The overhead benchmark's baseline: counters and tracepoints compiled out.
step "module builds without counters and tracepoints, no warnings" \
	build_module "$stock_kdir" "$top/build/stock-nostats" \
	KCFLAGS="-DPV_NO_STATS -DNOTRACE"
step "checkpatch --strict: no errors or warnings" make -C "$top" checkpatch
step "pvctl, the eBPF tools and selftests build with -Werror" \
	make -C "$top" tools selftests
tap_step sched-sim "$top/tools/sched-sim/pvsim" --check

echo "== test kernel"
step "test kernel builds (cached)" "$here/build-kernel.sh"
test_kdir=$("$here/build-kernel.sh" 2>/dev/null)
step "module and KUnit module build against the test kernel, no warnings" \
	build_module "$test_kdir" "$top/build/test"
if [ "$mode" = full ]; then
	step "the fuzzer's kernel (KASAN, UBSAN) builds (cached)" \
		"$here/build-kernel.sh" fuzz
	fuzz_kdir=$("$here/build-kernel.sh" fuzz 2>/dev/null)
	step "module builds against the fuzzer's kernel, no warnings" \
		build_module "$fuzz_kdir" "$top/build/fuzz"
fi

qemu_expect="vendor=svm +nested_paging +tagged_tlb -nrips -decode_assists"
vmx_expect="vendor=vmx +nested_paging +tagged_tlb +preempt_timer"
svm_nrips_expect="vendor=svm +nested_paging +tagged_tlb +nrips +flush_by_asid -decode_assists"

echo "== lanes"
# partvisor is launched first: the root-guard suite checks it from the root.
lane kunit-test-kernel --lane qemu --kernel test --modules "$top/build/test" \
	-- sh -c 'insmod /pv/partvisor.ko && run_kunit.sh'
# No --kvm here: a KVM guest under the debug kernel in QEMU TCG hangs now
# and then inside KVM itself (seen in kvm_smoke's second run), so the
# KVM side-by-side test runs on the stock kernel only.
# trace_test.sh has a lane of its own, on one TCG thread (below).
lane qemu-test-kernel --lane qemu --kernel test \
	--modules "$top/build/test" \
	-- env PV_EXPECT="$qemu_expect" PV_LAUNCH_CYCLES=100 \
	PV_SKIP="trace_test.sh" PV_SKIP_REASON="in its own lane" \
	run_tests.sh
# Two CPUs; KVM and trace_test.sh have lanes of their own (below).
lane qemu-stock-kernel --lane qemu --kernel stock \
	--modules "$top/build/stock" \
	-- env PV_EXPECT="$qemu_expect" PV_LAUNCH_CYCLES=100 \
	PV_SKIP="trace_test.sh kvm_coexist.sh exit_bench.sh" \
	PV_SKIP_REASON="in its own lane" \
	run_tests.sh
# KVM beside partvisor, and the exit benchmark against KVM, with QEMU on
# one TCG thread: its multi-threaded TCG can freeze the machine when
# KVM's VM creation patches the kernel's code, with or without partvisor
# (testing.rst, "Known problems").
lane qemu-stock-kernel-kvm --lane qemu --kernel stock --kvm --tcg-single \
	--modules "$top/build/stock" \
	-- run_tests.sh kvm_coexist.sh exit_bench.sh
# The eBPF tools against the counters, tp_btf and raw_tp, on both kernels
# (and on the stock kernel without the module's BTF: raw_tp by itself, and
# under the classic scheduler: pvsched); and what the counters and pvexit
# cost an exit.
lane qemu-stock-kernel-bpf --lane qemu --kernel stock \
	--modules "$top/build/stock" \
	--file "$top/build/stock-nostats/partvisor.ko:pv/partvisor-nostats.ko" \
	--file "$top/build/stock/partvisor-nobtf.ko:pv/partvisor-nobtf.ko" \
	-- sh -c 'run_tests.sh bpf_tools_test.sh stats_bench.sh
		rc=$?
		rmmod partvisor && insmod /pv/partvisor.ko sched=classic &&
		run_tests.sh bpf_tools_test.sh || rc=1
		rmmod partvisor && insmod /pv/partvisor-nobtf.ko &&
		run_tests.sh bpf_tools_test.sh || rc=1
		rmmod partvisor || rc=1; exit $rc'
# Speculation hygiene where Linux mitigates (retpolines: the RSB refill on
# every exit), what it costs an exit, and the tests that run children
# through it; the other lanes boot with mitigations=off.
lane qemu-stock-kernel-mitigations --lane qemu --kernel stock \
	--modules "$top/build/stock" \
	--append "mitigations=auto spectre_v2=retpoline" \
	-- run_tests.sh spec_bench.sh intercepts_test vp_run_test fpu_test \
	isolation_test
lane qemu-test-kernel-bpf --lane qemu --kernel test \
	--modules "$top/build/test" \
	-- sh -c 'run_tests.sh bpf_tools_test.sh; rc=$?
		rmmod partvisor && insmod /pv/partvisor.ko sched=classic &&
		run_tests.sh bpf_tools_test.sh || rc=1
		rmmod partvisor || rc=1; exit $rc'
# Switching tracepoints on and off patches the kernel's code
# (text_poke_bp), which can freeze QEMU's multi-threaded TCG (a CI run hung
# in trace_test.sh for 600 s): one TCG thread. The eBPF tools stay on
# multi-threaded TCG: under one thread their counts fell short of pvctl's
# (testing.rst, "Known problems").
lane qemu-test-kernel-trace --lane qemu --kernel test --tcg-single \
	--modules "$top/build/test" -- run_tests.sh trace_test.sh
# The classic scheduler: its own acceptance test, and every test that runs
# VPs, now through the dispatch threads (the lockdep kernel, then stock);
# then the module must unload.
classic_run="insmod /pv/partvisor.ko sched=classic || exit 1
	run_tests.sh sched_test vp_run_test irq_test mmio_test \
		guest_hcall_test pvctl_run_test.sh isolation_test race_test \
		counters_test fpu_test wakeup_test intercepts_test
	rc=\$?; rmmod partvisor || rc=1; exit \$rc"
lane qemu-test-kernel-classic --lane qemu --kernel test --smp 4 \
	--modules "$top/build/test" -- sh -c "$classic_run"
lane qemu-stock-kernel-classic --lane qemu --kernel stock --smp 4 \
	--modules "$top/build/stock" -- sh -c "$classic_run"

if [ "$mode" = full ]; then
	# Bochs is single-threaded and slow: both lanes run side by side.
	# VT-x also runs the fuzzer, shorter than on QEMU (Bochs's AMD-V
	# stops at a child's triple fault), and VPs through a classic
	# dispatch thread.
	lane_run bochs-vmx-stock --lane bochs-vmx --kernel stock --kvm \
		--quiet-cpu \
		--modules "$top/build/stock" \
		-- sh -c "export PV_FPU_SECONDS=1 PV_TEST_TIMEOUT=900
		export PV_WAKEUP_ROUNDS=2000
		PV_EXPECT='$vmx_expect' PV_LAUNCH_CYCLES=10 run_tests.sh
		rc=\$?
		PV_FUZZ_SEED=3 PV_FUZZ_ITERS=3000 run_tests.sh fuzz || rc=1
		rmmod partvisor 2>/dev/null
		insmod /pv/partvisor.ko sched=classic || exit 1
		run_tests.sh vp_run_test irq_test guest_hcall_test fpu_test \
			wakeup_test intercepts_test || rc=1
		rmmod partvisor || rc=1; exit \$rc" &
	# The AMD-V one is short: the demo loop and the fuzzer follow it.
	(
	lane_run bochs-svm-stock --lane bochs-svm --kernel stock \
		--modules "$top/build/stock" \
		-- env PV_EXPECT="$svm_nrips_expect" PV_LAUNCH_CYCLES=10 \
		PV_FPU_SECONDS=1 PV_TEST_TIMEOUT=900 PV_WAKEUP_ROUNDS=2000 \
		run_tests.sh
	# The demo guest a thousand times with a root CPU hog: the lost
	# timer wake-up (2 runs in 300) and a child started from host-mode
	# state after a refused VMRUN (1 in about 3000) were seen there.
	# One TCG thread: under QEMU's multi-threaded TCG a CI run failed it
	# (its output was not kept; testing.rst, "Known problems").
	lane_run qemu-stock-kernel-demo-loop --lane qemu --kernel stock \
		--tcg-single \
		--modules "$top/build/stock" --timeout 1000 \
		-- env PV_TEST_TIMEOUT=900 run_tests.sh demo_loop.sh
	# The fuzzer under the test kernel's checks plus KASAN and UBSAN, in
	# both scheduler modes, from fixed seeds (a run prints its seed; a
	# failure reruns with it, testing.rst). One TCG thread, as for the
	# demo loop.
	lane_run qemu-fuzz-kernel-fuzz --lane qemu --kernel fuzz \
		--tcg-single --modules "$top/build/fuzz" --timeout 900 \
		-- sh -c 'export PV_FUZZ_SECONDS=200 PV_FUZZ_ITERS=25000
		PV_FUZZ_SEED=1 run_tests.sh fuzz; rc=$?
		rmmod partvisor && insmod /pv/partvisor.ko sched=classic &&
		PV_FUZZ_SEED=2 run_tests.sh fuzz || rc=1
		rmmod partvisor || rc=1; exit $rc'
	) &
	wait
	lane_count bochs-vmx-stock
	lane_count bochs-svm-stock
	lane_count qemu-stock-kernel-demo-loop
	lane_count qemu-fuzz-kernel-fuzz
fi
summary
