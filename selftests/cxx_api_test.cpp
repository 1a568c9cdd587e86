// SPDX-License-Identifier: GPL-2.0
/*
 * cxx_api_test.cpp - the C++ API (userspace/include/eventpoll2.hpp).
 *
 * Built twice, at -std=c++17 (ep2::span is the stand-in) and -std=c++20
 * (std::span), with -Wall -Wextra -Werror, as build/selftests/cxx17_api_test
 * and cxx20_api_test (the latter linked with the shared library).  Prints
 * KTAP like the kselftest harness.
 */
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>
#if __cplusplus >= 202002L
#include <ranges>
#endif

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

TEST(round_robin_instance)
{
	auto ep = ep2::Instance::create_round_robin();
	REQUIRE(ep);
	CHECK(fd_link(ep->fd()) == "anon_inode:[eventpoll2]");
	CHECK((fcntl(ep->fd(), F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
	/* An instance like any other: EXCLUSIVE items, waits. */
	int efd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	REQUIRE(efd >= 0);
	CHECK(!ep->add(efd, Events::in | Events::exclusive, std::uint64_t(9)));
	std::array<epoll_event, 4> evs;
	auto n = ep->wait(evs, 1s);
	CHECK(n && *n == 1 && evs[0].data.u64 == 9);
	::close(efd);
	auto plain = ep2::Instance::create_round_robin(ep2::CreateFlags::none);
	REQUIRE(plain);
	CHECK((fcntl(plain->fd(), F_GETFD) & FD_CLOEXEC) == 0);
}

TEST(busy_poll_params)
{
	auto ep = ep2::Instance::create();
	REQUIRE(ep);
	auto bp = ep->busy_poll();
	REQUIRE(bp);
	CHECK(bp->usecs == 0us && bp->budget == 0 && !bp->prefer);
	ep2::BusyPoll want;
	want.usecs = 120us;
	want.budget = 32;
	want.prefer = true;
	CHECK(!ep->set_busy_poll(want));
	bp = ep->busy_poll();
	REQUIRE(bp);
	CHECK(bp->usecs == 120us && bp->budget == 32 && bp->prefer);
	/* Out of range: EINVAL (the library's check, as the kernel's S32_MAX). */
	want.usecs = std::chrono::microseconds(std::int64_t(INT_MAX) + 1);
	CHECK(ep->set_busy_poll(want) == std::errc::invalid_argument);
	want.usecs = -1us;
	CHECK(ep->set_busy_poll(want) == std::errc::invalid_argument);
	ep2::Instance none;
	CHECK(none.busy_poll().error() == std::errc::bad_file_descriptor);
}

/* ---- the ready ring ------------------------------------------------------- */

/* Lines of /proc/self/maps that map an eventpoll2 instance (ring mappings). */
int ring_mappings()
{
	FILE *f = std::fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;
	if (!f)
		return -1;
	while (std::fgets(line, sizeof(line), f))
		if (std::strstr(line, "anon_inode:[eventpoll2]"))
			n++;
	std::fclose(f);
	return n;
}

struct Efd {
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	Efd() = default;
	Efd(const Efd &) = delete;
	Efd &operator=(const Efd &) = delete;
	~Efd()
	{
		if (fd >= 0)
			close(fd);
	}
	bool signal() const { std::uint64_t one = 1; return write(fd, &one, 8) == 8; }
};

TEST(ring_create_and_harvest_span)
{
	int before = ring_mappings();
	auto ep = ep2::Instance::create_ring(256);
	REQUIRE(ep);
	CHECK(fd_link(ep->fd()) == "anon_inode:[eventpoll2]");
	CHECK((fcntl(ep->fd(), F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
	CHECK(ring_mappings() == before + 1);	/* the library mapped it */
	ep2::Ring r = ep->ring();
	REQUIRE(r.valid());
	CHECK(r.entries() == 256);
	Efd e;
	REQUIRE(e.fd >= 0);
	CHECK(!ep->add(e.fd, Events::in | Events::et, std::uint64_t(77)));
	std::array<epoll_event, 8> storage{};
	CHECK(r.harvest(storage).empty());
	CHECK(r.ready() == 0);
	CHECK(e.signal());
	CHECK(r.ready() == 1);	/* published before write() returned */
	int seen = 0;
	for (const epoll_event &ev : r.harvest(storage)) {
		CHECK(ev.data.u64 == 77);
		CHECK(ep2::events_of(ev) == Events::in);
		seen++;
	}
	CHECK(seen == 1);
	CHECK(r.harvest(storage).empty());	/* claimed: delivered once */
	CHECK(!r.kernel_pending());
	CHECK(r.harvest(ep2::span<epoll_event>()).empty());	/* no room: nothing claimed */

	/* wait() takes the ring first, and the close unmaps it. */
	CHECK(e.signal());
	auto n = ep->wait(storage, 0ms);
	CHECK(n && *n == 1 && storage[0].data.u64 == 77);
	CHECK(!ep->close());
	CHECK(ring_mappings() == before);
}

TEST(ring_create_errors_and_plain_instances)
{
	auto bad = ep2::Instance::create_ring(100);	/* not a power of two */
	CHECK(!bad && bad.error() == std::errc::invalid_argument);
	auto big = ep2::Instance::create_ring(EP2_RING_MAX_ENTRIES * 2);
	CHECK(!big && big.error() == std::errc::invalid_argument);
	auto flags = ep2::Instance::create_ring(64, ep2::CreateFlags(O_NONBLOCK));
	CHECK(!flags && flags.error() == std::errc::invalid_argument);
	auto dflt = ep2::Instance::create_ring(0, ep2::CreateFlags::none);
	REQUIRE(dflt);
	CHECK(dflt->ring().entries() == EP2_RING_DEFAULT_ENTRIES);
	CHECK((fcntl(dflt->fd(), F_GETFD) & FD_CLOEXEC) == 0);

	auto plain = ep2::Instance::create();
	REQUIRE(plain);
	CHECK(!plain->ring().valid());		/* no ring */
	auto m = ep2::RingMap::map(*plain);
	CHECK(!m && m.error() == std::errc::no_such_device);
	CHECK(!ep2::Instance().ring().valid());
}

/* The range claims lazily: breaking out leaves the rest in the ring. */
TEST(ring_drain_range_is_lazy_and_exactly_once)
{
	using Drain = decltype(std::declval<ep2::Ring &>().drain());
#if __cplusplus >= 202002L
	static_assert(std::input_iterator<Drain::iterator>, "an input iterator");
	static_assert(std::ranges::input_range<Drain>, "an input range");
#endif
	static_assert(std::is_same<std::iterator_traits<Drain::iterator>::reference,
				   const epoll_event &>::value, "events are read-only");
	auto ep = ep2::Instance::create_ring(64);
	REQUIRE(ep);
	auto r = ep->ring();
	REQUIRE(r);
	std::array<Efd, 5> e;
	for (std::size_t i = 0; i < e.size(); i++) {
		REQUIRE(e[i].fd >= 0);
		CHECK(!ep->add(e[i].fd, Events::in | Events::et, std::uint64_t(100 + i)));
		CHECK(e[i].signal());
	}
	CHECK(r.ready() == 5);
	std::vector<std::uint64_t> got;
	for (const epoll_event &ev : r.drain()) {
		got.push_back(ev.data.u64);
		if (got.size() == 2)
			break;	/* the third is not claimed */
	}
	CHECK(got.size() == 2);
	CHECK(r.ready() == 3);
	for (const epoll_event &ev : r.drain(1))	/* at most one */
		got.push_back(ev.data.u64);
	CHECK(got.size() == 3);
	std::array<epoll_event, 8> storage{};
	for (const epoll_event &ev : r.harvest(storage))
		got.push_back(ev.data.u64);
	CHECK(got.size() == 5);
	std::sort(got.begin(), got.end());
	for (std::size_t i = 0; i < got.size(); i++)
		CHECK(got[i] == 100 + i);
	auto d = r.drain();
	CHECK(d.begin() == d.end());	/* empty */

	/* A new readiness after the claim is a new event, through either. */
	CHECK(e[3].signal());
	int n = 0;
	for (auto it = r.drain().begin(); it != decltype(it)(); ++it) {
		CHECK(it->data.u64 == 103);
		n++;
	}
	CHECK(n == 1);
}

/* RingMap: a mapping of its own, unmapped by its destructor; move-only. */
TEST(ring_map_raii_and_moves)
{
	static_assert(!std::is_copy_constructible<ep2::RingMap>::value, "move-only");
	static_assert(!std::is_copy_assignable<ep2::RingMap>::value, "move-only");
	static_assert(std::is_nothrow_move_constructible<ep2::RingMap>::value, "noexcept move");
	static_assert(std::is_nothrow_move_assignable<ep2::RingMap>::value, "noexcept move");
	auto ep = ep2::Instance::create_ring(128);
	REQUIRE(ep);
	int base = ring_mappings();
	Efd e;
	CHECK(!ep->add(e.fd, Events::in | Events::et, std::uint64_t(5)));
	{
		auto m = ep2::RingMap::map(*ep);
		REQUIRE(m);
		CHECK(ring_mappings() == base + 1);
		CHECK(m->valid() && m->entries() == 128);
		CHECK(m->size() == EP2_RING_MMAP_SIZE(128, sysconf(_SC_PAGESIZE)));
		const void *addr = m->address();

		ep2::RingMap a(std::move(*m));		/* the mapping moves */
		CHECK(!m->valid() && m->size() == 0);
		CHECK(a.valid() && a.address() == addr);
		CHECK(ring_mappings() == base + 1);

		/* The same ring, seen through a second mapping. */
		CHECK(e.signal());
		std::array<epoll_event, 4> storage{};
		auto got = a.harvest(storage);
		CHECK(got.size() == 1 && got[0].data.u64 == 5);
		CHECK(ep->ring().harvest(storage).empty());

		auto other = ep2::RingMap::map(ep->fd());
		REQUIRE(other);
		CHECK(ring_mappings() == base + 2);
		a = std::move(*other);			/* unmaps a's, takes other's */
		CHECK(ring_mappings() == base + 1);
		CHECK(a.valid() && a.address() != addr && !other->valid());
		ep2::RingMap &self = a;
		a = std::move(self);			/* self-move keeps it */
		CHECK(a.valid() && ring_mappings() == base + 1);
		a.reset();
		CHECK(!a.valid() && ring_mappings() == base);
		ep2::RingMap b = *ep2::RingMap::map(*ep);
		CHECK(ring_mappings() == base + 1);
	}
	CHECK(ring_mappings() == base);		/* every destructor unmapped */

	/* A mapping outlives the fd: it keeps the instance (and its events). */
	auto m = ep2::RingMap::map(*ep);
	REQUIRE(m);
	int fd = ep->release();
	CHECK(ep2_ring_get(fd) != nullptr);
	CHECK(ep2_close(fd) == 0);		/* the library's mapping goes */
	CHECK(ring_mappings() == base);		/* ours stays (base counted the library's) */
	CHECK(e.signal());			/* the instance lives on in the mapping */
	std::array<epoll_event, 4> storage{};
	auto got = m->harvest(storage);
	CHECK(got.size() == 1 && got[0].data.u64 == 5);
	m->reset();				/* the last reference: the instance goes */
	CHECK(ring_mappings() == base - 1);
}

/* Level-triggered items take the kernel path: kernel_pending says so. */
TEST(ring_kernel_pending_for_level_triggered)
{
	auto ep = ep2::Instance::create_ring(64);
	REQUIRE(ep);
	auto r = ep->ring();
	REQUIRE(r);
	Efd lt;
	CHECK(!ep->add(lt.fd, Events::in, std::uint64_t(9)));
	CHECK(!r.kernel_pending());
	CHECK(lt.signal());
	CHECK(r.kernel_pending());
	std::array<epoll_event, 4> storage{};
	CHECK(r.harvest(storage).empty());	/* not in the ring */
	for (int i = 0; i < 3; i++) {		/* reported on every wait */
		auto n = ep->wait(storage, 0ms);
		CHECK(n && *n == 1 && storage[0].data.u64 == 9);
	}
	std::uint64_t v;
	CHECK(read(lt.fd, &v, 8) == 8);
	auto n = ep->wait(storage, 0ms);
	CHECK(n && *n == 0);
	CHECK(!r.kernel_pending());
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
