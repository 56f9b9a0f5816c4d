#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One kTLS transfer between two hosts, checked byte for byte.

The client configures TLS_TX (the ULP offloads it to the route's device when
the device offers NIC TLS), the server TLS_RX in software; the server
compares every byte with the expected stream and prints one "ok"/"FAIL"
line. Used by device.sh over the simulated TLS-offload NIC (tlsnic). The
client may start before the server listens: it retries its connection.

usage: offload.py server PORT NBYTES VERSION CIPHER [ebadmsg]
       offload.py client ADDR PORT NBYTES VERSION CIPHER [PAUSE|-] [rekey[:EVERY]]
VERSION: 12 or 13; CIPHER: gcm128 or gcm256. With PAUSE, the client
creates the file PAUSE.half after sending half of the bytes and waits for
PAUSE.go before sending the rest. With rekey (TLS 1.3), the client sends a
KeyUpdate after half of the bytes (rekey:EVERY: after every EVERY bytes)
and moves TLS_TX to the next key; the server, taking each KeyUpdate, sets
TLS_RX to that key, as a TLS library does. With ebadmsg, the server expects a read to fail with EBADMSG (a
record corrupted on the wire) after byte-exact data, and fails if the
transfer completes. OFFLOAD_IPV6=1 makes the server listen on :: (IPv4
and IPv6); OFFLOAD_RX_PAUSE=SECONDS makes it stop reading for that long
once it has half of the bytes, its reads never asking for more before
(so a KeyUpdate sent halfway is not opened before the pause). The receiver's TLS_RX goes to its device when the device offers
RX offload (device_rx.sh). OFFLOAD_DUPLEX=1: both ends configure TLS_TX
and TLS_RX and send NBYTES to each other at the same time (the server's
stream and keys its own), each checking what it receives: the client's
PAUSE and rekey apply to its sender, ebadmsg to the server; with
OFFLOAD_PAUSE=PAUSE the server's sender also waits halfway for PAUSE.go,
and with OFFLOAD_REKEY=EVERY it sends a KeyUpdate after every EVERY bytes.
OFFLOAD_SENDFILE=ro|copy: the client sends with sendfile() from a file
holding the stream (no PAUSE, no rekey), with TLS_TX_ZEROCOPY_RO set (ro)
or not (copy), and checks afterwards that the file is unchanged.
OFFLOAD_SCHEDULE=EVERY (TLS 1.3, the client with rekey:EVERY): the
kernel's key schedule on both ends (TLS_TX_SECRET, TLS_RX_SECRET): the
client's KeyUpdates are TLS_TX_KEY_UPDATE, the server never sees them and
checks at the end that TLS_KEY_GENERATIONS counted each.
OFFLOAD_SNDBUF=BYTES: the client sets SO_SNDBUF (a fixed send buffer),
OFFLOAD_RCVBUF=BYTES the server SO_RCVBUF (IPv4; a small window);
OFFLOAD_KU_LOG=PATH: the client writes there, for its KeyUpdates, the
bytes TCP held unacknowledged (SIOCOUTQ) once the next key was set, summed,
and the largest send buffer then, as "unacked=N sndbuf=N".
OFFLOAD_TAIL_WAIT=SECONDS: the client's sender waits that long before the
last eighth of its bytes.
"""
import errno
import fcntl
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

SOL_TLS = 282
TCP_ULP = 31
TLS_TX = 1
TLS_RX = 2
TLS_SET_RECORD_TYPE = 1
TLS_GET_RECORD_TYPE = 2
TLS_TX_ZEROCOPY_RO = 3
HANDSHAKE = 22
KEY_UPDATE = bytes([24, 0, 0, 1, 0])
VERSIONS = {"12": 0x0303, "13": 0x0304}
# cipher: (TLS_CIPHER_*, key size)
CIPHERS = {"gcm128": (51, 16), "gcm256": (52, 32)}
CHUNK = 1 << 16
DUPLEX = os.environ.get("OFFLOAD_DUPLEX") == "1"
SCHEDULE = int(os.environ.get("OFFLOAD_SCHEDULE", "0"))
TAIL_WAIT = float(os.environ.get("OFFLOAD_TAIL_WAIT", "0"))
SIOCOUTQ = 0x5411
SO_MEMINFO = 55
SK_MEMINFO_SNDBUF = 3


def _uapi(name):
    """An option number of tls_rekey's uAPI header."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "../../../../rust/uapi/tls_rekey.h")
    with open(path) as f:
        for line in f:
            if line.startswith(f"#define {name}\t") or line.startswith(f"#define {name} "):
                return int(line.split()[2], 0)
    raise KeyError(name)
# The server's stream in duplex: its own bytes and keys.
REVERSE = 1000
SENDFILE = os.environ.get("OFFLOAD_SENDFILE")


def crypto_info(version, cipher, generation=0):
    number, key_len = CIPHERS[cipher]
    rng = random.Random(7 + generation)
    iv, key, salt, rec_seq = (rng.randbytes(n) for n in (8, key_len, 4, 8))
    return struct.pack("=HH", VERSIONS[version], number) + iv + key + salt + rec_seq


def expected(nbytes, base=0):
    return random.Random(1 + base).randbytes(nbytes)


def secret_info(version, cipher, base=0):
    """struct tls_secret_info: a traffic secret of the suite's hash size."""
    number, key_len = CIPHERS[cipher]
    secret = random.Random(7 + base).randbytes(16 + key_len)
    return (struct.pack("=HH", VERSIONS[version], number) + bytes(8) +
            secret + bytes(48 - len(secret)))


def attach(sock, direction, version, cipher, base=0):
    if direction == TLS_TX or not DUPLEX:
        sock.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b"tls")
    if SCHEDULE:
        opt = _uapi("TLS_TX_SECRET" if direction == TLS_TX else "TLS_RX_SECRET")
        sock.setsockopt(SOL_TLS, opt, secret_info(version, cipher, base))
        return
    sock.setsockopt(SOL_TLS, direction, crypto_info(version, cipher, base))


def abort_on_term(sock):
    """SIGTERM resets the connection (zero linger) instead of closing it:
    a killed end whose device is gone leaves no orphan socket behind,
    which would pin the ULP module while TCP retries its FIN."""
    def handler(signum, frame):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        os._exit(1)
    signal.signal(signal.SIGTERM, handler)


def server(port, nbytes, version, cipher, expect=None):
    if os.environ.get("OFFLOAD_IPV6") == "1":
        lsock = socket.create_server(("::", port), family=socket.AF_INET6,
                                     dualstack_ipv6=True)
    else:
        lsock = socket.socket()
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Before listen(): the window a connection offers comes from it.
        if os.environ.get("OFFLOAD_RCVBUF"):
            lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                             int(os.environ["OFFLOAD_RCVBUF"]))
        lsock.bind(("0.0.0.0", port))
        lsock.listen()
    lsock.settimeout(120)
    conn, _ = lsock.accept()
    abort_on_term(conn)
    # Blocking reads bounded by SO_RCVTIMEO, not poll() then read: once a
    # read has decrypted a KeyUpdate ahead, the socket is not readable
    # until TLS_RX although the next read returns the KeyUpdate (upstream
    # semantics).
    conn.settimeout(None)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 120, 0))
    if not DUPLEX:
        attach(conn, TLS_RX, version, cipher)
        return receive(conn, nbytes, version, cipher, expect)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 120, 0))
    attach(conn, TLS_TX, version, cipher, REVERSE)
    attach(conn, TLS_RX, version, cipher)
    return duplex(conn, nbytes, version, cipher, REVERSE, 0, expect,
                  os.environ.get("OFFLOAD_PAUSE"),
                  int(os.environ.get("OFFLOAD_REKEY", "0")))


def duplex(sock, nbytes, version, cipher, tx_base, rx_base, expect=None,
           pause=None, rekey=0):
    """Sends NBYTES of the stream of TX_BASE while receiving those of
    RX_BASE; 0 if both went right."""
    sent = []

    def sender():
        try:
            send(sock, nbytes, version, cipher, tx_base, pause, rekey)
            sock.shutdown(socket.SHUT_WR)
            sent.append(True)
        except OSError as e:
            if expect is None:
                print(f"FAIL: send: {e}")
    t = threading.Thread(target=sender)
    t.start()
    rc = receive(sock, nbytes, version, cipher, expect, rx_base)
    t.join()
    if expect is None and not sent:
        return 1
    return rc


def receive(conn, nbytes, version, cipher, expect=None, base=0):
    """Reads NBYTES of the stream of BASE, taking KeyUpdates; prints one
    ok/FAIL line, 0 if byte-exact."""
    want = expected(nbytes, base)
    got = generation = 0
    pause = float(os.environ.get("OFFLOAD_RX_PAUSE", "0"))
    while True:
        if pause and got >= nbytes // 2:
            time.sleep(pause)
            pause = 0
        # Up to the pause no read asks for more than half of the bytes, so
        # none opens what comes after them (the KeyUpdate) ahead of it.
        size = min(CHUNK, nbytes // 2 - got) if pause else CHUNK
        try:
            data, anc, _, _ = conn.recvmsg(size, socket.CMSG_SPACE(1))
        except OSError as e:
            if expect == "ebadmsg" and e.errno == errno.EBADMSG:
                print(f"ok EBADMSG after {got} byte-exact bytes")
                return 0
            raise
        rtype = next((c[2][0] for c in anc if c[:2] == (SOL_TLS, TLS_GET_RECORD_TYPE)), None)
        if rtype is not None and rtype != 23:
            if rtype != HANDSHAKE or data != KEY_UPDATE:
                print(f"FAIL: record type {rtype} {data.hex()}")
                return 1
            # As a TLS library does: the next key right away (the socket is
            # not readable until then, so a poll() would wait forever).
            generation += 1
            conn.setsockopt(SOL_TLS, TLS_RX, crypto_info(version, cipher, base + generation))
            continue
        if not data:
            break
        if data != want[got:got + len(data)]:
            at = next(i for i, (a, b) in enumerate(zip(data, want[got:])) if a != b)
            print(f"FAIL: byte {got + at} differs")
            return 1
        got += len(data)
    if got != nbytes:
        print(f"FAIL: {got} of {nbytes} bytes")
        return 1
    if expect == "ebadmsg":
        print(f"FAIL: {nbytes} bytes byte-exact, no EBADMSG")
        return 1
    if SCHEDULE:
        # The kernel took every KeyUpdate: its count of RX keys.
        generation = struct.unpack("=QQ", conn.getsockopt(
            SOL_TLS, _uapi("TLS_KEY_GENERATIONS"), 16))[1]
        want = (nbytes - 1) // SCHEDULE
        if generation != want:
            print(f"FAIL: {generation} RX keys after the first, want {want}")
            return 1
    print(f"ok {nbytes} bytes byte-exact, {generation} rekeys")
    return 0


def wait_for(path, timeout=60):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise TimeoutError(path)
        time.sleep(0.05)


def send(sock, nbytes, version, cipher, base=0, pause=None, rekey=0, at_rekey=None):
    """Sends NBYTES of the stream of BASE, pausing halfway and with a
    KeyUpdate after every REKEY bytes (0: none); AT_REKEY, a list, gets
    (unacknowledged bytes, send buffer) once each next key is set."""
    data = memoryview(expected(nbytes, base))
    half = nbytes // 2
    marks = set(range(rekey, nbytes, rekey)) if rekey else set()
    if pause:
        marks.add(half)
    tail = nbytes - nbytes // 8 if TAIL_WAIT else None
    if tail:
        marks.add(tail)
    sent = generation = 0
    for mark in sorted(marks) + [nbytes]:
        sock.sendall(data[sent:mark])
        sent = mark
        if mark == tail:
            time.sleep(TAIL_WAIT)
        if pause and mark == half:
            open(pause + ".half", "w").close()
            wait_for(pause + ".go")
        if rekey and mark < nbytes and mark % rekey == 0 and SCHEDULE:
            sock.setsockopt(SOL_TLS, _uapi("TLS_TX_KEY_UPDATE"), 0)
        elif rekey and mark < nbytes and mark % rekey == 0:
            generation += 1
            sock.sendmsg([KEY_UPDATE], [(SOL_TLS, TLS_SET_RECORD_TYPE, bytes([HANDSHAKE]))])
            sock.setsockopt(SOL_TLS, TLS_TX, crypto_info(version, cipher, base + generation))
            if at_rekey is not None:
                outq = fcntl.ioctl(sock.fileno(), SIOCOUTQ, bytes(4))
                meminfo = sock.getsockopt(socket.SOL_SOCKET, SO_MEMINFO, 36)
                at_rekey.append((struct.unpack("=i", outq)[0],
                                 struct.unpack("=9I", meminfo)[SK_MEMINFO_SNDBUF]))


def send_file(sock, nbytes):
    """Sends NBYTES of the stream with sendfile() from a file of it, which
    must be unchanged afterwards; 0, or 1 if it was changed."""
    data = expected(nbytes)
    if SENDFILE == "ro":
        sock.setsockopt(SOL_TLS, TLS_TX_ZEROCOPY_RO, struct.pack("=I", 1))
    with open(f"/tmp/offload-sendfile.{os.getpid()}", "w+b") as f:
        os.unlink(f.name)
        f.write(data)
        f.flush()
        off = 0
        while off < nbytes:
            off += os.sendfile(sock.fileno(), f.fileno(), off, nbytes - off)
        f.seek(0)
        if f.read() != data:
            print("FAIL: the sent file changed", file=sys.stderr)
            return 1
    return 0


def connect(addr, port):
    """Connects to the server, started at the same time as the client:
    retried while it is not listening yet (for at most a minute)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return socket.create_connection((addr, port), timeout=120)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def client(addr, port, nbytes, version, cipher, pause=None, rekey=0):
    sock = connect(addr, port)
    abort_on_term(sock)
    # Blocking sends bounded by SO_SNDTIMEO: each send returns once TCP has
    # the records. (tls.ko drops a record TCP had no room for yet when a
    # non-blocking sender closes right after its last send.)
    sock.settimeout(None)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 120, 0))
    if os.environ.get("OFFLOAD_SNDBUF"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(os.environ["OFFLOAD_SNDBUF"]))
    attach(sock, TLS_TX, version, cipher)
    if DUPLEX:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 120, 0))
        attach(sock, TLS_RX, version, cipher, REVERSE)
        rc = duplex(sock, nbytes, version, cipher, 0, REVERSE, None, pause, rekey)
        sock.close()
        return rc
    rc = 0
    if SENDFILE:
        rc = send_file(sock, nbytes)
    else:
        # Looked at only for OFFLOAD_KU_LOG: two more calls per KeyUpdate.
        at_rekey = [] if os.environ.get("OFFLOAD_KU_LOG") else None
        send(sock, nbytes, version, cipher, 0, pause, rekey, at_rekey)
        if at_rekey is not None:
            with open(os.environ["OFFLOAD_KU_LOG"], "w") as f:
                print(f"unacked={sum(q for q, _ in at_rekey)} "
                      f"sndbuf={max((b for _, b in at_rekey), default=0)}", file=f)
    sock.close()
    return rc


def main(argv):
    if argv[1] == "server":
        return server(int(argv[2]), int(argv[3]), argv[4], argv[5],
                      argv[6] if len(argv) > 6 else None)
    pause = argv[7] if len(argv) > 7 and argv[7] != "-" else None
    rekey = 0
    if len(argv) > 8 and argv[8] == "rekey":
        rekey = int(argv[4]) // 2
    elif len(argv) > 8 and argv[8].startswith("rekey:"):
        rekey = int(argv[8][len("rekey:"):])
    return client(argv[2], int(argv[3]), int(argv[4]), argv[5], argv[6], pause, rekey)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
