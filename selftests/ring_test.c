// SPDX-License-Identifier: GPL-2.0
/*
 * ring_test.c - the ready ring (EP2_CREATE_RING): ABI and bad input, what
 * each flag means on a ring instance, coalescing against native epoll in
 * lockstep, overflow, ordering under a multi-threaded storm, a hostile
 * consumer, lifetime (munmap, close, fork, mremap, second map) and the
 * memory charge.
 *
 * Native epoll is the oracle wherever epoll defines the answer: the same
 * items and the same signal sequence on both, then one harvest each (the
 * ring harvested without a system call) must give the same events.
 */
#include "backend.h"
#include "util.h"
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "kselftest_harness.h"

static int create_raw(uint32_t flags, uint32_t entries, uint32_t reserved)
{
	struct ep2_create_args a = {
		.size = sizeof(a), .flags = flags, .ring_entries = entries, .__reserved = reserved,
	};
	int dev = ep2_device_fd();

	return dev < 0 ? -1 : ioctl(dev, EP2_IOC_CREATE, &a);
}

static long page_size(void) { return sysconf(_SC_PAGESIZE); }

/* One harvest from the ring alone; events sorted by data. */
static int ring_take(struct ep2_ring *r, struct epoll_event *evs, int max)
{
	int n = ep2_ring_harvest(r, evs, max);

	if (n > 0)
		ev_sort(evs, n);
	return n;
}

static int epoll_take(int ep, struct epoll_event *evs, int max)
{
	int n = epoll_wait(ep, evs, max, 0);

	if (n > 0)
		ev_sort(evs, n);
	return n;
}

/* ---- create and mmap: ABI and bad input ------------------------------------ */

/* flags/entries that do not go together, sizes out of range → EINVAL */
TEST(create_bad_args)
{
	struct { uint32_t flags, entries, reserved; } bad[] = {
		{ EP2_CREATE_RING, 0, 0 },		/* ring without a size */
		{ 0, 64, 0 },				/* a size without the flag */
		{ EP2_CREATE_RING, 100, 0 },		/* not a power of two */
		{ EP2_CREATE_RING, 32, 0 },		/* below the minimum */
		{ EP2_CREATE_RING, 131072, 0 },		/* above the maximum */
		{ EP2_CREATE_RING, 0x80000000u, 0 },
		{ EP2_CREATE_RING, 64, 1 },		/* reserved must be zero */
		{ EP2_CREATE_RING | 8, 64, 0 },		/* unknown flag */
		{ EP2_CREATE_RING_STRICT, 0, 0 },	/* strict without a ring */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, create_raw(bad[i].flags, bad[i].entries, bad[i].reserved)) TH_LOG("case %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
	}
	int fd = create_raw(EP2_CREATE_RING | EP2_CLOEXEC, 64, 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	fd = create_raw(EP2_CREATE_RING, EP2_RING_MAX_ENTRIES, 0);
	ASSERT_GE(fd, 0);
	close(fd);
}

/* A version-0 create struct (8 bytes) still creates a plain instance; no ring to map. */
TEST(create_ver0_and_mmap_without_ring)
{
	struct ep2_create_args a = { .size = EP2_CREATE_ARGS_SIZE_VER0, .flags = 0 };
	int fd = ioctl(ep2_device_fd(), EP2_IOC_CREATE, &a);

	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ((uintptr_t)MAP_FAILED, (uintptr_t)mmap(NULL, page_size(), PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
}

/* wrong offset, wrong size, MAP_PRIVATE, PROT_EXEC, mprotect(EXEC), mremap growth */
TEST(mmap_bad)
{
	int fd = create_raw(EP2_CREATE_RING, 1024, 0);
	long pg = page_size();
	size_t size = EP2_RING_MMAP_SIZE(1024, pg);	/* the header page + 4 */
	void *p;

	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ((uintptr_t)MAP_FAILED, (uintptr_t)mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ((uintptr_t)MAP_FAILED, (uintptr_t)mmap(NULL, size + pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ((uintptr_t)MAP_FAILED, (uintptr_t)mmap(NULL, size - pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ((uintptr_t)MAP_FAILED, (uintptr_t)mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ((uintptr_t)MAP_FAILED, (uintptr_t)mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);

	/* The header page alone, read-only: the geometry. */
	struct ep2_ring_header *h = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE((uintptr_t)MAP_FAILED, (uintptr_t)h);
	EXPECT_EQ(1024u, h->entries);
	EXPECT_EQ(1023u, h->mask);
	EXPECT_EQ((uint32_t)pg, h->entries_offset);
	EXPECT_EQ(size, h->mmap_size);
	EXPECT_EQ(0u, h->tail);
	EXPECT_EQ(0u, h->head);
	munmap(h, pg);

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE((uintptr_t)MAP_FAILED, (uintptr_t)p);
	/* Never executable, never grown. */
	errno = 0;
	EXPECT_EQ(-1, mprotect(p, size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ((uintptr_t)MAP_FAILED, (uintptr_t)mremap(p, size, size + pg, 0));
	/* Moving it is fine: the pages are the ring's. */
	void *q = mremap(p, size, size, MREMAP_MAYMOVE | MREMAP_FIXED,
			 (char *)mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ASSERT_NE((uintptr_t)MAP_FAILED, (uintptr_t)q);
	EXPECT_EQ(1024u, ((struct ep2_ring_header *)q)->entries);
	/* Nothing the kernel wrote is uninitialised: all zero but the geometry. */
	const unsigned char *b = q;
	size_t nonzero = 0;
	for (size_t i = 24; i < size; i++)
		nonzero += b[i] != 0;
	EXPECT_EQ(0u, nonzero);
	munmap(q, size);
	close(fd);
}

/* ---- semantics ------------------------------------------------------------ */

FIXTURE(ring) {
	int ep;			/* eventpoll2 with a ring */
	int nat;		/* native epoll, the oracle */
	struct ep2_ring *r;
	int efd[64];
	int n;
};
FIXTURE_SETUP(ring)
{
	self->ep = ep2_create_ring(0, 256);
	ASSERT_GE(self->ep, 0);
	self->r = ep2_ring_get(self->ep);
	ASSERT_NE((uintptr_t)NULL, (uintptr_t)self->r);
	self->nat = epoll_create1(0);
	ASSERT_GE(self->nat, 0);
	self->n = 16;
	for (int i = 0; i < self->n; i++) {
		self->efd[i] = eventfd(0, EFD_NONBLOCK);
		ASSERT_GE(self->efd[i], 0);
	}
}
FIXTURE_TEARDOWN(ring)
{
	for (int i = 0; i < self->n; i++)
		close(self->efd[i]);
	ep2_close(self->ep);
	close(self->nat);
}

static void add_both(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self, int fd,
		     unsigned events, uint64_t data)
{
	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, fd, events, data));
	ASSERT_EQ(0, ev_add(&backend_epoll, self->nat, fd, events, data));
}

/* Compare one harvest of each: the ring alone, and epoll_wait. */
static void same_harvest(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self, int expect)
{
	struct epoll_event a[64], b[64];
	int na = ring_take(self->r, a, 64), nb = epoll_take(self->nat, b, 64);

	ASSERT_EQ(nb, na);
	if (expect >= 0)
		ASSERT_EQ(expect, na);
	for (int i = 0; i < na; i++) {
		EXPECT_EQ(b[i].data.u64, a[i].data.u64) TH_LOG("event %d", i);
		EXPECT_EQ(b[i].events, a[i].events) TH_LOG("event %d data %llu", i,
			(unsigned long long)a[i].data.u64);
	}
	EXPECT_EQ(0, ep2_ring_kernel_pending(self->r));
}

/* efd0 (ET) → ring: one write, one event from the ring without a syscall */
TEST_F(ring, et_event_published)
{
	struct epoll_event ev[4];

	add_both(_metadata, self, self->efd[0], EPOLLIN | EPOLLET, 7);
	same_harvest(_metadata, self, 0);
	efd_signal(self->efd[0]);
	EXPECT_EQ(1u, ep2_ring_ready(self->r));
	same_harvest(_metadata, self, 1);
	EXPECT_EQ(0, ep2_ring_harvest(self->r, ev, 4));
	/* Polled from outside, an empty ring is not ready. */
	EXPECT_EQ(0, poll1(self->ep, POLLIN, 0));
}

/* Several signals before a harvest coalesce into one event, as on epoll */
TEST_F(ring, coalesce)
{
	add_both(_metadata, self, self->efd[0], EPOLLIN | EPOLLOUT | EPOLLET, 1);
	add_both(_metadata, self, self->efd[1], EPOLLIN | EPOLLET, 2);
	same_harvest(_metadata, self, 1);	/* efd0 is writable at ADD */
	for (int i = 0; i < 5; i++) {
		efd_signal(self->efd[0]);
		efd_signal(self->efd[1]);
	}
	EXPECT_EQ(2u, ep2_ring_ready(self->r));
	same_harvest(_metadata, self, 2);	/* IN|OUT for efd0, as epoll polls it */
	efd_signal(self->efd[1]);
	same_harvest(_metadata, self, 1);
}

/* Random ET signal/consume/ctl sequences on 16 eventfds and a pipe: ring == epoll */
TEST_F(ring, lockstep_random)
{
	int p[2];
	uint64_t seed = rng_seed(12345);

	ASSERT_EQ(0, mkpipe(p));
	for (int i = 0; i < self->n; i++)
		add_both(_metadata, self, self->efd[i], (i & 1 ? EPOLLIN | EPOLLOUT : EPOLLIN) | EPOLLET, i);
	add_both(_metadata, self, p[0], EPOLLIN | EPOLLRDHUP | EPOLLET, 100);
	same_harvest(_metadata, self, -1);
	for (int round = 0; round < 400; round++) {
		int ops = 1 + rng_next(&seed) % 6;

		for (int k = 0; k < ops; k++) {
			int i = rng_next(&seed) % self->n;

			switch (rng_next(&seed) % 7) {
			case 6:
				/*
				 * Consume before the harvest: an eventfd read wakes its
				 * queue (EPOLLOUT), so a stale entry is withdrawn and the
				 * ring still answers as epoll does (ring.hpp, STALE ENTRIES).
				 */
				drain(self->efd[i]);
				break;
			case 0: case 1: case 2:
				efd_signal(self->efd[i]);
				break;
			case 3: {
				/* a MOD on both: new mask and data */
				unsigned ev = (rng_next(&seed) & 1 ? EPOLLIN : EPOLLIN | EPOLLOUT) | EPOLLET;
				ASSERT_EQ(0, ev_mod(&backend_ep2, self->ep, self->efd[i], ev, i + 1000 * round));
				ASSERT_EQ(0, ev_mod(&backend_epoll, self->nat, self->efd[i], ev, i + 1000 * round));
				break;
			}
			case 4:
				write1(p[1]);
				break;
			case 5: {
				/* DEL and ADD back */
				ASSERT_EQ(0, ep2_ctl(self->ep, EPOLL_CTL_DEL, self->efd[i], NULL));
				ASSERT_EQ(0, epoll_ctl(self->nat, EPOLL_CTL_DEL, self->efd[i], NULL));
				add_both(_metadata, self, self->efd[i], EPOLLIN | EPOLLET, 500 + i);
				break;
			}
			}
		}
		same_harvest(_metadata, self, -1);
		/* The event loop consumes what it was told about, after the harvest. */
		if (rng_next(&seed) % 3 == 0)
			for (int i = 0; i < self->n; i++)
				drain(self->efd[i]);
	}
	close(p[0]);
	close(p[1]);
}

struct sleepy_owner {
	int ep, efd;
	volatile int ready;
};

/* Become the ring's owner, publish one event, then sleep (publication for others waits on us). */
static void *sleepy_owner_main(void *arg)
{
	struct sleepy_owner *o = arg;
	struct epoll_event ev[4];

	ep2_wait(o->ep, ev, 4, 0);
	efd_signal(o->efd);
	__atomic_store_n(&o->ready, 1, __ATOMIC_RELEASE);
	sleep_ms(1000);
	return NULL;
}

/*
 * A readiness whose publication is still pending (the owner sleeps) on an item
 * with an unclaimed entry: one wait reports the item once, as epoll does
 */
TEST_F(ring, pending_publication_coalesces)
{
	struct sleepy_owner o = { .ep = self->ep, .efd = self->efd[0] };
	struct epoll_event ev[8], nev[8];
	pthread_t t;

	add_both(_metadata, self, self->efd[0], EPOLLIN | EPOLLET, 1);
	add_both(_metadata, self, self->efd[1], EPOLLIN | EPOLLET, 2);
	ASSERT_EQ(0, pthread_create(&t, NULL, sleepy_owner_main, &o));
	while (!__atomic_load_n(&o.ready, __ATOMIC_ACQUIRE))
		sched_yield();
	sleep_ms(50);
	EXPECT_EQ(1u, ep2_ring_ready(self->r));
	efd_signal(self->efd[0]);	/* this thread is not the owner: publication waits */
	efd_signal(self->efd[1]);
	EXPECT_EQ(1, ep2_ring_kernel_pending(self->r));
	int n = ep2_wait(self->ep, ev, 8, 0);
	int m = epoll_take(self->nat, nev, 8);
	ASSERT_EQ(m, n);
	ASSERT_EQ(2, n);
	ev_sort(ev, n);
	EXPECT_EQ(1u, ev[0].data.u64);
	EXPECT_EQ(2u, ev[1].data.u64);
	EXPECT_EQ(0, ep2_wait(self->ep, ev, 8, 0));
	pthread_join(t, NULL);
	EXPECT_EQ(0, ep2_wait(self->ep, ev, 8, 0));
}

/* fdinfo: epoll's item lines, then one ring line with the kernel's view */
TEST_F(ring, fdinfo_ring_line)
{
	char buf[4096], want[128];

	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[0], EPOLLIN | EPOLLET, 1));
	efd_signal(self->efd[0]);
	ASSERT_GT(fdinfo_read(self->ep, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "ring: entries 256 tail 1 head 0 overflow 0 kernel_pending 0\n");
	EXPECT_TRUE(strstr(buf, want) != NULL) TH_LOG("%s", buf);
	EXPECT_EQ(1, fdinfo_items(self->ep));
}

/* signal, then read the eventfd before harvesting: the entry is withdrawn, as epoll drops it */
TEST_F(ring, stale_entry_withdrawn_eventfd)
{
	add_both(_metadata, self, self->efd[0], EPOLLIN | EPOLLET, 1);
	efd_signal(self->efd[0]);
	EXPECT_EQ(1u, ep2_ring_ready(self->r));
	drain(self->efd[0]);
	same_harvest(_metadata, self, 0);
	/* Still ready after a partial change: the entry is updated, not withdrawn. */
	efd_signal(self->efd[0]);
	efd_signal(self->efd[0]);
	same_harvest(_metadata, self, 1);
}

/* A pipe wakes nobody when read: its entry stays (the one difference, README) */
TEST_F(ring, stale_entry_pipe_documented)
{
	int p[2];
	struct epoll_event ev[4];

	ASSERT_EQ(0, mkpipe(p));
	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, p[0], EPOLLIN | EPOLLET, 1));
	write1(p[1]);
	drain(p[0]);
	EXPECT_EQ(1, ep2_ring_harvest(self->r, ev, 4));
	close(p[0]);
	close(p[1]);
}

/* A strict ring serves only ET items on eventfds; the rest take the kernel path */
TEST(strict_ring)
{
	int ep = ep2_create_ring(EP2_CREATE_RING_STRICT, 64), efd = eventfd(0, EFD_NONBLOCK);
	int efd2 = eventfd(0, EFD_NONBLOCK), p[2];
	struct ep2_ring *r = ep2_ring_get(ep);
	struct epoll_event ev[8];

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, mkpipe(p));
	errno = 0;
	EXPECT_EQ(-1, create_raw(EP2_CREATE_RING_STRICT, 0, 0));	/* strict without a ring */
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, p[0], EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd2, EPOLLIN | EPOLLONESHOT, 3));
	efd_signal(efd);
	EXPECT_EQ(1u, ep2_ring_ready(r));
	EXPECT_EQ(0, ep2_ring_kernel_pending(r));
	write1(p[1]);
	efd_signal(efd2);
	EXPECT_EQ(1u, ep2_ring_ready(r));		/* the pipe and the one-shot item: kernel path */
	EXPECT_EQ(1, ep2_ring_kernel_pending(r));
	drain(p[0]);					/* consumed: the kernel path drops it, as epoll */
	int n = ep2_wait(ep, ev, 8, 0);
	ASSERT_EQ(2, n);
	ev_sort(ev, n);
	EXPECT_EQ(1u, ev[0].data.u64);
	EXPECT_EQ(3u, ev[1].data.u64);
	EXPECT_EQ(0, ep2_wait(ep, ev, 8, 0));
	close(p[0]);
	close(p[1]);
	close(efd);
	close(efd2);
	ep2_close(ep);
}

/*
 * A keyed ring: the callback publishes the wakeup's key masked by the item's
 * events, ORed while unclaimed; no poll (so a bit no wakeup announced, like
 * an eventfd's standing EPOLLOUT, is not reported)
 */
TEST(keyed_ring)
{
	int ep = ep2_create_ring(EP2_CREATE_RING_KEYED, 64), efd = eventfd(0, EFD_NONBLOCK);
	int s[2];
	struct ep2_ring *r = ep2_ring_get(ep);
	struct epoll_event ev[8];

	ASSERT_GE(ep, 0);
	errno = 0;
	EXPECT_EQ(-1, create_raw(EP2_CREATE_RING | EP2_CREATE_RING_KEYED | EP2_CREATE_RING_STRICT, 64, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mksock(s));
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd, EPOLLIN | EPOLLOUT | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, s[0], EPOLLIN | EPOLLRDHUP | EPOLLET, 2));
	/* ADD of a ready item polls (the callback is not involved): EPOLLOUT of the eventfd. */
	ASSERT_EQ(1, ep2_wait(ep, ev, 8, 0));
	EXPECT_EQ(EPOLLOUT, ev[0].events);
	efd_signal(efd);
	efd_signal(efd);
	EXPECT_EQ(1u, ep2_ring_ready(r));		/* coalesced */
	EXPECT_EQ(0, ep2_ring_kernel_pending(r));
	ASSERT_EQ(1, ep2_ring_harvest(r, ev, 8));
	EXPECT_EQ(EPOLLIN, ev[0].events);		/* the key: no fresh poll, no EPOLLOUT */
	EXPECT_EQ(1u, ev[0].data.u64);
	write1(s[1]);
	shutdown(s[1], SHUT_WR);
	ASSERT_EQ(1, ep2_ring_harvest(r, ev, 8));	/* both wakeups ORed into one entry */
	EXPECT_EQ(2u, ev[0].data.u64);
	EXPECT_EQ(EPOLLIN | EPOLLRDHUP, ev[0].events & (EPOLLIN | EPOLLRDHUP));
	EXPECT_EQ(0, ep2_wait(ep, ev, 8, 0));
	/* DEL withdraws an unclaimed entry here too. */
	efd_signal(efd);
	ASSERT_EQ(0, ep2_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
	EXPECT_EQ(0, ep2_wait(ep, ev, 8, 0));
	close(s[0]);
	close(s[1]);
	close(efd);
	ep2_close(ep);
}

/* LT is served by the kernel path: every wait reports it; the ring stays empty */
TEST_F(ring, lt_kernel_path)
{
	struct epoll_event ev[4];

	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[0], EPOLLIN, 5));
	efd_signal(self->efd[0]);
	EXPECT_EQ(0u, ep2_ring_ready(self->r));
	EXPECT_EQ(1, ep2_ring_kernel_pending(self->r));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(1, ep2_wait(self->ep, ev, 4, 0));
		EXPECT_EQ(5u, ev[0].data.u64);
	}
	drain(self->efd[0]);
	EXPECT_EQ(0, ep2_wait(self->ep, ev, 4, 0));
	EXPECT_EQ(0, ep2_ring_kernel_pending(self->r));
}

/* ONESHOT is served by the ring: one event, then none until MOD re-arms */
TEST_F(ring, oneshot)
{
	add_both(_metadata, self, self->efd[0], EPOLLIN | EPOLLONESHOT, 9);
	efd_signal(self->efd[0]);
	same_harvest(_metadata, self, 1);
	efd_signal(self->efd[0]);
	same_harvest(_metadata, self, 0);
	ASSERT_EQ(0, ev_mod(&backend_ep2, self->ep, self->efd[0], EPOLLIN | EPOLLONESHOT, 10));
	ASSERT_EQ(0, ev_mod(&backend_epoll, self->nat, self->efd[0], EPOLLIN | EPOLLONESHOT, 10));
	same_harvest(_metadata, self, 1);
}

/* EPOLLWAKEUP items take the kernel path; EPOLLEXCLUSIVE items are served by the ring */
TEST_F(ring, wakeup_and_exclusive)
{
	struct epoll_event ev[4];

	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[0], EPOLLIN | EPOLLET | EPOLLWAKEUP, 1));
	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[1], EPOLLIN | EPOLLET | EPOLLEXCLUSIVE, 2));
	efd_signal(self->efd[0]);
	efd_signal(self->efd[1]);
	ASSERT_EQ(1, ep2_ring_harvest(self->r, ev, 4));
	EXPECT_EQ(2u, ev[0].data.u64);
	EXPECT_EQ(1, ep2_ring_kernel_pending(self->r));
	ASSERT_EQ(1, ep2_wait(self->ep, ev, 4, 0));
	EXPECT_EQ(1u, ev[0].data.u64);
}

/* DEL of an item with an unclaimed entry: never reported; MOD: new data */
TEST_F(ring, del_and_mod_withdraw_entry)
{
	struct epoll_event ev[4];

	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[0], EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[1], EPOLLIN | EPOLLET, 2));
	efd_signal(self->efd[0]);
	efd_signal(self->efd[1]);
	EXPECT_EQ(2u, ep2_ring_ready(self->r));
	ASSERT_EQ(0, ep2_ctl(self->ep, EPOLL_CTL_DEL, self->efd[0], NULL));
	ASSERT_EQ(0, ev_mod(&backend_ep2, self->ep, self->efd[1], EPOLLIN | EPOLLET, 22));
	ASSERT_EQ(1, ep2_wait(self->ep, ev, 4, 0));
	EXPECT_EQ(22u, ev[0].data.u64);
	EXPECT_EQ(0, ep2_wait(self->ep, ev, 4, 0));
	/* Closing the watched file removes its entry too. */
	efd_signal(self->efd[1]);
	EXPECT_EQ(1u, ep2_ring_ready(self->r));
	close(self->efd[1]);
	self->efd[1] = eventfd(0, 0);
	EXPECT_EQ(0, ep2_wait(self->ep, ev, 4, 0));
}

/* The plain wait ioctls (no library ring path) take ring entries too */
TEST_F(ring, kernel_wait_consumes_ring)
{
	struct ep2_wait_args a;
	struct epoll_event ev[8];

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[i], EPOLLIN | EPOLLET, i));
	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[4], EPOLLIN, 4));	/* LT */
	for (int i = 0; i < 5; i++)
		efd_signal(self->efd[i]);
	EXPECT_EQ(4u, ep2_ring_ready(self->r));
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.epfd = self->ep;
	a.events = (uintptr_t)ev;
	a.maxevents = 3;
	ASSERT_EQ(3, ioctl(self->ep, EP2_IOC_WAIT, &a));
	a.maxevents = 8;
	ASSERT_EQ(2, ioctl(self->ep, EP2_IOC_WAIT, &a));	/* the 4th ring entry, then the LT item */
	EXPECT_EQ(3u, ev[0].data.u64);
	EXPECT_EQ(4u, ev[1].data.u64);
	EXPECT_EQ(0u, ep2_ring_ready(self->r));
	/* A bad buffer: EFAULT, and the entry is still there. */
	efd_signal(self->efd[0]);
	a.events = (uintptr_t)unmapped_page();
	a.maxevents = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->ep, EP2_IOC_WAIT, &a));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1u, ep2_ring_ready(self->r));
}

/* A blocked waiter is woken by an event that goes to the ring */
TEST_F(ring, blocked_wait_woken)
{
	struct delayed d;
	struct epoll_event ev[4];
	long long t0 = now_ns();

	ASSERT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd[0], EPOLLIN | EPOLLET, 3));
	ASSERT_EQ(0, delayed_write(&d, self->efd[0], 50));
	ASSERT_EQ(1, ep2_wait(self->ep, ev, 4, 5000));
	EXPECT_EQ(3u, ev[0].data.u64);
	EXPECT_LT(elapsed_ms(t0), 4000);
	delayed_join(&d);
}

/* More ready items than slots: the rest waits on the kernel list, reported, never lost */
TEST(overflow_to_kernel_list)
{
	int ep = ep2_create_ring(0, 64), efd[200];
	struct ep2_ring *r = ep2_ring_get(ep);
	struct epoll_event ev[256];
	int seen[200] = { 0 };

	ASSERT_GE(ep, 0);
	for (int i = 0; i < 200; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd[i], EPOLLIN | EPOLLET, i));
	}
	for (int i = 0; i < 200; i++)
		efd_signal(efd[i]);
	EXPECT_EQ(64u, ep2_ring_ready(r));
	EXPECT_EQ(1, ep2_ring_kernel_pending(r));
	EXPECT_GT(r->hdr->overflow, 0u);
	int n = ep2_wait(ep, ev, 256, 0);
	ASSERT_EQ(200, n);
	for (int i = 0; i < n; i++)
		seen[ev[i].data.u64]++;
	for (int i = 0; i < 200; i++) {
		EXPECT_EQ(1, seen[i]) TH_LOG("item %d", i);
	}
	EXPECT_EQ(0, ep2_wait(ep, ev, 256, 0));
	EXPECT_EQ(0, ep2_ring_kernel_pending(r));
	/* And the ring works again afterwards. */
	efd_signal(efd[7]);
	ASSERT_EQ(1, ep2_ring_harvest(r, ev, 4));
	EXPECT_EQ(7u, ev[0].data.u64);
	for (int i = 0; i < 200; i++)
		close(efd[i]);
	ep2_close(ep);
}

/* ---- nesting: a ring instance polled from outside ---------------------------- */

/* ring → poll(), native epoll, another eventpoll2 instance: ready while the ring holds an entry */
TEST(polled_from_outside)
{
	int ep = ep2_create_ring(0, 64), efd = eventfd(0, EFD_NONBLOCK);
	int nat = epoll_create1(0), outer = ep2_create1(0);
	struct ep2_ring *r = ep2_ring_get(ep);
	struct epoll_event ev[4];

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ev_add(&backend_epoll, nat, ep, EPOLLIN | EPOLLET, 2));
	ASSERT_EQ(0, ev_add(&backend_ep2, outer, ep, EPOLLIN | EPOLLET, 3));
	EXPECT_EQ(0, poll1(ep, POLLIN, 0));
	EXPECT_EQ(0, epoll_wait(nat, ev, 4, 0));
	EXPECT_EQ(0, ep2_wait(outer, ev, 4, 0));
	efd_signal(efd);
	EXPECT_EQ(1u, ep2_ring_ready(r));
	EXPECT_EQ(1, poll1(ep, POLLIN, 0));
	ASSERT_EQ(1, epoll_wait(nat, ev, 4, 0));
	EXPECT_EQ(2u, ev[0].data.u64);
	ASSERT_EQ(1, ep2_wait(outer, ev, 4, 0));
	EXPECT_EQ(3u, ev[0].data.u64);
	ASSERT_EQ(1, ep2_ring_harvest(r, ev, 4));
	EXPECT_EQ(0, poll1(ep, POLLIN, 0));
	close(nat);
	close(outer);
	close(efd);
	ep2_close(ep);
}

/* ---- threads: exact counts under a storm ------------------------------------------- */

#define STORM_FDS 32
struct storm {
	int ep;
	int single;		/* the harvester uses ep2_ring_harvest_single */
	struct ep2_ring *r;
	int efd[STORM_FDS];
	volatile int stop;
	long long signalled;		/* atomic */
	long long consumed;		/* atomic: eventfd counts read after events */
	long long events;		/* atomic */
	uint64_t seed;
};

static void *storm_signaller(void *arg)
{
	struct storm *s = arg;
	uint64_t seed = rng_seed(__atomic_add_fetch(&s->seed, 1, __ATOMIC_RELAXED));

	for (int i = 0; i < 20000; i++) {
		uint64_t one = 1;
		if (write(s->efd[rng_next(&seed) % STORM_FDS], &one, 8) == 8)
			__atomic_add_fetch(&s->signalled, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Harvest the ring (several threads may), sleep in the kernel when it is empty. */
static void *storm_harvester(void *arg)
{
	struct storm *s = arg;
	struct epoll_event ev[16];

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		int n = 0;

		if (s->single && !ep2_ring_kernel_pending(s->r))
			n = ep2_ring_harvest_single(s->r, ev, 16);
		if (n == 0)
			n = ep2_wait(s->ep, ev, 16, 10);

		for (int i = 0; i < n; i++) {
			uint64_t v;
			__atomic_add_fetch(&s->events, 1, __ATOMIC_RELAXED);
			if (read(s->efd[ev[i].data.u64], &v, 8) == 8)
				__atomic_add_fetch(&s->consumed, (long long)v, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void run_storm(struct __test_metadata *_metadata, int signallers, int harvesters, int single)
{
	struct storm s = { .seed = 99, .single = single };
	pthread_t sig[8], har[8];
	struct epoll_event ev[64];

	s.ep = ep2_create_ring(0, 64);
	ASSERT_GE(s.ep, 0);
	s.r = ep2_ring_get(s.ep);
	for (int i = 0; i < STORM_FDS; i++) {
		s.efd[i] = eventfd(0, EFD_NONBLOCK);
		ASSERT_EQ(0, ev_add(&backend_ep2, s.ep, s.efd[i], EPOLLIN | EPOLLET, i));
	}
	for (int i = 0; i < harvesters; i++)
		ASSERT_EQ(0, pthread_create(&har[i], NULL, storm_harvester, &s));
	for (int i = 0; i < signallers; i++)
		ASSERT_EQ(0, pthread_create(&sig[i], NULL, storm_signaller, &s));
	for (int i = 0; i < signallers; i++)
		pthread_join(sig[i], NULL);
	sleep_ms(100);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < harvesters; i++)
		pthread_join(har[i], NULL);
	/*
	 * Whatever was signalled and not yet read is still announced: one last
	 * harvest finds every eventfd with a non-zero count.
	 */
	int n = ep2_wait(s.ep, ev, 64, 0);
	for (int i = 0; i < n; i++) {
		uint64_t v;
		if (read(s.efd[ev[i].data.u64], &v, 8) == 8)
			s.consumed += (long long)v;
	}
	for (int i = 0; i < STORM_FDS; i++) {
		uint64_t v;
		int r = read(s.efd[i], &v, 8);
		EXPECT_EQ(-1, r) TH_LOG("eventfd %d still had a count no event announced", i);
	}
	EXPECT_EQ(s.signalled, s.consumed);
	EXPECT_EQ((long long)signallers * 20000, s.signalled);
	TH_LOG("%d signallers, %d harvesters: %lld signals, %lld events, ring overflow %llu",
	       signallers, harvesters, s.signalled, s.events, (unsigned long long)s.r->hdr->overflow);
	for (int i = 0; i < STORM_FDS; i++)
		close(s.efd[i]);
	ep2_close(s.ep);
}

TEST(storm_one_harvester) { run_storm(_metadata, 3, 1, 0); }
TEST(storm_three_harvesters) { run_storm(_metadata, 3, 3, 0); }
TEST(storm_single_consumer_harvest) { run_storm(_metadata, 3, 1, 1); }

/* The single-consumer harvest: same events, coalesced the same way, as epoll */
TEST_F(ring, single_consumer_lockstep)
{
	uint64_t seed = rng_seed(777);
	struct epoll_event a[64], b[64];

	for (int i = 0; i < self->n; i++)
		add_both(_metadata, self, self->efd[i], (i & 1 ? EPOLLIN | EPOLLOUT : EPOLLIN) | EPOLLET, i);
	for (int round = 0; round < 300; round++) {
		for (int k = 0, ops = 1 + rng_next(&seed) % 5; k < ops; k++) {
			int i = rng_next(&seed) % self->n;
			if (rng_next(&seed) % 4)
				efd_signal(self->efd[i]);
			else
				drain(self->efd[i]);
		}
		int na = ep2_ring_kernel_pending(self->r) ? ep2_wait(self->ep, a, 64, 0)
							 : ep2_ring_harvest_single(self->r, a, 64);
		int nb = epoll_take(self->nat, b, 64);
		ASSERT_EQ(nb, na) TH_LOG("round %d", round);
		ev_sort(a, na);
		for (int i = 0; i < na; i++) {
			EXPECT_EQ(b[i].data.u64, a[i].data.u64);
			EXPECT_EQ(b[i].events, a[i].events);
		}
	}
}

/* Harvesters that take the ring alone (no kernel entry) race each other: each entry once */
struct race {
	struct ep2_ring *r;
	volatile int stop;
	long long got[STORM_FDS];	/* atomic */
};

static void *race_harvester(void *arg)
{
	struct race *c = arg;
	struct epoll_event ev[8];

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		int n = ep2_ring_harvest(c->r, ev, 8);
		for (int i = 0; i < n; i++)
			__atomic_add_fetch(&c->got[ev[i].data.u64 % STORM_FDS], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(ring_only_harvesters_claim_once)
{
	struct race c = { 0 };
	pthread_t t[3];
	int ep = ep2_create_ring(0, 1024), efd[STORM_FDS];
	long long total = 0;

	ASSERT_GE(ep, 0);
	c.r = ep2_ring_get(ep);
	for (int i = 0; i < STORM_FDS; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd[i], EPOLLIN | EPOLLET, i));
	}
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_harvester, &c));
	/*
	 * This thread owns the ring: each write publishes before it returns.
	 * One entry at a time, so that no two signals coalesce: every entry
	 * must be claimed by exactly one harvester.
	 */
	for (int round = 0; round < 3000; round++) {
		int i = round % STORM_FDS;
		drain(efd[i]);
		efd_signal(efd[i]);
		for (long long t0 = now_ns(); ep2_ring_ready(c.r) && elapsed_ms(t0) < 5000;)
			sched_yield();
	}
	sleep_ms(50);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < STORM_FDS; i++)
		total += c.got[i];
	/* Every signal found its item harvested (drain + signal = a new edge): one each. */
	EXPECT_EQ(3000, total);
	EXPECT_EQ(0u, ep2_ring_ready(c.r));
	for (int i = 0; i < STORM_FDS; i++)
		close(efd[i]);
	ep2_close(ep);
}

/* ---- hostile userspace ------------------------------------------------------------ */

struct scribble {
	struct ep2_ring *r;
	volatile int stop;
};

static void *scribbler(void *arg)
{
	struct scribble *s = arg;
	uint64_t seed = rng_seed(7);
	uint32_t *w = (uint32_t *)s->r->hdr;
	size_t words = s->r->size / 4;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		for (int i = 0; i < 256; i++)
			w[rng_next(&seed) % words] = (uint32_t)rng_next(&seed);
	return NULL;
}

/* Random bytes over the whole mapping while events flow: no splat, no hang; then it recovers */
TEST(hostile_scribble)
{
	struct scribble s = { 0 };
	pthread_t t;
	int ep = ep2_create_ring(0, 64), efd[8];
	struct epoll_event ev[16];

	ASSERT_GE(ep, 0);
	s.r = ep2_ring_get(ep);
	for (int i = 0; i < 8; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd[i], EPOLLIN | EPOLLET, i));
	}
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd[0], EPOLLIN, 99) == 0 ? -1 : 0);	/* EEXIST */
	ASSERT_EQ(0, pthread_create(&t, NULL, scribbler, &s));
	long long t0 = now_ns();
	int waits = 0;
	while (elapsed_ms(t0) < 1500) {
		for (int i = 0; i < 8; i++) {
			drain(efd[i]);
			efd_signal(efd[i]);
		}
		/* Garbled events are this process's own business; the calls must return. */
		(void)ep2_ring_harvest(s.r, ev, 16);
		if (ep2_wait(ep, ev, 16, 1) >= 0)
			waits++;
		(void)poll1(ep, POLLIN, 0);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	EXPECT_GT(waits, 0);
	/* Put the consumer index back where the kernel's tail is: the ring works again. */
	__atomic_store_n(&s.r->hdr->head, __atomic_load_n(&s.r->hdr->tail, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	memset(s.r->entries, 0, s.r->nentries * sizeof(*s.r->entries));
	while (ep2_wait(ep, ev, 16, 0) > 0)
		;
	for (int i = 0; i < 8; i++)
		drain(efd[i]);
	efd_signal(efd[3]);
	ASSERT_EQ(1, ep2_wait(ep, ev, 16, 0));
	EXPECT_EQ(3u, ev[0].data.u64);
	EXPECT_EQ(EPOLLIN, ev[0].events);
	for (int i = 0; i < 8; i++)
		close(efd[i]);
	ep2_close(ep);
}

/* ---- lifetime ------------------------------------------------------------------ */

/* munmap while events flow; the instance keeps working through the wait ioctls */
TEST(munmap_while_flowing)
{
	int ep = ep2_create_ring(0, 64), efd = eventfd(0, EFD_NONBLOCK);
	struct ep2_ring ring, *r = ep2_ring_get(ep);
	struct epoll_event ev[4];

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd, EPOLLIN | EPOLLET, 1));
	ASSERT_EQ(0, ep2_ring_map(ep, &ring));	/* a second mapping of the same pages */
	efd_signal(efd);
	EXPECT_EQ(1u, ep2_ring_ready(&ring));
	EXPECT_EQ(ring.hdr->tail, r->hdr->tail);
	ep2_ring_unmap(r);			/* the library's mapping goes */
	efd_signal(efd);
	ASSERT_EQ(1, ep2_ring_harvest(&ring, ev, 4));
	ep2_ring_unmap(&ring);			/* all mappings gone */
	drain(efd);
	efd_signal(efd);
	struct ep2_wait_args a = { .size = sizeof(a), .epfd = ep, .events = (uintptr_t)ev, .maxevents = 4 };
	ASSERT_EQ(1, ioctl(ep, EP2_IOC_WAIT, &a));
	close(efd);
	close(ep);
}

/* close the fd with the mapping alive: the instance lives on until munmap */
TEST(close_with_mapping_alive)
{
	int ep = ep2_create_ring(0, 64), efd = eventfd(0, EFD_NONBLOCK);
	struct ep2_ring ring;
	struct epoll_event ev[4];

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd, EPOLLIN | EPOLLET, 4));
	ASSERT_EQ(0, ep2_ring_map(ep, &ring));
	ep2_close(ep);			/* fd closed, library mapping gone; ours remains */
	efd_signal(efd);		/* published: no owner left to run it? this thread is */
	int n = ep2_ring_harvest(&ring, ev, 4);
	EXPECT_EQ(1, n);
	if (n == 1)
		EXPECT_EQ(4u, ev[0].data.u64);
	ep2_ring_unmap(&ring);		/* now the instance is released */
	close(efd);
}

/* fork: the child shares the mapping; what it claims the parent no longer sees */
TEST(fork_shares_mapping)
{
	int ep = ep2_create_ring(0, 64), efd[2];
	struct ep2_ring *r = ep2_ring_get(ep);
	struct epoll_event ev[4];
	int status;

	ASSERT_GE(ep, 0);
	for (int i = 0; i < 2; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd[i], EPOLLIN | EPOLLET, i));
	}
	efd_signal(efd[0]);
	efd_signal(efd[1]);
	ASSERT_EQ(2u, ep2_ring_ready(r));
	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int n = ep2_ring_harvest(r, ev, 1);
		_exit(n == 1 && ev[0].data.u64 == 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(1, ep2_ring_harvest(r, ev, 4));
	EXPECT_EQ(1u, ev[0].data.u64);
	for (int i = 0; i < 2; i++)
		close(efd[i]);
	ep2_close(ep);
}

/* Every way a ring goes away gives back its pages and its object: counters back to baseline */
TEST(no_leak_across_lifetimes)
{
	long rings0 = module_stat("rings"), pages0 = module_stat("ring_pages");
	long inst0 = module_stat("instances");
	struct ep2_ring ring;
	int status;

	if (rings0 < 0)
		SKIP(return, "no /sys/kernel/debug/eventpoll2/stats (debugfs not mounted)");
	for (int i = 0; i < 20; i++) {
		int ep = ep2_create_ring(0, 64 << (i % 6)), efd = eventfd(0, EFD_NONBLOCK);
		ASSERT_GE(ep, 0);
		ASSERT_EQ(0, ev_add(&backend_ep2, ep, efd, EPOLLIN | EPOLLET, i));
		efd_signal(efd);
		switch (i % 4) {
		case 0:	/* plain close, events unharvested */
			ep2_close(ep);
			break;
		case 1:	/* close with a second mapping alive, then munmap */
			ASSERT_EQ(0, ep2_ring_map(ep, &ring));
			ep2_close(ep);
			EXPECT_EQ(rings0 + 1, module_stat("rings"));
			ep2_ring_unmap(&ring);
			break;
		case 2: {	/* a child that shares it exits */
			pid_t pid = fork();
			ASSERT_GE(pid, 0);
			if (pid == 0)
				_exit(ep2_ring_harvest(ep2_ring_get(ep), (struct epoll_event[4]){}, 4) == 1 ? 0 : 1);
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			EXPECT_EQ(0, WEXITSTATUS(status));
			ep2_close(ep);
			break;
		}
		case 3:	/* the watched file closes first */
			close(efd);
			efd = -1;
			ep2_close(ep);
			break;
		}
		if (efd >= 0)
			close(efd);
	}
	/* A forked child's mapping goes with it; the RCU-deferred parts may lag a moment. */
	for (int t = 0; t < 100 && module_stat("rings") != rings0; t++)
		sleep_ms(10);
	EXPECT_EQ(rings0, module_stat("rings"));
	EXPECT_EQ(pages0, module_stat("ring_pages"));
	EXPECT_EQ(inst0, module_stat("instances"));
}

/* ---- memory charge -------------------------------------------------------------- */

/* Rings count against RLIMIT_MEMLOCK of the creating user (without CAP_IPC_LOCK) */
TEST(memlock_limit)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct rlimit rl;
		long pg = page_size();
		size_t big = EP2_RING_MMAP_SIZE(EP2_RING_MAX_ENTRIES, pg);	/* 1 MiB + a page */
		int fds[4], code = 0;

		/* Drop every capability: become nobody. */
		if (setgid(65534) || setuid(65534))
			_exit(10);
		rl.rlim_cur = rl.rlim_max = 3 * big - 1;
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(11);
		for (int i = 0; i < 2; i++) {
			fds[i] = create_raw(EP2_CREATE_RING, EP2_RING_MAX_ENTRIES, 0);
			if (fds[i] < 0)
				_exit(12 + i);
		}
		/* The third would pass the limit. */
		errno = 0;
		if (create_raw(EP2_CREATE_RING, EP2_RING_MAX_ENTRIES, 0) != -1 || errno != ENOMEM)
			code = 20;
		/* A small one still fits. */
		fds[2] = create_raw(EP2_CREATE_RING, 64, 0);
		if (fds[2] < 0)
			code = 21;
		/* Closing one gives its pages back. */
		close(fds[0]);
		fds[3] = create_raw(EP2_CREATE_RING, EP2_RING_MAX_ENTRIES, 0);
		if (fds[3] < 0)
			code = 22;
		_exit(code);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
