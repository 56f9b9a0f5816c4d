// SPDX-License-Identifier: GPL-2.0

//! The TLS 1.3 traffic key schedule: HKDF-Expand (RFC 5869) and
//! HKDF-Expand-Label (RFC 8446 §7.1), the traffic keys and IVs of a
//! traffic secret (§7.3) and the next secret of a KeyUpdate (§7.2), for
//! the hashes of the suites kTLS offers (SHA-256, SHA-384 and, RFC 8998,
//! SM3).
//!
//! The HMAC itself is the caller's ([`Hmac`]): the module uses the
//! kernel's `crypto_shash`, the host tests their own SHA-2. Nothing here
//! allocates; intermediate blocks live on the stack and are wiped
//! ([`wipe`]) before returning. On error every output buffer is wiped too,
//! so a caller never installs a half-derived key.

use super::cipher::{CipherDesc, Hash, TLS_1_3_VERSION};
use super::errno::Errno;

use core::hint::black_box;
use core::sync::atomic::{compiler_fence, Ordering};

impl Hash {
    /// Name of its HMAC in the kernel crypto API (`crypto_alloc_shash`),
    /// NUL-terminated.
    pub const fn hmac_name(self) -> &'static [u8] {
        match self {
            Hash::Sha256 => b"hmac(sha256)\0",
            Hash::Sha384 => b"hmac(sha384)\0",
            Hash::Sm3 => b"hmac(sm3)\0",
        }
    }
}

/// Largest [`Hash::len`].
pub const MAX_HASH_LEN: usize = 48;

const _: () = assert!(
    Hash::Sha256.len() <= MAX_HASH_LEN
        && Hash::Sha384.len() <= MAX_HASH_LEN
        && Hash::Sm3.len() <= MAX_HASH_LEN
);

/// Most `info` parts [`hkdf_expand`] takes.
pub const MAX_INFO_PARTS: usize = 6;

/// Most parts of one [`Hmac::mac`] call of [`hkdf_expand`]: T(i-1), the
/// `info` parts and the block counter.
pub const MAX_MAC_PARTS: usize = MAX_INFO_PARTS + 2;

/// Size of the per-record nonce of every TLS 1.3 AEAD kTLS offers
/// (`iv_length`, RFC 8446 §5.3): the IV [`traffic_key_iv`] derives.
pub const TLS13_IV_LEN: usize = 12;

/// Longest `out` of [`hkdf_expand`], in blocks of the hash (RFC 5869 §2.3).
const MAX_BLOCKS: usize = 255;

/// The prefix RFC 8446 §7.1 puts before every label.
const LABEL_PREFIX: &[u8; 6] = b"tls13 ";

/// Longest label without [`LABEL_PREFIX`] (`opaque label<7..255>`).
const MAX_LABEL_LEN: usize = 255 - LABEL_PREFIX.len();

/// Longest HKDF-Expand-Label context (`opaque context<0..255>`).
const MAX_CONTEXT_LEN: usize = 255;

/// HMAC (RFC 2104) with one hash, as the caller provides it.
///
/// The contract [`hkdf_expand`] relies on:
/// - [`Hmac::hash`] names the hash and so the MAC size; it does not change
///   during the life of the object.
/// - [`Hmac::mac`] computes `HMAC(key, data[0] | data[1] | ...)`, the MAC
///   over the concatenation of the parts (any of which may be empty), with
///   a key of any length (hashed first if longer than a block, as RFC 2104
///   says), and writes it into `out[..self.hash().len()]`, leaving the
///   rest of `out` alone. It returns [`Errno::Inval`] if `out` is shorter
///   than that, and any other error of the underlying implementation
///   (e.g. `crypto_shash_setkey`) as it is; on error, the contents of
///   `out` are unspecified.
/// - It keeps no key or data after returning beyond what the underlying
///   implementation keeps (the kernel's transform holds the last key).
pub trait Hmac {
    /// The hash the HMAC is built on.
    fn hash(&self) -> Hash;

    /// Writes `HMAC(key, data[0] | data[1] | ...)` into
    /// `out[..self.hash().len()]`.
    fn mac(&mut self, key: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<(), Errno>;
}

/// Overwrites `buf` with zeros, in a way the compiler keeps although
/// `buf` is not read again (best effort without `unsafe`: the stores are
/// followed by an opaque use of `buf` and a compiler fence).
pub fn wipe(buf: &mut [u8]) {
    for b in buf.iter_mut() {
        *b = 0;
    }
    black_box(buf);
    compiler_fence(Ordering::SeqCst);
}

/// HKDF-Expand of RFC 5869 §2.3: fills `out` (`L` = `out.len()`) from the
/// pseudorandom key `prk` and the concatenation of the `info` parts, as
/// `T(1) | T(2) | ...` with `T(i) = HMAC(PRK, T(i-1) | info | i)`.
///
/// `prk` is normally one hash long (an HKDF-Extract output or a TLS 1.3
/// secret) but is not checked: it is only the HMAC key.
///
/// [`Errno::Inval`] if `out` is longer than 255 blocks of the hash or
/// `info` has more than [`MAX_INFO_PARTS`] parts; errors of
/// [`Hmac::mac`] are passed on. On error `out` is wiped.
pub fn hkdf_expand(
    h: &mut impl Hmac,
    prk: &[u8],
    info: &[&[u8]],
    out: &mut [u8],
) -> Result<(), Errno> {
    let res = expand(h, prk, info, out);
    if res.is_err() {
        wipe(out);
    }
    res
}

/// [`hkdf_expand`], leaving `out` as it is on error.
fn expand(h: &mut impl Hmac, prk: &[u8], info: &[&[u8]], out: &mut [u8]) -> Result<(), Errno> {
    let n = h.hash().len();
    if n == 0 || out.len() > MAX_BLOCKS * n || info.len() > MAX_INFO_PARTS {
        return Err(Errno::Inval);
    }
    // T(i-1) and T(i).
    let mut prev = [0u8; MAX_HASH_LEN];
    let mut next = [0u8; MAX_HASH_LEN];
    let res = match (prev.get_mut(..n), next.get_mut(..n)) {
        (Some(prev), Some(next)) => expand_blocks(h, prk, info, out, prev, next),
        _ => Err(Errno::Inval),
    };
    wipe(&mut prev);
    wipe(&mut next);
    res
}

/// The blocks of [`hkdf_expand`], with room for T(i-1) and T(i) of one
/// hash length each.
fn expand_blocks(
    h: &mut impl Hmac,
    prk: &[u8],
    info: &[&[u8]],
    out: &mut [u8],
    prev: &mut [u8],
    next: &mut [u8],
) -> Result<(), Errno> {
    let mut first = true;
    // At most MAX_BLOCKS (255) blocks, so the counter never wraps.
    for (counter, chunk) in (1..=u8::MAX).zip(out.chunks_mut(next.len())) {
        let ctr = [counter];
        let t_prev: &[u8] = if first { &[] } else { prev };
        let (parts, k) = block_parts(t_prev, info, &ctr).ok_or(Errno::Inval)?;
        h.mac(prk, parts.get(..k).ok_or(Errno::Inval)?, next)?;
        for (o, t) in chunk.iter_mut().zip(next.iter()) {
            *o = *t;
        }
        prev.copy_from_slice(next);
        first = false;
    }
    Ok(())
}

/// The parts of `T(i-1) | info | i` and their number; `None` if `info` has
/// more than [`MAX_INFO_PARTS`].
fn block_parts<'a>(
    prev: &'a [u8],
    info: &[&'a [u8]],
    ctr: &'a [u8; 1],
) -> Option<([&'a [u8]; MAX_MAC_PARTS], usize)> {
    let mut parts: [&[u8]; MAX_MAC_PARTS] = [&[]; MAX_MAC_PARTS];
    let k = info.len() + 2;
    let (first, rest) = parts.get_mut(..k)?.split_first_mut()?;
    let (last, middle) = rest.split_last_mut()?;
    *first = prev;
    middle.copy_from_slice(info);
    *last = ctr;
    Some((parts, k))
}

/// HKDF-Expand-Label of RFC 8446 §7.1: [`hkdf_expand`] of `secret` with
/// the `HkdfLabel` of `label` (without the `"tls13 "` prefix, which this
/// adds), `context` and `out.len()`.
///
/// [`Errno::Inval`] if `label` is empty or longer than 249 bytes,
/// `context` is longer than 255 bytes, or `out` is longer than
/// [`hkdf_expand`] allows. On error `out` is wiped.
pub fn hkdf_expand_label(
    h: &mut impl Hmac,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), Errno> {
    let Some((head, ctx_len)) = label_head(label, context, out.len()) else {
        wipe(out);
        return Err(Errno::Inval);
    };
    // HkdfLabel = uint16 length | opaque label<7..255> | opaque
    // context<0..255>, each opaque vector after its 1-byte length, passed
    // as parts rather than copied together.
    hkdf_expand(h, secret, &[&head, label, &[ctx_len], context], out)
}

/// Bytes of `HkdfLabel` before the label: the output length, the label
/// length and [`LABEL_PREFIX`].
const HEAD_LEN: usize = 3 + LABEL_PREFIX.len();

/// The `HkdfLabel` bytes before the label and the context length; `None`
/// if a length is out of its range.
fn label_head(label: &[u8], context: &[u8], out_len: usize) -> Option<([u8; HEAD_LEN], u8)> {
    if label.is_empty() || label.len() > MAX_LABEL_LEN || context.len() > MAX_CONTEXT_LEN {
        return None;
    }
    let [len_hi, len_lo] = u16::try_from(out_len).ok()?.to_be_bytes();
    let label_len = u8::try_from(LABEL_PREFIX.len() + label.len()).ok()?;
    let ctx_len = u8::try_from(context.len()).ok()?;
    let [p0, p1, p2, p3, p4, p5] = *LABEL_PREFIX;
    Some(([len_hi, len_lo, label_len, p0, p1, p2, p3, p4, p5], ctx_len))
}

/// The write key and IV of a traffic secret (RFC 8446 §7.3):
/// `key = HKDF-Expand-Label(secret, "key", "", key.len())` and
/// `iv = HKDF-Expand-Label(secret, "iv", "", iv.len())`.
///
/// [`Errno::Inval`] unless `secret` is one hash long. On error `key` and
/// `iv` are wiped.
pub fn traffic_key_iv(
    h: &mut impl Hmac,
    secret: &[u8],
    key: &mut [u8],
    iv: &mut [u8],
) -> Result<(), Errno> {
    let res = if secret.len() == h.hash().len() {
        hkdf_expand_label(h, secret, b"key", b"", key)
            .and_then(|()| hkdf_expand_label(h, secret, b"iv", b"", iv))
    } else {
        Err(Errno::Inval)
    };
    if res.is_err() {
        wipe(key);
        wipe(iv);
    }
    res
}

/// The traffic secret after a KeyUpdate (RFC 8446 §7.2):
/// `next = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)`.
///
/// [`Errno::Inval`] unless `secret` and `next` are both one hash long. On
/// error `next` is wiped.
pub fn next_traffic_secret(h: &mut impl Hmac, secret: &[u8], next: &mut [u8]) -> Result<(), Errno> {
    let n = h.hash().len();
    if secret.len() != n || next.len() != n {
        wipe(next);
        return Err(Errno::Inval);
    }
    hkdf_expand_label(h, secret, b"traffic upd", b"", next)
}

/// Splits a TLS 1.3 write IV (`nonce`, from [`traffic_key_iv`]) into the
/// `salt` and `iv` fields of the cipher's `crypto_info`: `salt` gets the
/// first `desc.salt` bytes, `iv` the remaining `desc.iv` (4 + 8 for
/// AES-GCM/CCM and SM4, 0 + 12 for ChaCha20-Poly1305).
///
/// [`Errno::Inval`] if the cipher is not a TLS 1.3 one, its field sizes do
/// not add up to [`TLS13_IV_LEN`], or `salt` and `iv` are not of those
/// sizes. On error `salt` and `iv` are wiped.
pub fn fill_crypto_iv(
    desc: &CipherDesc,
    nonce: &[u8; TLS13_IV_LEN],
    salt: &mut [u8],
    iv: &mut [u8],
) -> Result<(), Errno> {
    let fits = desc.tls13()
        && desc.salt.checked_add(desc.iv) == Some(TLS13_IV_LEN)
        && salt.len() == desc.salt
        && iv.len() == desc.iv;
    let split = if fits {
        nonce.split_at_checked(desc.salt)
    } else {
        None
    };
    let Some((nonce_salt, nonce_iv)) = split else {
        wipe(salt);
        wipe(iv);
        return Err(Errno::Inval);
    };
    salt.copy_from_slice(nonce_salt);
    iv.copy_from_slice(nonce_iv);
    Ok(())
}

/// Size of the `rec_seq` field of every `crypto_info`.
pub const REC_SEQ_LEN: usize = 8;

/// The `crypto_info` of a TLS 1.3 traffic secret: the cipher's
/// `struct tls12_crypto_info_*` with `TLS_1_3_VERSION`, the key and IV
/// `secret` gives (§7.3; the IV split into `salt` and `iv` by
/// [`fill_crypto_iv`]) and the record sequence number `rec_seq`, written
/// into `out[..desc.crypto_info_len()]`; that size is returned.
///
/// [`Errno::Inval`] if the cipher is not a TLS 1.3 one, `h` is not of its
/// hash, `secret` is not one hash long or `out` is too short; errors of
/// [`Hmac::mac`] are passed on. On error `out` is wiped.
pub fn secret_crypto_info(
    h: &mut impl Hmac,
    desc: &CipherDesc,
    secret: &[u8],
    rec_seq: &[u8; REC_SEQ_LEN],
    out: &mut [u8],
) -> Result<usize, Errno> {
    let len = desc.crypto_info_len();
    let res = match out.get_mut(..len) {
        Some(info) if desc.tls13_hash == Some(h.hash()) && desc.rec_seq == REC_SEQ_LEN => {
            fill_secret_crypto_info(h, desc, secret, rec_seq, info)
        }
        _ => Err(Errno::Inval),
    };
    if res.is_err() {
        wipe(out);
    }
    res.map(|()| len)
}

fn fill_secret_crypto_info(
    h: &mut impl Hmac,
    desc: &CipherDesc,
    secret: &[u8],
    rec_seq: &[u8; REC_SEQ_LEN],
    info: &mut [u8],
) -> Result<(), Errno> {
    let mut nonce = [0u8; TLS13_IV_LEN];
    let (hdr, rest) = info.split_at_mut(desc.iv_offset());
    let (iv, rest) = rest.split_at_mut(desc.iv);
    let (key, rest) = rest.split_at_mut(desc.key);
    let (salt, seq) = rest.split_at_mut(desc.salt);
    hdr[..2].copy_from_slice(&TLS_1_3_VERSION.to_ne_bytes());
    hdr[2..].copy_from_slice(&desc.cipher_type.to_ne_bytes());
    let res = traffic_key_iv(h, secret, key, &mut nonce)
        .and_then(|()| fill_crypto_iv(desc, &nonce, salt, iv));
    wipe(&mut nonce);
    seq.copy_from_slice(rec_seq);
    res
}

#[cfg(test)]
#[path = "key_schedule/tests.rs"]
mod tests;
