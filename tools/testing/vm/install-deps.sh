#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages partvisor's build, tests and demo need.
# Does nothing when they are all present; needs root (or sudo) otherwise.
set -euo pipefail

pkgs=(
	build-essential bc flex bison libelf-dev libssl-dev dwarves
	linux-headers-amd64 linux-image-amd64 linux-source-6.1
	qemu-system-x86 bochs bochsbios vgabios isolinux syslinux-common
	genisoimage busybox-static cpio kmod sparse file xz-utils
	clang llvm bpftool libbpf-dev zlib1g-dev
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
