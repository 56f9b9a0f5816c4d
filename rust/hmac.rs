// SPDX-License-Identifier: GPL-2.0

//! The HMAC of the TLS 1.3 key schedule (`logic::key_schedule::Hmac`) over
//! the kernel crypto API's synchronous hash (`rust/hmac.c`).

use crate::bindings;
use crate::logic::cipher::Hash;
use crate::logic::errno::Errno;
use crate::logic::key_schedule::{Hmac, MAX_MAC_PARTS};
use core::ptr::{self, NonNull};
use kernel::prelude::*;

/// An HMAC transform of one hash.
///
/// # Invariants
///
/// `tfm` is a live transform from `tlsr_hmac_alloc()` of `hash`'s HMAC,
/// owned by this value.
pub(crate) struct KernelHmac {
    tfm: NonNull<bindings::crypto_shash>,
    hash: Hash,
}

// SAFETY: a transform may be used from any thread; the owner serialises
// the calls (`mac` takes `&mut self`).
unsafe impl Send for KernelHmac {}

impl KernelHmac {
    /// The HMAC of `hash` (`ENOENT` if the kernel has no such hash).
    pub(crate) fn new(hash: Hash) -> Result<Self> {
        // SAFETY: the name is NUL-terminated.
        let tfm = unsafe {
            bindings::tlsr_hmac_alloc(hash.hmac_name().as_ptr().cast(), hash.len() as u32)
        };
        let tfm = NonNull::new(kernel::error::from_err_ptr(tfm)?).ok_or(ENOMEM)?;
        // INVARIANT: a transform of `hash`'s HMAC from the allocator.
        Ok(Self { tfm, hash })
    }
}

impl Hmac for KernelHmac {
    fn hash(&self) -> Hash {
        self.hash
    }

    fn mac(&mut self, key: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<(), Errno> {
        if out.len() < self.hash.len() || data.len() > MAX_MAC_PARTS {
            return Err(Errno::Inval);
        }
        let mut parts = [ptr::null(); MAX_MAC_PARTS];
        let mut lens = [0u32; MAX_MAC_PARTS];
        for ((p, l), d) in parts.iter_mut().zip(lens.iter_mut()).zip(data) {
            *p = d.as_ptr();
            *l = u32::try_from(d.len()).map_err(|_| Errno::Inval)?;
        }
        let key_len = u32::try_from(key.len()).map_err(|_| Errno::Inval)?;
        // SAFETY: the transform is live (type invariant); `key` and each
        // part are valid for their lengths; `out` has room for the digest,
        // which is the hash's length (checked at allocation).
        let err = unsafe {
            bindings::tlsr_hmac(
                self.tfm.as_ptr(),
                key.as_ptr(),
                key_len,
                parts.as_ptr(),
                lens.as_ptr(),
                data.len() as u32,
                out.as_mut_ptr(),
            )
        };
        // A synchronous HMAC fails only on arguments it refuses.
        if err == 0 {
            Ok(())
        } else {
            Err(Errno::Inval)
        }
    }
}

impl Drop for KernelHmac {
    fn drop(&mut self) {
        // SAFETY: owned by this value (type invariant); freeing the
        // transform wipes its key.
        unsafe { bindings::tlsr_hmac_free(self.tfm.as_ptr()) };
    }
}

#[kernel::macros::kunit_tests(tls_rekey_key_schedule)]
mod tests {
    use super::*;
    use crate::logic::key_schedule::{next_traffic_secret, traffic_key_iv, TLS13_IV_LEN};

    /// `s` (hex digits, nothing else) as bytes.
    fn hex<const N: usize>(s: &str) -> [u8; N] {
        let digit = |c: u8| match c {
            b'0'..=b'9' => c - b'0',
            _ => c - b'a' + 10,
        };
        let mut out = [0; N];
        for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks(2)) {
            *o = (digit(pair[0]) << 4) | digit(pair[1]);
        }
        out
    }

    /// RFC 8448 §3: the server's application traffic secret and its write
    /// key and IV (`{server} derive write traffic keys for application
    /// data`), as the host tests check them against the RFC's trace.
    #[test]
    fn rfc8448_application_keys() -> Result {
        let mut h = KernelHmac::new(Hash::Sha256)?;
        let secret: [u8; 32] =
            hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
        let (mut key, mut iv) = ([0; 16], [0; TLS13_IV_LEN]);
        traffic_key_iv(&mut h, &secret, &mut key, &mut iv)?;
        assert_eq!(key, hex::<16>("9f02283b6c9c07efc26bb9f2ac92e356"));
        assert_eq!(iv, hex::<12>("cf782b88dd83549aadf1e984"));
        Ok(())
    }

    /// A KeyUpdate with SHA-384 (AES-256-GCM) from the secret 00 01 .. 2f:
    /// the next secret, key and IV as the host tests have them from
    /// python3-cryptography.
    #[test]
    fn key_update_sha384() -> Result {
        let mut h = KernelHmac::new(Hash::Sha384)?;
        let secret: [u8; 48] = core::array::from_fn(|i| i as u8);
        let mut next = [0; 48];
        next_traffic_secret(&mut h, &secret, &mut next)?;
        assert_eq!(
            next,
            hex::<48>(
                "401331b63e9d59f202e8f041042d9516f4cd7fa2e2ee14631d3b49fc340d7af3\
                 7fc2c0c9f252d8036f81ec5b85cbe5db"
            )
        );
        let (mut key, mut iv) = ([0; 32], [0; TLS13_IV_LEN]);
        traffic_key_iv(&mut h, &next, &mut key, &mut iv)?;
        assert_eq!(
            key,
            hex::<32>("eb354f3b48924ed78de34dd8aa6a6a0a51d857ddad1454d5cfa7b69f60712911")
        );
        assert_eq!(iv, hex::<12>("8478ffbe4f2e5450789775b3"));
        Ok(())
    }

    /// The same with SM3 (the SM4 suites, RFC 8998) from the secret
    /// 00 01 .. 1f, against python3-cryptography (OpenSSL's SM3): the
    /// host tests have no SM3 of their own.
    #[test]
    fn key_update_sm3() -> Result {
        let mut h = KernelHmac::new(Hash::Sm3)?;
        let secret: [u8; 32] = core::array::from_fn(|i| i as u8);
        let mut next = [0; 32];
        next_traffic_secret(&mut h, &secret, &mut next)?;
        assert_eq!(
            next,
            hex::<32>("1f6191c1fd7cf1f9a855d2ca16fdc9c4d27820b2de3d7a1d31e931b12f0af750")
        );
        let (mut key, mut iv) = ([0; 16], [0; TLS13_IV_LEN]);
        traffic_key_iv(&mut h, &next, &mut key, &mut iv)?;
        assert_eq!(key, hex::<16>("3de9853da53cd3eb33403979db1e6fbe"));
        assert_eq!(iv, hex::<12>("e7363ef3126b79017444314e"));
        Ok(())
    }
}
