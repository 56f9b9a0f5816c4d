// SPDX-License-Identifier: GPL-2.0
/*
 * Control-plane test of the "tls" TCP ULP: TCP_ULP attach, and every
 * SOL_TLS setsockopt()/getsockopt() option, errno for errno as upstream
 * net/tls/tls_main.c (Linux 7.2) answers them.  No TLS record is ever
 * sent or received here.
 *
 * The expectations are derived from the upstream code; the comments name
 * the function (and the check in it) each one comes from.
 */

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/tcp.h>
#include <linux/tls.h>

#include <sys/socket.h>
#include <sys/types.h>

#include "kselftest_harness.h"

#include "tls_common.h"

/* Kernel-internal constants (include/net/tcp.h, include/net/tls.h). */
#define TCP_ULP_NAME_MAX	16
#define TLS_MAX_PAYLOAD_SIZE	16384
#define TLS_MIN_RECORD_SIZE_LIM	64

/* Room for the largest crypto_info (56 bytes) plus some. */
#define CRYPTO_BUF_SIZE		128

struct crypto_buf {
	union {
		struct tls_crypto_info info;
		unsigned char raw[CRYPTO_BUF_SIZE];
	};
	unsigned int len;	/* size of the cipher's struct */
};

/*
 * Build a crypto_info for @version/@type.  Everything after the header is
 * filled with a pattern that differs at every offset and between
 * generations, so a field read back from the wrong place, or a key that
 * is not the latest one set, is noticed.  The buffer is filled beyond
 * ->len so that "one byte too long" passes a non-zero byte.  An unknown
 * @type gets the AES-GCM-128 size.
 */
static void crypto_info_fill(struct crypto_buf *b, uint16_t version,
			     uint16_t type, uint8_t gen)
{
	const struct cipher_desc *d = cipher_desc_get(type);
	unsigned int i;

	memset(b, 0, sizeof(*b));
	for (i = sizeof(struct tls_crypto_info); i < sizeof(b->raw); i++)
		b->raw[i] = gen * 0x31 + i * 0x0b + 0x5a;
	b->info.version = version;
	b->info.cipher_type = type;
	b->len = d ? d->len : sizeof(struct tls12_crypto_info_aes_gcm_128);
}

static void __expect_info(struct __test_metadata *_metadata,
			  const struct crypto_buf *got,
			  const struct crypto_buf *want)
{
	const struct cipher_desc *d = cipher_desc_get(want->info.cipher_type);

	ASSERT_NE(NULL, d);
	EXPECT_EQ(want->info.version, got->info.version);
	EXPECT_EQ(want->info.cipher_type, got->info.cipher_type);
	EXPECT_EQ(0, memcmp(got->raw + d->iv, want->raw + d->iv, d->iv_len))
		TH_LOG("iv differs (%s)", d->name);
	EXPECT_EQ(0, memcmp(got->raw + d->key, want->raw + d->key,
			    d->key_len))
		TH_LOG("key differs (%s)", d->name);
	EXPECT_EQ(0, memcmp(got->raw + d->salt, want->raw + d->salt,
			    d->salt_len))
		TH_LOG("salt differs (%s)", d->name);
	EXPECT_EQ(0, memcmp(got->raw + d->rec_seq, want->raw + d->rec_seq,
			    d->rec_seq_len))
		TH_LOG("rec_seq differs (%s)", d->name);
	EXPECT_EQ(0, memcmp(got->raw, want->raw, d->len));
}

/* setsockopt()/getsockopt() returning 0 or -errno. */
static int xsetsockopt(int fd, int level, int optname, const void *val,
		       socklen_t len)
{
	return setsockopt(fd, level, optname, val, len) ? -errno : 0;
}

static int xgetsockopt(int fd, int level, int optname, void *val,
		       socklen_t *len)
{
	return getsockopt(fd, level, optname, val, len) ? -errno : 0;
}

static int tls_set(int fd, int optname, const void *val, socklen_t len)
{
	return xsetsockopt(fd, SOL_TLS, optname, val, len);
}

static int tls_get(int fd, int optname, void *val, socklen_t *len)
{
	return xgetsockopt(fd, SOL_TLS, optname, val, len);
}

/* getsockopt(TLS_TX/TLS_RX) of @len bytes into a zeroed @b. */
static int tls_get_conf(int fd, int optname, struct crypto_buf *b,
			socklen_t len)
{
	/* @len may be b->len: clear the bytes only, never the length */
	memset(b->raw, 0, sizeof(b->raw));
	return tls_get(fd, optname, b->raw, &len);
}

/* Read back the full crypto_info of @fd and compare it with @want. */
#define expect_conf(fd, optname, want) do {				\
	struct crypto_buf __got;					\
	socklen_t __len = (want)->len;					\
									\
	memset(&__got, 0, sizeof(__got));				\
	EXPECT_EQ(0, tls_get(fd, optname, __got.raw, &__len));		\
	/* do_tls_getsockopt_conf() never writes optlen back */		\
	EXPECT_EQ((want)->len, __len);					\
	__expect_info(_metadata, &__got, want);				\
} while (0)

static uint16_t other_version(uint16_t version)
{
	return version == TLS_1_2_VERSION ? TLS_1_3_VERSION : TLS_1_2_VERSION;
}

static uint16_t other_cipher(uint16_t type)
{
	return type == TLS_CIPHER_AES_GCM_128 ? TLS_CIPHER_AES_GCM_256 :
						TLS_CIPHER_AES_GCM_128;
}

/*
 * TCP_ULP, no fixture
 */

/*
 * tcp_set_ulp() -> __tcp_set_ulp(): not listening, so ulp_ops->init() =
 * tls_init(): "if (sk->sk_state != TCP_ESTABLISHED) return -ENOTCONN;".
 */
TEST(ulp_unconnected)
{
	char name[TCP_ULP_NAME_MAX];
	socklen_t len = sizeof(name);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(fd, 0);

	EXPECT_EQ(-ENOTCONN, attach_tls(fd));

	/* do_tcp_getsockopt(TCP_ULP): no icsk_ulp_ops -> optlen 0 */
	EXPECT_EQ(0, xgetsockopt(fd, IPPROTO_TCP, TCP_ULP, name, &len));
	EXPECT_EQ(0, len);

	close(fd);
}

/*
 * __tcp_set_ulp(): "if (!ulp_ops->clone && sk->sk_state == TCP_LISTEN)
 * goto out_err" with err = -ENOTCONN; tls has no .clone (and tls_init()
 * would return -ENOTCONN anyway).
 */
TEST(ulp_listen)
{
	struct sockaddr_in addr;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, listen(fd, 1));

	EXPECT_EQ(-ENOTCONN, attach_tls(fd));

	close(fd);
}

/*
 * Without the ULP SOL_TLS reaches TCP: tcp_setsockopt() -> (level !=
 * SOL_TCP) ip_setsockopt(): "if (level != SOL_IP) return -ENOPROTOOPT;",
 * tcp_getsockopt() -> ip_getsockopt() -> do_ip_getsockopt(): "if (level !=
 * SOL_IP) return -EOPNOTSUPP;" (not ENOPROTOOPT, so no netfilter retry).
 */
TEST(sol_tls_unconnected)
{
	struct crypto_buf b;
	socklen_t len;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(fd, 0);

	crypto_info_fill(&b, TLS_1_2_VERSION, TLS_CIPHER_AES_GCM_128, 1);
	EXPECT_EQ(-ENOPROTOOPT, tls_set(fd, TLS_TX, b.raw, b.len));
	EXPECT_EQ(-ENOPROTOOPT, tls_set(fd, TLS_RX, b.raw, b.len));
	len = b.len;
	EXPECT_EQ(-EOPNOTSUPP, tls_get(fd, TLS_TX, b.raw, &len));

	close(fd);
}

/*
 * Fixture "ctrl": fd has the tls ULP, no keys; cfd is its plain peer.
 * Nothing here needs the kernel crypto API.
 */

FIXTURE(ctrl)
{
	int fd, cfd;
};

FIXTURE_SETUP(ctrl)
{
	tcp_pair(_metadata, &self->fd, &self->cfd, 0);
	ASSERT_EQ(0, attach_tls(self->fd));
}

FIXTURE_TEARDOWN(ctrl)
{
	close(self->fd);
	close(self->cfd);
}

/*
 * do_tcp_getsockopt(TCP_ULP): len = min(len, TCP_ULP_NAME_MAX), copies
 * len bytes of icsk_ulp_ops->name (char[16]) and writes len back.
 */
TEST_F(ctrl, ulp_getsockopt)
{
	char name[32];
	socklen_t len;

	memset(name, 0x55, sizeof(name));
	len = sizeof(name);
	EXPECT_EQ(0, xgetsockopt(self->fd, IPPROTO_TCP, TCP_ULP, name, &len));
	EXPECT_EQ(TCP_ULP_NAME_MAX, len);
	EXPECT_STREQ("tls", name);

	memset(name, 0, sizeof(name));
	len = 2;
	EXPECT_EQ(0, xgetsockopt(self->fd, IPPROTO_TCP, TCP_ULP, name, &len));
	EXPECT_EQ(2, len);
	EXPECT_STREQ("tl", name);

	/* the peer has no ULP: len 0 */
	len = sizeof(name);
	EXPECT_EQ(0, xgetsockopt(self->cfd, IPPROTO_TCP, TCP_ULP, name, &len));
	EXPECT_EQ(0, len);
}

/* __tcp_set_ulp(): "err = -EEXIST; if (icsk->icsk_ulp_ops) goto out_err;" */
TEST_F(ctrl, ulp_twice)
{
	EXPECT_EQ(-EEXIST, attach_tls(self->fd));
}

/*
 * tcp_set_ulp(): "if (!ulp_ops) return -ENOENT;", before the EEXIST
 * check, so also on a socket that already has a ULP.
 */
TEST_F(ctrl, ulp_unknown)
{
	static const char name[] = "no_such_ulp";

	EXPECT_EQ(-ENOENT, xsetsockopt(self->cfd, IPPROTO_TCP, TCP_ULP,
				       name, sizeof(name)));
	EXPECT_EQ(-ENOENT, xsetsockopt(self->fd, IPPROTO_TCP, TCP_ULP,
				       name, sizeof(name)));
}

/* do_tcp_setsockopt(TCP_ULP): "if (optlen < 1) return -EINVAL;" */
TEST_F(ctrl, ulp_zero_len)
{
	EXPECT_EQ(-EINVAL, xsetsockopt(self->fd, IPPROTO_TCP, TCP_ULP,
				       "tls", 0));
}

/* As sol_tls_unconnected, on the connected peer without the ULP. */
TEST_F(ctrl, sol_tls_without_ulp)
{
	unsigned int one = 1;
	struct crypto_buf b;
	socklen_t len;

	crypto_info_fill(&b, TLS_1_2_VERSION, TLS_CIPHER_AES_GCM_128, 1);
	EXPECT_EQ(-ENOPROTOOPT, tls_set(self->cfd, TLS_TX, b.raw, b.len));
	EXPECT_EQ(-ENOPROTOOPT, tls_set(self->cfd, TLS_RX, b.raw, b.len));
	EXPECT_EQ(-ENOPROTOOPT, tls_set(self->cfd, TLS_TX_ZEROCOPY_RO,
					&one, sizeof(one)));
	len = b.len;
	EXPECT_EQ(-EOPNOTSUPP, tls_get(self->cfd, TLS_TX, b.raw, &len));
	len = sizeof(one);
	EXPECT_EQ(-EOPNOTSUPP, tls_get(self->cfd, TLS_TX_ZEROCOPY_RO,
				       &one, &len));
}

/* tls_{set,get}sockopt(): level != SOL_TLS -> ctx->sk_proto (TCP) */
TEST_F(ctrl, tcp_opts)
{
	int val;
	socklen_t len;

	val = 1;
	EXPECT_EQ(0, xsetsockopt(self->fd, IPPROTO_TCP, TCP_NODELAY,
				 &val, sizeof(val)));
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, xgetsockopt(self->fd, IPPROTO_TCP, TCP_NODELAY,
				 &val, &len));
	EXPECT_EQ(sizeof(val), len);
	EXPECT_EQ(1, val);

	val = 0;
	EXPECT_EQ(0, xsetsockopt(self->fd, IPPROTO_TCP, TCP_NODELAY,
				 &val, sizeof(val)));
	val = 1;
	len = sizeof(val);
	EXPECT_EQ(0, xgetsockopt(self->fd, IPPROTO_TCP, TCP_NODELAY,
				 &val, &len));
	EXPECT_EQ(0, val);
}

/* do_tls_setsockopt()/do_tls_getsockopt(): "default: rc = -ENOPROTOOPT;" */
TEST_F(ctrl, unknown_optname)
{
	static const int names[] = { 0, 99, 1000 };
	unsigned char buf[CRYPTO_BUF_SIZE];
	socklen_t len;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_EQ(-ENOPROTOOPT, tls_set(self->fd, names[i], buf, 4));
		len = sizeof(buf);
		EXPECT_EQ(-ENOPROTOOPT, tls_get(self->fd, names[i], buf, &len));
	}
}

/*
 * do_tls_setsockopt_conf():
 * "if (sockptr_is_null(optval) || (optlen < sizeof(*crypto_info)))
 *	return -EINVAL;"
 */
TEST_F(ctrl, conf_null_short)
{
	struct crypto_buf b;
	socklen_t l;

	crypto_info_fill(&b, TLS_1_2_VERSION, TLS_CIPHER_AES_GCM_128, 1);

	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX, NULL, b.len));
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX, NULL, b.len));
	for (l = 0; l < sizeof(struct tls_crypto_info); l++) {
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX, b.raw, l));
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX, b.raw, l));
	}

	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_TX, &b, b.len));
	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_RX, &b, b.len));
}

/*
 * validate_crypto_info(): "if (crypto_info->version != TLS_1_2_VERSION &&
 * crypto_info->version != TLS_1_3_VERSION) return -EINVAL;".  The failed
 * set is wiped (err_crypto_info: memzero_explicit(crypto_ctx)), so the
 * direction stays unconfigured: do_tls_getsockopt_conf() "if
 * (!TLS_CRYPTO_INFO_READY(crypto_info)) rc = -EBUSY".
 */
TEST_F(ctrl, conf_bad_version)
{
	static const uint16_t versions[] = {
		0, 0x0300, 0x0301, 0x0302, 0x0305, 0x0403, 0x0404, 0xffff,
	};
	struct crypto_buf b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		crypto_info_fill(&b, versions[i], TLS_CIPHER_AES_GCM_128, 1);
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX, b.raw, b.len))
			TH_LOG("version %#x", versions[i]);
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX, b.raw, b.len))
			TH_LOG("version %#x", versions[i]);
	}

	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_TX, &b, b.len));
	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_RX, &b, 4));
}

/*
 * Unknown cipher: validate_crypto_info() passes (only ARIA is checked),
 * then do_tls_setsockopt_conf(): "cipher_desc = get_cipher_desc(...); if
 * (!cipher_desc) { rc = -EINVAL; ...}" (get_cipher_desc() is NULL outside
 * TLS_CIPHER_MIN..TLS_CIPHER_MAX = 51..58).  Tried both with the
 * AES-GCM-128 and the AES-GCM-256 size.
 */
TEST_F(ctrl, conf_bad_cipher)
{
	static const uint16_t ciphers[] = { 0, 1, 10, 50, 59, 70, 0xffff };
	static const uint16_t versions[] = { TLS_1_2_VERSION, TLS_1_3_VERSION };
	static const unsigned int lens[] = {
		sizeof(struct tls12_crypto_info_aes_gcm_128),
		sizeof(struct tls12_crypto_info_aes_gcm_256),
	};
	uint16_t cipher, version;
	struct crypto_buf b;
	unsigned int i, k;
	int tx, rx;

	for (i = 0; i < ARRAY_SIZE(ciphers) * ARRAY_SIZE(versions); i++) {
		cipher = ciphers[i / ARRAY_SIZE(versions)];
		version = versions[i % ARRAY_SIZE(versions)];
		crypto_info_fill(&b, version, cipher, 1);

		for (k = 0; k < ARRAY_SIZE(lens); k++) {
			tx = tls_set(self->fd, TLS_TX, b.raw, lens[k]);
			rx = tls_set(self->fd, TLS_RX, b.raw, lens[k]);
			EXPECT_EQ(-EINVAL, tx)
				TH_LOG("TX cipher %u version %#x len %u",
				       cipher, version, lens[k]);
			EXPECT_EQ(-EINVAL, rx)
				TH_LOG("RX cipher %u version %#x len %u",
				       cipher, version, lens[k]);
		}
	}

	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_TX, &b, b.len));
	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_RX, &b, b.len));
}

/*
 * validate_crypto_info(): "case TLS_CIPHER_ARIA_GCM_128: case
 * TLS_CIPHER_ARIA_GCM_256: if (crypto_info->version != TLS_1_2_VERSION)
 * return -EINVAL;".
 */
TEST_F(ctrl, conf_aria_tls13)
{
	static const uint16_t ciphers[] = {
		TLS_CIPHER_ARIA_GCM_128, TLS_CIPHER_ARIA_GCM_256,
	};
	struct crypto_buf b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ciphers); i++) {
		crypto_info_fill(&b, TLS_1_3_VERSION, ciphers[i], 1);
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX, b.raw, b.len));
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX, b.raw, b.len));
	}

	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_TX, &b, b.len));
	EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, TLS_RX, &b, b.len));
}

/*
 * do_tls_getsockopt_conf(), nothing set:
 * "if (!optval || (len < sizeof(*crypto_info))) rc = -EINVAL" comes
 * first, then "if (!TLS_CRYPTO_INFO_READY(crypto_info)) rc = -EBUSY".
 */
TEST_F(ctrl, conf_get_unset)
{
	const socklen_t full = sizeof(struct tls12_crypto_info_aes_gcm_128);
	static const int names[] = { TLS_TX, TLS_RX };
	struct crypto_buf b;
	socklen_t len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, names[i], &b, full));
		EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, names[i], &b, 4));
		EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, names[i], &b, 5));
		EXPECT_EQ(-EBUSY, tls_get_conf(self->fd, names[i], &b,
					       sizeof(b.raw)));
		EXPECT_EQ(-EINVAL, tls_get_conf(self->fd, names[i], &b, 3));
		EXPECT_EQ(-EINVAL, tls_get_conf(self->fd, names[i], &b, 0));
		len = full;
		EXPECT_EQ(-EINVAL, tls_get(self->fd, names[i], NULL, &len));
	}
}

/*
 * do_tls_setsockopt_tx_zc(): "if (sockptr_is_null(optval) || optlen !=
 * sizeof(value)) return -EINVAL;", "if (value > 1) return -EINVAL;".
 * do_tls_getsockopt_tx_zc(): "if (len != sizeof(value)) return -EINVAL;".
 * Neither depends on keys being set.
 */
TEST_F(ctrl, tx_zerocopy_ro)
{
	unsigned int val;
	uint64_t val64;
	socklen_t len;

	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &val, &len));
	EXPECT_EQ(sizeof(val), len);
	EXPECT_EQ(0, val);

	val = 1;
	EXPECT_EQ(0, tls_set(self->fd, TLS_TX_ZEROCOPY_RO, &val, sizeof(val)));
	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &val, &len));
	EXPECT_EQ(1, val);

	val = 2;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_ZEROCOPY_RO,
				   &val, sizeof(val)));
	val = 0xffffffff;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_ZEROCOPY_RO,
				   &val, sizeof(val)));
	val = 0;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_ZEROCOPY_RO, &val, 2));
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_ZEROCOPY_RO, &val, 0));
	val64 = 0;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_ZEROCOPY_RO,
				   &val64, sizeof(val64)));
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_ZEROCOPY_RO,
				   NULL, sizeof(val)));

	/* the failed sets left it at 1 */
	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &val, &len));
	EXPECT_EQ(1, val);

	val = 0;
	EXPECT_EQ(0, tls_set(self->fd, TLS_TX_ZEROCOPY_RO, &val, sizeof(val)));
	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &val, &len));
	EXPECT_EQ(0, val);

	len = 2;
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &val64, &len));
	len = sizeof(val64);
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &val64, &len));
	len = 0;
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &val64, &len));
}

/*
 * No keys: ctx->prot_info.version is 0.
 * do_tls_setsockopt_no_pad(): "if (ctx->prot_info.version !=
 * TLS_1_3_VERSION || ...) return -EINVAL;"
 * do_tls_getsockopt_no_pad(): "if (ctx->prot_info.version !=
 * TLS_1_3_VERSION) return -EINVAL;"
 */
TEST_F(ctrl, rx_no_pad_unconfigured)
{
	unsigned int val;
	socklen_t len;

	val = 1;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   &val, sizeof(val)));
	val = 0;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   &val, sizeof(val)));
	len = sizeof(val);
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
}

/*
 * tls_init(): "ctx->tx_max_payload_len = TLS_MAX_PAYLOAD_SIZE;".
 * do_tls_setsockopt_tx_payload_len(): "optlen != sizeof(value)" (u16) ->
 * -EINVAL; "value < TLS_MIN_RECORD_SIZE_LIM - (tls_13 ? 1 : 0) || value >
 * TLS_MAX_PAYLOAD_SIZE" -> -EINVAL, tls_13 false with no keys.
 * do_tls_getsockopt_tx_payload_len(): "if (len < sizeof(payload_len))
 * return -EINVAL;", then writes optlen = 2 and the u16.
 */
TEST_F(ctrl, tx_max_payload_len)
{
	unsigned char buf[4];
	uint32_t val32;
	uint16_t val;
	socklen_t len;

	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(sizeof(val), len);
	EXPECT_EQ(TLS_MAX_PAYLOAD_SIZE, val);

	/* longer buffer: optlen is written back as 2 */
	memset(buf, 0, sizeof(buf));
	len = sizeof(buf);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_MAX_PAYLOAD_LEN, buf, &len));
	EXPECT_EQ(sizeof(val), len);
	memcpy(&val, buf, sizeof(val));
	EXPECT_EQ(TLS_MAX_PAYLOAD_SIZE, val);

	len = 1;
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   buf, &len));
	len = 0;
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   buf, &len));

	val = TLS_MIN_RECORD_SIZE_LIM;
	EXPECT_EQ(0, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
			     &val, sizeof(val)));
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(TLS_MIN_RECORD_SIZE_LIM, val);

	val = TLS_MIN_RECORD_SIZE_LIM - 1;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   &val, sizeof(val)));
	val = 0;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   &val, sizeof(val)));
	val = TLS_MAX_PAYLOAD_SIZE + 1;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   &val, sizeof(val)));
	val = 0xffff;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   &val, sizeof(val)));

	/* a valid value with the wrong optlen */
	val32 = 1000;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   &val32, sizeof(val32)));
	val = 1000;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN, &val, 1));
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN, &val, 0));
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
				   NULL, sizeof(val)));

	/* none of the failures changed it */
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(TLS_MIN_RECORD_SIZE_LIM, val);

	val = TLS_MAX_PAYLOAD_SIZE;
	EXPECT_EQ(0, tls_set(self->fd, TLS_TX_MAX_PAYLOAD_LEN,
			     &val, sizeof(val)));
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(TLS_MAX_PAYLOAD_SIZE, val);
}

/*
 * Fixture "conf": fd and cfd both have the tls ULP and no keys on fd.
 * Every version/cipher pair upstream accepts.  cfd gets a TX key as a
 * probe of the kernel crypto API: crypto_alloc_aead() failing (ENOENT,
 * e.g. cipher not built or FIPS mode) skips the variant.
 */

FIXTURE(conf)
{
	int fd, cfd;
	const struct cipher_desc *desc;
};

FIXTURE_VARIANT(conf)
{
	uint16_t version;
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(conf, 12_aes_gcm_128)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(conf, 13_aes_gcm_128)
{
	.version = TLS_1_3_VERSION,
	.cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(conf, 12_aes_gcm_256)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_AES_GCM_256,
};

FIXTURE_VARIANT_ADD(conf, 13_aes_gcm_256)
{
	.version = TLS_1_3_VERSION,
	.cipher = TLS_CIPHER_AES_GCM_256,
};

FIXTURE_VARIANT_ADD(conf, 12_aes_ccm_128)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_AES_CCM_128,
};

FIXTURE_VARIANT_ADD(conf, 13_aes_ccm_128)
{
	.version = TLS_1_3_VERSION,
	.cipher = TLS_CIPHER_AES_CCM_128,
};

FIXTURE_VARIANT_ADD(conf, 12_chacha20_poly1305)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_CHACHA20_POLY1305,
};

FIXTURE_VARIANT_ADD(conf, 13_chacha20_poly1305)
{
	.version = TLS_1_3_VERSION,
	.cipher = TLS_CIPHER_CHACHA20_POLY1305,
};

FIXTURE_VARIANT_ADD(conf, 12_sm4_gcm)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_SM4_GCM,
};

FIXTURE_VARIANT_ADD(conf, 13_sm4_gcm)
{
	.version = TLS_1_3_VERSION,
	.cipher = TLS_CIPHER_SM4_GCM,
};

FIXTURE_VARIANT_ADD(conf, 12_sm4_ccm)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_SM4_CCM,
};

FIXTURE_VARIANT_ADD(conf, 13_sm4_ccm)
{
	.version = TLS_1_3_VERSION,
	.cipher = TLS_CIPHER_SM4_CCM,
};

FIXTURE_VARIANT_ADD(conf, 12_aria_gcm_128)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_ARIA_GCM_128,
};

FIXTURE_VARIANT_ADD(conf, 12_aria_gcm_256)
{
	.version = TLS_1_2_VERSION,
	.cipher = TLS_CIPHER_ARIA_GCM_256,
};

FIXTURE_SETUP(conf)
{
	struct crypto_buf b;
	int ret;

	self->desc = cipher_desc_get(variant->cipher);
	ASSERT_NE(NULL, self->desc);

	tcp_pair(_metadata, &self->fd, &self->cfd, 0);
	ASSERT_EQ(0, attach_tls(self->fd));
	ASSERT_EQ(0, attach_tls(self->cfd));

	crypto_info_fill(&b, variant->version, variant->cipher, 0x7e);
	ASSERT_EQ(self->desc->len, b.len);
	ret = tls_set(self->cfd, TLS_TX, b.raw, b.len);
	if (ret == -ENOENT)
		SKIP(return, "%s not available from the kernel crypto API",
		     self->desc->name);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(conf)
{
	close(self->fd);
	close(self->cfd);
}

static void conf_set_get(struct __test_metadata *_metadata, int fd,
			 uint16_t version, const struct cipher_desc *desc,
			 int optname, int other)
{
	const unsigned int full = desc->len;
	unsigned int bad_lens[] = {
		0, 1, 3, 5, 8, full - 1, full + 1, full + 8,
		/* the size of another cipher's struct */
		full == 40 ? 56 : 40,
	};
	struct crypto_buf b, got;
	unsigned int i;
	socklen_t len;

	crypto_info_fill(&b, version, desc->type, 1);
	ASSERT_EQ(0, tls_set(fd, optname, b.raw, b.len));

	/* full length: exactly the bytes that were set */
	expect_conf(fd, optname, &b);

	/* do_tls_getsockopt_conf(): "if (len == sizeof(*crypto_info))" */
	EXPECT_EQ(0, tls_get_conf(fd, optname, &got, 4));
	EXPECT_EQ(version, got.info.version);
	EXPECT_EQ(desc->type, got.info.cipher_type);
	for (i = 4; i < sizeof(got.raw); i++)
		if (got.raw[i])
			break;
	EXPECT_EQ(sizeof(got.raw), i);

	/*
	 * "len < sizeof(*crypto_info)" -> -EINVAL, and
	 * "if (!cipher_desc || len != cipher_desc->crypto_info)" -> -EINVAL
	 */
	for (i = 0; i < ARRAY_SIZE(bad_lens); i++) {
		EXPECT_EQ(-EINVAL, tls_get_conf(fd, optname, &got, bad_lens[i]))
			TH_LOG("len %u", bad_lens[i]);
	}
	len = full;
	EXPECT_EQ(-EINVAL, tls_get(fd, optname, NULL, &len));

	/* the other direction is still unconfigured */
	EXPECT_EQ(-EBUSY, tls_get_conf(fd, other, &got, full));
	EXPECT_EQ(-EBUSY, tls_get_conf(fd, other, &got, 4));

	/* reading did not change anything */
	expect_conf(fd, optname, &b);
}

TEST_F(conf, set_get_tx)
{
	conf_set_get(_metadata, self->fd, variant->version, self->desc, TLS_TX,
		     TLS_RX);
}

TEST_F(conf, set_get_rx)
{
	conf_set_get(_metadata, self->fd, variant->version, self->desc, TLS_RX,
		     TLS_TX);
}

/* Both directions, different key material, each reads back its own. */
TEST_F(conf, set_both)
{
	struct crypto_buf tx, rx;

	crypto_info_fill(&tx, variant->version, variant->cipher, 1);
	crypto_info_fill(&rx, variant->version, variant->cipher, 2);
	ASSERT_EQ(0, tls_set(self->fd, TLS_TX, tx.raw, tx.len));
	ASSERT_EQ(0, tls_set(self->fd, TLS_RX, rx.raw, rx.len));
	expect_conf(self->fd, TLS_TX, &tx);
	expect_conf(self->fd, TLS_RX, &rx);
}

TEST_F(conf, set_both_rx_first)
{
	struct crypto_buf tx, rx;

	crypto_info_fill(&tx, variant->version, variant->cipher, 1);
	crypto_info_fill(&rx, variant->version, variant->cipher, 2);
	ASSERT_EQ(0, tls_set(self->fd, TLS_RX, rx.raw, rx.len));
	ASSERT_EQ(0, tls_set(self->fd, TLS_TX, tx.raw, tx.len));
	expect_conf(self->fd, TLS_TX, &tx);
	expect_conf(self->fd, TLS_RX, &rx);
}

/*
 * First set with a bad optlen:
 * "optlen < sizeof(*crypto_info)" -> -EINVAL (0, 3), or
 * "if (optlen != cipher_desc->crypto_info) rc = -EINVAL" (4, len +- 1,
 * another cipher's size).  The direction stays unconfigured (-EBUSY on
 * get, err_crypto_info wipes it), and a correct set then works.
 */
static void conf_bad_optlen(struct __test_metadata *_metadata, int fd,
			    uint16_t version, const struct cipher_desc *desc,
			    int optname)
{
	const unsigned int full = desc->len;
	unsigned int bad_lens[] = {
		0, 3, 4, 5, full - 1, full + 1, full == 40 ? 56 : 40,
	};
	struct crypto_buf b, got;
	unsigned int i;

	crypto_info_fill(&b, version, desc->type, 1);

	EXPECT_EQ(-EINVAL, tls_set(fd, optname, NULL, full));
	for (i = 0; i < ARRAY_SIZE(bad_lens); i++) {
		EXPECT_EQ(-EINVAL, tls_set(fd, optname, b.raw, bad_lens[i]))
			TH_LOG("optlen %u", bad_lens[i]);
		EXPECT_EQ(-EBUSY, tls_get_conf(fd, optname, &got, full));
	}

	ASSERT_EQ(0, tls_set(fd, optname, b.raw, b.len));
	expect_conf(fd, optname, &b);
}

TEST_F(conf, bad_optlen_tx)
{
	conf_bad_optlen(_metadata, self->fd, variant->version, self->desc,
			TLS_TX);
}

TEST_F(conf, bad_optlen_rx)
{
	conf_bad_optlen(_metadata, self->fd, variant->version, self->desc,
			TLS_RX);
}

/*
 * validate_crypto_info(): "if (TLS_CRYPTO_INFO_READY(alt_crypto_info)) {
 * if (alt_crypto_info->version != crypto_info->version ||
 * alt_crypto_info->cipher_type != crypto_info->cipher_type) return
 * -EINVAL; }".  (For ARIA with TLS 1.3 the ARIA check fires first, also
 * -EINVAL.)  The failed direction stays unconfigured, the configured one
 * is untouched, and the matching set then works.
 */
static void conf_mismatch(struct __test_metadata *_metadata, int fd,
			  uint16_t version, const struct cipher_desc *desc,
			  int first, int second)
{
	struct crypto_buf a, b, bad;
	const struct cipher_desc *d;

	crypto_info_fill(&a, version, desc->type, 1);
	crypto_info_fill(&b, version, desc->type, 2);
	ASSERT_EQ(0, tls_set(fd, first, a.raw, a.len));

	/* other version, same cipher */
	crypto_info_fill(&bad, other_version(version), desc->type, 3);
	EXPECT_EQ(-EINVAL, tls_set(fd, second, bad.raw, bad.len));
	EXPECT_EQ(-EBUSY, tls_get_conf(fd, second, &bad, bad.len));

	/* same version, other cipher (with that cipher's size) */
	crypto_info_fill(&bad, version, other_cipher(desc->type), 3);
	d = cipher_desc_get(bad.info.cipher_type);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(-EINVAL, tls_set(fd, second, bad.raw, d->len));
	EXPECT_EQ(-EBUSY, tls_get_conf(fd, second, &bad, d->len));

	/* other version and other cipher */
	crypto_info_fill(&bad, other_version(version),
			 other_cipher(desc->type), 3);
	EXPECT_EQ(-EINVAL, tls_set(fd, second, bad.raw, bad.len));
	EXPECT_EQ(-EBUSY, tls_get_conf(fd, second, &bad, bad.len));

	expect_conf(fd, first, &a);

	ASSERT_EQ(0, tls_set(fd, second, b.raw, b.len));
	expect_conf(fd, first, &a);
	expect_conf(fd, second, &b);
}

TEST_F(conf, mismatch_tx_then_rx)
{
	conf_mismatch(_metadata, self->fd, variant->version, self->desc, TLS_TX,
		      TLS_RX);
}

TEST_F(conf, mismatch_rx_then_tx)
{
	conf_mismatch(_metadata, self->fd, variant->version, self->desc, TLS_RX,
		      TLS_TX);
}

/*
 * Second set of a configured direction, do_tls_setsockopt_conf():
 * TLS 1.2: "if (TLS_CRYPTO_INFO_READY(crypto_info)) { if
 * (crypto_info->version != TLS_1_3_VERSION) return -EBUSY; ...}", checked
 * before the new crypto_info is even read (but after the NULL/short
 * optlen -EINVAL check).
 * TLS 1.3: update; "if (crypto_info->version != old_crypto_info->version
 * || crypto_info->cipher_type != old_crypto_info->cipher_type) rc =
 * -EINVAL;", then the optlen check as for a first set; a failure only
 * wipes the temporary copy, the old key stays; the same cipher rekeys.
 */
static void conf_second_set(struct __test_metadata *_metadata, int fd,
			    uint16_t version, const struct cipher_desc *desc,
			    int optname, int other)
{
	const unsigned int full = desc->len;
	struct crypto_buf k1, k2, k3, o, bad;
	const struct cipher_desc *d;

	crypto_info_fill(&k1, version, desc->type, 1);
	crypto_info_fill(&k2, version, desc->type, 2);
	crypto_info_fill(&k3, version, desc->type, 3);
	crypto_info_fill(&o, version, desc->type, 4);

	ASSERT_EQ(0, tls_set(fd, optname, k1.raw, k1.len));
	ASSERT_EQ(0, tls_set(fd, other, o.raw, o.len));

	/* NULL and short optlen are rejected before anything else */
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, NULL, full));
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, k2.raw, 3));

	if (version == TLS_1_2_VERSION) {
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, k2.raw, k2.len));
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, k1.raw, k1.len));
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, k2.raw, 4));
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, k2.raw, full + 1));
		crypto_info_fill(&bad, version, other_cipher(desc->type), 5);
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, bad.raw, bad.len));
		crypto_info_fill(&bad, 0x0302, desc->type, 5);
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, bad.raw, bad.len));
		crypto_info_fill(&bad, version, 0, 5);
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, bad.raw, bad.len));

		expect_conf(fd, optname, &k1);
		expect_conf(fd, other, &o);
		return;
	}

	/* TLS 1.3: rekey with the same version and cipher */
	EXPECT_EQ(0, tls_set(fd, optname, k2.raw, k2.len));
	expect_conf(fd, optname, &k2);
	expect_conf(fd, other, &o);

	/* other cipher, other version, bad version, no cipher */
	crypto_info_fill(&bad, version, other_cipher(desc->type), 5);
	d = cipher_desc_get(bad.info.cipher_type);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, bad.raw, d->len));
	expect_conf(fd, optname, &k2);

	crypto_info_fill(&bad, TLS_1_2_VERSION, desc->type, 5);
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, bad.raw, bad.len));
	expect_conf(fd, optname, &k2);

	crypto_info_fill(&bad, 0x0302, desc->type, 5);
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, bad.raw, bad.len));
	crypto_info_fill(&bad, version, 0, 5);
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, bad.raw, bad.len));
	crypto_info_fill(&bad, version, 50, 5);
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, bad.raw, bad.len));
	expect_conf(fd, optname, &k2);

	/* right cipher, wrong optlen: "optlen != cipher_desc->crypto_info" */
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, k3.raw, 4));
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, k3.raw, full - 1));
	EXPECT_EQ(-EINVAL, tls_set(fd, optname, k3.raw, full + 1));
	expect_conf(fd, optname, &k2);

	/* and a good one still works after all the failures */
	EXPECT_EQ(0, tls_set(fd, optname, k3.raw, k3.len));
	expect_conf(fd, optname, &k3);
	expect_conf(fd, other, &o);
}

TEST_F(conf, second_set_tx)
{
	conf_second_set(_metadata, self->fd, variant->version, self->desc,
			TLS_TX, TLS_RX);
}

TEST_F(conf, second_set_rx)
{
	conf_second_set(_metadata, self->fd, variant->version, self->desc,
			TLS_RX, TLS_TX);
}

/* Second set with only that direction configured. */
static void conf_second_set_alone(struct __test_metadata *_metadata, int fd,
				  uint16_t version,
				  const struct cipher_desc *desc, int optname,
				  int other)
{
	struct crypto_buf k1, k2, got;

	crypto_info_fill(&k1, version, desc->type, 1);
	crypto_info_fill(&k2, version, desc->type, 2);

	ASSERT_EQ(0, tls_set(fd, optname, k1.raw, k1.len));
	if (version == TLS_1_2_VERSION) {
		EXPECT_EQ(-EBUSY, tls_set(fd, optname, k2.raw, k2.len));
		expect_conf(fd, optname, &k1);
	} else {
		EXPECT_EQ(0, tls_set(fd, optname, k2.raw, k2.len));
		expect_conf(fd, optname, &k2);
	}
	EXPECT_EQ(-EBUSY, tls_get_conf(fd, other, &got, k1.len));
}

TEST_F(conf, second_set_tx_alone)
{
	conf_second_set_alone(_metadata, self->fd, variant->version, self->desc,
			      TLS_TX, TLS_RX);
}

TEST_F(conf, second_set_rx_alone)
{
	conf_second_set_alone(_metadata, self->fd, variant->version, self->desc,
			      TLS_RX, TLS_TX);
}

/*
 * TLS_RX_EXPECT_NO_PAD with only TX configured.  TLS 1.2:
 * "ctx->prot_info.version != TLS_1_3_VERSION" -> -EINVAL.  TLS 1.3:
 * set: "rc = -EINVAL; if (ctx->rx_conf == TLS_SW || ctx->rx_conf ==
 * TLS_HW) ..."; get: "value = -EINVAL; if (ctx->rx_conf == TLS_SW ||
 * ...) value = ctx->rx_no_pad; if (value < 0) return value;".
 */
TEST_F(conf, rx_no_pad_tx_only)
{
	struct crypto_buf b;
	unsigned int val;
	socklen_t len;

	crypto_info_fill(&b, variant->version, variant->cipher, 1);
	ASSERT_EQ(0, tls_set(self->fd, TLS_TX, b.raw, b.len));

	val = 1;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   &val, sizeof(val)));
	val = 0;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   &val, sizeof(val)));
	len = sizeof(val);
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
}

/*
 * TLS_RX_EXPECT_NO_PAD with RX configured.
 * TLS 1.2: "ctx->prot_info.version != TLS_1_3_VERSION" -> -EINVAL (set
 * and get).
 * TLS 1.3, do_tls_setsockopt_no_pad(): "optlen < sizeof(val)" or NULL ->
 * -EINVAL; "if (val > 1) return -EINVAL;"; "rc =
 * check_zeroed_sockptr(optval, sizeof(val), optlen - sizeof(val)); if (rc
 * < 1) return rc == 0 ? -EINVAL : rc;".  do_tls_getsockopt_no_pad(): "if
 * (len < sizeof(value)) return -EINVAL;", writes optlen = 4 and the value.
 */
TEST_F(conf, rx_no_pad)
{
	unsigned char bytes[8];
	struct crypto_buf b;
	uint32_t val, val2[2];
	socklen_t len;

	crypto_info_fill(&b, variant->version, variant->cipher, 1);
	ASSERT_EQ(0, tls_set(self->fd, TLS_RX, b.raw, b.len));

	if (variant->version == TLS_1_2_VERSION) {
		val = 1;
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
					   &val, sizeof(val)));
		val = 0;
		EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
					   &val, sizeof(val)));
		len = sizeof(val);
		EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD,
					   &val, &len));
		return;
	}

	/* default off */
	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
	EXPECT_EQ(sizeof(val), len);
	EXPECT_EQ(0, val);

	val = 1;
	EXPECT_EQ(0, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
			     &val, sizeof(val)));
	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
	EXPECT_EQ(sizeof(val), len);
	EXPECT_EQ(1, val);

	val = 2;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   &val, sizeof(val)));
	val = 0xffffffff;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   &val, sizeof(val)));
	val = 0;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD, &val, 3));
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD, &val, 0));
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   NULL, sizeof(val)));

	/* longer optlen: trailing bytes must be zero */
	val2[0] = 0;
	val2[1] = 0x100;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
				   val2, sizeof(val2)));
	memset(bytes, 0, sizeof(bytes));
	bytes[4] = 1;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD, bytes, 5));

	/* none of the failures changed it */
	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
	EXPECT_EQ(1, val);

	val2[0] = 0;
	val2[1] = 0;
	EXPECT_EQ(0, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
			     val2, sizeof(val2)));
	val = 0x55;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
	EXPECT_EQ(0, val);

	val2[0] = 1;
	val2[1] = 0;
	EXPECT_EQ(0, tls_set(self->fd, TLS_RX_EXPECT_NO_PAD,
			     val2, sizeof(val2)));

	/* get with a longer buffer: optlen written back as 4 */
	val2[0] = 0x55;
	val2[1] = 0x55;
	len = sizeof(val2);
	EXPECT_EQ(0, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, val2, &len));
	EXPECT_EQ(sizeof(val), len);
	EXPECT_EQ(1, val2[0]);
	EXPECT_EQ(0x55, val2[1]);

	len = 3;
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
	len = 0;
	EXPECT_EQ(-EINVAL, tls_get(self->fd, TLS_RX_EXPECT_NO_PAD, &val, &len));
}

/*
 * do_tls_setsockopt_tx_payload_len(): "value < TLS_MIN_RECORD_SIZE_LIM -
 * (tls_13 ? 1 : 0)" with tls_13 = "ctx->prot_info.version ==
 * TLS_1_3_VERSION"; prot_info is shared by both directions (set by
 * init_prot_info() from tls_set_sw_offload()), so either direction's key
 * selects the limit.
 */
static void conf_max_payload(struct __test_metadata *_metadata, int fd,
			     uint16_t version, const struct cipher_desc *desc,
			     int optname)
{
	uint16_t min = TLS_MIN_RECORD_SIZE_LIM -
		       (version == TLS_1_3_VERSION ? 1 : 0);
	struct crypto_buf b;
	socklen_t len;
	uint16_t val;

	crypto_info_fill(&b, version, desc->type, 1);
	ASSERT_EQ(0, tls_set(fd, optname, b.raw, b.len));

	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(TLS_MAX_PAYLOAD_SIZE, val);

	val = min;
	EXPECT_EQ(0, tls_set(fd, TLS_TX_MAX_PAYLOAD_LEN, &val, sizeof(val)));
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(min, val);

	val = min - 1;
	EXPECT_EQ(-EINVAL, tls_set(fd, TLS_TX_MAX_PAYLOAD_LEN,
				   &val, sizeof(val)));
	val = TLS_MAX_PAYLOAD_SIZE + 1;
	EXPECT_EQ(-EINVAL, tls_set(fd, TLS_TX_MAX_PAYLOAD_LEN,
				   &val, sizeof(val)));
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(min, val);

	val = TLS_MAX_PAYLOAD_SIZE;
	EXPECT_EQ(0, tls_set(fd, TLS_TX_MAX_PAYLOAD_LEN, &val, sizeof(val)));
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, tls_get(fd, TLS_TX_MAX_PAYLOAD_LEN, &val, &len));
	EXPECT_EQ(TLS_MAX_PAYLOAD_SIZE, val);
}

TEST_F(conf, max_payload_len_tx)
{
	conf_max_payload(_metadata, self->fd, variant->version, self->desc,
			 TLS_TX);
}

TEST_F(conf, max_payload_len_rx)
{
	conf_max_payload(_metadata, self->fd, variant->version, self->desc,
			 TLS_RX);
}

/* TLS_TX_ZEROCOPY_RO and TCP options keep working with keys set. */
TEST_F(conf, other_opts_configured)
{
	struct crypto_buf tx, rx;
	unsigned int zc;
	socklen_t len;
	int val;

	crypto_info_fill(&tx, variant->version, variant->cipher, 1);
	crypto_info_fill(&rx, variant->version, variant->cipher, 2);
	ASSERT_EQ(0, tls_set(self->fd, TLS_TX, tx.raw, tx.len));
	ASSERT_EQ(0, tls_set(self->fd, TLS_RX, rx.raw, rx.len));

	zc = 1;
	EXPECT_EQ(0, tls_set(self->fd, TLS_TX_ZEROCOPY_RO, &zc, sizeof(zc)));
	zc = 0x55;
	len = sizeof(zc);
	EXPECT_EQ(0, tls_get(self->fd, TLS_TX_ZEROCOPY_RO, &zc, &len));
	EXPECT_EQ(1, zc);
	zc = 2;
	EXPECT_EQ(-EINVAL, tls_set(self->fd, TLS_TX_ZEROCOPY_RO,
				   &zc, sizeof(zc)));

	val = 1;
	EXPECT_EQ(0, xsetsockopt(self->fd, IPPROTO_TCP, TCP_NODELAY,
				 &val, sizeof(val)));
	val = 0;
	len = sizeof(val);
	EXPECT_EQ(0, xgetsockopt(self->fd, IPPROTO_TCP, TCP_NODELAY,
				 &val, &len));
	EXPECT_EQ(1, val);

	EXPECT_EQ(-EEXIST, attach_tls(self->fd));

	expect_conf(self->fd, TLS_TX, &tx);
	expect_conf(self->fd, TLS_RX, &rx);
}

TEST_HARNESS_MAIN
