# SPDX-License-Identifier: GPL-2.0
#
# Device offload over the simulated TLS-offload NIC (sourced by
# vm_tests.sh, which provides check): two network namespaces joined by a
# tlsnic pair, a TLS sender in one and a software TLS receiver in the
# other, every byte compared (offload.py), with and without netem loss,
# duplication and (ACK) reordering, a device that refuses the key and a
# device going down mid-transfer. TLS 1.2 TX goes to the device with either
# ULP module (its TlsTxDevice counter says so); TLS 1.3 stays in software.

TNIC_DBG=/sys/kernel/debug/tlsnic
OFFLOAD_PY=/src/tools/testing/selftests/tls_rekey/offload.py

# The counters are read with shell builtins: under TCG every program
# started costs a quarter of a second on the lean kernel and more on the
# debug kernel, and the tests read counters before and after each
# transfer.
tnic_counter() {
	local v
	read -r v <"$TNIC_DBG/$1"
	echo "$v"
}

# tls_stat NETNS NAME: a counter of /proc/net/tls_stat in NETNS, read
# through the namespace's holder process (tnic_pair) instead of a
# process started in it (ip netns exec) per read.
declare -gA NS_HOLDER
tls_stat() {
	local k v
	if [ -z "${NS_HOLDER[$1]:-}" ]; then
		ip netns exec "$1" awk -v k="$2" '$1 == k {print $2}' /proc/net/tls_stat
		return
	fi
	while read -r k v; do
		[ "$k" = "$2" ] && echo "$v" && return
	done <"/proc/${NS_HOLDER[$1]}/net/tls_stat"
	# A counter the module does not have (tls.ko): nothing, as awk's.
	return 0
}

# tnic_pair: namespaces tna (10.77.0.1) and tnb (10.77.0.2) over a tlsnic
# pair. Stock iproute2 passes "peer name" for veth only: the peer comes up
# as tlsnic%d and is renamed.
tnic_pair() {
	ip netns add tna && ip netns add tnb &&
		ip link add tn0 type tlsnic &&
		ip link set "$(ls /sys/devices/virtual/net | grep -m1 '^tlsnic')" name tn1 &&
		ip link set tn0 netns tna && ip link set tn1 netns tnb &&
		ip -n tna addr add 10.77.0.1/24 dev tn0 && ip -n tnb addr add 10.77.0.2/24 dev tn1 &&
		ip -n tna link set tn0 up && ip -n tnb link set tn1 up &&
		ip -n tna link set lo up && ip -n tnb link set lo up &&
		ns_hold tna && ns_hold tnb
}

# ns_hold NETNS: a process that stays in NETNS until tnic_unpair, for
# tls_stat to read the namespace's /proc/net through.
ns_hold() {
	ip netns exec "$1" sleep infinity </dev/null >/dev/null 2>&1 &
	NS_HOLDER[$1]=$!
}

tnic_unpair() {
	local ns
	# What is gone already may fail (and the holders die of the kill):
	# nothing to stop a caller under set -e (make bench's run.sh) for.
	for ns in "${!NS_HOLDER[@]}"; do
		kill "${NS_HOLDER[$ns]}" 2>/dev/null || :
		wait "${NS_HOLDER[$ns]}" 2>/dev/null || :
	done
	NS_HOLDER=()
	ip -n tna link del tn0 2>/dev/null || :
	ip netns del tna 2>/dev/null || :
	ip netns del tnb 2>/dev/null || :
}

# transfer NAME NBYTES VERSION CIPHER [PAUSE|- [rekey]]: one checked
# transfer tna -> tnb (PAUSE, rekey: see offload.py) to TRANSFER_PORT
# (default 4500).
transfer() {
	local name=$1 nbytes=$2 version=$3 cipher=$4 port=${TRANSFER_PORT:-4500} out rc
	shift 4
	out=$(mktemp)
	ip netns exec tnb python3 "$OFFLOAD_PY" server "$port" "$nbytes" "$version" "$cipher" >"$out" 2>&1 &
	local srv=$!
	ip netns exec tna python3 "$OFFLOAD_PY" client 10.77.0.2 "$port" "$nbytes" "$version" "$cipher" "$@"
	wait $srv
	rc=$?
	echo "$name: $(cat "$out")"
	rm -f "$out"
	return $rc
}

# netem_on, netem_off: loss and duplication on the sender's device, delay
# and reordering only on the receiver's (ACKs): netem orphans the skbs it
# delays, and the stack drops device-TLS skbs without a socket (upstream
# too).
netem_on() {
	tc -n tna qdisc add dev tn0 root netem loss 2% duplicate 1% &&
		tc -n tnb qdisc add dev tn1 root netem delay 1ms reorder 25% 50% loss 1%
}

netem_off() {
	tc -n tna qdisc del dev tn0 root
	tc -n tnb qdisc del dev tn1 root
}

# transfer_paused NAME NBYTES VERSION ACTION [rekey]: a transfer (TLS 1.3
# with rekey: a KeyUpdate halfway) whose sender waits halfway while ACTION
# (a shell command) runs, then sends the rest.
transfer_paused() {
	local name=$1 nbytes=$2 version=$3 action=$4 pause
	shift 4
	pause=$(mktemp -u)
	(
		for _ in $(seq 1200); do [ -e "$pause.half" ] && break; sleep 0.05; done
		eval "$action"
		touch "$pause.go"
	) &
	local helper=$!
	transfer "$name" "$nbytes" "$version" gcm128 "$pause" "$@"
	local rc=$?
	wait $helper
	rm -f "$pause.half" "$pause.go"
	return $rc
}

# The sender's device going down for a second, and back up.
DOWN_UP="ip -n tna link set tn0 down; sleep 1; ip -n tna link set tn0 up"

# rekey_mark, then rekey_report NAME: REKEY_DEV records the device sealed,
# REKEY_SW records (REKEY_SW_BYTES bytes) sealed in software waiting for
# the device to take a new key, REKEY_REJOINS times the socket went back on
# the device, REKEY_FALLBACK records the fallback sealed (the last four
# tls_rekey's counters, 0 under tls.ko), each since rekey_mark.
rekey_mark() {
	REKEY_MARK="$(tnic_counter tx_records_encrypted) $(tls_stat tna TlsTxDeviceRekeySwRecords) $(tls_stat tna TlsTxDeviceRekey) $(tls_stat tna TlsTxDeviceRekeySwBytes) $(tls_stat tna TlsTxDeviceFallback)"
}

rekey_report() {
	local dev sw rejoins bytes fb
	read -r dev sw rejoins bytes fb <<<"$REKEY_MARK"
	REKEY_DEV=$(($(tnic_counter tx_records_encrypted) - dev))
	REKEY_SW=$(($(tls_stat tna TlsTxDeviceRekeySwRecords) - ${sw:-0}))
	REKEY_REJOINS=$(($(tls_stat tna TlsTxDeviceRekey) - ${rejoins:-0}))
	REKEY_SW_BYTES=$(($(tls_stat tna TlsTxDeviceRekeySwBytes) - ${bytes:-0}))
	REKEY_FALLBACK=$(($(tls_stat tna TlsTxDeviceFallback) - ${fb:-0}))
	[ -n "$sw" ] || REKEY_SW=0 REKEY_REJOINS=0 REKEY_SW_BYTES=0 REKEY_FALLBACK=0
	echo "$1: device sealed $REKEY_DEV records, $REKEY_SW ($REKEY_SW_BYTES bytes) in software waiting for the device, back on the device $REKEY_REJOINS times, $REKEY_FALLBACK sealed by the fallback"
}

# tv_pair: a veth pair tv0 (tna, 10.78.0.1) - tv1 (tnb, 10.78.0.2)
# beside the tlsnic pair, without TLS offload (made once per tnic_pair),
# with the reverse-path filter off where each end's packets come in once
# route_via moves tna's route onto it: tnb's data on tv1, tna's ACKs on
# tn0.
tv_pair() {
	ip -n tna link show tv0 >/dev/null 2>&1 && return 0
	ip -n tna link add tv0 type veth peer name tv1 netns tnb &&
		ip -n tna addr add 10.78.0.1/24 dev tv0 && ip -n tna link set tv0 up &&
		ip -n tnb addr add 10.78.0.2/24 dev tv1 && ip -n tnb link set tv1 up &&
		rp_filter_off tna tn0 && rp_filter_off tnb tv1
}

# route_via tv0|tn0: tna's route to 10.77.0.2 through tv0 (tv_pair) or
# through tn0 again. TCP's cached route goes with the change: its next
# segment leaves through the new device.
route_via() {
	if [ "$1" = tn0 ]; then
		ip -n tna route del 10.77.0.2/32 2>/dev/null
		return 0
	fi
	tv_pair && ip -n tna route replace 10.77.0.2/32 via 10.78.0.2 dev tv0
}

# rp_filter_off NETNS DEV: no reverse-path filter on DEV in NETNS (the
# one in effect is the larger of "all" and the device's).
rp_filter_off() {
	ip netns exec "$1" sh -c "echo 0 >/proc/sys/net/ipv4/conf/all/rp_filter &&
		echo 0 >/proc/sys/net/ipv4/conf/$2/rp_filter"
}

# window_fault PAUSE: the sender's device down during a TLS 1.3 TX
# software window (one key per flow), as the ACTION of transfer_paused
# (PAUSE its pause file), then window_fault_wait. The ACKs are delayed by
# 2 s from then, so the KeyUpdate, the last old-key record, stays
# unacknowledged and the window open; once the sender goes on (PAUSE.go)
# its device goes down and up again within the window; the delay goes
# once the KeyUpdate can have been acknowledged.
window_fault() {
	rm -f /tmp/window_fault.done
	tc -n tnb qdisc add dev tn1 root netem delay 2s
	(
		for _ in $(seq 1200); do [ -e "$1.go" ] && break; sleep 0.05; done
		ip -n tna link set tn0 down
		sleep 0.3
		ip -n tna link set tn0 up
		sleep 2
		tc -n tnb qdisc del dev tn1 root
		touch /tmp/window_fault.done
	) >/dev/null 2>&1 &
}

window_fault_wait() {
	for _ in $(seq 600); do [ -e /tmp/window_fault.done ] && break; sleep 0.05; done
	rm -f /tmp/window_fault.done
}

# device_tests LABEL OFFLOADED OFFLOADED13: OFFLOADED=1 when the loaded ULP
# offloads TLS 1.2 TX to the device (tls.ko, tls_rekey), 0 when it keeps TX
# in software; OFFLOADED13 the same for TLS 1.3 (tls_rekey, with the
# simulated NIC declaring TLS 1.3; tls.ko offloads TLS 1.2 only).
# TLS_REKEY_DEVICE_BYTES: bytes per transfer (default 8 MiB);
# TLS_REKEY_DEVICE_SHORT=1 (debug kernel, where each transfer costs a
# minute of python under KASAN): TLS 1.2 AES-GCM-128, netem and the device
# going down only.
device_tests() {
	local label=$1 offloaded=$2 offloaded13=$3 v c on before after
	local nbytes=${TLS_REKEY_DEVICE_BYTES:-8388608}
	local records=$((nbytes / 16384))
	local versions="12 13" ciphers="gcm128 gcm256" short=${TLS_REKEY_DEVICE_SHORT:-0}
	[ "$short" = 1 ] && versions=12 ciphers=gcm128
	check "device.$label.tlsnic_loads" insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko"
	check "device.$label.pair" tnic_pair
	for v in $versions; do
		for c in $ciphers; do
			before=$(tnic_counter tx_records_encrypted)
			check "device.$label.tls$v.$c.byte_exact" transfer "tls$v.$c" "$nbytes" $v $c
			after=$(tnic_counter tx_records_encrypted)
			echo "tls$v.$c: device encrypted $((after - before)) records; TlsTxDevice $(tls_stat tna TlsTxDevice)"
			on=$offloaded
			[ $v = 13 ] && on=$offloaded13
			if [ "$on" = 1 ]; then
				check "device.$label.tls$v.$c.records_encrypted_by_device" [ $((after - before)) -ge "$records" ]
			else
				check "device.$label.tls$v.$c.stays_in_software" [ $((after - before)) -eq 0 ]
			fi
		done
	done
	# Loss, duplication and reordering (netem_on).
	netem_on
	before=$(tnic_counter tx_records_encrypted)
	check "device.$label.netem.tls12.gcm128.byte_exact" transfer netem "$nbytes" 12 gcm128
	after=$(tnic_counter tx_records_encrypted)
	echo "netem: device encrypted $((after - before)) records; retransmissions $(ip netns exec tna nstat -az TcpRetransSegs | awk '/TcpRetransSegs/ {print $2}')"
	# Retransmissions behind the cached record are encrypted again; with
	# few records (debug kernel) all of them may hit the cache.
	if [ "$offloaded" = 1 ] && [ "$records" -ge 256 ]; then
		check "device.$label.netem.retransmits_reencrypted" [ $((after - before)) -gt "$records" ]
	fi
	netem_off
	if [ "$short" != 1 ]; then
		# A TLS 1.3 KeyUpdate halfway, on a device holding one key per
		# flow: records before it (half of them and the KeyUpdate) are
		# sealed by the device, or by the fallback if TCP had not sent
		# them yet; after it the socket seals in software until TCP has
		# every old-key record acknowledged, then the device gets the new
		# key (TlsTxDeviceRekey) and seals the rest. How long that takes
		# depends on how much of the first half TCP still held (with few
		# records, possibly all of the rest).
		rekey_mark
		check "device.$label.tls13.rekey.byte_exact" transfer rekey "$nbytes" 13 gcm128 - rekey
		rekey_report rekey
		if [ "$offloaded13" = 1 ] && [ "$records" -ge 256 ]; then
			check "device.$label.tls13.rekey.back_on_device" [ "$REKEY_REJOINS" = 1 ]
			check "device.$label.tls13.rekey.device_after_rekey" \
				[ "$REKEY_DEV" -gt $((records / 2 + 1)) ]
		fi
		# The same with a round trip of 100 ms (netem on the ACKs) and the
		# sender's send buffer fixed (SO_SNDBUF): the KeyUpdate is still
		# unacknowledged when the new key is set (without the delay the
		# simulated wire acknowledges everything before setsockopt
		# returns, and with 20 ms, at times, while setsockopt waits for
		# the device to let go of the old key), so there is a software
		# window, and the device takes the key back once the KeyUpdate is
		# acknowledged. offload.py reports the bytes TCP held
		# unacknowledged when the new key was set (SIOCOUTQ); the window's
		# length against the round trip is measured in testing.rst.
		local line unacked sndbuf
		tc -n tnb qdisc add dev tn1 root netem delay 100ms
		rekey_mark
		check "device.$label.tls13.rekey_rtt.byte_exact" eval \
			'OFFLOAD_SNDBUF=131072 OFFLOAD_KU_LOG=/tmp/ku.log transfer rekey_rtt "$nbytes" 13 gcm128 - rekey'
		rekey_report rekey_rtt
		tc -n tnb qdisc del dev tn1 root
		read -r line </tmp/ku.log
		unacked=${line#unacked=} unacked=${unacked%% *} sndbuf=${line##*sndbuf=}
		echo "rekey_rtt: $unacked bytes unacknowledged when the new key was set, a send buffer of $sndbuf; $REKEY_SW_BYTES bytes in the software window"
		if [ "$offloaded13" = 1 ]; then
			check "device.$label.tls13.rekey_rtt.back_on_device" [ "$REKEY_REJOINS" = 1 ]
			check "device.$label.tls13.rekey_rtt.software_window" [ "$REKEY_SW" -gt 0 ]
			# The window lasts one round trip after the KeyUpdate: the
			# records the send buffer takes (as TCP frees what it held,
			# the old key's) until the KeyUpdate's acknowledgement, and
			# the record under way then; the sender waits for room
			# before each record, so at most one more (16406 bytes).
			check "device.$label.tls13.rekey_rtt.window_one_round_trip" \
				[ "$REKEY_SW_BYTES" -le $((unacked + sndbuf + 2 * 16406)) ]
		fi
		# The same with the sender pausing a second before the KeyUpdate:
		# every old-key record is acknowledged by then, so the device gets
		# the new key at the first record after it and not one record is
		# sealed in software.
		rekey_mark
		check "device.$label.tls13.rekey_acked.byte_exact" \
			transfer_paused rekey_acked "$nbytes" 13 "sleep 1" rekey
		rekey_report rekey_acked
		if [ "$offloaded13" = 1 ]; then
			check "device.$label.tls13.rekey_acked.back_on_device" [ "$REKEY_REJOINS" = 1 ]
			check "device.$label.tls13.rekey_acked.no_software_window" [ "$REKEY_SW" = 0 ]
			check "device.$label.tls13.rekey_acked.all_sealed_by_device" \
				[ "$REKEY_DEV" -ge "$records" ]
		fi
		# A KeyUpdate every 64 records (every eighth of the transfer if
		# that is less) under loss, duplication and ACK reordering: old-key
		# retransmits in each software window are sealed by the fallback.
		netem_on
		local every=$((nbytes / 8 < 1048576 ? nbytes / 8 : 1048576))
		rekey_mark
		check "device.$label.tls13.rekey_often.netem.byte_exact" \
			transfer rekey_often "$nbytes" 13 gcm128 - "rekey:$every"
		rekey_report rekey_often
		if [ "$offloaded13" = 1 ] && [ "$records" -ge 256 ]; then
			check "device.$label.tls13.rekey_often.back_on_device" [ "$REKEY_REJOINS" -ge 1 ]
		fi
		netem_off
		# A KeyUpdate after every record: the socket goes back on the
		# device whenever the acknowledgements catch up.
		rekey_mark
		check "device.$label.tls13.rekey_every_record.byte_exact" \
			transfer rekey_every_record "$nbytes" 13 gcm128 - rekey:16384
		rekey_report rekey_every_record

		if [ "$offloaded13" = 1 ]; then
			# The route changes mid-rekey: while the sender waits halfway
			# its route moves to a device without TLS offload (route_via
			# tv0), then comes the KeyUpdate. The KeyUpdate, framed for the
			# device under the old key, leaves through the other device and
			# is sealed by the fallback; once it is acknowledged the route's
			# device cannot take the new key, so the socket stays in
			# software, as a first TLS_TX over that route would.
			tv_pair
			rekey_mark
			check "device.$label.tls13.route_change.byte_exact" \
				transfer_paused route_change "$nbytes" 13 "route_via tv0" rekey
			rekey_report route_change
			route_via tn0
			check "device.$label.tls13.route_change.fallback_sealed" [ "$REKEY_FALLBACK" -ge 1 ]
			check "device.$label.tls13.route_change.stays_off" [ "$REKEY_REJOINS" = 0 ]

			# The device goes down and up during the software window, held
			# open by ACKs delayed 2 s (window_fault): once TCP has the
			# last old-key record acknowledged the device, up again, takes
			# the new key. The sender waits 4 s before its last eighth
			# (OFFLOAD_TAIL_WAIT): within 2 s it may have queued all the
			# rest (the window takes records past the send buffer, see
			# testing.rst), and the key goes back only at a record boundary
			# after that acknowledgement.
			rekey_mark
			check "device.$label.tls13.down_in_window.byte_exact" eval 'OFFLOAD_TAIL_WAIT=4 \
				transfer_paused down_in_window "$nbytes" 13 "window_fault \"\$pause\"" rekey'
			window_fault_wait
			rekey_report down_in_window
			check "device.$label.tls13.down_in_window.software_window" [ "$REKEY_SW" -ge 1 ]
			check "device.$label.tls13.down_in_window.back_on_device" [ "$REKEY_REJOINS" = 1 ]
		fi

		# The device asks for a TX resync halfway (the sender pauses there,
		# the request comes with the next segment): the ULP calls
		# tls_dev_resync at the next record.
		before=$(tnic_counter tx_resyncs)
		check "device.$label.tx_resync.byte_exact" \
			transfer_paused resync "$nbytes" 12 "echo Y >$TNIC_DBG/request_tx_resync"
		echo N >"$TNIC_DBG/request_tx_resync"
		echo "tx_resync: $(($(tnic_counter tx_resyncs) - before)) resyncs"
		if [ "$offloaded" = 1 ]; then
			check "device.$label.tx_resync.device_resynced" [ "$(tnic_counter tx_resyncs)" -gt "$before" ]
		fi

		# sendfile() over the device: with TLS_TX_ZEROCOPY_RO its page cache
		# pages go to TCP and to the device's record as they are (tls_rekey
		# counts those records in TlsTxRecordsDirect), without it they are
		# copied into the record (TlsTxRecordsCopied); the file stays as it
		# was, every byte arrives. TLS 1.3 (tls_rekey) for its tail piece.
		local sf="12.ro 12.copy"
		[ "$offloaded13" = 1 ] && sf="$sf 13.ro"
		for zc in $sf; do
			local direct=$(tls_stat tna TlsTxRecordsDirect) copied=$(tls_stat tna TlsTxRecordsCopied)
			before=$(tnic_counter tx_records_encrypted)
			export OFFLOAD_SENDFILE=${zc#*.}
			check "device.$label.sendfile.tls$zc.byte_exact" transfer "sendfile.tls$zc" "$nbytes" "${zc%.*}" gcm128
			unset OFFLOAD_SENDFILE
			after=$(tnic_counter tx_records_encrypted)
			direct=$(($(tls_stat tna TlsTxRecordsDirect) - ${direct:-0}))
			copied=$(($(tls_stat tna TlsTxRecordsCopied) - ${copied:-0}))
			echo "sendfile.tls$zc: device encrypted $((after - before)) records; $direct direct, $copied copied"
			if [ "$offloaded" = 1 ]; then
				check "device.$label.sendfile.tls$zc.records_encrypted_by_device" [ $((after - before)) -ge "$records" ]
			fi
			if [ "$label" != tls_rekey ]; then
				continue
			elif [ "${zc#*.}" = ro ]; then
				check "device.$label.sendfile.tls$zc.pages_sent_as_they_are" [ "$direct" -ge "$records" -a "$copied" -eq 0 ]
			else
				check "device.$label.sendfile.tls$zc.pages_copied" [ "$copied" -ge "$records" -a "$direct" -eq 0 ]
			fi
		done

		# The device refuses the key: TX stays in software, nothing is lost.
		echo Y >"$TNIC_DBG/refuse_dev_add"
		before=$(tnic_counter tx_records_encrypted)
		local refused=$(tnic_counter dev_add_refused)
		check "device.$label.refused_add.byte_exact" transfer refused "$nbytes" 12 gcm128
		check "device.$label.refused_add.no_device_records" [ "$(tnic_counter tx_records_encrypted)" = "$before" ]
		if [ "$offloaded" = 1 ]; then
			check "device.$label.refused_add.counted" [ "$(tnic_counter dev_add_refused)" -gt "$refused" ]
		fi
		echo N >"$TNIC_DBG/refuse_dev_add"

		# The driver hands every skb back (tls_encrypt_skb(), as drivers
		# do with what they cannot offload): the software fallback seals
		# every record; tls_rekey counts them (TlsTxDeviceFallback).
		echo Y >"$TNIC_DBG/tx_hand_back"
		before=$(tls_stat tna TlsTxDeviceFallback)
		check "device.$label.hand_back.byte_exact" transfer hand_back "$nbytes" 12 gcm128
		after=$(tls_stat tna TlsTxDeviceFallback)
		echo N >"$TNIC_DBG/tx_hand_back"
		echo "hand_back: TlsTxDeviceFallback $before -> $after"
		if [ "$label" = tls_rekey ]; then
			check "device.$label.hand_back.fallback_counted" [ $((after - before)) -ge "$records" ]
		fi

		# Faults on the device's wire, after encryption: every 23rd TLS
		# skb dropped, every 17th delivered twice. TCP retransmits; the
		# device encrypts each retransmission again from its record.
		local dropped=$(tnic_counter tx_dropped) duped=$(tnic_counter tx_duplicated)
		echo 23 >"$TNIC_DBG/tx_drop_every"
		echo 17 >"$TNIC_DBG/tx_dup_every"
		before=$(tnic_counter tx_records_encrypted)
		check "device.$label.wire_faults.byte_exact" transfer wire_faults "$nbytes" 12 gcm128
		after=$(tnic_counter tx_records_encrypted)
		echo 0 >"$TNIC_DBG/tx_drop_every"
		echo 0 >"$TNIC_DBG/tx_dup_every"
		dropped=$(($(tnic_counter tx_dropped) - dropped))
		duped=$(($(tnic_counter tx_duplicated) - duped))
		echo "wire_faults: device encrypted $((after - before)) of $records records, dropped $dropped, duplicated $duped"
		if [ "$offloaded" = 1 ]; then
			check "device.$label.wire_faults.faults_applied" [ "$dropped" -gt 0 -a "$duped" -gt 0 ]
			check "device.$label.wire_faults.retransmits_reencrypted" [ $((after - before)) -gt "$records" ]
		fi

		# Capacity: one TX flow per device. A second connection while the
		# first holds the flow (its sender paused halfway) is refused by
		# the device and stays in software; the first finishes on it.
		echo 1 >"$TNIC_DBG/max_tx_flows"
		local pause first
		pause=$(mktemp -u)
		transfer capacity_first "$nbytes" 12 gcm128 "$pause" &
		first=$!
		for _ in $(seq 1200); do [ -e "$pause.half" ] && break; sleep 0.05; done
		refused=$(tnic_counter dev_add_refused)
		before=$(tls_stat tna TlsTxDevice)
		check "device.$label.capacity.second_byte_exact" \
			eval 'TRANSFER_PORT=4501 transfer capacity_second "$nbytes" 12 gcm128'
		after=$(tls_stat tna TlsTxDevice)
		touch "$pause.go"
		check "device.$label.capacity.first_byte_exact" wait $first
		rm -f "$pause.half" "$pause.go"
		echo 0 >"$TNIC_DBG/max_tx_flows"
		echo "capacity: TlsTxDevice $before -> $after, refused $((refused)) -> $(tnic_counter dev_add_refused)"
		if [ "$offloaded" = 1 ]; then
			check "device.$label.capacity.second_refused" [ "$(tnic_counter dev_add_refused)" -gt "$refused" ]
			check "device.$label.capacity.second_in_software" [ "$after" = "$before" ]
		fi
	fi

	# Device down and up in the middle of a transfer: the ULP moves the
	# flow off the device (tls.ko: tls_device_down) and loses nothing; the
	# records sent after it are sealed by the software fallback.
	before=$(tnic_counter tx_records_encrypted)
	local fb=$(tls_stat tna TlsTxDeviceFallback)
	check "device.$label.device_down_up.byte_exact" transfer_paused down_up "$nbytes" 12 "$DOWN_UP"
	after=$(tnic_counter tx_records_encrypted)
	# TlsTxDeviceFallback is tls_rekey's (tls.ko has no such counter).
	[ -n "$fb" ] && fb=$(($(tls_stat tna TlsTxDeviceFallback) - fb))
	echo "down_up: device encrypted $((after - before)) of $records records, fallback ${fb:-(not counted)}"
	if [ "$offloaded" = 1 ]; then
		check "device.$label.device_down_up.device_then_fallback" \
			[ $((after - before)) -gt 0 -a $((after - before)) -lt "$records" ]
	fi
	if [ "$label" = tls_rekey ]; then
		check "device.$label.device_down_up.fallback_counted" [ "$fb" -gt 0 ]
	fi
	device_done "$label"
}

# peer_tests LABEL: our independent peer (peer.py) with its kTLS end in tna
# and its Python end in tnb: TLS 1.2 and 1.3 AES-GCM records whose TX the
# NIC seals, checked by a userspace record layer (KeyUpdates included).
peer_tests() {
	local label=$1 before after
	check "device.$label.peer.tlsnic_loads" insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko"
	check "device.$label.peer.pair" tnic_pair
	before=$(tnic_counter tx_records_encrypted)
	python3 /src/tools/testing/selftests/tls_rekey/peer.py --netns tna,tnb,10.77.0.2 \
		--rekeys 10 --only 12_aes_gcm,13_aes_gcm 2>&1 |
		sed -n -e "s/^ok \(.*\)/RESULT ok device.$label.peer.\1/p" \
			-e "s/^not ok \([^:]*\).*/RESULT fail device.$label.peer.\1\n&/p" \
			-e "s/^skip \([^:]*\).*/RESULT skip device.$label.peer.\1/p" -e '/passed, .* failed/p'
	after=$(tnic_counter tx_records_encrypted)
	echo "peer: device encrypted $((after - before)) records"
	check "device.$label.peer.records_encrypted_by_device" [ $((after - before)) -gt 0 ]
	device_done "$label.peer"
}

# peer_generations_tests LABEL: peer.py's TLS 1.3 rekey case (100
# KeyUpdates each way, data both ways in between, checked by its userspace
# record layer) with the kTLS end's TX on a NIC holding two generations per
# flow: every TX KeyUpdate puts the next key on the device at once.
peer_generations_tests() {
	local label=$1 rekeys=0 sw=0
	check "device.$label.peer_generations.tlsnic_loads" \
		insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko" tx_generations=2
	check "device.$label.peer_generations.pair" tnic_pair
	rekeys=$(tls_stat tna TlsTxDeviceRekey)
	sw=$(tls_stat tna TlsTxDeviceRekeySwRecords)
	python3 /src/tools/testing/selftests/tls_rekey/peer.py --netns tna,tnb,10.77.0.2 \
		--rekeys 100 --only '13_aes_gcm_128.rekey,13_aes_gcm_256.rekey' 2>&1 |
		sed -n -e "s/^ok \(.*\)/RESULT ok device.$label.peer_generations.\1/p" \
			-e "s/^not ok \([^:]*\).*/RESULT fail device.$label.peer_generations.\1\n&/p" \
			-e '/passed, .* failed/p'
	rekeys=$(($(tls_stat tna TlsTxDeviceRekey) - rekeys))
	sw=$(($(tls_stat tna TlsTxDeviceRekeySwRecords) - sw))
	echo "peer_generations: $rekeys TX keys onto the device, $sw records in software waiting for it, $(tnic_counter tx_gen_adds) gen_add calls"
	check "device.$label.peer_generations.every_key_on_device" [ "$rekeys" = 200 ]
	check "device.$label.peer_generations.no_software_window" [ "$sw" = 0 ]
	check "device.$label.peer_generations.no_record_without_key" [ "$(tnic_counter tx_no_key)" = 0 ]
	device_done "$label.peer_generations"
}

# bond_tests LABEL: the sender's NIC enslaved to a bond. bonding passes
# TLS offload to the slave for the socket's flow in balance-xor and 802.3ad
# with the layer3+4 hash only (bond_sk_check()): there TLS 1.2 TX is sealed
# by the NIC under the bond; in active-backup it stays in software.
bond_tests() {
	local label=$1 nbytes=${TLS_REKEY_DEVICE_BYTES:-8388608} mode before after
	check "device.$label.bond.bonding_loads" insmod "$(find "$KDIR/modroot" -name bonding.ko)"
	check "device.$label.bond.tlsnic_loads" insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko"
	check "device.$label.bond.pair" tnic_pair
	for mode in balance-xor active-backup; do
		check "device.$label.bond.$mode.enslave" bond_over_tn0 $mode
		before=$(tnic_counter tx_records_encrypted)
		check "device.$label.bond.$mode.tls12.byte_exact" transfer "bond $mode" "$nbytes" 12 gcm128
		after=$(tnic_counter tx_records_encrypted)
		echo "bond $mode: device encrypted $((after - before)) records"
		if [ $mode = balance-xor ]; then
			check "device.$label.bond.$mode.records_encrypted_by_device" \
				[ $((after - before)) -ge $((nbytes / 16384)) ]
		else
			check "device.$label.bond.$mode.stays_in_software" [ $((after - before)) -eq 0 ]
		fi
		ip -n tna link del bond0
		ip -n tna addr add 10.77.0.1/24 dev tn0 && ip -n tna link set tn0 up
	done
	device_done "$label.bond"
	check "device.$label.bond.bonding_unloads" rmmod bonding
}

# bond_over_tn0 MODE: tna's address moves to bond0 over tn0.
bond_over_tn0() {
	local hash=
	[ "$1" = balance-xor ] && hash="xmit_hash_policy layer3+4"
	ip -n tna link add bond0 type bond mode "$1" $hash miimon 100 &&
		ip -n tna addr flush dev tn0 &&
		ip -n tna link set tn0 down &&
		ip -n tna link set tn0 master bond0 &&
		ip -n tna link set bond0 up &&
		ip -n tna addr add 10.77.0.1/24 dev bond0
}

# device_done LABEL: no flow left on the device, no errors, unload.
device_done() {
	check "device.$1.no_flows_left" [ "$(tnic_counter tx_flows)" = 0 ]
	check "device.$1.tx_errors_zero" [ "$(tnic_counter tx_errors)" = 0 ]
	tnic_unpair
	check "device.$1.tlsnic_unloads" rmmod tlsnic
}

# gen_mark, then gen_report NAME: like rekey_mark/rekey_report, with
# GEN_EVICTED (generations the device gave up while their records could be
# sent again), GEN_REFUSED, GEN_FALLBACK (records the fallback sealed for
# a generation the device gave up) and GEN_ADDS (the NIC's gen_add calls).
gen_mark() {
	rekey_mark
	GEN_MARK="$(tls_stat tna TlsTxDeviceGenEvicted) $(tls_stat tna TlsTxDeviceGenRefused) $(tls_stat tna TlsTxDeviceFallbackRetired) $(tnic_counter tx_gen_adds) $(tls_stat tna TlsTxDeviceGenFull)"
}

gen_report() {
	local ev rf fb adds full
	rekey_report "$1"
	read -r ev rf fb adds full <<<"$GEN_MARK"
	GEN_EVICTED=$(($(tls_stat tna TlsTxDeviceGenEvicted) - ev))
	GEN_REFUSED=$(($(tls_stat tna TlsTxDeviceGenRefused) - rf))
	GEN_FALLBACK=$(($(tls_stat tna TlsTxDeviceFallbackRetired) - fb))
	GEN_ADDS=$(($(tnic_counter tx_gen_adds) - adds))
	GEN_FULL=$(($(tls_stat tna TlsTxDeviceGenFull) - full))
	echo "$1: $GEN_ADDS generations added, $GEN_EVICTED evicted, $GEN_REFUSED refused, $GEN_FALLBACK records sealed by the fallback for evicted ones, $GEN_FULL new keys waited for a slot (eight generations unacknowledged)"
}

# device_generations_tests LABEL: TLS 1.3 TX rekeys on a NIC holding 2 and
# 3 key generations per flow (tls_rekey only: tls.ko has no such
# contract), each transfer byte-exact. With a free slot the device takes
# every new key at its first record: no record sealed in software. With a
# KeyUpdate after every record the oldest generation is evicted while TCP
# may still resend it; retransmissions of it are sealed by the fallback.
# TLS_REKEY_DEVICE_SHORT=1 (debug kernel): two generations, without the
# KeyUpdate halfway and the KeyUpdate after every record without netem.
device_generations_tests() {
	local label=$1 nbytes=${TLS_REKEY_DEVICE_BYTES:-8388608} n p ns="2 3"
	local records=$((nbytes / 16384)) short=${TLS_REKEY_DEVICE_SHORT:-0}
	local every=$((nbytes / 8 < 1048576 ? nbytes / 8 : 1048576))
	[ "$short" = 1 ] && ns=2
	for n in $ns; do
		p="device.$label.generations$n"
		check "$p.tlsnic_loads" insmod "/build/module/$VARIANT/tlsnic/tlsnic.ko" tx_generations=$n
		check "$p.pair" tnic_pair
		# A KeyUpdate halfway (not on the debug kernel: the KeyUpdates
		# every 64 records below take the same paths).
		if [ "$short" != 1 ]; then
			gen_mark
			check "$p.rekey.byte_exact" transfer rekey "$nbytes" 13 gcm128 - rekey
			gen_report rekey
			check "$p.rekey.on_device_at_once" [ "$REKEY_REJOINS" = 1 -a "$GEN_ADDS" = 1 ]
			check "$p.rekey.no_software_window" [ "$REKEY_SW" = 0 ]
			check "$p.rekey.all_sealed_by_device" [ "$REKEY_DEV" -ge "$records" ]
		fi

		# A KeyUpdate every 64 records (every eighth if less), under
		# loss and duplication: the device takes each key at once.
		netem_on
		gen_mark
		check "$p.rekey_often.netem.byte_exact" \
			transfer rekey_often "$nbytes" 13 gcm128 - "rekey:$every"
		gen_report rekey_often
		check "$p.rekey_often.on_device_at_once" [ "$GEN_ADDS" = $(((nbytes - 1) / every)) ]
		check "$p.rekey_often.no_software_window" [ "$REKEY_SW" = 0 ]
		netem_off

		# The same with the kernel's key schedule on both ends
		# (TLS_TX_SECRET, TLS_TX_KEY_UPDATE; the receiver's kernel takes
		# each KeyUpdate itself): every key on the device at once.
		gen_mark
		export OFFLOAD_SCHEDULE=$every
		check "$p.schedule.byte_exact" transfer schedule "$nbytes" 13 gcm128 - "rekey:$every"
		unset OFFLOAD_SCHEDULE
		gen_report schedule
		check "$p.schedule.on_device_at_once" [ "$GEN_ADDS" = $(((nbytes - 1) / every)) ]
		check "$p.schedule.no_software_window" [ "$REKEY_SW" = 0 ]

		# A KeyUpdate after every record: a gen_add per KeyUpdate, and no
		# record is sealed in software, unless eight generations all had
		# records to be acknowledged when a KeyUpdate came
		# (TlsTxDeviceGenFull: the new key then waits for a slot, which
		# depends on how fast the ACKs come; 0 measured here, more than 0
		# on CI's machine once). Checked with 64 records or more (not on
		# the debug kernel, which runs the netem case below only). Whether
		# slots run out here depends on the ACKs too (0 - 11 evictions
		# measured).
		if [ "$short" != 1 ]; then
			gen_mark
			check "$p.rekey_every_record.byte_exact" \
				transfer rekey_every_record "$nbytes" 13 gcm128 - rekey:16384
			gen_report rekey_every_record
			if [ "$records" -lt 64 ]; then
				:
			elif [ "$GEN_FULL" = 0 ]; then
				check "$p.rekey_every_record.on_device_at_once" [ "$GEN_ADDS" = $((records - 1)) ]
				check "$p.rekey_every_record.no_software_window" [ "$REKEY_SW" = 0 ]
			else
				check "$p.rekey_every_record.software_window_counted" [ "$REKEY_SW" -gt 0 ]
			fi
		fi
		# The same under netem, whose delayed ACKs keep the old records
		# unacknowledged: slots run out and the oldest generation is
		# evicted (4 - 46 times at 64 records); retransmissions of
		# evicted generations are sealed by the fallback
		# (TlsTxDeviceFallbackRetired).
		netem_on
		gen_mark
		check "$p.rekey_every_record.netem.byte_exact" \
			transfer rekey_every_record_netem "$nbytes" 13 gcm128 - rekey:16384
		gen_report rekey_every_record_netem
		if [ "$records" -ge 64 ]; then
			check "$p.rekey_every_record.netem.evicted" [ "$GEN_EVICTED" -gt 0 ]
		fi
		netem_off

		# The device refuses the next generation: the rest is sealed in
		# software, the connection unharmed.
		echo Y >"$TNIC_DBG/refuse_gen_add"
		gen_mark
		check "$p.refused.byte_exact" transfer refused "$nbytes" 13 gcm128 - rekey
		gen_report refused
		echo N >"$TNIC_DBG/refuse_gen_add"
		check "$p.refused.counted" [ "$GEN_REFUSED" = 1 -a "$REKEY_REJOINS" = 0 ]

		# The route changes mid-rekey: halfway the sender's route moves to
		# a device without TLS offload, then comes the KeyUpdate; the
		# receiver (a small window, OFFLOAD_RCVBUF) stops reading for 4 s
		# there, and the route comes back after about a second. The new
		# key goes on the device all the same (the socket's device is
		# unchanged); what leaves through the other device (the KeyUpdate
		# and the first records under the new key) is sealed by the
		# fallback, each record under its own generation, and the device
		# seals the rest once the route is back. (Not on the debug kernel,
		# where each ip command takes seconds, longer than the receiver's
		# pause.)
		if [ "$short" != 1 ]; then
			tv_pair
			gen_mark
			check "$p.route_change.byte_exact" eval 'OFFLOAD_RCVBUF=65536 OFFLOAD_RX_PAUSE=4 \
				transfer_paused route_change "$nbytes" 13 \
				"sleep 0.5; route_via tv0; (sleep 1; route_via tn0) &" rekey'
			gen_report route_change
			route_via tn0
			check "$p.route_change.on_device_at_once" [ "$GEN_ADDS" = 1 -a "$REKEY_SW" = 0 ]
			check "$p.route_change.fallback_sealed" [ "$REKEY_FALLBACK" -ge 2 ]
			check "$p.route_change.device_after_route_back" \
				[ "$REKEY_DEV" -ge $((records * 3 / 4)) ]
		fi

		# The device goes down and up halfway, then the KeyUpdate: the
		# socket has left the device, the new key cannot go there.
		gen_mark
		check "$p.rekey_after_down.byte_exact" \
			transfer_paused rekey_after_down "$nbytes" 13 "$DOWN_UP" rekey
		gen_report rekey_after_down
		check "$p.rekey_after_down.stays_off" [ "$REKEY_REJOINS" = 0 ]

		check "$p.no_record_without_key" [ "$(tnic_counter tx_no_key)" = 0 ]
		check "$p.tx_errors_zero" [ "$(tnic_counter tx_errors)" = 0 ]
		tnic_unpair
		check "$p.no_flows_left" [ "$(tnic_counter tx_flows)" = 0 ]
		check "$p.tlsnic_unloads" rmmod tlsnic
	done
}
