/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tls_rekey selftests (sockopt.c, rekey.c): the
 * uAPI constants older <linux/tls.h> headers lack, the layout of every
 * struct tls12_crypto_info_*, and connected loopback TCP pairs for the
 * "tls" ULP.  Each test program is a single translation unit, so
 * everything here is static; functions are static inline so that a
 * program using only some of them still builds with -Wall -Werror.
 */

#ifndef __TLS_REKEY_TLS_COMMON_H
#define __TLS_REKEY_TLS_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/tcp.h>
#include <linux/tls.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include "kselftest_harness.h"

/*
 * The debug kernel under emulation (KASAN, lockdep) is about ten times
 * slower than the lean one, and the first use of a cipher runs the crypto
 * self-tests: the harness's 30 s per test is too short there (ARIA's first
 * setsockopt hit it). TEST_F expands this where it is used.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

/*
 * uAPI fallbacks
 */

#ifndef SOL_TLS
#define SOL_TLS			282
#endif
#ifndef TCP_ULP
#define TCP_ULP			31
#endif
#ifndef TLS_TX_ZEROCOPY_RO
#define TLS_TX_ZEROCOPY_RO	3
#endif
#ifndef TLS_RX_EXPECT_NO_PAD
#define TLS_RX_EXPECT_NO_PAD	4
#endif
#ifndef TLS_TX_MAX_PAYLOAD_LEN
#define TLS_TX_MAX_PAYLOAD_LEN	5
#endif

#ifndef TLS_CIPHER_ARIA_GCM_128
#define TLS_CIPHER_ARIA_GCM_128			57
#define TLS_CIPHER_ARIA_GCM_128_IV_SIZE		8
#define TLS_CIPHER_ARIA_GCM_128_KEY_SIZE	16
#define TLS_CIPHER_ARIA_GCM_128_SALT_SIZE	4
#define TLS_CIPHER_ARIA_GCM_128_TAG_SIZE	16
#define TLS_CIPHER_ARIA_GCM_128_REC_SEQ_SIZE	8

struct tls12_crypto_info_aria_gcm_128 {
	struct tls_crypto_info info;
	unsigned char iv[TLS_CIPHER_ARIA_GCM_128_IV_SIZE];
	unsigned char key[TLS_CIPHER_ARIA_GCM_128_KEY_SIZE];
	unsigned char salt[TLS_CIPHER_ARIA_GCM_128_SALT_SIZE];
	unsigned char rec_seq[TLS_CIPHER_ARIA_GCM_128_REC_SEQ_SIZE];
};
#endif

#ifndef TLS_CIPHER_ARIA_GCM_256
#define TLS_CIPHER_ARIA_GCM_256			58
#define TLS_CIPHER_ARIA_GCM_256_IV_SIZE		8
#define TLS_CIPHER_ARIA_GCM_256_KEY_SIZE	32
#define TLS_CIPHER_ARIA_GCM_256_SALT_SIZE	4
#define TLS_CIPHER_ARIA_GCM_256_TAG_SIZE	16
#define TLS_CIPHER_ARIA_GCM_256_REC_SEQ_SIZE	8

struct tls12_crypto_info_aria_gcm_256 {
	struct tls_crypto_info info;
	unsigned char iv[TLS_CIPHER_ARIA_GCM_256_IV_SIZE];
	unsigned char key[TLS_CIPHER_ARIA_GCM_256_KEY_SIZE];
	unsigned char salt[TLS_CIPHER_ARIA_GCM_256_SALT_SIZE];
	unsigned char rec_seq[TLS_CIPHER_ARIA_GCM_256_REC_SEQ_SIZE];
};
#endif

/*
 * crypto_info layouts: size, and offset and length of each field, of the
 * struct tls12_crypto_info_* of every cipher upstream net/tls knows.
 */

struct cipher_desc {
	uint16_t type;
	const char *name;
	unsigned int len;	/* sizeof(struct tls12_crypto_info_*) */
	unsigned int iv, iv_len;
	unsigned int key, key_len;
	unsigned int salt, salt_len;
	unsigned int rec_seq, rec_seq_len;
};

#define FIELD_LEN(_ci, _f)	sizeof(((struct _ci *)0)->_f)

#define CIPHER_DESC(_type, _ci) {					\
	.type		= _type,					\
	.name		= #_type,					\
	.len		= sizeof(struct _ci),				\
	.iv		= offsetof(struct _ci, iv),			\
	.iv_len		= FIELD_LEN(_ci, iv),				\
	.key		= offsetof(struct _ci, key),			\
	.key_len	= FIELD_LEN(_ci, key),				\
	.salt		= offsetof(struct _ci, salt),			\
	.salt_len	= FIELD_LEN(_ci, salt),				\
	.rec_seq	= offsetof(struct _ci, rec_seq),		\
	.rec_seq_len	= FIELD_LEN(_ci, rec_seq),			\
}

static const struct cipher_desc cipher_descs[] = {
	CIPHER_DESC(TLS_CIPHER_AES_GCM_128, tls12_crypto_info_aes_gcm_128),
	CIPHER_DESC(TLS_CIPHER_AES_GCM_256, tls12_crypto_info_aes_gcm_256),
	CIPHER_DESC(TLS_CIPHER_AES_CCM_128, tls12_crypto_info_aes_ccm_128),
	CIPHER_DESC(TLS_CIPHER_CHACHA20_POLY1305,
		    tls12_crypto_info_chacha20_poly1305),
	CIPHER_DESC(TLS_CIPHER_SM4_GCM, tls12_crypto_info_sm4_gcm),
	CIPHER_DESC(TLS_CIPHER_SM4_CCM, tls12_crypto_info_sm4_ccm),
	CIPHER_DESC(TLS_CIPHER_ARIA_GCM_128, tls12_crypto_info_aria_gcm_128),
	CIPHER_DESC(TLS_CIPHER_ARIA_GCM_256, tls12_crypto_info_aria_gcm_256),
};

/* The layout of cipher @type, NULL if upstream has no such cipher. */
static inline const struct cipher_desc *cipher_desc_get(uint16_t type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cipher_descs); i++)
		if (cipher_descs[i].type == type)
			return &cipher_descs[i];
	return NULL;
}

/*
 * Sockets
 */

/* setsockopt(TCP_ULP, "tls"): 0 or -errno. */
static inline int attach_tls(int fd)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) ?
	       -errno : 0;
}

/* A listening socket on 127.0.0.1, port chosen by the kernel in @addr. */
static inline int listen_lo(struct __test_metadata *_metadata,
			    struct sockaddr_in *addr, int backlog)
{
	socklen_t len = sizeof(*addr);
	int sfd;

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	sfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(sfd, 0);
	ASSERT_EQ(0, bind(sfd, (struct sockaddr *)addr, sizeof(*addr)));
	ASSERT_EQ(0, listen(sfd, backlog));
	ASSERT_EQ(0, getsockname(sfd, (struct sockaddr *)addr, &len));
	return sfd;
}

/*
 * Bound every blocking read: a record that never comes fails the test
 * with EAGAIN (tls_rx_rec_wait() honours sock_rcvtimeo()) instead of
 * hanging it until the harness timeout.
 */
static inline int rcv_timeout(int fd, int sec)
{
	struct timeval tv = { .tv_sec = sec };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/*
 * A connected TCP pair over loopback, as ulp_sock_pair() in net/tls.c.
 * A non-zero @rcvtimeo sets SO_RCVTIMEO (seconds) on both ends; 0 leaves
 * the default (reads may block forever).
 */
static inline void tcp_pair(struct __test_metadata *_metadata, int *fd,
			    int *cfd, int rcvtimeo)
{
	struct sockaddr_in addr;
	int sfd;

	sfd = listen_lo(_metadata, &addr, 10);

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(*fd, 0);
	ASSERT_EQ(0, connect(*fd, (struct sockaddr *)&addr, sizeof(addr)));
	*cfd = accept(sfd, NULL, NULL);
	ASSERT_GE(*cfd, 0);
	if (rcvtimeo) {
		ASSERT_EQ(0, rcv_timeout(*fd, rcvtimeo));
		ASSERT_EQ(0, rcv_timeout(*cfd, rcvtimeo));
	}

	close(sfd);
}

#endif /* __TLS_REKEY_TLS_COMMON_H */
