// SPDX-License-Identifier: GPL-2.0
// ep2bench: what the batching variants add to a Poller (eventpoll2+batch,
// io_uring+batch): ctl changes in one call, changes + wait in one call, and
// a wait that batches (min-wait).  A workload asks with dynamic_cast and
// falls back to one call per change / a plain wait.
#pragma once

#include <cstdint>

#include "poller.h"

namespace ep2bench {

struct Change {
	int op; // EPOLL_CTL_*
	int fd;
	uint32_t events;
	uint64_t data;
};

struct BatchCtl {
	virtual ~BatchCtl() = default;
	// Apply n changes in one call: 0 or the first -errno.
	virtual int ctl_batch(const Change *c, int n) = 0;
	// n changes, then a wait, in one call: events or -errno.
	virtual int ctl_wait(const Change *c, int n, Ev *evs, int max, int timeout_ms) = 0;
};

struct MinWaitCap {
	virtual ~MinWaitCap() = default;
	// A wait that returns once min_events are ready or min_wait_ns after the
	// first was (see each backend for how close it comes), bounded by timeout.
	virtual int wait_min(Ev *evs, int max, int timeout_ms, unsigned min_events, uint64_t min_wait_ns) = 0;
};

} // namespace ep2bench
