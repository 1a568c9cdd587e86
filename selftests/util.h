/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - small helpers shared by the behavioural selftests (ctl_errors,
 * wait, signal, modes, filetypes, fdinfo).  Include after backend.h.
 */
#ifndef EP2_SELFTEST_UTIL_H
#define EP2_SELFTEST_UTIL_H

#include "backend.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>

static inline bool is_ep2(const struct backend *b)
{
	return b == &backend_ep2;
}

/* The other backend (for "an instance of the other kind" tests). */
static inline const struct backend *other_backend(const struct backend *b)
{
	return is_ep2(b) ? &backend_epoll : &backend_ep2;
}

/* ---- /proc/self/fdinfo ------------------------------------------------- */

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

/* Number of items listed in an instance's fdinfo, or -1. */
static inline int fdinfo_count(int ep)
{
	static char raw[1 << 16];
	int n = 0;

	if (fdinfo_read(ep, raw, sizeof(raw)) < 0)
		return -1;
	for (char *p = raw; (p = strstr(p, "tfd:")); p += 4)
		n++;
	return n;
}

/*
 * The item for target fd tfd in instance ep: 1 and its events/data when
 * listed, 0 when not listed, -1 on error.
 */
static inline int fdinfo_item(int ep, int tfd, unsigned *events, unsigned long long *data)
{
	static char raw[1 << 16];
	char *p = raw;

	if (fdinfo_read(ep, raw, sizeof(raw)) < 0)
		return -1;
	while ((p = strstr(p, "tfd:"))) {
		int fd;
		unsigned ev;
		unsigned long long d;

		if (sscanf(p, "tfd: %d events: %x data: %llx", &fd, &ev, &d) == 3 && fd == tfd) {
			if (events)
				*events = ev;
			if (data)
				*data = d;
			return 1;
		}
		p += 4;
	}
	return 0;
}

/* Interest mask of tfd in ep as shown by fdinfo; ~0u if absent/error. */
static inline unsigned fdinfo_events(int ep, int tfd)
{
	unsigned ev;

	return fdinfo_item(ep, tfd, &ev, NULL) == 1 ? ev : ~0u;
}

/* ---- raw waits (sigsetsize and other ABI corners the library hides) ---- */

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

/* ---- memory that faults -------------------------------------------------- */

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

/* ---- fds ----------------------------------------------------------------- */

static inline int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static inline int write1(int fd)
{
	char c = 'x';

	return (int)write(fd, &c, 1);
}

/* Read (and discard) everything currently readable from a nonblocking fd. */
static inline void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static inline void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline long long elapsed_ms(long long start_ns)
{
	return (now_ns() - start_ns) / 1000000LL;
}

/* ---- delayed actions from a helper thread --------------------------------- */

struct delayed {
	pthread_t thr;
	int ms;
	int fd;			/* write 8 bytes of value 1 (pipe, eventfd) */
	pthread_t target;	/* or send sig to this thread */
	int sig;
};

static inline void *delayed_fn(void *arg)
{
	struct delayed *d = arg;
	uint64_t one = 1;

	msleep(d->ms);
	if (d->sig)
		pthread_kill(d->target, d->sig);
	else if (write(d->fd, &one, sizeof(one)) < 0)
		perror("delayed write");
	return NULL;
}

/* After ms, write an 8-byte 1 to fd (works for pipes, sockets, eventfds). */
static inline int delayed_write(struct delayed *d, int fd, int ms)
{
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	d->ms = ms;
	return pthread_create(&d->thr, NULL, delayed_fn, d);
}

/* After ms, pthread_kill(target, sig). */
static inline int delayed_signal(struct delayed *d, pthread_t target, int sig, int ms)
{
	memset(d, 0, sizeof(*d));
	d->target = target;
	d->sig = sig;
	d->ms = ms;
	return pthread_create(&d->thr, NULL, delayed_fn, d);
}

static inline void delayed_join(struct delayed *d)
{
	pthread_join(d->thr, NULL);
}

#endif
