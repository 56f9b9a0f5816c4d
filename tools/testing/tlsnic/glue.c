// SPDX-License-Identifier: GPL-2.0
/*
 * tlsnic: a veth-like pair of simulated NICs with kTLS TX and RX offload that
 * does real AEAD crypto, so a peer checks every byte the "device" encrypted
 * and the ULP every byte it decrypted.
 *
 * C holds the netdev plumbing: the "tlsnic" rtnl_link_ops (created like
 * veth: `ip link add A type tlsnic [peer name B]`; stock iproute2 parses
 * "peer" for veth only, so without it the peer is named tlsnic%d), xmit to
 * the peer, tlsdev_ops and the debugfs knobs and counters. Flows (one per
 * offloaded socket and direction) and record encryption are Rust
 * (tlsnic.rs).
 *
 * TX: an skb of a socket offloaded to this device carries plaintext
 * records (header, TLS 1.2 explicit nonce, data, TLS 1.3 content type, room
 * for the tag). It is copied (never encrypted in place: its pages are the
 * ULP's record pages, kept for retransmission) and every record byte in it
 * is replaced by ciphertext. The record of each byte is found with
 * tls_get_record() under the offload context's lock, as mlx5 and ch_ktls
 * do, so retransmitted and out-of-order segments are encrypted from their
 * record's start; bytes before the offload start marker pass unchanged.
 *
 * RX (rx.c, C): A's xmit is B's receive path. Before an skb is forwarded
 * to B, the segments of B's RX flows (tls_dev_add(RX), found by 4-tuple)
 * are decrypted into a copy, mlx5-style: an skb is delivered decrypted only
 * if all its record bytes were in sync and its tags verified, otherwise as
 * it came; sync lost to reordering, loss or a failed tag is regained
 * through the ULP (tls_offload_rx_resync_request(), tls_dev_resync(RX)).
 * The rx_reorder_every knob holds a TLS segment back and delivers it after
 * the next one (or after 10 ms).
 */
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/veth.h>
#include <net/rtnetlink.h>
#include <net/tls.h>

#include "glue.h"
#include "rx.h"
#include "../../../rust/device/driver.h"

#define DRV_NAME "tlsnic"

struct tnic_priv {
	struct net_device __rcu *peer;
	/* rx_reorder_every: a TLS segment for the peer, held back. */
	spinlock_t hold_lock;
	struct sk_buff *held;
	struct timer_list hold_timer;
	struct net_device *dev;		/* this device */
};

/* Counters and knobs in /sys/kernel/debug/tlsnic/ (all devices). */
static struct dentry *tnic_debugfs;
static atomic64_t tnic_tx_tls_segments;	/* skbs of offloaded flows */
static atomic64_t tnic_tx_records;	/* records encrypted */
static atomic64_t tnic_tx_errors;	/* offloaded skbs dropped */
static atomic_t tnic_tx_flows;		/* TX flows on the devices now */
static atomic64_t tnic_dev_add_refused;
static atomic64_t tnic_tx_resyncs;	/* tls_dev_resync (TX) calls */
static bool tnic_refuse_add;		/* knob: tls_dev_add fails */
static bool tnic_refuse_tx_add;		/* knob: tls_dev_add(TX) fails */
static u32 tnic_rx_reorder_every;	/* knob: hold every Nth RX TLS skb back */
static atomic64_t tnic_rx_reordered;	/* TLS skbs that knob held back */
static bool tnic_request_resync;	/* knob: next TLS skb asks for a resync */
static bool tnic_tx_plain;		/* knob (benchmarks): send TLS skbs as they are */
static bool tnic_tx_hand_back;		/* knob: tls_encrypt_skb() for every TLS skb */
static u32 tnic_max_tx_flows;		/* knob: capacity (0: no limit) */
static u32 tnic_tx_drop_every;		/* knob: drop every Nth TLS skb (0: none) */
static u32 tnic_tx_dup_every;		/* knob: send every Nth TLS skb twice */
static atomic64_t tnic_tx_dropped;	/* TLS skbs the drop knob dropped */
static atomic64_t tnic_tx_duplicated;	/* TLS skbs the dup knob sent twice */

/*
 * TLS 1.3 TX and RX are declared to tls_rekey (tls_rekey_dev_register())
 * unless tls13=0; tls.ko has no such interface and offloads TLS 1.2 only.
 */
static bool tnic_tls13 = true;
module_param_named(tls13, tnic_tls13, bool, 0444);
MODULE_PARM_DESC(tls13, "declare TLS 1.3 TX and RX offload to tls_rekey (default Y)");
static bool tnic_tls13_declared;

/*
 * TX key generations per flow declared to tls_rekey
 * (tls_rekey_dev_set_generations()); 1: one key per flow, as in-tree
 * drivers.
 */
static uint tnic_tx_generations = 1;
module_param_named(tx_generations, tnic_tx_generations, uint, 0444);
MODULE_PARM_DESC(tx_generations, "TX key generations per flow (1-4, default 1)");
/* RX key generations per flow, the same way (rx.c holds up to 4). */
static uint tnic_rx_generations = 1;
module_param_named(rx_generations, tnic_rx_generations, uint, 0444);
MODULE_PARM_DESC(rx_generations, "RX key generations per flow (1-4, default 1)");
static atomic64_t tnic_tx_gen_adds;	/* gen_add (TX) calls that took a key */
static atomic64_t tnic_tx_gen_dels;	/* gen_del (TX) calls */
static atomic64_t tnic_tx_no_key;	/* records of a generation not held */
static bool tnic_refuse_gen_add;	/* knob: gen_add fails */
static bool tnic_refuse_gen_ahead;	/* knob: gen_add_ahead fails */

/* tls_get_record() with the record's span; the caller holds ctx->lock. */
void *tnic_get_record(struct tls_offload_context_tx *ctx, u32 seq,
		      u64 *rcd_sn, u32 *end_seq, u32 *len)
{
	struct tls_record_info *rec = tls_get_record(ctx, seq, rcd_sn);

	if (rec) {
		*end_seq = rec->end_seq;
		*len = rec->len;
	}
	return rec;
}

static int tnic_tls_dev_add(struct net_device *netdev, struct sock *sk,
			    enum tls_offload_ctx_dir direction,
			    struct tls_crypto_info *crypto_info,
			    u32 start_offload_tcp_sn)
{
	void **flow = __tls_driver_ctx(tls_get_ctx(sk), direction);
	int err;

	if (READ_ONCE(tnic_refuse_add))
		goto refuse;
	if (direction == TLS_OFFLOAD_CTX_DIR_RX) {
		err = tnic_rx_flow_add(netdev, sk, crypto_info,
				       start_offload_tcp_sn, flow);
		if (err == -ENOSPC)
			goto refuse;
		return err;
	}
	if (direction != TLS_OFFLOAD_CTX_DIR_TX)
		return -EOPNOTSUPP;
	if (READ_ONCE(tnic_refuse_tx_add))
		goto refuse;
	/* A flow slot first: the device's capacity. */
	if (!atomic_add_unless(&tnic_tx_flows, 1,
			       READ_ONCE(tnic_max_tx_flows) ?: INT_MAX))
		goto refuse;
	/* crypto_info is the ULP's union tls_crypto_context. */
	err = tnic_flow_add(flow, (const u8 *)crypto_info,
			    sizeof(union tls_crypto_context),
			    start_offload_tcp_sn);
	if (err)
		atomic_dec(&tnic_tx_flows);
	return err;
refuse:
	atomic64_inc(&tnic_dev_add_refused);
	return -ENOSPC;
}

static void tnic_tls_dev_del(struct net_device *netdev,
			     struct tls_context *tls_ctx,
			     enum tls_offload_ctx_dir direction)
{
	void **flow = __tls_driver_ctx(tls_ctx, direction);

	if (direction == TLS_OFFLOAD_CTX_DIR_RX) {
		tnic_rx_flow_del(flow);
		return;
	}
	if (direction != TLS_OFFLOAD_CTX_DIR_TX || !*flow)
		return;
	tnic_flow_del(*flow);
	*flow = NULL;
	atomic_dec(&tnic_tx_flows);
}

static int tnic_tls_dev_resync(struct net_device *netdev, struct sock *sk,
			       u32 seq, u8 *rcd_sn,
			       enum tls_offload_ctx_dir direction)
{
	/*
	 * TX flows find every record through tls_get_record(), so there is
	 * nothing to resynchronise; the call is counted. RX: the ULP confirms
	 * the record the device asked about (rx.c).
	 */
	if (direction == TLS_OFFLOAD_CTX_DIR_TX)
		atomic64_inc(&tnic_tx_resyncs);
	else
		tnic_rx_resync(__tls_driver_ctx(tls_get_ctx(sk), direction),
			       seq, rcd_sn);
	return 0;
}

/* A further key generation of a flow, in @slot (tls_rekey's contract). */
static int tnic_gen_add(struct net_device *netdev, struct sock *sk,
			enum tls_offload_ctx_dir direction, u32 slot,
			struct tls_crypto_info *crypto_info, u32 start_tcp_sn)
{
	struct tls_context *tls_ctx = tls_get_ctx(sk);
	struct tls_offload_context_tx *ctx = tls_offload_ctx_tx(tls_ctx);
	void *flow = *(void **)__tls_driver_ctx(tls_ctx, direction);
	unsigned long flags;
	void *key;
	int err;

	if (READ_ONCE(tnic_refuse_gen_add))
		goto refuse;
	if (direction == TLS_OFFLOAD_CTX_DIR_RX)
		return tnic_rx_gen_add(__tls_driver_ctx(tls_ctx, direction),
				       slot, crypto_info, start_tcp_sn);
	if (direction != TLS_OFFLOAD_CTX_DIR_TX || !flow)
		return -EOPNOTSUPP;
	key = tnic_key_new((const u8 *)crypto_info,
			   sizeof(union tls_crypto_context), start_tcp_sn);
	if (!key)
		return -ENOMEM;
	/* The xmit path reads the slots under the same lock. */
	spin_lock_irqsave(&ctx->lock, flags);
	err = tnic_flow_put(flow, slot, key);
	spin_unlock_irqrestore(&ctx->lock, flags);
	if (err) {
		tnic_key_free(key);
		return err;
	}
	atomic64_inc(&tnic_tx_gen_adds);
	return 0;
refuse:
	atomic64_inc(&tnic_dev_add_refused);
	return -ENOSPC;
}

static void tnic_gen_del(struct net_device *netdev, struct tls_context *tls_ctx,
			 enum tls_offload_ctx_dir direction, u32 slot)
{
	struct tls_offload_context_tx *ctx = tls_offload_ctx_tx(tls_ctx);
	void *flow = *(void **)__tls_driver_ctx(tls_ctx, direction);
	unsigned long flags;
	void *key;

	if (direction == TLS_OFFLOAD_CTX_DIR_RX) {
		tnic_rx_gen_del(__tls_driver_ctx(tls_ctx, direction), slot);
		return;
	}
	if (direction != TLS_OFFLOAD_CTX_DIR_TX || !flow)
		return;
	spin_lock_irqsave(&ctx->lock, flags);
	key = tnic_flow_take(flow, slot);
	spin_unlock_irqrestore(&ctx->lock, flags);
	tnic_key_free(key);
	atomic64_inc(&tnic_tx_gen_dels);
}

/* A later RX generation, before its KeyUpdate (tls_rekey's contract). */
static int tnic_gen_add_ahead(struct net_device *netdev, struct sock *sk,
			      u32 slot, struct tls_crypto_info *crypto_info)
{
	struct tls_context *tls_ctx = tls_get_ctx(sk);

	if (READ_ONCE(tnic_refuse_gen_ahead))
		return -ENOSPC;
	return tnic_rx_gen_add_ahead(__tls_driver_ctx(tls_ctx,
						      TLS_OFFLOAD_CTX_DIR_RX),
				     slot, crypto_info);
}

static void tnic_gen_start(struct net_device *netdev,
			   struct tls_context *tls_ctx, u32 slot,
			   u32 start_tcp_sn)
{
	tnic_rx_gen_start(__tls_driver_ctx(tls_ctx, TLS_OFFLOAD_CTX_DIR_RX),
			  slot, start_tcp_sn);
}

static struct tls_rekey_gen_ops tnic_gen_ops = {
	.gen_add = tnic_gen_add,
	.gen_del = tnic_gen_del,
	.gen_add_ahead = tnic_gen_add_ahead,
	.gen_start = tnic_gen_start,
};

static const struct tlsdev_ops tnic_tlsdev_ops = {
	.tls_dev_add = tnic_tls_dev_add,
	.tls_dev_del = tnic_tls_dev_del,
	.tls_dev_resync = tnic_tls_dev_resync,
};

/* Encrypts the TLS payload of @skb into a copy; consumes @skb. */
static struct sk_buff *tnic_tls_tx(struct sk_buff *skb)
{
	struct tls_context *tls_ctx = tls_get_ctx(skb->sk);
	struct tls_offload_context_tx *ctx = tls_offload_ctx_tx(tls_ctx);
	void *flow = *(void **)__tls_driver_ctx(tls_ctx, TLS_OFFLOAD_CTX_DIR_TX);
	struct sk_buff *nskb;
	unsigned long flags;
	int off, len, ret;

	atomic64_inc(&tnic_tx_tls_segments);
	/*
	 * Knobs: leave the records unsealed (a benchmark's receiver discards
	 * them; the ULP's own cost is what is measured), or hand every skb
	 * back for software sealing, as drivers do with what they cannot
	 * offload.
	 */
	if (READ_ONCE(tnic_tx_plain)) {
		skb->decrypted = 0;
		return skb;
	}
	if (READ_ONCE(tnic_tx_hand_back)) {
		nskb = tls_encrypt_skb(skb);
		if (!nskb)
			atomic64_inc(&tnic_tx_errors);
		return nskb;
	}
	/* Knob: lose track of the stream once, as nfp and funeth may. */
	if (READ_ONCE(tnic_request_resync) && xchg(&tnic_request_resync, false))
		tls_offload_tx_resync_request(skb->sk, ntohl(tcp_hdr(skb)->seq),
					      ntohl(tcp_hdr(skb)->seq));
	nskb = skb_copy(skb, GFP_ATOMIC);
	consume_skb(skb);
	if (!nskb || !flow)
		goto drop;
	/* Ciphertext from here on: the receiver must not take it as decrypted. */
	nskb->decrypted = 0;
	off = skb_transport_offset(nskb) + tcp_hdrlen(nskb);
	len = nskb->len - off;
	if (len <= 0)
		return nskb;
	spin_lock_irqsave(&ctx->lock, flags);
	ret = tnic_flow_tx(flow, ctx, ntohl(tcp_hdr(nskb)->seq),
			   nskb->data + off, len);
	spin_unlock_irqrestore(&ctx->lock, flags);
	if (ret == -ENOKEY)
		atomic64_inc(&tnic_tx_no_key);
	if (ret < 0)
		goto drop;
	atomic64_add(ret, &tnic_tx_records);
	return nskb;
drop:
	kfree_skb(nskb);
	atomic64_inc(&tnic_tx_errors);
	return NULL;
}

/* Every Nth of the TLS skbs this knob has seen (N = 0: none). */
static bool tnic_every(u32 n, atomic64_t *seen)
{
	return n && atomic64_inc_return(seen) % n == 0;
}

/*
 * Fault knobs on the wire, after encryption: drop a TLS skb (TCP
 * retransmits it, and the device encrypts it again from its record) or
 * deliver it twice. Returns the skb to send, NULL if it was dropped.
 */
static struct sk_buff *tnic_tx_faults(struct sk_buff *skb,
				      struct net_device *peer)
{
	static atomic64_t drop_seen, dup_seen;
	struct sk_buff *dup;

	if (tnic_every(READ_ONCE(tnic_tx_drop_every), &drop_seen)) {
		atomic64_inc(&tnic_tx_dropped);
		kfree_skb(skb);
		return NULL;
	}
	if (tnic_every(READ_ONCE(tnic_tx_dup_every), &dup_seen)) {
		dup = skb_copy(skb, GFP_ATOMIC);
		if (dup && dev_forward_skb(peer, dup) == NET_RX_SUCCESS)
			atomic64_inc(&tnic_tx_duplicated);
	}
	return skb;
}

/* Hands @skb to @peer: B's receive path (rx.c), then the stack. */
static bool tnic_forward(struct net_device *dev, struct net_device *peer,
			 struct sk_buff *skb)
{
	unsigned int len;

	/*
	 * The wire carries no decrypted mark (a driver's tls_encrypt_skb()
	 * copy keeps the one of the skb it sealed): only the receiving
	 * device's RX sets it.
	 */
	skb->decrypted = 0;
	skb = tnic_rx(peer, skb);
	len = skb->len;
	if (dev_forward_skb(peer, skb) != NET_RX_SUCCESS)
		return false;
	dev_sw_netstats_tx_add(dev, 1, len);
	return true;
}

static struct sk_buff *tnic_unhold(struct tnic_priv *priv)
{
	struct sk_buff *skb;

	spin_lock_bh(&priv->hold_lock);
	skb = priv->held;
	priv->held = NULL;
	spin_unlock_bh(&priv->hold_lock);
	return skb;
}

/* Holds @skb back (rx_reorder_every); false if one is held already. */
static bool tnic_hold(struct tnic_priv *priv, struct sk_buff *skb)
{
	bool held = false;

	spin_lock_bh(&priv->hold_lock);
	if (!priv->held) {
		priv->held = skb;
		mod_timer(&priv->hold_timer, jiffies + msecs_to_jiffies(10) + 1);
		held = true;
	}
	spin_unlock_bh(&priv->hold_lock);
	return held;
}

/* No next TLS segment came: deliver the held one. */
static void tnic_hold_expire(struct timer_list *t)
{
	struct tnic_priv *priv = timer_container_of(priv, t, hold_timer);
	struct sk_buff *skb = tnic_unhold(priv);
	struct net_device *peer;

	if (!skb)
		return;
	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (!peer || !netif_running(peer))
		kfree_skb(skb);
	else if (!tnic_forward(priv->dev, peer, skb))
		dev_core_stats_tx_dropped_inc(priv->dev);
	rcu_read_unlock();
}

static netdev_tx_t tnic_xmit(struct sk_buff *skb, struct net_device *dev)
{
	static atomic64_t reorder_seen;
	struct tnic_priv *priv = netdev_priv(dev);
	struct net_device *peer;
	struct sk_buff *held;

	rcu_read_lock();
	peer = rcu_dereference(priv->peer);
	if (!peer || !netif_running(peer)) {
		kfree_skb(skb);
		goto drop;
	}
	/*
	 * Skbs of an offloaded socket not marked decrypted carry ciphertext
	 * already (tls_rekey's fallback sealed them) and go as they are.
	 */
	if (tls_is_skb_tx_device_offloaded(skb) && skb_is_decrypted(skb)) {
		skb = tnic_tls_tx(skb);
		if (!skb)
			goto drop;
		skb = tnic_tx_faults(skb, peer);
		if (!skb)
			goto drop;
	}
	/*
	 * Knob: reorder on the peer's wire, one TLS segment of its RX flows
	 * delivered after the next.
	 */
	if (READ_ONCE(tnic_rx_reorder_every) && tnic_rx_is_tls(peer, skb) &&
	    tnic_every(READ_ONCE(tnic_rx_reorder_every), &reorder_seen) &&
	    tnic_hold(priv, skb)) {
		atomic64_inc(&tnic_rx_reordered);
		rcu_read_unlock();
		return NETDEV_TX_OK;
	}
	held = READ_ONCE(priv->held) && tnic_rx_is_tls(peer, skb) ?
	       tnic_unhold(priv) : NULL;
	if (!tnic_forward(dev, peer, skb))
		dev_core_stats_tx_dropped_inc(dev);
	if (held && !tnic_forward(dev, peer, held))
		dev_core_stats_tx_dropped_inc(dev);
	rcu_read_unlock();
	return NETDEV_TX_OK;
drop:
	dev_core_stats_tx_dropped_inc(dev);
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

static int tnic_open(struct net_device *dev)
{
	struct tnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	if (!peer)
		return -ENOTCONN;
	if (peer->flags & IFF_UP) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int tnic_close(struct net_device *dev)
{
	struct tnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	kfree_skb(tnic_unhold(priv));
	return 0;
}

static void tnic_uninit(struct net_device *dev)
{
	struct tnic_priv *priv = netdev_priv(dev);

	timer_shutdown_sync(&priv->hold_timer);
	kfree_skb(tnic_unhold(priv));
}

static struct net_device *tnic_peer(struct net_device *dev)
{
	struct tnic_priv *priv = netdev_priv(dev);

	return rcu_dereference_rtnl(priv->peer);
}

static const struct net_device_ops tnic_netdev_ops = {
	.ndo_uninit = tnic_uninit,
	.ndo_open = tnic_open,
	.ndo_stop = tnic_close,
	.ndo_start_xmit = tnic_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
	.ndo_get_peer_dev = tnic_peer,
	.ndo_set_mac_address = eth_mac_addr,
};

static void tnic_setup(struct net_device *dev)
{
	struct tnic_priv *priv = netdev_priv(dev);

	priv->dev = dev;
	spin_lock_init(&priv->hold_lock);
	timer_setup(&priv->hold_timer, tnic_hold_expire, 0);
	ether_setup(dev);
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	dev->netdev_ops = &tnic_netdev_ops;
	dev->tlsdev_ops = &tnic_tlsdev_ops;
	dev->needs_free_netdev = true;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->features |= NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_HIGHDMA |
			 NETIF_F_RXCSUM | NETIF_F_HW_TLS_TX | NETIF_F_HW_TLS_RX;
	dev->hw_features = dev->features;
	dev->max_mtu = ETH_MAX_MTU;
}

static struct rtnl_link_ops tnic_link_ops;

static int tnic_newlink(struct net_device *dev,
			struct rtnl_newlink_params *params,
			struct netlink_ext_ack *extack)
{
	struct net *peer_net = rtnl_newlink_peer_net(params);
	struct nlattr *peer_tb[IFLA_MAX + 1], **tbp = params->tb;
	struct nlattr **data = params->data;
	struct ifinfomsg *ifmp = NULL;
	unsigned char name_assign_type;
	struct net_device *peer;
	char ifname[IFNAMSIZ];
	int err;

	if (data && data[VETH_INFO_PEER]) {
		ifmp = nla_data(data[VETH_INFO_PEER]);
		rtnl_nla_parse_ifinfomsg(peer_tb, data[VETH_INFO_PEER], extack);
		tbp = peer_tb;
	}
	if (ifmp && tbp[IFLA_IFNAME]) {
		nla_strscpy(ifname, tbp[IFLA_IFNAME], IFNAMSIZ);
		name_assign_type = NET_NAME_USER;
	} else {
		snprintf(ifname, IFNAMSIZ, DRV_NAME "%%d");
		name_assign_type = NET_NAME_ENUM;
	}
	peer = rtnl_create_link(peer_net, ifname, name_assign_type,
				&tnic_link_ops, tbp, extack);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	if (!ifmp || !tbp[IFLA_ADDRESS])
		eth_hw_addr_random(peer);
	err = register_netdevice(peer);
	if (err < 0) {
		free_netdev(peer);
		return err;
	}
	netif_carrier_off(peer);
	err = rtnl_configure_link(peer, ifmp, 0, NULL);
	if (err < 0)
		goto err_peer;

	if (!params->tb[IFLA_ADDRESS])
		eth_hw_addr_random(dev);
	if (params->tb[IFLA_IFNAME])
		nla_strscpy(dev->name, params->tb[IFLA_IFNAME], IFNAMSIZ);
	else
		snprintf(dev->name, IFNAMSIZ, DRV_NAME "%%d");
	err = register_netdevice(dev);
	if (err < 0)
		goto err_peer;
	netif_carrier_off(dev);
	rcu_assign_pointer(((struct tnic_priv *)netdev_priv(dev))->peer, peer);
	rcu_assign_pointer(((struct tnic_priv *)netdev_priv(peer))->peer, dev);
	return 0;
err_peer:
	unregister_netdevice(peer);
	return err;
}

static void tnic_dellink(struct net_device *dev, struct list_head *head)
{
	struct tnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	RCU_INIT_POINTER(priv->peer, NULL);
	unregister_netdevice_queue(dev, head);
	if (peer) {
		priv = netdev_priv(peer);
		RCU_INIT_POINTER(priv->peer, NULL);
		unregister_netdevice_queue(peer, head);
	}
}

static struct net *tnic_get_link_net(const struct net_device *dev)
{
	struct tnic_priv *priv = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(priv->peer);

	return peer ? dev_net(peer) : dev_net(dev);
}

static const struct nla_policy tnic_policy[VETH_INFO_MAX + 1] = {
	[VETH_INFO_PEER] = { .len = sizeof(struct ifinfomsg) },
};

static struct rtnl_link_ops tnic_link_ops = {
	.kind = DRV_NAME,
	.priv_size = sizeof(struct tnic_priv),
	.setup = tnic_setup,
	.newlink = tnic_newlink,
	.dellink = tnic_dellink,
	.policy = tnic_policy,
	.maxtype = VETH_INFO_MAX,
	.get_link_net = tnic_get_link_net,
	.peer_type = VETH_INFO_PEER,
};

static int tnic_counter_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(tnic_counter_fops, tnic_counter_get, NULL, "%llu\n");

void tnic_counter_in(struct dentry *dir, const char *name, atomic64_t *counter)
{
	debugfs_create_file_unsafe(name, 0444, dir, counter, &tnic_counter_fops);
}

static void tnic_counter(const char *name, atomic64_t *counter)
{
	tnic_counter_in(tnic_debugfs, name, counter);
}

int tnic_glue_init(void)
{
	int err = rtnl_link_register(&tnic_link_ops);

	if (err)
		return err;
	tnic_debugfs = debugfs_create_dir(DRV_NAME, NULL);
	tnic_counter("tx_tls_segments", &tnic_tx_tls_segments);
	tnic_counter("tx_records_encrypted", &tnic_tx_records);
	tnic_counter("tx_errors", &tnic_tx_errors);
	tnic_counter("dev_add_refused", &tnic_dev_add_refused);
	debugfs_create_atomic_t("tx_flows", 0444, tnic_debugfs, &tnic_tx_flows);
	tnic_counter("tx_resyncs", &tnic_tx_resyncs);
	debugfs_create_bool("refuse_dev_add", 0644, tnic_debugfs,
			    &tnic_refuse_add);
	debugfs_create_bool("request_tx_resync", 0644, tnic_debugfs,
			    &tnic_request_resync);
	debugfs_create_bool("tx_plain", 0644, tnic_debugfs, &tnic_tx_plain);
	debugfs_create_bool("tx_hand_back", 0644, tnic_debugfs,
			    &tnic_tx_hand_back);
	debugfs_create_u32("max_tx_flows", 0644, tnic_debugfs,
			   &tnic_max_tx_flows);
	debugfs_create_u32("tx_drop_every", 0644, tnic_debugfs,
			   &tnic_tx_drop_every);
	debugfs_create_u32("tx_dup_every", 0644, tnic_debugfs,
			   &tnic_tx_dup_every);
	tnic_counter("tx_dropped", &tnic_tx_dropped);
	tnic_counter("tx_duplicated", &tnic_tx_duplicated);
	debugfs_create_bool("refuse_tx_add", 0644, tnic_debugfs,
			    &tnic_refuse_tx_add);
	debugfs_create_u32("rx_reorder_every", 0644, tnic_debugfs,
			   &tnic_rx_reorder_every);
	tnic_counter("rx_reordered", &tnic_rx_reordered);
	tnic_counter("tx_gen_adds", &tnic_tx_gen_adds);
	tnic_counter("tx_gen_dels", &tnic_tx_gen_dels);
	tnic_counter("tx_no_key", &tnic_tx_no_key);
	debugfs_create_bool("refuse_gen_add", 0644, tnic_debugfs,
			    &tnic_refuse_gen_add);
	debugfs_create_bool("refuse_gen_ahead", 0644, tnic_debugfs,
			    &tnic_refuse_gen_ahead);
	tnic_rx_init(tnic_debugfs);
	if (tnic_tls13) {
		int (*reg)(const struct tlsdev_ops *ops, u32 caps);

		reg = symbol_get(tls_rekey_dev_register);
		if (reg) {
			tnic_tls13_declared =
				!reg(&tnic_tlsdev_ops, TLS_REKEY_DEV_TLS13_TX |
				     TLS_REKEY_DEV_TLS13_RX);
			symbol_put(tls_rekey_dev_register);
		}
	}
	if (tnic_tls13_declared &&
	    (tnic_tx_generations > 1 || tnic_rx_generations > 1)) {
		int (*gens)(const struct tlsdev_ops *ops,
			    const struct tls_rekey_gen_ops *gen_ops);

		tnic_gen_ops.generations[TLS_OFFLOAD_CTX_DIR_TX] =
			tnic_tx_generations;
		tnic_gen_ops.generations[TLS_OFFLOAD_CTX_DIR_RX] =
			tnic_rx_generations;
		gens = symbol_get(tls_rekey_dev_set_generations);
		err = gens ? gens(&tnic_tlsdev_ops, &tnic_gen_ops) : -ENOENT;
		if (gens)
			symbol_put(tls_rekey_dev_set_generations);
		if (err)
			pr_warn("tlsnic: %u TX, %u RX generations not declared: %d\n",
				tnic_tx_generations, tnic_rx_generations, err);
	}
	return 0;
}

void tnic_glue_exit(void)
{
	if (tnic_tls13_declared) {
		void (*unreg)(const struct tlsdev_ops *ops);

		unreg = symbol_get(tls_rekey_dev_unregister);
		if (unreg) {
			unreg(&tnic_tlsdev_ops);
			symbol_put(tls_rekey_dev_unregister);
		}
	}
	rtnl_link_unregister(&tnic_link_ops);
	debugfs_remove_recursive(tnic_debugfs);
	tnic_rx_exit();
}

MODULE_ALIAS_RTNL_LINK(DRV_NAME);
