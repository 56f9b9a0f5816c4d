#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Wire checker for the kernel TLS ULP ("tls"): one end of a loopback TCP
# connection runs kTLS (TCP_ULP "tls" + SOL_TLS TLS_TX/TLS_RX), the other end
# is a TLS record layer written here in Python (RFC 5246 / RFC 8446 records
# on top of the `cryptography` package, no kTLS). Every byte that crosses the
# wire is sealed or opened by the Python side, so a kTLS implementation that
# gets nonces, AAD, sequence numbers, record types, padding, record splitting
# or TLS 1.3 KeyUpdate handling wrong fails here even if it agrees with
# itself.
#
# Runs inside the test VM with the ULP loaded (tls.ko or tls_rekey.ko):
#   python3 peer.py [--rekeys N] [--only PATTERN[,PATTERN...]] [--seed S]
#                   [--timeout SECONDS] [--list] [--verbose]
# Prints "ok NAME", "not ok NAME: REASON" or "skip NAME: REASON" per case and
# "N passed, N failed" at the end; exits 1 if any case failed.
#
# Case names are VERSION_CIPHER.CHECK, e.g. 13_aes_gcm_128.rekey; --only
# takes name prefixes or shell patterns (13_aes_gcm, *.rekey, 12_*.data).
#
# --netns KTLS_NS,PEER_NS,PEER_ADDR puts the kTLS end in network namespace
# KTLS_NS and the Python end in PEER_NS listening on PEER_ADDR (IPv4), so
# records cross a real link, e.g. a NIC offloading the kTLS end's TX.

import argparse
import contextlib
import errno
import fnmatch
import hmac
import os
import random
import re
import select
import socket
import struct
import sys
import threading
import time
import traceback

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import (AESCCM, AESGCM,
                                                         ChaCha20Poly1305)
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

# include/uapi/linux/tls.h, include/net/tls.h
SOL_TLS = 282
TCP_ULP = 31
TLS_TX = 1
TLS_RX = 2
TLS_RX_EXPECT_NO_PAD = 4
TLS_TX_MAX_PAYLOAD_LEN = 5
TLS_SET_RECORD_TYPE = 1
TLS_GET_RECORD_TYPE = 2
TLS_1_2_VERSION = 0x0303
TLS_1_3_VERSION = 0x0304
TLS_MIN_RECORD_SIZE_LIM = 64


def _uapi_defines():
    """tls_rekey's own option numbers, from its uAPI header."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "../../../../rust/uapi/tls_rekey.h")
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"#define\s+(TLS_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", line)
            if m:
                out[m.group(1)] = int(m.group(2), 0)
    return out


_UAPI = _uapi_defines()
TLS_TX_SECRET = _UAPI["TLS_TX_SECRET"]
TLS_RX_SECRET = _UAPI["TLS_RX_SECRET"]
TLS_TX_KEY_UPDATE = _UAPI["TLS_TX_KEY_UPDATE"]
TLS_KEY_GENERATIONS = _UAPI["TLS_KEY_GENERATIONS"]
TLS_TX_KEY_UPDATE_RECORDS = _UAPI["TLS_TX_KEY_UPDATE_RECORDS"]
TLS_SECRET_MAX_SIZE = _UAPI["TLS_SECRET_MAX_SIZE"]

CT_ALERT = 21
CT_HANDSHAKE = 22
CT_DATA = 23
HS_KEY_UPDATE = 24

MAX_PLAINTEXT = 1 << 14         # RFC 5246 6.2.1, RFC 8446 5.1
TAG_LEN = 16
HDR_LEN = 5

IO_TIMEOUT = 20.0               # seconds per blocking socket call (--timeout)
SHORT_TIMEOUT = 2.0

CMSG_TYPE_SPACE = socket.CMSG_SPACE(1)


class Skip(Exception):
    """The case cannot run here (printed as skip, not counted as passed)."""


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def check_bytes(got, want, what):
    if got != want:
        i = first_diff(got, want)
        raise Fail(f"{what}: {len(got)} bytes differ from the expected {len(want)} "
                   f"at offset {i} (got {bytes(got[i:i + 8]).hex() or '-'}, "
                   f"want {bytes(want[i:i + 8]).hex() or '-'})")


def xor_bytes(a, b):
    """a XOR the first len(a) bytes of b."""
    n = len(a)
    if not n:
        return b""
    return (int.from_bytes(a, "big") ^ int.from_bytes(b[:n], "big")).to_bytes(n, "big")


# ---------------------------------------------------------------------------
# Block ciphers and AEAD constructions
# ---------------------------------------------------------------------------

class LibBlock:
    """A 128-bit block cipher from `cryptography` (AES, SM4)."""

    def __init__(self, algo, key):
        self.algo, self.key = algo, key
        self.ecb = Cipher(algo(key), modes.ECB()).encryptor()

    def encrypt_block(self, b):
        return self.ecb.update(b)

    def ctr(self, counter_block, n):
        # Full 128-bit big-endian increment; equal to GCM's inc32 and CCM's
        # counter as long as the low counter field does not wrap (it cannot
        # for TLS record sizes).
        return Cipher(self.algo(self.key), modes.CTR(counter_block)).encryptor().update(bytes(n))

    def cbc_mac(self, data):
        return Cipher(self.algo(self.key), modes.CBC(bytes(16))).encryptor().update(data)[-16:]


# ARIA (RFC 5794): not in cryptography 43, so a small table-driven version
# on 128-bit Python integers. SB1 is the AES S-box, SB2 the second ARIA
# S-box; SB3 and SB4 are their inverses.
_ARIA_SB1 = bytes.fromhex(
    "637c777bf26b6fc53001672bfed7ab76ca82c97dfa5947f0add4a2af9ca472c0"
    "b7fd9326363ff7cc34a5e5f171d8311504c723c31896059a071280e2eb27b275"
    "09832c1a1b6e5aa0523bd6b329e32f8453d100ed20fcb15b6acbbe394a4c58cf"
    "d0efaafb434d338545f9027f503c9fa851a3408f929d38f5bcb6da2110fff3d2"
    "cd0c13ec5f974417c4a77e3d645d197360814fdc222a908846eeb814de5e0bdb"
    "e0323a0a4906245cc2d3ac629195e479e7c8376d8dd54ea96c56f4ea657aae08"
    "ba78252e1ca6b4c6e8dd741f4bbd8b8a703eb5664803f60e613557b986c11d9e"
    "e1f8981169d98e949b1e87e9ce5528df8ca1890dbfe6426841992d0fb054bb16")
_ARIA_SB2 = bytes.fromhex(
    "e24e54fc94c24acc620d6a463c4d8bd15efa64cbb497be2bbc772e03d31959c1"
    "1d06416b55f09969ea9c18ae63dfe7bb007366fb964c85e43a0945aa0fee10eb"
    "2d7ff429accfad918d78c895f92fcecd087a88385c832a2847dbb8c793a41253"
    "ff870e3136215848018e377432cae9b1b7ab0cd7c4564226079860d9b6b91140"
    "ec208cbda0c984044923f14f501f13dcd8c09e57e3c37b653b028f3ee82592e5"
    "15ddfd17a9bfd49a7ec53967fe769d43a7e1d0f568f21b347005a38ad57986a8"
    "30c6514b1ea627f635d26e2416825fdae675a2ef2cb21c9f5d6f800a72449b6c"
    "900b5b337d5a52f361a1f7b0d63f7c6ded14e0a53d22b3f889de711aafbab581")


def _inverse_sbox(s):
    inv = bytearray(256)
    for i, v in enumerate(s):
        inv[v] = i
    return bytes(inv)


_ARIA_SB3 = _inverse_sbox(_ARIA_SB1)
_ARIA_SB4 = _inverse_sbox(_ARIA_SB2)
# Diffusion layer A (RFC 5794 2.4.3): output byte j = XOR of these inputs.
_ARIA_A = (
    (3, 4, 6, 8, 9, 13, 14), (2, 5, 7, 8, 9, 12, 15),
    (1, 4, 6, 10, 11, 12, 15), (0, 5, 7, 10, 11, 13, 14),
    (0, 2, 5, 8, 11, 14, 15), (1, 3, 4, 9, 10, 14, 15),
    (0, 2, 7, 9, 10, 12, 13), (1, 3, 6, 8, 11, 12, 13),
    (0, 1, 4, 7, 10, 13, 15), (0, 1, 5, 6, 11, 12, 14),
    (2, 3, 5, 6, 8, 13, 15), (2, 3, 4, 7, 9, 12, 14),
    (1, 2, 6, 7, 9, 11, 12), (0, 3, 6, 7, 8, 10, 13),
    (0, 3, 4, 5, 9, 11, 14), (1, 2, 4, 5, 8, 10, 15),
)
_ARIA_SL1 = (_ARIA_SB1, _ARIA_SB2, _ARIA_SB3, _ARIA_SB4)
_ARIA_SL2 = (_ARIA_SB3, _ARIA_SB4, _ARIA_SB1, _ARIA_SB2)
_M128 = (1 << 128) - 1
_ARIA_C = (0x517cc1b727220a94fe13abe8fa9a6ee0,
           0x6db14acc9e21c820ff28b1d5ef5de2b0,
           0xdb92371d2126e9700324977504e8c90e)


def _aria_round_tables(sl):
    """T[i][v]: A(SL(byte v at position i)) as a 128-bit integer."""
    tabs = []
    for i in range(16):
        s = sl[i % 4]
        mask = 0
        for j in range(16):
            if i in _ARIA_A[j]:
                mask |= 1 << (8 * (15 - j))
        tabs.append(tuple(s[v] * mask for v in range(256)))
    return tabs


_ARIA_TODD = _aria_round_tables(_ARIA_SL1)      # FO = A . SL1
_ARIA_TEVEN = _aria_round_tables(_ARIA_SL2)     # FE = A . SL2
_ARIA_TLAST = [tuple(_ARIA_SL2[i % 4][v] << (8 * (15 - i)) for v in range(256))
               for i in range(16)]


def _aria_f(t, x):
    b = x.to_bytes(16, "big")
    return (t[0][b[0]] ^ t[1][b[1]] ^ t[2][b[2]] ^ t[3][b[3]] ^
            t[4][b[4]] ^ t[5][b[5]] ^ t[6][b[6]] ^ t[7][b[7]] ^
            t[8][b[8]] ^ t[9][b[9]] ^ t[10][b[10]] ^ t[11][b[11]] ^
            t[12][b[12]] ^ t[13][b[13]] ^ t[14][b[14]] ^ t[15][b[15]])


def _rotr128(x, n):
    return ((x >> n) | (x << (128 - n))) & _M128


def _rotl128(x, n):
    return ((x << n) | (x >> (128 - n))) & _M128


class AriaBlock:
    """ARIA-128/192/256 encryption (RFC 5794), pure Python."""

    def __init__(self, key):
        n = len(key)
        check(n in (16, 24, 32), "bad ARIA key length")
        self.rounds = {16: 12, 24: 14, 32: 16}[n]
        kl = int.from_bytes(key[:16], "big")
        kr = int.from_bytes(key[16:].ljust(16, b"\0"), "big")
        ck = {16: (0, 1, 2), 24: (1, 2, 0), 32: (2, 0, 1)}[n]
        c1, c2, c3 = (_ARIA_C[i] for i in ck)
        w0 = kl
        w1 = _aria_f(_ARIA_TODD, w0 ^ c1) ^ kr
        w2 = _aria_f(_ARIA_TEVEN, w1 ^ c2) ^ w0
        w3 = _aria_f(_ARIA_TODD, w2 ^ c3) ^ w1
        ek = []
        for rot, n_ in ((_rotr128, 19), (_rotr128, 31), (_rotl128, 61), (_rotl128, 31)):
            ek += [w0 ^ rot(w1, n_), w1 ^ rot(w2, n_), w2 ^ rot(w3, n_), rot(w0, n_) ^ w3]
        ek.append(w0 ^ _rotl128(w1, 19))
        self.ek = ek[:self.rounds + 1]

    def encrypt_int(self, x):
        ek, to, te = self.ek, _ARIA_TODD, _ARIA_TEVEN
        last = self.rounds - 1
        for r in range(last):
            x = _aria_f(te if r & 1 else to, x ^ ek[r])
        return _aria_f(_ARIA_TLAST, x ^ ek[last]) ^ ek[last + 1]

    def encrypt_block(self, b):
        return self.encrypt_int(int.from_bytes(b, "big")).to_bytes(16, "big")

    def ctr(self, counter_block, n):
        c = int.from_bytes(counter_block, "big")
        enc = self.encrypt_int
        return b"".join(enc((c + i) & _M128).to_bytes(16, "big")
                        for i in range((n + 15) // 16))[:n]

    def cbc_mac(self, data):
        y = 0
        for off in range(0, len(data), 16):
            y = self.encrypt_int(y ^ int.from_bytes(data[off:off + 16], "big"))
        return y.to_bytes(16, "big")


class GHash:
    """GHASH (NIST SP 800-38D) with per-key 8-bit tables."""

    def __init__(self, h):
        r = 0xE1 << 120
        powers = []     # h * x^k, k = 0..127 (bit-reflected representation)
        v = h
        for _ in range(128):
            powers.append(v)
            v = (v >> 1) ^ r if v & 1 else v >> 1
        self.m = []
        for i in range(16):
            tab = [0] * 256
            bit = 1
            while bit < 256:
                p = powers[8 * i + 7 - bit.bit_length() + 1]
                for b in range(bit):
                    tab[bit + b] = tab[b] ^ p
                bit <<= 1
            self.m.append(tuple(tab))

    def digest(self, aad, ct):
        m = self.m
        y = 0
        for data in (aad, ct):
            data = bytes(data) + bytes(-len(data) % 16)
            for off in range(0, len(data), 16):
                y ^= int.from_bytes(data[off:off + 16], "big")
                b = y.to_bytes(16, "big")
                y = (m[0][b[0]] ^ m[1][b[1]] ^ m[2][b[2]] ^ m[3][b[3]] ^
                     m[4][b[4]] ^ m[5][b[5]] ^ m[6][b[6]] ^ m[7][b[7]] ^
                     m[8][b[8]] ^ m[9][b[9]] ^ m[10][b[10]] ^ m[11][b[11]] ^
                     m[12][b[12]] ^ m[13][b[13]] ^ m[14][b[14]] ^ m[15][b[15]])
        y ^= (len(aad) * 8) << 64 | (len(ct) * 8)
        b = y.to_bytes(16, "big")
        y = 0
        for i in range(16):
            y ^= m[i][b[i]]
        return y.to_bytes(16, "big")


class GenericGcm:
    """GCM (SP 800-38D) with a 96-bit nonce and 128-bit tag over any 128-bit
    block cipher."""

    def __init__(self, blk):
        self.blk = blk
        self.gh = GHash(int.from_bytes(blk.encrypt_block(bytes(16)), "big"))

    def _tag(self, nonce, aad, ct):
        return xor_bytes(self.blk.encrypt_block(nonce + b"\0\0\0\1"), self.gh.digest(aad, ct))

    def encrypt(self, nonce, pt, aad):
        check(len(nonce) == 12, "GCM nonce must be 12 bytes")
        ct = xor_bytes(pt, self.blk.ctr(nonce + b"\0\0\0\2", len(pt)))
        return ct + self._tag(nonce, aad, ct)

    def decrypt(self, nonce, data, aad):
        if len(data) < TAG_LEN:
            raise InvalidTag()
        ct, tag = data[:-TAG_LEN], data[-TAG_LEN:]
        if not hmac.compare_digest(self._tag(nonce, aad, ct), tag):
            raise InvalidTag()
        return xor_bytes(ct, self.blk.ctr(nonce + b"\0\0\0\2", len(ct)))


class GenericCcm:
    """CCM (RFC 3610, SP 800-38C) with a 12-byte nonce (L = 3) and a 16-byte
    tag, the parameters of TLS AES-CCM (RFC 6655, 8446) and SM4-CCM
    (RFC 8998). The kernel passes iv[0] = L - 1 = 2 to ccm(...) for both."""

    def __init__(self, blk):
        self.blk = blk

    def _mac(self, nonce, aad, pt):
        flags = (0x40 if aad else 0) | (((TAG_LEN - 2) // 2) << 3) | (3 - 1)
        b = bytes([flags]) + nonce + len(pt).to_bytes(3, "big")
        if aad:
            check(len(aad) < 0xff00, "CCM AAD too long")
            a = len(aad).to_bytes(2, "big") + aad
            b += a + bytes(-len(a) % 16)
        b += pt + bytes(-len(pt) % 16)
        return self.blk.cbc_mac(b)

    def _s0(self, nonce):
        return self.blk.encrypt_block(b"\2" + nonce + b"\0\0\0")

    def encrypt(self, nonce, pt, aad):
        check(len(nonce) == 12, "CCM nonce must be 12 bytes")
        ct = xor_bytes(pt, self.blk.ctr(b"\2" + nonce + b"\0\0\1", len(pt)))
        return ct + xor_bytes(self._mac(nonce, aad, pt), self._s0(nonce))

    def decrypt(self, nonce, data, aad):
        if len(data) < TAG_LEN:
            raise InvalidTag()
        ct, tag = data[:-TAG_LEN], data[-TAG_LEN:]
        pt = xor_bytes(ct, self.blk.ctr(b"\2" + nonce + b"\0\0\1", len(ct)))
        if not hmac.compare_digest(xor_bytes(self._mac(nonce, aad, pt), self._s0(nonce)), tag):
            raise InvalidTag()
        return pt


class LibGcm:
    """GCM from cryptography's Cipher API (used for SM4-GCM)."""

    def __init__(self, algo, key):
        self.algo, self.key = algo, key

    def encrypt(self, nonce, pt, aad):
        e = Cipher(self.algo(self.key), modes.GCM(nonce)).encryptor()
        e.authenticate_additional_data(aad)
        ct = e.update(pt) + e.finalize()
        return ct + e.tag

    def decrypt(self, nonce, data, aad):
        if len(data) < TAG_LEN:
            raise InvalidTag()
        d = Cipher(self.algo(self.key), modes.GCM(nonce, data[-TAG_LEN:])).decryptor()
        d.authenticate_additional_data(aad)
        return d.update(data[:-TAG_LEN]) + d.finalize()


# ---------------------------------------------------------------------------
# Cipher suites
# ---------------------------------------------------------------------------

def _sm4_available():
    try:
        Cipher(algorithms.SM4(bytes(16)), modes.ECB()).encryptor().update(bytes(16))
        return None
    except Exception as e:  # UnsupportedAlgorithm, AttributeError
        return f"SM4 unavailable in cryptography: {e!r}"


def _sm3_or_sha256():
    try:
        h = hashes.Hash(hashes.SM3())
        h.update(b"")
        h.finalize()
        return hashes.SM3()
    except Exception:
        return hashes.SHA256()


class Suite:
    def __init__(self, name, cipher, key_len, salt_len, iv_len, hash_alg, make,
                 tls12_only=False, cost=1, unavailable=None):
        self.name, self.cipher = name, cipher
        self.key_len, self.salt_len, self.iv_len = key_len, salt_len, iv_len
        self.hash_alg, self.make = hash_alg, make
        self.tls12_only, self.cost, self.unavailable = tls12_only, cost, unavailable
        # TLS 1.2 GCM/CCM carry an 8-byte explicit nonce (RFC 5288, 6655);
        # ChaCha20-Poly1305 (RFC 7905) and all of TLS 1.3 do not.
        self.explicit_nonce = salt_len == 4

    def aead(self, key):
        return self.make(key)


_SM4_MISSING = _sm4_available()
# RFC 8998: TLS_SM4_GCM_SM3 / TLS_SM4_CCM_SM3 use SM3; the kernel sees the
# hash only in the kernel_schedule cases (it derives from the secret there).
_SM_HASH = _sm3_or_sha256()

SUITES = [
    Suite("aes_gcm_128", 51, 16, 4, 8, hashes.SHA256(), AESGCM),
    Suite("aes_gcm_256", 52, 32, 4, 8, hashes.SHA384(), AESGCM),
    Suite("aes_ccm_128", 53, 16, 4, 8, hashes.SHA256(),
          lambda k: AESCCM(k, tag_length=16)),
    Suite("chacha20_poly1305", 54, 32, 0, 12, hashes.SHA256(), ChaCha20Poly1305),
    Suite("sm4_gcm", 55, 16, 4, 8, _SM_HASH,
          lambda k: LibGcm(algorithms.SM4, k), unavailable=_SM4_MISSING),
    Suite("sm4_ccm", 56, 16, 4, 8, _SM_HASH,
          lambda k: GenericCcm(LibBlock(algorithms.SM4, k)), unavailable=_SM4_MISSING),
    # Pure-Python ARIA is slow: "cost" scales the amount of data moved.
    Suite("aria_gcm_128", 57, 16, 4, 8, hashes.SHA256(),
          lambda k: GenericGcm(AriaBlock(k)), tls12_only=True, cost=3),
    Suite("aria_gcm_256", 58, 32, 4, 8, hashes.SHA384(),
          lambda k: GenericGcm(AriaBlock(k)), tls12_only=True, cost=3),
]


def hkdf_expand_label(hash_alg, secret, label, context, length):
    """RFC 8446 7.1 HKDF-Expand-Label."""
    full = b"tls13 " + label
    info = (struct.pack(">H", length) + bytes([len(full)]) + full +
            bytes([len(context)]) + context)
    return HKDFExpand(type(hash_alg)(), length, info).derive(secret)


class Keys:
    """Record protection keys of one direction.

    TLS 1.3: derived from a traffic secret (RFC 8446 7.3), iv is the 12-byte
    write_iv. TLS 1.2: random key; iv is the 4-byte implicit salt for GCM/CCM
    and the 12-byte iv for ChaCha20-Poly1305. explicit is the kernel's 8-byte
    "iv" field for TLS 1.2 GCM/CCM: the first explicit nonce it sends.
    """

    def __init__(self, suite, version, rng, secret=None, seq=0):
        self.suite, self.version, self.seq = suite, version, seq
        self.explicit = b""
        if version == TLS_1_3_VERSION:
            if secret is None:
                secret = rng.randbytes(suite.hash_alg.digest_size)
            self.secret = secret
            self.key = hkdf_expand_label(suite.hash_alg, secret, b"key", b"", suite.key_len)
            self.iv = hkdf_expand_label(suite.hash_alg, secret, b"iv", b"", 12)
        else:
            self.secret = None
            self.key = rng.randbytes(suite.key_len)
            if suite.explicit_nonce:
                self.iv = rng.randbytes(4)
                # close to a carry so the kernel's increment crosses bytes
                self.explicit = rng.randbytes(6) + bytes([rng.randrange(256), 0xf8])
            else:
                self.iv = rng.randbytes(12)

    def next(self):
        """RFC 8446 7.2: application_traffic_secret_N+1, sequence reset."""
        s = self.suite
        nxt = hkdf_expand_label(s.hash_alg, self.secret, b"traffic upd", b"",
                                s.hash_alg.digest_size)
        return Keys(s, self.version, None, secret=nxt, seq=0)

    def secret_info(self, secret_len=None, tail=b""):
        """struct tls_secret_info (rust/uapi/tls_rekey.h): version, cipher,
        rec_seq, the traffic secret padded with zeros (or TAIL)."""
        secret = self.secret[:secret_len]
        pad = TLS_SECRET_MAX_SIZE - len(secret) - len(tail)
        return (struct.pack("=HH", self.version, self.suite.cipher) +
                self.seq.to_bytes(8, "big") + secret + tail + bytes(pad))

    def crypto_info(self):
        """struct tls12_crypto_info_*: version, cipher, iv, key, salt, rec_seq."""
        s = self.suite
        if self.version == TLS_1_3_VERSION:
            salt, iv = self.iv[:s.salt_len], self.iv[s.salt_len:]
        elif s.explicit_nonce:
            salt, iv = self.iv, self.explicit
        else:
            salt, iv = b"", self.iv
        assert len(salt) == s.salt_len and len(iv) == s.iv_len
        return (struct.pack("=HH", self.version, s.cipher) + iv + self.key + salt +
                self.seq.to_bytes(8, "big"))


def random_seq(rng):
    """A starting record sequence number a few records before a byte carry."""
    return (rng.getrandbits(40) << 16) | 0xfff0 | rng.randrange(16)


# ---------------------------------------------------------------------------
# The Python record layer
# ---------------------------------------------------------------------------

class KeyUpdate:
    """Marker in a Python send plan: a KeyUpdate handshake record, after
    which the sender switches to the next traffic secret."""

    def __init__(self, requested, pad=0):
        self.body = bytes([HS_KEY_UPDATE, 0, 0, 1, requested])
        self.pad = pad


class RecordState:
    """Sealing or opening records in one direction (RFC 5246 6.2.3.3,
    RFC 8446 5.2-5.4)."""

    def __init__(self, keys, rng=None):
        self.k = keys
        self.aead = keys.suite.aead(keys.key)
        self.seq = keys.seq
        self.tls13 = keys.version == TLS_1_3_VERSION
        self.explicit = keys.suite.explicit_nonce and not self.tls13
        # opening: the explicit nonce the kernel is expected to use next
        self.next_explicit = int.from_bytes(keys.explicit, "big") if self.explicit else 0
        self.rng = rng

    def _xor_nonce(self):
        return (int.from_bytes(self.k.iv, "big") ^ self.seq).to_bytes(12, "big")

    def seal(self, ctype, payload, pad=0, hdr_version=b"\3\3"):
        if self.tls13:
            inner = bytes(payload) + bytes([ctype]) + bytes(pad)
            hdr = bytes([CT_DATA]) + hdr_version + (len(inner) + TAG_LEN).to_bytes(2, "big")
            body = self.aead.encrypt(self._xor_nonce(), inner, hdr)
        else:
            aad = (self.seq.to_bytes(8, "big") + bytes([ctype]) + b"\3\3" +
                   len(payload).to_bytes(2, "big"))
            if self.explicit:
                # any unique value is valid; not the sequence number, so a
                # receiver that ignores the record's nonce fails
                en = self.rng.randbytes(8)
                body = en + self.aead.encrypt(self.k.iv + en, bytes(payload), aad)
            else:
                body = self.aead.encrypt(self._xor_nonce(), bytes(payload), aad)
            hdr = bytes([ctype]) + hdr_version + len(body).to_bytes(2, "big")
        self.seq += 1
        return hdr + body

    def open(self, hdr, body, limit):
        """Returns (content type, payload, padding length)."""
        n = self.seq
        check(hdr[1:3] == b"\3\3",
              f"record {n}: legacy_record_version {hdr[1:3].hex()}, want 0303")
        if self.tls13:
            check(hdr[0] == CT_DATA, f"record {n}: outer type {hdr[0]}, want 23")
            check(TAG_LEN < len(body) <= MAX_PLAINTEXT + 256 + TAG_LEN,
                  f"record {n}: bad TLSCiphertext length {len(body)}")
            try:
                inner = self.aead.decrypt(self._xor_nonce(), bytes(body), bytes(hdr))
            except InvalidTag:
                raise Fail(f"record {n} (len {len(body)}): authentication failed") from None
            i = len(inner) - 1
            while i >= 0 and inner[i] == 0:
                i -= 1
            check(i >= 0, f"record {n}: no non-zero content type in TLSInnerPlaintext")
            ctype, payload, pad = inner[i], inner[:i], len(inner) - 1 - i
        else:
            ctype = hdr[0]
            check(ctype in (20, 21, 22, 23), f"record {n}: bad content type {ctype}")
            if self.explicit:
                check(len(body) >= 8 + TAG_LEN, f"record {n}: too short ({len(body)})")
                en = body[:8]
                want = self.next_explicit.to_bytes(8, "big")
                check(en == want, f"record {n}: explicit nonce {en.hex()}, kernel "
                      f"convention is the configured iv + records sent = {want.hex()}")
                self.next_explicit = (self.next_explicit + 1) & ((1 << 64) - 1)
                nonce, ct = self.k.iv + en, body[8:]
            else:
                check(len(body) >= TAG_LEN, f"record {n}: too short ({len(body)})")
                nonce, ct = self._xor_nonce(), body
            plen = len(ct) - TAG_LEN
            aad = n.to_bytes(8, "big") + bytes([ctype]) + b"\3\3" + plen.to_bytes(2, "big")
            try:
                payload = self.aead.decrypt(nonce, bytes(ct), aad)
            except InvalidTag:
                raise Fail(f"record {n} (type {ctype}, len {len(body)}): "
                           "authentication failed") from None
            pad = 0
        check(len(payload) <= limit,
              f"record {n}: {len(payload)} bytes of plaintext, limit {limit}")
        self.seq += 1
        return ctype, payload, pad


class PyEnd:
    """The userspace TLS peer on a plain TCP socket."""

    def __init__(self, sock, tx_keys, rx_keys, rng):
        self.s = sock
        self.rng = random.Random(rng.getrandbits(64))   # used from sender threads
        self.txk, self.rxk = tx_keys, rx_keys
        self.tx = RecordState(tx_keys, self.rng)
        self.rx = RecordState(rx_keys)
        self.buf = bytearray()
        self.limit = MAX_PLAINTEXT
        self.records_in = 0
        self.padded_in = 0

    def build(self, plan):
        """Seal a list of (type, payload, pad) / KeyUpdate into wire bytes."""
        out = bytearray()
        for item in plan:
            if isinstance(item, KeyUpdate):
                out += self.tx.seal(CT_HANDSHAKE, item.body, item.pad)
                self.txk = self.txk.next()
                self.tx = RecordState(self.txk, self.rng)
            else:
                out += self.tx.seal(*item)
        return bytes(out)

    def send_plan(self, plan, dribble=False):
        self.send_raw(self.build(plan), dribble)

    def send_raw(self, data, dribble=False):
        if not dribble:
            self.s.sendall(data)
            return
        # small TCP segments that split headers, nonces and tags
        off = 0
        while off < len(data):
            n = self.rng.choice((1, 2, 3, 5, 7, 13, 64, 700, 1500, 5000))
            self.s.sendall(data[off:off + n])
            off += n

    def _read_exact(self, n):
        while len(self.buf) < n:
            try:
                chunk = self.s.recv(262144)
            except socket.timeout:
                raise Fail(f"python end: timed out waiting for {n - len(self.buf)} "
                           f"more bytes (record {self.rx.seq})") from None
            check(chunk, f"python end: EOF while waiting for record {self.rx.seq}")
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_record(self):
        hdr = self._read_exact(HDR_LEN)
        body = self._read_exact(int.from_bytes(hdr[3:5], "big"))
        ctype, payload, pad = self.rx.open(hdr, body, self.limit)
        self.records_in += 1
        self.padded_in += pad > 0
        return ctype, payload

    def expect(self, items, sizes=None):
        """Read records matching items: ("stream", type, bytes) where records of
        that type may split the bytes anywhere, or KeyUpdate (one handshake
        record holding exactly its body, then the read key moves on)."""
        for item in items:
            if isinstance(item, KeyUpdate):
                ctype, payload = self.read_record()
                check(ctype == CT_HANDSHAKE and payload == item.body,
                      f"python end: expected KeyUpdate record, got type {ctype} "
                      f"{bytes(payload[:8]).hex()}")
                self.rxk = self.rxk.next()
                self.rx = RecordState(self.rxk)
                continue
            _, want_type, want = item
            got = 0
            while got < len(want):
                ctype, payload = self.read_record()
                check(ctype == want_type,
                      f"python end: record type {ctype} after {got}/{len(want)} bytes "
                      f"of type {want_type}")
                check_bytes(payload, want[got:got + len(payload)],
                            f"python end: type {want_type} stream at {got}")
                if sizes is not None:
                    sizes.append(len(payload))
                got += len(payload)

    def quiet(self):
        check(not self.buf, f"python end: {len(self.buf)} unexpected bytes buffered")
        self.s.settimeout(0)    # a timeout socket would wait in poll() first
        try:
            data = self.s.recv(65536)
        except BlockingIOError:
            return
        finally:
            self.s.settimeout(IO_TIMEOUT)
        check(False, f"python end: {len(data)} unexpected bytes from kTLS"
              if data else "python end: unexpected EOF")


def merge_stream(plan):
    """Expectation list of the kTLS side's writes: consecutive writes of one
    record type form one stream (the kernel may split or join them)."""
    items = []
    for item in plan:
        if isinstance(item, KeyUpdate):
            items.append(item)
        elif items and not isinstance(items[-1], KeyUpdate) and items[-1][1] == item[0]:
            items[-1] = ("stream", item[0], items[-1][2] + item[1])
        else:
            items.append(("stream", item[0], bytes(item[1])))
    return [i for i in items if isinstance(i, KeyUpdate) or i[2]]


# ---------------------------------------------------------------------------
# The kTLS end
# ---------------------------------------------------------------------------

def set_timeouts(sock, seconds):
    tv = struct.pack("@ll", int(seconds), int((seconds % 1) * 1e6))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


def os_error(e):
    return f"{errno.errorcode.get(e.errno, e.errno)} ({e.strerror})"


class KEnd:
    """The kTLS socket. Kept in blocking mode with SO_RCVTIMEO/SO_SNDTIMEO:
    a Python socket timeout would poll() first, and poll() is expected to
    hide readability while a KeyUpdate is pending."""

    def __init__(self, sock, rng):
        self.s = sock
        self.rng = random.Random(rng.getrandbits(64))

    def ulp(self):
        try:
            self.s.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b"tls")
        except OSError as e:
            raise Fail(f"setsockopt(TCP_ULP, \"tls\"): {os_error(e)}") from None

    def set_keys(self, opt, keys, what):
        try:
            self.s.setsockopt(SOL_TLS, opt, keys.crypto_info())
        except OSError as e:
            raise Fail(f"setsockopt(SOL_TLS, {what}): {os_error(e)}") from None

    def send(self, data, flags=0):
        try:
            if len(data) > 1 and self.rng.random() < 0.3:
                # several iovecs in one sendmsg
                cuts = sorted(self.rng.sample(range(1, len(data)), min(3, len(data) - 1)))
                iov = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
                n = self.s.sendmsg(iov, [], flags)
                data = data[n:]
                if not data:
                    return
            self.s.sendall(data, flags)
        except OSError as e:
            raise Fail(f"kTLS send of {len(data)} bytes: {os_error(e)}") from None

    def send_ctrl(self, ctype, data):
        try:
            n = self.s.sendmsg([data], [(SOL_TLS, TLS_SET_RECORD_TYPE, bytes([ctype]))])
        except OSError as e:
            raise Fail(f"kTLS sendmsg(type {ctype}, {len(data)} bytes): {os_error(e)}") from None
        check(n == len(data), f"kTLS sendmsg(type {ctype}) sent {n} of {len(data)} bytes")

    def send_plan(self, plan):
        """plan: ("data", bytes, flags) / (type, bytes) control / KeyUpdate."""
        for item in plan:
            if isinstance(item, KeyUpdate):
                self.send_ctrl(CT_HANDSHAKE, item.body)
            elif item[0] == "data":
                self.send(item[1], item[2])
            else:
                self.send_ctrl(item[0], item[1])

    def recv(self, n, flags=0):
        """recvmsg with room for the record type cmsg: (data, type)."""
        try:
            data, anc, mflags, _ = self.s.recvmsg(n, CMSG_TYPE_SPACE, flags)
        except OSError as e:
            raise Fail(f"kTLS recvmsg({n}): {os_error(e)}") from None
        ctype = None
        for level, typ, d in anc:
            if level == SOL_TLS and typ == TLS_GET_RECORD_TYPE:
                check(len(d) == 1, f"TLS_GET_RECORD_TYPE cmsg of {len(d)} bytes")
                ctype = d[0]
        check(not (mflags & socket.MSG_CTRUNC), "kTLS recvmsg: MSG_CTRUNC")
        return data, ctype

    def expect(self, segments, readsize=None, peek=False):
        """segments: (type, bytes); data segments may be read in any number of
        pieces, control segments must come back whole from one recvmsg."""
        rng = self.rng
        for ctype, want in segments:
            if ctype != CT_DATA:
                data, t = self.recv(len(want) + rng.choice((0, 1, 100, 20000)))
                check(t == ctype, f"kTLS recvmsg: record type {t}, want {ctype} "
                      f"({len(data)} bytes)")
                check_bytes(data, want, f"kTLS type {ctype} record")
                continue
            got = 0
            while got < len(want):
                n = readsize() if readsize else 65536
                n = max(1, min(n, len(want) - got))
                if peek and rng.random() < 0.15:
                    pdata, t = self.recv(n, socket.MSG_PEEK)
                    check(t == CT_DATA and pdata, f"kTLS MSG_PEEK: type {t}, {len(pdata)} bytes")
                    check_bytes(pdata, want[got:got + len(pdata)], f"kTLS MSG_PEEK data at {got}")
                data, t = self.recv(n)
                check(data, f"kTLS recv: EOF after {got}/{len(want)} bytes")
                check(t == CT_DATA, f"kTLS recvmsg: record type {t} for data at {got}")
                check_bytes(data, want[got:got + len(data)], f"kTLS data at {got}")
                got += len(data)

    def expect_errno(self, err, what, flags=socket.MSG_DONTWAIT):
        try:
            data, _, _, _ = self.s.recvmsg(16384, CMSG_TYPE_SPACE, flags)
        except OSError as e:
            check(e.errno == err, f"{what}: recv failed with {os_error(e)}, want "
                  f"{errno.errorcode[err]}")
            return
        raise Fail(f"{what}: recv returned {len(data)} bytes, want {errno.errorcode[err]}")

    def quiet(self):
        try:
            data = self.s.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError as e:
            raise Fail(f"kTLS end: unexpected {os_error(e)} at the end") from None
        check(False, f"kTLS end: {len(data)} unexpected bytes" if data
              else "kTLS end: unexpected EOF")


def segments_of(plan):
    """What the kTLS receiver sees for a Python send plan: consecutive data
    records merge, every control record is one recvmsg."""
    segs = []
    for item in plan:
        if isinstance(item, KeyUpdate):
            segs.append((CT_HANDSHAKE, item.body))
            continue
        ctype, payload = item[0], item[1]
        if ctype == CT_DATA and segs and segs[-1][0] == CT_DATA:
            segs[-1] = (CT_DATA, segs[-1][1] + payload)
        else:
            segs.append((ctype, bytes(payload)))
    return [s for s in segs if s[0] != CT_DATA or s[1]]


# ---------------------------------------------------------------------------
# Connections and concurrency
# ---------------------------------------------------------------------------

def ipv6_ok():
    if not socket.has_ipv6:
        return False
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


# (kTLS end's network namespace, Python end's, Python end's address) with
# --netns; None for loopback in the namespace the script runs in.
NETNS = None


@contextlib.contextmanager
def in_netns(name):
    """Sockets created inside the block belong to network namespace NAME
    (as `ip netns` names it); None: the namespace the script runs in."""
    if name is None:
        yield
        return
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        os.setns(target, os.CLONE_NEWNET)
        yield
    finally:
        os.setns(own, os.CLONE_NEWNET)
        os.close(target)
        os.close(own)


class Conn:
    def __init__(self, version, suite, rng, family=socket.AF_INET):
        self.version, self.suite, self.rng = version, suite, rng
        kns, pns, addr = NETNS or (None, None, None)
        if addr is None:
            addr = "::1" if family == socket.AF_INET6 else "127.0.0.1"
        with in_netns(pns):
            lsock = socket.socket(family, socket.SOCK_STREAM)
        try:
            lsock.bind((addr, 0))
            lsock.listen(1)
            with in_netns(kns):
                ksock = socket.socket(family, socket.SOCK_STREAM)
            ksock.settimeout(IO_TIMEOUT)
            ksock.connect(lsock.getsockname()[:2])
            lsock.settimeout(IO_TIMEOUT)
            psock, _ = lsock.accept()
        finally:
            lsock.close()
        for s in (ksock, psock):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ksock.settimeout(None)
        set_timeouts(ksock, IO_TIMEOUT)
        psock.settimeout(IO_TIMEOUT)
        self.socks = [ksock, psock]
        self.k = KEnd(ksock, rng)
        # k_tx: kTLS writes, Python reads; k_rx: Python writes, kTLS reads
        self.k_tx = Keys(suite, version, rng)
        self.k_rx = Keys(suite, version, rng)
        self.k_tx.seq = random_seq(rng)
        self.k_rx.seq = random_seq(rng)
        self.p = PyEnd(psock, self.k_rx, self.k_tx, rng)

    def start(self, tx=True, rx=True):
        self.k.ulp()
        if tx:
            self.k.set_keys(TLS_TX, self.k_tx, "TLS_TX")
        if rx:
            self.k.set_keys(TLS_RX, self.k_rx, "TLS_RX")

    def rekey_k_rx(self):
        self.k_rx = self.k_rx.next()
        self.k.set_keys(TLS_RX, self.k_rx, "TLS_RX rekey")

    def rekey_k_tx(self):
        self.k_tx = self.k_tx.next()
        self.k.set_keys(TLS_TX, self.k_tx, "TLS_TX rekey")

    def abort(self):
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        for s in self.socks:
            s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.abort()
        self.close()


def run_parallel(conn, main, *others):
    """Run main() here and others in threads; re-raise the first failure.
    On a failure the sockets are shut down so blocked peers return."""
    errs = []

    def wrap(fn):
        try:
            fn()
        except BaseException as e:   # noqa: B036 - reported below
            errs.append(e)
            conn.abort()

    threads = [threading.Thread(target=wrap, args=(fn,), daemon=True) for fn in others]
    for t in threads:
        t.start()
    try:
        main()
    except BaseException:
        conn.abort()
        for t in threads:
            t.join(10)
        raise
    deadline = time.monotonic() + IO_TIMEOUT
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
        if t.is_alive():
            conn.abort()
            t.join(10)
            errs.append(Fail("a sender thread did not finish"))
    if errs:
        raise errs[0]


# ---------------------------------------------------------------------------
# Traffic generators
# ---------------------------------------------------------------------------

EDGE_SIZES = (1, 2, 15, 16, 17, 255, 256, 1023, 4096, 16383, 16384)


def max_pad(tls13, n, rng):
    """Random TLS 1.3 zero padding, keeping TLSInnerPlaintext <= 2^14 + 1."""
    if not tls13 or rng.random() >= 0.3:
        return 0
    return min(rng.choice((1, 2, 15, 255, MAX_PLAINTEXT - n)), MAX_PLAINTEXT - n)


def with_pad(ctype, payload, tls13, rng):
    return (ctype, payload, max_pad(tls13, len(payload), rng))


def hs_payload(rng, n):
    """Random handshake bytes that do not look like a KeyUpdate to the
    kernel (it checks the first byte of every handshake record it reads)."""
    b = rng.randbytes(n)
    if b and b[0] == HS_KEY_UPDATE:
        b = bytes([HS_KEY_UPDATE + 1]) + b[1:]
    return b


def fix_empty(plan):
    """A 0-byte data record must be followed by a non-empty data record
    before any control record: a recvmsg that has read only 0 bytes of data
    returns 0 (EOF-like) when it reaches a record of another type."""
    out = list(plan)
    need = True
    for i in range(len(out) - 1, -1, -1):
        item = out[i]
        if isinstance(item, KeyUpdate) or item[0] != CT_DATA:
            need = True
        elif item[1]:
            need = False
        elif need:
            out[i] = (CT_DATA, b"\0", min(item[2], MAX_PLAINTEXT - 1))
            need = False
    return out


def py_data_plan(rng, tls13, sizes):
    """Python-side data records of the given sizes (0 allowed)."""
    return fix_empty([(CT_DATA, rng.randbytes(n), max_pad(tls13, n, rng)) for n in sizes])


def random_sizes(rng, count, cap=MAX_PLAINTEXT):
    out = []
    for _ in range(count):
        r = rng.random()
        if r < 0.1:
            out.append(0)
        elif r < 0.5:
            out.append(rng.randrange(1, 300))
        elif r < 0.8:
            out.append(rng.randrange(300, 4097))
        else:
            out.append(rng.randrange(4097, cap + 1))
    return [min(n, cap) for n in out]


def k_data_plan(rng, sizes, more_prob=0.2):
    """kTLS-side sends of at least 1 byte (an empty send does not push a
    MSG_MORE record), some with MSG_MORE, never the last one."""
    plan = []
    for n in sizes:
        n = max(n, 1)
        more = socket.MSG_MORE if rng.random() < more_prob else 0
        plan.append(("data", rng.randbytes(n), more))
    if plan and plan[-1][2]:
        plan[-1] = ("data", plan[-1][1], 0)
    return plan


def k_stream(plan):
    """Python-side expectation for a kTLS send plan."""
    items = []
    for item in plan:
        if isinstance(item, KeyUpdate):
            items.append(item)
        elif item[0] == "data":
            items.append((CT_DATA, item[1]))
        else:
            items.append((item[0], item[1]))
    return merge_stream(items)


def readsize_fn(rng):
    return lambda: rng.choice((1, 7, 100, 1000, 4096, 16383, 16384, 16385, 40000, 65536, 262144))


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

class Ctx:
    def __init__(self, version, suite, rng, args, v6):
        self.version, self.suite, self.rng, self.args, self.v6 = version, suite, rng, args, v6
        self.tls13 = version == TLS_1_3_VERSION
        self.notes = []

    def conn(self, family=socket.AF_INET):
        return Conn(self.version, self.suite, self.rng, family)

    @contextlib.contextmanager
    def phase(self, name):
        """Prefix failures inside the block with the phase name."""
        try:
            yield
        except Fail as e:
            raise Fail(f"{name}: {e}") from None

    def scaled_len(self, n):
        return n // self.suite.cost

    def scaled(self, sizes):
        """Fewer/smaller transfers for slow (pure-Python) ciphers."""
        c = self.suite.cost
        if c == 1:
            return list(sizes)
        return [n for i, n in enumerate(sizes) if i % c == 0 or n in EDGE_SIZES]


def case_data(ctx):
    """Byte-exact data both ways: record sizes 0..16384 from Python, writes
    up to several records from kTLS (split by the kernel), MSG_MORE,
    partial/peek/waitall reads, TCP segments splitting records, duplex."""
    rng = ctx.rng
    with ctx.conn() as c:
        c.start()
        # Python -> kTLS, one burst
        sizes = [0] + list(EDGE_SIZES) + [0, 5] + random_sizes(rng, 12)
        plan = py_data_plan(rng, ctx.tls13, ctx.scaled(sizes))
        with ctx.phase("python->kTLS"):
            run_parallel(c, lambda: c.k.expect(segments_of(plan), readsize_fn(rng), peek=True),
                         lambda: c.p.send_plan(plan))
        # Python -> kTLS, dribbled in small TCP segments
        plan = py_data_plan(rng, ctx.tls13, ctx.scaled([3, 0, 16384, 700, 1, 9000]))
        with ctx.phase("python->kTLS in small TCP segments"):
            run_parallel(c, lambda: c.k.expect(segments_of(plan), readsize_fn(rng)),
                         lambda: c.p.send_plan(plan, dribble=True))
        # one MSG_WAITALL read across many records
        plan = py_data_plan(rng, ctx.tls13, ctx.scaled([1000, 16384, 5, 16384, 3000]))
        total = sum(len(p[1]) for p in plan)
        want = b"".join(p[1] for p in plan)

        def waitall():
            data, t = c.k.recv(total, socket.MSG_WAITALL)
            check(t == CT_DATA, f"MSG_WAITALL: type {t}")
            check_bytes(data, want, "kTLS MSG_WAITALL data")
        with ctx.phase("MSG_WAITALL"):
            run_parallel(c, waitall, lambda: c.p.send_plan(plan))

        # kTLS -> Python
        sizes = (list(EDGE_SIZES) + [16385, 32768, 32769, 50000, 70001] +
                 random_sizes(rng, 12, 100000))
        kplan = k_data_plan(rng, ctx.scaled(sizes))
        rec_sizes = []
        with ctx.phase("kTLS->python"):
            run_parallel(c, lambda: c.p.expect(k_stream(kplan), rec_sizes),
                         lambda: c.k.send_plan(kplan))
        check(max(rec_sizes) <= MAX_PLAINTEXT, "record over 16384 bytes")

        # duplex: both directions at once
        n = 6 if ctx.suite.cost == 1 else 2
        pplan = py_data_plan(rng, ctx.tls13, random_sizes(rng, n * 4) + [16384, 1])
        kplan = k_data_plan(rng, random_sizes(rng, n * 4, 60000) + [40000, 1])
        with ctx.phase("duplex"):
            run_parallel(c, lambda: c.k.expect(segments_of(pplan), readsize_fn(rng)),
                         lambda: c.p.send_plan(pplan),
                         lambda: c.k.send_plan(kplan),
                         lambda: c.p.expect(k_stream(kplan)))
        time.sleep(0.05)
        c.p.quiet()
        c.k.quiet()
        ctx.notes.append(f"{c.p.records_in} records from kTLS")


def case_splice(ctx):
    """sendfile() into the kTLS socket and splice() out of it (the page
    based paths of the kernel), byte-exact against the Python end."""
    rng = ctx.rng
    with ctx.conn() as c:
        c.start()
        kfd = c.k.s.fileno()
        # sendfile: file -> kTLS TX
        data = rng.randbytes(ctx.scaled_len(300000))
        path = f"/tmp/peer-sendfile-{os.getpid()}"
        with open(path, "wb+") as f:
            f.write(data)
            f.flush()
            os.unlink(path)
            srng = random.Random(rng.getrandbits(64))

            def sender():
                off = 0
                while off < len(data):
                    n = srng.choice((1, 4095, 4097, 16384, 16385, 70000))
                    try:
                        sent = os.sendfile(kfd, f.fileno(), off, min(n, len(data) - off))
                    except OSError as e:
                        raise Fail(f"sendfile at {off}: {os_error(e)}") from None
                    check(sent > 0, f"sendfile at {off} returned 0")
                    off += sent
            sizes = []
            with ctx.phase("sendfile"):
                run_parallel(c, lambda: c.p.expect([("stream", CT_DATA, data)], sizes), sender)
            check(max(sizes) <= MAX_PLAINTEXT, "record over 16384 bytes")
        # splice: kTLS RX -> pipe
        # no 0-byte records: splice() returns 0 for one, like EOF
        plan = py_data_plan(rng, ctx.tls13, ctx.scaled([1, 16384, 5000, 16384, 77, 16000]))
        want = b"".join(p[1] for p in plan)
        r, w = os.pipe()
        try:
            def reader():
                got = bytearray()
                while len(got) < len(want):
                    try:
                        n = os.splice(kfd, w, min(65536, len(want) - len(got)))
                    except OSError as e:
                        raise Fail(f"splice from kTLS after {len(got)} bytes: {os_error(e)}") from None
                    check(n > 0, f"splice from kTLS: EOF after {len(got)} bytes")
                    while n:
                        chunk = os.read(r, n)
                        got += chunk
                        n -= len(chunk)
                    check_bytes(got, want[:len(got)], "spliced data")
            with ctx.phase("splice"):
                run_parallel(c, reader, lambda: c.p.send_plan(plan))
        finally:
            os.close(r)
            os.close(w)
        time.sleep(0.05)
        c.p.quiet()
        c.k.quiet()


def handshake_msg(rng):
    """Some handshake-looking bytes (not a KeyUpdate)."""
    return bytes([rng.choice((1, 2, 4, 8, 11, 15, 20))]) + rng.randbytes(rng.randrange(3, 200))


def case_rectype(ctx):
    """Record types via cmsg: TLS_GET_RECORD_TYPE on every recvmsg, one
    control record per recvmsg, TLS_SET_RECORD_TYPE on send (also after a
    MSG_MORE data write and for a control message larger than a record)."""
    rng = ctx.rng
    fam = socket.AF_INET6 if ctx.v6 else socket.AF_INET
    if fam == socket.AF_INET6:
        ctx.notes.append("IPv6")
    with ctx.conn(fam) as c:
        c.start()
        t13 = ctx.tls13
        pplan = [
            (CT_DATA, rng.randbytes(100), 0),
            with_pad(CT_HANDSHAKE, handshake_msg(rng), t13, rng),
            (CT_HANDSHAKE, hs_payload(rng, 16384), 0),
            (CT_DATA, rng.randbytes(3000), 0),
            (CT_DATA, rng.randbytes(17), 0),
            with_pad(CT_ALERT, b"\x01\x00", t13, rng),
            (CT_ALERT, b"\x02\x28", 0),
            (CT_DATA, b"", 0),
            (CT_DATA, rng.randbytes(1), 0),
            (CT_HANDSHAKE, hs_payload(rng, 1), 0),
            (CT_DATA, rng.randbytes(16384), 0),
        ]
        with ctx.phase("python->kTLS"):
            run_parallel(c, lambda: c.k.expect(segments_of(pplan)),
                         lambda: c.p.send_plan(pplan, dribble=rng.random() < 0.5))
        kplan = [
            ("data", rng.randbytes(500), 0),
            (CT_HANDSHAKE, handshake_msg(rng)),
            (CT_ALERT, b"\x01\x00"),
            ("data", rng.randbytes(3000), socket.MSG_MORE),   # pushed by the next cmsg
            (CT_HANDSHAKE, rng.randbytes(20000)),              # split in two records
            (CT_HANDSHAKE, rng.randbytes(16384)),
            ("data", rng.randbytes(1), 0),
            (CT_ALERT, b"\x02\x0a"),
            ("data", rng.randbytes(40000), 0),
        ]
        with ctx.phase("kTLS->python"):
            run_parallel(c, lambda: c.p.expect(k_stream(kplan)), lambda: c.k.send_plan(kplan))
        time.sleep(0.05)
        c.p.quiet()
        c.k.quiet()


def case_maxlen(ctx):
    """TLS_TX_MAX_PAYLOAD_LEN: records from kTLS never exceed the limit."""
    rng = ctx.rng
    with ctx.conn() as c:
        c.start()
        lo = TLS_MIN_RECORD_SIZE_LIM - (1 if ctx.tls13 else 0)
        for limit in (lo, rng.randrange(lo + 1, 4096), MAX_PLAINTEXT - 1):
            try:
                c.k.s.setsockopt(SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, struct.pack("=H", limit))
            except OSError as e:
                raise Fail(f"setsockopt(TLS_TX_MAX_PAYLOAD_LEN, {limit}): {os_error(e)}") from None
            c.p.limit = limit
            n = 3 if limit < 200 and ctx.suite.cost > 1 else 1
            kplan = [("data", rng.randbytes(rng.randrange(limit, 3 * limit) // n), 0),
                     ("data", rng.randbytes(limit), 0),
                     (CT_HANDSHAKE, rng.randbytes(2 * limit + 1)),
                     ("data", rng.randbytes(min(50000, 20 * limit) // n), 0)]
            sizes = []
            run_parallel(c, lambda: c.p.expect(k_stream(kplan), sizes),
                         lambda: c.k.send_plan(kplan))
            check(max(sizes) <= limit, f"record of {max(sizes)} bytes with limit {limit}")
        c.p.quiet()


def case_nopad(ctx):
    """TLS 1.3 with TLS_RX_EXPECT_NO_PAD: padded and unpadded records of all
    types still decrypt (the kernel retries without zero-copy)."""
    rng = ctx.rng
    with ctx.conn() as c:
        c.start()
        try:
            c.k.s.setsockopt(SOL_TLS, TLS_RX_EXPECT_NO_PAD, struct.pack("=I", 1))
        except OSError as e:
            raise Fail(f"setsockopt(TLS_RX_EXPECT_NO_PAD): {os_error(e)}") from None
        plan = []
        for i in range(12):
            n = rng.choice((0, 1, 100, 4000, 16000, 16384)) if i else 100
            pad = 0 if i % 3 == 0 else rng.choice((1, 16, 300, MAX_PLAINTEXT - n))
            ctype = CT_HANDSHAKE if i % 5 == 4 else CT_DATA
            if ctype == CT_HANDSHAKE and n == 0:
                n = 1
            plan.append((ctype, hs_payload(rng, n), min(pad, MAX_PLAINTEXT - n)))
        plan.append((CT_DATA, rng.randbytes(10), 0))
        plan = fix_empty(plan)
        run_parallel(c, lambda: c.k.expect(segments_of(plan), readsize_fn(rng)),
                     lambda: c.p.send_plan(plan))
        c.k.quiet()


def case_nopad_counters(ctx):
    """TLS_RX_EXPECT_NO_PAD takes effect: read with room for the whole
    record, an unpadded data record is opened straight into the reader's
    buffer, while a padded one makes the kernel open it again in place,
    counted in TlsDecryptRetry and TlsRxNoPadViolation; without the option
    neither counter moves. (Not checked with RX on a device.)"""
    rng = ctx.rng
    for nopad in (True, False):
        stat0 = read_tls_stat()
        plan = [(CT_DATA, rng.randbytes(rng.randrange(1, 4000)), 16 * (i % 2))
                for i in range(6)]
        with ctx.conn() as c:
            c.start()
            # Records a device decrypted are opened in place.
            if (read_tls_stat() or {}).get("TlsCurrRxDevice", 0) > 0:
                ctx.notes.append("RX on a device: zero-copy counters not checked")
                return
            if nopad:
                c.k.s.setsockopt(SOL_TLS, TLS_RX_EXPECT_NO_PAD, struct.pack("=I", 1))
            # One record at a time, each read by one recvmsg with room for
            # the whole record, padding included.
            for i, item in enumerate(plan):
                c.p.send_plan([item])
                data, t = c.k.recv(65536)
                check(t == CT_DATA, f"record {i}: type {t}")
                check_bytes(data, item[1], f"record {i}")
            c.k.quiet()
        stat1 = read_tls_stat()
        if stat0 is None or stat1 is None:
            ctx.notes.append("no /proc/net/tls_stat, counters not checked")
            return
        want = sum(1 for item in plan if item[2]) if nopad else 0
        for key in ("TlsDecryptRetry", "TlsRxNoPadViolation"):
            got = stat1.get(key, 0) - stat0.get(key, 0)
            check(got == want, f"{'with' if nopad else 'without'} TLS_RX_EXPECT_NO_PAD: "
                  f"/proc/net/tls_stat {key} changed by {got}, want {want}")


def case_txpath_counters(ctx):
    """Which way each software TX record went (/proc/net/tls_stat, ours):
    a send of one whole record is sealed straight from the sender's pages
    (TlsTxRecordsDirect), pieces sent with MSG_MORE are copied into the
    record first (TlsTxRecordsCopied); the Python end reads them all."""
    rng = ctx.rng
    stat0 = read_tls_stat()
    whole = [("data", rng.randbytes(MAX_PLAINTEXT), 0) for _ in range(3)]
    pieces = [("data", rng.randbytes(100), socket.MSG_MORE) for _ in range(9)]
    pieces.append(("data", rng.randbytes(100), 0))

    def k_side():
        # One buffer per send (several iovecs may span too many pages).
        for _, data, flags in whole + pieces:
            c.k.s.sendall(data, flags)
    with ctx.conn() as c:
        c.start()
        on_device = (read_tls_stat() or {}).get("TlsCurrTxDevice", 0) > 0
        run_parallel(c, lambda: c.p.expect(k_stream(whole + pieces)), k_side)
    stat1 = read_tls_stat()
    if on_device:
        ctx.notes.append("TX on a device: software TX counters not checked")
        return
    check_stat_changes(ctx, stat0, stat1, {"TlsTxRecordsDirect": 3, "TlsTxRecordsCopied": 1})


def case_rxpath_counters(ctx):
    """Where each software RX record was read (/proc/net/tls_stat, ours): a
    record TCP holds whole is decrypted straight from TCP's skbs
    (TlsRxRecordsDirect), one that came in more pieces than are mapped at
    once (64-byte TCP segments, one skb fragment each) is copied out of TCP
    first (TlsRxRecordsCopied); every byte arrives as sent. (Not checked
    with RX on a device, whose records are always copied.)"""
    rng = ctx.rng
    stat0 = read_tls_stat()
    whole = [(CT_DATA, rng.randbytes(MAX_PLAINTEXT), 0) for _ in range(3)]
    split = (CT_DATA, rng.randbytes(4000), 0)
    with ctx.conn() as c:
        c.start()
        if (read_tls_stat() or {}).get("TlsCurrRxDevice", 0) > 0:
            ctx.notes.append("RX on a device: software RX counters not checked")
            return
        c.p.send_plan(whole)
        for i, item in enumerate(whole):
            data, t = c.k.recv(MAX_PLAINTEXT)
            check(t == CT_DATA, f"record {i}: type {t}")
            check_bytes(data, item[1], f"record {i}")
        wire = c.p.build([split])

        def p_side():
            for off in range(0, len(wire), 64):
                c.p.s.sendall(wire[off:off + 64])
                time.sleep(0.002)
        got = []
        run_parallel(c, lambda: got.append(c.k.recv(MAX_PLAINTEXT)), p_side)
        check(got and got[0][1] == CT_DATA, f"split record: {got[0][1] if got else None}")
        check_bytes(got[0][0], split[1], "split record")
        c.k.quiet()
    stat1 = read_tls_stat()
    check_stat_changes(ctx, stat0, stat1, {"TlsRxRecordsDirect": 3, "TlsRxRecordsCopied": 1})


def case_reject(ctx):
    """Malformed records from the peer kill the kTLS reader with the
    kernel's errno: bad tag EBADMSG, oversized EMSGSIZE, bad legacy version
    EINVAL, shorter than the overhead EBADMSG, TLS 1.3 all-zero inner
    plaintext EBADMSG. Each after a good record that must still arrive."""
    rng = ctx.rng
    tests = []

    def bad_tag(p):
        rec = bytearray(p.tx.seal(CT_DATA, rng.randbytes(300)))
        rec[-1 - rng.randrange(TAG_LEN + 300)] ^= 1 << rng.randrange(8)
        return bytes(rec)
    tests.append(("flipped bit", bad_tag, errno.EBADMSG))

    def oversize(p):
        if ctx.tls13:
            return p.tx.seal(CT_DATA, rng.randbytes(MAX_PLAINTEXT), pad=1)
        return p.tx.seal(CT_DATA, rng.randbytes(MAX_PLAINTEXT + 1))
    tests.append(("16385-byte plaintext", oversize, errno.EMSGSIZE))

    tests.append(("legacy_record_version 0301",
                  lambda p: p.tx.seal(CT_DATA, b"x" * 10, hdr_version=b"\3\1"), errno.EINVAL))

    def short(p):
        n = TAG_LEN - 1 + (8 if ctx.suite.explicit_nonce and not ctx.tls13 else 0)
        return bytes([CT_DATA, 3, 3]) + n.to_bytes(2, "big") + rng.randbytes(n)
    tests.append(("record shorter than nonce+tag", short, errno.EBADMSG))

    if ctx.tls13:
        def no_type(p):
            inner = bytes(rng.randrange(1, 50))
            hdr = bytes([CT_DATA, 3, 3]) + (len(inner) + TAG_LEN).to_bytes(2, "big")
            rec = hdr + p.tx.aead.encrypt(p.tx._xor_nonce(), inner, hdr)
            p.tx.seq += 1
            return rec
        tests.append(("all-zero TLSInnerPlaintext", no_type, errno.EBADMSG))

    for what, make, err in tests:
        with ctx.conn() as c:
            c.start()
            good = (CT_DATA, rng.randbytes(rng.randrange(1, 2000)), 0)
            c.p.send_plan([good])
            c.k.expect(segments_of([good]))
            c.p.send_raw(make(c.p))
            set_timeouts(c.k.s, 10)
            c.k.expect_errno(err, what, flags=0)


def check_stat_changes(ctx, stat0, stat1, wants):
    """Each of our counters in WANTS changed by its value between the
    readings STAT0 and STAT1 (noted, not checked, where the module has
    no such counters: tls.ko)."""
    if stat0 is None or stat1 is None or any(k not in stat1 for k in wants):
        ctx.notes.append(f"no {', '.join(wants)} in /proc/net/tls_stat, not checked")
        return
    for key, want in wants.items():
        got = stat1[key] - stat0.get(key, 0)
        check(got == want, f"/proc/net/tls_stat {key} changed by {got}, want {want}")


def read_tls_stat():
    """The counters of the kTLS end's network namespace."""
    try:
        with in_netns(NETNS[0] if NETNS else None):
            with open("/proc/thread-self/net/tls_stat") as f:
                return {k: int(v) for k, v in (line.split() for line in f if line.strip())}
    except (OSError, ValueError):
        return None


def case_rekey(ctx):
    """TLS 1.3 KeyUpdate (RFC 8446 7.2) in both directions, N times each,
    data both ways in between. RX: the kTLS reader gets the KeyUpdate as a
    handshake record, then EKEYEXPIRED (and no POLLIN) until TLS_RX is set
    to the next key with rec_seq 0, while records under the next key are
    already queued. TX: kTLS sends its KeyUpdate with TLS_SET_RECORD_TYPE,
    then TLS_TX moves on; the Python reader switches keys after it."""
    rng = ctx.rng
    n_rekeys = ctx.args.rekeys
    stat0 = read_tls_stat()
    with ctx.conn() as c:
        c.start()
        for i in range(n_rekeys):
            where = f"rekey {i + 1}/{n_rekeys}"
            try:
                rekey_rx_step(ctx, c, i)
            except Fail as e:
                raise Fail(f"RX {where}: {e}") from None
            try:
                rekey_tx_step(ctx, c, i)
            except Fail as e:
                raise Fail(f"TX {where}: {e}") from None
        time.sleep(0.05)
        c.p.quiet()
        c.k.quiet()
    stat1 = read_tls_stat()
    if stat0 is None or stat1 is None:
        ctx.notes.append("no /proc/net/tls_stat, counters not checked")
        return
    want = {"TlsRxRekeyOk": n_rekeys, "TlsTxRekeyOk": n_rekeys,
            "TlsRxRekeyReceived": n_rekeys, "TlsRxRekeyError": 0,
            "TlsTxRekeyError": 0, "TlsDecryptError": 0}
    for key, delta in want.items():
        if key in stat0 and key in stat1:
            got = stat1[key] - stat0[key]
            check(got == delta, f"/proc/net/tls_stat {key} changed by {got}, want {delta}")


def small_sizes(rng, count_max, cap):
    sizes = []
    for _ in range(rng.randrange(count_max + 1)):
        r = rng.random()
        sizes.append(rng.randrange(1, 200) if r < 0.6 else
                     rng.randrange(200, 3000) if r < 0.9 else rng.randrange(3000, cap + 1))
    return sizes


def rekey_rx_step(ctx, c, i):
    rng = ctx.rng
    pre = py_data_plan(rng, True, small_sizes(rng, 3, 16384))
    post = py_data_plan(rng, True, small_sizes(rng, 2, 16384) + [rng.randrange(1, 500)])
    ku = KeyUpdate(i % 2, pad=max_pad(True, 5, rng) if rng.random() < 0.3 else 0)
    # seal everything now: the next key is used right after the KeyUpdate
    wire_pre = c.p.build(pre + [ku])
    wire_post = c.p.build(post)
    together = rng.random() < 0.5

    def py_side():
        if together:
            c.p.send_raw(wire_pre + wire_post)
        else:
            c.p.send_raw(wire_pre)

    def k_side():
        c.k.expect(segments_of(pre))
        data, t = c.k.recv(rng.choice((5, 100, 65536)))
        check(t == CT_HANDSHAKE, f"KeyUpdate read as record type {t} ({len(data)} bytes)")
        check_bytes(data, ku.body, "KeyUpdate record")

    run_parallel(c, k_side, py_side)
    if together:
        # the post-update records are on the socket already; give the stack
        # a moment so they are queued (not required for the checks)
        time.sleep(0.001)
    c.k.expect_errno(errno.EKEYEXPIRED, "recv(MSG_DONTWAIT) after KeyUpdate")
    set_timeouts(c.k.s, SHORT_TIMEOUT)
    try:
        c.k.expect_errno(errno.EKEYEXPIRED, "blocking recv after KeyUpdate", flags=0)
    finally:
        set_timeouts(c.k.s, IO_TIMEOUT)
    r, _, _ = select.select([c.k.s], [], [], 0)
    check(not r, "poll() reports POLLIN while the KeyUpdate is pending")
    c.rekey_k_rx()
    if together:
        r, _, _ = select.select([c.k.s], [], [], IO_TIMEOUT)
        check(r, "no POLLIN after installing the new key with records queued")
    send = (lambda: None) if together else (lambda: c.p.send_raw(wire_post))
    run_parallel(c, lambda: c.k.expect(segments_of(post), readsize_fn(rng)), send)
    # data the other way under the unchanged TX key
    kplan = k_data_plan(rng, small_sizes(rng, 2, 20000) + [rng.randrange(1, 100)])
    run_parallel(c, lambda: c.p.expect(k_stream(kplan)), lambda: c.k.send_plan(kplan))


def rekey_tx_step(ctx, c, i):
    rng = ctx.rng
    pre = k_data_plan(rng, small_sizes(rng, 3, 20000))
    if pre and rng.random() < 0.3:
        # leave an open record: the KeyUpdate's cmsg send must push it first
        pre[-1] = ("data", pre[-1][1], socket.MSG_MORE)
    post = k_data_plan(rng, small_sizes(rng, 2, 20000) + [rng.randrange(1, 500)])
    ku = KeyUpdate(0)

    def k_side():
        c.k.send_plan(pre + [ku])
        c.rekey_k_tx()
        c.k.send_plan(post)

    run_parallel(c, lambda: c.p.expect(k_stream(pre + [ku] + post)), k_side)
    pplan = py_data_plan(rng, True, small_sizes(rng, 2, 16384) + [rng.randrange(1, 100)])
    run_parallel(c, lambda: c.k.expect(segments_of(pplan)), lambda: c.p.send_plan(pplan))


def set_secrets(c, tx=True, rx=True, ulp=True):
    """The kernel's key schedule: TLS_TX_SECRET/TLS_RX_SECRET from the
    connection's traffic secrets. Skip if the kernel has no HMAC of the
    suite's hash (SM3 without CONFIG_CRYPTO_SM3: ENOENT), or if this end's
    cryptography has no SM3 for an SM4 suite."""
    if c.suite.cipher in (55, 56) and not isinstance(c.suite.hash_alg, hashes.SM3):
        raise Skip("SM3 unavailable in cryptography")
    if ulp:
        c.k.ulp()
    for on, opt, keys, what in ((tx, TLS_TX_SECRET, c.k_tx, "TLS_TX_SECRET"),
                                (rx, TLS_RX_SECRET, c.k_rx, "TLS_RX_SECRET")):
        if not on:
            continue
        try:
            c.k.s.setsockopt(SOL_TLS, opt, keys.secret_info())
        except OSError as e:
            if e.errno == errno.ENOENT:
                raise Skip(f"{what}: ENOENT (the kernel has no HMAC of this "
                           "suite's hash)") from None
            raise Fail(f"setsockopt(SOL_TLS, {what}): {os_error(e)}") from None


def k_generations(c):
    """getsockopt(TLS_KEY_GENERATIONS): (tx, rx)."""
    return struct.unpack("=QQ", c.k.s.getsockopt(SOL_TLS, TLS_KEY_GENERATIONS, 16))


def setsockopt_errno(sock, level, opt, val, err, what):
    try:
        sock.setsockopt(level, opt, val)
    except OSError as e:
        check(e.errno == err, f"{what}: {os_error(e)}, want {errno.errorcode[err]}")
        return
    raise Fail(f"{what}: succeeded, want {errno.errorcode[err]}")


def case_kernel_schedule(ctx):
    """The kernel's key schedule (TLS_TX_SECRET/TLS_RX_SECRET): N
    KeyUpdates each way. RX: the Python end's KeyUpdates (every other one
    with update_requested) are taken by the kernel, never delivered, no
    EKEYEXPIRED; each request is answered by a KeyUpdate of the kernel's
    before any further data. TX: TLS_TX_KEY_UPDATE sends one (every third
    with update_requested, which the Python end answers). Data both ways
    in between; the generations and counters add up."""
    rng = ctx.rng
    n = ctx.args.rekeys
    stat0 = read_tls_stat()
    tx_updates = rx_updates = 0
    with ctx.conn() as c:
        set_secrets(c)
        for i in range(n):
            # RX: data, a KeyUpdate, data under the next key in one go.
            requested = i % 2
            pre = py_data_plan(rng, True, small_sizes(rng, 3, 16384) + [rng.randrange(1, 300)])
            post = py_data_plan(rng, True, small_sizes(rng, 2, 16384) + [rng.randrange(1, 300)])
            wire = c.p.build(pre + [KeyUpdate(requested)] + post)
            rx_updates += 1
            with ctx.phase(f"RX KeyUpdate {i + 1}/{n}"):
                run_parallel(c, lambda: c.k.expect(segments_of(pre + post), readsize_fn(rng)),
                             lambda: c.p.send_raw(wire))
            kplan = k_data_plan(rng, small_sizes(rng, 2, 20000) + [rng.randrange(1, 100)])
            answer = [KeyUpdate(0)] if requested else []
            tx_updates += len(answer)
            with ctx.phase(f"TX after RX KeyUpdate {i + 1}/{n}"):
                run_parallel(c, lambda: c.p.expect(answer + k_stream(kplan)),
                             lambda: c.k.send_plan(kplan))
            # TX: TLS_TX_KEY_UPDATE between data.
            requested = int(i % 3 == 0)
            pre = k_data_plan(rng, small_sizes(rng, 2, 20000))
            if pre and rng.random() < 0.3:
                pre[-1] = ("data", pre[-1][1], socket.MSG_MORE)
            post = k_data_plan(rng, small_sizes(rng, 2, 20000) + [rng.randrange(1, 300)])
            tx_updates += 1

            def k_side():
                c.k.send_plan(pre)
                c.k.s.setsockopt(SOL_TLS, TLS_TX_KEY_UPDATE, requested)
                c.k.send_plan(post)

            with ctx.phase(f"TLS_TX_KEY_UPDATE {i + 1}/{n}"):
                run_parallel(c, lambda: c.p.expect(k_stream(pre) + [KeyUpdate(requested)] +
                                                   k_stream(post)), k_side)
            pplan = py_data_plan(rng, True, small_sizes(rng, 2, 16384) + [rng.randrange(1, 100)])
            if requested:
                # The Python end answers before its next data.
                pplan = [KeyUpdate(0)] + pplan
                rx_updates += 1
            with ctx.phase(f"RX after TLS_TX_KEY_UPDATE {i + 1}/{n}"):
                run_parallel(c, lambda: c.k.expect(segments_of(
                    [p for p in pplan if not isinstance(p, KeyUpdate)])),
                    lambda: c.p.send_plan(pplan))
        time.sleep(0.05)
        c.p.quiet()
        c.k.quiet()
        got = k_generations(c)
        check(got == (tx_updates, rx_updates),
              f"TLS_KEY_GENERATIONS {got}, want {(tx_updates, rx_updates)}")
    stat1 = read_tls_stat()
    if stat0 is None or stat1 is None:
        ctx.notes.append("no /proc/net/tls_stat, counters not checked")
        return
    want = {"TlsRxRekeyOk": rx_updates, "TlsTxRekeyOk": tx_updates,
            "TlsRxRekeyReceived": rx_updates, "TlsDecryptError": 0}
    for key, delta in want.items():
        if key in stat0 and key in stat1:
            d = stat1[key] - stat0[key]
            check(d == delta, f"/proc/net/tls_stat {key} changed by {d}, want {delta}")


def case_kernel_schedule_auto(ctx):
    """TLS_TX_KEY_UPDATE_RECORDS: after every N records a TX key sealed,
    the kernel sends a KeyUpdate by itself; --rekeys of them, over records
    of 1 to 300 bytes (one per send), each checked by the Python end,
    which follows every KeyUpdate. getsockopt reads N back; the default is
    TLS_KEY_UPDATE_RECORDS_DEFAULT."""
    rng = ctx.rng
    n_updates = ctx.args.rekeys
    every = rng.randrange(1, 6)
    with ctx.conn() as c:
        set_secrets(c, rx=False)
        s = c.k.s
        got = struct.unpack("=Q", s.getsockopt(SOL_TLS, TLS_TX_KEY_UPDATE_RECORDS, 8))[0]
        check(got == 1 << 23, f"default TLS_TX_KEY_UPDATE_RECORDS {got}")
        setsockopt_errno(s, SOL_TLS, TLS_TX_KEY_UPDATE_RECORDS, struct.pack("=Q", 0),
                         errno.EINVAL, "TLS_TX_KEY_UPDATE_RECORDS 0")
        s.setsockopt(SOL_TLS, TLS_TX_KEY_UPDATE_RECORDS, struct.pack("=Q", every))
        got = struct.unpack("=Q", s.getsockopt(SOL_TLS, TLS_TX_KEY_UPDATE_RECORDS, 8))[0]
        check(got == every, f"TLS_TX_KEY_UPDATE_RECORDS read back {got}, want {every}")
        records = n_updates * every + 1
        sizes = [rng.randrange(1, 300) for _ in range(records)]
        payload = rng.randbytes(sum(sizes))

        def k_side():
            off = 0
            for n in sizes:
                s.sendall(payload[off:off + n])
                off += n

        def p_side():
            off = since = updates = 0
            while off < len(payload):
                ctype, data = c.p.read_record()
                if ctype == CT_HANDSHAKE:
                    check(data == bytes([HS_KEY_UPDATE, 0, 0, 1, 0]),
                          f"handshake record {bytes(data).hex()} after {off} bytes")
                    check(since == every, f"KeyUpdate after {since} records, want {every}")
                    c.p.rxk = c.p.rxk.next()
                    c.p.rx = RecordState(c.p.rxk)
                    since = 0
                    updates += 1
                    continue
                check(ctype == CT_DATA, f"record type {ctype}")
                check(since < every, f"{since + 1} records under one key, want {every}")
                check_bytes(data, payload[off:off + len(data)], f"stream at {off}")
                off += len(data)
                since += 1
            check(updates == n_updates, f"{updates} KeyUpdates, want {n_updates}")

        run_parallel(c, p_side, k_side)
        check(k_generations(c) == (n_updates, 0),
              f"TLS_KEY_GENERATIONS {k_generations(c)}, want {(n_updates, 0)}")
        c.p.quiet()


# (KeyUpdate record body, the alert description RFC 8446 asks for)
MALFORMED_KEY_UPDATES = [
    ("request_2", bytes([HS_KEY_UPDATE, 0, 0, 1, 2]), 47),      # illegal_parameter
    ("request_ff", bytes([HS_KEY_UPDATE, 0, 0, 1, 0xff]), 47),
    ("length_0", bytes([HS_KEY_UPDATE, 0, 0, 0]), 50),          # decode_error
    ("length_2", bytes([HS_KEY_UPDATE, 0, 0, 2, 0, 0]), 50),
    ("cut", bytes([HS_KEY_UPDATE, 0, 0, 1]), 10),               # unexpected_message
    ("trailing", bytes([HS_KEY_UPDATE, 0, 0, 1, 0, 4]), 10),
    ("after_ticket", bytes([4, 0, 0, 2, 1, 2, HS_KEY_UPDATE, 0, 0, 1, 1]), 10),
]


def case_kernel_schedule_malformed(ctx):
    """A malformed KeyUpdate under the kernel's schedule ends the
    connection: the data before it is read, then EPROTO; the Python end
    gets the fatal alert (RFC 8446 6) under the kernel's TX key; nothing
    more is sent (EPIPE). A ticket (handshake, no KeyUpdate) still goes to
    the reader as upstream delivers it."""
    rng = ctx.rng
    stat0 = read_tls_stat()
    for name, body, alert in MALFORMED_KEY_UPDATES:
        with ctx.phase(name), ctx.conn() as c:
            set_secrets(c)
            ticket = bytes([4, 0, 0, 3, 1, 2, 3])
            pre = py_data_plan(rng, True, [rng.randrange(1, 3000)])
            plan = pre + [(CT_HANDSHAKE, ticket, 0)] + pre
            run_parallel(c, lambda: c.k.expect(segments_of(plan)), lambda: c.p.send_plan(plan))
            c.p.send_plan([(CT_HANDSHAKE, body, 0)] + pre)
            c.k.expect_errno(errno.EPROTO, "recv after a malformed KeyUpdate", flags=0)
            ctype, payload = c.p.read_record()
            check(ctype == CT_ALERT and payload == bytes([2, alert]),
                  f"python end: want fatal alert {alert}, got type {ctype} {payload.hex()}")
            try:
                c.k.s.send(b"x")
                raise Fail("send after the alert succeeded, want EPIPE")
            except OSError as e:
                check(e.errno == errno.EPIPE, f"send after the alert: {os_error(e)}, want EPIPE")
    stat1 = read_tls_stat()
    if stat0 and stat1 and "TlsRxRekeyError" in stat0:
        d = stat1["TlsRxRekeyError"] - stat0["TlsRxRekeyError"]
        check(d == len(MALFORMED_KEY_UPDATES), f"TlsRxRekeyError changed by {d}, want "
              f"{len(MALFORMED_KEY_UPDATES)}")


def case_kernel_schedule_errors(ctx):
    """setsockopt errnos of the kernel's schedule (Documentation/uapi.rst):
    EINVAL for a bad tls_secret_info (size, TLS 1.2, a cipher TLS 1.3 does
    not use, a secret longer than the suite's hash, a cipher other than the
    other direction's), EBUSY for a second key of a direction (secret or
    key either way), EINVAL for TLS_TX_KEY_UPDATE without the schedule or
    with a bad value, ENOPROTOOPT for reading a secret back."""
    hlen = ctx.suite.hash_alg.digest_size
    with ctx.conn() as c:
        c.k.ulp()
        s, info = c.k.s, c.k_tx.secret_info()
        setsockopt_errno(s, SOL_TLS, TLS_TX_SECRET, info[:-1], errno.EINVAL, "short")
        setsockopt_errno(s, SOL_TLS, TLS_TX_SECRET, info + b"\0", errno.EINVAL, "long")
        tls12 = struct.pack("=H", TLS_1_2_VERSION) + info[2:]
        setsockopt_errno(s, SOL_TLS, TLS_TX_SECRET, tls12, errno.EINVAL, "TLS 1.2")
        aria = info[:2] + struct.pack("=H", 57) + info[4:]
        setsockopt_errno(s, SOL_TLS, TLS_TX_SECRET, aria, errno.EINVAL, "ARIA")
        if hlen < TLS_SECRET_MAX_SIZE:
            bad = c.k_tx.secret_info(tail=b"\1")
            setsockopt_errno(s, SOL_TLS, TLS_TX_SECRET, bad, errno.EINVAL, "secret tail")
        setsockopt_errno(s, SOL_TLS, TLS_TX_KEY_UPDATE, 0, errno.EINVAL,
                         "TLS_TX_KEY_UPDATE without TX")
        set_secrets(c, rx=False, ulp=False)
        setsockopt_errno(s, SOL_TLS, TLS_TX_SECRET, info, errno.EBUSY, "second TLS_TX_SECRET")
        setsockopt_errno(s, SOL_TLS, TLS_TX, c.k_tx.next().crypto_info(), errno.EBUSY,
                         "TLS_TX rekey under the schedule")
        other = 52 if ctx.suite.cipher != 52 else 51
        mismatch = c.k_rx.secret_info()[:2] + struct.pack("=H", other) + c.k_rx.secret_info()[4:]
        setsockopt_errno(s, SOL_TLS, TLS_RX_SECRET, mismatch, errno.EINVAL, "other cipher")
        for v, what in ((2, "value 2"), (b"\0\0", "optlen 2")):
            setsockopt_errno(s, SOL_TLS, TLS_TX_KEY_UPDATE, v, errno.EINVAL, what)
        try:
            s.getsockopt(SOL_TLS, TLS_TX_SECRET, 64)
            raise Fail("getsockopt(TLS_TX_SECRET) returned something")
        except OSError as e:
            check(e.errno == errno.ENOPROTOOPT, f"getsockopt(TLS_TX_SECRET): {os_error(e)}")
        # A plain key, then a secret or TLS_TX_KEY_UPDATE: refused.
        c.k.set_keys(TLS_RX, c.k_rx, "TLS_RX")
        setsockopt_errno(s, SOL_TLS, TLS_RX_SECRET, c.k_rx.secret_info(), errno.EBUSY,
                         "TLS_RX_SECRET after TLS_RX")
    with ctx.conn() as c:
        c.start()
        setsockopt_errno(c.k.s, SOL_TLS, TLS_TX_KEY_UPDATE, 0, errno.EINVAL,
                         "TLS_TX_KEY_UPDATE with a key from TLS_TX")
        check(k_generations(c) == (0, 0), "TLS_KEY_GENERATIONS of fresh keys")


CHECKS = [
    ("data", case_data, False),
    ("rectype", case_rectype, False),
    ("splice", case_splice, False),
    ("maxlen", case_maxlen, False),
    ("reject", case_reject, False),
    ("nopad", case_nopad, True),
    ("nopad_counters", case_nopad_counters, True),
    ("txpath_counters", case_txpath_counters, False),
    ("rxpath_counters", case_rxpath_counters, False),
    ("rekey", case_rekey, True),
    ("kernel_schedule", case_kernel_schedule, True),
    ("kernel_schedule_auto", case_kernel_schedule_auto, True),
    ("kernel_schedule_malformed", case_kernel_schedule_malformed, True),
    ("kernel_schedule_errors", case_kernel_schedule_errors, True),
]


# ---------------------------------------------------------------------------
# Self-test of the Python constructions
# ---------------------------------------------------------------------------

def selftest():
    """Known answers and cross-checks so a failure against the kernel is not
    a bug of this file."""
    kat = [  # (block cipher, key, plaintext, ciphertext)
        # RFC 5794 A.1, A.2, A.3
        (AriaBlock, "000102030405060708090a0b0c0d0e0f",
         "00112233445566778899aabbccddeeff", "d718fbd6ab644c739da95f3be6451778"),
        (AriaBlock, "000102030405060708090a0b0c0d0e0f1011121314151617",
         "00112233445566778899aabbccddeeff", "26449c1805dbe7aa25a468ce263a9e79"),
        (AriaBlock, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
         "00112233445566778899aabbccddeeff", "f92bd7c79fb72e2f2b8f80c1972d24fc"),
    ]
    if not _SM4_MISSING:
        # GB/T 32907-2016 example 1
        kat.append((lambda k: LibBlock(algorithms.SM4, k), "0123456789abcdeffedcba9876543210",
                    "0123456789abcdeffedcba9876543210", "681edf34d206965e86b3e94f536e4246"))
    for make, key, pt, ct in kat:
        got = make(bytes.fromhex(key)).encrypt_block(bytes.fromhex(pt)).hex()
        check(got == ct, f"block cipher known answer: {got} != {ct}")

    # RFC 8446 7.1 / RFC 8448 3: server handshake traffic key and iv
    sec = bytes.fromhex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
    check(hkdf_expand_label(hashes.SHA256(), sec, b"key", b"", 16).hex() ==
          "3fce516009c21727d0f2e4e86ee403bc", "HKDF-Expand-Label key")
    check(hkdf_expand_label(hashes.SHA256(), sec, b"iv", b"", 12).hex() ==
          "5d313eb2671276ee13000b30", "HKDF-Expand-Label iv")

    # generic GCM/CCM over AES against cryptography's AESGCM/AESCCM, and
    # SM4-GCM (cryptography) against generic GCM over SM4
    rng = random.Random(1)
    for klen in (16, 32):
        key = rng.randbytes(klen)
        pairs = [(GenericGcm(LibBlock(algorithms.AES, key)), AESGCM(key), "GCM"),
                 (GenericCcm(LibBlock(algorithms.AES, key)), AESCCM(key, tag_length=16), "CCM")]
        if not _SM4_MISSING and klen == 16:
            pairs.append((GenericGcm(LibBlock(algorithms.SM4, key)),
                          LibGcm(algorithms.SM4, key), "SM4-GCM"))
        for n in (0, 1, 15, 16, 17, 100, 1000):
            nonce, pt = rng.randbytes(12), rng.randbytes(n)
            aad = rng.randbytes(rng.choice((5, 13)))
            for mine, ref, name in pairs:
                a = mine.encrypt(nonce, pt, aad)
                b = ref.encrypt(nonce, pt, aad)
                check(a == b, f"generic {name} differs from cryptography (len {n})")
                check(mine.decrypt(nonce, b, aad) == pt, f"generic {name} decrypt")
                bad = bytearray(b)
                bad[rng.randrange(len(bad))] ^= 1
                try:
                    mine.decrypt(nonce, bytes(bad), aad)
                    raise Fail(f"generic {name} accepted a forged tag")
                except InvalidTag:
                    pass
    # the pure-Python ARIA CTR/CBC-MAC paths against the block function
    a = AriaBlock(rng.randbytes(16))
    blk = rng.randbytes(16)
    check(a.ctr(blk, 40)[:16] == a.encrypt_block(blk), "ARIA CTR")
    check(a.cbc_mac(blk) == a.encrypt_block(blk), "ARIA CBC-MAC")


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def all_cases():
    cases = []
    for version, vname in ((TLS_1_2_VERSION, "12"), (TLS_1_3_VERSION, "13")):
        for suite in SUITES:
            if suite.tls12_only and version != TLS_1_2_VERSION:
                continue
            for check_name, fn, tls13_only in CHECKS:
                if tls13_only and version != TLS_1_3_VERSION:
                    continue
                cases.append((f"{vname}_{suite.name}.{check_name}", version, suite, fn))
    return cases


def selected(name, patterns):
    if not patterns:
        return True
    base = name.split(".")[0]
    for p in patterns:
        if name == p or base == p or name.startswith(p) or fnmatch.fnmatchcase(name, p):
            return True
    return False


def main():
    global IO_TIMEOUT, NETNS
    ap = argparse.ArgumentParser(description="Check kTLS records against a "
                                 "userspace TLS record layer.")
    ap.add_argument("--rekeys", type=int, default=100,
                    help="KeyUpdates per direction in the TLS 1.3 rekey cases (default 100)")
    ap.add_argument("--only", action="append", default=[],
                    help="run cases whose name starts with / matches this "
                    "(comma-separated, repeatable), e.g. 13_aes_gcm or '*.rekey'")
    ap.add_argument("--seed", type=int, default=None, help="random seed")
    ap.add_argument("--list", action="store_true", help="list case names and exit")
    ap.add_argument("--timeout", type=float, default=IO_TIMEOUT,
                    help=f"seconds a blocking socket call may take (default {IO_TIMEOUT:g})")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print timing, notes and tracebacks as '#' lines")
    ap.add_argument("--netns", metavar="KTLS_NS,PEER_NS,PEER_ADDR",
                    help="kTLS end in KTLS_NS, Python end in PEER_NS on PEER_ADDR")
    args = ap.parse_args()
    if args.netns:
        NETNS = tuple(args.netns.split(","))
        if len(NETNS) != 3:
            ap.error("--netns takes KTLS_NS,PEER_NS,PEER_ADDR")
    patterns = [p for arg in args.only for p in arg.split(",") if p]
    IO_TIMEOUT = args.timeout
    if args.rekeys < 1:
        ap.error("--rekeys must be at least 1")

    cases = [c for c in all_cases() if selected(c[0], patterns)]
    if args.list:
        for c in cases:
            print(c[0])
        return 0
    if not cases:
        print(f"no case matches {patterns}", file=sys.stderr)
        return 2

    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(f"# peer.py seed {seed}, rekeys {args.rekeys}, {len(cases)} cases, "
          f"python {sys.version.split()[0]}, SM4 hash {_SM_HASH.name}", flush=True)
    passed = failed = skipped = 0
    t_all = time.monotonic()

    try:
        selftest()
        print("ok selftest", flush=True)
        passed += 1
    except Exception as e:
        print(f"not ok selftest: {e}", flush=True)
        failed += 1
        if args.verbose:
            traceback.print_exc(file=sys.stdout)

    v6 = ipv6_ok() and NETNS is None
    for name, version, suite, fn in cases:
        if suite.unavailable:
            print(f"skip {name}: {suite.unavailable}", flush=True)
            skipped += 1
            continue
        rng = random.Random(f"{seed}:{name}")
        ctx = Ctx(version, suite, rng, args, v6)
        t0 = time.monotonic()
        try:
            fn(ctx)
        except Fail as e:
            print(f"not ok {name}: {e}", flush=True)
            failed += 1
        except Skip as e:
            print(f"skip {name}: {e}", flush=True)
            skipped += 1
        except Exception as e:
            print(f"not ok {name}: unexpected {type(e).__name__}: {e}", flush=True)
            failed += 1
            if args.verbose:
                for line in traceback.format_exc().splitlines():
                    print(f"# {line}")
        else:
            print(f"ok {name}", flush=True)
            passed += 1
        if args.verbose:
            note = "; ".join(ctx.notes)
            print(f"# {name}: {time.monotonic() - t0:.2f}s{'; ' + note if note else ''}",
                  flush=True)
    if args.verbose:
        print(f"# total {time.monotonic() - t_all:.1f}s")
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
