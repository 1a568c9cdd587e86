// SPDX-License-Identifier: GPL-2.0
/*
 * uring_cxx_test.cpp - the C++ side of eventpoll2_uring.h: ep2::uring::Ctl,
 * Wait, prep_cancel and result() drive an instance through io_uring.  Built
 * at -std=c++17 with -Wall -Wextra -Werror; prints KTAP.
 */
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "eventpoll2.hpp"
#include "eventpoll2_uring.h"

namespace {

int failures;
#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			std::printf("# %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
			failures++;                                                   \
		}                                                                     \
	} while (0)

struct Ring {
	io_uring ring;
	bool ok;
	Ring() { ok = io_uring_queue_init(8, &ring, 0) == 0; }
	~Ring()
	{
		if (ok)
			io_uring_queue_exit(&ring);
	}
	io_uring_sqe *sqe() { return io_uring_get_sqe(&ring); }
	// Submit, then one CQE's result and user_data.
	ep2::uring::CqeResult run(std::uint64_t *ud = nullptr)
	{
		io_uring_cqe *c = nullptr;
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &c))
			return {-EIO};
		auto r = ep2::uring::result(c);
		if (ud)
			*ud = c->user_data;
		io_uring_cqe_seen(&ring, c);
		return r;
	}
};

// Ctl then a queued Wait completed by an event; the error path as error_code.
void test_ctl_wait()
{
	Ring r;
	auto ep = ep2::Instance::create();
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(r.ok && ep.has_value() && efd >= 0);
	if (!r.ok || !ep.has_value())
		return;
	int fd = ep->fd();

	ep2::uring::Ctl ctl;
	ctl.prep(r.sqe(), fd, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 77);
	CHECK(r.run().ok());
	ctl.prep(r.sqe(), fd, EPOLL_CTL_ADD, efd, EPOLLIN, 1);
	auto again = r.run();
	CHECK(!again && again.error() == std::errc::file_exists);

	epoll_event evs[4];
	ep2::uring::Wait wait;
	wait.prep(r.sqe(), fd, evs, 4, -1);
	io_uring_submit(&r.ring);
	std::uint64_t one = 1;
	CHECK(write(efd, &one, sizeof(one)) == sizeof(one));
	auto n = r.run();
	CHECK(n && n.value() == 1 && evs[0].data.u64 == 77);
	close(efd);
}

// prep_cancel: a queued wait ends with ECANCELED, the cancel counts it.
void test_cancel()
{
	Ring r;
	auto ep = ep2::Instance::create();
	CHECK(r.ok && ep.has_value());
	if (!r.ok || !ep.has_value())
		return;
	epoll_event evs[4];
	ep2::uring::Wait wait;
	wait.prep(r.sqe(), ep->fd(), evs, 4, -1);
	io_uring_sqe_set_data64(&r.ring.sq.sqes[(r.ring.sq.sqe_tail - 1) & *r.ring.sq.kring_mask], 5);
	io_uring_submit(&r.ring);
	ep2::uring::prep_cancel(r.sqe(), ep->fd(), 5);
	io_uring_sqe_set_data64(&r.ring.sq.sqes[(r.ring.sq.sqe_tail - 1) & *r.ring.sq.kring_mask], 6);
	for (int i = 0; i < 2; i++) {
		std::uint64_t ud = 0;
		auto res = r.run(&ud);
		if (ud == 6)
			CHECK(res && res.value() == 1);
		else
			CHECK(!res && res.error() == std::errc::operation_canceled);
	}
	ep2::uring::prep_cancel_all(r.sqe(), ep->fd());
	auto none = r.run();
	CHECK(!none && none.error() == std::errc::no_such_file_or_directory);
}

} // namespace

int main()
{
	struct {
		const char *name;
		void (*fn)();
	} tests[] = { { "ctl_wait", test_ctl_wait }, { "cancel", test_cancel } };
	std::printf("TAP version 13\n1..%zu\n", sizeof(tests) / sizeof(tests[0]));
	int total_fail = 0, skip = 0;
	for (std::size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!ep2::available()) {
			std::printf("ok %zu uring_cxx.%s # SKIP eventpoll2 module not loaded\n", i + 1, tests[i].name);
			skip++;
			continue;
		}
		failures = 0;
		tests[i].fn();
		std::printf("%s %zu uring_cxx.%s\n", failures ? "not ok" : "ok", i + 1, tests[i].name);
		total_fail += failures != 0;
	}
	int pass = int(sizeof(tests) / sizeof(tests[0])) - total_fail - skip;
	std::printf("# %s: %d / %zu tests passed.\n", total_fail ? "FAILED" : "PASSED", pass,
		    sizeof(tests) / sizeof(tests[0]));
	std::printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, total_fail, skip);
	return total_fail ? 1 : 0;
}
