#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The README's main job, run inside the VM: a TLS 1.3 transfer between two
kTLS sockets served by tls_rekey, with KeyUpdates between the chunks.

Both ends hand the connection to the `tls` ULP with the same traffic
secrets; each KeyUpdate is a handshake record sent through kTLS, after which
the sender installs the next TX key and the receiver, having read the
KeyUpdate (and then EKEYEXPIRED), installs the next RX key. Keys follow
RFC 8446 §7.2 (HKDF-Expand-Label "traffic upd", then "key" and "iv")."""

import errno
import hashlib
import hmac
import os
import socket
import struct
import subprocess

SOL_TLS, TCP_ULP = 282, 31
TLS_TX, TLS_RX = 1, 2
TLS_SET_RECORD_TYPE, TLS_GET_RECORD_TYPE = 1, 2
TLS_1_3, AES_GCM_128 = 0x0304, 51
HANDSHAKE = 22
KEY_UPDATE = bytes([24, 0, 0, 1, 0])


def expand_label(secret, label, length):
    info = struct.pack(">H", length) + bytes([6 + len(label)]) + b"tls13 " + label + b"\0"
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def crypto_info(secret):
    key = expand_label(secret, b"key", 16)
    iv = expand_label(secret, b"iv", 12)
    return struct.pack("=HH", TLS_1_3, AES_GCM_128) + iv[4:] + key + iv[:4] + bytes(8)


def recv_record(sock, size):
    data, anc, _, _ = sock.recvmsg(size, socket.CMSG_SPACE(1))
    rtype = anc[0][2][0] if anc else None
    return rtype, data


def main():
    with open("/proc/modules") as f:
        mods = [line.split()[0] for line in f]
    print("loaded modules:", " ".join(mods))
    assert "tls_rekey" in mods and "tls" not in mods

    srv = socket.create_server(("127.0.0.1", 0))
    tx = socket.create_connection(srv.getsockname())
    rx, _ = srv.accept()
    secret = hashlib.sha256(b"demo traffic secret").digest()
    for s in (tx, rx):
        s.setsockopt(socket.SOL_TCP, TCP_ULP, b"tls")
    tx.setsockopt(SOL_TLS, TLS_TX, crypto_info(secret))
    rx.setsockopt(SOL_TLS, TLS_RX, crypto_info(secret))

    chunk = os.urandom(256 * 1024)
    for generation in range(4):
        tx.sendall(chunk)
        got = b""
        while len(got) < len(chunk):
            rtype, data = recv_record(rx, 65536)
            assert rtype == 23, rtype
            got += data
        assert got == chunk
        print(f"key generation {generation}: {len(chunk)} bytes byte-exact")
        # KeyUpdate: record type by cmsg, then the next TX key.
        tx.sendmsg([KEY_UPDATE], [(SOL_TLS, TLS_SET_RECORD_TYPE, bytes([HANDSHAKE]))])
        secret = expand_label(secret, b"traffic upd", 32)
        tx.setsockopt(SOL_TLS, TLS_TX, crypto_info(secret))
        rtype, data = recv_record(rx, 64)
        assert (rtype, data) == (HANDSHAKE, KEY_UPDATE), (rtype, data)
        try:
            rx.recv(1, socket.MSG_DONTWAIT)
            raise AssertionError("read after KeyUpdate did not fail")
        except OSError as e:
            assert e.errno == errno.EKEYEXPIRED, e
        rx.setsockopt(SOL_TLS, TLS_RX, crypto_info(secret))
        print(f"  KeyUpdate received, recv said EKEYEXPIRED, next RX key installed")

    with open("/proc/net/tls_stat") as f:
        stats = {k: v for k, v in (line.split() for line in f)}
    print("tls_stat:", ", ".join(f"{k} {stats[k]}" for k in
                                  ("TlsCurrTxSw", "TlsCurrRxSw", "TlsTxRekeyOk",
                                   "TlsRxRekeyOk", "TlsRxRekeyReceived")))
    port = tx.getsockname()[1]
    out = subprocess.run(["ss", "-tni", "sport", f"= :{port}"], capture_output=True, text=True)
    print("ss -tni:", out.stdout.strip().splitlines()[-1].split("tcp-ulp-")[-1])
    for s in (tx, rx, srv):
        s.close()


if __name__ == "__main__":
    main()
