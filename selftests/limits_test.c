// SPDX-License-Identifier: GPL-2.0
/*
 * limits_test.c - max_user_watches: the sysctl, its default, ENOSPC.
 *
 * epoll: fs.epoll.max_user_watches bounds the items of all instances
 * created by one user (the instance's creator is charged, whoever adds);
 * an ADD at the limit fails with ENOSPC after every other check.
 * eventpoll2 has its own fs.eventpoll2.max_user_watches with the same
 * semantics and the same default formula, 4% of low memory divided by the
 * cost of one item:
 *
 *	((totalram - totalhigh) / 25 << PAGE_SHIFT) / item_cost
 *
 * epoll's item_cost is sizeof(struct epitem) + sizeof(struct eppoll_entry)
 * = 128 + 56 = 184 on x86-64 and is computed at boot; eventpoll2's uses its
 * own item sizes and is computed at module load, when totalram is a little
 * larger (init memory freed).  What is compared: (1) the eventpoll2 value
 * is exactly the formula for the current MemTotal and *some* integer item
 * cost (reported); (2) epoll's value times 184 is that same 4% of memory,
 * within the boot-time difference (5%).
 *
 * ENOSPC tests run as fresh users (setresuid in a child), with a small
 * limit set as root; the previous value is restored afterwards.
 */
#include "backend.h"
#include "util.h"
#include <sys/stat.h>
#include "kselftest_harness.h"

#define EP2_SYSCTL "/proc/sys/fs/eventpoll2/max_user_watches"
#define EPOLL_SYSCTL "/proc/sys/fs/epoll/max_user_watches"

static long long meminfo_kb(const char *key)
{
	char line[256];
	long long v = -1;
	size_t len = strlen(key);
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			sscanf(line + len + 1, "%lld", &v);
	fclose(f);
	return v;
}

/* ---- the sysctl ------------------------------------------------------------ */

/* fs.eventpoll2.max_user_watches exists, 0644, positive */
TEST(sysctl_exists)
{
	struct stat st;

	ASSERT_EQ(0, stat(EP2_SYSCTL, &st));
	EXPECT_EQ(0644, st.st_mode & 0777);
	EXPECT_GT(read_ll_file(EP2_SYSCTL), 0);
}

/* the default follows epoll's formula (see the head comment) */
TEST(default_matches_epoll_formula)
{
	long long mem_kb = meminfo_kb("MemTotal"), high_kb = meminfo_kb("HighTotal");
	long long ep2 = read_ll_file(EP2_SYSCTL), ep = read_ll_file(EPOLL_SYSCTL);
	long long pages, budget;
	int cost = 0;

	ASSERT_GT(mem_kb, 0);
	ASSERT_GT(ep2, 0);
	ASSERT_GT(ep, 0);
	if (high_kb < 0)
		high_kb = 0;
	pages = (mem_kb - high_kb) / (getpagesize() / 1024);
	budget = (pages / 25) * getpagesize();
	for (int c = 64; c <= 1024; c++)
		if (budget / c == ep2) {
			cost = c;
			break;
		}
	TH_LOG("MemTotal %lld kB: 4%% = %lld bytes; epoll %lld (x184 = %lld), eventpoll2 %lld (item cost %d)",
	       mem_kb, budget, ep, ep * 184, ep2, cost);
	EXPECT_NE(0, cost) TH_LOG("eventpoll2's default is not budget / any item cost");
	EXPECT_LE(ep * 184, budget);
	EXPECT_GE(ep * 184, budget - budget / 20);
}

/* ---- per-backend: the backend's own sysctl --------------------------------- */

FIXTURE(limits) {
	const char *path;
	long long saved;
	int can_write;
};
BACKEND_VARIANTS(limits);

FIXTURE_SETUP(limits)
{
	signal(SIGPIPE, SIG_IGN);
	self->path = max_watches_path(B);
	self->saved = read_ll_file(self->path);
	ASSERT_GT(self->saved, 0);
	self->can_write = geteuid() == 0 && access(self->path, W_OK) == 0;
}

/* (a SKIP in FIXTURE_SETUP would still run the test body) */
#define NEED_ROOT() do {							\
	if (!self->can_write)							\
		SKIP(return, "needs root to change %s", self->path);		\
} while (0)

FIXTURE_TEARDOWN(limits)
{
	if (self->can_write && self->saved > 0 && read_ll_file(self->path) != self->saved)
		write_ll_file(self->path, self->saved);
}

static int set_limit(struct __test_metadata *_metadata, FIXTURE_DATA(limits) *self, long long v)
{
	if (write_ll_file(self->path, v))
		return -1;
	return read_ll_file(self->path) == v ? 0 : -1;
}

/*
 * Run fn(b, arg) in a child as user @uid (real and effective, saved uid 0
 * so that it may switch users again with as_user()).  The child's result:
 * 0 on success, else the number of the failed check.
 */
typedef int (*child_fn)(const struct backend *b, void *arg);

static int as_user(uid_t uid)
{
	if (setresuid(0, 0, 0))
		return -1;
	if (setresgid(uid, uid, 0))
		return -1;
	return setresuid(uid, uid, 0);
}

static int run_as(const struct backend *b, uid_t uid, child_fn fn, void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (as_user(uid))
			_exit(200);
		_exit(fn(b, arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 300 + WTERMSIG(status);
}

/* Child-side check: the step number on failure. */
#define CHECK(step, cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "# %s:%d: step %d: %s failed (errno %d)\n",	\
			__FILE__, __LINE__, (step), #cond, errno);		\
		return (step);							\
	}									\
} while (0)

/* ADD n fresh eventfds to ep; how many succeeded before the first error. */
static int add_n(const struct backend *b, int ep, int n, int *fds)
{
	for (int i = 0; i < n; i++) {
		int efd = mkefd();

		if (efd < 0)
			return i;
		if (fds)
			fds[i] = efd;
		if (ev_add(b, ep, efd, EPOLLIN, i)) {
			int err = errno;

			close(efd);
			errno = err;
			return i;
		}
	}
	return n;
}

static int child_enospc_at_limit(const struct backend *b, void *arg)
{
	int ep = b->create1(0), fds[8], efd;

	CHECK(1, ep >= 0);
	CHECK(2, add_n(b, ep, 5, fds) == 5);
	efd = mkefd();
	errno = 0;
	CHECK(3, ev_add(b, ep, efd, EPOLLIN, 9) == -1 && errno == ENOSPC);
	CHECK(4, b->ctl(ep, EPOLL_CTL_DEL, fds[0], NULL) == 0);
	CHECK(5, ev_add(b, ep, efd, EPOLLIN, 9) == 0);
	errno = 0;
	CHECK(6, ev_add(b, ep, fds[0], EPOLLIN, 9) == -1 && errno == ENOSPC);
	return 0;
}

/* limit 5: five ADDs succeed, the sixth → ENOSPC, a DEL makes room */
TEST_F(limits, enospc_at_limit)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 5));
	EXPECT_EQ(0, run_as(B, 42001, child_enospc_at_limit, NULL));
}

static int child_all_instances(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), e1 = b->create1(0), efd = mkefd();

	CHECK(1, e0 >= 0 && e1 >= 0);
	CHECK(2, add_n(b, e0, 3, NULL) == 3);
	CHECK(3, add_n(b, e1, 3, NULL) == 3);
	errno = 0;
	CHECK(4, ev_add(b, e0, efd, EPOLLIN, 0) == -1 && errno == ENOSPC);
	errno = 0;
	CHECK(5, ev_add(b, e1, efd, EPOLLIN, 0) == -1 && errno == ENOSPC);
	/* a new instance draws from the same budget */
	errno = 0;
	CHECK(6, ev_add(b, b->create1(0), efd, EPOLLIN, 0) == -1 && errno == ENOSPC);
	return 0;
}

/* limit 6: the user's instances share it (3 + 3, then ENOSPC everywhere) */
TEST_F(limits, limit_shared_by_users_instances)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 6));
	EXPECT_EQ(0, run_as(B, 42002, child_all_instances, NULL));
}

static int child_charged_to_creator(const struct backend *b, void *arg)
{
	int e1, e2, efd = mkefd();

	/* user 42003 creates e1 and fills its budget */
	e1 = b->create1(0);
	CHECK(1, e1 >= 0);
	CHECK(2, add_n(b, e1, 4, NULL) == 4);
	/* user 42004 adds to e1: charged to 42003 → ENOSPC */
	CHECK(3, as_user(42004) == 0);
	errno = 0;
	CHECK(4, ev_add(b, e1, efd, EPOLLIN, 0) == -1 && errno == ENOSPC);
	/* 42004's own instance has 42004's own budget */
	e2 = b->create1(0);
	CHECK(5, e2 >= 0);
	CHECK(6, add_n(b, e2, 4, NULL) == 4);
	errno = 0;
	CHECK(7, ev_add(b, e2, efd, EPOLLIN, 0) == -1 && errno == ENOSPC);
	/* and 42003 may add nothing to e2 either: 42004 is full too */
	CHECK(8, as_user(42003) == 0);
	errno = 0;
	CHECK(9, ev_add(b, e2, efd, EPOLLIN, 0) == -1 && errno == ENOSPC);
	return 0;
}

/* limit 4: items are charged to the instance's creator, not to the adder */
TEST_F(limits, charged_to_instance_creator)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 4));
	EXPECT_EQ(0, run_as(B, 42003, child_charged_to_creator, NULL));
}

static int child_close_instance_uncharges(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), e1;

	CHECK(1, add_n(b, e0, 4, NULL) == 4);
	CHECK(2, close(e0) == 0);
	e1 = b->create1(0);
	CHECK(3, add_n(b, e1, 4, NULL) == 4);
	errno = 0;
	CHECK(4, add_n(b, e1, 1, NULL) == 0 && errno == ENOSPC);
	return 0;
}

/* limit 4: closing a full instance gives its four watches back */
TEST_F(limits, close_instance_uncharges)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 4));
	EXPECT_EQ(0, run_as(B, 42005, child_close_instance_uncharges, NULL));
}

static int child_close_fd_uncharges(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), fds[4];

	CHECK(1, add_n(b, e0, 4, fds) == 4);
	errno = 0;
	CHECK(2, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	CHECK(3, close(fds[0]) == 0 && close(fds[1]) == 0);
	CHECK(4, add_n(b, e0, 2, NULL) == 2);
	errno = 0;
	CHECK(5, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	return 0;
}

/* limit 4: the last close of a watched file gives its watch back */
TEST_F(limits, close_fd_uncharges)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 4));
	EXPECT_EQ(0, run_as(B, 42006, child_close_fd_uncharges, NULL));
}

static int child_zero(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), e1 = b->create1(0);

	CHECK(1, e0 >= 0 && e1 >= 0);
	errno = 0;
	CHECK(2, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	errno = 0;
	CHECK(3, ev_add(b, e0, e1, EPOLLIN, 0) == -1 && errno == ENOSPC);
	return 0;
}

/* limit 0: the first ADD already fails with ENOSPC (creating is fine) */
TEST_F(limits, zero_limit)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 0));
	EXPECT_EQ(0, run_as(B, 42007, child_zero, NULL));
}

static int child_mod_del_at_limit(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), fds[3];
	struct epoll_event ev;

	CHECK(1, add_n(b, e0, 3, fds) == 3);
	CHECK(2, ev_mod(b, e0, fds[0], EPOLLIN | EPOLLET, 7) == 0);
	CHECK(3, efd_signal(fds[0]) == 0);
	CHECK(4, b->wait(e0, &ev, 1, 0) == 1 && ev.data.u64 == 7);
	CHECK(5, b->ctl(e0, EPOLL_CTL_DEL, fds[1], NULL) == 0);
	CHECK(6, ev_add(b, e0, fds[1], EPOLLIN, 8) == 0);
	return 0;
}

/* limit 3 (full): MOD and DEL still work, and a DEL makes room for an ADD */
TEST_F(limits, mod_del_work_at_limit)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 3));
	EXPECT_EQ(0, run_as(B, 42008, child_mod_del_at_limit, NULL));
}

static int child_error_order(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), e1 = b->create1(0), fds[2], efd = mkefd(), efd2 = mkefd();
	int reg = open("/proc/self/status", O_RDONLY);

	CHECK(1, ev_add(b, e1, e0, EPOLLIN, 0) == 0);
	CHECK(2, add_n(b, e0, 1, fds) == 1);
	/* full (2 of 2): the other errors come first */
	errno = 0;
	CHECK(3, ev_add(b, e0, fds[0], EPOLLIN, 0) == -1 && errno == EEXIST);
	errno = 0;
	CHECK(4, ev_add(b, e0, e1, EPOLLIN, 0) == -1 && errno == ELOOP);
	errno = 0;
	CHECK(5, ev_add(b, e0, e0, EPOLLIN, 0) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(6, ev_add(b, e0, reg, EPOLLIN, 0) == -1 && errno == EPERM);
	errno = 0;
	CHECK(7, ev_add(b, e0, efd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI, 0) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(8, ev_mod(b, e0, efd, EPOLLIN, 0) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(9, ev_add(b, e0, efd2, EPOLLIN, 0) == -1 && errno == ENOSPC);
	return 0;
}

/* limit 2 (full): EEXIST, ELOOP, EINVAL, EPERM, ENOENT are reported before ENOSPC */
TEST_F(limits, other_errors_before_enospc)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 2));
	EXPECT_EQ(0, run_as(B, 42009, child_error_order, NULL));
}

static int child_failed_adds_free(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), e1 = b->create1(0), reg = open("/proc/self/status", O_RDONLY);

	CHECK(1, ev_add(b, e1, e0, EPOLLIN, 0) == 0);
	for (int i = 0; i < 20; i++) {
		CHECK(2, ev_add(b, e0, reg, EPOLLIN, 0) == -1);
		CHECK(3, ev_add(b, e0, e1, EPOLLIN, 0) == -1);
	}
	CHECK(4, add_n(b, e0, 2, NULL) == 2);
	errno = 0;
	CHECK(5, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	return 0;
}

/* limit 3: failed ADDs (EPERM, ELOOP) charge nothing */
TEST_F(limits, failed_adds_not_charged)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 3));
	EXPECT_EQ(0, run_as(B, 42010, child_failed_adds_free, NULL));
}

static int child_nested_counts(const struct backend *b, void *arg)
{
	int e0 = b->create1(0), e1 = b->create1(0), e2 = b->create1(0);

	CHECK(1, ev_add(b, e1, e0, EPOLLIN, 0) == 0);
	CHECK(2, ev_add(b, e2, e0, EPOLLIN, 0) == 0);
	errno = 0;
	CHECK(3, ev_add(b, e2, e1, EPOLLIN, 0) == -1 && errno == ENOSPC);
	return 0;
}

/* limit 2: an instance inside an instance is a watch like any other */
TEST_F(limits, nested_instance_is_a_watch)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 2));
	EXPECT_EQ(0, run_as(B, 42011, child_nested_counts, NULL));
}

struct change_ctx {
	const char *path;
};

static int child_limit_changes(const struct backend *b, void *arg)
{
	struct change_ctx *c = arg;
	int e0 = b->create1(0), fds[4];
	struct epoll_event evs[4];

	CHECK(1, add_n(b, e0, 4, fds) == 4);
	errno = 0;
	CHECK(2, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	/* root raises the limit: effective at once */
	CHECK(3, as_user(0) == 0 && write_ll_file(c->path, 6) == 0 && as_user(42012) == 0);
	CHECK(4, add_n(b, e0, 2, NULL) == 2);
	errno = 0;
	CHECK(5, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	/* root lowers it below the usage: items stay and work */
	CHECK(6, as_user(0) == 0 && write_ll_file(c->path, 2) == 0 && as_user(42012) == 0);
	CHECK(7, efd_signal(fds[0]) == 0 && efd_signal(fds[3]) == 0);
	CHECK(8, b->wait(e0, evs, 4, 0) == 2);
	CHECK(9, b->ctl(e0, EPOLL_CTL_DEL, fds[0], NULL) == 0);
	CHECK(10, b->ctl(e0, EPOLL_CTL_DEL, fds[1], NULL) == 0);
	CHECK(11, b->ctl(e0, EPOLL_CTL_DEL, fds[2], NULL) == 0);
	CHECK(12, b->ctl(e0, EPOLL_CTL_DEL, fds[3], NULL) == 0);
	/* 2 left in use, limit 2: still full */
	errno = 0;
	CHECK(13, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	return 0;
}

/* limit 4 → 6 → 2 while a user holds watches: raising and lowering act at once */
TEST_F(limits, limit_changes_take_effect)
{
	struct change_ctx c = { self->path };

	NEED_ROOT();

	ASSERT_EQ(0, set_limit(_metadata, self, 4));
	EXPECT_EQ(0, run_as(B, 42012, child_limit_changes, &c));
}

static int child_users_independent(const struct backend *b, void *arg)
{
	int e0 = b->create1(0);

	CHECK(1, add_n(b, e0, 3, NULL) == 3);
	errno = 0;
	CHECK(2, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	CHECK(3, as_user(42014) == 0);
	e0 = b->create1(0);
	CHECK(4, add_n(b, e0, 3, NULL) == 3);
	errno = 0;
	CHECK(5, add_n(b, e0, 1, NULL) == 0 && errno == ENOSPC);
	return 0;
}

/* limit 3: two users each get their own 3 */
TEST_F(limits, users_independent)
{
	NEED_ROOT();
	ASSERT_EQ(0, set_limit(_metadata, self, 3));
	EXPECT_EQ(0, run_as(B, 42013, child_users_independent, NULL));
}

/* the sysctl refuses negative numbers and garbage (EINVAL), value unchanged */
TEST_F(limits, sysctl_rejects_bad_values)
{
	const char *bad[] = { "-1\n", "-9223372036854775808\n", "abc\n", "0x\n" };

	NEED_ROOT();

	ASSERT_EQ(0, set_limit(_metadata, self, 1234));
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, write_str_file(self->path, bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("writing %s", bad[i]);
		EXPECT_EQ(1234, read_ll_file(self->path));
	}
}

/* the sysctl takes LONG_MAX and reads it back */
TEST_F(limits, sysctl_long_max)
{
	char buf[64];
	FILE *f;

	NEED_ROOT();

	ASSERT_EQ(0, write_ll_file(self->path, LONG_MAX));
	f = fopen(self->path, "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("9223372036854775807\n", buf);
}

static int child_cannot_write(const struct backend *b, void *arg)
{
	const char *path = arg;

	errno = 0;
	CHECK(1, open(path, O_WRONLY) == -1 && errno == EACCES);
	CHECK(2, read_ll_file(path) > 0);
	return 0;
}

/* an unprivileged user can read the sysctl but not write it */
TEST_F(limits, sysctl_unprivileged_read_only)
{
	NEED_ROOT();
	EXPECT_EQ(0, run_as(B, 42015, child_cannot_write, (void *)self->path));
}

TEST_HARNESS_MAIN
