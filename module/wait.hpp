/* SPDX-License-Identifier: GPL-2.0 */
/* wait.hpp - the wait calls for the ioctl front end, and their timeouts. */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

/* Timeout forms of the three wait calls. */
struct WaitTimeout {
	enum Kind { Forever, Poll, Deadline } kind;
	s64 deadline_ns;	/* CLOCK_MONOTONIC, for Deadline */
	static WaitTimeout from_ms(int ms);
	static ErrorOr<WaitTimeout> from_timespec(s64 sec, long nsec);
};

/* For io_uring (uring.cpp): the checks of a wait, and the harvest alone. */
ErrorOr<EventPoll *> ep_wait_target(const FdRef &f, UserPtr events, int maxevents, struct file *via);
ErrorOr<int> ep_send_events(EventPoll *ep, UserPtr events, int maxevents, bool try_only);

ErrorOr<int> ep_wait(int epfd, UserPtr events, int maxevents, WaitTimeout to, struct file *via);
ErrorOr<int> ep_pwait(int epfd, UserPtr events, int maxevents, WaitTimeout to,
		      UserPtr sigmask, u64 sigsetsize, struct file *via);

} // namespace ep2
