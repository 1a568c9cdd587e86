// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2+keyring": a keyed ready ring
// (EP2_CREATE_RING_KEYED: the wakeup callback publishes the key itself, no
// poll, no task_work), harvested as eventpoll2+ring harvests.
#include "backend_eventpoll2_ring.h"

namespace ep2bench {
namespace {

int create_keyed_ring(int flags) { return ep2_create_ring(flags | EP2_CREATE_RING_KEYED, RING_ENTRIES); }

const BackendReg reg{{
	"eventpoll2+keyring", 16, make_instance<RingPollerOf<create_keyed_ring>>,
	ring_lacks(),
	eventpoll2_available, /* by_default */ false,
}};

} // namespace
} // namespace ep2bench
