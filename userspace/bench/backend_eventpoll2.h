// SPDX-License-Identifier: GPL-2.0
// ep2bench: what eventpoll2 variants (backend_eventpoll2*.cpp) build on.
#pragma once

#include <string>

#include "epoll_like.h"

#include "eventpoll2.h"

namespace ep2bench {

// libeventpoll2's ep2_create1/ep2_ctl/ep2_wait; a variant derives from it
// and overrides what it does differently (e.g. wait, or ctl).
using Eventpoll2Poller = EpollPoller<ep2_create1, ep2_ctl, ep2_wait>;
// The same with another create and close (a ring instance: ep2_create_ring,
// ep2_close).
template <int (*CREATE)(int), int (*CLOSE)(int)>
using Eventpoll2PollerOf = EpollPoller<CREATE, ep2_ctl, ep2_wait, CLOSE>;

// Backend::available of every eventpoll2 backend: /dev/eventpoll2 is there.
bool eventpoll2_available(std::string *why);

} // namespace ep2bench
