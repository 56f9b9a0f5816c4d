// SPDX-License-Identifier: GPL-2.0
/*
 * tlsnic RX: kTLS RX offload of the simulated NIC, the way mlx5 does it,
 * with real AES-GCM so every byte is checked.
 *
 * The pair is veth-like: A's xmit hands each skb to its peer B. When B has
 * RX flows (tls_dev_add(RX)), glue.c passes the skb through tnic_rx()
 * first: that is B's receive path. A flow is found by its TCP 4-tuple
 * (IPv4 or IPv6, the socket's addresses and ports reversed) in an RCU hash
 * table; its pointer also sits in the driver context's RX slot.
 *
 * Per flow, a record state machine over the TCP byte stream:
 *
 *  SYNC    the device knows where records start and their sequence
 *          numbers. It walks the records of each in-order segment (headers
 *          may straddle segments: the header and TLS 1.2 explicit nonce are
 *          kept in the flow), decrypts the payload with the GCM counter
 *          stream (J0 = nonce || 1, payload from counter 2) and hashes the
 *          ciphertext incrementally (GHASH over AAD, ciphertext, lengths).
 *          An skb is delivered decrypted (a copy: the original's pages may
 *          be the sender's retransmit queue), its record payload replaced by
 *          plaintext, header, explicit nonce and tag left as they came (as
 *          mlx5), only if every record byte in it was in sync and every tag
 *          that ends in it verified; otherwise the original is delivered
 *          (ciphertext, decrypted = 0). A failed tag, an out-of-order
 *          segment (or the rx_lose_sync knob) loses sync.
 *  SEARCH  looking for a TLS header (type 20-24, version 3.3, a plausible
 *          length) in each in-order segment: the first candidate starts
 *          TRACK.
 *  TRACK   following the header chain from the candidate at TCP sequence H
 *          over in-order segments (a broken chain goes back to SEARCH), and
 *          having asked the ULP with tls_offload_rx_resync_request(sk,
 *          H + TLS_HEADER_SIZE - 1) (TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ: the
 *          ULP compares the sequence of a record's last header byte). The
 *          ULP confirms when it parses that record, with
 *          tls_dev_resync(seq = H + TLS_HEADER_SIZE - 1, rcd_sn of that
 *          record); the device then decrypts again from the next record
 *          start it reaches, with rcd_sn + the records tracked since H.
 *
 * That is the DRIVER_REQ resync type; the rx_resync_type knob (read at
 * tls_dev_add) selects one of the other two instead:
 *
 *  DRIVER_REQ_ASYNC (as mlx5): TRACK starts the asynchronous stage with
 *          tls_offload_rx_resync_async_request_start(the segment's sequence
 *          and length, which hold H), the ULP logging the record starts it
 *          parses there; the next segment of the flow ends it with
 *          tls_offload_rx_resync_async_request_end(H), as mlx5's progress
 *          query completes later. The ULP answers tls_dev_resync(seq = H,
 *          rcd_sn of that record).
 *  CORE_NEXT_HINT (as nfp): the device never asks and never searches: out
 *          of sync it passes everything until the ULP, having seen records
 *          arrive all ciphertext, tells it where the next record starts
 *          (tls_dev_resync(seq, rcd_sn)); it decrypts again from that
 *          sequence if it has not passed it yet.
 *
 * Segments before the expected sequence (retransmissions) pass as they
 * came and leave the state alone. Everything the device did not decrypt
 * reaches the ULP as ciphertext, which it decrypts (or, for a record that
 * arrives partly decrypted, re-encrypts and authenticates) in software.
 *
 * This is C rather than Rust: the per-flow state machine lives between the
 * lib/crypto AES and GHASH calls (aes_encrypt() takes a transparent union),
 * skb accessors, socket fields, RCU and _bh locks, which are all C inline
 * functions and macros; in Rust it would be mostly helper shims. The TX
 * side stays Rust (tlsnic.rs), sharing the main module's record sealer.
 *
 * The crypto: lib/crypto's ghash_update() over AAD and ciphertext, and the
 * counter stream from a ctr(aes) transform allocated at tls_dev_add (whole
 * blocks, in bulk) or, for a block cut by a segment boundary, one
 * aes_encrypt() (lib/crypto) whose keystream block the flow keeps; nothing
 * is allocated in the data path but the skb copy. At load, a self-test
 * seals records with the crypto API's gcm(aes) (TLS 1.2 and 1.3, AES-GCM-128
 * and -256) and opens them through the state machine in random segment
 * sizes, with and without ctr(aes) (debugfs rx_selftest: 1 passed).
 */
#include <crypto/aes.h>
#include <crypto/gcm.h>
#include <crypto/gf128hash.h>
#include <crypto/skcipher.h>
#include <crypto/utils.h>
#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/unaligned.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "../../../rust/aead.h"
#include "rx.h"

#define TNIC_HDR	TLS_HEADER_SIZE
#define TNIC_NONCE12	8		/* TLS 1.2 explicit nonce */
#define TNIC_TAG	16
#define TNIC_MAX_LEN	(TLS_MAX_PAYLOAD_SIZE + 256 + TNIC_NONCE12 + TNIC_TAG)

/* Key generations a flow holds: TLS_REKEY_MAX_GENERATIONS. */
#define TNIC_RX_SLOTS	4
/* Plaintext kept of each record, to recognise a KeyUpdate (TLS 1.3). */
#define TNIC_RX_PT	32
/* A KeyUpdate message: handshake type 24, length 1, then its request. */
#define TNIC_KEY_UPDATE_LEN	5
#define TNIC_CT_HANDSHAKE	22

/* One key generation of a flow. */
struct tnic_rx_key {
	bool used;
	bool ahead;			/* start unknown: after a KeyUpdate */
	u64 ahead_no;			/* ahead: the order they take over in */
	u32 start;			/* TCP sequence of its first record */
	u64 rec_seq;			/* that record's sequence number */
	struct aes_enckey aes;
	struct ghash_key ghash;
	struct crypto_sync_skcipher *ctr_tfm; /* ctr(aes): whole blocks */
	u8 iv[GCM_AES_IV_SIZE];		/* salt (TLS 1.3: salt || iv) */
};

enum tnic_rx_state {
	TNIC_RX_SYNC,
	TNIC_RX_SEARCH,
	TNIC_RX_TRACK,
};

struct tnic_rx_flow {
	struct hlist_node node;
	struct rcu_head rcu;
	spinlock_t lock;		/* the state below; _bh */
	bool dead;			/* tls_dev_del: no more sk */
	const struct net_device *netdev; /* compared, never dereferenced */
	struct sock *sk;
	struct in6_addr saddr, daddr;	/* of incoming segments */
	__be16 sport, dport;

	/* The keys: tls_dev_add's in slot 0, gen_add's in theirs. */
	bool tls13;
	struct tnic_rx_key keys[TNIC_RX_SLOTS];
	struct tnic_rx_key *k;		/* SYNC: the current record's */

	enum tnic_rx_state state;
	u32 next_seq;			/* TCP sequence expected next */

	/* The current record (SYNC, TRACK). */
	u32 rec_start;			/* TCP sequence of its header */
	u32 off;			/* its bytes seen */
	u32 len;			/* its length with header; 0: header not in */
	u8 hdr[TNIC_HDR + TNIC_NONCE12];
	u64 sn;				/* SYNC: its record sequence number */
	struct ghash_ctx gh;		/* SYNC: GHASH so far */
	__be32 ctr[4];			/* SYNC: counter block */
	u8 ks[AES_BLOCK_SIZE];		/* SYNC: keystream of the last block */
	u32 ct;				/* SYNC: ciphertext bytes so far */
	u32 aad_len;
	u8 tag[TNIC_TAG];
	u8 pt[TNIC_RX_PT];		/* SYNC: its first plaintext bytes */
	u64 ahead_no;			/* gen_add_ahead calls so far */

	/* TRACK */
	bool failed;			/* entered on a tag failure ... */
	u32 failed_start;		/* ... of the record starting here */
	u32 track_seq;			/* H: the header the request names */
	u64 track_recs;			/* records since H */
	bool confirmed;			/* tls_dev_resync for H came */
	u64 confirmed_sn;		/* its rcd_sn */

	enum tls_offload_sync_type resync_type;
	/* DRIVER_REQ_ASYNC: the log the ULP keeps; the end is due. */
	struct tls_offload_resync_async async;
	bool async_end;
	/* CORE_NEXT_HINT: where the ULP said a record starts. */
	bool hinted;
	u32 hint_seq;
	u64 hint_sn;
};

atomic_t tnic_rx_flows;
static DEFINE_HASHTABLE(tnic_rx_table, 8);
static DEFINE_SPINLOCK(tnic_rx_table_lock);

/* Counters and knobs (debugfs, beside glue.c's). */
static atomic64_t tnic_rx_tls_segments;	/* in-flow segments with payload */
static atomic64_t tnic_rx_records_decrypted; /* delivered decrypted, verified */
static atomic64_t tnic_rx_records_passed; /* not (fully) decrypted by the device */
static atomic64_t tnic_rx_auth_failed;	/* tags that did not verify */
static atomic64_t tnic_rx_resync_requests;
static atomic64_t tnic_rx_resyncs;	/* confirmed by tls_dev_resync */
static atomic64_t tnic_rx_resyncs_ignored; /* tls_dev_resync for nothing asked */
static atomic64_t tnic_rx_corrupted;	/* segments the rx_corrupt knob flipped */
static atomic64_t tnic_rx_errors;	/* copies that failed (passed as they came) */
static atomic64_t tnic_rx_gen_adds;	/* gen_add (RX) calls that took a key */
static atomic64_t tnic_rx_gen_dels;	/* gen_del (RX) calls */
static atomic64_t tnic_rx_gen_resumes;	/* gen_add named the record that failed */
static atomic64_t tnic_rx_gen_ahead_adds; /* gen_add_ahead calls that took a key */
static atomic64_t tnic_rx_gen_found;	/* KeyUpdates the device found itself */
static bool tnic_rx_lose_sync;		/* knob: next TLS segment out of sync */
static bool tnic_rx_corrupt;		/* knob: flip a ciphertext byte, once */
static u32 tnic_max_rx_flows;		/* knob: capacity (0: no limit) */
static u32 tnic_rx_resync_type;		/* knob: enum tls_offload_sync_type */
static u32 tnic_rx_selftest;		/* 1: the load-time self-test passed */

/* What one segment's walk did. */
struct tnic_rx_walk {
	bool ok;			/* deliver decrypted */
	u32 verified;			/* tags verified */
	u32 passed;			/* records left to the ULP */
	u32 failed;			/* tags that failed */
};

static u32 tnic_rx_prefix(const struct tnic_rx_flow *f)
{
	return f->tls13 ? TNIC_HDR : TNIC_HDR + TNIC_NONCE12;
}

static bool tnic_rx_hdr_ok(const struct tnic_rx_flow *f, const u8 *h)
{
	u32 len = get_unaligned_be16(h + 3);

	return h[0] >= 20 && h[0] <= 24 && h[1] == 3 && h[2] == 3 &&
	       len >= tnic_rx_prefix(f) - TNIC_HDR + TNIC_TAG &&
	       len <= TNIC_MAX_LEN;
}

/* Sync lost: search for a header from the next in-order segment. */
static void tnic_rx_lost(struct tnic_rx_flow *f, struct tnic_rx_walk *w)
{
	if (f->state != TNIC_RX_SEARCH && f->off)
		w->passed++;
	f->state = TNIC_RX_SEARCH;
	f->off = 0;
	f->len = 0;
	f->confirmed = false;
	f->failed = false;
}

/* The generation of the record starting at @seq: the latest start at or
 * before it (NULL: none held).
 */
static struct tnic_rx_key *tnic_rx_gen_of(struct tnic_rx_flow *f, u32 seq)
{
	struct tnic_rx_key *k, *best = NULL;

	for (k = f->keys; k < f->keys + TNIC_RX_SLOTS; k++)
		if (k->used && !k->ahead && !before(seq, k->start) &&
		    (!best || after(k->start, best->start)))
			best = k;
	return best;
}

/*
 * Track the header chain from the header at @seq, in the segment of @seg_len
 * bytes at @seg_seq; ask the ULP to confirm. CORE_NEXT_HINT: wait for the
 * ULP's hint instead.
 */
static void tnic_rx_track(struct tnic_rx_flow *f, u32 seq, u32 seg_seq,
			  u32 seg_len)
{
	f->off = 0;
	f->len = 0;
	f->confirmed = false;
	if (f->resync_type == TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT) {
		f->state = TNIC_RX_SEARCH;
		return;
	}
	f->state = TNIC_RX_TRACK;
	f->track_seq = seq;
	f->track_recs = 0;
	if (!f->sk)
		return;
	if (f->resync_type == TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC) {
		tls_offload_rx_resync_async_request_start(&f->async,
							  htonl(seg_seq),
							  min(seg_len, U16_MAX));
		f->async_end = true;
	} else {
		tls_offload_rx_resync_request(f->sk,
					      htonl(seq + TLS_HEADER_SIZE - 1));
	}
	atomic64_inc(&tnic_rx_resync_requests);
}

/*
 * CORE_NEXT_HINT out of sync: decrypt again from the hinted record start if
 * it is in this segment (TCP sequence @seq, @len bytes); its offset, or -1.
 */
static int tnic_rx_hint(struct tnic_rx_flow *f, u32 seq, u32 len)
{
	u32 at = f->hint_seq - seq;

	if (!f->hinted || at >= len) {
		/* Passed already (a late hint): wait for the next one. */
		if (f->hinted && before(f->hint_seq, seq))
			f->hinted = false;
		return -1;
	}
	f->hinted = false;
	f->k = tnic_rx_gen_of(f, f->hint_seq);
	if (!f->k)
		return -1;
	f->state = TNIC_RX_SYNC;
	f->sn = f->hint_sn;
	f->off = 0;
	f->len = 0;
	return at;
}

/* The header and TLS 1.2 explicit nonce are in: nonce, J0, AAD. */
static void tnic_rx_rec_start(struct tnic_rx_flow *f)
{
	static const u8 zeroes[GHASH_BLOCK_SIZE];
	struct tnic_rx_key *k;
	u8 aad[13];

	/* A generation that starts at this record takes over. */
	for (k = f->keys; k < f->keys + TNIC_RX_SLOTS; k++)
		if (k->used && !k->ahead && k != f->k &&
		    k->start == f->rec_start) {
			f->k = k;
			f->sn = k->rec_seq;
		}
	memcpy(f->ctr, f->k->iv, GCM_AES_IV_SIZE);
	if (f->tls13) {
		u8 *n = (u8 *)f->ctr + GCM_AES_IV_SIZE - 8;

		put_unaligned_be64(get_unaligned_be64(n) ^ f->sn, n);
		memcpy(aad, f->hdr, TNIC_HDR);
		f->aad_len = TNIC_HDR;
	} else {
		memcpy((u8 *)f->ctr + 4, f->hdr + TNIC_HDR, TNIC_NONCE12);
		put_unaligned_be64(f->sn, aad);
		memcpy(aad + 8, f->hdr, 3);
		put_unaligned_be16(f->len - TNIC_HDR - TNIC_NONCE12 - TNIC_TAG,
				   aad + 11);
		f->aad_len = 13;
	}
	ghash_init(&f->gh, &f->k->ghash);
	ghash_update(&f->gh, aad, f->aad_len);
	ghash_update(&f->gh, zeroes, GHASH_BLOCK_SIZE - f->aad_len);
	f->ct = 0;
}

/* @n whole blocks' bytes at @p, from a block start: ctr(aes) in bulk. */
static void tnic_rx_ctr_bulk(struct tnic_rx_flow *f, u8 *p, u32 n)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, f->k->ctr_tfm);
	struct scatterlist sg;
	u8 iv[AES_BLOCK_SIZE];

	memcpy(iv, f->ctr, GCM_AES_IV_SIZE);
	put_unaligned_be32(2 + f->ct / AES_BLOCK_SIZE, iv + GCM_AES_IV_SIZE);
	sg_init_one(&sg, p, n);
	skcipher_request_set_sync_tfm(req, f->k->ctr_tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, &sg, &sg, n, iv);
	crypto_skcipher_encrypt(req);
	skcipher_request_zero(req);
}

/*
 * @n ciphertext bytes at @p: hashed, then replaced by plaintext (whole
 * blocks by ctr(aes), a block cut by a segment boundary from the keystream
 * block kept in the flow).
 */
static void tnic_rx_rec_data(struct tnic_rx_flow *f, u8 *p, u32 n)
{
	u32 ct = f->ct, kept = min(n, TNIC_RX_PT - min(ct, TNIC_RX_PT));
	u8 *start = p;

	ghash_update(&f->gh, p, n);
	while (n) {
		u32 bo = f->ct % AES_BLOCK_SIZE, k;

		if (!bo && n >= AES_BLOCK_SIZE && f->k->ctr_tfm) {
			k = round_down(n, AES_BLOCK_SIZE);
			tnic_rx_ctr_bulk(f, p, k);
		} else {
			if (!bo) {
				f->ctr[3] = cpu_to_be32(2 + f->ct / AES_BLOCK_SIZE);
				aes_encrypt(&f->k->aes, f->ks, (const u8 *)f->ctr);
			}
			k = min(AES_BLOCK_SIZE - bo, n);
			crypto_xor(p, f->ks + bo, k);
		}
		f->ct += k;
		p += k;
		n -= k;
	}
	if (kept)
		memcpy(f->pt + ct, start, kept);
}

/*
 * A TLS 1.3 record of @f verified: if its plaintext (the f->ct bytes, the
 * content type last, padding after it) is one KeyUpdate message and a
 * generation waits for it (gen_add_ahead), that one takes over from the
 * record starting at @next, the first after it.
 */
static void tnic_rx_key_update(struct tnic_rx_flow *f, u32 next)
{
	struct tnic_rx_key *k, *first = NULL;
	u32 n = f->ct;

	if (!f->tls13 || n > TNIC_RX_PT)
		return;
	while (n && !f->pt[n - 1])
		n--;
	if (n != TNIC_KEY_UPDATE_LEN + 1 || f->pt[n - 1] != TNIC_CT_HANDSHAKE ||
	    f->pt[0] != 24 || f->pt[1] || f->pt[2] || f->pt[3] != 1 ||
	    f->pt[4] > 1)
		return;
	for (k = f->keys; k < f->keys + TNIC_RX_SLOTS; k++)
		if (k->used && k->ahead && (!first || k->ahead_no < first->ahead_no))
			first = k;
	if (!first)
		return;
	first->ahead = false;
	first->start = next;
	atomic64_inc(&tnic_rx_gen_found);
}

/* The tag is in: does it verify? */
static bool tnic_rx_rec_end(struct tnic_rx_flow *f)
{
	static const u8 zeroes[GHASH_BLOCK_SIZE];
	__be64 tail[2] = {
		cpu_to_be64((u64)f->aad_len * 8),
		cpu_to_be64((u64)f->ct * 8),
	};
	u8 out[GHASH_BLOCK_SIZE], ek[AES_BLOCK_SIZE];
	bool ok;

	ghash_update(&f->gh, zeroes, -f->ct & (GHASH_BLOCK_SIZE - 1));
	ghash_update(&f->gh, (const u8 *)tail, sizeof(tail));
	ghash_final(&f->gh, out);
	f->ctr[3] = cpu_to_be32(1);
	aes_encrypt(&f->k->aes, ek, (const u8 *)f->ctr);
	crypto_xor(out, ek, TNIC_TAG);
	ok = !crypto_memneq(out, f->tag, TNIC_TAG);
	memzero_explicit(ek, sizeof(ek));
	return ok;
}

/* Offset of the first plausible TLS header in the segment, or -1. */
static int tnic_rx_search(const struct tnic_rx_flow *f,
			  const struct sk_buff *skb, int off, int len)
{
	u8 win[256 + TNIC_HDR - 1];
	int base, n, i;

	for (base = 0; base + TNIC_HDR <= len;
	     base += sizeof(win) - (TNIC_HDR - 1)) {
		n = min_t(int, sizeof(win), len - base);
		if (skb_copy_bits(skb, off + base, win, n))
			return -1;
		for (i = 0; i + TNIC_HDR <= n; i++)
			if (tnic_rx_hdr_ok(f, win + i))
				return base + i;
	}
	return -1;
}

/*
 * Walks the @len record bytes at @off of @skb (TCP sequence @seq, the
 * flow's next): @buf is the linear, writable copy of @skb's data (NULL if
 * none), where plaintext goes.
 */
static void tnic_rx_walk(struct tnic_rx_flow *f, const struct sk_buff *skb,
			 u8 *buf, u32 seq, int off, int len,
			 struct tnic_rx_walk *w)
{
	u32 prefix = tnic_rx_prefix(f), pos = 0, n, pend;
	struct tnic_rx_key *next;

	w->ok = f->state == TNIC_RX_SYNC;
	if (f->state == TNIC_RX_SEARCH &&
	    f->resync_type == TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT) {
		int at = tnic_rx_hint(f, seq, len);

		if (at < 0)
			return;
		pos = at;
		w->ok = !pos;
	} else if (f->state == TNIC_RX_SEARCH) {
		int at = tnic_rx_search(f, skb, off, len);

		if (at < 0)
			return;
		tnic_rx_track(f, seq + at, seq, len);
		pos = at;
	}
	while (pos < len) {
		if (!f->off && f->state == TNIC_RX_TRACK && f->confirmed) {
			/*
			 * Confirmed: decrypt again from this record on, with
			 * the generation of the record confirmed.
			 */
			f->k = tnic_rx_gen_of(f, f->track_seq);
			if (f->k) {
				f->state = TNIC_RX_SYNC;
				f->sn = f->confirmed_sn + f->track_recs;
				w->ok = !pos;
			}
			f->confirmed = false;
			f->failed = false;
		}
		if (!f->off)
			f->rec_start = seq + pos;
		if (f->state == TNIC_RX_SYNC && !buf) {
			tnic_rx_lost(f, w);
			w->ok = false;
			return;
		}
		if (f->state != TNIC_RX_SYNC)
			w->ok = false;
		if (f->off < prefix) {
			n = min(prefix - f->off, len - pos);
			if (skb_copy_bits(skb, off + pos, f->hdr + f->off, n)) {
				tnic_rx_lost(f, w);
				return;
			}
			f->off += n;
			pos += n;
			if (f->off >= TNIC_HDR && !f->len) {
				if (!tnic_rx_hdr_ok(f, f->hdr)) {
					/* Not a record: the chain is broken. */
					tnic_rx_lost(f, w);
					w->ok = false;
					return;
				}
				f->len = TNIC_HDR + get_unaligned_be16(f->hdr + 3);
			}
			if (f->off == prefix && f->state == TNIC_RX_SYNC)
				tnic_rx_rec_start(f);
			continue;
		}
		pend = f->len - TNIC_TAG;
		if (f->off < pend) {
			n = min(pend - f->off, len - pos);
			if (f->state == TNIC_RX_SYNC)
				tnic_rx_rec_data(f, buf + off + pos, n);
			f->off += n;
			pos += n;
			continue;
		}
		n = min(f->len - f->off, len - pos);
		if (f->state == TNIC_RX_SYNC)
			memcpy(f->tag + f->off - pend, buf + off + pos, n);
		f->off += n;
		pos += n;
		if (f->off < f->len)
			continue;
		/* The record's end. */
		f->off = 0;
		f->len = 0;
		if (f->state != TNIC_RX_SYNC) {
			f->track_recs++;
			w->passed++;
		} else if (tnic_rx_rec_end(f)) {
			f->sn++;
			w->verified++;
			tnic_rx_key_update(f, seq + pos);
		} else {
			w->failed++;
			w->passed++;
			w->ok = false;
			next = tnic_rx_gen_of(f, f->rec_start);
			if (next && next != f->k && next->start == f->rec_start) {
				/*
				 * The first record of a generation added while
				 * it went through: go on with that one.
				 */
				f->k = next;
				f->sn = next->rec_seq + 1;
				atomic64_inc(&tnic_rx_gen_resumes);
				continue;
			}
			/* Sync lost: the next record starts here. */
			tnic_rx_track(f, seq + pos, seq, len);
			f->failed = true;
			f->failed_start = f->rec_start;
		}
	}
}

/* An incoming TCP segment with payload: its 4-tuple, sequence, payload. */
struct tnic_rx_pkt {
	struct in6_addr saddr, daddr;
	__be16 sport, dport;
	u32 seq;
	int off, len;
};

static bool tnic_rx_parse(const struct sk_buff *skb, struct tnic_rx_pkt *p)
{
	int noff = skb_network_offset(skb), toff, end;
	const struct tcphdr *th;
	struct tcphdr _th;

	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, noff, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5 || iph->protocol != IPPROTO_TCP ||
		    ip_is_fragment(iph))
			return false;
		ipv6_addr_set_v4mapped(iph->saddr, &p->saddr);
		ipv6_addr_set_v4mapped(iph->daddr, &p->daddr);
		toff = noff + iph->ihl * 4;
		end = noff + ntohs(iph->tot_len);
		break;
	}
	case htons(ETH_P_IPV6): {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;

		ip6h = skb_header_pointer(skb, noff, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->nexthdr != IPPROTO_TCP)
			return false;
		p->saddr = ip6h->saddr;
		p->daddr = ip6h->daddr;
		toff = noff + sizeof(*ip6h);
		end = toff + ntohs(ip6h->payload_len);
		break;
	}
	default:
		return false;
	}
	th = skb_header_pointer(skb, toff, sizeof(_th), &_th);
	if (!th || th->doff < 5 || th->syn || th->rst)
		return false;
	p->off = toff + th->doff * 4;
	end = min_t(int, end, skb->len);
	if (p->off >= end)
		return false;
	p->len = end - p->off;
	p->seq = ntohl(th->seq);
	p->sport = th->source;
	p->dport = th->dest;
	return true;
}

static u32 tnic_rx_hash(const struct in6_addr *saddr, __be16 sport,
			__be16 dport)
{
	return (__force u32)saddr->s6_addr32[3] ^
	       (__force u32)saddr->s6_addr32[1] ^
	       ((__force u32)sport << 16 | (__force u32)dport);
}

/* The flow of @p on @dev (RCU read side). */
static struct tnic_rx_flow *tnic_rx_lookup(const struct net_device *dev,
					   const struct tnic_rx_pkt *p)
{
	struct tnic_rx_flow *f;

	hash_for_each_possible_rcu(tnic_rx_table, f, node,
				   tnic_rx_hash(&p->saddr, p->sport, p->dport))
		if (f->netdev == dev && f->sport == p->sport &&
		    f->dport == p->dport && ipv6_addr_equal(&f->saddr, &p->saddr) &&
		    ipv6_addr_equal(&f->daddr, &p->daddr))
			return f;
	return NULL;
}

bool tnic_rx_is_tls(const struct net_device *dev, const struct sk_buff *skb)
{
	struct tnic_rx_pkt p;

	return atomic_read(&tnic_rx_flows) && tnic_rx_parse(skb, &p) &&
	       tnic_rx_lookup(dev, &p);
}

static void tnic_rx_account(const struct tnic_rx_walk *w)
{
	if (w->ok)
		atomic64_add(w->verified, &tnic_rx_records_decrypted);
	else
		atomic64_add(w->verified, &tnic_rx_records_passed);
	atomic64_add(w->passed, &tnic_rx_records_passed);
	atomic64_add(w->failed, &tnic_rx_auth_failed);
}

/*
 * B's receive path for @skb (BH disabled, under RCU): returns what B
 * receives, @skb itself or a decrypted copy (@skb then consumed).
 */
struct sk_buff *tnic_rx(const struct net_device *dev, struct sk_buff *skb)
{
	struct tnic_rx_walk w = {};
	struct sk_buff *nskb = NULL;
	struct tnic_rx_flow *f;
	struct tnic_rx_pkt p;

	if (!atomic_read(&tnic_rx_flows) || !tnic_rx_parse(skb, &p))
		return skb;
	f = tnic_rx_lookup(dev, &p);
	if (!f)
		return skb;
	atomic64_inc(&tnic_rx_tls_segments);
	spin_lock_bh(&f->lock);
	if (f->dead)
		goto unlock;
	if (f->async_end) {
		/* The progress query of the asynchronous stage completes. */
		f->async_end = false;
		if (f->state == TNIC_RX_TRACK)
			tls_offload_rx_resync_async_request_end(&f->async,
								htonl(f->track_seq));
		else
			tls_offload_rx_resync_async_request_cancel(&f->async);
	}
	if (p.seq != f->next_seq && !after(p.seq + p.len, f->next_seq))
		goto unlock;	/* old bytes: as they came, state unchanged */
	if (p.seq != f->next_seq ||
	    (READ_ONCE(tnic_rx_lose_sync) && xchg(&tnic_rx_lose_sync, false))) {
		tnic_rx_lost(f, &w);
		f->next_seq = p.seq;
	}
	/* Knob: a bit flipped on the wire, in a record's ciphertext. */
	if (READ_ONCE(tnic_rx_corrupt) && f->state == TNIC_RX_SYNC &&
	    f->off >= tnic_rx_prefix(f) && f->off < f->len - TNIC_TAG &&
	    xchg(&tnic_rx_corrupt, false)) {
		nskb = skb_copy(skb, GFP_ATOMIC);
		if (nskb) {
			nskb->data[p.off] ^= 0x80;
			consume_skb(skb);
			skb = nskb;
			nskb = NULL;
			atomic64_inc(&tnic_rx_corrupted);
		}
	}
	if (f->state == TNIC_RX_SYNC ||
	    (f->state == TNIC_RX_TRACK && f->confirmed) ||
	    (f->state == TNIC_RX_SEARCH && f->hinted)) {
		nskb = skb_copy(skb, GFP_ATOMIC);
		if (!nskb)
			atomic64_inc(&tnic_rx_errors);
	}
	tnic_rx_walk(f, skb, nskb ? nskb->data : NULL, p.seq, p.off, p.len,
		     &w);
	f->next_seq = p.seq + p.len;
unlock:
	spin_unlock_bh(&f->lock);
	tnic_rx_account(&w);
	if (nskb && w.ok) {
		/* As a NIC does: checksum checked on the wire. */
		nskb->decrypted = 1;
		nskb->ip_summed = CHECKSUM_UNNECESSARY;
		nskb->csum_level = 0;
		consume_skb(skb);
		return nskb;
	}
	consume_skb(nskb);
	return skb;
}

/*
 * A key generation (process context) starting at TCP sequence @start;
 * @bulk: with a ctr(aes) transform.
 */
static int tnic_rx_key(struct tnic_rx_key *k, bool tls13, const u8 *key,
		       unsigned int key_len, const u8 *salt, const u8 *iv,
		       const u8 *rec_seq, u32 start, bool bulk)
{
	static const u8 zeroes[AES_BLOCK_SIZE];
	u8 h[AES_BLOCK_SIZE];

	if (bulk) {
		struct crypto_sync_skcipher *tfm;
		int err;

		tfm = crypto_alloc_sync_skcipher("ctr(aes)", 0, 0);
		if (IS_ERR(tfm))
			return PTR_ERR(tfm);
		err = crypto_sync_skcipher_setkey(tfm, key, key_len);
		if (err) {
			crypto_free_sync_skcipher(tfm);
			return err;
		}
		k->ctr_tfm = tfm;
	}
	aes_prepareenckey(&k->aes, key, key_len);
	aes_encrypt(&k->aes, h, zeroes);
	ghash_preparekey(&k->ghash, h);
	memzero_explicit(h, sizeof(h));
	memcpy(k->iv, salt, 4);
	if (tls13)
		memcpy(k->iv + 4, iv, 8);
	k->rec_seq = get_unaligned_be64(rec_seq);
	k->start = start;
	k->used = true;
	return 0;
}

/* The key of @info (AES-GCM-128 or -256, checked by the caller). */
static int tnic_rx_key_of(struct tnic_rx_key *k,
			  const struct tls_crypto_info *info, u32 start)
{
	const struct tls12_crypto_info_aes_gcm_128 *c128 = (const void *)info;
	const struct tls12_crypto_info_aes_gcm_256 *c256 = (const void *)info;
	bool tls13 = info->version == TLS_1_3_VERSION;

	if (info->cipher_type == TLS_CIPHER_AES_GCM_128)
		return tnic_rx_key(k, tls13, c128->key, sizeof(c128->key),
				   c128->salt, c128->iv, c128->rec_seq, start,
				   true);
	return tnic_rx_key(k, tls13, c256->key, sizeof(c256->key), c256->salt,
			   c256->iv, c256->rec_seq, start, true);
}

/* Frees and wipes a key no walk uses any more. */
static void tnic_rx_key_free(struct tnic_rx_key *k)
{
	if (k->ctr_tfm)
		crypto_free_sync_skcipher(k->ctr_tfm);
	memzero_explicit(k, sizeof(*k));
}

/* The flow of @info starts in sync at @start with its first key in slot 0. */
static void tnic_rx_start(struct tnic_rx_flow *f, bool tls13, u32 start)
{
	f->tls13 = tls13;
	f->k = &f->keys[0];
	f->sn = f->k->rec_seq;
	f->state = TNIC_RX_SYNC;
	f->next_seq = start;
	spin_lock_init(&f->lock);
}

int tnic_rx_flow_add(struct net_device *netdev, struct sock *sk,
		     const struct tls_crypto_info *info, u32 start_seq,
		     void **slot)
{
	struct inet_sock *inet = inet_sk(sk);
	struct tnic_rx_flow *f;
	int err;

	if (info->version != TLS_1_2_VERSION && info->version != TLS_1_3_VERSION)
		return -EOPNOTSUPP;
	if (info->cipher_type != TLS_CIPHER_AES_GCM_128 &&
	    info->cipher_type != TLS_CIPHER_AES_GCM_256)
		return -EOPNOTSUPP;
	/* A flow slot first: the device's capacity. */
	if (!atomic_add_unless(&tnic_rx_flows, 1,
			       READ_ONCE(tnic_max_rx_flows) ?: INT_MAX))
		return -ENOSPC;
	f = kzalloc_obj(*f);
	if (!f) {
		atomic_dec(&tnic_rx_flows);
		return -ENOMEM;
	}
	err = tnic_rx_key_of(&f->keys[0], info, start_seq);
	if (err) {
		kfree_sensitive(f);
		atomic_dec(&tnic_rx_flows);
		return err;
	}
	tnic_rx_start(f, info->version == TLS_1_3_VERSION, start_seq);
	f->netdev = netdev;
	f->sk = sk;
	/* As drivers do in tls_dev_add. */
	f->resync_type = min_t(u32, READ_ONCE(tnic_rx_resync_type),
			       TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC);
	tls_offload_rx_resync_set_type(sk, f->resync_type);
	if (f->resync_type == TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC)
		tls_offload_ctx_rx(tls_get_ctx(sk))->resync_async = &f->async;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		f->saddr = sk->sk_v6_daddr;
		f->daddr = sk->sk_v6_rcv_saddr;
	} else
#endif
	{
		ipv6_addr_set_v4mapped(inet->inet_daddr, &f->saddr);
		ipv6_addr_set_v4mapped(inet->inet_rcv_saddr, &f->daddr);
	}
	f->sport = inet->inet_dport;
	f->dport = inet->inet_sport;
	*slot = f;
	spin_lock_bh(&tnic_rx_table_lock);
	hash_add_rcu(tnic_rx_table, &f->node,
		     tnic_rx_hash(&f->saddr, f->sport, f->dport));
	spin_unlock_bh(&tnic_rx_table_lock);
	return 0;
}

static void tnic_rx_flow_free(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct tnic_rx_flow, rcu));
}

void tnic_rx_flow_del(void **slot)
{
	struct tnic_rx_flow *f = *slot;
	int i;

	if (!f)
		return;
	spin_lock_bh(&tnic_rx_table_lock);
	hash_del_rcu(&f->node);
	spin_unlock_bh(&tnic_rx_table_lock);
	/* A receive path that found the flow before sees it dead. */
	spin_lock_bh(&f->lock);
	f->dead = true;
	f->sk = NULL;
	spin_unlock_bh(&f->lock);
	/* Nobody uses the keys from here on (dead, checked under the lock). */
	for (i = 0; i < TNIC_RX_SLOTS; i++)
		tnic_rx_key_free(&f->keys[i]);
	*slot = NULL;
	call_rcu(&f->rcu, tnic_rx_flow_free);
	atomic_dec(&tnic_rx_flows);
}

/*
 * Generation @k has just got its start, under @f's lock: if the flow lost
 * sync on the tag of the record starting there, that record was the
 * generation's first; the device has followed the headers since, so it
 * decrypts again from the next record start (record sequence one past the
 * generation's first) without waiting for the ULP's resync.
 */
static void tnic_rx_resume_at(struct tnic_rx_flow *f,
			      const struct tnic_rx_key *k)
{
	if (f->state == TNIC_RX_TRACK && f->failed && !f->confirmed &&
	    f->failed_start == k->start) {
		f->confirmed = true;
		f->confirmed_sn = k->rec_seq + 1;
		atomic64_inc(&tnic_rx_gen_resumes);
	}
}

/*
 * A further key generation of the flow in @slot, in @gen, for the records
 * from TCP sequence @start on (gen_add(RX)); a flow that lost sync on
 * the record there resumes (tnic_rx_resume_at).
 */
int tnic_rx_gen_add(void **slot, u32 gen, const struct tls_crypto_info *info,
		    u32 start)
{
	struct tnic_rx_flow *f = READ_ONCE(*slot);
	struct tnic_rx_key k = {};
	int err;

	if (!f || gen >= TNIC_RX_SLOTS)
		return -EINVAL;
	err = tnic_rx_key_of(&k, info, start);
	if (err)
		return err;
	spin_lock_bh(&f->lock);
	if (f->dead || f->keys[gen].used) {
		spin_unlock_bh(&f->lock);
		tnic_rx_key_free(&k);
		return -EBUSY;
	}
	f->keys[gen] = k;
	tnic_rx_resume_at(f, &f->keys[gen]);
	spin_unlock_bh(&f->lock);
	memzero_explicit(&k, sizeof(k));
	atomic64_inc(&tnic_rx_gen_adds);
	return 0;
}

/*
 * gen_add_ahead(RX): the key of a later generation in @gen, its start not
 * known: the flow takes it after the next KeyUpdate it opens under the
 * generation before it (tnic_rx_key_update), the waiting ones in the order
 * they came.
 */
int tnic_rx_gen_add_ahead(void **slot, u32 gen,
			  const struct tls_crypto_info *info)
{
	struct tnic_rx_flow *f = READ_ONCE(*slot);
	struct tnic_rx_key k = {};
	int err;

	if (!f || gen >= TNIC_RX_SLOTS || info->version != TLS_1_3_VERSION)
		return -EINVAL;
	err = tnic_rx_key_of(&k, info, 0);
	if (err)
		return err;
	k.ahead = true;
	spin_lock_bh(&f->lock);
	if (f->dead || f->keys[gen].used) {
		spin_unlock_bh(&f->lock);
		tnic_rx_key_free(&k);
		return -EBUSY;
	}
	k.ahead_no = f->ahead_no++;
	f->keys[gen] = k;
	spin_unlock_bh(&f->lock);
	memzero_explicit(&k, sizeof(k));
	atomic64_inc(&tnic_rx_gen_ahead_adds);
	return 0;
}

/*
 * gen_start(RX): the generation in @gen starts at @start. One still
 * waiting (the flow did not find its KeyUpdate) gets that start, and a
 * flow that lost sync on the record there resumes (tnic_rx_resume_at).
 */
void tnic_rx_gen_start(void **slot, u32 gen, u32 start)
{
	struct tnic_rx_flow *f = READ_ONCE(*slot);
	struct tnic_rx_key *k;

	if (!f || gen >= TNIC_RX_SLOTS)
		return;
	spin_lock_bh(&f->lock);
	k = &f->keys[gen];
	if (k->used && k->ahead) {
		k->ahead = false;
		k->start = start;
		tnic_rx_resume_at(f, k);
	}
	spin_unlock_bh(&f->lock);
}

/* gen_del(RX): the flow gives up generation @gen (out of sync if in use). */
void tnic_rx_gen_del(void **slot, u32 gen)
{
	struct tnic_rx_flow *f = READ_ONCE(*slot);
	struct tnic_rx_key k, *next;
	struct tnic_rx_walk w = {};

	if (!f || gen >= TNIC_RX_SLOTS)
		return;
	spin_lock_bh(&f->lock);
	k = f->keys[gen];
	memset(&f->keys[gen], 0, sizeof(k));
	if (f->k == &f->keys[gen]) {
		/*
		 * Between records, a generation that starts at the next one
		 * takes over (its KeyUpdate was the last record seen).
		 */
		next = f->state == TNIC_RX_SYNC && !f->off ?
		       tnic_rx_gen_of(f, f->next_seq) : NULL;
		f->k = NULL;
		if (next && next->start == f->next_seq) {
			f->k = next;
			f->sn = next->rec_seq;
		} else if (f->state == TNIC_RX_SYNC) {
			tnic_rx_lost(f, &w);
		}
	}
	spin_unlock_bh(&f->lock);
	tnic_rx_key_free(&k);
	tnic_rx_account(&w);
	atomic64_inc(&tnic_rx_gen_dels);
}

void tnic_rx_resync(void **slot, u32 seq, const u8 *rcd_sn)
{
	struct tnic_rx_flow *f = READ_ONCE(*slot);
	bool hit = false;

	if (!f)
		return;
	spin_lock_bh(&f->lock);
	if (f->dead) {
		/* Nothing asked. */
	} else if (f->resync_type == TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT) {
		if (f->state == TNIC_RX_SEARCH) {
			f->hinted = true;
			f->hint_seq = seq;
			f->hint_sn = get_unaligned_be64(rcd_sn);
			hit = true;
		}
	} else if (f->state == TNIC_RX_TRACK && !f->confirmed &&
		   (f->resync_type == TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC ?
		    seq : seq - (TLS_HEADER_SIZE - 1)) == f->track_seq) {
		f->confirmed = true;
		f->confirmed_sn = get_unaligned_be64(rcd_sn);
		hit = true;
	}
	spin_unlock_bh(&f->lock);
	atomic64_inc(hit ? &tnic_rx_resyncs : &tnic_rx_resyncs_ignored);
}

/*
 * Self-test: records sealed by the crypto API's gcm(aes), opened by the
 * state machine from one stream cut into segments of random sizes.
 */
static int tnic_rx_selftest_one(bool tls13, unsigned int key_len,
				unsigned int max_seg, bool bulk)
{
	static const u16 lens[] = { 1, 15, 16, 17, 300, 1447, 4096, 16384, 2 };
	struct aead_request *req = NULL;
	u8 key[32], salt[4], iv[8], rec_seq[8], nonce[GCM_AES_IV_SIZE];
	u8 *stream = NULL, *plain = NULL, *aad = NULL;
	struct tnic_rx_walk w = {};
	struct tnic_rx_flow *f;
	struct sk_buff *skb = NULL;
	u32 total = 0, pos, i, off;
	u64 sn;
	int err = -ENOMEM;

	f = kzalloc_obj(*f);
	get_random_bytes(key, sizeof(key));
	get_random_bytes(salt, sizeof(salt));
	get_random_bytes(iv, sizeof(iv));
	get_random_bytes(rec_seq, sizeof(rec_seq));
	rec_seq[0] = 0;
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		total += TNIC_HDR + (tls13 ? 0 : TNIC_NONCE12) + lens[i] + TNIC_TAG;
	stream = kmalloc(total, GFP_KERNEL);
	plain = kmalloc(total, GFP_KERNEL);
	aad = kmalloc(16, GFP_KERNEL);
	skb = alloc_skb(total, GFP_KERNEL);
	if (!f || !stream || !plain || !aad || !skb)
		goto out;
	req = tlsr_aead_alloc("gcm(aes)", key, key_len, TNIC_TAG);
	if (IS_ERR(req)) {
		err = PTR_ERR(req);
		req = NULL;
		goto out;
	}
	/* The stream: records sealed as a peer would. */
	sn = get_unaligned_be64(rec_seq);
	for (i = 0, off = 0; i < ARRAY_SIZE(lens); i++, sn++) {
		u32 pl = lens[i], rl = (tls13 ? 0 : TNIC_NONCE12) + pl + TNIC_TAG;
		u8 *r = stream + off, *data;

		r[0] = 23;
		r[1] = 3;
		r[2] = 3;
		put_unaligned_be16(rl, r + 3);
		memcpy(nonce, salt, 4);
		if (tls13) {
			memcpy(nonce + 4, iv, 8);
			put_unaligned_be64(get_unaligned_be64(nonce + 4) ^ sn,
					   nonce + 4);
			memcpy(aad, r, TNIC_HDR);
			data = r + TNIC_HDR;
		} else {
			get_random_bytes(r + TNIC_HDR, TNIC_NONCE12);
			memcpy(nonce + 4, r + TNIC_HDR, TNIC_NONCE12);
			put_unaligned_be64(sn, aad);
			memcpy(aad + 8, r, 3);
			put_unaligned_be16(pl, aad + 11);
			data = r + TNIC_HDR + TNIC_NONCE12;
		}
		get_random_bytes(data, pl);
		if (tls13) {
			/* content type, and padding in one record */
			data[pl - 1] = i == 3 ? 0 : 23;
		}
		memcpy(plain + off, r, TNIC_HDR + rl);
		err = tlsr_aead_crypt(req, true, aad, tls13 ? TNIC_HDR : 13,
				      data, pl, nonce);
		if (err)
			goto out;
		memcpy(plain + (data - stream) + pl, data + pl, TNIC_TAG);
		off += TNIC_HDR + rl;
	}
	skb_put_data(skb, stream, total);
	err = tnic_rx_key(&f->keys[0], tls13, key, key_len, salt, iv, rec_seq,
			  0, bulk);
	if (err)
		goto out;
	tnic_rx_start(f, tls13, 0);
	/* In random segments: everything opened and verified. */
	for (pos = 0; pos < total; pos += off) {
		off = min(total - pos, 1 + get_random_u32_below(max_seg));
		tnic_rx_walk(f, skb, skb->data, pos, pos, off, &w);
		if (!w.ok || w.failed)
			break;
	}
	err = -EBADMSG;
	if (pos < total || f->state != TNIC_RX_SYNC ||
	    memcmp(skb->data, plain, total))
		goto out;
	/* A bit flipped in a record's ciphertext: that tag fails. */
	memcpy(skb->data, stream, total);
	skb->data[total / 2] ^= 1;
	memset(&w, 0, sizeof(w));
	f->state = TNIC_RX_SYNC;
	f->off = 0;
	f->len = 0;
	f->sn = get_unaligned_be64(rec_seq);
	for (pos = 0; pos < total; pos += off) {
		struct tnic_rx_walk sw = {};

		off = min(total - pos, 1 + get_random_u32_below(max_seg));
		tnic_rx_walk(f, skb, skb->data, pos, pos, off, &sw);
		w.failed += sw.failed;
		w.verified += sw.verified;
	}
	if (w.failed == 1 && w.verified < ARRAY_SIZE(lens))
		err = 0;
out:
	if (req)
		tlsr_aead_free(req);
	if (f)
		tnic_rx_key_free(&f->keys[0]);
	kfree_skb(skb);
	kfree(aad);
	kfree(plain);
	kfree(stream);
	kfree_sensitive(f);
	memzero_explicit(key, sizeof(key));
	return err;
}

static int tnic_rx_selftest_run(void)
{
	static const unsigned int segs[] = { 1500, 17 };
	unsigned int v, k, s, b;
	int err;

	for (v = 0; v < 2; v++)
		for (k = 16; k <= 32; k += 16)
			for (s = 0; s < ARRAY_SIZE(segs); s++)
				for (b = 0; b < 2; b++) {
					err = tnic_rx_selftest_one(v, k, segs[s], b);
					if (err) {
						pr_err("tlsnic: RX self-test failed: TLS 1.%u AES-GCM-%u, segments up to %u bytes%s: %d\n",
						       v ? 3 : 2, k * 8, segs[s],
						       b ? ", ctr(aes)" : "", err);
						return err;
					}
				}
	pr_info("tlsnic: RX self-test passed (TLS 1.2 and 1.3, AES-GCM-128 and -256)\n");
	return 0;
}

int tnic_rx_init(struct dentry *dir)
{
	tnic_rx_selftest = tnic_rx_selftest_run() ? 0 : 1;
	debugfs_create_u32("rx_selftest", 0444, dir, &tnic_rx_selftest);
	debugfs_create_atomic_t("rx_flows", 0444, dir, &tnic_rx_flows);
	debugfs_create_u32("max_rx_flows", 0644, dir, &tnic_max_rx_flows);
	debugfs_create_u32("rx_resync_type", 0644, dir, &tnic_rx_resync_type);
	debugfs_create_bool("rx_lose_sync", 0644, dir, &tnic_rx_lose_sync);
	debugfs_create_bool("rx_corrupt", 0644, dir, &tnic_rx_corrupt);
	tnic_counter_in(dir, "rx_tls_segments", &tnic_rx_tls_segments);
	tnic_counter_in(dir, "rx_records_decrypted", &tnic_rx_records_decrypted);
	tnic_counter_in(dir, "rx_records_passed", &tnic_rx_records_passed);
	tnic_counter_in(dir, "rx_auth_failed", &tnic_rx_auth_failed);
	tnic_counter_in(dir, "rx_resync_requests", &tnic_rx_resync_requests);
	tnic_counter_in(dir, "rx_resyncs", &tnic_rx_resyncs);
	tnic_counter_in(dir, "rx_resyncs_ignored", &tnic_rx_resyncs_ignored);
	tnic_counter_in(dir, "rx_gen_adds", &tnic_rx_gen_adds);
	tnic_counter_in(dir, "rx_gen_dels", &tnic_rx_gen_dels);
	tnic_counter_in(dir, "rx_gen_resumes", &tnic_rx_gen_resumes);
	tnic_counter_in(dir, "rx_gen_ahead_adds", &tnic_rx_gen_ahead_adds);
	tnic_counter_in(dir, "rx_gen_found", &tnic_rx_gen_found);
	tnic_counter_in(dir, "rx_corrupted", &tnic_rx_corrupted);
	tnic_counter_in(dir, "rx_errors", &tnic_rx_errors);
	return 0;
}

void tnic_rx_exit(void)
{
	/* Flows are gone (their sockets' ULP deleted them); free them. */
	rcu_barrier();
}
