// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 12: ONESHOT re-arm echo, ctl + wait in one call.
#include <cmath>

#include "echo_loop.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

void run(Run &r)
{
	for (int C : O.echo_c) {
		if (C < 50)
			continue; // one connection never has a re-arm to batch
		Config c{strf("C=%d", C),
			 {{"requests/s", "", true}, {"poll calls/request", "", false}, {"events/wait", "", true}},
			 {},
			 std::min(O.reps, O.echo_reps)};
		r.measure(c, [&](const std::string &b, int) {
			std::string why;
			EchoStats st;
			EchoLoop how;
			how.oneshot = true;
			if (!echo_loop_run(b, C, how, &st, &why))
				return Sample::na(why);
			return Sample{st.rps, double(st.poll_calls) / double(st.requests),
				      double(st.events) / double(std::max<uint64_t>(1, st.waits))};
		});
	}
}

const WorkloadReg reg{{
	"echo-oneshot", 12, "ONESHOT re-arm echo (ctl + wait in one call)",
	[] {
		return strf(
			"Workload 6's TCP echo (C connections, one 64-byte request in flight each, client on "
			"native epoll), but the server arms every connection EPOLLIN|EPOLLONESHOT and re-arms "
			"each one it served with EPOLL_CTL_MOD before its next wait. epoll and eventpoll2: "
			"one ctl call per re-arm, then the wait; eventpoll2+batch: the re-arms and the wait "
			"as one EP2_IOC_CTL_WAIT; io_uring+batch: single-shot POLL_ADDs queued and submitted "
			"with the wait (one io_uring_enter). poll calls/request: the server's ctl + wait "
			"calls (one system call each) per request echoed (reads and writes not counted). "
			"%.0f ms after a warm-up, %d repetitions.", O.echo_ms, std::min(O.reps, O.echo_reps));
	},
	run,
	{"eventpoll2", "eventpoll2+batch", "epoll", "io_uring+batch"},
}};

} // namespace
} // namespace ep2bench
