#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Create the Debian trixie build root (toolchain, QEMU, guest userland)
# and unpack Linux 7.2.x into it. Idempotent: a second run does nothing.
#
# Environment: TLS_REKEY_CACHE (default /var/cache/tls-rekey),
# TLS_REKEY_MIRROR (default: the Debian mirror named in the host's apt sources).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"

PKGLIST=$SRCDIR/scripts/buildroot-packages.txt
PKGS=$(sed -e 's/#.*//' "$PKGLIST" | xargs)
STAMP=$ROOT/.tls-rekey-packages
WANT=$(sha256sum "$PKGLIST" | cut -d' ' -f1)

host_mirror() {
	local m
	m=$(grep -hs -E '^(URIs:|deb) ' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list 2>/dev/null |
		grep -oE 'https?://[^ ]*/debian/?( |$)' | head -n1 | tr -d ' ')
	echo "${m%/}"
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -n "$(ls "$ROOT"/build/src 2>/dev/null)" ]; then
	say "build root $ROOT is complete; kernel source $(kernel_src): nothing to do"
	exit 0
fi

MIRROR=${TLS_REKEY_MIRROR:-$(host_mirror)}
[ -n "$MIRROR" ] || die "no Debian mirror found in /etc/apt: set TLS_REKEY_MIRROR"

if ! command -v debootstrap >/dev/null; then
	say "installing debootstrap on the host"
	apt-get update -qq || die "apt-get update failed: is the network up?"
	apt-get install -y -qq debootstrap >/dev/null || die "cannot install debootstrap"
fi

if [ ! -x "$ROOT/usr/bin/apt-get" ] || [ ! -f "$ROOT/.tls-rekey-debootstrap" ]; then
	say "debootstrap trixie into $ROOT (mirror $MIRROR)"
	rm -rf "$ROOT.partial"
	mkdir -p "$TLS_REKEY_CACHE"
	debootstrap --variant=minbase trixie "$ROOT.partial" "$MIRROR" >"$TLS_REKEY_CACHE/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$TLS_REKEY_CACHE/debootstrap.log" >&2; rm -rf "$ROOT.partial";
		  die "debootstrap failed (network or mirror $MIRROR unreachable?)"; }
	touch "$ROOT.partial/.tls-rekey-debootstrap"
	rm -rf "$ROOT"
	mv "$ROOT.partial" "$ROOT"
fi

cat >"$ROOT/etc/apt/sources.list" <<SRC
deb $MIRROR trixie main
deb $MIRROR trixie-updates main
deb $MIRROR trixie-backports main
SRC
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

say "installing $(echo "$PKGS" | wc -w) packages into the build root"
in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/tmp/apt.log 2>&1 || { tail -n 30 /tmp/apt.log; exit 1; }" ||
	die "package installation failed"
in_root sh -c 'rm -rf /usr/share/doc/* /usr/share/man/* /var/cache/apt/archives/*.deb'

if [ -z "$(ls "$ROOT"/build/src 2>/dev/null)" ]; then
	say "fetching linux-source-7.2 (trixie-backports, else sid)"
	mkdir -p "$ROOT/build/deb"
	if ! in_root sh -c 'cd /build/deb && apt-get download -qq linux-source-7.2 2>/dev/null'; then
		say "not in trixie-backports; trying sid"
		echo "deb $MIRROR sid main" >"$ROOT/etc/apt/sources.list.d/sid.list"
		in_root apt-get update -qq
		ok=0
		in_root sh -c 'cd /build/deb && apt-get download -qq -t sid linux-source-7.2' && ok=1
		rm -f "$ROOT/etc/apt/sources.list.d/sid.list"
		in_root apt-get update -qq
		[ $ok = 1 ] || die "linux-source-7.2 is in neither trixie-backports nor sid"
	fi
	deb=$(ls "$ROOT"/build/deb/linux-source-7.2_*.deb | sort -V | tail -n1)
	ver=$(basename "$deb" | sed -e 's/^linux-source-7.2_//' -e 's/_all.deb$//')
	say "unpacking linux-source-7.2 $ver"
	rm -rf "$ROOT/build/src.partial"
	mkdir -p "$ROOT/build/src.partial"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$ROOT/build/src.partial" --wildcards './usr/src/linux-source-7.2*.tar.xz'
	tar -xJf "$ROOT"/build/src.partial/usr/src/linux-source-7.2*.tar.xz -C "$ROOT/build/src.partial"
	rm -rf "$ROOT/build/src.partial/usr" "$deb"
	d=$(ls -d "$ROOT"/build/src.partial/linux-source-7.2*)
	ver=$(echo "$ver" | tr "~+" "--")
	mv "$d" "$d-$ver"
	echo "$ver" >"$d-$ver/.debian-version"
	rm -rf "$ROOT/build/src"
	mv "$ROOT/build/src.partial" "$ROOT/build/src"
fi

echo "$WANT" >"$STAMP"
say "build root ready: $(in_root rustc --version), $(in_root bindgen --version 2>&1 | head -n1), kernel $(kernel_src)"
