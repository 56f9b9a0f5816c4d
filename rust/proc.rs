// SPDX-License-Identifier: GPL-2.0

//! `/proc/net/tls_stat`: upstream's TLS MIB counters and ours, per network
//! namespace.

use crate::bindings;
use crate::sock::Sock;
use kernel::prelude::*;

/// A counter of `/proc/net/tls_stat`.
#[derive(Clone, Copy)]
pub(crate) enum Stat {
    /// `TlsCurrTxSw`: sockets with a software TX key now.
    CurrTxSw,
    /// `TlsCurrRxSw`: sockets with a software RX key now.
    CurrRxSw,
    /// `TlsCurrTxDevice`: sockets with TX on a device now.
    CurrTxDevice,
    /// `TlsTxSw`: software TX keys installed.
    TxSw,
    /// `TlsTxDevice`: TX keys installed on a device.
    TxDevice,
    /// `TlsRxSw`: software RX keys installed.
    RxSw,
    /// `TlsCurrRxDevice`: sockets with RX on a device now.
    CurrRxDevice,
    /// `TlsRxDevice`: RX keys installed on a device.
    RxDevice,
    /// `TlsRxDeviceResync`: RX resynchronisations sent to a device.
    RxDeviceResync,
    /// `TlsDecryptError`: records that failed to open.
    DecryptError,
    /// `TlsDecryptRetry`: TLS 1.3 records opened into the user's memory
    /// that were not unpadded data, opened again in place.
    DecryptRetry,
    /// `TlsRxNoPadViolation`: of those, records with padding despite
    /// `TLS_RX_EXPECT_NO_PAD`.
    RxNoPadViolation,
    /// `TlsRxRekeyOk`.
    RxRekeyOk,
    /// `TlsRxRekeyError`.
    RxRekeyError,
    /// `TlsTxRekeyOk`.
    TxRekeyOk,
    /// `TlsTxRekeyError`.
    TxRekeyError,
    /// `TlsRxRekeyReceived`: KeyUpdate messages received.
    RxRekeyReceived,
    /// `TlsTxDeviceFallback` (ours): records of device TX sockets sealed
    /// by the software fallback.
    TxDeviceFallback,
    /// `TlsTxRecordsDirect` (ours): TX records sealed straight from the
    /// sender's pages (user memory or spliced pages), or framed around
    /// spliced pages for a device (`TLS_TX_ZEROCOPY_RO`).
    TxRecordsDirect,
    /// `TlsTxRecordsCopied` (ours): TX records whose plaintext was copied
    /// into the record buffer first.
    TxRecordsCopied,
    /// `TlsRxRecordsDirect` (ours): software RX records opened straight
    /// from TCP's skbs.
    RxRecordsDirect,
    /// `TlsRxRecordsCopied` (ours): software RX records opened after their
    /// ciphertext was copied out of TCP.
    RxRecordsCopied,
    /// `TlsTxDeviceRekey` (ours): TLS 1.3 TX rekeys after which the socket
    /// went back on its device.
    TxDeviceRekey,
    /// `TlsTxDeviceRekeySwRecords` (ours): records a device TX socket
    /// sealed in software after a rekey, while the device did not have the
    /// new key yet.
    TxDeviceRekeySwRecords,
    /// `TlsTxDeviceRekeySwBytes` (ours): their bytes on the wire.
    TxDeviceRekeySwBytes,
    /// `TlsTxDeviceGenEvicted` (ours): key generations a device with
    /// several gave up for a newer one while TCP could still send their
    /// records again.
    TxDeviceGenEvicted,
    /// `TlsTxDeviceGenRefused` (ours): key generations a device refused.
    TxDeviceGenRefused,
    /// `TlsTxDeviceFallbackRetired` (ours): records sealed by the fallback
    /// because the device had given up their generation.
    TxDeviceFallbackRetired,
    /// `TlsTxDeviceGenFull` (ours): TLS 1.3 TX rekeys on a device with
    /// several generations whose new key waited for a slot, its records
    /// sealed in software meanwhile, because every generation the module
    /// keeps on the list still had records to be acknowledged.
    TxDeviceGenFull,
    /// `TlsRxDeviceRekey` (ours): TLS 1.3 RX rekeys after which the device
    /// took the new key.
    RxDeviceRekey,
    /// `TlsRxDeviceRekeySwRecords` (ours): records a device RX socket
    /// opened in software after a KeyUpdate, until the device decrypted one
    /// whole again.
    RxDeviceRekeySwRecords,
    /// `TlsRxDeviceGenAhead` (ours): RX key generations of the kernel's
    /// schedule put on a device ahead of their KeyUpdate.
    RxDeviceGenAhead,
}

impl Stat {
    fn field(self) -> u32 {
        match self {
            Stat::CurrTxSw => bindings::LINUX_MIB_TLSCURRTXSW,
            Stat::CurrRxSw => bindings::LINUX_MIB_TLSCURRRXSW,
            Stat::CurrTxDevice => bindings::LINUX_MIB_TLSCURRTXDEVICE,
            Stat::TxSw => bindings::LINUX_MIB_TLSTXSW,
            Stat::TxDevice => bindings::LINUX_MIB_TLSTXDEVICE,
            Stat::RxSw => bindings::LINUX_MIB_TLSRXSW,
            Stat::CurrRxDevice => bindings::LINUX_MIB_TLSCURRRXDEVICE,
            Stat::RxDevice => bindings::LINUX_MIB_TLSRXDEVICE,
            Stat::RxDeviceResync => bindings::LINUX_MIB_TLSRXDEVICERESYNC,
            Stat::DecryptError => bindings::LINUX_MIB_TLSDECRYPTERROR,
            Stat::DecryptRetry => bindings::LINUX_MIB_TLSDECRYPTRETRY,
            Stat::RxNoPadViolation => bindings::LINUX_MIB_TLSRXNOPADVIOL,
            Stat::RxRekeyOk => bindings::LINUX_MIB_TLSRXREKEYOK,
            Stat::RxRekeyError => bindings::LINUX_MIB_TLSRXREKEYERROR,
            Stat::TxRekeyOk => bindings::LINUX_MIB_TLSTXREKEYOK,
            Stat::TxRekeyError => bindings::LINUX_MIB_TLSTXREKEYERROR,
            Stat::RxRekeyReceived => bindings::LINUX_MIB_TLSRXREKEYRECEIVED,
            Stat::TxDeviceFallback => bindings::TLSR_MIB_TXDEVICEFALLBACK,
            Stat::TxRecordsDirect => bindings::TLSR_MIB_TXRECORDSDIRECT,
            Stat::TxRecordsCopied => bindings::TLSR_MIB_TXRECORDSCOPIED,
            Stat::RxRecordsDirect => bindings::TLSR_MIB_RXRECORDSDIRECT,
            Stat::RxRecordsCopied => bindings::TLSR_MIB_RXRECORDSCOPIED,
            Stat::TxDeviceRekey => bindings::TLSR_MIB_TXDEVICEREKEY,
            Stat::TxDeviceRekeySwRecords => bindings::TLSR_MIB_TXDEVICEREKEYSWRECORDS,
            Stat::TxDeviceRekeySwBytes => bindings::TLSR_MIB_TXDEVICEREKEYSWBYTES,
            Stat::TxDeviceGenEvicted => bindings::TLSR_MIB_TXDEVICEGENEVICTED,
            Stat::TxDeviceGenRefused => bindings::TLSR_MIB_TXDEVICEGENREFUSED,
            Stat::TxDeviceFallbackRetired => bindings::TLSR_MIB_TXDEVICEFALLBACKRETIRED,
            Stat::TxDeviceGenFull => bindings::TLSR_MIB_TXDEVICEGENFULL,
            Stat::RxDeviceRekey => bindings::TLSR_MIB_RXDEVICEREKEY,
            Stat::RxDeviceRekeySwRecords => bindings::TLSR_MIB_RXDEVICEREKEYSWRECORDS,
            Stat::RxDeviceGenAhead => bindings::TLSR_MIB_RXDEVICEGENAHEAD,
        }
    }

    /// Adds `delta` to the counter of `sk`'s namespace.
    pub(crate) fn add(self, sk: &Sock, delta: i32) {
        // SAFETY: the socket is valid; the field is a TLS MIB index.
        unsafe { bindings::tlsr_stat_add(sk.as_ptr(), self.field() as i32, delta) };
    }

    /// Counts one event.
    pub(crate) fn inc(self, sk: &Sock) {
        self.add(sk, 1);
    }
}

/// The per-namespace counters and their proc file, while this value lives.
pub(crate) struct ProcRegistration;

impl ProcRegistration {
    /// Registers the pernet operations.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: plain registration of static operations.
        kernel::error::to_result(unsafe { bindings::tlsr_proc_register() })?;
        Ok(Self)
    }
}

impl Drop for ProcRegistration {
    fn drop(&mut self) {
        // SAFETY: registered in `new`.
        unsafe { bindings::tlsr_proc_unregister() };
    }
}
