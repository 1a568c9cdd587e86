// SPDX-License-Identifier: GPL-2.0
/*
 * ep2demo - eventpoll2 at work: one instance watching a unix socketpair, a
 * pipe and an eventfd; each is made ready in turn and the events reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eventpoll2.h"

static void die(const char *what)
{
	fprintf(stderr, "ep2demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static const char *names[] = { "socketpair[0]", "pipe (read end)", "eventfd" };

static void show_events(int ep, const char *step)
{
	struct epoll_event evs[8];
	int n = ep2_wait(ep, evs, 8, 1000);

	if (n < 0)
		die("ep2_wait");
	printf("  %-34s -> %d event(s):", step, n);
	for (int i = 0; i < n; i++)
		printf(" [%s:%s%s%s]", names[evs[i].data.u32],
		       evs[i].events & EPOLLIN ? " IN" : "", evs[i].events & EPOLLOUT ? " OUT" : "",
		       evs[i].events & EPOLLHUP ? " HUP" : "");
	printf("\n");
}

int main(void)
{
	int sv[2], pfd[2], efd, ep;
	char link[256], path[64], buf[512];
	ssize_t n;
	uint64_t one = 1;

	if (!ep2_available())
		die("/dev/eventpoll2 (is the module loaded?)");
	ep = ep2_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("ep2_create1");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ep);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	printf("eventpoll2 demo: instance fd %d is %s\n", ep, link);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(pfd) || (efd = eventfd(0, 0)) < 0)
		die("creating files");
	int fds[3] = { sv[0], pfd[0], efd };
	for (int i = 0; i < 3; i++) {
		struct epoll_event ev = { .events = EPOLLIN | (i == 0 ? EPOLLET : 0), .data.u32 = i };
		if (ep2_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev))
			die("ep2_ctl ADD");
	}
	printf("watching: socketpair (ET), pipe (LT), eventfd (LT)\n");

	if (write(sv[1], "ping", 4) != 4) die("write");
	show_events(ep, "write 4 bytes to the socket peer");
	show_events(ep, "wait again (ET: nothing new)");
	if (write(pfd[1], "x", 1) != 1) die("write");
	show_events(ep, "write to the pipe");
	show_events(ep, "wait again (LT: still readable)");
	if (read(pfd[0], buf, 1) != 1) die("read");
	if (write(efd, &one, sizeof(one)) != sizeof(one)) die("write");
	show_events(ep, "drain pipe, signal the eventfd");
	close(pfd[1]);
	if (read(efd, &one, sizeof(one)) != sizeof(one)) die("read");
	show_events(ep, "close the pipe's write end");

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
	FILE *f = fopen(path, "r");
	if (f) {
		printf("fdinfo of the instance:\n");
		while (fgets(buf, sizeof(buf), f))
			printf("  %s", buf);
		fclose(f);
	}
	close(ep);
	printf("eventpoll2 demo: done\n");
	return 0;
}
