// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2+rr": eventpoll2 instances created with
// EP2_CREATE_ROUNDROBIN (ep2_create_roundrobin): EPOLLEXCLUSIVE wakeups
// handed to the instances watching a file in turn, FIFO waiters.  Not in the
// default list: the workloads about exclusive wake-ups name it.
#include "backend_eventpoll2.h"

namespace ep2bench {
namespace {

using RoundRobinPoller = EpollPoller<ep2_create_roundrobin, ep2_ctl, ep2_wait>;

const BackendReg reg{{"eventpoll2+rr", 17, make_instance<RoundRobinPoller>, {}, eventpoll2_available,
		      /* by_default */ false}};

} // namespace
} // namespace ep2bench
