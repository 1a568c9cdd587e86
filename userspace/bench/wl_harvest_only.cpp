// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 7: harvest only (K of M ET items made ready untimed, the
// consumer's harvest of the K events timed).
#include <algorithm>
#include <cstring>

#include <unistd.h>

#include "harvest_set.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

std::vector<int> g_k = {1, 64, 1024};

/*
 * One sample: each iteration writes 1 to K of the M eventfds (untimed, by
 * this thread, so the wake-up callbacks and whatever they defer to the
 * return to userspace, ring publication or io_uring's poll task work, are
 * done), then times the waits that take the K events.  Also the kernel
 * entries the poller made per event (the writes are not the poller's).
 */
Sample harvest_only_sample(HarvestSet &s, int M, int K, std::vector<Ev> &evs)
{
	Poller *p = s.p.get();
	std::vector<int> ready = harvest_ready(s, M, K);
	uint64_t events = 0, sys0 = p->syscalls();
	Timed t = run_for_parts(
		O.budget_ms, 3,
		[&] {
			for (int fd : ready)
				efd_write(fd);
			return true;
		},
		[&] { return harvest_wait_k(p, evs, K, &events); });
	return harvest_finish(s, ready, evs, t, K, sys0, events);
}

void run(Run &r)
{
	const int M = O.harvest_m;
	int kmax = *std::max_element(g_k.begin(), g_k.end());
	std::vector<Ev> evs(size_t(std::max(kmax, 1)));
	const std::vector<Feature> need = {Feature::ET};
	std::map<std::string, std::string> why;
	HarvestSets sets = harvest_sets(r, M, EPOLLIN | EPOLLET, need, &why);
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
	run, {"eventpoll2", "eventpoll2+ring", "eventpoll2+keyring", "epoll", "io_uring"}, {}, {},
	{{"harvest-only-k", "LIST", "ready fds per round for harvest-only (default 1,64,1024)",
	  [](const std::string &v) { g_k = parse_ints(v); }}},
}};

} // namespace
} // namespace ep2bench
