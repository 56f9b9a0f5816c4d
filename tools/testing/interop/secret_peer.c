// SPDX-License-Identifier: GPL-2.0
/*
 * A TLS 1.3 peer of the kernel's key schedule: the handshake with libssl,
 * the application traffic secrets from OpenSSL's keylog callback handed
 * to the kernel (TLS_TX_SECRET, TLS_RX_SECRET), then data through kTLS
 * alone, KeyUpdates both ways taken and answered by the kernel.
 *
 *   secret_peer client HOST PORT echo|drive N
 *   secret_peer server PORT CERT KEY echo
 *
 * echo: every data byte read goes back (the other end, a stock
 * s_server or s_client, types lines and KeyUpdate commands); ends at the
 * other end's close_notify or EOF. drive: N lines sent, each read back
 * from an echoing server (gnutls-serv --echo) and compared, with a
 * TLS_TX_KEY_UPDATE (update_requested) after every third line, 0.2 s
 * apart (GnuTLS takes at most eight KeyUpdates a second). At the end
 * it prints "generations tx T rx R lines L bytes B" (TLS_KEY_GENERATIONS)
 * and exits 0, or prints what went wrong and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls_rekey.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static struct {
	unsigned char client[TLS_SECRET_MAX_SIZE];
	unsigned char server[TLS_SECRET_MAX_SIZE];
	size_t len;
	int have;
} secrets;

static void die(const char *what)
{
	fprintf(stderr, "secret_peer: %s: %s\n", what, strerror(errno));
	ERR_print_errors_fp(stderr);
	exit(1);
}

static int hex_to(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;

	while (hex[0] && hex[1] && hex[0] != '\n' && n < max) {
		unsigned int b;

		if (sscanf(hex, "%2x", &b) != 1)
			return -1;
		out[n++] = b;
		hex += 2;
	}
	return n;
}

/* NSS key log lines: "LABEL <client_random> <secret>". */
static void keylog(const SSL *ssl, const char *line)
{
	const char *sp = strchr(line, ' ');
	unsigned char *dst = NULL;
	int n;

	(void)ssl;
	if (!strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24))
		dst = secrets.client;
	else if (!strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24))
		dst = secrets.server;
	if (!dst || !sp || !(sp = strchr(sp + 1, ' ')))
		return;
	n = hex_to(sp + 1, dst, TLS_SECRET_MAX_SIZE);
	if (n > 0) {
		secrets.len = n;
		secrets.have |= dst == secrets.client ? 1 : 2;
	}
}

static int cipher_of(const SSL *ssl)
{
	switch (SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(ssl))) {
	case 0x1301:
		return TLS_CIPHER_AES_GCM_128;
	case 0x1302:
		return TLS_CIPHER_AES_GCM_256;
	case 0x1303:
		return TLS_CIPHER_CHACHA20_POLY1305;
	case 0x1304:
		return TLS_CIPHER_AES_CCM_128;
	}
	return -1;
}

/* The kernel takes over: TX and RX from the secrets, sequence 0 each. */
static void to_kernel(int fd, SSL *ssl, int is_server)
{
	struct tls_secret_info tx = { 0 }, rx;
	int cipher = cipher_of(ssl);

	if (cipher < 0 || secrets.have != 3 || SSL_pending(ssl) ||
	    SSL_has_pending(ssl)) {
		fprintf(stderr, "secret_peer: cannot hand over (cipher %d, secrets %d, pending %d)\n",
			cipher, secrets.have, SSL_has_pending(ssl));
		exit(1);
	}
	tx.info.version = TLS_1_3_VERSION;
	tx.info.cipher_type = cipher;
	rx = tx;
	memcpy(tx.secret, is_server ? secrets.server : secrets.client, secrets.len);
	memcpy(rx.secret, is_server ? secrets.client : secrets.server, secrets.len);
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")))
		die("TCP_ULP");
	if (setsockopt(fd, SOL_TLS, TLS_TX_SECRET, &tx, sizeof(tx)))
		die("TLS_TX_SECRET");
	if (setsockopt(fd, SOL_TLS, TLS_RX_SECRET, &rx, sizeof(rx)))
		die("TLS_RX_SECRET");
	explicit_bzero(&tx, sizeof(tx));
	explicit_bzero(&rx, sizeof(rx));
	explicit_bzero(&secrets, sizeof(secrets));
}

/*
 * One record's worth of data: the byte count, 0 at the other end's
 * close_notify alert or EOF. Other handshake records (tickets) are
 * skipped.
 */
static ssize_t read_data(int fd, char *buf, size_t len)
{
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(unsigned char))];
		struct iovec iov = { buf, len };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *c;
		unsigned char type = 23;
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n < 0)
			die("recvmsg");
		c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_level == SOL_TLS &&
		    c->cmsg_type == TLS_GET_RECORD_TYPE)
			type = *CMSG_DATA(c);
		if (n == 0 || type == 21)
			return 0;
		if (type == 23)
			return n;
	}
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, 0);

		if (n < 0)
			die("send");
		buf += n;
		len -= n;
	}
}

static void report(int fd, unsigned long lines, unsigned long bytes)
{
	struct tls_key_generations g;
	socklen_t len = sizeof(g);

	if (getsockopt(fd, SOL_TLS, TLS_KEY_GENERATIONS, &g, &len))
		die("TLS_KEY_GENERATIONS");
	printf("generations tx %llu rx %llu lines %lu bytes %lu\n",
	       (unsigned long long)g.tx, (unsigned long long)g.rx, lines, bytes);
}

static void echo(int fd)
{
	unsigned long bytes = 0, lines = 0;
	char buf[16384];
	ssize_t n;

	while ((n = read_data(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		write_all(fd, buf, n);
		bytes += n;
	}
	report(fd, lines, bytes);
}

static void drive(int fd, unsigned long count)
{
	unsigned long bytes = 0;
	char line[128], back[128];

	for (unsigned long i = 0; i < count; i++) {
		size_t len = snprintf(line, sizeof(line), "line %lu of %lu %08lx\n",
				      i, count, (unsigned long)random());
		size_t got = 0;

		write_all(fd, line, len);
		while (got < len) {
			ssize_t n = read_data(fd, back + got, len - got);

			if (n <= 0) {
				fprintf(stderr, "secret_peer: EOF at line %lu\n", i);
				exit(1);
			}
			got += n;
		}
		if (memcmp(line, back, len)) {
			fprintf(stderr, "secret_peer: line %lu came back as %.*s", i,
				(int)len, back);
			exit(1);
		}
		bytes += len;
		if (i % 3 == 2) {
			unsigned int requested = 1;

			if (setsockopt(fd, SOL_TLS, TLS_TX_KEY_UPDATE, &requested,
				       sizeof(requested)))
				die("TLS_TX_KEY_UPDATE");
			/* GnuTLS takes at most eight KeyUpdates a second. */
			usleep(200000);
		}
	}
	report(fd, count, bytes);
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int fd;

	if (getaddrinfo(host, port, &hints, &ai))
		die("getaddrinfo");
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen))
		die("connect");
	freeaddrinfo(ai);
	return fd;
}

static int accept_on(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(atoi(port)) };
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0), fd;

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
		die("listen");
	printf("listening\n");
	fflush(stdout);
	fd = accept(l, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(l);
	return fd;
}

int main(int argc, char **argv)
{
	int is_server = argc == 6 && !strcmp(argv[1], "server");
	const char *mode = argv[argc - 2 + is_server];
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;

	if (!is_server && (argc != 6 || strcmp(argv[1], "client"))) {
		fprintf(stderr, "usage: %s client HOST PORT echo|drive N\n"
			"       %s server PORT CERT KEY echo\n", argv[0], argv[0]);
		return 2;
	}
	ctx = SSL_CTX_new(is_server ? TLS_server_method() : TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION))
		die("SSL_CTX_new");
	SSL_CTX_set_keylog_callback(ctx, keylog);
	if (is_server) {
		/* No tickets: the first record under the kernel is record 0. */
		SSL_CTX_set_num_tickets(ctx, 0);
		if (SSL_CTX_use_certificate_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1)
			die("certificate");
		fd = accept_on(argv[2]);
	} else {
		fd = connect_to(argv[2], argv[3]);
	}
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd))
		die("SSL_new");
	if ((is_server ? SSL_accept(ssl) : SSL_connect(ssl)) != 1)
		die("handshake");
	to_kernel(fd, ssl, is_server);
	printf("kernel keys from %s\n", SSL_get_cipher_name(ssl));
	fflush(stdout);
	if (!strcmp(mode, "drive"))
		drive(fd, strtoul(argv[5], NULL, 0));
	else
		echo(fd);
	/* The TLS session is the kernel's now: no SSL_shutdown. */
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}
