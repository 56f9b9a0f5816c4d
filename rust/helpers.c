// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of tls_rekey: inline functions, macros and _bh locking that
 * Rust cannot call directly. No logic lives here.
 */

#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/inet_diag.h>
#include <linux/uaccess.h>
#include <net/inet_connection_sock.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/tls.h>

#include "helpers.h"

/* Mirrors tls_ctx_create(): the ULP data is a C-layout struct tls_context. */
struct tls_context *tlsr_ctx_create(struct sock *sk)
{
	struct tls_context *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_ATOMIC);
	if (!ctx)
		return NULL;

	mutex_init(&ctx->tx_lock);
	ctx->sk_proto = READ_ONCE(sk->sk_prot);
	ctx->sk = sk;
	/* Orders ctx->sk_proto before the sk_prot switch that follows. */
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, ctx);
	return ctx;
}

/* Mirrors tls_ctx_free(): readers of icsk_ulp_data run under RCU. */
void tlsr_ctx_free(struct tls_context *ctx)
{
	memzero_explicit(&ctx->crypto_send, sizeof(ctx->crypto_send));
	memzero_explicit(&ctx->crypto_recv, sizeof(ctx->crypto_recv));
	mutex_destroy(&ctx->tx_lock);
	kfree_rcu(ctx, rcu);
}

struct tls_context *tlsr_get_ctx(const struct sock *sk)
{
	return tls_get_ctx(sk);
}

void tlsr_clear_ctx(struct sock *sk)
{
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, NULL);
}

void tlsr_lock_sock(struct sock *sk)
{
	lock_sock(sk);
}

void tlsr_callback_write_lock_bh(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
}

void tlsr_callback_write_unlock_bh(struct sock *sk)
{
	write_unlock_bh(&sk->sk_callback_lock);
}

int tlsr_sk_state(const struct sock *sk)
{
	return inet_sk_state_load(sk);
}

struct proto *tlsr_sk_prot(const struct sock *sk)
{
	return READ_ONCE(sk->sk_prot);
}

const struct proto_ops *tlsr_sk_socket_ops(const struct sock *sk)
{
	return sk->sk_socket ? READ_ONCE(sk->sk_socket->ops) : NULL;
}

void tlsr_sk_set_prot(struct sock *sk, struct proto *prot,
		      const struct proto_ops *ops)
{
	WRITE_ONCE(sk->sk_prot, prot);
	if (sk->sk_socket && ops)
		WRITE_ONCE(sk->sk_socket->ops, ops);
}

int tlsr_copy_from_sockptr(void *dst, sockptr_t src, size_t offset,
			   size_t size)
{
	return copy_from_sockptr_offset(dst, src, offset, size) ? -EFAULT : 0;
}

/* 1 if zeroed, 0 if not, -EFAULT on a fault (check_zeroed_sockptr()). */
int tlsr_check_zeroed_sockptr(sockptr_t src, size_t offset, size_t size)
{
	return check_zeroed_sockptr(src, offset, size);
}

int tlsr_get_user_int(int *val, int __user *uptr)
{
	return get_user(*val, uptr) ? -EFAULT : 0;
}

int tlsr_put_user_int(int val, int __user *uptr)
{
	return put_user(val, uptr) ? -EFAULT : 0;
}

int tlsr_copy_to_user(void __user *dst, const void *src, size_t size)
{
	return copy_to_user(dst, src, size) ? -EFAULT : 0;
}

void tlsr_memzero_explicit(void *ptr, size_t size)
{
	memzero_explicit(ptr, size);
}

/* The INET_ULP_INFO_TLS nest of tls_get_info(), attribute for attribute. */
int tlsr_fill_ulp_info(struct sk_buff *skb, u16 version, u16 cipher_type,
		       u16 tx_conf, u16 rx_conf, bool zc_ro_tx, bool rx_no_pad,
		       u16 tx_max_payload_len)
{
	struct nlattr *start;
	int err = 0;

	start = nla_nest_start_noflag(skb, INET_ULP_INFO_TLS);
	if (!start)
		return -EMSGSIZE;

	if (version)
		err = nla_put_u16(skb, TLS_INFO_VERSION, version);
	if (!err && cipher_type)
		err = nla_put_u16(skb, TLS_INFO_CIPHER, cipher_type);
	if (!err)
		err = nla_put_u16(skb, TLS_INFO_TXCONF, tx_conf);
	if (!err)
		err = nla_put_u16(skb, TLS_INFO_RXCONF, rx_conf);
	if (!err && zc_ro_tx)
		err = nla_put_flag(skb, TLS_INFO_ZC_RO_TX);
	if (!err && rx_no_pad)
		err = nla_put_flag(skb, TLS_INFO_RX_NO_PAD);
	if (!err)
		err = nla_put_u16(skb, TLS_INFO_TX_MAX_PAYLOAD_LEN,
				  tx_max_payload_len);
	if (err) {
		nla_nest_cancel(skb, start);
		return err;
	}
	nla_nest_end(skb, start);
	return 0;
}

size_t tlsr_ulp_info_size(void)
{
	return nla_total_size(0) +		/* INET_ULP_INFO_TLS */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_VERSION */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_CIPHER */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_RXCONF */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_TXCONF */
	       nla_total_size(0) +		/* TLS_INFO_ZC_RO_TX */
	       nla_total_size(0) +		/* TLS_INFO_RX_NO_PAD */
	       nla_total_size(sizeof(u16));	/* TLS_INFO_TX_MAX_PAYLOAD_LEN */
}

const char *tlsr_module_name(const struct module *mod)
{
	return mod->name;
}

int tlsr_notifier_errno(int err)
{
	return notifier_from_errno(err);
}
