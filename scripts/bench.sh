#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: throughput and CPU per byte of tls_rekey against in-tree
# tls.ko, in one VM boot (tools/testing/bench). A measurement, not a test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
VARIANT=${1:-lean}
"$SRCDIR/scripts/build-selftests.sh" "$VARIANT" >&2
exec "$SRCDIR/scripts/vm.sh" --variant "$VARIANT" --timeout 1800 -- \
	"TLS_REKEY_BENCH_MB=${TLS_REKEY_BENCH_MB:-32} TLS_REKEY_BENCH_REPS=${TLS_REKEY_BENCH_REPS:-3} tools/testing/bench/run.sh"
