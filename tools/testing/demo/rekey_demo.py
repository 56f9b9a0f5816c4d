#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The README's main job, run inside the VM: a TCP connection handed to the
`tls` ULP (tls_rekey), TLS 1.3 keys installed in both directions, a TX rekey,
and the socket's state as userspace and `ss` see it.

The data path (issue 3) is not there yet: the demo shows that data calls on
a configured socket fail with EOPNOTSUPP instead of leaking plaintext."""

import os
import socket
import struct
import subprocess

SOL_TLS, TCP_ULP = 282, 31
TLS_TX, TLS_RX, TLS_TX_MAX_PAYLOAD_LEN = 1, 2, 5
TLS_1_3, AES_GCM_128 = 0x0304, 51


def crypto_info(key_gen):
    """struct tls12_crypto_info_aes_gcm_128 with recognisable bytes."""
    iv = bytes([key_gen] * 8)
    key = bytes([0x10 + key_gen] * 16)
    salt = bytes([0x20 + key_gen] * 4)
    rec_seq = bytes(8)
    return struct.pack("=HH", TLS_1_3, AES_GCM_128) + iv + key + salt + rec_seq


def show(sock, what):
    info = sock.getsockopt(SOL_TLS, TLS_TX, 40)
    ver, cipher = struct.unpack("=HH", info[:4])
    print(f"{what}: TX version {ver:#06x} cipher {cipher} key {info[12:28].hex()}")


def main():
    with open("/proc/modules") as f:
        mods = [line.split()[0] for line in f]
    print("loaded modules:", " ".join(mods))
    assert "tls_rekey" in mods and "tls" not in mods

    srv = socket.create_server(("127.0.0.1", 0))
    cli = socket.create_connection(srv.getsockname())
    peer, _ = srv.accept()

    cli.setsockopt(socket.SOL_TCP, TCP_ULP, b"tls")
    print("TCP_ULP:", cli.getsockopt(socket.SOL_TCP, TCP_ULP, 16).rstrip(b"\0").decode())
    cli.setsockopt(SOL_TLS, TLS_TX, crypto_info(1))
    cli.setsockopt(SOL_TLS, TLS_RX, crypto_info(1))
    show(cli, "key generation 1")
    cli.setsockopt(SOL_TLS, TLS_TX, crypto_info(2))
    show(cli, "after TX rekey  ")
    try:
        cli.setsockopt(SOL_TLS, TLS_TX, struct.pack("=HH", 0x0303, 51) + bytes(36))
    except OSError as e:
        print("rekey changing the version:", os.strerror(e.errno))
    maxlen = struct.unpack("=H", cli.getsockopt(SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, 2))[0]
    print("TLS_TX_MAX_PAYLOAD_LEN:", maxlen)
    try:
        cli.send(b"hello")
    except OSError as e:
        print("send on a configured socket:", os.strerror(e.errno), "(data path: issue 3)")
    port = cli.getsockname()[1]
    out = subprocess.run(["ss", "-tni", "sport", f"= :{port}"], capture_output=True, text=True)
    print("ss -tni:", out.stdout.strip())
    for s in (cli, peer, srv):
        s.close()


if __name__ == "__main__":
    main()
