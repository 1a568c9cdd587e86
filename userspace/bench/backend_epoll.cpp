// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "epoll": native epoll, the reference of every ratio.
#include "epoll_like.h"

namespace ep2bench {
namespace {

const BackendReg reg{{"epoll", 20, make_instance<EpollPoller<epoll_create1, epoll_ctl, epoll_wait>>, {}, {}}};

} // namespace
} // namespace ep2bench
