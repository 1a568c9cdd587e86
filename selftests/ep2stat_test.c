// SPDX-License-Identifier: GPL-2.0
/*
 * ep2stat_test.c - build/bin/ep2stat on this very process: instances found
 * by their anon_inode name, items read from fdinfo and decoded, stale
 * items (target fd closed, or reused for another file) flagged.
 */
#include "backend.h"
#include <limits.h>
#include <sys/wait.h>
#include "kselftest_harness.h"

static char tool[PATH_MAX];
static char out[1 << 16];

static int find_tool(void)
{
	char exe[PATH_MAX - 32], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -1;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(tool, sizeof(tool), "%s/../bin/ep2stat", exe);
	return access(tool, X_OK);
}

/* ep2stat ARG... on us; its stdout in out[]; exit status. */
static int run_ep2stat(const char *opt)
{
	char pid[16];
	int p[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t child;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (pipe(p))
		return -1;
	/* Out of the way: the test's closed fd numbers must stay closed. */
	for (int i = 0; i < 2; i++) {
		int hi = fcntl(p[i], F_DUPFD, 200);

		close(p[i]);
		p[i] = hi;
	}
	child = fork();
	if (child == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (opt)
			execl(tool, tool, opt, pid, (char *)NULL);
		else
			execl(tool, tool, pid, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < sizeof(out) && (n = read(p[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += n;
	out[got] = 0;
	close(p[0]);
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The line of out[] that mentions tfd @tfd in the TFD column. */
static const char *item_line(int tfd, char *buf, size_t len)
{
	char key[32];
	const char *l = out;

	snprintf(key, sizeof(key), "%6d  ", tfd);
	while ((l = strstr(l, key))) {
		const char *start = l, *end = strchr(l, '\n');

		/* the column starts after the 4-space indent */
		if (start >= out + 4 && start[-1] == ' ' && start[-4] == ' ') {
			snprintf(buf, len, "%.*s", end ? (int)(end - start) : (int)strlen(start), start);
			return buf;
		}
		l++;
	}
	return NULL;
}

TEST(lists_instances_and_items)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 0x1234 };
	char line[512];
	int ep, p[2], nat;

	if (find_tool())
		SKIP(return, "no build/bin/ep2stat (make userspace)");
	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	ep = ep2_create1(EPOLL_CLOEXEC);
	ASSERT_GE(ep, 0);
	nat = epoll_create1(0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ep2_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLOUT | EPOLLONESHOT | EPOLLRDHUP;
	ev.data.u64 = 0xfeedface00000001ULL;
	ASSERT_EQ(0, ep2_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));

	ASSERT_EQ(0, run_ep2stat(NULL));
	TH_LOG("\n%s", out);
	EXPECT_NE(NULL, strstr(out, "1 instance"));
	EXPECT_NE(NULL, strstr(out, "eventpoll2"));
	EXPECT_NE(NULL, strstr(out, "O_CLOEXEC"));
	EXPECT_NE(NULL, strstr(out, "2 items"));
	ASSERT_NE(NULL, item_line(p[0], line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, " IN|ERR|HUP|ET "));
	EXPECT_NE(NULL, strstr(line, "0x0000000000001234"));
	EXPECT_NE(NULL, strstr(line, "pipe:["));
	ASSERT_NE(NULL, item_line(p[1], line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, " OUT|ERR|HUP|RDHUP|ONESHOT "));
	EXPECT_NE(NULL, strstr(line, "0xfeedface00000001"));

	/* -a adds the native instance. */
	ASSERT_EQ(0, run_ep2stat("-a"));
	EXPECT_NE(NULL, strstr(out, "2 instances"));
	EXPECT_NE(NULL, strstr(out, "  epoll  "));
	close(nat);
	close(ep);
}

/* The item outlives its fd: closed, then reused for another file. */
TEST(flags_stale_items)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char line[512];
	int ep, p[2], keep, q[2];

	if (find_tool())
		SKIP(return, "no build/bin/ep2stat (make userspace)");
	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ep2_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	keep = dup(p[0]);		/* the file stays open ... */
	close(p[0]);			/* ... its registered fd does not */
	ASSERT_EQ(0, run_ep2stat(NULL));
	ASSERT_NE(NULL, item_line(p[0], line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "fd closed"));

	ASSERT_EQ(0, pipe(q));		/* takes p[0]'s number again */
	ASSERT_EQ(p[0], q[0]);
	ASSERT_EQ(0, run_ep2stat(NULL));
	ASSERT_NE(NULL, item_line(p[0], line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "STALE"));
	TH_LOG("%s", line);
	close(keep);
	close(ep);
}

TEST(bad_pid_is_usage_error)
{
	int st;
	pid_t c;

	if (find_tool())
		SKIP(return, "no build/bin/ep2stat (make userspace)");
	c = fork();
	ASSERT_GE(c, 0);
	if (c == 0) {
		int dn = open("/dev/null", O_WRONLY);

		dup2(dn, 1);
		dup2(dn, 2);
		execl(tool, tool, "notapid", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(c, waitpid(c, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(2, WEXITSTATUS(st));
}

TEST_HARNESS_MAIN
