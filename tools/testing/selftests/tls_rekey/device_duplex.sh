# SPDX-License-Identifier: GPL-2.0
#
# Both directions on the device: each end of a connection over the
# simulated TLS-offload NIC (tlsnic) sets TLS_TX and TLS_RX, both send at
# once (offload.py with OFFLOAD_DUPLEX=1) and both check every byte they
# receive. Then the same under faults all at once: loss and duplication on
# both wires, reordering on the device, a forced loss of RX sync and one
# end's device going down and up halfway. Sourced after device.sh and
# device_rx.sh (check, tnic_pair, rx_transfer, tls_stat, tnic_counter) by
# vm_tests.sh.
#
# TLS_REKEY_DEVICE_BYTES: bytes each way (default 4 MiB);
# TLS_REKEY_DEVICE_SHORT=1: AES-GCM-128 only, the faults on TLS 1.2 only.

# duplex_stat NAME: NAME of /proc/net/tls_stat, both namespaces summed.
duplex_stat() { echo $(($(tls_stat tna "$1") + $(tls_stat tnb "$1"))); }

# duplex_run NAME VERSION CIPHER [HOOK]: one checked transfer each way,
# with the counters it moved in DUPLEX_TX (records the NIC sealed),
# DUPLEX_RX (records it opened), DUPLEX_TX_DEV and DUPLEX_RX_DEV (sockets
# whose TX and RX went to the device).
duplex_run() {
	local name=$1 version=$2 cipher=$3 hook=${4:-} tx rx txd rxd rc
	tx=$(tnic_counter tx_records_encrypted)
	rx=$(tnic_counter rx_records_decrypted)
	txd=$(duplex_stat TlsTxDevice)
	rxd=$(duplex_stat TlsRxDevice)
	export OFFLOAD_DUPLEX=1
	rx_transfer "$name" "$DUPLEX_BYTES" "$version" "$cipher" "$hook"
	rc=$?
	unset OFFLOAD_DUPLEX
	DUPLEX_TX=$(($(tnic_counter tx_records_encrypted) - tx))
	DUPLEX_RX=$(($(tnic_counter rx_records_decrypted) - rx))
	DUPLEX_TX_DEV=$(($(duplex_stat TlsTxDevice) - txd))
	DUPLEX_RX_DEV=$(($(duplex_stat TlsRxDevice) - rxd))
	echo "$name: device sealed $DUPLEX_TX, opened $DUPLEX_RX of $((2 * DUPLEX_BYTES / 16384)) records; TX on device $DUPLEX_TX_DEV, RX $DUPLEX_RX_DEV sockets"
	return $rc
}

# device_duplex_tests PREFIX [RX13]: RX13=1 when the loaded ULP offloads
# TLS 1.3 to a device that declares it (tls_rekey); 0 (tls.ko): TLS 1.3
# stays in software.
device_duplex_tests() {
	local p=$1 rx13=${2:-0} v c on records ciphers="gcm128 gcm256" faults="12 13"
	DUPLEX_BYTES=${TLS_REKEY_DEVICE_BYTES:-4194304}
	# The debug kernel's short set: one key size, the faults on TLS 1.2.
	if [ "${TLS_REKEY_DEVICE_SHORT:-0}" = 1 ]; then
		ciphers=gcm128
		faults=12
	fi
	records=$((DUPLEX_BYTES / 16384))
	check "$p.tlsnic_loads" insmod "${TNIC_KO:-/build/module/$VARIANT/tlsnic/tlsnic.ko}"
	check "$p.pair" tnic_pair
	for v in 12 13; do
		on=1
		[ "$v" = 13 ] && on=$rx13
		for c in $ciphers; do
			check "$p.tls$v.$c.byte_exact" duplex_run "tls$v.$c" $v $c
			if [ "$on" = 1 ]; then
				check "$p.tls$v.$c.tx_both_on_device" [ "$DUPLEX_TX_DEV" = 2 ]
				check "$p.tls$v.$c.rx_both_on_device" [ "$DUPLEX_RX_DEV" = 2 ]
				check "$p.tls$v.$c.sealed_by_device" [ "$DUPLEX_TX" -ge $((2 * records)) ]
				check "$p.tls$v.$c.opened_by_device" [ "$DUPLEX_RX" -ge "$records" ]
			else
				check "$p.tls$v.$c.stays_in_software" [ "$DUPLEX_TX_DEV$DUPLEX_RX_DEV" = 00 ]
			fi
		done
	done

	# Everything at once. Loss and duplication on both wires (no netem
	# delay: it orphans the skbs it holds and the stack drops device-TLS
	# skbs without a socket), every 200th segment reordered by the
	# receiving device, and halfway, while both senders wait: the device
	# loses RX sync, and the server's device goes down and up (its TX then
	# goes through the fallback, its RX to software).
	tc -n tna qdisc add dev tn0 root netem loss 1% duplicate 1%
	tc -n tnb qdisc add dev tn1 root netem loss 1% duplicate 1%
	echo 200 >"$TNIC_DBG/rx_reorder_every"
	for v in $faults; do
		[ "$v" = 13 ] && [ "$rx13" != 1 ] && continue
		local fb
		fb=$(tls_stat tnb TlsTxDeviceFallback)
		check "$p.faults.tls$v.byte_exact" duplex_run "faults.tls$v" $v gcm256 \
			"echo Y >$TNIC_DBG/rx_lose_sync; ip -n tnb link set tn1 down; sleep 0.5; ip -n tnb link set tn1 up; sleep 0.5"
		check "$p.faults.tls$v.on_device" [ "$DUPLEX_TX_DEV" = 2 -a "$DUPLEX_RX_DEV" = 2 ]
		# The device seals most records: the client's all along, the
		# server's until its device went down. It opens fewer: each loss
		# on a wire costs the receiving device its sync until the ULP's
		# reader reaches the record of the resync, a receive queue later
		# (tls_rekey measured 25-30 % of all records at 64 MiB, tls.ko 15 %).
		check "$p.faults.tls$v.sealed_by_device" [ "$DUPLEX_TX" -ge "$records" ]
		check "$p.faults.tls$v.opened_by_device" [ "$DUPLEX_RX" -ge $((records / 8)) ]
		# TlsTxDeviceFallback is tls_rekey's (tls.ko has none).
		if [ -n "$fb" ]; then
			check "$p.faults.tls$v.fallback_counted" [ "$(tls_stat tnb TlsTxDeviceFallback)" -gt "$fb" ]
		fi
	done
	echo 0 >"$TNIC_DBG/rx_reorder_every"
	tc -n tna -s qdisc show dev tn0 | sed -n 's/^ *\(Sent .*\)/faults tn0: \1/p'
	tc -n tnb -s qdisc show dev tn1 | sed -n 's/^ *\(Sent .*\)/faults tn1: \1/p'
	tc -n tna qdisc del dev tn0 root
	tc -n tnb qdisc del dev tn1 root
	check "$p.no_rx_errors" [ "$(tnic_counter rx_errors)" = 0 ]
	check "$p.tx_errors_zero" [ "$(tnic_counter tx_errors)" = 0 ]
	tnic_unpair
	check "$p.no_flows_left" [ "$(tnic_counter tx_flows)$(tnic_counter rx_flows)" = 00 ]
	check "$p.tlsnic_unloads" rmmod tlsnic
}

# device_duplex_rekey_tests PREFIX N: TLS 1.3 with both directions of both
# ends on a NIC holding N key generations per flow and direction, both
# ends sending at once with a KeyUpdate every 64 records (every eighth of
# the transfer if less) each way, AES-GCM-128 and -256, then AES-GCM-128
# under 1 % loss and 1 % duplication on both wires and every 200th
# segment reordered by the receiving device (tls_rekey only).
# With N >= 2 no record after a KeyUpdate is sealed in software waiting
# for the device (TlsTxDeviceRekeySwRecords 0) and every key goes onto the
# device both ways; with N = 1 the software windows are counted.
# With N = 3, the faults only (CI time: the runs without faults go as with
# N = 2). With N = 2 also a KeyUpdate after every record each way
# (every_record). Where eight generations still had records to be
# acknowledged at a KeyUpdate (TlsTxDeviceGenFull, as in device.sh), the
# new key waited for a slot: its records in software, counted.
# TLS_REKEY_DEVICE_SHORT=1: AES-GCM-128 without faults only.
device_duplex_rekey_tests() {
	local p=$1 n=$2 c cipher every kus tx0 sw0 rx0 fb0 full0 tx sw rx fb full runs="gcm128 gcm256 faults"
	[ "$n" = 2 ] && runs="$runs every_record"
	[ "$n" -ge 3 ] && runs=faults
	[ "${TLS_REKEY_DEVICE_SHORT:-0}" = 1 ] && runs=gcm128
	DUPLEX_BYTES=${TLS_REKEY_DEVICE_BYTES:-4194304}
	check "$p.tlsnic_loads" insmod "${TNIC_KO:-/build/module/$VARIANT/tlsnic/tlsnic.ko}" \
		tx_generations="$n" rx_generations="$n"
	check "$p.pair" tnic_pair
	for c in $runs; do
		every=$((DUPLEX_BYTES / 8 < 1048576 ? DUPLEX_BYTES / 8 : 1048576))
		[ $c = every_record ] && every=16384
		kus=$(((DUPLEX_BYTES - 1) / every))
		cipher=gcm128
		[ "${c#gcm}" != "$c" ] && cipher=$c
		export OFFLOAD_REKEY=$every
		if [ $c = faults ]; then
			tc -n tna qdisc add dev tn0 root netem loss 1% duplicate 1%
			tc -n tnb qdisc add dev tn1 root netem loss 1% duplicate 1%
			echo 200 >"$TNIC_DBG/rx_reorder_every"
		fi
		tx0=$(duplex_stat TlsTxDeviceRekey) sw0=$(duplex_stat TlsTxDeviceRekeySwRecords)
		rx0=$(duplex_stat TlsRxDeviceRekey) fb0=$(duplex_stat TlsTxDeviceFallbackRetired)
		full0=$(duplex_stat TlsTxDeviceGenFull)
		check "$p.$c.byte_exact" eval 'RX_REKEY=rekey:$every duplex_run "rekey.$c" 13 $cipher'
		tx=$(($(duplex_stat TlsTxDeviceRekey) - tx0))
		sw=$(($(duplex_stat TlsTxDeviceRekeySwRecords) - sw0))
		rx=$(($(duplex_stat TlsRxDeviceRekey) - rx0))
		fb=$(($(duplex_stat TlsTxDeviceFallbackRetired) - fb0))
		full=$(($(duplex_stat TlsTxDeviceGenFull) - full0))
		echo "rekey.$c: $kus KeyUpdates each way; TX keys onto the device $tx, records sealed in software waiting for it $sw (new keys waiting for a slot $full), fallback for given-up generations $fb; RX keys onto the device $rx"
		if [ $c = faults ]; then
			echo 0 >"$TNIC_DBG/rx_reorder_every"
			tc -n tna qdisc del dev tn0 root
			tc -n tnb qdisc del dev tn1 root
		fi
		check "$p.$c.on_device" [ "$DUPLEX_TX_DEV" = 2 -a "$DUPLEX_RX_DEV" = 2 ]
		check "$p.$c.rx_keys_on_device" [ "$rx" = $((2 * kus)) ]
		if [ "$n" -ge 2 ] && [ "$full" = 0 ]; then
			check "$p.$c.tx_keys_on_device" [ "$tx" = $((2 * kus)) ]
			check "$p.$c.no_software_window" [ "$sw" = 0 ]
		elif [ "$n" -ge 2 ]; then
			check "$p.$c.software_window_counted" [ "$sw" -gt 0 ]
		else
			check "$p.$c.tx_back_on_device" [ "$tx" -ge 1 ]
		fi
	done
	unset OFFLOAD_REKEY
	check "$p.no_rx_errors" [ "$(tnic_counter rx_errors)" = 0 ]
	check "$p.tx_errors_zero" [ "$(tnic_counter tx_errors)" = 0 ]
	check "$p.no_record_without_key" [ "$(tnic_counter tx_no_key)" = 0 ]
	tnic_unpair
	check "$p.no_flows_left" [ "$(tnic_counter tx_flows)$(tnic_counter rx_flows)" = 00 ]
	check "$p.tlsnic_unloads" rmmod tlsnic
}
