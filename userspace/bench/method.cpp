// SPDX-License-Identifier: GPL-2.0
// ep2bench: the method and the workload registry (see workload.h).
#include "workload.h"

#include <algorithm>

#include "registry.h"
#include "util.h"

namespace ep2bench {

using Workloads = Registry<Workload, &Workload::number>;

WorkloadReg::WorkloadReg(Workload w) { Workloads::add(std::move(w)); }

std::vector<const Workload *> all_workloads()
{
	std::vector<const Workload *> v;
	for (auto &w : Workloads::all())
		v.push_back(&w);
	return v;
}

const Workload *find_workload(const std::string &name) { return Workloads::find(name); }

void Run::measure(const Config &c, const SampleFn &sample)
{
	const std::string &W = workload_;
	for (auto &m : c.metrics)
		R.declare(W, c.name, m);
	int reps = c.reps ? c.reps : O.reps;
	for (int rep = 0; rep < reps; rep++) {
		std::vector<std::string> order = backends_;
		if (!order.empty())
			std::rotate(order.begin(), order.begin() + (rep % int(order.size())), order.end());
		for (auto &b : order) {
			std::string why;
			Sample s = cannot_run(b, c.need, &why) ? Sample::na(why) : sample(b, rep);
			if (s.values.size() != c.metrics.size()) {
				if (s.why.empty())
					s.why = strf("%zu values for %zu metrics", s.values.size(), c.metrics.size());
				for (auto &m : c.metrics)
					R.not_available(W, c.name, m, b, s.why);
				continue;
			}
			for (size_t i = 0; i < c.metrics.size(); i++)
				R.add(W, c.name, c.metrics[i], b, rep, s.values[i]);
		}
	}
	progress("%s %s done", W.c_str(), c.name.c_str());
}

void run_workloads(uint64_t t_start)
{
	std::vector<std::string> secs;
	for (const Workload *w : all_workloads()) {
		if (!O.workloads.empty() && !O.workloads.count(w->name))
			continue;
		std::vector<std::string> named = w->backends;
		if (named.empty() && !w->also.empty())
			for (auto &b : all_backends())
				if (find_backend(b)->by_default || std::count(w->also.begin(), w->also.end(), b))
					named.push_back(b);
		std::vector<std::string> bs;
		for (auto &b : O.backends_given || named.empty() ? O.backends : named)
			if (named.empty() || std::count(named.begin(), named.end(), b))
				bs.push_back(b);
		R.backends[w->name] = bs;
		uint64_t t0 = mono_ns();
		g_progress_t = t0;
		heading(w->number, w->title, w->describe());
		Run run(w->name, bs);
		w->run(run);
		print_workload(w->name);
		secs.push_back(strf("%s %.0fs", w->name.c_str(), double(mono_ns() - t0) / 1e9));
	}
	summary_vs_epoll("eventpoll2");
	summary_vs_epoll("eventpoll2+ring");
	std::string s;
	for (auto &x : secs)
		s += (s.empty() ? "" : ", ") + x;
	out("ep2bench: done in %.1f s (%s)\n", double(mono_ns() - t_start) / 1e9, s.c_str());
	g_pool.close_all();
	std::map<std::string, std::string> files;
	for (const Workload *w : all_workloads())
		if (w->files)
			w->files(files);
	write_outputs(files);
}

} // namespace ep2bench
