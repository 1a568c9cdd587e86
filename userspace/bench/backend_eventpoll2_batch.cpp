// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2+batch": libeventpoll2 with the batching calls:
// ctl changes as one EP2_IOC_CTL_BATCH, changes + wait as one
// EP2_IOC_CTL_WAIT, min-wait through the wait args' min_events/min_wait_ns.
// One call per change / a plain wait otherwise (as "eventpoll2").
#include <vector>

#include "backend_eventpoll2.h"
#include "batch.h"

namespace ep2bench {
namespace {

struct BatchPoller final : Eventpoll2Poller, BatchCtl, MinWaitCap {
	std::vector<ep2_ctl_change> buf;

	const ep2_ctl_change *convert(const Change *c, int n)
	{
		buf.resize(size_t(n));
		for (int i = 0; i < n; i++)
			buf[size_t(i)] = ep2_ctl_change{c[i].op, c[i].fd, c[i].events, 0, c[i].data};
		return buf.data();
	}
	static int first_error(const ep2_ctl_change *c, int n)
	{
		for (int i = 0; i < n; i++)
			if (c[i].result)
				return c[i].result;
		return 0;
	}
	int ctl_batch(const Change *c, int n) override
	{
		convert(c, n);
		int r = ep2_ctl_batch(epfd, buf.data(), unsigned(n), 0, nullptr);
		if (r < 0)
			return -errno;
		return first_error(buf.data(), r);
	}
	int ctl_wait(const Change *c, int n, Ev *evs, int max, int timeout_ms) override
	{
		convert(c, n);
		ep2_ctl_wait_args a{};
		a.changes = uintptr_t(buf.data());
		a.nchanges = uint32_t(n);
		a.events = uintptr_t(evs);
		a.maxevents = max;
		a.timeout_ns = timeout_ms < 0 ? -1 : int64_t(timeout_ms) * 1000000;
		int r = ep2_ctl_wait(epfd, &a);
		if (r < 0)
			return errno == EINTR ? 0 : -errno;
		int e = first_error(buf.data(), int(a.done));
		return e ? e : r;
	}
	int wait_min(Ev *evs, int max, int timeout_ms, unsigned min_events, uint64_t min_wait_ns) override
	{
		timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
		int r = ep2_wait_min(epfd, evs, max, timeout_ms < 0 ? nullptr : &ts, nullptr, min_events,
				     min_wait_ns);
		if (r < 0)
			return errno == EINTR ? 0 : -errno;
		return r;
	}
};

const BackendReg reg{{"eventpoll2+batch", 12, make_instance<BatchPoller>, {}, eventpoll2_available,
		      /* by_default */ false}};

} // namespace
} // namespace ep2bench
