// SPDX-License-Identifier: GPL-2.0
/*
 * ep2callcost - what one call costs on each path, single-threaded:
 * epoll_ctl ADD+DEL pairs and epoll_wait(timeout 0) calls on
 *
 *   native epoll (libc's own functions, found with dlopen),
 *   libeventpoll2 (ep2_ctl/ep2_wait: one ioctl on the instance fd),
 *   the raw ioctl on the control device,
 *   and, when run under LD_PRELOAD=libeventpoll2_preload.so, the
 *   interposed epoll_* on an eventpoll2 instance and on a native one.
 *
 *	ep2callcost [ITERATIONS [ROUNDS]]      (default 4000 8)
 *
 * The rounds are interleaved and the minimum per path is reported, which
 * filters out a noisy (shared, emulated) machine.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "eventpoll2.h"

typedef int (*create_fn)(int);
typedef int (*ctl_fn)(int, int, int, struct epoll_event *);
typedef int (*wait_fn)(int, struct epoll_event *, int, int);

static int dev_ctl(int ep, int op, int fd, struct epoll_event *ev)
{
	struct ep2_ctl_args a = { .size = sizeof(a), .epfd = ep, .op = op, .fd = fd,
				  .event = (unsigned long)ev };

	return ioctl(ep2_device_fd(), EP2_IOC_CTL, &a);
}

static int dev_wait(int ep, struct epoll_event *evs, int max, int timeout)
{
	struct ep2_wait_args a = { .size = sizeof(a), .epfd = ep, .events = (unsigned long)evs,
				   .maxevents = max, .timeout_ms = timeout };

	return ioctl(ep2_device_fd(), EP2_IOC_WAIT, &a);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

struct path {
	const char *name;
	create_fn create;
	ctl_fn ctl;
	wait_fn wait;
	double best_ctl, best_wait;
};

static void measure(struct path *p, int n)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	int ep = p->create(0), fds[2];
	double t0, t1, t2;

	if (ep < 0 || pipe(fds)) {
		fprintf(stderr, "ep2callcost: %s: create: %s\n", p->name, strerror(errno));
		exit(1);
	}
	t0 = now();
	for (int i = 0; i < n; i++) {
		if (p->ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) || p->ctl(ep, EPOLL_CTL_DEL, fds[0], &ev)) {
			fprintf(stderr, "ep2callcost: %s: ctl: %s\n", p->name, strerror(errno));
			exit(1);
		}
	}
	t1 = now();
	if (p->ctl(ep, EPOLL_CTL_ADD, fds[0], &ev))
		exit(1);
	t2 = now();
	for (int i = 0; i < n; i++) {
		if (p->wait(ep, out, 4, 0) < 0) {
			fprintf(stderr, "ep2callcost: %s: wait: %s\n", p->name, strerror(errno));
			exit(1);
		}
	}
	t2 = (now() - t2) / n * 1e6;
	t1 = (t1 - t0) / n * 1e6;
	if (t1 < p->best_ctl)
		p->best_ctl = t1;
	if (t2 < p->best_wait)
		p->best_wait = t2;
	close(fds[0]);
	close(fds[1]);
	close(ep);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4000, rounds = argc > 2 ? atoi(argv[2]) : 8, np = 0;
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	const char *preload = getenv("LD_PRELOAD");
	struct path paths[5];

	if (!libc || !ep2_available()) {
		fprintf(stderr, "ep2callcost: %s\n", !libc ? dlerror() : strerror(errno));
		return 1;
	}
	create_fn libc_create = (create_fn)dlsym(libc, "epoll_create1");
	ctl_fn libc_ctl = (ctl_fn)dlsym(libc, "epoll_ctl");
	wait_fn libc_wait = (wait_fn)dlsym(libc, "epoll_wait");

	paths[np++] = (struct path){ "native epoll (libc)", libc_create, libc_ctl, libc_wait, 1e12, 1e12 };
	paths[np++] = (struct path){ "libeventpoll2 ep2_*", ep2_create1, ep2_ctl, ep2_wait, 1e12, 1e12 };
	paths[np++] = (struct path){ "ioctl on /dev/eventpoll2", ep2_create1, dev_ctl, dev_wait, 1e12, 1e12 };
	if (preload && strstr(preload, "eventpoll2")) {
		paths[np++] = (struct path){ "preload, eventpoll2 fd", epoll_create1, epoll_ctl, epoll_wait, 1e12, 1e12 };
		paths[np++] = (struct path){ "preload, native epoll fd", libc_create, epoll_ctl, epoll_wait, 1e12, 1e12 };
	}
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < np; i++)
			measure(&paths[i], n);

	printf("%-28s %20s %20s\n", "path", "ctl ADD+DEL (us)", "wait(0) (us)");
	for (int i = 0; i < np; i++)
		printf("%-28s %20.2f %20.2f\n", paths[i].name, paths[i].best_ctl, paths[i].best_wait);
	printf("(minimum over %d interleaved rounds of %d iterations)\n", rounds, n);
	return 0;
}
