// SPDX-License-Identifier: GPL-2.0
/*
 * kTLS throughput and CPU cost, TX and RX separately, for whichever module
 * provides the "tls" ULP (run.sh runs it for tls_rekey and tls.ko in the
 * same VM boot and prints the ratios).
 *
 * TX: a kTLS sender, a plain TCP receiver that discards the ciphertext.
 * RX: records made beforehand by a kTLS sender are written by a plain TCP
 *     sender to a kTLS receiver.
 * CPU is the measured side's user+system time (getrusage), so the cost per
 * byte excludes the other side.
 *
 * Usage: tls_bench RECORD_SIZE MEGABYTES
 *        tls_bench RECORD_SIZE MEGABYTES 12|13 KTLS_NS PEER_NS PEER_ADDR [rx]
 * The second form measures TX only (TLS 1.2 or 1.3), the kTLS sender in
 * network namespace KTLS_NS and the receiver in PEER_NS on PEER_ADDR (as
 * `ip netns` names them), e.g. across the simulated TLS-offload NIC; with
 * rx it measures RX only, the kTLS receiver in KTLS_NS listening on
 * PEER_ADDR and the plain sender of the records in PEER_NS.
 * Output: one line per direction:
 *   tx|rx record=N bytes=N wall_s=F mbps=F cpu_ns_per_byte=F
 */
#define _GNU_SOURCE		/* setns() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * A TCP socket in network namespace @ns, as `ip netns` names it, or in the
 * caller's if @ns is NULL.
 */
static int socket_in(const char *ns)
{
	int own, fd, nsfd;
	char path[256];

	if (!ns)
		return socket(AF_INET, SOCK_STREAM, 0);
	own = open("/proc/thread-self/ns/net", O_RDONLY);
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY);
	if (own < 0 || nsfd < 0 || setns(nsfd, CLONE_NEWNET))
		die("setns");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (setns(own, CLONE_NEWNET))
		die("setns back");
	close(nsfd);
	close(own);
	return fd;
}

/*
 * *@a in @kns connected to *@b in @pns, which listened on @addr (NULL
 * namespaces: the caller's).
 */
static void tcp_pair(const char *kns, const char *pns, const char *addr,
		       int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l = socket_in(pns);

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    bind(l, (void *)&sa, len) || listen(l, 1) ||
	    getsockname(l, (void *)&sa, &len))
		die("listen");
	*a = socket_in(kns);
	if (connect(*a, (void *)&sa, len))
		die("connect");
	*b = accept(l, NULL, NULL);
	if (*b < 0)
		die("accept");
	close(l);
}

static int tls_version = TLS_1_3_VERSION;

static void ktls(int fd, int dir)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = tls_version,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	memset(ci.key, 0x11, sizeof(ci.key));
	memset(ci.iv, 0x22, sizeof(ci.iv));
	memset(ci.salt, 0x33, sizeof(ci.salt));
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci)))
		die("ktls setsockopt");
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return r.ru_utime.tv_sec + r.ru_stime.tv_sec +
	       (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static void send_all(int fd, const char *buf, size_t len, size_t chunk)
{
	while (len) {
		ssize_t n = send(fd, buf, len < chunk ? len : chunk, 0);

		if (n <= 0)
			die("send");
		buf += n;
		len -= n;
	}
}

/* Read until EOF into @out (if any); returns the bytes read. */
static size_t recv_all(int fd, char *out, size_t cap, size_t chunk)
{
	static char scratch[1 << 16];
	size_t total = 0;

	for (;;) {
		char *dst = out ? out + total : scratch;
		size_t room = out ? cap - total : sizeof(scratch);
		ssize_t n = recv(fd, dst, room < chunk ? room : chunk, 0);

		if (n < 0)
			die("recv");
		if (n == 0)
			return total;
		total += n;
		if (out && total == cap)
			return total;
	}
}

static void report(const char *dir, size_t rec, size_t bytes, double wall,
		   double cpu_s)
{
	printf("%s record=%zu bytes=%zu wall_s=%.3f mbps=%.1f cpu_ns_per_byte=%.2f\n",
	       dir, rec, bytes, wall, bytes * 8 / wall / 1e6, cpu_s * 1e9 / bytes);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	size_t rec, bytes, wire_cap, wire_len;
	char *plain, *wire;
	double t0, c0;
	int a, b;

	int across = argc >= 7, rx_only = argc == 8 && !strcmp(argv[7], "rx");

	if (argc != 3 && argc != 7 && !rx_only)
		return fprintf(stderr, "usage: %s RECORD_SIZE MEGABYTES [12|13 KTLS_NS PEER_NS PEER_ADDR [rx]]\n",
			       argv[0]), 2;
	rec = strtoul(argv[1], NULL, 0);
	bytes = strtoul(argv[2], NULL, 0) << 20;
	plain = malloc(bytes);
	wire_cap = bytes + (bytes / rec + 1) * 64;
	wire = malloc(wire_cap);
	if (!plain || !wire || !rec || rec > 16384)
		die("setup");
	memset(plain, 0x5a, bytes);

	if (across)
		tls_version = atoi(argv[3]) == 12 ? TLS_1_2_VERSION : TLS_1_3_VERSION;
	if (across && !rx_only) {
		tcp_pair(argv[4], argv[5], argv[6], &a, &b);
	} else {
		tcp_pair(NULL, NULL, "127.0.0.1", &a, &b);
	}
	/* TX: time the kTLS sender; keep its records for the RX run. */
	ktls(a, TLS_TX);
	if (fork() == 0) {
		close(b);
		t0 = now();
		c0 = cpu();
		send_all(a, plain, bytes, rec);
		if (!rx_only)
			report("tx", rec, bytes, now() - t0, cpu() - c0);
		close(a);
		_exit(0);
	}
	close(a);
	wire_len = recv_all(b, wire, wire_cap, 1 << 16);
	close(b);
	wait(NULL);
	if (across && !rx_only)
		return 0;

	/* RX: time the kTLS receiver of the same records. */
	if (rx_only)
		tcp_pair(argv[5], argv[4], argv[6], &a, &b);
	else
		tcp_pair(NULL, NULL, "127.0.0.1", &a, &b);
	ktls(b, TLS_RX);
	if (fork() == 0) {
		close(b);
		send_all(a, wire, wire_len, 1 << 16);
		close(a);
		_exit(0);
	}
	close(a);
	t0 = now();
	c0 = cpu();
	if (recv_all(b, NULL, 0, rec) != bytes)
		die("rx: short");
	report("rx", rec, bytes, now() - t0, cpu() - c0);
	close(b);
	wait(NULL);
	return 0;
}
