/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h - one test, two backends.
 *
 * Every behavioural test is written once against `struct backend` and run
 * against native epoll (the oracle) and against eventpoll2, through the
 * FIXTURE_VARIANT of kselftest_harness.h.  If a test fails on native epoll,
 * the test is wrong.
 */
#ifndef EP2_SELFTEST_BACKEND_H
#define EP2_SELFTEST_BACKEND_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "eventpoll2.h"

struct backend {
	const char *name;
	const char *anon_name;	/* readlink of /proc/self/fd/N */
	int (*create)(int size);
	int (*create1)(int flags);
	int (*ctl)(int epfd, int op, int fd, struct epoll_event *ev);
	int (*wait)(int epfd, struct epoll_event *evs, int maxevents, int timeout);
	int (*pwait)(int epfd, struct epoll_event *evs, int maxevents, int timeout,
		     const sigset_t *sigmask);
	int (*pwait2)(int epfd, struct epoll_event *evs, int maxevents,
		      const struct timespec *timeout, const sigset_t *sigmask);
};

static inline int native_pwait2(int epfd, struct epoll_event *evs, int maxevents,
				const struct timespec *timeout, const sigset_t *sigmask)
{
	return epoll_pwait2(epfd, evs, maxevents, timeout, sigmask);
}

static const struct backend backend_epoll = {
	.name = "epoll", .anon_name = "anon_inode:[eventpoll]",
	.create = epoll_create, .create1 = epoll_create1, .ctl = epoll_ctl,
	.wait = epoll_wait, .pwait = epoll_pwait, .pwait2 = native_pwait2,
};

static const struct backend backend_ep2 = {
	.name = "eventpoll2", .anon_name = "anon_inode:[eventpoll2]",
	.create = ep2_create, .create1 = ep2_create1, .ctl = ep2_ctl,
	.wait = ep2_wait, .pwait = ep2_pwait, .pwait2 = ep2_pwait2,
};

/* Declares the two variants of fixture F: F.epoll and F.eventpoll2. */
#define BACKEND_VARIANTS(F)                                                   \
	FIXTURE_VARIANT(F) { const struct backend *b; };                       \
	FIXTURE_VARIANT_ADD(F, epoll) { .b = &backend_epoll };                 \
	FIXTURE_VARIANT_ADD(F, eventpoll2) { .b = &backend_ep2 }

/* Shorthands inside a TEST_F of a BACKEND_VARIANTS fixture. */
#define B (variant->b)

static inline int ev_add(const struct backend *b, int ep, int fd, unsigned events, unsigned long long data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return b->ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static inline int ev_mod(const struct backend *b, int ep, int fd, unsigned events, unsigned long long data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return b->ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static inline long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int fd_link_is(int fd, const char *want)
{
	char path[64], buf[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = 0;
	return strcmp(buf, want) == 0;
}

#endif
