// SPDX-License-Identifier: GPL-2.0

use super::*;

#[test]
fn none_all_part() {
    let runs = [(10, 20), (30, 40)];
    assert_eq!(cover(&runs, 0, 10), Cover::None);
    assert_eq!(cover(&runs, 20, 30), Cover::None);
    assert_eq!(cover(&runs, 10, 20), Cover::All);
    assert_eq!(cover(&runs, 12, 18), Cover::All);
    assert_eq!(cover(&runs, 5, 15), Cover::Part);
    assert_eq!(cover(&runs, 15, 35), Cover::Part);
    assert_eq!(cover(&runs, 0, 100), Cover::Part);
    assert_eq!(cover(&[], 0, 100), Cover::None);
}

#[test]
fn adjacent_runs_cover_all() {
    assert_eq!(cover(&[(0, 5), (5, 9)], 1, 9), Cover::All);
}

#[test]
fn empty_range_is_none() {
    assert_eq!(cover(&[(0, 100)], 50, 50), Cover::None);
}

#[test]
fn covered_parts_are_clipped() {
    let mut parts = [(0, 0); 4];
    let mut n = 0;
    each_covered(&[(0, 5), (8, 12), (20, 30)], 3, 25, |s, e| {
        parts[n] = (s, e);
        n += 1;
    });
    assert_eq!(&parts[..n], &[(3, 5), (8, 12), (20, 25)]);
}
