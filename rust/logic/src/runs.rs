// SPDX-License-Identifier: GPL-2.0

//! Device RX: how much of a record the device decrypted, from the byte
//! ranges that came in skbs marked decrypted (`tls_device_decrypted()`'s
//! three cases).

/// How a byte range stands against the decrypted runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cover {
    /// No byte of it was decrypted by the device.
    None,
    /// Every byte of it was.
    All,
    /// Some were: the device lost or failed the record part way.
    Part,
}

/// How `start..end` stands against `runs`: sorted, disjoint, non-empty
/// `(start, end)` ranges. An empty range is [`Cover::None`].
pub fn cover(runs: &[(usize, usize)], start: usize, end: usize) -> Cover {
    if start >= end {
        return Cover::None;
    }
    let mut covered = 0;
    for &(s, e) in runs {
        if e <= start {
            continue;
        }
        if s >= end {
            break;
        }
        covered += e.min(end) - s.max(start);
    }
    match covered {
        0 => Cover::None,
        n if n == end - start => Cover::All,
        _ => Cover::Part,
    }
}

/// The parts of `start..end` that `runs` cover, for each of which `f` is
/// called.
pub fn each_covered(
    runs: &[(usize, usize)],
    start: usize,
    end: usize,
    mut f: impl FnMut(usize, usize),
) {
    for &(s, e) in runs {
        let (s, e) = (s.max(start), e.min(end));
        if s < e {
            f(s, e);
        }
    }
}

#[cfg(test)]
#[path = "runs/tests.rs"]
mod tests;
