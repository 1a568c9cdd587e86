// SPDX-License-Identifier: GPL-2.0
/*
 * threads_test.c - several threads on one instance.
 *
 * Waiters are exclusive: one wakeup wakes one waiter, and a waiter whose
 * harvest leaves events on the ready list (LT re-queue, maxevents) wakes
 * the next one (ep_done_scan).  EPOLLEXCLUSIVE items of several instances on
 * one file: a wakeup of the file stops at the first instance that has a
 * waiter.  ctl from one thread reaches a waiter in another; events arriving
 * while another thread copies events out (ovflist) are never lost.
 *
 * Assertions are made in the main thread; threads only record.
 * Notation: "a → b" means a waits on / watches b.
 */
#include "backend.h"
#include "util.h"
#include "kselftest_harness.h"

FIXTURE(threads) { int ep; };
BACKEND_VARIANTS(threads);
FIXTURE_SETUP(threads)
{
	signal(SIGPIPE, SIG_IGN);
	self->ep = B->create1(EPOLL_CLOEXEC);
	ASSERT_GE(self->ep, 0);
}
FIXTURE_TEARDOWN(threads) { close_from3(); }

/* How many of n waiters returned r (>0: events, 0: timeout). */
static int count_ret(struct waiter *w, int n, int r)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += w[i].ret == r;
	return c;
}

static void join_all(struct waiter *w, int n)
{
	for (int i = 0; i < n; i++)
		waiter_join(&w[i]);
}

/*
 * Start n waiters (no timeout) on eps[i % neps], run fn(arg), let them
 * settle; returns how many returned on their own.  The rest are then
 * interrupted (ret -1, EINTR) and all are joined.
 */
static int wake_count(const struct backend *b, struct waiter *w, int n, const int *eps, int neps,
		      int maxevents, void (*fn)(void *), void *arg, int expect)
{
	int woke;

	for (int i = 0; i < n; i++)
		if (waiter_start(&w[i], b, eps[i % neps], maxevents, -1))
			return -1;
	fn(arg);
	woke = waiters_settle(w, n, expect, 5000, 300);
	waiters_release(w, n);
	return woke;
}

/* t0, t1 → e0 → efd (ET): one signal wakes exactly one waiter */
TEST_F(threads, et_one_event_wakes_one_waiter)
{
	int efd = mkefd();
	struct waiter w[2];

	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN | EPOLLET, 1));
	EXPECT_EQ(1, wake_count(B, w, 2, &self->ep, 1, 1, do_efd_signal, &efd, 1));
	EXPECT_EQ(1, count_ret(w, 2, 1));
	EXPECT_EQ(1, count_ret(w, 2, -1));
}

/* t0..t3 → e0 → efd (ET): one signal wakes exactly one of four */
TEST_F(threads, et_one_event_wakes_one_of_four)
{
	int efd = mkefd();
	struct waiter w[4];

	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN | EPOLLET, 1));
	EXPECT_EQ(1, wake_count(B, w, 4, &self->ep, 1, 4, do_efd_signal, &efd, 1));
	EXPECT_EQ(1, count_ret(w, 4, 1));
}

/*
 * t0, t1 → e0 → efd (LT): the woken waiter re-queues the LT item, which
 * wakes the other: both get the event
 */
TEST_F(threads, lt_requeue_wakes_next_waiter)
{
	int efd = mkefd();
	struct waiter w[2];

	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 1));
	EXPECT_EQ(2, wake_count(B, w, 2, &self->ep, 1, 1, do_efd_signal, &efd, 2));
	EXPECT_EQ(2, count_ret(w, 2, 1));
}

/* t0..t3 → e0 → efd (LT): the wakeup cascades through all four waiters */
TEST_F(threads, lt_requeue_wakes_all_four)
{
	int efd = mkefd();
	struct waiter w[4];

	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 1));
	EXPECT_EQ(4, wake_count(B, w, 4, &self->ep, 1, 1, do_efd_signal, &efd, 4));
	EXPECT_EQ(4, count_ret(w, 4, 1));
}

static void signal_all4(void *arg)
{
	for (int i = 0; i < 4; i++)
		efd_signal(((int *)arg)[i]);
}

/* t0..t3 (maxevents 1) → e0 → efd0..efd3 (ET): four signals, one each */
TEST_F(threads, et_four_events_four_waiters_one_each)
{
	int efd[4];
	struct waiter w[4];
	unsigned seen = 0;

	for (int i = 0; i < 4; i++) {
		efd[i] = mkefd();
		ASSERT_EQ(0, ev_add(B, self->ep, efd[i], EPOLLIN | EPOLLET, i));
	}
	EXPECT_EQ(4, wake_count(B, w, 4, &self->ep, 1, 1, signal_all4, efd, 4));
	EXPECT_EQ(4, count_ret(w, 4, 1));
	for (int i = 0; i < 4; i++)
		if (w[i].ret == 1 && w[i].evs[0].data.u64 < 4)
			seen |= 1u << w[i].evs[0].data.u64;
	EXPECT_EQ(0xfu, seen);
}

/*
 * t0 (maxevents 1), t1 → e0 → {efd, dup(efd)} (ET): one signal readies two
 * items; t0 takes one and the other goes to t1
 */
TEST_F(threads, two_items_one_signal_two_waiters)
{
	int efd = mkefd(), d = dup(efd);
	struct waiter w[2];

	ASSERT_GE(d, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, d, EPOLLIN | EPOLLET, 2));
	EXPECT_EQ(2, wake_count(B, w, 2, &self->ep, 1, 1, do_efd_signal, &efd, 2));
	ASSERT_EQ(2, count_ret(w, 2, 1));
	EXPECT_EQ(3, w[0].evs[0].data.u64 + w[1].evs[0].data.u64);
}

/* ---- EPOLLEXCLUSIVE ----------------------------------------------------- */

/* eps[i] → efd with events IN | extra, i < n */
static int excl_setup(const struct backend *b, int *eps, int n, int efd, unsigned extra)
{
	for (int i = 0; i < n; i++) {
		eps[i] = b->create1(EPOLL_CLOEXEC);
		if (eps[i] < 0 || ev_add(b, eps[i], efd, EPOLLIN | extra, i))
			return -1;
	}
	return 0;
}

/* t_i → e_i → efd (EXCLUSIVE), i < 4: one signal wakes exactly one thread */
TEST_F(threads, exclusive_one_signal_one_wakeup)
{
	int efd = mkefd(), eps[4];
	struct waiter w[4];

	ASSERT_EQ(0, excl_setup(B, eps, 4, efd, EPOLLEXCLUSIVE));
	EXPECT_EQ(1, wake_count(B, w, 4, eps, 4, 1, do_efd_signal, &efd, 1));
	EXPECT_EQ(1, count_ret(w, 4, 1));
}

/* t_i → e_i → efd (no EXCLUSIVE), i < 4: one signal wakes all four */
TEST_F(threads, nonexclusive_one_signal_wakes_all)
{
	int efd = mkefd(), eps[4];
	struct waiter w[4];

	ASSERT_EQ(0, excl_setup(B, eps, 4, efd, 0));
	EXPECT_EQ(4, wake_count(B, w, 4, eps, 4, 1, do_efd_signal, &efd, 4));
	EXPECT_EQ(4, count_ret(w, 4, 1));
}

static void signal_twice(void *arg)
{
	efd_signal(*(int *)arg);
	sleep_ms(100);
	efd_signal(*(int *)arg);
}

/*
 * t_i → e_i → efd (EXCLUSIVE, ET), i < 4: two signals 100 ms apart wake
 * two threads: the first woken instance has no waiter left, the walk goes on
 */
TEST_F(threads, exclusive_two_signals_two_wakeups)
{
	int efd = mkefd(), eps[4];
	struct waiter w[4];

	ASSERT_EQ(0, excl_setup(B, eps, 4, efd, EPOLLEXCLUSIVE | EPOLLET));
	EXPECT_EQ(2, wake_count(B, w, 4, eps, 4, 1, signal_twice, &efd, 2));
	EXPECT_EQ(2, count_ret(w, 4, 1));
}

/* t0, t1 → e0, e1 → efd (EXCLUSIVE), t2, t3 → e2, e3 → efd: one signal wakes 3 */
TEST_F(threads, exclusive_and_normal_mixed)
{
	int efd = mkefd(), eps[4];
	struct waiter w[4];

	for (int i = 0; i < 4; i++) {
		eps[i] = B->create1(0);
		ASSERT_EQ(0, ev_add(B, eps[i], efd, EPOLLIN | (i < 2 ? EPOLLEXCLUSIVE : 0), i));
	}
	EXPECT_EQ(3, wake_count(B, w, 4, eps, 4, 1, do_efd_signal, &efd, 3));
	EXPECT_EQ(1, count_ret(w, 2, 1));
	EXPECT_EQ(1, w[2].ret);
	EXPECT_EQ(1, w[3].ret);
}

/*
 * t0 → e0 → s0 (EXCLUSIVE, EPOLLOUT only), t1 → e1 → s0 (EXCLUSIVE, IN),
 * s0 not writable: an EPOLLIN wakeup skips e0 (no match) and wakes t1
 */
TEST_F(threads, exclusive_mask_mismatch_skipped)
{
	int s[2], e0 = B->create1(0), e1 = B->create1(0);
	struct waiter w[2];

	ASSERT_EQ(0, mksock(s));
	ASSERT_GT(fill(s[0]), 0);
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLOUT | EPOLLEXCLUSIVE, 0));
	ASSERT_EQ(0, ev_add(B, e1, s[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
	{
		int eps[2] = { e0, e1 };

		EXPECT_EQ(1, wake_count(B, w, 2, eps, 2, 1, do_write1, &s[1], 1));
	}
	EXPECT_EQ(-1, w[0].ret);
	EXPECT_EQ(1, w[1].ret);
	EXPECT_EQ(1, w[1].evs[0].data.u64);
}

/* ---- ctl from another thread ---------------------------------------------- */

/* t0 (blocked) → e0 (empty); main ADDs a ready efd → t0 wakes */
TEST_F(threads, add_ready_fd_wakes_waiter)
{
	int efd = mkefd();
	struct waiter w;

	ASSERT_EQ(0, efd_signal(efd));
	ASSERT_EQ(0, waiter_start(&w, B, self->ep, 4, 5000));
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 42));
	waiter_join(&w);
	ASSERT_EQ(1, w.ret);
	EXPECT_EQ(42, w.evs[0].data.u64);
	EXPECT_LT(w.took_ms, 4000);
}

/* t0 (blocked) → e0 → efd (ready, mask PRI); main MODs to IN → t0 wakes */
TEST_F(threads, mod_to_ready_wakes_waiter)
{
	int efd = mkefd();
	struct waiter w;

	ASSERT_EQ(0, efd_signal(efd));
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLPRI, 1));
	ASSERT_EQ(0, waiter_start(&w, B, self->ep, 4, 5000));
	ASSERT_EQ(0, ev_mod(B, self->ep, efd, EPOLLIN, 2));
	waiter_join(&w);
	ASSERT_EQ(1, w.ret);
	EXPECT_EQ(2, w.evs[0].data.u64);
}

/* t0 (blocked) → e0 → efd; main DELs efd then signals it → t0 times out */
TEST_F(threads, del_while_waiting)
{
	int efd = mkefd();
	struct waiter w;

	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 1));
	ASSERT_EQ(0, waiter_start(&w, B, self->ep, 4, 400));
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, efd, NULL));
	ASSERT_EQ(0, efd_signal(efd));
	waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_GE(w.took_ms, 350);
}

/* t0 (blocked) → e0 → efd (ready LT, harvested by main): DEL then t0 sleeps on */
TEST_F(threads, del_ready_item_while_waiting)
{
	int efd = mkefd(), s[2];
	struct waiter w;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, self->ep, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, waiter_start(&w, B, self->ep, 4, 500));
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, s[0], NULL));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 2));
	ASSERT_EQ(0, efd_signal(efd));
	waiter_join(&w);
	ASSERT_EQ(1, w.ret);
	EXPECT_EQ(2, w.evs[0].data.u64);
}

/* t0 (blocked) → e0 → efd; main closes e0's fd, then signals → t0 still gets it */
TEST_F(threads, close_instance_fd_while_waiting)
{
	int efd = mkefd();
	struct waiter w;

	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 9));
	ASSERT_EQ(0, waiter_start(&w, B, self->ep, 4, 5000));
	ASSERT_EQ(0, close(self->ep));
	sleep_ms(20);
	ASSERT_EQ(0, efd_signal(efd));
	waiter_join(&w);
	ASSERT_EQ(1, w.ret);
	EXPECT_EQ(9, w.evs[0].data.u64);
}

static void on_sigusr1(int sig) { }

/* t0, t1 → e0: a signal to t0 (no SA_RESTART) → EINTR for t0 only */
TEST_F(threads, signal_interrupts_one_waiter)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	int efd = mkefd();
	struct waiter w[2];

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN, 1));
	ASSERT_EQ(0, waiter_start(&w[0], B, self->ep, 1, 3000));
	ASSERT_EQ(0, waiter_start(&w[1], B, self->ep, 1, 3000));
	ASSERT_EQ(0, pthread_kill(w[0].thr, SIGUSR1));
	waiter_join(&w[0]);
	EXPECT_EQ(-1, w[0].ret);
	EXPECT_EQ(EINTR, w[0].err);
	ASSERT_EQ(0, efd_signal(efd));
	waiter_join(&w[1]);
	EXPECT_EQ(1, w[1].ret);
}

/* t0 → e0 → efd, t1 → e1 → efd: one signal wakes both instances' waiters */
TEST_F(threads, two_instances_same_fd_both_wake)
{
	int efd = mkefd(), e1 = B->create1(0);
	struct waiter w[2];

	ASSERT_EQ(0, ev_add(B, self->ep, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, e1, efd, EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, waiter_start(&w[0], B, self->ep, 1, 3000));
	ASSERT_EQ(0, waiter_start(&w[1], B, e1, 1, 3000));
	ASSERT_EQ(0, efd_signal(efd));
	join_all(w, 2);
	EXPECT_EQ(1, w[0].ret);
	EXPECT_EQ(1, w[1].ret);
	EXPECT_EQ(1, w[0].evs[0].data.u64);
	EXPECT_EQ(2, w[1].evs[0].data.u64);
}

/* ---- races between ctl calls --------------------------------------------- */

struct ctl_race {
	const struct backend *b;
	int ep, fd, op;
	pthread_barrier_t *bar;
	int ret, err;
};

static void *ctl_race_main(void *a)
{
	struct ctl_race *r = a;
	struct epoll_event ev = { .events = EPOLLIN };

	pthread_barrier_wait(r->bar);
	r->ret = r->b->ctl(r->ep, r->op, r->fd, &ev);
	r->err = errno;
	return NULL;
}

/* Run op on (ep, fds[i]) from n threads at once; how many succeeded. */
static int ctl_race(const struct backend *b, int *eps, int *fds, int n, int op, int *errs)
{
	pthread_barrier_t bar;
	struct ctl_race r[8];
	pthread_t t[8];
	int ok = 0;

	pthread_barrier_init(&bar, NULL, n);
	for (int i = 0; i < n; i++) {
		r[i] = (struct ctl_race){ .b = b, .ep = eps[i], .fd = fds[i], .op = op, .bar = &bar };
		pthread_create(&t[i], NULL, ctl_race_main, &r[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (r[i].ret == 0)
			ok++;
		else
			errs[i] = r[i].err;
	}
	pthread_barrier_destroy(&bar);
	return ok;
}

/* t0..t3 ADD the same fd to e0 at once: one succeeds, three get EEXIST; same for DEL/ENOENT */
TEST_F(threads, concurrent_add_del_same_fd)
{
	int efd = mkefd(), eps[4], fds[4], errs[4];

	for (int i = 0; i < 4; i++) {
		eps[i] = self->ep;
		fds[i] = efd;
	}
	for (int round = 0; round < 100; round++) {
		for (int i = 0; i < 4; i++)
			errs[i] = 0;
		ASSERT_EQ(1, ctl_race(B, eps, fds, 4, EPOLL_CTL_ADD, errs));
		for (int i = 0; i < 4; i++)
			ASSERT_TRUE(errs[i] == 0 || errs[i] == EEXIST);
		ASSERT_EQ(1, fdinfo_items(self->ep));
		for (int i = 0; i < 4; i++)
			errs[i] = 0;
		ASSERT_EQ(1, ctl_race(B, eps, fds, 4, EPOLL_CTL_DEL, errs));
		for (int i = 0; i < 4; i++)
			ASSERT_TRUE(errs[i] == 0 || errs[i] == ENOENT);
		ASSERT_EQ(0, fdinfo_items(self->ep));
	}
}

/* t0: e0 → e1 and t1: e1 → e0 at once: never both (that is a cycle) */
TEST_F(threads, concurrent_cross_nesting_never_cycles)
{
	int e0 = B->create1(0), e1 = B->create1(0), errs[2], both = 0, one = 0;

	for (int round = 0; round < 100; round++) {
		int eps[2] = { e0, e1 }, fds[2] = { e1, e0 };
		int ok;

		errs[0] = errs[1] = 0;
		ok = ctl_race(B, eps, fds, 2, EPOLL_CTL_ADD, errs);
		both += ok == 2;
		one += ok == 1;
		ASSERT_TRUE(errs[0] == 0 || errs[0] == ELOOP);
		ASSERT_TRUE(errs[1] == 0 || errs[1] == ELOOP);
		B->ctl(e0, EPOLL_CTL_DEL, e1, NULL);
		B->ctl(e1, EPOLL_CTL_DEL, e0, NULL);
	}
	EXPECT_EQ(0, both);
	EXPECT_EQ(100, one);
}

struct add_job {
	const struct backend *b;
	int ep;
	int *fds;
	int fails;
};

static void *add_all_main(void *a)
{
	struct add_job *j = a;

	for (int i = 0; i < 200; i++)
		if (ev_add(j->b, j->ep, j->fds[i], EPOLLIN, j->fds[i]))
			j->fails++;
	return NULL;
}

/* t0..t3 each ADD 200 distinct fds to e0 at once: 800 items, then DEL all */
TEST_F(threads, concurrent_add_distinct_fds)
{
	int fds[4][200];
	struct add_job jobs[4];
	pthread_t t[4];

	ASSERT_EQ(0, raise_nofile(4096));
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 200; j++)
			ASSERT_GE(fds[i][j] = mkefd(), 0);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct add_job){ B, self->ep, fds[i], 0 };
		pthread_create(&t[i], NULL, add_all_main, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, jobs[i].fails);
	}
	EXPECT_EQ(800, fdinfo_items(self->ep));
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 200; j++)
			ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, fds[i][j], NULL));
	EXPECT_EQ(0, fdinfo_items(self->ep));
}

/* ---- no lost events --------------------------------------------------------- */

#define NPIPES 16

struct flood {
	const struct backend *b;
	int ep;
	int p[NPIPES][2];
	long writes;			/* producer: bytes to write */
	volatile int producer_done;
	long written, consumed;		/* atomics */
	int maxevents;
	long harvests, events;
};

static void *flood_producer(void *a)
{
	struct flood *f = a;
	uint64_t seed = rng_seed(42);

	for (long i = 0; i < f->writes; i++) {
		int k = rng_below(&seed, NPIPES);

		if (write1(f->p[k][1]) == 1)
			__atomic_add_fetch(&f->written, 1, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&f->producer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Harvest with small maxevents; drain each reported pipe.  Stops once the
 * producer is done and everything written was consumed, or when nothing
 * arrives for 2 s after the producer finished (a lost event).
 */
static void *flood_consumer(void *a)
{
	struct flood *f = a;
	struct epoll_event evs[4];
	long long idle_since = 0;

	for (;;) {
		int n = f->b->wait(f->ep, evs, f->maxevents, 50);

		if (n > 0) {
			__atomic_add_fetch(&f->harvests, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&f->events, n, __ATOMIC_RELAXED);
			for (int i = 0; i < n; i++)
				__atomic_add_fetch(&f->consumed, drain(f->p[evs[i].data.u64][0]),
						   __ATOMIC_RELAXED);
			idle_since = 0;
			continue;
		}
		if (!__atomic_load_n(&f->producer_done, __ATOMIC_ACQUIRE))
			continue;
		if (__atomic_load_n(&f->consumed, __ATOMIC_RELAXED) >=
		    __atomic_load_n(&f->written, __ATOMIC_RELAXED))
			return NULL;
		if (!idle_since)
			idle_since = now_ns();
		else if (elapsed_ms(idle_since) > 2000)
			return NULL;
	}
}

static void flood_run(struct __test_metadata *_metadata, const struct backend *b, int ep,
		      unsigned mode, int consumers, int maxevents, long writes)
{
	struct flood f = { .b = b, .ep = ep, .writes = writes, .maxevents = maxevents };
	pthread_t prod, cons[4];
	int left = 0;

	for (int i = 0; i < NPIPES; i++) {
		ASSERT_EQ(0, mkpipe(f.p[i]));
		ASSERT_EQ(0, ev_add(b, ep, f.p[i][0], EPOLLIN | mode, i));
	}
	for (int i = 0; i < consumers; i++)
		pthread_create(&cons[i], NULL, flood_consumer, &f);
	pthread_create(&prod, NULL, flood_producer, &f);
	pthread_join(prod, NULL);
	for (int i = 0; i < consumers; i++)
		pthread_join(cons[i], NULL);
	for (int i = 0; i < NPIPES; i++)
		left += readable_bytes(f.p[i][0]);
	TH_LOG("%s: %ld written, %ld consumed, %ld events in %ld harvests, %d left", b->name,
	       f.written, f.consumed, f.events, f.harvests, left);
	EXPECT_EQ(f.written, f.consumed);
	EXPECT_EQ(0, left);
	EXPECT_GT(f.written, writes / 2);
}

/*
 * producer → p0..p15 ← e0 (ET) ← 2 consumers, maxevents 1: every byte
 * written is eventually read (an ET event lost during copy-out would
 * strand bytes)
 */
TEST_F_TIMEOUT(threads, et_flood_no_lost_events_max1, 60)
{
	flood_run(_metadata, B, self->ep, EPOLLET, 2, 1, 10000);
}

/* the same with 3 consumers and maxevents 3 */
TEST_F_TIMEOUT(threads, et_flood_no_lost_events_max3, 60)
{
	flood_run(_metadata, B, self->ep, EPOLLET, 3, 3, 10000);
}

/* the same with LT items and 2 consumers, maxevents 2 */
TEST_F_TIMEOUT(threads, lt_flood_no_lost_events, 60)
{
	flood_run(_metadata, B, self->ep, 0, 2, 2, 10000);
}

struct oneshot_ctx {
	const struct backend *b;
	int ep;
	int efd[8];
	int armed[8];		/* 1 while an event may be delivered */
	int violations, deliveries, target;
};

static void *oneshot_consumer(void *a)
{
	struct oneshot_ctx *c = a;
	struct epoll_event ev;

	while (__atomic_load_n(&c->deliveries, __ATOMIC_RELAXED) < c->target) {
		int n = c->b->wait(c->ep, &ev, 1, 100);
		int k;

		if (n <= 0)
			continue;
		k = (int)ev.data.u64;
		if (!__atomic_exchange_n(&c->armed[k], 0, __ATOMIC_ACQ_REL))
			__atomic_add_fetch(&c->violations, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&c->deliveries, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&c->armed[k], 1, __ATOMIC_RELEASE);
		ev_mod(c->b, c->ep, c->efd[k], EPOLLIN | EPOLLONESHOT, k);
	}
	return NULL;
}

/*
 * t0..t3 → e0 → efd0..efd7 (1S, always readable): each arming delivers
 * exactly once, whichever thread harvests it; re-armed by MOD
 */
TEST_F_TIMEOUT(threads, oneshot_exactly_once_across_threads, 60)
{
	struct oneshot_ctx c = { .b = B, .ep = self->ep, .target = 2000 };
	pthread_t t[4];

	for (int k = 0; k < 8; k++) {
		c.efd[k] = mkefd();
		ASSERT_EQ(0, efd_signal(c.efd[k]));
		c.armed[k] = 1;
		ASSERT_EQ(0, ev_add(B, self->ep, c.efd[k], EPOLLIN | EPOLLONESHOT, k));
	}
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, oneshot_consumer, &c);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, c.violations);
	EXPECT_GE(c.deliveries, c.target);
}

TEST_HARNESS_MAIN
