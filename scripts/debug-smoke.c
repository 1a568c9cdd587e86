// SPDX-License-Identifier: GPL-2.0
/*
 * debug-smoke.c - drive every locking path of eventpoll2 once, for the
 * debug-kernel lane (scripts/check-debug runs it in the guest after the
 * selftests).  It is not a behavioural test (the selftests are): it checks
 * little beyond "the calls succeed", its purpose is to make lockdep, KASAN,
 * DEBUG_LIST, debug objects and kmemleak see ctl ADD/MOD/DEL, the event
 * transfer loop, the poll callback from another task, wakeups of sleeping
 * waiters, nested instances (mtx subclasses, nested wakeups), loop checks
 * (ep_nested_mtx), native epoll <-> eventpoll2 nesting, EPOLLWAKEUP, close of
 * watched files, release of instances with items, and POLLFREE (signalfd of
 * an exiting process).
 *
 * Usage: debug-smoke [STEP...]   (default: every step; names as in main())
 * Output is KTAP; exit status 0 if every step passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eventpoll2.h"

static int failures, step, nsel;
static char **sel;

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("# %s:%d: %s failed (errno %d: %s)\n",         \
			       __func__, __LINE__, #cond, errno, strerror(errno)); \
			return 1;                                             \
		}                                                             \
	} while (0)

static void run(const char *name, int (*fn)(void))
{
	int rc, i;

	for (i = 0; i < nsel && strcmp(sel[i], name); i++)
		;
	if (nsel && i == nsel)
		return;
	rc = fn();

	step++;
	printf("%sok %d %s\n", rc ? "not " : "", step, name);
	fflush(stdout);
	if (rc)
		failures++;
}

static int add(int ep, int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return ep2_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void efd_signal(int efd)
{
	unsigned long long one = 1;

	if (write(efd, &one, sizeof(one)) != sizeof(one))
		perror("eventfd write");
}

/* ADD, MOD, wait, DEL on eventfds and a socketpair. */
static int ctl_basic(void)
{
	struct epoll_event evs[8], ev;
	int ep = ep2_create1(EPOLL_CLOEXEC), efd = eventfd(0, EFD_NONBLOCK), sv[2];

	CHECK(ep >= 0 && efd >= 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	CHECK(add(ep, efd, EPOLLIN) == 0);
	CHECK(add(ep, sv[0], EPOLLIN | EPOLLOUT) == 0);
	CHECK(add(ep, efd, EPOLLIN) == -1 && errno == EEXIST);
	CHECK(ep2_wait(ep, evs, 8, 0) == 1);	/* socket writable */
	efd_signal(efd);
	CHECK(ep2_wait(ep, evs, 8, 0) == 2);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = sv[0];
	CHECK(ep2_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev) == 0);
	CHECK(write(sv[1], "x", 1) == 1);
	CHECK(ep2_wait(ep, evs, 8, 100) == 2);
	CHECK(ep2_wait(ep, evs, 8, 0) == 1);	/* ET: reported once */
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.fd = efd;
	CHECK(ep2_ctl(ep, EPOLL_CTL_MOD, efd, &ev) == 0);
	CHECK(ep2_wait(ep, evs, 8, 0) == 1);
	CHECK(ep2_wait(ep, evs, 8, 0) == 0);	/* oneshot disarmed */
	CHECK(ep2_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == 0);
	CHECK(ep2_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == -1 && errno == ENOENT);
	close(sv[1]);				/* peer gone: HUP on sv[0] */
	CHECK(ep2_wait(ep, evs, 8, 100) == 1);
	close(efd);
	close(sv[0]);
	close(ep);
	return 0;
}

/* Close watched files (close path) and instances still holding items. */
static int close_paths(void)
{
	enum { N = 64 };
	int ep = ep2_create1(0), fds[N];
	struct epoll_event evs[N];

	CHECK(ep >= 0);
	for (int i = 0; i < N; i++) {
		fds[i] = eventfd(1, 0);
		CHECK(fds[i] >= 0);
		CHECK(add(ep, fds[i], EPOLLIN) == 0);
	}
	CHECK(ep2_wait(ep, evs, N, 0) == N);
	for (int i = 0; i < N; i += 2)
		close(fds[i]);			/* removed by the close path */
	CHECK(ep2_wait(ep, evs, N, 0) == N / 2);
	/* The same file under a second fd: the item of the old fd stays. */
	int dup_fd = dup(fds[1]);
	CHECK(dup_fd >= 0 && add(ep, dup_fd, EPOLLIN) == 0);
	close(ep);				/* release with items */
	for (int i = 1; i < N; i += 2)
		close(fds[i]);
	close(dup_fd);
	return 0;
}

struct waiter {
	int ep;
	int n;
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;
	struct epoll_event ev;

	w->n = ep2_wait(w->ep, &ev, 1, 5000);
	return NULL;
}

/* Sleeping waiters woken by the callback from another task. */
static int wakeups(void)
{
	enum { T = 4 };
	pthread_t th[T];
	struct waiter w[T];
	int ep = ep2_create1(0), efd = eventfd(0, 0), efd2 = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	CHECK(ep >= 0 && efd >= 0 && efd2 >= 0);
	CHECK(add(ep, efd, EPOLLIN) == 0);
	for (int i = 0; i < T; i++) {
		w[i] = (struct waiter){ .ep = ep, .n = -2 };
		CHECK(pthread_create(&th[i], NULL, waiter_thread, &w[i]) == 0);
	}
	usleep(200000);
	efd_signal(efd);
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		CHECK(w[i].n == 1);
	}
	/* EPOLLEXCLUSIVE: the instance's entry is an exclusive waiter on efd2. */
	int ep_b = ep2_create1(0);
	CHECK(ep_b >= 0);
	CHECK(ep2_ctl(ep_b, EPOLL_CTL_ADD, efd2, &ev) == 0);
	CHECK(ep2_ctl(ep, EPOLL_CTL_ADD, efd2, &ev) == 0);
	efd_signal(efd2);
	struct epoll_event out;
	CHECK(ep2_wait(ep_b, &out, 1, 100) + ep2_wait(ep, &out, 1, 100) >= 1);
	close(ep_b);
	close(ep);
	close(efd);
	close(efd2);
	return 0;
}

/* Instances in instances: subclassed mtx, nested wakeups, loop checks. */
static int nesting(void)
{
	int e[4], efd = eventfd(0, 0);
	struct epoll_event evs[4];

	CHECK(efd >= 0);
	for (int i = 0; i < 4; i++) {
		e[i] = ep2_create1(0);
		CHECK(e[i] >= 0);
	}
	CHECK(add(e[3], efd, EPOLLIN) == 0);
	for (int i = 2; i >= 0; i--)
		CHECK(add(e[i], e[i + 1], EPOLLIN) == 0);	/* e0 > e1 > e2 > e3 > efd */
	CHECK(add(e[3], e[0], EPOLLIN) == -1 && errno == ELOOP);
	CHECK(ep2_wait(e[0], evs, 4, 0) == 0);
	efd_signal(efd);				/* wakeup up the chain */
	CHECK(ep2_wait(e[0], evs, 4, 1000) == 1);
	CHECK(ep2_wait(e[1], evs, 4, 0) == 1);
	/* Remove a middle link, then close from the inside out. */
	CHECK(ep2_ctl(e[1], EPOLL_CTL_DEL, e[2], NULL) == 0);
	for (int i = 3; i >= 0; i--)
		close(e[i]);
	close(efd);
	return 0;
}

/* Native epoll watching eventpoll2 and eventpoll2 watching native epoll. */
static int native_mix(void)
{
	int nep = epoll_create1(0), ep = ep2_create1(0), efd = eventfd(0, 0);
	int nep2 = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, evs[2];

	CHECK(nep >= 0 && ep >= 0 && efd >= 0 && nep2 >= 0);
	CHECK(add(ep, efd, EPOLLIN) == 0);
	ev.data.fd = ep;
	CHECK(epoll_ctl(nep, EPOLL_CTL_ADD, ep, &ev) == 0);	/* epoll > ep2 > efd */
	CHECK(epoll_ctl(nep2, EPOLL_CTL_ADD, efd, &ev) == 0);
	CHECK(add(ep, nep2, EPOLLIN) == 0);			/* ep2 > epoll > efd */
	efd_signal(efd);
	CHECK(epoll_wait(nep, evs, 2, 1000) == 1);
	CHECK(ep2_wait(ep, evs, 2, 0) == 2);
	close(nep);
	close(nep2);
	close(ep);
	close(efd);

	/*
	 * epoll > ep2 > epoll > efd, and the inner epoll watching the ep2
	 * instance back (a cycle): the ep2 instance's wakeup of its pollers
	 * is deferred out of the inner epoll's wakeup (irq_work).
	 */
	int top = epoll_create1(0), x = ep2_create1(0), in = epoll_create1(0);

	efd = eventfd(0, 0);
	CHECK(top >= 0 && x >= 0 && in >= 0 && efd >= 0);
	CHECK(epoll_ctl(in, EPOLL_CTL_ADD, efd, &ev) == 0);
	CHECK(add(x, in, EPOLLIN) == 0);
	CHECK(epoll_ctl(top, EPOLL_CTL_ADD, x, &ev) == 0);
	CHECK(epoll_ctl(in, EPOLL_CTL_ADD, x, &ev) == 0);
	efd_signal(efd);
	CHECK(epoll_wait(top, evs, 2, 1000) == 1);
	CHECK(ep2_wait(x, evs, 2, 0) == 1);
	close(in);	/* with the wakeup possibly still deferred */
	close(x);
	close(top);
	close(efd);
	return 0;
}

/* EPOLLWAKEUP: wakeup sources per item and per instance (root has the cap). */
static int wakeup_sources(void)
{
	int ep = ep2_create1(0), efd = eventfd(1, 0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLWAKEUP }, out;

	CHECK(ep >= 0 && efd >= 0);
	CHECK(ep2_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0);
	CHECK(ep2_wait(ep, &out, 1, 0) == 1);
	ev.events = EPOLLIN;
	CHECK(ep2_ctl(ep, EPOLL_CTL_MOD, efd, &ev) == 0);	/* drops the source */
	ev.events = EPOLLIN | EPOLLWAKEUP;
	CHECK(ep2_ctl(ep, EPOLL_CTL_MOD, efd, &ev) == 0);
	close(ep);
	close(efd);
	return 0;
}

/*
 * POLLFREE: a child adds a signalfd of the parent to an instance shared with
 * the parent; signalfd's ->poll() queues the entry on the *polling* task's
 * sighand, which is freed when the child exits while the file lives on.
 */
static int pollfree(void)
{
	enum { N = 4 };
	int ep = ep2_create1(0), sfd[N], st;
	struct epoll_event evs[1];
	sigset_t set;

	CHECK(ep >= 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (int i = 0; i < N; i++) {
		sfd[i] = signalfd(-1, &set, 0);
		CHECK(sfd[i] >= 0);

		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0)
			_exit(add(ep, sfd[i], EPOLLIN) == 0 ? 0 : 1);
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	CHECK(ep2_wait(ep, evs, 1, 0) >= 0);
	CHECK(ep2_ctl(ep, EPOLL_CTL_DEL, sfd[0], NULL) == 0);
	close(ep);
	for (int i = 0; i < N; i++)
		close(sfd[i]);
	return 0;
}

/* Concurrent ADD/DEL against a stream of events from another thread. */
static volatile int stop;

static void *signaller(void *arg)
{
	int efd = *(int *)arg;

	while (!stop)
		efd_signal(efd);
	return NULL;
}

static int races(void)
{
	int ep = ep2_create1(0), efd = eventfd(0, EFD_NONBLOCK);
	struct epoll_event evs[4];
	pthread_t th;

	CHECK(ep >= 0 && efd >= 0);
	CHECK(pthread_create(&th, NULL, signaller, &efd) == 0);
	for (int i = 0; i < 200; i++) {
		CHECK(add(ep, efd, EPOLLIN | (i & 1 ? EPOLLET : 0)) == 0);
		CHECK(ep2_wait(ep, evs, 4, 10) >= 0);
		CHECK(ep2_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == 0);
	}
	stop = 1;
	pthread_join(th, NULL);
	close(ep);
	close(efd);
	return 0;
}

int main(int argc, char **argv)
{
	sel = argv + 1;
	nsel = argc - 1;
	if (!ep2_available()) {
		printf("Bail out! /dev/eventpoll2 not available: %s\n", strerror(errno));
		return 1;
	}
	printf("TAP version 13\n1..%d\n", nsel ? nsel : 8);
	run("ctl_basic", ctl_basic);
	run("close_paths", close_paths);
	run("wakeups", wakeups);
	run("nesting", nesting);
	run("native_mix", native_mix);
	run("wakeup_sources", wakeup_sources);
	run("pollfree", pollfree);
	run("races", races);
	printf("# debug-smoke: %d of %d steps failed\n", failures, step);
	if (step != (nsel ? nsel : 8)) {
		printf("# debug-smoke: unknown step name given\n");
		return 1;
	}
	return failures ? 1 : 0;
}
