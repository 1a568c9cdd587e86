// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2": libeventpoll2 (ep2_create1/ep2_ctl/ep2_wait).
#include "backend_eventpoll2.h"
#include "util.h"

namespace ep2bench {

bool eventpoll2_available(std::string *why)
{
	if (ep2_available())
		return true;
	*why = strf("/dev/eventpoll2: %s (module not loaded?)", strerror(errno));
	return false;
}

namespace {
const BackendReg reg{{"eventpoll2", 10, make_instance<Eventpoll2Poller>, {}, eventpoll2_available}};
} // namespace

} // namespace ep2bench
