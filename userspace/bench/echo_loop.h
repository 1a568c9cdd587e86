// SPDX-License-Identifier: GPL-2.0
// ep2bench: the TCP echo harness of workloads 12 (ONESHOT re-arm) and 13
// (min-wait): workload 6's client, and a server loop that is told how to
// arm and how to wait, counting its own calls.
#pragma once

#include <cstdint>
#include <string>

namespace ep2bench {

struct EchoLoop {
	// Connections armed EPOLLIN|EPOLLONESHOT and re-armed (MOD) after each
	// read; with BatchCtl the re-arms go with the next wait as one call.
	bool oneshot = false;
	// min_events > 1: the server waits with MinWaitCap::wait_min.
	unsigned min_events = 0;
	uint64_t min_wait_ns = 0;
};

struct EchoStats {
	double rps = 0;            // client: requests/s (median slot)
	uint64_t requests = 0;     // server: requests echoed
	uint64_t poll_calls = 0;   // server: ctl + wait calls (each one system call)
	uint64_t waits = 0, events = 0;
	uint64_t nvcsw = 0, nivcsw = 0; // server thread's context switches
};

// false with the reason in *why.
bool echo_loop_run(const std::string &backend, int C, const EchoLoop &how, EchoStats *st, std::string *why);

} // namespace ep2bench
