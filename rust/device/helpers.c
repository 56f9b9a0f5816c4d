// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of device offload (see helpers.h): what rust/device needs from
 * inline functions, macros and locks of the netdev, TCP and TLS headers.
 * Policy stays in Rust.
 */
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/dst.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "../helpers.h"
#include "helpers.h"

static struct workqueue_struct *tlsr_destruct_wq;
static int (*tlsr_netdev_down)(struct net_device *dev);

struct tlsr_tx_head *tlsr_ctx_tx_head(struct tls_context *ctx)
{
	if (ctx->tx_conf == TLS_HW && ctx->priv_ctx_tx)
		return ((struct tlsr_dev_tx *)ctx->priv_ctx_tx)->head;
	return ctx->priv_ctx_tx;
}

/* As tls_dev_event(): devices with incomplete ops are refused. */
static int tlsr_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (!dev->tlsdev_ops &&
	    !(dev->features & (NETIF_F_HW_TLS_RX | NETIF_F_HW_TLS_TX)))
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_FEAT_CHANGE:
		if (netif_is_bond_master(dev))
			return NOTIFY_DONE;
		if (!dev->tlsdev_ops || !dev->tlsdev_ops->tls_dev_add ||
		    !dev->tlsdev_ops->tls_dev_del)
			return NOTIFY_BAD;
		if ((dev->features & NETIF_F_HW_TLS_RX) &&
		    !dev->tlsdev_ops->tls_dev_resync)
			return NOTIFY_BAD;
		return NOTIFY_DONE;
	case NETDEV_DOWN:
		tlsr_netdev_down(dev);
		return NOTIFY_DONE;
	}
	return NOTIFY_DONE;
}

static struct notifier_block tlsr_netdev_nb = {
	.notifier_call = tlsr_netdev_event,
};

int tlsr_device_init(int (*down)(struct net_device *dev))
{
	int err;

	tlsr_destruct_wq = alloc_workqueue("tls_rekey_destruct", WQ_UNBOUND, 0);
	if (!tlsr_destruct_wq)
		return -ENOMEM;
	tlsr_netdev_down = down;
	err = register_netdevice_notifier(&tlsr_netdev_nb);
	if (err)
		destroy_workqueue(tlsr_destruct_wq);
	return err;
}

void tlsr_device_exit(void)
{
	unregister_netdevice_notifier(&tlsr_netdev_nb);
	destroy_workqueue(tlsr_destruct_wq);
	clean_acked_data_flush();
}

/* get_netdev_for_sock(): the lowest device of the socket's route, held. */
struct net_device *tlsr_sk_offload_netdev(struct sock *sk)
{
	struct net_device *dev, *lowest = NULL;
	struct dst_entry *dst;

	rcu_read_lock();
	dst = __sk_dst_get(sk);
	dev = dst ? dst_dev_rcu(dst) : NULL;
	if (dev) {
		lowest = netdev_sk_get_lowest_dev(dev, sk);
		dev_hold(lowest);
	}
	rcu_read_unlock();
	return lowest;
}

void tlsr_dev_put(struct net_device *dev)
{
	dev_put(dev);
}

bool tlsr_netdev_can_tls_tx(struct net_device *dev)
{
	return (dev->features & NETIF_F_HW_TLS_TX) && dev->tlsdev_ops &&
	       dev->tlsdev_ops->tls_dev_add && dev->tlsdev_ops->tls_dev_del;
}

bool tlsr_netdev_is_up(struct net_device *dev)
{
	return dev->flags & IFF_UP;
}

int tlsr_tls_dev_add_tx(struct net_device *dev, struct sock *sk,
			struct tls_context *ctx, u32 start_seq)
{
	return dev->tlsdev_ops->tls_dev_add(dev, sk, TLS_OFFLOAD_CTX_DIR_TX,
					    &ctx->crypto_send.info, start_seq);
}

void tlsr_tls_dev_del_tx(struct net_device *dev, struct tls_context *ctx)
{
	dev->tlsdev_ops->tls_dev_del(dev, ctx, TLS_OFFLOAD_CTX_DIR_TX);
}

/* The @dir key of @ctx into @slot of a device with several generations. */
int tlsr_gen_add(const struct tls_rekey_gen_ops *ops, struct net_device *dev,
		 struct sock *sk, struct tls_context *ctx,
		 enum tls_offload_ctx_dir dir, u32 slot, u32 start_seq)
{
	struct tls_crypto_info *info = dir == TLS_OFFLOAD_CTX_DIR_TX ?
				       &ctx->crypto_send.info :
				       &ctx->crypto_recv.info;

	return ops->gen_add(dev, sk, dir, slot, info, start_seq);
}

void tlsr_gen_del(const struct tls_rekey_gen_ops *ops, struct net_device *dev,
		  struct tls_context *ctx, enum tls_offload_ctx_dir dir,
		  u32 slot)
{
	ops->gen_del(dev, ctx, dir, slot);
}

/* Whether the devices of @ops take RX generations ahead of their KeyUpdates. */
bool tlsr_gen_ahead_rx(const struct tls_rekey_gen_ops *ops)
{
	return ops->gen_add_ahead && ops->gen_start;
}

/*
 * The RX key of the @len bytes of crypto_info at @info into @slot, ahead of
 * its KeyUpdate; the aligned copy the driver reads is wiped after.
 */
int tlsr_gen_add_ahead(const struct tls_rekey_gen_ops *ops,
		       struct net_device *dev, struct sock *sk, u32 slot,
		       const u8 *info, u32 len)
{
	union tls_crypto_context c = {};
	int err;

	if (len > sizeof(c))
		return -EINVAL;
	memcpy(&c, info, len);
	err = ops->gen_add_ahead(dev, sk, slot, &c.info);
	memzero_explicit(&c, sizeof(c));
	return err;
}

void tlsr_gen_start(const struct tls_rekey_gen_ops *ops, struct net_device *dev,
		    struct tls_context *ctx, u32 slot, u32 start_seq)
{
	ops->gen_start(dev, ctx, slot, start_seq);
}

/* The record starting at TCP sequence @seq has record sequence @rcd_sn. */
int tlsr_tls_dev_resync_tx(struct net_device *dev, struct sock *sk, u32 seq,
			   u64 rcd_sn)
{
	__be64 sn = cpu_to_be64(rcd_sn);

	if (!dev->tlsdev_ops->tls_dev_resync)
		return -EOPNOTSUPP;
	return dev->tlsdev_ops->tls_dev_resync(dev, sk, seq, (u8 *)&sn,
					       TLS_OFFLOAD_CTX_DIR_TX);
}

bool tlsr_ctx_tx_resync_pending(struct tls_context *ctx)
{
	return test_bit(TLS_TX_SYNC_SCHED, &ctx->flags);
}

void tlsr_ctx_tx_resync_done(struct tls_context *ctx)
{
	clear_bit_unlock(TLS_TX_SYNC_SCHED, &ctx->flags);
}

/* Records leave the device TX list as TCP acknowledges them. */
void tlsr_device_tx_start(struct sock *sk,
			  void (*acked)(struct sock *sk, u32 acked_seq))
{
	clean_acked_data_enable(tcp_sk(sk), acked);
	/* Nothing sent before may share an skb with device records. */
	tcp_write_collapse_fence(sk);
}

void tlsr_device_tx_stop(struct sock *sk)
{
	clean_acked_data_disable(tcp_sk(sk));
}

/*
 * The socket goes on the device: drivers' tls_is_skb_tx_device_offloaded()
 * and tls_is_sk_rx_device_offloaded() recognise it from now on.
 */
void tlsr_device_tx_attach(struct sock *sk, struct tls_context *ctx,
			   struct net_device *dev)
{
	tlsr_device_rx_attach(sk, ctx, dev);
	smp_store_release(&sk->sk_validate_xmit_skb, tls_validate_xmit_skb);
}

/*
 * RX (or TX) goes on the device: tls_is_sk_rx_device_offloaded() compares
 * sk_destruct. As tls_device_attach(), the destructor is replaced once
 * per socket and stays until the socket is freed; ctx->netdev is the
 * device (the caller holds the device list lock).
 */
void tlsr_device_rx_attach(struct sock *sk, struct tls_context *ctx,
			   struct net_device *dev)
{
	rcu_assign_pointer(ctx->netdev, dev);
	if (sk->sk_destruct == tls_device_sk_destruct)
		return;
	ctx->sk_destruct = sk->sk_destruct;
	smp_store_release(&sk->sk_destruct, tls_device_sk_destruct);
}

/* The socket left its device for good (the device list lock is held). */
void tlsr_ctx_clear_netdev(struct tls_context *ctx)
{
	RCU_INIT_POINTER(ctx->netdev, NULL);
}

/*
 * tls_device_down() for RX: the reader no longer counts on the device (no
 * resync answers); the device reference is about to go.
 */
void tlsr_device_rx_degrade(struct tls_context *ctx)
{
	set_bit(TLS_RX_DEV_DEGRADED, &ctx->flags);
	RCU_INIT_POINTER(ctx->netdev, NULL);
}

bool tlsr_netdev_can_tls_rx(struct net_device *dev)
{
	return (dev->features & NETIF_F_HW_TLS_RX) && dev->tlsdev_ops &&
	       dev->tlsdev_ops->tls_dev_add && dev->tlsdev_ops->tls_dev_del &&
	       dev->tlsdev_ops->tls_dev_resync;
}

/*
 * As tls_set_device_offload_rx(), the device starting at @start_seq, where
 * the record of crypto_recv's rec_seq starts.
 */
int tlsr_tls_dev_add_rx(struct net_device *dev, struct sock *sk,
			struct tls_context *ctx, u32 start_seq)
{
	return dev->tlsdev_ops->tls_dev_add(dev, sk, TLS_OFFLOAD_CTX_DIR_RX,
					    &ctx->crypto_recv.info, start_seq);
}

void tlsr_tls_dev_del_rx(struct net_device *dev, struct tls_context *ctx)
{
	dev->tlsdev_ops->tls_dev_del(dev, ctx, TLS_OFFLOAD_CTX_DIR_RX);
}

void tlsr_tls_dev_resync_rx(struct net_device *dev, struct sock *sk, u32 seq,
			    u64 rcd_sn)
{
	__be64 sn = cpu_to_be64(rcd_sn);

	dev->tlsdev_ops->tls_dev_resync(dev, sk, seq, (u8 *)&sn,
					TLS_OFFLOAD_CTX_DIR_RX);
}

void tlsr_offload_rx_init(struct tls_offload_context_rx *o)
{
	memset(o, 0, sizeof(*o));
	o->resync_nh_reset = 1;
}

/*
 * The resync state of tls_offload_context_rx, which bindgen cannot lay out
 * (it starts with tls_sw_context_rx): the type the driver chose in
 * tls_dev_add, and the members of the union each type uses.
 */
enum tls_offload_sync_type
tlsr_offload_rx_resync_type(const struct tls_offload_context_rx *o)
{
	return o->resync_type;
}

/* TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ: what tls_offload_rx_resync_request() set. */
atomic64_t *tlsr_offload_rx_resync_req(struct tls_offload_context_rx *o)
{
	return &o->resync_req;
}

/* TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC: the driver's log (may be NULL). */
struct tls_offload_resync_async *
tlsr_offload_rx_resync_async(struct tls_offload_context_rx *o)
{
	return o->resync_async;
}

/* TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT: the back-off and its two flags. */
void tlsr_offload_rx_nh_get(const struct tls_offload_context_rx *o,
			    struct tlsr_rx_nh *nh)
{
	nh->failed = o->resync_nh.decrypted_failed;
	nh->target = o->resync_nh.decrypted_tgt;
	nh->reset = o->resync_nh_reset;
	nh->do_now = o->resync_nh_do_now;
}

void tlsr_offload_rx_nh_set(struct tls_offload_context_rx *o,
			    const struct tlsr_rx_nh *nh)
{
	o->resync_nh.decrypted_failed = nh->failed;
	o->resync_nh.decrypted_tgt = nh->target;
	o->resync_nh_reset = nh->reset;
	o->resync_nh_do_now = nh->do_now;
}

/*
 * Device RX: waits as tls_rx_rec_wait() does until TCP holds bytes for the
 * reader. 1 when it does, 0 at end of stream, -errno on a socket error,
 * the timeout (-EAGAIN at once if @nonblock) or a signal.
 */
int tlsr_tcp_wait_data(struct sock *sk, bool nonblock)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeo;
	int ret = 1;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, nonblock);
	while (!tcp_inq(sk)) {
		if (sk->sk_err) {
			ret = sock_error(sk);
			break;
		}
		if ((sk->sk_shutdown & RCV_SHUTDOWN) || sock_flag(sk, SOCK_DONE)) {
			ret = 0;
			break;
		}
		if (!timeo) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = sock_intr_errno(timeo);
			break;
		}
		add_wait_queue(sk_sleep(sk), &wait);
		sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		sk_wait_event(sk, &timeo,
			      tcp_inq(sk) || sk->sk_err ||
			      (sk->sk_shutdown & RCV_SHUTDOWN), &wait);
		sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
	release_sock(sk);
	return ret;
}

struct tlsr_read_state {
	u8 *buf;
	u32 copied;
	struct tlsr_rx_run *runs;
	u32 max_runs;
	u32 nruns;
};

static int tlsr_read_actor(read_descriptor_t *desc, struct sk_buff *skb,
			   unsigned int offset, size_t len)
{
	struct tlsr_read_state *st = desc->arg.data;
	size_t n = min_t(size_t, len, desc->count);
	struct tlsr_rx_run *last = st->nruns ? &st->runs[st->nruns - 1] : NULL;

	if (skb_is_decrypted(skb) && !(last && last->end == st->copied)) {
		/* No room to say what this skb is: read it next time. */
		if (st->nruns == st->max_runs)
			return 0;
		last = &st->runs[st->nruns++];
		last->start = st->copied;
		last->end = st->copied;
	}
	if (skb_copy_bits(skb, offset, st->buf + st->copied, n))
		return -EFAULT;
	st->copied += n;
	if (skb_is_decrypted(skb))
		last->end = st->copied;
	desc->count -= n;
	return n;
}

/*
 * Device RX: reads up to @len bytes from TCP's receive queue without
 * blocking, as tls_strp does, telling which of them came in skbs the
 * device decrypted (@runs, offsets into @buf). Bytes read or -errno.
 */
int tlsr_tcp_read_runs(struct sock *sk, u8 *buf, u32 len,
		       struct tlsr_rx_run *runs, u32 max_runs, u32 *nruns)
{
	struct tlsr_read_state st = {
		.buf = buf, .runs = runs, .max_runs = max_runs,
	};
	read_descriptor_t desc = { .arg.data = &st, .count = len };
	int r;

	lock_sock(sk);
	r = tcp_read_sock(sk, &desc, tlsr_read_actor);
	release_sock(sk);
	*nruns = st.nruns;
	return st.copied ?: min(r, 0);
}

/* ctx->netdev where its writers are serialised (the device list lock). */
struct net_device *tlsr_ctx_netdev_locked(struct tls_context *ctx)
{
	return rcu_dereference_protected(ctx->netdev, true);
}

/*
 * The first half of tls_device_down() for one socket: drivers stop taking
 * its skbs as offloaded (tls_is_skb_tx_device_offloaded() compares the
 * validator) and the validator seals every record skb in software. The
 * key leaves the device after synchronize_net().
 */
void tlsr_device_tx_leave(struct tls_context *ctx,
			  struct sk_buff *(*validate)(struct sock *sk,
						      struct net_device *dev,
						      struct sk_buff *skb))
{
	WRITE_ONCE(ctx->sk->sk_validate_xmit_skb, validate);
	RCU_INIT_POINTER(ctx->netdev, NULL);
}

void tlsr_tcp_write_collapse_fence(struct sock *sk)
{
	tcp_write_collapse_fence(sk);
}

const struct tlsdev_ops *tlsr_netdev_tlsdev_ops(struct net_device *dev)
{
	return dev->tlsdev_ops;
}

void tlsr_offload_init(struct tls_offload_context_tx *o)
{
	spin_lock_init(&o->lock);
	INIT_LIST_HEAD(&o->records_list);
}

unsigned long tlsr_offload_lock(struct tls_offload_context_tx *o)
{
	unsigned long flags;

	spin_lock_irqsave(&o->lock, flags);
	return flags;
}

void tlsr_offload_unlock(struct tls_offload_context_tx *o, unsigned long flags)
{
	spin_unlock_irqrestore(&o->lock, flags);
}

void tlsr_offload_queue_destruct(struct tls_offload_context_tx *o,
				 void (*fn)(struct work_struct *work))
{
	INIT_WORK(&o->destruct_work, fn);
	queue_work(tlsr_destruct_wq, &o->destruct_work);
}

struct tls_offload_context_tx *tlsr_offload_of_work(struct work_struct *work)
{
	return container_of(work, struct tls_offload_context_tx, destruct_work);
}

/* The caller holds the offload context's lock. */
void tlsr_record_add_tail(struct tls_record_info *rec,
			  struct tls_offload_context_tx *o)
{
	list_add_tail_rcu(&rec->list, &o->records_list);
}

/* The caller holds the offload context's lock. */
void tlsr_record_del(struct tls_record_info *rec)
{
	list_del(&rec->list);
}

/*
 * The record's next @len bytes are @page's from @off on (the caller keeps
 * within MAX_SKB_FRAGS pieces): reference the page.
 */
void tlsr_record_add_page(struct tls_record_info *rec, struct page *page,
			  u32 off, u32 len)
{
	get_page(page);
	skb_frag_fill_page_desc(&rec->frags[rec->num_frags++], page, off, len);
}

/* The record's next @len bytes are page-frag memory at @addr. */
void tlsr_record_add_buf(struct tls_record_info *rec, void *addr, u32 len)
{
	struct page *page = virt_to_head_page(addr);

	tlsr_record_add_page(rec, page, addr - page_address(page), len);
}

void tlsr_record_put_frags(struct tls_record_info *rec)
{
	int i;

	for (i = 0; i < rec->num_frags; i++)
		put_page(skb_frag_page(&rec->frags[i]));
	rec->num_frags = 0;
}

/*
 * The TCP payload length of @skb if it is marked decrypted (records framed
 * for a device), its first byte's sequence number in *@seq; else 0.
 */
u32 tlsr_skb_decrypted_payload(struct sk_buff *skb, u32 *seq)
{
	int off = skb_tcp_all_headers(skb);

	if (off >= skb->len || !skb_is_decrypted(skb))
		return 0;
	*seq = ntohl(tcp_hdr(skb)->seq);
	return skb->len - off;
}

/*
 * A private, linear copy of a device TX skb for the software fallback,
 * its TCP payload at *@payload (*@len bytes, TCP sequence *@seq). NULL
 * with *@len == 0 if there is nothing to seal: no payload, or no record
 * left for the device (not marked decrypted).
 */
struct sk_buff *tlsr_skb_fallback_copy(struct sk_buff *skb, u32 *seq,
				       u8 **payload, u32 *len)
{
	int off = skb_tcp_all_headers(skb);
	struct sk_buff *nskb;

	*len = 0;
	/* ACKs, FINs and records sealed in software pass as they are. */
	if (off >= skb->len || !skb_is_decrypted(skb))
		return NULL;
	nskb = skb_copy(skb, GFP_ATOMIC);
	if (!nskb)
		return NULL;
	*seq = ntohl(tcp_hdr(skb)->seq);
	*payload = nskb->data + off;
	*len = nskb->len - off;
	return nskb;
}

/*
 * complete_skb() of tls_device_fallback.c: @nskb (encrypted) replaces
 * @skb, taking over its socket, destructor and write memory; a checksum
 * not left to the device is set up for it again.
 */
struct sk_buff *tlsr_skb_fallback_finish(struct sk_buff *skb,
					 struct sk_buff *nskb)
{
	struct sock *sk = skb->sk;
	struct tcphdr *th;
	int delta, len;

#ifdef CONFIG_SKB_DECRYPTED
	nskb->decrypted = 0;
#endif
	nskb->sk = sk;
	nskb->destructor = skb->destructor;
	skb->sk = NULL;
	skb->destructor = NULL;
	if (nskb->ip_summed != CHECKSUM_PARTIAL) {
		th = tcp_hdr(nskb);
		len = nskb->len - skb_transport_offset(nskb);
		nskb->ip_summed = CHECKSUM_PARTIAL;
		nskb->csum_start = skb_transport_header(nskb) - nskb->head;
		nskb->csum_offset = offsetof(struct tcphdr, check);
		if (sk->sk_family == AF_INET6)
			th->check = ~csum_ipv6_magic(&ipv6_hdr(nskb)->saddr,
						     &ipv6_hdr(nskb)->daddr,
						     len, IPPROTO_TCP, 0);
		else
			th->check = ~csum_tcpudp_magic(ip_hdr(nskb)->saddr,
						       ip_hdr(nskb)->daddr,
						       len, IPPROTO_TCP, 0);
	}
	/* sock_efree: the skb went through skb_orphan_partial() */
	if (nskb->destructor != sock_efree) {
		delta = nskb->truesize - skb->truesize;
		if (likely(delta < 0))
			WARN_ON_ONCE(refcount_sub_and_test(-delta,
							   &sk->sk_wmem_alloc));
		else if (delta)
			refcount_add(delta, &sk->sk_wmem_alloc);
	}
	consume_skb(skb);
	/* validate_xmit_skb_list() expects an unsegmented skb's prev to be it */
	nskb->prev = nskb;
	return nskb;
}
