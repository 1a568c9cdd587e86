// SPDX-License-Identifier: GPL-2.0
/*
 * create_test.c - creating and closing instances; the instance file.
 */
#include "backend.h"
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <poll.h>
#include "kselftest_harness.h"

FIXTURE(create) { int ep; };
BACKEND_VARIANTS(create);
FIXTURE_SETUP(create) { self->ep = -1; }
FIXTURE_TEARDOWN(create) { if (self->ep >= 0) close(self->ep); }

/* create1(0) → e0; e0 is an open fd with the backend's anon inode name */
TEST_F(create, create1_returns_anon_inode_fd)
{
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	EXPECT_TRUE(fd_link_is(self->ep, B->anon_name));
	EXPECT_EQ(0, fcntl(self->ep, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(self->ep, F_GETFL) & O_ACCMODE);
}

/* create1(EPOLL_CLOEXEC) → FD_CLOEXEC set */
TEST_F(create, create1_cloexec)
{
	self->ep = B->create1(EPOLL_CLOEXEC);
	ASSERT_GE(self->ep, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->ep, F_GETFD) & FD_CLOEXEC);
}

/* create1(any other bit) → EINVAL */
TEST_F(create, create1_bad_flags)
{
	int bad[] = { 1, O_NONBLOCK, O_CLOEXEC << 1, -1, 0x40000000 };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, B->create1(bad[i]));
		EXPECT_EQ(EINVAL, errno);
	}
}

/* create(size): size <= 0 → EINVAL, otherwise an instance */
TEST_F(create, create_size)
{
	errno = 0;
	EXPECT_EQ(-1, B->create(0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, B->create(-5));
	EXPECT_EQ(EINVAL, errno);
	self->ep = B->create(1);
	ASSERT_GE(self->ep, 0);
	EXPECT_TRUE(fd_link_is(self->ep, B->anon_name));
}

/* e0: read/write → EINVAL (no ->read/->write) */
TEST_F(create, read_write_einval)
{
	char buf[8] = { 0 };

	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	errno = 0;
	EXPECT_EQ(-1, read(self->ep, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, write(self->ep, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
}

/* e0: lseek is a no-op that succeeds (noop_llseek) */
TEST_F(create, llseek_noop)
{
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	EXPECT_EQ(0, lseek(self->ep, 0, SEEK_SET));
	EXPECT_EQ(0, lseek(self->ep, 100, SEEK_CUR));
}

/* poll(e0) with nothing watched → not readable, no error */
TEST_F(create, poll_empty_instance)
{
	struct pollfd p;

	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	p.fd = self->ep;
	p.events = POLLIN | POLLOUT;
	EXPECT_EQ(0, poll(&p, 1, 0));
}

/* 1000 × (create1, close): fds are recycled, nothing accumulates */
TEST_F(create, create_close_many)
{
	int first = B->create1(0);

	ASSERT_GE(first, 0);
	close(first);
	for (int i = 0; i < 1000; i++) {
		int ep = B->create1(0);
		ASSERT_EQ(first, ep);
		ASSERT_EQ(0, close(ep));
	}
}

/* fork: child inherits e0 and can use it; CLOEXEC instance is closed by exec */
TEST_F(create, fork_inherits_instance)
{
	int status;
	pid_t pid;

	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct epoll_event ev;
		_exit(B->wait(self->ep, &ev, 1, 0) == 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* ulimit -n reached → EMFILE from create1, like any fd-allocating call */
TEST_F(create, emfile_at_fd_limit)
{
	struct rlimit old, lim;
	int fds[64], n = 0, ep;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	lim.rlim_cur = 32;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	/* Open the device (eventpoll2) before filling the table. */
	ep = B->create1(0);
	if (ep >= 0)
		close(ep);
	while (n < 64 && (fds[n] = dup(0)) >= 0)
		n++;
	errno = 0;
	EXPECT_EQ(-1, B->create1(0));
	EXPECT_EQ(EMFILE, errno);
	while (n > 0)
		close(fds[--n]);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
}

/* ---- eventpoll2-only: the control device and the module ---------------- */

/* /dev/eventpoll2 is a 0666 character device */
TEST(device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat(EVENTPOLL2_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 0777);
}

/* unknown ioctl type or number → ENOTTY; a bad argument pointer → EFAULT */
TEST(device_bad_ioctls)
{
	int dev = open(EVENTPOLL2_DEVICE, O_RDWR | O_CLOEXEC);
	struct ep2_create_args a = { .size = sizeof(a) };

	ASSERT_GE(dev, 0);
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, _IOW('x', 1, int), 0));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, _IOW(EP2_IOC_MAGIC, 0x7f, int), 0));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, EP2_IOC_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, EP2_IOC_CREATE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* size below version 0 → EINVAL; larger with non-zero tail → E2BIG */
	a.size = 4;
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, EP2_IOC_CREATE, &a));
	EXPECT_EQ(EINVAL, errno);
	{
		struct { struct ep2_create_args a; unsigned long long tail; } big = {
			.a = { .size = sizeof(big) }, .tail = 1 };
		errno = 0;
		EXPECT_EQ(-1, ioctl(dev, EP2_IOC_CREATE, &big));
		EXPECT_EQ(E2BIG, errno);
		big.tail = 0;
		int ep = ioctl(dev, EP2_IOC_CREATE, &big);
		EXPECT_GE(ep, 0);
		if (ep >= 0)
			close(ep);
	}
	close(dev);
}

/* ctl/wait ioctls issued on an instance must name that instance */
TEST(instance_ioctl_names_itself)
{
	int e0 = ep2_create1(0), e1 = ep2_create1(0);
	struct epoll_event evs[1];
	struct ep2_wait_args w = { .size = sizeof(w), .epfd = e1,
		.events = (unsigned long)evs, .maxevents = 1, .timeout_ms = 0 };

	ASSERT_GE(e0, 0);
	ASSERT_GE(e1, 0);
	errno = 0;
	EXPECT_EQ(-1, ioctl(e0, EP2_IOC_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	w.epfd = e0;
	EXPECT_EQ(0, ioctl(e0, EP2_IOC_WAIT, &w));
	close(e0);
	close(e1);
}

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* an open instance holds a module reference: rmmod fails while it is open */
TEST(unload_refused_while_instance_open)
{
	int ep = ep2_create1(EPOLL_CLOEXEC);

	ASSERT_GE(ep, 0);
	EXPECT_NE(0, run("rmmod eventpoll2 2>/dev/null"));
	close(ep);
}

/* 5 × (rmmod, insmod, create, close): the module loads and unloads cleanly */
TEST(load_unload_cycles)
{
	const char *ko = getenv("EP2_MODULE");
	char cmd[512];

	if (!ko)
		SKIP(return, "EP2_MODULE not set");
	/* The library keeps the device open: use raw fds here. */
	for (int i = 0; i < 5; i++) {
		int dev, ep;
		struct ep2_create_args a = { .size = sizeof(a), .flags = EP2_CLOEXEC };

		ASSERT_EQ(0, run("rmmod eventpoll2"));
		ASSERT_NE(0, access(EVENTPOLL2_DEVICE, F_OK));
		snprintf(cmd, sizeof(cmd), "insmod %s", ko);
		ASSERT_EQ(0, run(cmd));
		dev = open(EVENTPOLL2_DEVICE, O_RDWR | O_CLOEXEC);
		ASSERT_GE(dev, 0);
		ep = ioctl(dev, EP2_IOC_CREATE, &a);
		ASSERT_GE(ep, 0);
		close(ep);
		close(dev);
	}
}

TEST_HARNESS_MAIN
