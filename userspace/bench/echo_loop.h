// SPDX-License-Identifier: GPL-2.0
// ep2bench: the TCP echo harness of workloads 12 (ONESHOT re-arm) and 13
// (min-wait): workload 6's client, and a server loop that is told how to
// arm and how to wait, counting its own calls.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <netinet/in.h>

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

/*
 * The client of every echo workload, on native epoll (the same for every
 * backend): C connections to @sa with one 64-byte request in flight each,
 * for O.echo_ms after a 10% warm-up; returns requests/s (the median of ~15
 * slots), NAN with the reason in *why.  @at_start runs when the measured
 * window opens, @at_end(requests) when it closes.
 */
double echo_client_run(const sockaddr_in &sa, int C, std::string *why,
		       const std::function<void()> &at_start,
		       const std::function<void(uint64_t requests)> &at_end);

// false with the reason in *why.
bool echo_loop_run(const std::string &backend, int C, const EchoLoop &how, EchoStats *st, std::string *why);

} // namespace ep2bench
