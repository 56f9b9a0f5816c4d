// SPDX-License-Identifier: GPL-2.0

//! Raw FFI of `tls_rekey`: the module-local bindgen output (see `Kbuild`).
//!
//! Only the abstraction files (`sock.rs`, `context.rs`, `proto.rs`, `ulp.rs`,
//! `guard.rs`) use these; the rest of the module sees safe types.

#![allow(
    clippy::all,
    clippy::as_underscore,
    clippy::cast_lossless,
    clippy::ptr_as_ptr,
    clippy::ref_as_ptr,
    clippy::undocumented_unsafe_blocks,
    dead_code,
    // Pointers to opaque blobs of 16-byte aligned types (`struct page`):
    // bindgen spells the alignment with `u128`, as in the kernel's crate.
    improper_ctypes,
    missing_docs,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unreachable_pub,
    unsafe_op_in_unsafe_fn
)]

use kernel::ffi;

include!(env!("TLSR_BINDINGS"));
