/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C helpers of device offload: inline functions, macros and locking of the
 * kernel's netdev, TCP and TLS headers, for rust/device.
 */
#ifndef _TLS_REKEY_DEVICE_HELPERS_H
#define _TLS_REKEY_DEVICE_HELPERS_H

#include <linux/types.h>
#include <net/tls.h>

#include "../helpers.h"
#include "driver.h"

struct sock;
struct sk_buff;
struct net_device;
struct tls_context;
struct tls_record_info;
struct tls_offload_context_tx;
struct tls_offload_context_rx;
struct work_struct;

/*
 * priv_ctx_tx of a device TX socket: the context drivers read, then the
 * head of the Rust TX state (rust/device/tx.rs, struct DevTx).
 */
struct tlsr_dev_tx {
	struct tls_offload_context_tx offload;
	struct tlsr_tx_head *head;
};

struct tlsr_tx_head *tlsr_ctx_tx_head(struct tls_context *ctx);

int tlsr_device_init(int (*down)(struct net_device *dev));
void tlsr_device_exit(void);

struct net_device *tlsr_sk_offload_netdev(struct sock *sk);
void tlsr_dev_put(struct net_device *dev);
bool tlsr_netdev_can_tls_tx(struct net_device *dev);
bool tlsr_netdev_is_up(struct net_device *dev);
int tlsr_tls_dev_add_tx(struct net_device *dev, struct sock *sk,
			struct tls_context *ctx, u32 start_seq);
void tlsr_tls_dev_del_tx(struct net_device *dev, struct tls_context *ctx);
int tlsr_gen_add(const struct tls_rekey_gen_ops *ops, struct net_device *dev,
		 struct sock *sk, struct tls_context *ctx,
		 enum tls_offload_ctx_dir dir, u32 slot, u32 start_seq);
void tlsr_gen_del(const struct tls_rekey_gen_ops *ops, struct net_device *dev,
		  struct tls_context *ctx, enum tls_offload_ctx_dir dir,
		  u32 slot);
bool tlsr_gen_ahead_rx(const struct tls_rekey_gen_ops *ops);
int tlsr_gen_add_ahead(const struct tls_rekey_gen_ops *ops,
		       struct net_device *dev, struct sock *sk, u32 slot,
		       const u8 *info, u32 len);
void tlsr_gen_start(const struct tls_rekey_gen_ops *ops, struct net_device *dev,
		    struct tls_context *ctx, u32 slot, u32 start_seq);
int tlsr_tls_dev_resync_tx(struct net_device *dev, struct sock *sk, u32 seq,
			   u64 rcd_sn);
bool tlsr_ctx_tx_resync_pending(struct tls_context *ctx);
void tlsr_ctx_tx_resync_done(struct tls_context *ctx);

void tlsr_device_tx_start(struct sock *sk,
			  void (*acked)(struct sock *sk, u32 acked_seq));
void tlsr_device_tx_stop(struct sock *sk);
void tlsr_device_tx_attach(struct sock *sk, struct tls_context *ctx,
			   struct net_device *dev);
struct net_device *tlsr_ctx_netdev_locked(struct tls_context *ctx);
void tlsr_device_tx_leave(struct tls_context *ctx,
			  struct sk_buff *(*validate)(struct sock *sk,
						      struct net_device *dev,
						      struct sk_buff *skb));
void tlsr_tcp_write_collapse_fence(struct sock *sk);

bool tlsr_netdev_can_tls_rx(struct net_device *dev);
int tlsr_tls_dev_add_rx(struct net_device *dev, struct sock *sk,
			struct tls_context *ctx, u32 start_seq);
void tlsr_tls_dev_del_rx(struct net_device *dev, struct tls_context *ctx);
void tlsr_tls_dev_resync_rx(struct net_device *dev, struct sock *sk, u32 seq,
			    u64 rcd_sn);
void tlsr_offload_rx_init(struct tls_offload_context_rx *o);
enum tls_offload_sync_type
tlsr_offload_rx_resync_type(const struct tls_offload_context_rx *o);
atomic64_t *tlsr_offload_rx_resync_req(struct tls_offload_context_rx *o);
struct tls_offload_resync_async *
tlsr_offload_rx_resync_async(struct tls_offload_context_rx *o);

/* The CORE_NEXT_HINT state of tls_offload_context_rx. */
struct tlsr_rx_nh {
	u32 failed;
	u32 target;
	bool reset;
	bool do_now;
};

void tlsr_offload_rx_nh_get(const struct tls_offload_context_rx *o,
			    struct tlsr_rx_nh *nh);
void tlsr_offload_rx_nh_set(struct tls_offload_context_rx *o,
			    const struct tlsr_rx_nh *nh);
void tlsr_device_rx_attach(struct sock *sk, struct tls_context *ctx,
			   struct net_device *dev);
void tlsr_ctx_clear_netdev(struct tls_context *ctx);
void tlsr_device_rx_degrade(struct tls_context *ctx);

/* A run of bytes read from TCP that came in skbs the device decrypted. */
struct tlsr_rx_run {
	u32 start;
	u32 end;
};

int tlsr_tcp_wait_data(struct sock *sk, bool nonblock);
int tlsr_tcp_read_runs(struct sock *sk, u8 *buf, u32 len,
		       struct tlsr_rx_run *runs, u32 max_runs, u32 *nruns);
const struct tlsdev_ops *tlsr_netdev_tlsdev_ops(struct net_device *dev);

void tlsr_offload_init(struct tls_offload_context_tx *o);
unsigned long tlsr_offload_lock(struct tls_offload_context_tx *o);
void tlsr_offload_unlock(struct tls_offload_context_tx *o, unsigned long flags);
void tlsr_offload_queue_destruct(struct tls_offload_context_tx *o,
				 void (*fn)(struct work_struct *work));
struct tls_offload_context_tx *tlsr_offload_of_work(struct work_struct *work);

void tlsr_record_add_tail(struct tls_record_info *rec,
			  struct tls_offload_context_tx *o);
void tlsr_record_del(struct tls_record_info *rec);
void tlsr_record_add_page(struct tls_record_info *rec, struct page *page,
			  u32 off, u32 len);
void tlsr_record_add_buf(struct tls_record_info *rec, void *addr, u32 len);
void tlsr_record_put_frags(struct tls_record_info *rec);

u32 tlsr_skb_decrypted_payload(struct sk_buff *skb, u32 *seq);
struct sk_buff *tlsr_skb_fallback_copy(struct sk_buff *skb, u32 *seq,
				       u8 **payload, u32 *len);
struct sk_buff *tlsr_skb_fallback_finish(struct sk_buff *skb,
					 struct sk_buff *nskb);

#endif /* _TLS_REKEY_DEVICE_HELPERS_H */
