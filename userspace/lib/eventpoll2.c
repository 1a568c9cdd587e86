// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libeventpoll2 - see include/eventpoll2.h.
 *
 * ctl and wait are one ioctl on the instance fd itself: the ABI lets any
 * instance fd carry the ioctls when the struct's epfd names that instance, so
 * the common path touches no library state at all (no lock, no device fd that
 * a program could have closed under us).  When that ioctl fails with an errno
 * that can mean "epfd is not an instance" (EBADF: not open; ENOTTY: a file
 * without ioctls, native epoll included; EINVAL), the call is issued again on
 * the control device, where the module resolves epfd exactly as epoll does,
 * so the caller sees epoll's errno (EFAULT before EBADF, EINVAL for
 * non-instances, ...).  Only error paths pay for the second ioctl.
 *
 * The control device is opened once (O_CLOEXEC) and shared with forked
 * children (it is stateless).  Before trusting an error from it, the library
 * checks with fstat() that the fd still is the device it opened, and reopens
 * it if the program closed or replaced it.
 *
 * The kernel's sigset is _NSIG/8 bytes (8 on x86); glibc's sigset_t is
 * larger, as for epoll_pwait(2).  pwait2's timeout is converted to the
 * kernel's 64-bit timespec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/time_types.h>

#include "eventpoll2.h"
#include "ring_impl.h"

_Static_assert(sizeof(struct epoll_event) == sizeof(struct ep2_event),
	       "struct epoll_event and struct ep2_event must match");

#define KERNEL_SIGSET_SIZE (_NSIG / 8)

#define EP2_EXPORT __attribute__((visibility("default")))

static int dev_fd = -1;
static dev_t dev_rdev;
static ino_t dev_ino;
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *device_path(void)
{
	const char *p = secure_getenv("EP2_DEVICE");

	return p && *p ? p : EVENTPOLL2_DEVICE;
}

/* Open the device; ENODEV when there is none (module not loaded). */
static int open_device(dev_t *rdev, ino_t *ino)
{
	struct stat st;
	int fd = open(device_path(), O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENOTDIR)
			errno = ENODEV;
		return -1;
	}
	/*
	 * Is it eventpoll2?  Only the module answers a CTL without its
	 * argument struct with EFAULT (others: ENOTTY, EINVAL).
	 */
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    ioctl(fd, EP2_IOC_CTL, NULL) != -1 || errno != EFAULT) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	*rdev = st.st_rdev;
	*ino = st.st_ino;
	return fd;
}

/* Caller holds dev_lock. */
static int fd_is_our_device(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == dev_rdev && st.st_ino == dev_ino;
}

EP2_EXPORT int ep2_device_fd(void)
{
	int fd = __atomic_load_n(&dev_fd, __ATOMIC_ACQUIRE);
	dev_t rdev;
	ino_t ino;

	if (fd >= 0)
		return fd;
	pthread_mutex_lock(&dev_lock);
	fd = dev_fd;
	if (fd < 0) {
		fd = open_device(&rdev, &ino);
		if (fd >= 0) {
			dev_rdev = rdev;
			dev_ino = ino;
			__atomic_store_n(&dev_fd, fd, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&dev_lock);
	return fd;
}

/*
 * The ioctl on @fd (the device fd we handed out) failed: if @fd is no longer
 * our device (the program closed it or reused the number), forget it -- never
 * close it, the number may be the program's now -- open a new one and return
 * it so the caller retries.  Returns -1 when the error stands (errno kept) or
 * the device cannot be reopened (errno ENODEV...).
 */
static int device_fd_after_error(int fd)
{
	int err = errno, nfd = -1;
	dev_t rdev;
	ino_t ino;

	if (err != EBADF && err != ENOTTY && err != EINVAL)
		return -1;
	pthread_mutex_lock(&dev_lock);
	if (dev_fd != fd) {
		/* Another thread already replaced it. */
		nfd = dev_fd;
	} else if (!fd_is_our_device(fd)) {
		nfd = open_device(&rdev, &ino);
		if (nfd >= 0) {
			dev_rdev = rdev;
			dev_ino = ino;
		}
		__atomic_store_n(&dev_fd, nfd, __ATOMIC_RELEASE);
		if (nfd < 0)
			err = errno;
	}
	pthread_mutex_unlock(&dev_lock);
	errno = err;
	return nfd;
}

/* One ioctl on the device, retried once if the device fd went stale. */
static int dev_ioctl(unsigned long cmd, void *arg)
{
	int fd = ep2_device_fd(), r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, cmd, arg);
	if (r < 0) {
		fd = device_fd_after_error(fd);
		if (fd >= 0)
			r = ioctl(fd, cmd, arg);
	}
	return r;
}

/*
 * ctl/wait: first on the instance itself; errors that may mean "not an
 * instance" are decided by the device.
 */
static int instance_ioctl(int epfd, unsigned long cmd, void *arg)
{
	int r = ioctl(epfd, cmd, arg);

	if (r >= 0 || (errno != EBADF && errno != ENOTTY && errno != EINVAL))
		return r;
	return dev_ioctl(cmd, arg);
}

/*
 * epoll_wait() and friends are cancellation points: a thread blocked in one
 * can be cancelled.  ioctl() is not one, so the wait runs with asynchronous
 * cancellation enabled, as glibc itself did for blocking syscalls.
 */
static int wait_ioctl(int epfd, unsigned long cmd, void *a)
{
	int old, r, err;

	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	r = instance_ioctl(epfd, cmd, a);
	err = errno;
	pthread_setcanceltype(old, NULL);
	errno = err;
	return r;
}

EP2_EXPORT int ep2_create1(int flags)
{
	struct ep2_create_args a = { .size = sizeof(a), .flags = (uint32_t)flags };

	/* Checked here too, so that EINVAL from the device means "not ours". */
	if (flags & ~EPOLL_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	return dev_ioctl(EP2_IOC_CREATE, &a);
}

EP2_EXPORT int ep2_create(int size)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return ep2_create1(0);
}

EP2_EXPORT int ep2_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
	struct ep2_ctl_args a = {
		.size = sizeof(a), .epfd = epfd, .op = op, .fd = fd,
		.event = (uint64_t)(uintptr_t)event,
	};

	return instance_ioctl(epfd, EP2_IOC_CTL, &a);
}

static int kernel_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)events,
		.maxevents = maxevents, .timeout_ms = timeout,
	};

	return wait_ioctl(epfd, EP2_IOC_WAIT, &a);
}

static int kernel_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
			const sigset_t *sigmask)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)events,
		.maxevents = maxevents, .timeout_ms = timeout,
		.sigmask = (uint64_t)(uintptr_t)sigmask,
		.sigsetsize = sigmask ? KERNEL_SIGSET_SIZE : 0,
	};

	return wait_ioctl(epfd, EP2_IOC_PWAIT, &a);
}

/* PWAIT2, with min-wait when @min_events/@min_wait_ns are set (0: a plain one). */
static int kernel_pwait2_min(int epfd, struct epoll_event *events, int maxevents,
			     const struct timespec *timeout, const sigset_t *sigmask,
			     unsigned int min_events, uint64_t min_wait_ns)
{
	struct __kernel_timespec kts;
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)events,
		.maxevents = maxevents,
		.sigmask = (uint64_t)(uintptr_t)sigmask,
		.sigsetsize = sigmask ? KERNEL_SIGSET_SIZE : 0,
		.min_events = min_events, .min_wait_ns = min_wait_ns,
	};

	if (timeout) {
		if (sizeof(struct timespec) == sizeof(kts)) {
			/* Same layout: pass the caller's pointer (EFAULT parity). */
			a.timeout = (uint64_t)(uintptr_t)timeout;
		} else {
			kts.tv_sec = timeout->tv_sec;
			kts.tv_nsec = timeout->tv_nsec;
			a.timeout = (uint64_t)(uintptr_t)&kts;
		}
	}
	return wait_ioctl(epfd, EP2_IOC_PWAIT2, &a);
}

static int kernel_pwait2(int epfd, struct epoll_event *events, int maxevents,
			 const struct timespec *timeout, const sigset_t *sigmask)
{
	return kernel_pwait2_min(epfd, events, maxevents, timeout, sigmask, 0, 0);
}

/* ---- the ready ring (the protocol is in ring_impl.h) --------------------------- */

EP2_EXPORT struct ep2_ring *ep2_ring_get(int epfd)
{
	struct ring_slot *s = ring_lookup(epfd);

	return s ? &s->ring : NULL;
}

EP2_EXPORT int ep2_ring_map(int epfd, struct ep2_ring *ring)
{
	return ring_map(epfd, ring);
}

EP2_EXPORT void ep2_ring_unmap(struct ep2_ring *ring)
{
	ring_unmap(ring);
}

EP2_EXPORT int ep2_ring_harvest(struct ep2_ring *ring, struct epoll_event *events, int maxevents)
{
	if (maxevents <= 0) {
		errno = EINVAL;
		return -1;
	}
	return ring_harvest(ring, events, maxevents);
}

EP2_EXPORT int ep2_ring_harvest_single(struct ep2_ring *ring, struct epoll_event *events,
				       int maxevents)
{
	if (maxevents <= 0) {
		errno = EINVAL;
		return -1;
	}
	return ring_harvest_single(ring, events, maxevents);
}

EP2_EXPORT int ep2_create_ring(int flags, unsigned int entries)
{
	struct ep2_create_args a = {
		.size = sizeof(a), .flags = (uint32_t)flags | EP2_CREATE_RING,
		.ring_entries = entries ? entries : EP2_RING_DEFAULT_ENTRIES,
	};
	int fd, err;

	if (flags & ~(EPOLL_CLOEXEC | EP2_CREATE_RING_STRICT | EP2_CREATE_RING_KEYED)) {
		errno = EINVAL;
		return -1;
	}
	fd = dev_ioctl(EP2_IOC_CREATE, &a);
	if (fd < 0)
		return -1;
	if (ring_register(fd) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

EP2_EXPORT int ep2_create_roundrobin(int flags)
{
	struct ep2_create_args a = {
		.size = sizeof(a), .flags = (uint32_t)flags | EP2_CREATE_ROUNDROBIN,
	};

	if (flags & ~EPOLL_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	return dev_ioctl(EP2_IOC_CREATE, &a);
}

EP2_EXPORT int ep2_set_params(int epfd, const struct ep2_epoll_params *params)
{
	return ioctl(epfd, EP2_EPIOCSPARAMS, params);
}

EP2_EXPORT int ep2_get_params(int epfd, struct ep2_epoll_params *params)
{
	return ioctl(epfd, EP2_EPIOCGPARAMS, params);
}

EP2_EXPORT int ep2_close(int epfd)
{
	ring_forget(epfd);
	return close(epfd);
}

EP2_EXPORT int ep2_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	int n = ring_take_first(epfd, events, maxevents);

	return n >= 0 ? n : kernel_wait(epfd, events, maxevents, timeout);
}

EP2_EXPORT int ep2_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
			 const sigset_t *sigmask)
{
	int n = ring_take_first(epfd, events, maxevents);

	return n >= 0 ? n : kernel_pwait(epfd, events, maxevents, timeout, sigmask);
}

EP2_EXPORT int ep2_pwait2(int epfd, struct epoll_event *events, int maxevents,
			  const struct timespec *timeout, const sigset_t *sigmask)
{
	int n = ring_take_first(epfd, events, maxevents);

	return n >= 0 ? n : kernel_pwait2(epfd, events, maxevents, timeout, sigmask);
}

/* ---- batched ctl, ctl + wait, min-wait ------------------------------------------ */

EP2_EXPORT int ep2_ctl_batch(int epfd, struct ep2_ctl_change *changes, unsigned int nchanges,
			     unsigned int flags, unsigned int *failed)
{
	struct ep2_ctl_batch_args a = {
		.size = sizeof(a), .epfd = epfd, .changes = (uint64_t)(uintptr_t)changes,
		.nchanges = nchanges, .flags = flags,
	};
	/*
	 * Whole-call errors (EBADF/EINVAL) come before anything is applied,
	 * so asking the device again never applies a change twice.
	 */
	int r = instance_ioctl(epfd, EP2_IOC_CTL_BATCH, &a);

	if (r >= 0 && failed)
		*failed = a.failed;
	return r;
}

EP2_EXPORT int ep2_ctl_wait(int epfd, struct ep2_ctl_wait_args *a)
{

	a->size = sizeof(*a);
	a->epfd = epfd;
	if (a->sigmask && !a->sigsetsize)
		a->sigsetsize = KERNEL_SIGSET_SIZE;
	/* Every EBADF/EINVAL of the call comes before its changes (see above). */
	return wait_ioctl(epfd, EP2_IOC_CTL_WAIT, a);
}

EP2_EXPORT int ep2_wait_min(int epfd, struct epoll_event *events, int maxevents,
			    const struct timespec *timeout, const sigset_t *sigmask,
			    unsigned int min_events, uint64_t min_wait_ns)
{
	struct ring_slot *s;

	/* A ring that holds enough already: no system call. */
	if (maxevents > 0 && (s = ring_get(epfd))) {
		unsigned need = min_events ? min_events : (min_wait_ns ? (unsigned)maxevents : 1);
		int n = 0;

		if (need > (unsigned)maxevents)
			need = maxevents;
		/* kernel_pending: the kernel has more (and publishes first): ask it. */
		if (!ep2_ring_kernel_pending(&s->ring) && ep2_ring_ready(&s->ring) >= need)
			n = ring_harvest(&s->ring, events, maxevents);
		ring_put(s);
		if (n > 0 && (unsigned)n >= need)
			return n;
		if (n > 0) {
			/* Raced with another consumer: what the kernel has, without blocking. */
			int k = kernel_wait(epfd, events + n, maxevents - n, 0);

			return k > 0 ? n + k : n;
		}
	}
	return kernel_pwait2_min(epfd, events, maxevents, timeout, sigmask, min_events, min_wait_ns);
}

EP2_EXPORT int ep2_available(void)
{
	return ep2_device_fd() >= 0;
}
