#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the cached kernel in QEMU with tls_rekey.ko loaded, run a command,
# return its exit status. The run fails if the kernel log shows a BUG,
# WARNING, KASAN, lockdep, RCU stall or kmemleak report.
#
# Usage: vm.sh [--variant lean|debug] [--timeout SECONDS] [--no-module]
#              [--interactive] [--] COMMAND...
# Environment: TLS_REKEY_KVM=1 tries KVM (behind a probe); TCG otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VARIANT=lean
TIMEOUT=1800
LOAD_MODULE=1
INTERACTIVE=0
while [ $# -gt 0 ]; do
	case $1 in
	--variant) VARIANT=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--no-module) LOAD_MODULE=0; shift ;;
	--interactive) INTERACTIVE=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || [ $INTERACTIVE = 1 ] || die "no command given"

"$SRCDIR/scripts/build-module.sh" "$VARIANT" >&2
KDIR=$("$SRCDIR/scripts/build-kernel.sh" --dir "$VARIANT")
MEM=2048
[ "$VARIANT" = debug ] && MEM=3072

install -m 0755 "$SRCDIR/scripts/vm-init.sh" "$ROOT/sbin/tls-rekey-init"
# /usr/lib/modules: mount point of the module tree the driver tests install into.
mkdir -p "$ROOT/xfer" "$ROOT/build/vm" "$ROOT/usr/lib/modules"
RUN=$(mktemp -d "$ROOT/build/vm/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
printf '%s\n' "$*" >"$RUN/cmd.sh"
cat >"$RUN/env" <<ENV
KDIR=$KDIR
VARIANT=$VARIANT
MODULE=/build/module/$VARIANT/tls_rekey.ko
TLS_KO=$KDIR/net/tls/tls.ko
LOAD_MODULE=$LOAD_MODULE
INTERACTIVE=$INTERACTIVE
TIMEOUT=$TIMEOUT
export KDIR VARIANT MODULE TLS_KO
ENV

ACCEL="-accel tcg -cpu max"
if [ "${TLS_REKEY_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then
	ACCEL="-accel kvm -cpu host"
fi
SERIAL="-serial mon:stdio"
[ $INTERACTIVE = 1 ] || SERIAL="-serial stdio -monitor none"

# Drop the firmware's banner and terminal escapes from the serial console.
console_filter() {
	if [ $INTERACTIVE = 1 ]; then
		cat
	else
		sed -u -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e '/^SeaBIOS/d' -e 's/^Booting from ROM\.\.//' -e 's/\r$//'
	fi
}

say "booting $VARIANT kernel (${ACCEL% -cpu*}), limit ${TIMEOUT}s: $*"
# no5lvl: -cpu max offers LA57, and with 5-level paging an interrupt that
# lands while identify_cpu() rebuilds the boot CPU's feature bits makes
# KASAN check a direct-map address as if paging had four levels (seen once
# on the debug kernel: "wild-memory-access in do_raw_spin_lock" from
# handle_edge_irq, 5 ms into boot, before any module). Four levels, as on
# most machines, leave no such window.
rc=0
# shellcheck disable=SC2086
in_root timeout -k 5 $((TIMEOUT + 120)) qemu-system-x86_64 $ACCEL -m $MEM -smp 2 \
	-nographic -no-reboot $SERIAL -display none -nodefaults \
	-kernel "$KDIR/arch/x86/boot/bzImage" \
	-virtfs local,path=/mnt/guest,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path=/src,mount_tag=src,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="${RUN#"$ROOT"}",mount_tag=xfer,security_model=none,multidevs=remap \
	-append "root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 ro console=ttyS0 loglevel=4 panic=-1 oops=panic no5lvl init=/sbin/tls-rekey-init" \
	| console_filter || rc=$?

if [ ! -f "$RUN/status" ]; then
	say "the VM did not finish (qemu exit $rc): timeout, panic or hang"
	exit 124
fi
status=$(cat "$RUN/status")
if [ -f "$RUN/dmesg" ]; then
	cp "$RUN/dmesg" "$TLS_REKEY_CACHE/last-dmesg.log"
	if grep -nE 'BUG: |WARNING: |Oops|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|suspected memory leak|rcu_.*stall|RCU stall|UBSAN:|refcount_t: |list_(add|del) corruption|Kernel panic|INFO: task .* blocked' "$RUN/dmesg"; then
		# kmemleak's reports (object, allocation backtrace) are not in dmesg.
		[ -s "$RUN/kmemleak" ] && head -c 20000 "$RUN/kmemleak"
		say "kernel log has problem reports (full log: $TLS_REKEY_CACHE/last-dmesg.log)"
		exit 1
	fi
fi
say "command exited $status; kernel log clean"
exit "$status"
