// SPDX-License-Identifier: GPL-2.0

extern crate std;
use super::*;
use std::vec::Vec;

fn retired(s: &mut Slots, done: u32) -> [Option<(usize, u32)>; 2] {
    let mut out = [None; 2];
    let mut k = 0;
    s.done(done, |i, g| {
        out[k] = Some((i, g));
        k += 1;
    });
    out
}

#[test]
fn one_slot_waits_for_the_old_records() {
    let mut s = Slots::new(1, 0, 1000);
    assert_eq!(s.device_for(0, 1000), Some(0));
    assert_eq!(s.rekey(1, 5000), Placement::Waiting);
    assert_eq!(s.waiting(), Some(1));
    // Old-key records, retransmits included, stay on the device.
    assert_eq!(s.device_for(0, 4000), Some(0));
    assert_eq!(s.device_for(1, 5000), None);
    // Not all old-key records acknowledged: nothing leaves, nothing moves.
    assert_eq!(retired(&mut s, 4999), [None, None]);
    assert_eq!(s.place_waiting(6000), None);
    assert_eq!(retired(&mut s, 5000), [Some((0, 0)), None]);
    assert_eq!(s.device_for(0, 4000), None);
    // The next record boundary: the device takes the new key from there.
    assert_eq!(s.place_waiting(7000), Some((0, 1)));
    assert_eq!(s.waiting(), None);
    assert_eq!(s.device_for(1, 5000), None, "sealed in the software window");
    assert_eq!(s.device_for(1, 7000), Some(0));
}

#[test]
fn two_slots_need_no_software_window() {
    let mut s = Slots::new(2, 0, 0);
    assert_eq!(s.rekey(1, 100), Placement::Device(1));
    assert_eq!(
        (s.device_for(0, 50), s.device_for(1, 100)),
        (Some(0), Some(1))
    );
    assert_eq!(s.in_use(), 2);
    assert_eq!(retired(&mut s, 100), [Some((0, 0)), None]);
    assert_eq!(s.rekey(2, 300), Placement::Device(0));
    assert_eq!(s.device_for(1, 200), Some(1));
    assert_eq!(retired(&mut s, 299), [None, None]);
    assert_eq!(retired(&mut s, 300), [Some((1, 1)), None]);
}

#[test]
fn rekeys_faster_than_acks_wait_for_the_newest() {
    let mut s = Slots::new(2, 0, 0);
    assert_eq!(s.rekey(1, 100), Placement::Device(1));
    assert_eq!(s.rekey(2, 200), Placement::Waiting);
    assert_eq!(s.rekey(3, 300), Placement::Waiting);
    assert_eq!(s.waiting(), Some(3));
    // Generation 2 went through software whole and never takes a slot.
    assert_eq!(retired(&mut s, 250), [Some((0, 0)), Some((1, 1))]);
    assert_eq!(s.place_waiting(400), Some((0, 3)));
    assert_eq!(s.device_for(2, 400), None);
    assert_eq!(s.device_for(3, 350), None);
    assert_eq!(s.device_for(3, 400), Some(0));
}

#[test]
fn across_the_sequence_wrap() {
    let mut s = Slots::new(2, 0, u32::MAX - 100);
    assert_eq!(s.rekey(1, 50), Placement::Device(1));
    assert_eq!(s.device_for(0, u32::MAX), Some(0));
    assert_eq!(retired(&mut s, u32::MAX), [None, None]);
    assert_eq!(retired(&mut s, 50), [Some((0, 0)), None]);
}

#[test]
fn a_lost_slot_sends_its_records_through_software() {
    let mut s = Slots::new(3, 0, 0);
    assert_eq!(s.rekey(1, 10), Placement::Device(1));
    assert_eq!(s.lose(1).map(|h| h.generation), Some(1));
    assert_eq!(s.device_for(1, 10), None);
    assert_eq!(s.rekey(2, 20), Placement::Device(1));
    assert_eq!(s.lose(MAX_SLOTS), None);
}

#[test]
fn slot_count_is_bounded() {
    let mut s = Slots::new(0, 0, 0);
    assert_eq!(s.rekey(1, 1), Placement::Waiting, "at least one slot");
    let mut s = Slots::new(MAX_SLOTS + 3, 0, 0);
    for g in 1..MAX_SLOTS as u32 {
        assert_eq!(s.rekey(g, g), Placement::Device(g as usize));
    }
    assert_eq!(s.rekey(MAX_SLOTS as u32, 99), Placement::Waiting);
}

#[test]
fn eviction_frees_the_oldest_slot() {
    let mut s = Slots::new(2, 0, 0);
    assert_eq!(s.capacity(), 2);
    assert_eq!(s.next_end(), None);
    assert_eq!(s.rekey(1, 100), Placement::Device(1));
    assert_eq!(s.next_end(), Some(100));
    assert_eq!(s.rekey(2, 200), Placement::Waiting);
    assert_eq!(s.evict_oldest(), Some((0, 0)));
    assert_eq!(
        s.device_for(0, 50),
        None,
        "its retransmits go through software"
    );
    assert_eq!(s.place_waiting(200), Some((0, 2)));
    assert_eq!(s.device_for(2, 200), Some(0));
    assert_eq!(s.device_for(1, 150), Some(1));
    // Across the sequence wrap the oldest is still the one before.
    let mut w = Slots::new(2, 5, u32::MAX - 10);
    assert_eq!(w.rekey(6, 20), Placement::Device(1));
    assert_eq!(w.evict_oldest(), Some((0, 5)));
}

fn runs(starts: &[u32], seq: u32, len: usize) -> Vec<(usize, usize, Option<usize>)> {
    let mut out = Vec::new();
    for_each_run::<()>(starts, seq, len, |o, n, i| {
        out.push((o, n, i));
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn segments_split_at_generation_starts() {
    assert_eq!(runs(&[1000], 1000, 10), [(0, 10, Some(0))]);
    assert_eq!(runs(&[1000], 990, 20), [(0, 10, None), (10, 10, Some(0))]);
    assert_eq!(
        runs(&[1000, 1005, 1100], 1002, 200),
        [(0, 3, Some(0)), (3, 95, Some(1)), (98, 102, Some(2))]
    );
    assert_eq!(runs(&[], 5, 7), [(0, 7, None)]);
    // Across the wrap.
    assert_eq!(
        runs(&[u32::MAX - 1, 3], u32::MAX - 2, 10),
        [(0, 1, None), (1, 5, Some(0)), (6, 4, Some(1))]
    );
    // Errors stop the walk.
    let mut calls = 0;
    let r = for_each_run(&[10], 0, 20, |_, _, _| {
        calls += 1;
        Err(())
    });
    assert_eq!((r, calls), (Err(()), 1));
}
