// SPDX-License-Identifier: GPL-2.0

//! The key state of one direction: AEAD transform, connection IV and
//! record sequence number.

use crate::aead::Aead;
use crate::bindings;
use crate::logic::cipher::{CipherDesc, CRYPTO_INFO_MAX_LEN};
use crate::logic::errno::Errno;
use crate::logic::record::{
    self, Layout, CT_APPLICATION_DATA, IV_LEN, MAX_AAD_LEN, MAX_AEAD_IV_LEN,
};
use crate::msg::Msg;
use crate::sock::SockGuard;
use core::mem::MaybeUninit;
use kernel::prelude::*;

/// Scratch space handed to the crypto API: it must be heap memory, since
/// the additional data goes into a scatterlist.
struct Scratch {
    aad: [u8; MAX_AAD_LEN],
    iv: [u8; MAX_AEAD_IV_LEN],
    /// TLS 1.3's content type after plaintext taken from the sender's pages,
    /// or before the tag of a record opened into the reader's.
    tail: [u8; 1],
}

/// Why [`KeyState::open_msg`] gave nothing to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZcOpen {
    /// The record must be opened in place instead.
    InPlace,
    /// The TLS 1.3 record is not data without padding (`padded`: its last
    /// byte is padding): opened in place instead (`TlsDecryptRetry`,
    /// `TlsRxNoPadViolation` when padded).
    Retry {
        /// Its last plaintext byte was zero.
        padded: bool,
    },
}

/// Where the payload (ciphertext and tag) of a received record is.
#[derive(Clone, Copy)]
pub(crate) enum Payload<'a> {
    /// In a heap buffer.
    Buf(&'a [u8]),
    /// In the TCP receive queue of a socket whose lock is held: `len`
    /// bytes from `off` bytes past what the reader was given.
    Tcp {
        /// The socket, locked.
        sk: &'a SockGuard<'a>,
        /// Where the payload starts, from TCP's `copied_seq`.
        off: u32,
        /// Its length.
        len: usize,
    },
}

impl Payload<'_> {
    fn len(&self) -> usize {
        match self {
            Payload::Buf(b) => b.len(),
            Payload::Tcp { len, .. } => *len,
        }
    }

    /// The arguments of `tlsr_aead_open_msg()`: the buffer, or no buffer
    /// and the socket with the offset.
    fn as_raw(&self) -> (*mut u8, *mut bindings::sock, u32) {
        match self {
            Payload::Buf(b) => (b.as_ptr().cast_mut(), core::ptr::null_mut(), 0),
            Payload::Tcp { sk, off, .. } => (core::ptr::null_mut(), sk.as_ptr(), *off),
        }
    }
}

/// Key material on the stack (plain bytes or a C struct of them), wiped
/// when dropped.
pub(crate) struct Wiped<T: Copy>(pub(crate) T);

impl<T: Copy> Drop for Wiped<T> {
    fn drop(&mut self) {
        // SAFETY: the value is valid for its whole size, and `T: Copy` has
        // no drop of its own to read it afterwards.
        unsafe {
            bindings::tlsr_memzero_explicit(
                core::ptr::from_mut(&mut self.0).cast(),
                core::mem::size_of::<T>(),
            )
        };
    }
}

/// A `crypto_info` on the stack, wiped when dropped.
pub(crate) type KeyBuf = Wiped<[u8; CRYPTO_INFO_MAX_LEN]>;

/// The key of one direction: the current key generation.
pub(crate) struct KeyState {
    aead: Aead,
    scratch: KBox<Scratch>,
    /// Record layout of the connection.
    pub(crate) layout: Layout,
    /// Connection IV: salt followed by the `crypto_info` IV.
    iv: [u8; IV_LEN],
    /// Sequence number of the next record.
    pub(crate) seq: u64,
    /// Sequence number of the first record under this key.
    pub(crate) first_seq: u64,
    /// TLS 1.2 GCM/CCM: the explicit nonce of the next TX record; the IV
    /// part `getsockopt` reports, advanced per record in both directions.
    explicit: u64,
    /// Key generation: 0 for the first key, one more per rekey.
    pub(crate) generation: u32,
}

impl Drop for KeyState {
    /// A key generation is wiped as it goes: the key with the transform
    /// (`crypto_free_aead()` frees it with `kfree_sensitive()`), the
    /// connection IV and the last nonce here.
    fn drop(&mut self) {
        // SAFETY: both buffers are owned by this value and valid for
        // their sizes.
        unsafe {
            bindings::tlsr_memzero_explicit(self.iv.as_mut_ptr().cast(), IV_LEN);
            bindings::tlsr_memzero_explicit(self.scratch.iv.as_mut_ptr().cast(), MAX_AEAD_IV_LEN);
        }
    }
}

impl KeyState {
    /// The key state of a validated `crypto_info` of `version`.
    pub(crate) fn new(
        version: u16,
        desc: &'static CipherDesc,
        info: &[u8],
        generation: u32,
    ) -> Result<Self> {
        let key = &info[desc.key_offset()..desc.key_offset() + desc.key];
        let iv = record::connection_iv(desc, info);
        let mut explicit = [0u8; 8];
        explicit.copy_from_slice(&iv[IV_LEN - 8..]);
        Ok(Self {
            aead: Aead::new(desc, key)?,
            scratch: KBox::new(
                Scratch {
                    aad: [0; MAX_AAD_LEN],
                    iv: [0; MAX_AEAD_IV_LEN],
                    tail: [0],
                },
                GFP_KERNEL,
            )?,
            layout: Layout::new(version, desc),
            iv,
            seq: record::initial_seq(desc, info),
            first_seq: record::initial_seq(desc, info),
            explicit: u64::from_be_bytes(explicit),
            generation,
        })
    }

    /// The explicit nonce the next TX record carries (TLS 1.2 GCM/CCM).
    pub(crate) fn tx_explicit(&self) -> [u8; 8] {
        self.explicit.to_be_bytes()
    }

    /// The `iv` field of the `crypto_info` as `getsockopt` reports it now:
    /// TLS 1.2 GCM/CCM advance it with every record, in both directions.
    pub(crate) fn current_iv(&self, desc: &CipherDesc) -> [u8; IV_LEN] {
        let mut iv = [0u8; IV_LEN];
        iv[..desc.iv].copy_from_slice(&self.iv[desc.salt..desc.salt + desc.iv]);
        if self.layout.explicit_nonce_len() > 0 {
            iv[..8].copy_from_slice(&self.tx_explicit());
        }
        iv
    }

    /// Fills the scratch additional data and nonce of the current record;
    /// returns the additional data's length.
    fn prepare(&mut self, content_type: u8, plain_len: usize, explicit: &[u8]) -> u32 {
        let s = &mut *self.scratch;
        let aad_len = self
            .layout
            .aad(self.seq, content_type, plain_len, &mut s.aad);
        self.layout.aead_iv(&self.iv, self.seq, explicit, &mut s.iv);
        aad_len as u32
    }

    fn crypt(
        &mut self,
        encrypt: bool,
        content_type: u8,
        plain_len: usize,
        explicit: &[u8],
        data: &mut [u8],
        len: usize,
    ) -> Result {
        let aad_len = self.prepare(content_type, plain_len, explicit);
        let s = &mut *self.scratch;
        // SAFETY: `aad`, `iv` and `data` are heap memory valid for the
        // lengths given (`data` holds `len` bytes plus the tag when sealing).
        unsafe {
            self.aead.crypt(
                encrypt,
                s.aad.as_mut_ptr(),
                aad_len,
                data.as_mut_ptr(),
                len as u32,
                s.iv.as_mut_ptr(),
            )
        }
    }

    /// Checks that a record may be sealed and writes its prepend; returns
    /// its explicit nonce. `EBADMSG` once the sequence number would wrap
    /// (upstream's `tls_advance_record_sn()`).
    fn begin_seal(
        &self,
        content_type: u8,
        plain_len: usize,
        prepend: &mut [u8],
    ) -> Result<[u8; 8]> {
        if self.seq == u64::MAX {
            return Err(Errno::BadMsg.into());
        }
        let explicit = self.tx_explicit();
        self.layout
            .write_prepend(content_type, plain_len, &explicit, prepend);
        Ok(explicit)
    }

    /// A record was sealed: the next one gets the next sequence number.
    fn end_seal(&mut self) {
        self.seq += 1;
        self.explicit = self.explicit.wrapping_add(1);
    }

    /// Frames a record of `plain_len` bytes for a device to seal, the
    /// plaintext left in clear between `prepend` and `tail`: the prepend as
    /// [`Self::seal`] writes it, then TLS 1.3's content type and the tag,
    /// zeroed. Advances the sequence number.
    pub(crate) fn frame(
        &mut self,
        content_type: u8,
        plain_len: usize,
        prepend: &mut [u8],
        tail: &mut [u8],
    ) -> Result {
        let t = self.layout.tail_len();
        if tail.len() != t + self.layout.tag_len() {
            return Err(EINVAL);
        }
        self.begin_seal(content_type, plain_len, prepend)?;
        tail[..t].fill(content_type);
        tail[t..].fill(0);
        self.end_seal();
        Ok(())
    }

    /// Seals a record in place: `rec` holds the prepend, the plaintext
    /// (`plain_len` bytes, with TLS 1.3's content type after it) and room
    /// for the tag. Advances the sequence number.
    pub(crate) fn seal(&mut self, content_type: u8, plain_len: usize, rec: &mut [u8]) -> Result {
        let pre = self.layout.prepend_len();
        let explicit = self.begin_seal(content_type, plain_len, &mut rec[..pre])?;
        let len = plain_len + self.layout.tail_len();
        self.crypt(
            true,
            content_type,
            plain_len,
            &explicit,
            &mut rec[pre..],
            len,
        )?;
        self.end_seal();
        Ok(())
    }

    /// Seals `plain_len` bytes of `msg`'s pages (user memory or spliced
    /// pages) without copying them first: the prepend goes to `prepend`,
    /// ciphertext, TLS 1.3's content type and tag to `out`, which must hold
    /// exactly that many bytes. `E2BIG` if the bytes must be copied instead
    /// (kernel buffers, or scattered over too many pages); `msg` is
    /// unchanged on failure.
    pub(crate) fn seal_msg(
        &mut self,
        content_type: u8,
        msg: &mut Msg,
        plain_len: usize,
        prepend: &mut [u8],
        out: &mut [MaybeUninit<u8>],
    ) -> Result {
        let l = self.layout;
        if out.len() != plain_len + l.tail_len() + l.tag_len() {
            return Err(EINVAL);
        }
        let explicit = self.begin_seal(content_type, plain_len, prepend)?;
        let aad_len = self.prepare(content_type, plain_len, &explicit);
        let s = &mut *self.scratch;
        s.tail[0] = content_type;
        // SAFETY: the scratch buffers are heap memory; `out` has room for
        // the ciphertext, tail and tag (checked above); the message is
        // valid for the call; the transform is live.
        let r = unsafe {
            bindings::tlsr_aead_seal_msg(
                self.aead.as_ptr(),
                s.aad.as_mut_ptr(),
                aad_len,
                msg.as_ptr(),
                plain_len,
                s.tail.as_mut_ptr(),
                l.tail_len() as u32,
                out.as_mut_ptr().cast(),
                s.iv.as_mut_ptr(),
            )
        };
        kernel::error::to_result(r)?;
        self.end_seal();
        Ok(())
    }

    /// Opens a record straight into `msg`'s user memory (upstream's
    /// zero-copy RX), its ciphertext left as it is: `prepend` is its
    /// header (and TLS 1.2's explicit nonce), `payload` the rest. Its
    /// plaintext goes to `msg`, and TLS 1.3's content type (the last byte,
    /// for a record without padding) to scratch space. Returns the bytes
    /// given to `msg`, or, with nothing given (`msg` as it was):
    /// [`ZcOpen::Retry`] if the TLS 1.3 record turned out not to be
    /// unpadded data, [`ZcOpen::InPlace`] if it must be opened in place
    /// instead (kernel buffers, too many pages, a bad tag).
    pub(crate) fn open_msg(
        &mut self,
        outer_type: u8,
        prepend: &[u8],
        payload: Payload<'_>,
        msg: &mut Msg,
    ) -> core::result::Result<usize, ZcOpen> {
        let l = self.layout;
        let explicit = self.rx_explicit(prepend);
        let user_len = payload
            .len()
            .checked_sub(l.tag_len() + l.tail_len())
            .ok_or(ZcOpen::InPlace)?;
        let aad_len = self.prepare(outer_type, user_len, &explicit);
        let (src, sk, off) = payload.as_raw();
        let s = &mut *self.scratch;
        // SAFETY: the scratch buffers and a `Payload::Buf` are heap memory
        // (read only by the AEAD, its output going to `msg` and the tail);
        // a `Payload::Tcp` is in the queue of a socket whose lock is held;
        // the message is valid for the call; the transform is live.
        let r = unsafe {
            bindings::tlsr_aead_open_msg(
                self.aead.as_ptr(),
                s.aad.as_mut_ptr(),
                aad_len,
                src,
                sk,
                off,
                payload.len() as u32,
                msg.as_ptr(),
                user_len,
                s.tail.as_mut_ptr(),
                l.tail_len() as u32,
                s.iv.as_mut_ptr(),
            )
        };
        if r != 0 {
            return Err(ZcOpen::InPlace);
        }
        if l.is_tls13() && s.tail[0] != CT_APPLICATION_DATA {
            msg.revert(user_len);
            return Err(ZcOpen::Retry {
                padded: s.tail[0] == 0,
            });
        }
        self.advance_rx();
        Ok(user_len)
    }

    /// Decrypts the payload of a record still in TCP's queue (`len` bytes
    /// `prepend.len()` bytes past what was read, `prepend` copied from
    /// there) into `dst` (room for the payload less the tag), the sequence
    /// staying where it is: [`KeyState::open_decrypted`] then opens the
    /// record. `EMSGSIZE` if the ciphertext is in more pieces than can be
    /// mapped (it is to be copied out instead), `EBADMSG` on a bad tag.
    pub(crate) fn decrypt_tcp(
        &mut self,
        outer_type: u8,
        prepend: &[u8],
        sk: &SockGuard<'_>,
        len: usize,
        dst: &mut [MaybeUninit<u8>],
    ) -> Result {
        let l = self.layout;
        let explicit = self.rx_explicit(prepend);
        let plain_len = dst.len().min(len.saturating_sub(l.tag_len()));
        // As `apply_keystream`: a TLS 1.3 record too short for its content
        // type fails to open.
        let aad_len = self.prepare(
            outer_type,
            plain_len.saturating_sub(l.tail_len()),
            &explicit,
        );
        let s = &mut *self.scratch;
        // SAFETY: the scratch buffers are heap memory and `dst` a heap
        // buffer with room for the plaintext; the socket lock is held (the
        // guard); the transform is live.
        let r = unsafe {
            bindings::tlsr_aead_open_tcp(
                self.aead.as_ptr(),
                s.aad.as_mut_ptr(),
                aad_len,
                sk.as_ptr(),
                prepend.len() as u32,
                len as u32,
                dst.as_mut_ptr().cast(),
                core::ptr::null_mut(),
                s.iv.as_mut_ptr(),
            )
        };
        kernel::error::to_result(r)
    }

    /// Opens the record `rec` (header included) in place; returns the
    /// plaintext range and the content type. `EBADMSG` on a bad tag or a
    /// TLS 1.3 record without content type.
    pub(crate) fn open(
        &mut self,
        outer_type: u8,
        rec: &mut [u8],
    ) -> Result<(core::ops::Range<usize>, u8)> {
        self.apply_keystream(outer_type, rec)?;
        self.opened(outer_type, rec)
    }

    /// The record `rec`, whose payload a device already decrypted in
    /// place, is opened: as [`KeyState::open`] without the decryption.
    pub(crate) fn open_decrypted(
        &mut self,
        outer_type: u8,
        rec: &[u8],
    ) -> Result<(core::ops::Range<usize>, u8)> {
        self.opened(outer_type, rec)
    }

    /// XORs the payload of `rec` with the record's keystream, the
    /// record sequence staying where it is: a device's decryption of part
    /// of the record is undone with it (`tls_device_reencrypt()`). The
    /// tag cannot verify over such a mix, so that failure is no error.
    pub(crate) fn xor_keystream(&mut self, outer_type: u8, rec: &mut [u8]) -> Result {
        match self.apply_keystream(outer_type, rec) {
            Err(e) if e == Error::from(Errno::BadMsg) => Ok(()),
            r => r,
        }
    }

    /// One record under this key went by without being opened with it
    /// (a device's count of records, after a KeyUpdate).
    pub(crate) fn skip_record(&mut self) {
        self.advance_rx();
    }

    /// The next RX record: sequence number and, as upstream advances the
    /// IV of both directions per record, the TLS 1.2 explicit nonce.
    fn advance_rx(&mut self) {
        self.seq = self.seq.wrapping_add(1);
        self.explicit = self.explicit.wrapping_add(1);
    }

    /// The explicit nonce of the received record `rec` (from its header
    /// on, its prepend at least; zeros where the layout has none).
    fn rx_explicit(&self, rec: &[u8]) -> [u8; 8] {
        let l = self.layout;
        let mut explicit = [0u8; 8];
        explicit[..l.explicit_nonce_len()]
            .copy_from_slice(&rec[record::HEADER_LEN..l.prepend_len()]);
        explicit
    }

    /// Decrypts the payload of `rec` in place with the AEAD (tag checked).
    fn apply_keystream(&mut self, outer_type: u8, rec: &mut [u8]) -> Result {
        let l = self.layout;
        let pre = l.prepend_len();
        let explicit = self.rx_explicit(rec);
        let plain_len = rec.len() - pre - l.tag_len();
        let len = rec.len() - pre;
        // A TLS 1.3 record too short for its content type fails to open.
        let aad_len = plain_len.saturating_sub(l.tail_len());
        self.crypt(false, outer_type, aad_len, &explicit, &mut rec[pre..], len)
    }

    /// The record `rec` is decrypted: advances the sequence and finds the
    /// plaintext and its content type.
    fn opened(&mut self, outer_type: u8, rec: &[u8]) -> Result<(core::ops::Range<usize>, u8)> {
        let l = self.layout;
        let pre = l.prepend_len();
        let plain_len = rec.len() - pre - l.tag_len();
        self.advance_rx();
        if !l.is_tls13() {
            return Ok((pre..pre + plain_len, outer_type));
        }
        match record::inner_content_type(&rec[pre..pre + plain_len]) {
            Some((n, t)) => Ok((pre..pre + n, t)),
            None => Err(Errno::BadMsg.into()),
        }
    }
}
