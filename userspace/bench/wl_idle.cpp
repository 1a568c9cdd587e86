// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 4: idle scaling (one active fd among N idle ones).
#include <cstring>

#include <unistd.h>

#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

// A backend's instance, watching its active eventfd and the first `have`
// fds of the pool (kept across the sizes, which only grow).
struct Inst {
	std::unique_ptr<Poller> p;
	int active = -1;
	int have = 0; // -1: an add failed
	~Inst()
	{
		p.reset();
		if (active >= 0)
			close(active);
	}
};

Sample idle_sample(Inst &s)
{
	Ev ev[16];
	std::vector<double> waits;
	waits.reserve(1 << 16);
	Timed t = run_for(O.budget_ms, 5, [&] {
		efd_write(s.active);
		uint64_t w0 = ticks();
		int n = s.p->wait(ev, 16, 1000);
		waits.push_back(tick_ns(ticks() - w0));
		if (n != 1)
			return false;
		efd_read(s.active);
		return true;
	});
	if (!t.ok)
		return Sample::na("wait did not return 1 event");
	return {t.per_iter_ns, median(waits)};
}

void run(Run &r)
{
	std::map<std::string, std::unique_ptr<Inst>> insts;
	std::map<std::string, std::string> why;
	for (auto &b : r.backends()) {
		auto s = std::make_unique<Inst>();
		s->p = make_poller(b, &why[b]);
		if (!s->p)
			continue;
		s->active = new_eventfd();
		int e = s->p->add(s->active, EPOLLIN, ~uint64_t(0) >> 2);
		if (e) {
			why[b] = strf("add: %s", strerror(-e));
			continue;
		}
		insts[b] = std::move(s);
	}
	for (int N : O.idle_n) {
		// Idle fds are shared by all instances: they never become ready,
		// so no instance is ever woken by them.
		auto &idle = g_pool.get(size_t(N));
		for (auto &[b, s] : insts) {
			if (s->have < 0)
				continue;
			int err = 0;
			for (int i = s->have; i < N && !err; i++)
				err = s->p->add(idle[size_t(i)], EPOLLIN, uint64_t(i));
			if (err)
				why[b] = strf("add: %s", strerror(-err));
			s->have = err ? -1 : std::max(s->have, N);
		}
		Config c{strf("N=%s", count_str(N).c_str()),
			 {{"per iteration", "ns", false}, {"wait only", "ns", false}}};
		r.measure(c, [&](const std::string &b, int) {
			if (!insts.count(b) || insts[b]->have < 0)
				return Sample::na(why[b]);
			return idle_sample(*insts[b]);
		});
	}
}

const WorkloadReg reg{{
	"idle", 4, "idle scaling",
	[] {
		return std::string(
			"One active eventfd among N idle (never ready) watched eventfds (N in the config column): "
			"time of one iteration write(active) + wait (returns the 1 event) + read(active), the "
			"same loop for every backend, and of the wait call alone (median); shows how a wait's "
			"cost grows with the idle set. Wait-only flatters io_uring and eventpoll2+ring: io_uring's "
			"poll completion and the ring's publication run as task work when the write returns, "
			"before the wait, which then takes the event without a system call.");
	},
	run, {}, {"eventpoll2+ring"},
}};

} // namespace
} // namespace ep2bench
