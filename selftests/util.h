/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - the helpers every selftest shares.  Include after backend.h and
 * before kselftest_harness.h.
 *
 * Nothing here asserts: helpers return values and tests assert on them, so a
 * helper can also be used from a thread or a forked child.
 *
 * Topology notation in test comments: "a → b" means a waits on / watches b,
 * e.g. "t0 → e1 → e0 → s0" is a thread waiting on e1, which watches e0,
 * which watches socket s0.  LT/ET/1S (oneshot) name the item's mode.
 */
#ifndef EP2_SELFTEST_UTIL_H
#define EP2_SELFTEST_UTIL_H

#include "backend.h"
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define MS(x) ((long long)(x) * 1000000LL)

/* ---- backends ----------------------------------------------------------- */

static inline bool is_ep2(const struct backend *b)
{
	return b == &backend_ep2;
}

/* The other backend (for "an instance of the other kind" tests). */
static inline const struct backend *other_backend(const struct backend *b)
{
	return is_ep2(b) ? &backend_epoll : &backend_ep2;
}

/* The sysctl bounding each user's watches, per backend. */
static inline const char *max_watches_path(const struct backend *b)
{
	return is_ep2(b) ? "/proc/sys/fs/eventpoll2/max_user_watches"
			 : "/proc/sys/fs/epoll/max_user_watches";
}

/* ---- time --------------------------------------------------------------- */

static inline long long elapsed_ms(long long start_ns)
{
	return (now_ns() - start_ns) / 1000000LL;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- fds ---------------------------------------------------------------- */

static inline int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Non-blocking pipe; p[0] read end, p[1] write end. */
static inline int mkpipe(int p[2])
{
	return pipe2(p, O_NONBLOCK | O_CLOEXEC);
}

/* Non-blocking AF_UNIX stream socketpair. */
static inline int mksock(int s[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s);
}

static inline int mkefd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/* Write one byte ('x'); write()'s result. */
static inline int write1(int fd)
{
	return (int)write(fd, "x", 1);
}

/* Signal an eventfd (counter += 1). */
static inline int efd_signal(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

/* Read everything available from a non-blocking fd; bytes read. */
static inline long drain(int fd)
{
	char buf[4096];
	long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	return total;
}

/* Bytes queued for reading on a pipe or socket, or -1. */
static inline int readable_bytes(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n;
}

/* Fill a non-blocking pipe or socket until it would block; bytes written. */
static inline long fill(int fd)
{
	static char buf[65536];
	long total = 0;
	ssize_t n;

	while ((n = write(fd, buf, sizeof(buf))) > 0)
		total += n;
	while ((n = write(fd, buf, 1)) > 0)
		total += n;
	return total;
}

/* poll() one fd with a timeout; returns revents, 0 on timeout, -1 on error. */
static inline int poll1(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	return n < 0 ? -1 : n == 0 ? 0 : p.revents;
}

static inline int raise_nofile(rlim_t want)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return -1;
	if (r.rlim_cur >= want)
		return 0;
	if (r.rlim_max < want) {
		r.rlim_max = want;
		if (geteuid() != 0)
			r.rlim_max = r.rlim_cur;
	}
	r.rlim_cur = want < r.rlim_max ? want : r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r))
		return -1;
	return r.rlim_cur >= want ? 0 : -1;
}

/* Close every fd from 3 up: fixture teardown runs in the test's own child. */
static inline void close_from3(void)
{
	syscall(SYS_close_range, 3U, ~0U, 0U);
}

/* Number of fds open in this process. */
static inline int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

/* ---- /proc/self/fdinfo -------------------------------------------------- */

/* Whole fdinfo text of fd into buf (NUL-terminated); length or -1. */
static inline int fdinfo_read(int fd, char *buf, size_t len)
{
	char path[64];
	size_t got = 0;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	while (got + 1 < len && (n = read(f, buf + got, len - 1 - got)) > 0)
		got += n;
	close(f);
	buf[got] = 0;
	return (int)got;
}

/* Only the "tfd:" lines of an instance's fdinfo, concatenated. */
static inline int fdinfo_tfd_lines(int ep, char *out, size_t len)
{
	static char raw[1 << 16];
	char *line, *save = NULL;
	size_t used = 0;

	if (fdinfo_read(ep, raw, sizeof(raw)) < 0)
		return -1;
	out[0] = 0;
	for (line = strtok_r(raw, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "tfd:", 4))
			continue;
		used += snprintf(out + used, len > used ? len - used : 0, "%s\n", line);
	}
	return (int)used;
}

/*
 * Number of items ("tfd:" lines) in an instance's fdinfo, or -1.  Read line
 * by line, with no size limit and no static buffer.
 */
static inline int fdinfo_items(int ep)
{
	char path[64], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "tfd:", 4))
			n++;
	fclose(f);
	return n;
}

/*
 * The item for target fd tfd in instance ep: 1 and its events/data when
 * listed, 0 when not listed, -1 on error.  events and data may be NULL.
 */
static inline int fdinfo_item(int ep, int tfd, unsigned *events, unsigned long long *data)
{
	char path[64], line[256];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		int fd;
		unsigned ev;
		unsigned long long d;

		if (sscanf(line, "tfd: %d events: %x data: %llx", &fd, &ev, &d) == 3 && fd == tfd) {
			if (events)
				*events = ev;
			if (data)
				*data = d;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* Interest mask of tfd in ep as shown by fdinfo; ~0u if absent/error. */
static inline unsigned fdinfo_events(int ep, int tfd)
{
	unsigned ev;

	return fdinfo_item(ep, tfd, &ev, NULL) == 1 ? ev : ~0u;
}

/* ---- raw waits (sigsetsize and other ABI corners the library hides) ----- */

static inline int raw_pwait(const struct backend *b, int epfd, struct epoll_event *evs,
			    int maxevents, int timeout, const void *mask, size_t sigsetsize)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)evs,
		.maxevents = maxevents, .timeout_ms = timeout,
		.sigmask = (uint64_t)(uintptr_t)mask, .sigsetsize = sigsetsize,
	};
	int dev;

	if (!is_ep2(b))
		return (int)syscall(SYS_epoll_pwait, epfd, evs, maxevents, timeout, mask, sigsetsize);
	dev = ep2_device_fd();
	if (dev < 0)
		return -1;
	return ioctl(dev, EP2_IOC_PWAIT, &a);
}

static inline int raw_pwait2(const struct backend *b, int epfd, struct epoll_event *evs,
			     int maxevents, const void *ts, const void *mask, size_t sigsetsize)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)evs,
		.maxevents = maxevents,
		.sigmask = (uint64_t)(uintptr_t)mask, .sigsetsize = sigsetsize,
		.timeout = (uint64_t)(uintptr_t)ts,
	};
	int dev;

	if (!is_ep2(b))
		return (int)syscall(SYS_epoll_pwait2, epfd, evs, maxevents, ts, mask, sigsetsize);
	dev = ep2_device_fd();
	if (dev < 0)
		return -1;
	return ioctl(dev, EP2_IOC_PWAIT2, &a);
}

/* ---- memory that faults ------------------------------------------------- */

/* A page that is mapped then unmapped: any access faults. */
static inline void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, 4096);
	return p;
}

/*
 * Two pages: the first read/write, the second PROT_NONE.  Returns the start
 * of the guard page (the boundary); write just below it to straddle.
 */
static inline char *guarded_boundary(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + 4096, 4096, PROT_NONE))
		return NULL;
	return p + 4096;
}

/* ---- waiting ------------------------------------------------------------ */

/*
 * Wait for one event; *ev receives it.  Returns the wait's result.
 */
static inline int wait1(const struct backend *b, int ep, struct epoll_event *ev, int timeout)
{
	struct epoll_event tmp;

	return b->wait(ep, ev ? ev : &tmp, 1, timeout);
}

/* Sort events by (data, events): compare delivered lists as multisets. */
static inline int ev_cmp(const void *a, const void *b)
{
	const struct epoll_event *x = a, *y = b;

	if (x->data.u64 != y->data.u64)
		return x->data.u64 < y->data.u64 ? -1 : 1;
	if (x->events != y->events)
		return x->events < y->events ? -1 : 1;
	return 0;
}

static inline void ev_sort(struct epoll_event *evs, int n)
{
	if (n > 1)
		qsort(evs, n, sizeof(*evs), ev_cmp);
}

/* Among evs[0..n), the events of the one with data @data, or -1. */
static inline long long ev_find(const struct epoll_event *evs, int n, unsigned long long data)
{
	for (int i = 0; i < n; i++)
		if (evs[i].data.u64 == data)
			return evs[i].events;
	return -1;
}

/* ---- threads ------------------------------------------------------------ */

static inline pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/*
 * Wait until thread @tid of this process is sleeping (state S) for a few
 * consecutive samples, i.e. has most likely entered the blocking call it
 * announced.  Gives up after @max_ms.  Returns 0 when it saw it sleep.
 */
static inline int wait_thread_sleeping(pid_t tid, int max_ms)
{
	char path[64], buf[512];
	int seen = 0;
	long long t0 = now_ns();

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	while (elapsed_ms(t0) < max_ms) {
		FILE *f = fopen(path, "re");
		char *p;

		if (!f)
			return -1;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		if (p && p[1] == ' ' && p[2] == 'S') {
			if (++seen >= 3)
				return 0;
		} else {
			seen = 0;
		}
		sleep_ms(2);
	}
	return -1;
}

/* A thread that blocks in one wait() and records what it got. */
struct waiter {
	const struct backend *b;
	int ep;
	int maxevents;
	int timeout;
	pthread_t thr;
	volatile pid_t tid;
	volatile int started;
	int ret;
	int err;
	long long took_ms;
	volatile int done;
	struct epoll_event evs[16];
};

static inline void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	long long t0;

	w->tid = gettid_();
	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	t0 = now_ns();
	w->ret = w->b->wait(w->ep, w->evs, w->maxevents, w->timeout);
	w->err = errno;
	w->took_ms = elapsed_ms(t0);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start a waiter and return once it is (very likely) asleep in wait(). */
static inline int waiter_start(struct waiter *w, const struct backend *b, int ep,
			       int maxevents, int timeout)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->ep = ep;
	w->maxevents = maxevents > 16 ? 16 : maxevents;
	w->timeout = timeout;
	if (pthread_create(&w->thr, NULL, waiter_main, w))
		return -1;
	while (!__atomic_load_n(&w->started, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	wait_thread_sleeping(w->tid, 2000);
	return 0;
}

static inline void waiter_join(struct waiter *w)
{
	pthread_join(w->thr, NULL);
}

/* How many of n waiters have returned. */
static inline int waiters_done(struct waiter *w, int n)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += __atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE);
	return c;
}

/*
 * Wait until at least @k of @n waiters returned (up to @max_ms), then
 * @settle_ms more so that a waiter woken by mistake shows up too.
 * Returns how many returned.
 */
static inline int waiters_settle(struct waiter *w, int n, int k, int max_ms, int settle_ms)
{
	long long t0 = now_ns();

	while (waiters_done(w, n) < k && elapsed_ms(t0) < max_ms)
		sleep_ms(2);
	sleep_ms(settle_ms);
	return waiters_done(w, n);
}

static inline void waiter_release_handler(int sig) { }

/*
 * Interrupt the waiters still blocked (SIGUSR1, no SA_RESTART: EINTR) and
 * join them all.  Their ret becomes -1, err EINTR.
 */
static inline void waiters_release(struct waiter *w, int n)
{
	struct sigaction sa = { .sa_handler = waiter_release_handler };

	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < n; i++) {
		while (!__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE)) {
			pthread_kill(w[i].thr, SIGUSR1);
			sleep_ms(5);
		}
		pthread_join(w[i].thr, NULL);
	}
}

/*
 * Delayed actions from a helper thread: after delay_ms, fn(arg)
 * (delayed_start), an 8-byte 1 written to fd (delayed_write) or
 * pthread_kill(target, sig) (delayed_signal).  delayed_join waits for it.
 */
struct delayed {
	pthread_t thr;
	int delay_ms;
	void (*fn)(void *);
	void *arg;
	int fd;			/* delayed_write */
	pthread_t target;	/* delayed_signal */
	int sig;
};

static inline void *delayed_main(void *a)
{
	struct delayed *d = a;

	sleep_ms(d->delay_ms);
	d->fn(d->arg);
	return NULL;
}

static inline int delayed_start(struct delayed *d, int delay_ms, void (*fn)(void *), void *arg)
{
	d->delay_ms = delay_ms;
	d->fn = fn;
	d->arg = arg;
	return pthread_create(&d->thr, NULL, delayed_main, d);
}

static inline void delayed_join(struct delayed *d)
{
	pthread_join(d->thr, NULL);
}

static inline void delayed_do_write(void *arg)
{
	struct delayed *d = arg;
	uint64_t one = 1;

	if (write(d->fd, &one, sizeof(one)) < 0)
		perror("delayed write");
}

static inline void delayed_do_signal(void *arg)
{
	struct delayed *d = arg;

	pthread_kill(d->target, d->sig);
}

/* After ms, write an 8-byte 1 to fd (works for pipes, sockets, eventfds). */
static inline int delayed_write(struct delayed *d, int fd, int ms)
{
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	return delayed_start(d, ms, delayed_do_write, d);
}

/* After ms, pthread_kill(target, sig). */
static inline int delayed_signal(struct delayed *d, pthread_t target, int sig, int ms)
{
	memset(d, 0, sizeof(*d));
	d->target = target;
	d->sig = sig;
	return delayed_start(d, ms, delayed_do_signal, d);
}

/* Actions for delayed_start and the like: write1 / efd_signal on *(int *)arg. */
static inline void do_write1(void *arg)
{
	write1(*(int *)arg);
}

static inline void do_efd_signal(void *arg)
{
	efd_signal(*(int *)arg);
}

/* ---- sysctl and slab ---------------------------------------------------- */

/* The module's counter @name in /sys/kernel/debug/eventpoll2/stats, or -1. */
static inline long module_stat(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/eventpoll2/stats", "r");
	char key[64];
	long v, found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

static inline long long read_ll_file(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Write a string to a /proc file; 0 or -1 with errno. */
static inline int write_str_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static inline int write_ll_file(const char *path, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld\n", v);
	return write_str_file(path, buf);
}

/*
 * Objects in use in the slab cache @name.  /proc/slabinfo lists a cache
 * only when it was not merged; SLUB merges eventpoll2_epi & co. into shared
 * caches (":A-0000128"), which /sys/kernel/slab/NAME links to.  Returns -1
 * when neither source knows @name.  *shared says the count includes other
 * caches' objects (merged).
 */
static inline long slab_objects(const char *name, int *shared)
{
	char path[256], line[512];
	FILE *f = fopen("/proc/slabinfo", "re");
	long v = -1;

	if (f) {
		size_t len = strlen(name);

		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, name, len) && line[len] == ' ') {
				sscanf(line + len, "%ld", &v);
				break;
			}
		}
		fclose(f);
		if (v >= 0) {
			if (shared)
				*shared = 0;
			return v;
		}
	}
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects", name);
	v = read_ll_file(path);
	if (v >= 0 && shared)
		*shared = 1;
	return v;
}

/*
 * Sum of the module's caches (or epoll's, for the epoll backend).  Freed
 * objects go back through RCU; callers wait for the count to settle.
 *
 * -1 on a KASAN kernel (the debug lane exports EP2_KERNEL_KASAN=1): its
 * quarantine holds freed objects back, so counts do not fall after frees,
 * for either backend.  kmemleak is that lane's leak check.
 */
static inline long backend_slab_objects(const struct backend *b, int *shared)
{
	const char *kasan = getenv("EP2_KERNEL_KASAN");

	if (kasan && strcmp(kasan, "1") == 0)
		return -1;
	static const char *const ep2_caches[] = { "eventpoll2_epi", "eventpoll2_pwq", "eventpoll2_watch" };
	static const char *const ep_caches[] = { "eventpoll_epi", "eventpoll_pwq" };
	const char *const *names = is_ep2(b) ? ep2_caches : ep_caches;
	int n = is_ep2(b) ? 3 : 2;
	long total = 0;

	if (shared)
		*shared = 0;
	for (int i = 0; i < n; i++) {
		int sh = 0;
		long v = slab_objects(names[i], &sh);

		if (v < 0)
			return -1;
		total += v;
		if (shared)
			*shared |= sh;
	}
	return total;
}

/*
 * Wait (up to @max_ms) until the backend's slab object count is at most
 * @limit; returns the last count seen.  RCU-freed objects need a grace
 * period or two; sleeping lets them go.
 */
static inline long slab_settle(const struct backend *b, long limit, int max_ms)
{
	long long t0 = now_ns();
	long v;

	for (;;) {
		v = backend_slab_objects(b, NULL);
		if (v < 0 || v <= limit || elapsed_ms(t0) >= max_ms)
			return v;
		sleep_ms(20);
	}
}

/* ---- PRNG --------------------------------------------------------------- */

/* xorshift64*: small, fast, deterministic for a given seed. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t rng_seed(uint64_t seed)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;

	return s ? s : 1;
}

static inline uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)((rng_next(s) >> 32) % n) : 0;
}

#endif
