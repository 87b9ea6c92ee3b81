#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the partvisor test kernel from Debian's linux-source-6.1 with the
# config fragment kept next to this script. The result is cached outside the
# repository, keyed by the source version and the fragment, and rebuilt only
# when either changes. Prints the build directory (usable as KDIR) on stdout.
#
# usage: build-kernel.sh [fuzz]
#   fuzz    the fuzzer's kernel: kernel-fuzz.config applied over the test
#           kernel's fragment (KASAN and UBSAN, no debug info)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
variant=${1:-}
case "$variant" in
'') fragments=("$here/kernel.config"); prefix=kernel ;;
fuzz) fragments=("$here/kernel.config" "$here/kernel-fuzz.config")
      prefix=kernel-fuzz ;;
*) echo "usage: build-kernel.sh [fuzz]" >&2; exit 2 ;;
esac
tarball=${PV_KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=${PV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/partvisor}
jobs=${PV_JOBS:-$(nproc)}

log() { echo "build-kernel: $*" >&2; }

if [ ! -r "$tarball" ]; then
	log "missing $tarball (apt-get install linux-source-6.1)"
	exit 1
fi

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
	 stat -c %s-%Y "$tarball")
key=$( (echo "$srcver"; cat "${fragments[@]}"; echo recipe-1) |
	sha256sum | cut -c1-16)
out=$cache/$prefix-$key
src=$cache/src-$(echo "$srcver" | tr -c 'A-Za-z0-9.+-' _)

if [ -f "$out/.pv-complete" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
if [ ! -f "$src/.pv-extracted" ]; then
	log "extracting $tarball"
	rm -rf "$src"
	mkdir -p "$src"
	tar -C "$src" --strip-components=1 -xf "$tarball"
	touch "$src/.pv-extracted"
fi

log "configuring $out"
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" defconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
	"${fragments[@]}" >&2
make -s -C "$src" O="$out" olddefconfig >&2

# Every option the fragments set (where the last one to name it sets it)
# must have survived olddefconfig.
missing=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		if ! grep -qx "$line" "$out/.config"; then
			log "config option not applied: $line"
			missing=1
		fi
		;;
	esac
done < <(cat "${fragments[@]}" |
	 awk '/^(# )?CONFIG_/ { n = $0; sub(/^# /, "", n); sub(/[= ].*/, "", n);
				last[n] = $0; order[n] = NR }
	      END { for (n in last) print order[n], last[n] }' |
	 sort -n | cut -d' ' -f2-)
[ "$missing" = 0 ] || exit 1

log "building with $jobs jobs (10-15 minutes on 2 cores)"
make -s -C "$src" O="$out" -j"$jobs" bzImage modules >&2
touch "$out/.pv-complete"

# Drop older cached builds: one kernel of each kind is kept.
for old in "$cache/$prefix"-*; do
	[ -n "$variant" ] || case "$old" in "$cache"/kernel-fuzz-*) continue ;; esac
	[ "$old" = "$out" ] || rm -rf "$old"
done
echo "$out"
