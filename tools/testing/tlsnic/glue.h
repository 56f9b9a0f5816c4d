/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsnic: the C side of the simulated TLS-offload NIC. The netdev plumbing
 * (rtnl_link_ops, xmit, tlsdev_ops, debugfs) is C; flows and record crypto
 * are Rust (tlsnic.rs). This header is the interface between the two, and
 * the input of the module's bindgen run.
 */
#ifndef _TLSNIC_GLUE_H
#define _TLSNIC_GLUE_H

#include <linux/types.h>

#include "../../../rust/aead.h"
#include "../../../rust/device/record.h"

struct tls_offload_context_tx;

/* Implemented in Rust. */
int tnic_flow_add(void **flow, const u8 *crypto_info, unsigned int len,
		  u32 start_seq);
void *tnic_key_new(const u8 *crypto_info, unsigned int len, u32 start_seq);
void tnic_key_free(void *key);
int tnic_flow_put(void *flow, u32 slot, void *key);
void *tnic_flow_take(void *flow, u32 slot);
void tnic_flow_del(void *flow);
int tnic_flow_tx(void *flow, struct tls_offload_context_tx *ctx, u32 seq,
		 u8 *payload, unsigned int len);

/*
 * Implemented in C for Rust (and the AEAD and record helpers of
 * ../../../rust/aead.c and ../../../rust/device/record.c).
 */
void *tnic_get_record(struct tls_offload_context_tx *ctx, u32 seq,
		      u64 *rcd_sn, u32 *end_seq, u32 *len);
int tnic_glue_init(void);
void tnic_glue_exit(void);

#endif /* _TLSNIC_GLUE_H */
