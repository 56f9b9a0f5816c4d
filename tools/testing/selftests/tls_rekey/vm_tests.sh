#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM side of `make check` (run by scripts/check.sh through scripts/vm.sh
# with tls_rekey.ko loaded). Prints one "RESULT ok|fail NAME" line per check
# and "UPSTREAM ok|fail NAME" per upstream tls selftest case.
#
# Usage: vm_tests.sh [upstream harness filter arguments, e.g. -f tls_basic]
#        TLS_REKEY_SKIP_UPSTREAM=1 skips the upstream selftest;
#        TLS_REKEY_SKIP_REFERENCE=1 skips our selftests against tls.ko;
#        TLS_REKEY_DEVICE_BYTES sets the size of each device test transfer.

T=/build/selftests/$VARIANT
rc=0

result() {
	echo "RESULT $1 $2"
	[ "$1" = ok ] || rc=1
}

check() {
	local name=$1
	shift
	if "$@"; then result ok "$name"; else result fail "$name"; fi
}

# A section heading, with the seconds since the run started (where CI's time
# goes).
section() { echo "== [${SECONDS}s] $*"; }

loaded() { grep -q "^$1 " /proc/modules; }
ulp_listed() { grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp; }

# Run a kselftest binary; turn its "ok N name" lines into result lines.
kselftest() {
	local tag=$1 prefix=$2
	shift 2
	"$@" 2>&1 | while IFS= read -r line; do
		case $line in
		"ok "*" # SKIP"*) echo "$tag skip $prefix${line#ok * }" ;;
		"ok "*) n=${line#ok }; echo "$tag ok $prefix${n#* }" ;;
		"not ok "*) n=${line#not ok }; echo "$tag fail $prefix${n#* }" ;;
		"# Totals"*|"#  FAIL"*|"# "*"Expected"*|"# "*"terminated"*) echo "$line" ;;
		esac
	done
}

section "module state"
check module.tls_rekey_loaded loaded tls_rekey
check module.tls_ko_not_loaded eval '! loaded tls'
check module.ulp_tls_available ulp_listed
echo "lsmod: $(cut -d' ' -f1 /proc/modules | xargs)"
# KUnit suites of the module (debug kernel: CONFIG_KUNIT) ran when it loaded.
if [ -d /sys/kernel/debug/kunit ]; then
	dmesg | grep -E "# tls_rekey_[a-z_]+: pass:" | sed 's/^\[[^]]*\] *//'
	for suite in tls_rekey_get_record tls_rekey_key_schedule; do
		check "kunit.$suite" eval 'dmesg | grep -qE "# $suite: pass:[1-9][0-9]* fail:0 skip:0" &&
			dmesg | grep -qE "\] ok [0-9]+ $suite$"'
	done
fi

# Our kselftest programs: every tools/testing/selftests/tls_rekey/*.c.
OURS=$(cd /src/tools/testing/selftests/tls_rekey && ls ./*.c | sed 's|^./||; s|\.c$||')
for t in $OURS; do
	section "our selftest $t against tls_rekey"
	kselftest RESULT "$t." "$T/$t"
done
if [ -f /src/tools/testing/selftests/tls_rekey/peer.py ]; then
	section "independent userspace peer (python3-cryptography) against tls_rekey"
	python3 /src/tools/testing/selftests/tls_rekey/peer.py ${TLS_REKEY_PEER_ARGS:-} 2>&1 |
		sed -n -e 's/^ok \(.*\)/RESULT ok peer.\1/p' -e 's/^not ok \([^:]*\).*/RESULT fail peer.\1\n&/p' \
			-e 's/^skip \([^:]*\).*/RESULT skip peer.\1/p' -e '/passed, .* failed/p'
	echo "$(cat /proc/net/tls_stat | tr -s ' \t' ' ' | tr '\n' ';')"
	# The lean kernel: 100000 automatic KeyUpdates over one connection, one
	# after every record (seed 1 draws TLS_TX_KEY_UPDATE_RECORDS 1).
	if [ "$VARIANT" = lean ]; then
		section "the kernel's key schedule: 100000 automatic KeyUpdates"
		python3 /src/tools/testing/selftests/tls_rekey/peer.py --rekeys 100000 --seed 1 \
			--only 13_aes_gcm_128.kernel_schedule_auto >/tmp/peer-auto.log 2>&1
		grep '^not ok' /tmp/peer-auto.log
		check peer.rekeys100000.13_aes_gcm_128.kernel_schedule_auto \
			grep -qx 'ok 13_aes_gcm_128.kernel_schedule_auto' /tmp/peer-auto.log
	fi
fi
if [ "$VARIANT" = lean ]; then
	section "the kernel's key schedule against openssl s_server, s_client and gnutls-serv"
	. /src/tools/testing/interop/interop.sh
	interop_tests interop
fi

. /src/tools/testing/selftests/tls_rekey/device.sh
. /src/tools/testing/selftests/tls_rekey/device_rx.sh
. /src/tools/testing/selftests/tls_rekey/device_rx_rekey.sh
. /src/tools/testing/selftests/tls_rekey/device_duplex.sh
section "device offload: the simulated TLS-offload NIC with tls_rekey"
device_tests tls_rekey 1 1
section "TLS 1.3 TX rekeys on a NIC holding several key generations"
device_generations_tests tls_rekey
section "device RX offload: the simulated NIC decrypting for tls_rekey"
device_rx_tests device_rx.tls_rekey 1
# RX uses two slots whatever the device holds (the old generation leaves
# as the new one comes): 1 and 2 generations (3 measured the same as 2).
section "TLS 1.3 KeyUpdates on a device RX socket, 1 and 2 RX key generations"
for n in 1 2; do
	device_rx_rekey_tests "device_rx_rekey.generations$n" $n
done
section "both directions on the device, both ends sending, with tls_rekey"
device_duplex_tests device_duplex.tls_rekey 1
section "both directions on the device with KeyUpdates both ways, 1 to 3 key generations"
# The debug kernel: two generations only.
for n in 1 2 3; do
	[ "${TLS_REKEY_DEVICE_SHORT:-0}" = 1 ] && [ $n != 2 ] && continue
	device_duplex_rekey_tests "device_duplex_rekey.generations$n" $n
done
# The lean kernel only: the peer over the NIC for CI time (the debug kernel
# runs the device path above), bonding because only the lean kernel builds
# it (config.drivers).
if [ "$VARIANT" = lean ]; then
	section "the independent peer over the NIC, and a bond"
	peer_tests tls_rekey
	peer_generations_tests tls_rekey
	bond_tests tls_rekey
fi

if [ "${TLS_REKEY_SKIP_UPSTREAM:-0}" != 1 ]; then
	section "upstream tools/testing/selftests/net/tls.c against tls_rekey $*"
	kselftest UPSTREAM "" "$T/tls" "$@"
	check module.tls_ko_still_not_loaded eval '! loaded tls'
fi

section "module lifecycle and the tls ULP name"
# A socket using the ULP pins the module.
python3 - <<'PY' &
import socket, time
s = socket.create_server(("127.0.0.1", 4433))
c = socket.create_connection(("127.0.0.1", 4433))
a, _ = s.accept()
c.setsockopt(socket.SOL_TCP, 31, b"tls")
open("/tmp/ulp-ready", "w").close()
time.sleep(30)
PY
pin=$!
for _ in $(seq 100); do [ -e /tmp/ulp-ready ] && break; sleep 0.1; done
check lifecycle.rmmod_refused_while_socket_uses_ulp eval '! rmmod tls_rekey 2>/dev/null'
kill $pin
wait $pin 2>/dev/null
check lifecycle.tls_ko_refused_while_loaded eval '! insmod "$TLS_KO" 2>/dev/null && ! loaded tls'
check lifecycle.refusal_logged eval 'dmesg | grep -qE "tls: exports duplicate symbol tls_[a-z_]+ \(owned by tls_rekey\)"'
for _ in $(seq 50); do rmmod tls_rekey 2>/dev/null && break; sleep 0.2; done
check lifecycle.rmmod_after_close eval '! loaded tls_rekey'
check lifecycle.ulp_gone_after_rmmod eval '! ulp_listed'
check lifecycle.tls_ko_loads_alone eval 'insmod "$TLS_KO" && loaded tls'
check lifecycle.tls_rekey_refused_while_tls_ko eval '! insmod "$MODULE" 2>/dev/null && ! loaded tls_rekey'
check lifecycle.clash_logged eval 'dmesg | grep -qE "tls_rekey: exports duplicate symbol tls_[a-z_]+ \(owned by tls\)"'
if [ "${TLS_REKEY_SKIP_REFERENCE:-0}" != 1 ]; then
	for t in $OURS; do
		section "reference: our selftest $t against in-tree tls.ko"
		kselftest RESULT "reference.tls_ko.$t." "$T/$t"
	done
fi
# The same device tests under tls.ko's device offload (TLS 1.2 TX and
# RX): the NIC and the tests checked against upstream. The lean kernel
# only: the debug kernel runs them with tls_rekey above (CI time).
if [ "$VARIANT" = lean ]; then
	section "reference: the simulated TLS-offload NIC under tls.ko's device offload (TLS 1.2)"
	device_tests reference.tls_ko 1 0
	section "reference: device RX and both directions under tls.ko"
	device_rx_tests device_rx.reference.tls_ko 0
	device_duplex_tests device_duplex.reference.tls_ko 0
fi
rmmod tls
check lifecycle.reload eval 'insmod "$MODULE" && loaded tls_rekey && ulp_listed'

if [ "$VARIANT" = lean ]; then
	section "in-tree kTLS drivers against tls_rekey (modprobe, depmod, unload orders)"
	. /src/tools/testing/selftests/tls_rekey/drivers.sh
	driver_tests
fi
exit $rc
