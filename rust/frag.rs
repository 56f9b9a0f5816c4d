// SPDX-License-Identifier: GPL-2.0

//! Page-backed TX record buffers: records are sealed in page-frag memory
//! that TCP takes by reference (`MSG_SPLICE_PAGES`), not by copy; a device
//! record may also take a sender's spliced pages as they are.

use crate::bindings;
use crate::sock::SockGuard;
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use kernel::prelude::*;

/// A buffer of at least `min` and at most `want` bytes for a record of
/// `sk`, from the socket's page frag (`sk_page_frag()`: the sending
/// task's for a user socket, as TCP and upstream's TLS use): 32 KiB pages
/// shared by every socket of the task, so an idle socket holds none. A
/// page when memory is fragmented.
pub(crate) fn alloc(sk: &SockGuard<'_>, want: usize, min: usize) -> Result<Frag> {
    let fallback = want.min(kernel::page::PAGE_SIZE).max(min);
    for size in Iterator::chain(
        core::iter::once(want),
        (fallback < want).then_some(fallback),
    ) {
        // SAFETY: `sk` is locked by this task, in process context.
        let p = unsafe { bindings::tlsr_frag_alloc(sk.as_ptr(), size as u32) };
        if let Some(ptr) = NonNull::new(p.cast::<u8>()) {
            // INVARIANT: `size` bytes of page memory, one page reference.
            return Ok(Frag {
                ptr,
                cap: size,
                len: 0,
            });
        }
    }
    Err(ENOMEM)
}

/// A record buffer of page-frag memory.
///
/// # Invariants
///
/// `ptr` points to `cap` bytes from `tlsr_frag_alloc()`, owned by this
/// value (one page reference); the first `len` bytes are initialised.
pub(crate) struct Frag {
    ptr: NonNull<u8>,
    cap: usize,
    len: usize,
}

// SAFETY: page memory may be used and freed from any thread.
unsafe impl Send for Frag {}

impl Frag {
    /// Initialised bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes the buffer can hold.
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// The initialised bytes, writable.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `len` initialised bytes owned by this value.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// The bytes past `len`, to be written and then committed with
    /// [`Frag::commit`].
    pub(crate) fn spare(&mut self) -> &mut [MaybeUninit<u8>] {
        self.split_spare().1
    }

    /// The initialised bytes and the spare ones, both writable.
    pub(crate) fn split_spare(&mut self) -> (&mut [u8], &mut [MaybeUninit<u8>]) {
        // SAFETY: `len` initialised bytes followed by `cap - len` spare
        // ones, all owned by this value, in two disjoint slices.
        unsafe {
            (
                core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len),
                core::slice::from_raw_parts_mut(
                    self.ptr.as_ptr().add(self.len).cast(),
                    self.cap - self.len,
                ),
            )
        }
    }

    /// Marks `n` more bytes initialised.
    ///
    /// # Safety
    ///
    /// The first `n` bytes of [`Frag::spare`] must have been written.
    pub(crate) unsafe fn commit(&mut self, n: usize) {
        // INVARIANT: the caller wrote them; `n` fits (it came from `spare`).
        self.len = (self.len + n).min(self.cap);
    }

    /// Grows to `len` bytes with zeros, or shrinks; `EMSGSIZE` past the
    /// capacity.
    pub(crate) fn resize(&mut self, len: usize) -> Result {
        if len > self.cap {
            return Err(EMSGSIZE);
        }
        if len > self.len {
            let n = len - self.len;
            // SAFETY: `n` bytes of the spare area are valid for writes.
            unsafe { core::ptr::write_bytes(self.ptr.as_ptr().add(self.len), 0, n) };
        }
        // INVARIANT: the bytes up to `len` are initialised.
        self.len = len;
        Ok(())
    }

    /// The buffer's address, for handing bytes of it to TCP.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Frag {
    fn drop(&mut self) {
        // SAFETY: owned (type invariant); TCP holds its own references to
        // whatever it still sends from these pages.
        unsafe { bindings::tlsr_frag_free(self.ptr.as_ptr().cast()) };
    }
}

/// Bytes of one page a sender spliced (a page cache page of `sendfile`),
/// sent as they are: the plaintext of a device record under
/// `TLS_TX_ZEROCOPY_RO`.
///
/// # Invariants
///
/// `page` is a page this value holds a reference to; `off + len` is at
/// most the page size.
pub(crate) struct PagePiece {
    page: NonNull<bindings::page>,
    off: u32,
    len: u32,
}

// SAFETY: a page reference may be dropped from any thread.
unsafe impl Send for PagePiece {}

impl PagePiece {
    /// Takes over a reference to `page`, of which `len` bytes from `off`.
    ///
    /// # Safety
    ///
    /// The caller holds a reference to `page` that it hands over, and
    /// `off + len` is at most the page size.
    pub(crate) unsafe fn from_raw(page: *mut bindings::page, off: u32, len: u32) -> Option<Self> {
        // INVARIANT: by the caller.
        NonNull::new(page).map(|page| Self { page, off, len })
    }

    /// The page, the offset and the length of the bytes.
    pub(crate) fn parts(&self) -> (*mut bindings::page, u32, u32) {
        (self.page.as_ptr(), self.off, self.len)
    }
}

impl Drop for PagePiece {
    fn drop(&mut self) {
        // SAFETY: the reference is owned (type invariant).
        unsafe { bindings::tlsr_put_page(self.page.as_ptr()) };
    }
}

/// A piece of a record on its way to TCP.
pub(crate) enum Piece {
    /// A record buffer (the whole record, or a device record's prepend or
    /// tail).
    Buf(Frag),
    /// Spliced plaintext of a device record.
    Page(PagePiece),
}

impl Piece {
    /// Its bytes.
    pub(crate) fn len(&self) -> usize {
        match self {
            Piece::Buf(f) => f.len(),
            Piece::Page(p) => p.len as usize,
        }
    }
}
