// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2+ring": libeventpoll2's ready ring
// (ep2_create_ring, ep2_ring_harvest), the kernel entered only when needed.
#include <cerrno>
#include <cstdint>
#include <stdexcept>

#include <sys/ioctl.h>

#include "backend_eventpoll2.h"

namespace ep2bench {
namespace {

// Big enough that no workload's ring-served items can overflow it (harvest
// watches 10k ET eventfds; a full ring would only send the rest through the
// kernel path, kernel_pending set).
constexpr unsigned RING_ENTRIES = 16384;

int create_ring(int flags) { return ep2_create_ring(flags, RING_ENTRIES); }

/*
 * A ring instance.  wait(): harvest the ring (no system call); enter the
 * kernel only when the ring gave nothing (then the wait ioctl may block) or
 * gave less than asked while kernel_pending says the kernel's list holds
 * more (then without blocking).  The kernel is entered with the wait ioctl
 * directly, not ep2_wait() (which would harvest the ring again first), so
 * syscalls() counts exactly the kernel waits; ctl is ep2_ctl, one ioctl each.
 *
 * The ring serves EPOLLET and EPOLLONESHOT items only: a level-triggered
 * item stays on the kernel's list, so every wait would be a harvest of an
 * empty ring plus the ioctl, eventpoll2 with an extra check.  So this
 * backend registers every item with EPOLLET and lacks Feature::LT, as
 * io_uring's multishot poll does: workloads that need level-triggered
 * reports skip it, those that only need "a new event wakes me" (latency,
 * idle, echo) run it on the ring.
 */
struct RingPoller final : Eventpoll2PollerOf<create_ring, ep2_close> {
	ep2_ring *ring;

	RingPoller()
	{
		ring = ep2_ring_get(epfd);
		if (!ring)
			throw std::runtime_error("ep2_ring_get: no ring for the new instance");
	}
	int add(int fd, uint32_t e, uint64_t d) override { return ctl(EPOLL_CTL_ADD, fd, e | EPOLLET, d); }
	int mod(int fd, uint32_t e, uint64_t d) override { return ctl(EPOLL_CTL_MOD, fd, e | EPOLLET, d); }
	int kernel_wait(Ev *evs, int max, int t)
	{
		ep2_wait_args a{};
		a.size = sizeof(a);
		a.epfd = epfd;
		a.events = uint64_t(uintptr_t(evs));
		a.maxevents = max;
		a.timeout_ms = t;
		nsys++;
		int n = ioctl(epfd, EP2_IOC_WAIT, &a);
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		return n;
	}
	int wait(Ev *evs, int max, int t) override
	{
		int n = ep2_ring_harvest(ring, evs, max);
		if (n < 0)
			return -errno;
		if (n == 0)
			return kernel_wait(evs, max, t);
		if (n < max && ep2_ring_kernel_pending(ring)) {
			int k = kernel_wait(evs + n, max - n, 0);
			if (k > 0)
				n += k;
		}
		return n;
	}
};

const BackendReg reg{{
	"eventpoll2+ring", 15, make_instance<RingPoller>,
	{
		{Feature::LT, "the ring serves ET/ONESHOT items only (LT stays on the kernel path)"},
	},
	eventpoll2_available, /* by_default */ false,
}};

} // namespace
} // namespace ep2bench
