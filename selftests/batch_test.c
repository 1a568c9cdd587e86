// SPDX-License-Identifier: GPL-2.0
/*
 * batch_test.c - batched ctl (EP2_IOC_CTL_BATCH), ctl + wait in one call
 * (EP2_IOC_CTL_WAIT) and min-wait batching (wait args version 1).
 *
 * Native epoll is the oracle for every change: the same changes applied one
 * by one with epoll_ctl() on a native instance and as batches on eventpoll2
 * must give the same errno per change and the same interest set (the events
 * a harvest returns after every watched file is made ready).  Also: the ABI
 * (count 0, over the maximum, flags, sizes), a fault in the middle of the
 * array, results written in place, the same fd twice, ELOOP mid-batch, the
 * wait half's rules (a failed change does not block, stop-on-error, the
 * sigmask, events over the changes), races with close and with a waiter,
 * and the min-wait rule (counts and ordering, not tight times).
 */
#include "backend.h"
#include "util.h"
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/time_types.h>
#include "kselftest_harness.h"

#define CHG(o, f, ev, d) ((struct ep2_ctl_change){ .op = (o), .fd = (f), .events = (ev), .data = (d) })

static int batch_raw(int epfd, struct ep2_ctl_change *c, unsigned n, unsigned flags,
		     struct ep2_ctl_batch_args *out)
{
	struct ep2_ctl_batch_args a = {
		.size = sizeof(a), .epfd = epfd, .changes = (uintptr_t)c, .nchanges = n, .flags = flags,
	};
	int r = ioctl(ep2_device_fd(), EP2_IOC_CTL_BATCH, &a);

	if (out)
		*out = a;
	return r;
}

/* The errno of epoll_ctl(@ep, op, fd, {events, data}) as a result field. */
static int native_ctl(int ep, const struct ep2_ctl_change *c)
{
	struct epoll_event ev = { .events = c->events, .data.u64 = c->data };

	return epoll_ctl(ep, c->op, c->fd, &ev) ? -errno : 0;
}

/* One harvest, sorted by data (ep2 through the library, epoll native). */
static int harvest(const struct backend *b, int ep, struct epoll_event *evs, int max)
{
	int n = b->wait(ep, evs, max, 0);

	if (n > 0)
		ev_sort(evs, n);
	return n;
}

static int watched(int ep, int fd)
{
	unsigned ev;
	unsigned long long data;

	return fdinfo_item(ep, fd, &ev, &data) == 1;
}

/* ---- ABI: count 0, maximum, flags, sizes, the instance ----------------------- */

/* count 0: nothing happens, 0; the instance is still checked (EBADF, EINVAL) */
TEST(count_zero)
{
	struct ep2_ctl_batch_args out;
	int ep = ep2_create1(0), efd = mkefd(), nat = epoll_create1(0);

	ASSERT_GE(ep, 0);
	EXPECT_EQ(0, batch_raw(ep, NULL, 0, 0, &out));
	EXPECT_EQ(0u, out.done);
	EXPECT_EQ(0, ep2_ctl_batch(ep, NULL, 0, EP2_BATCH_STOP_ON_ERROR, NULL));
	errno = 0;
	EXPECT_EQ(-1, ep2_ctl_batch(-1, NULL, 0, 0, NULL));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, ep2_ctl_batch(efd, NULL, 0, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ep2_ctl_batch(nat, NULL, 0, 0, NULL));	/* native epoll is no instance */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, fdinfo_items(ep));
	close(ep);
	close(efd);
	close(nat);
}

/* more than EP2_CTL_BATCH_MAX: EINVAL, nothing applied; exactly the maximum works */
TEST(count_over_max)
{
	unsigned n = EP2_CTL_BATCH_MAX + 1;
	struct ep2_ctl_change *c = calloc(n, sizeof(*c));
	int ep = ep2_create1(0), efd = mkefd();

	ASSERT_NE(NULL, c);
	c[0] = CHG(EPOLL_CTL_ADD, efd, EPOLLIN, 1);
	for (unsigned i = 1; i < n; i++)
		c[i] = CHG(EPOLL_CTL_DEL, efd, 0, 0);
	errno = 0;
	EXPECT_EQ(-1, ep2_ctl_batch(ep, c, n, 0, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_FALSE(watched(ep, efd));
	errno = 0;
	EXPECT_EQ(-1, ep2_ctl_batch(ep, c, 0xffffffffu, 0, NULL));
	EXPECT_EQ(EINVAL, errno);

	/* ADD, DEL, then DEL of nothing: 1 + 1 + 4094 ENOENT */
	unsigned failed = 0;
	EXPECT_EQ(EP2_CTL_BATCH_MAX, ep2_ctl_batch(ep, c, EP2_CTL_BATCH_MAX, 0, &failed));
	EXPECT_EQ(EP2_CTL_BATCH_MAX - 2u, failed);
	EXPECT_EQ(0, c[0].result);
	EXPECT_EQ(0, c[1].result);
	EXPECT_EQ(-ENOENT, c[2].result);
	EXPECT_EQ(-ENOENT, c[EP2_CTL_BATCH_MAX - 1].result);
	EXPECT_FALSE(watched(ep, efd));
	free(c);
	close(ep);
	close(efd);
}

/* unknown flags → EINVAL; sizes as every struct: small EINVAL, non-zero tail E2BIG */
TEST(flags_and_sizes)
{
	int ep = ep2_create1(0), efd = mkefd();
	struct ep2_ctl_change c = CHG(EPOLL_CTL_ADD, efd, EPOLLIN, 1);
	unsigned char buf[64];
	struct ep2_ctl_batch_args a = {
		.size = sizeof(a), .epfd = ep, .changes = (uintptr_t)&c, .nchanges = 1,
	};

	for (unsigned f = 2; f; f <<= 1) {
		errno = 0;
		EXPECT_EQ(-1, ep2_ctl_batch(ep, &c, 1, f, NULL)) TH_LOG("flag %#x", f);
		EXPECT_EQ(EINVAL, errno);
	}
	a.size = EP2_CTL_BATCH_ARGS_SIZE_VER0 - 4;
	errno = 0;
	EXPECT_EQ(-1, ioctl(ep, EP2_IOC_CTL_BATCH, &a));
	EXPECT_EQ(EINVAL, errno);
	memset(buf, 0, sizeof(buf));
	a.size = sizeof(buf);
	memcpy(buf, &a, sizeof(a));
	buf[40] = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(ep, EP2_IOC_CTL_BATCH, buf));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_FALSE(watched(ep, efd));
	buf[40] = 0;				/* zeroed tail: accepted */
	EXPECT_EQ(1, ioctl(ep, EP2_IOC_CTL_BATCH, buf));
	EXPECT_TRUE(watched(ep, efd));
	/* done/failed are output only: garbage in is fine */
	a.size = sizeof(a);
	a.done = 77;
	a.failed = 99;
	EXPECT_EQ(1, ioctl(ep, EP2_IOC_CTL_BATCH, &a));
	EXPECT_EQ(1u, a.done);
	EXPECT_EQ(1u, a.failed);
	EXPECT_EQ(-EEXIST, c.result);
	close(ep);
	close(efd);
}

/* on an instance fd, epfd must name that instance: EINVAL as a whole */
TEST(other_instance_einval)
{
	int e1 = ep2_create1(0), e2 = ep2_create1(0), efd = mkefd();
	struct ep2_ctl_change c = CHG(EPOLL_CTL_ADD, efd, EPOLLIN, 1);
	struct ep2_ctl_batch_args a = {
		.size = sizeof(a), .epfd = e2, .changes = (uintptr_t)&c, .nchanges = 1,
	};

	errno = 0;
	EXPECT_EQ(-1, ioctl(e1, EP2_IOC_CTL_BATCH, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_FALSE(watched(e1, efd));
	EXPECT_FALSE(watched(e2, efd));
	EXPECT_EQ(1, ioctl(e2, EP2_IOC_CTL_BATCH, &a));
	EXPECT_TRUE(watched(e2, efd));
	close(e1);
	close(e2);
	close(efd);
}

/* ---- faults --------------------------------------------------------------------- */

/*
 * The array runs into a PROT_NONE page: the entries before it are applied
 * (results written), the first unreadable one and everything after are not;
 * the return is the count processed, EFAULT when that is 0.
 */
TEST(fault_in_the_middle)
{
	char *guard = guarded_boundary();
	int ep = ep2_create1(0), efd[8];

	ASSERT_NE(NULL, guard);
	for (int i = 0; i < 8; i++)
		efd[i] = mkefd();
	/* 5 whole entries below the boundary, then 3 in the guard page */
	struct ep2_ctl_change *c = (struct ep2_ctl_change *)(guard - 5 * sizeof(*c));
	for (int i = 0; i < 5; i++)
		c[i] = CHG(EPOLL_CTL_ADD, efd[i], EPOLLIN, i);
	struct ep2_ctl_batch_args out;
	EXPECT_EQ(5, batch_raw(ep, c, 8, 0, &out));
	EXPECT_EQ(5u, out.done);
	EXPECT_EQ(0u, out.failed);
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(0, c[i].result);
		EXPECT_TRUE(watched(ep, efd[i]));
	}

	/* An entry straddling the boundary is not applied: 2 whole, then half of one */
	struct ep2_ctl_change *s = (struct ep2_ctl_change *)(guard - 2 * sizeof(*c) - 12);
	s[0] = CHG(EPOLL_CTL_ADD, efd[5], EPOLLIN, 5);
	s[1] = CHG(EPOLL_CTL_ADD, efd[6], EPOLLIN, 6);
	memcpy(&s[2], &(struct ep2_ctl_change){ .op = EPOLL_CTL_ADD, .fd = efd[7], .events = EPOLLIN }, 12);
	EXPECT_EQ(2, batch_raw(ep, s, 3, 0, NULL));
	EXPECT_TRUE(watched(ep, efd[6]));
	EXPECT_FALSE(watched(ep, efd[7]));

	/* Faulting at entry 0: EFAULT, nothing done */
	errno = 0;
	EXPECT_EQ(-1, batch_raw(ep, (struct ep2_ctl_change *)guard, 1, 0, &out));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0u, out.done);
	errno = 0;
	EXPECT_EQ(-1, ep2_ctl_batch(ep, unmapped_page(), 4, 0, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* A kernel address is refused before anything is read */
	if (sizeof(void *) == 8) {
		errno = 0;
		EXPECT_EQ(-1, ep2_ctl_batch(ep, (void *)(uintptr_t)0xffff888000000000ull, 1, 0, NULL));
		EXPECT_EQ(EFAULT, errno);
	}
	EXPECT_EQ(7, fdinfo_items(ep));
	close(ep);
	for (int i = 0; i < 8; i++)
		close(efd[i]);
}

/*
 * A read-only array: the first change is applied, its result cannot be
 * written, and the call stops there (done counts it; documented).  A
 * read-only args struct is EFAULT before anything is applied.
 */
TEST(readonly_array)
{
	int ep = ep2_create1(0), a = mkefd(), b = mkefd();
	struct ep2_ctl_change *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, c);
	c[0] = CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1);
	c[1] = CHG(EPOLL_CTL_ADD, b, EPOLLIN, 2);
	ASSERT_EQ(0, mprotect(c, 4096, PROT_READ));
	EXPECT_EQ(1, batch_raw(ep, c, 2, 0, NULL));
	EXPECT_TRUE(watched(ep, a));
	EXPECT_FALSE(watched(ep, b));

	struct ep2_ctl_batch_args *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ep2_ctl_change w = CHG(EPOLL_CTL_ADD, b, EPOLLIN, 2);
	ASSERT_NE(MAP_FAILED, ro);
	*ro = (struct ep2_ctl_batch_args){ .size = sizeof(*ro), .epfd = ep,
					   .changes = (uintptr_t)&w, .nchanges = 1 };
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	errno = 0;
	EXPECT_EQ(-1, ioctl(ep, EP2_IOC_CTL_BATCH, ro));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_FALSE(watched(ep, b));
	munmap(c, 4096);
	munmap(ro, 4096);
	close(ep);
	close(a);
	close(b);
}

/* ---- per-change semantics ---------------------------------------------------------- */

/*
 * Results are written in place and never read: garbage in the result field
 * is ignored, and resubmitting the array applies it again (ADD → EEXIST).
 */
TEST(results_in_place_resubmit)
{
	int ep = ep2_create1(0), efd[3];
	struct ep2_ctl_change c[3];

	for (int i = 0; i < 3; i++) {
		efd[i] = mkefd();
		c[i] = CHG(EPOLL_CTL_ADD, efd[i], EPOLLIN, i);
		c[i].result = 12345;
	}
	EXPECT_EQ(3, ep2_ctl_batch(ep, c, 3, 0, NULL));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(0, c[i].result);
	unsigned failed;
	EXPECT_EQ(3, ep2_ctl_batch(ep, c, 3, 0, &failed));
	EXPECT_EQ(3u, failed);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(-EEXIST, c[i].result);
	/* the fields other than result are untouched */
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(EPOLL_CTL_ADD, c[i].op);
		EXPECT_EQ(efd[i], c[i].fd);
		EXPECT_EQ((unsigned long long)i, c[i].data);
	}
	close(ep);
	for (int i = 0; i < 3; i++)
		close(efd[i]);
}

/*
 * The same fd twice in one batch: applied in order, as two epoll_ctl calls.
 *   ADD x, ADD x → 0, EEXIST      ADD y, MOD y → the MOD's data wins
 *   DEL z, DEL z → ENOENT twice    ADD w, DEL w, ADD w → 0, 0, 0
 */
TEST(same_fd_twice)
{
	int ep = ep2_create1(0), nat = epoll_create1(0);
	int x = mkefd(), y = mkefd(), w = mkefd(), z = mkefd();
	struct ep2_ctl_change c[] = {
		CHG(EPOLL_CTL_ADD, x, EPOLLIN, 1), CHG(EPOLL_CTL_ADD, x, EPOLLIN, 2),
		CHG(EPOLL_CTL_ADD, y, EPOLLIN, 3), CHG(EPOLL_CTL_MOD, y, EPOLLIN, 4),
		CHG(EPOLL_CTL_DEL, z, 0, 0), CHG(EPOLL_CTL_DEL, z, 0, 0),
		CHG(EPOLL_CTL_ADD, w, EPOLLIN, 5), CHG(EPOLL_CTL_DEL, w, 0, 0),
		CHG(EPOLL_CTL_ADD, w, EPOLLIN, 6),
	};
	int want[ARRAY_SIZE(c)];

	for (unsigned i = 0; i < ARRAY_SIZE(c); i++)
		want[i] = native_ctl(nat, &c[i]);
	EXPECT_EQ((int)ARRAY_SIZE(c), ep2_ctl_batch(ep, c, ARRAY_SIZE(c), 0, NULL));
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		EXPECT_EQ(want[i], c[i].result) TH_LOG("change %u", i);
	}
	EXPECT_EQ(-EEXIST, c[1].result);
	EXPECT_EQ(-ENOENT, c[5].result);

	struct epoll_event a[8], b[8];
	efd_signal(x);
	efd_signal(y);
	efd_signal(w);
	int n = harvest(&backend_ep2, ep, a, 8);
	ASSERT_EQ(3, n);
	ASSERT_EQ(n, harvest(&backend_epoll, nat, b, 8));
	for (int i = 0; i < n; i++)
		EXPECT_EQ(b[i].data.u64, a[i].data.u64);
	EXPECT_EQ(1ull, a[0].data.u64);
	EXPECT_EQ(4ull, a[1].data.u64);
	EXPECT_EQ(6ull, a[2].data.u64);
	close(ep);
	close(nat);
	close(x);
	close(y);
	close(w);
	close(z);
}

/*
 * A change that closes a loop, mid-batch: ELOOP for it alone (as epoll),
 * the rest applied; with STOP_ON_ERROR the rest is not.
 *   e1 → e2 already;  batch on e2: ADD a, ADD e1 (ELOOP), ADD b
 */
TEST(eloop_mid_batch)
{
	for (int stop = 0; stop < 2; stop++) {
		int e1 = ep2_create1(0), e2 = ep2_create1(0), n1 = epoll_create1(0), n2 = epoll_create1(0);
		int a = mkefd(), b = mkefd();

		ASSERT_EQ(0, ev_add(&backend_ep2, e1, e2, EPOLLIN, 0));
		ASSERT_EQ(0, ev_add(&backend_epoll, n1, n2, EPOLLIN, 0));
		struct ep2_ctl_change c[] = {
			CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1), CHG(EPOLL_CTL_ADD, e1, EPOLLIN, 2),
			CHG(EPOLL_CTL_ADD, b, EPOLLIN, 3),
		};
		struct ep2_ctl_change nc[] = {
			CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1), CHG(EPOLL_CTL_ADD, n1, EPOLLIN, 2),
			CHG(EPOLL_CTL_ADD, b, EPOLLIN, 3),
		};
		unsigned failed = 0;
		EXPECT_EQ(stop ? 2 : 3, ep2_ctl_batch(e2, c, 3, stop ? EP2_BATCH_STOP_ON_ERROR : 0, &failed));
		EXPECT_EQ(1u, failed);
		EXPECT_EQ(0, c[0].result);
		EXPECT_EQ(native_ctl(n2, &nc[0]), c[0].result);
		EXPECT_EQ(-ELOOP, c[1].result);
		EXPECT_EQ(native_ctl(n2, &nc[1]), c[1].result);
		EXPECT_TRUE(watched(e2, a));
		EXPECT_FALSE(watched(e2, e1));
		EXPECT_EQ(!stop, watched(e2, b));
		close(e1);
		close(e2);
		close(n1);
		close(n2);
		close(a);
		close(b);
	}
}

/* ---- lockstep against native epoll ---------------------------------------------------- */

/*
 * Targets of the random changes.  SELF and NEST stand for each backend's
 * own instance and a nested instance of its own kind; BADFD is a closed
 * number; the regular file has no ->poll (EPERM).
 */
enum { NT_EFD = 6, NT_PIPE = 2 };
enum { T_SELF = NT_EFD + NT_PIPE, T_NEST, T_BADFD, T_FILE, NT };

struct world {
	int efd[NT_EFD];
	int pipe[NT_PIPE][2];
	int badfd, file;
	int ep2, nat, ep2_nest, nat_nest;
};

static int world_fd(const struct world *w, int t, int ep2side)
{
	if (t < NT_EFD)
		return w->efd[t];
	if (t < T_SELF)
		return w->pipe[t - NT_EFD][0];
	switch (t) {
	case T_SELF: return ep2side ? w->ep2 : w->nat;
	case T_NEST: return ep2side ? w->ep2_nest : w->nat_nest;
	case T_BADFD: return w->badfd;
	default: return w->file;
	}
}

static void world_init(struct world *w)
{
	char path[] = "/tmp/ep2batchXXXXXX";

	for (int i = 0; i < NT_EFD; i++)
		w->efd[i] = mkefd();
	for (int i = 0; i < NT_PIPE; i++) {
		mkpipe(w->pipe[i]);
		set_nonblock(w->pipe[i][0]);
	}
	w->file = mkstemp(path);
	unlink(path);
	w->ep2 = ep2_create1(0);
	w->nat = epoll_create1(0);
	w->ep2_nest = ep2_create1(0);
	w->nat_nest = epoll_create1(0);
	w->badfd = dup(0);	/* last: no later fd takes the number */
	close(w->badfd);
}

static void world_fini(struct world *w)
{
	for (int i = 0; i < NT_EFD; i++)
		close(w->efd[i]);
	for (int i = 0; i < NT_PIPE; i++) {
		close(w->pipe[i][0]);
		close(w->pipe[i][1]);
	}
	close(w->file);
	close(w->ep2);
	close(w->nat);
	close(w->ep2_nest);
	close(w->nat_nest);
}

static const unsigned ev_choices[] = {
	EPOLLIN, EPOLLIN | EPOLLET, EPOLLIN | EPOLLONESHOT, EPOLLOUT, EPOLLIN | EPOLLOUT,
	EPOLLIN | EPOLLEXCLUSIVE, EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, EPOLLIN | EPOLLRDHUP,
	EPOLLIN | EPOLLPRI | EPOLLEXCLUSIVE, 0, EPOLLIN | EPOLLWAKEUP,
};

/* Make every watched file ready, harvest both, compare, then drain. */
static int compare_harvest(struct __test_metadata *_metadata, struct world *w)
{
	struct epoll_event a[64], b[64];

	for (int i = 0; i < NT_EFD; i++)
		efd_signal(w->efd[i]);
	for (int i = 0; i < NT_PIPE; i++)
		write1(w->pipe[i][1]);
	int na = harvest(&backend_ep2, w->ep2, a, 64), nb = harvest(&backend_epoll, w->nat, b, 64);
	EXPECT_EQ(nb, na);
	if (na != nb)
		return -1;
	for (int i = 0; i < na; i++) {
		EXPECT_EQ(b[i].events, a[i].events) TH_LOG("event %d", i);
		EXPECT_EQ(b[i].data.u64, a[i].data.u64) TH_LOG("event %d", i);
	}
	for (int i = 0; i < NT_EFD; i++)
		drain(w->efd[i]);
	for (int i = 0; i < NT_PIPE; i++)
		drain(w->pipe[i][0]);
	return 0;
}

static void lockstep(struct __test_metadata *_metadata, unsigned flags, uint64_t seed, int rounds)
{
	struct world w;
	uint64_t s = rng_seed(seed);

	world_init(&w);
	for (int r = 0; r < rounds; r++) {
		struct ep2_ctl_change c[64], nc[64];
		int n = 1 + (int)rng_below(&s, 64), want[64], nat_done = n;
		static const int ops[] = { EPOLL_CTL_ADD, EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL, 0, 4 };

		for (int i = 0; i < n; i++) {
			int t = (int)rng_below(&s, rng_below(&s, 8) ? T_SELF : NT);
			int op = ops[rng_below(&s, ARRAY_SIZE(ops))];
			unsigned ev = ev_choices[rng_below(&s, ARRAY_SIZE(ev_choices))];
			uint64_t data = (uint64_t)r << 8 | (uint64_t)i;

			c[i] = CHG(op, world_fd(&w, t, 1), ev, data);
			nc[i] = CHG(op, world_fd(&w, t, 0), ev, data);
		}
		/* the oracle, one by one; with STOP, up to and including the first failure */
		for (int i = 0; i < n; i++) {
			want[i] = native_ctl(w.nat, &nc[i]);
			if (want[i] && (flags & EP2_BATCH_STOP_ON_ERROR)) {
				nat_done = i + 1;
				break;
			}
		}
		unsigned failed = 0, want_failed = 0;
		for (int i = 0; i < nat_done; i++)
			want_failed += !!want[i];
		int got = ep2_ctl_batch(w.ep2, c, n, flags, &failed);
		ASSERT_EQ(nat_done, got) TH_LOG("seed %llu round %d", (unsigned long long)seed, r);
		EXPECT_EQ(want_failed, failed);
		for (int i = 0; i < nat_done; i++) {
			ASSERT_EQ(want[i], c[i].result) TH_LOG("seed %llu round %d change %d op %d fd %d events %#x",
							       (unsigned long long)seed, r, i, c[i].op, c[i].fd, c[i].events);
		}
		EXPECT_EQ(fdinfo_items(w.nat), fdinfo_items(w.ep2));
		if (rng_below(&s, 3) == 0)
			ASSERT_EQ(0, compare_harvest(_metadata, &w)) TH_LOG("seed %llu round %d",
									     (unsigned long long)seed, r);
	}
	ASSERT_EQ(0, compare_harvest(_metadata, &w));
	world_fini(&w);
}

/* random batches vs the same changes one by one on native epoll */
TEST(lockstep_continue)
{
	for (uint64_t seed = 1; seed <= 8; seed++)
		lockstep(_metadata, 0, seed, 60);
}

TEST(lockstep_stop_on_error)
{
	for (uint64_t seed = 101; seed <= 108; seed++)
		lockstep(_metadata, EP2_BATCH_STOP_ON_ERROR, seed, 60);
}

/* ---- races ------------------------------------------------------------------------------- */

struct racer {
	int *fds;
	int n;
	volatile int stop;
};

static void *closer_main(void *arg)
{
	struct racer *r = arg;
	uint64_t s = rng_seed(7);

	while (!r->stop) {
		int i = (int)rng_below(&s, (uint32_t)r->n);
		int old = r->fds[i], nfd = mkefd();

		/* replace the file under the same number, or leave it closed a moment */
		if (rng_below(&s, 2)) {
			dup2(nfd, old);
		} else {
			close(old);
			sched_yield();
			dup2(nfd, old);
		}
		close(nfd);
	}
	return NULL;
}

/* batches while another thread closes and replaces the fds: no splat, epoll errnos only */
TEST(race_batch_vs_close)
{
	int ep = ep2_create1(0), fds[16];
	struct racer r = { .fds = fds, .n = 16 };
	pthread_t t;
	uint64_t s = rng_seed(3);

	for (int i = 0; i < 16; i++)
		fds[i] = mkefd();
	ASSERT_EQ(0, pthread_create(&t, NULL, closer_main, &r));
	for (int round = 0; round < 400; round++) {
		struct ep2_ctl_change c[32];

		for (int i = 0; i < 32; i++) {
			static const int ops[] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL };
			c[i] = CHG(ops[rng_below(&s, 3)], fds[rng_below(&s, 16)], EPOLLIN | EPOLLET, i);
		}
		ASSERT_EQ(32, ep2_ctl_batch(ep, c, 32, 0, NULL));
		for (int i = 0; i < 32; i++) {
			ASSERT_TRUE(c[i].result == 0 || c[i].result == -EBADF || c[i].result == -EEXIST ||
				    c[i].result == -ENOENT) TH_LOG("result %d", c[i].result);
		}
	}
	r.stop = 1;
	pthread_join(t, NULL);
	close(ep);
	for (int i = 0; i < 16; i++)
		close(fds[i]);
}

struct counter {
	int ep;
	volatile int stop;
	long events;
};

static void *harvester_main(void *arg)
{
	struct counter *c = arg;
	struct epoll_event evs[64];

	while (!c->stop) {
		int n = ep2_wait(c->ep, evs, 64, 20);

		for (int i = 0; i < n; i++)
			drain((int)evs[i].data.u64);
		if (n > 0)
			c->events += n;
	}
	return NULL;
}

/*
 * Batches (ADD, MOD re-arm, DEL) while another thread waits and drains:
 * every eventfd signalled while armed ONESHOT is reported at least once.
 */
TEST(race_batch_vs_wait)
{
	int ep = ep2_create1(0), fds[32];
	struct counter c = { .ep = ep };
	pthread_t t;

	for (int i = 0; i < 32; i++)
		fds[i] = mkefd();
	ASSERT_EQ(0, pthread_create(&t, NULL, harvester_main, &c));
	for (int round = 0; round < 100; round++) {
		struct ep2_ctl_change ch[32];

		for (int i = 0; i < 32; i++)
			ch[i] = CHG(round ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fds[i], EPOLLIN | EPOLLONESHOT,
				    (uint64_t)fds[i]);
		ASSERT_EQ(32, ep2_ctl_batch(ep, ch, 32, 0, NULL));
		for (int i = 0; i < 32; i++)
			ASSERT_EQ(0, ch[i].result);
		for (int i = 0; i < 32; i++)
			efd_signal(fds[i]);
		/* every item fires once per arm: wait until this round is harvested */
		for (int tries = 0; c.events < 32L * (round + 1) && tries < 5000; tries++)
			usleep(200);
		ASSERT_EQ(32L * (round + 1), c.events);
	}
	c.stop = 1;
	pthread_join(t, NULL);
	close(ep);
	for (int i = 0; i < 32; i++)
		close(fds[i]);
}

static int ctl_wait_raw(int ep, struct ep2_ctl_change *c, int n, struct epoll_event *evs, int max)
{
	struct ep2_ctl_wait_args a = {
		.changes = (uintptr_t)c, .nchanges = (uint32_t)n,
		.events = (uintptr_t)evs, .maxevents = max, .timeout_ns = MS(1000),
	};

	return ep2_ctl_wait(ep, &a);
}

struct rearm_loop {
	int ep, stop, fds[32];
	volatile int seen_stop;
	long served;
};

static void *rearm_loop_main(void *arg)
{
	struct rearm_loop *l = arg;
	struct ep2_ctl_change re[32];
	struct epoll_event evs[40];
	int nre = 0;

	while (!l->seen_stop) {
		int n = ctl_wait_raw(l->ep, re, nre, evs, 40);

		if (n < 0)
			break;
		nre = 0;
		for (int i = 0; i < n; i++) {
			int fd = (int)evs[i].data.u64;

			if (fd == l->stop) {
				l->seen_stop = 1;
				continue;
			}
			drain(fd);
			l->served++;
			re[nre++] = CHG(EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLONESHOT, (uint64_t)fd);
		}
	}
	return NULL;
}

/*
 * An echo-style loop: 32 ONESHOT eventfds re-armed through ctl + wait while
 * another thread signals them, and an LT stop eventfd: the stop is seen (an
 * LT event is never lost across the batched re-arms), every round served.
 */
TEST(ctl_wait_rearm_loop_sees_stop)
{
	struct rearm_loop l = { .ep = ep2_create1(0), .stop = mkefd() };
	pthread_t t;
	uint64_t s = rng_seed(5);

	ASSERT_EQ(0, ev_add(&backend_ep2, l.ep, l.stop, EPOLLIN, (uint64_t)l.stop));
	for (int i = 0; i < 32; i++) {
		l.fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, l.ep, l.fds[i], EPOLLIN | EPOLLONESHOT, (uint64_t)l.fds[i]));
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, rearm_loop_main, &l));
	for (int i = 0; i < 20000; i++)
		efd_signal(l.fds[rng_below(&s, 32)]);
	efd_signal(l.stop);
	for (int ms = 0; !l.seen_stop && ms < 5000; ms += 10)
		sleep_ms(10);
	EXPECT_TRUE(l.seen_stop);
	if (!l.seen_stop)
		pthread_cancel(t);
	pthread_join(t, NULL);
	EXPECT_GT(l.served, 0);
	close(l.ep);
	close(l.stop);
	for (int i = 0; i < 32; i++)
		close(l.fds[i]);
}

/* ---- ctl + wait ---------------------------------------------------------------------- */

static int ctl_wait(int ep, struct ep2_ctl_change *c, unsigned n, unsigned flags,
		    struct epoll_event *evs, int max, long long timeout_ns, struct ep2_ctl_wait_args *out)
{
	struct ep2_ctl_wait_args a = {
		.changes = (uintptr_t)c, .nchanges = n, .flags = flags,
		.events = (uintptr_t)evs, .maxevents = max, .timeout_ns = timeout_ns,
	};
	int r = ep2_ctl_wait(ep, &a);

	if (out)
		*out = a;
	return r;
}

/* changes first, then the wait sees them: ADD of a ready fd is harvested in the same call */
TEST(ctl_wait_basic)
{
	int ep = ep2_create1(0), a = mkefd(), b = mkefd();
	struct epoll_event evs[4];
	struct ep2_ctl_wait_args out;
	struct ep2_ctl_change c[] = { CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1), CHG(EPOLL_CTL_ADD, b, EPOLLIN, 2) };

	efd_signal(b);
	EXPECT_EQ(1, ctl_wait(ep, c, 2, 0, evs, 4, -1, &out));
	EXPECT_EQ(2ull, evs[0].data.u64);
	EXPECT_EQ(2u, out.done);
	EXPECT_EQ(0u, out.failed);
	/* no changes: a plain wait (poll) */
	EXPECT_EQ(1, ctl_wait(ep, NULL, 0, 0, evs, 4, 0, &out));
	EXPECT_EQ(0u, out.done);
	/* DEL in the same call: nothing left to report, the poll returns 0 */
	struct ep2_ctl_change d = CHG(EPOLL_CTL_DEL, b, 0, 0);
	EXPECT_EQ(0, ctl_wait(ep, &d, 1, 0, evs, 4, 0, NULL));
	EXPECT_EQ(0, d.result);
	close(ep);
	close(a);
	close(b);
}

/* a timeout in ns, pwait2's rules: 0 polls, > 0 waits at least that long, < 0 forever */
TEST(ctl_wait_timeout)
{
	int ep = ep2_create1(0), a = mkefd();
	struct epoll_event ev;
	struct delayed d;

	long long t0 = now_ns();
	EXPECT_EQ(0, ctl_wait(ep, NULL, 0, 0, &ev, 1, MS(60), NULL));
	EXPECT_GE(elapsed_ms(t0), 55);
	struct ep2_ctl_change c = CHG(EPOLL_CTL_ADD, a, EPOLLIN, 9);
	ASSERT_EQ(0, delayed_write(&d, a, 50));
	EXPECT_EQ(1, ctl_wait(ep, &c, 1, 0, &ev, 1, -1, NULL));
	EXPECT_EQ(9ull, ev.data.u64);
	delayed_join(&d);
	close(ep);
	close(a);
}

/*
 * A failed change never blocks: the wait becomes a non-blocking pass, so a
 * caller learns of the error at once (kqueue's rule), and what is ready is
 * still returned.  With STOP_ON_ERROR the changes after it are not applied.
 */
TEST(ctl_wait_failed_change_does_not_block)
{
	int ep = ep2_create1(0), a = mkefd(), b = mkefd(), c2 = mkefd();
	struct epoll_event evs[4];
	struct ep2_ctl_wait_args out;
	int bad = dup(0);

	close(bad);
	struct ep2_ctl_change c[] = {
		CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1), CHG(EPOLL_CTL_ADD, bad, EPOLLIN, 2),
		CHG(EPOLL_CTL_ADD, b, EPOLLIN, 3),
	};
	long long t0 = now_ns();
	EXPECT_EQ(0, ctl_wait(ep, c, 3, 0, evs, 4, -1, &out));	/* forever, yet returns */
	EXPECT_LT(elapsed_ms(t0), 2000);
	EXPECT_EQ(3u, out.done);
	EXPECT_EQ(1u, out.failed);
	EXPECT_EQ(-EBADF, c[1].result);
	EXPECT_TRUE(watched(ep, b));

	/* ready events come back with the error */
	efd_signal(a);
	struct ep2_ctl_change s[] = {
		CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1), CHG(EPOLL_CTL_ADD, c2, EPOLLIN, 4),
	};
	EXPECT_EQ(1, ctl_wait(ep, s, 2, EP2_BATCH_STOP_ON_ERROR, evs, 4, -1, &out));
	EXPECT_EQ(1ull, evs[0].data.u64);
	EXPECT_EQ(1u, out.done);
	EXPECT_EQ(1u, out.failed);
	EXPECT_EQ(-EEXIST, s[0].result);
	EXPECT_FALSE(watched(ep, c2));
	close(ep);
	close(a);
	close(b);
	close(c2);
}

/* argument errors of either half fail the whole call before any change is applied */
TEST(ctl_wait_bad_args_apply_nothing)
{
	int ep = ep2_create1(0), a = mkefd();
	struct epoll_event evs[4];
	struct ep2_ctl_change c = CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1);
	sigset_t ss;

	sigemptyset(&ss);
	for (int which = 0; which < 7; which++) {
		struct ep2_ctl_wait_args x = {
			.size = sizeof(x), .epfd = ep, .changes = (uintptr_t)&c, .nchanges = 1,
			.events = (uintptr_t)evs, .maxevents = 4,
		};
		int want = EINVAL;

		switch (which) {
		case 0: x.maxevents = 0; break;
		case 1: x.maxevents = -1; break;
		case 2: x.sigmask = (uintptr_t)&ss; x.sigsetsize = 4; break;
		case 3: x.sigmask = (uintptr_t)unmapped_page(); x.sigsetsize = 8; want = EFAULT; break;
		case 4: x.flags = 0x100; break;
		case 5: x.nchanges = EP2_CTL_BATCH_MAX + 1; break;
		default:
			if (sizeof(void *) != 8)
				continue;
			x.events = 0xffff888000000000ull;
			want = EFAULT;
			break;
		}
		errno = 0;
		EXPECT_EQ(-1, ioctl(ep, EP2_IOC_CTL_WAIT, &x)) TH_LOG("case %d", which);
		EXPECT_EQ(want, errno) TH_LOG("case %d", which);
		EXPECT_EQ(0u, x.done);
		EXPECT_FALSE(watched(ep, a)) TH_LOG("case %d", which);
	}
	close(ep);
	close(a);
}

/* a fault in the changes: EFAULT at once (no wait), done says what was applied */
TEST(ctl_wait_fault_in_changes)
{
	char *guard = guarded_boundary();
	int ep = ep2_create1(0), a = mkefd();
	struct epoll_event ev;
	struct ep2_ctl_wait_args out;

	ASSERT_NE(NULL, guard);
	struct ep2_ctl_change *c = (struct ep2_ctl_change *)(guard - sizeof(*c));
	c[0] = CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1);
	long long t0 = now_ns();
	errno = 0;
	EXPECT_EQ(-1, ctl_wait(ep, c, 3, 0, &ev, 1, -1, &out));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_LT(elapsed_ms(t0), 2000);
	EXPECT_EQ(1u, out.done);
	EXPECT_TRUE(watched(ep, a));
	close(ep);
	close(a);
}

/*
 * Events may overlap the changes: every change is read (and its result
 * written) before any event is, so the changes are applied and the events
 * then overwrite the array.
 */
TEST(ctl_wait_events_over_changes)
{
	int ep = ep2_create1(0), fds[4];
	union { struct ep2_ctl_change c[4]; struct epoll_event e[8]; } u;

	for (int i = 0; i < 4; i++) {
		fds[i] = mkefd();
		efd_signal(fds[i]);
		u.c[i] = CHG(EPOLL_CTL_ADD, fds[i], EPOLLIN, 100 + i);
	}
	int n = ctl_wait(ep, u.c, 4, 0, u.e, 8, 0, NULL);
	ASSERT_EQ(4, n);
	ev_sort(u.e, n);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(100ull + i, u.e[i].data.u64);
	EXPECT_EQ(4, fdinfo_items(ep));
	close(ep);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

/*
 * The ONESHOT re-arm loop: MOD + wait in one call gives what epoll's
 * epoll_ctl(MOD) then epoll_wait() gives, iteration by iteration.
 */
TEST(ctl_wait_oneshot_rearm_vs_epoll)
{
	int ep = ep2_create1(0), nat = epoll_create1(0), fds[8];

	for (int i = 0; i < 8; i++) {
		fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, fds[i], EPOLLIN | EPOLLONESHOT, i));
		ASSERT_EQ(0, ev_add(&backend_epoll, nat, fds[i], EPOLLIN | EPOLLONESHOT, i));
	}
	uint64_t s = rng_seed(11);
	struct ep2_ctl_change re[8];
	int nre = 0;
	for (int it = 0; it < 200; it++) {
		struct epoll_event a[8], b[8];

		for (int i = 0; i < 8; i++)
			if (rng_below(&s, 3) == 0)
				efd_signal(fds[i]);
		for (int i = 0; i < nre; i++)
			ASSERT_EQ(0, native_ctl(nat, &re[i]));
		int nb = epoll_wait(nat, b, 8, 0);
		int na = ctl_wait(ep, re, nre, 0, a, 8, 0, NULL);
		for (int i = 0; i < nre; i++)
			ASSERT_EQ(0, re[i].result);
		ASSERT_EQ(nb, na) TH_LOG("iteration %d", it);
		ev_sort(a, na);
		ev_sort(b, nb);
		nre = 0;
		for (int i = 0; i < na; i++) {
			ASSERT_EQ(b[i].data.u64, a[i].data.u64);
			drain(fds[a[i].data.u64]);
			re[nre++] = CHG(EPOLL_CTL_MOD, fds[a[i].data.u64], EPOLLIN | EPOLLONESHOT, a[i].data.u64);
		}
	}
	close(ep);
	close(nat);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
}

static void on_usr1(int sig) { (void)sig; }

/*
 * The sigmask is in force during the wait only (as pwait): SIGUSR1, blocked
 * in the thread, interrupts the wait (EINTR, the change still applied) and
 * is blocked again afterwards.
 */
TEST(ctl_wait_sigmask)
{
	int ep = ep2_create1(0), a = mkefd();
	struct epoll_event ev;
	sigset_t block, open_, now;
	struct delayed d;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &open_);
	sigdelset(&open_, SIGUSR1);
	struct ep2_ctl_change c = CHG(EPOLL_CTL_ADD, a, EPOLLIN, 1);
	struct ep2_ctl_wait_args x = {
		.changes = (uintptr_t)&c, .nchanges = 1, .events = (uintptr_t)&ev, .maxevents = 1,
		.timeout_ns = MS(5000), .sigmask = (uintptr_t)&open_,
	};
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 50));
	errno = 0;
	long long t0 = now_ns();
	EXPECT_EQ(-1, ep2_ctl_wait(ep, &x));
	EXPECT_EQ(EINTR, errno);
	EXPECT_LT(elapsed_ms(t0), 4000);
	EXPECT_EQ(1u, x.done);
	EXPECT_TRUE(watched(ep, a));
	delayed_join(&d);
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	EXPECT_TRUE(sigismember(&now, SIGUSR1));
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(ep);
	close(a);
}

/* ---- min-wait ------------------------------------------------------------------------ */

static int wait_min_raw(int ep, struct epoll_event *evs, int max, int timeout_ms,
			unsigned min_events, unsigned long long min_wait_ns)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = ep, .events = (uintptr_t)evs, .maxevents = max,
		.timeout_ms = timeout_ms, .min_events = min_events, .min_wait_ns = min_wait_ns,
	};

	return ioctl(ep, EP2_IOC_WAIT, &a);
}

struct signaller {
	pthread_t t;
	int *fds;
	int n, gap_ms, start_ms;
	long long last_ns;	/* when the last one was signalled */
};

static void *signaller_main(void *arg)
{
	struct signaller *s = arg;

	sleep_ms(s->start_ms);
	for (int i = 0; i < s->n; i++) {
		if (i)
			sleep_ms(s->gap_ms);
		if (i == s->n - 1)
			s->last_ns = now_ns();
		efd_signal(s->fds[i]);
	}
	return NULL;
}

static int signaller_start(struct signaller *s, int *fds, int n, int start_ms, int gap_ms)
{
	*s = (struct signaller){ .fds = fds, .n = n, .gap_ms = gap_ms, .start_ms = start_ms };
	return pthread_create(&s->t, NULL, signaller_main, s);
}

/* min_events: one return with all of them, only after the last arrived */
TEST(minwait_count)
{
	int ep = ep2_create1(0), fds[4];
	struct epoll_event evs[8];
	struct signaller s;

	for (int i = 0; i < 4; i++) {
		fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, fds[i], EPOLLIN | EPOLLET, i));
	}
	ASSERT_EQ(0, signaller_start(&s, fds, 4, 20, 30));
	int n = wait_min_raw(ep, evs, 8, 10000, 4, 0);
	long long t = now_ns();
	pthread_join(s.t, NULL);
	EXPECT_EQ(4, n);
	EXPECT_GE(t, s.last_ns);
	close(ep);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

/* min_wait: fewer than min_events come back once min_wait passed after the first */
TEST(minwait_time_after_first)
{
	int ep = ep2_create1(0), fds[2];
	struct epoll_event evs[8];
	struct signaller s;

	for (int i = 0; i < 2; i++) {
		fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, fds[i], EPOLLIN, i));
	}
	ASSERT_EQ(0, signaller_start(&s, fds, 2, 30, 10));
	long long t0 = now_ns();
	int n = wait_min_raw(ep, evs, 8, 20000, 8, MS(150));
	long long ms = elapsed_ms(t0);
	pthread_join(s.t, NULL);
	EXPECT_EQ(2, n);
	EXPECT_GE(ms, 150);		/* at least min_wait after the first (at >= 30 ms) */
	EXPECT_LT(ms, 15000);		/* not the timeout */
	close(ep);
	for (int i = 0; i < 2; i++)
		close(fds[i]);
}

/* the timeout bounds it: fewer than min_events at the timeout, with no min_wait */
TEST(minwait_timeout_bounds)
{
	int ep = ep2_create1(0), fds[2];
	struct epoll_event evs[8];

	for (int i = 0; i < 2; i++) {
		fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, fds[i], EPOLLIN, i));
		efd_signal(fds[i]);
	}
	long long t0 = now_ns();
	EXPECT_EQ(2, wait_min_raw(ep, evs, 8, 120, 8, 0));
	EXPECT_GE(elapsed_ms(t0), 110);
	/* a poll ignores min-wait */
	t0 = now_ns();
	EXPECT_EQ(2, wait_min_raw(ep, evs, 8, 0, 8, MS(5000)));
	EXPECT_LT(elapsed_ms(t0), 2000);
	/* nothing ready at all: a timeout of 0 events */
	drain(fds[0]);
	drain(fds[1]);
	EXPECT_EQ(0, wait_min_raw(ep, evs, 8, 50, 8, MS(10)));
	close(ep);
	for (int i = 0; i < 2; i++)
		close(fds[i]);
}

/* min_events above maxevents is maxevents; min_wait alone fills the array */
TEST(minwait_clamped_to_maxevents)
{
	int ep = ep2_create1(0), fds[3];
	struct epoll_event evs[3];

	for (int i = 0; i < 3; i++) {
		fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, fds[i], EPOLLIN, i));
		efd_signal(fds[i]);
	}
	long long t0 = now_ns();
	EXPECT_EQ(2, wait_min_raw(ep, evs, 2, 10000, 100, 0));
	EXPECT_EQ(3, wait_min_raw(ep, evs, 3, 10000, 0, MS(5000)));
	EXPECT_LT(elapsed_ms(t0), 4000);
	close(ep);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

/* an LT item is reported once per call, never counted again toward min_events */
TEST(minwait_lt_once_per_call)
{
	int ep = ep2_create1(0), a = mkefd();
	struct epoll_event evs[8];

	ASSERT_EQ(0, ev_add(&backend_ep2, ep, a, EPOLLIN, 1));
	efd_signal(a);
	EXPECT_EQ(1, wait_min_raw(ep, evs, 8, 100, 4, 0));
	EXPECT_EQ(1, wait_min_raw(ep, evs, 8, 100, 4, MS(20)));
	close(ep);
	close(a);
}

/* a signal ends a collecting wait with what is ready (not lost, not EINTR) */
TEST(minwait_signal_returns_ready)
{
	int ep = ep2_create1(0), a = mkefd();
	struct epoll_event evs[8];
	struct delayed d;

	signal(SIGUSR1, on_usr1);
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, a, EPOLLIN, 1));
	efd_signal(a);
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 50));
	EXPECT_EQ(1, wait_min_raw(ep, evs, 8, 10000, 4, 0));
	delayed_join(&d);
	/* nothing ready: EINTR, as any wait */
	drain(a);
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 50));
	errno = 0;
	EXPECT_EQ(-1, wait_min_raw(ep, evs, 8, 10000, 4, 0));
	EXPECT_EQ(EINTR, errno);
	delayed_join(&d);
	signal(SIGUSR1, SIG_DFL);
	close(ep);
	close(a);
}

/* version 0 callers (48 bytes) are plain waits; reserved1 must be 0 */
TEST(minwait_abi)
{
	int ep = ep2_create1(0), a = mkefd();
	struct epoll_event evs[8];
	struct ep2_wait_args w = {
		.size = EP2_WAIT_ARGS_SIZE_VER0, .epfd = ep, .events = (uintptr_t)evs, .maxevents = 8,
		.timeout_ms = 5000, .min_events = 8,	/* beyond size: not read */
	};

	ASSERT_EQ(0, ev_add(&backend_ep2, ep, a, EPOLLIN, 1));
	efd_signal(a);
	long long t0 = now_ns();
	EXPECT_EQ(1, ioctl(ep, EP2_IOC_WAIT, &w));
	EXPECT_LT(elapsed_ms(t0), 2000);
	w.size = sizeof(w);
	w.min_events = 0;
	w.__reserved1 = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(ep, EP2_IOC_WAIT, &w));
	EXPECT_EQ(EINVAL, errno);
	close(ep);
	close(a);
}

/* a ring instance: published ring entries count toward min_events */
TEST(minwait_counts_ring_entries)
{
	int ep = ep2_create_ring(0, 64), fds[4];
	struct epoll_event evs[8];
	struct ep2_ring *r = ep2_ring_get(ep);

	ASSERT_GE(ep, 0);
	ASSERT_NE(NULL, r);
	for (int i = 0; i < 4; i++) {
		fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, fds[i], EPOLLIN | EPOLLET, i));
		efd_signal(fds[i]);
	}
	/* published before our write() returned (we own the ring) */
	ASSERT_EQ(4u, ep2_ring_ready(r));
	long long t0 = now_ns();
	EXPECT_EQ(4, wait_min_raw(ep, evs, 8, 10000, 4, 0));
	EXPECT_LT(elapsed_ms(t0), 5000);
	EXPECT_EQ(0u, ep2_ring_ready(r));
	/* two in the ring, two more later on the kernel side: still one call of 4 */
	for (int i = 0; i < 2; i++)
		efd_signal(fds[i]);
	struct signaller s;
	ASSERT_EQ(0, signaller_start(&s, fds + 2, 2, 30, 20));
	EXPECT_EQ(4, wait_min_raw(ep, evs, 8, 10000, 4, 0));
	pthread_join(s.t, NULL);
	/* the library: ring holds enough → no system call needed, same answer */
	for (int i = 0; i < 4; i++)
		efd_signal(fds[i]);
	struct timespec ts = { 5, 0 };
	EXPECT_EQ(4, ep2_wait_min(ep, evs, 8, &ts, NULL, 4, 0));
	ep2_close(ep);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

struct mw_waiter {
	int ep, n, need;
	long nvcsw;
};

static void *mw_waiter_main(void *arg)
{
	struct mw_waiter *w = arg;
	struct epoll_event evs[64];
	struct rusage a, b;

	getrusage(RUSAGE_THREAD, &a);
	w->n = wait_min_raw(w->ep, evs, 64, 20000, w->need, 0);
	getrusage(RUSAGE_THREAD, &b);
	w->nvcsw = b.ru_nvcsw - a.ru_nvcsw;
	return NULL;
}

/*
 * The point of it: 16 events arriving one by one wake a min_events=16
 * waiter about twice (the first event opens the batch, the 16th ends it),
 * not 16 times.
 */
TEST(minwait_fewer_wakeups)
{
	int ep = ep2_create1(0), fds[16];
	struct mw_waiter w = { .ep = ep, .need = 16 };
	pthread_t t;

	for (int i = 0; i < 16; i++) {
		fds[i] = mkefd();
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, fds[i], EPOLLIN | EPOLLET, i));
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, mw_waiter_main, &w));
	sleep_ms(30);
	for (int i = 0; i < 16; i++) {
		efd_signal(fds[i]);
		sleep_ms(5);
	}
	pthread_join(t, NULL);
	EXPECT_EQ(16, w.n);
	EXPECT_LE(w.nvcsw, 6) TH_LOG("voluntary switches %ld", w.nvcsw);
	close(ep);
	for (int i = 0; i < 16; i++)
		close(fds[i]);
}

/* min-wait in the ctl + wait call: the changes, then a batched wait */
TEST(ctl_wait_with_minwait)
{
	int ep = ep2_create1(0), fds[4];
	struct epoll_event evs[8];
	struct ep2_ctl_change c[4];
	struct signaller s;

	for (int i = 0; i < 4; i++) {
		fds[i] = mkefd();
		c[i] = CHG(EPOLL_CTL_ADD, fds[i], EPOLLIN | EPOLLET, i);
	}
	ASSERT_EQ(0, signaller_start(&s, fds, 4, 30, 20));
	struct ep2_ctl_wait_args x = {
		.changes = (uintptr_t)c, .nchanges = 4, .events = (uintptr_t)evs, .maxevents = 8,
		.timeout_ns = MS(10000), .min_events = 4,
	};
	EXPECT_EQ(4, ep2_ctl_wait(ep, &x));
	long long t = now_ns();
	pthread_join(s.t, NULL);
	EXPECT_GE(t, s.last_ns);
	EXPECT_EQ(4u, x.done);
	close(ep);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
