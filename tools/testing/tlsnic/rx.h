/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsnic RX offload (rx.c): the receiving device's flows and their AES-GCM
 * record state machine, called by glue.c. C only (not a bindgen input).
 */
#ifndef _TLSNIC_RX_H
#define _TLSNIC_RX_H

#include <linux/atomic.h>
#include <linux/types.h>

struct dentry;
struct net_device;
struct sk_buff;
struct sock;
struct tls_crypto_info;

/* Flows on the devices now (debugfs rx_flows); 0: nothing to look up. */
extern atomic_t tnic_rx_flows;

int tnic_rx_flow_add(struct net_device *netdev, struct sock *sk,
		     const struct tls_crypto_info *info, u32 start_seq,
		     void **slot);
void tnic_rx_flow_del(void **slot);
void tnic_rx_resync(void **slot, u32 seq, const u8 *rcd_sn);
int tnic_rx_gen_add(void **slot, u32 gen, const struct tls_crypto_info *info,
		    u32 start);
void tnic_rx_gen_del(void **slot, u32 gen);
int tnic_rx_gen_add_ahead(void **slot, u32 gen,
			  const struct tls_crypto_info *info);
void tnic_rx_gen_start(void **slot, u32 gen, u32 start);

/* Receive path of @dev (BH disabled, RCU): see rx.c. */
bool tnic_rx_is_tls(const struct net_device *dev, const struct sk_buff *skb);
struct sk_buff *tnic_rx(const struct net_device *dev, struct sk_buff *skb);

int tnic_rx_init(struct dentry *dir);
void tnic_rx_exit(void);

/* glue.c: a read-only atomic64_t counter file in @dir. */
void tnic_counter_in(struct dentry *dir, const char *name, atomic64_t *counter);

#endif /* _TLSNIC_RX_H */
