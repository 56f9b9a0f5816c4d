#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test of the project (`make check-lean`,
# `make check-debug`: one kernel variant).
#  1. host: cargo test of the kernel-independent logic (build root's cargo);
#  2. style: rustfmt and clippy (kernel lints) clean, every unsafe block
#     preceded by a SAFETY comment;
#  3. VM: tools/testing/selftests/tls_rekey/vm_tests.sh with tls_rekey.ko
#     loaded: module state, our selftests, the upstream tls selftest
#     (compared with upstream_expected_pass.txt), module lifecycle.
# Ends with "N passed, N failed"; exits non-zero on any failure.
#
# Usage: check.sh [lean] [debug]      (default: both)
# Environment: TLS_REKEY_UPSTREAM_FILTER  harness filter for the upstream
#   selftest (e.g. "-f tls_basic -v 13_aes_gcm"; "" runs all of it); the
#   defaults per variant are below.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Which variants run, and which part of the upstream selftest each runs
# (kselftest harness filters). The split is measured and explained in
# Documentation/testing.rst; TLS_REKEY_UPSTREAM_FILTER overrides both.
VARIANTS=${*:-lean debug}
LEAN_UPSTREAM_FILTER=""
# The debug kernel is about 5x slower: two cipher variants, without the
# mutliproc_* stress cases (they hit the harness's 30 s timeout there even
# with tls.ko).
DEBUG_UPSTREAM_FILTER="-T mutliproc_even -T mutliproc_readers -T mutliproc_writers \
-T mutliproc_sendpage_even -T mutliproc_sendpage_readers -T mutliproc_sendpage_writers \
-f global -f tls_basic -f zero_len -v 13_aes_gcm -v 12_aes_gcm"
DEBUG_PEER_ARGS="--rekeys 10"
DEBUG_DEVICE_BYTES=262144
# The reference run of our selftests against tls.ko is about the tests, not
# the kernel: the lean run has it.
EXPECTED=$SRCDIR/tools/testing/selftests/tls_rekey/upstream_expected_pass.txt
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
t0=$(date +%s)
stage() { echo "== [$(( $(date +%s) - t0 ))s] $*"; }
finish() {
	stage "done"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

stage "bootstrap"
mkdir -p "$TLS_REKEY_CACHE"
"$SRCDIR/scripts/bootstrap.sh" || { fail bootstrap; finish; }

stage "host tests (cargo test, in the build root)"
"$SRCDIR/scripts/host-test.sh" 2>&1 | tee "$TLS_REKEY_CACHE/cargo.log" | grep -E '^test .* \.\.\. '
while read -r p f; do
	passed=$((passed + p))
	failed=$((failed + f))
done < <(sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$TLS_REKEY_CACHE/cargo.log")
grep -q '^test result:' "$TLS_REKEY_CACHE/cargo.log" || fail "cargo test did not run"

check_style() {
	local VARIANT=$1 LOG=$TLS_REKEY_CACHE/check-$1 KSRC
	stage "style: rustfmt, clippy, SAFETY comments"
	KSRC=$(kernel_src)
	if in_root sh -c "cd /src && rustfmt --edition 2021 --config-path $KSRC/.rustfmt.toml --check tls_rekey.rs rust/logic/src/lib.rs tools/testing/tlsnic/tlsnic.rs" >"$LOG/rustfmt.log" 2>&1; then
		pass "rustfmt clean"
	else
		head -40 "$LOG/rustfmt.log"; fail "rustfmt"
	fi
	if "$SRCDIR/scripts/build-module.sh" "$VARIANT" CLIPPY=1 >"$LOG/clippy.log" 2>&1 && ! grep -qE '^(warning|error)' "$LOG/clippy.log"; then
		pass "clippy clean (CLIPPY=1, kernel lints)"
	else
		grep -E '^(warning|error)' -A8 "$LOG/clippy.log" | head -60; fail "clippy"
	fi
	if "$SRCDIR/scripts/check-safety-comments.sh"; then pass "every unsafe block has a SAFETY comment"; else fail "SAFETY comments"; fi
}

check_variant() {
	local VARIANT=$1 FILTER LOG
	local PEER_ARGS= SKIP_REFERENCE=0 DEVICE_BYTES=4194304 DEVICE_SHORT=0
	if [ "$VARIANT" = debug ]; then
		FILTER=${TLS_REKEY_UPSTREAM_FILTER-$DEBUG_UPSTREAM_FILTER}
		PEER_ARGS=$DEBUG_PEER_ARGS
		DEVICE_BYTES=$DEBUG_DEVICE_BYTES
		DEVICE_SHORT=1
		SKIP_REFERENCE=1
	else
		FILTER=${TLS_REKEY_UPSTREAM_FILTER-$LEAN_UPSTREAM_FILTER}
	fi
	LOG=$TLS_REKEY_CACHE/check-$VARIANT
	mkdir -p "$LOG"
	stage "build ($VARIANT): kernel, module, selftests"
	if ! "$SRCDIR/scripts/build-module.sh" "$VARIANT" 2>&1 | tee "$LOG/build.log"; then
		fail "$VARIANT: module build"
		return
	fi
	if grep -qE '(^|: )(warning|error)' "$LOG/build.log"; then fail "$VARIANT: module build has warnings"; else pass "$VARIANT: module builds without warnings"; fi
	"$SRCDIR/scripts/build-selftests.sh" "$VARIANT" || fail "$VARIANT: selftest build"

	[ -n "${STYLE_DONE:-}" ] || check_style "$VARIANT"
	STYLE_DONE=1

	stage "VM ($VARIANT kernel): module, our selftests, upstream tls selftest ${FILTER:-(all)}, lifecycle"
	# shellcheck disable=SC2086
	"$SRCDIR/scripts/vm.sh" --variant "$VARIANT" --timeout 4200 -- \
		TLS_REKEY_PEER_ARGS="'$PEER_ARGS'" TLS_REKEY_SKIP_REFERENCE=$SKIP_REFERENCE \
		TLS_REKEY_DEVICE_BYTES=$DEVICE_BYTES TLS_REKEY_DEVICE_SHORT=$DEVICE_SHORT tools/testing/selftests/tls_rekey/vm_tests.sh $FILTER 2>&1 | tee "$LOG/vm.log" |
		grep --line-buffered -E '^(RESULT|UPSTREAM|==|# Totals|lsmod|\[vm.sh\]|\[build)'
	vm_rc=${PIPESTATUS[0]}
	while read -r tag verdict name; do
		case $verdict in
		ok) pass "$VARIANT: $name" ;;
		skip) echo "SKIP $VARIANT: $name" ;;
		*) fail "$VARIANT: $name" ;;
		esac
	done < <(grep -E '^RESULT ' "$LOG/vm.log")
	if [ "$vm_rc" != 0 ]; then
		fail "$VARIANT: VM run (exit $vm_rc: a test failed, the kernel log has reports, or a timeout)"
	else
		pass "$VARIANT: VM run with a clean kernel log"
	fi

	# Upstream selftest: every expected pass must pass; new passes are reported.
	grep -E '^UPSTREAM ' "$LOG/vm.log" | awk '{print $3, $2}' | sort >"$LOG/upstream.txt"
	total=$(wc -l <"$LOG/upstream.txt")
	up_ok=$(awk '$2 == "ok"' "$LOG/upstream.txt" | wc -l)
	while read -r name; do
		[ -n "$name" ] || continue
		v=$(awk -v n="$name" '$1 == n {print $2}' "$LOG/upstream.txt")
		if [ -z "$v" ]; then
			[ -n "$FILTER" ] || fail "$VARIANT: upstream $name (expected to pass, did not run)"
		elif [ "$v" = ok ]; then
			pass "$VARIANT: upstream $name"
		else
			fail "$VARIANT: upstream $name (expected to pass)"
		fi
	done < <(grep -v '^#' "$EXPECTED")
	new=$(awk '$2 == "ok" {print $1}' "$LOG/upstream.txt" | grep -vxF -f <(grep -v '^#' "$EXPECTED") || true)
	[ -z "$new" ] || { echo "new upstream passes (add to $EXPECTED):"; echo "$new" | sed 's/^/  /'; }
	echo "$VARIANT: upstream tls selftest: $up_ok of $total runs passed against tls_rekey (${FILTER:-all variants})"
}

for v in $VARIANTS; do
	check_variant "$v"
done
finish
