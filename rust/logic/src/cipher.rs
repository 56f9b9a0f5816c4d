// SPDX-License-Identifier: GPL-2.0

//! TLS versions, the cipher table and `crypto_info` validation.
//!
//! Mirrors `tls_cipher_desc[]` and `validate_crypto_info()` of net/tls so that
//! every `setsockopt(SOL_TLS, TLS_TX/TLS_RX)` gets the errno upstream gives.

use super::errno::Errno;

/// `TLS_1_2_VERSION` from the uAPI.
pub const TLS_1_2_VERSION: u16 = 0x0303;
/// `TLS_1_3_VERSION` from the uAPI.
pub const TLS_1_3_VERSION: u16 = 0x0304;
/// Largest plaintext of one record (`TLS_MAX_PAYLOAD_SIZE`).
pub const TLS_MAX_PAYLOAD_SIZE: u16 = 1 << 14;
/// Smallest settable `TLS_TX_MAX_PAYLOAD_LEN` (`TLS_MIN_RECORD_SIZE_LIM`).
pub const TLS_MIN_RECORD_SIZE_LIM: u16 = 1 << 6;
/// Size of `struct tls_crypto_info` (version and cipher type).
pub const CRYPTO_INFO_HDR_LEN: usize = 4;
/// Size of the largest `struct tls12_crypto_info_*`.
pub const CRYPTO_INFO_MAX_LEN: usize = 56;

/// A hash of a TLS 1.3 cipher suite, the one its HKDF is built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256 (`TLS_AES_128_GCM_SHA256`, `TLS_AES_128_CCM_SHA256`,
    /// `TLS_CHACHA20_POLY1305_SHA256`).
    Sha256,
    /// SHA-384 (`TLS_AES_256_GCM_SHA384`).
    Sha384,
    /// SM3 (`TLS_SM4_GCM_SM3`, `TLS_SM4_CCM_SM3`, RFC 8998).
    Sm3,
}

impl Hash {
    /// Output size in bytes (`Hash.length` of RFC 8446).
    // Never zero, so no `is_empty`.
    #[allow(clippy::len_without_is_empty)]
    pub const fn len(self) -> usize {
        match self {
            Hash::Sha256 | Hash::Sm3 => 32,
            Hash::Sha384 => 48,
        }
    }
}

/// Sizes and names of one cipher, like upstream's `struct tls_cipher_desc`.
#[derive(Debug, PartialEq, Eq)]
pub struct CipherDesc {
    /// `TLS_CIPHER_*` number.
    pub cipher_type: u16,
    /// Explicit nonce bytes carried in each TLS 1.2 record.
    pub nonce: usize,
    /// `iv` field size.
    pub iv: usize,
    /// `key` field size.
    pub key: usize,
    /// `salt` field size.
    pub salt: usize,
    /// Authentication tag size.
    pub tag: usize,
    /// `rec_seq` field size.
    pub rec_seq: usize,
    /// Kernel crypto API AEAD name, NUL-terminated.
    pub aead_name: &'static [u8],
    /// The hash of its TLS 1.3 suite (RFC 8446 §B.4, RFC 8998 §2); `None`
    /// if TLS 1.3 may not use it (ARIA is TLS 1.2 only).
    pub tls13_hash: Option<Hash>,
}

impl CipherDesc {
    /// Whether TLS 1.3 may use it.
    pub const fn tls13(&self) -> bool {
        self.tls13_hash.is_some()
    }

    /// Offset of `iv` in the `crypto_info` struct.
    pub const fn iv_offset(&self) -> usize {
        CRYPTO_INFO_HDR_LEN
    }

    /// Offset of `key` in the `crypto_info` struct.
    pub const fn key_offset(&self) -> usize {
        self.iv_offset() + self.iv
    }

    /// Offset of `salt` in the `crypto_info` struct.
    pub const fn salt_offset(&self) -> usize {
        self.key_offset() + self.key
    }

    /// Offset of `rec_seq` in the `crypto_info` struct.
    pub const fn rec_seq_offset(&self) -> usize {
        self.salt_offset() + self.salt
    }

    /// Size of the whole `crypto_info` struct of this cipher.
    pub const fn crypto_info_len(&self) -> usize {
        self.rec_seq_offset() + self.rec_seq
    }
}

const fn desc(
    cipher_type: u16,
    iv: usize,
    key: usize,
    salt: usize,
    nonce: usize,
    aead_name: &'static [u8],
    tls13_hash: Option<Hash>,
) -> CipherDesc {
    CipherDesc {
        cipher_type,
        nonce,
        iv,
        key,
        salt,
        tag: 16,
        rec_seq: 8,
        aead_name,
        tls13_hash,
    }
}

/// The kernel crypto API name of ChaCha20-Poly1305 (RFC 7539), NUL-terminated.
const CHACHA20_POLY1305: &[u8] = b"rfc7539(chacha20,poly1305)\0";

/// Every cipher the uAPI defines, in `TLS_CIPHER_*` order.
pub static CIPHERS: [CipherDesc; 8] = [
    desc(51, 8, 16, 4, 8, b"gcm(aes)\0", Some(Hash::Sha256)),
    desc(52, 8, 32, 4, 8, b"gcm(aes)\0", Some(Hash::Sha384)),
    desc(53, 8, 16, 4, 8, b"ccm(aes)\0", Some(Hash::Sha256)),
    desc(54, 12, 32, 0, 0, CHACHA20_POLY1305, Some(Hash::Sha256)),
    desc(55, 8, 16, 4, 8, b"gcm(sm4)\0", Some(Hash::Sm3)),
    desc(56, 8, 16, 4, 8, b"ccm(sm4)\0", Some(Hash::Sm3)),
    desc(57, 8, 16, 4, 8, b"gcm(aria)\0", None),
    desc(58, 8, 32, 4, 8, b"gcm(aria)\0", None),
];

/// Looks a `TLS_CIPHER_*` number up.
pub fn cipher_desc(cipher_type: u16) -> Option<&'static CipherDesc> {
    CIPHERS.iter().find(|d| d.cipher_type == cipher_type)
}

/// The `struct tls_crypto_info` header: version and cipher type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InfoHeader {
    /// `TLS_1_2_VERSION` or `TLS_1_3_VERSION`.
    pub version: u16,
    /// `TLS_CIPHER_*`; zero means "not configured".
    pub cipher_type: u16,
}

impl InfoHeader {
    /// Reads the header from the first bytes of a `crypto_info` (native endian,
    /// as the uAPI struct is).
    pub fn from_bytes(b: &[u8; CRYPTO_INFO_HDR_LEN]) -> Self {
        Self {
            version: u16::from_ne_bytes([b[0], b[1]]),
            cipher_type: u16::from_ne_bytes([b[2], b[3]]),
        }
    }

    /// Whether a key is installed (upstream's `TLS_CRYPTO_INFO_READY`).
    pub fn is_ready(&self) -> bool {
        self.cipher_type != 0
    }
}

/// Checks the first `crypto_info` of one direction, given the other
/// direction's header and the `optlen` the user passed.
///
/// The checks and their order are those of `do_tls_setsockopt_conf()`.
pub fn check_new(
    hdr: InfoHeader,
    other: InfoHeader,
    optlen: usize,
) -> Result<&'static CipherDesc, Errno> {
    if hdr.version != TLS_1_2_VERSION && hdr.version != TLS_1_3_VERSION {
        return Err(Errno::Inval);
    }
    let desc = cipher_desc(hdr.cipher_type);
    if hdr.version == TLS_1_3_VERSION && desc.is_some_and(|d| !d.tls13()) {
        return Err(Errno::Inval);
    }
    if other.is_ready() && (other.version != hdr.version || other.cipher_type != hdr.cipher_type) {
        return Err(Errno::Inval);
    }
    check_len(desc, optlen)
}

/// Checks the first traffic secret of one direction (`TLS_TX_SECRET`,
/// `TLS_RX_SECRET`: a `struct tls_secret_info` of `optlen` bytes, whose
/// size is `expected`), given the other direction's header: TLS 1.3 only,
/// with a cipher TLS 1.3 uses, the same version and cipher as the other
/// direction, `EINVAL` otherwise. The cipher and its hash are returned.
pub fn check_new_secret(
    hdr: InfoHeader,
    other: InfoHeader,
    optlen: usize,
    expected: usize,
) -> Result<(&'static CipherDesc, Hash), Errno> {
    if optlen != expected || hdr.version != TLS_1_3_VERSION {
        return Err(Errno::Inval);
    }
    let desc = cipher_desc(hdr.cipher_type).ok_or(Errno::Inval)?;
    let hash = desc.tls13_hash.ok_or(Errno::Inval)?;
    if other.is_ready() && other != hdr {
        return Err(Errno::Inval);
    }
    Ok((desc, hash))
}

/// Checks a rekey of a direction whose current key has header `current`.
///
/// Only TLS 1.3 may rekey (`EBUSY` otherwise, checked before anything is
/// read from the user); version and cipher must stay the same.
pub fn check_update(
    hdr: InfoHeader,
    current: InfoHeader,
    optlen: usize,
) -> Result<&'static CipherDesc, Errno> {
    check_rekey_allowed(current)?;
    if hdr != current {
        return Err(Errno::Inval);
    }
    check_len(cipher_desc(hdr.cipher_type), optlen)
}

/// `EBUSY` unless a configured direction may take a new key (TLS 1.3).
pub fn check_rekey_allowed(current: InfoHeader) -> Result<(), Errno> {
    if current.version == TLS_1_3_VERSION {
        Ok(())
    } else {
        Err(Errno::Busy)
    }
}

fn check_len(
    desc: Option<&'static CipherDesc>,
    optlen: usize,
) -> Result<&'static CipherDesc, Errno> {
    match desc {
        Some(d) if d.crypto_info_len() == optlen => Ok(d),
        _ => Err(Errno::Inval),
    }
}

/// Checks a `TLS_TX_MAX_PAYLOAD_LEN` value (`do_tls_setsockopt_tx_payload_len`).
pub fn check_tx_max_payload_len(value: u16, tls13: bool) -> Result<(), Errno> {
    let min = TLS_MIN_RECORD_SIZE_LIM - u16::from(tls13);
    if value < min || value > TLS_MAX_PAYLOAD_SIZE {
        return Err(Errno::Inval);
    }
    Ok(())
}

#[cfg(test)]
#[path = "cipher/tests.rs"]
mod tests;
