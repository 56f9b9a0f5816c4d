// SPDX-License-Identifier: GPL-2.0
/*
 * tls.ko's driver-facing ABI, exported by tls_rekey: in-tree kTLS drivers
 * (mlx5_core, nfp, funeth, ch_ktls, bonding) link against these five names,
 * so they bind to this module unchanged. The functions are defined in Rust
 * (rust/device/abi.rs); the prototypes come from <net/tls.h>, and the export
 * licenses are tls.ko's own.
 *
 * A module exporting a name that a loaded module already exports is
 * refused by the kernel ("exports duplicate symbol"), so tls.ko and
 * tls_rekey exclude each other whichever loads first.
 */
#include <linux/export.h>
#include <net/tls.h>

#include "device/driver.h"

#if !IS_ENABLED(CONFIG_TLS_DEVICE)
#error "tls_rekey provides tls.ko's device offload ABI: it needs CONFIG_TLS_DEVICE=y"
#endif

EXPORT_SYMBOL(tls_get_record);
EXPORT_SYMBOL_GPL(tls_device_sk_destruct);
EXPORT_SYMBOL_GPL(tls_offload_tx_resync_request);
EXPORT_SYMBOL_GPL(tls_validate_xmit_skb);
EXPORT_SYMBOL_GPL(tls_encrypt_skb);

/* Beyond tls.ko's ABI: capabilities a driver declares (device/driver.h). */
EXPORT_SYMBOL_GPL(tls_rekey_dev_register);
EXPORT_SYMBOL_GPL(tls_rekey_dev_unregister);
EXPORT_SYMBOL_GPL(tls_rekey_dev_set_generations);
