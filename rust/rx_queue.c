// SPDX-License-Identifier: GPL-2.0
/*
 * Records read where TCP keeps them: the receive queue of a socket is
 * waited on, peeked at and mapped for the AEAD, as tls_strp does when it
 * works on TCP's own skbs, so that a software RX record is decrypted
 * straight from them (no copy of its ciphertext) and consumed with
 * tcp_read_done() once opened. The caller holds the socket lock throughout:
 * segments arriving meanwhile go to the backlog, so the queue stays as it
 * is and only the reader consumes it.
 */
#include <crypto/aead.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "rx_queue.h"

/* Entries of the ciphertext's scatterlist kept on the stack. */
#define TLSR_RX_SG	20

long tlsr_tcp_rcvtimeo(struct sock *sk, bool nonblock)
{
	return sock_rcvtimeo(sk, nonblock);
}

/*
 * Whether TCP holds @need bytes for the reader; set also when fewer will
 * not fit: TCP's receive memory is under pressure or its window is down to
 * a segment (tcp_epollin_ready(), as tls_strp_read_copy() checks). The
 * window matters: TCP opens it again only as the reader consumes, so a
 * record it cannot let in whole would wait for ever (seen with a bulk
 * sender when only memory pressure was tested).
 */
static bool tlsr_tcp_has(struct sock *sk, u32 need)
{
	return tcp_inq(sk) >= need || tcp_epollin_ready(sk, INT_MAX);
}

/*
 * Waits until TCP holds @need bytes for the reader, as tcp_recvmsg() waits
 * (*@timeo, signals): 1 once it does, 0 if they will not come this way (end
 * of stream, an error, TCP cannot queue them all: the caller reads what is
 * there instead), -EAGAIN once *@timeo ran out, or -errno of a signal.
 */
int tlsr_tcp_wait_inq(struct sock *sk, u32 need, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int ret = 1;

	while (tcp_inq(sk) < need) {
		if (tcp_epollin_ready(sk, INT_MAX) || sk->sk_err ||
		    (sk->sk_shutdown & RCV_SHUTDOWN) || sock_flag(sk, SOCK_DONE)) {
			ret = 0;
			break;
		}
		if (!*timeo) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = sock_intr_errno(*timeo);
			break;
		}
		add_wait_queue(sk_sleep(sk), &wait);
		sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		sk_wait_event(sk, timeo,
			      tlsr_tcp_has(sk, need) || sk->sk_err ||
			      (sk->sk_shutdown & RCV_SHUTDOWN), &wait);
		sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		remove_wait_queue(sk_sleep(sk), &wait);
	}
	return ret;
}

/*
 * The skb of the receive queue holding the byte @off past copied_seq, and
 * that byte's offset in it; NULL if TCP holds fewer bytes. Only
 * tcp_recv_skb() at copied_seq itself: at a later sequence it would free
 * the skbs before it.
 */
static struct sk_buff *tlsr_tcp_skb_at(struct sock *sk, u32 off, u32 *at)
{
	struct sk_buff *skb;
	u32 o;

	skb = tcp_recv_skb(sk, tcp_sk(sk)->copied_seq, &o);
	if (!skb)
		return NULL;
	o += off;
	skb_queue_walk_from(&sk->sk_receive_queue, skb) {
		if (o < skb->len) {
			*at = o;
			return skb;
		}
		o -= skb->len;
	}
	return NULL;
}

/*
 * Calls @fn for each piece of the @len bytes from @off bytes past
 * copied_seq on (the skb, the offset in it, the length) until it fails;
 * -ENODATA if TCP holds fewer bytes.
 */
static int tlsr_tcp_walk(struct sock *sk, u32 off, u32 len,
			 int (*fn)(struct sk_buff *skb, u32 at, u32 n, void *arg),
			 void *arg)
{
	struct sk_buff *skb;
	u32 at;
	int err;

	if (tcp_inq(sk) < off + len)
		return -ENODATA;
	skb = tlsr_tcp_skb_at(sk, off, &at);
	while (len) {
		u32 n;

		if (!skb || skb == (struct sk_buff *)&sk->sk_receive_queue)
			return -ENODATA;
		n = min(len, skb->len - at);
		err = fn(skb, at, n, arg);
		if (err)
			return err;
		len -= n;
		at = 0;
		skb = skb->next;
	}
	return 0;
}

static int tlsr_peek_piece(struct sk_buff *skb, u32 at, u32 n, void *arg)
{
	u8 **buf = arg;

	if (skb_copy_bits(skb, at, *buf, n))
		return -EFAULT;
	*buf += n;
	return 0;
}

/* Copies @len bytes from @off bytes past copied_seq on into @buf. */
int tlsr_tcp_peek(struct sock *sk, u32 off, u8 *buf, u32 len)
{
	return tlsr_tcp_walk(sk, off, len, tlsr_peek_piece, &buf);
}

/*
 * The next entry of @sg, initialized: sg_init_table() of only the entries
 * used, as tls_sw counts them first (__skb_nsg()).
 */
static struct scatterlist *tlsr_sg_next(struct scatterlist *sg,
					unsigned int *n)
{
	struct scatterlist *s = &sg[(*n)++];

	sg_init_table(s, 1);
	sg_unmark_end(s);
	return s;
}

/*
 * skb_to_sgvec() with a bound: entries for @len bytes of @skb from @offset
 * on go to @sg[*@n] on, at most up to @sg[@max - 1]; -EMSGSIZE if they do
 * not fit.
 */
static int tlsr_skb_sg(struct sk_buff *skb, int offset, int len,
		       struct scatterlist *sg, unsigned int *n,
		       unsigned int max, int depth)
{
	int start = skb_headlen(skb), chunk = start - offset, i;
	struct sk_buff *frag;

	if (depth > 24)
		return -EMSGSIZE;
	if (chunk > 0) {
		chunk = min(chunk, len);
		if (*n == max)
			return -EMSGSIZE;
		sg_set_buf(tlsr_sg_next(sg, n), skb->data + offset, chunk);
		len -= chunk;
		offset += chunk;
	}
	for (i = 0; len && i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];
		int end = start + skb_frag_size(f);

		chunk = end - offset;
		if (chunk > 0) {
			chunk = min(chunk, len);
			if (*n == max)
				return -EMSGSIZE;
			sg_set_page(tlsr_sg_next(sg, n), skb_frag_page(f),
				    chunk, skb_frag_off(f) + offset - start);
			len -= chunk;
			offset += chunk;
		}
		start = end;
	}
	skb_walk_frags(skb, frag) {
		int end = start + frag->len, err;

		if (!len)
			break;
		chunk = end - offset;
		if (chunk > 0) {
			chunk = min(chunk, len);
			err = tlsr_skb_sg(frag, offset - start, chunk, sg, n,
					  max, depth + 1);
			if (err)
				return err;
			len -= chunk;
			offset += chunk;
		}
		start = end;
	}
	return len ? -EFAULT : 0;
}

/* Where tlsr_sg_piece() puts the next entries. */
struct tlsr_sg_fill {
	struct scatterlist *sg;
	unsigned int n;
	unsigned int max;
};

static int tlsr_sg_piece(struct sk_buff *skb, u32 at, u32 n, void *arg)
{
	struct tlsr_sg_fill *f = arg;

	return tlsr_skb_sg(skb, at, n, f->sg, &f->n, f->max, 0);
}

/*
 * Points @sg (room for @max entries) at @aad and then at the @len bytes
 * from @off bytes past copied_seq on; the entries used, end marked, or
 * -EMSGSIZE / -ENODATA.
 */
static int tlsr_tcp_sg(struct sock *sk, u8 *aad, unsigned int aad_len,
		       u32 off, u32 len, struct scatterlist *sg,
		       unsigned int max)
{
	struct tlsr_sg_fill f = { .sg = sg, .n = 0, .max = max };
	int err;

	sg_set_buf(tlsr_sg_next(sg, &f.n), aad, aad_len);
	err = tlsr_tcp_walk(sk, off, len, tlsr_sg_piece, &f);
	if (err)
		return err;
	sg_mark_end(&sg[f.n - 1]);
	return f.n;
}

/*
 * Opens the payload of a record (@len bytes: ciphertext and tag) that is
 * still in TCP's receive queue, @off bytes past copied_seq, into @dst (room
 * for the plaintext, @len less the tag) or, if @dst is NULL, into @out
 * (the caller's scatterlist after the additional data, end marked). TCP's
 * bytes stay as they are. -EMSGSIZE if they are in more pieces than the
 * scatterlist on the stack takes (the caller copies them out instead),
 * -EBADMSG if the tag does not verify.
 */
int tlsr_aead_open_tcp(struct aead_request *req, u8 *aad, unsigned int aad_len,
		       struct sock *sk, u32 off, unsigned int len, u8 *dst,
		       struct scatterlist *out, u8 *iv)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct scatterlist in[TLSR_RX_SG], linear[2];
	int n;

	if (len < crypto_aead_authsize(tfm))
		return -EBADMSG;
	n = tlsr_tcp_sg(sk, aad, aad_len, off, len, in, ARRAY_SIZE(in));
	if (n < 0)
		return n;
	if (dst) {
		sg_init_table(linear, 2);
		sg_set_buf(&linear[0], aad, aad_len);
		sg_set_buf(&linear[1], dst, len - crypto_aead_authsize(tfm));
		out = linear;
	}
	aead_request_set_crypt(req, in, out, len, iv);
	aead_request_set_ad(req, aad_len);
	return crypto_aead_decrypt(req);
}
