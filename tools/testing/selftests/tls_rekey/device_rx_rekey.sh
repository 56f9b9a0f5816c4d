# SPDX-License-Identifier: GPL-2.0
#
# TLS 1.3 KeyUpdates on a device RX socket (tls_rekey only): the sender
# (offload.py client) sends KeyUpdates, the receiver takes each with
# TLS_RX as a TLS library does, and every byte is checked. Sourced after
# device.sh and device_rx.sh (check, tnic_pair, rx_transfer, rx_mark,
# rx_delta, tls_stat, tnic_counter) by vm_tests.sh.
#
# Records after a KeyUpdate that reach the device before the reader
# installed the next key are opened in software (the burst,
# TlsRxDeviceRekeySwRecords); the device takes over again once it holds
# the new key (TlsRxDeviceRekey) and has found its way in the stream.
# With one key per flow (N = 1) RX leaves the device at the KeyUpdate and
# goes back with the next key (tls_dev_add); with N >= 2 the next key goes
# in the next slot (gen_add, the NIC's rx_gen_adds), the flow staying.
#
# TLS_REKEY_DEVICE_BYTES: bytes per transfer (default 4 MiB);
# TLS_REKEY_DEVICE_SHORT=1 (debug kernel): AES-GCM-128 paused and every 64
# records only.

# rx_rekey_report NAME KEYUPDATES: the burst per KeyUpdate.
rx_rekey_report() {
	local sw
	sw=$(rx_delta TlsRxDeviceRekeySwRecords)
	echo "$1: $2 KeyUpdates, the device took the new key $(rx_delta TlsRxDeviceRekey) times," \
		"decrypted $(rx_delta rx_records_decrypted) records; $sw records in software" \
		"after a KeyUpdate ($((sw / ($2 > 0 ? $2 : 1))) per KeyUpdate)"
}

# device_rx_rekey_tests PREFIX N: over a NIC holding N RX key generations
# per flow.
device_rx_rekey_tests() {
	local p=$1 n=$2 nbytes=${TLS_REKEY_DEVICE_BYTES:-4194304} records every kus
	local short=${TLS_REKEY_DEVICE_SHORT:-0}
	records=$((nbytes / 16384))
	every=$((nbytes / 8 < 1048576 ? nbytes / 8 : 1048576))
	check "$p.tlsnic_loads" insmod "${TNIC_KO:-/build/module/$VARIANT/tlsnic/tlsnic.ko}" rx_generations="$n"
	check "$p.pair" tnic_pair

	# A KeyUpdate halfway, AES-GCM-128 and -256: the device decrypts
	# most records after it again. (Not on the debug kernel: the
	# KeyUpdates every 64 records below take the same paths.)
	local c ciphers="gcm128 gcm256"
	[ "$short" = 1 ] && ciphers=
	for c in $ciphers; do
		rx_mark
		check "$p.halfway.$c.byte_exact" eval 'RX_REKEY=rekey rx_transfer halfway.$c "$nbytes" 13 $c'
		rx_rekey_report "halfway.$c" 1
		check "$p.halfway.$c.back_on_device" [ "$(rx_delta TlsRxDeviceRekey)" = 1 ]
		# Half of the records and the KeyUpdate came before it. (With
		# few records, debug kernel, the burst may take all the rest.)
		if [ "$records" -ge 256 ]; then
			check "$p.halfway.$c.decrypting_again" \
				[ "$(rx_delta rx_records_decrypted)" -gt $((records / 2 + 1)) ]
		fi
		if [ "$n" -ge 2 ]; then
			check "$p.halfway.$c.generation_added" [ "$(rx_delta rx_gen_adds)" = 1 ]
		fi
	done

	# The same with the receiver not reading for a second before the
	# KeyUpdate: the KeyUpdate and the records after it reach the device
	# while it has the old key only. It transforms the first of them with
	# that key until the tag fails, and the reader undoes that. Whatever
	# the sender sent in that second is past the device by the time the
	# next key is installed: opened in software (the whole rest, at times).
	rx_mark
	check "$p.paused.byte_exact" eval 'RX_REKEY=rekey RX_PAUSE=1 rx_transfer paused "$nbytes" 13 gcm128'
	rx_report paused
	rx_rekey_report paused 1
	check "$p.paused.device_saw_next_key" [ "$(rx_delta rx_auth_failed)" -ge 1 ]
	check "$p.paused.back_on_device" [ "$(rx_delta TlsRxDeviceRekey)" = 1 ]
	check "$p.paused.burst_counted" [ "$(rx_delta TlsRxDeviceRekeySwRecords)" -ge 1 ]
	if [ "$n" -ge 2 ]; then
		# The flow stayed: the new key in the next slot; the NIC, whose
		# tag check failed at the first record after the KeyUpdate,
		# learns that it was the new generation's first and resumes at
		# the next record start without waiting for a resync.
		check "$p.paused.generation_added" [ "$(rx_delta rx_gen_adds)" = 1 ]
		check "$p.paused.resumed_at_boundary" [ "$(rx_delta rx_gen_resumes)" = 1 ]
	fi

	# A KeyUpdate every 64 records (every eighth of the transfer if
	# less): the device takes every key again.
	kus=$(((nbytes - 1) / every))
	rx_mark
	check "$p.often.byte_exact" eval 'RX_REKEY=rekey:$every rx_transfer often "$nbytes" 13 gcm128'
	rx_rekey_report often "$kus"
	check "$p.often.back_on_device" [ "$(rx_delta TlsRxDeviceRekey)" = "$kus" ]
	if [ "$n" -ge 2 ]; then
		check "$p.often.generations_added" [ "$(rx_delta rx_gen_adds)" = "$kus" ]
	fi
	if [ "$records" -ge 256 ]; then
		check "$p.often.decrypting_again" [ "$(rx_delta rx_records_decrypted)" -gt $((records / 2)) ]
	fi

	# The kernel's key schedule on both ends (TLS_TX_SECRET,
	# TLS_RX_SECRET), the same KeyUpdates: the reader takes each itself.
	# With N >= 2 the device holds the next generation before its
	# KeyUpdate (gen_add_ahead, TlsRxDeviceGenAhead: one at the start, one
	# after each KeyUpdate), finds the KeyUpdate and opens the records
	# after it with the next key: no record goes through software, and
	# the reader only says where the generation started (no gen_add).
	rx_mark
	export OFFLOAD_SCHEDULE=$every
	check "$p.schedule.byte_exact" eval 'RX_REKEY=rekey:$every rx_transfer schedule "$nbytes" 13 gcm128'
	unset OFFLOAD_SCHEDULE
	rx_rekey_report schedule "$kus"
	check "$p.schedule.back_on_device" [ "$(rx_delta TlsRxDeviceRekey)" = "$kus" ]
	if [ "$n" -ge 2 ]; then
		check "$p.schedule.ahead" [ "$(rx_delta TlsRxDeviceGenAhead)" = $((kus + n - 1)) ]
		check "$p.schedule.device_found_each" [ "$(rx_delta rx_gen_found)" = "$kus" ]
		check "$p.schedule.no_gen_add" [ "$(rx_delta rx_gen_adds)" = 0 ]
		check "$p.schedule.no_software_burst" [ "$(rx_delta TlsRxDeviceRekeySwRecords)" = 0 ]
		check "$p.schedule.no_auth_failed" [ "$(rx_delta rx_auth_failed)" = 0 ]

		# The device refuses generations ahead: each goes in at its
		# KeyUpdate (gen_add), after a burst, as with TLS_RX.
		echo Y >"$TNIC_DBG/refuse_gen_ahead"
		rx_mark
		export OFFLOAD_SCHEDULE=$every
		check "$p.schedule_refused_ahead.byte_exact" \
			eval 'RX_REKEY=rekey:$every rx_transfer schedule_refused_ahead "$nbytes" 13 gcm128'
		unset OFFLOAD_SCHEDULE
		echo N >"$TNIC_DBG/refuse_gen_ahead"
		rx_rekey_report schedule_refused_ahead "$kus"
		check "$p.schedule_refused_ahead.generations_added" \
			[ "$(rx_delta TlsRxDeviceGenAhead)" = 0 -a "$(rx_delta rx_gen_adds)" = "$kus" ]
	fi

	# The same under loss, reordering and duplication on the sender's
	# wire (its TX in software, as device_rx.sh's netem run).
	if [ "$short" != 1 ]; then
		echo Y >"$TNIC_DBG/refuse_tx_add"
		ip -n tna link set tn0 gso_max_size 16384
		tc -n tna qdisc add dev tn0 root netem delay 1ms reorder 5% 50% loss 1% duplicate 1%
		rx_mark
		check "$p.often.netem.byte_exact" eval 'RX_REKEY=rekey:$every rx_transfer often_netem "$nbytes" 13 gcm128'
		rx_rekey_report often_netem "$kus"
		tc -n tna qdisc del dev tn0 root
		ip -n tna link set tn0 gso_max_size 65536
		echo N >"$TNIC_DBG/refuse_tx_add"
		check "$p.often.netem.back_on_device" [ "$(rx_delta TlsRxDeviceRekey)" = "$kus" ]
		check "$p.often.netem.decrypting_again" [ "$(rx_delta rx_records_decrypted)" -gt 0 ]
	fi

	if [ "$short" != 1 ]; then
		# A KeyUpdate after every record: the device gets each key back as
		# the reader reaches the next KeyUpdate, and loses it there.
		rx_mark
		check "$p.every_record.byte_exact" eval 'RX_REKEY=rekey:16384 rx_transfer every_record "$nbytes" 13 gcm128'
		rx_rekey_report every_record $((records - 1))
		if [ "$n" -ge 2 ]; then
			check "$p.every_record.generations_added" \
				[ "$(rx_delta TlsRxDeviceRekey)" = $((records - 1)) -a "$(rx_delta rx_gen_adds)" = $((records - 1)) ]
		else
			check "$p.every_record.back_on_device" [ "$(rx_delta TlsRxDeviceRekey)" -ge 1 ]
		fi

		# The device refuses the next key (the knobs set while the sender
		# pauses before the KeyUpdate): the rest is opened in software.
		rx_mark
		check "$p.refused.byte_exact" eval 'RX_REKEY=rekey rx_transfer refused "$nbytes" 13 gcm128 \
			"echo Y >$TNIC_DBG/refuse_dev_add; echo Y >$TNIC_DBG/refuse_gen_add"'
		echo N >"$TNIC_DBG/refuse_dev_add"
		echo N >"$TNIC_DBG/refuse_gen_add"
		rx_rekey_report refused 1
		check "$p.refused.stays_off" [ "$(rx_delta TlsRxDeviceRekey)" = 0 ]
		if [ "$n" -ge 2 ]; then
			# It refuses the next generation only: RX leaves the device and
			# goes back as with one key per flow.
			rx_mark
			check "$p.gen_refused.byte_exact" eval 'RX_REKEY=rekey rx_transfer gen_refused "$nbytes" 13 gcm128 "echo Y >$TNIC_DBG/refuse_gen_add"'
			echo N >"$TNIC_DBG/refuse_gen_add"
			rx_rekey_report gen_refused 1
			check "$p.gen_refused.back_on_device" \
				[ "$(rx_delta TlsRxDeviceRekey)" = 1 -a "$(rx_delta rx_gen_adds)" = 0 ]
		fi
	fi

	# The device goes down and up before the KeyUpdate: RX left the
	# device then, and the new key does not go there.
	if [ "$short" != 1 ]; then
		rx_mark
		check "$p.after_down.byte_exact" eval 'RX_REKEY=rekey rx_transfer after_down "$nbytes" 13 gcm128 \
			"ip -n tnb link set tn1 down; sleep 0.5; ip -n tnb link set tn1 up; sleep 0.5"'
		rx_rekey_report after_down 1
		check "$p.after_down.stays_off" [ "$(rx_delta TlsRxDeviceRekey)" = 0 ]
	fi

	check "$p.no_rx_errors" [ "$(tnic_counter rx_errors)" = 0 ]
	check "$p.no_rx_flows_left" [ "$(cat "$TNIC_DBG/rx_flows")" = 0 ]
	tnic_unpair
	check "$p.tlsnic_unloads" rmmod tlsnic
}
