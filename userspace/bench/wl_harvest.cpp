// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 3: harvest (K of M watched fds ready, events/s).
#include <algorithm>
#include <cstring>

#include <unistd.h>

#include "harvest_set.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

// One round: (ET: write the K fds, then) wait until K events have been
// delivered.
Sample harvest_sample(HarvestSet &s, int M, int K, bool et, std::vector<Ev> &evs)
{
	Poller *p = s.p.get();
	std::vector<int> ready = harvest_ready(s, M, K);
	if (!et) {
		for (int fd : ready)
			efd_write(fd);
	}
	uint64_t events = 0, sys0 = p->syscalls();
	Timed t = run_for(O.budget_ms, 3, [&] {
		if (et)
			for (int fd : ready)
				efd_write(fd);
		return harvest_wait_k(p, evs, K, &events);
	});
	return harvest_finish(s, ready, evs, t, K, sys0, events);
}

void run(Run &r)
{
	const int M = O.harvest_m;
	int kmax = *std::max_element(O.harvest_k.begin(), O.harvest_k.end());
	std::vector<Ev> evs(size_t(std::max(kmax, 1)));
	for (bool et : {false, true}) {
		const char *mode = et ? "ET" : "LT";
		const std::vector<Feature> need = {et ? Feature::ET : Feature::LT};
		std::map<std::string, std::string> why;
		HarvestSets sets = harvest_sets(r, M, EPOLLIN | (et ? uint32_t(EPOLLET) : 0u), need, &why);
		for (int K : O.harvest_k) {
			Config c{strf("%s M=%s K=%d", mode, count_str(M).c_str(), K), {{"events/s", "", true}, {"syscalls/event", "", false}}, need};
			r.measure(c, [&](const std::string &b, int) {
				if (!sets.count(b))
					return Sample::na(why[b]);
				return harvest_sample(*sets[b], M, K, et, evs);
			});
		}
	}
}

const WorkloadReg reg{{
	"harvest", 3, "harvest",
	[] {
		return std::string(
			"M eventfds watched, K of them ready each round (spread over the set), events "
			"delivered per second. LT: the K fds stay readable and each wait returns "
			"them again; ET: each round writes 1 to each of the K fds, then waits until the K "
			"events arrived, the whole round timed (the backends' wake-up callbacks run inside "
			"the writes; the writes cost the same for every backend). syscalls/event: the kernel entries the "
			"backend made (waits; the writes are not counted), per event delivered. "
			"eventpoll2+ring LT: n/a (the ring serves ET items only). io_uring LT: n/a (a multishot poll fires once per wake-up of "
			"the file, not again for a file that stays ready); poll ET: n/a (no edge mode).");
	},
	run, {}, {"eventpoll2+ring", "eventpoll2+keyring"},
}};

} // namespace
} // namespace ep2bench
