/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tls_rekey's SOL_TLS options beyond upstream's <linux/tls.h>: the
 * kernel-side TLS 1.3 key schedule. Userspace hands the kernel a traffic
 * secret instead of a key and IV; the kernel derives key and IV
 * (RFC 8446 section 7.3), takes received KeyUpdates itself and sends its
 * own (section 7.2). See Documentation/uapi.rst.
 *
 * The option numbers are far above upstream's (which count up from 1) so
 * that they cannot meet an upstream option.
 */
#ifndef _UAPI_LINUX_TLS_REKEY_H
#define _UAPI_LINUX_TLS_REKEY_H

#include <linux/types.h>
#include <linux/tls.h>

/* setsockopt: struct tls_secret_info, the first key of a direction. */
#define TLS_TX_SECRET		0x54520001
#define TLS_RX_SECRET		0x54520002
/* setsockopt: __u32, send a KeyUpdate now; 1: with update_requested. */
#define TLS_TX_KEY_UPDATE	0x54520003
/* getsockopt: struct tls_key_generations. */
#define TLS_KEY_GENERATIONS	0x54520004
/*
 * setsockopt, getsockopt: __u64, records a TX key seals before the kernel
 * sends a KeyUpdate by itself (at least 1; always before the record
 * sequence would wrap).
 */
#define TLS_TX_KEY_UPDATE_RECORDS	0x54520005
#define TLS_KEY_UPDATE_RECORDS_DEFAULT	(1ULL << 23)

/* The longest traffic secret: SHA-384's output. */
#define TLS_SECRET_MAX_SIZE	48

/*
 * A TLS 1.3 application traffic secret: info.version TLS_1_3_VERSION,
 * info.cipher_type a TLS 1.3 TLS_CIPHER_* (the secret is of that suite's
 * hash: 32 bytes for SHA-256 and SM3, 48 for SHA-384; the rest of secret
 * zero); rec_seq the big-endian sequence number of the next record.
 */
struct tls_secret_info {
	struct tls_crypto_info info;
	__u8 rec_seq[8];
	__u8 secret[TLS_SECRET_MAX_SIZE];
};

/* Keys each direction had after its first: rekeys and KeyUpdates. */
struct tls_key_generations {
	__u64 tx;
	__u64 rx;
};

#endif /* _UAPI_LINUX_TLS_REKEY_H */
