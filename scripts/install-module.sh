#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install tls_rekey.ko in place of tls.ko (`make install`): the module goes
# to /lib/modules/KVER/updates/ and a modprobe.d file sends the "tls" ULP
# autoload and `modprobe tls` to it, so tls.ko is never loaded; depmod then
# rebuilds modules.dep. depmod keeps one provider per exported symbol, the
# last module it reads: the kernel's own modules (those in modules.order)
# come first, the rest (updates/, extra/, DKMS) after, so the TLS symbols
# of in-tree drivers (mlx5_core, bonding, funeth, ...) resolve to
# tls_rekey whatever depmod.d's search order says (kmod 34).
#
# Usage: install-module.sh [--root DIR] MODULE KVER
#        (--root: install into DIR instead of /, as INSTALL_MOD_PATH)
set -euo pipefail

DESTROOT=
if [ "${1:-}" = --root ]; then DESTROOT=${2%/}; shift 2; fi
[ $# = 2 ] || { echo "usage: $0 [--root DIR] MODULE KVER" >&2; exit 2; }
MODULE=$1
KVER=$2
[ -f "$MODULE" ] || { echo "$0: no module at $MODULE (make modules first)" >&2; exit 1; }
[ -d "$DESTROOT/lib/modules/$KVER" ] || { echo "$0: no /lib/modules/$KVER under '${DESTROOT:-/}'" >&2; exit 1; }

install -D -m 0644 "$MODULE" "$DESTROOT/lib/modules/$KVER/updates/tls_rekey.ko"
mkdir -p "$DESTROOT/etc/modprobe.d"
cat >"$DESTROOT/etc/modprobe.d/tls-rekey.conf" <<'CONF'
# tls_rekey replaces tls.ko: the kernel's "tls" ULP autoload and
# `modprobe tls` load tls_rekey; tls.ko itself is never loaded.
alias tcp-ulp-tls tls_rekey
install tls /sbin/modprobe --ignore-install tls_rekey
CONF
depmod ${DESTROOT:+-b "$DESTROOT"} "$KVER"
echo "installed tls_rekey for $KVER${DESTROOT:+ under $DESTROOT}"
