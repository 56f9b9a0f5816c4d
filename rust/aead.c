// SPDX-License-Identifier: GPL-2.0
/*
 * A synchronous AEAD transform with its request, sealing and opening linear
 * buffers in place: shared by tls_rekey and the simulated NIC of its tests
 * (tools/testing/tlsnic compiles this file too).
 */
#include <crypto/aead.h>
#include <linux/err.h>
#include <linux/scatterlist.h>

#include "aead.h"

struct aead_request *tlsr_aead_alloc(const char *name, const u8 *key,
				     unsigned int key_len, unsigned int tag_len)
{
	struct aead_request *req;
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(name, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return ERR_CAST(tfm);
	err = crypto_aead_setkey(tfm, key, key_len);
	if (!err)
		err = crypto_aead_setauthsize(tfm, tag_len);
	if (err)
		goto free_tfm;
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!req) {
		err = -ENOMEM;
		goto free_tfm;
	}
	aead_request_set_callback(req, 0, NULL, NULL);
	return req;
free_tfm:
	crypto_free_aead(tfm);
	return ERR_PTR(err);
}

void tlsr_aead_free(struct aead_request *req)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);

	aead_request_free(req);
	crypto_free_aead(tfm);
}

/*
 * Seal (@len bytes of plaintext, the tag written after them) or open (@len
 * bytes of ciphertext and tag) @data in place. @aad and @data must be
 * linear kernel memory (kmalloc), not stack.
 */
int tlsr_aead_crypt(struct aead_request *req, bool encrypt, u8 *aad,
		    unsigned int aad_len, u8 *data, unsigned int len, u8 *iv)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct scatterlist sg[2];

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], aad, aad_len);
	sg_set_buf(&sg[1], data, encrypt ? len + crypto_aead_authsize(tfm) : len);
	aead_request_set_crypt(req, sg, sg, len, iv);
	aead_request_set_ad(req, aad_len);
	return encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
}
