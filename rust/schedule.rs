// SPDX-License-Identifier: GPL-2.0

//! The kernel-side TLS 1.3 key schedule of one direction
//! (`TLS_TX_SECRET`, `TLS_RX_SECRET`): the current traffic secret, from
//! which the kernel derives the key and IV of each generation (RFC 8446
//! §7.3) and the secret of the next (§7.2).

use crate::bindings;
use crate::crypto::{KeyBuf, KeyState, Wiped};
use crate::hmac::KernelHmac;
use crate::logic::cipher::{CipherDesc, CRYPTO_INFO_MAX_LEN, TLS_1_3_VERSION};
use crate::logic::key_schedule::{next_traffic_secret, secret_crypto_info, Hmac, MAX_HASH_LEN};
use kernel::prelude::*;

/// A traffic secret, wiped when dropped.
type Secret = Wiped<[u8; MAX_HASH_LEN]>;

/// The schedule of one direction: its cipher, the HMAC of the cipher's
/// hash and the traffic secret of the current key generation.
pub(crate) struct Schedule {
    desc: &'static CipherDesc,
    hmac: KernelHmac,
    secret: Secret,
    /// TX: records a key seals before the kernel sends a KeyUpdate
    /// (`TLS_TX_KEY_UPDATE_RECORDS`).
    pub(crate) records: u64,
}

/// The next key generation of a [`Schedule`], derived but not taken yet:
/// its secret and its key.
pub(crate) struct Next {
    secret: Secret,
    /// The key of the next generation, at record sequence number 0.
    pub(crate) key: KeyState,
    /// Its `crypto_info`, for the context (`getsockopt`, drivers).
    pub(crate) info: KeyBuf,
}

impl Schedule {
    /// The schedule of `secret` (at least one hash of the cipher's suite
    /// long: that much is taken) and the key of its first generation, at
    /// record sequence number `rec_seq`, with its `crypto_info`. `ENOENT`
    /// if the kernel has no HMAC of the suite's hash (SM3 without
    /// `CONFIG_CRYPTO_SM3`).
    pub(crate) fn new(
        desc: &'static CipherDesc,
        secret: &[u8],
        rec_seq: &[u8; 8],
    ) -> Result<(Self, KeyState, KeyBuf)> {
        let hash = desc.tls13_hash.ok_or(EINVAL)?;
        let n = hash.len();
        let mut first = Wiped([0; MAX_HASH_LEN]);
        first.0[..n].copy_from_slice(secret.get(..n).ok_or(EINVAL)?);
        let mut hmac = KernelHmac::new(hash)?;
        let mut info = Wiped([0; CRYPTO_INFO_MAX_LEN]);
        let key = key_of(&mut hmac, desc, &first.0[..n], rec_seq, &mut info, 0)?;
        let s = Self {
            desc,
            hmac,
            secret: first,
            records: u64::from(bindings::TLS_KEY_UPDATE_RECORDS_DEFAULT),
        };
        Ok((s, key, info))
    }

    /// The traffic secret `steps` generations after the current one (1:
    /// the next); nothing changes.
    fn secret_after(&mut self, steps: u32) -> Result<Secret> {
        let n = self.hmac.hash().len();
        let mut secret = Wiped(self.secret.0);
        let mut next = Wiped([0; MAX_HASH_LEN]);
        for _ in 0..steps {
            next_traffic_secret(&mut self.hmac, &secret.0[..n], &mut next.0[..n])?;
            secret.0 = next.0;
        }
        Ok(secret)
    }

    /// The generation after the current one, numbered `generation`:
    /// nothing changes until [`Self::advance`] takes it.
    pub(crate) fn next(&mut self, generation: u32) -> Result<Next> {
        let n = self.hmac.hash().len();
        let secret = self.secret_after(1)?;
        let mut info = Wiped([0; CRYPTO_INFO_MAX_LEN]);
        let key = key_of(
            &mut self.hmac,
            self.desc,
            &secret.0[..n],
            &[0; 8],
            &mut info,
            generation,
        )?;
        Ok(Next { secret, key, info })
    }

    /// The `crypto_info` of the generation `steps` after the current one
    /// (1: the next), at record sequence number 0, written into `info`;
    /// its length. Nothing changes.
    pub(crate) fn info_ahead(&mut self, steps: u32, info: &mut KeyBuf) -> Result<usize> {
        let n = self.hmac.hash().len();
        let secret = self.secret_after(steps)?;
        Ok(secret_crypto_info(
            &mut self.hmac,
            self.desc,
            &secret.0[..n],
            &[0; 8],
            &mut info.0,
        )?)
    }

    /// Size of the cipher's `crypto_info`.
    pub(crate) fn info_len(&self) -> usize {
        self.desc.crypto_info_len()
    }

    /// Moves to the generation `next`: its secret becomes the current one
    /// (the old one is wiped); its key and `crypto_info` are returned.
    pub(crate) fn advance(&mut self, next: Next) -> (KeyState, KeyBuf) {
        let Next { secret, key, info } = next;
        self.secret = secret;
        (key, info)
    }
}

/// The key of `secret` at record sequence number `rec_seq`, its
/// `crypto_info` written into `info`.
fn key_of(
    hmac: &mut KernelHmac,
    desc: &'static CipherDesc,
    secret: &[u8],
    rec_seq: &[u8; 8],
    info: &mut KeyBuf,
    generation: u32,
) -> Result<KeyState> {
    let len = secret_crypto_info(hmac, desc, secret, rec_seq, &mut info.0)?;
    KeyState::new(TLS_1_3_VERSION, desc, &info.0[..len], generation)
}
