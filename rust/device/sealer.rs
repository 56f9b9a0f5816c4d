// SPDX-License-Identifier: GPL-2.0

//! Whole-record encryption of device TX segments: the payload of a TCP
//! segment that carries plaintext records (as a device TX socket hands
//! them to TCP) is replaced by what the wire needs, each record it touches
//! encrypted from the record's start with the record's own sequence
//! number, as a NIC resynchronised on that record would.
//!
//! The software fallback of device TX and the simulated NIC
//! (tools/testing/tlsnic) both use this, each with its own record lookup.

use crate::aead::Aead;
use crate::logic::cipher::{cipher_desc, InfoHeader, CRYPTO_INFO_HDR_LEN, TLS_MAX_PAYLOAD_SIZE};
use crate::logic::record::{
    connection_iv, Layout, HEADER_LEN, IV_LEN, MAX_AAD_LEN, MAX_AEAD_IV_LEN,
};
use kernel::prelude::*;

/// Largest record: header, explicit nonce, payload, content type, tag.
const MAX_RECORD: usize = TLS_MAX_PAYLOAD_SIZE as usize + 256;

/// A record as the lookup found it.
pub(crate) struct Found<R> {
    /// The lookup's handle for copying the record.
    pub(crate) record: R,
    /// Its record sequence number.
    pub(crate) rcd_sn: u64,
    /// TCP sequence number just past it.
    pub(crate) end_seq: u32,
    /// Its length in TCP bytes; 0 for the start marker (bytes sent before
    /// the offload started, which pass as they are).
    pub(crate) len: u32,
}

/// The records of one device TX socket.
pub(crate) trait Records {
    /// Handle of one record.
    type Record;

    /// The record holding TCP sequence number `seq`.
    fn find(&mut self, seq: u32) -> Option<Found<Self::Record>>;

    /// Copies the bytes of `record` (as framed for the device: prepend,
    /// plaintext, zeroed tag) to `dst`; returns how many were copied.
    fn copy(&mut self, record: &Self::Record, dst: &mut [u8]) -> usize;
}

/// The record last encrypted: in-order segments that follow reuse it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Cached {
    end_seq: u32,
    rcd_sn: u64,
}

/// One key's record encryption, with the buffers it needs.
pub(crate) struct Sealer {
    aead: Aead,
    layout: Layout,
    /// Connection IV: salt followed by the `crypto_info` IV.
    iv: [u8; IV_LEN],
    /// Heap buffers handed to the crypto API (scatterlists).
    aad: [u8; MAX_AAD_LEN],
    aead_iv: [u8; MAX_AEAD_IV_LEN],
    /// Ciphertext of the cached record.
    record: KVec<u8>,
    cached: Option<Cached>,
}

impl Drop for Sealer {
    fn drop(&mut self) {
        for b in Iterator::chain(self.iv.iter_mut(), self.aead_iv.iter_mut()) {
            // SAFETY: a valid byte of `self`; volatile so the wipe stays.
            unsafe { core::ptr::write_volatile(b, 0) };
        }
    }
}

impl Sealer {
    /// A sealer for the key of a validated or device-given `crypto_info`.
    pub(crate) fn new(info: &[u8]) -> Result<KBox<Self>> {
        let mut hdr = [0u8; CRYPTO_INFO_HDR_LEN];
        hdr.copy_from_slice(info.get(..CRYPTO_INFO_HDR_LEN).ok_or(EINVAL)?);
        let hdr = InfoHeader::from_bytes(&hdr);
        let desc = cipher_desc(hdr.cipher_type).ok_or(ENOTSUPP)?;
        if info.len() < desc.crypto_info_len() {
            return Err(EINVAL);
        }
        let key = &info[desc.key_offset()..desc.key_offset() + desc.key];
        let aead = Aead::new(desc, key)?;
        let mut record = KVec::with_capacity(MAX_RECORD, GFP_KERNEL)?;
        record.resize(MAX_RECORD, 0, GFP_KERNEL)?;
        Ok(KBox::new(
            Self {
                aead,
                layout: Layout::new(hdr.version, desc),
                iv: connection_iv(desc, info),
                aad: [0; MAX_AAD_LEN],
                aead_iv: [0; MAX_AEAD_IV_LEN],
                record,
                cached: None,
            },
            GFP_KERNEL,
        )?)
    }

    /// Encrypts the record `found` into `self.record`, as the wire carries
    /// it: header and explicit nonce as they are, then ciphertext and tag.
    fn encrypt<R: Records>(&mut self, records: &mut R, found: &Found<R::Record>) -> Result {
        let len = found.len as usize;
        let sealed = HEADER_LEN + self.layout.explicit_nonce_len();
        let tag = self.layout.tag_len();
        if len > MAX_RECORD || len < sealed + tag {
            return Err(EINVAL);
        }
        if records.copy(&found.record, &mut self.record[..len]) != len {
            return Err(EINVAL);
        }
        let data_len = len - sealed - tag;
        let plain_len = data_len.checked_sub(self.layout.tail_len()).ok_or(EINVAL)?;
        let content_type = self.record[0];
        let aad_len = self
            .layout
            .aad(found.rcd_sn, content_type, plain_len, &mut self.aad);
        self.layout.aead_iv(
            &self.iv,
            found.rcd_sn,
            &self.record[HEADER_LEN..sealed],
            &mut self.aead_iv,
        );
        // SAFETY: `aad`, `aead_iv` and `record` are heap memory of `self`
        // (boxed), valid for the lengths given; the tag fits after the data.
        unsafe {
            self.aead.crypt(
                true,
                self.aad.as_mut_ptr(),
                aad_len as u32,
                self.record.as_mut_ptr().add(sealed),
                data_len as u32,
                self.aead_iv.as_mut_ptr(),
            )
        }?;
        self.cached = Some(Cached {
            end_seq: found.end_seq,
            rcd_sn: found.rcd_sn,
        });
        Ok(())
    }

    /// Replaces the record bytes of a segment's payload (TCP sequence
    /// numbers from `seq` on) with their ciphertext; returns how many
    /// records were encrypted for it. `EINVAL` if a byte has no record.
    pub(crate) fn seal_segment<R: Records>(
        &mut self,
        records: &mut R,
        seq: u32,
        payload: &mut [u8],
    ) -> Result<u32> {
        let mut pos = 0;
        let mut encrypted = 0;
        while pos < payload.len() {
            let tcp = seq.wrapping_add(pos as u32);
            let found = records.find(tcp).ok_or(EINVAL)?;
            let left = found.end_seq.wrapping_sub(tcp) as usize;
            if found.len == 0 {
                // Before the start marker: sent before the offload began.
                pos += left.min(payload.len() - pos);
                continue;
            }
            let here = Some(Cached {
                end_seq: found.end_seq,
                rcd_sn: found.rcd_sn,
            });
            if self.cached != here {
                self.cached = None;
                self.encrypt(records, &found)?;
                encrypted += 1;
            }
            let off = (found.len as usize).checked_sub(left).ok_or(EINVAL)?;
            let n = left.min(payload.len() - pos);
            payload[pos..pos + n].copy_from_slice(&self.record[off..off + n]);
            pos += n;
        }
        Ok(encrypted)
    }
}
