#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench.sh): tls_bench against tls_rekey, then against
# in-tree tls.ko in the same boot, and the ratio tls_rekey / tls.ko of
# throughput and of CPU per byte for each direction and record size.
set -eu
B=/build/selftests/$VARIANT/tls_bench
MB=${TLS_REKEY_BENCH_MB:-32}
SIZES=${TLS_REKEY_BENCH_SIZES:-16384 256}
REPS=${TLS_REKEY_BENCH_REPS:-3}

measure() {
	for s in $SIZES; do
		for _ in $(seq "$REPS"); do "$B" "$s" "$MB"; done
	done
}

grep -q '^tls_rekey ' /proc/modules
measure | sed 's/^/tls_rekey /' | tee /tmp/ours
rmmod tls_rekey
insmod "$TLS_KO"
measure | sed 's/^/tls.ko /' | tee /tmp/theirs
rmmod tls
insmod "$MODULE"

# Median of the repetitions; ratio = tls_rekey / tls.ko.
python3 - /tmp/ours /tmp/theirs <<'PY'
import statistics, sys
def load(path):
    runs = {}
    for line in open(path):
        f = line.split()
        kv = dict(x.split("=") for x in f[2:])
        runs.setdefault((f[1], int(kv["record"])), []).append(
            (float(kv["mbps"]), float(kv["cpu_ns_per_byte"])))
    return {k: (statistics.median(m for m, _ in v), statistics.median(c for _, c in v))
            for k, v in runs.items()}
ours, theirs = load(sys.argv[1]), load(sys.argv[2])
print("direction record  tls_rekey_Mbps tls.ko_Mbps throughput_ratio  tls_rekey_ns/B tls.ko_ns/B cpu_ratio")
for k in sorted(ours):
    (m1, c1), (m2, c2) = ours[k], theirs[k]
    print(f"{k[0]:9} {k[1]:6} {m1:14.1f} {m2:11.1f} {m1 / m2:16.2f}  {c1:14.2f} {c2:11.2f} {c1 / c2:9.2f}")
PY
