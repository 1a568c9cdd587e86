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

ErrorOr<int> ep_wait(int epfd, UserPtr events, int maxevents, WaitTimeout to, struct file *via);
ErrorOr<int> ep_pwait(int epfd, UserPtr events, int maxevents, WaitTimeout to,
		      UserPtr sigmask, u64 sigsetsize, struct file *via);

} // namespace ep2
