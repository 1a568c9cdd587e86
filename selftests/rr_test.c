// SPDX-License-Identifier: GPL-2.0
/*
 * rr_test.c - two opt-in extensions: round-robin exclusive wakeups
 * (EP2_CREATE_ROUNDROBIN) and Linux 6.9's per-instance busy-poll ioctls
 * (EPIOCSPARAMS / EPIOCGPARAMS, with napi_busy_loop).
 *
 * Round-robin runs on three variants: native epoll and plain eventpoll2
 * (which must agree: EXCLUSIVE wakeups go to the first instance with a
 * sleeper, waiters inside one instance are woken LIFO) and eventpoll2 with
 * the flag (in turn, FIFO).  The busy-poll ioctls are eventpoll2-only here:
 * Debian 6.1's epoll has no ioctl at all (ENOTTY, checked); on a kernel that
 * has them the same checks run against native epoll too.  The busy loop
 * itself is tested over a veth pair with GRO (NAPI) when the guest can make
 * one, and skipped otherwise.
 */
#include "backend.h"
#include "util.h"
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "kselftest_harness.h"

#ifndef SO_INCOMING_NAPI_ID
#define SO_INCOMING_NAPI_ID 56
#endif

static int rr_create1(int flags) { return ep2_create_roundrobin(flags); }

static const struct backend backend_ep2_rr = {
	.name = "eventpoll2+rr", .anon_name = "anon_inode:[eventpoll2]",
	.create = ep2_create, .create1 = rr_create1, .ctl = ep2_ctl,
	.wait = ep2_wait, .pwait = ep2_pwait, .pwait2 = ep2_pwait2,
};

static int create_raw(uint32_t size, uint32_t flags, uint32_t entries)
{
	struct ep2_create_args a = { .size = size, .flags = flags, .ring_entries = entries };
	int dev = ep2_device_fd();

	return dev < 0 ? -1 : ioctl(dev, EP2_IOC_CREATE, &a);
}

/* ==== round-robin: the flag ================================================ */

/* The flag alone, with CLOEXEC, with a ring, in the version-0 struct */
TEST(rr_create_flags)
{
	int fd;

	fd = create_raw(sizeof(struct ep2_create_args), EP2_CREATE_ROUNDROBIN, 0);
	ASSERT_GE(fd, 0);
	EXPECT_TRUE(fd_link_is(fd, "anon_inode:[eventpoll2]"));
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	fd = create_raw(EP2_CREATE_ARGS_SIZE_VER0, EP2_CREATE_ROUNDROBIN | EP2_CLOEXEC, 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	fd = create_raw(sizeof(struct ep2_create_args), EP2_CREATE_ROUNDROBIN | EP2_CREATE_RING, 64);
	ASSERT_GE(fd, 0);
	close(fd);
	fd = ep2_create_roundrobin(EPOLL_CLOEXEC);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* Neighbouring bits stay unknown; the library takes only EPOLL_CLOEXEC */
TEST(rr_create_bad_flags)
{
	uint32_t bad[] = { EP2_CREATE_ROUNDROBIN | 0x4, EP2_CREATE_ROUNDROBIN | 0x200,
			   EP2_CREATE_ROUNDROBIN | O_NONBLOCK, EP2_CREATE_ROUNDROBIN | 0x80000000u };

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, create_raw(sizeof(struct ep2_create_args), bad[i], 0)) TH_LOG("case %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
	}
	/* A ring size without the ring flag is still wrong. */
	errno = 0;
	EXPECT_EQ(-1, create_raw(sizeof(struct ep2_create_args), EP2_CREATE_ROUNDROBIN, 64));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ep2_create_roundrobin(O_NONBLOCK));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ep2_create_roundrobin(1));
	EXPECT_EQ(EINVAL, errno);
}

/* ==== round-robin: behaviour, on three variants ============================ */

FIXTURE(rr) { const char *skip; };
/* (a SKIP in FIXTURE_SETUP would still run the test body) */
#define NEED() do { if (self->skip) SKIP(return, "%s", self->skip); } while (0)
FIXTURE_VARIANT(rr) { const struct backend *b; bool rr; };
FIXTURE_VARIANT_ADD(rr, epoll) { .b = &backend_epoll, .rr = false };
FIXTURE_VARIANT_ADD(rr, eventpoll2) { .b = &backend_ep2, .rr = false };
FIXTURE_VARIANT_ADD(rr, eventpoll2_rr) { .b = &backend_ep2_rr, .rr = true };
FIXTURE_SETUP(rr)
{
	if (variant->b != &backend_epoll && access(EVENTPOLL2_DEVICE, F_OK))
		self->skip = "eventpoll2 module not loaded";
}
FIXTURE_TEARDOWN(rr) {}

/* A thread looping on its own instance: wait, read the eventfd, note who. */
struct rr_thread {
	const struct backend *b;
	int ep, efd, idx;
	pthread_t thr;
	volatile pid_t tid;
	volatile int stop, exited;
	int *seq;
	int *nseq;
	long count;
};

static void *rr_thread_main(void *arg)
{
	struct rr_thread *t = arg;
	struct epoll_event ev;
	uint64_t v;

	t->tid = gettid_();
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		if (t->b->wait(t->ep, &ev, 1, -1) != 1)
			continue;
		if (read(t->efd, &v, sizeof(v)) != sizeof(v))
			continue;
		t->count++;
		t->seq[__atomic_fetch_add(t->nseq, 1, __ATOMIC_ACQ_REL)] = t->idx;
	}
	__atomic_store_n(&t->exited, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Stop the threads: each needs one more event to see the flag. */
static void rr_threads_stop(struct rr_thread *t, int n, int efd)
{
	for (int i = 0; i < n; i++)
		__atomic_store_n(&t[i].stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < n; i++) {
		while (!__atomic_load_n(&t[i].exited, __ATOMIC_ACQUIRE)) {
			efd_signal(efd);
			sleep_ms(5);
		}
		pthread_join(t[i].thr, NULL);
	}
}

#define RR_EVENTS 40

/*
 * t_i → e_i → efd (EXCLUSIVE), i < 4; one event at a time, each delivered
 * while every thread sleeps.  epoll: the first instance with a sleeper
 * takes every event (its entry heads the queue).  Round-robin: in turn,
 * e0, e1, e2, e3, e0, ...: each count is RR_EVENTS / 4.
 */
TEST_F(rr, exclusive_four_instances_in_turn)
{
	NEED();
	int efd = mkefd(), seq[RR_EVENTS + 64], nseq = 0;
	struct rr_thread t[4];

	ASSERT_GE(efd, 0);
	memset(t, 0, sizeof(t));
	for (int i = 0; i < 4; i++) {
		t[i] = (struct rr_thread){ .b = B, .efd = efd, .idx = i, .seq = seq, .nseq = &nseq };
		t[i].ep = B->create1(EPOLL_CLOEXEC);
		ASSERT_GE(t[i].ep, 0);
		ASSERT_EQ(0, ev_add(B, t[i].ep, efd, EPOLLIN | EPOLLEXCLUSIVE, i));
	}
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_create(&t[i].thr, NULL, rr_thread_main, &t[i]));
		while (!t[i].tid)
			sleep_ms(1);
		wait_thread_sleeping(t[i].tid, 2000);
	}
	for (int i = 0; i < RR_EVENTS; i++) {
		long long t0 = now_ns();

		ASSERT_EQ(0, efd_signal(efd));
		while (__atomic_load_n(&nseq, __ATOMIC_ACQUIRE) < i + 1 && elapsed_ms(t0) < 5000)
			sleep_ms(1);
		ASSERT_EQ(i + 1, __atomic_load_n(&nseq, __ATOMIC_ACQUIRE));
		/* The winner is back asleep before the next event. */
		wait_thread_sleeping(t[seq[i]].tid, 2000);
	}
	rr_threads_stop(t, 4, efd);
	/* Counted from seq: the events the threads need to stop come after. */
	long count[4] = { 0 };
	for (int i = 0; i < RR_EVENTS; i++)
		count[seq[i]]++;
	TH_LOG("%s: per waiter %ld %ld %ld %ld", B->name, count[0], count[1], count[2], count[3]);
	if (variant->rr) {
		for (int i = 0; i < 4; i++) {
			EXPECT_LE(RR_EVENTS / 4 - 1, count[i]) TH_LOG("waiter %d", i);
			EXPECT_GE(RR_EVENTS / 4 + 1, count[i]) TH_LOG("waiter %d", i);
		}
		for (int i = 0; i < 8; i++) {
			EXPECT_EQ(i % 4, seq[i]) TH_LOG("event %d", i);
		}
	} else {
		EXPECT_EQ(RR_EVENTS, count[0]);
	}
	for (int i = 0; i < 4; i++)
		close(t[i].ep);
	close(efd);
}

/*
 * Still one wakeup per event: 4 instances, EXCLUSIVE, one signal → one
 * waiter; a second signal → one more, another instance (on every variant).
 */
TEST_F(rr, exclusive_one_wakeup_per_event)
{
	NEED();
	int efd = mkefd(), eps[4];
	struct waiter w[4];
	int first = -1, second = -1;

	ASSERT_GE(efd, 0);
	for (int i = 0; i < 4; i++) {
		eps[i] = B->create1(EPOLL_CLOEXEC);
		ASSERT_GE(eps[i], 0);
		ASSERT_EQ(0, ev_add(B, eps[i], efd, EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, i));
	}
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, waiter_start(&w[i], B, eps[i], 1, 5000));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, waiters_settle(w, 4, 1, 2000, 100));
	for (int i = 0; i < 4; i++)
		if (w[i].done)
			first = i;
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(2, waiters_settle(w, 4, 2, 2000, 100));
	for (int i = 0; i < 4; i++)
		if (w[i].done && i != first)
			second = i;
	EXPECT_EQ(0, first);	/* the first added heads the queue */
	EXPECT_NE(-1, second);
	waiters_release(w, 4);
	for (int i = 0; i < 4; i++) {
		if (i == first || i == second) {
			EXPECT_EQ(1, w[i].ret);
			EXPECT_EQ((uint64_t)i, w[i].evs[0].data.u64);
		} else {
			EXPECT_EQ(-1, w[i].ret);
			EXPECT_EQ(EINTR, w[i].err);
		}
	}
	for (int i = 0; i < 4; i++)
		close(eps[i]);
	close(efd);
}

/* Without EXCLUSIVE the flag changes nothing: one signal wakes all four */
TEST_F(rr, nonexclusive_wakes_all)
{
	NEED();
	int efd = mkefd(), eps[4];
	struct waiter w[4];

	for (int i = 0; i < 4; i++) {
		eps[i] = B->create1(EPOLL_CLOEXEC);
		ASSERT_GE(eps[i], 0);
		ASSERT_EQ(0, ev_add(B, eps[i], efd, EPOLLIN, i));
	}
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, waiter_start(&w[i], B, eps[i], 1, 5000));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(4, waiters_settle(w, 4, 4, 2000, 50));
	waiters_release(w, 4);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(1, w[i].ret);
		close(eps[i]);
	}
	close(efd);
}

/*
 * Four threads in one instance (ET item), started one after the other:
 * epoll wakes the last to sleep (LIFO), round-robin the first (FIFO); a
 * second event: the next one on the same side.
 */
TEST_F(rr, waiters_of_one_instance)
{
	NEED();
	int efd = mkefd(), ep = B->create1(EPOLL_CLOEXEC);
	struct waiter w[4];
	int want1 = variant->rr ? 0 : 3, want2 = variant->rr ? 1 : 2;

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ev_add(B, ep, efd, EPOLLIN | EPOLLET, 7));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, waiter_start(&w[i], B, ep, 1, 5000));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, waiters_settle(w, 4, 1, 2000, 100));
	EXPECT_EQ(1, w[want1].done);
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(2, waiters_settle(w, 4, 2, 2000, 100));
	EXPECT_EQ(1, w[want2].done);
	waiters_release(w, 4);
	EXPECT_EQ(1, w[want1].ret);
	EXPECT_EQ(1, w[want2].ret);
	close(ep);
	close(efd);
}

/* A thread that DELs and re-ADDs one instance's item while events flow. */
struct churn {
	const struct backend *b;
	int *eps, n, efd;
	volatile int stop;
	long ops;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	uint64_t s = rng_seed(13);

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		int i = (int)rng_below(&s, (uint32_t)c->n);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.u64 = (uint64_t)i };

		if (c->b->ctl(c->eps[i], EPOLL_CTL_DEL, c->efd, NULL) == 0)
			c->b->ctl(c->eps[i], EPOLL_CTL_ADD, c->efd, &ev);
		c->ops++;
	}
	return NULL;
}

/*
 * Rotations owed while items go away: 4 waiter threads, a writer, and DEL
 * + ADD of the items in a loop for a second; no splat, and every event is
 * read by someone once it all stops.
 */
TEST_F(rr, exclusive_churn)
{
	NEED();
	int efd = mkefd(), eps[4], seq[1 << 16], nseq = 0;
	struct rr_thread t[4];
	struct churn c;
	pthread_t ct;
	long long t0;
	long writes = 0, got = 0;

	ASSERT_GE(efd, 0);
	memset(t, 0, sizeof(t));
	for (int i = 0; i < 4; i++) {
		eps[i] = B->create1(EPOLL_CLOEXEC);
		ASSERT_GE(eps[i], 0);
		ASSERT_EQ(0, ev_add(B, eps[i], efd, EPOLLIN | EPOLLEXCLUSIVE, i));
		t[i] = (struct rr_thread){ .b = B, .ep = eps[i], .efd = efd, .idx = i,
					   .seq = seq, .nseq = &nseq };
	}
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i].thr, NULL, rr_thread_main, &t[i]));
	c = (struct churn){ .b = B, .eps = eps, .n = 4, .efd = efd };
	ASSERT_EQ(0, pthread_create(&ct, NULL, churn_main, &c));
	t0 = now_ns();
	while (elapsed_ms(t0) < 1000 && nseq < (1 << 15)) {
		efd_signal(efd);
		writes++;
		if (!(writes & 15))
			sleep_ms(1);
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(ct, NULL);
	rr_threads_stop(t, 4, efd);
	for (int i = 0; i < 4; i++)
		got += t[i].count;
	TH_LOG("%s: %ld writes, %ld reads, %ld ctl pairs; per waiter %ld %ld %ld %ld", B->name,
	       writes, got, c.ops, t[0].count, t[1].count, t[2].count, t[3].count);
	EXPECT_LT(0, got);
	EXPECT_LT(0, c.ops);
	for (int i = 0; i < 4; i++)
		close(eps[i]);
	close(efd);
}

/* ==== EPIOCSPARAMS / EPIOCGPARAMS ========================================== */

/* Linux 6.9's values: _IOW(0x8A, 1, 8 bytes) and _IOR(0x8A, 2, 8 bytes). */
TEST(params_numbers)
{
	EXPECT_EQ(8, sizeof(struct ep2_epoll_params));
	EXPECT_EQ(0x40088a01u, (unsigned)EP2_EPIOCSPARAMS);
	EXPECT_EQ(0x80088a02u, (unsigned)EP2_EPIOCGPARAMS);
}

/*
 * eventpoll2's instances.  (Debian 6.1's native epoll has no ioctl: see
 * params_native below, which compares with it where the kernel has them.)
 */
FIXTURE(params) { int ep; const char *skip; };
FIXTURE_VARIANT(params) { const struct backend *b; };
FIXTURE_VARIANT_ADD(params, eventpoll2) { .b = &backend_ep2 };
FIXTURE_SETUP(params)
{
	self->ep = -1;
	if (access(EVENTPOLL2_DEVICE, F_OK)) {
		self->skip = "eventpoll2 module not loaded";
		return;
	}
	self->ep = B->create1(EPOLL_CLOEXEC);
	ASSERT_GE(self->ep, 0);
}
FIXTURE_TEARDOWN(params)
{
	if (self->ep >= 0)
		close(self->ep);
}

static int set_params(int ep, uint32_t usecs, uint16_t budget, uint8_t prefer, uint8_t pad)
{
	struct ep2_epoll_params p = { .busy_poll_usecs = usecs, .busy_poll_budget = budget,
				      .prefer_busy_poll = prefer, .__pad = pad };

	return ioctl(ep, EP2_EPIOCSPARAMS, &p);
}

static int params_are(int ep, uint32_t usecs, uint16_t budget, uint8_t prefer)
{
	struct ep2_epoll_params p;

	memset(&p, 0xa5, sizeof(p));
	if (ioctl(ep, EP2_EPIOCGPARAMS, &p))
		return 0;
	return p.busy_poll_usecs == usecs && p.busy_poll_budget == budget &&
	       p.prefer_busy_poll == prefer && p.__pad == 0;
}

/* A new instance: all zero; set, get back, reset */
TEST_F(params, set_get)
{
	NEED();
	EXPECT_TRUE(params_are(self->ep, 0, 0, 0));
	EXPECT_EQ(0, set_params(self->ep, 100, 16, 1, 0));
	EXPECT_TRUE(params_are(self->ep, 100, 16, 1));
	EXPECT_EQ(0, set_params(self->ep, INT_MAX, 64, 0, 0));		/* S32_MAX: allowed */
	EXPECT_TRUE(params_are(self->ep, INT_MAX, 64, 0));
	EXPECT_EQ(0, set_params(self->ep, 0, 0, 0, 0));
	EXPECT_TRUE(params_are(self->ep, 0, 0, 0));
	/* Through the library too. */
	struct ep2_epoll_params p = { .busy_poll_usecs = 7, .busy_poll_budget = 3 };
	EXPECT_EQ(0, ep2_set_params(self->ep, &p));
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(0, ep2_get_params(self->ep, &p));
	EXPECT_EQ(7, p.busy_poll_usecs);
	EXPECT_EQ(3, p.busy_poll_budget);
}

/* 6.9's checks: pad, usecs > S32_MAX, prefer > 1 → EINVAL; nothing changes */
TEST_F(params, set_einval)
{
	NEED();
	ASSERT_EQ(0, set_params(self->ep, 5, 6, 1, 0));
	struct { uint32_t usecs; uint16_t budget; uint8_t prefer, pad; } bad[] = {
		{ 0, 0, 0, 1 }, { 0, 0, 0, 0xff },
		{ (uint32_t)INT_MAX + 1, 0, 0, 0 }, { UINT_MAX, 0, 0, 0 },
		{ 0, 0, 2, 0 }, { 0, 0, 0xff, 0 },
		/* The order: pad before usecs before prefer before the budget. */
		{ UINT_MAX, 0xffff, 2, 1 }, { UINT_MAX, 0xffff, 2, 0 }, { 0, 0xffff, 2, 0 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, set_params(self->ep, bad[i].usecs, bad[i].budget, bad[i].prefer,
					 bad[i].pad)) TH_LOG("case %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
		EXPECT_TRUE(params_are(self->ep, 5, 6, 1)) TH_LOG("case %u", i);
	}
}

/* Drop CAP_NET_ADMIN from this thread's effective set (capset). */
static int drop_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	return (int)syscall(SYS_capset, &h, d);
}

/*
 * A budget above NAPI_POLL_WEIGHT (64) needs CAP_NET_ADMIN: EPERM without
 * it (in a child that dropped it), allowed with it; 64 is always allowed.
 */
TEST_F(params, budget_needs_net_admin)
{
	NEED();
	int st;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to compare with and without CAP_NET_ADMIN");
	EXPECT_EQ(0, set_params(self->ep, 10, EP2_NAPI_POLL_WEIGHT + 1, 0, 0));
	EXPECT_TRUE(params_are(self->ep, 10, EP2_NAPI_POLL_WEIGHT + 1, 0));
	EXPECT_EQ(0, set_params(self->ep, 10, 0xffff, 0, 0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int bad = 0;

		if (drop_net_admin())
			_exit(3);
		errno = 0;
		bad |= set_params(self->ep, 1, EP2_NAPI_POLL_WEIGHT + 1, 0, 0) != -1 || errno != EPERM;
		errno = 0;
		bad |= (set_params(self->ep, 1, 0xffff, 1, 0) != -1 || errno != EPERM) << 1;
		/* The EINVAL checks come first. */
		errno = 0;
		bad |= (set_params(self->ep, 1, 0xffff, 2, 0) != -1 || errno != EINVAL) << 2;
		bad |= (!params_are(self->ep, 10, 0xffff, 0)) << 3;
		bad |= (set_params(self->ep, 1, EP2_NAPI_POLL_WEIGHT, 0, 0) != 0) << 4;
		bad |= (!params_are(self->ep, 1, EP2_NAPI_POLL_WEIGHT, 0)) << 5;
		_exit(bad ? 10 + bad : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* Bad pointers: EFAULT for both; a failed set changes nothing */
TEST_F(params, efault)
{
	NEED();
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *gone = unmapped_page();	/* after ro, which could reuse it */

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, set_params(self->ep, 9, 0, 0, 0));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ep, EP2_EPIOCSPARAMS, NULL));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ep, EP2_EPIOCSPARAMS, gone));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ep, EP2_EPIOCGPARAMS, NULL));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ep, EP2_EPIOCGPARAMS, gone));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ep, EP2_EPIOCGPARAMS, ro));		/* not writable */
	EXPECT_EQ(EFAULT, errno);
	/* The struct straddling the end of a mapping. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ep, EP2_EPIOCSPARAMS, guarded_boundary() - 4));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_TRUE(params_are(self->ep, 9, 0, 0));
	munmap(ro, 4096);
}

/* Other commands of type 0x8A: EINVAL, as 6.9's epoll */
TEST_F(params, other_commands_einval)
{
	NEED();
	struct ep2_epoll_params p = { 0 };
	char big[64] = { 0 };
	unsigned long cmds[] = {
		_IOW(0x8A, 0x03, struct ep2_epoll_params), _IOR(0x8A, 0x00, struct ep2_epoll_params),
		_IOW(0x8A, 0x01, char[16]), _IOR(0x8A, 0x02, char[4]), _IO(0x8A, 0x01),
		_IOR(0x8A, 0x01, struct ep2_epoll_params), _IOW(0x8A, 0x02, struct ep2_epoll_params),
		_IOWR(0x8A, 0x01, struct ep2_epoll_params),
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->ep, cmds[i], big)) TH_LOG("case %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
	}
	EXPECT_EQ(0, ioctl(self->ep, EP2_EPIOCGPARAMS, &p));
}

/* The control device is not an instance: ENOTTY */
TEST(params_on_device)
{
	struct ep2_epoll_params p = { 0 };
	int dev = ep2_device_fd();

	if (dev < 0)
		SKIP(return, "eventpoll2 module not loaded");
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, EP2_EPIOCSPARAMS, &p));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, EP2_EPIOCGPARAMS, &p));
	EXPECT_EQ(ENOTTY, errno);
}

/* Per instance: a ring instance and a round-robin one take them too; dup shares */
TEST(params_per_instance)
{
	int a, b, c, d;
	struct ep2_epoll_params p = { .busy_poll_usecs = 50 };

	if (access(EVENTPOLL2_DEVICE, F_OK))
		SKIP(return, "eventpoll2 module not loaded");
	a = ep2_create1(0);
	b = ep2_create_ring(0, 64);
	c = ep2_create_roundrobin(0);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	ASSERT_GE(c, 0);
	EXPECT_EQ(0, ep2_set_params(a, &p));
	EXPECT_EQ(0, ep2_set_params(b, &p));
	EXPECT_TRUE(params_are(a, 50, 0, 0));
	EXPECT_TRUE(params_are(b, 50, 0, 0));
	EXPECT_TRUE(params_are(c, 0, 0, 0));
	d = dup(a);
	EXPECT_TRUE(params_are(d, 50, 0, 0));
	close(d);
	close(a);
	ep2_close(b);
	close(c);
}

/*
 * Native epoll: Debian 6.1's has no ioctl on epoll files (ENOTTY for both).
 * On a kernel that has them (6.9+), every case gives eventpoll2's result.
 */
TEST(params_native)
{
	struct ep2_epoll_params p = { 0 };
	int nat = epoll_create1(EPOLL_CLOEXEC), e2;

	ASSERT_GE(nat, 0);
	if (ioctl(nat, EP2_EPIOCGPARAMS, &p) < 0) {
		EXPECT_EQ(ENOTTY, errno);
		errno = 0;
		EXPECT_EQ(-1, ioctl(nat, EP2_EPIOCSPARAMS, &p));
		EXPECT_EQ(ENOTTY, errno);
		close(nat);
		return;
	}
	if (access(EVENTPOLL2_DEVICE, F_OK)) {
		close(nat);
		SKIP(return, "eventpoll2 module not loaded");
	}
	e2 = ep2_create1(EPOLL_CLOEXEC);
	ASSERT_GE(e2, 0);
	struct { uint32_t usecs; uint16_t budget; uint8_t prefer, pad; } c[] = {
		{ 1, 2, 1, 0 }, { 0, 0, 0, 1 }, { (uint32_t)INT_MAX + 1, 0, 0, 0 }, { INT_MAX, 0, 0, 0 },
		{ 0, 0, 2, 0 }, { UINT_MAX, 0xffff, 2, 1 }, { 0, 0xffff, 2, 0 }, { 0, 64, 0, 0 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		int rn, en, re, ee;

		errno = 0;
		rn = set_params(nat, c[i].usecs, c[i].budget, c[i].prefer, c[i].pad);
		en = errno;
		errno = 0;
		re = set_params(e2, c[i].usecs, c[i].budget, c[i].prefer, c[i].pad);
		ee = errno;
		EXPECT_EQ(rn, re) TH_LOG("case %u", i);
		EXPECT_EQ(en, ee) TH_LOG("case %u", i);
	}
	close(e2);
	close(nat);
}

/* ==== the busy loop ========================================================= */

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* CPU time one wait(@timeout_ms) with nothing ready costs this thread. */
static long long idle_wait_cpu_ms(int ep, int timeout_ms)
{
	struct epoll_event ev;
	long long c0 = thread_cpu_ns();

	ep2_wait(ep, &ev, 1, timeout_ms);
	return (thread_cpu_ns() - c0) / 1000000;
}

/* Items without a NAPI id (eventfd, unix socket): no busy loop, the wait sleeps */
TEST(busy_loop_needs_napi)
{
	int ep, efd = mkefd(), s[2];
	struct ep2_epoll_params p = { .busy_poll_usecs = 200000 };

	if (access(EVENTPOLL2_DEVICE, F_OK))
		SKIP(return, "eventpoll2 module not loaded");
	ep = ep2_create1(0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ep2_set_params(ep, &p));
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, s[0], EPOLLIN, 2));
	ASSERT_EQ(1, write1(s[1]));
	efd_signal(efd);
	struct epoll_event evs[4];
	EXPECT_EQ(2, ep2_wait(ep, evs, 4, 1000));
	drain(s[0]);
	drain(efd);
	EXPECT_GT(100, idle_wait_cpu_ms(ep, 300));
	close(ep);
	close(efd);
	close(s[0]);
	close(s[1]);
}

/* --- a NAPI device: a veth pair with GRO on, the peer in its own netns --- */

#define BP_NS "ep2bp"
#define BP_A "ep2bpa"
#define BP_B "ep2bpb"

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void veth_teardown(void)
{
	sh("ip netns del " BP_NS " >/dev/null 2>&1; ip link del " BP_A " >/dev/null 2>&1");
}

/* One ethtool feature of @ifname, in the netns of socket @s. */
static int ethtool_set(int s, const char *ifname, uint32_t cmd, uint32_t on)
{
	struct ethtool_value ev = { .cmd = cmd, .data = on };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)&ev;
	return ioctl(s, SIOCETHTOOL, &ifr);
}

static int socket_in_netns(const char *ns);

/* A UDP socket created inside netns @ns (this thread visits it). */
static int socket_in_netns(const char *ns)
{
	char path[128];
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), other, s = -1;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	other = open(path, O_RDONLY | O_CLOEXEC);
	if (self >= 0 && other >= 0 && setns(other, CLONE_NEWNET) == 0) {
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (setns(self, CLONE_NEWNET)) {
			close(s);
			s = -1;
		}
	}
	if (self >= 0)
		close(self);
	if (other >= 0)
		close(other);
	return s;
}

static const char *veth_setup(void)
{
	if (geteuid() != 0)
		return "needs root";
	veth_teardown();
	if (sh("modprobe veth >/dev/null 2>&1; ip netns add " BP_NS " >/dev/null 2>&1"))
		return "cannot make a netns (ip netns add)";
	if (sh("ip link add " BP_A " type veth peer name " BP_B " netns " BP_NS " >/dev/null 2>&1"))
		return "no veth (modprobe veth)";
	if (sh("ip addr add 10.231.7.1/24 dev " BP_A " && ip link set " BP_A " up && "
	       "ip -n " BP_NS " addr add 10.231.7.2/24 dev " BP_B " && "
	       "ip -n " BP_NS " link set " BP_B " up && ip -n " BP_NS " link set lo up"))
		return "cannot configure the veth pair";
	/*
	 * GRO on the receiving end makes veth receive through NAPI; the
	 * sender must not do TSO for its packets to be eligible
	 * (veth_skb_is_eligible_for_gro).
	 */
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), peer = socket_in_netns(BP_NS);
	int bad = s < 0 || peer < 0 || ethtool_set(s, BP_A, ETHTOOL_SGRO, 1) ||
		  ethtool_set(peer, BP_B, ETHTOOL_STSO, 0);
	if (s >= 0)
		close(s);
	if (peer >= 0)
		close(peer);
	return bad ? "cannot set GRO on / TSO off (SIOCETHTOOL)" : NULL;
}

/*
 * With busy_poll_usecs set and a socket item that received through NAPI
 * (SO_INCOMING_NAPI_ID != 0), a wait with nothing ready spins about
 * busy_poll_usecs before sleeping (CPU time), once: the busy loop that found
 * nothing drops the id, so the next idle wait sleeps at once.  A packet
 * arriving during the busy loop ends it with the event.  Without params:
 * no spin.
 */
TEST(busy_loop_veth)
{
	const char *why;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(47391) };
	struct epoll_event ev;
	unsigned napi_id = 0;
	socklen_t len = sizeof(napi_id);
	int rx, tx, ep, ep_off;
	char buf[64];

	if (access(EVENTPOLL2_DEVICE, F_OK))
		SKIP(return, "eventpoll2 module not loaded");
	why = veth_setup();
	if (why) {
		veth_teardown();
		SKIP(return, "%s: the busy loop is not tested here", why);
	}
	inet_pton(AF_INET, "10.231.7.1", &a.sin_addr);
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ASSERT_GE(rx, 0);
	ASSERT_EQ(0, bind(rx, (struct sockaddr *)&a, sizeof(a)));
	tx = socket_in_netns(BP_NS);
	ASSERT_GE(tx, 0);
	/* Packets until the socket has seen one through NAPI. */
	for (int i = 0; i < 50 && !napi_id; i++) {
		ASSERT_EQ(3, sendto(tx, "abc", 3, 0, (struct sockaddr *)&a, sizeof(a)));
		sleep_ms(20);
		while (recv(rx, buf, sizeof(buf), 0) > 0)
			;
		getsockopt(rx, SOL_SOCKET, SO_INCOMING_NAPI_ID, &napi_id, &len);
	}
	if (!napi_id) {
		close(rx);
		close(tx);
		veth_teardown();
		SKIP(return, "veth with GRO gives no NAPI id here: the busy loop is not tested");
	}
	TH_LOG("NAPI id %u", napi_id);

	struct ep2_epoll_params p = { .busy_poll_usecs = 150000, .busy_poll_budget = 8 };
	ep = ep2_create1(0);
	ep_off = ep2_create1(0);
	ASSERT_GE(ep, 0);
	ASSERT_GE(ep_off, 0);
	ASSERT_EQ(0, ep2_set_params(ep, &p));
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, rx, EPOLLIN, 1));		/* ADD records the id */
	ASSERT_EQ(0, ev_add(&backend_ep2, ep_off, rx, EPOLLIN, 2));

	long long off = idle_wait_cpu_ms(ep_off, 300);
	long long on = idle_wait_cpu_ms(ep, 300);
	long long again = idle_wait_cpu_ms(ep, 300);
	TH_LOG("CPU ms of a 300 ms idle wait: params off %lld, on %lld, then %lld", off, on, again);
	EXPECT_GT(40, off);
	EXPECT_LT(60, on);		/* spun for (most of) 150 ms */
	EXPECT_GT(40, again);		/* the id was dropped: sleeps */

	/* A packet makes the id known again; the next wait spins and gets it. */
	ASSERT_EQ(3, sendto(tx, "abc", 3, 0, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(1, ep2_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(1, ev.data.u64);
	while (recv(rx, buf, sizeof(buf), 0) > 0)
		;
	on = idle_wait_cpu_ms(ep, 300);
	EXPECT_LT(60, on);
	TH_LOG("after a packet: %lld", on);

	close(ep);
	close(ep_off);
	close(rx);
	close(tx);
	veth_teardown();
}

TEST_HARNESS_MAIN
