// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2": libeventpoll2 (ep2_create1/ep2_ctl/ep2_wait).
#include "epoll_like.h"
#include "util.h"

#include "eventpoll2.h"

namespace ep2bench {
namespace {

struct Eventpoll2 {
	static int create() { return ep2_create1(EPOLL_CLOEXEC); }
	static int ctl(int e, int op, int fd, Ev *ev) { return ep2_ctl(e, op, fd, ev); }
	static int wait(int e, Ev *evs, int max, int t) { return ep2_wait(e, evs, max, t); }
};

const BackendReg reg{{
	"eventpoll2", 10,
	[](std::string *) -> std::unique_ptr<Poller> { return std::make_unique<EpollPoller<Eventpoll2>>(); },
	{},
	[](std::string *why) {
		if (ep2_available())
			return true;
		*why = strf("/dev/eventpoll2: %s (module not loaded?)", strerror(errno));
		return false;
	},
}};

} // namespace
} // namespace ep2bench
