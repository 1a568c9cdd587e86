// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "io_uring+batch": io_uring used the way it batches.
// ctl changes are SQEs queued and submitted together (one io_uring_enter()
// for a whole batch), changes + wait are one submit-and-wait, EPOLLONESHOT
// is a single-shot IORING_OP_POLL_ADD re-armed by the next "MOD".  Its
// min-wait is the closest this kernel has: wait_nr = min_events with the
// min_wait as the timeout of that wait (counted from the call, not from the
// first event; io_uring's real min_wait_usec / IORING_ENTER_ABS_TIMER are
// Linux 6.12 and liburing 2.8, and this guest runs 6.1 with liburing 2.3).
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "batch.h"
#include "uring_reg.h"

#ifdef EP2BENCH_HAVE_LIBURING
#include <liburing.h>
#endif

namespace ep2bench {
namespace {

#ifdef EP2BENCH_HAVE_LIBURING
struct UringBatchPoller final : UringRingOwner, Poller, BatchCtl, MinWaitCap {
	struct Item {
		uint32_t events = 0; // 0: absent
		uint64_t data = 0;
		bool armed = false;  // a poll request is outstanding
	};
	std::vector<Item> items;                  // by fd
	std::unordered_map<uint64_t, int> fd_of;  // user_data -> fd
	static constexpr uint64_t TAG = 1ull << 63;
	int last_err = 0;

	UringBatchPoller() : UringRingOwner(512) {}

	io_uring_sqe *sqe()
	{
		io_uring_sqe *s = io_uring_get_sqe(&ring);
		if (!s) {
			io_uring_submit(&ring);
			reap(nullptr, 0);
			s = io_uring_get_sqe(&ring);
		}
		return s;
	}
	Item &item(int fd)
	{
		if (size_t(fd) >= items.size())
			items.resize(size_t(fd) + 1024);
		return items[size_t(fd)];
	}
	static uint32_t mask_of(uint32_t e) { return e & ~uint32_t(EPOLLET | EPOLLONESHOT); }
	void arm(int fd, Item &it)
	{
		io_uring_sqe *s = sqe();
		if (it.events & EPOLLONESHOT)
			io_uring_prep_poll_add(s, fd, mask_of(it.events));
		else
			io_uring_prep_poll_multishot(s, fd, mask_of(it.events));
		io_uring_sqe_set_data64(s, it.data);
		it.armed = true;
	}
	// Queue one change (no system call); 0 or -errno known without the kernel.
	int queue(const Change &c)
	{
		if (c.data & TAG)
			return -EINVAL;
		Item &it = item(c.fd);
		switch (c.op) {
		case EPOLL_CTL_ADD:
			if (it.events)
				return -EEXIST;
			it.events = c.events | 0x80000000u;
			it.data = c.data;
			fd_of[c.data] = c.fd;
			arm(c.fd, it);
			return 0;
		case EPOLL_CTL_MOD: {
			if (!it.events)
				return -ENOENT;
			uint64_t old = it.data;
			it.events = c.events | 0x80000000u;
			fd_of.erase(old);
			it.data = c.data;
			fd_of[c.data] = c.fd;
			if (!it.armed) { // a fired one-shot: a new poll
				arm(c.fd, it);
				return 0;
			}
			io_uring_sqe *s = sqe();
			unsigned flags = IORING_POLL_UPDATE_EVENTS;
			if (!(c.events & EPOLLONESHOT))
				flags |= IORING_POLL_ADD_MULTI;
			if (c.data != old)
				flags |= IORING_POLL_UPDATE_USER_DATA;
			io_uring_prep_poll_update(s, old, (flags & IORING_POLL_UPDATE_USER_DATA) ? c.data : 0,
						  mask_of(c.events), flags);
			io_uring_sqe_set_data64(s, TAG | 1);
			return 0;
		}
		case EPOLL_CTL_DEL:
			if (!it.events)
				return -ENOENT;
			if (it.armed) {
				io_uring_sqe *s = sqe();
				io_uring_prep_poll_remove(s, it.data);
				io_uring_sqe_set_data64(s, TAG | 2);
			}
			fd_of.erase(it.data);
			it = Item{};
			return 0;
		default:
			return -EINVAL;
		}
	}
	// One CQE: internal ones checked, application ones into *out.
	bool handle(io_uring_cqe *c, Ev *out)
	{
		uint64_t ud = c->user_data;
		if (ud & TAG) {
			if (c->res < 0 && c->res != -ENOENT && c->res != -EALREADY)
				last_err = c->res;
			return false;
		}
		auto f = fd_of.find(ud);
		if (f == fd_of.end())
			return false; // removed meanwhile
		Item &it = items[size_t(f->second)];
		if (!(c->flags & IORING_CQE_F_MORE) && c->res != -ECANCELED) {
			it.armed = false;
			if (!(it.events & EPOLLONESHOT))
				arm(f->second, it); // a multishot poll ended (overflow): re-arm
		}
		if (c->res <= 0)
			return false;
		out->events = uint32_t(c->res);
		out->data.u64 = ud;
		return true;
	}
	int reap(Ev *evs, int max)
	{
		io_uring_cqe *c;
		unsigned head, seen = 0;
		int n = 0;
		Ev spare;
		io_uring_for_each_cqe(&ring, head, c) {
			if (evs && n == max)
				break;
			if (handle(c, evs ? &evs[n] : &spare) && evs)
				n++;
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
		return n;
	}
	int submit_now()
	{
		last_err = 0;
		int r = io_uring_submit(&ring);
		if (r < 0)
			return r;
		reap(nullptr, 0);
		return last_err;
	}
	int one(int op, int fd, uint32_t e, uint64_t d)
	{
		int r = queue(Change{op, fd, e, d});
		return r ? r : submit_now();
	}
	int add(int fd, uint32_t e, uint64_t d) override { return one(EPOLL_CTL_ADD, fd, e, d); }
	int mod(int fd, uint32_t e, uint64_t d) override { return one(EPOLL_CTL_MOD, fd, e, d); }
	int del(int fd) override { return one(EPOLL_CTL_DEL, fd, 0, 0); }

	// Submit what is queued and wait for wait_nr CQEs or the timeout.
	int enter(Ev *evs, int max, unsigned wait_nr, long long timeout_ns)
	{
		int n = reap(evs, max);
		if (n)
			return n;
		io_uring_cqe *c = nullptr;
		int r;
		if (timeout_ns < 0) {
			r = io_uring_submit_and_wait(&ring, wait_nr);
		} else {
			__kernel_timespec ts;
			ts.tv_sec = timeout_ns / 1000000000;
			ts.tv_nsec = timeout_ns % 1000000000;
			r = io_uring_submit_and_wait_timeout(&ring, &c, wait_nr, &ts, nullptr);
		}
		if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
			return r;
		return reap(evs, max);
	}
	int wait(Ev *evs, int max, int t) override
	{
		return enter(evs, max, 1, t < 0 ? -1 : t * 1000000LL);
	}
	int ctl_batch(const Change *c, int n) override
	{
		int err = 0;
		for (int i = 0; i < n; i++)
			if (int r = queue(c[i]); r && !err)
				err = r;
		int r = submit_now();
		return err ? err : r;
	}
	int ctl_wait(const Change *c, int n, Ev *evs, int max, int timeout_ms) override
	{
		for (int i = 0; i < n; i++)
			if (int r = queue(c[i]))
				return r;
		return enter(evs, max, 1, timeout_ms < 0 ? -1 : timeout_ms * 1000000LL);
	}
	int wait_min(Ev *evs, int max, int timeout_ms, unsigned min_events, uint64_t min_wait_ns) override
	{
		if (min_events <= 1)
			return wait(evs, max, timeout_ms);
		// wait_nr = min_events until min_wait (from now); then any one event.
		int n = enter(evs, max, min_events, min_wait_ns ? (long long)min_wait_ns : timeout_ms * 1000000LL);
		if (n)
			return n;
		return wait(evs, max, timeout_ms);
	}
};
#endif

const BackendReg reg{uring_backend("io_uring+batch", 32, EP2_URING_FACTORY(UringBatchPoller),
				   {
					   {Feature::LT, "multishot poll fires once per wake-up, like ET"},
					   {Feature::Shared, "an instance serves one thread"},
				   },
				   /* by_default */ false)};

} // namespace
} // namespace ep2bench
