// SPDX-License-Identifier: GPL-2.0
/*
 * filetypes_test.c - the file types people watch, through both backends:
 * TCP and UDP over loopback, unix stream/dgram/seqpacket, pipes and FIFOs,
 * eventfd (incl. EFD_SEMAPHORE), timerfd, signalfd, a pty pair, nested
 * instances (same and other backend), inotify, pidfd, POSIX mqueue, netlink.
 * Events produced asynchronously (softirq, workqueue, timers) are waited for
 * with generous timeouts.
 */
#include "backend.h"
#include "util.h"
#include <mqueue.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "kselftest_harness.h"

#define LONG_MS 5000	/* wait bound for asynchronous events */

FIXTURE(ft) {
	int ep;
};
BACKEND_VARIANTS(ft);

FIXTURE_SETUP(ft)
{
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
}

FIXTURE_TEARDOWN(ft)
{
	if (self->ep >= 0)
		close(self->ep);
}

/* ---- TCP ------------------------------------------------------------------------------ */

static int tcp_listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0)
		return -1;
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)addr, sizeof(*addr)) || listen(l, 8) ||
	    getsockname(l, (struct sockaddr *)addr, &len)) {
		close(l);
		return -1;
	}
	return l;
}

/* connected TCP pair over loopback: *c client, *a accepted; listener returned */
static int tcp_pair(int *c, int *a)
{
	struct sockaddr_in addr;
	int l = tcp_listener(&addr);

	if (l < 0)
		return -1;
	*c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&addr, sizeof(addr)))
		return -1;
	*a = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (*a < 0)
		return -1;
	set_nonblock(*c);
	return l;
}

/* listen socket l (IN): nothing before a connect, IN after */
TEST_F(ft, tcp_listen_readable_on_connect)
{
	struct sockaddr_in addr;
	struct epoll_event ev;
	int l = tcp_listener(&addr), c;

	ASSERT_GE(l, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, l, EPOLLIN, 1));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(1, ev.data.u64);
	close(c);
	close(l);
}

/* connected pair: both ends OUT, neither IN */
TEST_F(ft, tcp_connected_pair_writable)
{
	struct epoll_event evs[2];
	int c, a, l = tcp_pair(&c, &a);

	ASSERT_GE(l, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, c, EPOLLIN | EPOLLOUT, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, a, EPOLLIN | EPOLLOUT, 2));
	ASSERT_EQ(2, B->wait(self->ep, evs, 2, LONG_MS));
	EXPECT_EQ(EPOLLOUT, evs[0].events);
	EXPECT_EQ(EPOLLOUT, evs[1].events);
	close(c);
	close(a);
	close(l);
}

/* client sends → accepted socket IN */
TEST_F(ft, tcp_data_readable)
{
	struct epoll_event ev;
	int c, a, l = tcp_pair(&c, &a);

	ASSERT_GE(l, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, a, EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(c);
	close(a);
	close(l);
}

/* client closes → accepted socket IN|RDHUP */
TEST_F(ft, tcp_peer_close_rdhup)
{
	struct epoll_event ev;
	int c, a, l = tcp_pair(&c, &a);

	ASSERT_GE(l, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, a, EPOLLIN | EPOLLRDHUP, 3));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	close(c);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN | EPOLLRDHUP, ev.events);
	close(a);
	close(l);
}

/* nonblocking connect: OUT once established */
TEST_F(ft, tcp_nonblocking_connect_out)
{
	struct sockaddr_in addr;
	struct epoll_event ev;
	int l = tcp_listener(&addr), c, r;

	ASSERT_GE(l, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ASSERT_GE(c, 0);
	r = connect(c, (struct sockaddr *)&addr, sizeof(addr));
	ASSERT_TRUE(r == 0 || errno == EINPROGRESS);
	ASSERT_EQ(0, ev_add(B, self->ep, c, EPOLLOUT | EPOLLET, 4));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLOUT, ev.events);
	close(c);
	close(l);
}

/* nonblocking connect to a closed port → ERR|HUP */
TEST_F(ft, tcp_connect_refused_err_hup)
{
	struct sockaddr_in addr;
	struct epoll_event ev;
	int l = tcp_listener(&addr), c, r;

	ASSERT_GE(l, 0);
	close(l);	/* the port is now closed */
	long long t0 = now_ns();

	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ASSERT_GE(c, 0);
	r = connect(c, (struct sockaddr *)&addr, sizeof(addr));
	ASSERT_TRUE(r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED));
	ASSERT_EQ(0, ev_add(B, self->ep, c, EPOLLOUT, 5));
	/* LT: an unconnected socket is HUP already; wait until the RST's ERR shows */
	do {
		ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
		if (ev.events & EPOLLERR)
			break;
		sleep_ms(10);
	} while (elapsed_ms(t0) < LONG_MS);
	EXPECT_EQ(EPOLLERR | EPOLLHUP, ev.events & (EPOLLERR | EPOLLHUP));
	EXPECT_EQ(5, ev.data.u64);
	close(c);
}

/* urgent data (MSG_OOB) → EPOLLPRI on the receiver */
TEST_F(ft, tcp_oob_pri)
{
	struct epoll_event ev;
	int c, a, l = tcp_pair(&c, &a);

	ASSERT_GE(l, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, a, EPOLLPRI, 6));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, send(c, "!", 1, MSG_OOB));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLPRI, ev.events);
	close(c);
	close(a);
	close(l);
}

/* ---- UDP ------------------------------------------------------------------------------ */

static int udp_bound(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (s < 0)
		return -1;
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(s, (struct sockaddr *)addr, &len)) {
		close(s);
		return -1;
	}
	return s;
}

/* UDP: OUT at once, IN after a datagram arrives */
TEST_F(ft, udp_readable_and_writable)
{
	struct sockaddr_in ra, sa;
	struct epoll_event ev;
	int r = udp_bound(&ra), s = udp_bound(&sa);

	ASSERT_GE(r, 0);
	ASSERT_GE(s, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, s, EPOLLOUT, 1));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, s, NULL));
	ASSERT_EQ(0, ev_add(B, self->ep, r, EPOLLIN, 2));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(3, sendto(s, "abc", 3, 0, (struct sockaddr *)&ra, sizeof(ra)));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(2, ev.data.u64);
	close(r);
	close(s);
}

/* connected UDP to a closed port: the ICMP error → EPOLLERR (interest IN only) */
TEST_F(ft, udp_icmp_error_err)
{
	struct sockaddr_in ra, sa;
	struct epoll_event ev;
	int r = udp_bound(&ra), s = udp_bound(&sa);

	ASSERT_GE(r, 0);
	ASSERT_GE(s, 0);
	close(r);
	ASSERT_EQ(0, connect(s, (struct sockaddr *)&ra, sizeof(ra)));
	ASSERT_EQ(0, ev_add(B, self->ep, s, EPOLLIN, 3));
	ASSERT_EQ(1, send(s, "x", 1, 0));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLERR, ev.events);
	close(s);
}

/* ---- unix sockets ---------------------------------------------------------------------- */

/* unix stream pair: OUT; IN after the peer writes */
TEST_F(ft, unix_stream_pair)
{
	struct epoll_event ev;
	int s[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s));
	ASSERT_EQ(0, ev_add(B, self->ep, s[0], EPOLLIN | EPOLLOUT, 1));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, ev.events);
	close(s[0]);
	close(s[1]);
}

/* unix stream listener (abstract address): IN once a client connects */
TEST_F(ft, unix_stream_listen_readable)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 +
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "ep2ft-%d", getpid());
	struct epoll_event ev;
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), c;

	ASSERT_GE(l, 0);
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&a, len));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, ev_add(B, self->ep, l, EPOLLIN, 2));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, len));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(c);
	close(l);
}

/* unix dgram pair: IN after a datagram */
TEST_F(ft, unix_dgram_pair)
{
	struct epoll_event ev;
	int s[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, s));
	ASSERT_EQ(0, ev_add(B, self->ep, s[0], EPOLLIN, 3));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(s[0]);
	close(s[1]);
}

/* unix dgram sender to a full receiver queue: no OUT; one recv → OUT again */
TEST_F(ft, unix_dgram_peer_queue_full)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 +
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "ep2dg-%d", getpid());
	struct epoll_event ev;
	int r = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	char c;
	int sent = 0;

	ASSERT_GE(r, 0);
	ASSERT_GE(s, 0);
	ASSERT_EQ(0, bind(r, (struct sockaddr *)&a, len));
	ASSERT_EQ(0, connect(s, (struct sockaddr *)&a, len));
	while (send(s, "x", 1, 0) == 1 && sent < 100000)
		sent++;
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_GT(sent, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, s, EPOLLOUT, 4));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, recv(r, &c, 1, 0));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLOUT, ev.events);
	close(r);
	close(s);
}

/* unix seqpacket pair: IN after a record, IN|RDHUP|HUP once the peer closes */
TEST_F(ft, unix_seqpacket_pair)
{
	struct epoll_event ev;
	int s[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, s));
	ASSERT_EQ(0, ev_add(B, self->ep, s[0], EPOLLIN | EPOLLRDHUP, 5));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	drain(s[0]);
	close(s[1]);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN | EPOLLRDHUP | EPOLLHUP, ev.events);
	close(s[0]);
}

/* ---- pipes and FIFOs --------------------------------------------------------------------- */

/* both pipe ends in one instance: write end OUT; read end IN after a write */
TEST_F(ft, pipe_both_ends)
{
	struct epoll_event evs[2];
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(B, self->ep, p[0], EPOLLIN | EPOLLOUT, 10));
	ASSERT_EQ(0, ev_add(B, self->ep, p[1], EPOLLIN | EPOLLOUT, 11));
	ASSERT_EQ(1, B->wait(self->ep, evs, 2, 0));
	EXPECT_EQ(11, evs[0].data.u64);
	EXPECT_EQ(EPOLLOUT, evs[0].events);
	ASSERT_EQ(1, write1(p[1]));
	ASSERT_EQ(2, B->wait(self->ep, evs, 2, 0));
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(evs[i].data.u64 == 10 ? EPOLLIN : EPOLLOUT, evs[i].events);
	close(p[0]);
	close(p[1]);
}

/* FIFO in /tmp: reader IN after the writer writes; HUP after it closes */
TEST_F(ft, fifo_reader)
{
	char path[64];
	struct epoll_event ev;
	int r, w;

	snprintf(path, sizeof(path), "/tmp/ep2fifo-%d", getpid());
	unlink(path);
	ASSERT_EQ(0, mkfifo(path, 0600));
	r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_GE(r, 0);
	w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_GE(w, 0);
	unlink(path);
	ASSERT_EQ(0, ev_add(B, self->ep, r, EPOLLIN, 12));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, write1(w));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	drain(r);
	close(w);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLHUP, ev.events);
	close(r);
}

/* ---- eventfd ------------------------------------------------------------------------------- */

/* eventfd: OUT while writable, IN once the counter is non-zero */
TEST_F(ft, eventfd_in_out)
{
	struct epoll_event ev;
	uint64_t v = 3;
	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(e, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, e, EPOLLIN | EPOLLOUT, 20));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	ASSERT_EQ(8, write(e, &v, 8));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, ev.events);
	ASSERT_EQ(8, read(e, &v, 8));
	EXPECT_EQ(3, v);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	close(e);
}

/* EFD_SEMAPHORE with count 2: IN, read 1, IN, read 1, nothing */
TEST_F(ft, eventfd_semaphore)
{
	uint64_t v = 2;
	int e = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(e, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, e, EPOLLIN, 21));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(8, write(e, &v, 8));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(1, wait1(B, self->ep, NULL, 0));
		ASSERT_EQ(8, read(e, &v, 8));
		EXPECT_EQ(1, v);
	}
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	close(e);
}

/* eventfd at 0xfffffffffffffffe: IN but not OUT; a read brings OUT back */
TEST_F(ft, eventfd_full_not_writable)
{
	struct epoll_event ev;
	uint64_t v = 0xfffffffffffffffeULL;
	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(e, 0);
	ASSERT_EQ(8, write(e, &v, 8));
	ASSERT_EQ(0, ev_add(B, self->ep, e, EPOLLIN | EPOLLOUT, 22));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	ASSERT_EQ(0, ev_mod(B, self->ep, e, EPOLLOUT, 22));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(8, read(e, &v, 8));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	close(e);
}

/* eventfd ET: each write is an edge */
TEST_F(ft, eventfd_et_each_write)
{
	uint64_t v = 1;
	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(e, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, e, EPOLLIN | EPOLLET, 23));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(8, write(e, &v, 8));
		EXPECT_EQ(1, wait1(B, self->ep, NULL, 0));
		EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	}
	close(e);
}

/* ---- timerfd --------------------------------------------------------------------------- */

/* a 20 ms one-shot timerfd: IN when it fires; read gives ≥ 1 expiration */
TEST_F(ft, timerfd_fires)
{
	struct itimerspec its = { .it_value = { 0, 20 * 1000000L } };
	struct epoll_event ev;
	uint64_t n = 0;
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	ASSERT_GE(t, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, t, EPOLLIN, 30));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(0, timerfd_settime(t, 0, &its, NULL));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(30, ev.data.u64);
	ASSERT_EQ(8, read(t, &n, 8));
	EXPECT_GE(n, 1);
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	close(t);
}

/* a disarmed timerfd never reports */
TEST_F(ft, timerfd_disarmed_silent)
{
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	ASSERT_GE(t, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, t, EPOLLIN | EPOLLOUT, 31));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 100));
	close(t);
}

/* an interval timerfd (ET): each expiry after a read is a new edge */
TEST_F(ft, timerfd_interval_edges)
{
	struct itimerspec its = { .it_value = { 0, 10 * 1000000L },
				  .it_interval = { 0, 10 * 1000000L } };
	uint64_t n;
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	ASSERT_GE(t, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, t, EPOLLIN | EPOLLET, 32));
	ASSERT_EQ(0, timerfd_settime(t, 0, &its, NULL));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(1, wait1(B, self->ep, NULL, LONG_MS));
		ASSERT_EQ(8, read(t, &n, 8));
	}
	close(t);
}

/* ---- signalfd ------------------------------------------------------------------------ */

/* signalfd for SIGUSR1 (blocked): IN when the signal arrives; read gives it */
TEST_F(ft, signalfd_signal_arrives)
{
	struct signalfd_siginfo si;
	struct epoll_event ev;
	sigset_t m;
	int s;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &m, NULL));
	s = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	ASSERT_GE(s, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, s, EPOLLIN, 40));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(0, kill(getpid(), SIGUSR1));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	ASSERT_EQ(sizeof(si), read(s, &si, sizeof(si)));
	EXPECT_EQ(SIGUSR1, si.ssi_signo);
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	close(s);
}

/* signal already pending when the signalfd is added → reported at once */
TEST_F(ft, signalfd_pending_before_add)
{
	sigset_t m;
	int s;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &m, NULL));
	ASSERT_EQ(0, raise(SIGUSR2));
	s = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	ASSERT_GE(s, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, s, EPOLLIN, 41));
	EXPECT_EQ(1, wait1(B, self->ep, NULL, 0));
	close(s);
}

/* ---- pty ---------------------------------------------------------------------------- */

static int open_pty(int *master, int *slave)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || grantpt(*master) || unlockpt(*master))
		return -1;
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		return -1;
	set_nonblock(*master);
	set_nonblock(*slave);
	return 0;
}

/* master writes a line → slave IN */
TEST_F(ft, pty_master_to_slave)
{
	struct epoll_event ev;
	int m, s;

	ASSERT_EQ(0, open_pty(&m, &s));
	ASSERT_EQ(0, ev_add(B, self->ep, s, EPOLLIN, 50));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(3, write(m, "hi\n", 3));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(m);
	close(s);
}

/* slave writes → master IN; both ends OUT */
TEST_F(ft, pty_slave_to_master)
{
	struct epoll_event ev;
	int m, s;

	ASSERT_EQ(0, open_pty(&m, &s));
	ASSERT_EQ(0, ev_add(B, self->ep, m, EPOLLOUT, 51));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	ASSERT_EQ(0, ev_mod(B, self->ep, m, EPOLLIN, 51));
	ASSERT_EQ(3, write(s, "yo\n", 3));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(m);
	close(s);
}

/* slave closed → master HUP */
TEST_F(ft, pty_slave_close_master_hup)
{
	struct epoll_event ev;
	int m, s;

	ASSERT_EQ(0, open_pty(&m, &s));
	ASSERT_EQ(0, ev_add(B, self->ep, m, EPOLLIN, 52));
	close(s);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLHUP, ev.events & EPOLLHUP);
	close(m);
}

/* ---- nested instances ------------------------------------------------------------------- */

/* e0 → e1 → p0: writing p0 makes e1 readable (IN) in e0; e1 yields p0's event */
TEST_F(ft, nested_instance_readiness)
{
	struct epoll_event ev;
	int e1 = B->create1(0), p[2];

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(B, e1, p[0], EPOLLIN, 0x11));
	ASSERT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN, 0x22));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, write1(p[1]));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0x22, ev.data.u64);
	ASSERT_EQ(1, wait1(B, e1, &ev, 0));
	EXPECT_EQ(0x11, ev.data.u64);
	close(e1);
	close(p[0]);
	close(p[1]);
}

/* an instance is only ever IN (never OUT) in its parent, even with interest IN|OUT */
TEST_F(ft, nested_instance_in_only)
{
	struct epoll_event ev;
	int e1 = B->create1(0), p[2];

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN | EPOLLOUT, 1));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(0, ev_add(B, e1, p[1], EPOLLOUT, 2));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	ASSERT_EQ(0, ev_mod(B, self->ep, e1, EPOLLOUT, 1));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	close(e1);
	close(p[0]);
	close(p[1]);
}

/* e1's only ready item went stale: e0 does not report e1 */
TEST_F(ft, nested_stale_inner_not_reported)
{
	int e1 = B->create1(0), p[2];
	char c;

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(B, e1, p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN, 2));
	ASSERT_EQ(1, write1(p[1]));
	ASSERT_EQ(1, read(p[0], &c, 1));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	EXPECT_EQ(0, wait1(B, e1, NULL, 0));
	close(e1);
	close(p[0]);
	close(p[1]);
}

/* a thread blocked on e0 is woken when p0 (watched by nested e1) becomes readable */
struct nwaiter {
	const struct backend *b;
	int ep, ret;
	struct epoll_event ev;
};

static void *nwaiter_fn(void *arg)
{
	struct nwaiter *w = arg;

	w->ret = w->b->wait(w->ep, &w->ev, 1, 10000);
	return NULL;
}

TEST_F(ft, nested_wakes_outer_waiter)
{
	struct nwaiter w = { .b = B, .ep = self->ep, .ret = -2 };
	int e1 = B->create1(0), p[2];
	pthread_t thr;

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(B, e1, p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN, 2));
	ASSERT_EQ(0, pthread_create(&thr, NULL, nwaiter_fn, &w));
	sleep_ms(100);
	ASSERT_EQ(1, write1(p[1]));
	pthread_join(thr, NULL);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(2, w.ev.data.u64);
	close(e1);
	close(p[0]);
	close(p[1]);
}

/* three levels e0 → e1 → e2 → eventfd: readiness propagates to the top */
TEST_F(ft, nested_three_levels)
{
	int e1 = B->create1(0), e2 = B->create1(0);
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev;
	uint64_t one = 1;

	ASSERT_GE(e1, 0);
	ASSERT_GE(e2, 0);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, ev_add(B, e2, efd, EPOLLIN, 3));
	ASSERT_EQ(0, ev_add(B, e1, e2, EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN, 1));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(1, ev.data.u64);
	close(e1);
	close(e2);
	close(efd);
}

/* this backend watching an instance of the other backend (and vice versa) */
TEST_F(ft, nested_other_backend_instance)
{
	const struct backend *o = other_backend(B);
	int inner = o->create1(EPOLL_CLOEXEC), p[2];
	struct epoll_event ev;

	ASSERT_GE(inner, 0);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(o, inner, p[0], EPOLLIN, 7));
	ASSERT_EQ(0, ev_add(B, self->ep, inner, EPOLLIN, 8));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, write1(p[1]));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(8, ev.data.u64);
	ASSERT_EQ(1, o->wait(inner, &ev, 1, 0));
	EXPECT_EQ(7, ev.data.u64);
	close(inner);
	close(p[0]);
	close(p[1]);
}

/* ---- inotify, pidfd, mqueue, netlink ------------------------------------------------------ */

/* inotify watching /tmp for IN_CREATE: creating a file → IN */
TEST_F(ft, inotify_create)
{
	char path[64];
	struct epoll_event ev;
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), f;

	ASSERT_GE(in, 0);
	ASSERT_GE(inotify_add_watch(in, "/tmp", IN_CREATE), 0);
	ASSERT_EQ(0, ev_add(B, self->ep, in, EPOLLIN, 60));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	snprintf(path, sizeof(path), "/tmp/ep2ino-%d", getpid());
	f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_GE(f, 0);
	close(f);
	unlink(path);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	drain(in);
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	close(in);
}

/* pidfd of a child: IN once the child exits */
TEST_F(ft, pidfd_child_exit)
{
	struct epoll_event ev;
	int pfd, status, go[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char c;

		close(go[1]);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
	}
	close(go[0]);
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ASSERT_GE(pfd, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, pfd, EPOLLIN, 70));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(1, write1(go[1]));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events & EPOLLIN);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(go[1]);
	close(pfd);
}

/* POSIX message queue: OUT when not full, IN after mq_send */
TEST_F(ft, mqueue_in_out)
{
	struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 8 };
	char name[64];
	struct epoll_event ev;
	mqd_t q;

	snprintf(name, sizeof(name), "/ep2mq-%d", getpid());
	q = mq_open(name, O_CREAT | O_RDWR | O_NONBLOCK | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1)
		SKIP(return, "mq_open: %s", strerror(errno));
	mq_unlink(name);
	ASSERT_EQ(0, ev_add(B, self->ep, q, EPOLLIN | EPOLLOUT, 80));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLOUT, ev.events & (EPOLLIN | EPOLLOUT));
	ASSERT_EQ(0, mq_send(q, "a", 1, 0));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, ev.events & (EPOLLIN | EPOLLOUT));
	ASSERT_EQ(0, mq_send(q, "b", 1, 0));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN, ev.events & (EPOLLIN | EPOLLOUT));
	close(q);
}

/* netlink route socket: IN once the reply to a link dump arrives */
TEST_F(ft, netlink_reply_readable)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.g = { .rtgen_family = AF_UNSPEC },
	};
	struct epoll_event ev;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	ASSERT_GE(s, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, s, EPOLLIN, 90));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(sizeof(req), send(s, &req, sizeof(req), 0));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(s);
}

/* ---- closing the last fd of each type removes its item -------------------------------- */

/* Watch fd in ep, close it (its last reference): the item must be gone. */
static int close_drops_item(const struct backend *b, int ep, int fd)
{
	int before = fdinfo_items(ep);

	if (ev_add(b, ep, fd, EPOLLIN | EPOLLOUT, 0xc105e) || fdinfo_items(ep) != before + 1)
		return -1;
	close(fd);
	return fdinfo_items(ep) == before ? 0 : 1;
}

/* tcp, udp, unix, fifo, eventfd, timerfd, signalfd, inotify, pidfd, mqueue, netlink, pts, proc file, instance */
TEST_F(ft, close_removes_item_common_types)
{
	struct sockaddr_in addr;
	char path[64];
	sigset_t m;
	int s[2], mfd, sfd, status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(0);
	snprintf(path, sizeof(path), "/tmp/ep2cfifo-%d", getpid());
	unlink(path);
	ASSERT_EQ(0, mkfifo(path, 0600));
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s));
	ASSERT_EQ(0, open_pty(&mfd, &sfd));
	struct { const char *name; int fd; } t[] = {
		{ "tcp listener", tcp_listener(&addr) },
		{ "udp", udp_bound(&addr) },
		{ "unix dgram", s[0] },
		{ "fifo", open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) },
		{ "eventfd", eventfd(0, EFD_CLOEXEC) },
		{ "timerfd", timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC) },
		{ "signalfd", signalfd(-1, &m, SFD_CLOEXEC) },
		{ "inotify", inotify_init1(IN_CLOEXEC) },
		{ "pidfd", (int)syscall(SYS_pidfd_open, pid, 0) },
		{ "netlink", socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE) },
		{ "pts slave", sfd },
		{ "/proc/self/mounts", open("/proc/self/mounts", O_RDONLY | O_CLOEXEC) },
		{ "instance", B->create1(EPOLL_CLOEXEC) },
	};
	unlink(path);
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ASSERT_GE(t[i].fd, 0) {
			TH_LOG("%s: %s", t[i].name, strerror(errno));
		}
		EXPECT_EQ(0, close_drops_item(B, self->ep, t[i].fd)) {
			TH_LOG("%s: item not removed by its last close", t[i].name);
		}
	}
	EXPECT_EQ(0, fdinfo_items(self->ep));
	waitpid(pid, &status, 0);
	close(s[1]);
	close(mfd);
}

/*
 * t0 → e0 → ptmx master m; close(m).
 * epoll: the item goes with the file.  eventpoll2: a ptmx master is
 * FMODE_NONOTIFY, so no close event reaches the module and the item pins the
 * file (README, "Known differences"): the item stays until the instance is
 * closed, and only then is the master released.
 */
TEST_F(ft, pty_master_close_removes_item)
{
	int m, s, before = fdinfo_items(self->ep);

	ASSERT_EQ(0, open_pty(&m, &s));
	if (!is_ep2(B)) {
		EXPECT_EQ(0, close_drops_item(B, self->ep, m));
	} else {
		ASSERT_EQ(0, ev_add(B, self->ep, m, EPOLLIN, 1));
		close(m);
		EXPECT_EQ(before + 1, fdinfo_items(self->ep));	/* pinned */
	}
	close(s);
}

/*
 * t0 → e0 → ptmx master m; close(m); the slave s is hung up once the master
 * is released: at once for epoll; for eventpoll2 (pinned, see above) only
 * when the instance is closed.
 */
TEST_F(ft, pty_master_close_hangs_up_slave)
{
	struct pollfd pfd;
	int m, s;

	ASSERT_EQ(0, open_pty(&m, &s));
	ASSERT_EQ(0, ev_add(B, self->ep, m, EPOLLIN, 1));
	close(m);
	pfd.fd = s;
	pfd.events = POLLIN;
	if (is_ep2(B)) {
		EXPECT_EQ(0, poll(&pfd, 1, 0));		/* master still held */
		close(self->ep);
		self->ep = -1;
	}
	ASSERT_EQ(1, poll(&pfd, 1, LONG_MS));
	EXPECT_TRUE(pfd.revents & POLLHUP);
	close(s);
}

/* fanotify fd (FMODE_NONOTIFY) watched, then closed: the item goes away */
TEST_F(ft, fanotify_close_removes_item)
{
	int f = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY);

	if (f < 0)
		SKIP(return, "fanotify_init: %s", strerror(errno));
	EXPECT_EQ(0, close_drops_item(B, self->ep, f));
}

/* fanotify: IN once a marked event happens (an open in /tmp) */
TEST_F(ft, fanotify_event_readable)
{
	char path[64];
	struct epoll_event ev;
	int f = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY), x;

	if (f < 0)
		SKIP(return, "fanotify_init: %s", strerror(errno));
	snprintf(path, sizeof(path), "/tmp/ep2fan-%d", getpid());
	x = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_GE(x, 0);
	close(x);
	ASSERT_EQ(0, fanotify_mark(f, FAN_MARK_ADD, FAN_CLOSE_WRITE, AT_FDCWD, path));
	ASSERT_EQ(0, ev_add(B, self->ep, f, EPOLLIN, 0xfa));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	x = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_GE(x, 0);
	close(x);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	unlink(path);
	close(f);
}

/* nested instance item with interest IN|RDNORM|OUT → reported IN|RDNORM (what an instance polls as) */
TEST_F(ft, nested_instance_reports_in_rdnorm)
{
	struct epoll_event ev;
	int e1 = B->create1(0), efd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_GE(e1, 0);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, ev_add(B, e1, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLPRI, 2));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, ev.events);
	ASSERT_EQ(0, ev_mod(B, self->ep, e1, EPOLLRDNORM, 2));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLRDNORM, ev.events);
	close(e1);
	close(efd);
}

/* ---- stateful polls: proc sysctl, mount table, SO_RCVLOWAT, POLLFREE -------------------- */

/* /proc/sys/kernel/hostname (PRI): sethostname → PRI|ERR once, then quiet again (LT) */
TEST_F(ft, proc_sys_hostname_change)
{
	struct epoll_event ev;
	int h;

	if (unshare(CLONE_NEWUTS))
		SKIP(return, "unshare(CLONE_NEWUTS): %s", strerror(errno));
	h = open("/proc/sys/kernel/hostname", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(h, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, h, EPOLLPRI, 0x405));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(0, sethostname("ep2-test", 8));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLPRI | EPOLLERR, ev.events);
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	close(h);
}

/* /proc/self/mounts (PRI): a mount in our namespace → PRI|ERR */
TEST_F(ft, proc_mounts_change)
{
	char dir[64];
	struct epoll_event ev;
	int m;

	if (unshare(CLONE_NEWNS))
		SKIP(return, "unshare(CLONE_NEWNS): %s", strerror(errno));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	snprintf(dir, sizeof(dir), "/tmp/ep2mnt-%d", getpid());
	ASSERT_EQ(0, mkdir(dir, 0700));
	m = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(m, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, m, EPOLLPRI, 0x406));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(0, mount("ep2", dir, "tmpfs", 0, NULL));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLPRI | EPOLLERR, ev.events);
	umount(dir);
	rmdir(dir);
	close(m);
}

/* TCP with SO_RCVLOWAT 10: 5 bytes → not readable; 10 bytes → IN */
TEST_F(ft, tcp_rcvlowat)
{
	int c, a, l = tcp_pair(&c, &a), low = 10;
	struct epoll_event ev;

	ASSERT_GE(l, 0);
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &low, sizeof(low)));
	ASSERT_EQ(0, ev_add(B, self->ep, a, EPOLLIN, 0x407));
	ASSERT_EQ(5, send(c, "12345", 5, 0));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 300));
	ASSERT_EQ(5, send(c, "67890", 5, 0));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, LONG_MS));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(c);
	close(a);
	close(l);
}

/*
 * A child ADDs a signalfd to the shared instance (hooking the child's
 * sighand wait queue) and exits: the POLLFREE wakeup (key HUP|POLLFREE)
 * queues the item once and unhooks it.  Polled in the parent, it reports the
 * parent's pending signal; once drained it gets no more callbacks (a new
 * signal does not queue it) until MOD re-polls it.
 */
TEST_F(ft, signalfd_pollfree_when_hooking_task_exits)
{
	struct signalfd_siginfo si;
	struct epoll_event ev;
	int sfd, status;
	sigset_t m;
	pid_t pid;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &m, NULL));
	sfd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	ASSERT_GE(sfd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(ev_add(B, self->ep, sfd, EPOLLIN, 0x408) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, fdinfo_items(self->ep));
	ASSERT_EQ(0, raise(SIGUSR1));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));	/* queued by the POLLFREE wakeup */
	EXPECT_EQ(EPOLLIN, ev.events);
	ASSERT_EQ(sizeof(si), read(sfd, &si, sizeof(si)));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 0));
	ASSERT_EQ(0, raise(SIGUSR1));
	EXPECT_EQ(0, wait1(B, self->ep, NULL, 100));	/* unhooked: no callback */
	ASSERT_EQ(0, ev_mod(B, self->ep, sfd, EPOLLIN, 0x409));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(0x409, ev.data.u64);
	EXPECT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, sfd, NULL));
	close(sfd);
}

/* sysfs attribute (kernfs): PRI|ERR until read once (fresh open), then IN only; close removes it */
TEST_F(ft, sysfs_attribute_read_clears_pri)
{
	int f = open("/sys/kernel/profiling", O_RDONLY | O_CLOEXEC);
	struct epoll_event ev;
	char buf[64];

	if (f < 0)
		f = open("/sys/power/state", O_RDONLY | O_CLOEXEC);
	if (f < 0)
		SKIP(return, "no sysfs attribute to open");
	ASSERT_EQ(0, ev_add(B, self->ep, f, EPOLLIN | EPOLLPRI, 0x40a));
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN | EPOLLPRI | EPOLLERR, ev.events);
	ASSERT_GT(read(f, buf, sizeof(buf)), 0);
	ASSERT_EQ(1, wait1(B, self->ep, &ev, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	close(f);
	EXPECT_EQ(0, fdinfo_items(self->ep));
}

TEST_HARNESS_MAIN
