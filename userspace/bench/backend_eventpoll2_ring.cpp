// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2+ring": libeventpoll2's ready ring
// (ep2_create_ring; polling publication, the exact mode), the kernel entered
// only when needed (backend_eventpoll2_ring.h).
#include "backend_eventpoll2_ring.h"

namespace ep2bench {
namespace {

int create_ring(int flags) { return ep2_create_ring(flags, RING_ENTRIES); }

const BackendReg reg{{
	"eventpoll2+ring", 15, make_instance<RingPollerOf<create_ring>>,
	ring_lacks(),
	eventpoll2_available, /* by_default */ false,
}};

} // namespace
} // namespace ep2bench
