// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 KeyUpdate handling of the "tls" TCP ULP, in the situations the
 * upstream tools/testing/selftests/net/tls.c rekey tests leave out:
 * records under the next key already queued when the KeyUpdate is read,
 * KeyUpdate and next-key records in one TCP segment, back-to-back and
 * repeated KeyUpdates, handshake records that are not KeyUpdates, poll()
 * while a rekey is pending, getsockopt() of the advanced record sequence
 * number, close/shutdown while a send or recv is blocked, and many kTLS
 * sockets at once.
 *
 * The expectations are what upstream net/tls (Linux 7.2) does; the
 * comments name the function they come from.  The contract, from
 * tls_sw.c: decrypting a handshake record whose first byte is 24
 * (tls_check_pending_rekey()) sets key_update_pending; from then on
 * tls_rx_rec_wait() returns -EKEYEXPIRED and tls_sk_poll() hides EPOLLIN
 * until setsockopt(TLS_RX) installs the next key (tls_finish_key_update()).
 */

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <linux/tls.h>

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#include "tls_common.h"

#define TLS_PAYLOAD_MAX_LEN	16384
#define TLS_HDR_LEN		5
#define TLS_TAG_LEN		16	/* every cipher used here */

#define TLS_RECORD_TYPE_ALERT		21
#define TLS_RECORD_TYPE_HANDSHAKE	22
#define TLS_RECORD_TYPE_DATA		23

#define TLS_HANDSHAKE_FINISHED		20
#define TLS_HANDSHAKE_KEYUPDATE		24

/* Bytes a TLS 1.3 record of @len plaintext bytes takes on the wire. */
#define TLS13_WIRE_LEN(len)	(TLS_HDR_LEN + (len) + 1 + TLS_TAG_LEN)

/*
 * crypto_info
 */

struct tls_keys {
	union {
		struct tls_crypto_info info;
		unsigned char raw[64];
	};
	size_t len;
};

/*
 * As tls_crypto_info_init() in net/tls.c: every byte after the header is
 * @gen, so iv, key, salt and rec_seq all differ between generations.
 */
static void keys_init(struct tls_keys *k, uint16_t version, uint16_t cipher,
		      unsigned char gen)
{
	const struct cipher_desc *d = cipher_desc_get(cipher);

	memset(k, gen, sizeof(*k));
	k->info.version = version;
	k->info.cipher_type = cipher;
	k->len = d ? d->len : sizeof(struct tls12_crypto_info_aes_gcm_128);
}

static void keys_set_rec_seq(struct tls_keys *k, uint64_t seq)
{
	const struct cipher_desc *d = cipher_desc_get(k->info.cipher_type);
	int i;

	for (i = 0; i < 8; i++)
		k->raw[d->rec_seq + i] = seq >> (56 - 8 * i);
}

static uint64_t keys_rec_seq(const struct tls_keys *k)
{
	const struct cipher_desc *d = cipher_desc_get(k->info.cipher_type);
	uint64_t seq = 0;
	int i;

	for (i = 0; i < 8; i++)
		seq = seq << 8 | k->raw[d->rec_seq + i];
	return seq;
}

/* Add @n to the big-endian explicit nonce (iv) of an AES-GCM/CCM key. */
static void keys_add_iv(struct tls_keys *k, uint64_t n)
{
	const struct cipher_desc *d = cipher_desc_get(k->info.cipher_type);
	uint64_t iv = 0;
	int i;

	for (i = 0; i < 8; i++)
		iv = iv << 8 | k->raw[d->iv + i];
	iv += n;
	for (i = 0; i < 8; i++)
		k->raw[d->iv + i] = iv >> (56 - 8 * i);
}

static int set_keys(int fd, int optname, const struct tls_keys *k)
{
	return setsockopt(fd, SOL_TLS, optname, k->raw, k->len) ? -errno : 0;
}

/*
 * do_tls_getsockopt_conf() copies the installed crypto_info with the iv
 * and rec_seq of the cipher_context: rec_seq is the crypto_info's rec_seq
 * plus the records processed under that key (tls_advance_record_sn()).
 * In TLS 1.3 the iv is never advanced; in TLS 1.2 the 8-byte explicit
 * nonce of AES-GCM/CCM advances with rec_seq (not ChaCha20-Poly1305's).
 */
static void __expect_conf(struct __test_metadata *_metadata, int line,
			  int fd, int optname, const struct tls_keys *want,
			  uint64_t rec_seq)
{
	const char *name = optname == TLS_TX ? "TLS_TX" : "TLS_RX";
	struct tls_keys got, exp;
	socklen_t len = want->len;

	memset(&got, 0, sizeof(got));
	ASSERT_EQ(0, getsockopt(fd, SOL_TLS, optname, got.raw, &len))
		TH_LOG("line %d: getsockopt(%s): %s", line, name,
		       strerror(errno));
	EXPECT_EQ(want->len, len);
	exp = *want;
	if (want->info.version == TLS_1_2_VERSION &&
	    want->info.cipher_type != TLS_CIPHER_CHACHA20_POLY1305)
		keys_add_iv(&exp, rec_seq - keys_rec_seq(want));
	keys_set_rec_seq(&exp, rec_seq);
	EXPECT_EQ(rec_seq, keys_rec_seq(&got))
		TH_LOG("line %d: %s rec_seq %#llx, expected %#llx", line,
		       name, (unsigned long long)keys_rec_seq(&got),
		       (unsigned long long)rec_seq);
	if (memcmp(got.raw, exp.raw, want->len)) {
		char g[3 * sizeof(got.raw) + 1], e[3 * sizeof(got.raw) + 1];
		size_t i;

		for (i = 0; i < want->len; i++) {
			sprintf(g + 3 * i, " %02x", got.raw[i]);
			sprintf(e + 3 * i, " %02x", exp.raw[i]);
		}
		EXPECT_EQ(0, memcmp(got.raw, exp.raw, want->len))
			TH_LOG("line %d: %s crypto_info is not the installed key (iv at %u, rec_seq at %u)\n got     %s\n expected%s",
			       line, name,
			       cipher_desc_get(want->info.cipher_type)->iv,
			       cipher_desc_get(want->info.cipher_type)->rec_seq,
			       g, e);
	}
}

#define expect_conf(fd, optname, want, rec_seq)				\
	__expect_conf(_metadata, __LINE__, fd, optname, want, rec_seq)

/*
 * Sockets
 */

/* As tls_send_cmsg() in net/tls.c. */
static ssize_t tls_send_cmsg(int fd, unsigned char record_type,
			     const void *data, size_t len, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(char))];
	struct cmsghdr *cmsg;
	struct msghdr msg;
	struct iovec vec;

	vec.iov_base = (void *)data;
	vec.iov_len = len;
	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &vec;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(char));
	*CMSG_DATA(cmsg) = record_type;
	msg.msg_controllen = cmsg->cmsg_len;

	return sendmsg(fd, &msg, flags);
}

/*
 * recvmsg() with room for the TLS_GET_RECORD_TYPE cmsg; *@type is the
 * record type it reported, 0 if there was none.
 */
static ssize_t tls_recv_cmsg(int fd, unsigned char *type, void *data,
			     size_t len, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(char))];
	struct cmsghdr *cmsg;
	struct msghdr msg;
	struct iovec vec;
	ssize_t n;

	vec.iov_base = data;
	vec.iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &vec;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);

	*type = 0;
	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return n;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg && cmsg->cmsg_level == SOL_TLS &&
	    cmsg->cmsg_type == TLS_GET_RECORD_TYPE)
		*type = *CMSG_DATA(cmsg);
	return n;
}

/* key_update, length 1, update_not_requested (net/tls.c key_update_msg) */
static const unsigned char key_update[] = { 0x18, 0x00, 0x00, 0x01, 0x00 };

static void __send_record(struct __test_metadata *_metadata, int line, int fd,
			  unsigned char type, const void *data, size_t len)
{
	EXPECT_EQ((ssize_t)len, tls_send_cmsg(fd, type, data, len, 0))
		TH_LOG("line %d: sendmsg(type %u, %zu bytes): %s", line, type,
		       len, strerror(errno));
}

#define send_record(fd, type, data, len)				\
	__send_record(_metadata, __LINE__, fd, type, data, len)
#define send_keyupdate(fd)						\
	send_record(fd, TLS_RECORD_TYPE_HANDSHAKE, key_update,		\
		    sizeof(key_update))

static void __send_data(struct __test_metadata *_metadata, int line, int fd,
			const void *data, size_t len, int flags)
{
	EXPECT_EQ((ssize_t)len, send(fd, data, len, flags))
		TH_LOG("line %d: send(%zu bytes): %s", line, len,
		       strerror(errno));
}

#define send_data(fd, data, len, flags)					\
	__send_data(_metadata, __LINE__, fd, data, len, flags)

/*
 * Read one control record (these never merge with another record in one
 * recvmsg()) and compare it byte for byte.
 */
static void __expect_record(struct __test_metadata *_metadata, int line,
			    int fd, unsigned char type, const void *data,
			    size_t len)
{
	unsigned char buf[512], got_type;
	ssize_t n;

	n = tls_recv_cmsg(fd, &got_type, buf, sizeof(buf), MSG_DONTWAIT);
	ASSERT_EQ((ssize_t)len, n)
		TH_LOG("line %d: recvmsg of a type %u record: %s", line, type,
		       n < 0 ? strerror(errno) : "wrong length");
	EXPECT_EQ(type, got_type)
		TH_LOG("line %d: record type %u, expected %u", line, got_type,
		       type);
	EXPECT_EQ(0, memcmp(buf, data, len))
		TH_LOG("line %d: record body differs", line);
}

#define expect_record(fd, type, data, len)				\
	__expect_record(_metadata, __LINE__, fd, type, data, len)
#define expect_keyupdate(fd)						\
	expect_record(fd, TLS_RECORD_TYPE_HANDSHAKE, key_update,	\
		      sizeof(key_update))

/* Read exactly @len bytes of application data and compare them. */
static void __expect_data(struct __test_metadata *_metadata, int line,
			  int fd, const void *data, size_t len)
{
	unsigned char type;
	ssize_t n;
	char *buf;

	buf = malloc(len + 1);
	ASSERT_NE(NULL, buf);
	n = tls_recv_cmsg(fd, &type, buf, len, MSG_WAITALL);
	EXPECT_EQ((ssize_t)len, n)
		TH_LOG("line %d: recv of %zu data bytes: %s", line, len,
		       n < 0 ? strerror(errno) : "short read");
	if (n > 0) {
		EXPECT_EQ(TLS_RECORD_TYPE_DATA, type);
		EXPECT_EQ(0, memcmp(buf, data, n))
			TH_LOG("line %d: data differs", line);
	}
	free(buf);
}

#define expect_data(fd, data, len)					\
	__expect_data(_metadata, __LINE__, fd, data, len)

/*
 * While a rekey is pending every read fails: tls_rx_rec_wait() "if
 * (unlikely(ctx->key_update_pending)) return -EKEYEXPIRED;" whatever the
 * flags, and with or without a cmsg buffer.
 */
static void __expect_keyexpired(struct __test_metadata *_metadata, int line,
				int fd)
{
	static const int flags[] = { 0, MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL };
	unsigned char buf[64], type;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		errno = 0;
		EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), flags[i]))
			TH_LOG("line %d: recv(flags %#x) while the rekey is pending",
			       line, flags[i]);
		EXPECT_EQ(EKEYEXPIRED, errno)
			TH_LOG("line %d: recv(flags %#x): %s", line, flags[i],
			       strerror(errno));
	}
	errno = 0;
	EXPECT_EQ(-1, tls_recv_cmsg(fd, &type, buf, sizeof(buf), 0));
	EXPECT_EQ(EKEYEXPIRED, errno)
		TH_LOG("line %d: recvmsg with cmsg: %s", line, strerror(errno));
}

#define expect_keyexpired(fd)						\
	__expect_keyexpired(_metadata, __LINE__, fd)

static void __expect_eagain(struct __test_metadata *_metadata, int line,
			    int fd)
{
	unsigned char buf[16], type;

	errno = 0;
	EXPECT_EQ(-1, tls_recv_cmsg(fd, &type, buf, sizeof(buf),
				    MSG_DONTWAIT))
		TH_LOG("line %d: more to read than was sent (type %u)", line,
		       type);
	EXPECT_EQ(EAGAIN, errno)
		TH_LOG("line %d: %s", line, strerror(errno));
}

#define expect_eagain(fd)	__expect_eagain(_metadata, __LINE__, fd)

/* poll() revents for POLLIN; 0 if not readable. */
static int poll_in(int fd, int timeout)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	n = poll(&pfd, 1, timeout);
	if (n < 0)
		return -errno;
	return n ? pfd.revents : 0;
}

/*
 * Wait until the peer's TCP has acknowledged everything @fd sent (SIOCOUTQ
 * is write_seq - snd_una), i.e. it all sits in the peer's receive queue.
 */
static int wait_sent(int fd)
{
	int i, outq;

	for (i = 0; i < 10000; i++) {
		if (ioctl(fd, SIOCOUTQ, &outq))
			return -errno;
		if (!outq)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed * 131 + i * 7 + (i >> 8) * 13;
}

static void *alloc_filled(size_t len, unsigned int seed)
{
	void *buf = malloc(len);

	if (buf)
		fill(buf, len, seed);
	return buf;
}

/* The byte at offset @off of the stream the blocked senders send. */
static unsigned char stream_byte(uint64_t off)
{
	return off % 251;
}

/* A send() or recv() in a thread, to be unblocked from the test. */
struct bg_op {
	pthread_t thread;
	int fd;
	bool is_send;
	void *buf;
	size_t len;
	int flags;
	ssize_t ret;
	int err;
	int done;
};

static void *bg_op_fn(void *arg)
{
	struct bg_op *op = arg;

	if (op->is_send)
		op->ret = send(op->fd, op->buf, op->len, op->flags);
	else
		op->ret = recv(op->fd, op->buf, op->len, op->flags);
	op->err = errno;
	__atomic_store_n(&op->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int bg_start(struct bg_op *op)
{
	return pthread_create(&op->thread, NULL, bg_op_fn, op);
}

static bool bg_done(struct bg_op *op)
{
	return __atomic_load_n(&op->done, __ATOMIC_ACQUIRE);
}

/* Wait up to @ms for the operation; join it if it finished. */
static bool bg_wait(struct bg_op *op, int ms)
{
	int64_t end = now_ms() + ms;

	while (!bg_done(op)) {
		if (now_ms() > end)
			return false;
		usleep(5000);
	}
	pthread_join(op->thread, NULL);
	return true;
}

/*
 * Precomputed zero-length TLS handshake records (a TLS 1.3 inner
 * plaintext of just the content type 22; a TLS 1.2 record of type 22 and
 * no payload): record sequence number 0, the generation 0 keys of
 * keys_init() (key, iv, salt all zero).  kTLS cannot send an empty record
 * itself.  Generated with python3-cryptography; the TLS 1.2 AES-CCM one
 * is byte for byte id0_ctrl_l0 of net/tls.c.
 */
static const unsigned char hs0_13_aes_gcm[] = {
	0x17, 0x03, 0x03, 0x00, 0x11, 0x15, 0x49, 0xa7, 0xa2, 0xa5, 0x33,
	0x5c, 0x38, 0x8d, 0x6a, 0xe9, 0xc6, 0x07, 0x61, 0x9b, 0x41, 0x06,
};

static const unsigned char hs0_13_aes_gcm_256[] = {
	0x17, 0x03, 0x03, 0x00, 0x11, 0xd8, 0x97, 0xc0, 0x5d, 0xaa, 0xf7,
	0x00, 0xf1, 0xfe, 0xc1, 0x84, 0x52, 0x48, 0x92, 0x32, 0x2f, 0x99,
};

static const unsigned char hs0_13_chacha[] = {
	0x17, 0x03, 0x03, 0x00, 0x11, 0x89, 0x84, 0x66, 0x2e, 0xa3, 0x3c,
	0x0e, 0x3f, 0x64, 0xd4, 0x07, 0x86, 0xb6, 0x76, 0x20, 0xc7, 0xf9,
};

static const unsigned char hs0_13_aes_ccm[] = {
	0x17, 0x03, 0x03, 0x00, 0x11, 0x78, 0x93, 0x38, 0xea, 0x09, 0xe7,
	0x65, 0x30, 0xc8, 0xf8, 0x52, 0xd9, 0x24, 0x47, 0xcf, 0x44, 0x5c,
};

static const unsigned char hs0_12_aes_gcm[] = {
	0x16, 0x03, 0x03, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xd5, 0x16, 0xd3, 0x2f, 0x7d, 0xf3, 0x39, 0x33, 0x05,
	0xba, 0xb6, 0xe0, 0xab, 0x00, 0x0c, 0x96,
};

static const unsigned char hs0_12_aes_gcm_256[] = {
	0x16, 0x03, 0x03, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x1c, 0xb5, 0xbb, 0x68, 0xee, 0xfd, 0x4c, 0xca, 0x0c,
	0x9c, 0x3e, 0x25, 0xa4, 0x0e, 0xaa, 0x40,
};

static const unsigned char hs0_12_chacha[] = {
	0x16, 0x03, 0x03, 0x00, 0x10, 0xb0, 0x30, 0x59, 0xbf, 0xf8, 0xc5,
	0x5e, 0x01, 0xf1, 0x3b, 0x78, 0x45, 0xaf, 0x72, 0x41, 0x5f,
};

static const unsigned char hs0_12_aes_ccm[] = {
	0x16, 0x03, 0x03, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x13, 0x38, 0x7b, 0xa6, 0x1c, 0xdd, 0xa7, 0x19, 0x33,
	0xab, 0xae, 0x88, 0xe1, 0xd2, 0x08, 0x4f,
};

/*
 * Tests shared by the TLS 1.3 and TLS 1.2 fixtures
 */

/*
 * A handshake record that is not a KeyUpdate (Finished, type 20):
 * tls_check_pending_rekey() only looks at the first byte, so nothing is
 * pending and the data after it, under the same key, is readable.  A
 * KeyUpdate that is not the first handshake message of the record does
 * not count either.
 */
static void handshake_not_keyupdate(struct __test_metadata *_metadata,
				    int fd, int cfd)
{
	unsigned char fin[4 + 32], fin_ku[sizeof(fin) + sizeof(key_update)];
	char before[100], after[200];

	fill(before, sizeof(before), 1);
	fill(after, sizeof(after), 2);
	fin[0] = TLS_HANDSHAKE_FINISHED;
	fin[1] = 0;
	fin[2] = 0;
	fin[3] = 32;
	fill(fin + 4, 32, 3);
	memcpy(fin_ku, fin, sizeof(fin));
	memcpy(fin_ku + sizeof(fin), key_update, sizeof(key_update));

	send_data(fd, before, sizeof(before), 0);
	send_record(fd, TLS_RECORD_TYPE_HANDSHAKE, fin, sizeof(fin));
	send_record(fd, TLS_RECORD_TYPE_HANDSHAKE, fin_ku, sizeof(fin_ku));
	send_data(fd, after, sizeof(after), 0);
	ASSERT_EQ(0, wait_sent(fd));

	expect_data(cfd, before, sizeof(before));
	expect_record(cfd, TLS_RECORD_TYPE_HANDSHAKE, fin, sizeof(fin));
	EXPECT_EQ(POLLIN, poll_in(cfd, 0));
	expect_record(cfd, TLS_RECORD_TYPE_HANDSHAKE, fin_ku, sizeof(fin_ku));
	EXPECT_EQ(POLLIN, poll_in(cfd, 0));
	expect_data(cfd, after, sizeof(after));
	expect_eagain(cfd);
}

/*
 * A zero-length handshake record: tls_check_pending_rekey() "if
 * (rxm->full_len < 1) return 0;".  recvmsg() returns 0 with the record
 * type, and the data after it is readable.  The record is sent raw
 * (precomputed, sequence number 0) before TLS_TX is set, then TLS_TX
 * continues at sequence number 1 with the same key.
 */
static void zero_len_handshake(struct __test_metadata *_metadata,
			       int fd, int cfd, uint16_t version,
			       uint16_t cipher, const unsigned char *hs0,
			       size_t hs0_len)
{
	unsigned char type, buf[64];
	struct tls_keys k0;
	char data[300];

	ASSERT_NE(NULL, hs0);
	fill(data, sizeof(data), 4);
	keys_init(&k0, version, cipher, 0);
	ASSERT_EQ(0, set_keys(cfd, TLS_RX, &k0));

	send_data(fd, hs0, hs0_len, 0);
	keys_set_rec_seq(&k0, 1);
	ASSERT_EQ(0, set_keys(fd, TLS_TX, &k0));
	send_data(fd, data, sizeof(data), 0);
	ASSERT_EQ(0, wait_sent(fd));

	EXPECT_EQ(POLLIN, poll_in(cfd, 0));
	EXPECT_EQ(0, tls_recv_cmsg(cfd, &type, buf, sizeof(buf),
				   MSG_DONTWAIT))
		TH_LOG("zero-length handshake record: %s", strerror(errno));
	EXPECT_EQ(TLS_RECORD_TYPE_HANDSHAKE, type);
	EXPECT_EQ(POLLIN, poll_in(cfd, 0));
	expect_data(cfd, data, sizeof(data));
	expect_eagain(cfd);
	keys_init(&k0, version, cipher, 0);
	expect_conf(cfd, TLS_RX, &k0, 2);
}

/*
 * TLS 1.3 fixture: fd sends (TLS_TX), cfd receives (TLS_RX), generation 0
 * keys with rec_seq 0.  xfd[] are extra sockets some tests open.
 */

FIXTURE(tls13)
{
	int fd, cfd;
	int xfd[4];
};

FIXTURE_VARIANT(tls13)
{
	uint16_t cipher_type;
	const unsigned char *hs0;
	size_t hs0_len;
};

FIXTURE_VARIANT_ADD(tls13, 13_aes_gcm)
{
	.cipher_type = TLS_CIPHER_AES_GCM_128,
	.hs0 = hs0_13_aes_gcm,
	.hs0_len = sizeof(hs0_13_aes_gcm),
};

FIXTURE_VARIANT_ADD(tls13, 13_aes_gcm_256)
{
	.cipher_type = TLS_CIPHER_AES_GCM_256,
	.hs0 = hs0_13_aes_gcm_256,
	.hs0_len = sizeof(hs0_13_aes_gcm_256),
};

FIXTURE_VARIANT_ADD(tls13, 13_chacha)
{
	.cipher_type = TLS_CIPHER_CHACHA20_POLY1305,
	.hs0 = hs0_13_chacha,
	.hs0_len = sizeof(hs0_13_chacha),
};

FIXTURE_VARIANT_ADD(tls13, 13_aes_ccm)
{
	.cipher_type = TLS_CIPHER_AES_CCM_128,
	.hs0 = hs0_13_aes_ccm,
	.hs0_len = sizeof(hs0_13_aes_ccm),
};

FIXTURE_SETUP(tls13)
{
	struct tls_keys k0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(self->xfd); i++)
		self->xfd[i] = -1;

	tcp_pair(_metadata, &self->fd, &self->cfd, 10);
	ASSERT_EQ(0, attach_tls(self->fd));
	ASSERT_EQ(0, attach_tls(self->cfd));

	keys_init(&k0, TLS_1_3_VERSION, variant->cipher_type, 0);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k0));
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k0));
}

FIXTURE_TEARDOWN(tls13)
{
	unsigned int i;

	if (self->fd >= 0)
		close(self->fd);
	if (self->cfd >= 0)
		close(self->cfd);
	for (i = 0; i < ARRAY_SIZE(self->xfd); i++)
		if (self->xfd[i] >= 0)
			close(self->xfd[i]);
}

#define KEYS(gen)	keys_of(variant->cipher_type, gen)

static struct tls_keys keys_of(uint16_t cipher, unsigned char gen)
{
	struct tls_keys k;

	keys_init(&k, TLS_1_3_VERSION, cipher, gen);
	return k;
}

/*
 * 1. The sender sends data, the KeyUpdate, rekeys TX and sends several
 * records under the new key before the receiver has read anything.  The
 * receiver must not decrypt the new-key records with the old key: it
 * reads the data, the KeyUpdate, gets EKEYEXPIRED, rekeys, then reads
 * every new-key record byte-exact.
 */
TEST_F(tls13, queued_records)
{
	static const size_t new_len[] = { 1, TLS_PAYLOAD_MAX_LEN, 5000, 777 };
	struct tls_keys k1 = KEYS(1);
	size_t old_len = 20000 + 100;
	size_t new_total = 0, off;
	unsigned char buf[64];
	char *old, *new;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(new_len); i++)
		new_total += new_len[i];
	old = alloc_filled(old_len, 10);
	new = alloc_filled(new_total, 11);
	ASSERT_NE(NULL, old);
	ASSERT_NE(NULL, new);

	/* two records, then a third */
	send_data(self->fd, old, 20000, 0);
	send_data(self->fd, old + 20000, 100, 0);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	for (i = 0, off = 0; i < ARRAY_SIZE(new_len); off += new_len[i++])
		send_data(self->fd, new + off, new_len[i], 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	/* exactly the old-key data: MSG_WAITALL stops at old_len */
	expect_data(self->cfd, old, old_len);

	/*
	 * Without a cmsg buffer the KeyUpdate cannot be returned:
	 * tls_record_content_type() -EIO (net/tls.c rekey: "can't receive
	 * the KeyUpdate without a control message").
	 */
	errno = 0;
	EXPECT_EQ(-1, recv(self->cfd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);

	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	/* and stays so */
	EXPECT_EQ(0, poll_in(self->cfd, 0));
	expect_keyexpired(self->cfd);

	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	/* a one-byte record alone, then the rest merged */
	expect_data(self->cfd, new, 1);
	expect_data(self->cfd, new + 1, new_total - 1);
	expect_eagain(self->cfd);

	free(old);
	free(new);
}

/*
 * Same, but the receiver reads the old-key data with a large buffer:
 * tls_sw_recvmsg() goes on to decrypt the next ready record, the KeyUpdate,
 * which sets key_update_pending and is parked on rx_list (type change).
 * It is still returned by the next recvmsg() with a cmsg buffer.
 */
TEST_F(tls13, queued_records_large_read)
{
	struct tls_keys k1 = KEYS(1);
	char old[3000], new[4000];
	unsigned char type;
	char *buf;

	fill(old, sizeof(old), 20);
	fill(new, sizeof(new), 21);
	buf = malloc(65536);
	ASSERT_NE(NULL, buf);

	send_data(self->fd, old, sizeof(old), 0);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, new, 1000, 0);
	send_data(self->fd, new + 1000, 3000, 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	EXPECT_EQ((ssize_t)sizeof(old),
		  tls_recv_cmsg(self->cfd, &type, buf, 65536, 0));
	EXPECT_EQ(TLS_RECORD_TYPE_DATA, type);
	EXPECT_EQ(0, memcmp(buf, old, sizeof(old)));
	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	/* both new-key records in one read */
	EXPECT_EQ((ssize_t)sizeof(new),
		  tls_recv_cmsg(self->cfd, &type, buf, 65536, 0));
	EXPECT_EQ(TLS_RECORD_TYPE_DATA, type);
	EXPECT_EQ(0, memcmp(buf, new, sizeof(new)));
	expect_eagain(self->cfd);
	free(buf);
}

/*
 * 2. Data record, KeyUpdate and new-key records leave in one TCP segment:
 * TCP_CORK on the sender (and MSG_MORE for the data, whose open record the
 * KeyUpdate's tls_handle_open_record() pushes first).
 */
TEST_F(tls13, coalesced_cork)
{
	struct tcp_info s0, s1, r0, r1;
	struct tls_keys k1 = KEYS(1);
	socklen_t len = sizeof(s0);
	char old[500], new[2234];
	int one = 1, zero = 0;
	int64_t t0, t1;
	unsigned char type;
	char buf[8192];

	fill(old, sizeof(old), 30);
	fill(new, sizeof(new), 31);

	ASSERT_EQ(0, getsockopt(self->fd, IPPROTO_TCP, TCP_INFO, &s0, &len));
	len = sizeof(r0);
	ASSERT_EQ(0, getsockopt(self->cfd, IPPROTO_TCP, TCP_INFO, &r0, &len));

	ASSERT_EQ(0, setsockopt(self->fd, IPPROTO_TCP, TCP_CORK, &one,
				sizeof(one)));
	t0 = now_ms();
	send_data(self->fd, old, 300, MSG_MORE);
	send_data(self->fd, old + 300, 200, MSG_MORE);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, new, 400, MSG_MORE);
	send_data(self->fd, new + 400, 600, 0);
	send_data(self->fd, new + 1000, 1234, 0);
	t1 = now_ms();
	ASSERT_EQ(0, setsockopt(self->fd, IPPROTO_TCP, TCP_CORK, &zero,
				sizeof(zero)));
	ASSERT_EQ(0, wait_sent(self->fd));

	len = sizeof(s1);
	ASSERT_EQ(0, getsockopt(self->fd, IPPROTO_TCP, TCP_INFO, &s1, &len));
	len = sizeof(r1);
	ASSERT_EQ(0, getsockopt(self->cfd, IPPROTO_TCP, TCP_INFO, &r1, &len));
	/*
	 * The zero window probe timer (TCP_RTO_MIN, 200 ms) may send a
	 * corked segment early: only count segments if we were quick.
	 */
	if (t1 - t0 < 150) {
		EXPECT_EQ(1, s1.tcpi_data_segs_out - s0.tcpi_data_segs_out);
		EXPECT_EQ(1, r1.tcpi_data_segs_in - r0.tcpi_data_segs_in);
	} else {
		TH_LOG("corked for %lld ms, not counting segments",
		       (long long)(t1 - t0));
	}

	/* the MSG_MORE data is one record: one read returns it all */
	EXPECT_EQ((ssize_t)sizeof(old),
		  tls_recv_cmsg(self->cfd, &type, buf, sizeof(buf), 0));
	EXPECT_EQ(TLS_RECORD_TYPE_DATA, type);
	EXPECT_EQ(0, memcmp(buf, old, sizeof(old)));
	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	expect_data(self->cfd, new, sizeof(new));
	expect_eagain(self->cfd);
}

/*
 * The same through a plain TCP relay, which guarantees the segment
 * layout at the receiver and checks the records on the wire: tx (kTLS)
 * -> rawrx | rawtx -> rx (kTLS).  @cuts are the relay's write boundaries
 * relative to the start of the KeyUpdate record (TCP_NODELAY, one segment
 * per write), none: everything in one write.
 */
static void relay(struct __test_metadata *_metadata, FIXTURE_DATA(tls13) *self,
		  uint16_t cipher, const int *cuts, int ncuts)
{
	/* plaintext lengths of the records on the wire, -1: the KeyUpdate */
	static const int recs[] = { 700, TLS_PAYLOAD_MAX_LEN, 10, -1, 300,
				    8000 };
	struct tls_keys k0 = keys_of(cipher, 0), k1 = keys_of(cipher, 1);
	size_t old_len = 700 + TLS_PAYLOAD_MAX_LEN + 10, new_len = 8300;
	int tx, rawrx, rawtx, rx, one = 1, i;
	size_t wire_len = 0, ku_off = 0, off, prev;
	struct tcp_info r0, r1;
	unsigned char *wire;
	socklen_t len;
	char *old, *new;

	for (i = 0; i < (int)ARRAY_SIZE(recs); i++) {
		if (recs[i] < 0)
			ku_off = wire_len;
		wire_len += TLS13_WIRE_LEN(recs[i] < 0 ? sizeof(key_update) :
					   (size_t)recs[i]);
	}
	old = alloc_filled(old_len, 40);
	new = alloc_filled(new_len, 41);
	wire = malloc(wire_len);
	ASSERT_NE(NULL, old);
	ASSERT_NE(NULL, new);
	ASSERT_NE(NULL, wire);

	tcp_pair(_metadata, &tx, &rawrx, 10);
	self->xfd[0] = tx;
	self->xfd[1] = rawrx;
	tcp_pair(_metadata, &rawtx, &rx, 10);
	self->xfd[2] = rawtx;
	self->xfd[3] = rx;
	ASSERT_EQ(0, attach_tls(tx));
	ASSERT_EQ(0, attach_tls(rx));
	ASSERT_EQ(0, set_keys(tx, TLS_TX, &k0));
	ASSERT_EQ(0, set_keys(rx, TLS_RX, &k0));

	send_data(tx, old, 700, 0);
	send_data(tx, old + 700, TLS_PAYLOAD_MAX_LEN + 10, 0);
	send_keyupdate(tx);
	ASSERT_EQ(0, set_keys(tx, TLS_TX, &k1));
	send_data(tx, new, 300, 0);
	send_data(tx, new + 300, 8000, 0);

	ASSERT_EQ((ssize_t)wire_len, recv(rawrx, wire, wire_len, MSG_WAITALL));
	/* TLS 1.3 records: outer type 23, legacy version 3.3 */
	for (i = 0, off = 0; i < (int)ARRAY_SIZE(recs); i++) {
		size_t plen = recs[i] < 0 ? sizeof(key_update) : recs[i];

		EXPECT_EQ(0x17, wire[off]);
		EXPECT_EQ(0x03, wire[off + 1]);
		EXPECT_EQ(0x03, wire[off + 2]);
		EXPECT_EQ(plen + 1 + TLS_TAG_LEN,
			  (size_t)(wire[off + 3] << 8 | wire[off + 4]))
			TH_LOG("record %d on the wire", i);
		off += TLS13_WIRE_LEN(plen);
	}

	len = sizeof(r0);
	ASSERT_EQ(0, getsockopt(rx, IPPROTO_TCP, TCP_INFO, &r0, &len));
	ASSERT_EQ(0, setsockopt(rawtx, IPPROTO_TCP, TCP_NODELAY, &one,
				sizeof(one)));
	for (i = 0, prev = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? ku_off + cuts[i] : wire_len;

		send_data(rawtx, wire + prev, end - prev, 0);
		prev = end;
		if (i < ncuts)
			usleep(20000);
	}
	ASSERT_EQ(0, wait_sent(rawtx));
	len = sizeof(r1);
	ASSERT_EQ(0, getsockopt(rx, IPPROTO_TCP, TCP_INFO, &r1, &len));
	if (!ncuts)
		EXPECT_EQ(1, r1.tcpi_data_segs_in - r0.tcpi_data_segs_in);

	expect_data(rx, old, old_len);
	expect_keyupdate(rx);
	expect_keyexpired(rx);
	ASSERT_EQ(0, set_keys(rx, TLS_RX, &k1));
	expect_data(rx, new, new_len);
	expect_eagain(rx);

	free(old);
	free(new);
	free(wire);
}

TEST_F(tls13, coalesced_relay)
{
	relay(_metadata, self, variant->cipher_type, NULL, 0);
}

/*
 * The KeyUpdate record and the next record split across segments: in
 * the header, in the body, one byte after its end, in the next header.
 */
TEST_F(tls13, split_relay)
{
	static const int cuts[] = {
		2, TLS_HDR_LEN + 1, TLS13_WIRE_LEN(sizeof(key_update)) - 3,
		TLS13_WIRE_LEN(sizeof(key_update)) + 1,
		TLS13_WIRE_LEN(sizeof(key_update)) + 4,
		TLS13_WIRE_LEN(sizeof(key_update)) + 50,
	};

	relay(_metadata, self, variant->cipher_type, cuts, ARRAY_SIZE(cuts));
}

/*
 * 3. Two KeyUpdates back to back, no data in between, the first one the
 * very first record of the connection.
 */
TEST_F(tls13, back_to_back_keyupdates)
{
	struct tls_keys k1 = KEYS(1), k2 = KEYS(2);
	char data[200];

	fill(data, sizeof(data), 50);

	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k2));
	send_data(self->fd, data, sizeof(data), 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	EXPECT_EQ(0, poll_in(self->cfd, 0));
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	EXPECT_EQ(POLLIN, poll_in(self->cfd, 0));
	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	EXPECT_EQ(0, poll_in(self->cfd, 0));
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k2));
	expect_data(self->cfd, data, sizeof(data));
	expect_eagain(self->cfd);
}

static size_t round_len(int i)
{
	return 1 + (i * 997) % 3000;
}

/* Ten rekeys, each round read before the next one is sent. */
TEST_F(tls13, rekey_10_lockstep)
{
	struct tls_keys k;
	char data[3000];
	int i;

	for (i = 1; i <= 10; i++) {
		fill(data, round_len(i), 60 + i);
		send_data(self->fd, data, round_len(i), 0);
		expect_data(self->cfd, data, round_len(i));

		k = KEYS(i);
		send_keyupdate(self->fd);
		ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k));
		ASSERT_EQ(0, wait_sent(self->fd));
		expect_keyupdate(self->cfd);
		expect_keyexpired(self->cfd);
		ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k));
	}
	fill(data, 1234, 80);
	send_data(self->fd, data, 1234, 0);
	expect_data(self->cfd, data, 1234);
	expect_eagain(self->cfd);
}

/* Ten rekeys, all sent before the receiver reads anything. */
TEST_F(tls13, rekey_10_queued)
{
	struct tls_keys k;
	char data[3000];
	int i;

	for (i = 1; i <= 10; i++) {
		fill(data, round_len(i), 60 + i);
		send_data(self->fd, data, round_len(i), 0);
		k = KEYS(i);
		send_keyupdate(self->fd);
		ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k));
	}
	fill(data, 1234, 80);
	send_data(self->fd, data, 1234, 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	for (i = 1; i <= 10; i++) {
		fill(data, round_len(i), 60 + i);
		expect_data(self->cfd, data, round_len(i));
		expect_keyupdate(self->cfd);
		expect_keyexpired(self->cfd);
		k = KEYS(i);
		ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k));
	}
	fill(data, 1234, 80);
	expect_data(self->cfd, data, 1234);
	expect_eagain(self->cfd);
}

/*
 * 4. Handshake records that are not KeyUpdates.
 */
TEST_F(tls13, handshake_not_keyupdate)
{
	handshake_not_keyupdate(_metadata, self->fd, self->cfd);
}

/*
 * Byte 24 first in a record that is not a handshake record (alert, data)
 * is no KeyUpdate: tls_check_pending_rekey() "if (likely(tlm->control !=
 * TLS_RECORD_TYPE_HANDSHAKE)) return 0;".
 */
TEST_F(tls13, keyupdate_byte_in_other_records)
{
	static const unsigned char alert[] = { 0x18, 0x00 };
	char data[100];

	fill(data, sizeof(data), 90);
	send_record(self->fd, TLS_RECORD_TYPE_ALERT, alert, sizeof(alert));
	send_data(self->fd, key_update, sizeof(key_update), 0);
	send_data(self->fd, data, sizeof(data), 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	expect_record(self->cfd, TLS_RECORD_TYPE_ALERT, alert, sizeof(alert));
	expect_data(self->cfd, key_update, sizeof(key_update));
	EXPECT_EQ(POLLIN, poll_in(self->cfd, 0));
	expect_data(self->cfd, data, sizeof(data));
	expect_eagain(self->cfd);
}

TEST_F(tls13, zero_len_handshake)
{
	int fd, cfd;

	/* a fresh pair: the record must go out before TLS_TX is set */
	tcp_pair(_metadata, &fd, &cfd, 10);
	self->xfd[0] = fd;
	self->xfd[1] = cfd;
	ASSERT_EQ(0, attach_tls(fd));
	ASSERT_EQ(0, attach_tls(cfd));
	zero_len_handshake(_metadata, fd, cfd, TLS_1_3_VERSION,
			   variant->cipher_type, variant->hs0,
			   variant->hs0_len);
}

/*
 * Only the first byte is looked at: a truncated KeyUpdate (just the
 * type) and one with update_requested both make the rekey pending.
 */
TEST_F(tls13, keyupdate_other_bodies)
{
	static const unsigned char ku_short[] = { TLS_HANDSHAKE_KEYUPDATE };
	static const unsigned char ku_req[] = { 0x18, 0x00, 0x00, 0x01, 0x01 };
	struct tls_keys k1 = KEYS(1), k2 = KEYS(2);
	char data[100];

	fill(data, sizeof(data), 91);
	send_record(self->fd, TLS_RECORD_TYPE_HANDSHAKE, ku_short,
		    sizeof(ku_short));
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_record(self->fd, TLS_RECORD_TYPE_HANDSHAKE, ku_req,
		    sizeof(ku_req));
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k2));
	send_data(self->fd, data, sizeof(data), 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	expect_record(self->cfd, TLS_RECORD_TYPE_HANDSHAKE, ku_short,
		      sizeof(ku_short));
	expect_keyexpired(self->cfd);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	expect_record(self->cfd, TLS_RECORD_TYPE_HANDSHAKE, ku_req,
		      sizeof(ku_req));
	expect_keyexpired(self->cfd);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k2));
	expect_data(self->cfd, data, sizeof(data));
	expect_eagain(self->cfd);
}

/*
 * The receiver installs a key other than the sender's: the next record
 * fails authentication, tls_rx_one_record() tls_err_abort(-EBADMSG).
 */
TEST_F(tls13, rekey_wrong_key)
{
	struct tls_keys k1 = KEYS(1), k2 = KEYS(2);
	char buf[100];

	fill(buf, sizeof(buf), 92);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, buf, sizeof(buf), 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	expect_keyupdate(self->cfd);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k2));
	errno = 0;
	EXPECT_EQ(-1, recv(self->cfd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EBADMSG, errno);
}

/*
 * 5. poll(): tls_sk_poll() hides EPOLLIN while key_update_pending, even
 * with new-key records queued; tls_finish_key_update() clears it and
 * calls saved_data_ready() to wake pollers.
 */
TEST_F(tls13, poll_pending)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct tls_keys k1 = KEYS(1);
	char old[100], new[100];
	int epfd;

	fill(old, sizeof(old), 100);
	fill(new, sizeof(new), 101);
	epfd = epoll_create1(0);
	ASSERT_GE(epfd, 0);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, self->cfd, &ev));

	EXPECT_EQ(0, poll_in(self->cfd, 0));
	send_data(self->fd, old, sizeof(old), 0);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, new, sizeof(new), 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	EXPECT_EQ(POLLIN, poll_in(self->cfd, 0));
	/* an exact read: the KeyUpdate is not decrypted yet */
	expect_data(self->cfd, old, sizeof(old));
	EXPECT_EQ(POLLIN, poll_in(self->cfd, 0));
	EXPECT_EQ(1, epoll_wait(epfd, &ev, 1, 0));

	expect_keyupdate(self->cfd);
	EXPECT_EQ(0, poll_in(self->cfd, 0));
	EXPECT_EQ(0, poll_in(self->cfd, 200));
	EXPECT_EQ(0, epoll_wait(epfd, &ev, 1, 0));
	expect_keyexpired(self->cfd);
	EXPECT_EQ(0, poll_in(self->cfd, 0));

	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	EXPECT_EQ(POLLIN, poll_in(self->cfd, 0));
	EXPECT_EQ(1, epoll_wait(epfd, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events & EPOLLIN);
	expect_data(self->cfd, new, sizeof(new));
	EXPECT_EQ(0, poll_in(self->cfd, 0));
	close(epfd);
}

struct poll_waiter {
	pthread_t thread;
	int fd;		/* poll() this, or epoll_wait() on it if epfd */
	bool epoll;
	int *rekeyed;
	int ret, revents, rekeyed_seen;
	int done;
};

static void *poll_waiter_fn(void *arg)
{
	struct poll_waiter *w = arg;

	if (w->epoll) {
		struct epoll_event ev = { };

		w->ret = epoll_wait(w->fd, &ev, 1, 10000);
		w->revents = ev.events;
	} else {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };

		w->ret = poll(&pfd, 1, 10000);
		w->revents = pfd.revents;
	}
	w->rekeyed_seen = __atomic_load_n(w->rekeyed, __ATOMIC_ACQUIRE);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A poll() and an edge-triggered epoll_wait() sleeping while the rekey is
 * pending (new-key data queued) are woken by setsockopt(TLS_RX), and not
 * before it.
 */
TEST_F(tls13, poll_wakeup)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct poll_waiter w[2];
	struct tls_keys k1 = KEYS(1);
	int rekeyed = 0, epfd, i;
	char new[100];
	int64_t end;

	fill(new, sizeof(new), 102);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, new, sizeof(new), 0);
	ASSERT_EQ(0, wait_sent(self->fd));
	expect_keyupdate(self->cfd);

	epfd = epoll_create1(0);
	ASSERT_GE(epfd, 0);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, self->cfd, &ev));

	memset(w, 0, sizeof(w));
	w[0].fd = self->cfd;
	w[1].fd = epfd;
	w[1].epoll = true;
	for (i = 0; i < 2; i++) {
		w[i].rekeyed = &rekeyed;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL,
					    poll_waiter_fn, &w[i]));
	}

	usleep(500000);
	EXPECT_FALSE(__atomic_load_n(&w[0].done, __ATOMIC_ACQUIRE));
	EXPECT_FALSE(__atomic_load_n(&w[1].done, __ATOMIC_ACQUIRE));
	__atomic_store_n(&rekeyed, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));

	/* Generous: the debug kernel under emulation schedules slowly. */
	end = now_ms() + 30000;
	for (i = 0; i < 2; i++) {
		while (!__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE) &&
		       now_ms() < end)
			usleep(5000);
		ASSERT_TRUE(__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE))
			TH_LOG("%s not woken by the rekey",
			       i ? "epoll_wait()" : "poll()");
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(1, w[i].ret) TH_LOG("waiter %d", i);
		EXPECT_EQ(POLLIN, w[i].revents & POLLIN) TH_LOG("waiter %d", i);
		EXPECT_EQ(1, w[i].rekeyed_seen)
			TH_LOG("waiter %d returned before the rekey", i);
	}
	expect_data(self->cfd, new, sizeof(new));
	close(epfd);
}

/*
 * Upstream behaviour: once a read has decrypted the KeyUpdate ahead and
 * parked it on rx_list, key_update_pending is set, so tls_sk_poll()
 * reports the socket not readable although recvmsg() with a cmsg buffer
 * still returns the KeyUpdate.
 */
TEST_F(tls13, poll_keyupdate_prefetched)
{
	struct tls_keys k1 = KEYS(1);
	char old[100], new[100];
	unsigned char type;
	char buf[4096];

	fill(old, sizeof(old), 103);
	fill(new, sizeof(new), 104);
	send_data(self->fd, old, sizeof(old), 0);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, new, sizeof(new), 0);
	ASSERT_EQ(0, wait_sent(self->fd));

	EXPECT_EQ((ssize_t)sizeof(old),
		  tls_recv_cmsg(self->cfd, &type, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, old, sizeof(old)));
	EXPECT_EQ(0, poll_in(self->cfd, 0));
	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	EXPECT_EQ(POLLIN, poll_in(self->cfd, 0));
	expect_data(self->cfd, new, sizeof(new));
}

/*
 * 6. getsockopt(TLS_TX/TLS_RX) returns the key installed last and the
 * rec_seq advanced by the records sent/decrypted under it, starting from
 * that crypto_info's rec_seq.  The KeyUpdate counts under the old key.
 */
TEST_F(tls13, getsockopt_rec_seq)
{
	struct tls_keys k0 = KEYS(0), k1 = KEYS(1), k2 = KEYS(2);
	struct tls_keys hdr;
	socklen_t len;
	char data[300];
	int i;

	fill(data, sizeof(data), 110);
	keys_set_rec_seq(&k1, 0xfe);
	keys_set_rec_seq(&k2, 0xfffffffeULL);

	expect_conf(self->fd, TLS_TX, &k0, 0);
	expect_conf(self->cfd, TLS_RX, &k0, 0);

	for (i = 0; i < 3; i++)
		send_data(self->fd, data, 100, 0);
	expect_conf(self->fd, TLS_TX, &k0, 3);
	send_keyupdate(self->fd);
	expect_conf(self->fd, TLS_TX, &k0, 4);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	expect_conf(self->fd, TLS_TX, &k1, 0xfe);
	for (i = 0; i < 3; i++) {
		send_data(self->fd, data + 100 * i, 100, 0);
		expect_conf(self->fd, TLS_TX, &k1, 0xff + i);
	}
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k2));
	send_data(self->fd, data, 10, 0);
	send_data(self->fd, data, 20, 0);
	send_data(self->fd, data, 30, 0);
	expect_conf(self->fd, TLS_TX, &k2, 0x100000001ULL);
	ASSERT_EQ(0, wait_sent(self->fd));

	/* exact reads, so that nothing is decrypted ahead */
	for (i = 0; i < 3; i++) {
		expect_data(self->cfd, data, 100);
		expect_conf(self->cfd, TLS_RX, &k0, i + 1);
	}
	expect_keyupdate(self->cfd);
	/* pending: still the old key, the KeyUpdate counted */
	expect_conf(self->cfd, TLS_RX, &k0, 4);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	expect_conf(self->cfd, TLS_RX, &k1, 0xfe);
	for (i = 0; i < 3; i++) {
		expect_data(self->cfd, data + 100 * i, 100);
		expect_conf(self->cfd, TLS_RX, &k1, 0xff + i);
	}
	expect_keyupdate(self->cfd);
	expect_conf(self->cfd, TLS_RX, &k1, 0x102);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k2));
	expect_conf(self->cfd, TLS_RX, &k2, 0xfffffffeULL);
	expect_data(self->cfd, data, 10);
	expect_conf(self->cfd, TLS_RX, &k2, 0xffffffffULL);
	expect_data(self->cfd, data, 20);
	expect_data(self->cfd, data, 30);
	expect_conf(self->cfd, TLS_RX, &k2, 0x100000001ULL);

	/* header only: version and cipher of the new key */
	memset(&hdr, 0, sizeof(hdr));
	len = sizeof(struct tls_crypto_info);
	EXPECT_EQ(0, getsockopt(self->cfd, SOL_TLS, TLS_RX, hdr.raw, &len));
	EXPECT_EQ(TLS_1_3_VERSION, hdr.info.version);
	EXPECT_EQ(variant->cipher_type, hdr.info.cipher_type);
}

/*
 * 7. close/shutdown while a send or recv is blocked.  Nothing may hang:
 * every wait is bounded, and alarm() kills the test if one is not.
 */

static void small_buffers(struct __test_metadata *_metadata, int fd, int cfd)
{
	int small = 4096;

	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, setsockopt(cfd, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
}

/*
 * Read until EOF or error; every byte must be the next byte of the
 * stream.  Returns the last recv() value (0 or -errno).
 */
static int drain_stream(struct __test_metadata *_metadata, int fd,
			uint64_t *total)
{
	struct timeval tv = { .tv_sec = 10 };
	unsigned char buf[16384];
	uint64_t off = 0;
	bool same = true;
	ssize_t n, i;

	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != stream_byte(off + i))
				same = false;
		off += n;
	}
	EXPECT_TRUE(same) TH_LOG("received bytes are not the sent stream");
	*total = off;
	return n < 0 ? -errno : 0;
}

static void *stream_buf(size_t len)
{
	unsigned char *buf = malloc(len);
	size_t i;

	if (buf)
		for (i = 0; i < len; i++)
			buf[i] = stream_byte(i);
	return buf;
}

/*
 * Blocked send, shutdown(SHUT_RDWR) from another thread:
 * sk_stream_wait_memory() sees SEND_SHUTDOWN and fails with EPIPE;
 * tls_sw_sendmsg() returns what it copied so far.
 */
TEST_F(tls13, blocked_send_shutdown)
{
	struct bg_op op = { .fd = self->fd, .is_send = true,
			    .len = 1 << 20, .flags = MSG_NOSIGNAL };
	uint64_t total;
	int ret;

	alarm(60);
	small_buffers(_metadata, self->fd, self->cfd);
	op.buf = stream_buf(op.len);
	ASSERT_NE(NULL, op.buf);
	ASSERT_EQ(0, bg_start(&op));
	usleep(500000);
	ASSERT_FALSE(bg_done(&op)) TH_LOG("send() did not block");

	ASSERT_EQ(0, shutdown(self->fd, SHUT_RDWR));
	ASSERT_TRUE(bg_wait(&op, 10000)) TH_LOG("send() still blocked");
	EXPECT_TRUE((op.ret > 0 && op.ret < (ssize_t)op.len) ||
		    (op.ret == -1 && op.err == EPIPE))
		TH_LOG("send() returned %zd (%s)", op.ret, strerror(op.err));
	errno = 0;
	EXPECT_EQ(-1, send(self->fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);

	/* the receiver gets a prefix of the stream, then EOF */
	ret = drain_stream(_metadata, self->cfd, &total);
	EXPECT_EQ(0, ret) TH_LOG("recv: %s", strerror(-ret));
	if (op.ret > 0)
		EXPECT_LE(total, (uint64_t)op.ret);
	free(op.buf);
}

/*
 * Blocked send, the receiver closes with unread data (RST): the send
 * returns.
 */
TEST_F(tls13, blocked_send_peer_close)
{
	struct bg_op op = { .fd = self->fd, .is_send = true,
			    .len = 1 << 20, .flags = MSG_NOSIGNAL };

	alarm(60);
	small_buffers(_metadata, self->fd, self->cfd);
	op.buf = stream_buf(op.len);
	ASSERT_NE(NULL, op.buf);
	ASSERT_EQ(0, bg_start(&op));
	usleep(500000);
	ASSERT_FALSE(bg_done(&op)) TH_LOG("send() did not block");

	close(self->cfd);
	self->cfd = -1;
	ASSERT_TRUE(bg_wait(&op, 10000)) TH_LOG("send() still blocked");
	EXPECT_TRUE((op.ret > 0 && op.ret < (ssize_t)op.len) ||
		    (op.ret == -1 && (op.err == EPIPE ||
				      op.err == ECONNRESET)))
		TH_LOG("send() returned %zd (%s)", op.ret, strerror(op.err));
	EXPECT_EQ(-1, send(self->fd, "x", 1, MSG_NOSIGNAL));
	free(op.buf);
}

/*
 * A child blocked in send() holds the last reference to the socket and
 * is killed: the socket is closed (tls_sk_proto_close()) with the send
 * interrupted.  The receiver reads a prefix of the stream, then EOF.
 */
TEST_F(tls13, blocked_send_kill)
{
	uint64_t total;
	unsigned char *buf;
	int status, ret;
	pid_t pid;

	alarm(60);
	small_buffers(_metadata, self->fd, self->cfd);
	buf = stream_buf(65536 + 251);
	ASSERT_NE(NULL, buf);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		uint64_t off = 0;
		ssize_t n;

		close(self->cfd);
		for (;;) {
			n = send(self->fd, buf + off % 251, 65536,
				 MSG_NOSIGNAL);
			if (n <= 0)
				_exit(1);
			off += n;
		}
	}
	close(self->fd);
	self->fd = -1;

	usleep(500000);
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG))
		TH_LOG("the sender exited: send() did not block");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	ret = drain_stream(_metadata, self->cfd, &total);
	EXPECT_EQ(0, ret) TH_LOG("recv: %s", strerror(-ret));
	EXPECT_GT(total, 0);
	free(buf);
}

/*
 * Blocked recv, shutdown(SHUT_RDWR) from another thread: tls_rx_rec_wait()
 * is woken (sk_state_change) and returns 0 on RCV_SHUTDOWN.
 */
TEST_F(tls13, blocked_recv_shutdown)
{
	char buf[100];
	struct bg_op op = { .fd = self->cfd, .buf = buf, .len = sizeof(buf) };

	alarm(60);
	ASSERT_EQ(0, bg_start(&op));
	usleep(500000);
	ASSERT_FALSE(bg_done(&op)) TH_LOG("recv() did not block");

	ASSERT_EQ(0, shutdown(self->cfd, SHUT_RDWR));
	ASSERT_TRUE(bg_wait(&op, 10000)) TH_LOG("recv() still blocked");
	EXPECT_EQ(0, op.ret) TH_LOG("recv(): %s", strerror(op.err));
	EXPECT_EQ(0, recv(self->cfd, buf, sizeof(buf), 0));
}

/* Blocked recv, the sender closes: EOF. */
TEST_F(tls13, blocked_recv_peer_close)
{
	char buf[100];
	struct bg_op op = { .fd = self->cfd, .buf = buf, .len = sizeof(buf) };

	alarm(60);
	ASSERT_EQ(0, bg_start(&op));
	usleep(500000);
	ASSERT_FALSE(bg_done(&op)) TH_LOG("recv() did not block");

	close(self->fd);
	self->fd = -1;
	ASSERT_TRUE(bg_wait(&op, 10000)) TH_LOG("recv() still blocked");
	EXPECT_EQ(0, op.ret) TH_LOG("recv(): %s", strerror(op.err));
}

/* A child blocked in recv() holding the last reference is killed. */
TEST_F(tls13, blocked_recv_kill)
{
	int status;
	pid_t pid;

	alarm(60);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		char buf[100];

		close(self->fd);
		recv(self->cfd, buf, sizeof(buf), 0);
		_exit(1);
	}
	close(self->cfd);
	self->cfd = -1;

	usleep(500000);
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG))
		TH_LOG("the receiver exited: recv() did not block");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* the receiver is gone: the sender (no TLS_RX) reads EOF */
	EXPECT_EQ(POLLIN, poll_in(self->fd, 5000) & POLLIN);
	EXPECT_EQ(0, recv(self->fd, &status, sizeof(status), MSG_DONTWAIT));
}

/*
 * A recvmsg() blocked before the KeyUpdate arrives returns it; the next
 * recv() fails at once with EKEYEXPIRED instead of blocking.  The reader
 * is a child sharing the socket, so the rekey is pending here too.
 */
TEST_F(tls13, keyupdate_wakes_blocked_recv)
{
	struct tls_keys k1 = KEYS(1);
	char buf[100];
	int status;
	pid_t pid;

	alarm(60);
	fill(buf, sizeof(buf), 120);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		unsigned char rbuf[64], type;
		ssize_t n;

		n = tls_recv_cmsg(self->cfd, &type, rbuf, sizeof(rbuf), 0);
		if (n != sizeof(key_update) ||
		    type != TLS_RECORD_TYPE_HANDSHAKE ||
		    memcmp(rbuf, key_update, n))
			_exit(1);
		if (recv(self->cfd, rbuf, sizeof(rbuf), 0) != -1 ||
		    errno != EKEYEXPIRED)
			_exit(2);
		_exit(0);
	}

	usleep(500000);
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG))
		TH_LOG("recvmsg() did not block");
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, buf, sizeof(buf), 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("1: the KeyUpdate was not returned, 2: no EKEYEXPIRED");

	expect_keyexpired(self->cfd);
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k1));
	expect_data(self->cfd, buf, sizeof(buf));
	expect_eagain(self->cfd);
}

/*
 * Close with records not read yet (no rekey).  They are unread data in
 * the TCP receive queue (tls_strp leaves a record there until it is
 * consumed), so tcp_close() sends a RST (data_was_unread): the sender
 * gets ECONNRESET.
 */
TEST_F(tls13, close_unread_records)
{
	socklen_t len = sizeof(int);
	char buf[5000];
	int err = 0;

	fill(buf, sizeof(buf), 122);
	send_data(self->fd, buf, 100, 0);
	send_data(self->fd, buf, sizeof(buf), 0);
	ASSERT_EQ(0, wait_sent(self->fd));
	expect_data(self->cfd, buf, 100);
	close(self->cfd);
	self->cfd = -1;
	EXPECT_EQ(POLLHUP, poll_in(self->fd, 5000) & POLLHUP);
	EXPECT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ECONNRESET, err) TH_LOG("SO_ERROR: %s", strerror(err));
}

/*
 * The same with the rekey pending and new-key records still queued: the
 * records nobody could decrypt are unread data, the close resets.
 */
TEST_F(tls13, close_pending_rekey)
{
	struct tls_keys k1 = KEYS(1);
	socklen_t len = sizeof(int);
	char buf[5000];
	int err = 0;

	fill(buf, sizeof(buf), 121);
	send_keyupdate(self->fd);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, buf, sizeof(buf), 0);
	send_data(self->fd, buf, 100, 0);
	ASSERT_EQ(0, wait_sent(self->fd));
	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	close(self->cfd);
	self->cfd = -1;
	/* the sender sees the reset */
	EXPECT_EQ(POLLHUP, poll_in(self->fd, 5000) & POLLHUP);
	EXPECT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ECONNRESET, err) TH_LOG("SO_ERROR: %s", strerror(err));
}

/*
 * 8. Many kTLS sockets at once: NPAIRS pairs with keys in both
 * directions, all open together; each exchanges a record both ways, rekeys
 * both ways and exchanges again, then all are closed.
 */
#define NPAIRS	200

/*
 * The key end @end of pair @i sends with, generation @rekey: distinct per
 * pair, end and generation.  rec_seq is set to @i: a generation byte of
 * 0xff as rec_seq would wrap after one record (tls_advance_record_sn():
 * tls_err_abort(-EBADMSG)).
 */
static struct tls_keys pair_keys(const FIXTURE_VARIANT(tls13) *variant,
				 int i, int end, int rekey)
{
	struct tls_keys k = KEYS(128 * rekey + 2 * (i % 64) + end);

	keys_set_rec_seq(&k, i);
	return k;
}

TEST_F_TIMEOUT(tls13, many_pairs, 120)
{
	int (*p)[2], sfd, i, j;
	struct sockaddr_in addr;
	char msg[64], buf[64];

	p = calloc(NPAIRS, sizeof(*p));
	ASSERT_NE(NULL, p);
	sfd = listen_lo(_metadata, &addr, NPAIRS);
	for (i = 0; i < NPAIRS; i++) {
		p[i][0] = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_GE(p[i][0], 0) TH_LOG("pair %d: %s", i, strerror(errno));
		ASSERT_EQ(0, connect(p[i][0], (struct sockaddr *)&addr,
				     sizeof(addr)));
		p[i][1] = accept(sfd, NULL, NULL);
		ASSERT_GE(p[i][1], 0) TH_LOG("pair %d: %s", i, strerror(errno));
		ASSERT_EQ(0, rcv_timeout(p[i][0], 10));
		ASSERT_EQ(0, rcv_timeout(p[i][1], 10));
		for (j = 0; j < 2; j++) {
			struct tls_keys tx = pair_keys(variant, i, j, 0);
			struct tls_keys rx = pair_keys(variant, i, !j, 0);

			ASSERT_EQ(0, attach_tls(p[i][j]))
				TH_LOG("pair %d", i);
			ASSERT_EQ(0, set_keys(p[i][j], TLS_TX, &tx))
				TH_LOG("pair %d", i);
			ASSERT_EQ(0, set_keys(p[i][j], TLS_RX, &rx))
				TH_LOG("pair %d", i);
		}
	}
	close(sfd);

	for (i = 0; i < NPAIRS; i++)
		for (j = 0; j < 2; j++) {
			snprintf(msg, sizeof(msg), "pair %d end %d", i, j);
			send_data(p[i][j], msg, strlen(msg) + 1, 0);
		}
	for (i = 0; i < NPAIRS; i++)
		for (j = 0; j < 2; j++) {
			snprintf(msg, sizeof(msg), "pair %d end %d", i, !j);
			expect_data(p[i][j], msg, strlen(msg) + 1);
		}

	/* rekey both directions of every pair */
	for (i = 0; i < NPAIRS; i++)
		for (j = 0; j < 2; j++) {
			struct tls_keys tx = pair_keys(variant, i, j, 1);

			send_keyupdate(p[i][j]);
			ASSERT_EQ(0, set_keys(p[i][j], TLS_TX, &tx));
			snprintf(msg, sizeof(msg), "pair %d end %d gen 1", i, j);
			send_data(p[i][j], msg, strlen(msg) + 1, 0);
		}
	for (i = 0; i < NPAIRS; i++)
		for (j = 0; j < 2; j++) {
			struct tls_keys rx = pair_keys(variant, i, !j, 1);

			ASSERT_EQ(0, wait_sent(p[i][!j]));
			expect_keyupdate(p[i][j]);
			expect_keyexpired(p[i][j]);
			ASSERT_EQ(0, set_keys(p[i][j], TLS_RX, &rx));
			snprintf(msg, sizeof(msg), "pair %d end %d gen 1", i, !j);
			expect_data(p[i][j], msg, strlen(msg) + 1);
			errno = 0;
			EXPECT_EQ(-1, recv(p[i][j], buf, sizeof(buf),
					   MSG_DONTWAIT));
			EXPECT_EQ(EAGAIN, errno);
		}

	/* half close the sender first, half the receiver */
	for (i = 0; i < NPAIRS; i++) {
		EXPECT_EQ(0, close(p[i][i & 1]));
		EXPECT_EQ(0, close(p[i][!(i & 1)]));
	}
	free(p);
}

/*
 * TLS 1.2 fixture: same layout.  TLS 1.2 has no KeyUpdate and no rekey
 * (do_tls_setsockopt_conf(): -EBUSY), but tls_check_pending_rekey() does
 * not look at the version: a handshake record starting with 24 makes a
 * TLS 1.2 socket return EKEYEXPIRED for good, and no TLS_RX can clear it.
 */

FIXTURE(tls12)
{
	int fd, cfd;
};

FIXTURE_VARIANT(tls12)
{
	uint16_t cipher_type;
	const unsigned char *hs0;
	size_t hs0_len;
};

FIXTURE_VARIANT_ADD(tls12, 12_aes_gcm)
{
	.cipher_type = TLS_CIPHER_AES_GCM_128,
	.hs0 = hs0_12_aes_gcm,
	.hs0_len = sizeof(hs0_12_aes_gcm),
};

FIXTURE_VARIANT_ADD(tls12, 12_aes_gcm_256)
{
	.cipher_type = TLS_CIPHER_AES_GCM_256,
	.hs0 = hs0_12_aes_gcm_256,
	.hs0_len = sizeof(hs0_12_aes_gcm_256),
};

FIXTURE_VARIANT_ADD(tls12, 12_chacha)
{
	.cipher_type = TLS_CIPHER_CHACHA20_POLY1305,
	.hs0 = hs0_12_chacha,
	.hs0_len = sizeof(hs0_12_chacha),
};

FIXTURE_VARIANT_ADD(tls12, 12_aes_ccm)
{
	.cipher_type = TLS_CIPHER_AES_CCM_128,
	.hs0 = hs0_12_aes_ccm,
	.hs0_len = sizeof(hs0_12_aes_ccm),
};

FIXTURE_SETUP(tls12)
{
	tcp_pair(_metadata, &self->fd, &self->cfd, 10);
	ASSERT_EQ(0, attach_tls(self->fd));
	ASSERT_EQ(0, attach_tls(self->cfd));
}

FIXTURE_TEARDOWN(tls12)
{
	close(self->fd);
	close(self->cfd);
}

static void tls12_keys(struct __test_metadata *_metadata,
		       FIXTURE_DATA(tls12) *self, uint16_t cipher)
{
	struct tls_keys k0;

	keys_init(&k0, TLS_1_2_VERSION, cipher, 0);
	ASSERT_EQ(0, set_keys(self->fd, TLS_TX, &k0));
	ASSERT_EQ(0, set_keys(self->cfd, TLS_RX, &k0));
}

TEST_F(tls12, keyupdate)
{
	struct tls_keys k0, k1;
	char old[100], new[100];

	tls12_keys(_metadata, self, variant->cipher_type);
	keys_init(&k0, TLS_1_2_VERSION, variant->cipher_type, 0);
	keys_init(&k1, TLS_1_2_VERSION, variant->cipher_type, 1);
	fill(old, sizeof(old), 130);
	fill(new, sizeof(new), 131);

	send_data(self->fd, old, sizeof(old), 0);
	send_keyupdate(self->fd);
	errno = 0;
	EXPECT_EQ(-EBUSY, set_keys(self->fd, TLS_TX, &k1));
	send_data(self->fd, new, sizeof(new), 0);
	ASSERT_EQ(0, wait_sent(self->fd));
	expect_conf(self->fd, TLS_TX, &k0, 3);

	expect_data(self->cfd, old, sizeof(old));
	expect_keyupdate(self->cfd);
	expect_keyexpired(self->cfd);
	EXPECT_EQ(0, poll_in(self->cfd, 0));
	EXPECT_EQ(-EBUSY, set_keys(self->cfd, TLS_RX, &k1));
	EXPECT_EQ(-EBUSY, set_keys(self->cfd, TLS_RX, &k0));
	expect_keyexpired(self->cfd);
	/* the KeyUpdate counted; nothing after it was decrypted */
	expect_conf(self->cfd, TLS_RX, &k0, 2);
}

TEST_F(tls12, handshake_not_keyupdate)
{
	tls12_keys(_metadata, self, variant->cipher_type);
	handshake_not_keyupdate(_metadata, self->fd, self->cfd);
}

TEST_F(tls12, zero_len_handshake)
{
	zero_len_handshake(_metadata, self->fd, self->cfd, TLS_1_2_VERSION,
			   variant->cipher_type, variant->hs0,
			   variant->hs0_len);
}

TEST_HARNESS_MAIN
