/* SPDX-License-Identifier: GPL-2.0 */
/* frontend.hpp - the ioctl's argument handling, shared with io_uring (uring.cpp). */
#pragma once
#include "eventpoll.hpp"
#include "wait.hpp"

namespace ep2 {

/* EP2_IOC_CTL on @uarg; @nonblock: EAGAIN rather than sleep on a busy mutex. */
ErrorOr<> ioc_ctl(UserPtr uarg, bool compat, struct file *via, bool nonblock);

/* A wait's arguments, read with the ioctl's rules (no signal mask). */
struct UringWaitArgs {
	int epfd;
	UserPtr events;
	int maxevents;
	WaitTimeout to;
};
ErrorOr<UringWaitArgs> uring_wait_args(unsigned nr, UserPtr uarg);

} // namespace ep2
