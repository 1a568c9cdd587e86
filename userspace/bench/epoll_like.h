// SPDX-License-Identifier: GPL-2.0
// ep2bench: a Poller over an epoll-shaped API (native epoll, eventpoll2 and
// variants of them): one template, so no backend pays for a branch.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

#include "poller.h"

namespace ep2bench {

// The API's create1(flags), ctl(epfd, op, fd, ev), wait(epfd, evs, max,
// timeout) and close(epfd); each ctl and wait is one system call (counted).
template <int (*CREATE)(int), int (*CTL)(int, int, int, Ev *), int (*WAIT)(int, Ev *, int, int),
	  int (*CLOSE)(int) = ::close>
struct EpollPoller : Poller {
	int epfd;
	EpollPoller()
	{
		epfd = CREATE(EPOLL_CLOEXEC);
		if (epfd < 0)
			throw std::runtime_error(strerror(errno));
	}
	~EpollPoller() override { CLOSE(epfd); }
	int ctl(int op, int fd, uint32_t events, uint64_t data)
	{
		Ev ev;
		ev.events = events;
		ev.data.u64 = data;
		nsys++;
		return CTL(epfd, op, fd, &ev) < 0 ? -errno : 0;
	}
	int add(int fd, uint32_t e, uint64_t d) override { return ctl(EPOLL_CTL_ADD, fd, e, d); }
	int mod(int fd, uint32_t e, uint64_t d) override { return ctl(EPOLL_CTL_MOD, fd, e, d); }
	int del(int fd) override { return ctl(EPOLL_CTL_DEL, fd, 0, 0); }
	int wait(Ev *evs, int max, int t) override
	{
		nsys++;
		int n = WAIT(epfd, evs, max, t);
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		return n;
	}
};

} // namespace ep2bench
