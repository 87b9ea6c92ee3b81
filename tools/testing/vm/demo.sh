#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The partvisor demo: install what is missing, build the module, pvctl,
# the guest payloads and the tests, boot Debian's stock kernel on an
# emulated AMD-V machine (QEMU TCG), load partvisor there (Linux becomes
# the root partition), run child partitions that print over their serial
# port (one on two VPs with the guest runtime), and show the counters.
#
# usage: demo.sh [pv-vm options, e.g. --lane bochs-vmx]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)

echo "== installing dependencies (Debian 12 packages)"
"$here/install-deps.sh"

echo "== building partvisor.ko, pvctl, the guest payloads and the tests"
make -s -C "$top" modules tools selftests 2>&1 | grep -v '^Skipping BTF' || true
[ -r "$top/partvisor.ko" ] && [ -x "$top/tools/pvctl/pvctl" ] &&
	[ -r "$top/tools/guests/hello.bin" ] && [ -r "$top/tools/guests/demo.elf" ]

echo "== booting an emulated machine (this takes a little while)"
"$here/pv-vm" "$@" --file "$here/demo-guest.sh:pv/bin/demo-guest.sh" \
	-- sh /pv/bin/demo-guest.sh
