#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What "pvctl info" prints on this lane. PV_EXPECT lists expectations:
#   vendor=svm     the "vendor:" line
#   +nrips         a feature that must be listed under "features:"
#   -nrips         a feature that must be listed under "missing:"
# Without PV_EXPECT there is nothing lane-specific to check: skip.

if [ -z "$PV_EXPECT" ]; then
	echo "1..0 # SKIP PV_EXPECT not set"
	exit 4
fi

out=$(pvctl info 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
set -- $PV_EXPECT
echo "TAP version 13"
echo "1..$(($# + 1))"
n=1 failed=0
if [ $rc -eq 0 ]; then echo "ok 1 pvctl info exits 0"; else
	echo "not ok 1 pvctl info exits $rc"; failed=1; fi

field() { echo "$out" | sed -n "s/^$1: //p"; }
for e in "$@"; do
	n=$((n + 1))
	case "$e" in
	*=*) [ "$(field "${e%%=*}")" = "${e#*=}" ] ;;
	+*) echo " $(field features) " | grep -q " ${e#+} " ;;
	-*) echo " $(field missing) " | grep -q " ${e#-} " ;;
	*) false ;;
	esac
	if [ $? -eq 0 ]; then echo "ok $n $e"; else
		echo "not ok $n $e"; failed=$((failed + 1)); fi
done
[ "$failed" -eq 0 ]
