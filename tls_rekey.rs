// SPDX-License-Identifier: GPL-2.0

//! tls_rekey: the kernel TLS (kTLS) TCP ULP, with TLS 1.3 key updates that
//! also work with NIC TLS offload.
//!
//! The module registers the `tls` TCP ULP, so userspace TLS stacks and the
//! upstream selftests drive it exactly as they drive net/tls.

use kernel::prelude::*;

#[path = "rust/aead.rs"]
mod aead;
#[path = "rust/bindings.rs"]
mod bindings;
#[path = "rust/context.rs"]
mod context;
#[path = "rust/crypto.rs"]
mod crypto;
#[path = "rust/device/mod.rs"]
mod device;
#[path = "rust/frag.rs"]
mod frag;
#[path = "rust/generations.rs"]
mod generations;
#[path = "rust/hmac.rs"]
mod hmac;
#[path = "rust/logic.rs"]
mod logic;
#[path = "rust/msg.rs"]
mod msg;
#[path = "rust/proc.rs"]
mod proc;
#[path = "rust/proto.rs"]
mod proto;
#[path = "rust/rx_queue.rs"]
mod rx_queue;
#[path = "rust/schedule.rs"]
mod schedule;
#[path = "rust/skb.rs"]
mod skb;
#[path = "rust/sock.rs"]
mod sock;
#[path = "rust/sockopt.rs"]
mod sockopt;
#[path = "rust/sw.rs"]
mod sw;
#[path = "rust/sw_rx.rs"]
mod sw_rx;
#[path = "rust/sw_tx.rs"]
mod sw_tx;
#[path = "rust/ulp.rs"]
mod ulp;

module! {
    type: TlsRekey,
    name: "tls_rekey",
    authors: ["tls_rekey developers"],
    description: "Kernel TLS ULP with TLS 1.3 rekey and offload of several key generations",
    license: "GPL",
    alias: ["tcp-ulp-tls"],
}

// Fields drop in order: the ULP goes first, the counters last. tls.ko
// stays out while this module is loaded without a guard of ours: both
// export tls.ko's driver ABI (rust/exports.c), and the kernel refuses a
// module that exports a name a loaded module exports.
struct TlsRekey {
    _ulp: ulp::Registration,
    _device: device::tx::Registration,
    _proc: proc::ProcRegistration,
}

impl kernel::Module for TlsRekey {
    fn init(module: &'static ThisModule) -> Result<Self> {
        proto::init();
        let device = device::tx::Registration::new()?;
        // The ULP first: it fails while tls.ko, which owns the TLS MIB of
        // every namespace, is loaded.
        let ulp = ulp::Registration::new(module)?;
        let proc = proc::ProcRegistration::new()?;
        pr_info!("registered the \"tls\" TCP ULP\n");
        Ok(Self {
            _ulp: ulp,
            _device: device,
            _proc: proc,
        })
    }
}
