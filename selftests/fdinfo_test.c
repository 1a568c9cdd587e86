// SPDX-License-Identifier: GPL-2.0
/*
 * fdinfo_test.c - /proc/PID/fdinfo/N of an instance: epoll's exact item line
 *   "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x"
 * one per item, in tree order (by file, then fd).  Per-backend tests build
 * the expected text from fstat()/lseek() of the targets (native epoll checks
 * the construction); the cross tests compare an epoll instance and an
 * eventpoll2 instance watching the same fds with the same masks and data.
 */
#include "backend.h"
#include "util.h"
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include "kselftest_harness.h"

static char got[1 << 16], want[1 << 16];

FIXTURE(fdinfo) {
	int ep;
	int p[2];
};
BACKEND_VARIANTS(fdinfo);

FIXTURE_SETUP(fdinfo)
{
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	ASSERT_EQ(0, pipe2(self->p, O_NONBLOCK));
}

FIXTURE_TEARDOWN(fdinfo)
{
	close(self->ep);
	close(self->p[0]);
	close(self->p[1]);
}

/* The line epoll prints for item (tfd, events, data) whose file is open as fd. */
static int item_line(char *out, size_t len, int tfd, unsigned events,
		     unsigned long long data, int fd)
{
	struct stat st;
	long long pos;

	if (fstat(fd, &st))
		return -1;
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0)
		pos = 0;	/* ESPIPE: f_pos is 0 for pipes, sockets, ttys */
	return snprintf(out, len, "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x\n",
			tfd, events, data, pos, (unsigned long)st.st_ino,
			(unsigned)((major(st.st_dev) << 20) | minor(st.st_dev)));
}

/* Append the expected line to want. */
static void want_add(int tfd, unsigned events, unsigned long long data, int fd)
{
	size_t n = strlen(want);

	item_line(want + n, sizeof(want) - n, tfd, events, data, fd);
}

/* Lines of want, each present once in got, and the same number of lines. */
static int same_line_set(const char *a, const char *b)
{
	int na = 0, nb = 0;
	const char *l;

	for (l = a; *l; l = strchr(l, '\n') + 1) {
		size_t len = strchr(l, '\n') - l + 1;
		char line[256];
		const char *hit;
		int count = 0;

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		for (hit = b; (hit = strstr(hit, line)); hit += len)
			count++;
		if (count != 1)
			return 0;
		na++;
	}
	for (l = b; *l; l = strchr(l, '\n') + 1)
		nb++;
	return na == nb;
}

#define E (EPOLLERR | EPOLLHUP)

/* ---- header and empty instance ---------------------------------------------------------- */

/* an empty instance: header lines only (pos 0, flags O_RDWR, anon inode), no tfd lines */
TEST_F(fdinfo, empty_instance_header)
{
	char buf[1024], line[128];
	struct stat st;
	int efd = eventfd(0, EFD_CLOEXEC), mnt_e = -1, mnt_p = -2;

	ASSERT_GE(efd, 0);
	ASSERT_GT(fdinfo_read(self->ep, buf, sizeof(buf)), 0);
	EXPECT_EQ(0, strncmp(buf, "pos:\t0\nflags:\t02\nmnt_id:\t", 25)) {
		TH_LOG("header: %s", buf);
	}
	ASSERT_EQ(0, fstat(self->ep, &st));
	snprintf(line, sizeof(line), "\nino:\t%lu\n", (unsigned long)st.st_ino);
	EXPECT_TRUE(strstr(buf, line) != NULL);
	EXPECT_TRUE(strstr(buf, "tfd:") == NULL);
	/* same anon-inode mount as an eventfd */
	sscanf(strstr(buf, "mnt_id:"), "mnt_id:\t%d", &mnt_p);
	ASSERT_GT(fdinfo_read(efd, buf, sizeof(buf)), 0);
	sscanf(strstr(buf, "mnt_id:"), "mnt_id:\t%d", &mnt_e);
	EXPECT_EQ(mnt_e, mnt_p);
	close(efd);
}

/* an EPOLL_CLOEXEC instance shows flags 02000002 */
TEST_F(fdinfo, cloexec_instance_flags)
{
	char buf[1024];
	int ep = B->create1(EPOLL_CLOEXEC);

	ASSERT_GE(ep, 0);
	ASSERT_GT(fdinfo_read(ep, buf, sizeof(buf)), 0);
	EXPECT_TRUE(strstr(buf, "\nflags:\t02000002\n") != NULL);
	close(ep);
}

/* ---- one item: the exact line ------------------------------------------------------------- */

/* e0 → p0 (IN, data 0x1234): exactly one line, epoll's format */
TEST_F(fdinfo, single_item_exact_line)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0x1234));
	want[0] = 0;
	want_add(self->p[0], EPOLLIN | E, 0x1234, self->p[0]);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
}

/* data 0 is padded to 16 columns; events 0 shows the forced 18 right-aligned in 8 */
TEST_F(fdinfo, zero_data_and_forced_events_padding)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], 0, 0));
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_EQ(0, strncmp(got + 13, " events:       18 data:                0  pos:0 ino:", 52)) {
		TH_LOG("line: %s", got);
	}
	want[0] = 0;
	want_add(self->p[0], E, 0, self->p[0]);
	EXPECT_STREQ(want, got);
}

/* all-ones data and the top private bits (ET|ONESHOT) are printed in full */
TEST_F(fdinfo, all_ones_data_and_high_bits)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT | EPOLLET | EPOLLONESHOT, ~0ULL));
	want[0] = 0;
	want_add(self->p[1], EPOLLOUT | EPOLLET | EPOLLONESHOT | E, ~0ULL, self->p[1]);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
	EXPECT_TRUE(strstr(got, "events: c000001c data: ffffffffffffffff  pos:0") != NULL);
}

/* unknown bits and EPOLLEXCLUSIVE shown as stored */
TEST_F(fdinfo, unknown_and_exclusive_bits_shown)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | 0x00100800, 5));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT | EPOLLEXCLUSIVE, 6));
	want[0] = 0;
	want_add(self->p[0], EPOLLIN | 0x00100800 | E, 5, self->p[0]);
	want_add(self->p[1], EPOLLOUT | EPOLLEXCLUSIVE | E, 6, self->p[1]);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_TRUE(same_line_set(want, got)) {
		TH_LOG("want:\n%s got:\n%s", want, got);
	}
}

/* a large target fd number (1000) fills the %8d column */
TEST_F(fdinfo, large_tfd_number)
{
	int big = dup2(self->p[0], 1000);

	ASSERT_EQ(1000, big);
	ASSERT_EQ(0, ev_add(B, self->ep, big, EPOLLIN, 1));
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_EQ(0, strncmp(got, "tfd:     1000 events:", 21)) {
		TH_LOG("line: %s", got);
	}
	close(big);
}

/* ---- tree order, updates --------------------------------------------------------------------- */

/* dups of one pipe end added in scrambled order are listed by ascending fd */
TEST_F(fdinfo, tree_order_same_file_by_fd)
{
	int fds[5], order[5] = { 3, 0, 4, 1, 2 };

	for (int i = 0; i < 5; i++) {
		fds[i] = dup(self->p[0]);
		ASSERT_GE(fds[i], 0);
	}
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(0, ev_add(B, self->ep, fds[order[i]], EPOLLIN, 100 + order[i]));
	want[0] = 0;
	for (int i = 0; i < 5; i++)
		want_add(fds[i], EPOLLIN | E, 100 + i, fds[i]);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
}

/* MOD rewrites the line's events and data in place */
TEST_F(fdinfo, mod_updates_line)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLRDHUP | EPOLLET, 0xabcdef));
	want[0] = 0;
	want_add(self->p[0], EPOLLIN | EPOLLRDHUP | EPOLLET | E, 0xabcdef, self->p[0]);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
}

/* DEL removes exactly that line */
TEST_F(fdinfo, del_removes_line)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 2));
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], NULL));
	want[0] = 0;
	want_add(self->p[1], EPOLLOUT | E, 2, self->p[1]);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
}

/* a fired ONESHOT item shows only its private bits */
TEST_F(fdinfo, oneshot_fired_line)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT | EPOLLONESHOT, 9));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
	want[0] = 0;
	want_add(self->p[1], EPOLLONESHOT, 9, self->p[1]);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
}

/* closing the last reference to a target removes its line */
TEST_F(fdinfo, closed_target_line_gone)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 2));
	want[0] = 0;
	want_add(self->p[1], EPOLLOUT | E, 2, self->p[1]);
	close(self->p[0]);
	self->p[0] = -1;
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
}

/* closed fd whose file is still open elsewhere: line stays, with the old tfd number */
TEST_F(fdinfo, closed_fd_open_file_line_stays)
{
	int old = self->p[0], keep = dup(self->p[0]);

	ASSERT_GE(keep, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, old, EPOLLIN, 3));
	want[0] = 0;
	want_add(old, EPOLLIN | E, 3, keep);
	close(old);
	self->p[0] = keep;
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
}

/* ---- pos, ino, sdev ------------------------------------------------------------------------ */

/* pos is the target's live f_pos: /proc/self/mounts (pollable seq_file) read/seek */
TEST_F(fdinfo, pos_is_live_file_position)
{
	char buf[16];
	int m = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);

	ASSERT_GE(m, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, m, EPOLLPRI, 4));
	ASSERT_EQ(10, read(m, buf, 10));
	want[0] = 0;
	want_add(m, EPOLLPRI | E, 4, m);
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_STREQ(want, got);
	EXPECT_TRUE(strstr(got, "  pos:10 ino:") != NULL);
	ASSERT_EQ(3, lseek(m, 3, SEEK_SET));
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_TRUE(strstr(got, "  pos:3 ino:") != NULL);
	close(m);
}

/* ino/sdev for many kinds of target: socket, eventfd, timerfd, signalfd, inotify, pty, tmpfs FIFO, instance */
TEST_F(fdinfo, ino_sdev_of_many_types)
{
	int s[2], efd, tfd, sfd, ifd, m, sl, e1, fifo;
	char path[64];
	sigset_t mask;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	efd = eventfd(0, EFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	ifd = inotify_init1(IN_CLOEXEC);
	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_GE(m, 0);
	ASSERT_EQ(0, grantpt(m));
	ASSERT_EQ(0, unlockpt(m));
	sl = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	e1 = B->create1(EPOLL_CLOEXEC);
	snprintf(path, sizeof(path), "/tmp/ep2fdi-%d", getpid());
	unlink(path);
	ASSERT_EQ(0, mkfifo(path, 0600));
	fifo = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	unlink(path);
	int all[] = { s[0], efd, tfd, sfd, ifd, m, sl, e1, fifo };
	want[0] = 0;
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		ASSERT_GE(all[i], 0);
		ASSERT_EQ(0, ev_add(B, self->ep, all[i], EPOLLIN, 0x100 + i));
		want_add(all[i], EPOLLIN | E, 0x100 + i, all[i]);
	}
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_TRUE(same_line_set(want, got)) {
		TH_LOG("want:\n%s got:\n%s", want, got);
	}
}

/* 200 items: every line present exactly once */
TEST_F(fdinfo, many_items)
{
	int fds[200];

	want[0] = 0;
	for (int i = 0; i < 200; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_GE(fds[i], 0);
		ASSERT_EQ(0, ev_add(B, self->ep, fds[i], i % 2 ? EPOLLIN : EPOLLOUT | EPOLLET,
				    (unsigned long long)i << 32 | i));
		want_add(fds[i], (i % 2 ? EPOLLIN : EPOLLOUT | EPOLLET) | E,
			 (unsigned long long)i << 32 | i, fds[i]);
	}
	ASSERT_GE(fdinfo_tfd_lines(self->ep, got, sizeof(got)), 0);
	EXPECT_TRUE(same_line_set(want, got));
	EXPECT_EQ(200, fdinfo_items(self->ep));
}

/* 1500 items (~140 KB of fdinfo, past seq_file's first buffers): every line, in the same order as fstat says */
TEST_F(fdinfo, large_fdinfo_overflow_retry)
{
	enum { N = 1500 };
	static int fds[N];
	static char big[1 << 20], exp[1 << 20];
	struct rlimit rl = { 4096, 4096 };
	size_t used = 0;
	char path[64];
	ssize_t r;
	int f;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		SKIP(return, "setrlimit: %s", strerror(errno));
	/* dups of one file: tree order is fd order, so the whole text is predictable */
	exp[0] = 0;
	for (int i = 0; i < N; i++) {
		fds[i] = dup(self->p[1]);
		ASSERT_GE(fds[i], 0);
	}
	for (int i = N - 1; i >= 0; i--)
		ASSERT_EQ(0, ev_add(B, self->ep, fds[i], EPOLLOUT, (unsigned long long)i * 0x10001));
	for (int i = 0; i < N; i++) {
		size_t n = strlen(exp);	/* fds ascend with i */
		item_line(exp + n, sizeof(exp) - n, fds[i], EPOLLOUT | E,
			  (unsigned long long)i * 0x10001, fds[i]);
	}
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->ep);
	f = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(f, 0);
	while ((r = read(f, big + used, sizeof(big) - 1 - used)) > 0)
		used += r;
	close(f);
	big[used] = 0;
	ASSERT_TRUE(strstr(big, "tfd:") != NULL);
	EXPECT_STREQ(exp, strstr(big, "tfd:"));
	for (int i = 0; i < N; i++)
		close(fds[i]);
}

/* ---- cross-backend: byte-identical item lines ------------------------------------------------- */

/* Both instances: the same ops on the same fds → identical tfd lines. */
static void ops_on(const struct backend *b, int ep, const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		ev_add(b, ep, fds[i], (i % 3 == 0 ? EPOLLIN : i % 3 == 1 ? EPOLLOUT | EPOLLET :
				       EPOLLIN | EPOLLRDHUP | EPOLLONESHOT) | (i * 0x800 & 0x800),
		       0x0102030405060708ULL * (i + 1));
}

TEST(cross_backend_identical_lines)
{
	static char a[1 << 16], b[1 << 16];
	int ee = epoll_create1(EPOLL_CLOEXEC), e2 = ep2_create1(EPOLL_CLOEXEC);
	int p[2], s[2], efd = eventfd(0, EFD_CLOEXEC), tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	int m = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC), d;
	char buf[7];

	ASSERT_GE(ee, 0);
	ASSERT_GE(e2, 0);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	d = dup(p[0]);
	ASSERT_EQ(7, read(m, buf, 7));
	int fds[] = { p[0], p[1], s[0], s[1], efd, tfd, m, d };
	int n = sizeof(fds) / sizeof(fds[0]);

	ops_on(&backend_epoll, ee, fds, n);
	ops_on(&backend_ep2, e2, fds, n);
	ASSERT_GT(fdinfo_tfd_lines(ee, a, sizeof(a)), 0);
	ASSERT_GT(fdinfo_tfd_lines(e2, b, sizeof(b)), 0);
	EXPECT_STREQ(a, b);
	EXPECT_EQ(n, fdinfo_items(e2));
}

/* after MOD, DEL, a fired ONESHOT and a closed target, still identical */
TEST(cross_backend_identical_after_changes)
{
	static char a[1 << 16], b[1 << 16];
	const struct backend *bk[2] = { &backend_epoll, &backend_ep2 };
	int ep[2] = { epoll_create1(EPOLL_CLOEXEC), ep2_create1(EPOLL_CLOEXEC) };
	int p[2], q[2], s[2];
	struct epoll_event ev[8];

	ASSERT_GE(ep[0], 0);
	ASSERT_GE(ep[1], 0);
	ASSERT_EQ(0, pipe2(p, O_NONBLOCK | O_CLOEXEC));
	ASSERT_EQ(0, pipe2(q, O_NONBLOCK | O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, ev_add(bk[i], ep[i], p[0], EPOLLIN, 1));
		ASSERT_EQ(0, ev_add(bk[i], ep[i], p[1], EPOLLOUT | EPOLLONESHOT, 2));
		ASSERT_EQ(0, ev_add(bk[i], ep[i], q[0], EPOLLIN, 3));
		ASSERT_EQ(0, ev_add(bk[i], ep[i], q[1], EPOLLOUT, 4));
		ASSERT_EQ(0, ev_add(bk[i], ep[i], s[0], EPOLLIN | EPOLLOUT, 5));
		ASSERT_EQ(0, ev_mod(bk[i], ep[i], s[0], EPOLLRDHUP | EPOLLET, ~5ULL));
		ASSERT_EQ(0, bk[i]->ctl(ep[i], EPOLL_CTL_DEL, q[1], NULL));
		ASSERT_GE(bk[i]->wait(ep[i], ev, 8, 0), 1);	/* fires p1's ONESHOT */
	}
	close(q[0]);
	ASSERT_GT(fdinfo_tfd_lines(ep[0], a, sizeof(a)), 0);
	ASSERT_GT(fdinfo_tfd_lines(ep[1], b, sizeof(b)), 0);
	EXPECT_STREQ(a, b);
	EXPECT_EQ(3, fdinfo_items(ep[1]));
}

/* nested instances: an epoll instance and an eventpoll2 instance each watching both kinds */
TEST(cross_backend_nested_targets)
{
	static char a[1 << 16], b[1 << 16];
	int ee = epoll_create1(EPOLL_CLOEXEC), e2 = ep2_create1(EPOLL_CLOEXEC);
	int ie = epoll_create1(EPOLL_CLOEXEC), i2 = ep2_create1(EPOLL_CLOEXEC);

	ASSERT_GE(ee, 0);
	ASSERT_GE(e2, 0);
	ASSERT_GE(ie, 0);
	ASSERT_GE(i2, 0);
	ASSERT_EQ(0, ev_add(&backend_epoll, ee, ie, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(&backend_epoll, ee, i2, EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(&backend_ep2, e2, ie, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(&backend_ep2, e2, i2, EPOLLIN, 2));
	ASSERT_GT(fdinfo_tfd_lines(ee, a, sizeof(a)), 0);
	ASSERT_GT(fdinfo_tfd_lines(e2, b, sizeof(b)), 0);
	EXPECT_STREQ(a, b);
}

TEST_HARNESS_MAIN
