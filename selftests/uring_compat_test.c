// SPDX-License-Identifier: GPL-2.0
/*
 * uring_compat_test.c - io_uring next to the LD_PRELOAD drop-in (issue 14,
 * part 1): a program that batches its epoll_ctl() calls through io_uring,
 * as libuv 1.45+ does, must keep working on a preloaded instance.
 *
 * io_uring's IORING_OP_EPOLL_CTL accepts only native epoll files; on an
 * eventpoll2 instance it fails with EINVAL, and libuv aborts on any error
 * but EEXIST.  The preload hides IORING_FEAT_RSRC_TAGS from non-SQPOLL
 * rings set up through syscall(2), which makes libuv keep epoll_ctl() off
 * io_uring (README, "Known differences from epoll").
 *
 *	t0 → e0 (preloaded: eventpoll2) → efd      ctl of efd: ring or epoll_ctl()
 *
 * Each scenario runs under the preload (preload_child.h).
 */
#include "backend.h"
#include "util.h"
#include <liburing.h>
#include "preload_child.h"
#include "kselftest_harness.h"

#define EP2_LINK "anon_inode:[eventpoll2]"
/* What libuv requires of a ring before it uses it (src/unix/linux.c). */
#define LIBUV_FEATS (IORING_FEAT_RSRC_TAGS | IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP)

/* ==== child side: runs under LD_PRELOAD =================================== */

/* io_uring_setup() the way libuv calls it: through libc's syscall(). */
static int setup_via_syscall(unsigned int entries, unsigned int flags, struct io_uring_params *p)
{
	memset(p, 0, sizeof(*p));
	p->flags = flags;
	if (flags & IORING_SETUP_SQPOLL)
		p->sq_thread_idle = 10;
	return (int)syscall(SYS_io_uring_setup, entries, p);
}

/* Map a ring set up through syscall(); slot i -> SQE i, as libuv does. */
static int map_ring(int fd, struct io_uring_params *p, struct io_uring *ring)
{
	if (io_uring_queue_mmap(fd, p, ring))
		return -1;
	for (unsigned int i = 0; i <= *ring->sq.kring_mask; i++)
		ring->sq.array[i] = i;
	return 0;
}

/*
 * libuv's epoll_ctl batching, step by step: a ring of its own if the kernel
 * has the features it needs, ADD and MOD as IORING_OP_EPOLL_CTL SQEs, a
 * failed ADD with EEXIST retried as MOD, any other error abort(); without a
 * usable ring, epoll_ctl().  Returns how many ctls went through the ring.
 */
struct libuv_ctl {
	struct io_uring ring;
	int have_ring;
	int through_ring;
	int last_res;		/* the last CQE's res */
};

static void libuv_ctl_init(struct libuv_ctl *c)
{
	struct io_uring_params p;
	int fd;

	memset(c, 0, sizeof(*c));
	fd = setup_via_syscall(256, 0, &p);
	if (fd < 0)
		return;
	if ((p.features & LIBUV_FEATS) != LIBUV_FEATS || map_ring(fd, &p, &c->ring)) {
		close(fd);
		return;
	}
	c->have_ring = 1;
}

static void libuv_ctl(struct libuv_ctl *c, int ep, int op, int fd, struct epoll_event *ev)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int res;

	if (!c->have_ring) {
		if (!epoll_ctl(ep, op, fd, ev))
			return;
		if (op != EPOLL_CTL_ADD || errno != EEXIST || epoll_ctl(ep, EPOLL_CTL_MOD, fd, ev))
			abort();
		return;
	}
	sqe = io_uring_get_sqe(&c->ring);
	if (!sqe)
		abort();
	io_uring_prep_epoll_ctl(sqe, ep, fd, op, ev);
	if (io_uring_submit_and_wait(&c->ring, 1) != 1 || io_uring_wait_cqe(&c->ring, &cqe))
		abort();
	res = c->last_res = cqe->res;
	io_uring_cqe_seen(&c->ring, cqe);
	c->through_ring++;
	if (res == -EEXIST && op == EPOLL_CTL_ADD)
		return libuv_ctl(c, ep, EPOLL_CTL_MOD, fd, ev);
	if (res)
		abort();	/* libuv: "if (cqe->res != -EEXIST) abort();" */
}

/* The reproducer: ADD (twice: EEXIST then MOD), then wait for the event. */
static void child_libuv_batching(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234 }, out[4];
	struct libuv_ctl c;
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = mkefd();

	C_CHECK(ep >= 0 && fd_link_is(ep, EP2_LINK));
	C_CHECK(efd >= 0);
	libuv_ctl_init(&c);
	libuv_ctl(&c, ep, EPOLL_CTL_ADD, efd, &ev);
	ev.data.u64 = 0x5678;
	libuv_ctl(&c, ep, EPOLL_CTL_ADD, efd, &ev);
	C_CHECK(epoll_wait(ep, out, 4, 0) == 0);
	C_CHECK(efd_signal(efd) == 0);
	C_CHECK(epoll_wait(ep, out, 4, 1000) == 1);
	C_CHECK(out[0].data.u64 == 0x5678 && out[0].events == EPOLLIN);
	/* Under the preload libuv keeps its ctls off the ring. */
	C_CHECK(!c.have_ring && c.through_ring == 0);
	if (c.have_ring)
		io_uring_queue_exit(&c.ring);
	close(efd);
	close(ep);
}

/* The failure the preload avoids: the ring's EPOLL_CTL on an instance. */
static void child_compat_off(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring_params p;
	struct io_uring ring;
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = mkefd(), fd;

	C_CHECK(ep >= 0 && fd_link_is(ep, EP2_LINK));
	fd = setup_via_syscall(8, 0, &p);
	C_CHECK(fd >= 0);
	C_CHECK((p.features & LIBUV_FEATS) == LIBUV_FEATS);	/* nothing hidden */
	C_CHECK(map_ring(fd, &p, &ring) == 0);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_epoll_ctl(sqe, ep, efd, EPOLL_CTL_ADD, &ev);
	C_CHECK(io_uring_submit_and_wait(&ring, 1) == 1);
	C_CHECK(io_uring_wait_cqe(&ring, &cqe) == 0);
	C_CHECK(cqe->res == -EINVAL);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	close(efd);
	close(ep);
}

/* The ring the preload downgraded works: a NOP and a read of a pipe. */
static void child_ring_still_works(void)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	char buf[8] = { 0 };
	int fd, pfd[2];

	fd = setup_via_syscall(8, 0, &p);
	C_CHECK(fd >= 0);
	C_CHECK(!(p.features & IORING_FEAT_RSRC_TAGS));
	C_CHECK((p.features & (IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP)) ==
		(IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP));
	C_CHECK(map_ring(fd, &p, &ring) == 0);
	C_CHECK(pipe(pfd) == 0);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 1;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, pfd[0], buf, sizeof(buf), 0);
	sqe->user_data = 2;
	C_CHECK(io_uring_submit(&ring) == 2);
	C_CHECK(write(pfd[1], "ring", 4) == 4);
	for (int i = 0; i < 2; i++) {
		C_CHECK(io_uring_wait_cqe(&ring, &cqe) == 0);
		C_CHECK(cqe->user_data == 1 ? cqe->res == 0 : cqe->res == 4);
		io_uring_cqe_seen(&ring, cqe);
	}
	C_CHECK(!memcmp(buf, "ring", 4));
	io_uring_queue_exit(&ring);
	close(pfd[0]);
	close(pfd[1]);
}

/* SQPOLL rings keep every feature bit (libuv's file-I/O ring). */
static void child_sqpoll_untouched(void)
{
	struct io_uring_params p;
	int fd = setup_via_syscall(8, IORING_SETUP_SQPOLL, &p);

	if (fd < 0) {
		printf("# SQPOLL ring not available here (errno %d): not checked\n", errno);
		return;
	}
	C_CHECK((p.features & LIBUV_FEATS) == LIBUV_FEATS);
	close(fd);
}

/*
 * The limit: rings the preload does not see (liburing's own system call
 * stubs) keep IORING_FEAT_RSRC_TAGS, and their EPOLL_CTL on a preloaded
 * instance fails with EINVAL, as on any non-epoll file.
 */
static void child_liburing_unseen(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = mkefd();

	C_CHECK(ep >= 0 && fd_link_is(ep, EP2_LINK));
	C_CHECK(io_uring_queue_init_params(8, &ring, &p) == 0);
	C_CHECK(p.features & IORING_FEAT_RSRC_TAGS);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_epoll_ctl(sqe, ep, efd, EPOLL_CTL_ADD, &ev);
	C_CHECK(io_uring_submit_and_wait(&ring, 1) == 1);
	C_CHECK(io_uring_wait_cqe(&ring, &cqe) == 0);
	C_CHECK(cqe->res == -EINVAL);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	close(efd);
	close(ep);
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "libuv_batching", child_libuv_batching },
	{ "libuv_batching_compat_off", child_libuv_batching },
	{ "compat_off_einval", child_compat_off },
	{ "ring_still_works", child_ring_still_works },
	{ "sqpoll_untouched", child_sqpoll_untouched },
	{ "liburing_unseen", child_liburing_unseen },
};

static int child_main(const char *name)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (!strcmp(scenarios[i].name, name)) {
			scenarios[i].fn();
			return c_fail;
		}
	}
	printf("FAIL no scenario %s\n", name);
	return 2;
}

/* ==== parent side: the harness ============================================= */

static char out[16384];

static int run(struct __test_metadata *_metadata, const char *name, const char *const *env)
{
	int rc;

	if (find_preload())
		return -1;
	rc = run_child(name, env, out, sizeof(out));
	if (rc)
		TH_LOG("child %s exit %d, output:\n%s", name, rc, out);
	return rc;
}

#define NEED_PRELOAD_AND_DEVICE()						\
	do {									\
		if (find_preload())						\
			SKIP(return, "no libeventpoll2_preload.so (make userspace)");	\
		if (access(EVENTPOLL2_DEVICE, F_OK))				\
			SKIP(return, "eventpoll2 module not loaded");		\
	} while (0)

/* The reproducer: libuv's batching under the preload runs, and waits. */
TEST(libuv_batching)
{
	NEED_PRELOAD_AND_DEVICE();
	EXPECT_EQ(0, run(_metadata, "libuv_batching", NULL));
}

/* Without the workaround the same program aborts (SIGABRT: 128 + 6). */
TEST(libuv_batching_compat_off)
{
	const char *const env[] = { "EP2_PRELOAD_URING_COMPAT=0", NULL };

	NEED_PRELOAD_AND_DEVICE();
	EXPECT_EQ(128 + SIGABRT, run(_metadata, "libuv_batching_compat_off", env));
}

TEST(compat_off_einval)
{
	const char *const env[] = { "EP2_PRELOAD_URING_COMPAT=0", NULL };

	NEED_PRELOAD_AND_DEVICE();
	EXPECT_EQ(0, run(_metadata, "compat_off_einval", env));
}

TEST(ring_still_works)
{
	NEED_PRELOAD_AND_DEVICE();
	EXPECT_EQ(0, run(_metadata, "ring_still_works", NULL));
}

TEST(sqpoll_untouched)
{
	NEED_PRELOAD_AND_DEVICE();
	EXPECT_EQ(0, run(_metadata, "sqpoll_untouched", NULL));
}

TEST(liburing_unseen)
{
	NEED_PRELOAD_AND_DEVICE();
	EXPECT_EQ(0, run(_metadata, "liburing_unseen", NULL));
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--preload-child"))
		return child_main(argv[2]);
	return test_harness_run(argc, argv);
}
