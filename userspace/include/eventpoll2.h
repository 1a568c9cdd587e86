/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libeventpoll2: the epoll API, one to one, on /dev/eventpoll2.
 *
 * Same arguments, same return values, same errno values as epoll_create(2),
 * epoll_create1(2), epoll_ctl(2), epoll_wait(2), epoll_pwait(2) and
 * epoll_pwait2(2); the waits are cancellation points as epoll's are.  The
 * instance fds are real anon_inode:[eventpoll2] files: poll them, nest them
 * (in each other or in native epoll, and the reverse), pass them over unix
 * sockets, dup and close them.
 *
 * Thread-safe, async-signal-safe once the device is open, and fork-safe.
 * The library keeps one fd of /dev/eventpoll2 (O_CLOEXEC), opened lazily on
 * the first create; it needs no per-process state beyond that.  ctl and wait
 * are one ioctl on the instance fd itself; the device fd is used to create
 * instances and to give the exact epoll errno when epfd is not an instance.
 * If the program closes the device fd (closefrom() after fork, a close_range()
 * sweep, dup2() over it) the library notices and reopens it.
 *
 * When the module is not loaded, calls fail with ENODEV (ep2_available()
 * says so up front).  The environment variable EP2_DEVICE names another
 * device path (for tests; ignored in set-uid programs).
 */
#ifndef EVENTPOLL2_H
#define EVENTPOLL2_H

#include <signal.h>
#include <sys/epoll.h>
#include <time.h>
#include <linux/eventpoll2.h>

#define EVENTPOLL2_LIB_VERSION_MAJOR	0
#define EVENTPOLL2_LIB_VERSION_MINOR	1

#ifdef __cplusplus
extern "C" {
#endif

int ep2_create(int size);
int ep2_create1(int flags);
int ep2_ctl(int epfd, int op, int fd, struct epoll_event *event);
int ep2_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
int ep2_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
	      const sigset_t *sigmask);
int ep2_pwait2(int epfd, struct epoll_event *events, int maxevents,
	       const struct timespec *timeout, const sigset_t *sigmask);

/* 1 if /dev/eventpoll2 can be opened, else 0 with errno set (ENODEV). */
int ep2_available(void);
/* The control device fd (opened on first use, O_CLOEXEC), or -1 with errno. */
int ep2_device_fd(void);

#ifdef __cplusplus
}
#endif

#endif /* EVENTPOLL2_H */
