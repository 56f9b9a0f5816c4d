# SPDX-License-Identifier: GPL-2.0
#
# The kernel's key schedule against stock userspace TLS 1.3 stacks, on
# loopback: our secret_peer (libssl for the handshake, then kTLS with
# TLS_TX_SECRET/TLS_RX_SECRET) with openssl s_server typing lines and
# KeyUpdate commands (k: update_not_requested, K: update_requested),
# with gnutls-serv --echo answering our requested KeyUpdates, and as the
# server of openssl s_client typing the same. Every line must come back
# byte-exact, and TLS_KEY_GENERATIONS must count every KeyUpdate each way:
# every K answered by the kernel. Sourced by vm_tests.sh (check).
#
# interop_tests PREFIX

INTEROP_BIN=/build/selftests/$VARIANT/secret_peer
INTEROP_DIR=/tmp/interop

# interop_input N: N lines, a KeyUpdate command after every fourth (K
# every eighth, k the others), on stdout; sets INTEROP_K and INTEROP_KREQ.
interop_input() {
	local i
	INTEROP_K=0 INTEROP_KREQ=0
	for i in $(seq "$1"); do
		echo "line $i $RANDOM$RANDOM"
		if [ $((i % 8)) = 0 ]; then
			echo K
			INTEROP_KREQ=$((INTEROP_KREQ + 1))
		elif [ $((i % 4)) = 0 ]; then
			echo k
			INTEROP_K=$((INTEROP_K + 1))
		fi
	done
}

# interop_feed INPUT FIFO OUT OURS: opens FIFO (the stock tool's stdin),
# waits until our end (its output OURS) has the kernel's keys, writes
# INPUT into FIFO, a command line with a pause before and after it (a
# stock tool takes a command only if one read of its stdin has it alone),
# waits until every data line came back in OUT, then closes FIFO.
interop_feed() {
	local input=$1 fifo=$2 out=$3 ours=$4 line
	exec 7>"$fifo"
	for _ in $(seq 300); do
		grep -q '^kernel keys' "$ours" 2>/dev/null && break
		sleep 0.1
	done
	while IFS= read -r line; do
		case $line in
		k | K) sleep 0.3; echo "$line" >&7; sleep 0.3 ;;
		*) echo "$line" >&7 ;;
		esac
	done <"$input"
	for _ in $(seq 200); do
		[ "$(grep -c '^line ' "$out")" -ge "$(grep -c '^line ' "$input")" ] && break
		sleep 0.1
	done
	exec 7>&-
}

# interop_listening PORT: until a TCP listener is up on PORT (at most 20 s).
interop_listening() {
	for _ in $(seq 100); do
		ss -Hltn "sport = :$1" | grep -q . && return
		sleep 0.2
	done
}

# interop_lines_back INPUT OUT: the data lines of INPUT, in order, in OUT.
interop_lines_back() {
	grep '^line ' "$1" >"$1.lines"
	grep '^line ' "$2" >"$2.lines"
	cmp -s "$1.lines" "$2.lines"
}

interop_tests() {
	local p=$1 n=64 srv cli
	rm -rf "$INTEROP_DIR"
	mkdir -p "$INTEROP_DIR"
	cd "$INTEROP_DIR" || return
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj /CN=localhost -days 2 -keyout key.pem -out cert.pem 2>/dev/null

	# s_server types: our client echoes.
	interop_input $n >in.txt
	mkfifo s_server.in
	timeout 120 openssl s_server -accept 4433 -cert cert.pem -key key.pem -tls1_3 \
		-num_tickets 0 -naccept 1 <s_server.in >s_server.out 2>&1 &
	srv=$!
	interop_feed in.txt s_server.in s_server.out client.out &
	local feed=$!
	interop_listening 4433
	timeout 120 "$INTEROP_BIN" client 127.0.0.1 4433 echo 0 >client.out 2>&1
	check "$p.openssl_s_server.client_ok" [ $? = 0 ]
	wait $feed
	wait $srv
	cat client.out
	check "$p.openssl_s_server.byte_exact" interop_lines_back in.txt s_server.out
	check "$p.openssl_s_server.every_update_taken_and_answered" \
		grep -qx "generations tx $INTEROP_KREQ rx $((INTEROP_K + INTEROP_KREQ)) lines $n .*" client.out

	# gnutls-serv echoes: our client sends, with a requested KeyUpdate
	# after every third line, each answered by GnuTLS (which takes at
	# most eight KeyUpdates a second: they are spaced).
	timeout 120 gnutls-serv --echo -p 4434 --x509certfile cert.pem --x509keyfile key.pem \
		--priority NORMAL:-VERS-ALL:+VERS-TLS1.3 >gnutls.out 2>&1 &
	srv=$!
	interop_listening 4434
	timeout 120 "$INTEROP_BIN" client 127.0.0.1 4434 drive $n >client.out 2>&1
	check "$p.gnutls_serv.byte_exact" [ $? = 0 ]
	kill $srv
	wait $srv 2>/dev/null
	cat client.out
	check "$p.gnutls_serv.every_request_answered" \
		grep -qx "generations tx $((n / 3)) rx $((n / 3)) lines $n .*" client.out

	# Our server, s_client types.
	rm -f s_client.in
	mkfifo s_client.in
	timeout 120 "$INTEROP_BIN" server 4435 cert.pem key.pem echo >server.out 2>&1 &
	srv=$!
	interop_listening 4435
	interop_feed in.txt s_client.in s_client.out server.out &
	feed=$!
	timeout 120 openssl s_client -connect 127.0.0.1:4435 -tls1_3 <s_client.in >s_client.out 2>&1
	wait $feed
	wait $srv
	check "$p.openssl_s_client.server_ok" [ $? = 0 ]
	cat server.out
	check "$p.openssl_s_client.byte_exact" interop_lines_back in.txt s_client.out
	check "$p.openssl_s_client.every_update_taken_and_answered" \
		grep -qx "generations tx $INTEROP_KREQ rx $((INTEROP_K + INTEROP_KREQ)) lines $n .*" server.out
	cd / || return
}
