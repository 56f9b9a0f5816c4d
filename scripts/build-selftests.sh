#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test programs run in the VM: the upstream
# tools/testing/selftests/net/tls.c, unmodified, from the kernel source, and
# our own selftests in tools/testing/selftests/tls_rekey, the benchmark in
# tools/testing/bench and the interoperability peer in
# tools/testing/interop. Static binaries (the peer links libssl
# dynamically) against the cached kernel's uAPI headers, into
# $TLS_REKEY_CACHE/root/build/selftests/VARIANT/.
#
# Usage: build-selftests.sh [lean|debug]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VARIANT=${1:-lean}
KDIR=$("$SRCDIR/scripts/build-kernel.sh" --dir "$VARIANT")
KSRC=$(kernel_src)
OUT=/build/selftests/$VARIANT
mkdir -p "$ROOT$OUT"
in_root /bin/sh -e -c '
	ksrc=$1; kdir=$2; out=$3
	cc() { gcc -O2 -Wall -static -I "$ksrc/tools/testing/selftests" -I /src/rust/uapi -isystem "$kdir/usr/include" "$@" -lpthread; }
	cc -o "$out/tls" "$ksrc/tools/testing/selftests/net/tls.c"
	for t in /src/tools/testing/selftests/tls_rekey/*.c /src/tools/testing/bench/*.c; do
		cc -Werror -o "$out/$(basename "$t" .c)" "$t"
	done
	# The interoperability peer links libssl (dynamically: the guest is
	# this root).
	gcc -O2 -Wall -Werror -isystem "$kdir/usr/include" -I /src/rust/uapi \
		-o "$out/secret_peer" /src/tools/testing/interop/secret_peer.c -lssl -lcrypto
' build "$KSRC" "$KDIR" "$OUT"
say "selftests built in $ROOT$OUT: $(ls "$ROOT$OUT" | xargs)"
