#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: throughput and CPU per byte of tls_rekey against in-tree
# tls.ko, in one VM boot (tools/testing/bench/run.sh: rounds alternating
# the two modules, a plain TCP control, memory and device rows), then the
# chart of every row into Documentation/performance.svg
# (tools/testing/bench/chart.py). A measurement, not a test.
#
# Environment: TLS_REKEY_BENCH_ROUNDS, _MB, _FILE_MB, _SIZES, _REPS and
# _PAIRS go to run.sh (see there); TLS_REKEY_BENCH_SVG, the chart's path
# in the repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
VARIANT=${1:-lean}
SVG=${TLS_REKEY_BENCH_SVG:-Documentation/performance.svg}
LOG=$TLS_REKEY_CACHE/bench-$VARIANT.log
"$SRCDIR/scripts/build-selftests.sh" "$VARIANT" >&2
vars=
for v in ROUNDS MB FILE_MB SIZES REPS PAIRS; do
	v=TLS_REKEY_BENCH_$v
	[ -z "${!v-}" ] || vars="$vars $v=$(printf %q "${!v}")"
done
start=$(date +%s)
"$SRCDIR/scripts/vm.sh" --variant "$VARIANT" --timeout 3000 -- \
	"$vars tools/testing/bench/run.sh" | tee "$LOG"
grep '^bench ' "$LOG" | in_root python3 -B /src/tools/testing/bench/chart.py "/src/$SVG"
say "$(( $(date +%s) - start )) s; chart: $SRCDIR/$SVG; console: $LOG"
