// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a device TX record's bytes: shared by the module's software
 * fallback and the simulated NIC (tools/testing/tlsnic).
 */
#include <linux/highmem.h>
#include <net/tls.h>

#include "record.h"

/* Copies up to @max bytes of @rec (its page fragments, in order) to @dst. */
unsigned int tlsr_record_copy(const struct tls_record_info *rec, u8 *dst,
			      unsigned int max)
{
	unsigned int done = 0;
	int i;

	for (i = 0; i < rec->num_frags && done < max; i++) {
		const skb_frag_t *f = &rec->frags[i];
		unsigned int n = min(skb_frag_size(f), max - done);

		memcpy_from_page(dst + done, skb_frag_page(f), skb_frag_off(f), n);
		done += n;
	}
	return done;
}
