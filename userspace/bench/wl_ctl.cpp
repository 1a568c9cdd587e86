// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 1: ctl throughput.
#include <cstring>

#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

// One sample: whole ADD/MOD/DEL cycles over the n fds until the time budget
// is used (at least one), on one new instance, after a short untimed warm-up
// cycle; each phase timed in chunks of CHUNK calls, the figure is the median
// chunk (see run_for).
Sample ctl_sample(const std::string &b, int n)
{
	std::string why;
	auto p = make_poller(b, &why);
	if (!p)
		return Sample::na(why);
	auto &fds = g_pool.get(size_t(n));
	const int CHUNK = 64;
	int err = 0;
	std::vector<double> per[3];
	uint64_t budget = ms_ticks(O.budget_ms);
	uint64_t start = ticks();
	auto phase = [&](int ph, int m, auto &&op) {
		for (int i = 0; i < m && !err;) {
			int i0 = i, e = std::min(m, i + CHUNK);
			uint64_t c0 = ticks();
			for (; i < e && !err; i++)
				err = op(fds[size_t(i)], i);
			per[ph].push_back(tick_ns(ticks() - c0) / double(e - i0));
		}
	};
	for (int warm = 1; !err; warm = 0) {
		int m = warm ? std::min(n, 50) : n;
		phase(0, m, [&](int fd, int i) { return p->add(fd, EPOLLIN, uint64_t(i)); });
		phase(1, m, [&](int fd, int i) { return p->mod(fd, EPOLLIN | EPOLLPRI, uint64_t(i)); });
		phase(2, m, [&](int fd, int i) { return p->del(fd); });
		if (warm) {
			for (auto &v : per)
				v.clear();
			start = ticks();
			continue;
		}
		if (ticks() - start >= budget)
			break;
	}
	if (err)
		return Sample::na(strf("error %s", strerror(-err)));
	return {1e9 / median(per[0]), 1e9 / median(per[1]), 1e9 / median(per[2])};
}

void run(Run &r)
{
	for (int n : O.ctl_n) {
		Config c{strf("N=%s", count_str(n).c_str()),
			 {{"ADD", "ops/s", true}, {"MOD", "ops/s", true}, {"DEL", "ops/s", true}},
			 {Feature::Registration}};
		r.measure(c, [&](const std::string &b, int) { return ctl_sample(b, n); });
	}
}

const WorkloadReg reg{{
	"ctl", 1, "ctl throughput",
	[] {
		return std::string(
			"ADD N idle eventfds to a new instance (EPOLLIN), MOD each (EPOLLIN|EPOLLPRI), "
			"then DEL each, one call per fd, repeated on the same instance for the sample's time; operations per second of each phase. io_uring: one "
			"multishot POLL_ADD / POLL_UPDATE / POLL_REMOVE SQE submitted per fd (its "
			"registration cost); poll: n/a, it has no registration (the set is passed to each call).");
	},
	run,
}};

} // namespace
} // namespace ep2bench
