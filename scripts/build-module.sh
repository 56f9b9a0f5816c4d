#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build tls_rekey.ko and the simulated NIC tlsnic.ko against the cached
# kernel of a variant, inside the build root. Output: $TLS_REKEY_CACHE/root/build/module/VARIANT/.
#
# Usage: build-module.sh [lean|debug] [extra make arguments, e.g. CLIPPY=1]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VARIANT=${1:-lean}
shift || true
"$SRCDIR/scripts/bootstrap.sh" >/dev/null
"$SRCDIR/scripts/build-kernel.sh" "$VARIANT"
KDIR=$("$SRCDIR/scripts/build-kernel.sh" --dir "$VARIANT")
MO=/build/module/$VARIANT
mkdir -p "$ROOT$MO"
start=$(date +%s)
in_root make -s -C "$KDIR" M=/src MO="$MO" LLVM=1 "$@" modules
# The simulated TLS-offload NIC of the device tests.
mkdir -p "$ROOT$MO/tlsnic"
in_root make -s -C "$KDIR" M=/src/tools/testing/tlsnic MO="$MO/tlsnic" LLVM=1 "$@" modules
say "built $ROOT$MO/tls_rekey.ko and tlsnic/tlsnic.ko in $(( $(date +%s) - start )) s"
