// SPDX-License-Identifier: GPL-2.0

//! Keeps tls.ko out while this module owns the `tls` ULP.
//!
//! tls.ko ignores the `-EEXIST` of `tcp_register_ulp()`, so it would load
//! "successfully" next to us and, on `rmmod tls`, unlink our ULP node from
//! the list. A module notifier refuses its load instead.

use crate::bindings;
use core::cell::UnsafeCell;
use kernel::ffi::{c_int, c_ulong, c_void};
use kernel::prelude::*;
use kernel::str::CStr;

/// `MODULE_STATE_COMING` (include/linux/module.h).
const MODULE_STATE_COMING: c_ulong = 1;
/// `NOTIFY_DONE`.
const NOTIFY_DONE: c_int = 0;

/// Module notifier callback: refuses tls.ko while we own the ULP.
///
/// # Safety
///
/// Called by the module notifier chain with a `struct module` as `data`.
unsafe extern "C" fn module_event(
    _nb: *mut bindings::notifier_block,
    action: c_ulong,
    data: *mut c_void,
) -> c_int {
    if action != MODULE_STATE_COMING || data.is_null() {
        return NOTIFY_DONE;
    }
    // SAFETY: for module events `data` is the `struct module` being loaded,
    // whose name is a NUL-terminated array.
    let name = unsafe { CStr::from_char_ptr(bindings::tlsr_module_name(data.cast())) };
    if name.to_bytes() != b"tls" {
        return NOTIFY_DONE;
    }
    pr_err!("refusing to load tls.ko: tls_rekey owns the \"tls\" TCP ULP; rmmod tls_rekey first\n");
    // SAFETY: pure computation in C.
    unsafe { bindings::tlsr_notifier_errno(-(EBUSY.to_errno().abs())) }
}

struct Notifier(UnsafeCell<bindings::notifier_block>);

// SAFETY: written only by the notifier chain's own locking.
unsafe impl Sync for Notifier {}

static NOTIFIER: Notifier = Notifier(UnsafeCell::new(bindings::notifier_block {
    notifier_call: Some(module_event),
    next: core::ptr::null_mut(),
    priority: 0,
}));

/// The module notifier, registered while this value lives.
pub(crate) struct TlsKoGuard;

impl TlsKoGuard {
    /// Registers the notifier.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: `NOTIFIER` is a static that outlives the registration.
        kernel::error::to_result(unsafe { bindings::register_module_notifier(NOTIFIER.0.get()) })?;
        Ok(Self)
    }
}

impl Drop for TlsKoGuard {
    fn drop(&mut self) {
        // SAFETY: registered in `new`.
        unsafe { bindings::unregister_module_notifier(NOTIFIER.0.get()) };
    }
}
