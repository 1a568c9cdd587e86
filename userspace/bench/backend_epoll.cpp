// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "epoll": native epoll, the reference of every ratio.
#include "epoll_like.h"

namespace ep2bench {
namespace {

struct NativeEpoll {
	static int create() { return epoll_create1(EPOLL_CLOEXEC); }
	static int ctl(int e, int op, int fd, Ev *ev) { return epoll_ctl(e, op, fd, ev); }
	static int wait(int e, Ev *evs, int max, int t) { return epoll_wait(e, evs, max, t); }
};

const BackendReg reg{{
	"epoll", 20,
	[](std::string *) -> std::unique_ptr<Poller> { return std::make_unique<EpollPoller<NativeEpoll>>(); },
	{}, {},
}};

} // namespace
} // namespace ep2bench
