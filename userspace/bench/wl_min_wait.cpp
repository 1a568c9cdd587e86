// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 13: min-wait batching in an echo server.
#include <cmath>

#include "echo_loop.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

// (min_events, min_wait): a batch below the loop's natural one, and above it.
const struct {
	unsigned events;
	uint64_t wait_ns;
} SETTINGS[] = {{16, 200000}, {64, 1000000}};

void run(Run &r)
{
	for (int C : O.echo_c) {
		if (C != 50)
			continue;
		for (auto set : SETTINGS) {
		Config c{strf("C=%d N=%u T=%lluus", C, set.events, (unsigned long long)(set.wait_ns / 1000)),
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
			how.min_events = set.events;
			how.min_wait_ns = set.wait_ns;
			if (!echo_loop_run(b, C, how, &st, &why))
				return Sample::na(why);
			double ev = double(std::max<uint64_t>(1, st.events));
			return Sample{st.rps, double(st.nvcsw) / ev, double(st.nvcsw + st.nivcsw) / ev,
				      double(st.events) / double(std::max<uint64_t>(1, st.waits))};
		});
		}
	}
}

const WorkloadReg reg{{
	"min-wait", 13, "min-wait batching (echo, C=50)",
	[] {
		return strf(
			"Workload 6's TCP echo at C=50, the server waiting for batches: eventpoll2+batch "
			"returns once N events are ready or T after the first one, whichever is first "
			"(min_events / min_wait_ns); epoll and eventpoll2 wait plainly (return at the first "
			"event); io_uring+batch waits for N CQEs with a timeout of T counted from the call "
			"(its min_wait_usec is Linux 6.12 / liburing 2.8: not in this 6.1 guest). "
			"wakeups/event: the server thread's voluntary context switches per event harvested; "
			"ctx switches/event adds the involuntary ones. %.0f ms after a warm-up, %d repetitions.",
			O.echo_ms, std::min(O.reps, O.echo_reps));
	},
	run,
	{"eventpoll2", "eventpoll2+batch", "epoll", "io_uring+batch"},
}};

} // namespace
} // namespace ep2bench
