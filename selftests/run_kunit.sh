#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load the partvisor KUnit module in a KUnit-enabled kernel and print every
# test case as one top-level TAP line ("ok N suite.case"); the KTAP it came
# from follows behind "# ". Fails when no case ran at all, and when a suite
# failed or planned more cases than its log shows: KUnit keeps only the
# first part of a long log, so a failing case's line can be cut off.
#
# usage: run_kunit.sh [partvisor_kunit.ko]

ko=${1:-${PV_ROOT:-/pv}/partvisor_kunit.ko}
kunit=/sys/kernel/debug/kunit

if [ ! -d $kunit ]; then
	echo "Bail out! this kernel has no KUnit debugfs ($kunit)"
	exit 1
fi
if ! insmod "$ko"; then
	echo "Bail out! insmod $ko failed"
	exit 1
fi

echo "TAP version 13"
n=0 failed=0
for suite in $(ls $kunit | grep "^partvisor"); do
	plan=0 seen=0 suite_failed=0
	while IFS= read -r line; do
		echo "# $line"
		case "$line" in
		"    1.."*) plan=${line#    1..} ;;
		"not ok "*) suite_failed=1 ;;
		esac
		case "$line" in
		"    ok "* | "    not ok "*) ;;
		*) continue ;;
		esac
		seen=$((seen + 1))
		set -- $line
		[ "$1" = not ] && shift
		name=$3
		[ "$name" = - ] && name=$4
		n=$((n + 1))
		case "$line" in
		*"not ok "*) echo "not ok $n $suite.$name"; failed=$((failed + 1)) ;;
		*"# SKIP"*) echo "ok $n $suite.$name # SKIP" ;;
		*) echo "ok $n $suite.$name" ;;
		esac
	done < $kunit/$suite/results
	if [ "$seen" -lt "$plan" ] || [ "$suite_failed" -eq 1 ]; then
		n=$((n + 1))
		echo "not ok $n $suite (suite failed or lost case lines: $seen of $plan shown)"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
rmmod partvisor_kunit
if [ "$n" -eq 0 ]; then
	echo "Bail out! no KUnit case ran"
	exit 1
fi
[ "$failed" -eq 0 ]
