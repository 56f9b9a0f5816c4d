/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C helpers of tls_rekey: the inline functions, macros and locking
 * variants that Rust cannot call directly. Implemented in helpers.c.
 */
#ifndef _TLS_REKEY_HELPERS_H
#define _TLS_REKEY_HELPERS_H

#include <linux/snmp.h>
#include <linux/sockptr.h>
#include <linux/types.h>
#include <linux/workqueue_types.h>

struct crypto_aead;
struct page_frag_cache;
struct pipe_inode_info;
struct file;
struct module;
struct msghdr;
struct poll_table_struct;
struct socket;
struct proto;
struct proto_ops;
struct sk_buff;
struct sock;
struct tls_context;

struct tls_context *tlsr_ctx_create(struct sock *sk);
void tlsr_ctx_free(struct tls_context *ctx);
struct tls_context *tlsr_get_ctx(const struct sock *sk);
void tlsr_clear_ctx(struct sock *sk);

void tlsr_lock_sock(struct sock *sk);
void tlsr_callback_write_lock_bh(struct sock *sk);
void tlsr_callback_write_unlock_bh(struct sock *sk);

int tlsr_sk_state(const struct sock *sk);
struct proto *tlsr_sk_prot(const struct sock *sk);
const struct proto_ops *tlsr_sk_socket_ops(const struct sock *sk);
void tlsr_sk_set_prot(struct sock *sk, struct proto *prot,
		      const struct proto_ops *ops);

int tlsr_copy_from_sockptr(void *dst, sockptr_t src, size_t offset,
			   size_t size);
int tlsr_check_zeroed_sockptr(sockptr_t src, size_t offset, size_t size);
int tlsr_get_user_int(int *val, int __user *uptr);
int tlsr_put_user_int(int val, int __user *uptr);
int tlsr_copy_to_user(void __user *dst, const void *src, size_t size);
void tlsr_memzero_explicit(void *ptr, size_t size);

int tlsr_fill_ulp_info(struct sk_buff *skb, u16 version, u16 cipher_type,
		       u16 tx_conf, u16 rx_conf, bool zc_ro_tx, bool rx_no_pad,
		       u16 tx_max_payload_len);
size_t tlsr_ulp_info_size(void);

#include "aead.h"

int tlsr_aead_seal_msg(struct aead_request *req, u8 *aad, unsigned int aad_len,
		       struct msghdr *msg, size_t len, u8 *tail,
		       unsigned int tail_len, u8 *dst, u8 *iv);
int tlsr_aead_open_msg(struct aead_request *req, u8 *aad, unsigned int aad_len,
		       u8 *src, struct sock *sk, u32 off, unsigned int len,
		       struct msghdr *msg, size_t user_len, u8 *tail,
		       unsigned int tail_len, u8 *iv);
void tlsr_msg_revert(struct msghdr *msg, size_t len);

bool tlsr_msg_pinnable(const struct msghdr *msg);
size_t tlsr_msg_data_left(const struct msghdr *msg);
unsigned int tlsr_msg_flags(const struct msghdr *msg);
int tlsr_msg_copy_from(struct msghdr *msg, void *dst, size_t len);
size_t tlsr_msg_copy_to(struct msghdr *msg, const void *src, size_t len);
int tlsr_msg_record_type(struct msghdr *msg, u8 *type);
int tlsr_msg_put_record_type(struct msghdr *msg, u8 type);
int tlsr_sk_sndbuf_lift(struct sock *sk);
void tlsr_sk_sndbuf_restore(struct sock *sk, int sndbuf);
int tlsr_sk_stream_wait_sndbuf(struct sock *sk, int flags);
int tlsr_tcp_send_frag(struct sock *sk, void *buf, size_t len, int flags);
int tlsr_tcp_send_page(struct sock *sk, struct page *page, u32 off, u32 len,
		       int flags);
int tlsr_msg_splice_pages(struct msghdr *msg, size_t len, struct page **pages,
			  u32 *offs, u32 *lens, unsigned int max);
void tlsr_put_page(struct page *page);
int tlsr_tcp_recv(struct sock *sk, void *buf, size_t len, int flags);
void *tlsr_frag_alloc(struct sock *sk, unsigned int size);
void tlsr_frag_free(void *buf);
int tlsr_tcp_inq(struct sock *sk);
u32 tlsr_tcp_write_seq(const struct sock *sk);
u32 tlsr_tcp_snd_una(const struct sock *sk);
u32 tlsr_tcp_copied_seq(const struct sock *sk);
int tlsr_sock_error(struct sock *sk);
void tlsr_err_abort(struct sock *sk, int err);
void tlsr_reset_on_close(struct sock *sk);
bool tlsr_rcv_shutdown(const struct sock *sk);
unsigned int tlsr_poll(const struct proto_ops *base, struct file *file,
		       struct socket *sock, struct poll_table_struct *wait);
struct sock *tlsr_socket_sk(struct socket *sock);
void tlsr_data_ready(struct sock *sk);

/*
 * Head of the Rust TX state, shared with the write_space callback: the
 * deferred push of sealed bytes TCP did not take (upstream's tx_work).
 */
struct tlsr_tx_head {
	struct work_struct work;
	unsigned long flags;
	struct sock *sk;
	/* The description of the alert TLSR_TX_ALERT sends. */
	u8 alert;
};

#define TLSR_TX_PENDING		0
#define TLSR_TX_CLOSING		1
/* Kernel key schedule: a KeyUpdate, or a fatal alert, is due. */
#define TLSR_TX_KEY_UPDATE	2
#define TLSR_TX_ALERT		3

void tlsr_tx_head_init(struct tlsr_tx_head *h, struct sock *sk,
		       void (*fn)(struct work_struct *));
void tlsr_tx_set_pending(struct tlsr_tx_head *h, bool pending);
void tlsr_tx_close(struct tlsr_tx_head *h);
bool tlsr_tx_request(struct tls_context *ctx, unsigned int bit, u8 alert);
int tlsr_tx_take(struct tlsr_tx_head *h, unsigned int bit);
bool tlsr_tx_due(const struct tlsr_tx_head *h);
void tlsr_install_write_space(struct sock *sk, struct tls_context *ctx);
void tlsr_restore_write_space(struct sock *sk, struct tls_context *ctx);
int tlsr_tx_lock(struct tls_context *ctx);
void tlsr_tx_unlock(struct tls_context *ctx);
ssize_t tlsr_splice_bytes(struct sock *sk, struct pipe_inode_info *pipe,
			  const void *buf, size_t len, unsigned int flags);

/*
 * Counters of /proc/net/tls_stat beyond upstream's (after its
 * __LINUX_MIB_TLSMAX entries, in the same per-CPU block).
 */
enum {
	/* Records sealed by the software fallback of device TX. */
	TLSR_MIB_TXDEVICEFALLBACK = __LINUX_MIB_TLSMAX,
	/* TX records sealed (device: framed) from the sender's pages. */
	TLSR_MIB_TXRECORDSDIRECT,
	/* TX records sealed or framed after a copy into their buffer. */
	TLSR_MIB_TXRECORDSCOPIED,
	/* Software RX records opened straight from TCP's skbs. */
	TLSR_MIB_RXRECORDSDIRECT,
	/* Software RX records opened after a copy out of TCP. */
	TLSR_MIB_RXRECORDSCOPIED,
	/* TLS 1.3 TX rekeys after which the socket went back on its device. */
	TLSR_MIB_TXDEVICEREKEY,
	/* Records (bytes) a device TX socket sealed in software after a rekey,
	 * waiting for the device to take the new key.
	 */
	TLSR_MIB_TXDEVICEREKEYSWRECORDS,
	TLSR_MIB_TXDEVICEREKEYSWBYTES,
	/* Generations a device gave up for a newer one while TCP could still
	 * send their records again.
	 */
	TLSR_MIB_TXDEVICEGENEVICTED,
	/* Generations a device refused (its records then sealed in software). */
	TLSR_MIB_TXDEVICEGENREFUSED,
	/* Records sealed by the fallback because the device had given up their
	 * generation.
	 */
	TLSR_MIB_TXDEVICEFALLBACKRETIRED,
	/* Rekeys on a device with several generations whose new key waited for
	 * a slot: the module's eight generations all had records to be
	 * acknowledged.
	 */
	TLSR_MIB_TXDEVICEGENFULL,
	/* TLS 1.3 RX rekeys after which the device took the new key. */
	TLSR_MIB_RXDEVICEREKEY,
	/* Records a device RX socket opened in software after a KeyUpdate,
	 * until the device decrypted one whole again.
	 */
	TLSR_MIB_RXDEVICEREKEYSWRECORDS,
	/* RX key generations of the kernel's schedule put on a device ahead
	 * of their KeyUpdate (gen_add_ahead).
	 */
	TLSR_MIB_RXDEVICEGENAHEAD,
	__TLSR_MIB_MAX
};

int tlsr_proc_register(void);
void tlsr_proc_unregister(void);
void tlsr_stat_add(struct sock *sk, int field, int delta);

struct net_device;

struct sock *tlsr_skb_sk(const struct sk_buff *skb);
void tlsr_kfree_skb(struct sk_buff *skb);
bool tlsr_netif_is_bond_master(const struct net_device *dev);
struct net_device *tlsr_ctx_netdev(struct tls_context *ctx);
bool tlsr_ctx_test_and_set_flag(struct tls_context *ctx, int bit);
void tlsr_ctx_set_flag(struct tls_context *ctx, int bit);
void tlsr_ctx_clear_flag(struct tls_context *ctx, int bit);
bool tlsr_ctx_test_flag(struct tls_context *ctx, int bit);

#endif /* _TLS_REKEY_HELPERS_H */
