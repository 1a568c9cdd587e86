// SPDX-License-Identifier: GPL-2.0
/*
 * stress_test.c - bounded multi-threaded stress, on both backends.
 *
 * Threads doing ctl ADD/MOD/DEL, waits, polls, writes, reads, dups and
 * closes on shared instances and fds; nesting edges added and removed
 * concurrently; instances closed while their files are being woken.  Each
 * test runs EP2_STRESS_MS milliseconds (default 1500) under an alarm()
 * watchdog (a hang fails), then checks consistency: every item gone once
 * its file is closed, the nesting graph left behind acyclic and at most
 * EP_MAX_NESTS deep, no event for data that was never registered, and the
 * slab caches back at their baseline.  epoll runs the same storms as the
 * reference.
 */
#include "backend.h"
#include "util.h"
#include "kselftest_harness.h"

#define MAX_THREADS 8
#define NFDS 32

static int stress_ms(void)
{
	const char *v = getenv("EP2_STRESS_MS");
	int ms = v ? atoi(v) : 1500;

	return ms < 100 ? 100 : ms > 20000 ? 20000 : ms;
}

struct storm {
	const struct backend *b;
	volatile int stop;
	int ep, ep2;
	int efd[NFDS];
	int eps[8];
	long ops[MAX_THREADS];
	long events, bad_events, waits;
	uint64_t seed;
};

struct worker {
	struct storm *s;
	int id;
	pthread_t thr;
	void *(*fn)(void *);
};

static void run_storm(struct storm *s, struct worker *w, int n)
{
	for (int i = 0; i < n; i++) {
		w[i].s = s;
		w[i].id = i;
		pthread_create(&w[i].thr, NULL, w[i].fn, &w[i]);
	}
	sleep_ms(stress_ms());
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < n; i++)
		pthread_join(w[i].thr, NULL);
}

static int stopped(struct storm *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
}

static uint32_t rand_mask(uint64_t *r)
{
	uint32_t ev = (rng_below(r, 3) == 0 ? EPOLLOUT : 0) | EPOLLIN;

	switch (rng_below(r, 4)) {
	case 0: ev |= EPOLLET; break;
	case 1: ev |= EPOLLONESHOT; break;
	case 2: ev |= EPOLLET | EPOLLONESHOT; break;
	}
	return ev;
}

FIXTURE(stress) { long slab_base; };
BACKEND_VARIANTS(stress);

FIXTURE_SETUP(stress)
{
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, raise_nofile(4096));
	/* the watchdog: a hang fails the test (SIGALRM kills it) */
	alarm(stress_ms() / 1000 + 40);
	self->slab_base = backend_slab_objects(B, NULL) >= 0 ? slab_settle(B, 0, 100) : -1;
}

FIXTURE_TEARDOWN(stress)
{
	alarm(0);
	close_from3();
}

/*
 * After a storm, with everything closed: the backend's slab objects come
 * back to the baseline (merged caches: some slack for other users).
 */
static void check_slab(struct __test_metadata *_metadata, const struct backend *b, long base)
{
	long after;

	if (base < 0)
		return;
	after = slab_settle(b, base + 1000, 5000);
	TH_LOG("%s slab objects: %ld before, %ld after", b->name, base, after);
	EXPECT_LE(after, base + 1000);
}

/* ---- ctl + wait + write on one instance ------------------------------- */

static void *ctl_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	uint64_t r = rng_seed(s->seed + w->id);

	while (!stopped(s)) {
		int k = rng_below(&r, NFDS), op = rng_below(&r, 3);
		struct epoll_event ev = { .events = rand_mask(&r), .data.u64 = k };

		if (op == 0)
			s->b->ctl(s->ep, EPOLL_CTL_ADD, s->efd[k], &ev);
		else if (op == 1)
			s->b->ctl(s->ep, EPOLL_CTL_MOD, s->efd[k], &ev);
		else
			s->b->ctl(s->ep, EPOLL_CTL_DEL, s->efd[k], NULL);
		s->ops[w->id]++;
	}
	return NULL;
}

static void *wait_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	uint64_t r = rng_seed(s->seed + w->id);
	struct epoll_event evs[8];

	while (!stopped(s)) {
		int n = s->b->wait(s->ep, evs, 1 + rng_below(&r, 8), 5);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 >= NFDS || !(evs[i].events & (EPOLLIN | EPOLLOUT)) ||
			    (evs[i].events & ~(EPOLLIN | EPOLLOUT)))
				__atomic_add_fetch(&s->bad_events, 1, __ATOMIC_RELAXED);
			/* drain sometimes, so that readiness comes and goes */
			if (rng_below(&r, 2)) {
				uint64_t v;

				if (read(s->efd[evs[i].data.u64 % NFDS], &v, 8) < 0)
					;
			}
		}
		if (n > 0)
			__atomic_add_fetch(&s->events, n, __ATOMIC_RELAXED);
		__atomic_add_fetch(&s->waits, 1, __ATOMIC_RELAXED);
		s->ops[w->id]++;
	}
	return NULL;
}

static void *signal_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	uint64_t r = rng_seed(s->seed + w->id);

	while (!stopped(s)) {
		efd_signal(s->efd[rng_below(&r, NFDS)]);
		if (rng_below(&r, 4) == 0) {
			uint64_t v;

			if (read(s->efd[rng_below(&r, NFDS)], &v, 8) < 0)
				;
		}
		s->ops[w->id]++;
	}
	return NULL;
}

/*
 * t0, t1: random ADD/MOD/DEL (LT, ET, 1S) of 32 eventfds on e0; t2, t3:
 * waits with random maxevents; t4: signals and reads.  Every event names a
 * registered fd with IN and/or OUT only; afterwards DEL of all and e0 is
 * empty.
 */
TEST_F_TIMEOUT(stress, ctl_wait_signal, 90)
{
	struct storm s = { .b = B, .seed = 1 };
	struct worker w[5] = { { .fn = ctl_thread }, { .fn = ctl_thread }, { .fn = wait_thread },
			       { .fn = wait_thread }, { .fn = signal_thread } };
	long total = 0;

	s.ep = B->create1(0);
	ASSERT_GE(s.ep, 0);
	for (int i = 0; i < NFDS; i++)
		ASSERT_GE(s.efd[i] = mkefd(), 0);
	run_storm(&s, w, 5);
	for (int i = 0; i < 5; i++)
		total += s.ops[i];
	TH_LOG("%s: %ld ops, %ld waits, %ld events", B->name, total, s.waits, s.events);
	EXPECT_EQ(0, s.bad_events);
	EXPECT_GT(s.events, 0);
	for (int i = 0; i < NFDS; i++) {
		int r = B->ctl(s.ep, EPOLL_CTL_DEL, s.efd[i], NULL);

		EXPECT_TRUE(r == 0 || errno == ENOENT);
	}
	EXPECT_EQ(0, fdinfo_items(s.ep));
	EXPECT_EQ(0, B->wait(s.ep, (struct epoll_event[1]){}, 1, 0));
	for (int i = 0; i < NFDS; i++)
		close(s.efd[i]);
	close(s.ep);
	check_slab(_metadata, B, self->slab_base);
}

/* ---- closes racing with everything ------------------------------------------- */

static void *open_close_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	uint64_t r = rng_seed(s->seed + w->id);

	while (!stopped(s)) {
		int sv[2] = { -1, -1 }, fd, d = -1;
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u64 = NFDS };

		if (rng_below(&r, 2)) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
				continue;
			fd = sv[0];
		} else {
			fd = mkefd();
			if (fd < 0)
				continue;
		}
		if (rng_below(&r, 4) == 0)
			ev.events |= EPOLLET;
		s->b->ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
		if (rng_below(&r, 2))
			s->b->ctl(s->ep2, EPOLL_CTL_ADD, fd, &ev);
		if (rng_below(&r, 3) == 0)
			d = dup(fd);
		if (sv[1] >= 0 && rng_below(&r, 2))
			write1(sv[1]);
		if (rng_below(&r, 4) == 0)
			s->b->ctl(s->ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		if (d >= 0)
			close(d);
		if (sv[1] >= 0)
			close(sv[1]);
		s->ops[w->id]++;
	}
	return NULL;
}

static void *harvest_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	struct epoll_event evs[16];

	while (!stopped(s)) {
		int ep = w->id & 1 ? s->ep2 : s->ep;
		int n = s->b->wait(ep, evs, 16, 5);

		for (int i = 0; i < n; i++)
			if (evs[i].data.u64 != NFDS)
				__atomic_add_fetch(&s->bad_events, 1, __ATOMIC_RELAXED);
		if (n > 0)
			__atomic_add_fetch(&s->events, n, __ATOMIC_RELAXED);
		s->ops[w->id]++;
	}
	return NULL;
}

/*
 * t0..t2: socketpair/eventfd, ADD to e0 (and e1), dup, write, maybe DEL,
 * close everything; t3, t4: harvest e0, e1.  Afterwards both instances are
 * empty: every item left with its file.
 */
TEST_F_TIMEOUT(stress, open_add_close, 90)
{
	struct storm s = { .b = B, .seed = 2 };
	struct worker w[5] = { { .fn = open_close_thread }, { .fn = open_close_thread },
			       { .fn = open_close_thread }, { .fn = harvest_thread },
			       { .fn = harvest_thread } };

	s.ep = B->create1(0);
	s.ep2 = B->create1(0);
	ASSERT_GE(s.ep, 0);
	ASSERT_GE(s.ep2, 0);
	run_storm(&s, w, 5);
	TH_LOG("%s: %ld + %ld + %ld open/add/close cycles, %ld events", B->name, s.ops[0], s.ops[1],
	       s.ops[2], s.events);
	EXPECT_EQ(0, s.bad_events);
	EXPECT_EQ(0, fdinfo_items(s.ep));
	EXPECT_EQ(0, fdinfo_items(s.ep2));
	EXPECT_EQ(0, B->wait(s.ep, (struct epoll_event[1]){}, 1, 0));
	close(s.ep);
	close(s.ep2);
	check_slab(_metadata, B, self->slab_base);
}

/* ---- nesting edges added and removed concurrently ---------------------------- */

#define NEPS 8

static void *nest_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	uint64_t r = rng_seed(s->seed + w->id);

	while (!stopped(s)) {
		int i = rng_below(&r, NEPS), j = rng_below(&r, NEPS);
		struct epoll_event ev = { .events = EPOLLIN | (rng_below(&r, 2) ? EPOLLET : 0),
					  .data.u64 = 100 + j };

		if (rng_below(&r, 3))
			s->b->ctl(s->eps[i], EPOLL_CTL_ADD, s->eps[j], &ev);
		else
			s->b->ctl(s->eps[i], EPOLL_CTL_DEL, s->eps[j], NULL);
		s->ops[w->id]++;
	}
	return NULL;
}

static void *nest_wait_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	uint64_t r = rng_seed(s->seed + w->id);
	struct epoll_event evs[8];

	while (!stopped(s)) {
		int i = rng_below(&r, NEPS), n;

		if (rng_below(&r, 3) == 0) {
			poll1(s->eps[i], POLLIN, 2);
			continue;
		}
		n = s->b->wait(s->eps[i], evs, 8, 2);
		for (int k = 0; k < n; k++)
			if (evs[k].data.u64 >= 100 + NEPS || (evs[k].data.u64 < 100 && evs[k].data.u64 >= NFDS))
				__atomic_add_fetch(&s->bad_events, 1, __ATOMIC_RELAXED);
		if (n > 0)
			__atomic_add_fetch(&s->events, n, __ATOMIC_RELAXED);
		s->ops[w->id]++;
	}
	return NULL;
}

/*
 * The edges i → j (instance eps[i] watches eps[j]) listed by fdinfo; 1 if
 * the graph has a cycle or a chain longer than 4 edges.
 */
static int graph_bad(const struct backend *b, int *eps, int *depth_out)
{
	int adj[NEPS][NEPS] = { { 0 } }, depth[NEPS], changed = 1, iter = 0;

	for (int i = 0; i < NEPS; i++)
		for (int j = 0; j < NEPS; j++)
			adj[i][j] = fdinfo_item(eps[i], eps[j], NULL, NULL) == 1;
	/* longest path below each node by relaxation; > NEPS rounds means a cycle */
	for (int i = 0; i < NEPS; i++)
		depth[i] = 0;
	while (changed && iter++ <= NEPS + 1) {
		changed = 0;
		for (int i = 0; i < NEPS; i++)
			for (int j = 0; j < NEPS; j++)
				if (adj[i][j] && depth[i] < depth[j] + 1) {
					depth[i] = depth[j] + 1;
					changed = 1;
				}
	}
	*depth_out = 0;
	for (int i = 0; i < NEPS; i++)
		if (depth[i] > *depth_out)
			*depth_out = depth[i];
	return changed || *depth_out > 4;
}

/*
 * t0..t2: ADD/DEL random edges among 8 instances (ELOOP when a cycle or a
 * too deep chain would form); t3: signals leaf eventfds watched by the
 * instances; t4, t5: wait on and poll() random instances.  The graph left
 * is acyclic and at most 4 deep.
 */
TEST_F_TIMEOUT(stress, nesting_edges, 90)
{
	struct storm s = { .b = B, .seed = 3 };
	struct worker w[6] = { { .fn = nest_thread }, { .fn = nest_thread }, { .fn = nest_thread },
			       { .fn = signal_thread }, { .fn = nest_wait_thread },
			       { .fn = nest_wait_thread } };
	int depth = -1;

	for (int i = 0; i < NEPS; i++)
		ASSERT_GE(s.eps[i] = B->create1(0), 0);
	for (int i = 0; i < NFDS; i++) {
		ASSERT_GE(s.efd[i] = mkefd(), 0);
		ASSERT_EQ(0, ev_add(B, s.eps[i % NEPS], s.efd[i], EPOLLIN | (i & 1 ? EPOLLET : 0), i));
	}
	run_storm(&s, w, 6);
	TH_LOG("%s: %ld edge ops, %ld events", B->name, s.ops[0] + s.ops[1] + s.ops[2], s.events);
	EXPECT_EQ(0, s.bad_events);
	EXPECT_EQ(0, graph_bad(B, s.eps, &depth));
	EXPECT_LE(depth, 4);
	TH_LOG("%s: final nesting depth %d", B->name, depth);
	for (int i = 0; i < NEPS; i++)
		close(s.eps[i]);
	for (int i = 0; i < NFDS; i++)
		close(s.efd[i]);
	check_slab(_metadata, B, self->slab_base);
}

/* ---- instances closed while their files are being woken ---------------------- */

static void *instance_churn_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	uint64_t r = rng_seed(s->seed + w->id);

	while (!stopped(s)) {
		int ep = s->b->create1(0), inner = -1;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = NFDS };

		if (ep < 0)
			continue;
		for (int i = 0; i < 4; i++) {
			ev.events = EPOLLIN | (rng_below(&r, 2) ? EPOLLET : 0);
			s->b->ctl(ep, EPOLL_CTL_ADD, s->efd[rng_below(&r, NFDS)], &ev);
		}
		if (rng_below(&r, 2)) {
			/* nest it in the long-lived instance, sometimes with an inner one */
			ev.events = EPOLLIN;
			s->b->ctl(s->ep, EPOLL_CTL_ADD, ep, &ev);
			if (rng_below(&r, 2)) {
				inner = s->b->create1(0);
				s->b->ctl(inner, EPOLL_CTL_ADD, s->efd[rng_below(&r, NFDS)], &ev);
				s->b->ctl(ep, EPOLL_CTL_ADD, inner, &ev);
			}
		}
		if (rng_below(&r, 2)) {
			struct epoll_event evs[4];

			s->b->wait(ep, evs, 4, 0);
		}
		close(ep);
		if (inner >= 0)
			close(inner);
		s->ops[w->id]++;
	}
	return NULL;
}

/*
 * t0, t1: create an instance, watch 4 shared eventfds, nest it (and an
 * inner one) in e0, close; t2: signal the eventfds; t3, t4: harvest e0.
 * e0 reports only data it registered and is empty at the end.
 */
TEST_F_TIMEOUT(stress, instance_close_vs_wakeups, 90)
{
	struct storm s = { .b = B, .seed = 4 };
	struct worker w[5] = { { .fn = instance_churn_thread }, { .fn = instance_churn_thread },
			       { .fn = signal_thread }, { .fn = harvest_thread }, { .fn = harvest_thread } };

	s.ep = s.ep2 = B->create1(0);
	ASSERT_GE(s.ep, 0);
	for (int i = 0; i < NFDS; i++)
		ASSERT_GE(s.efd[i] = mkefd(), 0);
	run_storm(&s, w, 5);
	TH_LOG("%s: %ld + %ld instances churned, %ld signals, %ld nested events", B->name, s.ops[0],
	       s.ops[1], s.ops[2], s.events);
	EXPECT_EQ(0, s.bad_events);
	EXPECT_EQ(0, fdinfo_items(s.ep));
	close(s.ep);
	for (int i = 0; i < NFDS; i++)
		close(s.efd[i]);
	check_slab(_metadata, B, self->slab_base);
}

/* ---- oneshot re-arming under load ---------------------------------------------- */

struct rearm {
	struct storm *s;
	int armed[NFDS];
	long violations, deliveries;
};

static struct rearm rearm_ctx;

static void *rearm_thread(void *a)
{
	struct worker *w = a;
	struct storm *s = w->s;
	struct epoll_event ev;

	while (!stopped(s)) {
		int n = s->b->wait(s->ep, &ev, 1, 5), k;

		if (n <= 0)
			continue;
		k = ev.data.u64 % NFDS;
		if (!__atomic_exchange_n(&rearm_ctx.armed[k], 0, __ATOMIC_ACQ_REL))
			__atomic_add_fetch(&rearm_ctx.violations, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&rearm_ctx.deliveries, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&rearm_ctx.armed[k], 1, __ATOMIC_RELEASE);
		ev_mod(s->b, s->ep, s->efd[k], EPOLLIN | EPOLLONESHOT | (k & 1 ? EPOLLET : 0), k);
		s->ops[w->id]++;
	}
	return NULL;
}

/*
 * t0..t3: harvest one event, re-arm its ONESHOT item by MOD; t4: signals.
 * No item is delivered twice per arming, whichever thread takes it.
 */
TEST_F_TIMEOUT(stress, oneshot_rearm, 90)
{
	struct storm s = { .b = B, .seed = 5 };
	struct worker w[5] = { { .fn = rearm_thread }, { .fn = rearm_thread }, { .fn = rearm_thread },
			       { .fn = rearm_thread }, { .fn = signal_thread } };

	s.ep = B->create1(0);
	ASSERT_GE(s.ep, 0);
	for (int i = 0; i < NFDS; i++) {
		ASSERT_GE(s.efd[i] = mkefd(), 0);
		rearm_ctx.armed[i] = 1;
		ASSERT_EQ(0, ev_add(B, s.ep, s.efd[i], EPOLLIN | EPOLLONESHOT | (i & 1 ? EPOLLET : 0), i));
	}
	run_storm(&s, w, 5);
	TH_LOG("%s: %ld deliveries", B->name, rearm_ctx.deliveries);
	EXPECT_EQ(0, rearm_ctx.violations);
	EXPECT_GT(rearm_ctx.deliveries, 0);
	close(s.ep);
	for (int i = 0; i < NFDS; i++)
		close(s.efd[i]);
	check_slab(_metadata, B, self->slab_base);
}

TEST_HARNESS_MAIN
