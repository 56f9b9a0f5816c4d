#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the cached test kernel: tinyconfig + the fragments in
# tools/testing/selftests/tls_rekey, with LLVM=1, inside the build root.
#
# Usage: build-kernel.sh [lean|debug]          build if needed
#        build-kernel.sh --dir [lean|debug]    print the tree's path in the root
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PRINT=0
if [ "${1:-}" = --dir ]; then PRINT=1; shift; fi
VARIANT=${1:-lean}
FRAGDIR=$SRCDIR/tools/testing/selftests/tls_rekey
case $VARIANT in
lean) FRAGS="$FRAGDIR/config $FRAGDIR/config.drivers" ;;
debug) FRAGS="$FRAGDIR/config $FRAGDIR/config.debug" ;;
*) die "unknown variant '$VARIANT' (lean or debug)" ;;
esac

KSRC=$(kernel_src)
KVER=$(basename "$KSRC" | sed 's/^linux-source-//')
# shellcheck disable=SC2086
KEY=$( (echo "$KVER LLVM=1 tinyconfig"; cat $FRAGS) | sha256sum | cut -c1-12)
OUT=/build/kernel/$KVER-$VARIANT-$KEY

if [ $PRINT = 1 ]; then
	echo "$OUT"
	exit 0
fi
if [ -f "$ROOT$OUT/.tls-rekey-built" ]; then
	say "kernel $VARIANT cached in $ROOT$OUT"
	exit 0
fi

say "building the $VARIANT kernel ($KVER, key $KEY) in $ROOT$OUT; this takes 13-16 minutes on 2 cores"
rm -rf "$ROOT$OUT"
mkdir -p "$ROOT$OUT"
# shellcheck disable=SC2086
cat $FRAGS >"$ROOT$OUT/fragment.config"
start=$(date +%s)
in_root /bin/sh -e -c '
	src=$1; out=$2
	m() { make -s -C "$src" O="$out" LLVM=1 "$@"; }
	m tinyconfig >/dev/null
	cat "$out/fragment.config" >>"$out/.config"
	m olddefconfig 2>&1 >/dev/null | { grep -v "warning: override: reassigning" >&2 || true; }
	# Every option the fragments ask for must have survived olddefconfig.
	bad=0
	sed -n "s/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)/\1 \2/p" "$out/fragment.config" | while read -r opt val; do
		if [ "$val" = n ]; then
			if grep -q "^$opt=" "$out/.config"; then echo "config: $opt should be off"; exit 1; fi
		elif ! grep -qx "$opt=$val" "$out/.config"; then
			echo "config: $opt=$val did not take: $(grep "$opt[= ]" "$out/.config" || echo unset)"; exit 1
		fi
	done
	m -j"$(nproc)" bzImage modules
	m headers >/dev/null
	# A /lib/modules tree for the VM'"'"'s modprobe/depmod tests.
	m modules_install INSTALL_MOD_PATH="$out/modroot" >/dev/null
' build "$KSRC" "$OUT" || die "kernel build failed"
touch "$ROOT$OUT/.tls-rekey-built"
say "kernel $VARIANT built in $(( $(date +%s) - start )) s"
