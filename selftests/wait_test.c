// SPDX-License-Identifier: GPL-2.0
/*
 * wait_test.c - epoll_wait()/epoll_pwait()/epoll_pwait2(): argument checks
 * in epoll's order (timespec → maxevents → access_ok → EBADF → not an
 * instance), copy-out faults, timeouts (generous bounds: the guest is slow),
 * the deadline loop after an empty harvest, and maxevents < ready count.
 */
#include "backend.h"
#include "util.h"
#include <limits.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <linux/time_types.h>
#include <linux/userfaultfd.h>
#include "kselftest_harness.h"

#define EP_MAX_EVENTS ((int)(INT_MAX / sizeof(struct epoll_event)))
#define KERNEL_PTR ((struct epoll_event *)(uintptr_t)0xffff800000000000ULL)
#define IS_64BIT (sizeof(void *) == 8)
#define TIME_T_MAX ((time_t)((1ULL << (sizeof(time_t) * 8 - 1)) - 1))
#define TIME_T_MIN (-TIME_T_MAX - 1)
#define SLOW_MS 8000	/* "did not block for the whole timeout" upper bound */

FIXTURE(wait) {
	int ep;
	int p[2];	/* pipe: p[0] read end, p[1] write end (nonblocking) */
};
BACKEND_VARIANTS(wait);

FIXTURE_SETUP(wait)
{
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	ASSERT_EQ(0, pipe2(self->p, O_NONBLOCK));
}

FIXTURE_TEARDOWN(wait)
{
	close(self->ep);
	close(self->p[0]);
	close(self->p[1]);
}

#define EXPECT_ERR(e, call) do {		\
		errno = 0;			\
		EXPECT_EQ(-1, (call));		\
		EXPECT_EQ((e), errno);		\
	} while (0)

static struct epoll_event big_buf[4];

/* Make p[0] readable and watch it (LT, IN) with data d. */
static int ready_pipe(const struct backend *b, int ep, int p[2], unsigned long long d)
{
	if (write1(p[1]) != 1)
		return -1;
	return ev_add(b, ep, p[0], EPOLLIN, d);
}

/* ---- maxevents ------------------------------------------------------------------- */

/* maxevents 0, -1, INT_MIN → EINVAL (wait, pwait, pwait2) */
TEST_F(wait, maxevents_nonpositive_einval)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 0 };
	int bad[] = { 0, -1, INT_MIN };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_ERR(EINVAL, B->wait(self->ep, &ev, bad[i], 0));
		EXPECT_ERR(EINVAL, B->pwait(self->ep, &ev, bad[i], 0, NULL));
		EXPECT_ERR(EINVAL, B->pwait2(self->ep, &ev, bad[i], &ts, NULL));
	}
}

/* maxevents INT_MAX/12 + 1 and INT_MAX → EINVAL */
TEST_F(wait, maxevents_too_large_einval)
{
	EXPECT_ERR(EINVAL, B->wait(self->ep, big_buf, EP_MAX_EVENTS + 1, 0));
	EXPECT_ERR(EINVAL, B->wait(self->ep, big_buf, INT_MAX, 0));
}

/* maxevents == INT_MAX/12 is accepted: empty → 0, one ready → 1 */
TEST_F(wait, maxevents_at_limit_ok)
{
	EXPECT_EQ(0, B->wait(self->ep, big_buf, EP_MAX_EVENTS, 0));
	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 42));
	EXPECT_EQ(1, B->wait(self->ep, big_buf, EP_MAX_EVENTS, 0));
	EXPECT_EQ(42, big_buf[0].data.u64);
}

/* maxevents is checked before epfd: maxevents 0 + epfd -1 → EINVAL */
TEST_F(wait, maxevents_before_ebadf)
{
	struct epoll_event ev;

	EXPECT_ERR(EINVAL, B->wait(-1, &ev, 0, 0));
	EXPECT_ERR(EINVAL, B->wait(self->p[0], &ev, -5, 0));
}

/* ---- buffer faults ------------------------------------------------------------------ */

/* a kernel-half buffer fails access_ok → EFAULT, before EBADF, after maxevents */
TEST_F(wait, kernel_buffer_efault_before_ebadf)
{
	if (!IS_64BIT)
		SKIP(return, "no kernel-half address in a 32-bit process");
	EXPECT_ERR(EFAULT, B->wait(self->ep, KERNEL_PTR, 1, 0));
	EXPECT_ERR(EFAULT, B->wait(-1, KERNEL_PTR, 1, 0));
	EXPECT_ERR(EFAULT, B->wait(self->p[0], KERNEL_PTR, 1, 0));
	EXPECT_ERR(EINVAL, B->wait(-1, KERNEL_PTR, 0, 0));
}

/* NULL buffer passes access_ok: bad epfd → EBADF; nothing ready → 0 */
TEST_F(wait, null_buffer_nothing_ready)
{
	EXPECT_ERR(EBADF, B->wait(-1, NULL, 1, 0));
	EXPECT_EQ(0, B->wait(self->ep, NULL, 1, 0));
}

/* NULL buffer, one event ready → EFAULT; event still delivered afterwards */
TEST_F(wait, null_buffer_event_ready_efault)
{
	struct epoll_event ev = { 0 };

	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 5));
	EXPECT_ERR(EFAULT, B->wait(self->ep, NULL, 1, 0));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(5, ev.data.u64);
}

/* unmapped buffer, event ready → EFAULT; then a good buffer gets it */
TEST_F(wait, unmapped_buffer_efault_event_stays)
{
	struct epoll_event ev = { 0 };
	void *bad = unmapped_page();

	ASSERT_TRUE(bad != NULL);
	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 6));
	EXPECT_ERR(EFAULT, B->wait(self->ep, bad, 4, 0));
	EXPECT_ERR(EFAULT, B->wait(self->ep, bad, 4, 0));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
	EXPECT_EQ(6, ev.data.u64);
}

/* read-only buffer: nothing ready → 0 (no copy, no fault) */
TEST_F(wait, readonly_buffer_nothing_ready)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(ro != MAP_FAILED);
	EXPECT_EQ(0, B->wait(self->ep, ro, 8, 0));
	munmap(ro, 4096);
}

/* read-only buffer, event ready → EFAULT; the event stays ready */
TEST_F(wait, readonly_buffer_event_ready_efault)
{
	struct epoll_event ev = { 0 };
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(ro != MAP_FAILED);
	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 7));
	EXPECT_ERR(EFAULT, B->wait(self->ep, ro, 8, 0));
	EXPECT_ERR(EFAULT, B->pwait(self->ep, ro, 8, 0, NULL));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(7, ev.data.u64);
	munmap(ro, 4096);
}

/* ET item whose copy faults is put back: next wait still reports it */
TEST_F(wait, efault_keeps_et_item_ready)
{
	struct epoll_event ev = { 0 };

	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 8));
	EXPECT_ERR(EFAULT, B->wait(self->ep, NULL, 1, 0));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
	EXPECT_EQ(8, ev.data.u64);
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 0));
}

/* ONESHOT item whose copy faults stays armed: next wait reports it once */
TEST_F(wait, efault_keeps_oneshot_armed)
{
	struct epoll_event ev = { 0 };

	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLONESHOT, 9));
	EXPECT_ERR(EFAULT, B->wait(self->ep, NULL, 1, 0));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
	EXPECT_EQ(9, ev.data.u64);
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 0));
}

/*
 * a, b, c ready; buffer slot 0 good, slot 1 straddles a PROT_NONE page:
 * returns 1 (no EFAULT once something was delivered); b is put back first:
 * the next harvest is b, c, a.
 */
TEST_F(wait, partial_copy_fault_returns_delivered)
{
	int q[3][2];
	struct epoll_event out[3];
	char *g = guarded_boundary();
	struct epoll_event *buf;

	ASSERT_TRUE(g != NULL);
	buf = (struct epoll_event *)(g - sizeof(struct epoll_event) - 4);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(0, ready_pipe(B, self->ep, q[i], 'a' + i));
	}
	ASSERT_EQ(1, B->wait(self->ep, buf, 3, 0));
	EXPECT_EQ('a', buf[0].data.u64);
	ASSERT_EQ(3, B->wait(self->ep, out, 3, 0));
	EXPECT_EQ('b', out[0].data.u64);
	EXPECT_EQ('c', out[1].data.u64);
	EXPECT_EQ('a', out[2].data.u64);
}

/* only the returned slots are written: the rest of the buffer is untouched */
TEST_F(wait, only_returned_slots_written)
{
	struct epoll_event out[4];

	memset(out, 0xa5, sizeof(out));
	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 0x1234));
	ASSERT_EQ(1, B->wait(self->ep, out, 4, 0));
	EXPECT_EQ(EPOLLIN, out[0].events);
	EXPECT_EQ(0x1234, out[0].data.u64);
	for (int i = 1; i < 4; i++) {
		EXPECT_EQ(0xa5a5a5a5u, out[i].events);
		EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, out[i].data.u64);
	}
}

/* ---- epfd -------------------------------------------------------------------------- */

/* epfd -1, closed, INT_MAX → EBADF for wait, pwait, pwait2 */
TEST_F(wait, ebadf_epfd)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 0 };
	int c = dup(0);

	close(c);
	int bad[] = { -1, c, INT_MAX };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_ERR(EBADF, B->wait(bad[i], &ev, 1, 0));
		EXPECT_ERR(EBADF, B->pwait(bad[i], &ev, 1, 0, NULL));
		EXPECT_ERR(EBADF, B->pwait2(bad[i], &ev, 1, &ts, NULL));
	}
}

/* epfd a pipe, an eventfd, a regular file → EINVAL */
TEST_F(wait, einval_epfd_not_instance)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 0 };
	char name[] = "/tmp/ep2waitXXXXXX";
	int f = mkstemp(name), e = eventfd(1, EFD_CLOEXEC);

	ASSERT_GE(f, 0);
	ASSERT_GE(e, 0);
	unlink(name);
	int bad[] = { self->p[0], self->p[1], e, f };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_ERR(EINVAL, B->wait(bad[i], &ev, 1, 0));
		EXPECT_ERR(EINVAL, B->pwait(bad[i], &ev, 1, 0, NULL));
		EXPECT_ERR(EINVAL, B->pwait2(bad[i], &ev, 1, &ts, NULL));
	}
	close(f);
	close(e);
}

/* epfd an instance of the other backend → EINVAL */
TEST_F(wait, einval_epfd_other_backend)
{
	struct epoll_event ev;
	int o = other_backend(B)->create1(EPOLL_CLOEXEC);

	ASSERT_GE(o, 0);
	EXPECT_ERR(EINVAL, B->wait(o, &ev, 1, 0));
	close(o);
}

/* an O_PATH fd of the instance → EBADF */
TEST_F(wait, ebadf_opath_epfd)
{
	struct epoll_event ev;
	char path[64];
	int o;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->ep);
	o = open(path, O_PATH | O_CLOEXEC);
	ASSERT_GE(o, 0);
	EXPECT_ERR(EBADF, B->wait(o, &ev, 1, 0));
	close(o);
}

/* ---- timeouts ------------------------------------------------------------------------ */

/* timeout 0, nothing ready → 0 at once */
TEST_F(wait, timeout_zero_empty)
{
	struct epoll_event ev;
	long long t0 = now_ns();

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 0));
	EXPECT_EQ(0, B->pwait(self->ep, &ev, 1, 0, NULL));
	EXPECT_LT(elapsed_ms(t0), SLOW_MS);
}

/* timeout 0, one ready → 1 */
TEST_F(wait, timeout_zero_ready)
{
	struct epoll_event ev = { 0 };

	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 3));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(3, ev.data.u64);
}

/* timeout -1 blocks until a thread writes (100 ms later) */
TEST_F(wait, timeout_infinite_until_event)
{
	struct epoll_event ev = { 0 };
	struct delayed d;
	long long t0 = now_ns();

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 4));
	ASSERT_EQ(0, delayed_write(&d, self->p[1], 100));
	EXPECT_EQ(1, B->wait(self->ep, &ev, 1, -1));
	EXPECT_GE(elapsed_ms(t0), 100);
	EXPECT_EQ(4, ev.data.u64);
	delayed_join(&d);
}

/* any negative timeout (-1000, INT_MIN) means forever, not EINVAL */
TEST_F(wait, timeout_negative_is_infinite)
{
	struct epoll_event ev = { 0 };
	struct delayed d;
	uint64_t v;
	long long t0;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 5));
	t0 = now_ns();
	ASSERT_EQ(0, delayed_write(&d, self->p[1], 100));
	EXPECT_EQ(1, B->wait(self->ep, &ev, 1, -1000));
	EXPECT_GE(elapsed_ms(t0), 100);
	delayed_join(&d);
	ASSERT_EQ(8, read(self->p[0], &v, sizeof(v)));
	t0 = now_ns();
	ASSERT_EQ(0, delayed_write(&d, self->p[1], 100));
	EXPECT_EQ(1, B->pwait(self->ep, &ev, 1, INT_MIN, NULL));
	EXPECT_GE(elapsed_ms(t0), 100);
	delayed_join(&d);
}

/* positive timeout, nothing happens: 0 after at least the timeout */
TEST_F(wait, timeout_positive_expires)
{
	struct epoll_event ev;
	long long t0 = now_ns(), ms;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 200));
	ms = elapsed_ms(t0);
	EXPECT_GE(ms, 200);
	EXPECT_LT(ms, 200 + SLOW_MS);
}

/* positive timeout, event after 100 ms of a 20 s timeout → returns 1 early */
TEST_F(wait, timeout_positive_event_returns_early)
{
	struct epoll_event ev = { 0 };
	struct delayed d;
	long long t0 = now_ns(), ms;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 6));
	ASSERT_EQ(0, delayed_write(&d, self->p[1], 100));
	EXPECT_EQ(1, B->wait(self->ep, &ev, 1, 20000));
	ms = elapsed_ms(t0);
	EXPECT_GE(ms, 100);
	EXPECT_LT(ms, 15000);
	delayed_join(&d);
}

/* an event ready up front with timeout INT_MAX → 1 immediately */
TEST_F(wait, timeout_huge_ready_immediately)
{
	struct epoll_event ev = { 0 };

	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 1));
	EXPECT_EQ(1, B->wait(self->ep, &ev, 1, INT_MAX));
}

/* pwait2 NULL timeout blocks until the event */
TEST_F(wait, pwait2_null_timeout_blocks)
{
	struct epoll_event ev = { 0 };
	struct delayed d;
	long long t0 = now_ns();

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 7));
	ASSERT_EQ(0, delayed_write(&d, self->p[1], 100));
	EXPECT_EQ(1, B->pwait2(self->ep, &ev, 1, NULL, NULL));
	EXPECT_GE(elapsed_ms(t0), 100);
	EXPECT_EQ(7, ev.data.u64);
	delayed_join(&d);
}

/* pwait2 {0,0} never blocks; reports what is ready */
TEST_F(wait, pwait2_zero_timeout)
{
	struct epoll_event ev = { 0 };
	struct timespec ts = { 0, 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 8));
	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &ts, NULL));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, B->pwait2(self->ep, &ev, 1, &ts, NULL));
	EXPECT_EQ(8, ev.data.u64);
}

/* pwait2 {0, 200 ms}: 0 after at least 200 ms */
TEST_F(wait, pwait2_positive_timeout)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 200 * 1000000L };
	long long t0 = now_ns(), ms;

	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &ts, NULL));
	ms = elapsed_ms(t0);
	EXPECT_GE(ms, 200);
	EXPECT_LT(ms, 200 + SLOW_MS);
	/* the caller's timespec is not written back */
	EXPECT_EQ(0, ts.tv_sec);
	EXPECT_EQ(200 * 1000000L, ts.tv_nsec);
}

/* pwait2 1 ns timeout → 0 quickly */
TEST_F(wait, pwait2_one_ns_timeout)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 1 };
	long long t0 = now_ns();

	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &ts, NULL));
	EXPECT_LT(elapsed_ms(t0), SLOW_MS);
}

/* pwait2 {TIME_T_MAX, 999999999} is valid (saturates): ready → 1 */
TEST_F(wait, pwait2_max_timespec_valid)
{
	struct epoll_event ev = { 0 };
	struct timespec ts = { TIME_T_MAX, 999999999 };

	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 9));
	EXPECT_EQ(1, B->pwait2(self->ep, &ev, 1, &ts, NULL));
	EXPECT_EQ(9, ev.data.u64);
}

/* pwait2 with tv_nsec ≥ 1e9, tv_nsec < 0, tv_sec < 0 → EINVAL */
TEST_F(wait, pwait2_invalid_timespec_einval)
{
	struct epoll_event ev;
	struct timespec bad[] = {
		{ 0, 1000000000L }, { 1, 1000000000L }, { 0, -1 }, { -1, 0 }, { -1, 500 },
		{ TIME_T_MIN, 0 },
	};

	ASSERT_EQ(0, ready_pipe(B, self->ep, self->p, 1));
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_ERR(EINVAL, B->pwait2(self->ep, &ev, 1, &bad[i], NULL));
	/* the event was not consumed by the failed calls (LT anyway: still there) */
	EXPECT_EQ(1, B->wait(self->ep, &ev, 1, 0));
}

/* the timespec is checked first: invalid → EINVAL even with a bad epfd/buffer */
TEST_F(wait, pwait2_timespec_checked_first)
{
	struct timespec bad = { 0, 1000000000L };

	EXPECT_ERR(EINVAL, B->pwait2(-1, NULL, 1, &bad, NULL));
	EXPECT_ERR(EINVAL, B->pwait2(self->ep, KERNEL_PTR, 1, &bad, NULL));
}

/*
 * pwait2 with a timespec pointer the kernel must fault on.  Where struct
 * timespec is the kernel's 64-bit one the wrappers pass the pointer through;
 * a 32-bit libc (and libeventpoll2) would read it to convert it, so there
 * the 64-bit timespec goes to the kernel directly (syscall / ioctl).
 */
static int pwait2_ts_ptr(const struct backend *b, int ep, struct epoll_event *evs, int max,
			 const void *ts)
{
	if (sizeof(struct timespec) == sizeof(struct __kernel_timespec))
		return b->pwait2(ep, evs, max, ts, NULL);
	return raw_pwait2(b, ep, evs, max, ts, NULL, 8);
}

/* pwait2 bad timespec pointer → EFAULT, before maxevents and epfd checks */
TEST_F(wait, pwait2_bad_timespec_pointer_efault)
{
	struct epoll_event ev;
	void *unm = unmapped_page();

	ASSERT_TRUE(unm != NULL);
	EXPECT_ERR(EFAULT, pwait2_ts_ptr(B, self->ep, &ev, 1, (void *)8));
	EXPECT_ERR(EFAULT, pwait2_ts_ptr(B, self->ep, &ev, 1, unm));
	EXPECT_ERR(EFAULT, pwait2_ts_ptr(B, -1, &ev, 1, unm));
	EXPECT_ERR(EFAULT, pwait2_ts_ptr(B, self->ep, &ev, 0, unm));
}

/* pwait2 timespec straddling a PROT_NONE page → EFAULT */
TEST_F(wait, pwait2_timespec_straddles_guard)
{
	struct epoll_event ev;
	char *g = guarded_boundary();

	ASSERT_TRUE(g != NULL);
	EXPECT_ERR(EFAULT, pwait2_ts_ptr(B, self->ep, &ev, 1, g - 8));
}

/* ---- deadline loop: an empty harvest does not end the wait ------------------------------- */

/* p0 queued ready then drained before the wait: timeout 200 → 0, but only after 200 ms */
TEST_F(wait, stale_ready_item_keeps_waiting)
{
	struct epoll_event ev;
	long long t0;
	char c;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	ASSERT_EQ(1, write1(self->p[1]));	/* callback queues the item */
	ASSERT_EQ(1, read(self->p[0], &c, 1));	/* ...which is no longer ready */
	t0 = now_ns();
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 200));
	EXPECT_GE(elapsed_ms(t0), 200);
}

/* stale item, infinite wait: does not return 0; returns the later real event */
TEST_F(wait, stale_ready_item_infinite_wait)
{
	struct epoll_event ev = { 0 };
	struct delayed d;
	long long t0;
	char c;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0x51));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	t0 = now_ns();
	ASSERT_EQ(0, delayed_write(&d, self->p[1], 150));
	EXPECT_EQ(1, B->wait(self->ep, &ev, 1, -1));
	EXPECT_GE(elapsed_ms(t0), 150);
	EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0x51, ev.data.u64);
	delayed_join(&d);
}

/* stale item, positive timeout, real event later: returns it (not 0) */
TEST_F(wait, stale_ready_item_then_event_within_timeout)
{
	struct epoll_event ev = { 0 };
	struct delayed d;
	char c;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 0x52));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	ASSERT_EQ(0, delayed_write(&d, self->p[1], 100));
	EXPECT_EQ(1, B->wait(self->ep, &ev, 1, 20000));
	EXPECT_EQ(0x52, ev.data.u64);
	delayed_join(&d);
}

/* stale item, timeout 0 → 0 at once */
TEST_F(wait, stale_ready_item_timeout_zero)
{
	struct epoll_event ev;
	char c;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 0));
}

/* pwait2 with a stale item and a 200 ms timespec → 0 after ≥ 200 ms */
TEST_F(wait, stale_ready_item_pwait2_deadline)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 200 * 1000000L };
	long long t0;
	char c;

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0));
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	t0 = now_ns();
	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &ts, NULL));
	EXPECT_GE(elapsed_ms(t0), 200);
}

/* ---- maxevents < ready count ------------------------------------------------------- */

/* LT a, b, c ready; maxevents 1 → a, b, c, a, ... (re-queued at the tail) */
TEST_F(wait, lt_round_robin_maxevents_one)
{
	int q[3][2];
	struct epoll_event ev;
	const char want[] = "abcabca";

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(0, ready_pipe(B, self->ep, q[i], 'a' + i));
	}
	for (int i = 0; want[i]; i++) {
		ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 0));
		EXPECT_EQ(want[i], ev.data.u64);
	}
}

/* LT a, b, c ready; maxevents 2 → [a b], [c a], [b c] */
TEST_F(wait, lt_round_robin_maxevents_two)
{
	int q[3][2];
	struct epoll_event ev[2];
	const char *want[] = { "ab", "ca", "bc" };

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(0, ready_pipe(B, self->ep, q[i], 'a' + i));
	}
	for (int r = 0; r < 3; r++) {
		ASSERT_EQ(2, B->wait(self->ep, ev, 2, 0));
		EXPECT_EQ(want[r][0], ev[0].data.u64);
		EXPECT_EQ(want[r][1], ev[1].data.u64);
	}
}

/* ET a, b, c ready; maxevents 2 → [a b], then [c], then nothing */
TEST_F(wait, et_rest_next_time)
{
	int q[3][2];
	struct epoll_event ev[2];

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(1, write1(q[i][1]));
		ASSERT_EQ(0, ev_add(B, self->ep, q[i][0], EPOLLIN | EPOLLET, 'a' + i));
	}
	ASSERT_EQ(2, B->wait(self->ep, ev, 2, 0));
	EXPECT_EQ('a', ev[0].data.u64);
	EXPECT_EQ('b', ev[1].data.u64);
	ASSERT_EQ(1, B->wait(self->ep, ev, 2, 0));
	EXPECT_EQ('c', ev[0].data.u64);
	EXPECT_EQ(0, B->wait(self->ep, ev, 2, 0));
}

/* ready order is the order items became ready, not insertion order */
TEST_F(wait, ready_order_follows_readiness)
{
	int q[3][2];
	struct epoll_event ev[3];

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(0, ev_add(B, self->ep, q[i][0], EPOLLIN | EPOLLET, 'a' + i));
	}
	ASSERT_EQ(1, write1(q[2][1]));
	ASSERT_EQ(1, write1(q[0][1]));
	ASSERT_EQ(1, write1(q[1][1]));
	ASSERT_EQ(3, B->wait(self->ep, ev, 3, 0));
	EXPECT_EQ('c', ev[0].data.u64);
	EXPECT_EQ('a', ev[1].data.u64);
	EXPECT_EQ('b', ev[2].data.u64);
}

/* 64 LT items ready, maxevents 10: each wait returns 10, all 64 seen within 7 waits */
TEST_F(wait, many_ready_small_batches)
{
	int q[64][2];
	struct epoll_event ev[10];
	unsigned long long seen = 0;

	for (int i = 0; i < 64; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(0, ready_pipe(B, self->ep, q[i], i));
	}
	for (int r = 0; r < 7; r++) {
		int n = B->wait(self->ep, ev, 10, 0);

		ASSERT_EQ(10, n);
		for (int i = 0; i < n; i++)
			seen |= 1ULL << ev[i].data.u64;
	}
	EXPECT_EQ(~0ULL, seen);
	for (int i = 0; i < 64; i++) {
		close(q[i][0]);
		close(q[i][1]);
	}
}

/* ---- several waiters ----------------------------------------------------------------- */

struct wait_thread {
	const struct backend *b;
	int ep;
	int ret;
	int timeout;
	struct epoll_event ev;
	pthread_t thr;
};

static void *wait_thread_fn(void *arg)
{
	struct wait_thread *w = arg;

	w->ret = w->b->wait(w->ep, &w->ev, 1, w->timeout ? w->timeout : 10000);
	return NULL;
}

/* two threads blocked on e0 (maxevents 1); two ET items become ready → both return 1 */
TEST_F(wait, two_waiters_two_events)
{
	struct wait_thread w[2] = { 0 };
	int q[2];

	ASSERT_EQ(0, pipe2(q, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(B, self->ep, q[0], EPOLLIN | EPOLLET, 2));
	for (int i = 0; i < 2; i++) {
		w[i].b = B;
		w[i].ep = self->ep;
		w[i].ret = -2;
		ASSERT_EQ(0, pthread_create(&w[i].thr, NULL, wait_thread_fn, &w[i]));
	}
	sleep_ms(200);
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, write1(q[1]));
	for (int i = 0; i < 2; i++)
		pthread_join(w[i].thr, NULL);
	EXPECT_EQ(1, w[0].ret);
	EXPECT_EQ(1, w[1].ret);
	EXPECT_EQ(3, w[0].ev.data.u64 | w[1].ev.data.u64);
	close(q[0]);
	close(q[1]);
}

/* a thread blocked in wait(-1) is woken when another thread ADDs a ready fd */
TEST_F(wait, add_of_ready_fd_wakes_waiter)
{
	struct wait_thread w = { .b = B, .ep = self->ep, .ret = -2 };

	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, pthread_create(&w.thr, NULL, wait_thread_fn, &w));
	sleep_ms(100);
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0x77));
	pthread_join(w.thr, NULL);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(0x77, w.ev.data.u64);
}

/* a thread blocked in wait is woken when MOD makes a present item match */
TEST_F(wait, mod_to_matching_mask_wakes_waiter)
{
	struct wait_thread w = { .b = B, .ep = self->ep, .ret = -2 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[1], EPOLLIN, 1));	/* write end: never IN */
	ASSERT_EQ(0, pthread_create(&w.thr, NULL, wait_thread_fn, &w));
	sleep_ms(100);
	ASSERT_EQ(0, ev_mod(B, self->ep, self->p[1], EPOLLOUT, 0x78));
	pthread_join(w.thr, NULL);
	EXPECT_EQ(1, w.ret);
	EXPECT_EQ(EPOLLOUT, w.ev.events);
	EXPECT_EQ(0x78, w.ev.data.u64);
}

/* ET item ready; two threads blocked on e0: the edge wakes one; the other times out (0) */
TEST_F(wait, et_edge_wakes_one_waiter)
{
	struct wait_thread w[2] = { 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 1));
	for (int i = 0; i < 2; i++) {
		w[i].b = B;
		w[i].ep = self->ep;
		w[i].ret = -2;
		w[i].timeout = 1500;
		ASSERT_EQ(0, pthread_create(&w[i].thr, NULL, wait_thread_fn, &w[i]));
	}
	sleep_ms(300);
	ASSERT_EQ(1, write1(self->p[1]));
	for (int i = 0; i < 2; i++)
		pthread_join(w[i].thr, NULL);
	EXPECT_EQ(1, w[0].ret + w[1].ret);
	EXPECT_EQ(0, w[0].ret * w[1].ret);
}

/* LT item ready; two threads blocked: the harvest re-queues it and wakes the other: both get it */
TEST_F(wait, lt_ready_item_wakes_every_waiter)
{
	struct wait_thread w[2] = { 0 };

	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 2));
	for (int i = 0; i < 2; i++) {
		w[i].b = B;
		w[i].ep = self->ep;
		w[i].ret = -2;
		w[i].timeout = 5000;
		ASSERT_EQ(0, pthread_create(&w[i].thr, NULL, wait_thread_fn, &w[i]));
	}
	sleep_ms(300);
	ASSERT_EQ(1, write1(self->p[1]));
	for (int i = 0; i < 2; i++)
		pthread_join(w[i].thr, NULL);
	EXPECT_EQ(1, w[0].ret);
	EXPECT_EQ(1, w[1].ret);
	EXPECT_EQ(2, w[0].ev.data.u64);
	EXPECT_EQ(2, w[1].ev.data.u64);
}

/* ---- events that arrive while a harvest is copying out (stalled by userfaultfd) ---------- */

struct stall {
	int uffd;
	char *page;
	int write_fds[2];	/* written (1 byte each, -1 = none) while the copy is stalled */
	int faulted;
	pthread_t thr;
};

static void *stall_fn(void *arg)
{
	static char src[4096];
	struct stall *s = arg;
	struct pollfd pfd = { .fd = s->uffd, .events = POLLIN };
	struct uffd_msg msg;
	struct uffdio_copy c = { .dst = (unsigned long)s->page, .src = (unsigned long)src,
				 .len = 4096 };

	if (poll(&pfd, 1, 10000) != 1 || read(s->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return NULL;
	s->faulted = 1;
	for (int i = 0; i < 2; i++)
		if (s->write_fds[i] >= 0 && write1(s->write_fds[i]) != 1)
			s->faulted = -1;
	sleep_ms(20);
	ioctl(s->uffd, UFFDIO_COPY, &c);
	return NULL;
}

/* A page whose first touch blocks until a helper thread has written w0, w1. */
static int stall_setup(struct stall *s, int w0, int w1)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register r = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	memset(s, 0, sizeof(*s));
	s->write_fds[0] = w0;
	s->write_fds[1] = w1;
	s->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (s->uffd < 0 || ioctl(s->uffd, UFFDIO_API, &api))
		return -1;
	/* two pages: the first is ordinary, the second (s->page) stalls */
	s->page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->page == MAP_FAILED)
		return -1;
	s->page[0] = 0;		/* fault the first page in */
	s->page += 4096;
	r.range.start = (unsigned long)s->page;
	r.range.len = 4096;
	if (ioctl(s->uffd, UFFDIO_REGISTER, &r))
		return -1;
	return pthread_create(&s->thr, NULL, stall_fn, s);
}

/*
 * LT a, b ready, ET c idle; the copy-out of a stalls and c becomes ready
 * meanwhile: this harvest returns a, b; c was queued aside and comes first
 * next time: c, a, b.
 */
TEST_F(wait, event_during_harvest_queued_first_next_time)
{
	int q[3][2];
	struct epoll_event out[4];
	struct stall st;

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
	ASSERT_EQ(0, ready_pipe(B, self->ep, q[0], 'a'));
	ASSERT_EQ(0, ready_pipe(B, self->ep, q[1], 'b'));
	ASSERT_EQ(0, ev_add(B, self->ep, q[2][0], EPOLLIN | EPOLLET, 'c'));
	if (stall_setup(&st, q[2][1], -1))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	ASSERT_EQ(2, B->wait(self->ep, (struct epoll_event *)st.page, 2, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	EXPECT_EQ('a', ((struct epoll_event *)st.page)[0].data.u64);
	EXPECT_EQ('b', ((struct epoll_event *)st.page)[1].data.u64);
	ASSERT_EQ(3, B->wait(self->ep, out, 4, 0));
	EXPECT_EQ('c', out[0].data.u64);
	EXPECT_EQ('a', out[1].data.u64);
	EXPECT_EQ('b', out[2].data.u64);
}

/* ET a: a new edge on a while its own copy-out is stalled is not lost */
TEST_F(wait, et_edge_during_own_harvest_kept)
{
	struct epoll_event out[2];
	struct stall st;

	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN | EPOLLET, 0xa));
	if (stall_setup(&st, self->p[1], -1))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	ASSERT_EQ(1, B->wait(self->ep, (struct epoll_event *)st.page, 2, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	ASSERT_EQ(1, B->wait(self->ep, out, 2, 0));
	EXPECT_EQ(0xa, out[0].data.u64);
	EXPECT_EQ(0, B->wait(self->ep, out, 2, 0));
}

/* LT a, b: edges on both during the stalled copy-out add no duplicates: next harvest a, b */
TEST_F(wait, events_during_harvest_no_duplicates)
{
	int q[2][2];
	struct epoll_event out[4];
	struct stall st;

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(0, ready_pipe(B, self->ep, q[i], 'a' + i));
	}
	if (stall_setup(&st, q[1][1], q[0][1]))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	ASSERT_EQ(2, B->wait(self->ep, (struct epoll_event *)st.page, 2, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	ASSERT_EQ(2, B->wait(self->ep, out, 4, 0));
	EXPECT_EQ('a', out[0].data.u64);
	EXPECT_EQ('b', out[1].data.u64);
}

/* ET a, b ready; b gets a new edge while a's copy-out stalls: harvest a, b; b again next */
TEST_F(wait, et_edge_on_pending_item_during_harvest)
{
	int q[2][2];
	struct epoll_event out[4];
	struct stall st;

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(1, write1(q[i][1]));
		ASSERT_EQ(0, ev_add(B, self->ep, q[i][0], EPOLLIN | EPOLLET, 'a' + i));
	}
	if (stall_setup(&st, q[1][1], -1))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	ASSERT_EQ(2, B->wait(self->ep, (struct epoll_event *)st.page, 2, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	ASSERT_EQ(1, B->wait(self->ep, out, 4, 0));
	EXPECT_EQ('b', out[0].data.u64);
	EXPECT_EQ(0, B->wait(self->ep, out, 4, 0));
}

/* LT a, b; c then d become ready while the copy-out stalls: next harvest c, d (FIFO), then a, b */
TEST_F(wait, events_during_harvest_keep_fifo_order)
{
	int q[4][2];
	struct epoll_event out[4];
	struct stall st;

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
	ASSERT_EQ(0, ready_pipe(B, self->ep, q[0], 'a'));
	ASSERT_EQ(0, ready_pipe(B, self->ep, q[1], 'b'));
	ASSERT_EQ(0, ev_add(B, self->ep, q[2][0], EPOLLIN | EPOLLET, 'c'));
	ASSERT_EQ(0, ev_add(B, self->ep, q[3][0], EPOLLIN | EPOLLET, 'd'));
	if (stall_setup(&st, q[2][1], q[3][1]))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	ASSERT_EQ(2, B->wait(self->ep, (struct epoll_event *)st.page, 2, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	ASSERT_EQ(4, B->wait(self->ep, out, 4, 0));
	EXPECT_EQ('c', out[0].data.u64);
	EXPECT_EQ('d', out[1].data.u64);
	EXPECT_EQ('a', out[2].data.u64);
	EXPECT_EQ('b', out[3].data.u64);
}

/*
 * LT a, b, c; maxevents 1; d becomes ready while a's copy-out stalls:
 * the unharvested b, c go back first, then d, then the re-queued a.
 */
TEST_F(wait, leftovers_before_new_events_before_requeued)
{
	int q[4][2];
	struct epoll_event out[4];
	struct stall st;

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, ready_pipe(B, self->ep, q[i], 'a' + i));
	ASSERT_EQ(0, ev_add(B, self->ep, q[3][0], EPOLLIN | EPOLLET, 'd'));
	if (stall_setup(&st, q[3][1], -1))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	ASSERT_EQ(1, B->wait(self->ep, (struct epoll_event *)st.page, 1, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	EXPECT_EQ('a', ((struct epoll_event *)st.page)[0].data.u64);
	ASSERT_EQ(4, B->wait(self->ep, out, 4, 0));
	EXPECT_EQ('b', out[0].data.u64);
	EXPECT_EQ('c', out[1].data.u64);
	EXPECT_EQ('d', out[2].data.u64);
	EXPECT_EQ('a', out[3].data.u64);
}

/* ET a, b; a delivered, then a new edge on a while b's copy-out stalls: a is reported next time */
TEST_F(wait, et_edge_on_delivered_item_during_harvest)
{
	int q[2][2];
	struct epoll_event out[4], *buf;
	struct stall st;

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(1, write1(q[i][1]));
		ASSERT_EQ(0, ev_add(B, self->ep, q[i][0], EPOLLIN | EPOLLET, 'a' + i));
	}
	if (stall_setup(&st, q[0][1], -1))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	/* slot 0 in the ordinary page, slot 1 in the stalling one */
	buf = (struct epoll_event *)(st.page - sizeof(struct epoll_event));
	ASSERT_EQ(2, B->wait(self->ep, buf, 2, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	EXPECT_EQ('a', buf[0].data.u64);
	EXPECT_EQ('b', buf[1].data.u64);
	ASSERT_EQ(1, B->wait(self->ep, out, 4, 0));
	EXPECT_EQ('a', out[0].data.u64);
	EXPECT_EQ(0, B->wait(self->ep, out, 4, 0));
}

/* ONESHOT a delivered (disarmed); an edge on it during the rest of the harvest is ignored */
TEST_F(wait, oneshot_disarmed_ignores_edge_during_harvest)
{
	int q[2][2];
	struct epoll_event out[4], *buf;
	struct stall st;

	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe2(q[i], O_NONBLOCK));
		ASSERT_EQ(1, write1(q[i][1]));
		ASSERT_EQ(0, ev_add(B, self->ep, q[i][0], EPOLLIN | EPOLLET | (i ? 0 : EPOLLONESHOT),
				    'a' + i));
	}
	if (stall_setup(&st, q[0][1], -1))
		SKIP(return, "userfaultfd unavailable: %s", strerror(errno));
	buf = (struct epoll_event *)(st.page - sizeof(struct epoll_event));
	ASSERT_EQ(2, B->wait(self->ep, buf, 2, 0));
	pthread_join(st.thr, NULL);
	ASSERT_EQ(1, st.faulted);
	EXPECT_EQ(0, B->wait(self->ep, out, 4, 0));
}

/* ---- the deadline is on the monotonic clock ---------------------------------------------- */

static void *clock_jump_fn(void *arg)
{
	long long delta = *(long long *)arg;
	struct timespec ts;

	sleep_ms(50);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += delta;
	clock_settime(CLOCK_REALTIME, &ts);
	return NULL;
}

/* Jump CLOCK_REALTIME by delta s during a 400 ms wait: still 0 after ≥ 400 ms (monotonic), well before the jump */
static void realtime_jump_wait(struct __test_metadata *_metadata, const struct backend *b,
			       int ep, long long delta, int use_pwait2)
{
	struct timespec ts = { 0, 400 * 1000000L }, now;
	struct epoll_event ev;
	pthread_t thr;
	long long t0, ms;
	int r;

	clock_gettime(CLOCK_REALTIME, &now);
	if (clock_settime(CLOCK_REALTIME, &now))
		SKIP(return, "clock_settime: %s", strerror(errno));
	ASSERT_EQ(0, pthread_create(&thr, NULL, clock_jump_fn, &delta));
	t0 = now_ns();
	r = use_pwait2 ? b->pwait2(ep, &ev, 1, &ts, NULL) : b->wait(ep, &ev, 1, 400);
	ms = elapsed_ms(t0);
	pthread_join(thr, NULL);
	/* put the wall clock back */
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_sec -= delta;
	clock_settime(CLOCK_REALTIME, &now);
	EXPECT_EQ(0, r);
	EXPECT_GE(ms, 400);
	EXPECT_LT(ms, 400 + SLOW_MS);
}

/* wall clock jumps forward an hour mid-wait: the wait neither ends early nor stretches */
TEST_F(wait, timeout_ignores_realtime_jump_forward)
{
	realtime_jump_wait(_metadata, B, self->ep, 3600, 0);
}

/* wall clock jumps back an hour mid-pwait2: same */
TEST_F(wait, timeout_ignores_realtime_jump_back)
{
	realtime_jump_wait(_metadata, B, self->ep, -3600, 1);
}

TEST_HARNESS_MAIN
