/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software RX records read in TCP's receive queue (rust/rx_queue.c). The
 * caller holds the socket lock.
 */
#ifndef _TLS_REKEY_RX_QUEUE_H
#define _TLS_REKEY_RX_QUEUE_H

#include <linux/types.h>

struct aead_request;
struct scatterlist;
struct sock;

long tlsr_tcp_rcvtimeo(struct sock *sk, bool nonblock);
int tlsr_tcp_wait_inq(struct sock *sk, u32 need, long *timeo);
int tlsr_tcp_peek(struct sock *sk, u32 off, u8 *buf, u32 len);
int tlsr_aead_open_tcp(struct aead_request *req, u8 *aad, unsigned int aad_len,
		       struct sock *sk, u32 off, unsigned int len, u8 *dst,
		       struct scatterlist *out, u8 *iv);

#endif /* _TLS_REKEY_RX_QUEUE_H */
