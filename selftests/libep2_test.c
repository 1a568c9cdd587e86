// SPDX-License-Identifier: GPL-2.0
/*
 * libep2_test.c - libeventpoll2 itself: errno parity with epoll on the main
 * error paths (light; ctl_errors_test and friends are exhaustive), and the
 * library's own duties: ENODEV without the device, the device fd
 * (close-on-exec, one per process, reopened after close_range()/closefrom()
 * or dup2() over it), thread safety of the lazy open, fork, cancellation of
 * a blocked wait.
 */
#include "backend.h"
#include <limits.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include "kselftest_harness.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static int count_device_fds(void)
{
	char path[300], link[256];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = 0;
		if (!strcmp(link, EVENTPOLL2_DEVICE))
			n++;
	}
	closedir(d);
	return n;
}

/* ---- errno parity, both backends ------------------------------------------ */

FIXTURE(parity) {
	int ep;
	int p[2];
	int other;	/* an instance of the other kind */
};
BACKEND_VARIANTS(parity);

FIXTURE_SETUP(parity)
{
	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	ASSERT_EQ(0, pipe2(self->p, O_NONBLOCK));
	self->other = B == &backend_ep2 ? epoll_create1(0) : ep2_create1(0);
	ASSERT_GE(self->other, 0);
}

FIXTURE_TEARDOWN(parity)
{
	close(self->ep);
	close(self->p[0]);
	close(self->p[1]);
	close(self->other);
}

#define EXPECT_ERR(e, call) do {			\
		errno = 0;				\
		EXPECT_EQ(-1, (call));			\
		EXPECT_EQ((e), errno);			\
	} while (0)

/* create: flags and size */
TEST_F(parity, create_errors)
{
	EXPECT_ERR(EINVAL, B->create1(O_NONBLOCK));
	EXPECT_ERR(EINVAL, B->create1(-1));
	EXPECT_ERR(EINVAL, B->create(0));
	EXPECT_ERR(EINVAL, B->create(-1));
}

/* ctl: the event is copied before epfd is looked at (EFAULT before EBADF) */
TEST_F(parity, ctl_bad_epfd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_ERR(EFAULT, B->ctl(-1, EPOLL_CTL_ADD, self->p[0], NULL));
	EXPECT_ERR(EBADF, B->ctl(-1, EPOLL_CTL_ADD, self->p[0], &ev));
	EXPECT_ERR(EBADF, B->ctl(-1, EPOLL_CTL_DEL, self->p[0], NULL));
	EXPECT_ERR(EBADF, B->ctl(INT_MAX, EPOLL_CTL_ADD, self->p[0], &ev));
}

/* ctl: epfd is a file but not an instance (of this kind): EINVAL */
TEST_F(parity, ctl_not_an_instance)
{
	struct epoll_event ev = { .events = EPOLLIN };

	EXPECT_ERR(EINVAL, B->ctl(self->p[1], EPOLL_CTL_ADD, self->p[0], &ev));
	EXPECT_ERR(EINVAL, B->ctl(self->other, EPOLL_CTL_ADD, self->p[0], &ev));
	EXPECT_ERR(EINVAL, B->ctl(self->ep, EPOLL_CTL_ADD, self->ep, &ev));
}

TEST_F(parity, ctl_target_errors)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int reg = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	ASSERT_GE(reg, 0);
	EXPECT_ERR(EBADF, B->ctl(self->ep, EPOLL_CTL_ADD, -1, &ev));
	EXPECT_ERR(EPERM, B->ctl(self->ep, EPOLL_CTL_ADD, reg, &ev));
	EXPECT_ERR(ENOENT, B->ctl(self->ep, EPOLL_CTL_MOD, self->p[0], &ev));
	EXPECT_ERR(ENOENT, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], NULL));
	EXPECT_EQ(0, B->ctl(self->ep, EPOLL_CTL_ADD, self->p[0], &ev));
	EXPECT_ERR(EEXIST, B->ctl(self->ep, EPOLL_CTL_ADD, self->p[0], &ev));
	EXPECT_ERR(EINVAL, B->ctl(self->ep, 99, self->p[0], &ev));
	ev.events |= EPOLLEXCLUSIVE;
	EXPECT_ERR(EINVAL, B->ctl(self->ep, EPOLL_CTL_MOD, self->p[0], &ev));
	close(reg);
}

TEST_F(parity, wait_errors)
{
	struct epoll_event evs[4];
	struct timespec bad_ts = { .tv_sec = 0, .tv_nsec = 1000000000 };
	sigset_t mask;

	sigemptyset(&mask);
	EXPECT_ERR(EINVAL, B->wait(self->ep, evs, 0, 0));
	EXPECT_ERR(EINVAL, B->wait(self->ep, evs, -1, 0));
	/* access_ok() fails for kernel addresses (NULL would pass: no event) */
	EXPECT_ERR(EFAULT, B->wait(self->ep, (struct epoll_event *)-4096L, 4, 0));
	EXPECT_ERR(EBADF, B->wait(-1, evs, 4, 0));
	EXPECT_ERR(EINVAL, B->wait(-1, evs, 0, 0));	/* maxevents first */
	EXPECT_ERR(EINVAL, B->wait(self->p[0], evs, 4, 0));
	EXPECT_ERR(EINVAL, B->wait(self->other, evs, 4, 0));
	EXPECT_ERR(EBADF, B->pwait(-1, evs, 4, 0, &mask));
	EXPECT_ERR(EFAULT, B->pwait(self->ep, evs, 4, 0, (sigset_t *)8));
	EXPECT_ERR(EINVAL, B->pwait2(self->ep, evs, 4, &bad_ts, NULL));
	EXPECT_ERR(EFAULT, B->pwait2(self->ep, evs, 4, (struct timespec *)8, NULL));
	EXPECT_ERR(EINVAL, B->pwait2(self->p[0], evs, 4, NULL, NULL));
}

/* A thread blocked in wait is cancellable: epoll_wait is a cancellation point. */
static void *blocked_waiter(void *arg)
{
	const struct backend *b = ((void **)arg)[0];
	int ep = *(int *)((void **)arg)[1];
	struct epoll_event ev;

	for (;;)
		b->wait(ep, &ev, 1, -1);
	return NULL;
}

TEST_F(parity, wait_is_cancellation_point)
{
	void *args[2] = { (void *)B, &self->ep };
	pthread_t t;
	void *ret = NULL;

	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_waiter, args));
	usleep(50000);
	ASSERT_EQ(0, pthread_cancel(t));
	ASSERT_EQ(0, pthread_join(t, &ret));
	EXPECT_EQ(PTHREAD_CANCELED, ret);
}

/* ---- library duties (eventpoll2 only) ------------------------------------------ */

/* No device: every entry point says ENODEV (EP2_DEVICE points nowhere). */
TEST(enodev_without_device)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[1];

	/* Each test runs in a fresh child: the device is not open yet. */
	setenv("EP2_DEVICE", "/nonexistent/eventpoll2", 1);
	errno = 0;
	EXPECT_EQ(0, ep2_available());
	EXPECT_EQ(ENODEV, errno);
	EXPECT_ERR(ENODEV, ep2_create1(0));
	EXPECT_ERR(ENODEV, ep2_create(1));
	EXPECT_ERR(ENODEV, ep2_device_fd());
	/* No instance can exist; a non-instance epfd is still ENODEV. */
	EXPECT_ERR(ENODEV, ep2_ctl(0, EPOLL_CTL_ADD, 1, &ev));
	EXPECT_ERR(ENODEV, ep2_wait(0, evs, 1, 0));
	/* Argument errors found without the device stay what they are. */
	EXPECT_ERR(EINVAL, ep2_create1(O_NONBLOCK));
	EXPECT_ERR(EINVAL, ep2_create(0));
}

/* A char device that is not eventpoll2 is no device either. */
TEST(enodev_wrong_device)
{
	setenv("EP2_DEVICE", "/dev/null", 1);
	EXPECT_ERR(ENODEV, ep2_create1(0));
}

TEST(device_fd_cloexec_and_single)
{
	int dev, ep[8];

	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	dev = ep2_device_fd();
	ASSERT_GE(dev, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(dev, F_GETFD) & FD_CLOEXEC);
	for (int i = 0; i < 8; i++)
		ASSERT_GE(ep[i] = ep2_create1(0), 0);
	EXPECT_EQ(dev, ep2_device_fd());
	EXPECT_EQ(1, count_device_fds());
	for (int i = 0; i < 8; i++)
		close(ep[i]);
}

struct thr {
	int errors;
	pthread_barrier_t *bar;
};

static void *hammer(void *arg)
{
	struct thr *t = arg;
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	int p[2];

	pthread_barrier_wait(t->bar);
	for (int i = 0; i < 100; i++) {
		int ep = ep2_create1(EPOLL_CLOEXEC);

		if (ep < 0 || pipe2(p, O_CLOEXEC) < 0) {
			t->errors++;
			continue;
		}
		if (ep2_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) || write(p[1], "x", 1) != 1 ||
		    ep2_wait(ep, out, 2, 1000) != 1)
			t->errors++;
		close(p[0]);
		close(p[1]);
		close(ep);
	}
	return NULL;
}

/* Threads race on the lazy open: one device fd, no error anywhere. */
TEST(threads_race_first_open)
{
	enum { N = 6 };
	pthread_t th[N];
	struct thr t[N];
	pthread_barrier_t bar;

	if (access(EVENTPOLL2_DEVICE, F_OK))
		SKIP(return, "eventpoll2 module not loaded");
	pthread_barrier_init(&bar, NULL, N);
	for (int i = 0; i < N; i++) {
		t[i] = (struct thr){ .bar = &bar };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, hammer, &t[i]));
	}
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, t[i].errors);
	}
	EXPECT_EQ(1, count_device_fds());
}

/* A program's fd sweep closes the device fd: the library reopens it. */
TEST(survives_close_range_sweep)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[1];
	int ep, p[2];

	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	ASSERT_GE(ep2_device_fd(), 3);
	/* Everything above stderr, as daemons do after fork. */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		SKIP(return, "no close_range");
	EXPECT_EQ(0, count_device_fds());
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	EXPECT_TRUE(fd_link_is(ep, "anon_inode:[eventpoll2]"));
	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(0, ep2_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	EXPECT_EQ(1, write(p[1], "x", 1));
	EXPECT_EQ(1, ep2_wait(ep, out, 1, 0));
	EXPECT_EQ(1, count_device_fds());
	/* Error paths, which consult the device, are still exact. */
	EXPECT_ERR(EINVAL, ep2_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
}

/* The device fd's number is reused by the program: not ours any more. */
TEST(survives_dup2_over_device_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int dev, p[2], ep;
	struct stat a, b;

	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	dev = ep2_device_fd();
	ASSERT_GE(dev, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(dev, dup2(p[0], dev));	/* the program's pipe now */
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	EXPECT_TRUE(fd_link_is(ep, "anon_inode:[eventpoll2]"));
	EXPECT_NE(dev, ep2_device_fd());
	/* The library left the program's fd alone. */
	ASSERT_EQ(0, fstat(dev, &a));
	ASSERT_EQ(0, fstat(p[0], &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_ERR(EINVAL, ep2_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev));
	EXPECT_EQ(0, ep2_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
}

/* fork: the child uses the parent's instances and makes its own. */
TEST(fork_child_uses_library)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[1];
	int ep, p[2], st;
	pid_t pid;

	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ep2_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int own;

		if (ep2_wait(ep, out, 1, 5000) != 1 || out[0].data.u64 != 42)
			_exit(1);
		own = ep2_create1(0);
		if (own < 0 || ep2_ctl(own, EPOLL_CTL_ADD, p[0], &ev))
			_exit(2);
		if (ep2_wait(own, out, 1, 0) != 1)
			_exit(3);
		_exit(0);
	}
	usleep(20000);
	ASSERT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* ep2_pwait2 converts the timeout; a short one expires on time. */
TEST(pwait2_timeout)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };
	struct epoll_event out[1];
	long long t0;
	int ep;

	if (!ep2_available())
		SKIP(return, "eventpoll2 module not loaded");
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	t0 = now_ns();
	EXPECT_EQ(0, ep2_pwait2(ep, out, 1, &ts, NULL));
	EXPECT_GE(now_ns() - t0, 20 * 1000 * 1000LL);
	close(ep);
}

TEST_HARNESS_MAIN
