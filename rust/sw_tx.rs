// SPDX-License-Identifier: GPL-2.0

//! Software TX: plaintext is gathered into the open record, sealed under
//! the current key generation and pushed into TCP, all under the socket lock.

use crate::bindings;
use crate::context::Context;
use crate::crypto::KeyState;
use crate::generations::TxLog;
use crate::logic::errno::Errno;
use crate::logic::record::CT_APPLICATION_DATA;
use crate::msg::{Msg, MSG_DONTWAIT, MSG_EOR, MSG_MORE, MSG_NOSIGNAL};
use crate::sock::Sock;
use kernel::prelude::*;

/// TX state of a socket, protected by the context's `tx_lock` and the
/// socket lock.
///
/// `head` comes first: the C write-space callback finds it through
/// `priv_ctx_tx`.
#[repr(C)]
pub(crate) struct Tx {
    head: bindings::tlsr_tx_head,
    /// The current key generation.
    pub(crate) key: KeyState,
    /// Plaintext of the open record (`MSG_MORE`, or not yet full).
    open: KVec<u8>,
    /// Content type of the open record.
    open_type: u8,
    /// Sealed bytes TCP has not taken yet, from `sent` on.
    pending: KVec<u8>,
    sent: usize,
    /// Every record handed to TCP and not acknowledged yet, with its key
    /// generation and TCP range.
    log: TxLog,
}

impl Tx {
    /// TX state for a first key of `sk`.
    pub(crate) fn new(sk: &Sock, key: KeyState) -> Result<KBox<Self>> {
        let mut tx = KBox::new(
            Self {
                head: bindings::tlsr_tx_head::default(),
                key,
                open: KVec::new(),
                open_type: CT_APPLICATION_DATA,
                pending: KVec::new(),
                sent: 0,
                log: TxLog::new()?,
            },
            GFP_KERNEL,
        )?;
        // SAFETY: the head lives in the box and never moves from now on;
        // `tx_work` matches the work function signature.
        unsafe { bindings::tlsr_tx_head_init(&mut tx.head, sk.as_ptr(), Some(tx_work)) };
        Ok(tx)
    }

    /// Hands pending sealed bytes to TCP. `EAGAIN` if TCP did not take all,
    /// in which case the write-space callback pushes the rest later.
    fn flush(&mut self, sk: &Sock, flags: u32) -> Result {
        if self.pending.is_empty() {
            return Ok(());
        }
        // Flag first: a write-space event right after TCP refuses must see
        // it, or the rest would wait for the next send.
        // SAFETY: the head was initialised in `new`.
        unsafe { bindings::tlsr_tx_set_pending(&mut self.head, true) };
        let r = self.try_flush(sk, flags);
        // SAFETY: the head was initialised in `new`.
        unsafe { bindings::tlsr_tx_set_pending(&mut self.head, !self.pending.is_empty()) };
        r
    }

    fn try_flush(&mut self, sk: &Sock, flags: u32) -> Result {
        while self.sent < self.pending.len() {
            let rest = &self.pending[self.sent..];
            // SAFETY: the socket lock is held (callers hold a `SockGuard`);
            // `rest` is valid for its length.
            let r = unsafe {
                bindings::tlsr_tcp_send(sk.as_ptr(), rest.as_ptr().cast(), rest.len(), flags as i32)
            };
            if r < 0 {
                return Err(Error::from_errno(r));
            }
            if r == 0 {
                return Err(EAGAIN);
            }
            self.sent += r as usize;
        }
        self.pending.clear();
        self.sent = 0;
        Ok(())
    }

    /// Seals the open record and hands it to TCP. The record is committed
    /// once sealed: if TCP takes only part of it, the rest stays pending.
    fn push_open(&mut self, sk: &Sock, flags: u32) -> Result {
        let l = self.key.layout;
        let pre = l.prepend_len();
        self.reserve_prepend()?;
        let plain_len = self.open_len();
        // The open record already sits behind room for its prepend: seal
        // it in place, then queue it behind what TCP has not taken yet
        // (callers flush before taking more plaintext: at most two wait).
        let end = pre + plain_len;
        self.open.resize(plain_len + l.overhead(), 0, GFP_KERNEL)?;
        if let (true, Some(b)) = (l.is_tls13(), self.open.get_mut(end)) {
            *b = self.open_type;
        }
        let t = self.open_type;
        if let Err(e) = self.key.seal(t, plain_len, &mut self.open) {
            self.open.truncate(end);
            return Err(e);
        }
        let rec_len = self.open.len();
        let base = self.pending.len();
        if base == 0 {
            core::mem::swap(&mut self.pending, &mut self.open);
            self.sent = 0;
        } else {
            self.pending.extend_from_slice(&self.open, GFP_KERNEL)?;
        }
        self.open.clear();
        self.open_type = CT_APPLICATION_DATA;
        let seq = self.key.seq - 1;
        // TCP will carry the record right after the bytes still pending.
        let queued = base.saturating_sub(self.sent);
        if self
            .log
            .log(sk, self.key.generation, seq, queued, rec_len)
            .is_err()
        {
            // Bookkeeping only until offload uses it: the record still goes.
            kernel::pr_warn_once!("TX record log full; record left untracked\n");
        }
        match self.flush(sk, flags) {
            Err(e) if e == EAGAIN || e == ERESTARTSYS || e == EINTR => Ok(()),
            r => r,
        }
    }

    /// Whether a record is open (`TLS_TX_MAX_PAYLOAD_LEN` cannot change).
    pub(crate) fn has_open_record(&self) -> bool {
        self.open_len() > 0
    }

    /// Plaintext bytes in the open record.
    fn open_len(&self) -> usize {
        self.open
            .len()
            .saturating_sub(self.key.layout.prepend_len())
    }

    /// Makes the open record start with room for its prepend.
    fn reserve_prepend(&mut self) -> Result {
        if self.open.is_empty() {
            self.open
                .resize(self.key.layout.prepend_len(), 0, GFP_KERNEL)?;
        }
        Ok(())
    }

    /// Pushes whatever is open or pending (`splice_eof`, close); `flags`
    /// may hold `MSG_DONTWAIT`.
    pub(crate) fn push_all(&mut self, sk: &Sock, flags: u32) -> Result {
        if self.has_open_record() {
            self.push_open(sk, flags | MSG_NOSIGNAL)?;
        }
        self.flush(sk, flags | MSG_NOSIGNAL)
    }

    /// `sendmsg` on a TX-configured socket; returns the bytes taken.
    pub(crate) fn sendmsg(
        &mut self,
        sk: &Sock,
        msg: &mut Msg,
        max_payload: usize,
    ) -> Result<usize> {
        let flags = msg.flags();
        let more = flags & MSG_MORE != 0;
        if more && flags & MSG_EOR != 0 {
            return Err(Errno::Inval.into());
        }
        let send_flags = flags & (MSG_DONTWAIT | MSG_NOSIGNAL);
        let rtype = msg.record_type()?;
        if rtype.is_some_and(|t| t != self.open_type) && self.has_open_record() {
            self.push_open(sk, send_flags)?;
        }
        let ctype = rtype.unwrap_or(self.open_type);
        let mut copied = 0;
        let mut left = msg.data_left();
        let result = loop {
            if left == 0 && copied > 0 {
                break Ok(());
            }
            // Backpressure: take plaintext only once TCP took the sealed
            // records (blocking, or EAGAIN for non-blocking senders).
            if let Err(e) = self.flush(sk, send_flags) {
                break Err(e);
            }
            let n = left.min(max_payload.saturating_sub(self.open_len()));
            if let Err(e) = self.reserve_prepend() {
                break Err(e);
            }
            if let Err(e) = msg.copy_from(&mut self.open, n) {
                break Err(e);
            }
            self.open_type = ctype;
            copied += n;
            left -= n;
            let full = self.open_len() >= max_payload;
            if full || (left == 0 && !more) {
                // A send without data pushes nothing (not even an open
                // record), unless it carries a record type: as upstream.
                if n == 0 && rtype.is_none() && !full {
                    break Ok(());
                }
                if let Err(e) = self.push_open(sk, send_flags) {
                    break Err(e);
                }
            }
            if left == 0 {
                break Ok(());
            }
        };
        match result {
            Ok(()) => Ok(copied),
            Err(e) if e.to_errno() == -Errno::BadMsg.to_errno() => {
                // Sequence number exhaustion ends the connection.
                sk.err_abort(e);
                Err(e)
            }
            Err(_) if copied > 0 => Ok(copied),
            Err(e) => Err(e),
        }
    }
}

/// Runs `f` on the TX state of `sk` under the context's `tx_lock` and the
/// socket lock, the order every TX user takes them in. `EINVAL` if no TX
/// key is installed.
pub(crate) fn with_locked_tx<T>(
    sk: &Sock,
    ctx: &Context,
    f: impl FnOnce(&mut Tx) -> Result<T>,
) -> Result<T> {
    let _tx_lock = ctx.tx_lock()?;
    let mut lock = sk.lock();
    let tx = ctx.tx(&mut lock).ok_or(EINVAL)?;
    f(tx)
}

/// The deferred push: TCP reported room for what it did not take.
///
/// # Safety
///
/// Called by the workqueue with the `work` of a live `Tx`'s head; the TX
/// state outlives the work (`Context::stop_tx_work` before it is freed).
unsafe extern "C" fn tx_work(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the first field of the head, the first field of a
    // `Tx` (both `repr(C)`); only the socket pointer is read here.
    let sk = unsafe { (*work.cast::<bindings::tlsr_tx_head>()).sk };
    // SAFETY: the socket outlives its TX state.
    let Some(s) = (unsafe { Sock::from_raw(sk) }) else {
        return;
    };
    let Some(ctx) = Context::get(&s) else {
        return;
    };
    // What TCP still cannot take waits for the next write space.
    let _ = with_locked_tx(&s, &ctx, |tx| tx.flush(&s, MSG_DONTWAIT | MSG_NOSIGNAL));
}
