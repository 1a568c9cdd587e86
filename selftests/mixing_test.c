// SPDX-License-Identifier: GPL-2.0
/*
 * mixing_test.c - eventpoll2 instances among poll(), select() and native
 * epoll, in both directions.
 *
 * These are cross-backend by nature: plain TEST()s that call ep2_* and
 * epoll_* explicitly.  Where a behaviour has a same-backend counterpart,
 * the *_epoll twin runs it on native epoll only (the oracle) and the plain
 * one on eventpoll2.
 *
 * Notation: "a → b" means a waits on / watches b; E: a native epoll
 * instance, X: an eventpoll2 instance.
 */
#include "backend.h"
#include "util.h"
#include <sys/select.h>
#include "kselftest_harness.h"

static const struct backend *const EP = &backend_epoll;
static const struct backend *const X2 = &backend_ep2;

/* ---- poll() and select() on an instance ---------------------------------- */

/* poll(x) → x → p0: not ready, then POLLIN | POLLRDNORM; never POLLOUT */
static void poll_readable(struct __test_metadata *_metadata, const struct backend *b)
{
	int x = b->create1(0), p[2];

	ASSERT_GE(x, 0);
	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, ev_add(b, x, p[0], EPOLLIN, 1));
	EXPECT_EQ(0, poll1(x, POLLIN | POLLRDNORM | POLLOUT | POLLPRI, 0));
	ASSERT_EQ(1, write1(p[1]));
	EXPECT_EQ(POLLIN | POLLRDNORM, poll1(x, POLLIN | POLLRDNORM | POLLOUT | POLLPRI, 0));
	EXPECT_EQ(POLLIN, poll1(x, POLLIN, 0));
	EXPECT_EQ(0, poll1(x, POLLOUT | POLLWRNORM, 0));
	close(x);
}

TEST(poll_readable_ep2) { poll_readable(_metadata, X2); }
TEST(poll_readable_epoll) { poll_readable(_metadata, EP); }

/* poll(x) (blocked) → x → efd: a signal from another thread wakes poll() */
static void poll_blocks_until_ready(struct __test_metadata *_metadata, const struct backend *b)
{
	int x = b->create1(0), efd = mkefd();
	struct delayed d;
	long long t0 = now_ns();

	ASSERT_EQ(0, ev_add(b, x, efd, EPOLLIN, 1));
	ASSERT_EQ(0, delayed_start(&d, 100, do_efd_signal, &efd));
	EXPECT_EQ(POLLIN, poll1(x, POLLIN, 5000));
	delayed_join(&d);
	EXPECT_GE(elapsed_ms(t0), 90);
	EXPECT_LT(elapsed_ms(t0), 4000);
}

TEST(poll_blocks_until_ready_ep2) { poll_blocks_until_ready(_metadata, X2); }
TEST(poll_blocks_until_ready_epoll) { poll_blocks_until_ready(_metadata, EP); }

/* poll(x) → x → p0 (ready, then drained): poll() drops the stale item */
static void poll_drops_stale(struct __test_metadata *_metadata, const struct backend *b)
{
	int x = b->create1(0), p[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, ev_add(b, x, p[0], EPOLLIN, 1));
	ASSERT_EQ(1, write1(p[1]));
	EXPECT_EQ(POLLIN, poll1(x, POLLIN, 0));
	ASSERT_EQ(1, drain(p[0]));
	EXPECT_EQ(0, poll1(x, POLLIN, 0));
	EXPECT_EQ(0, b->wait(x, &ev, 1, 0));
}

TEST(poll_drops_stale_ep2) { poll_drops_stale(_metadata, X2); }
TEST(poll_drops_stale_epoll) { poll_drops_stale(_metadata, EP); }

/* poll(x) → x → efd (ET, ready): poll() does not consume the ET event */
static void poll_keeps_et_event(struct __test_metadata *_metadata, const struct backend *b)
{
	int x = b->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(b, x, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(POLLIN, poll1(x, POLLIN, 0));
	EXPECT_EQ(POLLIN, poll1(x, POLLIN, 0));
	EXPECT_EQ(1, b->wait(x, &ev, 1, 0));
	EXPECT_EQ(0, poll1(x, POLLIN, 0));
}

TEST(poll_keeps_et_event_ep2) { poll_keeps_et_event(_metadata, X2); }
TEST(poll_keeps_et_event_epoll) { poll_keeps_et_event(_metadata, EP); }

/* poll(x0, x1, x2) → x1 ready only: exactly x1 reported */
TEST(poll_three_instances_one_ready)
{
	struct pollfd pf[3];
	int efd = mkefd();

	for (int i = 0; i < 3; i++) {
		pf[i].fd = ep2_create1(0);
		pf[i].events = POLLIN;
		ASSERT_GE(pf[i].fd, 0);
	}
	ASSERT_EQ(0, ev_add(X2, pf[1].fd, efd, EPOLLIN, 1));
	ASSERT_EQ(0, efd_signal(efd));
	ASSERT_EQ(1, poll(pf, 3, 0));
	EXPECT_EQ(0, pf[0].revents);
	EXPECT_EQ(POLLIN, pf[1].revents);
	EXPECT_EQ(0, pf[2].revents);
}

/* select(x) → x → s0: readfds set once s0 is readable, writefds never */
static void select_readable(struct __test_metadata *_metadata, const struct backend *b)
{
	int x = b->create1(0), s[2];
	struct timeval tv = { 0, 0 };
	fd_set r, w;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(b, x, s[0], EPOLLIN, 1));
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(x, &r);
	FD_SET(x, &w);
	EXPECT_EQ(0, select(x + 1, &r, &w, NULL, &tv));
	ASSERT_EQ(1, write1(s[1]));
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(x, &r);
	FD_SET(x, &w);
	tv.tv_sec = 0;
	EXPECT_EQ(1, select(x + 1, &r, &w, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(x, &r));
	EXPECT_FALSE(FD_ISSET(x, &w));
}

TEST(select_readable_ep2) { select_readable(_metadata, X2); }
TEST(select_readable_epoll) { select_readable(_metadata, EP); }

/* select(x) (blocked, 5 s) → x → p0: a later write wakes select() */
static void select_blocks_until_ready(struct __test_metadata *_metadata, const struct backend *b)
{
	int x = b->create1(0), p[2];
	struct timeval tv = { 5, 0 };
	struct delayed d;
	long long t0 = now_ns();
	fd_set r;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, ev_add(b, x, p[0], EPOLLIN, 1));
	ASSERT_EQ(0, delayed_start(&d, 100, do_write1, &p[1]));
	FD_ZERO(&r);
	FD_SET(x, &r);
	EXPECT_EQ(1, select(x + 1, &r, NULL, NULL, &tv));
	delayed_join(&d);
	EXPECT_TRUE(FD_ISSET(x, &r));
	EXPECT_LT(elapsed_ms(t0), 4000);
}

TEST(select_blocks_until_ready_ep2) { select_blocks_until_ready(_metadata, X2); }
TEST(select_blocks_until_ready_epoll) { select_blocks_until_ready(_metadata, EP); }

/*
 * poll(x) (500 ms) in t0, close(x) in main: poll() holds its own file
 * reference, so the close wakes nobody; the next scan reports POLLNVAL
 */
struct poll_job {
	int fd;
	volatile pid_t tid;
	int ret;
	short revents;
	long long took_ms;
};

static void *poll_job_main(void *a)
{
	struct poll_job *j = a;
	struct pollfd p = { .fd = j->fd, .events = POLLIN };
	long long t0 = now_ns();

	j->tid = gettid_();
	j->ret = poll(&p, 1, 500);
	j->revents = p.revents;
	j->took_ms = elapsed_ms(t0);
	return NULL;
}

static void close_does_not_wake_poller(struct __test_metadata *_metadata, const struct backend *b)
{
	struct poll_job j = { .fd = b->create1(0) };
	pthread_t t;

	ASSERT_GE(j.fd, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, poll_job_main, &j));
	while (!j.tid)
		sleep_ms(1);
	wait_thread_sleeping(j.tid, 2000);
	ASSERT_EQ(0, close(j.fd));
	pthread_join(t, NULL);
	EXPECT_EQ(1, j.ret);
	EXPECT_EQ(POLLNVAL, j.revents);
	EXPECT_GE(j.took_ms, 450);
}

TEST(close_does_not_wake_poller_ep2) { close_does_not_wake_poller(_metadata, X2); }
TEST(close_does_not_wake_poller_epoll) { close_does_not_wake_poller(_metadata, EP); }

/* ---- native epoll watching an eventpoll2 instance ------------------------- */

/*
 * outer → inner → p0 for an (outer, inner) pair of backends: readiness
 * crosses, the outer item reports EPOLLIN with its data, a drained p0
 * leaves the outer not ready
 */
static void cross_readiness(struct __test_metadata *_metadata, const struct backend *ob,
			    const struct backend *ib)
{
	int outer = ob->create1(0), inner = ib->create1(0), p[2];
	struct epoll_event ev;

	ASSERT_GE(outer, 0);
	ASSERT_GE(inner, 0);
	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, ev_add(ib, inner, p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(ob, outer, inner, EPOLLIN, 2));
	EXPECT_EQ(0, ob->wait(outer, &ev, 1, 0));
	ASSERT_EQ(1, write1(p[1]));
	ASSERT_EQ(1, ob->wait(outer, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(2, ev.data.u64);
	/* LT: still there */
	EXPECT_EQ(1, ob->wait(outer, &ev, 1, 0));
	ASSERT_EQ(1, drain(p[0]));
	EXPECT_EQ(0, ob->wait(outer, &ev, 1, 0));
	EXPECT_EQ(0, ib->wait(inner, &ev, 1, 0));
}

/* E → X → p0 */
TEST(epoll_over_ep2_readiness) { cross_readiness(_metadata, EP, X2); }
/* X → E → p0 */
TEST(ep2_over_epoll_readiness) { cross_readiness(_metadata, X2, EP); }
/* X → X → p0: the same-backend baseline */
TEST(ep2_over_ep2_readiness) { cross_readiness(_metadata, X2, X2); }
/* E → E → p0: the oracle */
TEST(epoll_over_epoll_readiness) { cross_readiness(_metadata, EP, EP); }

/* A thread blocked on @ep is woken by a signal of @efd and gets @data. */
static void signal_wakes_waiter(struct __test_metadata *_metadata, const struct backend *b, int ep,
				int efd, uint64_t data)
{
	struct waiter w;

	ASSERT_EQ(0, waiter_start(&w, b, ep, 4, 5000));
	ASSERT_EQ(0, efd_signal(efd));
	waiter_join(&w);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(data, w.evs[0].data.u64);
	EXPECT_LT(w.took_ms, 4000);
}

/* t0 (blocked) → outer → inner → efd: a later signal wakes t0 */
static void cross_blocking(struct __test_metadata *_metadata, const struct backend *ob,
			   const struct backend *ib)
{
	int outer = ob->create1(0), inner = ib->create1(0), efd = mkefd();

	ASSERT_EQ(0, ev_add(ib, inner, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(ob, outer, inner, EPOLLIN, 2));
	signal_wakes_waiter(_metadata, ob, outer, efd, 2);
}

/* t0 → E → X → efd */
TEST(epoll_over_ep2_blocking_wakeup) { cross_blocking(_metadata, EP, X2); }
/* t0 → X → E → efd */
TEST(ep2_over_epoll_blocking_wakeup) { cross_blocking(_metadata, X2, EP); }

/* t0 → outer (ET) → inner → efd: one event per signal */
static void cross_outer_et(struct __test_metadata *_metadata, const struct backend *ob,
			   const struct backend *ib)
{
	int outer = ob->create1(0), inner = ib->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(ib, inner, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(ob, outer, inner, EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, ob->wait(outer, &ev, 1, 0));
	EXPECT_EQ(0, ob->wait(outer, &ev, 1, 0));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, ob->wait(outer, &ev, 1, 0));
	EXPECT_EQ(0, ob->wait(outer, &ev, 1, 0));
}

TEST(epoll_et_over_ep2) { cross_outer_et(_metadata, EP, X2); }
TEST(ep2_et_over_epoll) { cross_outer_et(_metadata, X2, EP); }
TEST(epoll_et_over_epoll) { cross_outer_et(_metadata, EP, EP); }

/* outer → inner (ET item on efd): polling inner from outer does not consume it */
static void cross_inner_et(struct __test_metadata *_metadata, const struct backend *ob,
			   const struct backend *ib)
{
	int outer = ob->create1(0), inner = ib->create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(ib, inner, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(ob, outer, inner, EPOLLIN, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, ob->wait(outer, &ev, 1, 0));
	EXPECT_EQ(1, ob->wait(outer, &ev, 1, 0));
	EXPECT_EQ(1, ib->wait(inner, &ev, 1, 0));
	EXPECT_EQ(0, ob->wait(outer, &ev, 1, 0));
}

TEST(epoll_over_ep2_inner_et) { cross_inner_et(_metadata, EP, X2); }
TEST(ep2_over_epoll_inner_et) { cross_inner_et(_metadata, X2, EP); }
TEST(epoll_over_epoll_inner_et) { cross_inner_et(_metadata, EP, EP); }

/*
 * E → mid → E' → efd, mid of either backend.  An eventpoll2 instance between
 * two native ones is woken from inside E''s wakeup (E''s poll_wait lock held)
 * and passes the wakeup on to E after that lock is dropped (callback.cpp);
 * what E's callers see is the same as with a native mid (the oracle):
 * readiness at once, one ET event per signal, blocked waiters woken.
 */
static void sandwich(struct __test_metadata *_metadata, const struct backend *mb)
{
	int outer = epoll_create1(0), mid = mb->create1(0), inner = epoll_create1(0);
	int efd = mkefd(), et = epoll_create1(0);
	struct epoll_event ev;

	ASSERT_GE(mid, 0);
	ASSERT_EQ(0, ev_add(EP, inner, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(mb, mid, inner, EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(EP, outer, mid, EPOLLIN, 3));
	ASSERT_EQ(0, ev_add(EP, et, mid, EPOLLIN | EPOLLET, 4));
	EXPECT_EQ(0, epoll_wait(outer, &ev, 1, 0));

	/* readiness reaches the top by the time the signal returns */
	ASSERT_EQ(0, efd_signal(efd));
	ASSERT_EQ(1, epoll_wait(outer, &ev, 1, 0));
	EXPECT_EQ(3, ev.data.u64);
	EXPECT_EQ(EPOLLIN, poll1(outer, POLLIN, 0));

	/* ET on top: one event per signal, even while mid stays ready */
	EXPECT_EQ(1, epoll_wait(et, &ev, 1, 0));
	EXPECT_EQ(0, epoll_wait(et, &ev, 1, 0));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, epoll_wait(et, &ev, 1, 0));
	EXPECT_EQ(4, ev.data.u64);
	EXPECT_EQ(0, epoll_wait(et, &ev, 1, 0));

	/* drained: nothing anywhere (LT re-polls the chain) */
	ASSERT_EQ(8, drain(efd));
	EXPECT_EQ(0, epoll_wait(inner, &ev, 1, 0));
	EXPECT_EQ(0, mb->wait(mid, &ev, 1, 0));
	EXPECT_EQ(0, epoll_wait(outer, &ev, 1, 0));

	/* a waiter blocked on the top is woken by a signal at the bottom */
	signal_wakes_waiter(_metadata, EP, outer, efd, 3);
	close(et);
	close(outer);
	close(mid);
	close(inner);
	close(efd);
}

/* E → X → E' → efd */
TEST(epoll_ep2_epoll_sandwich) { sandwich(_metadata, X2); }
/* E → E'' → E' → efd: the oracle */
TEST(epoll_epoll_epoll_sandwich) { sandwich(_metadata, EP); }

/* s0 → X0 → E1 → X2 → E3: readiness crosses four alternating levels */
TEST(alternating_four_levels)
{
	int x0 = ep2_create1(0), e1 = epoll_create1(0), x2 = ep2_create1(0), e3 = epoll_create1(0);
	struct epoll_event ev;
	int s[2];

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(X2, x0, s[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(EP, e1, x0, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(X2, x2, e1, EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(EP, e3, x2, EPOLLIN, 3));
	EXPECT_EQ(0, epoll_wait(e3, &ev, 1, 0));
	ASSERT_EQ(1, write1(s[1]));
	ASSERT_EQ(1, epoll_wait(e3, &ev, 1, 0));
	EXPECT_EQ(3, ev.data.u64);
	EXPECT_EQ(1, ep2_wait(x2, &ev, 1, 0));
	EXPECT_EQ(2, ev.data.u64);
	ASSERT_EQ(1, drain(s[0]));
	/*
	 * Stale now.  A native instance polling an eventpoll2 instance from
	 * outside may see it ready once (a queued native target is not
	 * re-polled there: README, "Known differences"); harvesting x2
	 * re-polls under x2's own mutex and drops the stale entry, and then
	 * e3 is not ready.
	 */
	EXPECT_GE(epoll_wait(e3, &ev, 1, 0), 0);
	EXPECT_EQ(0, ep2_wait(x2, &ev, 1, 0));
	EXPECT_EQ(0, epoll_wait(e3, &ev, 1, 0));
}

/*
 * s0 → X0 → E1 → X2 → ... (alternating backends).  Neither backend's depth
 * check sees the other's instances, so such chains are accepted; eventpoll2
 * bounds its poll and wake recursion at EP_MAX_MIXED_DEPTH (7) eventpoll2
 * levels instead (README, "Known differences").  Within that bound readiness
 * reaches the top; beyond it the chain stays safe (no crash, no hang, calls
 * return) but the top does not become ready.  Built while s0 is already
 * readable, so every ADD polls the whole chain below it.
 */
static int alternating_chain(struct __test_metadata *_metadata, int levels, int *top_is_ep2)
{
	int prev, p[2], top = -1;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(1, write1(p[1]));
	prev = p[0];
	for (int i = 0; i < levels; i++) {
		const struct backend *b = i & 1 ? EP : X2;
		int e = b->create1(EPOLL_CLOEXEC);

		ASSERT_GE(e, 0);
		ASSERT_EQ(0, ev_add(b, e, prev, EPOLLIN, i)) TH_LOG("level %d", i);
		prev = top = e;
		*top_is_ep2 = b == X2;
	}
	return top;
}

/* 8 alternating levels (4 eventpoll2): readiness reaches the top */
TEST(alternating_chain_within_bound_works)
{
	struct epoll_event ev;
	int is_ep2 = 0, top = alternating_chain(_metadata, 8, &is_ep2);

	EXPECT_EQ(1, (is_ep2 ? X2 : EP)->wait(top, &ev, 1, 0));
	EXPECT_EQ(POLLIN, poll1(top, POLLIN, 0));
}

/* 200 alternating levels: accepted, bounded, safe; calls return normally */
TEST(alternating_chain_deep_is_bounded_and_safe)
{
	struct epoll_event ev;
	int is_ep2 = 0, top = alternating_chain(_metadata, 200, &is_ep2);

	alarm(60);
	EXPECT_GE((is_ep2 ? X2 : EP)->wait(top, &ev, 1, 0), 0);
	EXPECT_GE(poll1(top, POLLIN, 0), 0);
	alarm(0);
}

/* E → {X0 → p0, X1 → p1}, X2 → {E0 → p2}: each reports with its own data */
TEST(mixed_siblings)
{
	int e = epoll_create1(0), x0 = ep2_create1(0), x1 = ep2_create1(0);
	int x2 = ep2_create1(0), e0 = epoll_create1(0), p0[2], p1[2], p2[2];
	struct epoll_event evs[4];

	ASSERT_EQ(0, mkpipe(p0));
	ASSERT_EQ(0, mkpipe(p1));
	ASSERT_EQ(0, mkpipe(p2));
	ASSERT_EQ(0, ev_add(X2, x0, p0[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(X2, x1, p1[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(EP, e0, p2[0], EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(EP, e, x0, EPOLLIN, 10));
	ASSERT_EQ(0, ev_add(EP, e, x1, EPOLLIN, 11));
	ASSERT_EQ(0, ev_add(X2, x2, e0, EPOLLIN, 20));
	ASSERT_EQ(1, write1(p1[1]));
	ASSERT_EQ(1, epoll_wait(e, evs, 4, 0));
	EXPECT_EQ(11, evs[0].data.u64);
	ASSERT_EQ(1, write1(p0[1]));
	ASSERT_EQ(2, epoll_wait(e, evs, 4, 0));
	ev_sort(evs, 2);
	EXPECT_EQ(10, evs[0].data.u64);
	EXPECT_EQ(11, evs[1].data.u64);
	EXPECT_EQ(0, ep2_wait(x2, evs, 4, 0));
	ASSERT_EQ(1, write1(p2[1]));
	ASSERT_EQ(1, ep2_wait(x2, evs, 4, 0));
	EXPECT_EQ(20, evs[0].data.u64);
}

/* E → X: an instance only reports EPOLLIN | EPOLLRDNORM, whatever E asks */
TEST(epoll_over_ep2_event_bits)
{
	int e = epoll_create1(0), e2 = epoll_create1(0), x = ep2_create1(0), s[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(X2, x, s[0], EPOLLOUT, 1));
	ASSERT_EQ(0, ev_add(EP, e, x, EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLPRI, 2));
	ASSERT_EQ(0, ev_add(EP, e2, x, EPOLLOUT | EPOLLWRNORM | EPOLLPRI, 3));
	ASSERT_EQ(1, epoll_wait(e, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, ev.events);
	EXPECT_EQ(0, epoll_wait(e2, &ev, 1, 0));
}

/* E → X (1S): fires once, MOD re-arms */
TEST(epoll_oneshot_over_ep2)
{
	int e = epoll_create1(0), x = ep2_create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(X2, x, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(EP, e, x, EPOLLIN | EPOLLONESHOT, 2));
	ASSERT_EQ(0, efd_signal(efd));
	EXPECT_EQ(1, epoll_wait(e, &ev, 1, 0));
	EXPECT_EQ(0, epoll_wait(e, &ev, 1, 0));
	ASSERT_EQ(0, ev_mod(EP, e, x, EPOLLIN | EPOLLONESHOT, 3));
	ASSERT_EQ(1, epoll_wait(e, &ev, 1, 0));
	EXPECT_EQ(3, ev.data.u64);
}

/*
 * E → X with EPOLLEXCLUSIVE: native epoll refuses EXCLUSIVE only on its
 * own instances; an eventpoll2 instance is an ordinary file to it
 */
TEST(epoll_exclusive_on_ep2_accepted)
{
	int e = epoll_create1(0), x = ep2_create1(0), e0 = epoll_create1(0);

	EXPECT_EQ(0, ev_add(EP, e, x, EPOLLIN | EPOLLEXCLUSIVE, 1));
	errno = 0;
	EXPECT_EQ(-1, ev_add(EP, e, e0, EPOLLIN | EPOLLEXCLUSIVE, 2));
	EXPECT_EQ(EINVAL, errno);
}

/* X → E with EPOLLEXCLUSIVE → EINVAL, as for an instance in an instance */
TEST(ep2_exclusive_on_epoll_einval)
{
	int x = ep2_create1(0), e = epoll_create1(0);

	errno = 0;
	EXPECT_EQ(-1, ev_add(X2, x, e, EPOLLIN | EPOLLEXCLUSIVE, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ev_add(X2, x, e, EPOLLIN, 1));
}

/* ---- closing across backends ------------------------------------------------ */

/* E → X: close(X) → native epoll drops the item (its eventpoll_release) */
TEST(close_ep2_removes_epoll_item)
{
	int e = epoll_create1(0), x = ep2_create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(X2, x, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(EP, e, x, EPOLLIN, 2));
	ASSERT_EQ(0, efd_signal(efd));
	ASSERT_EQ(0, close(x));
	EXPECT_EQ(0, epoll_wait(e, &ev, 1, 0));
	EXPECT_EQ(0, fdinfo_items(e));
}

/* X → E: close(E) → eventpoll2 drops the item, as epoll does for E → E */
static void close_inner_removes_item(struct __test_metadata *_metadata, const struct backend *ob)
{
	int outer = ob->create1(0), inner = epoll_create1(0), efd = mkefd();
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(EP, inner, efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(ob, outer, inner, EPOLLIN, 2));
	ASSERT_EQ(0, efd_signal(efd));
	ASSERT_EQ(0, close(inner));
	EXPECT_EQ(0, ob->wait(outer, &ev, 1, 0));
	EXPECT_EQ(0, fdinfo_items(outer));
	errno = 0;
	EXPECT_EQ(-1, ob->ctl(outer, EPOLL_CTL_DEL, inner, NULL));
	EXPECT_EQ(EBADF, errno);
}

TEST(close_epoll_removes_ep2_item) { close_inner_removes_item(_metadata, X2); }
TEST(close_epoll_removes_epoll_item) { close_inner_removes_item(_metadata, EP); }

/* E → X → p0: close(p0) → X drops its item → E is not ready */
TEST(close_leaf_under_mixed_nesting)
{
	int e = epoll_create1(0), x = ep2_create1(0), p[2];
	struct epoll_event ev;

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, ev_add(X2, x, p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(EP, e, x, EPOLLIN, 2));
	ASSERT_EQ(1, write1(p[1]));
	ASSERT_EQ(0, close(p[0]));
	EXPECT_EQ(0, epoll_wait(e, &ev, 1, 0));
	EXPECT_EQ(0, fdinfo_items(x));
}

/* ---- cycles across backends ----------------------------------------------- */

/*
 * X → E and E → X.  Each backend's loop check sees only its own instances
 * and eventpoll2 cannot veto native epoll's ADD, so the cycle forms (epoll
 * refuses a cycle among its own instances: see epoll_cycle_eloop).  What
 * eventpoll2 guarantees instead (README, "Known differences"): waking the
 * cycle terminates (a wakeup of an instance already being woken on the CPU
 * is dropped; a poll that comes back to an instance the task is polling
 * answers "not ready"), and everything still works and closes.  A hang or
 * lockup here fails the run (alarm, and the guest's RCU-stall detection).
 */
/* x → e (data 1) and e → x (data 2), in either order */
static void close_cycle(struct __test_metadata *_metadata, int x, int e, int ep2_first)
{
	if (ep2_first) {
		ASSERT_EQ(0, ev_add(X2, x, e, EPOLLIN, 1));
		ASSERT_EQ(0, ev_add(EP, e, x, EPOLLIN, 2));
	} else {
		ASSERT_EQ(0, ev_add(EP, e, x, EPOLLIN, 2));
		ASSERT_EQ(0, ev_add(X2, x, e, EPOLLIN, 1));
	}
}

static void cross_cycle(struct __test_metadata *_metadata, int ep2_first, int source_under_epoll)
{
	int x = ep2_create1(0), e = epoll_create1(0), p[2];
	const struct backend *sb = source_under_epoll ? EP : X2, *ob = source_under_epoll ? X2 : EP;
	int src, other;
	struct epoll_event ev[4];

	ASSERT_GE(x, 0);
	ASSERT_GE(e, 0);
	src = source_under_epoll ? e : x;
	other = source_under_epoll ? x : e;
	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, ev_add(sb, src, p[0], EPOLLIN, 7));
	alarm(60);
	close_cycle(_metadata, x, e, ep2_first);
	ASSERT_EQ(1, write1(p[1]));		/* wakes through the cycle */
	ASSERT_GE(sb->wait(src, ev, 4, 100), 1);
	EXPECT_EQ(7, ev[0].data.u64);		/* the pipe, first and ready */
	if (source_under_epoll) {
		/* X sees E ready */
		ASSERT_EQ(1, ob->wait(other, ev, 4, 100));
		EXPECT_EQ(1, ev[0].data.u64);
	} else {
		/*
		 * X's harvest above polled E, and E polled X back: that poll
		 * answered "not ready" (a cycle), so E may have dropped X.
		 */
		EXPECT_GE(ob->wait(other, ev, 4, 0), 0);
	}
	close(p[1]);				/* HUP wakes through it again */
	EXPECT_GE(sb->wait(src, ev, 4, 100), 1);
	close(p[0]);
	close(x);				/* closing with the cycle in place */
	close(e);
	alarm(0);
}

/* X → E first, then E → X; the pipe under X */
TEST(cross_cycle_ep2_first_accepted_and_safe) { cross_cycle(_metadata, 1, 0); }
/* E → X first, then X → E */
TEST(cross_cycle_epoll_first_accepted_and_safe) { cross_cycle(_metadata, 0, 0); }
/*
 * The same cycles with the pipe under E: E's poll_wait lock is held while
 * X's callback runs, and X's pollers include E itself, whose callback would
 * take that lock again (a hard lockup before wakeups were deferred).
 */
TEST(cross_cycle_source_under_epoll_ep2_first) { cross_cycle(_metadata, 1, 1); }
TEST(cross_cycle_source_under_epoll_epoll_first) { cross_cycle(_metadata, 0, 1); }

/* E → E' → E: the oracle refuses the same cycle with ELOOP */
TEST(epoll_cycle_eloop)
{
	int a = epoll_create1(0), b = epoll_create1(0);

	ASSERT_EQ(0, ev_add(EP, a, b, EPOLLIN, 0));
	errno = 0;
	EXPECT_EQ(-1, ev_add(EP, b, a, EPOLLIN, 0));
	EXPECT_EQ(ELOOP, errno);
}

/*
 * X0 → E1 → X2 → E3 → X0, with a pipe under X0 or under E1: woken (many
 * times), waited on, closed: terminates.  With the pipe under E1 every turn
 * of the cycle passes two native instances, so each passes through a
 * deferred wakeup; they stop EP_MAX_MIXED_DEPTH deferrals from the event.
 */
static void cross_cycle4(struct __test_metadata *_metadata, int source_under_epoll)
{
	int x0 = ep2_create1(0), e1 = epoll_create1(0), x2 = ep2_create1(0), e3 = epoll_create1(0);
	struct epoll_event ev[4];
	int p[2];

	ASSERT_EQ(0, mkpipe(p));
	alarm(60);
	if (source_under_epoll) {
		ASSERT_EQ(0, ev_add(EP, e1, p[0], EPOLLIN, 9));
	} else {
		ASSERT_EQ(0, ev_add(X2, x0, p[0], EPOLLIN, 9));
	}
	ASSERT_EQ(0, ev_add(X2, x0, e1, EPOLLIN, 0));
	ASSERT_EQ(0, ev_add(EP, e1, x2, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(X2, x2, e3, EPOLLIN, 2));
	ASSERT_EQ(0, ev_add(EP, e3, x0, EPOLLIN, 3));
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(1, write1(p[1]));
		ASSERT_EQ(1, drain(p[0]));
	}
	ASSERT_EQ(1, write1(p[1]));
	EXPECT_GE(X2->wait(x0, ev, 4, 100), 1);
	EXPECT_GE(EP->wait(e1, ev, 4, 100), 1);
	EXPECT_GE(X2->wait(x2, ev, 4, 0), 0);
	EXPECT_GE(EP->wait(e3, ev, 4, 0), 0);
	close(p[1]);				/* HUP wakes through it again */
	EXPECT_GE(X2->wait(x0, ev, 4, 100), 1);
	close(p[0]);
	close(x0);
	close(e1);
	close(x2);
	close(e3);
	alarm(0);
}

TEST(cross_cycle4_accepted_and_safe) { cross_cycle4(_metadata, 0); }
TEST(cross_cycle4_source_under_epoll) { cross_cycle4(_metadata, 1); }

/* ---- a mixed storm ----------------------------------------------------------- */

#define STORM_FDS 8

struct mixed_storm {
	volatile int stop;
	int top_x, top_e;		/* long-lived: one of each backend */
	int efd[STORM_FDS];
	long built, signals, harvested, bad;
};

static int storm_stopped(struct mixed_storm *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
}

/*
 * Build a random mixed shape over the shared eventfds and the two top
 * instances (chains, sandwiches, cycles through either top), wait on it,
 * close it while the other threads signal and harvest.
 */
static void *storm_builder(void *a)
{
	struct mixed_storm *s = a;
	uint64_t r = rng_seed((uintptr_t)&r);

	while (!storm_stopped(s)) {
		const struct backend *bk[4];
		int fd[4];

		for (int i = 0; i < 4; i++) {
			const struct backend *b = bk[i] = rng_below(&r, 2) ? X2 : EP;

			fd[i] = b->create1(0);
			if (fd[i] < 0)
				return NULL;
			ev_add(b, fd[i], s->efd[rng_below(&r, STORM_FDS)],
			       EPOLLIN | (rng_below(&r, 2) ? EPOLLET : 0), 100 + i);
			if (i)
				ev_add(b, fd[i], fd[rng_below(&r, i)], EPOLLIN, 200 + i);
		}
		/* hang the shape under the tops, and sometimes the tops under it */
		ev_add(X2, s->top_x, fd[rng_below(&r, 4)], EPOLLIN, 1);
		ev_add(EP, s->top_e, fd[rng_below(&r, 4)], EPOLLIN, 2);
		if (rng_below(&r, 2)) {
			int i = rng_below(&r, 4);

			ev_add(bk[i], fd[i], rng_below(&r, 2) ? s->top_x : s->top_e,
			       EPOLLIN, 300);
		}
		for (int i = 0; i < 4; i++) {
			struct epoll_event ev[4];

			bk[i]->wait(fd[i], ev, 4, 0);
			poll1(fd[i], POLLIN, 0);
		}
		for (int i = 0; i < 4; i++)
			close(fd[i]);
		__atomic_add_fetch(&s->built, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *storm_signaller(void *a)
{
	struct mixed_storm *s = a;
	uint64_t r = rng_seed(7);

	while (!storm_stopped(s)) {
		int i = rng_below(&r, STORM_FDS);

		if (rng_below(&r, 4))
			efd_signal(s->efd[i]);
		else
			drain(s->efd[i]);
		__atomic_add_fetch(&s->signals, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *storm_harvester(void *a)
{
	struct mixed_storm *s = a;
	int n = 0;

	while (!storm_stopped(s)) {
		struct epoll_event ev[8];
		int x = n++ & 1;
		int k = (x ? X2 : EP)->wait(x ? s->top_x : s->top_e, ev, 8, 5);

		for (int i = 0; i < k; i++)
			if (ev[i].data.u64 != 1 && ev[i].data.u64 != 2)
				__atomic_add_fetch(&s->bad, 1, __ATOMIC_RELAXED);
		if (k > 0)
			__atomic_add_fetch(&s->harvested, k, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Two builders, a signaller and a harvester for 2 s (within the harness's 30 s), on the guest's CPUs:
 * deferred wakeups race with instance close on other CPUs.  Nothing hangs,
 * the tops report only their own data, and once every shape is closed
 * they hold no items.
 */
TEST(mixed_storm)
{
	struct mixed_storm s = { 0 };
	pthread_t t[4];
	void *(*fn[4])(void *) = { storm_builder, storm_builder, storm_signaller, storm_harvester };

	ASSERT_EQ(0, raise_nofile(4096));
	s.top_x = ep2_create1(0);
	s.top_e = epoll_create1(0);
	ASSERT_GE(s.top_x, 0);
	ASSERT_GE(s.top_e, 0);
	for (int i = 0; i < STORM_FDS; i++)
		ASSERT_GE(s.efd[i] = mkefd(), 0);
	alarm(25);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, fn[i], &s));
	sleep_ms(2000);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	alarm(0);
	TH_LOG("%ld shapes built, %ld signals, %ld events harvested", s.built, s.signals, s.harvested);
	EXPECT_GT(s.built, 10);
	EXPECT_EQ(0, s.bad);
	EXPECT_EQ(0, fdinfo_items(s.top_x));
	EXPECT_EQ(0, fdinfo_items(s.top_e));
	close(s.top_x);
	close(s.top_e);
	for (int i = 0; i < STORM_FDS; i++)
		close(s.efd[i]);
}

TEST_HARNESS_MAIN
