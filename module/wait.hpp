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
	/* ctl + wait: < 0 forever, 0 poll, > 0 relative (pwait2's rules). */
	static WaitTimeout from_ns(s64 ns);
};

/* For io_uring (uring.cpp): the checks of a wait, and the harvest alone. */
ErrorOr<EventPoll *> ep_wait_target(const FdRef &f, UserPtr events, int maxevents, struct file *via);
ErrorOr<int> ep_send_events(EventPoll *ep, UserPtr events, int maxevents, bool try_only);

/*
 * Min-wait batching (README "Min-wait batching"): harvest once @need items
 * are ready, or once @wait_ns has passed since the wait first saw one ready,
 * whichever is first, bounded by the timeout.  need <= 1: a plain wait.
 */
struct MinWait {
	u32 need;
	s64 wait_ns;	/* 0: no time cap */
	/* From the ABI fields, for a wait of @maxevents (validated > 0). */
	static MinWait from_args(u32 min_events, u64 min_wait_ns, int maxevents);
};

ErrorOr<int> ep_wait(int epfd, UserPtr events, int maxevents, WaitTimeout to, struct file *via,
		     MinWait mw = MinWait{0, 0});
ErrorOr<int> ep_pwait(int epfd, UserPtr events, int maxevents, WaitTimeout to,
		      UserPtr sigmask, u64 sigsetsize, struct file *via, MinWait mw = MinWait{0, 0});

/* epoll_wait()'s argument checks on the events array (EINVAL, EFAULT). */
ErrorOr<> ep_check_wait_array(UserPtr events, int maxevents);
/* The wait itself, on a resolved instance (ctl + wait). */
ErrorOr<int> ep_poll_instance(EventPoll *ep, UserPtr events, int maxevents, WaitTimeout to, MinWait mw);

/*
 * pwait's signal mask: read it (EINVAL, EFAULT) before anything else is
 * done, install it around the wait, and restore it afterwards except after
 * EINTR (the signal code restores it once the handler has run).
 */
class SigMask {
	EP2_NO_COPY(SigMask);
public:
	SigMask() = default;
	ErrorOr<> read(UserPtr sigmask, u64 sigsetsize);
	void install() const;
	void done(bool eintr) const;

private:
	u64 m_mask = 0;
	bool m_set = false;
};

} // namespace ep2
