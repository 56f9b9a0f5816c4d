// SPDX-License-Identifier: GPL-2.0

use super::*;
extern crate std;
use std::vec;
use std::vec::Vec;

fn rec(generation: u32, seq: u64, start: u32, len: u32) -> RecordInfo {
    RecordInfo {
        generation,
        seq,
        tcp_start: start,
        tcp_end: start.wrapping_add(len),
    }
}

fn log(cap: usize) -> RecordLog<Vec<RecordInfo>> {
    RecordLog::new(vec![RecordInfo::default(); cap])
}

#[test]
fn lookup_across_a_rekey() {
    let mut l = log(8);
    l.push(rec(0, 7, 1000, 100)).expect("push");
    l.push(rec(0, 8, 1100, 50)).expect("push");
    // Rekey: the sequence restarts in generation 1.
    l.push(rec(1, 0, 1150, 200)).expect("push");
    assert_eq!(l.lookup(999), None);
    assert_eq!(l.lookup(1000).map(|r| (r.generation, r.seq)), Some((0, 7)));
    assert_eq!(l.lookup(1149).map(|r| (r.generation, r.seq)), Some((0, 8)));
    assert_eq!(l.lookup(1150).map(|r| (r.generation, r.seq)), Some((1, 0)));
    assert_eq!(l.lookup(1349).map(|r| r.generation), Some(1));
    assert_eq!(l.lookup(1350), None);
    assert_eq!(l.oldest_live_generation(), Some(0));
    assert_eq!(l.retire_before(1149), 1);
    assert_eq!(l.oldest_live_generation(), Some(0));
    assert_eq!(l.retire_before(1150), 1);
    assert_eq!(l.oldest_live_generation(), Some(1));
    assert_eq!(l.retire_before(5000), 1);
    assert!(l.is_empty());
}

#[test]
fn order_is_enforced() {
    let mut l = log(4);
    l.push(rec(0, 0, 10, 10)).expect("push");
    assert_eq!(l.push(rec(0, 1, 21, 10)), Err(LogError::OutOfOrder));
    assert_eq!(l.push(rec(0, 0, 20, 10)), Err(LogError::OutOfOrder));
    assert_eq!(l.push(rec(1, 0, 20, 0)), Ok(()));
    assert_eq!(l.push(rec(0, 5, 20, 10)), Err(LogError::OutOfOrder));
}

#[test]
fn full_and_ring_reuse() {
    let mut l = log(3);
    let mut start = 0u32;
    for seq in 0..3 {
        l.push(rec(0, seq, start, 5)).expect("push");
        start += 5;
    }
    assert_eq!(l.push(rec(0, 3, start, 5)), Err(LogError::Full));
    assert_eq!(l.retire_before(5), 1);
    l.push(rec(0, 3, start, 5)).expect("push after retire");
    assert_eq!(l.len(), 3);
    assert_eq!(l.lookup(17).map(|r| r.seq), Some(3));
    assert_eq!(l.first().map(|r| r.seq), Some(1));
    assert_eq!(l.last().map(|r| r.seq), Some(3));
    assert!(l.grow(vec![RecordInfo::default(); 3]).is_err());
    l.grow(vec![RecordInfo::default(); 6]).expect("grow");
    assert_eq!(l.capacity(), 6);
    l.push(rec(0, 4, start + 5, 5)).expect("push after grow");
    assert_eq!(l.lookup(7).map(|r| r.seq), Some(1));
    assert_eq!(l.lookup(22).map(|r| r.seq), Some(4));
}

#[test]
fn tcp_sequence_wraps() {
    let mut l = log(4);
    let s = u32::MAX - 9;
    l.push(rec(2, 0, s, 10)).expect("push");
    l.push(rec(2, 1, 0, 10)).expect("push");
    assert_eq!(l.lookup(u32::MAX).map(|r| r.seq), Some(0));
    assert_eq!(l.lookup(0).map(|r| r.seq), Some(1));
    assert_eq!(l.lookup(9).map(|r| r.seq), Some(1));
    assert_eq!(l.lookup(10), None);
    assert_eq!(l.retire_before(0), 1);
}

#[test]
fn matches_a_linear_model() {
    // Random pushes and retires against a plain vector.
    let mut l = log(16);
    let mut model: Vec<RecordInfo> = Vec::new();
    let mut x = 0x2545_f491_u32;
    let mut next = rec(0, 0, 0xffff_ff00, 0);
    for _ in 0..5000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if x % 3 != 0 {
            let generation = next.generation + u32::from(x % 7 == 0);
            let seq = if generation == next.generation {
                next.seq + 1
            } else {
                0
            };
            let r = rec(generation, seq, next.tcp_end, x % 300);
            match l.push(r) {
                Ok(()) => {
                    model.push(r);
                    next = r;
                }
                Err(e) => assert_eq!((e, model.len()), (LogError::Full, 16)),
            }
        } else if let Some(first) = model.first().copied() {
            let una = first.tcp_start.wrapping_add(x % 400);
            let before = model.len();
            model.retain(|r| seq_before(una, r.tcp_end));
            assert_eq!(l.retire_before(una), before - model.len());
        }
        let probe = next.tcp_end.wrapping_sub(x % 2000);
        let want = model
            .iter()
            .find(|r| !seq_before(probe, r.tcp_start) && seq_before(probe, r.tcp_end));
        assert_eq!(l.lookup(probe), want);
        assert_eq!(l.len(), model.len());
    }
}
