/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libeventpoll2: the epoll API, one to one, on /dev/eventpoll2.
 *
 * Same arguments, same return values, same errno values as epoll_create1(2),
 * epoll_ctl(2), epoll_wait(2), epoll_pwait(2) and epoll_pwait2(2).  The
 * instance fds are real anon_inode:[eventpoll2] files: poll them, nest them,
 * pass them over unix sockets, close them.
 *
 * The library opens /dev/eventpoll2 once per process (O_CLOEXEC), lazily and
 * thread-safely, and again in a child after fork.  When the module is not
 * loaded, calls fail with ENODEV (ep2_available() says so up front).
 */
#ifndef EVENTPOLL2_H
#define EVENTPOLL2_H

#include <signal.h>
#include <sys/epoll.h>
#include <time.h>
#include <linux/eventpoll2.h>

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

/* 1 if /dev/eventpoll2 can be opened, else 0 with errno set. */
int ep2_available(void);
/* The control device fd (opened on first use), or -1 with errno. */
int ep2_device_fd(void);

#ifdef __cplusplus
}
#endif

#endif /* EVENTPOLL2_H */
