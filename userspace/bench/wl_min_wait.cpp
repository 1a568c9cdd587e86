// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 13: min-wait batching in an echo server.
#include <cmath>

#include "echo_loop.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

const unsigned MIN_EVENTS = 16;
const uint64_t MIN_WAIT_NS = 200000; // 200 us

void run(Run &r)
{
	for (int C : O.echo_c) {
		if (C != 50)
			continue;
		Config c{strf("C=%d", C),
			 {{"requests/s", "", true},
			  {"wakeups/event", "", false},
			  {"ctx switches/event", "", false},
			  {"events/wait", "", true}},
			 {},
			 std::min(O.reps, O.echo_reps)};
		r.measure(c, [&](const std::string &b, int) {
			std::string why;
			EchoStats st;
			EchoLoop how;
			how.min_events = MIN_EVENTS;
			how.min_wait_ns = MIN_WAIT_NS;
			if (!echo_loop_run(b, C, how, &st, &why))
				return Sample::na(why);
			double ev = double(std::max<uint64_t>(1, st.events));
			return Sample{st.rps, double(st.nvcsw) / ev, double(st.nvcsw + st.nivcsw) / ev,
				      double(st.events) / double(std::max<uint64_t>(1, st.waits))};
		});
	}
}

const WorkloadReg reg{{
	"min-wait", 13, "min-wait batching (echo, C=50)",
	[] {
		return strf(
			"Workload 6's TCP echo at C=50, the server waiting for batches: eventpoll2+batch "
			"returns once %u events are ready or %llu us after the first one, whichever is first "
			"(min_events / min_wait_ns); epoll and eventpoll2 wait plainly (return at the first "
			"event); io_uring+batch waits for %u CQEs with a %llu us timeout counted from the call "
			"(its min_wait_usec is Linux 6.12 / liburing 2.8: not in this 6.1 guest). "
			"wakeups/event: the server thread's voluntary context switches per event harvested; "
			"ctx switches/event adds the involuntary ones. %.0f ms after a warm-up, %d repetitions.",
			MIN_EVENTS, (unsigned long long)(MIN_WAIT_NS / 1000), MIN_EVENTS,
			(unsigned long long)(MIN_WAIT_NS / 1000), O.echo_ms, std::min(O.reps, O.echo_reps));
	},
	run,
	{"eventpoll2", "eventpoll2+batch", "epoll", "io_uring+batch"},
}};

} // namespace
} // namespace ep2bench
