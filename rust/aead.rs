// SPDX-License-Identifier: GPL-2.0

//! A synchronous AEAD transform of the kernel crypto API with its key set,
//! and its request (`rust/aead.c`). Shared by the module and the simulated
//! NIC of its tests (tools/testing/tlsnic), which compile this same file.

use crate::bindings;
use crate::logic::cipher::CipherDesc;
use core::ptr::NonNull;
use kernel::prelude::*;

/// A transform and its request.
///
/// # Invariants
///
/// `self.0` is a live request (and transform) from `tlsr_aead_alloc()`,
/// owned by this value.
pub(crate) struct Aead(NonNull<bindings::aead_request>);

// SAFETY: a transform may be used from any thread; users serialise requests.
unsafe impl Send for Aead {}

impl Aead {
    /// A transform of `desc`'s cipher keyed with `key`.
    pub(crate) fn new(desc: &CipherDesc, key: &[u8]) -> Result<Self> {
        // SAFETY: the name is NUL-terminated and `key` valid for its length.
        let tfm = unsafe {
            bindings::tlsr_aead_alloc(
                desc.aead_name.as_ptr().cast(),
                key.as_ptr(),
                key.len() as u32,
                desc.tag as u32,
            )
        };
        // INVARIANT: a non-error pointer from the allocator.
        NonNull::new(kernel::error::from_err_ptr(tfm)?)
            .map(Self)
            .ok_or(ENOMEM)
    }

    /// The request, for the crypto calls of the abstraction files.
    pub(crate) fn as_ptr(&self) -> *mut bindings::aead_request {
        self.0.as_ptr()
    }

    /// Seals (`encrypt`: `len` bytes of plaintext, the tag written after
    /// them) or opens (`len` bytes of ciphertext and tag) `data` in place.
    ///
    /// # Safety
    ///
    /// `aad`, `data` and `iv` must be linear heap memory (they go into
    /// scatterlists), valid for `aad_len` bytes, `len` bytes (plus the tag
    /// when sealing) and the cipher's IV size.
    pub(crate) unsafe fn crypt(
        &self,
        encrypt: bool,
        aad: *mut u8,
        aad_len: u32,
        data: *mut u8,
        len: u32,
        iv: *mut u8,
    ) -> Result {
        // SAFETY: the request is live (type invariant); the buffers are
        // guaranteed by the caller.
        kernel::error::to_result(unsafe {
            bindings::tlsr_aead_crypt(self.as_ptr(), encrypt, aad, aad_len, data, len, iv)
        })
    }
}

impl Drop for Aead {
    fn drop(&mut self) {
        // SAFETY: owned by this value (type invariant).
        unsafe { bindings::tlsr_aead_free(self.0.as_ptr()) };
    }
}
