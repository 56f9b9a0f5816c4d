#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench.sh): tls_bench against tls_rekey, then against
# in-tree tls.ko in the same boot, and the ratio tls_rekey / tls.ko of
# throughput and of CPU per byte for each direction and record size; then
# device TX over the simulated NIC (measure_nic).
set -eu
B=/build/selftests/$VARIANT/tls_bench
MB=${TLS_REKEY_BENCH_MB:-32}
SIZES=${TLS_REKEY_BENCH_SIZES:-16384 256}
REPS=${TLS_REKEY_BENCH_REPS:-3}

# Each row starts with one unmeasured run: under TCG the first pass over a
# code path pays for translating it (measured: 36 ns/B, then 6 ns/B).
measure() {
	for s in $SIZES; do
		"$B" "$s" "$MB" >/dev/null
		for _ in $(seq "$REPS"); do "$B" "$s" "$MB"; done
	done
}

# Device TX over the simulated NIC: TLS 1.2 AES-GCM-128, 16 KiB records,
# the sender in one namespace, a discarding receiver in the other; the
# sender's CPU per byte with its records sealed in software over the NIC
# (the device refuses the key: nic-sw), framed for the device (the NIC
# sends them unsealed, so only the ULP's own cost is measured: nic-dev),
# and sealed by the software fallback (the NIC hands every skb back with
# tls_encrypt_skb: nic-fallback); then RX, the receiver's CPU per byte with
# records opened in software (the device refuses the key: nic-sw) and
# decrypted by the device (nic-dev; the NIC's own cost falls on the
# sending side, as a NIC's would on no CPU).
measure_nic() {
	local dbg=/sys/kernel/debug/tlsnic mode
	insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko"
	tnic_pair
	for mode in sw dev fallback; do
		echo N >$dbg/refuse_dev_add; echo N >$dbg/tx_plain; echo N >$dbg/tx_hand_back
		case $mode in
		sw) echo Y >$dbg/refuse_dev_add ;;
		dev) echo Y >$dbg/tx_plain ;;
		fallback) echo Y >$dbg/tx_hand_back ;;
		esac
		"$B" 16384 "$MB" 12 tna tnb 10.77.0.2 >/dev/null
		for _ in $(seq "$REPS"); do
			"$B" 16384 "$MB" 12 tna tnb 10.77.0.2 | sed "s/^tx /tx-nic-$mode /"
		done
	done
	for mode in sw dev; do
		echo N >$dbg/tx_plain; echo N >$dbg/tx_hand_back
		if [ $mode = sw ]; then echo Y >$dbg/refuse_dev_add; else echo N >$dbg/refuse_dev_add; fi
		"$B" 16384 "$MB" 12 tnb tna 10.77.0.2 rx >/dev/null
		for _ in $(seq "$REPS"); do
			"$B" 16384 "$MB" 12 tnb tna 10.77.0.2 rx | sed "s/^rx /rx-nic-$mode /"
		done
	done
	echo N >$dbg/refuse_dev_add
	tnic_unpair
	rmmod tlsnic
}
. /src/tools/testing/selftests/tls_rekey/device.sh

grep -q '^tls_rekey ' /proc/modules
{ measure; measure_nic; } | sed 's/^/tls_rekey /' | tee /tmp/ours
rmmod tls_rekey
insmod "$TLS_KO"
{ measure; measure_nic; } | sed 's/^/tls.ko /' | tee /tmp/theirs
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
print(f"{'direction':15} record  tls_rekey_Mbps tls.ko_Mbps throughput_ratio  tls_rekey_ns/B tls.ko_ns/B cpu_ratio")
for k in sorted(ours):
    (m1, c1), (m2, c2) = ours[k], theirs[k]
    print(f"{k[0]:15} {k[1]:6} {m1:14.1f} {m2:11.1f} {m1 / m2:16.2f}  {c1:14.2f} {c2:11.2f} {c1 / c2:9.2f}")
print()
print("over the NIC, per module: CPU per byte of the kTLS side against nic-sw (same module)")
for name, runs in (("tls_rekey", ours), ("tls.ko", theirs)):
    for d, modes in (("tx", ("dev", "fallback")), ("rx", ("dev",))):
        sw = runs[(f"{d}-nic-sw", 16384)][1]
        for mode in modes:
            c = runs[(f"{d}-nic-{mode}", 16384)][1]
            print(f"{name:9} {d} {mode:8} {c:8.2f} ns/B  {c / sw:5.2f}x of software")
PY
