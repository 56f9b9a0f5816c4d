// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel memory per kTLS socket pair, for whichever module provides the
 * "tls" ULP (run.sh runs it for tls_rekey and tls.ko in the same VM boot).
 *
 * PAIRS connected loopback TCP pairs, each end with TLS_TX and TLS_RX
 * (TLS 1.3 AES-GCM-128). Memory is read from /proc/meminfo after dropping
 * caches: before the sockets exist, once they are set up (idle), and after
 * one 16 KiB record each way was sent, read and acknowledged (busy: what a
 * socket keeps once traffic stops).
 *
 * Usage: tls_mem PAIRS
 * Output: one line per state:
 *   mem state=idle|busy pairs=N kib_per_pair=F slab_kib_per_pair=F
 */
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define RECORD 16384

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * Free memory and Slab in KiB, after dropping caches: MemFree of
 * /proc/meminfo plus the pages waiting on the per-CPU free lists
 * (/proc/zoneinfo's pageset counts), which MemFree leaves out and which
 * move by megabytes from one reading to the next.
 */
static void meminfo(long *free_kib, long *slab_kib)
{
	long pcp, pages = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (!f || fputs("3\n", f) < 0 || fclose(f))
		die("drop_caches");
	usleep(200 * 1000);
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %ld kB", free_kib);
		sscanf(line, "Slab: %ld kB", slab_kib);
	}
	fclose(f);
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		die("/proc/zoneinfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &pcp) == 1)
			pages += pcp;
	fclose(f);
	*free_kib += pages * (sysconf(_SC_PAGESIZE) / 1024);
}

static void tls_both(int fd, int side)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_3_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		die("TCP_ULP");
	/* Each direction its own key: the two ends mirror each other. */
	memset(ci.key, side ? 2 : 1, sizeof(ci.key));
	if (setsockopt(fd, SOL_TLS, TLS_TX, &ci, sizeof(ci)))
		die("TLS_TX");
	memset(ci.key, side ? 1 : 2, sizeof(ci.key));
	if (setsockopt(fd, SOL_TLS, TLS_RX, &ci, sizeof(ci)))
		die("TLS_RX");
}

static void read_full(int fd, char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = read(fd, buf, len);
		if (n <= 0)
			die("read");
		buf += n;
		len -= n;
	}
}

/* Until TCP has no unacknowledged byte on any of the @n sockets. */
static void wait_acked(const int *fds, int n)
{
	int i, unacked, waited;

	for (waited = 0; waited < 500; waited++) {
		for (i = 0; i < n; i++) {
			if (ioctl(fds[i], SIOCOUTQ, &unacked))
				die("SIOCOUTQ");
			if (unacked)
				break;
		}
		if (i == n)
			return;
		usleep(10 * 1000);
	}
	fprintf(stderr, "data still unacknowledged after 5 s\n");
	exit(1);
}

static void report(const char *state, int pairs, long free0, long slab0)
{
	long free_kib, slab_kib;

	meminfo(&free_kib, &slab_kib);
	printf("mem state=%s pairs=%d kib_per_pair=%.1f slab_kib_per_pair=%.1f\n",
	       state, pairs, (double)(free0 - free_kib) / pairs,
	       (double)(slab_kib - slab0) / pairs);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	long free0, slab0;
	int pairs, lfd, i, *fds;
	struct rlimit rl;
	static char buf[RECORD];

	if (argc != 2 || (pairs = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: %s PAIRS\n", argv[0]);
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	fds = calloc(2 * pairs, sizeof(*fds));
	if (!fds)
		die("calloc");
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 128) || getsockname(lfd, (struct sockaddr *)&addr, &alen))
		die("listen");

	meminfo(&free0, &slab0);
	for (i = 0; i < pairs; i++) {
		fds[2 * i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[2 * i] < 0 ||
		    connect(fds[2 * i], (struct sockaddr *)&addr, sizeof(addr)))
			die("connect");
		fds[2 * i + 1] = accept(lfd, NULL, NULL);
		if (fds[2 * i + 1] < 0)
			die("accept");
		tls_both(fds[2 * i], 0);
		tls_both(fds[2 * i + 1], 1);
	}
	report("idle", pairs, free0, slab0);

	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < 2 * pairs; i++)
		if (write(fds[i], buf, sizeof(buf)) != sizeof(buf))
			die("write");
	for (i = 0; i < 2 * pairs; i++)
		read_full(fds[i], buf, sizeof(buf));
	wait_acked(fds, 2 * pairs);
	report("busy", pairs, free0, slab0);

	for (i = 0; i < 2 * pairs; i++)
		close(fds[i]);
	close(lfd);
	return 0;
}
