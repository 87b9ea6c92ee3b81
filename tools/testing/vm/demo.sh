#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The partvisor demo: install what is missing, build the module and pvctl,
# boot Debian's stock kernel on an emulated AMD-V machine (QEMU TCG), load
# partvisor there and show what it reports.
#
# usage: demo.sh [pv-vm options, e.g. --lane bochs-vmx]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)

echo "== installing dependencies (Debian 12 packages)"
"$here/install-deps.sh"

echo "== building partvisor.ko and pvctl"
make -s -C "$top" modules tools 2>&1 | grep -v '^Skipping BTF' || true
[ -r "$top/partvisor.ko" ] && [ -x "$top/tools/pvctl/pvctl" ]

echo "== booting an emulated machine (this takes a little while)"
"$here/pv-vm" "$@" --file "$here/demo-guest.sh:pv/bin/demo-guest.sh" \
	-- sh /pv/bin/demo-guest.sh
