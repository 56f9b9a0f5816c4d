# SPDX-License-Identifier: GPL-2.0
#
# Device RX offload over the simulated TLS-offload NIC (tlsnic): the
# receiver's TLS_RX on its device (tn1), which decrypts records with real
# AES-GCM and hands the ULP decrypted skbs, ciphertext it could not
# decrypt, and resync requests after losing sync; every transfer is checked
# byte for byte by offload.py. Sourced after device.sh (tnic_pair,
# transfer helpers, tls_stat, tnic_counter) by a script that defines check
# (vm_tests.sh); or run on its own in the VM:
#
#   bash device_rx.sh [--tls-ko] [PREFIX [RX13]]
#
# which defines check, with --tls-ko first swaps tls_rekey for the in-tree
# tls.ko, and runs device_rx_tests (exit status 1 if a check failed).
#
# TLS_REKEY_DEVICE_BYTES: bytes per transfer (default 4 MiB); TNIC_KO: the
# tlsnic.ko to load (default /build/module/$VARIANT/tlsnic/tlsnic.ko).

# The counters the tests look at: the NIC's, and the receiver's tls_stat.
RX_COUNTERS="rx_tls_segments rx_records_decrypted rx_records_passed rx_auth_failed rx_resync_requests rx_resyncs rx_resyncs_ignored rx_reordered rx_corrupted rx_gen_adds rx_gen_resumes rx_gen_ahead_adds rx_gen_found"
RX_STATS="TlsRxDevice TlsRxDeviceResync TlsDecryptError TlsRxSw TlsRxDeviceRekey TlsRxDeviceRekeySwRecords TlsRxDeviceGenAhead"
declare -A RX_MARK

rx_mark() {
	local c
	for c in $RX_COUNTERS; do RX_MARK[$c]=$(tnic_counter "$c"); done
	for c in $RX_STATS; do RX_MARK[$c]=$(tls_stat tnb "$c"); done
}

# rx_delta NAME: growth of a counter or tls_stat since rx_mark.
rx_delta() {
	local now
	case " $RX_STATS " in
	*" $1 "*) now=$(tls_stat tnb "$1") ;;
	*) now=$(tnic_counter "$1") ;;
	esac
	echo $((${now:-0} - ${RX_MARK[$1]:-0}))
}

rx_report() {
	local c line="$1:"
	for c in $RX_COUNTERS $RX_STATS; do line="$line $c+$(rx_delta "$c")"; done
	echo "$line"
}

# rx_transfer NAME NBYTES VERSION CIPHER [HOOK]: one checked transfer
# tna -> tnb (port RX_PORT, default 4600; to RX_ADDR, default 10.77.0.2;
# RX_EXPECT=ebadmsg: the receiver must get EBADMSG; RX_REKEY=rekey: a TLS 1.3
# KeyUpdate halfway, see offload.py; RX_PAUSE=SECONDS: the receiver stops
# reading that long at half of the bytes). HOOK, a command, runs
# while the sender pauses halfway.
rx_transfer() {
	local name=$1 nbytes=$2 version=$3 cipher=$4 hook=${5:-}
	local port=${RX_PORT:-4600} out pause=- srv hk= rc crc start
	out=$(mktemp)
	start=$(date +%s%N)
	[ -n "$hook" ] && pause=$(mktemp -u)
	# In duplex the server's sender waits halfway too (OFFLOAD_PAUSE).
	ip netns exec tnb env OFFLOAD_IPV6="${RX_IPV6:-0}" OFFLOAD_RX_PAUSE="${RX_PAUSE:-0}" \
		OFFLOAD_PAUSE="${pause#-}" python3 "$OFFLOAD_PY" server \
		"$port" "$nbytes" "$version" "$cipher" ${RX_EXPECT:-} >"$out" 2>&1 &
	srv=$!
	if [ -n "$hook" ]; then
		(
			for _ in $(seq 1200); do [ -e "$pause.half" ] && break; sleep 0.05; done
			eval "$hook"
			touch "$pause.go"
		) &
		hk=$!
	fi
	# With RX_EXPECT=ebadmsg the sender sees the receiver go away.
	ip netns exec tna python3 "$OFFLOAD_PY" client "${RX_ADDR:-10.77.0.2}" "$port" \
		"$nbytes" "$version" "$cipher" "$pause" ${RX_REKEY:-} >"$out.client" 2>&1
	crc=$?
	wait $srv
	rc=$?
	# The client checks what it receives too (OFFLOAD_DUPLEX).
	[ -z "${RX_EXPECT:-}" ] && [ "$crc" != 0 ] && rc=1
	[ -n "$hk" ] && wait "$hk"
	echo "$name: $(cat "$out") in $((($(date +%s%N) - start) / 1000000)) ms"
	[ -z "${RX_EXPECT:-}" ] && [ -s "$out.client" ] && sed 's/^/  client: /' "$out.client"
	rm -f -- "$out" "$out.client" "$pause.half" "$pause.go"
	return $rc
}

# The receiver's socket as sock_diag reports it (TLS_INFO): rxconf hw.
rx_info_hw() {
	ip netns exec tnb ss -Htni "sport = :${RX_PORT:-4600}" >/tmp/rx_info 2>&1
	grep -q "rxconf: hw" /tmp/rx_info
}

# device_rx_tests PREFIX [RX13]: RX13=1 when the loaded ULP offloads
# TLS 1.3 RX to a device that declares it (tls_rekey); 0 (tls.ko): TLS 1.3
# RX stays in software.
device_rx_tests() {
	local p=$1 rx13=${2:-0} nbytes=${TLS_REKEY_DEVICE_BYTES:-4194304} v c
	local short=${TLS_REKEY_DEVICE_SHORT:-0} ciphers="gcm128 gcm256"
	[ "$short" = 1 ] && ciphers=gcm128
	local records
	records=$((nbytes / 16384))
	check "$p.tlsnic_loads" insmod "${TNIC_KO:-/build/module/$VARIANT/tlsnic/tlsnic.ko}"
	# Crypto checked at load: TLS 1.2/1.3, AES-GCM-128/256, records
	# sealed by gcm(aes) and opened by the NIC's state machine.
	check "$p.selftest" [ "$(cat "$TNIC_DBG/rx_selftest")" = 1 ]
	check "$p.pair" tnic_pair
	ip -n tna addr add fd77::1/64 dev tn0 nodad
	ip -n tnb addr add fd77::2/64 dev tn1 nodad

	# Both ends on the device: the sender's NIC seals, the receiver's
	# opens. Records the receiver had queued before TLS_RX (sent right
	# after the handshake) arrive before the flow exists; the NIC may
	# start out of sync and resync at once. (Not on the debug kernel: its
	# loss-of-sync, resync and corrupt-record runs below are TLS 1.2
	# AES-GCM-128 transfers on the device too.)
	local ciphers12=$ciphers
	[ "$short" = 1 ] && ciphers12=
	for c in $ciphers12; do
		rx_mark
		check "$p.tls12.$c.byte_exact" rx_transfer "tls12.$c" "$nbytes" 12 $c
		rx_report "tls12.$c"
		check "$p.tls12.$c.rx_device" [ "$(rx_delta TlsRxDevice)" -ge 1 ]
		check "$p.tls12.$c.records_decrypted" [ "$(rx_delta rx_records_decrypted)" -ge $((records / 2)) ]
		check "$p.tls12.$c.no_auth_failures" [ "$(rx_delta rx_auth_failed)" = 0 ]
	done

	# TLS 1.3: offloaded only when the ULP does (tls_rekey, with the NIC
	# declaring TLS13_RX); tls.ko keeps it in software.
	for c in $ciphers; do
		rx_mark
		check "$p.tls13.$c.byte_exact" rx_transfer "tls13.$c" "$nbytes" 13 $c
		rx_report "tls13.$c"
		if [ "$rx13" = 1 ]; then
			check "$p.tls13.$c.records_decrypted" [ "$(rx_delta rx_records_decrypted)" -ge $((records / 2)) ]
			check "$p.tls13.$c.no_auth_failures" [ "$(rx_delta rx_auth_failed)" = 0 ]
		else
			check "$p.tls13.$c.stays_in_software" [ "$(rx_delta rx_tls_segments)" = 0 ]
		fi
	done

	if [ "$short" != 1 ]; then
		# TLS_INFO (sock_diag) while the transfer pauses halfway: rxconf hw.
		rm -f /tmp/rx_info_ok
		check "$p.tls_info.byte_exact" rx_transfer tls_info "$nbytes" 12 gcm128 \
			'rx_info_hw && touch /tmp/rx_info_ok'
		cat /tmp/rx_info 2>/dev/null | sed -n 's/^[[:space:]]*\(tcp-ulp-tls.*\)/tls_info: \1/p'
		check "$p.tls_info.rxconf_hw" [ -e /tmp/rx_info_ok ]

		# IPv6: the flow found by its IPv6 4-tuple.
		rx_mark
		check "$p.ipv6.byte_exact" eval 'RX_ADDR=fd77::2 RX_IPV6=1 rx_transfer ipv6 "$nbytes" 12 gcm128'
		rx_report ipv6
		check "$p.ipv6.records_decrypted" [ "$(rx_delta rx_records_decrypted)" -ge $((records / 2)) ]

		# Loss, reordering and duplication on the sender's wire (its TX in
		# software: netem orphans the skbs it delays, and the stack drops
		# device-TLS skbs without a socket). netem sees GSO skbs (the NIC
		# has no TSO), so they are kept small for it to hit more segments.
		# The NIC loses sync at each gap, passes ciphertext, asks for a
		# resync and resumes. netem drops whole GSO skbs (some 270 per
		# transfer): at 1% a run saw no gap at all now and then (0 of
		# 3263 segments dropped under tls.ko once), hence 3%.
		echo Y >"$TNIC_DBG/refuse_tx_add"
		ip -n tna link set tn0 gso_max_size 16384
		tc -n tna qdisc add dev tn0 root netem delay 1ms reorder 5% 50% loss 3% duplicate 1%
		rx_mark
		check "$p.netem.byte_exact" rx_transfer netem "$nbytes" 12 gcm128
		rx_report netem
		tc -n tna -s qdisc show dev tn0 | sed -n 's/^ *\(Sent .*\)/netem: \1/p'
		tc -n tna qdisc del dev tn0 root
		ip -n tna link set tn0 gso_max_size 65536
		check "$p.netem.records_decrypted" [ "$(rx_delta rx_records_decrypted)" -gt 0 ]
		check "$p.netem.no_auth_failures" [ "$(rx_delta rx_auth_failed)" = 0 ]
		# A short transfer (under 4 MiB) may see no gap at all.
		if [ "$records" -ge 256 ]; then
			check "$p.netem.records_passed" [ "$(rx_delta rx_records_passed)" -gt 0 ]
			check "$p.netem.resyncs" [ "$(rx_delta rx_resyncs)" -gt 0 ]
			check "$p.netem.tls_stat_resync" [ "$(rx_delta TlsRxDeviceResync)" -gt 0 ]
	fi

	fi

	# The device loses sync once, halfway (rx_lose_sync).
	rx_mark
	check "$p.lose_sync.byte_exact" rx_transfer lose_sync "$nbytes" 12 gcm128 \
		"echo Y >$TNIC_DBG/rx_lose_sync"
	rx_report lose_sync
	check "$p.lose_sync.resynced" [ "$(rx_delta rx_resyncs)" -ge 1 ]
	check "$p.lose_sync.tls_stat_resync" [ "$(rx_delta TlsRxDeviceResync)" -ge 1 ]
	check "$p.lose_sync.records_decrypted" [ "$(rx_delta rx_records_decrypted)" -ge $((records / 2)) ]

	# The same with the two other resync types drivers use, chosen by the
	# NIC at tls_dev_add: DRIVER_REQ_ASYNC (mlx5: the ULP logs record
	# starts in a range, then answers for the header the device settles
	# on) and CORE_NEXT_HINT (nfp: the device waits for the ULP to say
	# where the next record starts: past the last header the ULP has,
	# once TCP holds nothing more). Either way the device resyncs; with
	# DRIVER_REQ_ASYNC it decrypts again within a few records (4 MiB).
	local t
	for t in async:2 next_hint:1; do
		echo "${t#*:}" >"$TNIC_DBG/rx_resync_type"
		rx_mark
		check "$p.${t%:*}.byte_exact" rx_transfer "${t%:*}" "$nbytes" 12 gcm128 \
			"echo Y >$TNIC_DBG/rx_lose_sync"
		rx_report "${t%:*}"
		check "$p.${t%:*}.resynced" [ "$(rx_delta rx_resyncs)" -ge 1 ]
		check "$p.${t%:*}.tls_stat_resync" [ "$(rx_delta TlsRxDeviceResync)" -ge 1 ]
		# More than the half before the loss: decrypting again after it
		# (a short transfer may end before: the first hint can come too
		# late, the device having passed the record start it names). Not
		# for next_hint: as upstream's core-driven resync, the hint goes
		# only once TCP holds nothing past the record the reader is at,
		# which a reader that never catches up with the sender sees first
		# at the end (measured once at 4 MiB: two resyncs, none in time).
		if [ "$records" -ge 256 ] && [ "${t%:*}" = async ]; then
			check "$p.${t%:*}.decrypting_again" [ "$(rx_delta rx_records_decrypted)" -gt $((records / 2)) ]
		fi
	done
	echo 0 >"$TNIC_DBG/rx_resync_type"

	if [ "$short" != 1 ]; then
		# Reordering on the receiver's wire: every 200th TLS segment
		# delivered after the next one. (The ULP confirms a resync when its
		# reader reaches the record, which may be after the next reordering.)
		echo 200 >"$TNIC_DBG/rx_reorder_every"
		rx_mark
		check "$p.reorder.byte_exact" rx_transfer reorder "$nbytes" 12 gcm128
		echo 0 >"$TNIC_DBG/rx_reorder_every"
		rx_report reorder
		if [ "$records" -ge 256 ]; then
			check "$p.reorder.reordered" [ "$(rx_delta rx_reordered)" -gt 0 ]
			check "$p.reorder.resyncs" [ "$(rx_delta rx_resyncs)" -gt 0 ]
			check "$p.reorder.records_decrypted" [ "$(rx_delta rx_records_decrypted)" -gt 0 ]
	fi

	fi

	# A bit flipped in a record's ciphertext on the wire, halfway: the
	# device's tag check fails and it passes that segment as ciphertext;
	# the ULP authenticates the record in software (re-encrypting what
	# the device had decrypted) and the reader gets EBADMSG.
	rx_mark
	check "$p.corrupt.ebadmsg" eval 'RX_EXPECT=ebadmsg rx_transfer corrupt "$nbytes" 12 gcm128 "echo Y >$TNIC_DBG/rx_corrupt"'
	echo N >"$TNIC_DBG/rx_corrupt"
	rx_report corrupt
	check "$p.corrupt.corrupted" [ "$(rx_delta rx_corrupted)" = 1 ]
	check "$p.corrupt.auth_failed" [ "$(rx_delta rx_auth_failed)" -ge 1 ]
	check "$p.corrupt.decrypt_error" [ "$(rx_delta TlsDecryptError)" -ge 1 ]
	echo N >"$TNIC_DBG/refuse_tx_add"

	# The receiver's device goes down and up halfway: the ULP takes RX
	# off the device (tls_dev_del) and decrypts the rest in software.
	rx_mark
	check "$p.down_up.byte_exact" rx_transfer down_up "$nbytes" 12 gcm128 \
		'ip -n tnb link set tn1 down; sleep 0.5; ip -n tnb link set tn1 up; sleep 0.5'
	rx_report down_up
	check "$p.down_up.rx_device" [ "$(rx_delta TlsRxDevice)" -ge 1 ]

	if [ "$short" != 1 ]; then
		# Capacity: no RX flow (max_rx_flows 1 with one taken would need two
		# receivers; refuse_dev_add refuses RX as TX): RX in software.
		echo Y >"$TNIC_DBG/refuse_dev_add"
		rx_mark
		local refused
		refused=$(tnic_counter dev_add_refused)
		check "$p.refused.byte_exact" rx_transfer refused "$nbytes" 12 gcm128
		echo N >"$TNIC_DBG/refuse_dev_add"
		rx_report refused
		check "$p.refused.rx_in_software" [ "$(rx_delta TlsRxDevice)" = 0 -a "$(rx_delta rx_tls_segments)" = 0 ]
		check "$p.refused.counted" [ "$(tnic_counter dev_add_refused)" -gt "$refused" ]

		# Capacity: one RX flow. A second receiver while the first holds the
		# flow (its sender paused halfway) is refused by the device and
		# decrypts in software; both byte-exact.
		echo 1 >"$TNIC_DBG/max_rx_flows"
		rx_mark
		refused=$(tnic_counter dev_add_refused)
		rm -f /tmp/rx_cap2_ok
		check "$p.capacity.first_byte_exact" rx_transfer capacity_first "$nbytes" 12 gcm128 \
			'RX_PORT=4601 rx_transfer capacity_second "$nbytes" 12 gcm128 >/tmp/rx_cap2 2>&1 && touch /tmp/rx_cap2_ok'
		echo 0 >"$TNIC_DBG/max_rx_flows"
		cat /tmp/rx_cap2
		rx_report capacity
		check "$p.capacity.second_byte_exact" [ -e /tmp/rx_cap2_ok ]
		check "$p.capacity.one_on_device" [ "$(rx_delta TlsRxDevice)" = 1 ]
		check "$p.capacity.second_refused" [ "$(tnic_counter dev_add_refused)" -gt "$refused" ]
	fi
	check "$p.no_rx_flows_left" [ "$(cat "$TNIC_DBG/rx_flows")" = 0 ]
	# The pair deleted while a receiver's flow is on it (its sender
	# paused halfway): the ULP deletes the flow (tls_dev_del) when the
	# device unregisters; the two ends are then stopped.
	local pause srv cli
	pause=$(mktemp -u)
	ip netns exec tnb python3 "$OFFLOAD_PY" server 4601 "$nbytes" 12 gcm128 >/dev/null 2>&1 &
	srv=$!
	ip netns exec tna python3 "$OFFLOAD_PY" client 10.77.0.2 4601 "$nbytes" 12 gcm128 "$pause" >/dev/null 2>&1 &
	cli=$!
	for _ in $(seq 1200); do [ -e "$pause.half" ] && break; sleep 0.05; done
	check "$p.dellink.flow_on_device" [ "$(cat "$TNIC_DBG/rx_flows")" = 1 ]
	ip -n tna link del tn0
	check "$p.dellink.no_flows_left" [ "$(cat "$TNIC_DBG/rx_flows")" = 0 ]
	kill "$srv" "$cli" 2>/dev/null
	wait "$srv" "$cli" 2>/dev/null
	rm -f "$pause.half" "$pause.go"
	check "$p.no_rx_errors" [ "$(tnic_counter rx_errors)" = 0 ]
	check "$p.tx_errors_zero" [ "$(tnic_counter tx_errors)" = 0 ]
	check "$p.no_tx_flows_left" [ "$(tnic_counter tx_flows)" = 0 ]
	tnic_unpair
	check "$p.tlsnic_unloads" rmmod tlsnic
}

# Run on its own (the VM): bash device_rx.sh [--tls-ko] [PREFIX [RX13]].
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	RX_RC=0
	check() {
		local name=$1
		shift
		if "$@"; then echo "RESULT ok $name"; else echo "RESULT fail $name"; RX_RC=1; fi
	}
	if [ "${1:-}" = --tls-ko ]; then
		shift
		rmmod tls_rekey 2>/dev/null
		check module.tls_ko_loads insmod "$TLS_KO"
	fi
	. "$(dirname "$0")/device.sh"
	device_rx_tests "${1:-device_rx}" "${2:-0}"
	exit $RX_RC
fi
