// SPDX-License-Identifier: GPL-2.0

use super::*;
use crate::cipher::{cipher_desc, TLS_1_2_VERSION};

fn layout(version: u16, cipher: u16) -> Layout {
    Layout::new(version, cipher_desc(cipher).expect("cipher"))
}

#[test]
fn overheads() {
    let l12 = layout(TLS_1_2_VERSION, 51);
    assert_eq!(
        (l12.prepend_len(), l12.tail_len(), l12.overhead()),
        (13, 0, 29)
    );
    let l12c = layout(TLS_1_2_VERSION, 54);
    assert_eq!((l12c.prepend_len(), l12c.overhead()), (5, 21));
    let l13 = layout(TLS_1_3_VERSION, 51);
    assert_eq!(
        (l13.prepend_len(), l13.tail_len(), l13.overhead()),
        (5, 1, 22)
    );
}

#[test]
fn largest_prepend_and_tag() {
    for d in &crate::cipher::CIPHERS {
        for version in [TLS_1_2_VERSION, TLS_1_3_VERSION] {
            let l = Layout::new(version, d);
            assert!(l.prepend_len() <= MAX_PREPEND_LEN && l.tag_len() <= MAX_TAG_LEN);
        }
    }
}

#[test]
fn header_errors_in_upstream_order() {
    let l = layout(TLS_1_2_VERSION, 51);
    // Largest legal: 16384 + 16 + 8.
    assert_eq!(
        l.parse_header(&[23, 3, 3, 0x40, 0x18]),
        Ok(Header {
            content_type: 23,
            record_len: 5 + 16408
        })
    );
    assert_eq!(l.parse_header(&[23, 3, 3, 0x40, 0x19]), Err(Errno::MsgSize));
    assert_eq!(l.parse_header(&[23, 3, 3, 0, 23]), Err(Errno::BadMsg));
    assert_eq!(
        l.parse_header(&[23, 3, 3, 0, 24]).map(|h| h.record_len),
        Ok(29)
    );
    // Size errors come before the version check.
    assert_eq!(l.parse_header(&[23, 3, 1, 0xff, 0xff]), Err(Errno::MsgSize));
    assert_eq!(l.parse_header(&[23, 3, 4, 0, 30]), Err(Errno::Inval));
    assert_eq!(l.parse_header(&[23, 2, 3, 0, 30]), Err(Errno::Inval));
    let l13 = layout(TLS_1_3_VERSION, 51);
    assert!(l13.parse_header(&[23, 3, 3, 0x40, 0x11]).is_ok());
    assert_eq!(
        l13.parse_header(&[23, 3, 3, 0x40, 0x12]),
        Err(Errno::MsgSize)
    );
    assert_eq!(l13.parse_header(&[23, 3, 3, 0, 15]), Err(Errno::BadMsg));
    assert!(l13.parse_header(&[23, 3, 3, 0, 16]).is_ok());
}

#[test]
fn prepend_and_aad() {
    let l = layout(TLS_1_2_VERSION, 51);
    let mut out = [0u8; 13];
    l.write_prepend(21, 2, &[1, 2, 3, 4, 5, 6, 7, 8], &mut out);
    assert_eq!(out, [21, 3, 3, 0, 26, 1, 2, 3, 4, 5, 6, 7, 8]);
    let mut aad = [0u8; MAX_AAD_LEN];
    assert_eq!(l.aad(0x0102, 23, 300, &mut aad), 13);
    assert_eq!(aad, [0, 0, 0, 0, 0, 0, 1, 2, 23, 3, 3, 1, 44]);

    let l13 = layout(TLS_1_3_VERSION, 51);
    let mut out = [0u8; 5];
    l13.write_prepend(22, 4, &[], &mut out);
    assert_eq!(out, [23, 3, 3, 0, 21]);
    assert_eq!(l13.aad(99, 22, 4, &mut aad), 5);
    assert_eq!(aad[..5], [23, 3, 3, 0, 21]);
}

#[test]
fn nonces() {
    let iv: [u8; IV_LEN] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    let mut out = [0u8; MAX_AEAD_IV_LEN];
    // TLS 1.2 GCM: salt, then the explicit nonce of the record.
    let l = layout(TLS_1_2_VERSION, 51);
    assert_eq!(l.aead_iv(&iv, 7, &[0xa0; 8], &mut out), 12);
    assert_eq!(
        out[..12],
        [1, 2, 3, 4, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0, 0xa0]
    );
    // TLS 1.3 and ChaCha20: IV xor the sequence number.
    let l13 = layout(TLS_1_3_VERSION, 52);
    assert_eq!(l13.aead_iv(&iv, 0x0100_0000_0000_0003, &[], &mut out), 12);
    assert_eq!(out[..12], [1, 2, 3, 4, 5 ^ 1, 6, 7, 8, 9, 10, 11, 12 ^ 3]);
    let lc = layout(TLS_1_2_VERSION, 54);
    assert_eq!(lc.aead_iv(&iv, 1, &[], &mut out), 12);
    assert_eq!(out[11], 13);
    // CCM: B0 flags byte, nonce, zero counter.
    let lccm = layout(TLS_1_3_VERSION, 53);
    assert_eq!(lccm.aead_iv(&iv, 2, &[], &mut out), 16);
    assert_eq!(out, [2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 0, 0, 0]);
    let lsm4 = layout(TLS_1_2_VERSION, 56);
    assert_eq!(lsm4.aead_iv(&iv, 2, &[9; 8], &mut out), 16);
    assert_eq!(out[..6], [2, 1, 2, 3, 4, 9]);
}

#[test]
fn crypto_info_fields() {
    let d = cipher_desc(51).expect("gcm");
    let mut info = [0u8; 40];
    info[4..12].copy_from_slice(&[1; 8]); // iv
    info[28..32].copy_from_slice(&[2; 4]); // salt
    info[32..40].copy_from_slice(&5u64.to_be_bytes()); // rec_seq
    assert_eq!(
        connection_iv(d, &info),
        [2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    );
    assert_eq!(initial_seq(d, &info), 5);
    let c = cipher_desc(54).expect("chacha");
    let mut info = [0u8; 56];
    info[4..16].copy_from_slice(&[7; 12]);
    assert_eq!(connection_iv(c, &info), [7; 12]);
}

#[test]
fn inner_type() {
    assert_eq!(inner_content_type(b"abc\x17"), Some((3, 23)));
    assert_eq!(inner_content_type(b"abc\x16\0\0\0"), Some((3, 22)));
    assert_eq!(inner_content_type(b"\x15"), Some((0, 21)));
    assert_eq!(inner_content_type(b"\0\0"), None);
    assert_eq!(inner_content_type(b""), None);
}
