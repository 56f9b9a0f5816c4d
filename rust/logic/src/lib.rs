// SPDX-License-Identifier: GPL-2.0

//! Kernel-independent logic of `tls_rekey`, tested on the host.
//!
//! The module compiles these very files (see `rust/logic.rs`), so they must
//! stay `no_std`, allocation-free and compatible with rustc 1.85.

#![no_std]

pub mod cipher;
pub mod errno;
pub mod generation;
pub mod key_schedule;
pub mod key_update;
pub mod record;
pub mod resync;
pub mod runs;
pub mod seq;
pub mod slots;
