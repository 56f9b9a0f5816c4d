/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a TLS offload driver can declare to tls_rekey beyond tls.ko's
 * contract (Documentation/driver-contract.rst). A driver that must also
 * load with tls.ko reaches these with symbol_get().
 */
#ifndef _TLS_REKEY_DRIVER_H
#define _TLS_REKEY_DRIVER_H

#include <linux/types.h>

struct tlsdev_ops;

/* The device seals TLS 1.3 records (TX): nonce = IV xor record sequence,
 * additional data = the record header, the content type inside.
 */
#define TLS_REKEY_DEV_TLS13_TX	(1U << 0)
/* The device opens TLS 1.3 records (RX): the same nonce and additional
 * data; the content type and padding stay in the plaintext for the ULP.
 */
#define TLS_REKEY_DEV_TLS13_RX	(1U << 1)

/*
 * Declares the capabilities of the devices whose tlsdev_ops are @ops, for
 * keys added from now on; 0 or -ENOMEM. Unregister before @ops go away.
 */
int tls_rekey_dev_register(const struct tlsdev_ops *ops, u32 caps);
void tls_rekey_dev_unregister(const struct tlsdev_ops *ops);

#endif /* _TLS_REKEY_DRIVER_H */
