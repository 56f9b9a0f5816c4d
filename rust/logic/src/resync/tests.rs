// SPDX-License-Identifier: GPL-2.0

use super::*;

/// `RESYNC_REQ`.
const REQ: u64 = 1 << 0;

fn start(seq: u32, len: u16) -> u64 {
    (u64::from(seq) << 32) | (u64::from(len) << 16) | REQ | REQ_ASYNC
}

fn end(seq: u32) -> u64 {
    (u64::from(seq) << 32) | REQ
}

#[test]
fn next_hint_backs_off() {
    let mut nh = NextHint::default();
    let mut reset = true;
    // The first record all ciphertext after a decrypted one starts over.
    assert!(!nh.encrypted_record(&mut reset));
    assert!(!reset);
    assert_eq!(
        nh,
        NextHint {
            failed: 1,
            target: NH_START_IVAL
        }
    );
    // Hints at 3, then 4 more records later (target 4), 8 more, ...
    let (mut due, mut count, mut last) = ([0u32; 4], 0, 0);
    for n in 2..=700u32 {
        if nh.encrypted_record(&mut reset) {
            if count < due.len() {
                due[count] = n;
            }
            assert!(n - last <= NH_MAX_IVAL + 1);
            count += 1;
            last = n;
        }
    }
    assert_eq!(due, [3, 5, 9, 17]);
    // Past the largest interval the target grows linearly.
    assert!(nh.target > NH_MAX_IVAL && nh.target % NH_MAX_IVAL == 0);
    // Something decrypted: back to the start interval.
    reset = true;
    assert!(!nh.encrypted_record(&mut reset));
    assert_eq!(nh.target, NH_START_IVAL);
}

#[test]
fn async_logs_the_range_then_matches() {
    let (mut loglen, mut delta, mut log) = (0u16, 0u16, [0u32; 13]);
    let mut l = AsyncLog {
        loglen: &mut loglen,
        rcd_delta: &mut delta,
        log: &mut log,
    };
    // Candidate range 1000..=2000; records start at 500, 1000, 1500, 2500.
    let req = start(1000, 1000);
    assert_eq!(l.new_rec(req, 500), AsyncStep::Wait);
    assert_eq!(l.new_rec(req, 1000), AsyncStep::Wait);
    assert_eq!(l.new_rec(req, 1500), AsyncStep::Wait);
    assert_eq!(l.new_rec(req, 2500), AsyncStep::Wait);
    assert_eq!((*l.loglen, *l.rcd_delta), (2, 3));
    // The driver settles on 1500: two records back from the one at 3000.
    assert_eq!(
        l.new_rec(end(1500), 3000),
        AsyncStep::Resync {
            seq: 1500,
            rcd_delta: 2
        }
    );
    assert_eq!((*l.loglen, *l.rcd_delta), (0, 0));
}

#[test]
fn async_sync_stage_without_log() {
    let (mut loglen, mut delta, mut log) = (0u16, 0u16, [0u32; 13]);
    let mut l = AsyncLog {
        loglen: &mut loglen,
        rcd_delta: &mut delta,
        log: &mut log,
    };
    // The end came before the ULP parsed anything: the record itself.
    assert_eq!(l.new_rec(end(4000), 3000), AsyncStep::Wait);
    assert_eq!(
        l.new_rec(end(4000), 4000),
        AsyncStep::Resync {
            seq: 4000,
            rcd_delta: 0
        }
    );
}

#[test]
fn async_unknown_header_waits_and_forgets() {
    let (mut loglen, mut delta, mut log) = (0u16, 0u16, [0u32; 13]);
    let mut l = AsyncLog {
        loglen: &mut loglen,
        rcd_delta: &mut delta,
        log: &mut log,
    };
    assert_eq!(l.new_rec(start(100, 50), 120), AsyncStep::Wait);
    assert_eq!(l.new_rec(end(130), 200), AsyncStep::Wait);
    assert_eq!((*l.loglen, *l.rcd_delta), (0, 0));
}

#[test]
fn async_log_is_bounded_and_stage_cancels() {
    let (mut loglen, mut delta, mut log) = (0u16, 0u16, [0u32; 13]);
    let mut l = AsyncLog {
        loglen: &mut loglen,
        rcd_delta: &mut delta,
        log: &mut log,
    };
    let req = start(0, u16::MAX);
    for s in 0..20u32 {
        assert_eq!(l.new_rec(req, s * 10), AsyncStep::Wait);
    }
    assert_eq!((*l.loglen, *l.rcd_delta), (13, 20));
    // The 13th logged header (seq 120) is 20 - 12 records back.
    assert_eq!(
        l.new_rec(end(120), 200),
        AsyncStep::Resync {
            seq: 120,
            rcd_delta: 8
        }
    );
    *l.rcd_delta = u16::MAX;
    assert_eq!(l.new_rec(req, 5), AsyncStep::Cancel);
}

#[test]
fn async_range_wraps_sequence_space() {
    let (mut loglen, mut delta, mut log) = (0u16, 0u16, [0u32; 13]);
    let mut l = AsyncLog {
        loglen: &mut loglen,
        rcd_delta: &mut delta,
        log: &mut log,
    };
    let req = start(u32::MAX - 10, 100);
    assert_eq!(l.new_rec(req, 20), AsyncStep::Wait);
    assert_eq!(*l.loglen, 1);
    assert_eq!(
        l.new_rec(end(20), 40),
        AsyncStep::Resync {
            seq: 20,
            rcd_delta: 1
        }
    );
}

fn hdr_len(h: &[u8; HEADER_LEN]) -> Option<usize> {
    (h[0] == 23).then(|| HEADER_LEN + usize::from(u16::from_be_bytes([h[3], h[4]])))
}

#[test]
fn next_unseen_boundary() {
    // Nothing after the record: the next record starts right there.
    assert_eq!(next_unseen(&[], hdr_len), Some((0, 0)));
    // One whole record of 5 + 3 after it: the one after that.
    let whole = [23, 3, 3, 0, 3, 1, 2, 3];
    assert_eq!(next_unseen(&whole, hdr_len), Some((8, 1)));
    // A record whose header is in but not all of it: its end.
    assert_eq!(next_unseen(&whole[..6], hdr_len), Some((8, 1)));
    let two = [23, 3, 3, 0, 0, 23, 3, 3, 1, 0];
    assert_eq!(next_unseen(&two, hdr_len), Some((5 + 5 + 256, 2)));
    // A header cut short, or not a header: unknown.
    assert_eq!(next_unseen(&whole[..3], hdr_len), None);
    assert_eq!(next_unseen(&[22, 3, 3, 0, 1, 0], hdr_len), None);
}
