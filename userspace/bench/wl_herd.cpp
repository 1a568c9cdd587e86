// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 5: thundering herd.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

/*
 * shared: one instance, T threads in its wait.  per-thread: T instances, one
 * per thread, all watching the same eventfd.  excl: EPOLLEXCLUSIVE on ADD.
 * (Run::measure has ruled out backends without the features needed.)
 */
Sample herd(const std::string &backend, bool shared, bool excl)
{
	std::string why;
	const int T = O.herd_threads;
	const uint64_t EVT = 1, STOP = 2;
	int efd = new_eventfd(true);
	int stopfd = new_eventfd(true);
	int ack = new_eventfd(false); // blocking: main sleeps on it
	std::vector<std::unique_ptr<Poller>> ps;
	for (int i = 0; i < (shared ? 1 : T); i++) {
		auto p = make_poller(backend, &why);
		if (!p)
			break;
		int e = p->add(efd, EPOLLIN | (excl ? uint32_t(EPOLLEXCLUSIVE) : 0u), EVT);
		if (!e)
			e = p->add(stopfd, EPOLLIN, STOP);
		if (e) {
			why = strf("add: %s", strerror(-e));
			break;
		}
		ps.push_back(std::move(p));
	}
	if (int(ps.size()) != (shared ? 1 : T)) {
		close(efd);
		close(stopfd);
		close(ack);
		return Sample::na(why);
	}
	std::atomic<bool> stop{false};
	std::atomic<uint64_t> wakeups{0}, csw{0};
	SpinBarrier bar(T + 1);
	std::vector<std::thread> th;
	for (int t = 0; t < T; t++) {
		Poller *p = ps[shared ? 0 : size_t(t)].get();
		th.emplace_back([&, p] {
			rusage r0, r1;
			bar.arrive_and_wait();
			getrusage(RUSAGE_THREAD, &r0);
			Ev ev[4];
			uint64_t my_wakeups = 0;
			while (!stop.load(std::memory_order_relaxed)) {
				int n = p->wait(ev, 4, 2000);
				if (stop.load(std::memory_order_relaxed))
					break;
				bool evt = false;
				for (int i = 0; i < n; i++)
					evt |= ev[i].data.u64 == EVT;
				if (!evt)
					continue;
				my_wakeups++;
				if (efd_read(efd))
					efd_write(ack);
			}
			getrusage(RUSAGE_THREAD, &r1);
			wakeups += my_wakeups;
			// The last sleep of each thread is ended by the stop event.
			csw += uint64_t(std::max<long>(0, r1.ru_nvcsw - r0.ru_nvcsw - 1));
		});
	}
	bar.arrive_and_wait();
	usleep(20000); // let every waiter block
	uint64_t events = 0;
	bool bad = false;
	Timed t = run_for(O.budget_ms, 20, [&] {
		efd_write(efd);
		pollfd pf{ack, POLLIN, 0};
		if (poll(&pf, 1, 2000) != 1) {
			bad = true;
			return false;
		}
		efd_read(ack);
		events++;
		return true;
	});
	stop = true;
	efd_write(stopfd);
	for (auto &x : th)
		x.join();
	ps.clear();
	close(efd);
	close(stopfd);
	close(ack);
	if (bad || !t.ok)
		return Sample::na("an event was not consumed (lost wake-up?)");
	return {1e9 / t.per_iter_ns, double(wakeups.load()) / double(events),
		double(csw.load()) / double(events)};
}

void run(Run &r)
{
	struct Cfg {
		const char *name;
		bool shared, excl;
	} cfgs[] = {{"shared", true, false}, {"shared+EXCL", true, true},
		    {"per-thread", false, false}, {"per-thread+EXCL", false, true}};
	for (auto &h : cfgs) {
		Config c{strf("%s T=%d", h.name, O.herd_threads),
			 {{"events/s", "", true}, {"wakeups/event", "", false}, {"sleeps/event", "", false}}};
		if (h.shared)
			c.need.push_back(Feature::Shared);
		if (h.excl)
			c.need.push_back(Feature::Exclusive);
		r.measure(c, [&](const std::string &b, int) { return herd(b, h.shared, h.excl); });
	}
}

const WorkloadReg reg{{
	"herd", 5, "thundering herd",
	[] {
		return strf(
			"%d waiter threads, one eventfd, one event at a time: the main thread writes the "
			"eventfd and sleeps until a waiter has read it (non-blocking read; losers of the race "
			"see EAGAIN). shared = one instance for all threads, per-thread = one instance each "
			"(io_uring: a ring each, poll: poll() each), +EXCL = EPOLLEXCLUSIVE on ADD. Reports "
			"events/s, wait returns with the event per event, and waiter sleeps (voluntary context "
			"switches, i.e. kernel wake-ups, incl. ones the wait hides) per event.",
			O.herd_threads);
	},
	run,
}};

} // namespace
} // namespace ep2bench
