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
 *
 * RX, optional (under the kernel's key schedule, TLS_RX_SECRET, tls_rekey
 * knows the keys of the next generations before their KeyUpdates come):
 * @gen_add_ahead puts the key of @crypto_info (rec_seq 0) in @slot for a
 * generation whose first record the device finds itself: the record after
 * the next KeyUpdate it opens under the generation before it (a TLS 1.3
 * record that authenticates and whose plaintext, padding taken off, is one
 * KeyUpdate message, handshake type 24, length 1, a request of 0 or 1).
 * Several may wait, taken in the order they were added. @gen_start says
 * where the generation in @slot starts, once tls_rekey read the
 * KeyUpdate: from then on it is as if gen_add had put it there with
 * @start_tcp_sn (a device that found the KeyUpdate itself has that start
 * already). Both may sleep; gen_del and tls_dev_del empty these slots too.
 */
struct tls_rekey_gen_ops {
	u32 generations[2];
	int (*gen_add)(struct net_device *netdev, struct sock *sk,
		       enum tls_offload_ctx_dir direction, u32 slot,
		       struct tls_crypto_info *crypto_info, u32 start_tcp_sn);
	void (*gen_del)(struct net_device *netdev, struct tls_context *tls_ctx,
			enum tls_offload_ctx_dir direction, u32 slot);
	int (*gen_add_ahead)(struct net_device *netdev, struct sock *sk,
			     u32 slot, struct tls_crypto_info *crypto_info);
	void (*gen_start)(struct net_device *netdev, struct tls_context *tls_ctx,
			  u32 slot, u32 start_tcp_sn);
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
