// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 12: fairness of EPOLLEXCLUSIVE wake-ups.
#include <atomic>
#include <cstring>
#include <thread>

#include <poll.h>
#include <unistd.h>

#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

constexpr int WAITERS = 4;

// Jain's fairness index of x[0..n): (sum x)^2 / (n * sum x^2); 1 = equal
// shares, 1/n = one gets everything.
double jain(const uint64_t *x, int n)
{
	double s = 0, s2 = 0;
	for (int i = 0; i < n; i++) {
		s += double(x[i]);
		s2 += double(x[i]) * double(x[i]);
	}
	return s2 > 0 ? s * s / (n * s2) : 0;
}

/*
 * WAITERS threads, one instance each, every instance watching the same
 * eventfd with EPOLLIN | EPOLLEXCLUSIVE (level-triggered).  Per iteration
 * the main thread writes the eventfd @burst times, one event per write, and
 * sleeps until the waiters have read all of them; a waiter's events are the
 * counts it read.  Sample: events/s and Jain's index of events per waiter.
 */
Sample fairness(const std::string &backend, int burst)
{
	std::string why;
	const uint64_t EVT = 1, STOP = 2;
	int efd = new_eventfd(true);
	int stopfd = new_eventfd(true);
	int ack = new_eventfd(false); // blocking: main sleeps on it
	std::vector<std::unique_ptr<Poller>> ps;
	for (int i = 0; i < WAITERS; i++) {
		auto p = make_poller(backend, &why);
		if (!p)
			break;
		int e = p->add(efd, EPOLLIN | uint32_t(EPOLLEXCLUSIVE), EVT);
		if (!e)
			e = p->add(stopfd, EPOLLIN, STOP);
		if (e) {
			why = strf("add: %s", strerror(-e));
			break;
		}
		ps.push_back(std::move(p));
	}
	if (int(ps.size()) != WAITERS) {
		close(efd);
		close(stopfd);
		close(ack);
		return Sample::na(why);
	}
	std::atomic<bool> stop{false};
	uint64_t got[WAITERS] = {};
	SpinBarrier bar(WAITERS + 1);
	std::vector<std::thread> th;
	for (int t = 0; t < WAITERS; t++) {
		Poller *p = ps[size_t(t)].get();
		th.emplace_back([&, p, t] {
			bar.arrive_and_wait();
			Ev ev[4];
			uint64_t mine = 0;
			while (!stop.load(std::memory_order_relaxed)) {
				int n = p->wait(ev, 4, 2000);
				if (stop.load(std::memory_order_relaxed))
					break;
				bool evt = false;
				for (int i = 0; i < n; i++)
					evt |= ev[i].data.u64 == EVT;
				if (!evt)
					continue;
				if (uint64_t v = efd_read(efd)) {
					mine += v;
					efd_write(ack, v);
				}
			}
			got[t] = mine;
		});
	}
	bar.arrive_and_wait();
	usleep(20000); // let every waiter block
	uint64_t events = 0;
	bool bad = false;
	Timed tm = run_for(O.budget_ms, 20, [&] {
		for (int i = 0; i < burst; i++)
			efd_write(efd);
		for (int left = burst; left > 0;) {
			pollfd pf{ack, POLLIN, 0};
			if (poll(&pf, 1, 2000) != 1) {
				bad = true;
				return false;
			}
			left -= int(efd_read(ack));
		}
		events += uint64_t(burst);
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
	if (bad || !tm.ok)
		return Sample::na("an event was not consumed (lost wake-up?)");
	// Events read, per waiter (the warm-up iterations of run_for included).
	uint64_t most = 0, total = 0;
	for (int i = 0; i < WAITERS; i++) {
		most = std::max(most, got[i]);
		total += got[i];
	}
	return {jain(got, WAITERS), total ? double(most) / double(total) : 0,
		burst * 1e9 / tm.per_iter_ns};
}

void run(Run &r)
{
	for (int burst : {1, 2}) {
		Config c{strf("W=%d burst=%d", WAITERS, burst),
			 {{"fairness (Jain)", "", true}, {"top share", "", false}, {"events/s", "", true}},
			 {Feature::Exclusive}};
		r.measure(c, [&, burst](const std::string &b, int) { return fairness(b, burst); });
	}
}

const WorkloadReg reg{{
	"fairness", 12, "fairness of exclusive wake-ups",
	[] {
		return strf(
			"%d waiter threads, one instance each, all watching one eventfd with EPOLLIN | "
			"EPOLLEXCLUSIVE. The main thread writes the eventfd `burst` times (one event per "
			"write) and sleeps until the waiters have read them all, again and again for the "
			"time budget. Events per waiter (the counts each one read) give Jain's fairness "
			"index (sum x)^2 / (n sum x^2): 1.0 = equal shares, %.2f = one waiter gets "
			"everything; top share = the busiest waiter's fraction. epoll and eventpoll2 wake "
			"the first instance in the file's queue that has a sleeper (the same one, whenever "
			"it is back asleep); eventpoll2+rr (EP2_CREATE_ROUNDROBIN) moves the woken entry "
			"to the tail, so the waiters take turns.",
			WAITERS, 1.0 / WAITERS);
	},
	run,
	{"epoll", "eventpoll2", "eventpoll2+rr"},
}};

} // namespace
} // namespace ep2bench
