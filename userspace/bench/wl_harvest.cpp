// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 3: harvest (K of M watched fds ready, events/s).
#include <algorithm>
#include <cstring>

#include <unistd.h>

#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

// A backend's instance with its own M fds, so that ready fds wake only the
// instance being measured.
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

// One round: (ET: write the K fds, then) wait until K events have been
// delivered.
Sample harvest_sample(Set &s, int M, int K, bool et, std::vector<Ev> &evs)
{
	Poller *p = s.p.get();
	std::vector<int> ready;
	for (int i = 0; i < K; i++)
		ready.push_back(s.fds[size_t(uint64_t(i) * uint64_t(M) / uint64_t(K))]);
	if (!et) {
		for (int fd : ready)
			efd_write(fd);
	}
	uint64_t events = 0, sys0 = p->syscalls();
	Timed t = run_for(O.budget_ms, 3, [&] {
		if (et)
			for (int fd : ready)
				efd_write(fd);
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
	// Nothing may be left over for the next sample.
	while (p->wait(evs.data(), int(evs.size()), 0) > 0)
		;
	if (!t.ok)
		return Sample::na("a wait timed out");
	return {double(K) * 1e9 / t.per_iter_ns, sys_per_event};
}

void run(Run &r)
{
	const int M = O.harvest_m;
	int kmax = *std::max_element(O.harvest_k.begin(), O.harvest_k.end());
	std::vector<Ev> evs(size_t(std::max(kmax, 1)));
	for (bool et : {false, true}) {
		const char *mode = et ? "ET" : "LT";
		const std::vector<Feature> need = {et ? Feature::ET : Feature::LT};
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
				err = s->p->add(s->fds.back(), EPOLLIN | (et ? uint32_t(EPOLLET) : 0u), uint64_t(i));
			}
			if (err) {
				why[b] = strf("add: %s", strerror(-err));
				continue;
			}
			sets[b] = std::move(s);
		}
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
	run, {}, {"eventpoll2+ring"},
}};

} // namespace
} // namespace ep2bench
