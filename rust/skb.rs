// SPDX-License-Identifier: GPL-2.0

//! Safe views of `struct sk_buff` and `struct net_device`.

use crate::bindings;
use crate::sock::Sock;
use core::ptr::NonNull;
use kernel::types::Opaque;

/// An skb the holder owns a reference to; freed (`kfree_skb()`) on drop.
///
/// # Invariants
///
/// `self.0` is a valid skb and the reference to it is ours.
pub(crate) struct Skb(NonNull<bindings::sk_buff>);

impl Skb {
    /// Takes over the reference to `skb` that the caller holds.
    ///
    /// # Safety
    ///
    /// `skb` must be null or a valid skb whose reference the caller gives up.
    pub(crate) unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Option<Self> {
        // INVARIANT: guaranteed by the caller when non-null.
        NonNull::new(skb).map(Self)
    }

    /// Gives the reference back as a raw pointer.
    pub(crate) fn into_raw(self) -> *mut bindings::sk_buff {
        let p = self.0.as_ptr();
        core::mem::forget(self);
        p
    }

    /// The raw skb, still ours.
    pub(crate) fn as_ptr(&self) -> *mut bindings::sk_buff {
        self.0.as_ptr()
    }

    /// The socket owning the skb, if any.
    pub(crate) fn sock(&self) -> Option<Sock> {
        // SAFETY: the skb is valid by the type invariant; its owning socket
        // outlives it.
        unsafe { Sock::from_raw(bindings::tlsr_skb_sk(self.0.as_ptr())) }
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: the reference is ours by the type invariant.
        unsafe { bindings::tlsr_kfree_skb(self.0.as_ptr()) };
    }
}

/// A network device, borrowed for the duration of a call that passed it.
#[repr(transparent)]
pub(crate) struct NetDevice(Opaque<bindings::net_device>);

impl NetDevice {
    /// Borrows the device at `dev`.
    ///
    /// # Safety
    ///
    /// `dev` must be null or a device that stays registered for `'a`.
    pub(crate) unsafe fn from_raw<'a>(dev: *mut bindings::net_device) -> Option<&'a Self> {
        // SAFETY: `Self` is a transparent wrapper; validity is guaranteed
        // by the caller.
        unsafe { dev.cast::<Self>().as_ref() }
    }

    /// The raw device, for the abstraction files.
    pub(crate) fn as_ptr(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    /// `netif_is_bond_master()`: a bond, which passes TLS skbs down to the
    /// slave that holds the offload.
    pub(crate) fn is_bond_master(&self) -> bool {
        // SAFETY: the device is valid for this borrow.
        unsafe { bindings::tlsr_netif_is_bond_master(self.as_ptr()) }
    }
}
