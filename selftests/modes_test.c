// SPDX-License-Identifier: GPL-2.0
/*
 * modes_test.c - how items report: level-triggered (repeat), edge-triggered
 * (once per wakeup), EPOLLONESHOT (disabled until MOD), EPOLLRDHUP,
 * EPOLLHUP/EPOLLERR always reported, EPOLLOUT, EPOLLEXCLUSIVE, reported
 * bits = fresh poll & interest, stale items dropped, data round trip.
 */
#include "backend.h"
#include "util.h"
#include <sys/socket.h>
#include "kselftest_harness.h"

FIXTURE(modes) {
	int ep;
	int p[2];	/* pipe, nonblocking */
	int s[2];	/* unix stream socketpair, nonblocking */
};
BACKEND_VARIANTS(modes);

FIXTURE_SETUP(modes)
{
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	ASSERT_EQ(0, pipe2(self->p, O_NONBLOCK));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, self->s));
}

FIXTURE_TEARDOWN(modes)
{
	close(self->ep);
	for (int i = 0; i < 2; i++) {
		close(self->p[i]);
		close(self->s[i]);
	}
}

/* One wait(timeout 0, room for 8): returns n; first event in *ev. */
static int wait0(const struct backend *b, int ep, struct epoll_event *ev)
{
	struct epoll_event evs[8];
	int n = b->wait(ep, evs, 8, 0);

	if (n > 0 && ev)
		*ev = evs[0];
	return n;
}

static void close_fd(int *fd)
{
	close(*fd);
	*fd = -1;
}

/* ---- level-triggered ------------------------------------------------------------------ */

/* p0 (LT, IN) with data: reported on every wait until drained */
TEST_F(modes, lt_repeats_until_drained)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(1, write1(self->p[1]));
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(1, wait0(B, self->ep, &ev));
		EXPECT_EQ(EPOLLIN, ev.events);
		EXPECT_EQ(1, ev.data.u64);
	}
	drain(self->p[0]);
	EXPECT_EQ(0, wait0(B, self->ep, &ev));
}

/* LT: a partial read leaves data → still reported */
TEST_F(modes, lt_partial_read_still_reported)
{
	char buf[2];

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(2, write(self->p[1], "ab", 2));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, read(self->p[0], buf, 1));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, read(self->p[0], buf, 1));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* LT HUP (pipe writer closed) is reported on every wait */
TEST_F(modes, lt_hup_repeats)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 2));
	close_fd(&self->p[1]);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(1, wait0(B, self->ep, &ev));
		EXPECT_EQ(EPOLLHUP, ev.events);
	}
}

/* ---- edge-triggered -------------------------------------------------------------------- */

/* p0 (ET): one report per edge, none on the next wait though data remains */
TEST_F(modes, et_once_per_edge)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 3));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(3, ev.data.u64);
	EXPECT_EQ(0, wait0(B, self->ep, &ev));
	EXPECT_EQ(0, wait0(B, self->ep, &ev));
}

/* p0 (ET): new data (even undrained) is a new edge: reported once more */
TEST_F(modes, et_new_data_new_edge_pipe)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 3));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* s0 (ET): every send from the peer is a new edge */
TEST_F(modes, et_new_data_new_edge_socket)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN | EPOLLET, 4));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(1, write1(self->s[1]));
		EXPECT_EQ(1, wait0(B, self->ep, NULL));
		EXPECT_EQ(0, wait0(B, self->ep, NULL));
	}
}

/* ET: reading part of the data is no edge */
TEST_F(modes, et_partial_read_no_edge)
{
	char c;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 5));
	ASSERT_EQ(3, write(self->p[1], "abc", 3));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ET item reported; MOD (same mask) polls again and re-queues it */
TEST_F(modes, et_mod_rearms)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 6));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 7));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(7, ev.data.u64);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ET HUP (writer closed) is reported once */
TEST_F(modes, et_hup_once)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 8));
	close_fd(&self->p[1]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLHUP, ev.events);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* MOD LT → ET: after the switch the item reports once only */
TEST_F(modes, mod_lt_to_et)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 9));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 9));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* MOD ET → LT: the (already reported) ready item is reported repeatedly again */
TEST_F(modes, mod_et_to_lt)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 10));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN, 10));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
}

/* one LT and one ET item ready: after the first wait only the LT one remains */
TEST_F(modes, lt_and_et_mixed)
{
	struct epoll_event evs[4];

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, write1(self->s[1]));
	ASSERT_EQ(2, B->wait(self->ep, evs, 4, 0));
	ASSERT_EQ(1, B->wait(self->ep, evs, 4, 0));
	EXPECT_EQ(1, evs[0].data.u64);
	ASSERT_EQ(1, B->wait(self->ep, evs, 4, 0));
	EXPECT_EQ(1, evs[0].data.u64);
}

/* ---- EPOLLONESHOT ------------------------------------------------------------------------ */

/* ONESHOT: reported once, then disabled: more data is not reported */
TEST_F(modes, oneshot_disables_after_report)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 11));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* after firing, only the private bits stay in the stored mask (fdinfo) */
TEST_F(modes, oneshot_fired_keeps_private_bits)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 0));
	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN | EPOLLRDHUP | EPOLLONESHOT | EPOLLET, 0));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, write1(self->s[1]));
	ASSERT_EQ(2, wait0(B, self->ep, NULL));
	EXPECT_EQ(EPOLLONESHOT, fdinfo_events(self->ep, self->p[0]));
	EXPECT_EQ(EPOLLONESHOT | EPOLLET, fdinfo_events(self->ep, self->s[0]));
}

/* ONESHOT not yet fired stays armed (LT-like until first delivery) */
TEST_F(modes, oneshot_armed_until_ready)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 12));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	EXPECT_EQ(EPOLLIN | EPOLLONESHOT | EPOLLERR | EPOLLHUP, fdinfo_events(self->ep, self->p[0]));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ONESHOT fired; MOD re-arms: the still-pending data is reported once more */
TEST_F(modes, oneshot_mod_rearms)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 13));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 14));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(14, ev.data.u64);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ONESHOT fired; MOD re-arms while not ready; a later write is reported */
TEST_F(modes, oneshot_mod_rearm_then_event)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 15));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	drain(self->p[0]);
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 16));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ONESHOT fired: even HUP (writer closed) is not reported while disabled */
TEST_F(modes, oneshot_disabled_ignores_hup)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 17));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	close_fd(&self->p[1]);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	/* re-armed by MOD: now IN|HUP */
	struct epoll_event ev;
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 18));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN | EPOLLHUP, ev.events);
}

/* ONESHOT fired, then MOD to plain LT: becomes an ordinary repeating item */
TEST_F(modes, oneshot_mod_to_lt)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 19));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN, 19));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
}

/* ---- EPOLLRDHUP, EPOLLHUP, EPOLLERR ---------------------------------------------------------- */

/* s0 (IN|RDHUP); peer shutdown(SHUT_WR) → IN|RDHUP */
TEST_F(modes, rdhup_on_peer_shutdown_wr)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN | EPOLLRDHUP, 20));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, shutdown(self->s[1], SHUT_WR));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN | EPOLLRDHUP, ev.events);
}

/* s0 (IN only); peer shutdown(SHUT_WR) → IN, no RDHUP */
TEST_F(modes, rdhup_not_without_interest)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN, 21));
	ASSERT_EQ(0, shutdown(self->s[1], SHUT_WR));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN, ev.events);
}

/* s0 (RDHUP only); peer shutdown(SHUT_WR) → RDHUP alone */
TEST_F(modes, rdhup_only_interest)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLRDHUP, 22));
	ASSERT_EQ(1, write1(self->s[1]));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(0, shutdown(self->s[1], SHUT_WR));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLRDHUP, ev.events);
}

/* s0 (ET|IN|RDHUP): shutdown is one edge */
TEST_F(modes, rdhup_et_once)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN | EPOLLRDHUP | EPOLLET, 23));
	ASSERT_EQ(0, shutdown(self->s[1], SHUT_WR));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* s0 (IN); peer closes → IN|HUP (HUP without asking) */
TEST_F(modes, hup_on_peer_close_socket)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN, 24));
	close_fd(&self->s[1]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN | EPOLLHUP, ev.events);
}

/* s0 (OUT); own shutdown(SHUT_RDWR) → OUT|HUP */
TEST_F(modes, hup_on_own_shutdown_rdwr)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLOUT, 25));
	ASSERT_EQ(0, shutdown(self->s[0], SHUT_RDWR));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLHUP, ev.events & EPOLLHUP);
	EXPECT_EQ(0, ev.events & ~(EPOLLOUT | EPOLLHUP));
}

/* p0 (IN) with data, writer closed → IN|HUP */
TEST_F(modes, hup_with_pending_data)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 26));
	ASSERT_EQ(1, write1(self->p[1]));
	close_fd(&self->p[1]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN | EPOLLHUP, ev.events);
}

/* p1 (OUT), reader closed → OUT|ERR */
TEST_F(modes, err_pipe_reader_closed)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 27));
	close_fd(&self->p[0]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLOUT | EPOLLERR, ev.events);
}

/* p1 (interest IN: never true for a write end), reader closed → ERR alone */
TEST_F(modes, err_reported_without_interest)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLIN, 28));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	close_fd(&self->p[0]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLERR, ev.events);
}

/* ET p1 (OUT): reader close is an edge: OUT|ERR once */
TEST_F(modes, err_et_once)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT | EPOLLET, 29));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));		/* initial writability */
	ASSERT_EQ(0, wait0(B, self->ep, NULL));
	close_fd(&self->p[0]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLOUT | EPOLLERR, ev.events);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ---- EPOLLOUT ---------------------------------------------------------------------------- */

/* s0 (OUT) → OUT; p1 (OUT) → OUT; p0 (OUT) → nothing (read end) */
TEST_F(modes, out_socket_and_pipe)
{
	struct epoll_event evs[4];
	unsigned long long seen = 0;
	int n;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLOUT, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 2));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLOUT, 4));
	n = B->wait(self->ep, evs, 4, 0);
	ASSERT_EQ(2, n);
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(EPOLLOUT, evs[i].events);
		seen |= evs[i].data.u64;
	}
	EXPECT_EQ(3, seen);
}

/* p1 (OUT): pipe full → not reported; read a page → reported again */
TEST_F(modes, out_pipe_full_then_space)
{
	char buf[4096] = { 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 30));
	while (write(self->p[1], buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(4096, read(self->p[0], buf, sizeof(buf)));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
}

/* ET p1 (OUT): full pipe, then space → one new OUT edge */
TEST_F(modes, out_et_space_is_edge)
{
	char buf[4096] = { 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT | EPOLLET, 31));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	while (write(self->p[1], buf, sizeof(buf)) > 0)
		;
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(4096, read(self->p[0], buf, sizeof(buf)));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ---- reported bits: fresh poll masked by interest --------------------------------------------- */

/* s0 readable and writable: interest IN → IN; MOD OUT → OUT; MOD IN|OUT → IN|OUT */
TEST_F(modes, reported_bits_masked_by_interest)
{
	struct epoll_event ev;

	ASSERT_EQ(1, write1(self->s[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN, 1));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN, ev.events);
	ASSERT_EQ(0, ev_mod(B, self->ep, self->s[0], EPOLLOUT, 1));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLOUT, ev.events);
	ASSERT_EQ(0, ev_mod(B, self->ep, self->s[0], EPOLLIN | EPOLLOUT, 1));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, ev.events);
	ASSERT_EQ(0, ev_mod(B, self->ep, self->s[0], EPOLLIN | EPOLLRDNORM, 1));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, ev.events);
}

/* s0 (IN|OUT) queued for OUT; data arrives before the harvest → IN|OUT (fresh poll) */
TEST_F(modes, reported_bits_fresh_at_harvest)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN | EPOLLOUT | EPOLLET, 1));
	ASSERT_EQ(1, write1(self->s[1]));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, ev.events);
	/* drained before the next edge's harvest: only OUT */
	ASSERT_EQ(1, write1(self->s[1]));
	drain(self->s[0]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLOUT, ev.events);
}

/* LT p0: ready, then drained before the wait → 0 events (dropped at harvest) */
TEST_F(modes, lt_dropped_if_not_ready_at_harvest)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(1, write1(self->p[1]));
	drain(self->p[0]);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	/* and it is gone from the ready list: new data is a fresh report */
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
}

/* ET p0: ready, drained before the wait → 0 events */
TEST_F(modes, et_dropped_if_not_ready_at_harvest)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(1, write1(self->p[1]));
	drain(self->p[0]);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ready p0, MOD to OUT (a read end is never writable) → nothing reported */
TEST_F(modes, mod_interest_drops_ready_item)
{
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLOUT, 1));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ready p0 DELeted before the wait → nothing reported */
TEST_F(modes, del_removes_ready_item)
{
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 1));
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_DEL, self->p[0], NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ---- EPOLLEXCLUSIVE ------------------------------------------------------------------------- */

struct excl_waiter {
	const struct backend *b;
	int ep;
	int ret;
	pid_t tid;
	struct epoll_event ev;
	pthread_t thr;
};

static void *excl_waiter_fn(void *arg)
{
	struct excl_waiter *w = arg;

	w->tid = gettid();
	w->ret = w->b->wait(w->ep, &w->ev, 1, 10000);
	return NULL;
}

static char thread_state(pid_t tid)
{
	char path[80], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

/* Start a waiter thread and wait until it sleeps (in the wait). */
static int start_excl_waiter(struct excl_waiter *w, const struct backend *b, int ep)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->ep = ep;
	w->ret = -2;
	if (pthread_create(&w->thr, NULL, excl_waiter_fn, w))
		return -1;
	for (int i = 0; i < 500; i++) {
		if (__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE) && thread_state(w->tid) == 'S')
			break;
		sleep_ms(10);
	}
	sleep_ms(100);
	return 0;
}

/* p0 (EXCLUSIVE|IN), one thread blocked in wait → it gets IN */
TEST_F(modes, exclusive_single_waiter)
{
	struct excl_waiter w;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE, 0xe1));
	ASSERT_EQ(0, start_excl_waiter(&w, B, self->ep));
	ASSERT_EQ(1, write1(self->p[1]));
	pthread_join(w.thr, NULL);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(EPOLLIN, w.ev.events);
	EXPECT_EQ(0xe1, w.ev.data.u64);
}

/* EXCLUSIVE without ET is level-triggered: reported on every wait */
TEST_F(modes, exclusive_is_level_triggered)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	drain(self->p[0]);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* EXCLUSIVE|ET: once per edge */
TEST_F(modes, exclusive_et_once)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 1));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* EXCLUSIVE item still reports HUP */
TEST_F(modes, exclusive_reports_hup)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
	close_fd(&self->p[1]);
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(EPOLLHUP, ev.events);
}

/* two instances, both EXCLUSIVE on p0, nobody waiting: the write queues it in both */
TEST_F(modes, exclusive_no_waiters_all_instances_queued)
{
	int e1 = B->create1(0);

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, e1, self->p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 2));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(1, wait0(B, e1, NULL));
	close(e1);
}

/*
 * e0, e1 both EXCLUSIVE|ET on p0 (e0 first); a thread sleeps in wait(e0):
 * the write wakes e0's waiter and stops there: e1 never sees the edge.
 */
TEST_F(modes, exclusive_waiter_ends_wakeup_chain)
{
	struct excl_waiter w;
	int e1 = B->create1(0);

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, e1, self->p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 2));
	ASSERT_EQ(0, start_excl_waiter(&w, B, self->ep));
	ASSERT_EQ(1, write1(self->p[1]));
	pthread_join(w.thr, NULL);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(1, w.ev.data.u64);
	EXPECT_EQ(0, wait0(B, e1, NULL));
	close(e1);
}

/* same topology without EXCLUSIVE: both instances get the edge */
TEST_F(modes, non_exclusive_waiter_wakes_all)
{
	struct excl_waiter w;
	int e1 = B->create1(0);

	ASSERT_GE(e1, 0);
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, e1, self->p[0], EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, start_excl_waiter(&w, B, self->ep));
	ASSERT_EQ(1, write1(self->p[1]));
	pthread_join(w.thr, NULL);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(1, wait0(B, e1, NULL));
	close(e1);
}

/* ---- data ----------------------------------------------------------------------------------- */

/* u64 data round-trips bit for bit, including 0, all-ones and the top bit */
TEST_F(modes, data_u64_roundtrip)
{
	unsigned long long vals[] = { 0, 1, ~0ULL, 1ULL << 63, 0xdeadbeefcafebabeULL,
				      0x00000000ffffffffULL, 0xffffffff00000000ULL };
	int n = sizeof(vals) / sizeof(vals[0]);
	int q[7][2];
	struct epoll_event evs[8];
	int found[7] = { 0 };

	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(0, ev_add(B, self->ep, q[i][1], EPOLLOUT, vals[i]));
	}
	ASSERT_EQ(n, B->wait(self->ep, evs, 8, 0));
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (evs[i].data.u64 == vals[j])
				found[j]++;
	for (int j = 0; j < n; j++) {
		EXPECT_EQ(1, found[j]) {
			TH_LOG("value %llx seen %d times", vals[j], found[j]);
		}
	}
	for (int i = 0; i < n; i++) {
		close(q[i][0]);
		close(q[i][1]);
	}
}

/* data.fd / data.ptr views: whatever was stored comes back in the same union */
TEST_F(modes, data_union_views)
{
	struct epoll_event in = { .events = EPOLLOUT }, out;

	in.data.ptr = &in;
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_ADD, self->p[1], &in));
	ASSERT_EQ(1, wait0(B, self->ep, &out));
	EXPECT_EQ((uintptr_t)&in, (uintptr_t)out.data.ptr);
	memset(&in.data, 0xff, sizeof(in.data));
	in.data.fd = self->p[1];
	ASSERT_EQ(0, B->ctl(self->ep, EPOLL_CTL_MOD, self->p[1], &in));
	ASSERT_EQ(1, wait0(B, self->ep, &out));
	EXPECT_EQ(self->p[1], out.data.fd);
	EXPECT_EQ(in.data.u64, out.data.u64);
}

/* several ready items in one wait each carry their own data and bits */
TEST_F(modes, several_items_one_wait)
{
	struct epoll_event evs[4];
	int n;

	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 100));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT, 200));
	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLOUT | EPOLLIN, 300));
	n = B->wait(self->ep, evs, 4, 0);
	ASSERT_EQ(3, n);
	EXPECT_EQ(100, evs[0].data.u64);
	EXPECT_EQ(EPOLLIN, evs[0].events);
	EXPECT_EQ(200, evs[1].data.u64);
	EXPECT_EQ(EPOLLOUT, evs[1].events);
	EXPECT_EQ(300, evs[2].data.u64);
	EXPECT_EQ(EPOLLOUT, evs[2].events);
}

/* ET: two writes before the harvest are one report */
TEST_F(modes, et_coalesces_edges_before_harvest)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLIN | EPOLLET, 40));
	ASSERT_EQ(1, write1(self->s[1]));
	ASSERT_EQ(1, write1(self->s[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ET OUT on a pipe write end: writing and reading a byte (never full) is no new edge */
TEST_F(modes, et_out_pipe_no_spurious_edge)
{
	char c;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLOUT | EPOLLET, 41));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* ET OUT on a unix stream socket: fill it, the peer drains → one OUT edge */
TEST_F(modes, et_out_socket_edge_after_full)
{
	char buf[4096] = { 0 };
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->s[0], EPOLLOUT | EPOLLET, 42));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	while (write(self->s[0], buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	drain(self->s[1]);
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 5000));
	EXPECT_EQ(EPOLLOUT, ev.events);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

/* fired ONESHOT MODded to plain IN while idle: nothing; data later → reported level-triggered */
TEST_F(modes, oneshot_mod_to_plain_while_idle)
{
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 43));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, wait0(B, self->ep, NULL));
	drain(self->p[0]);
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN, 44));
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
	EXPECT_EQ(1, wait0(B, self->ep, NULL));
}

/* ET item: MOD changing only data before the harvest → the report carries the new data */
TEST_F(modes, et_mod_data_before_harvest)
{
	struct epoll_event ev;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 45));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 46));
	ASSERT_EQ(1, wait0(B, self->ep, &ev));
	EXPECT_EQ(46, ev.data.u64);
	EXPECT_EQ(0, wait0(B, self->ep, NULL));
}

TEST_HARNESS_MAIN
