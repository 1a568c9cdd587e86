// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "io_uring": multishot IORING_OP_POLL_ADD through liburing
// (n/a when built without it).
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "poller.h"
#include "uring_reg.h"

#ifdef EP2BENCH_HAVE_LIBURING
#include <liburing.h>
#endif

namespace ep2bench {
namespace {

#ifdef EP2BENCH_HAVE_LIBURING
/*
 * io_uring as a readiness interface: one multishot IORING_OP_POLL_ADD per fd
 * (edge-triggered: a CQE per wake-up of the file's wait queue), updated with
 * IORING_OP_POLL_REMOVE + IORING_POLL_UPDATE_EVENTS, removed with
 * IORING_OP_POLL_REMOVE.  A wait peeks at the CQ ring first and returns
 * what is there without a system call (as a real io_uring event loop does:
 * a poll completion is posted by task work when the waking syscall returns,
 * so it is often there before the wait); only an empty CQ, or SQEs still to
 * submit, costs an io_uring_enter() (submit-and-wait).  Each ctl operation
 * is submitted on its own, as an epoll_ctl() would be.  syscalls() counts
 * the io_uring_enter() calls liburing makes for us: one per submit with
 * SQEs queued, one per submit-and-wait (liburing 2.x enters once for
 * these; io_uring_peek_cqe and the CQ walk never enter).
 * There is no level-triggered mode: a multishot poll posts a CQE only when
 * the file's wait queue is woken (IORING_POLL_ADD_LEVEL does not change that
 * for a file that stays ready), so it lacks Feature::LT; workloads that only
 * need "a new event wakes me" register with EPOLLIN and get edge semantics.
 */
struct UringPoller final : UringRingOwner, Poller {
	std::vector<uint64_t> fd_data; // fd -> user_data of its poll
	std::vector<uint32_t> fd_events; // fd -> mask (0: absent)
	std::vector<Ev> pending;        // app CQEs reaped during ctl calls
	size_t pending_pos = 0;
	static constexpr uint64_t TAG = 1ull << 63; // user_data of internal ops
	int last_err = 0;

	UringPoller() : UringRingOwner(256) {}

	io_uring_sqe *sqe()
	{
		io_uring_sqe *s = io_uring_get_sqe(&ring);
		if (!s) {
			nsys++;
			io_uring_submit(&ring);
			s = io_uring_get_sqe(&ring);
		}
		return s;
	}
	void ensure(int fd)
	{
		if (size_t(fd) >= fd_data.size()) {
			fd_data.resize(size_t(fd) + 1024, 0);
			fd_events.resize(size_t(fd) + 1024, 0);
		}
	}
	static uint32_t mask_of(uint32_t e) { return e & ~uint32_t(EPOLLET); }
	void arm(int fd, uint32_t e, uint64_t d)
	{
		io_uring_sqe *s = sqe();
		io_uring_prep_poll_multishot(s, fd, mask_of(e));
		io_uring_sqe_set_data64(s, d);
	}
	// Handle one CQE: internal ones are checked, application ones queued
	// into out (if room) and re-armed when the multishot poll ended.
	bool handle(io_uring_cqe *c, Ev *out)
	{
		uint64_t ud = c->user_data;
		if (ud & TAG) {
			if (c->res < 0 && c->res != -ENOENT && c->res != -EALREADY)
				last_err = c->res;
			return false;
		}
		if (!(c->flags & IORING_CQE_F_MORE) && c->res != -ECANCELED) {
			// The poll ended (CQ overflow, error): re-arm if still wanted.
			for (size_t fd = 0; fd < fd_data.size(); fd++)
				if (fd_events[fd] && fd_data[fd] == ud)
					arm(int(fd), fd_events[fd], ud);
		}
		if (c->res <= 0)
			return false;
		out->events = uint32_t(c->res);
		out->data.u64 = ud;
		return true;
	}
	// After a ctl submit: consume whatever completed, keeping app events.
	void reap()
	{
		io_uring_cqe *c;
		unsigned head, seen = 0;
		io_uring_for_each_cqe(&ring, head, c) {
			Ev ev;
			if (handle(c, &ev))
				pending.push_back(ev);
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
	}
	int submit_one()
	{
		last_err = 0;
		if (io_uring_sq_ready(&ring))
			nsys++;
		int r = io_uring_submit(&ring);
		if (r < 0)
			return r;
		reap();
		return last_err;
	}
	int add(int fd, uint32_t e, uint64_t d) override
	{
		if (d & TAG)
			return -EINVAL;
		ensure(fd);
		if (fd_events[size_t(fd)])
			return -EEXIST;
		arm(fd, e, d);
		fd_data[size_t(fd)] = d;
		fd_events[size_t(fd)] = e | 0x80000000u;
		return submit_one();
	}
	int mod(int fd, uint32_t e, uint64_t d) override
	{
		ensure(fd);
		if (!fd_events[size_t(fd)])
			return -ENOENT;
		io_uring_sqe *s = sqe();
		unsigned flags = IORING_POLL_UPDATE_EVENTS | IORING_POLL_ADD_MULTI;
		if (d != fd_data[size_t(fd)])
			flags |= IORING_POLL_UPDATE_USER_DATA;
		// new_user_data must be 0 unless it is updated (else EINVAL)
		io_uring_prep_poll_update(s, fd_data[size_t(fd)],
					  (flags & IORING_POLL_UPDATE_USER_DATA) ? d : 0, mask_of(e), flags);
		io_uring_sqe_set_data64(s, TAG | 1);
		fd_data[size_t(fd)] = d;
		fd_events[size_t(fd)] = e | 0x80000000u;
		return submit_one();
	}
	int del(int fd) override
	{
		if (size_t(fd) >= fd_data.size() || !fd_events[size_t(fd)])
			return -ENOENT;
		io_uring_sqe *s = sqe();
		io_uring_prep_poll_remove(s, fd_data[size_t(fd)]);
		io_uring_sqe_set_data64(s, TAG | 2);
		fd_events[size_t(fd)] = 0;
		return submit_one();
	}
	int wait(Ev *evs, int max, int t) override
	{
		int n = 0;
		while (pending_pos < pending.size() && n < max)
			evs[n++] = pending[pending_pos++];
		if (pending_pos == pending.size()) {
			pending.clear();
			pending_pos = 0;
		}
		if (n)
			return n;
		for (;;) {
			int r = 0;
			io_uring_cqe *c = nullptr;
			// Peek first: completions are there and nothing is to be
			// submitted, so no io_uring_enter().
			bool peek = io_uring_cq_ready(&ring) && !io_uring_sq_ready(&ring);
			if (!peek && t < 0) {
				nsys++;
				r = io_uring_submit_and_wait(&ring, 1);
			} else if (!peek) {
				nsys++;
				__kernel_timespec ts;
				ts.tv_sec = t / 1000;
				ts.tv_nsec = (t % 1000) * 1000000LL;
				r = io_uring_submit_and_wait_timeout(&ring, &c, 1, &ts, nullptr);
			}
			if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
				return r;
			unsigned head, seen = 0;
			io_uring_for_each_cqe(&ring, head, c) {
				if (n == max)
					break;
				if (handle(c, &evs[n]))
					n++;
				seen++;
			}
			io_uring_cq_advance(&ring, seen);
			// Only internal CQEs were there: now wait for real ones.
			if (n || !peek)
				return n;
		}
	}
};
#endif

const BackendReg reg{uring_backend("io_uring", 30, EP2_URING_FACTORY(UringPoller),
				   {
					   {Feature::LT, "multishot poll fires once per wake-up, like ET"},
					   {Feature::Shared, "an instance serves one thread"},
				   })};

} // namespace
} // namespace ep2bench
