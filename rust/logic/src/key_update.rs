// SPDX-License-Identifier: GPL-2.0

//! KeyUpdate messages (RFC 8446 §4.6.3) as the kernel-side key schedule
//! takes and sends them: which received handshake records hold one, which
//! are malformed (and with which alert, §6), and the message it sends.

use super::record::HS_KEY_UPDATE;

/// Size of a handshake message header: type and 24-bit length (§4).
const HS_HEADER_LEN: usize = 4;

/// The one body byte of a KeyUpdate (`KeyUpdateRequest`).
const KEY_UPDATE_BODY_LEN: usize = 1;

/// Size of a whole KeyUpdate message.
pub const KEY_UPDATE_LEN: usize = HS_HEADER_LEN + KEY_UPDATE_BODY_LEN;

/// The fatal alerts a malformed KeyUpdate ends the connection with: the
/// `AlertDescription` values of RFC 8446 §6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Alert {
    /// A KeyUpdate that does not end at its record's end, does not start
    /// it, or shares it with other messages: handshake messages must not
    /// span a key change (§5.1).
    UnexpectedMessage = 10,
    /// A `request_update` other than 0 or 1 (§4.6.3).
    IllegalParameter = 47,
    /// A KeyUpdate whose length field is not 1 (§6.2: a message that
    /// cannot be parsed).
    DecodeError = 50,
}

/// What a received handshake record is to the kernel schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handshake {
    /// A KeyUpdate alone in its record.
    KeyUpdate {
        /// `update_requested`: the peer asks for a KeyUpdate in return.
        update_requested: bool,
    },
    /// No KeyUpdate: the record goes to userspace as upstream delivers
    /// handshake records (a NewSessionTicket, say).
    Other,
}

/// Classifies the plaintext of a received handshake record, walking its
/// messages (a message may continue in the next record, except a
/// KeyUpdate).
pub fn parse_handshake(record: &[u8]) -> Result<Handshake, Alert> {
    let mut pos = 0;
    while let Some(rest) = record.get(pos..).filter(|r| !r.is_empty()) {
        let Some(header) = rest.get(..HS_HEADER_LEN) else {
            // A header cut at the record's end: the rest is in the next
            // record, which a KeyUpdate may not be.
            return if rest[0] == HS_KEY_UPDATE {
                Err(Alert::UnexpectedMessage)
            } else {
                Ok(Handshake::Other)
            };
        };
        let len =
            usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
        if header[0] == HS_KEY_UPDATE {
            if len != KEY_UPDATE_BODY_LEN {
                return Err(Alert::DecodeError);
            }
            let Some(&request) = rest.get(HS_HEADER_LEN) else {
                return Err(Alert::UnexpectedMessage);
            };
            if request > 1 {
                return Err(Alert::IllegalParameter);
            }
            if pos != 0 || rest.len() != KEY_UPDATE_LEN {
                return Err(Alert::UnexpectedMessage);
            }
            return Ok(Handshake::KeyUpdate {
                update_requested: request == 1,
            });
        }
        match (HS_HEADER_LEN + len).checked_add(pos) {
            Some(next) if next <= record.len() => pos = next,
            // Continued in the next record.
            _ => return Ok(Handshake::Other),
        }
    }
    Ok(Handshake::Other)
}

/// The KeyUpdate message the kernel sends.
pub const fn key_update_message(update_requested: bool) -> [u8; KEY_UPDATE_LEN] {
    [HS_KEY_UPDATE, 0, 0, 1, update_requested as u8]
}

#[cfg(test)]
#[path = "key_update/tests.rs"]
mod tests;
