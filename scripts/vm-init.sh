#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM (installed into the build root by scripts/vm.sh).
# The build root is the guest's read-only 9p root; /src is the repository,
# /xfer the per-run exchange folder (command in, status and kernel log out).

export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 TERM=dumb
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 src /src
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 xfer /xfer
ip link set lo up
hostname tls-rekey-vm

# shellcheck disable=SC1091
. /xfer/env

finish() {
	echo "$1" >/xfer/status
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		sleep 1
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak >/xfer/kmemleak
	fi
	dmesg >/xfer/dmesg
	sync
	busybox reboot -f
	echo b >/proc/sysrq-trigger
}

if [ "$LOAD_MODULE" = 1 ]; then
	if ! insmod "$MODULE"; then
		echo "vm-init: insmod $MODULE failed" >&2
		finish 1
	fi
fi

cd /src || finish 1
if [ "$INTERACTIVE" = 1 ]; then
	setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
	finish 0
fi
timeout -k 10 "$TIMEOUT" bash /xfer/cmd.sh </dev/null
finish $?
