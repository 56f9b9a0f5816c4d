// SPDX-License-Identifier: GPL-2.0

use super::*;

const V12: u16 = TLS_1_2_VERSION;
const V13: u16 = TLS_1_3_VERSION;

fn hdr(version: u16, cipher_type: u16) -> InfoHeader {
    InfoHeader {
        version,
        cipher_type,
    }
}

#[test]
fn struct_sizes_match_uapi() {
    // sizeof(struct tls12_crypto_info_*) from include/uapi/linux/tls.h.
    let sizes = [
        (51, 40),
        (52, 56),
        (53, 40),
        (54, 56),
        (55, 40),
        (56, 40),
        (57, 40),
        (58, 56),
    ];
    for (cipher, size) in sizes {
        let d = cipher_desc(cipher).expect("known cipher");
        assert_eq!(d.crypto_info_len(), size, "cipher {cipher}");
        assert!(d.crypto_info_len() <= CRYPTO_INFO_MAX_LEN);
        assert_eq!(d.aead_name.last(), Some(&0));
    }
    assert!(cipher_desc(50).is_none());
    assert!(cipher_desc(59).is_none());
    assert!(cipher_desc(0).is_none());
}

#[test]
fn chacha_has_no_explicit_nonce_or_salt() {
    let d = cipher_desc(54).expect("chacha");
    assert_eq!((d.nonce, d.salt, d.iv), (0, 0, 12));
    assert_eq!(d.rec_seq_offset(), 4 + 12 + 32);
}

#[test]
fn new_key_checks() {
    let none = InfoHeader::default();
    assert_eq!(
        check_new(hdr(V12, 51), none, 40).map(|d| d.cipher_type),
        Ok(51)
    );
    assert_eq!(
        check_new(hdr(V13, 54), none, 56).map(|d| d.cipher_type),
        Ok(54)
    );
    assert_eq!(check_new(hdr(0x0302, 51), none, 40), Err(Errno::Inval));
    assert_eq!(check_new(hdr(V12, 50), none, 40), Err(Errno::Inval));
    assert_eq!(check_new(hdr(V12, 51), none, 41), Err(Errno::Inval));
    assert_eq!(check_new(hdr(V12, 51), none, 39), Err(Errno::Inval));
    assert_eq!(check_new(hdr(V13, 57), none, 40), Err(Errno::Inval));
    assert_eq!(check_new(hdr(V12, 57), none, 40).map(|d| d.key), Ok(16));
    // The other direction pins version and cipher.
    assert_eq!(check_new(hdr(V13, 51), hdr(V12, 51), 40), Err(Errno::Inval));
    assert_eq!(check_new(hdr(V12, 52), hdr(V12, 51), 56), Err(Errno::Inval));
    assert!(check_new(hdr(V12, 51), hdr(V12, 51), 40).is_ok());
}

#[test]
fn rekey_checks() {
    assert_eq!(
        check_update(hdr(V12, 51), hdr(V12, 51), 40),
        Err(Errno::Busy)
    );
    assert_eq!(
        check_update(hdr(V13, 51), hdr(V12, 51), 40),
        Err(Errno::Busy)
    );
    assert!(check_update(hdr(V13, 51), hdr(V13, 51), 40).is_ok());
    assert_eq!(
        check_update(hdr(V13, 52), hdr(V13, 51), 56),
        Err(Errno::Inval)
    );
    assert_eq!(
        check_update(hdr(V12, 51), hdr(V13, 51), 40),
        Err(Errno::Inval)
    );
    assert_eq!(
        check_update(hdr(V13, 51), hdr(V13, 51), 56),
        Err(Errno::Inval)
    );
}

#[test]
fn header_is_native_endian() {
    let b = [0x03u16.to_ne_bytes(), 51u16.to_ne_bytes()];
    let h = InfoHeader::from_bytes(&[b[0][0], b[0][1], b[1][0], b[1][1]]);
    assert_eq!(h, hdr(3, 51));
    assert!(h.is_ready());
    assert!(!InfoHeader::default().is_ready());
}

#[test]
fn tx_max_payload_len_bounds() {
    assert!(check_tx_max_payload_len(64, false).is_ok());
    assert_eq!(check_tx_max_payload_len(63, false), Err(Errno::Inval));
    assert!(check_tx_max_payload_len(63, true).is_ok());
    assert_eq!(check_tx_max_payload_len(62, true), Err(Errno::Inval));
    assert!(check_tx_max_payload_len(16384, true).is_ok());
    assert_eq!(check_tx_max_payload_len(16385, false), Err(Errno::Inval));
}

#[test]
fn new_secret_checks() {
    let tls13 = |c| InfoHeader {
        version: TLS_1_3_VERSION,
        cipher_type: c,
    };
    let none = InfoHeader::default();
    assert_eq!(
        check_new_secret(tls13(51), none, 60, 60).map(|(d, h)| (d.cipher_type, h)),
        Ok((51, Hash::Sha256))
    );
    assert_eq!(
        check_new_secret(tls13(52), none, 60, 60).map(|(_, h)| h),
        Ok(Hash::Sha384)
    );
    assert_eq!(
        check_new_secret(tls13(55), tls13(55), 60, 60).map(|(_, h)| h),
        Ok(Hash::Sm3)
    );
    // Wrong size, TLS 1.2, an unknown cipher, ARIA, another cipher or
    // version than the other direction's.
    assert_eq!(check_new_secret(tls13(51), none, 59, 60), Err(Errno::Inval));
    assert_eq!(check_new_secret(tls13(51), none, 61, 60), Err(Errno::Inval));
    let tls12 = InfoHeader {
        version: TLS_1_2_VERSION,
        cipher_type: 51,
    };
    assert_eq!(check_new_secret(tls12, none, 60, 60), Err(Errno::Inval));
    assert_eq!(check_new_secret(tls13(50), none, 60, 60), Err(Errno::Inval));
    assert_eq!(check_new_secret(tls13(57), none, 60, 60), Err(Errno::Inval));
    assert_eq!(
        check_new_secret(tls13(51), tls13(52), 60, 60),
        Err(Errno::Inval)
    );
    assert_eq!(
        check_new_secret(tls13(51), tls12, 60, 60),
        Err(Errno::Inval)
    );
}
