// SPDX-License-Identifier: GPL-2.0
// ep2bench: what the ring variants (backend_eventpoll2_*ring.cpp) share.
#pragma once

#include <cerrno>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include <sys/ioctl.h>

#include "backend_eventpoll2.h"

namespace ep2bench {

// Big enough that no workload's ring-served items can overflow it (harvest
// watches 10k ET eventfds; a full ring would only send the rest through the
// kernel path, kernel_pending set).
constexpr unsigned RING_ENTRIES = 16384;

/*
 * A ring instance made by CREATE(flags).  wait(): as ep2_wait() does: harvest
 * the ring (no system call, single consumer) unless kernel_pending says the
 * kernel holds events too; enter the kernel when it does (the wait ioctl
 * publishes what is pending, takes the ring and the rest: one call, epoll's
 * answer) or when the ring gave nothing (then the wait ioctl may block).
 * The kernel is entered with the wait ioctl directly, not ep2_wait() (which
 * would look at the ring again first), so syscalls() counts exactly the
 * kernel waits; ctl is ep2_ctl, one ioctl each.
 *
 * The ring serves EPOLLET and EPOLLONESHOT items only: a level-triggered
 * item stays on the kernel's list, so every wait would be a harvest of an
 * empty ring plus the ioctl, eventpoll2 with an extra check.  So these
 * backends register every item with EPOLLET and lack Feature::LT, as
 * io_uring's multishot poll does: workloads that need level-triggered
 * reports skip them, those that only need "a new event wakes me" (latency,
 * idle, echo) run them on the ring.
 */
template <int (*CREATE)(int)>
struct RingPollerOf final : Eventpoll2PollerOf<CREATE, ep2_close> {
	using Base = Eventpoll2PollerOf<CREATE, ep2_close>;
	ep2_ring *ring;

	RingPollerOf()
	{
		ring = ep2_ring_get(this->epfd);
		if (!ring)
			throw std::runtime_error("ep2_ring_get: no ring for the new instance");
	}
	int add(int fd, uint32_t e, uint64_t d) override { return this->ctl(EPOLL_CTL_ADD, fd, e | EPOLLET, d); }
	int mod(int fd, uint32_t e, uint64_t d) override { return this->ctl(EPOLL_CTL_MOD, fd, e | EPOLLET, d); }
	int kernel_wait(Ev *evs, int max, int t)
	{
		ep2_wait_args a{};
		a.size = sizeof(a);
		a.epfd = this->epfd;
		a.events = uint64_t(uintptr_t(evs));
		a.maxevents = max;
		a.timeout_ms = t;
		this->nsys++;
		int n = ioctl(this->epfd, EP2_IOC_WAIT, &a);
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		return n;
	}
	int wait(Ev *evs, int max, int t) override
	{
		if (!ep2_ring_kernel_pending(ring)) {
			/* One thread harvests a bench instance: the single-consumer harvest. */
			int n = ep2_ring_harvest_single(ring, evs, max);
			if (n != 0)
				return n < 0 ? -errno : n;
		}
		return kernel_wait(evs, max, t);
	}
};

inline std::map<Feature, std::string> ring_lacks()
{
	return {
		{Feature::LT, "the ring serves ET/ONESHOT items only (LT stays on the kernel path)"},
		{Feature::Shared, "harvests as a single consumer (ep2_ring_harvest_single)"},
	};
}

} // namespace ep2bench
