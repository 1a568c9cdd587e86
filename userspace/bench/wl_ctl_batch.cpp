// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 11: ctl throughput with 64 changes per call.
#include <cstring>

#include "batch.h"
#include "ctl_cycle.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

const int PER_CALL = 64;

/*
 * As workload 1 (ctl), but the changes go in chunks of 64: a backend with
 * batched ctl (BatchCtl) makes one call per chunk, the others one call per
 * change; each chunk is timed, the figure is the median chunk.
 */
Sample ctl_batch_sample(const std::string &b, int n)
{
	std::string why;
	auto p = make_poller(b, &why);
	if (!p)
		return Sample::na(why);
	BatchCtl *bc = dynamic_cast<BatchCtl *>(p.get());
	auto &fds = g_pool.get(size_t(n));
	std::vector<double> per[3];
	std::vector<Change> chunk(PER_CALL);
	static const int ops[3] = {EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
	static const uint32_t evs[3] = {EPOLLIN, EPOLLIN | EPOLLPRI, 0};
	auto phase = [&](int ph, int m) {
		int err = 0, op = ops[ph];
		for (int i = 0; i < m && !err;) {
			int i0 = i, e = std::min(m, i + PER_CALL);
			for (int k = i; k < e; k++)
				chunk[size_t(k - i0)] = Change{op, fds[size_t(k)], evs[ph], uint64_t(k)};
			uint64_t c0 = ticks();
			if (bc) {
				err = bc->ctl_batch(chunk.data(), e - i0);
			} else {
				for (int k = 0; k < e - i0 && !err; k++) {
					const Change &c = chunk[size_t(k)];
					err = op == EPOLL_CTL_ADD   ? p->add(c.fd, c.events, c.data)
					      : op == EPOLL_CTL_MOD ? p->mod(c.fd, c.events, c.data)
								    : p->del(c.fd);
				}
			}
			per[ph].push_back(tick_ns(ticks() - c0) / double(e - i0));
			i = e;
		}
		return err;
	};
	return ctl_cycles(n, 128, per, phase);
}

void run(Run &r)
{
	for (int n : O.ctl_n) {
		Config c{strf("N=%s", count_str(n).c_str()),
			 {{"ADD", "ops/s", true}, {"MOD", "ops/s", true}, {"DEL", "ops/s", true}},
			 {Feature::Registration}};
		r.measure(c, [&](const std::string &b, int) { return ctl_batch_sample(b, n); });
	}
}

const WorkloadReg reg{{
	"ctl-batch", 11, "ctl throughput, 64 changes per call",
	[] {
		return std::string(
			"Workload 1's ADD/MOD/DEL cycles over N idle eventfds, the changes taken 64 at a time: "
			"eventpoll2+batch applies each 64 with one EP2_IOC_CTL_BATCH (per-change results), "
			"io_uring+batch queues 64 POLL_ADD / POLL_UPDATE / POLL_REMOVE SQEs and submits them "
			"with one io_uring_enter(); epoll, eventpoll2 and io_uring make one call per change. "
			"Operations per second of each phase (median chunk of 64).");
	},
	run,
	{"eventpoll2", "eventpoll2+batch", "epoll", "io_uring", "io_uring+batch"},
}};

} // namespace
} // namespace ep2bench
