// SPDX-License-Identifier: GPL-2.0

//! Software RX: bytes are pulled from TCP by the reader, framed into
//! records, opened under the current key generation and delivered.
//!
//! Readers are serialised by a mutex taken before the socket lock (TCP's
//! `recvmsg` takes the socket lock itself while the mutex is held).

use crate::bindings;
use crate::crypto::KeyState;
use crate::logic::errno::Errno;
use crate::logic::record::{CT_APPLICATION_DATA, CT_HANDSHAKE, HEADER_LEN, HS_KEY_UPDATE};
use crate::msg::{Msg, MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL};
use crate::proc::Stat;
use crate::sock::Sock;
use kernel::prelude::*;
use kernel::sync::{new_mutex, Mutex};

/// `SPLICE_F_NONBLOCK`.
const SPLICE_F_NONBLOCK: u32 = 0x02;

/// Most bytes pulled from TCP at once.
const READ_CHUNK: usize = 32 * 1024;

/// A decrypted record, partly read.
struct Plain {
    content_type: u8,
    data: KVec<u8>,
    off: usize,
}

/// RX state of a socket, behind [`Rx`]'s mutex.
pub(crate) struct RxInner {
    /// The current key generation.
    pub(crate) key: KeyState,
    /// Bytes read from TCP, `raw[head..]` not opened yet (records under a
    /// key not installed yet wait here).
    raw: KVec<u8>,
    head: usize,
    /// Opened records, oldest first.
    ready: KVec<Plain>,
    /// A KeyUpdate was delivered: nothing more is opened until `TLS_RX`
    /// installs the next key.
    pub(crate) key_update_pending: bool,
    /// A fatal record error stopped parsing (upstream's stopped strparser):
    /// the error is reported once through `sk_err`, later reads find no
    /// records.
    stopped: bool,
}

/// The RX state of a socket.
pub(crate) type Rx = Mutex<RxInner>;

/// RX state for a first key.
pub(crate) fn new_rx(key: KeyState) -> Result<Pin<KBox<Rx>>> {
    KBox::pin_init(
        new_mutex!(RxInner {
            key,
            raw: KVec::new(),
            head: 0,
            ready: KVec::new(),
            key_update_pending: false,
            stopped: false,
        }),
        GFP_KERNEL,
    )
}

impl RxInner {
    /// Ciphertext bytes not opened yet.
    fn unopened(&self) -> usize {
        self.raw.len() - self.head
    }

    /// Total size of the record at the head of `raw`, once its header is in.
    fn head_len(&self) -> Result<Option<usize>> {
        if self.unopened() < HEADER_LEN {
            return Ok(None);
        }
        let mut h = [0u8; HEADER_LEN];
        h.copy_from_slice(&self.raw[self.head..self.head + HEADER_LEN]);
        Ok(Some(self.key.layout.parse_header(&h)?.record_len))
    }

    /// A malformed header stops parsing for good (upstream's strparser
    /// abort): the error is reported once, through `sk_err`.
    fn stop(&mut self, sk: &Sock, e: Error) -> Error {
        sk.err_abort(e);
        self.stopped = true;
        self.raw.clear();
        self.head = 0;
        sk.take_error().err().unwrap_or(e)
    }

    /// Opens the record at the head of `raw` if it is complete; `false`
    /// if more bytes are needed or a KeyUpdate stops decryption.
    fn open_one(&mut self, sk: &Sock) -> Result<bool> {
        if self.stopped {
            sk.take_error()?;
            return Ok(false);
        }
        if self.key_update_pending {
            return Ok(false);
        }
        let len = match self.head_len() {
            Ok(Some(len)) if len <= self.unopened() => len,
            Ok(_) => return Ok(false),
            Err(e) => return Err(self.stop(sk, e)),
        };
        let at = self.head;
        let outer = self.raw[at];
        let (range, content_type) = match self.key.open(outer, &mut self.raw[at..at + len]) {
            Ok(r) => r,
            Err(e) => {
                // A record that does not open stays at the head: every
                // later read fails on it again, as upstream.
                Stat::DecryptError.inc(sk);
                sk.err_abort(e);
                return Err(e);
            }
        };
        let mut data = KVec::with_capacity(range.len(), GFP_KERNEL)?;
        data.extend_from_slice(&self.raw[at + range.start..at + range.end], GFP_KERNEL)?;
        // As upstream's tls_check_pending_rekey(), whatever the version.
        if content_type == CT_HANDSHAKE && data.first() == Some(&HS_KEY_UPDATE) {
            self.key_update_pending = true;
            Stat::RxRekeyReceived.inc(sk);
        }
        self.ready.push(
            Plain {
                content_type,
                data,
                off: 0,
            },
            GFP_KERNEL,
        )?;
        self.head += len;
        if self.head == self.raw.len() {
            self.raw.clear();
            self.head = 0;
        }
        Ok(true)
    }

    /// Pulls bytes from TCP; `Ok(0)` at end of stream.
    fn fill(&mut self, sk: &Sock, tcp: *mut bindings::proto, nonblock: bool) -> Result<usize> {
        let need = match self.head_len() {
            Ok(Some(len)) => len.saturating_sub(self.unopened()),
            _ => HEADER_LEN - self.unopened().min(HEADER_LEN),
        };
        // Opened records are dropped from the front once per read from
        // TCP, not once per record.
        if self.head > 0 {
            let rest = self.unopened();
            self.raw.copy_within(self.head.., 0);
            self.raw.truncate(rest);
            self.head = 0;
        }
        let inq = sk.tcp_inq();
        let want = need.max(inq).clamp(1, READ_CHUNK);
        self.raw.reserve(want, GFP_KERNEL)?;
        let dst = self.raw.spare_capacity_mut();
        let flags = if nonblock { MSG_DONTWAIT } else { 0 };
        // SAFETY: `dst` has room for `want` bytes; `tcp` is the socket's
        // TCP proto; the socket lock is not held.
        let r = unsafe {
            bindings::tlsr_tcp_recv(
                sk.as_ptr(),
                tcp,
                dst.as_mut_ptr().cast(),
                want,
                flags as i32,
            )
        };
        if r < 0 {
            return Err(Error::from_errno(r));
        }
        // SAFETY: TCP wrote `r` bytes.
        unsafe { self.raw.inc_len(r as usize) };
        if self.stopped {
            self.raw.clear();
            self.head = 0;
        }
        Ok(r as usize)
    }

    /// Whether a read would find a record without blocking (for `poll`).
    /// Records are only framed here, never opened: like upstream, a
    /// KeyUpdate takes effect when a read opens it.
    pub(crate) fn readable(&mut self, sk: &Sock, tcp: *mut bindings::proto) -> bool {
        // As upstream: nothing is readable while a KeyUpdate waits for the
        // next key, not even records already opened.
        if self.key_update_pending {
            return false;
        }
        if !self.ready.is_empty() {
            return true;
        }
        if self.stopped {
            return false;
        }
        loop {
            match self.head_len() {
                // A malformed header is readable: the read reports it.
                Err(_) => return true,
                Ok(Some(len)) if len <= self.unopened() => return true,
                Ok(_) => {}
            }
            match self.fill(sk, tcp, true) {
                Ok(n) if n > 0 => {}
                _ => return false,
            }
        }
    }

    /// Makes sure a record is opened, blocking unless `nonblock`; `false` at
    /// end of stream.
    fn wait_record(
        &mut self,
        sk: &Sock,
        tcp: *mut bindings::proto,
        nonblock: bool,
    ) -> Result<bool> {
        while self.ready.is_empty() {
            if self.open_one(sk)? {
                break;
            }
            if self.key_update_pending {
                return Err(Errno::KeyExpired.into());
            }
            if self.fill(sk, tcp, nonblock)? == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `splice_read`: moves data of one record into `pipe`.
    ///
    /// # Safety
    ///
    /// `pipe` must be the valid pipe of the splice call.
    pub(crate) unsafe fn splice(
        &mut self,
        sk: &Sock,
        tcp: *mut bindings::proto,
        pipe: *mut bindings::pipe_inode_info,
        len: usize,
        flags: u32,
    ) -> Result<usize> {
        if !self.wait_record(sk, tcp, flags & SPLICE_F_NONBLOCK != 0)? {
            return Ok(0);
        }
        let Some(rec) = self.ready.first_mut() else {
            return Ok(0);
        };
        // Splice carries no record type: only data records.
        if rec.content_type != CT_APPLICATION_DATA {
            return Err(EINVAL);
        }
        let n = len.min(rec.data.len() - rec.off);
        // SAFETY: the bytes are valid; `pipe` is valid by the caller.
        let r = unsafe {
            bindings::tlsr_splice_bytes(
                sk.as_ptr(),
                pipe,
                rec.data[rec.off..].as_ptr().cast(),
                n,
                flags,
            )
        };
        if r < 0 {
            return Err(Error::from_errno(r as i32));
        }
        rec.off += r as usize;
        if rec.off == rec.data.len() {
            self.ready.remove(0).map_err(|_| EINVAL)?;
        }
        Ok(r as usize)
    }

    /// Whether data the user never read is left (closing then resets the
    /// connection, as TCP does for unread data).
    pub(crate) fn has_unread(&self) -> bool {
        self.unopened() > 0 || !self.ready.is_empty()
    }

    /// Installs the next key generation (`TLS_RX` rekey).
    pub(crate) fn rekey(&mut self, key: KeyState) {
        self.key = key;
        self.key_update_pending = false;
    }

    /// `recvmsg` on an RX-configured socket.
    pub(crate) fn recvmsg(
        &mut self,
        sk: &Sock,
        tcp: *mut bindings::proto,
        msg: &mut Msg,
        len: usize,
        flags: u32,
    ) -> Result<usize> {
        let peek = flags & MSG_PEEK != 0;
        let target = if flags & MSG_WAITALL != 0 { len } else { 1 };
        let mut copied = 0;
        let mut control: Option<u8> = None;
        let mut peeked = 0;
        while copied < len {
            let idx = if peek { peeked } else { 0 };
            let Some(rec) = self.ready.get_mut(idx) else {
                match self.open_one(sk) {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) if copied == 0 => return Err(e),
                    Err(_) => break,
                }
                if self.key_update_pending {
                    if copied > 0 {
                        break;
                    }
                    return Err(Errno::KeyExpired.into());
                }
                let nonblock = flags & MSG_DONTWAIT != 0 || copied >= target;
                match self.fill(sk, tcp, nonblock) {
                    Ok(0) => break,
                    Ok(_) => continue,
                    Err(e) if copied == 0 => return Err(e),
                    Err(_) => break,
                }
            };
            match control {
                None => {
                    control = Some(rec.content_type);
                    let r = msg.put_record_type(rec.content_type);
                    if r.is_err() && rec.content_type != CT_APPLICATION_DATA {
                        return Err(Errno::Io.into());
                    }
                }
                Some(t) if t != rec.content_type => break,
                Some(_) => {}
            }
            let avail = rec.data.len() - rec.off;
            let n = avail.min(len - copied);
            if msg.copy_to(&rec.data[rec.off..rec.off + n]) != n {
                if copied == 0 {
                    return Err(EFAULT);
                }
                break;
            }
            copied += n;
            let is_data = rec.content_type == CT_APPLICATION_DATA;
            if peek {
                if n < avail {
                    break;
                }
                peeked += 1;
            } else {
                rec.off += n;
                if rec.off == rec.data.len() {
                    self.ready.remove(0).map_err(|_| EINVAL)?;
                }
            }
            if !is_data {
                break;
            }
        }
        Ok(copied)
    }
}
