#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module BTF where the kernel's headers cannot make it. kbuild encodes a
# module's BTF against the kernel's vmlinux; Debian's linux-headers ship
# none, so it prints "Skipping BTF generation ... unavailability of
# vmlinux", /sys/kernel/btf/partvisor does not appear and tp_btf programs
# cannot attach to partvisor's tracepoints. This does kbuild's step
# itself: vmlinux comes out of the kernel's image (the kernel's own
# scripts/extract-vmlinux, from the kernel source tarball), is kept in the
# cache, and the modules' DWARF is encoded as BTF split against it
# (pahole -J --btf_base vmlinux, with kbuild's pahole flags).
#
# usage: module-btf.sh KDIR MODULE.ko...
#   KDIR            the kernel build directory the modules were built
#                   against; where it has a vmlinux, kbuild made the BTF
#                   and nothing is done
#   VMLINUZ         the kernel's image (default: /boot/vmlinuz-RELEASE,
#                   RELEASE being KDIR's name after "linux-headers-")
#   PV_CACHE        cache directory (default ~/.cache/partvisor)
#   KERNEL_TARBALL  kernel source tarball with scripts/extract-vmlinux
#                   (default /usr/src/linux-source-6.1.tar.xz)
set -euo pipefail

die() {
	echo "module-btf.sh: $*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: module-btf.sh KDIR MODULE.ko..."
kdir=$(readlink -f "$1")	# /lib/modules/*/build is a link
shift
[ -e "$kdir/vmlinux" ] && exit 0

release=${kdir##*/linux-headers-}
vmlinuz=${VMLINUZ:-/boot/vmlinuz-$release}
cache=${PV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/partvisor}
tarball=${KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
extract=$cache/kscripts/scripts/extract-vmlinux

command -v pahole > /dev/null || die "no pahole (install dwarves)"
[ -r "$vmlinuz" ] || die "no kernel image $vmlinuz (set VMLINUZ)"

if [ ! -x "$extract" ]; then
	[ -r "$tarball" ] || die "no $tarball for scripts/extract-vmlinux"
	mkdir -p "$cache/kscripts"
	tar -C "$cache/kscripts" --strip-components=1 -xf "$tarball" \
		--wildcards '*/scripts/extract-vmlinux'
fi

# By content: a rebuilt image may keep its name.
sum=$(sha256sum "$vmlinuz" | cut -c1-16)
vmlinux=$cache/vmlinux/vmlinux-$release-$sum
if [ ! -s "$vmlinux" ]; then
	mkdir -p "$cache/vmlinux"
	sh "$extract" "$vmlinuz" > "$vmlinux.tmp" ||
		die "cannot extract vmlinux from $vmlinuz"
	mv "$vmlinux.tmp" "$vmlinux"
fi
# Not a pipe: with pipefail, grep -q quitting early fails readelf.
grep -q ' \.BTF ' <<< "$(readelf -S "$vmlinux")" ||
	die "$vmlinuz has no BTF (a kernel without CONFIG_DEBUG_INFO_BTF)"

flags=
[ -x "$kdir/scripts/pahole-flags.sh" ] &&
	flags=$(PAHOLE=pahole "$kdir/scripts/pahole-flags.sh")

for ko in "$@"; do
	sections=$(readelf -S "$ko")
	if grep -q ' \.BTF ' <<< "$sections"; then
		continue
	fi
	grep -q ' \.debug_info ' <<< "$sections" ||
		die "$ko has no DWARF to encode"
	# resolve_btfids, which the headers lack, fills BTF_ID lists.
	if grep -q ' \.BTF_ids ' <<< "$sections"; then
		die "$ko has BTF_ID lists: it needs resolve_btfids"
	fi
	# shellcheck disable=SC2086
	LLVM_OBJCOPY=${OBJCOPY:-objcopy} pahole -J $flags \
		--btf_base "$vmlinux" "$ko" || die "pahole failed on $ko"
	grep -q ' \.BTF ' <<< "$(readelf -S "$ko")" ||
		die "pahole wrote no BTF into $ko"
	echo "  BTF [M] $ko (base: $vmlinuz)"
done
