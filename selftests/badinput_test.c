// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_test.c - hostile arguments to /dev/eventpoll2 and to instances.
 *
 * Raw ioctls with bad argument pointers (NULL, low, unmapped, kernel,
 * non-canonical, straddling the end of a mapping or of user space,
 * misaligned), bad size fields (0, 4, below version 0, larger with zero or
 * non-zero tails, huge), unused fields set, unknown ioctl numbers and a
 * random fuzz loop: only errno, never a crash, no fd left behind.
 *
 * Where the same bad input can be given to the epoll syscalls (event,
 * events, sigmask and timeout pointers, maxevents, sigsetsize, timespecs,
 * epfd, op, fd), the *_matches_epoll tests issue it to both and require the
 * same return value and errno, in epoll's order of checks.
 */
#include "backend.h"
#include "util.h"
#include <sys/mman.h>
#include <sys/time.h>
#include <linux/fs.h>
#include <linux/time_types.h>
#include <termios.h>
#include "kselftest_harness.h"

#define KADDR		((void *)0xffffffff81000000UL)	/* kernel text */
#define KDIRECT		((void *)0xffff888000000000UL)	/* direct map */
#define VSYSCALL	((void *)0xffffffffff600000UL)
#define NONCANON	((void *)0x0000800000000000UL)
#define USER_TOP	((void *)(0x00007ffffffff000UL - 4))	/* straddles TASK_SIZE */
#define LOWADDR		((void *)8)
#define EP_MAX_EVENTS	(INT_MAX / (int)sizeof(struct epoll_event))

static int dev_open(void)
{
	return open(EVENTPOLL2_DEVICE, O_RDWR | O_CLOEXEC);
}

/* A PROT_NONE page, left mapped (unlike unmapped_page()): any access faults. */
static void *prot_none_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Two pages, the second PROT_NONE: returns a pointer @len bytes before the
 * boundary, so an object of more than @len bytes straddles it.
 */
static void *before_hole(size_t len)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + 4096, 4096, PROT_NONE))
		return NULL;
	return p + 4096 - len;
}

static void *readonly_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static const unsigned long cmds[] = { EP2_IOC_CREATE, EP2_IOC_CTL, EP2_IOC_WAIT, EP2_IOC_PWAIT,
				      EP2_IOC_PWAIT2 };

/* the version-0 size of each command's struct */
static unsigned ver0_size(unsigned long cmd)
{
	switch (_IOC_NR(cmd)) {
	case 1: return EP2_CREATE_ARGS_SIZE_VER0;
	case 2: return EP2_CTL_ARGS_SIZE_VER0;
	case 0x10: return EP2_CTL_BATCH_ARGS_SIZE_VER0;
	case 0x11: return EP2_CTL_WAIT_ARGS_SIZE_VER0;
	default: return EP2_WAIT_ARGS_SIZE_VER0;
	}
}

/* The size of the struct the module knows today (version 1 of CREATE has the ring fields). */
static unsigned known_size(unsigned long cmd)
{
	switch (_IOC_NR(cmd)) {
	case 1: return sizeof(struct ep2_create_args);
	case 2: return sizeof(struct ep2_ctl_args);
	default: return sizeof(struct ep2_wait_args);
	}
}

/*
 * A harmless, valid argument struct of @size bytes for @cmd in buf (zeroed
 * beyond the known fields): CREATE with no flags, CTL DEL of a fd that is
 * not watched (ENOENT), WAIT/PWAIT with timeout 0, PWAIT2 with {0, 0}.
 */
static void fill_valid(unsigned long cmd, void *buf, unsigned size, int ep, int fd,
		       struct epoll_event *evs, struct __kernel_timespec *ts)
{
	memset(buf, 0, size);
	switch (_IOC_NR(cmd)) {
	case 1: {
		struct ep2_create_args a = { .size = size };

		memcpy(buf, &a, size < sizeof(a) ? size : sizeof(a));
		break;
	}
	case 2: {
		struct ep2_ctl_args a = { .size = size, .epfd = ep, .op = EP2_CTL_DEL, .fd = fd };

		memcpy(buf, &a, size < sizeof(a) ? size : sizeof(a));
		break;
	}
	default: {
		struct ep2_wait_args a = { .size = size, .epfd = ep,
			.events = (unsigned long)evs, .maxevents = 4 };

		if (_IOC_NR(cmd) == 5)
			a.timeout = (unsigned long)ts;
		memcpy(buf, &a, size < sizeof(a) ? size : sizeof(a));
		break;
	}
	}
}

/* The expected result of fill_valid()'s call: CREATE ≥ 0, CTL ENOENT, waits 0. */
static int valid_ok(unsigned long cmd, long ret, int err)
{
	switch (_IOC_NR(cmd)) {
	case 1: if (ret >= 0) close(ret); return ret >= 0;
	case 2: return ret == -1 && err == ENOENT;
	default: return ret == 0;
	}
}

FIXTURE(bad) {
	int dev, ep, efd;
	struct epoll_event evs[4];
	struct __kernel_timespec ts;
};

FIXTURE_SETUP(bad)
{
	signal(SIGPIPE, SIG_IGN);
	self->dev = dev_open();
	ASSERT_GE(self->dev, 0);
	self->ep = ep2_create1(EPOLL_CLOEXEC);
	ASSERT_GE(self->ep, 0);
	self->efd = mkefd();
	ASSERT_GE(self->efd, 0);
}

FIXTURE_TEARDOWN(bad) { close_from3(); }

/* every ioctl, on the device and on an instance: bad arg pointers → EFAULT */
TEST_F(bad, arg_pointer_efault)
{
	void *ptrs[] = { NULL, LOWADDR, prot_none_page(), KADDR, KDIRECT, VSYSCALL, NONCANON,
			 USER_TOP, (void *)-1L, (void *)-4096L };
	int on[2] = { self->dev, self->ep };

	for (unsigned c = 0; c < ARRAY_SIZE(cmds); c++)
		for (unsigned o = 0; o < 2; o++)
			for (unsigned i = 0; i < ARRAY_SIZE(ptrs); i++) {
				errno = 0;
				EXPECT_EQ(-1, ioctl(on[o], cmds[c], ptrs[i]))
					TH_LOG("cmd %#lx ptr %p", cmds[c], ptrs[i]);
				EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx ptr %p", cmds[c], ptrs[i]);
			}
}

/*
 * an argument struct that runs into an unmapped page → EFAULT, whether its
 * size field is readable (4 bytes mapped) or not (2 bytes mapped); the
 * unreadable rest must not be taken for zeros
 */
TEST_F(bad, arg_straddles_hole_efault)
{
	for (unsigned c = 0; c < ARRAY_SIZE(cmds); c++) {
		unsigned size = ver0_size(cmds[c]);
		char *p4 = before_hole(4), *p2 = before_hole(2);
		long r;

		ASSERT_NE(NULL, p4);
		ASSERT_NE(NULL, p2);
		memcpy(p4, &size, 4);
		errno = 0;
		r = ioctl(self->dev, cmds[c], p4);
		EXPECT_EQ(-1, r) TH_LOG("cmd %#lx, size %u, 4 bytes mapped", cmds[c], size);
		EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx, size %u, 4 bytes mapped", cmds[c], size);
		if (r > 2)
			close(r);
		memset(p2, 0, 2);
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->dev, cmds[c], p2));
		EXPECT_EQ(EFAULT, errno);
	}
}

/*
 * a version-0 struct that ends exactly at a hole (nothing beyond it is
 * read) works; so does a misaligned one
 */
TEST_F(bad, arg_at_end_of_mapping_and_misaligned)
{
	for (unsigned c = 0; c < ARRAY_SIZE(cmds); c++) {
		unsigned size = ver0_size(cmds[c]);
		char *p = before_hole(size);
		char buf[256] __attribute__((aligned(16)));
		long r;

		ASSERT_NE(NULL, p);
		fill_valid(cmds[c], p, size, self->ep, self->efd, self->evs, &self->ts);
		errno = 0;
		r = ioctl(self->dev, cmds[c], p);
		EXPECT_TRUE(valid_ok(cmds[c], r, errno)) TH_LOG("cmd %#lx at end: %ld %d", cmds[c], r, errno);
		for (int off = 1; off < 8; off += 2) {
			fill_valid(cmds[c], buf + off, size, self->ep, self->efd, self->evs, &self->ts);
			errno = 0;
			r = ioctl(self->ep, cmds[c], buf + off);
			EXPECT_TRUE(valid_ok(cmds[c], r, errno))
				TH_LOG("cmd %#lx misaligned +%d: %ld %d", cmds[c], off, r, errno);
		}
	}
}

/* size field 0, 1, 4, version-0 minus 1 → EINVAL */
TEST_F(bad, size_below_ver0_einval)
{
	char buf[256];

	for (unsigned c = 0; c < ARRAY_SIZE(cmds); c++) {
		unsigned v0 = ver0_size(cmds[c]);
		unsigned sizes[] = { 0, 1, 4, v0 - 1 };

		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
			fill_valid(cmds[c], buf, v0, self->ep, self->efd, self->evs, &self->ts);
			memcpy(buf, &sizes[i], 4);
			errno = 0;
			EXPECT_EQ(-1, ioctl(self->dev, cmds[c], buf)) TH_LOG("cmd %#lx size %u", cmds[c], sizes[i]);
			EXPECT_EQ(EINVAL, errno) TH_LOG("cmd %#lx size %u", cmds[c], sizes[i]);
		}
	}
}

/* a larger struct with zero tail bytes is accepted (up to a page and beyond) */
TEST_F(bad, size_larger_zero_tail_ok)
{
	static char buf[3 * 4096];

	for (unsigned c = 0; c < ARRAY_SIZE(cmds); c++) {
		unsigned v0 = ver0_size(cmds[c]);
		unsigned sizes[] = { v0 + 1, v0 + 8, 512, 4096, 8192 };

		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
			long r;

			fill_valid(cmds[c], buf, sizes[i], self->ep, self->efd, self->evs, &self->ts);
			errno = 0;
			r = ioctl(self->dev, cmds[c], buf);
			EXPECT_TRUE(valid_ok(cmds[c], r, errno))
				TH_LOG("cmd %#lx size %u: %ld errno %d", cmds[c], sizes[i], r, errno);
		}
	}
}

/* a larger struct with any non-zero tail byte → E2BIG, nothing done */
TEST_F(bad, size_larger_nonzero_tail_e2big)
{
	static char buf[2 * 4096];
	int before = count_open_fds();

	for (unsigned c = 0; c < ARRAY_SIZE(cmds); c++) {
		unsigned k = known_size(cmds[c]);	/* the first byte the module does not know */
		unsigned sizes[] = { k + 1, k + 8, 4096, 8000 };

		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
			unsigned where[] = { k, sizes[i] - 1 };

			for (unsigned w = 0; w < 2; w++) {
				fill_valid(cmds[c], buf, sizes[i], self->ep, self->efd, self->evs, &self->ts);
				buf[where[w]] = (char)0x80;
				errno = 0;
				EXPECT_EQ(-1, ioctl(self->dev, cmds[c], buf))
					TH_LOG("cmd %#lx size %u byte %u", cmds[c], sizes[i], where[w]);
				EXPECT_EQ(E2BIG, errno);
			}
		}
	}
	EXPECT_EQ(before, count_open_fds());
}

/* huge size fields over a small mapping: E2BIG or EFAULT, never a crash */
TEST_F(bad, size_huge)
{
	unsigned sizes[] = { 0xffffffffu, 0x80000000u, 1u << 20, 65536 };

	for (unsigned c = 0; c < ARRAY_SIZE(cmds); c++)
		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
			char *p = before_hole(64);

			ASSERT_NE(NULL, p);
			fill_valid(cmds[c], p, 64, self->ep, self->efd, self->evs, &self->ts);
			memcpy(p, &sizes[i], 4);
			errno = 0;
			EXPECT_EQ(-1, ioctl(self->dev, cmds[c], p));
			EXPECT_TRUE(errno == E2BIG || errno == EFAULT)
				TH_LOG("cmd %#lx size %#x: errno %d", cmds[c], sizes[i], errno);
		}
}

/* fields a command does not use must be zero: WAIT (sigmask, sigsetsize, timeout), PWAIT (timeout), PWAIT2 (timeout_ms) */
TEST_F(bad, unused_wait_fields_einval)
{
	sigset_t ss;
	struct ep2_wait_args a;

	sigemptyset(&ss);
	for (int which = 0; which < 5; which++) {
		unsigned long cmd;

		a = (struct ep2_wait_args){ .size = sizeof(a), .epfd = self->ep,
			.events = (unsigned long)self->evs, .maxevents = 4 };
		switch (which) {
		case 0: cmd = EP2_IOC_WAIT; a.sigmask = (unsigned long)&ss; break;
		case 1: cmd = EP2_IOC_WAIT; a.sigsetsize = 8; break;
		case 2: cmd = EP2_IOC_WAIT; a.timeout = (unsigned long)&self->ts; break;
		case 3: cmd = EP2_IOC_PWAIT; a.timeout = (unsigned long)&self->ts; break;
		default: cmd = EP2_IOC_PWAIT2; a.timeout = (unsigned long)&self->ts; a.timeout_ms = 5; break;
		}
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->dev, cmd, &a)) TH_LOG("case %d", which);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %d", which);
	}
}

/* CREATE flags other than CLOEXEC → EINVAL */
TEST_F(bad, create_flags_einval)
{
	unsigned flags[] = { 1, O_NONBLOCK, 0x80000000u, ~0u, EP2_CLOEXEC | 1 };

	for (unsigned i = 0; i < ARRAY_SIZE(flags); i++) {
		struct ep2_create_args a = { .size = sizeof(a), .flags = flags[i] };

		errno = 0;
		EXPECT_EQ(-1, ioctl(self->dev, EP2_IOC_CREATE, &a));
		EXPECT_EQ(EINVAL, errno);
	}
}

/* only type and number are decoded: direction and size bits do not matter */
TEST_F(bad, ioctl_dir_and_size_bits_ignored)
{
	struct ep2_create_args a = { .size = sizeof(a) };
	unsigned long variants[] = { _IO(EP2_IOC_MAGIC, 1), _IOR(EP2_IOC_MAGIC, 1, char[100]),
				     _IOWR(EP2_IOC_MAGIC, 1, int), _IOC(_IOC_READ | _IOC_WRITE, EP2_IOC_MAGIC, 1, 0x3fff) };

	for (unsigned i = 0; i < ARRAY_SIZE(variants); i++) {
		int fd = ioctl(self->dev, variants[i], &a);

		EXPECT_GE(fd, 0) TH_LOG("cmd %#lx", variants[i]);
		if (fd >= 0) {
			EXPECT_TRUE(fd_link_is(fd, "anon_inode:[eventpoll2]"));
			close(fd);
		}
	}
}

/* unknown numbers of the magic, and other types → ENOTTY on device and instance */
TEST_F(bad, unknown_ioctls_enotty)
{
	int on[2] = { self->dev, self->ep };
	char buf[64] = { 0 };

	for (int o = 0; o < 2; o++) {
		for (unsigned nr = 0; nr < 256; nr++) {
			if ((nr >= 1 && nr <= 5) || nr == _IOC_NR(EP2_IOC_CTL_BATCH) ||
			    nr == _IOC_NR(EP2_IOC_CTL_WAIT))
				continue;
			errno = 0;
			EXPECT_EQ(-1, ioctl(on[o], _IOW(EP2_IOC_MAGIC, nr, int), buf));
			EXPECT_EQ(ENOTTY, errno) TH_LOG("nr %u", nr);
		}
		for (unsigned type = 0; type < 256; type += 7) {
			if (type == EP2_IOC_MAGIC || type == 'T' || type == 'f')
				continue;
			errno = 0;
			EXPECT_EQ(-1, ioctl(on[o], _IOW(type, 1, struct ep2_create_args), buf));
			EXPECT_EQ(ENOTTY, errno) TH_LOG("type %#x", type);
		}
	}
}

/*
 * 5000 random batch and ctl + wait calls: random change arrays (ops, fds
 * among ours and not, events), counts up to and past the maximum, pointers
 * into holes, kernel space and straddling a guard page, random wait fields
 * (min-wait included; SIGALRM ends any wait).  Only errno, no crash or hang,
 * no fd left behind, and the instances still work afterwards.
 */
TEST_F_TIMEOUT(bad, random_batch_ioctls, 120)
{
	struct sigaction sa = { .sa_handler = waiter_release_handler };
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	static struct ep2_ctl_change chg[96];
	static struct epoll_event evs[64];
	char *guard = prot_none_page();
	uint64_t seed = rng_seed(1313);
	int eps[4], fds[4], before, n_ok = 0, n_err = 0;
	const char *iters_env = getenv("EP2_BADINPUT_ITERS");
	long iters = iters_env ? atol(iters_env) / 4 : 5000;

	ASSERT_NE(NULL, guard);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	for (int i = 0; i < 4; i++) {
		eps[i] = ep2_create1(EPOLL_CLOEXEC);
		fds[i] = mkefd();
	}
	before = count_open_fds();
	for (long i = 0; i < iters; i++) {
		int n = (int)rng_below(&seed, 96);
		int on = rng_below(&seed, 2) ? self->dev : eps[rng_below(&seed, 4)];
		int epfd = rng_below(&seed, 8) ? eps[rng_below(&seed, 4)] : (int)rng_below(&seed, 40) - 2;
		uint64_t changes = (uintptr_t)chg;
		uint32_t count = (uint32_t)n;

		for (int k = 0; k < n; k++) {
			uint32_t pick = rng_below(&seed, 4);
			chg[k] = (struct ep2_ctl_change){
				.op = (int)rng_below(&seed, 6) - 1,
				.fd = pick == 0 ? eps[rng_below(&seed, 4)] : pick == 1 ? (int)rng_below(&seed, 40) - 2
								      : fds[rng_below(&seed, 4)],
				.events = rng_below(&seed, 2) ? (uint32_t)rng_next(&seed) : EPOLLIN | EPOLLET,
				.result = (int)rng_next(&seed),
				.data = rng_next(&seed),
			};
		}
		switch (rng_below(&seed, 10)) {
		case 0: changes = (uintptr_t)guard; break;
		case 1: changes = (uintptr_t)KADDR; break;
		case 2: changes = (uintptr_t)LOWADDR; break;
		case 3: count = EP2_CTL_BATCH_MAX + 1 + rng_below(&seed, 1000); break;
		case 4: count = (uint32_t)rng_next(&seed); break;
		default: break;
		}
		errno = 0;
		long ret;
		if (rng_below(&seed, 2)) {
			struct ep2_ctl_batch_args a = {
				.size = rng_below(&seed, 8) ? sizeof(a) : rng_below(&seed, 64), .epfd = epfd,
				.changes = changes, .nchanges = count,
				.flags = rng_below(&seed, 4) ? (uint32_t)rng_below(&seed, 2) : (uint32_t)rng_next(&seed),
			};
			ret = ioctl(on, EP2_IOC_CTL_BATCH, rng_below(&seed, 16) ? (void *)&a : KADDR);
		} else {
			struct ep2_ctl_wait_args a = {
				.size = rng_below(&seed, 8) ? sizeof(a) : rng_below(&seed, 128), .epfd = epfd,
				.changes = changes, .nchanges = count,
				.flags = (uint32_t)rng_below(&seed, 2),
				.events = rng_below(&seed, 8) ? (uintptr_t)evs : (uintptr_t)guard,
				.maxevents = (int)rng_below(&seed, 70) - 2,
				.min_events = rng_below(&seed, 2) ? 0 : (uint32_t)rng_below(&seed, 80),
				/* forever rarely: SIGALRM ends it within 20 ms */
				.timeout_ns = rng_below(&seed, 16) ? (int64_t)rng_below(&seed, 2) : -1,
				.min_wait_ns = rng_below(&seed, 2) ? 0 : rng_next(&seed),
			};
			if (rng_below(&seed, 8) == 0) {
				a.sigmask = rng_below(&seed, 2) ? (uintptr_t)guard : (uintptr_t)KADDR;
				a.sigsetsize = rng_below(&seed, 2) ? 8 : rng_below(&seed, 200);
			}
			ret = ioctl(on, EP2_IOC_CTL_WAIT, &a);
		}
		if (ret >= 0) {
			n_ok++;
		} else {
			n_err++;
			EXPECT_TRUE(errno == EFAULT || errno == EINVAL || errno == E2BIG ||
				    errno == EBADF || errno == EINTR)
				TH_LOG("iteration %ld: unexpected errno %d", i, errno);
		}
		for (int k = 0; k < 4; k++)
			drain(fds[k]);
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	TH_LOG("%ld random batch ioctls: %d succeeded, %d failed", iters, n_ok, n_err);
	EXPECT_EQ(before, count_open_fds());
	/* every instance still answers: a batch that removes everything it can */
	for (int e = 0; e < 4; e++) {
		struct ep2_ctl_change del[8];

		for (int k = 0; k < 4; k++) {
			del[k] = (struct ep2_ctl_change){ .op = EPOLL_CTL_DEL, .fd = fds[k] };
			del[4 + k] = (struct ep2_ctl_change){ .op = EPOLL_CTL_DEL, .fd = eps[k] };
		}
		EXPECT_EQ(8, ep2_ctl_batch(eps[e], del, 8, 0, NULL));
		EXPECT_LE(0, ep2_wait(eps[e], evs, 64, 0));
	}
}

/* generic ioctls on an instance: the same results as on an epoll instance */
TEST_F(bad, generic_ioctls_match_epoll)
{
	unsigned long gen[] = { FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC, FIONREAD, FIGETBSZ, FIOQSIZE,
				TCGETS, TIOCGWINSZ, FS_IOC_GETFLAGS, FS_IOC_GETVERSION };
	int e = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_GE(e, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(gen); i++) {
		long long a1[64] = { 0 }, a2[64] = { 0 };
		long r1, r2;
		int e1, e2;

		errno = 0;
		r1 = ioctl(e, gen[i], a1);
		e1 = errno;
		errno = 0;
		r2 = ioctl(self->ep, gen[i], a2);
		e2 = errno;
		EXPECT_EQ(r1, r2) TH_LOG("ioctl %#lx", gen[i]);
		EXPECT_EQ(e1, e2) TH_LOG("ioctl %#lx: epoll errno %d, eventpoll2 errno %d", gen[i], e1, e2);
	}
	/* the instance still works */
	EXPECT_EQ(0, ev_add(&backend_ep2, self->ep, self->efd, EPOLLIN, 1));
}

/*
 * 20000 random ioctls (mostly the magic, some of type 0x8A: the busy-poll
 * parameters) on the device and on instances,
 * with random bytes for arguments and pointers that are never our own
 * memory: only errno, never a crash or a hang; fds created are closed
 */
TEST_F_TIMEOUT(bad, random_ioctls, 120)
{
	struct sigaction sa = { .sa_handler = waiter_release_handler };
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	/*
	 * scratch[0, 8 KiB + 64): the argument structs; scratch[12 KiB, 16 KiB):
	 * what their pointers may point to, zeroed before every call so that
	 * a sigmask read there never blocks SIGALRM and a timespec is {0, 0}
	 */
	static char scratch[4 * 4096] __attribute__((aligned(4096)));
	void *hole = prot_none_page();
	uint64_t seed = rng_seed(2024);
	int before, eps[4], n_ok = 0, n_err = 0;
	const char *iters_env = getenv("EP2_BADINPUT_ITERS");
	long iters = iters_env ? atol(iters_env) : 20000;

	ASSERT_NE(NULL, hole);
	/* interrupt anything that would block: ep2 waits return EINTR */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	for (int i = 0; i < 4; i++)
		eps[i] = ep2_create1(EPOLL_CLOEXEC);
	before = count_open_fds();
	for (long i = 0; i < iters; i++) {
		unsigned r = rng_below(&seed, 100);
		unsigned long cmd;
		char *arg;
		int on = rng_below(&seed, 2) ? self->dev : eps[rng_below(&seed, 4)];
		long ret;

		/* the command */
		if (r < 75)
			cmd = _IOC(rng_below(&seed, 4), EP2_IOC_MAGIC, 1 + rng_below(&seed, 5),
				   rng_below(&seed, 1 << 14));
		else if (r < 80)	/* 6.9's EPIOCSPARAMS / EPIOCGPARAMS and their type */
			cmd = rng_below(&seed, 3) == 0
				? _IOC(rng_below(&seed, 4), EP2_EPOLL_IOC_TYPE, rng_below(&seed, 4),
				       rng_below(&seed, 32))
				: rng_below(&seed, 2) ? EP2_EPIOCSPARAMS : EP2_EPIOCGPARAMS;
		else if (r < 90)
			cmd = _IOC(rng_below(&seed, 4), EP2_IOC_MAGIC, rng_below(&seed, 256),
				   rng_below(&seed, 1 << 14));
		else
			cmd = (unsigned long)rng_next(&seed);
		/* the argument: scratch memory filled with structured noise */
		arg = scratch + rng_below(&seed, 2 * 4096);
		for (int k = 0; k < 64; k += 8) {
			uint64_t v = rng_next(&seed);

			switch (rng_below(&seed, 8)) {
			case 0: v = 0; break;
			case 1: v &= 0xff; break;
			case 2: v = (unsigned long)(scratch + 3 * 4096 + rng_below(&seed, 4000)); break;
			case 3: v = (unsigned long)hole; break;
			case 4: v = 0xffffffff81000000ULL + rng_below(&seed, 1 << 20); break;
			case 5: v = rng_below(&seed, 2) ? 0 : (unsigned long)LOWADDR; break;
			default: break;
			}
			memcpy(arg + k, &v, 8);
		}
		/* a plausible size half of the time, fds among ours */
		if (rng_below(&seed, 2)) {
			uint32_t size = rng_below(&seed, 2) ? ver0_size(cmd) : rng_below(&seed, 80);

			memcpy(arg, &size, 4);
		}
		if (rng_below(&seed, 2)) {
			int32_t fd = rng_below(&seed, 2) ? eps[rng_below(&seed, 4)] : (int)rng_below(&seed, 40) - 2;

			memcpy(arg + 4, &fd, 4);
		}
		if (rng_below(&seed, 2)) {
			/* small timeout_ms / maxevents */
			int32_t v = (int)rng_below(&seed, 6) - 1;

			memcpy(arg + 16 + 4 * rng_below(&seed, 2), &v, 4);
		}
		if (rng_below(&seed, 4) == 0)
			arg = rng_below(&seed, 2) ? hole : (char *)KADDR;
		memset(scratch + 3 * 4096, 0, 4096);
		errno = 0;
		ret = ioctl(on, cmd, arg);
		if (ret >= 0) {
			n_ok++;
			if (_IOC_TYPE(cmd) == EP2_IOC_MAGIC && _IOC_NR(cmd) == 1 && ret > 2 &&
			    ret != self->dev && ret != eps[0] && ret != eps[1] && ret != eps[2] &&
			    ret != eps[3] && ret != self->ep && ret != self->efd)
				close(ret);
		} else {
			n_err++;
			EXPECT_TRUE(errno == EFAULT || errno == EINVAL || errno == E2BIG ||
				    errno == ENOTTY || errno == EBADF || errno == EPERM ||
				    errno == EEXIST || errno == ENOENT || errno == ELOOP ||
				    errno == EINTR || errno == ENOSPC || errno == EMFILE)
				TH_LOG("cmd %#lx: unexpected errno %d", cmd, errno);
		}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	TH_LOG("%ld random ioctls: %d succeeded, %d failed", iters, n_ok, n_err);
	EXPECT_EQ(before, count_open_fds());
	/* the device still works */
	{
		int ep = ep2_create1(0);

		EXPECT_GE(ep, 0);
		EXPECT_EQ(0, ev_add(&backend_ep2, ep, self->efd, EPOLLIN, 1));
		close(ep);
	}
}

/* ---- the same bad input to epoll and to eventpoll2 -------------------------- */

struct res {
	long ret;
	int err;
};

static struct res mkres(long ret)
{
	struct res r = { ret, ret < 0 ? errno : 0 };

	return r;
}

/* evaluate a (epoll) and b (eventpoll2); the same result is required */
#define SAME(a, b, ...) do {							\
	struct res _ra, _rb;							\
	errno = 0;								\
	_ra = mkres(a);								\
	errno = 0;								\
	_rb = mkres(b);								\
	EXPECT_EQ(_ra.ret, _rb.ret) TH_LOG(__VA_ARGS__);			\
	EXPECT_EQ(_ra.err, _rb.err) TH_LOG(__VA_ARGS__);			\
} while (0)

static long x2_ctl(int ep, int op, int fd, void *event)
{
	struct ep2_ctl_args a = { .size = sizeof(a), .epfd = ep, .op = op, .fd = fd,
		.event = (unsigned long)event };

	return ioctl(ep2_device_fd(), EP2_IOC_CTL, &a);
}

static long x2_pwait(int ep, void *evs, int max, int tmo, void *mask, unsigned long setsize)
{
	struct ep2_wait_args a = { .size = sizeof(a), .epfd = ep, .events = (unsigned long)evs,
		.maxevents = max, .timeout_ms = tmo, .sigmask = (unsigned long)mask,
		.sigsetsize = setsize };

	return ioctl(ep2_device_fd(), EP2_IOC_PWAIT, &a);
}

static long x2_pwait2(int ep, void *evs, int max, void *ts, void *mask, unsigned long setsize)
{
	struct ep2_wait_args a = { .size = sizeof(a), .epfd = ep, .events = (unsigned long)evs,
		.maxevents = max, .timeout = (unsigned long)ts, .sigmask = (unsigned long)mask,
		.sigsetsize = setsize };

	return ioctl(ep2_device_fd(), EP2_IOC_PWAIT2, &a);
}

static long ep_ctl(int ep, int op, int fd, void *event)
{
	return syscall(SYS_epoll_ctl, ep, op, fd, event);
}

static long ep_pwait(int ep, void *evs, int max, int tmo, void *mask, unsigned long setsize)
{
	return syscall(SYS_epoll_pwait, ep, evs, max, tmo, mask, setsize);
}

static long ep_pwait2(int ep, void *evs, int max, void *ts, void *mask, unsigned long setsize)
{
	return syscall(SYS_epoll_pwait2, ep, evs, max, ts, mask, setsize);
}

/* an epoll instance and an eventpoll2 instance with the same items */
FIXTURE(pair) {
	int e, x;		/* epoll, eventpoll2 */
	int efd;		/* watched by both, data 1, LT */
	int pipe_r, pipe_w;	/* not watched */
	struct epoll_event evs[8];
	void *hole, *ro;
};

FIXTURE_SETUP(pair)
{
	int p[2];

	self->e = epoll_create1(EPOLL_CLOEXEC);
	self->x = ep2_create1(EPOLL_CLOEXEC);
	self->efd = mkefd();
	ASSERT_GE(self->e, 0);
	ASSERT_GE(self->x, 0);
	ASSERT_EQ(0, mkpipe(p));
	self->pipe_r = p[0];
	self->pipe_w = p[1];
	ASSERT_EQ(0, ev_add(&backend_epoll, self->e, self->efd, EPOLLIN, 1));
	ASSERT_EQ(0, ev_add(&backend_ep2, self->x, self->efd, EPOLLIN, 1));
	self->hole = prot_none_page();
	self->ro = readonly_page();
	ASSERT_NE(NULL, self->hole);
	ASSERT_NE(NULL, self->ro);
}

FIXTURE_TEARDOWN(pair) { close_from3(); }

/* ctl: bad event pointers for ADD/MOD → EFAULT; DEL never reads it */
TEST_F(pair, ctl_event_pointer_matches_epoll)
{
	void *ptrs[] = { NULL, LOWADDR, self->hole, KADDR, NONCANON, USER_TOP, before_hole(4) };
	int ops[] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL, 0, 7 };

	for (unsigned o = 0; o < ARRAY_SIZE(ops); o++)
		for (unsigned i = 0; i < ARRAY_SIZE(ptrs); i++) {
			SAME(ep_ctl(self->e, ops[o], self->pipe_r, ptrs[i]),
			     x2_ctl(self->x, ops[o], self->pipe_r, ptrs[i]), "op %d ptr %p (not watched)", ops[o], ptrs[i]);
			SAME(ep_ctl(self->e, ops[o], self->efd, ptrs[i]),
			     x2_ctl(self->x, ops[o], self->efd, ptrs[i]), "op %d ptr %p (watched)", ops[o], ptrs[i]);
			/* put efd back if a DEL removed it */
			ev_add(&backend_epoll, self->e, self->efd, EPOLLIN, 1);
			ev_add(&backend_ep2, self->x, self->efd, EPOLLIN, 1);
		}
}

/* ctl: bad epfd / fd / op, and the order of the checks */
TEST_F(pair, ctl_bad_fds_and_ops_match_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int reg = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int closed = dup(0);
	int ops[] = { EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, 0, 4, -1, INT_MAX };

	close(closed);
	for (unsigned o = 0; o < ARRAY_SIZE(ops); o++) {
		int op = ops[o];

		SAME(ep_ctl(-1, op, self->efd, &ev), x2_ctl(-1, op, self->efd, &ev), "op %d epfd -1", op);
		SAME(ep_ctl(INT_MAX, op, self->efd, &ev), x2_ctl(INT_MAX, op, self->efd, &ev), "op %d", op);
		SAME(ep_ctl(closed, op, self->efd, &ev), x2_ctl(closed, op, self->efd, &ev), "op %d", op);
		SAME(ep_ctl(self->e, op, -1, &ev), x2_ctl(self->x, op, -1, &ev), "op %d fd -1", op);
		SAME(ep_ctl(self->e, op, closed, &ev), x2_ctl(self->x, op, closed, &ev), "op %d fd closed", op);
		SAME(ep_ctl(self->e, op, reg, &ev), x2_ctl(self->x, op, reg, &ev), "op %d fd regular", op);
		SAME(ep_ctl(self->pipe_r, op, self->efd, &ev), x2_ctl(self->pipe_r, op, self->efd, &ev),
		     "op %d epfd a pipe", op);
		SAME(ep_ctl(self->e, op, self->e, &ev), x2_ctl(self->x, op, self->x, &ev), "op %d self", op);
		/* the other backend's instance as epfd: not an instance → EINVAL */
		SAME(ep_ctl(self->x, op, self->pipe_r, &ev), x2_ctl(self->e, op, self->pipe_r, &ev),
		     "op %d epfd of the other kind", op);
		/* bad everything: EFAULT (event copied first) unless DEL */
		SAME(ep_ctl(-1, op, -1, KADDR), x2_ctl(-1, op, -1, KADDR), "op %d all bad", op);
		SAME(ep_ctl(self->e, op, reg, NULL), x2_ctl(self->x, op, reg, NULL), "op %d reg NULL", op);
		ev_add(&backend_epoll, self->e, self->efd, EPOLLIN, 1);
		ev_add(&backend_ep2, self->x, self->efd, EPOLLIN, 1);
	}
}

/* ctl: unknown event bits are kept; EXCLUSIVE with other bits → EINVAL */
TEST_F(pair, ctl_event_bits_match_epoll)
{
	unsigned masks[] = { 0xffffffffu, ~(unsigned)EPOLLEXCLUSIVE, 0x00ff0000u, EPOLLIN | (1u << 20),
			     EPOLLEXCLUSIVE, EPOLLEXCLUSIVE | EPOLLIN | EPOLLET, EPOLLEXCLUSIVE | EPOLLONESHOT,
			     0 };

	ASSERT_EQ(0, efd_signal(self->efd));
	for (unsigned i = 0; i < ARRAY_SIZE(masks); i++) {
		struct epoll_event ev = { .events = masks[i], .data.u64 = 2 };
		struct epoll_event a[4], b[4];
		long na, nb;

		SAME(ep_ctl(self->e, EPOLL_CTL_ADD, self->pipe_w, &ev),
		     x2_ctl(self->x, EPOLL_CTL_ADD, self->pipe_w, &ev), "ADD mask %#x", masks[i]);
		SAME(ep_ctl(self->e, EPOLL_CTL_MOD, self->efd, &ev),
		     x2_ctl(self->x, EPOLL_CTL_MOD, self->efd, &ev), "MOD mask %#x", masks[i]);
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		na = epoll_wait(self->e, a, 4, 0);
		nb = ep2_wait(self->x, b, 4, 0);
		EXPECT_EQ(na, nb) TH_LOG("mask %#x", masks[i]);
		if (na == nb && na > 0) {
			ev_sort(a, na);
			ev_sort(b, nb);
			EXPECT_EQ(0, memcmp(a, b, na * sizeof(a[0]))) TH_LOG("mask %#x", masks[i]);
		}
		epoll_ctl(self->e, EPOLL_CTL_DEL, self->pipe_w, NULL);
		ep2_ctl(self->x, EPOLL_CTL_DEL, self->pipe_w, NULL);
	}
}

/* wait: events pointers, with nothing ready and with an event ready */
TEST_F(pair, wait_events_pointer_matches_epoll)
{
	void *ptrs[] = { NULL, LOWADDR, self->hole, self->ro, KADDR, KDIRECT, NONCANON, USER_TOP,
			 before_hole(6), (char *)self->evs + 1 };

	for (int ready = 0; ready < 2; ready++) {
		if (ready)
			ASSERT_EQ(0, efd_signal(self->efd));
		for (unsigned i = 0; i < ARRAY_SIZE(ptrs); i++) {
			SAME(ep_pwait(self->e, ptrs[i], 1, 0, NULL, 8),
			     x2_pwait(self->x, ptrs[i], 1, 0, NULL, 8), "ready %d ptr %p", ready, ptrs[i]);
			SAME(ep_pwait(self->e, ptrs[i], 4, 0, NULL, 8),
			     x2_pwait(self->x, ptrs[i], 4, 0, NULL, 8), "ready %d ptr %p max 4", ready, ptrs[i]);
		}
	}
}

/* wait: a faulting copy-out loses no ET event: the next wait delivers it */
TEST_F(pair, wait_efault_keeps_et_event)
{
	int efd = mkefd();

	ASSERT_EQ(0, ev_add(&backend_epoll, self->e, efd, EPOLLIN | EPOLLET, 5));
	ASSERT_EQ(0, ev_add(&backend_ep2, self->x, efd, EPOLLIN | EPOLLET, 5));
	ASSERT_EQ(0, epoll_ctl(self->e, EPOLL_CTL_DEL, self->efd, NULL));
	ASSERT_EQ(0, ep2_ctl(self->x, EPOLL_CTL_DEL, self->efd, NULL));
	ASSERT_EQ(0, efd_signal(efd));
	SAME(ep_pwait(self->e, self->ro, 1, 0, NULL, 8), x2_pwait(self->x, self->ro, 1, 0, NULL, 8), "ro");
	SAME(ep_pwait(self->e, self->hole, 1, 0, NULL, 8), x2_pwait(self->x, self->hole, 1, 0, NULL, 8), "hole");
	SAME(ep_pwait(self->e, self->evs, 1, 0, NULL, 8), x2_pwait(self->x, self->evs, 1, 0, NULL, 8), "good");
	EXPECT_EQ(5, self->evs[0].data.u64);
	SAME(ep_pwait(self->e, self->evs, 1, 0, NULL, 8), x2_pwait(self->x, self->evs, 1, 0, NULL, 8), "again");
}

/* wait: maxevents out of range, and its place in the order of checks */
TEST_F(pair, wait_maxevents_matches_epoll)
{
	int bad[] = { 0, -1, INT_MIN, EP_MAX_EVENTS + 1, INT_MAX };
	int closed = dup(0);

	close(closed);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		SAME(ep_pwait(self->e, self->evs, bad[i], 0, NULL, 8),
		     x2_pwait(self->x, self->evs, bad[i], 0, NULL, 8), "maxevents %d", bad[i]);
		SAME(ep_pwait(closed, KADDR, bad[i], 0, NULL, 8),
		     x2_pwait(closed, KADDR, bad[i], 0, NULL, 8), "maxevents %d, all bad", bad[i]);
	}
	/* the largest allowed count over a small buffer, nothing ready: 0 */
	SAME(ep_pwait(self->e, self->evs, EP_MAX_EVENTS, 0, NULL, 8),
	     x2_pwait(self->x, self->evs, EP_MAX_EVENTS, 0, NULL, 8), "EP_MAX_EVENTS");
	/* access_ok before epfd: kernel buffer + bad epfd → EFAULT */
	SAME(ep_pwait(closed, KADDR, 1, 0, NULL, 8), x2_pwait(closed, KADDR, 1, 0, NULL, 8), "order");
	SAME(ep_pwait(self->pipe_r, self->evs, 1, 0, NULL, 8),
	     x2_pwait(self->pipe_r, self->evs, 1, 0, NULL, 8), "epfd a pipe");
	SAME(ep_pwait(self->x, self->evs, 1, 0, NULL, 8), x2_pwait(self->e, self->evs, 1, 0, NULL, 8),
	     "epfd of the other kind");
}

/* pwait: sigmask pointer and sigsetsize, checked before everything else */
TEST_F(pair, pwait_sigmask_matches_epoll)
{
	sigset_t ss;
	void *masks[] = { KADDR, self->hole, LOWADDR, USER_TOP, before_hole(4) };
	unsigned long sizes[] = { 0, 4, 7, 9, 16, 128, ~0UL };
	int closed = dup(0);

	close(closed);
	sigemptyset(&ss);
	for (unsigned i = 0; i < ARRAY_SIZE(masks); i++) {
		SAME(ep_pwait(self->e, self->evs, 1, 0, masks[i], 8),
		     x2_pwait(self->x, self->evs, 1, 0, masks[i], 8), "mask %p", masks[i]);
		SAME(ep_pwait(closed, self->evs, 0, 0, masks[i], 8),
		     x2_pwait(closed, self->evs, 0, 0, masks[i], 8), "mask %p, all bad", masks[i]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		SAME(ep_pwait(self->e, self->evs, 1, 0, &ss, sizes[i]),
		     x2_pwait(self->x, self->evs, 1, 0, &ss, sizes[i]), "sigsetsize %lu", sizes[i]);
		/* without a mask, the size is not looked at */
		SAME(ep_pwait(self->e, self->evs, 1, 0, NULL, sizes[i]),
		     x2_pwait(self->x, self->evs, 1, 0, NULL, sizes[i]), "no mask, sigsetsize %lu", sizes[i]);
		SAME(ep_pwait(closed, KADDR, -1, 0, &ss, sizes[i]),
		     x2_pwait(closed, KADDR, -1, 0, &ss, sizes[i]), "sigsetsize %lu, all bad", sizes[i]);
	}
}

/* pwait2: timespec pointer and values, checked first of all */
TEST_F(pair, pwait2_timeout_matches_epoll)
{
	struct __kernel_timespec *ts = (void *)self->evs;	/* scratch, 16 bytes */
	struct { long long s, ns; } bad[] = { { 0, -1 }, { 0, 1000000000 }, { -1, 0 }, { LLONG_MIN, 0 },
					     { 0, LLONG_MAX }, { -1, -1 } };
	void *ptrs[] = { KADDR, self->hole, LOWADDR, USER_TOP, before_hole(8), NONCANON };
	int closed = dup(0);

	close(closed);
	for (unsigned i = 0; i < ARRAY_SIZE(ptrs); i++) {
		SAME(ep_pwait2(self->e, self->evs + 2, 1, ptrs[i], NULL, 8),
		     x2_pwait2(self->x, self->evs + 2, 1, ptrs[i], NULL, 8), "ts ptr %p", ptrs[i]);
		SAME(ep_pwait2(closed, KADDR, 0, ptrs[i], KADDR, 1),
		     x2_pwait2(closed, KADDR, 0, ptrs[i], KADDR, 1), "ts ptr %p, all bad", ptrs[i]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		ts->tv_sec = bad[i].s;
		ts->tv_nsec = bad[i].ns;
		SAME(ep_pwait2(self->e, self->evs + 2, 1, ts, NULL, 8),
		     x2_pwait2(self->x, self->evs + 2, 1, ts, NULL, 8), "ts {%lld, %lld}", bad[i].s, bad[i].ns);
		SAME(ep_pwait2(closed, KADDR, 0, ts, KADDR, 1),
		     x2_pwait2(closed, KADDR, 0, ts, KADDR, 1), "ts {%lld, %lld}, all bad", bad[i].s, bad[i].ns);
	}
	/* huge but valid timeouts with an event ready return at once */
	ASSERT_EQ(0, efd_signal(self->efd));
	ts->tv_sec = LLONG_MAX;
	ts->tv_nsec = 999999999;
	SAME(ep_pwait2(self->e, self->evs + 2, 1, ts, NULL, 8),
	     x2_pwait2(self->x, self->evs + 2, 1, ts, NULL, 8), "ts {LLONG_MAX, 999999999}");
	SAME(ep_pwait(self->e, self->evs + 2, 1, INT_MIN, NULL, 8),
	     x2_pwait(self->x, self->evs + 2, 1, INT_MIN, NULL, 8), "timeout_ms INT_MIN");
	SAME(ep_pwait(self->e, self->evs + 2, 1, INT_MAX, NULL, 8),
	     x2_pwait(self->x, self->evs + 2, 1, INT_MAX, NULL, 8), "timeout_ms INT_MAX");
}

TEST_HARNESS_MAIN
