// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "eventpoll2+uring": an io_uring event loop on an
// eventpoll2 instance (IORING_OP_URING_CMD, eventpoll2_uring.h).
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "backend_eventpoll2.h"
#include "uring_reg.h"

#ifdef EP2BENCH_HAVE_LIBURING
#include "eventpoll2_uring.h"
#endif

namespace ep2bench {
namespace {

#ifdef EP2BENCH_HAVE_LIBURING
/*
 * The loop the io_uring backend runs (one submit-and-wait per wait; each
 * ctl one SQE submitted on its own and waited for, as an epoll_ctl()), with
 * the readiness coming from an eventpoll2 instance instead of multishot
 * polls: the wait is one EP2_IOC_WAIT command, harvested at issue when
 * events are ready, else queued on the instance and completed from its
 * wakeup in this task's context.  Every epoll mode is there (LT, ET,
 * ONESHOT, EXCLUSIVE); one ring serves one thread.
 */
struct UringEp2Poller final : Eventpoll2Poller {
	io_uring ring;
	ep2_ctl_args ca;
	ep2_wait_args wa;
	Ev ev;

	UringEp2Poller()
	{
		int r = io_uring_queue_init(64, &ring, 0);
		if (r < 0)
			throw std::runtime_error(strerror(-r));
	}
	~UringEp2Poller() override { io_uring_queue_exit(&ring); }

	// Submit the one prepared SQE and take its CQE's res.
	int submit1()
	{
		io_uring_cqe *c;
		int r = io_uring_submit_and_wait(&ring, 1);
		if (r < 0)
			return r;
		r = io_uring_wait_cqe(&ring, &c);
		if (r < 0)
			return r;
		r = c->res;
		io_uring_cqe_seen(&ring, c);
		return r;
	}
	int uctl(int op, int fd, uint32_t e, uint64_t d)
	{
		ev.events = e;
		ev.data.u64 = d;
		ep2_uring_prep_ctl(io_uring_get_sqe(&ring), &ca, epfd, op, fd, &ev);
		return submit1();
	}
	int add(int fd, uint32_t e, uint64_t d) override { return uctl(EPOLL_CTL_ADD, fd, e, d); }
	int mod(int fd, uint32_t e, uint64_t d) override { return uctl(EPOLL_CTL_MOD, fd, e, d); }
	int del(int fd) override { return uctl(EPOLL_CTL_DEL, fd, 0, 0); }
	int wait(Ev *evs, int max, int t) override
	{
		ep2_uring_prep_wait(io_uring_get_sqe(&ring), &wa, epfd, evs, max, t);
		int r = submit1();
		return r == -EINTR ? 0 : r;
	}
};
#endif

const BackendReg reg{uring_backend("eventpoll2+uring", 12, EP2_URING_FACTORY(UringEp2Poller),
				   {{Feature::Shared, "an io_uring serves one thread"}}, true,
				   eventpoll2_available)};

} // namespace
} // namespace ep2bench
