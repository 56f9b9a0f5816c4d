// SPDX-License-Identifier: GPL-2.0

//! Device offload (NIC kTLS).
//!
//! tls.ko's driver-facing ABI (the five symbols in-tree drivers link
//! against, and the C layout of the device TX context they read), device
//! TX with its software fallback, and the record sealing the fallback
//! shares with the simulated NIC. RX stays in software: see
//! Documentation/status.rst.

mod abi;
mod caps;
mod fallback;
mod offload_tx;
mod sealer;
pub(crate) mod tx;

pub(crate) use tx::DevTx;
