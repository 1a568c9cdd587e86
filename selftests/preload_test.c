// SPDX-License-Identifier: GPL-2.0
/*
 * preload_test.c - libeventpoll2_preload.so: unmodified epoll code, run
 * under LD_PRELOAD, gets eventpoll2 instances.
 *
 * Each test re-executes this binary under LD_PRELOAD (preload_child.h) in a
 * child mode that runs one scenario with plain libc epoll calls and reports
 * failures on stdout; the test checks the exit status and, for the
 * fallback, stderr.  Native epoll instances for the routing checks come
 * from libc itself (dlopen of libc.so.6), which the preload does not
 * interpose.
 */
#include "backend.h"
#include "util.h"
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "preload_child.h"
#include "kselftest_harness.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define EP2_LINK "anon_inode:[eventpoll2]"
#define EPOLL_LINK "anon_inode:[eventpoll]"

/* ==== child side: runs under LD_PRELOAD =================================== */

/* libc's own epoll, behind the preload's back. */
static struct {
	int (*create1)(int);
	int (*ctl)(int, int, int, struct epoll_event *);
	int (*wait)(int, struct epoll_event *, int, int);
	int (*pwait2)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
	long (*syscall)(long, ...);
} libc;

static void load_libc(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

	if (!h) {
		printf("FAIL dlopen libc.so.6: %s\n", dlerror());
		exit(1);
	}
	libc.create1 = dlsym(h, "epoll_create1");
	libc.ctl = dlsym(h, "epoll_ctl");
	libc.wait = dlsym(h, "epoll_wait");
	libc.pwait2 = dlsym(h, "epoll_pwait2");
	libc.syscall = dlsym(h, "syscall");
	if (!libc.create1 || !libc.ctl || !libc.wait || !libc.pwait2 || !libc.syscall) {
		printf("FAIL dlsym libc epoll\n");
		exit(1);
	}
}

static int lowest_free_fd(void)
{
	int fd = dup(1);

	close(fd);
	return fd;
}

static int ready(int ep, int (*w)(int, struct epoll_event *, int, int), uint64_t data)
{
	struct epoll_event out[4];
	int n = w(ep, out, 4, 1000);

	return n == 1 && out[0].data.u64 == data;
}

/* epoll_create*, ctl and all waits through libc: eventpoll2 instances. */
static void child_basic(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[4];
	struct timespec ts = { 0, 0 };
	sigset_t mask;
	int ep, ep2, p[2], before, low;

	C_CHECK(pipe(p) == 0);
	before = count_open_fds();
	low = lowest_free_fd();
	ep = epoll_create1(0);
	C_CHECK(ep >= 0);
	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(ep == low);			/* the lowest free fd, as epoll's */
	C_CHECK((fcntl(ep, F_GETFD) & FD_CLOEXEC) == 0);
	C_CHECK(count_open_fds() == before + 1);	/* no fd of the preload's own */

	ep2 = epoll_create1(EPOLL_CLOEXEC);
	C_CHECK(fd_link_is(ep2, EP2_LINK));
	C_CHECK((fcntl(ep2, F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
	close(ep2);
	ep2 = epoll_create(10);
	C_CHECK(fd_link_is(ep2, EP2_LINK));
	close(ep2);
	errno = 0;
	C_CHECK(epoll_create(0) == -1 && errno == EINVAL);
	errno = 0;
	C_CHECK(epoll_create1(O_NONBLOCK) == -1 && errno == EINVAL);

	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(epoll_wait(ep, out, 4, 0) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
	C_CHECK(ready(ep, epoll_wait, 7));
	sigemptyset(&mask);
	C_CHECK(epoll_pwait(ep, out, 4, 0, &mask) == 1);
	C_CHECK(epoll_pwait(ep, out, 4, 0, NULL) == 1);
	C_CHECK(epoll_pwait2(ep, out, 4, &ts, &mask) == 1);
	C_CHECK(epoll_pwait2(ep, out, 4, NULL, NULL) == 1);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 8;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	C_CHECK(ready(ep, epoll_wait, 8));
	C_CHECK(epoll_wait(ep, out, 4, 0) == 0);
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0);

	/* The instance is visible as such in fdinfo (ep2stat reads it). */
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
	{
		char path[64], buf[1024];
		int f, n;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
		f = open(path, O_RDONLY);
		n = f >= 0 ? (int)read(f, buf, sizeof(buf) - 1) : -1;
		C_CHECK(n > 0);
		buf[n > 0 ? n : 0] = 0;
		C_CHECK(strstr(buf, "tfd: ") != NULL);
		close(f);
	}
	close(ep);
}

/* syscall(SYS_epoll_*) is routed too; other syscalls pass through. */
static void child_syscall(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 9 }, out[4];
	struct { long long s, ns; } kts = { 0, 0 };
	uint64_t mask = 0;
	int ep, p[2];

	C_CHECK(pipe(p) == 0);
	ep = (int)syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	C_CHECK(ep >= 0 && fd_link_is(ep, EP2_LINK));
	C_CHECK((fcntl(ep, F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
#ifdef SYS_epoll_create
	{
		int e = (int)syscall(SYS_epoll_create, 1);

		C_CHECK(e >= 0 && fd_link_is(e, EP2_LINK));
		close(e);
		errno = 0;
		C_CHECK(syscall(SYS_epoll_create, 0) == -1 && errno == EINVAL);
	}
#endif
	errno = 0;
	C_CHECK(syscall(SYS_epoll_create1, 1) == -1 && errno == EINVAL);
	C_CHECK(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
#ifdef SYS_epoll_wait
	C_CHECK(syscall(SYS_epoll_wait, ep, out, 4, 1000) == 1 && out[0].data.u64 == 9);
#endif
	C_CHECK(syscall(SYS_epoll_pwait, ep, out, 4, 0, &mask, 8) == 1);
	errno = 0;
	C_CHECK(syscall(SYS_epoll_pwait, ep, out, 4, 0, &mask, 4) == -1 && errno == EINVAL);
	C_CHECK(syscall(SYS_epoll_pwait2, ep, out, 4, &kts, NULL, 0) == 1);
	C_CHECK(syscall(SYS_epoll_pwait2, ep, out, 4, NULL, &mask, 8) == 1);
	errno = 0;
	C_CHECK(syscall(SYS_epoll_ctl, -1, EPOLL_CTL_ADD, p[0], NULL) == -1 && errno == EFAULT);
	/* Everything else is libc's syscall(). */
	C_CHECK(syscall(SYS_getpid) == getpid());
	C_CHECK(syscall(SYS_gettid) == gettid());
	errno = 0;
	C_CHECK(syscall(SYS_close, -1) == -1 && errno == EBADF);
	{
		int q[2];

		C_CHECK(syscall(SYS_pipe2, q, O_CLOEXEC) == 0);
		C_CHECK((fcntl(q[0], F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
		close(q[0]);
		close(q[1]);
	}
	close(ep);
}

/* Native epoll fds (made behind the preload's back) keep working. */
static void child_native(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 11 }, out[4];
	struct timespec ts = { 0, 0 };
	int nat, ep, p[2];

	load_libc();
	C_CHECK(pipe(p) == 0);
	nat = libc.create1(0);
	C_CHECK(nat >= 0 && fd_link_is(nat, EPOLL_LINK));
	C_CHECK(epoll_ctl(nat, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(epoll_wait(nat, out, 4, 0) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
	C_CHECK(ready(nat, epoll_wait, 11));
	C_CHECK(epoll_pwait(nat, out, 4, 0, NULL) == 1);
	C_CHECK(epoll_pwait2(nat, out, 4, &ts, NULL) == 1);
	C_CHECK(syscall(SYS_epoll_pwait, nat, out, 4, 0, NULL, 0) == 1);
	ev.data.u64 = 12;
	C_CHECK(syscall(SYS_epoll_ctl, nat, EPOLL_CTL_MOD, p[0], &ev) == 0);
	C_CHECK(ready(nat, libc.wait, 12));

	/* Nesting, both ways: eventpoll2 in native, native in eventpoll2. */
	ep = epoll_create1(0);
	C_CHECK(fd_link_is(ep, EP2_LINK));
	ev.data.u64 = 13;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, nat, &ev) == 0);
	C_CHECK(ready(ep, epoll_wait, 13));
	{
		int outer = libc.create1(0);

		ev.data.u64 = 14;
		C_CHECK(epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev) == 0);
		C_CHECK(ready(outer, epoll_wait, 14));
		close(outer);
	}
	/* Success leaves errno alone, even through the native path. */
	errno = ERANGE;
	C_CHECK(epoll_wait(nat, out, 4, 0) == 1);
	C_CHECK(errno == ERANGE);
	close(ep);
	close(nat);
}

/*
 * errno parity: each error case on an eventpoll2 instance through the
 * preload gives what the same case gives libc's own epoll on a native one.
 */
static void child_errno(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	struct timespec bad = { 0, 2000000000L };
	int ep, nat, p[2], reg;

	load_libc();
	C_CHECK(pipe(p) == 0);
	reg = open("/proc/self/exe", O_RDONLY);
	ep = epoll_create1(0);
	nat = libc.create1(0);
	C_CHECK(fd_link_is(ep, EP2_LINK) && fd_link_is(nat, EPOLL_LINK));
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
	C_CHECK(libc.ctl(nat, EPOLL_CTL_ADD, p[1], &ev) == 0);

#define PARITY(expr_pre, expr_nat) do {						\
		int r1, e1, r2, e2;						\
		errno = 0; r1 = (expr_pre); e1 = errno;				\
		errno = 0; r2 = (expr_nat); e2 = errno;				\
		if (r1 != r2 || e1 != e2) {					\
			printf("FAIL parity %s: preload %d/%s, native %d/%s\n",	\
			       #expr_pre, r1, strerror(e1), r2, strerror(e2));	\
			c_fail = 1;						\
		}								\
	} while (0)
	/* ctl: bad epfd, EFAULT before EBADF, non-instance epfd, bad targets */
	PARITY(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], NULL), libc.ctl(-1, EPOLL_CTL_ADD, p[0], NULL));
	PARITY(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), libc.ctl(-1, EPOLL_CTL_ADD, p[0], &ev));
	PARITY(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), libc.ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
	PARITY(epoll_ctl(reg, EPOLL_CTL_ADD, p[1], &ev), libc.ctl(reg, EPOLL_CTL_ADD, p[1], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), libc.ctl(nat, EPOLL_CTL_ADD, -1, &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), libc.ctl(nat, EPOLL_CTL_ADD, reg, &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), libc.ctl(nat, EPOLL_CTL_ADD, nat, &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), libc.ctl(nat, EPOLL_CTL_ADD, p[1], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), libc.ctl(nat, EPOLL_CTL_MOD, p[0], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), libc.ctl(nat, EPOLL_CTL_DEL, p[0], NULL));
	PARITY(epoll_ctl(ep, 77, p[1], &ev), libc.ctl(nat, 77, p[1], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)8), libc.ctl(nat, EPOLL_CTL_ADD, p[0], (void *)8));
	/* waits */
	PARITY(epoll_wait(-1, out, 4, 0), libc.wait(-1, out, 4, 0));
	PARITY(epoll_wait(p[0], out, 4, 0), libc.wait(p[0], out, 4, 0));
	PARITY(epoll_wait(ep, out, 0, 0), libc.wait(nat, out, 0, 0));
	PARITY(epoll_wait(ep, (void *)-4096L, 4, 0), libc.wait(nat, (void *)-4096L, 4, 0));
	PARITY(epoll_wait(-1, out, 0, 0), libc.wait(-1, out, 0, 0));
	PARITY(epoll_pwait2(ep, out, 4, &bad, NULL), libc.pwait2(nat, out, 4, &bad, NULL));
	PARITY(epoll_pwait2(p[0], out, 4, NULL, NULL), libc.pwait2(p[0], out, 4, NULL, NULL));
	PARITY((int)syscall(SYS_epoll_pwait, ep, out, 4, 0, out, 3),
	       (int)libc.syscall(SYS_epoll_pwait, nat, out, 4, 0, out, 3));
	PARITY((int)syscall(SYS_epoll_ctl, p[0], EPOLL_CTL_ADD, p[1], &ev),
	       (int)libc.syscall(SYS_epoll_ctl, p[0], EPOLL_CTL_ADD, p[1], &ev));
	errno = 0;
	C_CHECK(epoll_create(-3) == -1 && errno == EINVAL);
	close(ep);
	close(nat);
	close(reg);
}

/* The module is "absent" (EP2_DEVICE points nowhere): native epoll. */
static void child_fallback(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 };
	int ep, ep2, p[2];

	C_CHECK(pipe(p) == 0);
	ep = epoll_create1(0);
	C_CHECK(ep >= 0 && fd_link_is(ep, EPOLL_LINK));
	ep2 = (int)syscall(SYS_epoll_create1, 0);
	C_CHECK(ep2 >= 0 && fd_link_is(ep2, EPOLL_LINK));
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
	C_CHECK(ready(ep, epoll_wait, 5));
	close(ep);
	close(ep2);
}

/*
 * Programs sweep their fds and size their tables tightly: the preload has
 * no fd to lose, and a create with only one free fd still succeeds.
 */
static void child_sweep(void)
{
	struct rlimit rl;
	int ep, keep[64], n = 0, fd;

	ep = epoll_create1(0);
	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(syscall(SYS_close_range, 3, ~0U, 0) == 0);
	ep = epoll_create1(0);
	C_CHECK(ep == 3 && fd_link_is(ep, EP2_LINK));
	closefrom(3);
	ep = epoll_create1(EPOLL_CLOEXEC);
	C_CHECK(ep == 3 && fd_link_is(ep, EP2_LINK));
	close(ep);

	/* RLIMIT_NOFILE = 16, fds 0..14 taken: one free fd. */
	rl.rlim_cur = rl.rlim_max = 16;
	C_CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	while ((fd = dup(1)) >= 0 && fd < 15)
		keep[n++] = fd;
	if (fd >= 15)
		keep[n++] = fd;
	close(keep[--n]);	/* free exactly fd 15 */
	ep = epoll_create1(0);
	C_CHECK(ep == 15);	/* native here: the device needed a second fd */
	errno = 0;
	C_CHECK(epoll_create1(0) == -1 && errno == EMFILE);
	close(ep);
	while (n > 0)
		close(keep[--n]);
}

static void *blocked(void *arg)
{
	struct epoll_event ev;

	for (;;)
		epoll_wait(*(int *)arg, &ev, 1, -1);
	return NULL;
}

/* pthread_cancel of a thread blocked in epoll_wait(). */
static void child_cancel(void)
{
	int ep = epoll_create1(0);
	pthread_t t;
	void *ret = NULL;

	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(pthread_create(&t, NULL, blocked, &ep) == 0);
	usleep(50000);
	C_CHECK(pthread_cancel(t) == 0);
	C_CHECK(pthread_join(t, &ret) == 0);
	C_CHECK(ret == PTHREAD_CANCELED);
}

/*
 * A program written for Linux 6.9's EPIOCSPARAMS/EPIOCGPARAMS: its own
 * struct and numbers, ioctl() on what epoll_create1() returned.  The preload
 * does not interpose ioctl: it reaches the instance, which takes it.
 */
struct app_epoll_params {
	uint32_t busy_poll_usecs;
	uint16_t busy_poll_budget;
	uint8_t prefer_busy_poll;
	uint8_t __pad;
};
#define APP_EPIOCSPARAMS _IOW(0x8A, 0x01, struct app_epoll_params)
#define APP_EPIOCGPARAMS _IOR(0x8A, 0x02, struct app_epoll_params)

static void child_busy_poll_params(void)
{
	struct app_epoll_params p = { .busy_poll_usecs = 250, .busy_poll_budget = 16,
				      .prefer_busy_poll = 1 }, q;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(ioctl(ep, APP_EPIOCSPARAMS, &p) == 0);
	memset(&q, 0xff, sizeof(q));
	C_CHECK(ioctl(ep, APP_EPIOCGPARAMS, &q) == 0);
	C_CHECK(q.busy_poll_usecs == 250 && q.busy_poll_budget == 16 &&
		q.prefer_busy_poll == 1 && q.__pad == 0);
	p.__pad = 1;
	errno = 0;
	C_CHECK(ioctl(ep, APP_EPIOCSPARAMS, &p) == -1 && errno == EINVAL);
	close(ep);
}

/* ---- the ready ring (on by default under the preload) --------------------- */

/* eventpoll2 mappings in /proc/self/maps: how many, and their total size. */
static int ring_maps(size_t *bytes)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (bytes)
		*bytes = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (!strstr(line, EP2_LINK) || sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		n++;
		if (bytes)
			*bytes += hi - lo;
	}
	fclose(f);
	return n;
}

/* (a) an instance has its ring mapped; EP2_PRELOAD_RING=0 turns that off. */
static void child_ring_mapped(void)
{
	const char *off = getenv("EP2_PRELOAD_RING"), *ents = getenv("EP2_PRELOAD_RING_ENTRIES");
	unsigned entries = ents ? (unsigned)atoi(ents) : EP2_RING_DEFAULT_ENTRIES;
	int want = !(off && !strcmp(off, "0"));
	size_t bytes;
	int ep, ep1, before = ring_maps(NULL);

	C_CHECK(before == 0);
	ep = epoll_create1(0);
	C_CHECK(ep >= 0 && fd_link_is(ep, EP2_LINK));
	C_CHECK(ring_maps(&bytes) == want);
	if (want)
		C_CHECK(bytes == EP2_RING_MMAP_SIZE(entries, (size_t)sysconf(_SC_PAGESIZE)));
	ep1 = epoll_create(1);
	C_CHECK(ring_maps(NULL) == 2 * want);
	C_CHECK(close(ep1) == 0 && close(ep) == 0);
	C_CHECK(ring_maps(NULL) == 0);
}

#define LS_EFDS 8
#define LS_ROUNDS 400

/*
 * (b) ET through the ring equals native epoll: the same fds in a ring
 * instance (through the preload's epoll_wait) and in a native one (libc's),
 * a seeded random sequence of signals, drains and pipe traffic, and each
 * round's events compared, sorted by data.
 */
static void child_ring_lockstep(void)
{
	struct epoll_event ev, a[32], b[32];
	int ep, nat, efd[LS_EFDS], p[2], mism = 0, na, nb;
	uint64_t seed = rng_seed(getenv("EP2_SEED") ? strtoull(getenv("EP2_SEED"), NULL, 0) : 42);
	long ring_events = 0, stale = 0;

	load_libc();
	ep = epoll_create1(0);
	nat = libc.create1(0);
	C_CHECK(fd_link_is(ep, EP2_LINK) && fd_link_is(nat, EPOLL_LINK));
	C_CHECK(ring_maps(NULL) == 1);
	C_CHECK(mkpipe(p) == 0);
	for (int i = 0; i < LS_EFDS; i++) {
		efd[i] = mkefd();
		/* half EPOLLIN only, half EPOLLIN | EPOLLOUT */
		ev.events = EPOLLET | EPOLLIN | (i & 1 ? EPOLLOUT : 0);
		ev.data.u64 = (uint64_t)i;
		C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, efd[i], &ev) == 0);
		C_CHECK(libc.ctl(nat, EPOLL_CTL_ADD, efd[i], &ev) == 0);
	}
	ev.events = EPOLLET | EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = 100;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(libc.ctl(nat, EPOLL_CTL_ADD, p[0], &ev) == 0);
	ev.events = EPOLLET | EPOLLOUT;
	ev.data.u64 = 101;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
	C_CHECK(libc.ctl(nat, EPOLL_CTL_ADD, p[1], &ev) == 0);
	/* The initial readiness (EPOLLOUT) first. */
	for (int round = 0; round <= LS_ROUNDS && !mism; round++) {
		int ops = round ? 1 + (int)rng_below(&seed, 4) : 0;

		for (int o = 0; o < ops; o++) {
			int k = (int)rng_below(&seed, LS_EFDS);
			uint64_t v;
			char buf[64];

			switch (rng_below(&seed, 6)) {
			case 0: case 1: case 2:
				efd_signal(efd[k]);
				break;
			case 3:
				(void)!read(efd[k], &v, sizeof(v));
				break;
			case 4:
				(void)!write(p[1], buf, 1 + rng_below(&seed, sizeof(buf)));
				break;
			default:
				(void)!read(p[0], buf, 1 + rng_below(&seed, sizeof(buf)));
				break;
			}
		}
		na = epoll_wait(ep, a, 32, 0);
		nb = libc.wait(nat, b, 32, 0);
		C_CHECK(na >= 0 && nb >= 0);
		if (na < 0 || nb < 0)
			break;
		ring_events += na;
		qsort(a, (size_t)na, sizeof(a[0]), ev_cmp);
		qsort(b, (size_t)nb, sizeof(b[0]), ev_cmp);
		/*
		 * Native epoll's events must all be the ring's, bit for bit.
		 * The ring may hold one more kind: an entry published at a
		 * wakeup whose fd stopped being ready before the harvest with
		 * no wakeup the item listens to (an EPOLLIN-only eventfd or
		 * pipe drained by read(), whose wakeup is EPOLLOUT).  Native
		 * epoll re-polls at harvest and drops it; the ring reports
		 * events "as of the last wakeup" (module/ring.hpp).  Such an
		 * entry is counted as stale, and must really be: poll() shows
		 * none of its bits now.
		 */
		for (int i = 0, j = 0; i < na || j < nb; ) {
			if (j < nb && i < na && a[i].data.u64 == b[j].data.u64) {
				if (a[i].events != b[j].events)
					mism = 1;
				i++, j++;
			} else if (i < na && (j >= nb || a[i].data.u64 < b[j].data.u64)) {
				uint64_t d = a[i].data.u64;
				int fd = d == 100 ? p[0] : d == 101 ? p[1] : d < LS_EFDS ? efd[d] : -1;
				struct pollfd pf = { .fd = fd, .events = (short)a[i].events };

				if (fd < 0 || poll(&pf, 1, 0) != 0)
					mism = 1;	/* an extra event for a ready fd */
				else
					stale++;
				i++;
			} else {
				mism = 1;		/* native's, missing from the ring */
				j++;
			}
		}
		if (mism) {
			printf("FAIL round %d: ring %d events, native %d\n", round, na, nb);
			for (int i = 0; i < na || i < nb; i++)
				printf("  ring %llu:%#x   native %llu:%#x\n",
				       i < na ? (unsigned long long)a[i].data.u64 : 0ULL, i < na ? a[i].events : 0,
				       i < nb ? (unsigned long long)b[i].data.u64 : 0ULL, i < nb ? b[i].events : 0);
			c_fail = 1;
		}
	}
	printf("# %ld ring events compared, %ld of them stale (not ready at harvest)\n",
	       ring_events, stale);
	/*
	 * The divergence alone: efd[2] (EPOLLIN only) signalled, then drained
	 * before the wait.  Native epoll reports efd[0] only; the ring may add
	 * a stale efd[2] (printed, for the record).
	 */
	{
		uint64_t v;

		C_CHECK(efd_signal(efd[0]) == 0 && efd_signal(efd[2]) == 0);
		C_CHECK(read(efd[2], &v, sizeof(v)) == sizeof(v));	/* efd[2] drained */
		na = epoll_wait(ep, a, 32, 0);
		nb = libc.wait(nat, b, 32, 0);
		printf("# signal 0 and 2, drain 2: ring %d events, native %d\n", na, nb);
		C_CHECK(nb == 1 && b[0].data.u64 == 0);
		C_CHECK(na >= 1 && na <= 2);
	}
	printf("# %ld events compared\n", ring_events);
	C_CHECK(ring_events > LS_ROUNDS);
	close(ep);
	close(nat);
}

/* (c) every way an fd goes away forgets its ring (the mapping goes). */
static void child_ring_forget(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 3 }, out[4];
	int ep, other = mkefd(), e = mkefd();

	ep = epoll_create1(0);
	C_CHECK(ring_maps(NULL) == 1);
	C_CHECK(close(ep) == 0);
	C_CHECK(ring_maps(NULL) == 0);

	ep = epoll_create1(0);
	C_CHECK(ring_maps(NULL) == 1);
	C_CHECK(dup2(other, ep) == ep);
	C_CHECK(ring_maps(NULL) == 0);
	errno = 0;
	C_CHECK(epoll_wait(ep, out, 4, 0) == -1 && errno == EINVAL);	/* an eventfd now */
	C_CHECK(close(ep) == 0);

	ep = epoll_create1(0);
	C_CHECK(dup3(other, ep, O_CLOEXEC) == ep);
	C_CHECK(ring_maps(NULL) == 0);
	C_CHECK(close(ep) == 0);

	ep = epoll_create1(0);
	C_CHECK(close_range((unsigned)ep, (unsigned)ep, CLOSE_RANGE_CLOEXEC) == 0);
	C_CHECK(ring_maps(NULL) == 1);		/* only marked close-on-exec */
	C_CHECK(close_range((unsigned)ep, (unsigned)ep, 0) == 0);
	C_CHECK(ring_maps(NULL) == 0);

	ep = epoll_create1(0);
	C_CHECK(syscall(SYS_close_range, ep, ep + 10, 0) == 0);
	C_CHECK(ring_maps(NULL) == 0);
	ep = epoll_create1(0);
	C_CHECK(syscall(SYS_close, ep) == 0);
	C_CHECK(ring_maps(NULL) == 0);
	ep = epoll_create1(0);
	C_CHECK(syscall(SYS_dup3, other, ep, 0) == ep);
	C_CHECK(ring_maps(NULL) == 0);
	C_CHECK(close(ep) == 0);

	/* The next instance at the same number has its own ring, and only it. */
	ep = epoll_create1(0);
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) == 0);
	C_CHECK(efd_signal(e) == 0);
	C_CHECK(close(ep) == 0);		/* an unharvested event goes with it */
	C_CHECK(epoll_create1(0) == ep);
	C_CHECK(ring_maps(NULL) == 1);
	C_CHECK(epoll_wait(ep, out, 4, 0) == 0);
	ev.data.u64 = 4;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) == 0);
	C_CHECK(efd_signal(e) == 0);
	C_CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 4);
	closefrom(3);
	C_CHECK(ring_maps(NULL) == 0);
}

struct ring_waiter {
	int ep;
	int timeout;
	int n;
	int err;
	uint64_t data;
	int (*wait)(int, struct epoll_event *, int, int);
};

static void *wait_thread(void *arg)
{
	struct ring_waiter *w = arg;
	struct epoll_event out[4];

	w->n = w->wait(w->ep, out, 4, w->timeout);
	w->err = errno;
	w->data = w->n > 0 ? out[0].data.u64 : 0;
	return NULL;
}

/*
 * (d) close() of a ring instance while a thread waits on it: as with
 * epoll, the waiter keeps waiting on the instance it entered with (until
 * an event of that instance, or the timeout), never on the next instance to
 * get that fd number, and nothing crashes.  Run the same on native epoll.
 */
static void close_while_waiting(int native, int signal_old)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct ring_waiter w = { .timeout = signal_old ? 5000 : 300, .wait = native ? libc.wait : epoll_wait };
	int e_old = mkefd(), e_new = mkefd(), again;
	long long t0 = now_ns();
	pthread_t t;

	w.ep = native ? libc.create1(0) : epoll_create1(0);
	C_CHECK(fd_link_is(w.ep, native ? EPOLL_LINK : EP2_LINK));
	ev.data.u64 = 1;
	C_CHECK(epoll_ctl(w.ep, EPOLL_CTL_ADD, e_old, &ev) == 0);
	C_CHECK(pthread_create(&t, NULL, wait_thread, &w) == 0);
	sleep_ms(100);
	C_CHECK(close(w.ep) == 0);
	C_CHECK(ring_maps(NULL) == 0);
	/* The fd number's next instance, with an event ready. */
	again = native ? libc.create1(0) : epoll_create1(0);
	C_CHECK(again == w.ep);
	ev.data.u64 = 2;
	C_CHECK(epoll_ctl(again, EPOLL_CTL_ADD, e_new, &ev) == 0);
	C_CHECK(efd_signal(e_new) == 0);
	sleep_ms(50);
	if (signal_old)
		C_CHECK(efd_signal(e_old) == 0);
	C_CHECK(pthread_join(t, NULL) == 0);
	if (signal_old) {
		if (w.n != 1 || w.data != 1)
			printf("FAIL %s waiter: %d events (data %llu, errno %d)\n",
			       native ? "native" : "ring", w.n, (unsigned long long)w.data, w.err);
		C_CHECK(w.n == 1 && w.data == 1);
		C_CHECK(elapsed_ms(t0) < 4000);
	} else {
		if (w.n != 0)
			printf("FAIL %s waiter: %d events (data %llu, errno %d)\n",
			       native ? "native" : "ring", w.n, (unsigned long long)w.data, w.err);
		C_CHECK(w.n == 0);
		C_CHECK(elapsed_ms(t0) >= 290);
	}
	{
		struct epoll_event out[4];

		C_CHECK(epoll_wait(again, out, 4, 0) == 1 && out[0].data.u64 == 2);
	}
	close(again);
	close(e_old);
	close(e_new);
}

static void child_ring_close_while_waiting(void)
{
	load_libc();
	for (int native = 1; native >= 0; native--) {
		close_while_waiting(native, 1);
		close_while_waiting(native, 0);
	}
}

/* (e) level-triggered items on a ring instance: reported on every wait, as native. */
static void child_ring_level_triggered(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, a[8], b[8];
	int ep, nat, lt = mkefd(), et = mkefd();

	load_libc();
	ep = epoll_create1(0);
	nat = libc.create1(0);
	C_CHECK(ring_maps(NULL) == 1);
	ev.data.u64 = 1;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, lt, &ev) == 0);
	C_CHECK(libc.ctl(nat, EPOLL_CTL_ADD, lt, &ev) == 0);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 2;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, et, &ev) == 0);
	C_CHECK(libc.ctl(nat, EPOLL_CTL_ADD, et, &ev) == 0);
	C_CHECK(efd_signal(lt) == 0);
	for (int i = 0; i < 5; i++) {
		C_CHECK(epoll_wait(ep, a, 8, 0) == 1 && a[0].data.u64 == 1 && a[0].events == EPOLLIN);
		C_CHECK(libc.wait(nat, b, 8, 0) == 1 && b[0].data.u64 == 1);
	}
	/* With an ET event in the ring too: the ring's, then the kernel's. */
	C_CHECK(efd_signal(et) == 0);
	for (int i = 0; i < 3; i++) {
		int na = epoll_wait(ep, a, 8, 0), nb = libc.wait(nat, b, 8, 0);
		int want = i == 0 ? 2 : 1;

		C_CHECK(na == want && nb == want);
		if (na == 2)
			C_CHECK(a[0].data.u64 + a[1].data.u64 == 3);
		else if (na == 1)
			C_CHECK(a[0].data.u64 == 1);
	}
	/* A blocking wait returns the LT item at once too. */
	C_CHECK(epoll_wait(ep, a, 8, 5000) == 1 && a[0].data.u64 == 1);
	C_CHECK(drain(lt) == 8);
	C_CHECK(epoll_wait(ep, a, 8, 0) == 0);
	C_CHECK(libc.wait(nat, b, 8, 0) == 0);
	close(ep);
	close(nat);
}

/*
 * (f) no locked memory to be had (RLIMIT_MEMLOCK 0, no CAP_IPC_LOCK: the
 * parent set that up before exec): epoll_create1() still succeeds, with an
 * instance without a ring, which works.
 */
static void child_ring_memlock(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 6 }, out[4];
	void *pg = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ep, e = mkefd();

	if (mlock(pg, 4096) == 0) {
		printf("SKIP mlock() works: CAP_IPC_LOCK could not be dropped\n");
		exit(77);
	}
	ep = epoll_create1(0);
	C_CHECK(ep >= 0 && fd_link_is(ep, EP2_LINK));
	C_CHECK(ring_maps(NULL) == 0);
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) == 0);
	C_CHECK(efd_signal(e) == 0);
	C_CHECK(epoll_wait(ep, out, 4, 1000) == 1 && out[0].data.u64 == 6);
	C_CHECK(epoll_wait(ep, out, 4, 0) == 0);
	close(ep);
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "create_ctl_wait", child_basic }, { "syscall_routed", child_syscall },
	{ "native_fds_routed", child_native }, { "errno_parity", child_errno },
	{ "fallback", child_fallback }, { "fd_sweeps_and_limits", child_sweep },
	{ "cancellation", child_cancel }, { "busy_poll_params", child_busy_poll_params },
	{ "ring_mapped", child_ring_mapped }, { "ring_off", child_ring_mapped },
	{ "ring_entries", child_ring_mapped }, { "ring_lockstep", child_ring_lockstep },
	{ "ring_forget", child_ring_forget },
	{ "ring_close_while_waiting", child_ring_close_while_waiting },
	{ "ring_level_triggered", child_ring_level_triggered },
	{ "ring_memlock", child_ring_memlock },
};

static int child_main(const char *name)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
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

#define PRELOAD_SCENARIO(name, need_device, ...)				\
	TEST(name)								\
	{									\
		const char *const env[] = { __VA_ARGS__ };			\
		int rc;								\
										\
		if (find_preload())						\
			SKIP(return, "no libeventpoll2_preload.so (make userspace)");	\
		if (need_device && access(EVENTPOLL2_DEVICE, F_OK))		\
			SKIP(return, "eventpoll2 module not loaded");		\
		rc = run_child(#name, env, out, sizeof(out));			\
		if (rc)								\
			TH_LOG("child output:\n%s", out);			\
		else if (strstr(out, "# "))	/* its notes, for the record */	\
			TH_LOG("%s", out);					\
		EXPECT_EQ(0, rc);						\
	}

PRELOAD_SCENARIO(create_ctl_wait, 1, NULL)
PRELOAD_SCENARIO(syscall_routed, 1, NULL)
PRELOAD_SCENARIO(native_fds_routed, 1, NULL)
PRELOAD_SCENARIO(errno_parity, 1, NULL)
PRELOAD_SCENARIO(fd_sweeps_and_limits, 1, NULL)
PRELOAD_SCENARIO(cancellation, 1, NULL)
PRELOAD_SCENARIO(busy_poll_params, 1, NULL)

PRELOAD_SCENARIO(ring_mapped, 1, NULL)
PRELOAD_SCENARIO(ring_off, 1, "EP2_PRELOAD_RING=0", NULL)
PRELOAD_SCENARIO(ring_entries, 1, "EP2_PRELOAD_RING_ENTRIES=64", NULL)
PRELOAD_SCENARIO(ring_lockstep, 1, NULL)
PRELOAD_SCENARIO(ring_forget, 1, NULL)
PRELOAD_SCENARIO(ring_close_while_waiting, 1, NULL)
PRELOAD_SCENARIO(ring_level_triggered, 1, NULL)

/* No locked memory, and no CAP_IPC_LOCK to get around the limit. */
static void drop_memlock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		_exit(90);
	/* Out of the bounding set (so the exec cannot give it back), then out of the rest. */
	(void)prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
		d[0].permitted &= ~(1u << CAP_IPC_LOCK);
		d[0].inheritable &= ~(1u << CAP_IPC_LOCK);
		(void)syscall(SYS_capset, &h, d);
	}
}

TEST(ring_memlock)
{
	int rc;

	if (find_preload())
		SKIP(return, "no libeventpoll2_preload.so (make userspace)");
	if (access(EVENTPOLL2_DEVICE, F_OK))
		SKIP(return, "eventpoll2 module not loaded");
	child_setup = drop_memlock;
	rc = run_child("ring_memlock", NULL, out, sizeof(out));
	child_setup = NULL;
	if (rc == 77)
		SKIP(return, "mlock() works in the child: CAP_IPC_LOCK could not be dropped");
	if (rc)
		TH_LOG("child output:\n%s", out);
	EXPECT_EQ(0, rc);
}

/* Device missing: native epoll, and one line on stderr when verbose. */
TEST(fallback)
{
	const char *const env[] = { "EP2_DEVICE=/nonexistent/eventpoll2",
				    "EP2_PRELOAD_VERBOSE=1", NULL };
	const char *const quiet[] = { "EP2_DEVICE=/nonexistent/eventpoll2", NULL };
	const char *msg = "eventpoll2 preload: /nonexistent/eventpoll2 unavailable";
	char *first;

	if (find_preload())
		SKIP(return, "no libeventpoll2_preload.so (make userspace)");
	EXPECT_EQ(0, run_child("fallback", env, out, sizeof(out)));
	first = strstr(out, msg);
	EXPECT_NE(NULL, first);
	if (first)
		EXPECT_EQ(NULL, strstr(first + 1, msg));	/* once */
	TH_LOG("%s", out);
	EXPECT_EQ(0, run_child("fallback", quiet, out, sizeof(out)));
	EXPECT_EQ(NULL, strstr(out, msg));			/* silent by default */
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--preload-child"))
		return child_main(argv[2]);
	return test_harness_run(argc, argv);
}
