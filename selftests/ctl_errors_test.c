// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_errors_test.c - epoll_ctl() errors, in epoll's check order
 * (fs/eventpoll.c do_epoll_ctl):
 *   copy event (non-DEL) EFAULT → epfd EBADF → fd EBADF → no ->poll EPERM →
 *   EPOLLWAKEUP stripped without CAP_BLOCK_SUSPEND → same file / not an
 *   instance EINVAL → EPOLLEXCLUSIVE rules EINVAL → ELOOP → EEXIST/ENOENT/
 *   unknown op EINVAL.
 * Plus what ADD/MOD store: unknown bits kept, EPOLLERR|EPOLLHUP forced.
 */
#include "backend.h"
#include "util.h"
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <linux/capability.h>
#include <dirent.h>
#include "kselftest_harness.h"

#define EXCL_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | \
		      EPOLLET | EPOLLEXCLUSIVE)

FIXTURE(ctl) {
	int ep;
	int p[2];	/* pipe: p[0] read end, p[1] write end (nonblocking) */
};
BACKEND_VARIANTS(ctl);

FIXTURE_SETUP(ctl)
{
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	ASSERT_EQ(0, pipe2(self->p, O_NONBLOCK));
}

FIXTURE_TEARDOWN(ctl)
{
	close(self->ep);
	close(self->p[0]);
	close(self->p[1]);
}

/* Expect ctl to fail with errno e. */
#define EXPECT_CTL_ERR(e, epfd, op, fd, evp) do {			\
		errno = 0;						\
		EXPECT_EQ(-1, B->ctl((epfd), (op), (fd), (evp)));	\
		EXPECT_EQ((e), errno);					\
	} while (0)

/* A closed fd number: open then close something. */
static int closed_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static int tmp_regular_file(void)
{
	char name[] = "/tmp/ep2ctlXXXXXX";
	int fd = mkstemp(name);

	if (fd >= 0)
		unlink(name);
	return fd;
}

/* Effective-capability test / drop for the calling process (capget/capset). */
static int cap_effective(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

static int cap_drop_effective(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

/* ---- EFAULT: the event is copied first, for every op but DEL ------------ */

/* e0, ADD p0 with event == NULL → EFAULT; nothing inserted */
TEST_F(ctl, efault_add_null_event)
{
	EXPECT_CTL_ERR(EFAULT, self->ep, EPOLL_CTL_ADD, self->p[0], NULL);
	EXPECT_EQ(0, fdinfo_items(self->ep));
}

/* e0 → p0; MOD with a pointer into page 0 → EFAULT; item unchanged */
TEST_F(ctl, efault_mod_bad_pointer)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 7));
	EXPECT_CTL_ERR(EFAULT, self->ep, EPOLL_CTL_MOD, self->p[0], (struct epoll_event *)8);
	EXPECT_EQ(EPOLLIN | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* ADD with a pointer to an unmapped page → EFAULT */
TEST_F(ctl, efault_unmapped_event)
{
	void *p = unmapped_page();

	ASSERT_TRUE(p != NULL);
	EXPECT_CTL_ERR(EFAULT, self->ep, EPOLL_CTL_ADD, self->p[0], p);
	EXPECT_EQ(0, fdinfo_items(self->ep));
}

/* ADD with the 12-byte event straddling into a PROT_NONE page → EFAULT */
TEST_F(ctl, efault_event_straddles_guard_page)
{
	char *g = guarded_boundary();

	ASSERT_TRUE(g != NULL);
	EXPECT_CTL_ERR(EFAULT, self->ep, EPOLL_CTL_ADD, self->p[0], (struct epoll_event *)(g - 4));
	/* the same struct fully inside the good page works */
	struct epoll_event *ok = (struct epoll_event *)(g - sizeof(struct epoll_event));
	ok->events = EPOLLIN;
	ok->data.u64 = 1;
	EXPECT_EQ(0, B->ctl(self->ep, EPOLL_CTL_ADD, self->p[0], ok));
}

/* an unknown op still copies the event: op 99 / op 0 with NULL → EFAULT */
TEST_F(ctl, efault_unknown_op_bad_pointer)
{
	EXPECT_CTL_ERR(EFAULT, self->ep, 99, self->p[0], NULL);
	EXPECT_CTL_ERR(EFAULT, self->ep, 0, self->p[0], NULL);
	EXPECT_CTL_ERR(EFAULT, self->ep, -1, self->p[0], (struct epoll_event *)8);
}

/* EFAULT before EBADF: bad epfd, bad fd, NULL event, ADD/MOD → EFAULT */
TEST_F(ctl, efault_before_ebadf)
{
	EXPECT_CTL_ERR(EFAULT, -1, EPOLL_CTL_ADD, -1, NULL);
	EXPECT_CTL_ERR(EFAULT, -1, EPOLL_CTL_MOD, self->p[0], NULL);
	EXPECT_CTL_ERR(EFAULT, self->ep, EPOLL_CTL_ADD, -1, NULL);
}

/* EFAULT before EPERM/EINVAL: regular file target, non-instance epfd */
TEST_F(ctl, efault_before_eperm_and_einval)
{
	int f = tmp_regular_file();

	ASSERT_GE(f, 0);
	EXPECT_CTL_ERR(EFAULT, self->ep, EPOLL_CTL_ADD, f, NULL);
	EXPECT_CTL_ERR(EFAULT, self->p[0], EPOLL_CTL_ADD, self->p[1], NULL);
	EXPECT_CTL_ERR(EFAULT, self->ep, EPOLL_CTL_ADD, self->ep, NULL);
	close(f);
}

/* e0 → p0; DEL never reads the event: NULL and a wild pointer both work */
TEST_F(ctl, del_ignores_event_pointer)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 0));
	EXPECT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], NULL));
	EXPECT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[1], (struct epoll_event *)8));
	EXPECT_EQ(0, fdinfo_items(self->ep));
}

/* DEL of an absent fd with a bad pointer → ENOENT, not EFAULT */
TEST_F(ctl, del_bad_pointer_absent_enoent)
{
	EXPECT_CTL_ERR(ENOENT, self->ep, EPOLL_CTL_DEL, self->p[0], (struct epoll_event *)8);
}

/* ---- EBADF ----------------------------------------------------------------- */

/* epfd -1, closed, INT_MAX → EBADF */
TEST_F(ctl, ebadf_epfd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_CTL_ERR(EBADF, -1, EPOLL_CTL_ADD, self->p[0], &ev);
	EXPECT_CTL_ERR(EBADF, closed_fd(), EPOLL_CTL_ADD, self->p[0], &ev);
	EXPECT_CTL_ERR(EBADF, INT_MAX, EPOLL_CTL_ADD, self->p[0], &ev);
	EXPECT_CTL_ERR(EBADF, -1, EPOLL_CTL_DEL, self->p[0], NULL);
}

/* e0; target fd -1, closed, INT_MAX → EBADF for ADD, MOD, DEL */
TEST_F(ctl, ebadf_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int c = closed_fd();

	EXPECT_CTL_ERR(EBADF, self->ep, EPOLL_CTL_ADD, -1, &ev);
	EXPECT_CTL_ERR(EBADF, self->ep, EPOLL_CTL_ADD, c, &ev);
	EXPECT_CTL_ERR(EBADF, self->ep, EPOLL_CTL_MOD, INT_MAX, &ev);
	EXPECT_CTL_ERR(EBADF, self->ep, EPOLL_CTL_DEL, c, NULL);
}

/* EBADF for epfd comes before anything about fd: bad epfd + regular file fd */
TEST_F(ctl, ebadf_epfd_before_eperm)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int f = tmp_regular_file();

	ASSERT_GE(f, 0);
	EXPECT_CTL_ERR(EBADF, -1, EPOLL_CTL_ADD, f, &ev);
	EXPECT_CTL_ERR(EBADF, -1, EPOLL_CTL_ADD, -1, &ev);
	close(f);
}

/* EBADF for fd comes before "epfd is not an instance" (EINVAL) */
TEST_F(ctl, ebadf_fd_before_einval_not_instance)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_CTL_ERR(EBADF, self->p[0], EPOLL_CTL_ADD, -1, &ev);
	EXPECT_CTL_ERR(EBADF, self->p[0], EPOLL_CTL_DEL, closed_fd(), NULL);
}

/* EBADF for fd before "fd == epfd"-style and op checks: unknown op, bad fd */
TEST_F(ctl, ebadf_before_unknown_op)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_CTL_ERR(EBADF, self->ep, 99, -1, &ev);
	EXPECT_CTL_ERR(EBADF, -1, 99, self->p[0], &ev);
}

/* an O_PATH fd of the pipe as target → EBADF (fdget refuses FMODE_PATH) */
TEST_F(ctl, ebadf_opath_target)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char path[64];
	int o;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->p[0]);
	o = open(path, O_PATH | O_CLOEXEC);
	ASSERT_GE(o, 0);
	EXPECT_CTL_ERR(EBADF, self->ep, EPOLL_CTL_ADD, o, &ev);
	o = open("/tmp", O_PATH | O_CLOEXEC);
	ASSERT_GE(o, 0);
	EXPECT_CTL_ERR(EBADF, self->ep, EPOLL_CTL_ADD, o, &ev);
}

/* an O_PATH fd of the instance as epfd → EBADF */
TEST_F(ctl, ebadf_opath_epfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char path[64];
	int o;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->ep);
	o = open(path, O_PATH | O_CLOEXEC);
	ASSERT_GE(o, 0);
	EXPECT_CTL_ERR(EBADF, o, EPOLL_CTL_ADD, self->p[0], &ev);
	close(o);
}

/* ---- EPERM: target without ->poll ------------------------------------------ */

/* e0 → regular file (tmpfs) → EPERM for ADD, MOD and DEL */
TEST_F(ctl, eperm_regular_file)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int f = tmp_regular_file();

	ASSERT_GE(f, 0);
	EXPECT_CTL_ERR(EPERM, self->ep, EPOLL_CTL_ADD, f, &ev);
	EXPECT_CTL_ERR(EPERM, self->ep, EPOLL_CTL_MOD, f, &ev);
	EXPECT_CTL_ERR(EPERM, self->ep, EPOLL_CTL_DEL, f, NULL);
	EXPECT_EQ(0, fdinfo_items(self->ep));
	close(f);
}

/* e0 → a directory → EPERM */
TEST_F(ctl, eperm_directory)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int d = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_GE(d, 0);
	EXPECT_CTL_ERR(EPERM, self->ep, EPOLL_CTL_ADD, d, &ev);
	close(d);
}

/* e0 → memfd (shmem regular file) → EPERM */
TEST_F(ctl, eperm_memfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int m = memfd_create("ep2ctl", MFD_CLOEXEC);

	ASSERT_GE(m, 0);
	EXPECT_CTL_ERR(EPERM, self->ep, EPOLL_CTL_ADD, m, &ev);
	close(m);
}

/* EPERM before "epfd is not an instance": epfd pipe, fd regular → EPERM */
TEST_F(ctl, eperm_before_einval_not_instance)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int f = tmp_regular_file();

	ASSERT_GE(f, 0);
	EXPECT_CTL_ERR(EPERM, self->p[0], EPOLL_CTL_ADD, f, &ev);
	EXPECT_CTL_ERR(EPERM, f, EPOLL_CTL_ADD, f, &ev);
	close(f);
}

/* EPERM before the EPOLLEXCLUSIVE rules and before unknown op */
TEST_F(ctl, eperm_before_exclusive_and_op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	int f = tmp_regular_file();

	ASSERT_GE(f, 0);
	EXPECT_CTL_ERR(EPERM, self->ep, EPOLL_CTL_MOD, f, &ev);
	EXPECT_CTL_ERR(EPERM, self->ep, 99, f, &ev);
	close(f);
}

/* ---- EPOLLWAKEUP and CAP_BLOCK_SUSPEND ------------------------------------ */

/* with CAP_BLOCK_SUSPEND, ADD IN|WAKEUP keeps EPOLLWAKEUP (fdinfo) */
TEST_F(ctl, wakeup_kept_with_cap)
{
	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		SKIP(return, "no CAP_BLOCK_SUSPEND");
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLWAKEUP, 1));
	EXPECT_EQ(EPOLLIN | EPOLLWAKEUP | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* child without CAP_BLOCK_SUSPEND: ADD IN|WAKEUP succeeds, WAKEUP silently dropped */
TEST_F(ctl, wakeup_dropped_without_cap_add)
{
	int status;
	pid_t pid;

	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		SKIP(return, "need CAP_BLOCK_SUSPEND to drop it");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (cap_drop_effective(CAP_BLOCK_SUSPEND) || cap_effective(CAP_BLOCK_SUSPEND) != 0)
			_exit(2);
		_exit(ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLWAKEUP | EPOLLET, 5) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* child without CAP_BLOCK_SUSPEND: MOD to IN|WAKEUP drops WAKEUP, removes the old one */
TEST_F(ctl, wakeup_dropped_without_cap_mod)
{
	int status;
	pid_t pid;

	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		SKIP(return, "need CAP_BLOCK_SUSPEND to drop it");
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLWAKEUP, 1));
	ASSERT_EQ(EPOLLIN | EPOLLWAKEUP | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (cap_drop_effective(CAP_BLOCK_SUSPEND))
			_exit(2);
		_exit(ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLOUT | EPOLLWAKEUP, 6) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* without the cap, EXCLUSIVE|WAKEUP|IN is still a valid ADD (WAKEUP dropped first) */
TEST_F(ctl, wakeup_dropped_then_exclusive_ok)
{
	int status;
	pid_t pid;

	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		SKIP(return, "need CAP_BLOCK_SUSPEND to drop it");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (cap_drop_effective(CAP_BLOCK_SUSPEND))
			_exit(2);
		_exit(ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLWAKEUP | EPOLLEXCLUSIVE, 5) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(EPOLLIN | EPOLLEXCLUSIVE | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/*
 * Wakeup sources (CONFIG_PM_SLEEP): an EPOLLWAKEUP item registers one named
 * after the target's dentry ("[eventfd]"), and the instance one named
 * "eventpoll"; they show in /sys/class/wakeup/wakeupN/{name,active_count}.
 */
#define WS_DIR "/sys/class/wakeup"

static int ws_read(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), WS_DIR "/%s/%s", dir, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/* Wakeup sources called name: count, and (optionally) their dir names, comma-joined. */
static int ws_list(const char *name, char *dirs, size_t len)
{
	DIR *d = opendir(WS_DIR);
	struct dirent *de;
	char buf[128];
	int n = 0;

	if (!d)
		return -1;
	if (dirs)
		dirs[0] = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || ws_read(de->d_name, "name", buf, sizeof(buf)))
			continue;
		if (strcmp(buf, name))
			continue;
		n++;
		if (dirs)
			snprintf(dirs + strlen(dirs), len - strlen(dirs), "%s,", de->d_name);
	}
	closedir(d);
	return n;
}

/* The wakeup source called name that is not among before (from ws_list). */
static int ws_new_dir(const char *name, const char *before, char *out, size_t len)
{
	char now[4096], *tok, *save = NULL;

	if (ws_list(name, now, sizeof(now)) < 0)
		return -1;
	for (tok = strtok_r(now, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char key[64];

		snprintf(key, sizeof(key), "%s,", tok);
		if (!strstr(before, key)) {
			snprintf(out, len, "%s", tok);
			return 0;
		}
	}
	return -1;
}

static long ws_active_count(const char *dir)
{
	char buf[64];

	return ws_read(dir, "active_count", buf, sizeof(buf)) ? -1 : atol(buf);
}

/* ADD eventfd IN|WAKEUP → the instance's source + "[eventfd]"; MOD without WAKEUP drops the item's; close drops the instance's */
TEST_F(ctl, wakeup_sources_registered)
{
	const char *epname = "eventpoll";	/* the instance's own source */
	int efd = eventfd(0, EFD_CLOEXEC), ep0, fd0;

	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		SKIP(return, "no CAP_BLOCK_SUSPEND");
	ep0 = ws_list(epname, NULL, 0);
	fd0 = ws_list("[eventfd]", NULL, 0);
	if (ep0 < 0)
		SKIP(return, "no " WS_DIR);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 1));
	EXPECT_EQ(ep0, ws_list(epname, NULL, 0));		/* no WAKEUP: nothing */
	EXPECT_EQ(fd0, ws_list("[eventfd]", NULL, 0));
	ASSERT_EQ(0, ev_mod(B, self->ep, efd, EPOLLIN | EPOLLWAKEUP, 1));
	EXPECT_EQ(ep0 + 1, ws_list(epname, NULL, 0));
	EXPECT_EQ(fd0 + 1, ws_list("[eventfd]", NULL, 0));
	ASSERT_EQ(0, ev_mod(B, self->ep, efd, EPOLLIN, 1));
	EXPECT_EQ(fd0, ws_list("[eventfd]", NULL, 0));
	EXPECT_EQ(ep0 + 1, ws_list(epname, NULL, 0));	/* the instance keeps its own */
	ASSERT_EQ(0, ev_mod(B, self->ep, efd, EPOLLIN | EPOLLWAKEUP, 1));
	EXPECT_EQ(fd0 + 1, ws_list("[eventfd]", NULL, 0));
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, efd, NULL));
	EXPECT_EQ(fd0, ws_list("[eventfd]", NULL, 0));
	close(self->ep);
	self->ep = B->create1(0);
	EXPECT_EQ(ep0, ws_list(epname, NULL, 0));
	close(efd);
}

/* epoll names an instance's wakeup source "eventpoll" (visible to suspend tooling) */
TEST_F(ctl, wakeup_source_instance_named_eventpoll)
{
	int efd = eventfd(0, EFD_CLOEXEC), n0;

	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		SKIP(return, "no CAP_BLOCK_SUSPEND");
	n0 = ws_list("eventpoll", NULL, 0);
	if (n0 < 0)
		SKIP(return, "no " WS_DIR);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN | EPOLLWAKEUP, 1));
	EXPECT_EQ(n0 + 1, ws_list("eventpoll", NULL, 0));
	close(efd);
}

/* the item's wakeup source is activated when the item becomes ready, and again after each harvest */
TEST_F(ctl, wakeup_source_active_while_ready)
{
	char before[4096], dir[64];
	uint64_t one = 1;
	struct epoll_event out;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		SKIP(return, "no CAP_BLOCK_SUSPEND");
	if (ws_list("[eventfd]", before, sizeof(before)) < 0)
		SKIP(return, "no " WS_DIR);
	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN | EPOLLET | EPOLLWAKEUP, 1));
	ASSERT_EQ(0, ws_new_dir("[eventfd]", before, dir, sizeof(dir)));
	EXPECT_EQ(0, ws_active_count(dir));
	ASSERT_EQ(8, write(efd, &one, 8));
	EXPECT_EQ(1, ws_active_count(dir));
	ASSERT_EQ(1, B->wait(self->ep, &out, 1, 0));
	ASSERT_EQ(8, write(efd, &one, 8));
	EXPECT_EQ(2, ws_active_count(dir));
	close(efd);
}

/* ---- EINVAL: same file, not an instance ------------------------------------- */

/* e0 → e0 → EINVAL for ADD, MOD and DEL */
TEST_F(ctl, einval_fd_is_epfd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_CTL_ERR(EINVAL, self->ep, EPOLL_CTL_ADD, self->ep, &ev);
	EXPECT_CTL_ERR(EINVAL, self->ep, EPOLL_CTL_MOD, self->ep, &ev);
	EXPECT_CTL_ERR(EINVAL, self->ep, EPOLL_CTL_DEL, self->ep, NULL);
	EXPECT_EQ(0, fdinfo_items(self->ep));
}

/* e0 → dup(e0): same file → EINVAL (not ELOOP, not ENOENT) */
TEST_F(ctl, einval_fd_is_dup_of_epfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int d = dup(self->ep);

	ASSERT_GE(d, 0);
	EXPECT_CTL_ERR(EINVAL, self->ep, EPOLL_CTL_ADD, d, &ev);
	EXPECT_CTL_ERR(EINVAL, d, EPOLL_CTL_ADD, self->ep, &ev);
	EXPECT_CTL_ERR(EINVAL, d, EPOLL_CTL_DEL, self->ep, NULL);
	close(d);
}

/* epfd is a pipe → EINVAL */
TEST_F(ctl, einval_epfd_pipe)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_CTL_ERR(EINVAL, self->p[0], EPOLL_CTL_ADD, self->p[1], &ev);
	EXPECT_CTL_ERR(EINVAL, self->p[0], EPOLL_CTL_DEL, self->p[1], NULL);
}

/* epfd is a regular file → EINVAL (target pollable) */
TEST_F(ctl, einval_epfd_regular_file)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int f = tmp_regular_file();

	ASSERT_GE(f, 0);
	EXPECT_CTL_ERR(EINVAL, f, EPOLL_CTL_ADD, self->p[0], &ev);
	close(f);
}

/* epfd is an eventfd → EINVAL */
TEST_F(ctl, einval_epfd_eventfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int e = eventfd(0, EFD_CLOEXEC);

	ASSERT_GE(e, 0);
	EXPECT_CTL_ERR(EINVAL, e, EPOLL_CTL_ADD, self->p[0], &ev);
	EXPECT_CTL_ERR(EINVAL, e, EPOLL_CTL_MOD, self->p[0], &ev);
	close(e);
}

/* epfd is an instance of the other backend → EINVAL for this backend */
TEST_F(ctl, einval_epfd_other_backend)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int o = other_backend(B)->create1(EPOLL_CLOEXEC);

	ASSERT_GE(o, 0);
	EXPECT_CTL_ERR(EINVAL, o, EPOLL_CTL_ADD, self->p[0], &ev);
	EXPECT_EQ(0, fdinfo_items(o));
	close(o);
}

/* "fd == epfd" EINVAL beats ENOENT (DEL/MOD) and EEXIST-less paths */
TEST_F(ctl, einval_same_file_before_enoent)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	/* also beats the EXCLUSIVE checks (same EINVAL, but no insert) */
	EXPECT_CTL_ERR(EINVAL, self->ep, EPOLL_CTL_ADD, self->ep, &ev);
	EXPECT_CTL_ERR(EINVAL, self->ep, 99, self->ep, &ev);
}

/* ---- EPOLLEXCLUSIVE rules --------------------------------------------------- */

/* MOD with EPOLLEXCLUSIVE → EINVAL, even when fd is not in the set (not ENOENT) */
TEST_F(ctl, exclusive_mod_absent_einval)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	EXPECT_CTL_ERR(EINVAL, self->ep, EPOLL_CTL_MOD, self->p[0], &ev);
}

/* e0 → p0 (plain); MOD with EXCLUSIVE → EINVAL, item unchanged */
TEST_F(ctl, exclusive_mod_present_einval)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.u64 = 9 };
	unsigned long long data;
	unsigned events;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 3));
	EXPECT_CTL_ERR(EINVAL, self->ep, EPOLL_CTL_MOD, self->p[0], &ev);
	ASSERT_EQ(1, fdinfo_item(self->ep, self->p[0], &events, &data));
	EXPECT_EQ(EPOLLIN | EPOLLERR | EPOLLHUP, events);
	EXPECT_EQ(3, data);
}

/* e0 → e1 with EXCLUSIVE → EINVAL; without EXCLUSIVE it works */
TEST_F(ctl, exclusive_add_instance_einval)
{
	int e1 = B->create1(0);

	ASSERT_GE(e1, 0);
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, self->ep, e1, EPOLLIN | EPOLLEXCLUSIVE, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, fdinfo_items(self->ep));
	EXPECT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN, 0));
	close(e1);
}

/* ADD EXCLUSIVE with any bit outside IN|OUT|ERR|HUP|WAKEUP|ET|EXCLUSIVE → EINVAL */
TEST_F(ctl, exclusive_add_bad_bits_einval)
{
	unsigned bad[] = { EPOLLRDHUP, EPOLLPRI, EPOLLONESHOT, EPOLLRDNORM, EPOLLRDBAND,
			   EPOLLWRNORM, EPOLLWRBAND, EPOLLMSG, 0x800, 0x00100000, 1u << 27 };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE | bad[i], 0)) {
			TH_LOG("bit %#x accepted", bad[i]);
		}
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(0, fdinfo_items(self->ep));
}

/* ADD EXCLUSIVE with every allowed bit → ok, bits stored as given */
TEST_F(ctl, exclusive_add_allowed_bits)
{
	unsigned want = EXCL_OK_BITS;

	if (cap_effective(CAP_BLOCK_SUSPEND) != 1)
		want &= ~EPOLLWAKEUP;
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EXCL_OK_BITS, 0));
	EXPECT_EQ(want, fdinfo_events(self->ep, self->p[1]));
	/* EXCLUSIVE alone is fine too (ERR|HUP are forced) */
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLEXCLUSIVE, 0));
	EXPECT_EQ(EPOLLEXCLUSIVE | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* e0 → p0 (EXCLUSIVE); any MOD of it → EINVAL, item unchanged */
TEST_F(ctl, exclusive_item_mod_einval)
{
	unsigned long long data;
	unsigned events;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE, 11));
	errno = 0;
	EXPECT_EQ(-1, ev_mod(B, self->ep, self->p[0], EPOLLIN, 12));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ev_mod(B, self->ep, self->p[0], EPOLLOUT | EPOLLET, 13));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(1, fdinfo_item(self->ep, self->p[0], &events, &data));
	EXPECT_EQ(EPOLLIN | EPOLLEXCLUSIVE | EPOLLERR | EPOLLHUP, events);
	EXPECT_EQ(11, data);
}

/* e0 → p0 (EXCLUSIVE); DEL works, and a re-ADD without EXCLUSIVE can be MODded */
TEST_F(ctl, exclusive_del_then_plain_readd)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
	EXPECT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], NULL));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 2));
	EXPECT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 3));
	EXPECT_EQ(EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* EXCLUSIVE rule EINVAL comes before EEXIST: ADD existing fd with EXCLUSIVE|RDHUP */
TEST_F(ctl, exclusive_bad_bits_before_eexist)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLRDHUP | EPOLLEXCLUSIVE, 2));
	EXPECT_EQ(EINVAL, errno);
	/* a valid EXCLUSIVE ADD of the present fd is EEXIST */
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE, 2));
	EXPECT_EQ(EEXIST, errno);
}

/* DEL with an event carrying EXCLUSIVE and garbage bits: event is not read → 0 */
TEST_F(ctl, exclusive_bits_ignored_for_del)
{
	struct epoll_event ev = { .events = EPOLLEXCLUSIVE | EPOLLRDHUP | 0x800 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	EXPECT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], &ev));
}

/* ---- ELOOP --------------------------------------------------------------------- */

/* e1 → e0 exists; ADD e0 → e1 would close a loop → ELOOP */
TEST_F(ctl, eloop_two_instances)
{
	int e1 = B->create1(0);

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, ev_add(B, e1, self->ep, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, self->ep, e1, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
	EXPECT_EQ(0, fdinfo_items(self->ep));
	close(e1);
}

/* e2 → e1 → e0; ADD e0 → e2 → ELOOP (three-instance loop) */
TEST_F(ctl, eloop_three_instances)
{
	int e1 = B->create1(0), e2 = B->create1(0);

	ASSERT_GE(e1, 0);
	ASSERT_GE(e2, 0);
	ASSERT_EQ(0, ev_add(B, e1, self->ep, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, e2, e1, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, self->ep, e2, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
	close(e1);
	close(e2);
}

/* e0 → e1 present; ADD e1 again → EEXIST (no loop), MOD of it works */
TEST_F(ctl, nested_instance_eexist_not_eloop)
{
	int e1 = B->create1(0);

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, e1, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, self->ep, e1, EPOLLIN, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0, ev_mod(B, self->ep, e1, EPOLLIN | EPOLLET, 1));
	close(e1);
}

/* ---- EEXIST / ENOENT / unknown op ------------------------------------------- */

/* e0 → p0; second ADD → EEXIST; the first item's events and data are kept */
TEST_F(ctl, eexist_keeps_first_item)
{
	unsigned long long data;
	unsigned events;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0x1111));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 0x2222));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(1, fdinfo_item(self->ep, self->p[0], &events, &data));
	EXPECT_EQ(EPOLLIN | EPOLLERR | EPOLLHUP, events);
	EXPECT_EQ(0x1111, data);
	EXPECT_EQ(1, fdinfo_items(self->ep));
}

/* MOD of an fd that is not in the set → ENOENT */
TEST_F(ctl, enoent_mod_absent)
{
	errno = 0;
	EXPECT_EQ(-1, ev_mod(B, self->ep, self->p[0], EPOLLIN, 0));
	EXPECT_EQ(ENOENT, errno);
}

/* DEL of an fd that is not in the set → ENOENT */
TEST_F(ctl, enoent_del_absent)
{
	EXPECT_CTL_ERR(ENOENT, self->ep, EPOLL_CTL_DEL, self->p[0], NULL);
}

/* e0 → p0, DEL p0; then MOD and DEL → ENOENT, ADD works again */
TEST_F(ctl, enoent_after_del)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], NULL));
	errno = 0;
	EXPECT_EQ(-1, ev_mod(B, self->ep, self->p[0], EPOLLIN, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_CTL_ERR(ENOENT, self->ep, EPOLL_CTL_DEL, self->p[0], NULL);
	EXPECT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
}

/* MOD/DEL of the other end of the same pipe (a different file) → ENOENT */
TEST_F(ctl, enoent_other_file_same_pipe)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	EXPECT_CTL_ERR(ENOENT, self->ep, EPOLL_CTL_DEL, self->p[1], NULL);
}

/* unknown ops (0, 4, 99, -1, INT_MIN) with a valid event → EINVAL, set unchanged */
TEST_F(ctl, unknown_op_einval)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = 5 };
	int ops[] = { 0, 4, 99, -1, INT_MIN, INT_MAX };
	unsigned long long data;
	unsigned events;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* fd present or absent: both EINVAL */
		EXPECT_CTL_ERR(EINVAL, self->ep, ops[i], self->p[0], &ev);
		EXPECT_CTL_ERR(EINVAL, self->ep, ops[i], self->p[1], &ev);
	}
	ASSERT_EQ(1, fdinfo_item(self->ep, self->p[0], &events, &data));
	EXPECT_EQ(EPOLLIN | EPOLLERR | EPOLLHUP, events);
	EXPECT_EQ(1, data);
	EXPECT_EQ(1, fdinfo_items(self->ep));
}

/* unknown op on a non-instance epfd → EINVAL; with a bad fd → EBADF */
TEST_F(ctl, unknown_op_not_instance)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_CTL_ERR(EINVAL, self->p[0], 99, self->p[1], &ev);
	EXPECT_CTL_ERR(EBADF, self->p[0], 99, -1, &ev);
}

/* ---- what ADD/MOD store ----------------------------------------------------- */

/* unknown event bits (0x800, 1<<20) are stored as given (fdinfo) */
TEST_F(ctl, unknown_bits_stored_add)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | 0x800 | 0x00100000, 0));
	EXPECT_EQ(EPOLLIN | 0x800 | 0x00100000 | EPOLLERR | EPOLLHUP,
		  fdinfo_events(self->ep, self->p[0]));
}

/* unknown bits stored by MOD too, replacing the old mask entirely */
TEST_F(ctl, unknown_bits_stored_mod)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLRDHUP, 0));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], 0x4000 | EPOLLPRI, 0));
	EXPECT_EQ(0x4000 | EPOLLPRI | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* unknown bits do not make an item report anything: pipe readable, interest 0x800 */
TEST_F(ctl, unknown_bits_report_nothing)
{
	struct epoll_event out;

	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], 0x800, 0));
	EXPECT_EQ(0, B->wait(self->ep, &out, 1, 0));
}

/* ADD with events 0 stores EPOLLERR|EPOLLHUP */
TEST_F(ctl, add_forces_err_hup)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], 0, 0));
	EXPECT_EQ(EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* MOD with events IN|ET stores IN|ET|ERR|HUP */
TEST_F(ctl, mod_forces_err_hup)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 0));
	EXPECT_EQ(EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], 0, 0));
	EXPECT_EQ(EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
}

/* e0 → p0 (events 0); close p1 → EPOLLHUP reported though not asked for */
TEST_F(ctl, add_zero_events_reports_hup)
{
	struct epoll_event out = { 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], 0, 0xabc));
	EXPECT_EQ(0, B->wait(self->ep, &out, 1, 0));
	close(self->p[1]);
	self->p[1] = -1;
	ASSERT_EQ(1, B->wait(self->ep, &out, 1, 0));
	EXPECT_EQ(EPOLLHUP, out.events);
	EXPECT_EQ(0xabc, out.data.u64);
}

/* e0 → p1 (write end, events 0); close p0 → EPOLLERR reported */
TEST_F(ctl, add_zero_events_reports_err)
{
	struct epoll_event out = { 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], 0, 0xdef));
	EXPECT_EQ(0, B->wait(self->ep, &out, 1, 0));
	close(self->p[0]);
	self->p[0] = -1;
	ASSERT_EQ(1, B->wait(self->ep, &out, 1, 0));
	EXPECT_EQ(EPOLLERR, out.events);
	EXPECT_EQ(0xdef, out.data.u64);
}

/* MOD to events 0 still reports HUP (forced by MOD as by ADD) */
TEST_F(ctl, mod_zero_events_reports_hup)
{
	struct epoll_event out = { 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], 0, 2));
	close(self->p[1]);
	self->p[1] = -1;
	ASSERT_EQ(1, B->wait(self->ep, &out, 1, 0));
	EXPECT_EQ(EPOLLHUP, out.events);
	EXPECT_EQ(2, out.data.u64);
}

/* MOD replaces data (fdinfo and reported) */
TEST_F(ctl, mod_replaces_data)
{
	struct epoll_event out = { 0 };
	unsigned long long data;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 100));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[1], EPOLLOUT, 0xfeedfacecafebeefULL));
	ASSERT_EQ(1, fdinfo_item(self->ep, self->p[1], NULL, &data));
	EXPECT_EQ(0xfeedfacecafebeefULL, data);
	ASSERT_EQ(1, B->wait(self->ep, &out, 1, 0));
	EXPECT_EQ(0xfeedfacecafebeefULL, out.data.u64);
}

/* ---- dup'd fds --------------------------------------------------------------- */

/* e0 → {p0, dup(p0)}: two items, both reported with their own data */
TEST_F(ctl, dup_fd_separate_item)
{
	struct epoll_event out[4];
	int d = dup(self->p[0]);
	unsigned long long seen = 0;
	int n;

	ASSERT_GE(d, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, d, EPOLLIN, 2));
	EXPECT_EQ(2, fdinfo_items(self->ep));
	ASSERT_EQ(1, write1(self->p[1]));
	n = B->wait(self->ep, out, 4, 0);
	ASSERT_EQ(2, n);
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(EPOLLIN, out[i].events);
		seen |= out[i].data.u64;
	}
	EXPECT_EQ(3, seen);
	/* DEL of one leaves the other */
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], NULL));
	n = B->wait(self->ep, out, 4, 0);
	ASSERT_EQ(1, n);
	EXPECT_EQ(2, out[0].data.u64);
	EXPECT_CTL_ERR(ENOENT, self->ep, EPOLL_CTL_DEL, self->p[0], NULL);
	close(d);
}

/* e0 → p0 only; MOD/DEL via dup(p0) → ENOENT (items are keyed by (file, fd)) */
TEST_F(ctl, dup_fd_is_not_the_item)
{
	int d = dup(self->p[0]);

	ASSERT_GE(d, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	errno = 0;
	EXPECT_EQ(-1, ev_mod(B, self->ep, d, EPOLLIN, 2));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_CTL_ERR(ENOENT, self->ep, EPOLL_CTL_DEL, d, NULL);
	close(d);
}

/* e0 → p0; dup2 another pipe onto the fd number p0 → MOD at that number → ENOENT */
TEST_F(ctl, fd_number_reused_by_other_file)
{
	int q[2], d;

	ASSERT_EQ(0, pipe2(q, O_NONBLOCK));
	d = dup(self->p[0]);		/* keep the original file open */
	ASSERT_GE(d, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(self->p[0], dup2(q[0], self->p[0]));
	errno = 0;
	EXPECT_EQ(-1, ev_mod(B, self->ep, self->p[0], EPOLLIN, 2));
	EXPECT_EQ(ENOENT, errno);
	/* the old item is still listed under that number */
	EXPECT_EQ(1, fdinfo_items(self->ep));
	EXPECT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 3));
	EXPECT_EQ(2, fdinfo_items(self->ep));
	close(q[0]);
	close(q[1]);
	close(d);
}

/* e0 → p0; close(p0) while a dup keeps the file open: item stays and still reports */
TEST_F(ctl, closed_fd_item_persists_while_dup_open)
{
	struct epoll_event out = { 0 };
	int d = dup(self->p[0]), fd = self->p[0];

	ASSERT_GE(d, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, fd, EPOLLIN, 77));
	close(fd);
	self->p[0] = d;
	EXPECT_EQ(1, fdinfo_item(self->ep, fd, NULL, NULL));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, B->wait(self->ep, &out, 1, 0));
	EXPECT_EQ(77, out.data.u64);
	/* DEL by the closed number → EBADF */
	EXPECT_CTL_ERR(EBADF, self->ep, EPOLL_CTL_DEL, fd, NULL);
}

/* e0 → p0; closing the last reference removes the item */
TEST_F(ctl, close_last_ref_removes_item)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 2));
	EXPECT_EQ(2, fdinfo_items(self->ep));
	close(self->p[0]);
	self->p[0] = -1;
	EXPECT_EQ(1, fdinfo_items(self->ep));
	EXPECT_EQ(1, fdinfo_item(self->ep, self->p[1], NULL, NULL));
}

TEST_HARNESS_MAIN
