// SPDX-License-Identifier: GPL-2.0

//! TLS record framing and per-record crypto parameters: header parsing
//! (errno for errno as `tls_rx_msg_size()`), AEAD nonce and additional data,
//! and the TLS 1.3 inner content type.

use super::cipher::{CipherDesc, TLS_1_3_VERSION, TLS_MAX_PAYLOAD_SIZE};
use super::errno::Errno;

/// Record header size.
pub const HEADER_LEN: usize = 5;
/// Largest AEAD IV the crypto API takes for our ciphers (CCM: 16 bytes).
pub const MAX_AEAD_IV_LEN: usize = 16;
/// Largest additional data (TLS 1.2: 13 bytes).
pub const MAX_AAD_LEN: usize = 13;
/// Largest prepend of a record: header and TLS 1.2's explicit nonce.
pub const MAX_PREPEND_LEN: usize = HEADER_LEN + 8;
/// Largest authentication tag.
pub const MAX_TAG_LEN: usize = 16;
/// Per-connection IV size: salt and IV of the `crypto_info`.
pub const IV_LEN: usize = 12;
/// `alert` content type.
pub const CT_ALERT: u8 = 21;
/// `handshake` content type.
pub const CT_HANDSHAKE: u8 = 22;
/// `application_data` content type.
pub const CT_APPLICATION_DATA: u8 = 23;
/// Handshake message type `key_update` (RFC 8446 §4.6.3).
pub const HS_KEY_UPDATE: u8 = 24;
/// The legacy record version on the wire, for TLS 1.2 and 1.3 alike.
const WIRE_VERSION: [u8; 2] = [3, 3];
/// B0 flags byte of the CCM IV (L' = 2, `TLS_AES_CCM_IV_B0_BYTE`).
const CCM_IV_B0: u8 = 2;

/// Record layout of one (version, cipher) pair.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    tls13: bool,
    desc: &'static CipherDesc,
}

/// A parsed record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Outer content type.
    pub content_type: u8,
    /// Whole record size, header included.
    pub record_len: usize,
}

impl Layout {
    /// The layout of `version` with `desc`.
    pub fn new(version: u16, desc: &'static CipherDesc) -> Self {
        Self {
            tls13: version == TLS_1_3_VERSION,
            desc,
        }
    }

    /// Whether this is TLS 1.3.
    pub fn is_tls13(&self) -> bool {
        self.tls13
    }

    /// Explicit nonce carried in each record (TLS 1.2 except ChaCha20).
    pub fn explicit_nonce_len(&self) -> usize {
        if self.tls13 {
            0
        } else {
            self.desc.nonce
        }
    }

    /// Bytes before the ciphertext: header and explicit nonce.
    pub fn prepend_len(&self) -> usize {
        HEADER_LEN + self.explicit_nonce_len()
    }

    /// Encrypted bytes after the plaintext: TLS 1.3's content type.
    pub fn tail_len(&self) -> usize {
        usize::from(self.tls13)
    }

    /// Authentication tag size.
    pub fn tag_len(&self) -> usize {
        self.desc.tag
    }

    /// Bytes a record adds to its plaintext.
    pub fn overhead(&self) -> usize {
        self.prepend_len() + self.tail_len() + self.tag_len()
    }

    /// Parses a header as `tls_rx_msg_size()` does: `EMSGSIZE` for a record
    /// longer than the protocol allows, `EBADMSG` for one too short to hold
    /// its tag, `EINVAL` for a version other than 0x0303.
    pub fn parse_header(&self, h: &[u8; HEADER_LEN]) -> Result<Header, Errno> {
        let data_len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        let cipher_overhead = self.tag_len() + self.explicit_nonce_len();
        if data_len > usize::from(TLS_MAX_PAYLOAD_SIZE) + cipher_overhead + self.tail_len() {
            return Err(Errno::MsgSize);
        }
        if data_len < cipher_overhead {
            return Err(Errno::BadMsg);
        }
        if h[1..3] != WIRE_VERSION {
            return Err(Errno::Inval);
        }
        Ok(Header {
            content_type: h[0],
            record_len: HEADER_LEN + data_len,
        })
    }

    /// Writes the header (and, for TLS 1.2, the explicit nonce) of a record
    /// carrying `plain_len` bytes of type `content_type`.
    pub fn write_prepend(
        &self,
        content_type: u8,
        plain_len: usize,
        explicit: &[u8],
        out: &mut [u8],
    ) {
        let data_len = self.explicit_nonce_len() + plain_len + self.tail_len() + self.tag_len();
        out[0] = if self.tls13 {
            CT_APPLICATION_DATA
        } else {
            content_type
        };
        out[1..3].copy_from_slice(&WIRE_VERSION);
        // Bounded by TLS_MAX_PAYLOAD_SIZE plus the overhead: fits in u16.
        out[3..5].copy_from_slice(&(data_len as u16).to_be_bytes());
        let n = self.explicit_nonce_len();
        out[HEADER_LEN..HEADER_LEN + n].copy_from_slice(&explicit[..n]);
    }

    /// The additional data of a record; returns its length.
    ///
    /// TLS 1.2: sequence number, type, version, plaintext length. TLS 1.3:
    /// the record header.
    pub fn aad(
        &self,
        seq: u64,
        content_type: u8,
        plain_len: usize,
        out: &mut [u8; MAX_AAD_LEN],
    ) -> usize {
        if self.tls13 {
            let len = plain_len + self.tail_len() + self.tag_len();
            out[0] = CT_APPLICATION_DATA;
            out[1..3].copy_from_slice(&WIRE_VERSION);
            out[3..5].copy_from_slice(&(len as u16).to_be_bytes());
            HEADER_LEN
        } else {
            out[..8].copy_from_slice(&seq.to_be_bytes());
            out[8] = content_type;
            out[9..11].copy_from_slice(&WIRE_VERSION);
            out[11..13].copy_from_slice(&(plain_len as u16).to_be_bytes());
            MAX_AAD_LEN
        }
    }

    /// The AEAD IV of a record, given the connection IV (salt and IV),
    /// the record sequence number and, for TLS 1.2 GCM/CCM, the explicit
    /// nonce of the record; returns its length.
    pub fn aead_iv(
        &self,
        iv: &[u8; IV_LEN],
        seq: u64,
        explicit: &[u8],
        out: &mut [u8; MAX_AEAD_IV_LEN],
    ) -> usize {
        let mut nonce = *iv;
        let n = self.explicit_nonce_len();
        if n > 0 {
            nonce[self.desc.salt..self.desc.salt + n].copy_from_slice(&explicit[..n]);
        } else {
            for (b, s) in nonce[IV_LEN - 8..].iter_mut().zip(seq.to_be_bytes()) {
                *b ^= s;
            }
        }
        if self.is_ccm() {
            *out = [0; MAX_AEAD_IV_LEN];
            out[0] = CCM_IV_B0;
            out[1..1 + IV_LEN].copy_from_slice(&nonce);
            MAX_AEAD_IV_LEN
        } else {
            out[..IV_LEN].copy_from_slice(&nonce);
            IV_LEN
        }
    }

    fn is_ccm(&self) -> bool {
        self.desc.aead_name.starts_with(b"ccm(")
    }
}

/// The connection IV (salt followed by IV) of a `crypto_info`.
pub fn connection_iv(desc: &CipherDesc, info: &[u8]) -> [u8; IV_LEN] {
    let mut iv = [0u8; IV_LEN];
    iv[..desc.salt].copy_from_slice(&info[desc.salt_offset()..desc.salt_offset() + desc.salt]);
    iv[desc.salt..desc.salt + desc.iv]
        .copy_from_slice(&info[desc.iv_offset()..desc.iv_offset() + desc.iv]);
    iv
}

/// The initial record sequence number of a `crypto_info`.
pub fn initial_seq(desc: &CipherDesc, info: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&info[desc.rec_seq_offset()..desc.rec_seq_offset() + 8]);
    u64::from_be_bytes(b)
}

/// Splits a decrypted TLS 1.3 record into its content length and inner
/// content type, skipping the zero padding; `None` if it is all zeros.
pub fn inner_content_type(plain: &[u8]) -> Option<(usize, u8)> {
    let pos = plain.iter().rposition(|&b| b != 0)?;
    Some((pos, plain[pos]))
}

#[cfg(test)]
#[path = "record/tests.rs"]
mod tests;
