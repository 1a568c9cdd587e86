// SPDX-License-Identifier: GPL-2.0
/*
 * cxx_api_test.cpp - the C++ API (userspace/include/eventpoll2.hpp).
 *
 * Built twice, at -std=c++17 (ep2::span is the stand-in) and -std=c++20
 * (std::span), with -Wall -Wextra -Werror, as build/selftests/cxx17_api_test
 * and cxx20_api_test (the latter linked with the shared library).  Prints
 * KTAP like the kselftest harness.
 */
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eventpoll2.hpp"

#if __cplusplus >= 202002L
#define STD "cxx20"
#else
#define STD "cxx17"
#endif

namespace {

using namespace std::chrono_literals;
using ep2::Events;

/* ---- a tiny KTAP harness ----------------------------------------------- */

struct Case {
	const char *name;
	std::function<void()> fn;
};
std::vector<Case> &cases()
{
	static std::vector<Case> c;
	return c;
}
struct Register {
	Register(const char *n, std::function<void()> f) { cases().push_back({n, std::move(f)}); }
};
bool g_failed;

#define TEST(name)                                                  \
	void test_##name();                                         \
	Register reg_##name(#name, test_##name);                    \
	void test_##name()

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			std::printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			g_failed = true;                                                  \
		}                                                                         \
	} while (0)
#define REQUIRE(cond)                                                                     \
	do {                                                                              \
		if (!(cond)) {                                                            \
			std::printf("# %s:%d: requirement failed: %s\n", __FILE__, __LINE__, #cond); \
			g_failed = true;                                                  \
			return;                                                           \
		}                                                                         \
	} while (0)

std::string fd_link(int fd)
{
	char path[64], buf[256];
	std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return "";
	return std::string(buf, size_t(n));
}

bool fd_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

struct Pipe {
	int r = -1, w = -1;
	Pipe()
	{
		int p[2];
		if (pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0) {
			r = p[0];
			w = p[1];
		}
	}
	~Pipe()
	{
		if (r >= 0)
			close(r);
		if (w >= 0)
			close(w);
	}
	bool put() const { return write(w, "x", 1) == 1; }
	bool take() const { char c; return read(r, &c, 1) == 1; }
};

/* ---- tests ---------------------------------------------------------------- */

TEST(events_bitmask)
{
	constexpr Events e = Events::in | Events::out | Events::et;
	static_assert(ep2::raw(e) == (EPOLLIN | EPOLLOUT | EPOLLET), "bits");
	static_assert(ep2::has(e, Events::in | Events::et), "has");
	static_assert(!ep2::has(e, Events::rdhup), "has not");
	static_assert(!ep2::any(e & Events::hup), "any");
	static_assert(ep2::raw(Events::et) == 0x80000000u, "ET is bit 31");
	Events m = Events::none;
	m |= Events::rdhup;
	m ^= Events::in;
	m &= ~Events::in;
	CHECK(m == Events::rdhup);
}

TEST(create_cloexec_by_default)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	CHECK(ep->valid());
	CHECK(fd_link(ep->fd()) == "anon_inode:[eventpoll2]");
	CHECK((fcntl(ep->fd(), F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);

	auto plain = ep2::Instance::create(ep2::CreateFlags::none);
	REQUIRE(plain);
	CHECK((fcntl(plain->fd(), F_GETFD) & FD_CLOEXEC) == 0);
}

TEST(create_bad_flags_is_einval)
{
	auto ep = ep2::Instance::create(ep2::CreateFlags(O_NONBLOCK));
	REQUIRE(!ep);
	CHECK(ep.error() == std::errc::invalid_argument);
	CHECK(ep.error().category() == std::system_category());
}

TEST(move_only_raii)
{
	static_assert(!std::is_copy_constructible<ep2::Instance>::value, "move-only");
	static_assert(!std::is_copy_assignable<ep2::Instance>::value, "move-only");
	static_assert(std::is_nothrow_move_constructible<ep2::Instance>::value, "noexcept move");
	static_assert(std::is_nothrow_move_assignable<ep2::Instance>::value, "noexcept move");

	int fd;
	{
		auto r = ep2::Instance::create();
		REQUIRE(r);
		ep2::Instance a = std::move(*r);
		CHECK(!r->valid());
		fd = a.fd();
		CHECK(fd_open(fd));
		ep2::Instance b;
		CHECK(!b);
		b = std::move(a);
		CHECK(!a.valid());
		CHECK(b.fd() == fd);
		auto other = ep2::Instance::create();
		REQUIRE(other);
		int ofd = other->fd();
		b = std::move(*other);	/* closes fd */
		CHECK(!fd_open(fd));
		CHECK(b.fd() == ofd);
		fd = ofd;
	}
	CHECK(!fd_open(fd));	/* the destructor closed it */

	auto r = ep2::Instance::create();
	REQUIRE(r);
	int raw = r->release();
	CHECK(!r->valid());
	CHECK(fd_open(raw));
	ep2::Instance adopted(raw);
	CHECK(!adopted.close());
	CHECK(!fd_open(raw));
	CHECK(!adopted.close());	/* nothing to close: no error */
}

TEST(add_wait_data_variants)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	Pipe a, b, c;
	int tag = 7;
	REQUIRE(a.r >= 0 && b.r >= 0 && c.r >= 0);
	CHECK(!ep->add(a.r, Events::in));			/* data = fd */
	CHECK(!ep->add(b.r, Events::in, std::uint64_t(0x1122334455667788ull)));
	CHECK(!ep->add(c.r, Events::in, &tag));
	CHECK(a.put() && b.put() && c.put());

	std::array<epoll_event, 8> evs{};
	auto n = ep->wait(evs, 0ms);
	REQUIRE(n);
	CHECK(*n == 3);
	int seen = 0;
	for (const epoll_event &e : ep2::first(evs, *n)) {
		CHECK(ep2::events_of(e) == Events::in);
		if (e.data.fd == a.r)
			seen |= 1;
		else if (e.data.u64 == 0x1122334455667788ull)
			seen |= 2;
		else if (e.data.ptr == &tag)
			seen |= 4;
	}
	CHECK(seen == 7);
}

TEST(wait_span_kinds)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	Pipe p;
	CHECK(!ep->add(p.r, Events::in, std::uint64_t(5)));
	CHECK(p.put());

	epoll_event carr[4];
	auto n1 = ep->wait(carr, 0ms);			/* C array */
	REQUIRE(n1);
	CHECK(*n1 == 1 && carr[0].data.u64 == 5);

	std::vector<epoll_event> vec(2);
	auto n2 = ep->wait(vec, std::chrono::seconds(0));	/* std::vector */
	REQUIRE(n2);
	CHECK(*n2 == 1 && vec[0].data.u64 == 5);

	ep2::span<epoll_event> sp(vec.data(), 1);	/* explicit span */
	auto n3 = ep->wait(sp, 0.0s);				/* floating-point duration */
	REQUIRE(n3);
	CHECK(*n3 == 1);

	auto n4 = ep->wait(ep2::span<epoll_event>(), 0ms);	/* empty: epoll's EINVAL */
	REQUIRE(!n4);
	CHECK(n4.error() == std::errc::invalid_argument);
	CHECK(n4.value_or(99) == 99);
}

TEST(wait_timeout_chrono)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	std::array<epoll_event, 1> evs{};
	auto t0 = std::chrono::steady_clock::now();
	auto n = ep->wait(evs, 30ms);
	auto dt = std::chrono::steady_clock::now() - t0;
	REQUIRE(n);
	CHECK(*n == 0);
	CHECK(dt >= 30ms);
	CHECK(dt < 5s);

	t0 = std::chrono::steady_clock::now();
	n = ep->wait(evs, std::chrono::microseconds(1500));	/* sub-ms precision */
	dt = std::chrono::steady_clock::now() - t0;
	REQUIRE(n);
	CHECK(dt >= std::chrono::microseconds(1500));

	n = ep->wait(evs, -5s);		/* negative: poll */
	REQUIRE(n);
	CHECK(*n == 0);

	struct timespec ts;
	CHECK(!ep2::detail::to_timespec(std::chrono::hours::max(), ts));	/* forever */
	CHECK(ep2::detail::to_timespec(std::chrono::nanoseconds(1500000001), ts));
	CHECK(ts.tv_sec == 1 && ts.tv_nsec == 500000001);
}

TEST(wait_forever_wakes_on_event)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	int efd = eventfd(0, EFD_CLOEXEC);
	REQUIRE(efd >= 0);
	CHECK(!ep->add(efd, Events::in));
	pid_t child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		usleep(20000);
		std::uint64_t one = 1;
		_exit(write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : 1);
	}
	std::array<epoll_event, 2> evs{};
	auto n = ep->wait(evs);		/* forever */
	int st = 0;
	waitpid(child, &st, 0);
	REQUIRE(n);
	CHECK(*n == 1 && evs[0].data.fd == efd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = ep->wait(evs, ep2::forever);
	CHECK(n && *n == 1);	/* level-triggered: still readable */
	close(efd);
}

TEST(modify_remove_and_edge_triggered)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	Pipe p;
	std::array<epoll_event, 2> evs{};
	CHECK(!ep->add(p.r, Events::in | Events::et, std::uint64_t(1)));
	CHECK(p.put());
	auto n = ep->wait(evs, 0ms);
	CHECK(n && *n == 1 && evs[0].data.u64 == 1);
	n = ep->wait(evs, 0ms);
	CHECK(n && *n == 0);	/* edge-triggered: reported once */

	CHECK(!ep->modify(p.r, Events::in, std::uint64_t(2)));	/* re-arms, level */
	n = ep->wait(evs, 0ms);
	CHECK(n && *n == 1 && evs[0].data.u64 == 2);
	n = ep->wait(evs, 0ms);
	CHECK(n && *n == 1);

	CHECK(!ep->modify(p.r, Events::in | Events::oneshot, std::uint64_t(3)));
	n = ep->wait(evs, 0ms);
	CHECK(n && *n == 1 && evs[0].data.u64 == 3);
	n = ep->wait(evs, 0ms);
	CHECK(n && *n == 0);	/* one-shot: disarmed */

	CHECK(!ep->remove(p.r));
	CHECK(p.take());
	CHECK(p.put());
	n = ep->wait(evs, 0ms);
	CHECK(n && *n == 0);
}

TEST(ctl_batch_results)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	Pipe a, b;
	std::array<ep2::Change, 4> ch{
		ep2::change_add(a.r, Events::in, 1), ep2::change_add(a.r, Events::in, 2),
		ep2::change_add(b.r, Events::in | Events::et, 3), ep2::change_remove(b.w),
	};
	auto r = ep->ctl_batch(ch);
	REQUIRE(r);
	CHECK(r->done == 4 && r->failed == 2);
	CHECK(!ep2::result_of(ch[0]));
	CHECK(ep2::result_of(ch[1]) == std::errc::file_exists);
	CHECK(!ep2::result_of(ch[2]));
	CHECK(ep2::result_of(ch[3]) == std::errc::no_such_file_or_directory);

	/* stop at the first error: the rest is not applied */
	std::array<ep2::Change, 2> st{ep2::change_add(a.r, Events::in, 1), ep2::change_remove(b.r)};
	r = ep->ctl_batch(st, ep2::OnError::stop);
	REQUIRE(r);
	CHECK(r->done == 1 && r->failed == 1);
	CHECK(!ep->modify(b.r, Events::in, std::uint64_t(4)));	/* b still watched */

	ep2::Instance none;
	auto bad = none.ctl_batch(ch);
	CHECK(!bad && bad.error() == std::errc::bad_file_descriptor);
}

TEST(ctl_wait_oneshot_rearm)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	Pipe p;
	std::array<epoll_event, 4> evs{};
	std::array<ep2::Change, 1> ch{ep2::change_add(p.r, Events::in | Events::oneshot, 7)};
	ep2::BatchReport rep;
	CHECK(p.put());
	auto n = ep->ctl_wait(ch, evs, 1s, &rep);
	CHECK(n && *n == 1 && evs[0].data.u64 == 7);
	CHECK(rep.done == 1 && rep.failed == 0);
	n = ep->ctl_wait({}, evs, 0ms);
	CHECK(n && *n == 0);			/* disarmed */
	ch[0] = ep2::change_modify(p.r, Events::in | Events::oneshot, 8);
	n = ep->ctl_wait(ch, evs, ep2::forever, &rep);	/* re-armed, still readable */
	CHECK(n && *n == 1 && evs[0].data.u64 == 8);
	/* a failed change: the wait does not block */
	ch[0] = ep2::change_add(p.r, Events::in, 9);
	n = ep->ctl_wait(ch, evs, ep2::forever, &rep);
	CHECK(n && *n == 0);
	CHECK(rep.failed == 1 && ep2::result_of(ch[0]) == std::errc::file_exists);
}

TEST(wait_min_batches)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	Pipe a, b, c;
	CHECK(!ep->add(a.r, Events::in, std::uint64_t(1)));
	CHECK(!ep->add(b.r, Events::in, std::uint64_t(2)));
	CHECK(!ep->add(c.r, Events::in, std::uint64_t(3)));
	CHECK(a.put() && b.put());
	std::array<epoll_event, 8> evs{};
	auto t0 = std::chrono::steady_clock::now();
	auto n = ep->wait(evs, 10s, ep2::MinWait{3, 80ms});	/* 2 ready: min_wait ends it */
	CHECK(n && *n == 2);
	CHECK(std::chrono::steady_clock::now() - t0 >= 80ms);
	CHECK(c.put());
	n = ep->wait(evs, ep2::forever, ep2::MinWait{3, {}});	/* 3 ready: at once */
	CHECK(n && *n == 3);
}

TEST(errors_are_epoll_errnos)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	Pipe p;
	CHECK(!ep->add(p.r, Events::in));
	CHECK(ep->add(p.r, Events::in) == std::errc::file_exists);
	CHECK(ep->modify(p.w, Events::out) == std::errc::no_such_file_or_directory);
	CHECK(ep->remove(p.w) == std::errc::no_such_file_or_directory);
	CHECK(ep->add(-1, Events::in) == std::errc::bad_file_descriptor);
	CHECK(ep->add(ep->fd(), Events::in) == std::errc::invalid_argument);	/* itself */
	CHECK(ep->modify(p.r, Events::in | Events::exclusive) == std::errc::invalid_argument);

	int regular = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	REQUIRE(regular >= 0);
	CHECK(ep->add(regular, Events::in) == std::errc::operation_not_permitted);
	close(regular);

	ep2::Instance none;
	CHECK(none.add(p.r, Events::in) == std::errc::bad_file_descriptor);
	std::array<epoll_event, 1> evs{};
	auto n = none.wait(evs, 0ms);
	CHECK(!n && n.error() == std::errc::bad_file_descriptor);

	/* An fd that is not an instance: EINVAL, as epoll_ctl() says. */
	ep2::Instance notone(dup(p.r));
	CHECK(notone.add(p.w, Events::out) == std::errc::invalid_argument);
	n = notone.wait(evs, 0ms);
	CHECK(!n && n.error() == std::errc::invalid_argument);
}

TEST(sigmask_wait_interrupted)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	static volatile sig_atomic_t hits;
	struct sigaction sa{};
	sa.sa_handler = [](int) { hits = hits + 1; };
	sigaction(SIGUSR1, &sa, nullptr);
	sigset_t block, old, during;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);				/* pending, blocked */
	CHECK(hits == 0);
	sigemptyset(&during);			/* unblocked during the wait */
	std::array<epoll_event, 1> evs{};
	auto n = ep->wait(evs, 5s, during);
	CHECK(!n && n.error() == std::errc::interrupted);
	CHECK(hits == 1);
	sigprocmask(SIG_SETMASK, &old, nullptr);
	signal(SIGUSR1, SIG_DFL);
}

TEST(nested_instances)
{
	auto outer = ep2::Instance::create();
	auto inner = ep2::Instance::create();
	REQUIRE(outer && inner);
	Pipe p;
	CHECK(!inner->add(p.r, Events::in));
	CHECK(!outer->add(inner->fd(), Events::in, std::uint64_t(77)));
	std::array<epoll_event, 1> evs{};
	auto n = outer->wait(evs, 0ms);
	CHECK(n && *n == 0);
	CHECK(p.put());
	n = outer->wait(evs, 1s);
	CHECK(n && *n == 1 && evs[0].data.u64 == 77);
	CHECK(inner->add(outer->fd(), Events::in) == std::errc::too_many_symbolic_link_levels);
}

TEST(result_value_semantics)
{
	ep2::Result<std::size_t> ok(std::size_t(3));
	ep2::Result<std::size_t> bad(std::make_error_code(std::errc::interrupted));
	CHECK(ok.has_value() && ok.value() == 3 && !ok.error());
	CHECK(!bad.has_value() && bad.value_or(1) == 1);
	CHECK(bad.error() == std::errc::interrupted);
#if defined(__cpp_exceptions)
	bool thrown = false;
	try {
		(void)bad.value();
	} catch (const std::system_error &e) {
		thrown = e.code() == std::errc::interrupted;
	}
	CHECK(thrown);
#endif
}

} // namespace

int main()
{
	std::setvbuf(stdout, nullptr, _IOLBF, 0);
	auto &all = cases();
	bool have = ep2::available();
	int pass = 0, fail = 0, skip = 0;

	std::printf("TAP version 13\n1..%zu\n", all.size());
	std::printf("# C++ API (eventpoll2.hpp), C++%ld, %s span\n", (long)__cplusplus,
#if defined(EP2_HAVE_STD_SPAN)
		    "std::"
#else
		    "ep2::"
#endif
	);
	if (!have)
		std::printf("# /dev/eventpoll2: %s\n", std::strerror(errno));
	for (size_t i = 0; i < all.size(); i++) {
		std::printf("# RUN           %s.%s ...\n", STD, all[i].name);
		if (!have && std::strcmp(all[i].name, "events_bitmask") &&
		    std::strcmp(all[i].name, "result_value_semantics") &&
		    std::strcmp(all[i].name, "create_bad_flags_is_einval")) {
			std::printf("ok %zu %s.%s # SKIP eventpoll2 module not loaded\n", i + 1, STD, all[i].name);
			skip++;
			continue;
		}
		g_failed = false;
		all[i].fn();
		if (g_failed) {
			std::printf("not ok %zu %s.%s\n", i + 1, STD, all[i].name);
			fail++;
		} else {
			std::printf("ok %zu %s.%s\n", i + 1, STD, all[i].name);
			pass++;
		}
	}
	std::printf("# %s: %d / %zu tests passed.\n", fail ? "FAILED" : "PASSED", pass, all.size());
	std::printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass, fail, skip);
	return fail ? 1 : 0;
}
