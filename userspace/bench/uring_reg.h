// SPDX-License-Identifier: GPL-2.0
// ep2bench: the registration of a backend built on liburing (n/a, with the
// reason, when ep2bench is built without it).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "poller.h"

#ifdef EP2BENCH_HAVE_LIBURING
#include <cstring>
#include <stdexcept>

#include <liburing.h>
#endif

namespace ep2bench {

#ifdef EP2BENCH_HAVE_LIBURING
/*
 * The io_uring of a liburing backend: @sq_entries SQEs, a 16384-entry CQ
 * (multishot polls of many fds post many CQEs); exited with the backend.
 */
struct UringRingOwner {
	io_uring ring;
	explicit UringRingOwner(unsigned sq_entries)
	{
		io_uring_params p;
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = 16384;
		int r = io_uring_queue_init_params(sq_entries, &ring, &p);
		if (r < 0)
			throw std::runtime_error(strerror(-r));
	}
	~UringRingOwner() { io_uring_queue_exit(&ring); }
	UringRingOwner(const UringRingOwner &) = delete;
	UringRingOwner &operator=(const UringRingOwner &) = delete;
};
#endif

// A factory of backend P's instances, or none without liburing.
#ifdef EP2BENCH_HAVE_LIBURING
#define EP2_URING_FACTORY(P) (std::function<std::unique_ptr<Poller>()>([] { return std::unique_ptr<Poller>(new P()); }))
#else
#define EP2_URING_FACTORY(P) (std::function<std::unique_ptr<Poller>()>())
#endif

/*
 * A backend made by @make (empty: built without liburing, so n/a);
 * @available, if given, adds its own check (e.g. /dev/eventpoll2).
 */
inline Backend uring_backend(std::string name, int rank, std::function<std::unique_ptr<Poller>()> make,
			     std::map<Feature, std::string> lacks, bool by_default = true,
			     std::function<bool(std::string *)> available = {})
{
	Backend b;
	b.name = std::move(name);
	b.rank = rank;
	b.make = [make](std::string *why) -> std::unique_ptr<Poller> {
		if (!make) {
			*why = "built without liburing";
			return nullptr;
		}
		return make();
	};
	b.lacks = std::move(lacks);
	b.available = [make, available](std::string *why) {
		if (!make) {
			*why = "built without liburing";
			return false;
		}
		return available ? available(why) : true;
	};
	b.by_default = by_default;
	return b;
}

} // namespace ep2bench
