// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libeventpoll2_preload.so - run an unmodified program on eventpoll2:
 *
 *	LD_PRELOAD=/usr/local/lib/libeventpoll2_preload.so program ...
 *
 * Interposes epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
 * epoll_pwait2 and syscall() for the epoll syscall numbers.  The instances it
 * creates are real anon_inode:[eventpoll2] fds.
 *
 * Design (no state, no fd of its own):
 *
 *  - create opens /dev/eventpoll2 for the duration of the call only
 *    (open, ioctl CREATE, close).  The preload therefore keeps no fd in the
 *    program's table: nothing for close_range()/closefrom() sweeps to break,
 *    nothing that counts against a tightly sized RLIMIT_NOFILE, nothing that
 *    grows the kernel's fd table (a fd dup'ed up to the soft limit would
 *    make every process allocate a table that large), nothing to go stale
 *    across fork.  The new instance would land one above the lowest free
 *    fd (the device holds that one during the call), so it is moved down to
 *    the lowest free fd afterwards (F_DUPFD from 0), as epoll_create1()
 *    would have returned it.  Creates are rare; the 4 extra syscalls are
 *    cheap next to the instance's life.
 *
 *  - ctl and wait are one ioctl on the epfd itself (the ABI accepts the
 *    ioctls on an instance fd whose struct names that same instance).  An
 *    eventpoll2 instance answers with epoll's exact result.  Anything else
 *    fails with EBADF (not open), ENOTTY (no such ioctl: native epoll, pipes,
 *    sockets, ...) or EINVAL, and only then the native syscall is made, on
 *    the same arguments, and its answer is returned.  That is errno-exact:
 *    an instance's EINVAL/EBADF re-asked of native epoll gives the same
 *    errno (native checks the same things in the same order and ends with
 *    EINVAL for "not an epoll fd").  So native epoll fds (created before the
 *    preload, by static code, or received from another process) keep
 *    working, at the price of one failed ioctl per call.  The ioctl type
 *    0xE2 is not allocated to any other driver (ioctl-number.rst).
 *
 *  - When the device cannot be opened (module not loaded) create falls back
 *    to native epoll; with EP2_PRELOAD_VERBOSE=1 it says so once on stderr.
 *    When the device took the last free fd (RLIMIT_NOFILE reached), create
 *    falls back to a native instance too, rather than fail with EMFILE where
 *    epoll_create1() would have succeeded.
 *
 * The ready ring (on by default; EP2_PRELOAD_RING=0 turns it off): each
 * instance is created with a strict ring (EP2_CREATE_RING_STRICT: only what
 * it can keep exactly as epoll_wait() reports it, i.e. edge-triggered items
 * on eventfds; EP2_PRELOAD_RING=all serves every edge-triggered and one-shot
 * item, with the stale-event difference of README "The ready ring") of
 * EP2_PRELOAD_RING_ENTRIES slots (4096) and mapped, and epoll_wait() and friends take what the ring holds,
 * without a system call; the kernel is entered only when the ring is empty
 * (to sleep) or kernel_pending says it holds events too (level-triggered or
 * EPOLLWAKEUP items, a full ring, readiness not yet published): then the
 * wait ioctl publishes, takes the ring and the rest, as epoll_wait() would.  The ring
 * serves edge-triggered and one-shot items with the events epoll_wait()
 * would have returned when the item last became ready (README, "The ready
 * ring").  That needs the one piece of state the preload keeps: which fds
 * are ring instances, so close(), dup2(), dup3(), close_range() and
 * closefrom() (and their syscall() numbers) are interposed to forget a ring
 * whose fd goes away.  If a ring cannot be had (RLIMIT_MEMLOCK, an older
 * module) the instance is created without one.
 *
 * The waits run with asynchronous cancellation enabled, so that a thread
 * blocked in epoll_wait() can still be cancelled (it is a cancellation point
 * in glibc; ioctl() is not).  EP2_DEVICE names another device path (tests).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/eventpoll2.h>

#include "eventpoll2.h"
#include "ring_impl.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

#define KERNEL_SIGSET_SIZE (_NSIG / 8)
#define EXPORT __attribute__((visibility("default")))

typedef long (*syscall_fn)(long, ...);
typedef int (*create1_fn)(int);
typedef int (*ctl_fn)(int, int, int, struct epoll_event *);
typedef int (*wait_fn)(int, struct epoll_event *, int, int);
typedef int (*pwait_fn)(int, struct epoll_event *, int, int, const sigset_t *);
typedef int (*pwait2_fn)(int, struct epoll_event *, int, const struct timespec *,
			 const sigset_t *);
typedef int (*close_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*close_range_fn)(unsigned int, unsigned int, int);
typedef void (*closefrom_fn)(int);

static struct {
	syscall_fn syscall;
	create1_fn create1;
	ctl_fn ctl;
	wait_fn wait;
	pwait_fn pwait;
	pwait2_fn pwait2;
	close_fn close;
	dup2_fn dup2;
	dup3_fn dup3;
	close_range_fn close_range;
	closefrom_fn closefrom;
	const char *device;
	unsigned int ring_entries;	/* 0: no ring */
	uint32_t ring_flags;		/* EP2_CREATE_RING_STRICT or 0 */
	int verbose;
	int ready;
	int warned;
} P;

/* Idempotent: a racing second initialisation writes the same values. */
static void init(void)
{
	const char *v;

	if (__atomic_load_n(&P.ready, __ATOMIC_ACQUIRE))
		return;
	P.syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	P.create1 = (create1_fn)dlsym(RTLD_NEXT, "epoll_create1");
	P.ctl = (ctl_fn)dlsym(RTLD_NEXT, "epoll_ctl");
	P.wait = (wait_fn)dlsym(RTLD_NEXT, "epoll_wait");
	P.pwait = (pwait_fn)dlsym(RTLD_NEXT, "epoll_pwait");
	P.pwait2 = (pwait2_fn)dlsym(RTLD_NEXT, "epoll_pwait2");
	P.close = (close_fn)dlsym(RTLD_NEXT, "close");
	P.dup2 = (dup2_fn)dlsym(RTLD_NEXT, "dup2");
	P.dup3 = (dup3_fn)dlsym(RTLD_NEXT, "dup3");
	P.close_range = (close_range_fn)dlsym(RTLD_NEXT, "close_range");
	P.closefrom = (closefrom_fn)dlsym(RTLD_NEXT, "closefrom");
	v = getenv("EP2_PRELOAD_RING");
	P.ring_entries = v && strcmp(v, "0") == 0 ? 0 : EP2_RING_DEFAULT_ENTRIES;
	/* Strict unless asked for all edge-triggered items: results stay epoll's. */
	P.ring_flags = v && strcmp(v, "all") == 0 ? 0 : EP2_CREATE_RING_STRICT;
	v = getenv("EP2_PRELOAD_RING_ENTRIES");
	if (P.ring_entries && v && *v) {
		unsigned long n = strtoul(v, NULL, 0);
		if (n >= EP2_RING_MIN_ENTRIES && n <= EP2_RING_MAX_ENTRIES && !(n & (n - 1)))
			P.ring_entries = (unsigned int)n;
	}
	v = secure_getenv("EP2_DEVICE");
	P.device = v && *v ? v : EVENTPOLL2_DEVICE;
	v = getenv("EP2_PRELOAD_VERBOSE");
	P.verbose = v && *v && strcmp(v, "0") != 0;
	__atomic_store_n(&P.ready, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void ep2_preload_init(void)
{
	init();
}

/* The real syscall(); the raw instruction if libc had none to give. */
static long raw_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	if (P.syscall)
		return P.syscall(nr, a, b, c, d, e, f);
	errno = ENOSYS;
	return -1;
}

/* ---- native epoll, for fallback ----------------------------------------- */

static int native_create1(int flags)
{
	return P.create1 ? P.create1(flags) : (int)raw_syscall(SYS_epoll_create1, flags, 0, 0, 0, 0, 0);
}

static int native_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	return P.ctl ? P.ctl(epfd, op, fd, ev)
		     : (int)raw_syscall(SYS_epoll_ctl, epfd, op, fd, (long)ev, 0, 0);
}

static void say_fallback(int err)
{
	char msg[256];
	int n;

	if (!P.verbose || __atomic_exchange_n(&P.warned, 1, __ATOMIC_RELAXED))
		return;
	n = snprintf(msg, sizeof(msg),
		     "eventpoll2 preload: %s unavailable (%s); using native epoll\n",
		     P.device, strerror(err));
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1) < 0)
		return;
}

static int real_close(int fd)
{
	return P.close ? P.close(fd) : (int)raw_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
}

/* ---- eventpoll2 ----------------------------------------------------------- */

static int ep2p_create1(int flags, int from_syscall)
{
	struct ep2_create_args a = { .size = sizeof(a), .flags = (uint32_t)flags };
	int saved = errno, dev, ep, err, low;

	init();
	if (flags & ~EPOLL_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	dev = open(P.device, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		err = errno;
		errno = saved;
		/* No fd for the device: native epoll decides (EMFILE for it too). */
		if (err != EMFILE && err != ENFILE && err != ENOMEM && err != EINTR)
			say_fallback(err);
		goto native;
	}
	if (P.ring_entries) {
		a.flags |= EP2_CREATE_RING | P.ring_flags;
		a.ring_entries = P.ring_entries;
	}
	ep = ioctl(dev, EP2_IOC_CREATE, &a);
	if (ep < 0 && P.ring_entries && (errno == ENOMEM || errno == EINVAL)) {
		/* No ring to be had (RLIMIT_MEMLOCK, an older module): a plain instance. */
		a.flags &= ~(uint32_t)(EP2_CREATE_RING | EP2_CREATE_RING_STRICT);
		a.ring_entries = 0;
		ep = ioctl(dev, EP2_IOC_CREATE, &a);
	}
	err = errno;
	real_close(dev);
	if (ep < 0) {
		errno = saved;
		/*
		 * EMFILE: the device took the last free fd.  A native instance
		 * still fits and works everywhere (ctl/wait route it), so the
		 * program is not failed where epoll_create1() would succeed.
		 */
		if (err == EMFILE)
			goto native;
		if (err == ENFILE || err == ENOMEM) {
			errno = err;
			return -1;
		}
		/* EP2_DEVICE is not an eventpoll2 device. */
		say_fallback(err);
		goto native;
	}
	if (ep > dev) {
		/* Move it to the lowest free fd, where epoll_create1() puts it. */
		low = fcntl(ep, (flags & EPOLL_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
		if (low >= 0 && low < ep) {
			real_close(ep);
			ep = low;
		} else if (low >= 0) {
			real_close(low);
		}
	}
	/* The ring is an optimisation: without a mapping the kernel path serves all. */
	if (a.flags & EP2_CREATE_RING)
		(void)ring_register(ep);
	errno = saved;
	return ep;

native:
	if (from_syscall)
		return (int)raw_syscall(SYS_epoll_create1, flags, 0, 0, 0, 0, 0);
	return native_create1(flags);
}

static int ep2p_create(int size, int from_syscall)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return ep2p_create1(0, from_syscall);
}

/* Errnos of the instance-fd ioctl after which the native syscall decides. */
static inline int not_an_instance(int err)
{
	return err == ENOTTY || err == EINVAL || err == EBADF;
}

static int ep2p_ctl(int epfd, int op, int fd, struct epoll_event *ev, int from_syscall)
{
	struct ep2_ctl_args a = {
		.size = sizeof(a), .epfd = epfd, .op = op, .fd = fd,
		.event = (uint64_t)(uintptr_t)ev,
	};
	int saved = errno, r;

	r = ioctl(epfd, EP2_IOC_CTL, &a);
	if (r >= 0 || !not_an_instance(errno))
		return r;
	errno = saved;
	init();
	if (from_syscall)
		return (int)raw_syscall(SYS_epoll_ctl, epfd, op, fd, (long)ev, 0, 0);
	return native_ctl(epfd, op, fd, ev);
}

enum wait_kind { K_WAIT, K_PWAIT, K_PWAIT2 };

/*
 * All waits.  @to_ms for WAIT/PWAIT, @ts (a struct __kernel_timespec, or
 * NULL) for PWAIT2; @sigsetsize as the syscall takes it.
 */
static int ep2p_wait(enum wait_kind kind, int epfd, struct epoll_event *evs, int maxevents,
		     int to_ms, const void *ts, const void *sigmask, size_t sigsetsize,
		     int from_syscall)
{
	static const unsigned long cmds[] = { EP2_IOC_WAIT, EP2_IOC_PWAIT, EP2_IOC_PWAIT2 };
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)evs,
		.maxevents = maxevents,
		.timeout_ms = kind == K_PWAIT2 ? 0 : to_ms,
		.sigmask = kind == K_WAIT ? 0 : (uint64_t)(uintptr_t)sigmask,
		.sigsetsize = kind == K_WAIT ? 0 : sigsetsize,
		.timeout = kind == K_PWAIT2 ? (uint64_t)(uintptr_t)ts : 0,
	};
	int saved = errno, old = 0, r, err;

	/* The ring, without a system call, when the kernel has nothing more. */
	r = ring_take_first(epfd, evs, maxevents);
	if (r > 0) {
		errno = saved;
		return r;
	}

	/* syscall() is no cancellation point; the libc functions are. */
	if (!from_syscall)
		pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	r = ioctl(epfd, cmds[kind], &a);
	err = errno;
	if (r < 0 && not_an_instance(err)) {
		init();
		errno = saved;
		if (from_syscall || kind == K_PWAIT2 || (kind == K_PWAIT && sigmask)) {
			/* The raw syscalls: exact sigsetsize and kernel timespec. */
			static const long nrs[] = {
#ifdef SYS_epoll_wait
				SYS_epoll_wait,
#else
				-1,
#endif
				SYS_epoll_pwait, SYS_epoll_pwait2 };
			long nr = nrs[kind];
			if (nr < 0)	/* no epoll_wait syscall: epoll_pwait(NULL) */
				nr = SYS_epoll_pwait;
			if (kind == K_PWAIT2)
				r = (int)raw_syscall(nr, epfd, (long)evs, maxevents, (long)ts,
						     (long)sigmask, (long)sigsetsize);
			else
				r = (int)raw_syscall(nr, epfd, (long)evs, maxevents, to_ms,
						     (long)sigmask, (long)sigsetsize);
		} else if (P.wait) {
			r = P.wait(epfd, evs, maxevents, to_ms);
		} else {
			r = (int)raw_syscall(SYS_epoll_pwait, epfd, (long)evs, maxevents, to_ms, 0, 0);
		}
		err = errno;
	}
	if (!from_syscall)
		pthread_setcanceltype(old, NULL);
	errno = r < 0 ? err : saved;
	return r;
}

/* ---- the interposed libc functions ----------------------------------------- */

EXPORT int epoll_create(int size)
{
	return ep2p_create(size, 0);
}

EXPORT int epoll_create1(int flags)
{
	return ep2p_create1(flags, 0);
}

EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
	return ep2p_ctl(epfd, op, fd, event, 0);
}

EXPORT int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	return ep2p_wait(K_WAIT, epfd, events, maxevents, timeout, NULL, NULL, 0, 0);
}

EXPORT int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
		       const sigset_t *sigmask)
{
	return ep2p_wait(K_PWAIT, epfd, events, maxevents, timeout, NULL, sigmask,
			 sigmask ? KERNEL_SIGSET_SIZE : 0, 0);
}

EXPORT int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
			const struct timespec *timeout, const sigset_t *sigmask)
{
	/* glibc's struct timespec is the kernel's on 64-bit; convert elsewhere. */
	struct { long long tv_sec, tv_nsec; } kts;
	const void *ts = timeout;

	if (timeout && sizeof(*timeout) != sizeof(kts)) {
		kts.tv_sec = timeout->tv_sec;
		kts.tv_nsec = timeout->tv_nsec;
		ts = &kts;
	}
	return ep2p_wait(K_PWAIT2, epfd, events, maxevents, 0, ts, sigmask,
			 sigmask ? KERNEL_SIGSET_SIZE : 0, 0);
}

/* ---- fds going away: forget their rings -------------------------------------- */

static void forget_range(unsigned int first, unsigned int last)
{
	for (unsigned int c = first >> RING_CHUNK_BITS; c < RING_CHUNKS && c <= (last >> RING_CHUNK_BITS); c++) {
		if (!__atomic_load_n(&ring_table[c], __ATOMIC_ACQUIRE))
			continue;
		for (unsigned int i = 0; i < RING_CHUNK; i++) {
			unsigned int fd = (c << RING_CHUNK_BITS) | i;
			if (fd >= first && fd <= last && ring_lookup((int)fd))
				ring_forget((int)fd);
		}
	}
}

EXPORT int close(int fd)
{
	init();
	ring_forget(fd);
	return real_close(fd);
}

EXPORT int dup2(int oldfd, int newfd)
{
	init();
	if (oldfd != newfd && fcntl(oldfd, F_GETFD) >= 0)
		ring_forget(newfd);
	return P.dup2 ? P.dup2(oldfd, newfd) : (int)raw_syscall(SYS_dup2, oldfd, newfd, 0, 0, 0, 0);
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	init();
	if (oldfd != newfd && fcntl(oldfd, F_GETFD) >= 0)
		ring_forget(newfd);
	return P.dup3 ? P.dup3(oldfd, newfd, flags) : (int)raw_syscall(SYS_dup3, oldfd, newfd, flags, 0, 0, 0);
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	init();
	if (!(flags & CLOSE_RANGE_CLOEXEC) && first <= last)
		forget_range(first, last);
	return P.close_range ? P.close_range(first, last, flags)
			     : (int)raw_syscall(SYS_close_range, first, last, flags, 0, 0, 0);
}

EXPORT void closefrom(int lowfd)
{
	init();
	if (lowfd >= 0)
		forget_range((unsigned int)lowfd, ~0U);
	if (P.closefrom)
		P.closefrom(lowfd);
	else
		raw_syscall(SYS_close_range, lowfd, ~0U, 0, 0, 0, 0);
}

/*
 * syscall(2): the epoll numbers are routed here, everything else goes to
 * libc's syscall() untouched.  Like glibc's, it reads six argument words.
 */
EXPORT long syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	switch (nr) {
#ifdef SYS_epoll_create
	case SYS_epoll_create:
		return ep2p_create((int)a[0], 1);
#endif
	case SYS_epoll_create1:
		return ep2p_create1((int)a[0], 1);
	case SYS_epoll_ctl:
		return ep2p_ctl((int)a[0], (int)a[1], (int)a[2], (struct epoll_event *)a[3], 1);
#ifdef SYS_epoll_wait
	case SYS_epoll_wait:
		return ep2p_wait(K_WAIT, (int)a[0], (struct epoll_event *)a[1], (int)a[2],
				 (int)a[3], NULL, NULL, 0, 1);
#endif
	case SYS_epoll_pwait:
		return ep2p_wait(K_PWAIT, (int)a[0], (struct epoll_event *)a[1], (int)a[2],
				 (int)a[3], NULL, (const void *)a[4], (size_t)a[5], 1);
	case SYS_epoll_pwait2:
		return ep2p_wait(K_PWAIT2, (int)a[0], (struct epoll_event *)a[1], (int)a[2],
				 0, (const void *)a[3], (const void *)a[4], (size_t)a[5], 1);
	case SYS_close:
		init();
		ring_forget((int)a[0]);
		break;
	case SYS_dup3:
#ifdef SYS_dup2
	case SYS_dup2:
#endif
		init();
		if (a[0] != a[1] && fcntl((int)a[0], F_GETFD) >= 0)
			ring_forget((int)a[1]);
		break;
	case SYS_close_range:
		init();
		if (!((int)a[2] & CLOSE_RANGE_CLOEXEC) && (unsigned int)a[0] <= (unsigned int)a[1])
			forget_range((unsigned int)a[0], (unsigned int)a[1]);
		break;
	default:
		break;
	}
	init();
	return raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
