// SPDX-License-Identifier: GPL-2.0

use super::*;

#[test]
fn before_and_after_wrap() {
    assert!(seq_before(u32::MAX, 0));
    assert!(!seq_before(0, u32::MAX));
    assert!(seq_after(0, u32::MAX));
    assert!(!seq_before(5, 5) && !seq_after(5, 5));
    assert!(seq_after(0x8000_0000, 1) == seq_before(1, 0x8000_0000));
}

#[test]
fn between_includes_both_ends_and_wraps() {
    assert!(seq_between(10, 10, 20));
    assert!(seq_between(20, 10, 20));
    assert!(!seq_between(9, 10, 20));
    assert!(!seq_between(21, 10, 20));
    // A range across the wrap.
    assert!(seq_between(u32::MAX, u32::MAX - 5, 5));
    assert!(seq_between(0, u32::MAX - 5, 5));
    assert!(seq_between(5, u32::MAX - 5, 5));
    assert!(!seq_between(6, u32::MAX - 5, 5));
    assert!(!seq_between(u32::MAX - 6, u32::MAX - 5, 5));
}
