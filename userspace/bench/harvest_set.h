// SPDX-License-Identifier: GPL-2.0
// ep2bench: what the harvest workloads (3 harvest, 7 harvest-only) share:
// a set of M eventfds per backend, the K ready ones, the wait for K events,
// and the end of a sample.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "timing.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {

// A backend's instance with its own M fds, so that ready fds wake only the
// instance being measured.
struct HarvestSet {
	std::unique_ptr<Poller> p;
	std::vector<int> fds;
	~HarvestSet()
	{
		p.reset();
		for (int fd : fds)
			close(fd);
	}
};
using HarvestSets = std::map<std::string, std::unique_ptr<HarvestSet>>;

// One set of M eventfds registered with @events per backend of @r that can
// run @need; the reason in (*why)[b] for those that cannot.
inline HarvestSets harvest_sets(Run &r, int M, uint32_t events, const std::vector<Feature> &need,
				std::map<std::string, std::string> *why)
{
	HarvestSets sets;
	for (auto &b : r.backends()) {
		if (cannot_run(b, need, &(*why)[b]))
			continue;
		auto s = std::make_unique<HarvestSet>();
		s->p = make_poller(b, &(*why)[b]);
		if (!s->p)
			continue;
		int err = 0;
		for (int i = 0; i < M && !err; i++) {
			s->fds.push_back(new_eventfd());
			err = s->p->add(s->fds.back(), events, uint64_t(i));
		}
		if (err) {
			(*why)[b] = strf("add: %s", strerror(-err));
			continue;
		}
		sets[b] = std::move(s);
	}
	return sets;
}

// The K ready fds of a round: spread over the set.
inline std::vector<int> harvest_ready(const HarvestSet &s, int M, int K)
{
	std::vector<int> ready;
	for (int i = 0; i < K; i++)
		ready.push_back(s.fds[size_t(uint64_t(i) * uint64_t(M) / uint64_t(K))]);
	return ready;
}

// Wait until K events were delivered (false: a wait failed or timed out).
inline bool harvest_wait_k(Poller *p, std::vector<Ev> &evs, int K, uint64_t *events)
{
	int got = 0;
	while (got < K) {
		int n = p->wait(evs.data(), K - got, 1000);
		if (n <= 0)
			return false;
		got += n;
	}
	*events += uint64_t(got);
	return true;
}

// The end of a sample: the ready fds read, nothing left over for the next
// sample; events/s and the poller's kernel entries per event since @sys0.
inline Sample harvest_finish(HarvestSet &s, const std::vector<int> &ready, std::vector<Ev> &evs,
			     const Timed &t, int K, uint64_t sys0, uint64_t events)
{
	Poller *p = s.p.get();
	double sys_per_event = double(p->syscalls() - sys0) / double(std::max<uint64_t>(events, 1));
	for (int fd : ready)
		efd_read(fd);
	while (p->wait(evs.data(), int(evs.size()), 0) > 0)
		;
	if (!t.ok)
		return Sample::na("a wait timed out");
	return {double(K) * 1e9 / t.per_iter_ns, sys_per_event};
}

} // namespace ep2bench
