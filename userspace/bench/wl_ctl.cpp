// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 1: ctl throughput.
#include <cstring>

#include "ctl_cycle.h"
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
	std::vector<double> per[3];
	auto phase = [&](int ph, int m) {
		int err = 0;
		for (int i = 0; i < m && !err;) {
			int i0 = i, e = std::min(m, i + CHUNK);
			uint64_t c0 = ticks();
			for (; i < e && !err; i++) {
				int fd = fds[size_t(i)];
				err = ph == 0 ? p->add(fd, EPOLLIN, uint64_t(i))
				      : ph == 1 ? p->mod(fd, EPOLLIN | EPOLLPRI, uint64_t(i))
						: p->del(fd);
			}
			per[ph].push_back(tick_ns(ticks() - c0) / double(e - i0));
		}
		return err;
	};
	return ctl_cycles(n, 50, per, phase);
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
