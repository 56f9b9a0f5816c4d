// SPDX-License-Identifier: GPL-2.0

use super::*;

const NST: [u8; 9] = [4, 0, 0, 5, 1, 2, 3, 4, 5];

#[test]
fn key_updates() {
    assert_eq!(
        parse_handshake(&[24, 0, 0, 1, 0]),
        Ok(Handshake::KeyUpdate {
            update_requested: false
        })
    );
    assert_eq!(
        parse_handshake(&[24, 0, 0, 1, 1]),
        Ok(Handshake::KeyUpdate {
            update_requested: true
        })
    );
    assert_eq!(key_update_message(false), [24, 0, 0, 1, 0]);
    assert_eq!(key_update_message(true), [24, 0, 0, 1, 1]);
    assert_eq!(
        parse_handshake(&key_update_message(true)),
        Ok(Handshake::KeyUpdate {
            update_requested: true
        })
    );
}

#[test]
fn other_handshake_messages() {
    assert_eq!(parse_handshake(&[]), Ok(Handshake::Other));
    assert_eq!(parse_handshake(&NST), Ok(Handshake::Other));
    // Two tickets; a ticket continued in the next record; a header cut.
    let mut two = [0u8; 18];
    two[..9].copy_from_slice(&NST);
    two[9..].copy_from_slice(&NST);
    assert_eq!(parse_handshake(&two), Ok(Handshake::Other));
    assert_eq!(parse_handshake(&NST[..6]), Ok(Handshake::Other));
    assert_eq!(parse_handshake(&NST[..2]), Ok(Handshake::Other));
    // A length far past the record.
    assert_eq!(
        parse_handshake(&[4, 0xff, 0xff, 0xff, 0]),
        Ok(Handshake::Other)
    );
}

#[test]
fn malformed_key_updates() {
    // request_update other than 0 and 1.
    for r in [2, 3, 0x80, 0xff] {
        assert_eq!(
            parse_handshake(&[24, 0, 0, 1, r]),
            Err(Alert::IllegalParameter)
        );
    }
    // Length field not 1, with or without the bytes it announces.
    assert_eq!(parse_handshake(&[24, 0, 0, 0]), Err(Alert::DecodeError));
    assert_eq!(
        parse_handshake(&[24, 0, 0, 2, 0, 0]),
        Err(Alert::DecodeError)
    );
    assert_eq!(parse_handshake(&[24, 0, 1, 1, 0]), Err(Alert::DecodeError));
    assert_eq!(parse_handshake(&[24, 1, 0, 1, 0]), Err(Alert::DecodeError));
    // Cut at the record's end: the header, or the body.
    assert_eq!(parse_handshake(&[24]), Err(Alert::UnexpectedMessage));
    assert_eq!(parse_handshake(&[24, 0, 0]), Err(Alert::UnexpectedMessage));
    assert_eq!(
        parse_handshake(&[24, 0, 0, 1]),
        Err(Alert::UnexpectedMessage)
    );
    // Followed by more, or after another message.
    assert_eq!(
        parse_handshake(&[24, 0, 0, 1, 0, 0]),
        Err(Alert::UnexpectedMessage)
    );
    let mut after = [0u8; 14];
    after[..9].copy_from_slice(&NST);
    after[9..].copy_from_slice(&[24, 0, 0, 1, 1]);
    assert_eq!(parse_handshake(&after), Err(Alert::UnexpectedMessage));
    let mut before = [0u8; 14];
    before[..5].copy_from_slice(&[24, 0, 0, 1, 0]);
    before[5..].copy_from_slice(&NST);
    assert_eq!(parse_handshake(&before), Err(Alert::UnexpectedMessage));
    // The alert numbers of RFC 8446 §6.
    assert_eq!(Alert::UnexpectedMessage as u8, 10);
    assert_eq!(Alert::IllegalParameter as u8, 47);
    assert_eq!(Alert::DecodeError as u8, 50);
}
