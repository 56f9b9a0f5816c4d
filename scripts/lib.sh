# SPDX-License-Identifier: GPL-2.0
# Shared settings of the tls_rekey scripts: sourced, never run.

TLS_REKEY_CACHE=${TLS_REKEY_CACHE:-/var/cache/tls-rekey}
ROOT=$TLS_REKEY_CACHE/root
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# in_root CMD...: run CMD inside the build root, with /proc, /sys, /dev
# and the repository (at /src) mounted in a private mount namespace that
# vanishes with the command.
in_root() {
	[ -f "$ROOT/.tls-rekey-debootstrap" ] || die "no build root at $ROOT: run scripts/bootstrap.sh"
	mkdir -p "$ROOT/src" "$ROOT/mnt/guest"
	unshare -m --propagation private /bin/sh -e -c '
		r=$1; s=$2; shift 2
		mount --bind "$r" "$r/mnt/guest"
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		mount --bind "$s" "$r/src"
		mount -t tmpfs tmpfs "$r/tmp"
		exec chroot "$r" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
	' in_root "$ROOT" "$SRCDIR" "$@"
}

# The kernel source unpacked by bootstrap.sh (path inside the root).
kernel_src() {
	local d
	d=$(ls -d "$ROOT"/build/src/linux-source-7.2* 2>/dev/null | sort -V | tail -n1)
	[ -n "$d" ] || die "no kernel source in $ROOT/build/src: run scripts/bootstrap.sh"
	echo "${d#"$ROOT"}"
}
