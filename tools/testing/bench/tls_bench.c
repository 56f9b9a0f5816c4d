// SPDX-License-Identifier: GPL-2.0
/*
 * kTLS throughput and CPU cost for whichever module provides the "tls" ULP
 * (run.sh alternates tls_rekey and tls.ko in one VM boot and prints the
 * ratios), and the same transfers over plain TCP as the control.
 *
 * tx:  a kTLS sender, a plain TCP receiver that discards the ciphertext;
 *      the sender's CPU.
 * rx:  records made beforehand by a kTLS sender are written by a plain TCP
 *      sender to a kTLS receiver; the receiver's CPU.
 * e2e: a kTLS sender to a kTLS receiver over loopback; both ends' CPU.
 * The sender runs on CPU 0, the receiver on CPU 1 (on CPU 0 too if there
 * is one). Wall time runs from the sender's start to the receiver's EOF.
 * CPU is user+system time from getrusage() of the measured process(es),
 * so the cost per byte excludes the unmeasured side.
 *
 * Usage: tls_bench [-p] [-f FILE] [-d tx|rx|e2e] RECORD_SIZE MEGABYTES
 *        tls_bench [-k EVERY] [-s] RECORD_SIZE MEGABYTES 12|13 KTLS_NS PEER_NS PEER_ADDR [rx]
 * The first form works over loopback, TLS 1.3 AES-GCM-128: the direction
 * of -d, or tx then rx without it. Send (and receive) size is RECORD_SIZE;
 * -p sets no ULP on either end (plain TCP); -f writes MEGABYTES to FILE
 * (on tmpfs) and sends it with sendfile() (tx and e2e; removed afterwards).
 * The second form measures TX only (TLS 1.2 or 1.3), the kTLS sender in
 * network namespace KTLS_NS and the receiver in PEER_NS on PEER_ADDR (as
 * `ip netns` names them), e.g. across the simulated TLS-offload NIC; with
 * rx it measures RX only, the kTLS receiver in KTLS_NS listening on
 * PEER_ADDR and the plain sender of the records in PEER_NS. -k (TLS 1.3):
 * the kTLS sender sends a KeyUpdate after every EVERY records and moves
 * to the next key (TLS_TX), the kTLS receiver takes each KeyUpdate with
 * TLS_RX, as a TLS library does (the line adds rekeys=N). -s (TLS 1.3,
 * tls_rekey): the kernel's key schedule instead (rust/uapi/tls_rekey.h):
 * both ends keyed by TLS_TX_SECRET/TLS_RX_SECRET, the KeyUpdates sent with
 * TLS_TX_KEY_UPDATE and taken by the receiving kernel, rekeys=N read from
 * TLS_KEY_GENERATIONS (the line adds schedule=kernel).
 * Output: one line per direction (e2e adds each end's CPU per byte):
 *   tx|rx|e2e record=N|sendfile bytes=N wall_s=F mb_s=F cpu_ns_per_byte=F
 *	rcvbuf=N rcvbuf_initial=N [tx_cpu_ns_per_byte=F rx_cpu_ns_per_byte=F]
 * where MB is 10^6 bytes, rcvbuf is the receiving socket's SO_RCVBUF at
 * EOF (what TCP's receive-buffer autotuning grew it to) and rcvbuf_initial
 * the one it started with (net.ipv4.tcp_rmem's default, as the program's
 * own network namespace has it).
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
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tls_rekey.h"

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
static int plain_tcp;
static unsigned long rekey_every;	/* -k: records per key */
static int kernel_schedule;		/* -s */

/* The first key of @dir from a traffic secret (-s). */
static void ktls_secret(int fd, int dir)
{
	struct tls_secret_info si = {
		.info.version = TLS_1_3_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	memset(si.secret, 0x44, 32);	/* SHA-256 */
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(fd, SOL_TLS, dir == TLS_TX ? TLS_TX_SECRET : TLS_RX_SECRET,
		       &si, sizeof(si)))
		die("ktls secret setsockopt");
}

/* The key of generation @gen (0: the first, with the ULP) for @dir. */
static void ktls_key(int fd, int dir, int gen)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = tls_version,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	if (plain_tcp)
		return;
	if (kernel_schedule) {
		ktls_secret(fd, dir);
		return;
	}
	memset(ci.key, 0x11 + gen, sizeof(ci.key));
	memset(ci.iv, 0x22 + gen, sizeof(ci.iv));
	memset(ci.salt, 0x33 + gen, sizeof(ci.salt));
	if ((!gen && setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls"))) ||
	    setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci)))
		die("ktls setsockopt");
}

static void ktls(int fd, int dir)
{
	ktls_key(fd, dir, 0);
}

#define HANDSHAKE 22

/* A KeyUpdate (update_not_requested) on @fd, then its next key. */
static void key_update(int fd, int *gen)
{
	static const unsigned char ku[] = { 24, 0, 0, 1, 0 };
	unsigned int requested = 0;
	char buf[CMSG_SPACE(1)] = {};
	struct iovec iov = { (void *)ku, sizeof(ku) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_TLS;
	c->cmsg_type = TLS_SET_RECORD_TYPE;
	c->cmsg_len = CMSG_LEN(1);
	*CMSG_DATA(c) = HANDSHAKE;
	if (kernel_schedule) {
		if (setsockopt(fd, SOL_TLS, TLS_TX_KEY_UPDATE, &requested,
			       sizeof(requested)))
			die("TLS_TX_KEY_UPDATE");
		++*gen;
		return;
	}
	if (sendmsg(fd, &m, 0) != sizeof(ku))
		die("KeyUpdate");
	ktls_key(fd, TLS_TX, ++*gen);
}

/*
 * Run on CPU @cpu (modulo the CPUs there are): the sender on 0, the
 * receiver on 1, so the scheduler moving them adds no noise.
 */
static void pin(int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(n > 0 ? cpu % n : 0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
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

/*
 * Sends @len bytes of @buf in @chunk sends; @tls: a kTLS sender (with -k,
 * a KeyUpdate after every so many).
 */
static void send_all(int fd, const char *buf, size_t len, size_t chunk,
		     int tls)
{
	unsigned long records = 0;
	size_t part = 0;
	int gen = 0;

	while (len) {
		size_t want = len < chunk - part ? len : chunk - part;
		ssize_t n = send(fd, buf, want, 0);

		if (n <= 0)
			die("send");
		buf += n;
		len -= n;
		part += n;
		if (part < chunk && len)
			continue;
		part = 0;
		if (tls && rekey_every && ++records % rekey_every == 0 && len)
			key_update(fd, &gen);
	}
}

static void sendfile_all(int fd, int file, size_t len)
{
	off_t off = 0;

	while (len) {
		ssize_t n = sendfile(fd, file, &off, len);

		if (n <= 0)
			die("sendfile");
		len -= n;
	}
}

static int rekeys;

/*
 * recv() of a kTLS receiver with -k: a KeyUpdate record is taken with the
 * next key (TLS_RX) and counted in rekeys.
 */
static ssize_t recv_rekeying(int fd, char *dst, size_t len)
{
	for (;;) {
		char buf[CMSG_SPACE(1)];
		struct iovec iov = { dst, len };
		struct msghdr m = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = buf, .msg_controllen = sizeof(buf),
		};
		struct cmsghdr *c;
		ssize_t n = recvmsg(fd, &m, 0);

		c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
		if (!c || c->cmsg_level != SOL_TLS ||
		    c->cmsg_type != TLS_GET_RECORD_TYPE ||
		    *CMSG_DATA(c) != HANDSHAKE)
			return n;
		ktls_key(fd, TLS_RX, ++rekeys);
	}
}

/*
 * Read until EOF into @out (if any); returns the bytes read. @tls: a kTLS
 * receiver (which takes KeyUpdates with -k).
 */
static size_t recv_all(int fd, char *out, size_t cap, size_t chunk, int tls)
{
	static char scratch[1 << 16];
	size_t total = 0;

	for (;;) {
		char *dst = out ? out + total : scratch;
		size_t room = out ? cap - total : sizeof(scratch);
		size_t want = room < chunk ? room : chunk;
		ssize_t n = tls && rekey_every && !kernel_schedule ?
			    recv_rekeying(fd, dst, want) :
			    recv(fd, dst, want, 0);

		if (n < 0)
			die("recv");
		if (n == 0)
			return total;
		total += n;
		if (out && total == cap)
			return total;
	}
}

/* A MEGABYTES file at @path (tmpfs) of the plaintext, open for reading. */
static int make_file(const char *path, const char *plain, size_t bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	size_t done = 0;

	if (fd < 0)
		die("open file");
	while (done < bytes) {
		ssize_t n = write(fd, plain + done, bytes - done);

		if (n <= 0)
			die("write file");
		done += n;
	}
	return fd;
}

static const char *record_name;

/* A new TCP socket's receive buffer: net.ipv4.tcp_rmem's default; -1 if unread. */
static int rcvbuf_initial(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_rmem", "r");
	int min, def = -1;

	if (f) {
		if (fscanf(f, "%d %d", &min, &def) != 2)
			def = -1;
		fclose(f);
	}
	return def;
}

static void report(const char *dir, size_t bytes, double wall, double cpu_s,
		   int rcvbuf)
{
	printf("%s record=%s bytes=%zu wall_s=%.3f mb_s=%.1f cpu_ns_per_byte=%.2f"
	       " rcvbuf=%d rcvbuf_initial=%d",
	       dir, record_name, bytes, wall, bytes / wall / 1e6,
	       cpu_s * 1e9 / bytes, rcvbuf, rcvbuf_initial());
	if (rekey_every)
		printf(" rekey_every=%lu", rekey_every);
	if (rekeys)
		printf(" rekeys=%d", rekeys);
	if (kernel_schedule)
		printf(" schedule=kernel");
}

/*
 * Send @bytes of @plain (or of @file, with sendfile()) from @a in @rec
 * sends, once a byte arrives on @go (if not negative); the sender's CPU
 * seconds go to @cpu_fd (if not negative); @tls: @a is a kTLS socket. A
 * child process.
 */
static void sender(int a, int b, const char *plain, int file, size_t bytes,
		   size_t rec, int go, int cpu_fd, int tls)
{
	double c0;
	char c;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid) {
		close(a);
		return;
	}
	close(b);
	pin(0);
	if (go >= 0 && read(go, &c, 1) != 1)
		die("go");
	c0 = cpu();
	if (file >= 0)
		sendfile_all(a, file, bytes);
	else
		send_all(a, plain, bytes, rec, tls);
	c0 = cpu() - c0;
	if (cpu_fd >= 0 && write(cpu_fd, &c0, sizeof(c0)) != sizeof(c0))
		die("cpu pipe");
	close(a);
	_exit(0);
}

#define CPU_TX 1
#define CPU_RX 2

/*
 * The receiving end @b of a sender(): start it through @go, read to EOF in
 * @chunk reads and report @bytes of plaintext as @dir, timed from the
 * start to EOF, with the CPU of the ends in @sides (the sender's from
 * @cpu_fd). A tx receiver discards ciphertext; others check the length.
 */
static void receiver(int b, size_t bytes, size_t chunk, const char *dir,
		     int sides, int go, int cpu_fd)
{
	double t0, rx_cpu, wall, tx_cpu = 0;
	socklen_t rl = sizeof(int);
	int rcvbuf = -1;
	size_t got;

	pin(1);
	t0 = now();
	rx_cpu = cpu();
	if (write(go, "g", 1) != 1)
		die("go");
	got = recv_all(b, NULL, 0, chunk, strcmp(dir, "tx"));
	wall = now() - t0;
	rx_cpu = cpu() - rx_cpu;
	if (read(cpu_fd, &tx_cpu, sizeof(tx_cpu)) != sizeof(tx_cpu))
		die("cpu pipe");
	if (kernel_schedule && strcmp(dir, "tx")) {
		struct tls_key_generations g;
		socklen_t l = sizeof(g);

		if (getsockopt(b, SOL_TLS, TLS_KEY_GENERATIONS, &g, &l))
			die("TLS_KEY_GENERATIONS");
		rekeys = g.rx;
	}
	if (getsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rl))
		die("SO_RCVBUF");
	close(b);
	wait(NULL);
	if (strcmp(dir, "tx") && got != bytes)
		die("recv: short");
	report(dir, bytes, wall, (sides & CPU_TX ? tx_cpu : 0) +
	       (sides & CPU_RX ? rx_cpu : 0), rcvbuf);
	if (sides == (CPU_TX | CPU_RX))
		printf(" tx_cpu_ns_per_byte=%.2f rx_cpu_ns_per_byte=%.2f",
		       tx_cpu * 1e9 / bytes, rx_cpu * 1e9 / bytes);
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *path = NULL, *kns = NULL, *pns = NULL;
	const char *addr = "127.0.0.1", *prog = argv[0];
	int a, b, go[2], cpu_pipe[2], file = -1, opt;
	size_t rec, bytes, wire_cap, wire_len;
	char *plain, *wire = NULL;

	while ((opt = getopt(argc, argv, "pf:d:k:s")) != -1) {
		switch (opt) {
		case 's':
			kernel_schedule = 1;
			break;
		case 'k':
			rekey_every = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			plain_tcp = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			goto usage;
		}
	}
	argv += optind - 1;
	argc -= optind - 1;
	if (argc == 7 || (argc == 8 && !strcmp(argv[7], "rx"))) {
		if (plain_tcp || path || dir)
			goto usage;
		tls_version = atoi(argv[3]) == 12 ? TLS_1_2_VERSION : TLS_1_3_VERSION;
		if ((rekey_every || kernel_schedule) &&
		    tls_version != TLS_1_3_VERSION)
			goto usage;
		kns = argv[4];
		pns = argv[5];
		addr = argv[6];
		dir = argc == 8 ? "rx" : "tx";
	} else if (argc != 3 || rekey_every || kernel_schedule ||
		   (dir && strcmp(dir, "tx") &&
				 strcmp(dir, "rx") && strcmp(dir, "e2e")) ||
		   (path && (!dir || !strcmp(dir, "rx")))) {
		goto usage;
	}
	rec = strtoul(argv[1], NULL, 0);
	bytes = strtoul(argv[2], NULL, 0) << 20;
	record_name = path ? "sendfile" : argv[1];
	plain = malloc(bytes);
	if (!plain || !bytes || !rec || rec > 16384)
		die("setup");
	memset(plain, 0x5a, bytes);
	if (path) {
		file = make_file(path, plain, bytes);
		rec = 16384;
	}
	if (pipe(go) || pipe(cpu_pipe))
		die("pipe");

	if (!dir || !strcmp(dir, "tx")) {
		/* The kTLS sender's CPU; the receiver discards. */
		tcp_pair(kns, pns, addr, &a, &b);
		ktls(a, TLS_TX);
		sender(a, b, plain, file, bytes, rec, go[0], cpu_pipe[1], 1);
		receiver(b, bytes, 1 << 16, "tx", CPU_TX, go[1], cpu_pipe[0]);
	}
	if (!dir || !strcmp(dir, "rx")) {
		/* Records made beforehand: kTLS sender, plain receiver. */
		wire_cap = bytes + (bytes / rec + 1) * 64;
		wire = plain_tcp ? plain : malloc(wire_cap);
		wire_len = bytes;
		if (!wire)
			die("setup");
		if (!plain_tcp) {
			tcp_pair(NULL, NULL, "127.0.0.1", &a, &b);
			ktls(a, TLS_TX);
			sender(a, b, plain, -1, bytes, rec, -1, -1, 1);
			wire_len = recv_all(b, wire, wire_cap, 1 << 16, 0);
			close(b);
			wait(NULL);
		}
		/* The kTLS receiver's CPU; a plain sender of the records. */
		tcp_pair(pns, kns, addr, &a, &b);
		ktls(b, TLS_RX);
		sender(a, b, wire, -1, wire_len, 1 << 16, go[0], cpu_pipe[1], 0);
		receiver(b, bytes, rec, "rx", CPU_RX, go[1], cpu_pipe[0]);
	}
	if (dir && !strcmp(dir, "e2e")) {
		tcp_pair(NULL, NULL, "127.0.0.1", &a, &b);
		ktls(a, TLS_TX);
		ktls(b, TLS_RX);
		sender(a, b, plain, file, bytes, rec, go[0], cpu_pipe[1], 1);
		receiver(b, bytes, rec, "e2e", CPU_TX | CPU_RX, go[1], cpu_pipe[0]);
	}
	if (path)
		unlink(path);
	return 0;

usage:
	fprintf(stderr, "usage: %s [-p] [-f FILE] [-d tx|rx|e2e] RECORD_SIZE MEGABYTES\n"
		"       %s [-k EVERY] [-s] RECORD_SIZE MEGABYTES 12|13 KTLS_NS PEER_NS PEER_ADDR [rx]\n",
		prog, prog);
	return 2;
}
