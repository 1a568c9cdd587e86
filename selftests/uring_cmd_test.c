// SPDX-License-Identifier: GPL-2.0
/*
 * uring_cmd_test.c - eventpoll2 calls submitted through io_uring
 * (IORING_OP_URING_CMD on an instance; uapi "io_uring", module/uring.cpp).
 *
 * What is checked: ctl and wait mean what the ioctls mean (same errnos);
 * a wait with nothing ready does not block the submitter and completes when
 * an event arrives, at its timeout, or with -ECANCELED (EP2_URING_CMD_CANCEL,
 * the ring's exit, the submitter's exit); IORING_OP_ASYNC_CANCEL cannot
 * reach it (-ENOENT); closing the instance fd neither completes nor leaks
 * it; bad input gives a clear errno in the CQE; SQE128 rings; io-wq issue
 * (IOSQE_ASYNC); no object is left behind (module counters).
 *
 *	t0 ─ring─> e0 → efd (ET/LT)          t0 submits, the kernel completes
 */
#include "backend.h"
#include "util.h"
#include <liburing.h>
#include "eventpoll2_uring.h"
#include "kselftest_harness.h"

#define NEED_DEVICE()								\
	do {									\
		if (access(EVENTPOLL2_DEVICE, F_OK))				\
			SKIP(return, "eventpoll2 module not loaded");		\
	} while (0)

/* Wait up to @ms for counter @name to come back to @want. */
static long stat_settle(const char *name, long want, int ms)
{
	long v = module_stat(name);

	for (int i = 0; v != want && i < ms / 10; i++) {
		sleep_ms(10);
		v = module_stat(name);
	}
	return v;
}

/* The SQE io_uring_get_sqe() gave last (64-byte rings). */
static struct io_uring_sqe *last_sqe(struct io_uring *ring)
{
	return &ring->sq.sqes[(ring->sq.sqe_tail - 1) & *ring->sq.kring_mask];
}

/* Submit what is queued and wait for one CQE: its res; its user_data in *ud. */
static int submit_wait1(struct io_uring *ring, unsigned long long *ud)
{
	struct io_uring_cqe *cqe;
	int res;

	if (io_uring_submit(ring) < 0)
		return -10000;
	if (io_uring_wait_cqe(ring, &cqe))
		return -10001;
	res = cqe->res;
	if (ud)
		*ud = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/* One CQE within @ms, or -ETIME (a CQE that must not have come: its res). */
static int wait1_timeout(struct io_uring *ring, int ms, unsigned long long *ud)
{
	struct __kernel_timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	struct io_uring_cqe *cqe;
	int res, r = io_uring_wait_cqe_timeout(ring, &cqe, &ts);

	if (r)
		return r == -ETIME ? -ETIME : -10002;
	res = cqe->res;
	if (ud)
		*ud = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int uring_ctl(struct io_uring *ring, int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	struct ep2_ctl_args a;

	ep2_uring_prep_ctl(io_uring_get_sqe(ring), &a, ep, op, fd, &ev);
	return submit_wait1(ring, NULL);
}

FIXTURE(uring) {
	struct io_uring ring;
	int ep, efd;
	struct ep2_wait_args wa;
	struct epoll_event evs[8];
};

FIXTURE_SETUP(uring)
{
	self->ep = -1;
	self->efd = -1;
	if (access(EVENTPOLL2_DEVICE, F_OK))
		SKIP(return, "eventpoll2 module not loaded");
	ASSERT_EQ(0, io_uring_queue_init(16, &self->ring, 0));
	self->ep = ep2_create1(EPOLL_CLOEXEC);
	ASSERT_GE(self->ep, 0);
	self->efd = mkefd();
	ASSERT_GE(self->efd, 0);
}

FIXTURE_TEARDOWN(uring)
{
	if (self->ep < 0)
		return;
	io_uring_queue_exit(&self->ring);
	close(self->efd);
	close(self->ep);
}

/* t0 ─ring─> e0 → efd (LT), ready before the wait: harvested at issue. */
TEST_F(uring, ctl_then_wait_ready)
{
	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_ADD, self->efd, EPOLLIN, 42));
	ASSERT_EQ(0, efd_signal(self->efd));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, -1);
	ASSERT_EQ(1, submit_wait1(&self->ring, NULL));
	EXPECT_EQ(EPOLLIN, self->evs[0].events);
	EXPECT_EQ(42, self->evs[0].data.u64);
	/* The ctl went to the instance: the ioctl path sees the item. */
	EXPECT_EQ(1, ep2_wait(self->ep, self->evs, 8, 0));
	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_MOD, self->efd, EPOLLIN | EPOLLET, 43));
	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_DEL, self->efd, 0, 0));
	EXPECT_EQ(0, ep2_wait(self->ep, self->evs, 8, 0));
}

/* Nothing ready: the submit returns, no CQE; the event completes the wait. */
TEST_F(uring, wait_queued_until_event)
{
	long long t0;

	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_ADD, self->efd, EPOLLIN | EPOLLET, 7));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, -1);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 99);
	t0 = now_ns();
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	EXPECT_LT(elapsed_ms(t0), 100);			/* did not block */
	EXPECT_EQ(-ETIME, wait1_timeout(&self->ring, 100, NULL));	/* still queued */
	ASSERT_EQ(0, efd_signal(self->efd));
	unsigned long long ud = 0;
	EXPECT_EQ(1, wait1_timeout(&self->ring, 2000, &ud));
	EXPECT_EQ(99, ud);
	EXPECT_EQ(7, self->evs[0].data.u64);
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 1000));
}

/* The same through io-wq (IOSQE_ASYNC): the blocking issue path. */
TEST_F(uring, async_issue)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 5 };
	struct ep2_ctl_args ca;

	ep2_uring_prep_ctl(io_uring_get_sqe(&self->ring), &ca, self->ep, EPOLL_CTL_ADD, self->efd, &ev);
	io_uring_sqe_set_flags(last_sqe(&self->ring), IOSQE_ASYNC);
	ASSERT_EQ(0, submit_wait1(&self->ring, NULL));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, -1);
	io_uring_sqe_set_flags(last_sqe(&self->ring), IOSQE_ASYNC);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	EXPECT_EQ(-ETIME, wait1_timeout(&self->ring, 100, NULL));
	ASSERT_EQ(0, efd_signal(self->efd));
	EXPECT_EQ(1, wait1_timeout(&self->ring, 2000, NULL));
	EXPECT_EQ(5, self->evs[0].data.u64);
}

/* A fixed file (IOSQE_FIXED_FILE): the SQE names the index, the struct the fd. */
TEST_F(uring, fixed_file)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 21 };
	struct ep2_ctl_args ca;

	ASSERT_EQ(0, io_uring_register_files(&self->ring, &self->ep, 1));
	ep2_uring_prep_ctl(io_uring_get_sqe(&self->ring), &ca, self->ep, EPOLL_CTL_ADD, self->efd, &ev);
	last_sqe(&self->ring)->fd = 0;
	io_uring_sqe_set_flags(last_sqe(&self->ring), IOSQE_FIXED_FILE);
	ASSERT_EQ(0, submit_wait1(&self->ring, NULL));
	ASSERT_EQ(0, efd_signal(self->efd));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, -1);
	last_sqe(&self->ring)->fd = 0;
	io_uring_sqe_set_flags(last_sqe(&self->ring), IOSQE_FIXED_FILE);
	EXPECT_EQ(1, submit_wait1(&self->ring, NULL));
	EXPECT_EQ(21, self->evs[0].data.u64);
}

/* Timeouts: 0 polls, > 0 completes with 0 no earlier than asked. */
TEST_F(uring, wait_timeouts)
{
	long long t0;

	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_ADD, self->efd, EPOLLIN, 1));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, 0);
	EXPECT_EQ(0, submit_wait1(&self->ring, NULL));
	t0 = now_ns();
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, 150);
	EXPECT_EQ(0, submit_wait1(&self->ring, NULL));
	EXPECT_GE(elapsed_ms(t0), 140);
	EXPECT_LT(elapsed_ms(t0), 2000);
	/* PWAIT2: a timespec. */
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000000L };
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, 0);
	self->wa.timeout = (uintptr_t)&ts;
	last_sqe(&self->ring)->cmd_op = EP2_IOC_PWAIT2;
	t0 = now_ns();
	EXPECT_EQ(0, submit_wait1(&self->ring, NULL));
	EXPECT_GE(elapsed_ms(t0), 90);
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 1000));
}

/* ctl's errnos are the ioctl's (the library's), check by check. */
TEST_F(uring, ctl_errnos_match_ioctl)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int other = ep2_create1(0), p[2];
	struct {
		int op, fd;
		struct epoll_event *ev;
	} cases[] = {
		{ EPOLL_CTL_ADD, self->efd, &ev },	/* 0 */
		{ EPOLL_CTL_ADD, self->efd, &ev },	/* EEXIST */
		{ EPOLL_CTL_MOD, 0x7ffff, &ev },	/* EBADF */
		{ 99, self->efd, &ev },			/* EINVAL */
		{ EPOLL_CTL_ADD, self->ep, &ev },	/* EINVAL: itself */
		{ EPOLL_CTL_ADD, other, (void *)16 },	/* EFAULT */
		{ EPOLL_CTL_DEL, self->efd, NULL },	/* 0 */
		{ EPOLL_CTL_DEL, self->efd, NULL },	/* ENOENT */
	};

	ASSERT_GE(other, 0);
	ASSERT_EQ(0, pipe(p));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* ioctl on a twin instance in the same state... */
		int want = ep2_ctl(other, cases[i].op, cases[i].fd == self->ep ? other : cases[i].fd,
				   cases[i].ev) ? -errno : 0;
		int got = uring_ctl(&self->ring, self->ep, cases[i].op, cases[i].fd,
				    cases[i].ev && cases[i].ev != (void *)16 ? cases[i].ev->events : 0, 0);
		if (cases[i].ev == (void *)16) {
			struct ep2_ctl_args a;

			ep2_uring_prep_ctl(io_uring_get_sqe(&self->ring), &a, self->ep, cases[i].op,
					   cases[i].fd, (void *)16);
			got = submit_wait1(&self->ring, NULL);
		}
		EXPECT_EQ(want, got) TH_LOG("case %zu", i);
	}
	/* epfd in the struct must name the instance the SQE targets. */
	{
		struct ep2_ctl_args a;

		ep2_uring_prep_ctl(io_uring_get_sqe(&self->ring), &a, self->ep, EPOLL_CTL_ADD, p[0], &ev);
		a.epfd = other;
		EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));
		ep2_uring_prep_ctl(io_uring_get_sqe(&self->ring), &a, self->ep, EPOLL_CTL_ADD, p[0], &ev);
		a.epfd = 0x7ffff;
		EXPECT_EQ(-EBADF, submit_wait1(&self->ring, NULL));
	}
	close(p[0]);
	close(p[1]);
	close(other);
}

/* Bad payloads: a clear errno in the CQE. */
TEST_F(uring, bad_payloads)
{
	struct io_uring_sqe *sqe;
	struct ep2_wait_args *wa = &self->wa;
	struct ep2_uring_cmd c;

	/* No argument struct; one at an unmapped address. */
	ep2_uring_prep_cmd(io_uring_get_sqe(&self->ring), self->ep, EP2_IOC_WAIT, 0, 0);
	EXPECT_EQ(-EFAULT, submit_wait1(&self->ring, NULL));
	ep2_uring_prep_cmd(io_uring_get_sqe(&self->ring), self->ep, EP2_IOC_CTL,
			   (uintptr_t)unmapped_page(), 0);
	EXPECT_EQ(-EFAULT, submit_wait1(&self->ring, NULL));
	/* Reserved flags and fields of the command area. */
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), wa, self->ep, self->evs, 8, 0);
	sqe = last_sqe(&self->ring);
	memcpy(&c, sqe->cmd, sizeof(c));
	c.flags = 1;
	memcpy(sqe->cmd, &c, sizeof(c));
	EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), wa, self->ep, self->evs, 8, 0);
	sqe = last_sqe(&self->ring);
	memcpy(&c, sqe->cmd, sizeof(c));
	c.__reserved = 1;
	memcpy(sqe->cmd, &c, sizeof(c));
	EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));
	/* The ioctl's own rules: maxevents, events, size, sigmask, unused fields. */
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), wa, self->ep, self->evs, 0, 0);
	EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), wa, self->ep, (void *)-4096L, 8, 0);
	EXPECT_EQ(-EFAULT, submit_wait1(&self->ring, NULL));	/* not a user address */
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), wa, self->ep, self->evs, 8, 0);
	wa->size = 4;
	EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));
	{
		/* A bigger struct from a newer userspace: zero tail fine, else E2BIG. */
		struct { struct ep2_wait_args a; uint64_t more; } big;

		ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &big.a, self->ep, self->evs, 8, 0);
		big.a.size = sizeof(big);
		big.more = 0;
		EXPECT_EQ(0, submit_wait1(&self->ring, NULL));
		ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &big.a, self->ep, self->evs, 8, 0);
		big.a.size = sizeof(big);
		big.more = 1;
		EXPECT_EQ(-E2BIG, submit_wait1(&self->ring, NULL));
	}
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), wa, self->ep, self->evs, 8, 0);
	wa->sigmask = (uintptr_t)&c;
	wa->sigsetsize = 8;
	last_sqe(&self->ring)->cmd_op = EP2_IOC_PWAIT;
	EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), wa, self->ep, self->evs, 8, 5);
	last_sqe(&self->ring)->cmd_op = EP2_IOC_PWAIT2;	/* timeout_ms unused there */
	EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));
	/* Unknown commands: another type, another number, CREATE. */
	ep2_uring_prep_cmd(io_uring_get_sqe(&self->ring), self->ep, 0x1234, (uintptr_t)wa, 0);
	EXPECT_EQ(-ENOTTY, submit_wait1(&self->ring, NULL));
	ep2_uring_prep_cmd(io_uring_get_sqe(&self->ring), self->ep, _IOW(EP2_IOC_MAGIC, 0x7f, int),
			   (uintptr_t)wa, 0);
	EXPECT_EQ(-ENOTTY, submit_wait1(&self->ring, NULL));
	ep2_uring_prep_cmd(io_uring_get_sqe(&self->ring), self->ep, EP2_IOC_CREATE, (uintptr_t)wa, 0);
	EXPECT_EQ(-ENOTTY, submit_wait1(&self->ring, NULL));
	/* Random command areas and ops: an errno, never a crash. */
	uint64_t s = rng_seed(14);
	/* (timeouts always "poll": a valid wait completes at once) */
	static const struct __kernel_timespec zero_ts;
	for (int i = 0; i < 1000; i++) {
		uint32_t op = (rng_next(&s) & 1) ? EP2_IOC_CTL + (uint32_t)(rng_next(&s) % 6) - 1
						 : (uint32_t)rng_next(&s);

		sqe = io_uring_get_sqe(&self->ring);
		ep2_uring_prep_cmd(sqe, self->ep, op, rng_next(&s) & 3 ? (uintptr_t)wa : rng_next(&s),
				   (uint32_t)(rng_next(&s) % 3));
		if (rng_next(&s) & 1) {
			wa->size = (uint32_t)(rng_next(&s) % 80);
			wa->maxevents = (int)(rng_next(&s) % 10) - 1;
			wa->events = rng_next(&s) & 1 ? (uintptr_t)self->evs : rng_next(&s);
		}
		wa->timeout_ms = 0;
		/* Dispatch is on type and number (as the ioctl's): PWAIT2 by its number. */
		bool pwait2 = _IOC_TYPE(op) == EP2_IOC_MAGIC && _IOC_NR(op) == _IOC_NR(EP2_IOC_PWAIT2);
		wa->timeout = pwait2 ? (uintptr_t)&zero_ts : 0;
		ASSERT_EQ(1, io_uring_submit(&self->ring));
		int r = wait1_timeout(&self->ring, 5000, NULL);
		ASSERT_TRUE(r <= 8 && r != -ETIME && r != -10002)
			TH_LOG("iteration %d: %d (op %#x size %u maxevents %d)", i, r, op, wa->size,
			       wa->maxevents);
	}
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 3000));
}

/* Not an instance: the control device, an eventfd, native epoll: EOPNOTSUPP; a bad fd: EBADF. */
TEST_F(uring, wrong_files)
{
	int dev = open(EVENTPOLL2_DEVICE, O_RDWR), nep = epoll_create1(0);

	ASSERT_GE(dev, 0);
	ASSERT_GE(nep, 0);
	int fds[] = { dev, self->efd, nep };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, fds[i], self->evs, 8, 0);
		EXPECT_EQ(-EOPNOTSUPP, submit_wait1(&self->ring, NULL)) TH_LOG("fd %zu", i);
	}
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, 0x7ffff, self->evs, 8, 0);
	EXPECT_EQ(-EBADF, submit_wait1(&self->ring, NULL));
	close(dev);
	close(nep);
}

/* EP2_URING_CMD_CANCEL by user_data and for all; IORING_OP_ASYNC_CANCEL cannot. */
TEST_F(uring, cancel)
{
	struct ep2_wait_args wa2;
	struct epoll_event evs2[4];
	unsigned long long ud;

	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_ADD, self->efd, EPOLLIN | EPOLLET, 1));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, -1);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 11);
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &wa2, self->ep, evs2, 4, -1);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 12);
	ASSERT_EQ(2, io_uring_submit(&self->ring));
	EXPECT_EQ(2, stat_settle("uring_waits", 2, 1000));

	/* io_uring's own cancel does not find it (6.1: no uring_cmd cancel hook). */
	io_uring_prep_cancel64(io_uring_get_sqe(&self->ring), 11, 0);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 100);
	EXPECT_EQ(-ENOENT, submit_wait1(&self->ring, &ud));
	EXPECT_EQ(100, ud);

	/* By user_data: the cancel's CQE says 1, the wait's -ECANCELED. */
	ep2_uring_prep_cancel(io_uring_get_sqe(&self->ring), self->ep, 11, 0);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 101);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		int r = wait1_timeout(&self->ring, 2000, &ud);
		if (ud == 101) {
			EXPECT_EQ(1, r);
			seen |= 1;
		} else {
			EXPECT_EQ(11, ud);
			EXPECT_EQ(-ECANCELED, r);
			seen |= 2;
		}
	}
	EXPECT_EQ(3, seen);
	ep2_uring_prep_cancel(io_uring_get_sqe(&self->ring), self->ep, 11, 0);
	EXPECT_EQ(-ENOENT, submit_wait1(&self->ring, NULL));

	/* The other still works, then all. */
	EXPECT_EQ(-ETIME, wait1_timeout(&self->ring, 50, NULL));
	ep2_uring_prep_cancel(io_uring_get_sqe(&self->ring), self->ep, 0, EP2_URING_CANCEL_ANY);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 102);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	for (int i = 0; i < 2; i++) {
		int r = wait1_timeout(&self->ring, 2000, &ud);
		EXPECT_EQ(ud == 102 ? 1 : -ECANCELED, r) TH_LOG("ud %llu", ud);
	}
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 1000));
	ep2_uring_prep_cancel(io_uring_get_sqe(&self->ring), self->ep, 0, 2);
	EXPECT_EQ(-EINVAL, submit_wait1(&self->ring, NULL));	/* unknown flag */
}

/*
 * Two queued waits, one ET event: one completes (exclusive, as two
 * epoll_wait() sleepers); an LT event completes both.
 */
TEST_F(uring, queued_waits_are_exclusive)
{
	struct ep2_wait_args wa2;
	struct epoll_event evs2[4];
	unsigned long long ud;

	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_ADD, self->efd, EPOLLIN | EPOLLET, 1));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, self->ep, self->evs, 8, -1);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 1);
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &wa2, self->ep, evs2, 4, -1);
	io_uring_sqe_set_data64(last_sqe(&self->ring), 2);
	ASSERT_EQ(2, io_uring_submit(&self->ring));
	ASSERT_EQ(0, efd_signal(self->efd));
	EXPECT_EQ(1, wait1_timeout(&self->ring, 2000, &ud));
	EXPECT_EQ(-ETIME, wait1_timeout(&self->ring, 200, NULL));
	/* LT now: the remaining wait gets it too. */
	ASSERT_EQ(0, uring_ctl(&self->ring, self->ep, EPOLL_CTL_MOD, self->efd, EPOLLIN, 3));
	EXPECT_EQ(1, wait1_timeout(&self->ring, 2000, &ud));
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 1000));
}

/* Close of the instance fd with a wait queued: the request keeps it; the event completes it. */
TEST_F(uring, instance_close_with_wait_queued)
{
	long inst0 = module_stat("instances");
	int ep = ep2_create1(0);

	if (inst0 < 0)
		SKIP(return, "no /sys/kernel/debug/eventpoll2/stats");
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, uring_ctl(&self->ring, ep, EPOLL_CTL_ADD, self->efd, EPOLLIN | EPOLLET, 9));
	ep2_uring_prep_wait(io_uring_get_sqe(&self->ring), &self->wa, ep, self->evs, 8, -1);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, close(ep));
	EXPECT_EQ(inst0 + 1, module_stat("instances"));
	ASSERT_EQ(0, efd_signal(self->efd));
	EXPECT_EQ(1, wait1_timeout(&self->ring, 2000, NULL));
	EXPECT_EQ(9, self->evs[0].data.u64);
	EXPECT_EQ(inst0, stat_settle("instances", inst0, 2000));
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 1000));
}

/* Ring exit with waits queued: io_uring_queue_exit() returns, nothing is left. */
TEST(ring_exit_with_waits_queued)
{
	struct io_uring ring;
	struct ep2_wait_args wa[4];
	struct epoll_event evs[4][4];
	long inst0 = module_stat("instances");
	long long t0;
	int ep, efd = mkefd();

	NEED_DEVICE();
	if (inst0 < 0)
		SKIP(return, "no /sys/kernel/debug/eventpoll2/stats");
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	ASSERT_EQ(0, uring_ctl(&ring, ep, EPOLL_CTL_ADD, efd, EPOLLIN, 1));
	for (int i = 0; i < 4; i++)
		ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa[i], ep, evs[i], 4, i == 3 ? 60000 : -1);
	ASSERT_EQ(4, io_uring_submit(&ring));
	EXPECT_EQ(4, stat_settle("uring_waits", 4, 1000));
	close(ep);
	t0 = now_ns();
	io_uring_queue_exit(&ring);
	/* The exit work finishes once the waits complete (-ECANCELED). */
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 5000));
	EXPECT_LT(elapsed_ms(t0), 5000);
	EXPECT_EQ(inst0, stat_settle("instances", inst0, 5000));
	close(efd);
}

/* The submitter exits with waits queued: the exit does not hang. */
TEST(task_exit_with_waits_queued)
{
	long inst0 = module_stat("instances");
	long long t0;
	pid_t pid;
	int st;

	NEED_DEVICE();
	if (inst0 < 0)
		SKIP(return, "no /sys/kernel/debug/eventpoll2/stats");
	for (int mode = 0; mode < 2; mode++) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			struct io_uring ring;
			struct ep2_wait_args wa[2];
			struct epoll_event evs[2][4];
			int ep = ep2_create1(0), efd = mkefd();

			if (ep < 0 || io_uring_queue_init(8, &ring, 0) ||
			    uring_ctl(&ring, ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 1))
				_exit(2);
			for (int i = 0; i < 2; i++)
				ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa[i], ep, evs[i], 4, -1);
			if (io_uring_submit(&ring) != 2)
				_exit(3);
			if (mode == 1)
				raise(SIGKILL);
			_exit(0);	/* ring, instance and waits still there */
		}
		t0 = now_ns();
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		EXPECT_LT(elapsed_ms(t0), 5000);
		if (mode == 0) {
			EXPECT_EQ(0, WEXITSTATUS(st));
		} else {
			EXPECT_TRUE(WIFSIGNALED(st));
		}
	}
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 5000));
	EXPECT_EQ(inst0, stat_settle("instances", inst0, 5000));
}

/* SQE128 rings: the commands work, and the extra 64 bytes must be zero. */
TEST(sqe128_ring)
{
	struct io_uring ring;
	struct ep2_wait_args wa;
	struct epoll_event evs[4];
	struct io_uring_sqe *sqe;
	int ep, efd = mkefd();

	NEED_DEVICE();
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	if (io_uring_queue_init(8, &ring, IORING_SETUP_SQE128))
		SKIP(return, "no SQE128 rings");
	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	ep2_uring_sqe128_clear(sqe);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 3 };
	struct ep2_ctl_args ca;
	ep2_uring_prep_ctl(sqe, &ca, ep, EPOLL_CTL_ADD, efd, &ev);
	EXPECT_EQ(0, submit_wait1(&ring, NULL));
	efd_signal(efd);
	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	ep2_uring_sqe128_clear(sqe);
	ep2_uring_prep_wait(sqe, &wa, ep, evs, 4, -1);
	EXPECT_EQ(1, submit_wait1(&ring, NULL));
	EXPECT_EQ(3, evs[0].data.u64);
	/* A byte in the big command area's tail. */
	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	ep2_uring_sqe128_clear(sqe);
	ep2_uring_prep_wait(sqe, &wa, ep, evs, 4, 0);
	((unsigned char *)sqe)[127] = 1;
	EXPECT_EQ(-EINVAL, submit_wait1(&ring, NULL));
	io_uring_queue_exit(&ring);
	close(ep);
	close(efd);
}

/* An SQPOLL ring: the commands are issued (and completed) by its thread. */
TEST(sqpoll_ring)
{
	struct io_uring ring;
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL, .sq_thread_idle = 50 };
	struct ep2_wait_args wa;
	struct epoll_event evs[4];
	int ep, efd = mkefd();

	NEED_DEVICE();
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	if (io_uring_queue_init_params(8, &ring, &p))
		SKIP(return, "no SQPOLL rings");
	ASSERT_EQ(0, uring_ctl(&ring, ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 4));
	ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa, ep, evs, 4, -1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(-ETIME, wait1_timeout(&ring, 100, NULL));
	efd_signal(efd);
	EXPECT_EQ(1, wait1_timeout(&ring, 2000, NULL));
	EXPECT_EQ(4, evs[0].data.u64);
	/* And a queued wait at the ring's exit. */
	ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa, ep, evs, 4, -1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	sleep_ms(50);
	io_uring_queue_exit(&ring);
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 5000));
	close(ep);
	close(efd);
}

/* IOPOLL rings cannot poll an instance: io_uring says EOPNOTSUPP. */
TEST(iopoll_ring)
{
	struct io_uring ring;
	struct ep2_wait_args wa;
	struct epoll_event evs[4];
	int ep;

	NEED_DEVICE();
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	if (io_uring_queue_init(8, &ring, IORING_SETUP_IOPOLL))
		SKIP(return, "no IOPOLL rings");
	ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa, ep, evs, 4, 0);
	EXPECT_EQ(-EOPNOTSUPP, submit_wait1(&ring, NULL));
	io_uring_queue_exit(&ring);
	close(ep);
}

/* A ready-ring instance (EP2_CREATE_RING) through the queued wait. */
TEST(ready_ring_instance)
{
	struct io_uring ring;
	struct ep2_wait_args wa;
	struct epoll_event evs[4];
	int ep, efd = mkefd();

	NEED_DEVICE();
	ep = ep2_create_ring(0, 64);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	ASSERT_EQ(0, uring_ctl(&ring, ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 8));
	ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa, ep, evs, 4, -1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(-ETIME, wait1_timeout(&ring, 50, NULL));
	efd_signal(efd);
	EXPECT_EQ(1, wait1_timeout(&ring, 2000, NULL));
	EXPECT_EQ(8, evs[0].data.u64);
	io_uring_queue_exit(&ring);
	ep2_close(ep);
	close(efd);
}

/*
 * A signalling thread and an event loop on the ring: every eventfd count
 * is accounted for, and every wait completes.
 */
struct storm {
	int efd, n;
};

static void *storm_writer(void *arg)
{
	struct storm *s = arg;

	for (int i = 0; i < s->n; i++) {
		efd_signal(s->efd);
		if (i % 16 == 0)
			usleep(100);
	}
	return NULL;
}

TEST(storm)
{
	struct storm s = { .efd = mkefd(), .n = 3000 };
	struct io_uring ring;
	struct ep2_wait_args wa;
	struct epoll_event evs[4];
	pthread_t t;
	long got = 0;
	int ep, loops = 0;

	NEED_DEVICE();
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	ASSERT_EQ(0, uring_ctl(&ring, ep, EPOLL_CTL_ADD, s.efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, pthread_create(&t, NULL, storm_writer, &s));
	while (got < s.n) {
		ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa, ep, evs, 4, 1000);
		int r = submit_wait1(&ring, NULL);
		ASSERT_GE(r, 0);
		if (r == 0)
			continue;
		ASSERT_EQ(1, r);
		uint64_t c;
		if (read(s.efd, &c, sizeof(c)) == sizeof(c))
			got += (long)c;
		loops++;
	}
	pthread_join(t, NULL);
	EXPECT_EQ(s.n, got);
	TH_LOG("%d loops for %d signals", loops, s.n);
	io_uring_queue_exit(&ring);
	close(ep);
	close(s.efd);
	EXPECT_EQ(0, stat_settle("uring_waits", 0, 1000));
}

TEST_HARNESS_MAIN
