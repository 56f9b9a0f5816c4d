// SPDX-License-Identifier: GPL-2.0

//! Software fallback for device TX (`tls_device_fallback.c`'s role): skbs
//! of a device TX socket that leave through another device (route
//! change, device down) or that a driver hands back (`tls_encrypt_skb()`)
//! are sealed in software from the records' plaintext on the device TX
//! list, each record from its start with its own key generation and
//! sequence number.

use super::tx::DevTx;
use crate::bindings;
use crate::proc::Stat;
use crate::skb::Skb;
use crate::sock::Sock;
use core::ptr::null_mut;

/// Seals `skb` of the device TX state `dev` in software: a private copy
/// with ciphertext in place of the plaintext records replaces it. `None`
/// (the skb dropped; TCP retransmits it) if memory or the record list
/// fail. The records sealed count in `TlsTxDeviceFallback`, and in `cause`
/// too if given.
///
/// # Safety
///
/// `dev` is the live device TX state of `skb`'s socket.
pub(crate) unsafe fn encrypt_skb(dev: *mut DevTx, skb: Skb, cause: Option<Stat>) -> Option<Skb> {
    let (mut seq, mut payload, mut len) = (0u32, null_mut(), 0u32);
    // SAFETY: `skb` is a valid TCP skb; the out pointers are locals.
    let copy =
        unsafe { bindings::tlsr_skb_fallback_copy(skb.as_ptr(), &mut seq, &mut payload, &mut len) };
    if len == 0 {
        // No payload (an ACK, a FIN): nothing to seal.
        return Some(skb);
    }
    // SAFETY: the copy is ours; `None` (out of memory) drops `skb`.
    let copy = unsafe { Skb::from_raw(copy) }?;
    // SAFETY: the copy is linear and private: `len` payload bytes at
    // `payload`, ours until it is handed on.
    let payload = unsafe { core::slice::from_raw_parts_mut(payload, len as usize) };
    let sealed = {
        // SAFETY: `dev` is live by the caller's guarantee.
        let mut locked = unsafe { DevTx::lock(dev) };
        let (list, gens) = locked.offload_and_gens();
        gens.seal(list, seq, payload)
    };
    let Ok(records) = sealed else {
        kernel::pr_warn_once!("TLS device fallback: segment without its records\n");
        return None;
    };
    // SAFETY: `skb` is valid; its socket is live (the caller's).
    if let Some(sk) = unsafe { Sock::from_raw(bindings::tlsr_skb_sk(skb.as_ptr())) } {
        Stat::TxDeviceFallback.add(&sk, records as i32);
        if let Some(cause) = cause {
            cause.add(&sk, records as i32);
        }
    }
    // SAFETY: `copy` replaces `skb`, which it takes over and frees.
    unsafe {
        Skb::from_raw(bindings::tlsr_skb_fallback_finish(
            skb.into_raw(),
            copy.into_raw(),
        ))
    }
}
