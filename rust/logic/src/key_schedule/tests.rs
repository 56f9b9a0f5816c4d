// SPDX-License-Identifier: GPL-2.0

extern crate std;
use super::*;
use crate::cipher::{cipher_desc, CIPHERS};
use std::vec;
use std::vec::Vec;

// ---------------------------------------------------------------------------
// Test-only SHA-256, SHA-384 (FIPS 180-4) and HMAC (RFC 2104).
// ---------------------------------------------------------------------------

// FIPS 180-4 §4.2.2 and §4.2.3 (the first 32/64 bits of the fractional parts
// of the cube roots of the first 64/80 primes), §5.3.3 (square roots of the
// first 8 primes) and §5.3.4 (square roots of the 9th to 16th primes). Not
// typed in: printed by this exact-integer python and then checked by the
// FIPS "abc" vectors below:
//   def primes(n):
//       out = []; c = 2
//       while len(out) < n:
//           if all(c % p for p in out): out.append(c)
//           c += 1
//       return out
//   def iroot(x, k):  # floor(x ** (1/k))
//       lo, hi = 0, 1
//       while hi ** k <= x: hi *= 2
//       while lo < hi - 1:
//           m = (lo + hi) // 2
//           lo, hi = (m, hi) if m ** k <= x else (lo, m)
//       return lo
//   frac = lambda p, k, bits: iroot(p << (k * bits), k) & ((1 << bits) - 1)
//   K256 = [frac(p, 3, 32) for p in primes(64)]
//   H256 = [frac(p, 2, 32) for p in primes(8)]
//   K512 = [frac(p, 3, 64) for p in primes(80)]
//   H384 = [frac(p, 2, 64) for p in primes(16)[8:]]
const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const H256: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const K512: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

const H384: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];

/// Appends the FIPS 180-4 padding of a message of `len` bytes for blocks
/// of `block` bytes with a `len_bytes`-byte length field.
fn pad(msg: &[u8], block: usize, len_bytes: usize) -> Vec<u8> {
    let mut data = msg.to_vec();
    data.push(0x80);
    while data.len() % block != block - len_bytes {
        data.push(0);
    }
    let bits = u128::try_from(msg.len()).unwrap() * 8;
    data.extend_from_slice(&bits.to_be_bytes()[16 - len_bytes..]);
    data
}

fn sha256(msg: &[u8]) -> [u8; 32] {
    let mut h = H256;
    for block in pad(msg, 64, 8).chunks_exact(64) {
        let mut w = [0u32; 64];
        for (wi, c) in w.iter_mut().zip(block.chunks_exact(4)) {
            *wi = u32::from_be_bytes(c.try_into().unwrap());
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for (k, wi) in K256.iter().zip(w) {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(wi);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0; 32];
    for (o, x) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// SHA-512 compression from `iv`, all 64 bytes of the state.
fn sha512_from(iv: [u64; 8], msg: &[u8]) -> [u8; 64] {
    let mut h = iv;
    for block in pad(msg, 128, 16).chunks_exact(128) {
        let mut w = [0u64; 80];
        for (wi, c) in w.iter_mut().zip(block.chunks_exact(8)) {
            *wi = u64::from_be_bytes(c.try_into().unwrap());
        }
        for i in 16..80 {
            let s0 = w[i - 15].rotate_right(1) ^ w[i - 15].rotate_right(8) ^ (w[i - 15] >> 7);
            let s1 = w[i - 2].rotate_right(19) ^ w[i - 2].rotate_right(61) ^ (w[i - 2] >> 6);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for (k, wi) in K512.iter().zip(w) {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(wi);
            let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0; 64];
    for (o, x) in out.chunks_exact_mut(8).zip(h) {
        o.copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn sha384(msg: &[u8]) -> [u8; 48] {
    sha512_from(H384, msg)[..48].try_into().unwrap()
}

/// The digest of `msg` and the block size; `None` for SM3, which these
/// tests do not implement.
fn digest(hash: Hash, msg: &[u8]) -> Option<(Vec<u8>, usize)> {
    match hash {
        Hash::Sha256 => Some((sha256(msg).to_vec(), 64)),
        Hash::Sha384 => Some((sha384(msg).to_vec(), 128)),
        Hash::Sm3 => None,
    }
}

/// HMAC of RFC 2104.
fn hmac(hash: Hash, key: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    let (_, block) = digest(hash, b"")?;
    let mut k = if key.len() > block {
        digest(hash, key)?.0
    } else {
        key.to_vec()
    };
    k.resize(block, 0);
    let mut inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    inner.extend_from_slice(msg);
    let mut outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    outer.extend_from_slice(&digest(hash, &inner)?.0);
    Some(digest(hash, &outer)?.0)
}

/// [`Hmac`] over the test SHA-2, recording the message of every call and
/// failing, if asked, from a given call on.
struct TestHmac {
    hash: Hash,
    calls: Vec<Vec<u8>>,
    fail_from: Option<usize>,
}

impl TestHmac {
    fn new(hash: Hash) -> Self {
        Self {
            hash,
            calls: Vec::new(),
            fail_from: None,
        }
    }
}

impl Hmac for TestHmac {
    fn hash(&self) -> Hash {
        self.hash
    }

    fn mac(&mut self, key: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<(), Errno> {
        let out = out.get_mut(..self.hash.len()).ok_or(Errno::Inval)?;
        if self.fail_from.is_some_and(|n| self.calls.len() >= n) {
            return Err(Errno::Io);
        }
        let msg = data.concat();
        out.copy_from_slice(&hmac(self.hash, key, &msg).ok_or(Errno::OpNotSupp)?);
        self.calls.push(msg);
        Ok(())
    }
}

/// Bytes of a hex string; whitespace is skipped.
fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| u8::try_from(char::from(b).to_digit(16).unwrap()).unwrap())
        .collect();
    assert_eq!(digits.len() % 2, 0, "odd hex string {s}");
    digits.chunks_exact(2).map(|d| d[0] << 4 | d[1]).collect()
}

// ---------------------------------------------------------------------------
// The test SHA-2 and HMAC against published vectors.
// ---------------------------------------------------------------------------

/// FIPS 180-4 / RFC 6234 §8.5 vectors, as PuTTY's `test/cryptsuite.py`
/// (`testSHA256`, `testSHA384`) quotes them.
#[test]
fn sha2_matches_fips_180() {
    let two_block_256 = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    let two_block_512 = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    let long = b"01234567012345670123456701234567".repeat(20);

    assert_eq!(
        sha256(b"abc")[..],
        hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(
        sha256(two_block_256)[..],
        hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    );
    assert_eq!(
        sha256(&long)[..],
        hex("594847328451bdfa85056225462cc1d867d877fb388df0ce35f25ab5562bfbb5")
    );
    // SHA-256 of the empty string, the "hash" of the "tls13 derived" steps
    // of RFC 8448 §3 (see rfc8448_derive_secret_with_context).
    assert_eq!(
        sha256(b"")[..],
        hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );

    assert_eq!(
        sha384(b"abc")[..],
        hex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163
             1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
    );
    assert_eq!(
        sha384(two_block_512)[..],
        hex("09330c33f71147e83d192fc782cd1b4753111b173b3b05d2
             2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039")
    );
    assert_eq!(
        sha384(&long)[..],
        hex("2fc64a4f500ddb6828f6a3430b8dd72a368eb7f3a8322a70
             bc84275b9c0b3ab00d27a5cc3c2d224aa6b61a0d79fb4596")
    );
}

/// RFC 4231 test cases 1, 2 and 6 (key longer than a block), as CPython's
/// `Lib/test/test_hmac.py` (`_test_sha2_rfc4231`) quotes them.
#[test]
fn hmac_matches_rfc_4231() {
    let cases: [(&[u8], &[u8], &str, &str); 3] = [
        (
            &[0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c
             faea9ea9076ede7f4af152e8b2fa9cb6",
        ),
        (
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e
             8e2240ca5e69e2c78b3239ecfab21649",
        ),
        (
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6
             0c2ef6ab4030fe8296248df163f44952",
        ),
    ];
    for (key, data, want256, want384) in cases {
        assert_eq!(hmac(Hash::Sha256, key, data), Some(hex(want256)));
        assert_eq!(hmac(Hash::Sha384, key, data), Some(hex(want384)));
    }
    // Through the trait, with the data in parts and a longer `out`, of
    // which only the first hash length is written.
    let mut h = TestHmac::new(Hash::Sha384);
    let mut out = [0xee; 64];
    h.mac(
        b"Jefe",
        &[b"what do ", b"", b"ya want for nothing?"],
        &mut out,
    )
    .unwrap();
    assert_eq!(out[..48], hex(cases[1].3));
    assert_eq!(out[48..], [0xee; 16]);
}

// ---------------------------------------------------------------------------
// Hash, tls13_hash.
// ---------------------------------------------------------------------------

#[test]
fn hash_sizes_and_names() {
    assert_eq!(Hash::Sha256.len(), 32);
    assert_eq!(Hash::Sha384.len(), 48);
    assert_eq!(Hash::Sm3.len(), 32);
    assert_eq!(Hash::Sha256.hmac_name(), b"hmac(sha256)\0");
    assert_eq!(Hash::Sha384.hmac_name(), b"hmac(sha384)\0");
    assert_eq!(Hash::Sm3.hmac_name(), b"hmac(sm3)\0");
    for h in [Hash::Sha256, Hash::Sha384, Hash::Sm3] {
        assert!(h.len() <= MAX_HASH_LEN);
    }
    assert_eq!(MAX_HASH_LEN, Hash::Sha384.len());
}

#[test]
fn tls13_hash_of_every_cipher() {
    for d in CIPHERS.iter() {
        assert_eq!(
            cipher_desc(d.cipher_type).and_then(|d| d.tls13_hash),
            d.tls13_hash
        );
    }
    // By AEAD, as RFC 8446 §B.4 and RFC 8998 §2 pair them.
    let by_aead = |aead: &[u8], key: usize| {
        let d = CIPHERS
            .iter()
            .find(|d| d.aead_name == aead && d.key == key)
            .expect("cipher in the table");
        cipher_desc(d.cipher_type).and_then(|d| d.tls13_hash)
    };
    assert_eq!(by_aead(b"gcm(aes)\0", 16), Some(Hash::Sha256));
    assert_eq!(by_aead(b"gcm(aes)\0", 32), Some(Hash::Sha384));
    assert_eq!(by_aead(b"ccm(aes)\0", 16), Some(Hash::Sha256));
    assert_eq!(
        by_aead(b"rfc7539(chacha20,poly1305)\0", 32),
        Some(Hash::Sha256)
    );
    assert_eq!(by_aead(b"gcm(sm4)\0", 16), Some(Hash::Sm3));
    assert_eq!(by_aead(b"ccm(sm4)\0", 16), Some(Hash::Sm3));
    assert_eq!(by_aead(b"gcm(aria)\0", 16), None);
    assert_eq!(by_aead(b"gcm(aria)\0", 32), None);
    // Not a cipher.
    assert_eq!(cipher_desc(0).and_then(|d| d.tls13_hash), None);
    assert_eq!(cipher_desc(u16::MAX).and_then(|d| d.tls13_hash), None);
}

// ---------------------------------------------------------------------------
// HKDF-Expand: RFC 5869 Appendix A.
// ---------------------------------------------------------------------------

/// RFC 5869 A.1 to A.3 (the SHA-256 ones), as `casebeer/python-hkdf`'s
/// `tests.py` quotes them: IKM, salt, info, L, PRK, OKM.
const RFC5869: [(&str, &str, &str, usize, &str, &str); 3] = [
    (
        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
        "000102030405060708090a0b0c",
        "f0f1f2f3f4f5f6f7f8f9",
        42,
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf
         34007208d5b887185865",
    ),
    (
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
         202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
         404142434445464748494a4b4c4d4e4f",
        "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
         808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f
         a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
        "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf
         d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef
         f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
        82,
        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c
         59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71
         cc30c58179ec3e87c14c01d5c1f3434f1d87",
    ),
    (
        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
        "",
        "",
        42,
        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d
         9d201395faa4b61a96c8",
    ),
];

#[test]
fn hkdf_expand_matches_rfc_5869() {
    for (ikm, salt, info, l, prk, okm) in RFC5869 {
        let (ikm, salt, info, prk) = (hex(ikm), hex(salt), hex(info), hex(prk));
        // HKDF-Extract is HMAC(salt, IKM), a further check of the test HMAC.
        assert_eq!(hmac(Hash::Sha256, &salt, &ikm), Some(prk.clone()));

        let mut h = TestHmac::new(Hash::Sha256);
        let mut out = vec![0; l];
        hkdf_expand(&mut h, &prk, &[&info], &mut out).unwrap();
        assert_eq!(out, hex(okm));
        assert_eq!(h.calls.len(), l.div_ceil(32));

        // Info in parts, or none, gives the same; so does a shorter L, as
        // a prefix.
        let mut parts = vec![0; l];
        let (a, b) = info.split_at(info.len() / 2);
        hkdf_expand(&mut h, &prk, &[a, &[], b], &mut parts).unwrap();
        assert_eq!(parts, out);
        if info.is_empty() {
            hkdf_expand(&mut h, &prk, &[], &mut parts).unwrap();
            assert_eq!(parts, out);
        }
        let mut short = vec![0; 33];
        hkdf_expand(&mut h, &prk, &[&info], &mut short).unwrap();
        assert_eq!(short, out[..33]);
    }
}

#[test]
fn hkdf_expand_block_structure() {
    // T(1) = HMAC(PRK, info | 1), T(i) = HMAC(PRK, T(i-1) | info | i).
    let prk = hex(RFC5869[0].4);
    let info = hex(RFC5869[0].2);
    let mut h = TestHmac::new(Hash::Sha384);
    let mut out = [0; 100];
    hkdf_expand(&mut h, &prk, &[&info], &mut out).unwrap();
    assert_eq!(h.calls.len(), 3);
    let mut t1 = info.clone();
    t1.push(1);
    assert_eq!(h.calls[0], t1);
    for (i, call) in h.calls.iter().enumerate().skip(1) {
        let mut want = out[(i - 1) * 48..i * 48].to_vec();
        want.extend_from_slice(&info);
        want.push(u8::try_from(i + 1).unwrap());
        assert_eq!(*call, want);
    }
    assert_eq!(out[..48], hmac(Hash::Sha384, &prk, &t1).unwrap());
}

#[test]
fn hkdf_expand_limits() {
    let prk = [7; 32];
    for hash in [Hash::Sha256, Hash::Sha384] {
        let n = hash.len();
        let mut h = TestHmac::new(hash);
        // 255 blocks is the most.
        let mut out = vec![0; 255 * n];
        hkdf_expand(&mut h, &prk, &[b"info"], &mut out).unwrap();
        assert_eq!(h.calls.len(), 255);
        assert_eq!(h.calls[254].last(), Some(&255));

        let mut h = TestHmac::new(hash);
        let mut out = vec![0xaa; 255 * n + 1];
        assert_eq!(
            hkdf_expand(&mut h, &prk, &[b"info"], &mut out),
            Err(Errno::Inval)
        );
        assert!(h.calls.is_empty());
        assert!(out.iter().all(|&b| b == 0), "wiped on error");
    }
    // Nothing to do for an empty out.
    let mut h = TestHmac::new(Hash::Sha256);
    hkdf_expand(&mut h, &prk, &[b"info"], &mut []).unwrap();
    assert!(h.calls.is_empty());

    // At most MAX_INFO_PARTS parts of info.
    let parts: [&[u8]; MAX_INFO_PARTS + 1] = [b"a"; MAX_INFO_PARTS + 1];
    let mut out = [0; 32];
    hkdf_expand(&mut h, &prk, &parts[..MAX_INFO_PARTS], &mut out).unwrap();
    let mut want = [0; 32];
    hkdf_expand(&mut h, &prk, &[&[b'a'; MAX_INFO_PARTS]], &mut want).unwrap();
    assert_eq!(out, want);
    assert_eq!(
        hkdf_expand(&mut h, &prk, &parts, &mut out),
        Err(Errno::Inval)
    );
    assert_eq!(out, [0; 32]);
}

#[test]
fn hmac_errors_are_passed_on_and_out_wiped() {
    let prk = [7; 32];
    // Fails on the second block, after the first was written.
    let mut h = TestHmac::new(Hash::Sha256);
    h.fail_from = Some(1);
    let mut out = [0xaa; 40];
    assert_eq!(
        hkdf_expand(&mut h, &prk, &[b"info"], &mut out),
        Err(Errno::Io)
    );
    assert_eq!(out, [0; 40]);

    // The test HMAC has no SM3: its error comes through every function.
    let mut h = TestHmac::new(Hash::Sm3);
    let mut out = [0xaa; 32];
    assert_eq!(
        hkdf_expand(&mut h, &prk, &[], &mut out),
        Err(Errno::OpNotSupp)
    );
    assert_eq!(out, [0; 32]);
    let (mut key, mut iv) = ([0xaa; 16], [0xaa; 12]);
    assert_eq!(
        traffic_key_iv(&mut h, &prk, &mut key, &mut iv),
        Err(Errno::OpNotSupp)
    );
    assert_eq!((key, iv), ([0; 16], [0; 12]));
    let mut next = [0xaa; 32];
    assert_eq!(
        next_traffic_secret(&mut h, &prk, &mut next),
        Err(Errno::OpNotSupp)
    );
    assert_eq!(next, [0; 32]);

    // A failing IV after a good key wipes the key too.
    let mut h = TestHmac::new(Hash::Sha256);
    h.fail_from = Some(1);
    let (mut key, mut iv) = ([0xaa; 16], [0xaa; 12]);
    assert_eq!(
        traffic_key_iv(&mut h, &prk, &mut key, &mut iv),
        Err(Errno::Io)
    );
    assert_eq!((key, iv), ([0; 16], [0; 12]));
}

// ---------------------------------------------------------------------------
// HKDF-Expand-Label and the traffic keys: RFC 8448 §3.
// ---------------------------------------------------------------------------

// RFC 8448 §3 (Simple 1-RTT Handshake, TLS_AES_128_GCM_SHA256) values, as
// Erlang/OTP's lib/ssl/test/tls_1_3_record_SUITE.erl ('1_RTT_handshake')
// quotes the RFC's trace (every value below was also recomputed with
// python3-cryptography's HKDFExpand from the secrets, and matched).

/// `{server} derive secret "tls13 s hs traffic"`, expanded.
const S_HS_TRAFFIC: &str = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
/// `{server} derive secret "tls13 c hs traffic"`, expanded.
const C_HS_TRAFFIC: &str = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
/// `{server} derive secret "tls13 s ap traffic"`, expanded.
const S_AP_TRAFFIC: &str = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
/// `{server} derive secret "tls13 c ap traffic"`, expanded.
const C_AP_TRAFFIC: &str = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";

#[test]
fn rfc8448_traffic_keys() {
    // Secret; key expanded; iv expanded.
    let cases = [
        // {server} derive write traffic keys for handshake data
        (
            S_HS_TRAFFIC,
            "3fce516009c21727d0f2e4e86ee403bc",
            "5d313eb2671276ee13000b30",
        ),
        // {server} derive read traffic keys for handshake data
        (
            C_HS_TRAFFIC,
            "dbfaa693d1762c5b666af5d950258d01",
            "5bd3c71b836e0b76bb73265f",
        ),
        // {server} derive write traffic keys for application data
        (
            S_AP_TRAFFIC,
            "9f02283b6c9c07efc26bb9f2ac92e356",
            "cf782b88dd83549aadf1e984",
        ),
        // {client} derive write traffic keys for application data
        (
            C_AP_TRAFFIC,
            "17422dda596ed5d9acd890e3c63f5051",
            "5b78923dee08579033e523d9",
        ),
    ];
    for (secret, want_key, want_iv) in cases {
        let mut h = TestHmac::new(Hash::Sha256);
        let (mut key, mut iv) = ([0; 16], [0; TLS13_IV_LEN]);
        traffic_key_iv(&mut h, &hex(secret), &mut key, &mut iv).unwrap();
        assert_eq!(key[..], hex(want_key));
        assert_eq!(iv[..], hex(want_iv));
        // The HkdfLabels, as the trace shows them ("key info", "iv info"),
        // each followed by the block counter 1.
        assert_eq!(h.calls.len(), 2);
        assert_eq!(h.calls[0], hex("00 10 09 74 6c 73 31 33 20 6b 65 79 00 01"));
        assert_eq!(h.calls[1], hex("00 0c 08 74 6c 73 31 33 20 69 76 00 01"));
    }
}

#[test]
fn rfc8448_derive_secret_with_context() {
    // Derive-Secret(Secret, Label, Messages) =
    //     HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), 32),
    // from the same RFC 8448 §3 trace: PRK, label, hash, expanded.
    let early = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
    let handshake = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
    let master = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";
    let empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let hs_hash = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
    let ap_hash = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
    let cases: [(&str, &[u8], &str, &str); 6] = [
        // {server} derive secret for handshake "tls13 derived"
        (
            early,
            b"derived",
            empty_hash,
            "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba",
        ),
        // {server} derive secret "tls13 c hs traffic"
        (handshake, b"c hs traffic", hs_hash, C_HS_TRAFFIC),
        // {server} derive secret "tls13 s hs traffic"
        (handshake, b"s hs traffic", hs_hash, S_HS_TRAFFIC),
        // {server} derive secret for master "tls13 derived"
        (
            handshake,
            b"derived",
            empty_hash,
            "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4",
        ),
        // {server} derive secret "tls13 c ap traffic"
        (master, b"c ap traffic", ap_hash, C_AP_TRAFFIC),
        // {server} derive secret "tls13 s ap traffic"
        (master, b"s ap traffic", ap_hash, S_AP_TRAFFIC),
    ];
    for (prk, label, hash, want) in cases {
        let mut h = TestHmac::new(Hash::Sha256);
        let mut out = [0; 32];
        hkdf_expand_label(&mut h, &hex(prk), label, &hex(hash), &mut out).unwrap();
        assert_eq!(
            out[..],
            hex(want),
            "{}",
            std::string::String::from_utf8_lossy(label)
        );
    }
    // The "info" of the first "tls13 derived" step, as the trace shows it.
    let mut h = TestHmac::new(Hash::Sha256);
    let mut out = [0; 32];
    hkdf_expand_label(&mut h, &hex(early), b"derived", &hex(empty_hash), &mut out).unwrap();
    let mut info = hex("00 20 0d 74 6c 73 31 33 20 64 65 72 69 76 65 64
         20 e3 b0 c4 42 98 fc 1c 14 9a fb f4 c8 99 6f b9 24 27 ae 41 e4
         64 9b 93 4c a4 95 99 1b 78 52 b8 55");
    info.push(1);
    assert_eq!(h.calls, [info]);
}

#[test]
fn hkdf_expand_label_limits() {
    let secret = [7; 32];
    let mut h = TestHmac::new(Hash::Sha256);
    let mut out = [0xaa; 16];
    let long = [b'x'; 256];
    // opaque label<7..255>: "tls13 " and 1 to 249 bytes.
    assert_eq!(
        hkdf_expand_label(&mut h, &secret, b"", b"", &mut out),
        Err(Errno::Inval)
    );
    assert_eq!(out, [0; 16]);
    hkdf_expand_label(&mut h, &secret, &long[..249], b"", &mut out).unwrap();
    assert_eq!(h.calls.last().unwrap()[2], 255);
    assert_eq!(
        hkdf_expand_label(&mut h, &secret, &long[..250], b"", &mut out),
        Err(Errno::Inval)
    );
    // opaque context<0..255>.
    hkdf_expand_label(&mut h, &secret, b"key", &long[..255], &mut out).unwrap();
    assert_eq!(
        hkdf_expand_label(&mut h, &secret, b"key", &long, &mut out),
        Err(Errno::Inval)
    );
    // The length is the uint16 of out's, and at most 255 blocks.
    let mut big = vec![0xaa; 255 * 32];
    let first = h.calls.len();
    hkdf_expand_label(&mut h, &secret, b"key", b"", &mut big).unwrap();
    // The first block's message starts with the HkdfLabel: 8160 = 0x1fe0.
    assert_eq!(h.calls[first][..2], [0x1f, 0xe0]);
    let mut big = vec![0xaa; 255 * 32 + 1];
    assert_eq!(
        hkdf_expand_label(&mut h, &secret, b"key", b"", &mut big),
        Err(Errno::Inval)
    );
    assert!(big.iter().all(|&b| b == 0));
    let mut huge = vec![0xaa; 1 << 16];
    assert_eq!(
        hkdf_expand_label(&mut h, &secret, b"key", b"", &mut huge),
        Err(Errno::Inval)
    );
    assert!(huge.iter().all(|&b| b == 0));
}

#[test]
fn traffic_key_iv_needs_a_secret_of_hash_length() {
    for (hash, good) in [(Hash::Sha256, 32), (Hash::Sha384, 48)] {
        let mut h = TestHmac::new(hash);
        let (mut key, mut iv) = ([0xaa; 32], [0xaa; 12]);
        for bad in [0, 31, 33, 47, 49, 64] {
            if bad == good {
                continue;
            }
            (key, iv) = ([0xaa; 32], [0xaa; 12]);
            assert_eq!(
                traffic_key_iv(&mut h, &vec![1; bad], &mut key, &mut iv),
                Err(Errno::Inval)
            );
            assert_eq!((key, iv), ([0; 32], [0; 12]));
        }
        assert!(h.calls.is_empty());
        traffic_key_iv(&mut h, &vec![1; good], &mut key, &mut iv).unwrap();
    }
}

// ---------------------------------------------------------------------------
// KeyUpdate: next_traffic_secret.
// ---------------------------------------------------------------------------

// RFC 8448 has no KeyUpdate. Expected values from python3-cryptography 48.0.0
// (an independent HKDF), printed by:
//   from cryptography.hazmat.primitives.hashes import SHA256, SHA384
//   from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
//   def expand_label(alg, secret, label, context, length):
//       full = b"tls13 " + label
//       info = (length.to_bytes(2, "big") + bytes([len(full)]) + full
//               + bytes([len(context)]) + context)
//       return HKDFExpand(alg, length, info).derive(secret)
//   def chain(alg, secret, key_len, steps=3):
//       for i in range(1, steps + 1):
//           secret = expand_label(alg, secret, b"traffic upd", b"",
//                                 alg.digest_size)
//           key = expand_label(alg, secret, b"key", b"", key_len)
//           iv = expand_label(alg, secret, b"iv", b"", 12)
//           print(alg.name, i, secret.hex(), key.hex(), iv.hex())
//   chain(SHA256(), bytes.fromhex(S_AP_TRAFFIC), 16)
//   chain(SHA384(), bytes(range(48)), 32)

/// Three KeyUpdates of the RFC 8448 server application traffic secret
/// (SHA-256): secret, AES-128-GCM key, IV after each.
const KEY_UPDATES_SHA256: [(&str, &str, &str); 3] = [
    (
        "51921b8aa3001976eb401d0a4319a8516416a6c56001a357e5d162031e84f916",
        "2e63be99d67b39097feb9786cf7a15a0",
        "628a0a8298ac953baef4255a",
    ),
    (
        "6418ddd5d277cde37bfaae96363a805a95abfaa55ccd80713848de187fb082f6",
        "65b9c2b0f1a857bc47aac35f79d007c8",
        "3945073c176791288c5d8ce5",
    ),
    (
        "e24ebfc0e41811ace7370dddc0739ff4ec02a318493626096dfebf8439ba974b",
        "9a02602cf3fb9c088c5972644a28781d",
        "ca074700d2d8885a6e5dc807",
    ),
];

/// Three KeyUpdates of the secret 00 01 .. 2f (SHA-384): secret,
/// AES-256-GCM key, IV after each.
const KEY_UPDATES_SHA384: [(&str, &str, &str); 3] = [
    (
        "401331b63e9d59f202e8f041042d9516f4cd7fa2e2ee14631d3b49fc340d7af3
         7fc2c0c9f252d8036f81ec5b85cbe5db",
        "eb354f3b48924ed78de34dd8aa6a6a0a51d857ddad1454d5cfa7b69f60712911",
        "8478ffbe4f2e5450789775b3",
    ),
    (
        "1fed39ab8257f49d1c0c45bfbf71ffa8525b22ea44fdbbe0f7dfff32ea98fa53
         864320d595ea4ab13a8292965996db9b",
        "2d9c985947a6214bd2d1eef320171612b39ade8f7b8f0df6c09023ab183d172e",
        "fd5be82f2a1fe585114075cc",
    ),
    (
        "eb5aa5506fcaec68b4f015df5240884301ea396e8153134d631495d7d842a1c5
         e99f5f3b5fff45cd62ae6b7a8f7282a6",
        "5a0f4779de5119d6f97cafc119498741ff80ee300a72984cc158871c2d073565",
        "f593bd12855d7e0b9757c37e",
    ),
];

fn check_key_updates(hash: Hash, first: Vec<u8>, steps: &[(&str, &str, &str)]) {
    let n = hash.len();
    let mut h = TestHmac::new(hash);
    let mut secret = first;
    for (want_secret, want_key, want_iv) in steps {
        let mut next = vec![0; n];
        next_traffic_secret(&mut h, &secret, &mut next).unwrap();
        assert_eq!(next, hex(want_secret));
        let mut key = vec![0; hex(want_key).len()];
        let mut iv = [0; TLS13_IV_LEN];
        traffic_key_iv(&mut h, &next, &mut key, &mut iv).unwrap();
        assert_eq!(key, hex(want_key));
        assert_eq!(iv[..], hex(want_iv));
        secret = next;
    }
}

#[test]
fn key_updates_match_python_cryptography() {
    check_key_updates(Hash::Sha256, hex(S_AP_TRAFFIC), &KEY_UPDATES_SHA256);
    check_key_updates(Hash::Sha384, (0..48).collect(), &KEY_UPDATES_SHA384);
}

#[test]
fn next_traffic_secret_label_and_lengths() {
    let mut h = TestHmac::new(Hash::Sha384);
    let secret = [3; 48];
    let mut next = [0; 48];
    next_traffic_secret(&mut h, &secret, &mut next).unwrap();
    // HkdfLabel: length 48, "tls13 traffic upd", empty context; counter 1
    // (48 bytes, one block).
    let mut want = vec![0x00, 0x30, 17];
    want.extend_from_slice(b"tls13 traffic upd");
    want.extend_from_slice(&[0, 1]);
    assert_eq!(h.calls, [want]);

    for (s, n) in [(47, 48), (49, 48), (32, 48), (48, 47), (48, 49), (48, 32)] {
        let mut next = vec![0xaa; n];
        assert_eq!(
            next_traffic_secret(&mut h, &vec![3; s], &mut next),
            Err(Errno::Inval),
            "secret {s}, next {n}"
        );
        assert!(next.iter().all(|&b| b == 0));
    }
    assert_eq!(h.calls.len(), 1);
}

// ---------------------------------------------------------------------------
// fill_crypto_iv.
// ---------------------------------------------------------------------------

#[test]
fn crypto_iv_split_of_every_tls13_cipher() {
    let nonce: [u8; TLS13_IV_LEN] = core::array::from_fn(|i| u8::try_from(i + 1).unwrap());
    for d in CIPHERS.iter() {
        let mut salt = vec![0xaa; d.salt];
        let mut iv = vec![0xaa; d.iv];
        let res = fill_crypto_iv(d, &nonce, &mut salt, &mut iv);
        if !d.tls13() {
            assert_eq!(res, Err(Errno::Inval), "cipher {}", d.cipher_type);
            continue;
        }
        res.unwrap();
        let mut joined = salt.clone();
        joined.extend_from_slice(&iv);
        assert_eq!(joined, nonce, "cipher {}", d.cipher_type);
    }
    // AES-128-GCM: 4 + 8; ChaCha20-Poly1305: 0 + 12.
    let gcm = CIPHERS
        .iter()
        .find(|d| d.aead_name == b"gcm(aes)\0")
        .unwrap();
    let (mut salt, mut iv) = ([0; 4], [0; 8]);
    fill_crypto_iv(gcm, &nonce, &mut salt, &mut iv).unwrap();
    assert_eq!((salt, iv), ([1, 2, 3, 4], [5, 6, 7, 8, 9, 10, 11, 12]));
    let chacha = CIPHERS
        .iter()
        .find(|d| d.aead_name == b"rfc7539(chacha20,poly1305)\0")
        .unwrap();
    let mut iv = [0; 12];
    fill_crypto_iv(chacha, &nonce, &mut [], &mut iv).unwrap();
    assert_eq!(iv, nonce);
}

#[test]
fn crypto_iv_split_errors() {
    let nonce = [9; TLS13_IV_LEN];
    let gcm = cipher_desc(CIPHERS[0].cipher_type).unwrap();
    for (s, i) in [(3, 8), (5, 8), (4, 7), (4, 9), (0, 12), (12, 0)] {
        let (mut salt, mut iv) = (vec![0xaa; s], vec![0xaa; i]);
        assert_eq!(
            fill_crypto_iv(gcm, &nonce, &mut salt, &mut iv),
            Err(Errno::Inval),
            "salt {s}, iv {i}"
        );
        assert!(salt.iter().chain(&iv).all(|&b| b == 0));
    }
    // A descriptor whose sizes do not add up to 12.
    let odd = CipherDesc {
        salt: 4,
        iv: 12,
        ..*gcm
    };
    let (mut salt, mut iv) = ([0; 4], [0; 12]);
    assert_eq!(
        fill_crypto_iv(&odd, &nonce, &mut salt, &mut iv),
        Err(Errno::Inval)
    );
    let huge = CipherDesc {
        salt: usize::MAX,
        iv: 13,
        ..*gcm
    };
    assert_eq!(
        fill_crypto_iv(&huge, &nonce, &mut [], &mut []),
        Err(Errno::Inval)
    );
}

#[test]
fn wipe_zeroes() {
    let mut b = [0x5a; 33];
    wipe(&mut b);
    assert_eq!(b, [0; 33]);
    wipe(&mut []);
}

#[test]
fn secret_crypto_info_of_rfc8448_secrets() {
    // The AES-128-GCM crypto_info of RFC 8448's application secrets:
    // header, iv (the last 8 bytes of the write IV), key, salt (its first
    // 4), rec_seq.
    let desc = cipher_desc(51).unwrap();
    for (secret, key, iv) in [
        (
            S_AP_TRAFFIC,
            "9f02283b6c9c07efc26bb9f2ac92e356",
            "cf782b88dd83549aadf1e984",
        ),
        (
            C_AP_TRAFFIC,
            "17422dda596ed5d9acd890e3c63f5051",
            "5b78923dee08579033e523d9",
        ),
    ] {
        let mut h = TestHmac::new(Hash::Sha256);
        let mut out = [0xaa; 60];
        let seq = [0, 0, 0, 0, 0, 0, 1, 2];
        let n = secret_crypto_info(&mut h, desc, &hex(secret), &seq, &mut out).unwrap();
        assert_eq!(n, 40);
        let (iv, key) = (hex(iv), hex(key));
        let mut want = Vec::new();
        want.extend_from_slice(&TLS_1_3_VERSION.to_ne_bytes());
        want.extend_from_slice(&51u16.to_ne_bytes());
        want.extend_from_slice(&iv[4..]);
        want.extend_from_slice(&key);
        want.extend_from_slice(&iv[..4]);
        want.extend_from_slice(&seq);
        assert_eq!(out[..n], want[..]);
        assert!(out[n..].iter().all(|&b| b == 0xaa));
    }
    // ChaCha20-Poly1305: no salt, the whole IV in iv.
    let desc = cipher_desc(54).unwrap();
    let mut h = TestHmac::new(Hash::Sha256);
    let mut out = [0; 56];
    let secret = hex(S_AP_TRAFFIC);
    assert_eq!(
        secret_crypto_info(&mut h, desc, &secret, &[0; 8], &mut out),
        Ok(56)
    );
    let (mut key, mut iv) = ([0; 32], [0; TLS13_IV_LEN]);
    traffic_key_iv(&mut TestHmac::new(Hash::Sha256), &secret, &mut key, &mut iv).unwrap();
    assert_eq!(out[4..16], iv);
    assert_eq!(out[16..48], key);
    assert_eq!(out[48..], [0; 8]);
}

#[test]
fn secret_crypto_info_errors_wipe() {
    let secret = hex(S_AP_TRAFFIC);
    // The hash of another suite, a cipher TLS 1.3 does not use, a short
    // secret, a short output, a failing HMAC: nothing is left in `out`.
    let cases: [(u16, Hash, usize, usize, Option<usize>); 5] = [
        (52, Hash::Sha256, 32, 60, None),
        (57, Hash::Sha256, 32, 60, None),
        (51, Hash::Sha256, 31, 60, None),
        (51, Hash::Sha256, 32, 39, None),
        (51, Hash::Sha256, 32, 60, Some(1)),
    ];
    for (cipher, hash, slen, olen, fail_from) in cases {
        let mut h = TestHmac::new(hash);
        h.fail_from = fail_from;
        let mut out = vec![0xaa; olen];
        let r = secret_crypto_info(
            &mut h,
            cipher_desc(cipher).unwrap(),
            &secret[..slen],
            &[1; 8],
            &mut out,
        );
        assert!(r.is_err(), "cipher {cipher}");
        assert!(out.iter().all(|&b| b == 0), "cipher {cipher}");
    }
}
