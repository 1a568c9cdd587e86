// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * eventpoll2.hpp - a small C++ API over libeventpoll2 (header-only).
 *
 *	#include <eventpoll2.hpp>
 *
 *	auto ep = ep2::Instance::create();           // ep2::Result<ep2::Instance>
 *	if (!ep) return ep.error();                  // std::error_code
 *	if (auto ec = ep->add(fd, ep2::Events::in | ep2::Events::et, 42)) ...
 *	std::array<epoll_event, 64> evs;
 *	auto n = ep->wait(evs, std::chrono::milliseconds(100));
 *	for (auto &e : ep2::first(evs, *n)) ... ep2::events_of(e) ...
 *
 * - ep2::Instance: move-only RAII owner of one instance fd (closed by the
 *   destructor).  Never throws; every call returns std::error_code (add,
 *   modify, remove) or ep2::Result<T> (create, wait), errno in
 *   std::system_category(), so `ec == std::errc::bad_file_descriptor` works.
 * - ep2::Events: a type-safe bitmask of EPOLL* bits (|, &, ^, ~, any()).
 * - ep2::span<T>: std::span in C++20, a minimal stand-in in C++17 (from a
 *   C array, std::array, std::vector, or pointer + size).
 * - timeouts are std::chrono durations (nanosecond resolution through
 *   epoll_pwait2; <= 0 polls), or ep2::forever.
 * - the ready ring (README "The ready ring"): Instance::create_ring() makes
 *   an instance whose wait() takes the ring first; ring() views the ring the
 *   library mapped for it, ep2::RingMap maps one yourself (RAII, move-only).
 *   Both harvest into a span (harvest()) or as a lazy range (drain()):
 *
 *	auto ep = ep2::Instance::create_ring(1024);
 *	for (const epoll_event &e : ep->ring().drain()) ...
 *	if (ep->ring().kernel_pending()) ep->wait(evs, 0ms);  // LT/WAKEUP items
 *
 * Compiles warning-free with -Wall -Wextra at -std=c++17 and -std=c++20.
 * Link with -leventpoll2 (pkg-config eventpoll2).
 */
#ifndef EVENTPOLL2_HPP
#define EVENTPOLL2_HPP

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <system_error>
#include <type_traits>
#include <utility>

#include <unistd.h>

#include "eventpoll2.h"

#if __cplusplus >= 202002L && defined(__has_include)
#if __has_include(<span>)
#include <span>
#define EP2_HAVE_STD_SPAN 1
#endif
#endif

namespace ep2 {

/* ---- events ------------------------------------------------------------ */

enum class Events : std::uint32_t {
	none = 0,
	in = EPOLLIN,
	pri = EPOLLPRI,
	out = EPOLLOUT,
	err = EPOLLERR,
	hup = EPOLLHUP,
	rdnorm = EPOLLRDNORM,
	rdband = EPOLLRDBAND,
	wrnorm = EPOLLWRNORM,
	wrband = EPOLLWRBAND,
	msg = EPOLLMSG,
	rdhup = EPOLLRDHUP,
	exclusive = EPOLLEXCLUSIVE,
	wakeup = EPOLLWAKEUP,
	oneshot = EPOLLONESHOT,
	et = EPOLLET,
};

constexpr std::uint32_t raw(Events e) noexcept { return static_cast<std::uint32_t>(e); }
constexpr Events operator|(Events a, Events b) noexcept { return Events(raw(a) | raw(b)); }
constexpr Events operator&(Events a, Events b) noexcept { return Events(raw(a) & raw(b)); }
constexpr Events operator^(Events a, Events b) noexcept { return Events(raw(a) ^ raw(b)); }
constexpr Events operator~(Events a) noexcept { return Events(~raw(a)); }
inline Events &operator|=(Events &a, Events b) noexcept { return a = a | b; }
inline Events &operator&=(Events &a, Events b) noexcept { return a = a & b; }
inline Events &operator^=(Events &a, Events b) noexcept { return a = a ^ b; }
/* Any bit set. */
constexpr bool any(Events e) noexcept { return raw(e) != 0; }
/* All bits of @bits set in @set. */
constexpr bool has(Events set, Events bits) noexcept { return (raw(set) & raw(bits)) == raw(bits); }

/* The events of a ready event (epoll_event is packed: read, don't bind). */
inline Events events_of(const epoll_event &e) noexcept { return Events(e.events); }

enum class CreateFlags : int {
	none = 0,
	cloexec = EPOLL_CLOEXEC,
};
constexpr CreateFlags operator|(CreateFlags a, CreateFlags b) noexcept
{
	return CreateFlags(static_cast<int>(a) | static_cast<int>(b));
}

/* ---- span ---------------------------------------------------------------- */

#if defined(EP2_HAVE_STD_SPAN)
template <class T>
using span = std::span<T>;
#else
template <class T>
class span {
	template <class C>
	using data_t = decltype(std::data(std::declval<C &>()));

public:
	using element_type = T;
	using value_type = std::remove_cv_t<T>;
	using size_type = std::size_t;
	using pointer = T *;
	using reference = T &;
	using iterator = T *;

	constexpr span() noexcept = default;
	constexpr span(T *p, std::size_t n) noexcept : p_(p), n_(n) {}
	template <std::size_t N>
	constexpr span(T (&a)[N]) noexcept : p_(a), n_(N) {}
	/* std::array, std::vector, another span: anything with data() and size(). */
	template <class C, class = std::enable_if_t<
		!std::is_array<std::remove_reference_t<C>>::value &&
		std::is_convertible<std::remove_pointer_t<data_t<C>> (*)[], T (*)[]>::value>>
	constexpr span(C &&c) noexcept(noexcept(std::data(c)) && noexcept(std::size(c)))
		: p_(std::data(c)), n_(std::size(c)) {}

	constexpr T *data() const noexcept { return p_; }
	constexpr std::size_t size() const noexcept { return n_; }
	constexpr bool empty() const noexcept { return n_ == 0; }
	constexpr T &operator[](std::size_t i) const noexcept { return p_[i]; }
	constexpr T *begin() const noexcept { return p_; }
	constexpr T *end() const noexcept { return p_ + n_; }
	constexpr span first(std::size_t n) const noexcept { return span(p_, n); }
	constexpr span subspan(std::size_t off, std::size_t n = std::size_t(-1)) const noexcept
	{
		return span(p_ + off, n == std::size_t(-1) ? n_ - off : n);
	}

private:
	T *p_ = nullptr;
	std::size_t n_ = 0;
};
#endif

/* The first @n elements of @c: the ready events after wait() returned n. */
template <class C>
constexpr auto first(C &&c, std::size_t n) noexcept
{
	return span<std::remove_pointer_t<decltype(std::data(c))>>(std::data(c), n);
}

/* ---- results ------------------------------------------------------------- */

/* The error of the last failed call. */
inline std::error_code last_error() noexcept { return std::error_code(errno, std::system_category()); }

/*
 * A value or a std::error_code (std::expected<T, std::error_code> in spirit,
 * for C++17).  value() on an error throws std::system_error when exceptions
 * are enabled, and aborts otherwise; check first.
 */
template <class T>
class [[nodiscard]] Result {
	static_assert(std::is_default_constructible<T>::value, "Result<T> needs a default T");

public:
	Result(T v) noexcept(std::is_nothrow_move_constructible<T>::value) : v_(std::move(v)) {}
	Result(std::error_code e) noexcept : e_(e) {}

	bool has_value() const noexcept { return !e_; }
	explicit operator bool() const noexcept { return has_value(); }
	std::error_code error() const noexcept { return e_; }

	T &value() & { check(); return v_; }
	const T &value() const & { check(); return v_; }
	T &&value() && { check(); return std::move(v_); }
	T &operator*() & noexcept { return v_; }
	const T &operator*() const & noexcept { return v_; }
	T &&operator*() && noexcept { return std::move(v_); }
	T *operator->() noexcept { return &v_; }
	const T *operator->() const noexcept { return &v_; }
	template <class U>
	T value_or(U &&alt) const & { return e_ ? static_cast<T>(std::forward<U>(alt)) : v_; }

private:
	void check() const
	{
		if (!e_)
			return;
#if defined(__cpp_exceptions)
		throw std::system_error(e_);
#else
		std::abort();
#endif
	}

	T v_{};
	std::error_code e_{};
};

/* ---- timeouts ------------------------------------------------------------ */

struct forever_t {
	explicit constexpr forever_t() = default;
};
/* Block until an event (or a signal) arrives. */
inline constexpr forever_t forever{};

namespace detail {

/* Durations this long and longer are "forever" (31 years; no overflow). */
constexpr double max_timeout_s = 1e9;

template <class Rep, class Period>
inline bool to_timespec(std::chrono::duration<Rep, Period> d, struct timespec &ts) noexcept
{
	using namespace std::chrono;
	if (d <= d.zero()) {
		ts.tv_sec = 0;
		ts.tv_nsec = 0;
		return true;
	}
	if (duration<double>(d).count() >= max_timeout_s)
		return false;
	const auto ns = ceil<nanoseconds>(d).count();
	ts.tv_sec = static_cast<time_t>(ns / 1000000000);
	ts.tv_nsec = static_cast<long>(ns % 1000000000);
	return true;
}

inline int clamp_max(std::size_t n) noexcept { return n > std::size_t(INT_MAX) ? INT_MAX : int(n); }

inline std::error_code status(int r) noexcept { return r < 0 ? last_error() : std::error_code(); }

} // namespace detail

/* ---- busy polling ---------------------------------------------------------- */

/*
 * struct epoll_params (Linux 6.9) in C++ terms: busy-poll @usecs before
 * sleeping (0: off), @budget packets per NAPI poll (0: the kernel's default;
 * above 64 needs CAP_NET_ADMIN), @prefer: prefer_busy_poll.
 */
struct BusyPoll {
	std::chrono::microseconds usecs{0};
	std::uint16_t budget = 0;
	bool prefer = false;
};

/* ---- batched ctl, ctl + wait, min-wait (eventpoll2 extensions) ---------------- */

/*
 * One change of a batch: ep2_ctl_change (op, fd, events, data; result is
 * written by the call).  Build with ep2::change_add/modify/remove.
 */
using Change = ep2_ctl_change;

constexpr Change change_add(int fd, Events events, std::uint64_t data) noexcept
{
	return Change{EPOLL_CTL_ADD, fd, raw(events), 0, data};
}
constexpr Change change_modify(int fd, Events events, std::uint64_t data) noexcept
{
	return Change{EPOLL_CTL_MOD, fd, raw(events), 0, data};
}
constexpr Change change_remove(int fd) noexcept { return Change{EPOLL_CTL_DEL, fd, 0, 0, 0}; }
/* The outcome of a processed change (its epoll_ctl errno, or none). */
inline std::error_code result_of(const Change &c) noexcept
{
	return c.result ? std::error_code(-c.result, std::system_category()) : std::error_code();
}

enum class OnError : std::uint32_t {
	carry_on = 0,				/* apply every change */
	stop = EP2_BATCH_STOP_ON_ERROR,		/* stop after the first that fails */
};

/* What a batch did: changes processed (result written) and how many failed. */
struct BatchReport {
	std::size_t done = 0;
	std::size_t failed = 0;
};

/*
 * Min-wait batching: return once @events are ready, or @wait after the
 * first one was seen, whichever is first (events 0 with a wait: the array
 * full), bounded by the call's timeout.
 */
struct MinWait {
	unsigned events = 0;
	std::chrono::nanoseconds wait{0};
};

/* ---- the instance --------------------------------------------------------- */

class Ring;

class Instance {
public:
	/* No instance (fd() == -1). */
	Instance() noexcept = default;
	/* Adopts @fd (an instance fd from ep2_create1()); closes it in the end. */
	explicit Instance(int fd) noexcept : fd_(fd) {}
	Instance(Instance &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
	Instance &operator=(Instance &&o) noexcept
	{
		if (this != &o)
			reset(std::exchange(o.fd_, -1));
		return *this;
	}
	Instance(const Instance &) = delete;
	Instance &operator=(const Instance &) = delete;
	~Instance() { reset(); }

	/* A new instance; close-on-exec unless asked otherwise. */
	static Result<Instance> create(CreateFlags flags = CreateFlags::cloexec) noexcept
	{
		int fd = ::ep2_create1(static_cast<int>(flags));
		if (fd < 0)
			return last_error();
		return Instance(fd);
	}

	/*
	 * A round-robin instance (EP2_CREATE_ROUNDROBIN): EPOLLEXCLUSIVE
	 * wakeups are handed to the instances watching a file in turn, and
	 * this instance's waiters are woken FIFO.
	 */
	static Result<Instance> create_round_robin(CreateFlags flags = CreateFlags::cloexec) noexcept
	{
		int fd = ::ep2_create_roundrobin(static_cast<int>(flags));
		if (fd < 0)
			return last_error();
		return Instance(fd);
	}

	/*
	 * A new instance with a ready ring of @entries slots (a power of two,
	 * 64..65536; 0: EP2_RING_DEFAULT_ENTRIES), mapped by the library:
	 * wait() takes what the ring holds first, ring() views it.
	 */
	static Result<Instance> create_ring(unsigned entries = 0,
					    CreateFlags flags = CreateFlags::cloexec) noexcept
	{
		int fd = ::ep2_create_ring(static_cast<int>(flags), entries);
		if (fd < 0)
			return last_error();
		return Instance(fd);
	}

	/* Linux 6.9's busy-poll parameters (EPIOCSPARAMS / EPIOCGPARAMS). */
	[[nodiscard]] std::error_code set_busy_poll(const BusyPoll &bp) noexcept
	{
		if (bp.usecs.count() < 0 || bp.usecs.count() > INT_MAX)
			return std::make_error_code(std::errc::invalid_argument);
		ep2_epoll_params p{};
		p.busy_poll_usecs = static_cast<std::uint32_t>(bp.usecs.count());
		p.busy_poll_budget = bp.budget;
		p.prefer_busy_poll = bp.prefer ? 1 : 0;
		return detail::status(::ep2_set_params(fd_, &p));
	}
	Result<BusyPoll> busy_poll() const noexcept
	{
		ep2_epoll_params p{};
		if (::ep2_get_params(fd_, &p) < 0)
			return last_error();
		BusyPoll bp;
		bp.usecs = std::chrono::microseconds(p.busy_poll_usecs);
		bp.budget = p.busy_poll_budget;
		bp.prefer = p.prefer_busy_poll != 0;
		return bp;
	}

	/* The ring the library mapped for this instance (create_ring()); else !valid(). */
	inline Ring ring() const noexcept;

	int fd() const noexcept { return fd_; }
	bool valid() const noexcept { return fd_ >= 0; }
	explicit operator bool() const noexcept { return valid(); }
	/* Gives up ownership: the caller closes the fd. */
	int release() noexcept { return std::exchange(fd_, -1); }
	/*
	 * Closes the instance (if any) and adopts @fd.  Closing is ep2_close():
	 * a plain close() for an instance without a ring, and it unmaps the
	 * library's ring of one made by create_ring() (views from ring() die).
	 */
	void reset(int fd = -1) noexcept
	{
		if (fd_ >= 0)
			::ep2_close(fd_);
		fd_ = fd;
	}
	/* Closes now, reporting close()'s error. */
	std::error_code close() noexcept
	{
		int fd = std::exchange(fd_, -1);
		return fd >= 0 ? detail::status(::ep2_close(fd)) : std::error_code();
	}

	/* epoll_ctl() as it is. */
	[[nodiscard]] std::error_code ctl(int op, int fd, epoll_event *ev) noexcept
	{
		return detail::status(::ep2_ctl(fd_, op, fd, ev));
	}

	/* Watch @fd for @events; the ready event carries @data (default: the fd). */
	[[nodiscard]] std::error_code add(int fd, Events events) noexcept { return ctl_fd(EPOLL_CTL_ADD, fd, events); }
	[[nodiscard]] std::error_code add(int fd, Events events, std::uint64_t data) noexcept
	{
		return ctl_u64(EPOLL_CTL_ADD, fd, events, data);
	}
	[[nodiscard]] std::error_code add(int fd, Events events, void *ptr) noexcept
	{
		return ctl_ptr(EPOLL_CTL_ADD, fd, events, ptr);
	}
	[[nodiscard]] std::error_code modify(int fd, Events events) noexcept { return ctl_fd(EPOLL_CTL_MOD, fd, events); }
	[[nodiscard]] std::error_code modify(int fd, Events events, std::uint64_t data) noexcept
	{
		return ctl_u64(EPOLL_CTL_MOD, fd, events, data);
	}
	[[nodiscard]] std::error_code modify(int fd, Events events, void *ptr) noexcept
	{
		return ctl_ptr(EPOLL_CTL_MOD, fd, events, ptr);
	}
	[[nodiscard]] std::error_code remove(int fd) noexcept
	{
		return detail::status(::ep2_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr));
	}

	/*
	 * Wait for events into @events; the result is how many are ready (the
	 * first n elements).  EINTR is returned as an error, as by epoll_wait().
	 */
	Result<std::size_t> wait(span<epoll_event> events, forever_t = forever) noexcept
	{
		return count(::ep2_wait(fd_, events.data(), detail::clamp_max(events.size()), -1));
	}
	template <class Rep, class Period>
	Result<std::size_t> wait(span<epoll_event> events, std::chrono::duration<Rep, Period> timeout) noexcept
	{
		struct timespec ts;
		bool finite = detail::to_timespec(timeout, ts);
		return count(::ep2_pwait2(fd_, events.data(), detail::clamp_max(events.size()),
					  finite ? &ts : nullptr, nullptr));
	}
	/* With @sigmask in force during the wait, as epoll_pwait2(). */
	template <class Rep, class Period>
	Result<std::size_t> wait(span<epoll_event> events, std::chrono::duration<Rep, Period> timeout,
				 const sigset_t &sigmask) noexcept
	{
		struct timespec ts;
		bool finite = detail::to_timespec(timeout, ts);
		return count(::ep2_pwait2(fd_, events.data(), detail::clamp_max(events.size()),
					  finite ? &ts : nullptr, &sigmask));
	}
	Result<std::size_t> wait(span<epoll_event> events, forever_t, const sigset_t &sigmask) noexcept
	{
		return count(::ep2_pwait2(fd_, events.data(), detail::clamp_max(events.size()), nullptr,
					  &sigmask));
	}

	/* Min-wait batching (see ep2::MinWait); forever or a chrono timeout. */
	Result<std::size_t> wait(span<epoll_event> events, forever_t, MinWait min) noexcept
	{
		return count(::ep2_wait_min(fd_, events.data(), detail::clamp_max(events.size()), nullptr,
					    nullptr, min.events, wait_ns(min)));
	}
	template <class Rep, class Period>
	Result<std::size_t> wait(span<epoll_event> events, std::chrono::duration<Rep, Period> timeout,
				 MinWait min) noexcept
	{
		struct timespec ts;
		bool finite = detail::to_timespec(timeout, ts);
		return count(::ep2_wait_min(fd_, events.data(), detail::clamp_max(events.size()),
					    finite ? &ts : nullptr, nullptr, min.events, wait_ns(min)));
	}

	/*
	 * Apply @changes in order, each as one epoll_ctl(); each result is in
	 * its element (ep2::result_of).  An error only when nothing was done.
	 */
	Result<BatchReport> ctl_batch(span<Change> changes, OnError on_error = OnError::carry_on) noexcept
	{
		unsigned failed = 0;
		int n = ::ep2_ctl_batch(fd_, changes.data(), static_cast<unsigned>(changes.size()),
					static_cast<unsigned>(on_error), &failed);
		if (n < 0)
			return last_error();
		return BatchReport{std::size_t(n), failed};
	}

	/*
	 * @changes, then a wait into @events, in one call.  A change that
	 * fails makes the wait non-blocking; @report (if given) says what the
	 * changes did, also when the wait fails.
	 */
	Result<std::size_t> ctl_wait(span<Change> changes, span<epoll_event> events, forever_t,
				     BatchReport *report = nullptr, OnError on_error = OnError::carry_on,
				     MinWait min = {}) noexcept
	{
		return ctl_wait_ns(changes, events, -1, report, on_error, min);
	}
	template <class Rep, class Period>
	Result<std::size_t> ctl_wait(span<Change> changes, span<epoll_event> events,
				     std::chrono::duration<Rep, Period> timeout, BatchReport *report = nullptr,
				     OnError on_error = OnError::carry_on, MinWait min = {}) noexcept
	{
		using namespace std::chrono;
		std::int64_t ns;
		if (timeout <= timeout.zero())
			ns = 0;
		else if (duration<double>(timeout).count() >= detail::max_timeout_s)
			ns = -1;
		else
			ns = ceil<nanoseconds>(timeout).count();
		return ctl_wait_ns(changes, events, ns, report, on_error, min);
	}

private:
	static std::uint64_t wait_ns(MinWait min) noexcept
	{
		return min.wait.count() > 0 ? std::uint64_t(min.wait.count()) : 0;
	}
	Result<std::size_t> ctl_wait_ns(span<Change> changes, span<epoll_event> events, std::int64_t ns,
					BatchReport *report, OnError on_error, MinWait min) noexcept
	{
		ep2_ctl_wait_args a{};
		a.changes = reinterpret_cast<std::uintptr_t>(changes.data());
		a.nchanges = static_cast<std::uint32_t>(changes.size());
		a.flags = static_cast<std::uint32_t>(on_error);
		a.events = reinterpret_cast<std::uintptr_t>(events.data());
		a.maxevents = detail::clamp_max(events.size());
		a.timeout_ns = ns;
		a.min_events = min.events;
		a.min_wait_ns = wait_ns(min);
		int n = ::ep2_ctl_wait(fd_, &a);
		if (report)
			*report = BatchReport{a.done, a.failed};
		return count(n);
	}
	static Result<std::size_t> count(int n) noexcept
	{
		if (n < 0)
			return last_error();
		return std::size_t(n);
	}
	std::error_code ctl_u64(int op, int fd, Events events, std::uint64_t data) noexcept
	{
		epoll_event ev{};
		ev.events = raw(events);
		ev.data.u64 = data;
		return detail::status(::ep2_ctl(fd_, op, fd, &ev));
	}
	std::error_code ctl_fd(int op, int fd, Events events) noexcept
	{
		epoll_event ev{};
		ev.events = raw(events);
		ev.data.u64 = 0;
		ev.data.fd = fd;
		return detail::status(::ep2_ctl(fd_, op, fd, &ev));
	}
	std::error_code ctl_ptr(int op, int fd, Events events, void *ptr) noexcept
	{
		epoll_event ev{};
		ev.events = raw(events);
		ev.data.u64 = 0;
		ev.data.ptr = ptr;
		return detail::status(::ep2_ctl(fd_, op, fd, &ev));
	}

	int fd_ = -1;
};

/* ---- the ready ring -------------------------------------------------------- */

namespace detail {

/*
 * What both ring handles offer, over the ep2_ring that D::get() returns
 * (never null when called: check valid() first).
 */
template <class D>
class RingOps {
public:
	/*
	 * A lazy range of ring events: each step of the iteration claims one
	 * entry (one ep2_ring_harvest() of 1), so breaking out of the loop
	 * leaves everything not yet reached in the ring, for the next harvest
	 * or another thread.  The claim happens in begin() and operator++, and
	 * the claimed event is kept in the iterator: every entry claimed is
	 * delivered exactly once by operator*, provided each iterator that is
	 * not end() gets dereferenced before it is incremented or dropped (as
	 * a range-for does).  So do not call begin() only to test emptiness.
	 * Ends when the ring is empty, or after @max events.
	 */
	class Drain {
	public:
		class iterator {
		public:
			using iterator_category = std::input_iterator_tag;
			using value_type = epoll_event;
			using difference_type = std::ptrdiff_t;
			using pointer = const epoll_event *;
			using reference = const epoll_event &;

			iterator() noexcept = default;
			reference operator*() const noexcept { return ev_; }
			pointer operator->() const noexcept { return &ev_; }
			iterator &operator++() noexcept
			{
				claim();
				return *this;
			}
			void operator++(int) noexcept { claim(); }
			/* Only end() compares equal to an exhausted iterator. */
			friend bool operator==(const iterator &a, const iterator &b) noexcept
			{
				return a.r_ == b.r_;
			}
			friend bool operator!=(const iterator &a, const iterator &b) noexcept
			{
				return !(a == b);
			}

		private:
			friend class Drain;
			iterator(ep2_ring *r, std::size_t max) noexcept : r_(r), left_(max) { claim(); }
			void claim() noexcept
			{
				if (r_ && left_ > 0 && ::ep2_ring_harvest(r_, &ev_, 1) == 1) {
					left_--;
					return;
				}
				r_ = nullptr;	/* end */
			}

			ep2_ring *r_ = nullptr;
			std::size_t left_ = 0;
			epoll_event ev_{};
		};

		iterator begin() const noexcept { return iterator(r_, max_); }
		iterator end() const noexcept { return iterator(); }

	private:
		friend class RingOps;
		Drain(ep2_ring *r, std::size_t max) noexcept : r_(r), max_(max) {}
		ep2_ring *r_;
		std::size_t max_;
	};

	/*
	 * Claims up to storage.size() events into @storage, without a system
	 * call; the result is the filled front of @storage (empty: the ring is).
	 */
	span<epoll_event> harvest(span<epoll_event> storage) const noexcept
	{
		if (storage.empty())
			return storage.first(0);
		int n = ::ep2_ring_harvest(r(), storage.data(), clamp_max(storage.size()));
		return storage.first(n > 0 ? std::size_t(n) : 0);
	}
	/* The ring's events one by one, claimed lazily (see Drain). */
	Drain drain(std::size_t max = std::size_t(-1)) const noexcept { return Drain(r(), max); }
	/* The kernel holds events the ring does not serve (LT, WAKEUP, ring full): wait() for them. */
	bool kernel_pending() const noexcept { return ::ep2_ring_kernel_pending(r()) != 0; }
	/* Entries published and not yet consumed (a hint). */
	std::uint32_t ready() const noexcept { return ::ep2_ring_ready(r()); }
	/* The number of slots. */
	std::uint32_t entries() const noexcept { return r()->nentries; }

private:
	ep2_ring *r() const noexcept { return static_cast<const D *>(this)->get(); }
};

} // namespace detail

/*
 * A view of the ring the library mapped for an instance (Instance::ring());
 * valid until that instance is closed.  Copyable.
 */
class Ring : public detail::RingOps<Ring> {
public:
	Ring() noexcept = default;
	explicit Ring(ep2_ring *r) noexcept : r_(r) {}
	bool valid() const noexcept { return r_ != nullptr; }
	explicit operator bool() const noexcept { return valid(); }
	ep2_ring *get() const noexcept { return r_; }

private:
	ep2_ring *r_ = nullptr;
};

inline Ring Instance::ring() const noexcept { return Ring(fd_ >= 0 ? ::ep2_ring_get(fd_) : nullptr); }

/*
 * Owns a mapping of an instance's ring (ep2_ring_map(), e.g. for an instance
 * fd received from another process); unmapped by the destructor.  Move-only.
 * The mapping keeps the instance alive, not the fd: close the fd as usual.
 */
class RingMap : public detail::RingOps<RingMap> {
public:
	RingMap() noexcept = default;
	RingMap(RingMap &&o) noexcept : ring_(std::exchange(o.ring_, ep2_ring{})) {}
	RingMap &operator=(RingMap &&o) noexcept
	{
		if (this != &o) {
			reset();
			ring_ = std::exchange(o.ring_, ep2_ring{});
		}
		return *this;
	}
	RingMap(const RingMap &) = delete;
	RingMap &operator=(const RingMap &) = delete;
	~RingMap() { reset(); }

	/* Maps the ring of instance @epfd (EINVAL: the instance has none). */
	static Result<RingMap> map(int epfd) noexcept
	{
		RingMap m;
		if (::ep2_ring_map(epfd, &m.ring_) < 0)
			return last_error();
		return Result<RingMap>(std::move(m));
	}
	static Result<RingMap> map(const Instance &ep) noexcept { return map(ep.fd()); }

	bool valid() const noexcept { return ring_.hdr != nullptr; }
	explicit operator bool() const noexcept { return valid(); }
	/* Harvesting writes the shared pages, not this object: get() is const. */
	ep2_ring *get() const noexcept { return valid() ? &ring_ : nullptr; }
	/* The mapping's address and length (what /proc/self/maps shows). */
	const void *address() const noexcept { return ring_.hdr; }
	std::size_t size() const noexcept { return valid() ? ring_.size : 0; }
	/* Unmaps now (if mapped). */
	void reset() noexcept
	{
		if (valid())
			::ep2_ring_unmap(&ring_);
		ring_ = ep2_ring{};
	}

private:
	mutable ep2_ring ring_{};
};

/* 1 if /dev/eventpoll2 can be used (the module is loaded). */
inline bool available() noexcept { return ::ep2_available() != 0; }

} // namespace ep2

#endif /* EVENTPOLL2_HPP */
