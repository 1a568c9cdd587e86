// SPDX-License-Identifier: GPL-2.0
/*
 * nesting_test.c - instances watching instances of the same backend.
 *
 * Readiness through 1..4 levels, ET/LT/ONESHOT at each level, stale ready
 * items dropped by a nested poll, cycles (ELOOP), the depth limit
 * EP_MAX_NESTS = 4 counted below the target and above epfd (ELOOP), and
 * the wakeup-path limits {unlimited, 500, 100, 50, 10} of
 * reverse_path_check() (EINVAL).  fs/eventpoll.c is the reference.
 *
 * Notation: "a → b" means a waits on / watches b.
 */
#include "backend.h"
#include "util.h"
#include "kselftest_harness.h"

FIXTURE(nesting) { int unused; };
BACKEND_VARIANTS(nesting);
FIXTURE_SETUP(nesting) { }
FIXTURE_TEARDOWN(nesting) { close_from3(); }

#define MAX_NESTS 4

/* n fresh instances into eps[]; 0 or -1. */
static int mk_eps(const struct backend *b, int *eps, int n)
{
	for (int i = 0; i < n; i++)
		if ((eps[i] = b->create1(EPOLL_CLOEXEC)) < 0)
			return -1;
	return 0;
}

/* eps[i+1] watches eps[i] for i in [0, n-1): a chain of n-1 edges. */
static int chain_up(const struct backend *b, int *eps, int n, unsigned events)
{
	for (int i = 0; i + 1 < n; i++)
		if (ev_add(b, eps[i + 1], eps[i], events, i))
			return -1;
	return 0;
}

/*
 * s0 → e0 → ... → e_depth, all LT: before a write nothing is ready at the
 * top, after it the top reports EPOLLIN with the data of the level below.
 */
static void nest_levels(struct __test_metadata *_metadata, const struct backend *b, int depth)
{
	int eps[MAX_NESTS + 1], p[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, mk_eps(b, eps, depth + 1));
	ASSERT_EQ(0, ev_add(b, eps[0], p[0], EPOLLIN, 1000));
	ASSERT_EQ(0, chain_up(b, eps, depth + 1, EPOLLIN));
	EXPECT_EQ(0, b->wait(eps[depth], &ev, 1, 0));
	ASSERT_EQ(1, write1(p[1]));
	for (int i = depth; i >= 1; i--) {
		memset(&ev, 0, sizeof(ev));
		EXPECT_EQ(1, b->wait(eps[i], &ev, 1, 0));
		EXPECT_EQ(EPOLLIN, ev.events);
		EXPECT_EQ((unsigned long long)(i - 1), ev.data.u64);
	}
	EXPECT_EQ(1, b->wait(eps[0], &ev, 1, 0));
	EXPECT_EQ(1000, ev.data.u64);
}

/* t0 → e1 → e0 → s0 (LT, LT) */
TEST_F(nesting, depth1_propagates)
{
	nest_levels(_metadata, B, 1);
}

/* t0 → e2 → e1 → e0 → s0 (LT) */
TEST_F(nesting, depth2_propagates)
{
	nest_levels(_metadata, B, 2);
}

/* t0 → e3 → e2 → e1 → e0 → s0 (LT) */
TEST_F(nesting, depth3_propagates)
{
	nest_levels(_metadata, B, 3);
}

/* t0 → e4 → e3 → e2 → e1 → e0 → s0 (LT): the deepest chain allowed */
TEST_F(nesting, depth4_propagates)
{
	nest_levels(_metadata, B, 4);
}

/*
 * t0 (blocked, 5 s) → e_depth → ... → e0 → p0; a write 50 ms later wakes t0.
 */
static void nest_blocking(struct __test_metadata *_metadata, const struct backend *b, int depth)
{
	int eps[MAX_NESTS + 1], p[2];
	struct waiter w;
	struct delayed d;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, mk_eps(b, eps, depth + 1));
	ASSERT_EQ(0, ev_add(b, eps[0], p[0], EPOLLIN, 1000));
	ASSERT_EQ(0, chain_up(b, eps, depth + 1, EPOLLIN));
	ASSERT_EQ(0, waiter_start(&w, b, eps[depth], 4, 5000));
	ASSERT_EQ(0, delayed_start(&d, 50, do_write1, &p[1]));
	waiter_join(&w);
	delayed_join(&d);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(EPOLLIN, w.evs[0].events);
	EXPECT_EQ((unsigned long long)(depth - 1), w.evs[0].data.u64);
	EXPECT_LT(w.took_ms, 4000);
}

/* t0 (blocked) → e1 → e0 → p0: a later write wakes t0 */
TEST_F(nesting, depth1_blocking_wakeup)
{
	nest_blocking(_metadata, B, 1);
}

/* t0 (blocked) → e4 → e3 → e2 → e1 → e0 → p0: the wakeup crosses 4 levels */
TEST_F(nesting, depth4_blocking_wakeup)
{
	nest_blocking(_metadata, B, 4);
}

/* poll(e1) (blocked) → e1 → e0 → efd: a later signal wakes the poll()er */
TEST_F(nesting, poll_outer_wakes)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct delayed d;
	long long t0 = now_ns();

	ASSERT_GE(efd, 0);
	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(0, delayed_start(&d, 50, do_efd_signal, &efd));
	EXPECT_EQ(POLLIN, poll1(e1, POLLIN, 5000));
	delayed_join(&d);
	EXPECT_LT(elapsed_ms(t0), 4000);
}

/* t0 → e1 → e0 → s0: nothing written → e1 not ready, poll(e1) not ready */
TEST_F(nesting, idle_inner_not_ready)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, poll1(e1, POLLIN, 0));
}

/* t0 → e1 → e0 → s0: e0 ready before it is added to e1 → e1 ready at once */
TEST_F(nesting, add_ready_inner_is_ready)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(2, ev.data.u64);
}

/* t0 → e1 → e0 → s0: an instance only ever reports EPOLLIN (| RDNORM) */
TEST_F(nesting, inner_reports_in_rdnorm_only)
{
	int e0 = B->create1(0), e1 = B->create1(0), e2 = B->create1(0), e3 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	/* s0 is writable: e0 has a ready EPOLLOUT item. */
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLOUT, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLPRI, 2));
	ASSERT_EQ(0, ev_add(B, e2, e0, EPOLLOUT | EPOLLPRI | EPOLLWRNORM, 3));
	ASSERT_EQ(0, ev_add(B, e3, e0, EPOLLRDNORM, 4));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, ev.events);
	EXPECT_EQ(0, B->wait(e2, &ev, 1, 0));
	EXPECT_EQ(1, B->wait(e3, &ev, 1, 0));
	EXPECT_EQ(EPOLLRDNORM, ev.events);
	EXPECT_EQ(POLLIN | POLLRDNORM, poll1(e0, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, 0));
}

/* t0 → e1 (EPOLLOUT only) → e0 → efd: a signal never wakes e1 */
TEST_F(nesting, outer_out_mask_never_wakes)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct waiter w;

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLOUT, 2));
	ASSERT_EQ(0, waiter_start(&w, B, e1, 1, 300));
	ASSERT_EQ(0, efd_signal(efd));
	waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(1, B->wait(e0, w.evs, 1, 0));
}

/* t0 → e1 (LT) → e0 (LT) → s0: a drained s0 leaves e1 and e0 not ready */
TEST_F(nesting, stale_inner_dropped_by_outer_wait)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(1, write1(s[1]));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(1, drain(s[0]));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, poll1(e0, POLLIN, 0));
	EXPECT_EQ(0, B->wait(e0, &ev, 1, 0));
}

/* poll(e1) → e1 → e0 → s0: poll() of a stale nested instance reports nothing */
TEST_F(nesting, stale_inner_dropped_by_poll)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(1, write1(s[1]));
	EXPECT_EQ(POLLIN, poll1(e1, POLLIN, 0));
	ASSERT_EQ(1, drain(s[0]));
	EXPECT_EQ(0, poll1(e1, POLLIN, 0));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e0, &ev, 1, 0));
}

/* t0 → e1 → e0 → s0: stale, dropped, then ready again → reported again */
TEST_F(nesting, stale_then_ready_again)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(1, drain(s[0]));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(1, write1(s[1]));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(2, ev.data.u64);
	EXPECT_EQ(1, B->wait(e0, &ev, 1, 0));
	EXPECT_EQ(1, ev.data.u64);
}

/* t0 → e2 → e1 → e0 → s0: a stale item two levels down is dropped all the way */
TEST_F(nesting, stale_dropped_two_levels)
{
	int eps[3], s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, mk_eps(B, eps, 3));
	ASSERT_EQ(0, ev_add(B, eps[0], s[0], EPOLLIN, 9));
	ASSERT_EQ(0, chain_up(B, eps, 3, EPOLLIN));
	ASSERT_EQ(1, write1(s[1]));
	EXPECT_EQ(1, B->wait(eps[2], &ev, 1, 0));
	ASSERT_EQ(1, drain(s[0]));
	EXPECT_EQ(0, B->wait(eps[2], &ev, 1, 0));
	EXPECT_EQ(0, poll1(eps[1], POLLIN, 0));
	EXPECT_EQ(0, B->wait(eps[0], &ev, 1, 0));
}

/* t0 → e1 (ET) → e0 (LT) → efd: each new signal is a new edge for e1 */
TEST_F(nesting, outer_et_new_edge_per_event)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	/* e0 itself is LT: still ready */
	EXPECT_EQ(1, B->wait(e0, &ev, 1, 0));
}

/*
 * t0 → e1 (LT) → e0 (ET) → efd: polling e0 from e1 does not consume e0's
 * ET event; harvesting e0 does, and then e1 is no longer ready.
 */
TEST_F(nesting, inner_et_not_consumed_by_outer)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(1, B->wait(e0, &ev, 1, 0));
	EXPECT_EQ(1, ev.data.u64);
	EXPECT_EQ(0, B->wait(e0, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
}

/* t0 → e1 (ET) → e0 (ET) → efd: one signal, one event at each level */
TEST_F(nesting, both_et_one_event_each)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(1, B->wait(e0, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e0, &ev, 1, 0));
}

/* t0 → e1 → e0 (1S) → efd: once e0 delivered its oneshot, e1 sees nothing */
TEST_F(nesting, inner_oneshot_disarms_outer)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN | EPOLLONESHOT, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(1, B->wait(e0, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	/* re-arm e0's item: e1 sees e0 again */
	ASSERT_EQ(0, ev_mod(B, e0, efd, EPOLLIN | EPOLLONESHOT, 1));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
}

/* t0 → e1 (1S) → e0 → efd: e1's item fires once, MOD re-arms it */
TEST_F(nesting, outer_oneshot_rearm)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN | EPOLLONESHOT, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(0, ev_mod(B, e1, e0, EPOLLIN | EPOLLONESHOT, 3));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(3, ev.data.u64);
}

/* t0 → e1 → e0 → s0: MOD of e0's item in e1 changes data and mask */
TEST_F(nesting, mod_nested_item)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(0, ev_mod(B, e1, e0, EPOLLOUT, 3));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(0, ev_mod(B, e1, e0, EPOLLIN, 4));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(4, ev.data.u64);
}

/* t0 → e1 → e0 → s0: DEL of s0 from e0 leaves e1 not ready */
TEST_F(nesting, inner_del_clears_outer)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(1, write1(s[1]));
	EXPECT_EQ(1, B->wait(e1, &ev, 1, 0));
	ASSERT_EQ(0, B->ctl(e0, EPOLL_CTL_DEL, s[0], NULL));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	EXPECT_EQ(0, poll1(e1, POLLIN, 0));
}

/* t0 → e1 → e0 → s0: DEL of e0 from e1, e1 is empty and idle */
TEST_F(nesting, outer_del_nested_item)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(0, B->ctl(e1, EPOLL_CTL_DEL, e0, NULL));
	EXPECT_EQ(0, B->wait(e1, &ev, 1, 0));
	errno = 0;
	EXPECT_EQ(-1, B->ctl(e1, EPOLL_CTL_DEL, e0, NULL));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(1, B->wait(e0, &ev, 1, 0));
}

/* t0 → e2 → {e0 → s0, e1 → s1}: both inner instances reported, own data */
TEST_F(nesting, two_inner_instances)
{
	int e0 = B->create1(0), e1 = B->create1(0), e2 = B->create1(0), s0[2], s1[2];
	struct epoll_event evs[4];

	ASSERT_EQ(0, mksock(s0));
	ASSERT_EQ(0, mksock(s1));
	ASSERT_EQ(0, ev_add(B, e0, s0[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, s1[0], EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(B, e2, e0, EPOLLIN, 10));
	ASSERT_EQ(0, ev_add(B, e2, e1, EPOLLIN, 11));
	ASSERT_EQ(1, write1(s1[1]));
	ASSERT_EQ(1, B->wait(e2, evs, 4, 0));
	EXPECT_EQ(11, evs[0].data.u64);
	ASSERT_EQ(1, write1(s0[1]));
	ASSERT_EQ(2, B->wait(e2, evs, 4, 0));
	ev_sort(evs, 2);
	EXPECT_EQ(10, evs[0].data.u64);
	EXPECT_EQ(11, evs[1].data.u64);
}

/* t0 → e3 → {e1, e2} → e0 → s0 (diamond): e3 reports both e1 and e2 */
TEST_F(nesting, diamond_reports_both_paths)
{
	int e0 = B->create1(0), e1 = B->create1(0), e2 = B->create1(0), e3 = B->create1(0), s[2];
	struct epoll_event evs[4];

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e2, e0, EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(B, e3, e1, EPOLLIN, 31));
	ASSERT_EQ(0, ev_add(B, e3, e2, EPOLLIN, 32));
	EXPECT_EQ(0, B->wait(e3, evs, 4, 0));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(2, B->wait(e3, evs, 4, 0));
	ev_sort(evs, 2);
	EXPECT_EQ(31, evs[0].data.u64);
	EXPECT_EQ(32, evs[1].data.u64);
}

/* t0..t9 → e1..e10 → e0 → efd: one inner instance in ten outer ones */
TEST_F(nesting, one_inner_many_outer)
{
	int e0 = B->create1(0), outer[10], efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, mk_eps(B, outer, 10));
	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	for (int i = 0; i < 10; i++)
		ASSERT_EQ(0, ev_add(B, outer[i], e0, EPOLLIN, 100 + i));
	ASSERT_EQ(0, efd_signal(efd));
	for (int i = 0; i < 10; i++) {
		EXPECT_EQ(1, B->wait(outer[i], &ev, 1, 0));
		EXPECT_EQ(100 + i, ev.data.u64);
	}
}

/* t0 → e1 → e0 → s0: the same inner instance via a dup is a second item */
TEST_F(nesting, inner_added_twice_via_dup)
{
	int e0 = B->create1(0), e1 = B->create1(0), s[2], d0;
	struct epoll_event evs[4];

	ASSERT_EQ(0, mksock(s));
	d0 = dup(e0);
	ASSERT_GE(d0, 0);
	ASSERT_EQ(0, ev_add(B, e0, s[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(B, e1, d0, EPOLLIN, 3));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e1, d0, EPOLLIN, 3));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(2, B->wait(e1, evs, 4, 0));
	ev_sort(evs, 2);
	EXPECT_EQ(2, evs[0].data.u64);
	EXPECT_EQ(3, evs[1].data.u64);
}

/* e1 → e0 with EPOLLEXCLUSIVE → EINVAL (no nested exclusive wakeups) */
TEST_F(nesting, exclusive_nested_einval)
{
	int e0 = B->create1(0), e1 = B->create1(0);

	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e1, e0, EPOLLIN | EPOLLEXCLUSIVE, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 1));
}

/* ---- waiters at several levels ------------------------------------------ */

static void do_signal(void *arg)
{
	efd_signal(*(int *)arg);
}

/*
 * Start waiters on eps[i] (no timeout), run fn, settle; how many woke by
 * themselves.  The rest are interrupted; all are joined.
 */
static int woken(const struct backend *b, struct waiter *w, const int *eps, int n,
		 void (*fn)(void *), void *arg, int expect)
{
	int k;

	for (int i = 0; i < n; i++)
		if (waiter_start(&w[i], b, eps[i], 1, -1))
			return -1;
	fn(arg);
	k = waiters_settle(w, n, expect, 5000, 300);
	waiters_release(w, n);
	return k;
}

/*
 * t0 → e0 → efd, t1 → e1 → e0 (LT, ET): one signal wakes both levels.
 * (With an ET item in e0, t0 may consume it before t1's harvest polls e0,
 * and t1 goes back to sleep: racy in epoll itself.)
 */
TEST_F(nesting, waiters_inner_and_outer_both_wake)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct waiter w[2];

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN | EPOLLET, 2));
	EXPECT_EQ(2, woken(B, w, (int[]){ e0, e1 }, 2, do_signal, &efd, 2));
	EXPECT_EQ(1, w[0].ret);
	EXPECT_EQ(1, w[0].evs[0].data.u64);
	EXPECT_EQ(1, w[1].ret);
	EXPECT_EQ(2, w[1].evs[0].data.u64);
}

/* t0, t1 → e1 → e0 → efd (ET in e1): one signal wakes one of the two */
TEST_F(nesting, two_waiters_on_outer_et_one_wakes)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct waiter w[2];

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN | EPOLLET, 2));
	EXPECT_EQ(1, woken(B, w, (int[]){ e1, e1 }, 2, do_signal, &efd, 1));
}

/* t0, t1 → e1 → e0 → efd (LT in e1): the LT re-queue wakes the second too */
TEST_F(nesting, two_waiters_on_outer_lt_both_wake)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd();
	struct waiter w[2];

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	EXPECT_EQ(2, woken(B, w, (int[]){ e1, e1 }, 2, do_signal, &efd, 2));
}

/* t0 → e2 → e0, t1 → e3 → e0 → efd: one signal wakes both outer instances */
TEST_F(nesting, two_outer_instances_both_wake)
{
	int e0 = B->create1(0), e2 = B->create1(0), e3 = B->create1(0), efd = mkefd();
	struct waiter w[2];

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, e2, e0, EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, ev_add(B, e3, e0, EPOLLIN | EPOLLET, 3));
	EXPECT_EQ(2, woken(B, w, (int[]){ e2, e3 }, 2, do_signal, &efd, 2));
	EXPECT_EQ(2, w[0].evs[0].data.u64);
	EXPECT_EQ(3, w[1].evs[0].data.u64);
}

/* t0 → e1 → e0 → efd, nothing signalled: t0 sleeps (no spurious nested wakeup) */
TEST_F(nesting, no_spurious_nested_wakeup)
{
	int e0 = B->create1(0), e1 = B->create1(0), efd = mkefd(), other = mkefd();
	struct waiter w;

	ASSERT_EQ(0, ev_add(B, e0, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 2));
	/* a signal on an unwatched eventfd and a MOD that stays unready */
	ASSERT_EQ(0, waiter_start(&w, B, e1, 1, 300));
	ASSERT_EQ(0, efd_signal(other));
	ASSERT_EQ(0, ev_mod(B, e0, efd, EPOLLIN | EPOLLET, 3));
	waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_GE(w.took_ms, 250);
}

/* ---- cycles ----------------------------------------------------------- */

/* e0 → e0 → EINVAL (an instance cannot watch itself) */
TEST_F(nesting, self_add_einval)
{
	int e0 = B->create1(0);

	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e0, e0, EPOLLIN, 0));
	EXPECT_EQ(EINVAL, errno);
}

/* e0 → dup(e0) → EINVAL: same file, whatever the fd */
TEST_F(nesting, self_add_via_dup_einval)
{
	int e0 = B->create1(0), d = dup(e0);

	ASSERT_GE(d, 0);
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e0, d, EPOLLIN, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, d, e0, EPOLLIN, 0));
	EXPECT_EQ(EINVAL, errno);
}

/* e0 → e1, then e1 → e0 → ELOOP */
TEST_F(nesting, cycle2_eloop)
{
	int e0 = B->create1(0), e1 = B->create1(0);

	ASSERT_EQ(0, ev_add(B, e0, e1, EPOLLIN, 1));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e1, e0, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/* e(i+1) → e(i) for a chain of n, then e0 → e(n-1) closes a cycle → ELOOP */
static void cycle_n(struct __test_metadata *_metadata, const struct backend *b, int n)
{
	int eps[8];
	struct epoll_event ev;

	ASSERT_EQ(0, mk_eps(b, eps, n));
	ASSERT_EQ(0, chain_up(b, eps, n, EPOLLIN));
	errno = 0;
	EXPECT_EQ(-1, ev_add(b, eps[0], eps[n - 1], EPOLLIN, 99));
	EXPECT_EQ(ELOOP, errno);
	/* nothing was added */
	errno = 0;
	EXPECT_EQ(-1, b->ctl(eps[0], EPOLL_CTL_DEL, eps[n - 1], NULL));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, b->wait(eps[0], &ev, 1, 0));
}

/* e2 → e1 → e0, then e0 → e2 → ELOOP */
TEST_F(nesting, cycle3_eloop)
{
	cycle_n(_metadata, B, 3);
}

/* e3 → e2 → e1 → e0, then e0 → e3 → ELOOP */
TEST_F(nesting, cycle4_eloop)
{
	cycle_n(_metadata, B, 4);
}

/* e4 → ... → e0 (4 edges, allowed), then e0 → e4 → ELOOP */
TEST_F(nesting, cycle5_eloop)
{
	cycle_n(_metadata, B, 5);
}

/* e0 → {e1, e2} → e3 (diamond is fine), then e3 → e0 → ELOOP */
TEST_F(nesting, cycle_through_diamond_eloop)
{
	int e0 = B->create1(0), e1 = B->create1(0), e2 = B->create1(0), e3 = B->create1(0);

	ASSERT_EQ(0, ev_add(B, e1, e3, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, e2, e3, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, e0, e1, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, e0, e2, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e3, e0, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e2, e0, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/* e0 → e1 → e0 refused; after DEL of e0 → e1, e1 → e0 is allowed */
TEST_F(nesting, cycle_after_del_allowed)
{
	int e0 = B->create1(0), e1 = B->create1(0);

	ASSERT_EQ(0, ev_add(B, e0, e1, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e1, e0, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
	ASSERT_EQ(0, B->ctl(e0, EPOLL_CTL_DEL, e1, NULL));
	EXPECT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e0, e1, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/* e0 → e1 and e1 → e2 with e2 → e0 attempted through a dup of e0 → ELOOP */
TEST_F(nesting, cycle_via_dup_eloop)
{
	int e0 = B->create1(0), e1 = B->create1(0), e2 = B->create1(0), d0 = dup(e0);

	ASSERT_GE(d0, 0);
	ASSERT_EQ(0, ev_add(B, e0, e1, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, e1, e2, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e2, d0, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/* a MOD on an existing nested item never reports ELOOP */
TEST_F(nesting, mod_nested_no_loop_check)
{
	int e0 = B->create1(0), e1 = B->create1(0);

	ASSERT_EQ(0, ev_add(B, e0, e1, EPOLLIN, 0));
	EXPECT_EQ(0, ev_mod(B, e0, e1, EPOLLIN | EPOLLET, 1));
	errno = 0;
	EXPECT_EQ(-1, ev_mod(B, e1, e0, EPOLLIN, 0));
	EXPECT_EQ(ENOENT, errno);
}

/* ---- depth: EP_MAX_NESTS = 4 ----------------------------------------- */

/* e4 → e3 → e2 → e1 → e0 built bottom-up: allowed; e5 → e4 → ELOOP */
TEST_F(nesting, depth5_bottom_up_eloop)
{
	int eps[6];

	ASSERT_EQ(0, mk_eps(B, eps, 6));
	ASSERT_EQ(0, chain_up(B, eps, 5, EPOLLIN));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, eps[5], eps[4], EPOLLIN, 4));
	EXPECT_EQ(ELOOP, errno);
	errno = 0;
	EXPECT_EQ(-1, B->ctl(eps[5], EPOLL_CTL_DEL, eps[4], NULL));
	EXPECT_EQ(ENOENT, errno);
}

/* e5 → e4, e4 → e3, ... built top-down: the 5th edge (e1 → e0) → ELOOP */
TEST_F(nesting, depth5_top_down_eloop)
{
	int eps[6];

	ASSERT_EQ(0, mk_eps(B, eps, 6));
	for (int i = 5; i >= 2; i--)
		ASSERT_EQ(0, ev_add(B, eps[i], eps[i - 1], EPOLLIN, i - 1));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, eps[1], eps[0], EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/*
 * u1 → u0 → ep (2 levels above epfd), to → d0 → d1 (2 levels below the
 * target): ep → to would make a chain of 5 → ELOOP
 */
TEST_F(nesting, depth5_joined_in_middle_eloop)
{
	int u1 = B->create1(0), u0 = B->create1(0), ep = B->create1(0);
	int to = B->create1(0), d0 = B->create1(0), d1 = B->create1(0);

	ASSERT_EQ(0, ev_add(B, u1, u0, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, u0, ep, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, to, d0, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, d0, d1, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, ep, to, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/* u1 → u0 → ep, to → d0: ep → to makes a chain of exactly 4 → allowed */
TEST_F(nesting, depth4_joined_in_middle_ok)
{
	int u1 = B->create1(0), u0 = B->create1(0), ep = B->create1(0);
	int to = B->create1(0), d0 = B->create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(B, d0, s[0], EPOLLIN, 7));
	ASSERT_EQ(0, ev_add(B, u1, u0, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, u0, ep, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, to, d0, EPOLLIN, 0));
	EXPECT_EQ(0, ev_add(B, ep, to, EPOLLIN, 0));
	ASSERT_EQ(1, write1(s[1]));
	EXPECT_EQ(1, B->wait(u1, &ev, 1, 0));
}

/*
 * x → {a → b → c, y}: the depth below x is that of its deepest branch (3),
 * so z → x (1 more, 4 total) is allowed but w → z is not
 */
TEST_F(nesting, depth_below_is_longest_branch)
{
	int a = B->create1(0), b = B->create1(0), c = B->create1(0);
	int x = B->create1(0), y = B->create1(0), z = B->create1(0), w = B->create1(0);

	ASSERT_EQ(0, ev_add(B, a, b, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, b, c, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, x, y, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, x, a, EPOLLIN, 0));
	EXPECT_EQ(0, ev_add(B, z, x, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, w, z, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
	/* a shallow instance may still watch y */
	EXPECT_EQ(0, ev_add(B, w, y, EPOLLIN, 0));
}

/*
 * {p3 → p2 → p1 → ep, q → ep}: the depth above ep is that of its highest
 * parent (3), so ep → t (empty) is allowed, ep → t → u is not
 */
TEST_F(nesting, depth_above_is_longest_parent_chain)
{
	int p3 = B->create1(0), p2 = B->create1(0), p1 = B->create1(0), q = B->create1(0);
	int ep = B->create1(0), t = B->create1(0), u = B->create1(0);

	ASSERT_EQ(0, ev_add(B, p3, p2, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, p2, p1, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, p1, ep, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, q, ep, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, t, u, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, ep, t, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
	ASSERT_EQ(0, B->ctl(t, EPOLL_CTL_DEL, u, NULL));
	EXPECT_EQ(0, ev_add(B, ep, t, EPOLLIN, 0));
}

/* e4 → ... → e0 full; after DEL of e2 → e1, e5 → e4 is allowed */
TEST_F(nesting, depth_after_del_allowed)
{
	int eps[6];

	ASSERT_EQ(0, mk_eps(B, eps, 6));
	ASSERT_EQ(0, chain_up(B, eps, 5, EPOLLIN));
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, eps[5], eps[4], EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
	ASSERT_EQ(0, B->ctl(eps[2], EPOLL_CTL_DEL, eps[1], NULL));
	EXPECT_EQ(0, ev_add(B, eps[5], eps[4], EPOLLIN, 0));
	/* and now the cut edge cannot come back */
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, eps[2], eps[1], EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/* e4 → ... → e0 → {pipe, socket, eventfd}: files do not count as levels */
TEST_F(nesting, depth_files_do_not_count)
{
	int eps[5], p[2], s[2], efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, mk_eps(B, eps, 5));
	ASSERT_EQ(0, chain_up(B, eps, 5, EPOLLIN));
	EXPECT_EQ(0, ev_add(B, eps[0], p[0], EPOLLIN, 1));
	EXPECT_EQ(0, ev_add(B, eps[0], s[0], EPOLLIN, 2));
	EXPECT_EQ(0, ev_add(B, eps[0], efd, EPOLLIN, 3));
	EXPECT_EQ(0, ev_add(B, eps[4], efd, EPOLLIN, 4));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(2, B->wait(eps[4], (struct epoll_event[2]){}, 2, 0));
	EXPECT_EQ(1, B->wait(eps[1], &ev, 1, 0));
}

/* ---- wakeup paths: reverse_path_check, limits {∞, 500, 100, 50, 10} --- */

/*
 * f → e0 → ... → e(len-2) → top[0..n): paths of length len from f.
 * Builds the chain, then adds e(len-2) to tops one by one; returns how many
 * of the n adds succeeded before the first failure, whose errno is *err.
 */
static int paths_fill(const struct backend *b, int len, int n, int *err)
{
	int eps[8], p[2], ok = 0;

	*err = 0;
	if (mkpipe(p) || mk_eps(b, eps, len - 1))
		return -1;
	if (ev_add(b, eps[0], p[0], EPOLLIN, 0))
		return -1;
	for (int i = 0; i + 1 < len - 1; i++)
		if (ev_add(b, eps[i + 1], eps[i], EPOLLIN, 0))
			return -1;
	for (int i = 0; i < n; i++) {
		int top = b->create1(EPOLL_CLOEXEC);

		if (top < 0)
			return -1;
		if (ev_add(b, top, eps[len - 2], EPOLLIN, 0)) {
			*err = errno;
			break;
		}
		ok++;
	}
	return ok;
}

/* p0 → e0 → 501 tops: 500 paths of length 2 allowed, the 501st → EINVAL */
TEST_F(nesting, paths_len2_limit500)
{
	int err;

	ASSERT_EQ(0, raise_nofile(4096));
	EXPECT_EQ(500, paths_fill(B, 2, 501, &err));
	EXPECT_EQ(EINVAL, err);
}

/* p0 → e0 → e1 → 101 tops: 100 paths of length 3, the 101st → EINVAL */
TEST_F(nesting, paths_len3_limit100)
{
	int err;

	EXPECT_EQ(100, paths_fill(B, 3, 101, &err));
	EXPECT_EQ(EINVAL, err);
}

/* p0 → e0 → e1 → e2 → 51 tops: 50 paths of length 4, the 51st → EINVAL */
TEST_F(nesting, paths_len4_limit50)
{
	int err;

	EXPECT_EQ(50, paths_fill(B, 4, 51, &err));
	EXPECT_EQ(EINVAL, err);
}

/* p0 → e0 → e1 → e2 → e3 → 11 tops: 10 paths of length 5, the 11th → EINVAL */
TEST_F(nesting, paths_len5_limit10)
{
	int err;

	EXPECT_EQ(10, paths_fill(B, 5, 11, &err));
	EXPECT_EQ(EINVAL, err);
}

/* the refused ADD leaves no item behind: the 11th top stays empty */
TEST_F(nesting, paths_refused_add_not_kept)
{
	int eps[4], tops[11], p[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, mk_eps(B, eps, 4));
	ASSERT_EQ(0, mk_eps(B, tops, 11));
	ASSERT_EQ(0, ev_add(B, eps[0], p[0], EPOLLIN, 0));
	ASSERT_EQ(0, chain_up(B, eps, 4, EPOLLIN));
	for (int i = 0; i < 10; i++)
		ASSERT_EQ(0, ev_add(B, tops[i], eps[3], EPOLLIN, 0));
	errno = 0;
	ASSERT_EQ(-1, ev_add(B, tops[10], eps[3], EPOLLIN, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(1, write1(p[1]));
	EXPECT_EQ(0, B->wait(tops[10], &ev, 1, 0));
	EXPECT_EQ(1, B->wait(tops[9], &ev, 1, 0));
	errno = 0;
	EXPECT_EQ(-1, B->ctl(tops[10], EPOLL_CTL_DEL, eps[3], NULL));
	EXPECT_EQ(ENOENT, errno);
	/* freeing one path makes room for another */
	ASSERT_EQ(0, B->ctl(tops[0], EPOLL_CTL_DEL, eps[3], NULL));
	EXPECT_EQ(0, ev_add(B, tops[10], eps[3], EPOLLIN, 0));
}

/*
 * e0 → 501 tops, e0 holding no file: no wakeup paths, no limit.  Then the
 * file goes in last: p0 → e0 is checked from the file's side → EINVAL.
 */
TEST_F(nesting, paths_checked_when_file_added_last)
{
	int e0 = B->create1(0), p[2];

	ASSERT_EQ(0, raise_nofile(4096));
	ASSERT_EQ(0, mkpipe(p));
	for (int i = 0; i < 501; i++) {
		int top = B->create1(EPOLL_CLOEXEC);

		ASSERT_GE(top, 0);
		ASSERT_EQ(0, ev_add(B, top, e0, EPOLLIN, 0));
	}
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e0, p[0], EPOLLIN, 0));
	EXPECT_EQ(EINVAL, errno);
	/* an eventfd is a file like any other */
	errno = 0;
	EXPECT_EQ(-1, ev_add(B, e0, mkefd(), EPOLLIN, 0));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * p0 → 1100 top instances directly (length-1 paths are unlimited), then
 * p0 → e0 → e1: the full check counts 1100 + 1 paths and allows it
 */
TEST_F(nesting, paths_len1_unlimited)
{
	int e0 = B->create1(0), e1 = B->create1(0), p[2];

	ASSERT_EQ(0, raise_nofile(4096));
	ASSERT_EQ(0, mkpipe(p));
	for (int i = 0; i < 1100; i++) {
		int top = B->create1(EPOLL_CLOEXEC);

		ASSERT_GE(top, 0);
		ASSERT_EQ(0, ev_add(B, top, p[0], EPOLLIN, 0));
	}
	ASSERT_EQ(0, ev_add(B, e1, e0, EPOLLIN, 0));
	EXPECT_EQ(0, ev_add(B, e0, p[0], EPOLLIN, 0));
}

/*
 * p0 → {e0, e1} → 251 shared tops: paths are counted, not instances;
 * e0 in all 251 tops, then e1 fits in 249 more (251 + 249 = 500)
 */
TEST_F(nesting, paths_counted_through_two_instances)
{
	int e0 = B->create1(0), e1 = B->create1(0), p[2], tops[251], i;

	ASSERT_EQ(0, raise_nofile(4096));
	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, mk_eps(B, tops, 251));
	ASSERT_EQ(0, ev_add(B, e0, p[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, e1, p[0], EPOLLIN, 0));
	for (i = 0; i < 251; i++)
		ASSERT_EQ(0, ev_add(B, tops[i], e0, EPOLLIN, 0));
	for (i = 0; i < 251; i++)
		if (ev_add(B, tops[i], e1, EPOLLIN, 0))
			break;
	EXPECT_EQ(249, i);
	EXPECT_EQ(EINVAL, errno);
}

/* the limits are per file: p0 and p1 each get their own 10 length-5 paths */
TEST_F(nesting, paths_limit_per_file)
{
	int a[4], b[4], p0[2], p1[2], tops[10];

	ASSERT_EQ(0, mkpipe(p0));
	ASSERT_EQ(0, mkpipe(p1));
	ASSERT_EQ(0, mk_eps(B, a, 4));
	ASSERT_EQ(0, mk_eps(B, b, 4));
	ASSERT_EQ(0, mk_eps(B, tops, 10));
	ASSERT_EQ(0, ev_add(B, a[0], p0[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(B, b[0], p1[0], EPOLLIN, 0));
	ASSERT_EQ(0, chain_up(B, a, 4, EPOLLIN));
	ASSERT_EQ(0, chain_up(B, b, 4, EPOLLIN));
	for (int i = 0; i < 10; i++) {
		EXPECT_EQ(0, ev_add(B, tops[i], a[3], EPOLLIN, 0));
		EXPECT_EQ(0, ev_add(B, tops[i], b[3], EPOLLIN, 0));
	}
}

TEST_HARNESS_MAIN
