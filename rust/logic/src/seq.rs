// SPDX-License-Identifier: GPL-2.0

//! TCP sequence number arithmetic (RFC 1982 serial numbers), as the
//! kernel's `before()`, `after()` and `between()` of include/net/tcp.h.

/// `a` is before `b` in TCP sequence space.
pub fn seq_before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// `a` is after `b` in TCP sequence space.
pub fn seq_after(a: u32, b: u32) -> bool {
    seq_before(b, a)
}

/// `seq` lies in `[low, high]` (both ends included), with wrap-around.
pub fn seq_between(seq: u32, low: u32, high: u32) -> bool {
    high.wrapping_sub(low) >= seq.wrapping_sub(low)
}

#[cfg(test)]
#[path = "seq/tests.rs"]
mod tests;
