// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 7: harvest only (K of M ET items made ready untimed, the
// consumer's harvest of the K events timed).
#include <algorithm>
#include <cstring>

#include <unistd.h>

#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

std::vector<int> g_k = {1, 64, 1024};

// A backend's instance with its own M eventfds (EPOLLIN | EPOLLET).
struct Set {
	std::unique_ptr<Poller> p;
	std::vector<int> fds;
	~Set()
	{
		p.reset();
		for (int fd : fds)
			close(fd);
	}
};

/*
 * One sample: each iteration writes 1 to K of the M eventfds (untimed, by
 * this thread, so the wake-up callbacks and whatever they defer to the
 * return to userspace, ring publication or io_uring's poll task work, are
 * done), then times the waits that take the K events.  Also the kernel
 * entries the poller made per event (the writes are not the poller's).
 */
Sample harvest_only_sample(Set &s, int M, int K, std::vector<Ev> &evs)
{
	Poller *p = s.p.get();
	std::vector<int> ready;
	for (int i = 0; i < K; i++)
		ready.push_back(s.fds[size_t(uint64_t(i) * uint64_t(M) / uint64_t(K))]);
	uint64_t events = 0, sys0 = p->syscalls();
	Timed t = run_for_parts(
		O.budget_ms, 3,
		[&] {
			for (int fd : ready)
				efd_write(fd);
			return true;
		},
		[&] {
			int got = 0;
			while (got < K) {
				int n = p->wait(evs.data(), K - got, 1000);
				if (n <= 0)
					return false;
				got += n;
			}
			events += uint64_t(got);
			return true;
		});
	double sys_per_event = double(p->syscalls() - sys0) / double(std::max<uint64_t>(events, 1));
	for (int fd : ready)
		efd_read(fd);
	while (p->wait(evs.data(), int(evs.size()), 0) > 0)
		;
	if (!t.ok)
		return Sample::na("a wait timed out");
	return {double(K) * 1e9 / t.per_iter_ns, sys_per_event};
}

void run(Run &r)
{
	const int M = O.harvest_m;
	int kmax = *std::max_element(g_k.begin(), g_k.end());
	std::vector<Ev> evs(size_t(std::max(kmax, 1)));
	const std::vector<Feature> need = {Feature::ET};
	std::map<std::string, std::unique_ptr<Set>> sets;
	std::map<std::string, std::string> why;
	for (auto &b : r.backends()) {
		if (cannot_run(b, need, &why[b]))
			continue;
		auto s = std::make_unique<Set>();
		s->p = make_poller(b, &why[b]);
		if (!s->p)
			continue;
		int err = 0;
		for (int i = 0; i < M && !err; i++) {
			s->fds.push_back(new_eventfd());
			err = s->p->add(s->fds.back(), EPOLLIN | EPOLLET, uint64_t(i));
		}
		if (err) {
			why[b] = strf("add: %s", strerror(-err));
			continue;
		}
		sets[b] = std::move(s);
	}
	for (int K : g_k) {
		if (K < 1 || K > M)
			die("harvest-only: K=%d outside 1..M=%d", K, M);
		Config c{strf("ET M=%s K=%d", count_str(M).c_str(), K),
			 {{"events/s", "", true}, {"syscalls/event", "", false}}, need};
		r.measure(c, [&](const std::string &b, int) {
			if (!sets.count(b))
				return Sample::na(why[b]);
			return harvest_only_sample(*sets[b], M, K, evs);
		});
	}
}

const WorkloadReg reg{{
	"harvest-only", 7, "harvest only",
	[] {
		return std::string(
			"M (--harvest-m) eventfds watched edge-triggered; each iteration the consumer "
			"thread writes 1 to K of them (spread over the set) outside the timed region, "
			"then the waits that take the K events are timed: epoll_wait / the wait ioctl, "
			"the ring harvest of eventpoll2+ring (kernel entered only when the ring is empty "
			"or kernel_pending), io_uring's CQ peek (io_uring_enter only when the CQ is "
			"empty). events/s of the harvest alone; syscalls/event: the kernel entries the "
			"backend made per event. The ring's publication and io_uring's poll task work run "
			"when each write returns, so their cost is in the untimed writes here; harvest ET "
			"times the whole round.");
	},
	run, {"eventpoll2", "eventpoll2+ring", "epoll", "io_uring"}, {}, {},
	{{"harvest-only-k", "LIST", "ready fds per round for harvest-only (default 1,64,1024)",
	  [](const std::string &v) { g_k = parse_ints(v); }}},
}};

} // namespace
} // namespace ep2bench
