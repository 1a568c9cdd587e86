// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libeventpoll2 - see include/eventpoll2.h.
 *
 * Every call is one ioctl on the control device, with the instance named in
 * the argument struct, so the module resolves it exactly as the epoll
 * syscalls do (EBADF, EINVAL for "not an instance").  The kernel's sigset is
 * 8 bytes; glibc's sigset_t is larger, as for epoll_pwait(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "eventpoll2.h"

_Static_assert(sizeof(struct epoll_event) == sizeof(struct ep2_event),
	       "struct epoll_event and struct ep2_event must match");

#define KERNEL_SIGSET_SIZE 8

static int dev_fd = -1;
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Open the device once per process.  The fd is stateless, so a forked child
 * may share it; O_CLOEXEC keeps it from leaking across exec.
 */
int ep2_device_fd(void)
{
	int fd = __atomic_load_n(&dev_fd, __ATOMIC_ACQUIRE);

	if (fd >= 0)
		return fd;
	pthread_mutex_lock(&dev_lock);
	fd = dev_fd;
	if (fd < 0) {
		fd = open(EVENTPOLL2_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				errno = ENODEV;
		} else {
			__atomic_store_n(&dev_fd, fd, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&dev_lock);
	return fd;
}

int ep2_available(void)
{
	return ep2_device_fd() >= 0;
}

static long dev_ioctl(unsigned long cmd, void *arg)
{
	int fd = ep2_device_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, cmd, arg);
}

int ep2_create1(int flags)
{
	struct ep2_create_args a = { .size = sizeof(a), .flags = (uint32_t)flags };

	return (int)dev_ioctl(EP2_IOC_CREATE, &a);
}

int ep2_create(int size)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return ep2_create1(0);
}

int ep2_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
	struct ep2_ctl_args a = {
		.size = sizeof(a), .epfd = epfd, .op = op, .fd = fd,
		.event = (uint64_t)(uintptr_t)event,
	};

	return (int)dev_ioctl(EP2_IOC_CTL, &a);
}

int ep2_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)events,
		.maxevents = maxevents, .timeout_ms = timeout,
	};

	return (int)dev_ioctl(EP2_IOC_WAIT, &a);
}

int ep2_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
	      const sigset_t *sigmask)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)events,
		.maxevents = maxevents, .timeout_ms = timeout,
		.sigmask = (uint64_t)(uintptr_t)sigmask,
		.sigsetsize = sigmask ? KERNEL_SIGSET_SIZE : 0,
	};

	return (int)dev_ioctl(EP2_IOC_PWAIT, &a);
}

int ep2_pwait2(int epfd, struct epoll_event *events, int maxevents,
	       const struct timespec *timeout, const sigset_t *sigmask)
{
	struct ep2_wait_args a = {
		.size = sizeof(a), .epfd = epfd, .events = (uint64_t)(uintptr_t)events,
		.maxevents = maxevents,
		.sigmask = (uint64_t)(uintptr_t)sigmask,
		.sigsetsize = sigmask ? KERNEL_SIGSET_SIZE : 0,
		.timeout = (uint64_t)(uintptr_t)timeout,
	};

	return (int)dev_ioctl(EP2_IOC_PWAIT2, &a);
}
