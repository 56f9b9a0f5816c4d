// SPDX-License-Identifier: GPL-2.0

//! The kernel-independent logic of tls_rekey that the device needs: cipher
//! descriptors and `crypto_info` layout, record layout, nonces and
//! additional data, how a segment splits into key generations; the main
//! module's own files (rust/logic), compiled
//! again rather than copied. What the device puts on the wire is checked
//! by a software kTLS receiver, an independent implementation.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../rust/logic/src/cipher.rs"]
pub(crate) mod cipher;
#[allow(dead_code, unreachable_pub)]
#[path = "../../../rust/logic/src/errno.rs"]
pub(crate) mod errno;
#[allow(dead_code, unreachable_pub)]
#[path = "../../../rust/logic/src/record.rs"]
pub(crate) mod record;
#[allow(dead_code, unreachable_pub)]
#[path = "../../../rust/logic/src/seq.rs"]
pub(crate) mod seq;
#[allow(dead_code, unreachable_pub)]
#[path = "../../../rust/logic/src/slots.rs"]
pub(crate) mod slots;
