// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC of the TLS 1.3 key schedule: a synchronous shash transform keyed per
 * call, the MAC taken over several buffers without copying them together.
 */
#include <crypto/hash.h>
#include <linux/err.h>

#include "hmac.h"

/* The HMAC @name, whose digest must be @digest_size bytes. */
struct crypto_shash *tlsr_hmac_alloc(const char *name,
				     unsigned int digest_size)
{
	struct crypto_shash *tfm = crypto_alloc_shash(name, 0, 0);

	if (!IS_ERR(tfm) && crypto_shash_digestsize(tfm) != digest_size) {
		crypto_free_shash(tfm);
		return ERR_PTR(-EINVAL);
	}
	return tfm;
}

void tlsr_hmac_free(struct crypto_shash *tfm)
{
	crypto_free_shash(tfm);
}

/*
 * HMAC(@key, @parts[0] | ... | @parts[@n - 1]) into @out, which has room for
 * the digest (crypto_shash_digestsize()). The descriptor, which holds the
 * inner and outer hash states, is wiped before returning; the transform
 * keeps the key until the next call or crypto_free_shash(), which wipes it.
 */
int tlsr_hmac(struct crypto_shash *tfm, const u8 *key, unsigned int key_len,
	      const u8 *const *parts, const unsigned int *lens,
	      unsigned int n, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	unsigned int i;
	int err;

	err = crypto_shash_setkey(tfm, key, key_len);
	if (err)
		return err;
	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	for (i = 0; !err && i < n; i++)
		err = crypto_shash_update(desc, parts[i], lens[i]);
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}
