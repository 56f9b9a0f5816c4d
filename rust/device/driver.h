/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a TLS offload driver can declare to tls_rekey beyond tls.ko's
 * contract (Documentation/driver-contract.rst). A driver that must also
 * load with tls.ko reaches these with symbol_get().
 */
#ifndef _TLS_REKEY_DRIVER_H
#define _TLS_REKEY_DRIVER_H

#include <linux/types.h>
#include <net/tls.h>

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

/* Most key generations per flow and direction a device may declare. */
#define TLS_REKEY_MAX_GENERATIONS	4

/*
 * A device that holds several key generations per flow: up to
 * @generations[dir] of them in direction dir (2 or more to use them), in
 * slots 0 .. n - 1. tls_dev_add puts the first key in slot 0. @gen_add
 * puts the key of @crypto_info (rec_seq: the sequence number of its first
 * record) in @slot, for the records from TCP sequence number @start_tcp_sn
 * on; the device seals (TX) or opens (RX) each record with the generation
 * whose start is the latest at or before the record's first byte, and
 * takes the generation of an RX resync's seq the same way. @gen_del
 * empties @slot; tls_dev_del empties them all. Both may sleep. TX: an skb
 * of an offloaded socket that is not marked decrypted (skb_is_decrypted())
 * carries ciphertext already and goes out as it is.
 */
struct tls_rekey_gen_ops {
	u32 generations[2];
	int (*gen_add)(struct net_device *netdev, struct sock *sk,
		       enum tls_offload_ctx_dir direction, u32 slot,
		       struct tls_crypto_info *crypto_info, u32 start_tcp_sn);
	void (*gen_del)(struct net_device *netdev, struct tls_context *tls_ctx,
			enum tls_offload_ctx_dir direction, u32 slot);
};

/*
 * Declares @gen_ops for the devices whose tlsdev_ops are @ops, for keys
 * added from now on (after tls_rekey_dev_register()); 0, -EINVAL (no such
 * registration, or more generations than TLS_REKEY_MAX_GENERATIONS).
 * @gen_ops stays valid until tls_rekey_dev_unregister().
 */
int tls_rekey_dev_set_generations(const struct tlsdev_ops *ops,
				  const struct tls_rekey_gen_ops *gen_ops);

#endif /* _TLS_REKEY_DRIVER_H */
