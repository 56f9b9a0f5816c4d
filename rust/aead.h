/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AEAD helpers shared by tls_rekey and the simulated NIC (rust/aead.c,
 * wrapped by rust/aead.rs).
 */
#ifndef _TLS_REKEY_AEAD_H
#define _TLS_REKEY_AEAD_H

#include <linux/types.h>

struct aead_request;

struct aead_request *tlsr_aead_alloc(const char *name, const u8 *key,
				     unsigned int key_len, unsigned int tag_len);
void tlsr_aead_free(struct aead_request *req);
int tlsr_aead_crypt(struct aead_request *req, bool encrypt, u8 *aad,
		    unsigned int aad_len, u8 *data, unsigned int len, u8 *iv);

#endif /* _TLS_REKEY_AEAD_H */
