#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench.sh): tls_bench in rounds that alternate
# tls_rekey and in-tree tls.ko in ABBA order (tls_rekey, tls.ko, tls.ko,
# tls_rekey, ...; rmmod/insmod between them), TLS_REKEY_BENCH_ROUNDS rounds
# per module. A round measures every row, each with kTLS and then over
# plain TCP (the control): TX, RX and end to end, for each record size
# (send size = record size) and sendfile() of a tmpfs file (TX and end to
# end). Then once per module: tls_mem (kernel memory per socket pair,
# TLS_REKEY_BENCH_PAIRS pairs), device TX and RX over the simulated NIC
# (measure_nic, TLS_REKEY_BENCH_REPS runs each) and TLS 1.3 rekey-heavy
# transfers over it (measure_rekey). Every measurement is one
# "bench key=value..." line; summary.py prints the table from them (per
# row the median of the per-round ratios tls_rekey / tls.ko and their
# spread) and scripts/bench.sh draws the chart.
set -eEu
trap 'echo "run.sh: line $LINENO: \"$BASH_COMMAND\" failed ($?)" >&2' ERR
B=/build/selftests/$VARIANT/tls_bench
M=/build/selftests/$VARIANT/tls_mem
PAIRS=${TLS_REKEY_BENCH_PAIRS:-1000}
ROUNDS=${TLS_REKEY_BENCH_ROUNDS:-12}
MB=${TLS_REKEY_BENCH_MB:-32}
FILE_MB=${TLS_REKEY_BENCH_FILE_MB:-64}
SIZES=${TLS_REKEY_BENCH_SIZES:-256 1024 4096 16384}
REPS=${TLS_REKEY_BENCH_REPS:-3}
FILE=/tmp/tls_bench.file
OUT=/tmp/bench.out

# rows MB FILE_MB: every row of a round, kTLS then plain TCP, as
# "kind=tls|tcp dir=..." lines.
rows() {
	local d s k p
	for d in tx rx e2e; do
		for s in $SIZES sendfile; do
			[ "$s:$d" = sendfile:rx ] && continue
			for k in tls tcp; do
				p=
				[ $k = tcp ] && p=-p
				if [ "$s" = sendfile ]; then
					"$B" $p -f "$FILE" -d $d 16384 "$2"
				else
					"$B" $p -d $d "$s" "$1"
				fi | sed "s/^/kind=$k dir=/"
			done
		done
	done
}

# rmmod, again for a while if the module is still in use (a socket that
# has just been closed may hold it).
unload() {
	local i
	for i in $(seq 50); do
		rmmod "$1" 2>/dev/null && return
		sleep 0.2
	done
	rmmod "$1"
}

# use tls_rekey|tls.ko: make that module the "tls" ULP.
use() {
	if [ "$1" = tls_rekey ]; then
		grep -q '^tls_rekey ' /proc/modules && return
		unload tls
		insmod "$MODULE"
	else
		grep -q '^tls ' /proc/modules && return
		unload tls_rekey
		insmod "$TLS_KO"
	fi
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

# TLS 1.3 rekey-heavy transfers over the simulated NIC: 16 KiB records, a
# KeyUpdate every 64 (tls_bench -k 64; "-rekey" rows) and the same without
# (the base), TX and RX (the receiver takes each KeyUpdate with TLS_RX),
# with the NIC holding one key generation per flow and direction (dev1)
# and two (dev2), and in software (the NIC refuses the key: sw; the only
# rows of tls.ko, which offloads TLS 1.2 only). TX: records framed for the
# device go out unsealed (tx_plain), so the sender's CPU is the ULP's own,
# records sealed in software while the device waits for a key included.
# RX: rx_sw_records, the records the receiver opened in software after a
# KeyUpdate before the device decrypted one whole again
# (TlsRxDeviceRekeySwRecords). Then (tls_rekey) the RX stall per KeyUpdate:
# a KeyUpdate after every record, taken by the receiving program with
# TLS_RX as upstream has it ("stall13-ROW-upstream") or by the kernel's key
# schedule (tls_bench -s, "stall13-ROW-kernel"); summary.py takes the
# rx13-ROW row without KeyUpdates as the base.
measure_rekey() {
	local dbg=/sys/kernel/debug/tlsnic n row k sw now line mode modes="sw dev"
	[ "$1" = tls_rekey ] || modes=sw
	for n in 1 2; do
		insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko" tx_generations=$n rx_generations=$n
		tnic_pair
		for row in $modes; do
			if [ $row = sw ] && [ $n = 2 ]; then continue; fi
			echo N >$dbg/refuse_dev_add; echo N >$dbg/tx_plain
			if [ $row = sw ]; then echo Y >$dbg/refuse_dev_add; else echo Y >$dbg/tx_plain; row=dev$n; fi
			for k in "" "-k 64"; do
				# shellcheck disable=SC2086
				"$B" $k 16384 "$MB" 13 tna tnb 10.77.0.2 >/dev/null
				for _ in $(seq "$REPS"); do
					# shellcheck disable=SC2086
					"$B" $k 16384 "$MB" 13 tna tnb 10.77.0.2 |
						sed "s/^tx /tx13-$row${k:+-rekey} /"
				done
				for _ in $(seq "$REPS"); do
					sw=$(tls_stat tnb TlsRxDeviceRekeySwRecords)
					# shellcheck disable=SC2086
					line=$("$B" $k 16384 "$MB" 13 tnb tna 10.77.0.2 rx)
					now=$(tls_stat tnb TlsRxDeviceRekeySwRecords)
					echo "rx13-$row${k:+-rekey} ${line#rx } rx_sw_records=$((${now:-0} - ${sw:-0}))"
				done
			done
			[ "$1" = tls_rekey ] || continue
			for k in "" "-s"; do
				mode=upstream
				[ -n "$k" ] && mode=kernel
				# shellcheck disable=SC2086
				"$B" -k 1 $k 16384 "$MB" 13 tnb tna 10.77.0.2 rx >/dev/null
				for _ in $(seq "$REPS"); do
					sw=$(tls_stat tnb TlsRxDeviceRekeySwRecords)
					# shellcheck disable=SC2086
					line=$("$B" -k 1 $k 16384 "$MB" 13 tnb tna 10.77.0.2 rx)
					now=$(tls_stat tnb TlsRxDeviceRekeySwRecords)
					echo "stall13-$row-$mode ${line#rx } rx_sw_records=$((${now:-0} - ${sw:-0}))"
				done
			done
		done
		echo N >$dbg/refuse_dev_add; echo N >$dbg/tx_plain
		tnic_unpair
		rmmod tlsnic
	done
}
. /src/tools/testing/selftests/tls_rekey/device.sh

grep -q '^tls_rekey ' /proc/modules
start=$(date +%s)
: >$OUT
for p in $(seq 0 $((ROUNDS - 1))); do
	if [ $((p % 2)) = 0 ]; then order="tls_rekey tls.ko"; else order="tls.ko tls_rekey"; fi
	r=$((2 * p))
	for m in $order; do
		use $m
		echo "bench: round $((r + 1))/$((2 * ROUNDS)) ($m) at $(($(date +%s) - start)) s" >&2
		# Unmeasured first: under TCG a code path's first pass pays
		# for translating it (measured: 36 ns/B, then 6 ns/B), and
		# each insmod puts the module's code at new addresses.
		rows 1 1 >/dev/null
		rows "$MB" "$FILE_MB" | sed "s/^/bench round=$r module=$m /" | tee -a $OUT
		r=$((r + 1))
	done
done
for m in tls_rekey tls.ko; do
	use $m
	echo "bench: memory and device rows ($m) at $(($(date +%s) - start)) s" >&2
	{ "$M" "$PAIRS"; measure_nic; measure_rekey $m; } | sed "s/^\([^ ]*\) /bench module=$m dir=\1 /" | tee -a $OUT
done
use tls_rekey
echo "bench: done in $(($(date +%s) - start)) s" >&2
echo
python3 -B /src/tools/testing/bench/summary.py <$OUT
