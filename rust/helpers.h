/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C helpers of tls_rekey: the inline functions, macros and locking
 * variants that Rust cannot call directly. Implemented in helpers.c.
 */
#ifndef _TLS_REKEY_HELPERS_H
#define _TLS_REKEY_HELPERS_H

#include <linux/sockptr.h>
#include <linux/types.h>

struct module;
struct notifier_block;
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

const char *tlsr_module_name(const struct module *mod);
int tlsr_notifier_errno(int err);

#endif /* _TLS_REKEY_HELPERS_H */
