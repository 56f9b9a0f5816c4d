// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers of tls_rekey: inline functions, macros and _bh locking that
 * Rust cannot call directly. No logic lives here.
 */

#include <crypto/aead.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/scatterlist.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <linux/skbuff.h>
#include <linux/bvec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/inet_diag.h>
#include <linux/uaccess.h>
#include <net/inet_connection_sock.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/snmp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "helpers.h"
#include "device/helpers.h"
#include "rx_queue.h"

/* Mirrors tls_ctx_create(): the ULP data is a C-layout struct tls_context. */
struct tls_context *tlsr_ctx_create(struct sock *sk)
{
	struct tls_context *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_ATOMIC);
	if (!ctx)
		return NULL;

	mutex_init(&ctx->tx_lock);
	ctx->sk_proto = READ_ONCE(sk->sk_prot);
	ctx->sk = sk;
	/* Orders ctx->sk_proto before the sk_prot switch that follows. */
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, ctx);
	return ctx;
}

/* Mirrors tls_ctx_free(): readers of icsk_ulp_data run under RCU. */
void tlsr_ctx_free(struct tls_context *ctx)
{
	memzero_explicit(&ctx->crypto_send, sizeof(ctx->crypto_send));
	memzero_explicit(&ctx->crypto_recv, sizeof(ctx->crypto_recv));
	mutex_destroy(&ctx->tx_lock);
	kfree_rcu(ctx, rcu);
}

struct tls_context *tlsr_get_ctx(const struct sock *sk)
{
	return tls_get_ctx(sk);
}

void tlsr_clear_ctx(struct sock *sk)
{
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, NULL);
}

void tlsr_lock_sock(struct sock *sk)
{
	lock_sock(sk);
}

void tlsr_callback_write_lock_bh(struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
}

void tlsr_callback_write_unlock_bh(struct sock *sk)
{
	write_unlock_bh(&sk->sk_callback_lock);
}

int tlsr_sk_state(const struct sock *sk)
{
	return inet_sk_state_load(sk);
}

struct proto *tlsr_sk_prot(const struct sock *sk)
{
	return READ_ONCE(sk->sk_prot);
}

const struct proto_ops *tlsr_sk_socket_ops(const struct sock *sk)
{
	return sk->sk_socket ? READ_ONCE(sk->sk_socket->ops) : NULL;
}

void tlsr_sk_set_prot(struct sock *sk, struct proto *prot,
		      const struct proto_ops *ops)
{
	WRITE_ONCE(sk->sk_prot, prot);
	if (sk->sk_socket && ops)
		WRITE_ONCE(sk->sk_socket->ops, ops);
}

int tlsr_copy_from_sockptr(void *dst, sockptr_t src, size_t offset,
			   size_t size)
{
	return copy_from_sockptr_offset(dst, src, offset, size) ? -EFAULT : 0;
}

/* 1 if zeroed, 0 if not, -EFAULT on a fault (check_zeroed_sockptr()). */
int tlsr_check_zeroed_sockptr(sockptr_t src, size_t offset, size_t size)
{
	return check_zeroed_sockptr(src, offset, size);
}

int tlsr_get_user_int(int *val, int __user *uptr)
{
	return get_user(*val, uptr) ? -EFAULT : 0;
}

int tlsr_put_user_int(int val, int __user *uptr)
{
	return put_user(val, uptr) ? -EFAULT : 0;
}

int tlsr_copy_to_user(void __user *dst, const void *src, size_t size)
{
	return copy_to_user(dst, src, size) ? -EFAULT : 0;
}

void tlsr_memzero_explicit(void *ptr, size_t size)
{
	memzero_explicit(ptr, size);
}

/* The INET_ULP_INFO_TLS nest of tls_get_info(), attribute for attribute. */
int tlsr_fill_ulp_info(struct sk_buff *skb, u16 version, u16 cipher_type,
		       u16 tx_conf, u16 rx_conf, bool zc_ro_tx, bool rx_no_pad,
		       u16 tx_max_payload_len)
{
	struct nlattr *start;
	int err = 0;

	start = nla_nest_start_noflag(skb, INET_ULP_INFO_TLS);
	if (!start)
		return -EMSGSIZE;

	if (version)
		err = nla_put_u16(skb, TLS_INFO_VERSION, version);
	if (!err && cipher_type)
		err = nla_put_u16(skb, TLS_INFO_CIPHER, cipher_type);
	if (!err)
		err = nla_put_u16(skb, TLS_INFO_TXCONF, tx_conf);
	if (!err)
		err = nla_put_u16(skb, TLS_INFO_RXCONF, rx_conf);
	if (!err && zc_ro_tx)
		err = nla_put_flag(skb, TLS_INFO_ZC_RO_TX);
	if (!err && rx_no_pad)
		err = nla_put_flag(skb, TLS_INFO_RX_NO_PAD);
	if (!err)
		err = nla_put_u16(skb, TLS_INFO_TX_MAX_PAYLOAD_LEN,
				  tx_max_payload_len);
	if (err) {
		nla_nest_cancel(skb, start);
		return err;
	}
	nla_nest_end(skb, start);
	return 0;
}

size_t tlsr_ulp_info_size(void)
{
	return nla_total_size(0) +		/* INET_ULP_INFO_TLS */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_VERSION */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_CIPHER */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_RXCONF */
	       nla_total_size(sizeof(u16)) +	/* TLS_INFO_TXCONF */
	       nla_total_size(0) +		/* TLS_INFO_ZC_RO_TX */
	       nla_total_size(0) +		/* TLS_INFO_RX_NO_PAD */
	       nla_total_size(sizeof(u16));	/* TLS_INFO_TX_MAX_PAYLOAD_LEN */
}

/*
 * Synchronous AEAD only (CRYPTO_ALG_ASYNC masked off): records are sealed
 * and opened in the caller's context, so no completion handling is needed.
 * A transform comes with its one request, reused for every record (callers
 * serialise their records).
 */
/* Pages of one record's plaintext in user memory, and the sg entries. */
#define TLSR_ZC_PAGES	(TLS_MAX_PAYLOAD_SIZE / PAGE_SIZE + 2)

/*
 * Takes the pages of the next @len bytes of @msg's iterator into @pages
 * (user memory to read from with a reference each, user memory to write to
 * pinned, page vectors as they are: the caller holds them for the call) and
 * fills one sg entry per page from @sg on; adds what it took
 * to *@got (the iterator advances by it). The number of pages, -E2BIG if
 * the iterator is neither user memory nor pages or the bytes span more
 * pages than one record can, or -errno; on failure the pages taken are in
 * @pages, *@npages of them. tlsr_msg_unpin() gives them back.
 */
/*
 * Plaintext read from user memory is taken with page references, as
 * tls_sw's sk_msg_zerocopy_from_iter() does: the pages are only read while
 * the record is sealed, and a read-only pin (FOLL_PIN) of an anonymous page
 * shared since fork() would unshare it, one page copy per page.
 */
static bool tlsr_msg_takes_refs(const struct iov_iter *it)
{
	return user_backed_iter(it) && it->data_source;
}

static int tlsr_msg_pin(struct msghdr *msg, size_t len, struct page **pages,
			struct scatterlist *sg, unsigned int *npages,
			size_t *got)
{
	struct iov_iter *it = &msg->msg_iter;
	size_t done = 0;

	*npages = 0;
	if (!user_backed_iter(it) && !iov_iter_is_bvec(it))
		return -E2BIG;
	while (done < len) {
		unsigned int n = *npages;
		struct page **p = pages + n;
		size_t off, l;
		ssize_t r;

		if (n == TLSR_ZC_PAGES)
			return -E2BIG;
		if (tlsr_msg_takes_refs(it))
			r = iov_iter_get_pages2(it, p, len - done,
						TLSR_ZC_PAGES - n, &off);
		else
			r = iov_iter_extract_pages(it, &p, len - done,
						   TLSR_ZC_PAGES - n, 0, &off);
		if (r <= 0)
			return r ? r : -EFAULT;
		done += r;
		*got += r;
		for (; r > 0; n++, r -= l, off = 0) {
			l = min_t(size_t, r, PAGE_SIZE - off);
			sg_set_page(&sg[n], pages[n], l, off);
		}
		*npages = n;
	}
	return *npages;
}

/* Gives back what tlsr_msg_pin() took; @written: the pages were written. */
static void tlsr_msg_unpin(struct msghdr *msg, struct page **pages,
			   unsigned int n, bool written)
{
	unsigned int i;

	if (tlsr_msg_takes_refs(&msg->msg_iter)) {
		for (i = 0; i < n; i++)
			put_page(pages[i]);
		return;
	}
	if (!iov_iter_extract_will_pin(&msg->msg_iter))
		return;
	if (written)
		unpin_user_pages_dirty_lock(pages, n, true);
	else
		unpin_user_pages(pages, n);
}

/*
 * Seal @len bytes at @msg's iterator, its pages (user memory, or the page
 * cache pages of a splice) read in place instead of copied (upstream's
 * zero-copy TX), followed by @tail_len bytes at @tail, into @dst (room for
 * the tag after them). The iterator advances on success and is restored on
 * failure; -E2BIG as tlsr_msg_pin(), for the caller to copy them instead.
 */
int tlsr_aead_seal_msg(struct aead_request *req, u8 *aad, unsigned int aad_len,
		       struct msghdr *msg, size_t len, u8 *tail,
		       unsigned int tail_len, u8 *dst, u8 *iv)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct scatterlist src[TLSR_ZC_PAGES + 2], out[2];
	struct page *pages[TLSR_ZC_PAGES];
	unsigned int n;
	size_t got = 0;
	int err;

	sg_init_table(src, ARRAY_SIZE(src));
	sg_set_buf(&src[0], aad, aad_len);
	err = tlsr_msg_pin(msg, len, pages, &src[1], &n, &got);
	if (err < 0)
		goto out;
	if (tail_len)
		sg_set_buf(&src[1 + n], tail, tail_len);
	sg_mark_end(&src[n + !!tail_len]);

	sg_init_table(out, 2);
	sg_set_buf(&out[0], aad, aad_len);
	sg_set_buf(&out[1], dst, len + tail_len + crypto_aead_authsize(tfm));
	aead_request_set_crypt(req, src, out, len + tail_len, iv);
	aead_request_set_ad(req, aad_len);
	err = crypto_aead_encrypt(req);
out:
	tlsr_msg_unpin(msg, pages, n, false);
	if (err)
		iov_iter_revert(&msg->msg_iter, got);
	return err;
}

/*
 * Open the record payload of @len bytes (ciphertext and tag) at @src or, if
 * @src is NULL, in @sk's TCP receive queue @off bytes past copied_seq
 * (tlsr_aead_open_tcp(), the socket lock held) into @msg's user memory
 * (upstream's zero-copy RX): @user_len bytes of plaintext go to the
 * iterator, the @tail_len bytes after them to @tail. The ciphertext stays
 * as it was. The iterator advances on success and is restored on failure;
 * -E2BIG as for tlsr_aead_seal_msg(), -EMSGSIZE as for
 * tlsr_aead_open_tcp(), -EBADMSG if the tag does not verify (the user
 * memory then holds garbage, as upstream's).
 */
int tlsr_aead_open_msg(struct aead_request *req, u8 *aad, unsigned int aad_len,
		       u8 *src, struct sock *sk, u32 off, unsigned int len,
		       struct msghdr *msg, size_t user_len, u8 *tail,
		       unsigned int tail_len, u8 *iv)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct scatterlist in[2], out[TLSR_ZC_PAGES + 2];
	struct page *pages[TLSR_ZC_PAGES];
	unsigned int n = 0;
	size_t got = 0;
	int err;

	if (user_len + tail_len + crypto_aead_authsize(tfm) != len)
		return -EINVAL;
	sg_init_table(out, ARRAY_SIZE(out));
	sg_set_buf(&out[0], aad, aad_len);
	err = tlsr_msg_pin(msg, user_len, pages, &out[1], &n, &got);
	if (err < 0)
		goto out;
	if (tail_len)
		sg_set_buf(&out[1 + n], tail, tail_len);
	sg_mark_end(&out[n + !!tail_len]);

	if (!src) {
		err = tlsr_aead_open_tcp(req, aad, aad_len, sk, off, len, NULL,
					 out, iv);
		goto out;
	}
	sg_init_table(in, 2);
	sg_set_buf(&in[0], aad, aad_len);
	sg_set_buf(&in[1], src, len);
	aead_request_set_crypt(req, in, out, len, iv);
	aead_request_set_ad(req, aad_len);
	err = crypto_aead_decrypt(req);
out:
	tlsr_msg_unpin(msg, pages, n, true);
	if (err)
		iov_iter_revert(&msg->msg_iter, got);
	return err;
}

/* Gives back the last @len bytes the iterator advanced over. */
void tlsr_msg_revert(struct msghdr *msg, size_t len)
{
	iov_iter_revert(&msg->msg_iter, len);
}

/* Whether tlsr_msg_pin() can take the message's pages. */
bool tlsr_msg_pinnable(const struct msghdr *msg)
{
	return user_backed_iter(&msg->msg_iter) ||
	       iov_iter_is_bvec(&msg->msg_iter);
}

size_t tlsr_msg_data_left(const struct msghdr *msg)
{
	return msg_data_left(msg);
}

unsigned int tlsr_msg_flags(const struct msghdr *msg)
{
	return msg->msg_flags;
}

int tlsr_msg_copy_from(struct msghdr *msg, void *dst, size_t len)
{
	size_t copied = copy_from_iter(dst, len, &msg->msg_iter);

	if (copied != len) {
		iov_iter_revert(&msg->msg_iter, copied);
		return -EFAULT;
	}
	return 0;
}

size_t tlsr_msg_copy_to(struct msghdr *msg, const void *src, size_t len)
{
	return copy_to_iter(src, len, &msg->msg_iter);
}

/*
 * TLS_SET_RECORD_TYPE, as tls_process_cmsg(): 1 and *type set if present,
 * -EINVAL if the control data holds no valid SOL_TLS message.
 */
int tlsr_msg_record_type(struct msghdr *msg, u8 *type)
{
	struct cmsghdr *cmsg;
	int rc = -EINVAL;

	if (!msg->msg_controllen)
		return 0;
	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_TLS)
			continue;
		if (cmsg->cmsg_type != TLS_SET_RECORD_TYPE)
			return -EINVAL;
		if (cmsg->cmsg_len < CMSG_LEN(sizeof(*type)))
			return -EINVAL;
		if (msg->msg_flags & MSG_MORE)
			return -EINVAL;
		*type = *(unsigned char *)CMSG_DATA(cmsg);
		rc = 1;
	}
	return rc;
}

/* TLS_GET_RECORD_TYPE: 0, or -EIO if the control buffer cannot take it. */
int tlsr_msg_put_record_type(struct msghdr *msg, u8 type)
{
	int err = put_cmsg(msg, SOL_TLS, TLS_GET_RECORD_TYPE, sizeof(type), &type);

	return err || (msg->msg_flags & MSG_CTRUNC) ? -EIO : 0;
}

/* The caller holds the socket lock (sk_sndbuf's writers take it). */
int tlsr_sk_sndbuf_lift(struct sock *sk)
{
	int old = sk->sk_sndbuf;

	WRITE_ONCE(sk->sk_sndbuf, INT_MAX);
	return old;
}

void tlsr_sk_sndbuf_restore(struct sock *sk, int sndbuf)
{
	WRITE_ONCE(sk->sk_sndbuf, sndbuf);
}

/*
 * Waits until the send buffer has room for more, as tls_sw_sendmsg() and
 * tls_push_data() wait before each record (TCP checks its send buffer only
 * when it starts a new skb, and takes whatever fits in its last one past
 * the limit). sk_stream_wait_memory() releases the socket lock meanwhile,
 * so the acknowledgements in TCP's backlog are processed. 0 at once if the
 * buffer has room; -EAGAIN once SO_SNDTIMEO ran out (at once for
 * MSG_DONTWAIT), -EPIPE (SIGPIPE unless MSG_NOSIGNAL) or a signal's errno.
 * The caller holds the socket lock.
 */
int tlsr_sk_stream_wait_sndbuf(struct sock *sk, int flags)
{
	long timeo;
	int err;

	if (sk_stream_memory_free(sk))
		return 0;
	set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	err = sk_stream_wait_memory(sk, &timeo);
	return err ? sk_stream_error(sk, flags, err) : 0;
}

/*
 * Hand @len sealed bytes at @buf, page-frag memory from tlsr_frag_alloc(),
 * to TCP without a copy: TCP takes its own page references, as for
 * upstream's encrypted records. The caller holds the socket lock.
 */
int tlsr_tcp_send_frag(struct sock *sk, void *buf, size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	struct bio_vec bv;

	bvec_set_virt(&bv, buf, len);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, len);
	return tcp_sendmsg_locked(sk, &msg, len);
}

/* Hands TCP @len bytes of @page from @off on by reference. */
int tlsr_tcp_send_page(struct sock *sk, struct page *page, u32 off, u32 len,
		       int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	struct bio_vec bv;

	bvec_set_page(&bv, page, len, off);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, len);
	return tcp_sendmsg_locked(sk, &msg, len);
}

/*
 * The pages of the next @len bytes of a splice (MSG_SPLICE_PAGES over page
 * vectors: sendfile's page cache pages), one piece per page, each with a
 * reference of its own, for a device record to send as they are
 * (TLS_TX_ZEROCOPY_RO, as tls_push_data() takes them); the number of
 * pieces, or -E2BIG if the bytes are not such pages or span more than
 * @max pages (nothing taken, the iterator as it was).
 */
int tlsr_msg_splice_pages(struct msghdr *msg, size_t len, struct page **pages,
			  u32 *offs, u32 *lens, unsigned int max)
{
	struct iov_iter *it = &msg->msg_iter;
	unsigned int n = 0;
	size_t done = 0;

	if (!(msg->msg_flags & MSG_SPLICE_PAGES) || !iov_iter_is_bvec(it))
		return -E2BIG;
	while (done < len) {
		struct page **p = &pages[n];
		size_t off;
		ssize_t r;

		if (n == max)
			goto undo;
		r = iov_iter_extract_pages(it, &p, min(len - done, PAGE_SIZE),
					   1, 0, &off);
		if (r <= 0)
			goto undo;
		done += r;
		if (!sendpage_ok(pages[n]))
			goto undo;
		get_page(pages[n]);
		offs[n] = off;
		lens[n++] = r;
	}
	return n;
undo:
	while (n)
		put_page(pages[--n]);
	iov_iter_revert(it, done);
	return -E2BIG;
}

void tlsr_put_page(struct page *page)
{
	put_page(page);
}

/*
 * Read raw bytes with the recvmsg of the TCP proto under the ULP; the
 * caller does not hold the socket lock.
 */
int tlsr_tcp_recv(struct sock *sk, void *buf, size_t len, int flags)
{
	struct tls_context *ctx = tls_get_ctx(sk);
	struct msghdr msg = {};
	struct kvec kv = { .iov_base = buf, .iov_len = len };

	if (!ctx)
		return -EINVAL;
	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &kv, 1, len);
	return ctx->sk_proto->recvmsg(sk, &msg, len, flags);
}

/*
 * A TX record buffer of @size bytes from the socket's page frag
 * (sk_page_frag(): the task's for a user socket), with its own page
 * reference, as tls_sw's sk_msg_alloc() takes its pages; NULL if no page
 * has room (a page of order 0 when memory is fragmented). The caller holds
 * the socket lock, in process context.
 */
void *tlsr_frag_alloc(struct sock *sk, unsigned int size)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	void *buf;

	/*
	 * skb_page_frag_refill() reuses a page nobody else holds whatever its
	 * size: a single page, taken when memory was fragmented, would serve
	 * no full record again. Give it up for a large one.
	 */
	if (pfrag->page && pfrag->size < size && size > PAGE_SIZE) {
		put_page(pfrag->page);
		pfrag->page = NULL;
	}
	if (!skb_page_frag_refill(size, pfrag, sk->sk_allocation) ||
	    pfrag->size - pfrag->offset < size)
		return NULL;
	buf = page_address(pfrag->page) + pfrag->offset;
	get_page(pfrag->page);
	pfrag->offset += size;
	return buf;
}

void tlsr_frag_free(void *buf)
{
	page_frag_free(buf);
}

int tlsr_tcp_inq(struct sock *sk)
{
	return tcp_inq(sk);
}

u32 tlsr_tcp_write_seq(const struct sock *sk)
{
	return READ_ONCE(tcp_sk(sk)->write_seq);
}

u32 tlsr_tcp_snd_una(const struct sock *sk)
{
	return READ_ONCE(tcp_sk(sk)->snd_una);
}

u32 tlsr_tcp_copied_seq(const struct sock *sk)
{
	return READ_ONCE(tcp_sk(sk)->copied_seq);
}

int tlsr_sock_error(struct sock *sk)
{
	return sock_error(sk);
}

/* tls_err_abort(): a fatal record error ends the connection's reads. */
void tlsr_err_abort(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, -err);
	/* Paired with smp_rmb() in tcp_poll() */
	smp_wmb();
	sk_error_report(sk);
}

/*
 * Unread records were pulled out of TCP's queue, so tcp_close() cannot see
 * them: zero linger makes it reset the connection as it does for unread
 * data. The caller holds the socket lock.
 */
void tlsr_reset_on_close(struct sock *sk)
{
	sock_set_flag(sk, SOCK_LINGER);
	WRITE_ONCE(sk->sk_lingertime, 0);
}

bool tlsr_rcv_shutdown(const struct sock *sk)
{
	return (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
	       sock_flag(sk, SOCK_DONE);
}

unsigned int tlsr_poll(const struct proto_ops *base, struct file *file,
		       struct socket *sock, struct poll_table_struct *wait)
{
	return base->poll(file, sock, wait);
}

struct sock *tlsr_socket_sk(struct socket *sock)
{
	return sock->sk;
}

void tlsr_data_ready(struct sock *sk)
{
	sk->sk_data_ready(sk);
}

void tlsr_tx_head_init(struct tlsr_tx_head *h, struct sock *sk,
		       void (*fn)(struct work_struct *))
{
	INIT_WORK(&h->work, fn);
	h->flags = 0;
	h->sk = sk;
}

void tlsr_tx_set_pending(struct tlsr_tx_head *h, bool pending)
{
	if (pending)
		set_bit(TLSR_TX_PENDING, &h->flags);
	else
		clear_bit(TLSR_TX_PENDING, &h->flags);
}

/* No push may run after this: called before the socket is torn down. */
void tlsr_tx_close(struct tlsr_tx_head *h)
{
	set_bit(TLSR_TX_CLOSING, &h->flags);
	cancel_work_sync(&h->work);
}

/*
 * Kernel key schedule: asks the TX side for a KeyUpdate (TLSR_TX_KEY_UPDATE)
 * or a fatal alert with description @alert (TLSR_TX_ALERT), which the TX
 * work sends unless a sendmsg comes first. Under the socket lock, which
 * keeps the TX state where it is. False if TX is not configured.
 */
bool tlsr_tx_request(struct tls_context *ctx, unsigned int bit, u8 alert)
{
	struct tlsr_tx_head *h = tlsr_ctx_tx_head(ctx);

	if (!h)
		return false;
	if (bit == TLSR_TX_ALERT)
		WRITE_ONCE(h->alert, alert);
	/* The description is visible to whoever sees the bit. */
	smp_mb__before_atomic();
	set_bit(bit, &h->flags);
	if (!test_bit(TLSR_TX_CLOSING, &h->flags))
		schedule_work(&h->work);
	return true;
}

/*
 * Takes a request of tlsr_tx_request(): -1 if none, else the alert's
 * description (TLSR_TX_ALERT) or 0. Under the TX lock.
 */
int tlsr_tx_take(struct tlsr_tx_head *h, unsigned int bit)
{
	if (!test_and_clear_bit(bit, &h->flags))
		return -1;
	smp_mb__after_atomic();
	return bit == TLSR_TX_ALERT ? READ_ONCE(h->alert) : 0;
}

/* Whether a request of tlsr_tx_request() waits. */
bool tlsr_tx_due(const struct tlsr_tx_head *h)
{
	return READ_ONCE(h->flags) &
	       (BIT(TLSR_TX_KEY_UPDATE) | BIT(TLSR_TX_ALERT));
}

/* tls_write_space(): TCP has room again, push what it did not take. */
static void tlsr_write_space(struct sock *sk)
{
	struct tls_context *ctx = tls_get_ctx(sk);
	/* In software TX's state, or in the device TX state's (TLS_HW). */
	struct tlsr_tx_head *h = tlsr_ctx_tx_head(ctx);

	if (h && test_bit(TLSR_TX_PENDING, &h->flags) &&
	    !test_bit(TLSR_TX_CLOSING, &h->flags))
		schedule_work(&h->work);
	ctx->sk_write_space(sk);
}

void tlsr_install_write_space(struct sock *sk, struct tls_context *ctx)
{
	write_lock_bh(&sk->sk_callback_lock);
	ctx->sk_write_space = sk->sk_write_space;
	sk->sk_write_space = tlsr_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* The caller holds sk_callback_lock for writing. */
void tlsr_restore_write_space(struct sock *sk, struct tls_context *ctx)
{
	if (sk->sk_write_space == tlsr_write_space)
		sk->sk_write_space = ctx->sk_write_space;
}

int tlsr_tx_lock(struct tls_context *ctx)
{
	return mutex_lock_interruptible(&ctx->tx_lock);
}

void tlsr_tx_unlock(struct tls_context *ctx)
{
	mutex_unlock(&ctx->tx_lock);
}

/* Splice @len bytes of decrypted record data into @pipe. */
ssize_t tlsr_splice_bytes(struct sock *sk, struct pipe_inode_info *pipe,
			  const void *buf, size_t len, unsigned int flags)
{
	struct sk_buff *skb;
	ssize_t ret;

	skb = alloc_skb(len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, buf, len);
	ret = skb_splice_bits(skb, sk, 0, pipe, len, flags);
	consume_skb(skb);
	return ret;
}

/* /proc/net/tls_stat, in upstream's format (net/tls/tls_proc.c). */
static const struct snmp_mib tlsr_mib_list[] = {
	SNMP_MIB_ITEM("TlsCurrTxSw", LINUX_MIB_TLSCURRTXSW),
	SNMP_MIB_ITEM("TlsCurrRxSw", LINUX_MIB_TLSCURRRXSW),
	SNMP_MIB_ITEM("TlsCurrTxDevice", LINUX_MIB_TLSCURRTXDEVICE),
	SNMP_MIB_ITEM("TlsCurrRxDevice", LINUX_MIB_TLSCURRRXDEVICE),
	SNMP_MIB_ITEM("TlsTxSw", LINUX_MIB_TLSTXSW),
	SNMP_MIB_ITEM("TlsRxSw", LINUX_MIB_TLSRXSW),
	SNMP_MIB_ITEM("TlsTxDevice", LINUX_MIB_TLSTXDEVICE),
	SNMP_MIB_ITEM("TlsRxDevice", LINUX_MIB_TLSRXDEVICE),
	SNMP_MIB_ITEM("TlsDecryptError", LINUX_MIB_TLSDECRYPTERROR),
	SNMP_MIB_ITEM("TlsRxDeviceResync", LINUX_MIB_TLSRXDEVICERESYNC),
	SNMP_MIB_ITEM("TlsDecryptRetry", LINUX_MIB_TLSDECRYPTRETRY),
	SNMP_MIB_ITEM("TlsRxNoPadViolation", LINUX_MIB_TLSRXNOPADVIOL),
	SNMP_MIB_ITEM("TlsRxRekeyOk", LINUX_MIB_TLSRXREKEYOK),
	SNMP_MIB_ITEM("TlsRxRekeyError", LINUX_MIB_TLSRXREKEYERROR),
	SNMP_MIB_ITEM("TlsTxRekeyOk", LINUX_MIB_TLSTXREKEYOK),
	SNMP_MIB_ITEM("TlsTxRekeyError", LINUX_MIB_TLSTXREKEYERROR),
	SNMP_MIB_ITEM("TlsRxRekeyReceived", LINUX_MIB_TLSRXREKEYRECEIVED),
	SNMP_MIB_ITEM("TlsTxDeviceFallback", TLSR_MIB_TXDEVICEFALLBACK),
	SNMP_MIB_ITEM("TlsTxRecordsDirect", TLSR_MIB_TXRECORDSDIRECT),
	SNMP_MIB_ITEM("TlsTxRecordsCopied", TLSR_MIB_TXRECORDSCOPIED),
	SNMP_MIB_ITEM("TlsRxRecordsDirect", TLSR_MIB_RXRECORDSDIRECT),
	SNMP_MIB_ITEM("TlsRxRecordsCopied", TLSR_MIB_RXRECORDSCOPIED),
	SNMP_MIB_ITEM("TlsTxDeviceRekey", TLSR_MIB_TXDEVICEREKEY),
	SNMP_MIB_ITEM("TlsTxDeviceRekeySwRecords", TLSR_MIB_TXDEVICEREKEYSWRECORDS),
	SNMP_MIB_ITEM("TlsTxDeviceRekeySwBytes", TLSR_MIB_TXDEVICEREKEYSWBYTES),
	SNMP_MIB_ITEM("TlsTxDeviceGenEvicted", TLSR_MIB_TXDEVICEGENEVICTED),
	SNMP_MIB_ITEM("TlsTxDeviceGenRefused", TLSR_MIB_TXDEVICEGENREFUSED),
	SNMP_MIB_ITEM("TlsTxDeviceFallbackRetired", TLSR_MIB_TXDEVICEFALLBACKRETIRED),
	SNMP_MIB_ITEM("TlsTxDeviceGenFull", TLSR_MIB_TXDEVICEGENFULL),
	SNMP_MIB_ITEM("TlsRxDeviceRekey", TLSR_MIB_RXDEVICEREKEY),
	SNMP_MIB_ITEM("TlsRxDeviceRekeySwRecords", TLSR_MIB_RXDEVICEREKEYSWRECORDS),
	SNMP_MIB_ITEM("TlsRxDeviceGenAhead", TLSR_MIB_RXDEVICEGENAHEAD),
};

static int tlsr_stat_show(struct seq_file *seq, void *v)
{
	unsigned long buf[ARRAY_SIZE(tlsr_mib_list)] = {};
	struct net *net = seq->private;
	int i;

	snmp_get_cpu_field_batch_cnt(buf, tlsr_mib_list,
				     ARRAY_SIZE(tlsr_mib_list),
				     net->mib.tls_statistics);
	for (i = 0; i < ARRAY_SIZE(tlsr_mib_list); i++)
		seq_printf(seq, "%-32s\t%lu\n", tlsr_mib_list[i].name, buf[i]);
	return 0;
}

/* Upstream's counters, then ours. */
struct tlsr_tls_mib {
	unsigned long mibs[__TLSR_MIB_MAX];
};

/*
 * The MIB lives in struct netns_mib; tls.ko is not loaded, so it is ours.
 * It holds upstream's struct linux_tls_mib at its start.
 */
static int __net_init tlsr_net_init(struct net *net)
{
	net->mib.tls_statistics =
		(struct linux_tls_mib __percpu *)alloc_percpu(struct tlsr_tls_mib);
	if (!net->mib.tls_statistics)
		return -ENOMEM;
	if (!proc_create_net_single("tls_stat", 0444, net->proc_net,
				    tlsr_stat_show, NULL)) {
		free_percpu(net->mib.tls_statistics);
		net->mib.tls_statistics = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit tlsr_net_exit(struct net *net)
{
	remove_proc_entry("tls_stat", net->proc_net);
	free_percpu(net->mib.tls_statistics);
	net->mib.tls_statistics = NULL;
}

static struct pernet_operations tlsr_net_ops = {
	.init = tlsr_net_init,
	.exit = tlsr_net_exit,
};

int tlsr_proc_register(void)
{
	return register_pernet_subsys(&tlsr_net_ops);
}

void tlsr_proc_unregister(void)
{
	unregister_pernet_subsys(&tlsr_net_ops);
}

void tlsr_stat_add(struct sock *sk, int field, int delta)
{
	struct tlsr_tls_mib __percpu *mib =
		(struct tlsr_tls_mib __percpu *)sock_net(sk)->mib.tls_statistics;

	if (mib && field >= 0 && field < __TLSR_MIB_MAX)
		SNMP_ADD_STATS(mib, field, delta);
}

/* Device offload: the inline functions and bit operations of tls.ko's ABI. */

struct sock *tlsr_skb_sk(const struct sk_buff *skb)
{
	return skb->sk;
}

void tlsr_kfree_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

bool tlsr_netif_is_bond_master(const struct net_device *dev)
{
	return netif_is_bond_master(dev);
}

/* The device of a device-offloaded socket (RCU-bh, as the xmit path). */
struct net_device *tlsr_ctx_netdev(struct tls_context *ctx)
{
	return rcu_dereference_bh(ctx->netdev);
}

bool tlsr_ctx_test_and_set_flag(struct tls_context *ctx, int bit)
{
	return test_and_set_bit(bit, &ctx->flags);
}

void tlsr_ctx_set_flag(struct tls_context *ctx, int bit)
{
	set_bit(bit, &ctx->flags);
}

void tlsr_ctx_clear_flag(struct tls_context *ctx, int bit)
{
	clear_bit(bit, &ctx->flags);
}

bool tlsr_ctx_test_flag(struct tls_context *ctx, int bit)
{
	return test_bit(bit, &ctx->flags);
}
