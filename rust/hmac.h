/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HMAC through the kernel crypto API (rust/hmac.c, wrapped by rust/hmac.rs):
 * the PRF of the TLS 1.3 key schedule.
 */
#ifndef _TLS_REKEY_HMAC_H
#define _TLS_REKEY_HMAC_H

#include <linux/types.h>

struct crypto_shash;

struct crypto_shash *tlsr_hmac_alloc(const char *name,
				     unsigned int digest_size);
void tlsr_hmac_free(struct crypto_shash *tfm);
int tlsr_hmac(struct crypto_shash *tfm, const u8 *key, unsigned int key_len,
	      const u8 *const *parts, const unsigned int *lens,
	      unsigned int n, u8 *out);

#endif /* _TLS_REKEY_HMAC_H */
