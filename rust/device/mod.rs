// SPDX-License-Identifier: GPL-2.0

//! Device offload (NIC kTLS).
//!
//! tls.ko's driver-facing ABI (the five symbols in-tree drivers link
//! against, and the C layout of the device TX context they read), device
//! TX with its software fallback and its key generations across rekeys,
//! the record sealing the fallback shares with the simulated NIC, and
//! device RX with its resync and its rekeys.

mod abi;
mod caps;
mod fallback;
mod list;
mod offload_tx;
pub(crate) mod rx;
pub(crate) mod rx_rekey;
mod sealer;
pub(crate) mod tx;
mod tx_gens;
pub(crate) mod tx_rekey;

pub(crate) use rx::DevRx;
pub(crate) use tx::DevTx;
