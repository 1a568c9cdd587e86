// SPDX-License-Identifier: GPL-2.0
/*
 * ep2bench - comparison harness: eventpoll2 against native epoll, io_uring
 * (multishot IORING_OP_POLL_ADD) and poll(2), on the same workloads, in the
 * same boot, interleaved.
 *
 * Every workload is run for every backend, repetition after repetition, the
 * backends interleaved within each repetition (the order rotates from one
 * repetition to the next), so that slow drifts of the machine (other guests
 * on the host, TCG translation caches, memory) hit all backends alike.  Each
 * figure is reported as the median over the repetitions with min and max,
 * and as a ratio against native epoll's median.
 *
 * Output: a plain-text table on stdout; every sample as CSV in the output
 * directory (samples.csv, summary.csv, latency_cdf.csv, table.txt); with
 * --emit the files are also printed on stdout between markers, for a host
 * that cannot read the guest's file system (scripts/bench).
 */
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "eventpoll2.h"

#ifdef EP2BENCH_HAVE_LIBURING
#include <liburing.h>
#endif

namespace {

// ---------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------

[[noreturn]] void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ep2bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

std::string strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string strf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

uint64_t mono_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

/*
 * Time stamps.  Under TCG the guest kernel usually picks the HPET clock
 * source, which makes clock_gettime() a system call plus an emulated MMIO
 * read: microseconds.  The TSC is read by a cheap helper (QEMU derives it
 * from the host's TSC, consistent across vCPUs), so per-operation times use
 * rdtsc calibrated against CLOCK_MONOTONIC.
 */
#if defined(__x86_64__) || defined(__i386__)
inline uint64_t ticks()
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t(hi) << 32) | lo;
}
#else
inline uint64_t ticks() { return mono_ns(); }
#endif

double g_ns_per_tick = 1.0;

void calibrate_ticks()
{
	uint64_t n0 = mono_ns(), t0 = ticks();
	usleep(100000);
	uint64_t n1 = mono_ns(), t1 = ticks();
	if (t1 > t0 && n1 > n0)
		g_ns_per_tick = double(n1 - n0) / double(t1 - t0);
}

inline double tick_ns(uint64_t t) { return double(t) * g_ns_per_tick; }

// Number of events and the like with SI suffix, 4 significant digits.
std::string human(double v)
{
	if (!std::isfinite(v))
		return "n/a";
	const char *suf[] = {"", "k", "M", "G"};
	int i = 0;
	double a = std::fabs(v);
	while (a >= 1000.0 && i < 3) {
		a /= 1000.0;
		v /= 1000.0;
		i++;
	}
	if (a >= 100)
		return strf("%.1f%s", v, suf[i]);
	if (a >= 10)
		return strf("%.2f%s", v, suf[i]);
	return strf("%.3f%s", v, suf[i]);
}

// A size for labels: 10, 1k, 1.5k, 100k, 1M.
std::string count_str(long n)
{
	if (n >= 1000000 && n % 100000 == 0)
		return strf("%gM", double(n) / 1e6);
	if (n >= 1000 && n % 100 == 0)
		return strf("%gk", double(n) / 1e3);
	return strf("%ld", n);
}

// Durations given in ns, printed in the unit that fits.
std::string human_ns(double ns)
{
	if (!std::isfinite(ns))
		return "n/a";
	if (ns >= 1e9)
		return strf("%.3gs", ns / 1e9);
	if (ns >= 1e6)
		return strf("%.3gms", ns / 1e6);
	if (ns >= 1e3)
		return strf("%.3gus", ns / 1e3);
	return strf("%.3gns", ns);
}

double median(std::vector<double> v)
{
	if (v.empty())
		return NAN;
	std::sort(v.begin(), v.end());
	size_t n = v.size();
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Quantile of sorted data, linear interpolation.
double quantile(const std::vector<double> &sorted, double q)
{
	if (sorted.empty())
		return NAN;
	double pos = q * double(sorted.size() - 1);
	size_t i = size_t(pos);
	if (i + 1 >= sorted.size())
		return sorted.back();
	double f = pos - double(i);
	return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die("fcntl: %s", strerror(errno));
}

int new_eventfd(bool nonblock = true)
{
	int fd = eventfd(0, EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0));
	if (fd < 0)
		die("eventfd: %s (raise RLIMIT_NOFILE?)", strerror(errno));
	return fd;
}

void efd_write(int fd, uint64_t v = 1)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v) && errno != EAGAIN)
		die("eventfd write: %s", strerror(errno));
}

uint64_t efd_read(int fd)
{
	uint64_t v = 0;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

// A pool of idle, non-blocking eventfds, grown on demand, shared by workloads.
struct FdPool {
	std::vector<int> fds;
	const std::vector<int> &get(size_t n)
	{
		fds.reserve(n);
		while (fds.size() < n)
			fds.push_back(new_eventfd());
		return fds;
	}
	void close_all()
	{
		for (int fd : fds)
			close(fd);
		fds.clear();
	}
};

// Simple spinning barrier (no futex sleep, so no context switch counted).
struct SpinBarrier {
	std::atomic<int> n{0};
	int want;
	explicit SpinBarrier(int w) : want(w) {}
	void arrive_and_wait()
	{
		n.fetch_add(1);
		while (n.load() < want)
			sched_yield();
	}
};

// ---------------------------------------------------------------------------
// Backends
// ---------------------------------------------------------------------------

using Ev = struct epoll_event;

struct Poller {
	virtual ~Poller() = default;
	// 0 or -errno; -EINVAL for a mode the backend does not have.
	virtual int add(int fd, uint32_t events, uint64_t data) = 0;
	virtual int mod(int fd, uint32_t events, uint64_t data) = 0;
	virtual int del(int fd) = 0;
	// Number of events (0 on timeout) or -errno.
	virtual int wait(Ev *evs, int max, int timeout_ms) = 0;
	// Can several threads wait on this one instance at once?
	virtual bool shareable() const { return false; }
	// Does it have edge-triggered / level-triggered / exclusive modes?
	virtual bool has_et() const { return true; }
	virtual bool has_lt() const { return true; }
	virtual bool has_exclusive() const { return true; }
};

// epoll and eventpoll2: the same API, one template so neither pays for a branch.
struct NativeEpoll {
	static int create() { return epoll_create1(EPOLL_CLOEXEC); }
	static int ctl(int e, int op, int fd, Ev *ev) { return epoll_ctl(e, op, fd, ev); }
	static int wait(int e, Ev *evs, int max, int t) { return epoll_wait(e, evs, max, t); }
};
struct Eventpoll2 {
	static int create() { return ep2_create1(EPOLL_CLOEXEC); }
	static int ctl(int e, int op, int fd, Ev *ev) { return ep2_ctl(e, op, fd, ev); }
	static int wait(int e, Ev *evs, int max, int t) { return ep2_wait(e, evs, max, t); }
};

template <class API>
struct EpollPoller final : Poller {
	int epfd;
	EpollPoller()
	{
		epfd = API::create();
		if (epfd < 0)
			throw std::runtime_error(strerror(errno));
	}
	~EpollPoller() override { close(epfd); }
	int ctl(int op, int fd, uint32_t events, uint64_t data)
	{
		Ev ev;
		ev.events = events;
		ev.data.u64 = data;
		return API::ctl(epfd, op, fd, &ev) < 0 ? -errno : 0;
	}
	int add(int fd, uint32_t e, uint64_t d) override { return ctl(EPOLL_CTL_ADD, fd, e, d); }
	int mod(int fd, uint32_t e, uint64_t d) override { return ctl(EPOLL_CTL_MOD, fd, e, d); }
	int del(int fd) override { return ctl(EPOLL_CTL_DEL, fd, 0, 0); }
	int wait(Ev *evs, int max, int t) override
	{
		int n = API::wait(epfd, evs, max, t);
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		return n;
	}
	bool shareable() const override { return true; }
};

// poll(2): the interest set lives in userspace and is passed on every call.
struct PollPoller final : Poller {
	std::vector<pollfd> pfds;
	std::vector<uint64_t> datas;
	std::vector<int> slot; // fd -> index in pfds, -1 if absent

	static constexpr uint32_t MODE_BITS = EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP;

	int add(int fd, uint32_t e, uint64_t d) override
	{
		if (e & MODE_BITS)
			return -EINVAL;
		if (size_t(fd) >= slot.size())
			slot.resize(size_t(fd) + 1024, -1);
		if (slot[size_t(fd)] >= 0)
			return -EEXIST;
		slot[size_t(fd)] = int(pfds.size());
		pfds.push_back(pollfd{fd, short(e & 0xffff), 0});
		datas.push_back(d);
		return 0;
	}
	int mod(int fd, uint32_t e, uint64_t d) override
	{
		if (e & MODE_BITS)
			return -EINVAL;
		if (size_t(fd) >= slot.size() || slot[size_t(fd)] < 0)
			return -ENOENT;
		int i = slot[size_t(fd)];
		pfds[size_t(i)].events = short(e & 0xffff);
		datas[size_t(i)] = d;
		return 0;
	}
	int del(int fd) override
	{
		if (size_t(fd) >= slot.size() || slot[size_t(fd)] < 0)
			return -ENOENT;
		size_t i = size_t(slot[size_t(fd)]), last = pfds.size() - 1;
		if (i != last) {
			pfds[i] = pfds[last];
			datas[i] = datas[last];
			slot[size_t(pfds[i].fd)] = int(i);
		}
		pfds.pop_back();
		datas.pop_back();
		slot[size_t(fd)] = -1;
		return 0;
	}
	int wait(Ev *evs, int max, int t) override
	{
		int r = poll(pfds.data(), pfds.size(), t);
		if (r < 0)
			return errno == EINTR ? 0 : -errno;
		int n = 0;
		for (size_t i = 0; i < pfds.size() && n < r && n < max; i++) {
			if (pfds[i].revents) {
				evs[n].events = uint32_t(uint16_t(pfds[i].revents));
				evs[n].data.u64 = datas[i];
				n++;
			}
		}
		return n;
	}
	bool has_et() const override { return false; }
	bool has_exclusive() const override { return false; }
};

#ifdef EP2BENCH_HAVE_LIBURING
/*
 * io_uring as a readiness interface: one multishot IORING_OP_POLL_ADD per fd
 * (edge-triggered: a CQE per wake-up of the file's wait queue), updated with
 * IORING_OP_POLL_REMOVE + IORING_POLL_UPDATE_EVENTS, removed with
 * IORING_OP_POLL_REMOVE.  One io_uring_enter() per wait (submit-and-wait);
 * each ctl operation is submitted on its own, as an epoll_ctl() would be.
 * There is no level-triggered mode: a multishot poll posts a CQE only when
 * the file's wait queue is woken (IORING_POLL_ADD_LEVEL does not change that
 * for a file that stays ready), so has_lt() is false; workloads that only
 * need "a new event wakes me" register with EPOLLIN and get edge semantics.
 */
struct UringPoller final : Poller {
	io_uring ring;
	std::vector<uint64_t> fd_data; // fd -> user_data of its poll
	std::vector<uint32_t> fd_events; // fd -> mask (0: absent)
	std::vector<Ev> pending;        // app CQEs reaped during ctl calls
	size_t pending_pos = 0;
	static constexpr uint64_t TAG = 1ull << 63; // user_data of internal ops
	int last_err = 0;

	UringPoller()
	{
		io_uring_params p;
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = 16384;
		int r = io_uring_queue_init_params(256, &ring, &p);
		if (r < 0)
			throw std::runtime_error(strerror(-r));
	}
	~UringPoller() override { io_uring_queue_exit(&ring); }

	io_uring_sqe *sqe()
	{
		io_uring_sqe *s = io_uring_get_sqe(&ring);
		if (!s) {
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
		int r;
		io_uring_cqe *c = nullptr;
		if (t < 0) {
			r = io_uring_submit_and_wait(&ring, 1);
		} else {
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
		return n;
	}
	bool has_lt() const override { return false; }
};
#endif

const std::vector<std::string> ALL_BACKENDS = {"eventpoll2", "epoll", "io_uring", "poll"};

// A new instance of backend `name`, or nullptr with the reason in *why.
std::unique_ptr<Poller> make_poller(const std::string &name, std::string *why)
{
	try {
		if (name == "epoll")
			return std::make_unique<EpollPoller<NativeEpoll>>();
		if (name == "eventpoll2") {
			if (!ep2_available()) {
				*why = strf("/dev/eventpoll2: %s (module not loaded?)", strerror(errno));
				return nullptr;
			}
			return std::make_unique<EpollPoller<Eventpoll2>>();
		}
		if (name == "poll")
			return std::make_unique<PollPoller>();
		if (name == "io_uring") {
#ifdef EP2BENCH_HAVE_LIBURING
			return std::make_unique<UringPoller>();
#else
			*why = "built without liburing";
			return nullptr;
#endif
		}
		*why = "unknown backend";
	} catch (const std::exception &e) {
		*why = strf("cannot create instance: %s", e.what());
	}
	return nullptr;
}

// ---------------------------------------------------------------------------
// Options and sizes
// ---------------------------------------------------------------------------

struct Opts {
	std::string mode = "default";
	std::vector<std::string> backends = ALL_BACKENDS;
	std::set<std::string> workloads;
	int reps = 5;
	double budget_ms = 100;   // time per sample of time-bounded loops
	std::string outdir = "/tmp/ep2bench";
	bool emit = false;
	bool pin = true;          // all threads on one CPU
	std::vector<int> ctl_n = {1000, 10000};
	int harvest_m = 10000;
	std::vector<int> harvest_k = {1, 64, 1024};
	std::vector<int> idle_n = {10, 1000, 10000, 100000};
	int herd_threads = 4;
	std::vector<int> echo_c = {1, 50, 300};
	double echo_ms = 300;
	int echo_reps = 3;        // connection set-up is slow under TCG
	int lat_max = 20000;      // round trips per latency sample at most
};
Opts O;

const char *const WORKLOADS[] = {"ctl", "latency", "harvest", "idle", "herd", "echo"};

bool want(const char *w) { return O.workloads.empty() || O.workloads.count(w); }

std::vector<int> parse_ints(const std::string &s)
{
	std::vector<int> v;
	size_t i = 0;
	while (i < s.size()) {
		size_t j = s.find(',', i);
		if (j == std::string::npos)
			j = s.size();
		std::string t = s.substr(i, j - i);
		double mul = 1;
		if (!t.empty() && (t.back() == 'k' || t.back() == 'K')) {
			mul = 1000;
			t.pop_back();
		}
		char *end;
		double x = strtod(t.c_str(), &end);
		if (t.empty() || *end || x <= 0)
			die("bad number list: %s", s.c_str());
		v.push_back(int(x * mul));
		i = j + 1;
	}
	return v;
}

std::vector<std::string> split(const std::string &s)
{
	std::vector<std::string> v;
	size_t i = 0;
	while (i <= s.size()) {
		size_t j = s.find(',', i);
		if (j == std::string::npos)
			j = s.size();
		if (j > i)
			v.push_back(s.substr(i, j - i));
		i = j + 1;
	}
	return v;
}

void usage(FILE *f)
{
	fprintf(f,
"Usage: ep2bench [--quick|--full] [options]\n"
"Compare eventpoll2 with native epoll, io_uring (multishot poll) and poll(2).\n"
"\n"
"  --quick               small sizes, 3 repetitions: a short table (15-25 s under TCG)\n"
"  --full                bigger sizes, more repetitions, longer samples\n"
"  --backends=LIST       default eventpoll2,epoll,io_uring,poll\n"
"  --workloads=LIST      ctl,latency,harvest,idle,herd,echo (default all)\n"
"  --reps=N              repetitions of each sample per backend\n"
"  --budget-ms=MS        duration of each time-bounded sample\n"
"  --ctl-n=LIST          fds for ctl throughput (e.g. 1k,10k,100k)\n"
"  --harvest-m=N  --harvest-k=LIST\n"
"  --idle-n=LIST         idle fds for idle scaling\n"
"  --herd-threads=T\n"
"  --echo-c=LIST  --echo-ms=MS  --echo-reps=N (default 3: connection set-up is slow)\n"
"  --cpus=pin|free       pin every thread to one CPU (default) or let them spread\n"
"  --out=DIR             output directory (default /tmp/ep2bench)\n"
"  --emit                also print the output files between markers on stdout\n");
}

void apply_mode(const std::string &m)
{
	O.mode = m;
	if (m == "quick") {
		O.reps = 3;
		O.budget_ms = 40;
		O.ctl_n = {1000};
		O.harvest_m = 5000;
		O.harvest_k = {1, 64};
		O.idle_n = {10, 1000, 10000};
		O.herd_threads = 4;
		O.echo_c = {1, 50};
		O.echo_ms = 100;
		O.echo_reps = 2;
		O.lat_max = 1000;
	} else if (m == "full") {
		O.reps = 7;
		O.budget_ms = 300;
		O.ctl_n = {1000, 10000, 100000};
		O.harvest_m = 10000;
		O.harvest_k = {1, 64, 1024};
		O.idle_n = {10, 100, 1000, 10000, 100000};
		O.herd_threads = 8;
		O.echo_c = {1, 50, 300};
		O.echo_ms = 1500;
		O.echo_reps = 7;
		O.lat_max = 100000;
	}
}

void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--quick"))
			apply_mode("quick");
		else if (!strcmp(argv[i], "--full"))
			apply_mode("full");
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i], k = a, v;
		size_t eq = a.find('=');
		if (eq != std::string::npos) {
			k = a.substr(0, eq);
			v = a.substr(eq + 1);
		}
		if (k == "--quick" || k == "--full")
			continue;
		else if (k == "-h" || k == "--help") {
			usage(stdout);
			exit(0);
		} else if (k == "--emit")
			O.emit = true;
		else if (eq == std::string::npos)
			die("unknown option %s (try --help)", a.c_str());
		else if (k == "--backends") {
			O.backends = split(v);
			for (auto &b : O.backends)
				if (std::find(ALL_BACKENDS.begin(), ALL_BACKENDS.end(), b) == ALL_BACKENDS.end())
					die("unknown backend %s", b.c_str());
		} else if (k == "--workloads") {
			for (auto &w : split(v)) {
				bool ok = false;
				for (auto *x : WORKLOADS)
					ok |= w == x;
				if (!ok)
					die("unknown workload %s", w.c_str());
				O.workloads.insert(w);
			}
		} else if (k == "--reps")
			O.reps = std::max(1, atoi(v.c_str()));
		else if (k == "--budget-ms")
			O.budget_ms = std::max(1.0, atof(v.c_str()));
		else if (k == "--ctl-n")
			O.ctl_n = parse_ints(v);
		else if (k == "--harvest-m")
			O.harvest_m = parse_ints(v).at(0);
		else if (k == "--harvest-k")
			O.harvest_k = parse_ints(v);
		else if (k == "--idle-n")
			O.idle_n = parse_ints(v);
		else if (k == "--herd-threads")
			O.herd_threads = std::max(2, atoi(v.c_str()));
		else if (k == "--echo-c")
			O.echo_c = parse_ints(v);
		else if (k == "--echo-reps")
			O.echo_reps = std::max(1, atoi(v.c_str()));
		else if (k == "--echo-ms")
			O.echo_ms = std::max(10.0, atof(v.c_str()));
		else if (k == "--cpus") {
			if (v != "pin" && v != "free")
				die("--cpus: pin or free");
			O.pin = v == "pin";
		} else if (k == "--out")
			O.outdir = v;
		else
			die("unknown option %s (try --help)", a.c_str());
	}
}

// Backend order of repetition `rep`: the list rotated by rep (A B C D, B C D A, ...).
std::vector<std::string> order(int rep)
{
	std::vector<std::string> v = O.backends;
	if (!v.empty())
		std::rotate(v.begin(), v.begin() + (rep % int(v.size())), v.end());
	return v;
}

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

struct Metric {
	std::string workload, config, metric, unit;
	bool higher_better;
	int seq; // order of first appearance
	bool operator<(const Metric &o) const { return seq < o.seq; }
};

struct Results {
	struct Key {
		std::string w, c, m;
		bool operator<(const Key &o) const
		{
			return std::tie(w, c, m) < std::tie(o.w, o.c, o.m);
		}
	};
	std::map<Key, Metric> metrics;
	std::map<Key, std::map<std::string, std::vector<double>>> values;
	std::map<Key, std::map<std::string, std::string>> na;  // backend -> reason
	std::vector<std::string> sample_lines;
	int seq = 0;

	const Metric &metric(const std::string &w, const std::string &c, const std::string &m,
			     const std::string &unit, bool hb)
	{
		Key k{w, c, m};
		auto it = metrics.find(k);
		if (it == metrics.end())
			it = metrics.emplace(k, Metric{w, c, m, unit, hb, seq++}).first;
		return it->second;
	}
	void add(const std::string &w, const std::string &c, const std::string &m,
		 const std::string &unit, bool hb, const std::string &backend, int rep, double v)
	{
		metric(w, c, m, unit, hb);
		values[Key{w, c, m}][backend].push_back(v);
		sample_lines.push_back(strf("%s,%s,%s,%s,%s,%d,%.6g", w.c_str(), c.c_str(),
					    backend.c_str(), m.c_str(), unit.c_str(), rep, v));
	}
	void not_available(const std::string &w, const std::string &c, const std::string &m,
			   const std::string &unit, bool hb, const std::string &backend,
			   const std::string &why)
	{
		metric(w, c, m, unit, hb);
		na[Key{w, c, m}][backend] = why;
	}
};
Results R;

std::string g_table; // everything printed as the table (also table.txt)
std::vector<std::string> g_wl_secs;

void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs(buf, stdout);
	fflush(stdout);
	g_table += buf;
}

// Progress lines (not part of the table).
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t g_progress_t = 0;
void progress(const char *fmt, ...)
{
	uint64_t now = mono_ns();
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "  .. ");
	vfprintf(stderr, fmt, ap);
	if (g_progress_t)
		fprintf(stderr, " (%.1fs)", double(now - g_progress_t) / 1e9);
	fprintf(stderr, "\n");
	va_end(ap);
	g_progress_t = now;
}

std::string fmt_value(double v, const std::string &unit)
{
	if (unit == "ns")
		return human_ns(v);
	return human(v);
}

// Print the table of one workload: a line per (config, metric, backend).
void print_workload(const std::string &w)
{
	std::vector<std::pair<Results::Key, Metric>> ms;
	for (auto &kv : R.metrics)
		if (kv.first.w == w)
			ms.push_back(kv);
	std::sort(ms.begin(), ms.end(), [](auto &a, auto &b) { return a.second.seq < b.second.seq; });
	out("  %-22s %-18s %-11s %10s %10s %10s  %-9s\n", "config", "metric", "backend", "median",
	    "min", "max", "vs epoll");
	std::string last;
	for (auto &[k, m] : ms) {
		auto &vals = R.values[k];
		auto &nas = R.na[k];
		double ref = vals.count("epoll") ? median(vals["epoll"]) : NAN;
		for (auto &b : O.backends) {
			std::string cfg = (k.c + "|" + k.m) == last ? "" : k.c;
			std::string met = cfg.empty() ? "" : m.metric + (m.unit == "ns" ? "" : " " + m.unit);
			if (!vals.count(b) || vals[b].empty()) {
				std::string why = nas.count(b) ? nas[b] : "no sample";
				out("  %-22s %-18s %-11s %10s  (%s)\n", cfg.c_str(), met.c_str(), b.c_str(),
				    "n/a", why.c_str());
			} else {
				auto &v = vals[b];
				double md = median(v);
				double mn = *std::min_element(v.begin(), v.end());
				double mx = *std::max_element(v.begin(), v.end());
				std::string ratio = "";
				if (std::isfinite(ref) && ref > 0)
					ratio = strf("%.2fx", md / ref);
				out("  %-22s %-18s %-11s %10s %10s %10s  %-6s %s\n", cfg.c_str(), met.c_str(),
				    b.c_str(), fmt_value(md, m.unit).c_str(), fmt_value(mn, m.unit).c_str(),
				    fmt_value(mx, m.unit).c_str(), ratio.c_str(),
				    b == "epoll" ? (m.higher_better ? "(higher is better)" : "(lower is better)") : "");
			}
			last = k.c + "|" + k.m;
		}
	}
	out("\n");
}

void heading(const char *n, const char *title, const char *desc)
{
	out("== %s. %s\n", n, title);
	// Wrap the description at ~76 columns.
	std::string d = desc, line;
	size_t i = 0;
	while (i < d.size()) {
		size_t j = d.find(' ', i);
		if (j == std::string::npos)
			j = d.size();
		std::string word = d.substr(i, j - i);
		if (line.size() + word.size() + 1 > 76) {
			out("   %s\n", line.c_str());
			line.clear();
		}
		line += (line.empty() ? "" : " ") + word;
		i = j + 1;
	}
	if (!line.empty())
		out("   %s\n", line.c_str());
	out("\n");
}

/*
 * Robust timing.  The guest's vCPU is a host thread on a host shared with
 * other guests: now and then it is descheduled for milliseconds, which
 * inflates whatever was being timed.  So loops are timed in batches of about
 * BATCH_NS and a sample's figure is the median of the batches' per-iteration
 * times: a preemption spoils a few batches, not the sample.  Systematic costs
 * (slow paths, allocation) stay in, averaged within each batch.
 */
constexpr double BATCH_NS = 500e3;

struct Timed {
	double per_iter_ns = NAN; // median over batches of the mean per iteration
	uint64_t iters = 0;
	bool ok = false;
};

// Runs fn() (false: failure) for about budget_ms after an untimed warm-up
// (under TCG the first runs of a code path translate it), at least min_iters.
template <class F>
Timed run_for(double budget_ms, uint64_t min_iters, F &&fn)
{
	Timed r;
	uint64_t budget = uint64_t(budget_ms * 1e6 / g_ns_per_tick);
	uint64_t w0 = ticks(), w = 0;
	while (w < 20 && (ticks() - w0 < budget / 10 || w < 2)) {
		if (!fn())
			return r;
		w++;
	}
	double est = tick_ns(ticks() - w0) / double(w); // ns per iteration
	uint64_t batch = std::max<uint64_t>(1, uint64_t(BATCH_NS / std::max(est, 1.0)));
	std::vector<double> per;
	uint64_t t0 = ticks(), t = t0;
	do {
		uint64_t b0 = ticks();
		for (uint64_t i = 0; i < batch; i++)
			if (!fn())
				return r;
		t = ticks();
		per.push_back(tick_ns(t - b0) / double(batch));
		r.iters += batch;
	} while (t - t0 < budget || r.iters < min_iters);
	r.per_iter_ns = median(per);
	r.ok = true;
	return r;
}

// ---------------------------------------------------------------------------
// 1. ctl throughput
// ---------------------------------------------------------------------------

FdPool g_pool;

void wl_ctl()
{
	heading("1", "ctl throughput",
		"ADD N idle eventfds to a new instance (EPOLLIN), MOD each (EPOLLIN|EPOLLPRI), "
		"then DEL each, one call per fd, repeated on the same instance for the sample's time; operations per second of each phase. io_uring: one "
		"multishot POLL_ADD / POLL_UPDATE / POLL_REMOVE SQE submitted per fd (its "
		"registration cost); poll: n/a, it has no registration (the set is passed to each call).");
	const char *W = "ctl";
	for (int n : O.ctl_n) {
		auto &fds = g_pool.get(size_t(n));
		std::string cfg = strf("N=%s", count_str(n).c_str());
		for (int rep = 0; rep < O.reps; rep++) {
			for (auto &b : order(rep)) {
				const char *ops[] = {"ADD", "MOD", "DEL"};
				if (b == "poll") {
					for (auto *op : ops)
						R.not_available(W, cfg, op, "ops/s", true, b, "no registration in poll(2)");
					continue;
				}
				std::string why;
				auto p = make_poller(b, &why);
				if (!p) {
					for (auto *op : ops)
						R.not_available(W, cfg, op, "ops/s", true, b, why);
					continue;
				}
				// Whole ADD/MOD/DEL cycles until the time budget is used
				// (at least one), on the same instance, after a short
				// untimed warm-up cycle; each phase timed in chunks of
				// CHUNK calls, the figure is the median chunk (see run_for).
				const int CHUNK = 64;
				int err = 0;
				std::vector<double> per[3];
				uint64_t budget = uint64_t(O.budget_ms * 1e6 / g_ns_per_tick);
				uint64_t start = ticks();
				auto phase = [&](int ph, int m, auto &&op) {
					for (int i = 0; i < m && !err;) {
						int i0 = i, e = std::min(m, i + CHUNK);
						uint64_t c0 = ticks();
						for (; i < e && !err; i++)
							err = op(fds[size_t(i)], i);
						per[ph].push_back(tick_ns(ticks() - c0) / double(e - i0));
					}
				};
				for (int warm = 1; !err; warm = 0) {
					int m = warm ? std::min(n, 50) : n;
					phase(0, m, [&](int fd, int i) { return p->add(fd, EPOLLIN, uint64_t(i)); });
					phase(1, m, [&](int fd, int i) { return p->mod(fd, EPOLLIN | EPOLLPRI, uint64_t(i)); });
					phase(2, m, [&](int fd, int i) { return p->del(fd); });
					if (warm) {
						for (auto &v : per)
							v.clear();
						start = ticks();
						continue;
					}
					if (ticks() - start >= budget)
						break;
				}
				if (err) {
					for (auto *op : ops)
						R.not_available(W, cfg, op, "ops/s", true, b, strf("error %s", strerror(-err)));
					continue;
				}
				R.add(W, cfg, "ADD", "ops/s", true, b, rep, 1e9 / median(per[0]));
				R.add(W, cfg, "MOD", "ops/s", true, b, rep, 1e9 / median(per[1]));
				R.add(W, cfg, "DEL", "ops/s", true, b, rep, 1e9 / median(per[2]));
			}
		}
		progress("ctl N=%d done", n);
	}
	print_workload(W);
}

// ---------------------------------------------------------------------------
// 2. wake-up latency (ping-pong)
// ---------------------------------------------------------------------------

struct Channel {
	std::string kind;
	int a_tx = -1, a_rx = -1, b_tx = -1, b_rx = -1;
	std::vector<int> all;

	explicit Channel(const std::string &k) : kind(k)
	{
		if (k == "eventfd") {
			a_tx = b_rx = new_eventfd();
			b_tx = a_rx = new_eventfd();
			all = {a_tx, b_tx};
		} else if (k == "pipe") {
			int p1[2], p2[2];
			if (pipe2(p1, O_NONBLOCK | O_CLOEXEC) || pipe2(p2, O_NONBLOCK | O_CLOEXEC))
				die("pipe2: %s", strerror(errno));
			a_tx = p1[1];
			b_rx = p1[0];
			b_tx = p2[1];
			a_rx = p2[0];
			all = {p1[0], p1[1], p2[0], p2[1]};
		} else {
			int sv[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
				die("socketpair: %s", strerror(errno));
			a_tx = a_rx = sv[0];
			b_tx = b_rx = sv[1];
			all = {sv[0], sv[1]};
		}
	}
	~Channel()
	{
		for (int fd : all)
			close(fd);
	}
	// Messages: 1 = ping, 2 = stop.
	void send(int fd, uint8_t m)
	{
		if (kind == "eventfd") {
			efd_write(fd, m == 2 ? 1000000 : 1);
		} else if (write(fd, &m, 1) != 1) {
			die("%s write: %s", kind.c_str(), strerror(errno));
		}
	}
	// 0: nothing there, else the message.
	uint8_t recv(int fd)
	{
		if (kind == "eventfd") {
			uint64_t v = efd_read(fd);
			return v == 0 ? 0 : v >= 1000000 ? 2 : 1;
		}
		uint8_t m[16];
		ssize_t r = read(fd, m, sizeof(m));
		return r <= 0 ? 0 : m[r - 1];
	}
};

// One sample: round-trip times in ns, or empty on failure (*why set).
std::vector<double> pingpong(const std::string &backend, const std::string &kind, std::string *why)
{
	Channel ch(kind);
	auto pa = make_poller(backend, why);
	auto pb = make_poller(backend, why);
	if (!pa || !pb)
		return {};
	int e = pa->add(ch.a_rx, EPOLLIN, 1);
	if (!e)
		e = pb->add(ch.b_rx, EPOLLIN, 2);
	if (e) {
		*why = strf("add: %s", strerror(-e));
		return {};
	}
	std::atomic<bool> failed{false};
	std::thread tb([&] {
		Ev ev[4];
		for (;;) {
			int n = pb->wait(ev, 4, 5000);
			if (n <= 0) {
				failed = true;
				return;
			}
			uint8_t m = ch.recv(ch.b_rx);
			if (m == 2)
				return;
			if (m == 1)
				ch.send(ch.b_tx, 1);
		}
	});
	std::vector<double> rt;
	rt.reserve(size_t(O.lat_max));
	const int warm = 50;
	uint64_t budget = uint64_t(O.budget_ms * 1e6 / g_ns_per_tick);
	uint64_t start = 0;
	Ev ev[4];
	for (int i = 0; !failed; i++) {
		uint64_t t0 = ticks();
		if (i == warm)
			start = t0;
		ch.send(ch.a_tx, 1);
		uint8_t m = 0;
		while (!m) {
			int n = pa->wait(ev, 4, 5000);
			if (n <= 0) {
				failed = true;
				break;
			}
			m = ch.recv(ch.a_rx);
		}
		uint64_t t1 = ticks();
		if (i >= warm) {
			rt.push_back(tick_ns(t1 - t0));
			if ((t1 - start >= budget && rt.size() >= 200) || int(rt.size()) >= O.lat_max)
				break;
		}
	}
	ch.send(ch.a_tx, 2);
	tb.join();
	if (failed) {
		*why = "a wait timed out (lost wake-up?)";
		return {};
	}
	return rt;
}

// channel -> backend -> all round trips of all repetitions
std::map<std::string, std::map<std::string, std::vector<double>>> g_lat_pool;

void wl_latency()
{
	heading("2", "wake-up latency",
		"Two threads ping-pong one message over an eventfd pair, a pipe pair or a unix "
		"socketpair, each blocked in the wait of its own instance until its end is readable; "
		"round-trip time percentiles (median over repetitions of each repetition's p50/p99; "
		"p99 under emulation is mostly the host descheduling the vCPU).");
	const char *W = "latency";
	for (std::string kind : {"eventfd", "pipe", "unix"}) {
		for (int rep = 0; rep < O.reps; rep++) {
			for (auto &b : order(rep)) {
				std::string why;
				auto rt = pingpong(b, kind, &why);
				if (rt.empty()) {
					R.not_available(W, kind, "p50 round trip", "ns", false, b, why);
					R.not_available(W, kind, "p99 round trip", "ns", false, b, why);
					continue;
				}
				std::sort(rt.begin(), rt.end());
				R.add(W, kind, "p50 round trip", "ns", false, b, rep, quantile(rt, 0.5));
				R.add(W, kind, "p99 round trip", "ns", false, b, rep, quantile(rt, 0.99));
				auto &pool = g_lat_pool[kind][b];
				pool.insert(pool.end(), rt.begin(), rt.end());
			}
		}
		progress("latency %s done", kind.c_str());
	}
	print_workload(W);
}

// ---------------------------------------------------------------------------
// 3. harvest
// ---------------------------------------------------------------------------

void wl_harvest()
{
	heading("3", "harvest",
		"M eventfds watched, K of them ready each round (spread over the set), events "
		"delivered per second. LT: the K fds stay readable and each wait returns "
		"them again; ET: each round writes 1 to each of the K fds, then waits until the K "
		"events arrived, the whole round timed (the backends' wake-up callbacks run inside "
		"the writes; the writes cost the same for every backend). io_uring LT: n/a (a multishot poll fires once per wake-up of "
		"the file, not again for a file that stays ready); poll ET: n/a (no edge mode).");
	const char *W = "harvest";
	const int M = O.harvest_m;
	int kmax = *std::max_element(O.harvest_k.begin(), O.harvest_k.end());
	std::vector<Ev> evs(size_t(std::max(kmax, 1)));
	for (bool et : {false, true}) {
		const char *mode = et ? "ET" : "LT";
		// Each backend gets its own M fds, so that ready fds wake only the
		// instance being measured.
		std::map<std::string, std::unique_ptr<Poller>> ps;
		std::map<std::string, std::vector<int>> fds;
		std::map<std::string, std::string> why;
		for (auto &b : O.backends) {
			auto p = make_poller(b, &why[b]);
			if (!p)
				continue;
			if ((et && !p->has_et()) || (!et && !p->has_lt())) {
				why[b] = b == "io_uring" ? "multishot poll fires once per wake-up, like ET"
							 : strf("no %s mode", et ? "edge-triggered" : "level-triggered");
				continue;
			}
			auto &f = fds[b];
			int err = 0;
			for (int i = 0; i < M && !err; i++) {
				f.push_back(new_eventfd());
				err = p->add(f.back(), EPOLLIN | (et ? uint32_t(EPOLLET) : 0u), uint64_t(i));
			}
			if (err) {
				why[b] = strf("add: %s", strerror(-err));
				continue;
			}
			ps[b] = std::move(p);
		}
		for (int K : O.harvest_k) {
			std::string cfg = strf("%s M=%s K=%d", mode, count_str(M).c_str(), K);
			for (int rep = 0; rep < O.reps; rep++) {
				for (auto &b : order(rep)) {
					if (!ps.count(b)) {
						R.not_available(W, cfg, "events/s", "", true, b, why[b]);
						continue;
					}
					Poller *p = ps[b].get();
					auto &f = fds[b];
					std::vector<int> ready;
					for (int i = 0; i < K; i++)
						ready.push_back(f[size_t(uint64_t(i) * uint64_t(M) / uint64_t(K))]);
					// One round: (ET: write the K fds, then) wait until K
					// events have been delivered.
					if (!et) {
						for (int fd : ready)
							efd_write(fd);
					}
					Timed t = run_for(O.budget_ms, 3, [&] {
						if (et)
							for (int fd : ready)
								efd_write(fd);
						int got = 0;
						while (got < K) {
							int n = p->wait(evs.data(), K - got, 1000);
							if (n <= 0)
								return false;
							got += n;
						}
						return true;
					});
					for (int fd : ready)
						efd_read(fd);
					bool bad = !t.ok;
					// Nothing may be left over for the next sample.
					while (p->wait(evs.data(), int(evs.size()), 0) > 0)
						;
					if (bad) {
						R.not_available(W, cfg, "events/s", "", true, b, "a wait timed out");
						continue;
					}
					R.add(W, cfg, "events/s", "", true, b, rep, double(K) * 1e9 / t.per_iter_ns);
				}
			}
			progress("harvest %s K=%d done", mode, K);
		}
		ps.clear();
		for (auto &kv : fds)
			for (int fd : kv.second)
				close(fd);
	}
	print_workload(W);
}

// ---------------------------------------------------------------------------
// 4. idle scaling
// ---------------------------------------------------------------------------

std::vector<std::pair<int, std::string>> g_idle_points; // for the plot CSV

void wl_idle()
{
	heading("4", "idle scaling",
		"One active eventfd among N idle (never ready) watched eventfds (N in the config column): "
		"time of one iteration write(active) + wait (returns the 1 event) + read(active), the "
		"same loop for every backend, and of the wait call alone (median); shows how a wait's "
		"cost grows with the idle set. Wait-only flatters io_uring: its poll completion runs "
		"as task work when the write returns, before the wait.");
	const char *W = "idle";
	std::map<std::string, std::unique_ptr<Poller>> ps;
	std::map<std::string, int> active, have;
	std::map<std::string, std::string> why;
	for (auto &b : O.backends) {
		auto p = make_poller(b, &why[b]);
		if (!p)
			continue;
		int a = new_eventfd();
		int e = p->add(a, EPOLLIN, ~uint64_t(0) >> 2);
		if (e) {
			why[b] = strf("add: %s", strerror(-e));
			close(a);
			continue;
		}
		active[b] = a;
		have[b] = 0;
		ps[b] = std::move(p);
	}
	Ev ev[16];
	for (int N : O.idle_n) {
		// Idle fds are shared by all instances: they never become ready,
		// so no instance is ever woken by them.
		auto &idle = g_pool.get(size_t(N));
		for (auto &[b, p] : ps) {
			int err = 0;
			for (int i = have[b]; i < N && !err; i++)
				err = p->add(idle[size_t(i)], EPOLLIN, uint64_t(i));
			if (err)
				why[b] = strf("add: %s", strerror(-err));
			have[b] = err ? -1 : std::max(have[b], N);
		}
		std::string cfg = strf("N=%s", count_str(N).c_str());
		for (int rep = 0; rep < O.reps; rep++) {
			for (auto &b : order(rep)) {
				if (!ps.count(b) || have[b] < 0) {
					R.not_available(W, cfg, "per wait", "ns", false, b, why[b]);
					continue;
				}
				Poller *p = ps[b].get();
				int a = active[b];
				std::vector<double> waits;
				waits.reserve(1 << 16);
				Timed t = run_for(O.budget_ms, 5, [&] {
					efd_write(a);
					uint64_t w0 = ticks();
					int n = p->wait(ev, 16, 1000);
					waits.push_back(tick_ns(ticks() - w0));
					if (n != 1)
						return false;
					efd_read(a);
					return true;
				});
				if (!t.ok) {
					R.not_available(W, cfg, "per iteration", "ns", false, b, "wait did not return 1 event");
					R.not_available(W, cfg, "wait only", "ns", false, b, "wait did not return 1 event");
					continue;
				}
				R.add(W, cfg, "per iteration", "ns", false, b, rep, t.per_iter_ns);
				R.add(W, cfg, "wait only", "ns", false, b, rep, median(waits));
			}
		}
		progress("idle N=%d done", N);
	}
	ps.clear();
	for (auto &kv : active)
		close(kv.second);
	print_workload(W);
}

// ---------------------------------------------------------------------------
// 5. thundering herd
// ---------------------------------------------------------------------------

struct HerdResult {
	double events_per_s = 0, wakeups_per_event = 0, csw_per_event = 0;
	bool ok = false;
	std::string why;
};

/*
 * shared: one instance, T threads in its wait.  per-thread: T instances, one
 * per thread, all watching the same eventfd.  excl: EPOLLEXCLUSIVE on ADD.
 */
HerdResult herd(const std::string &backend, bool shared, bool excl)
{
	HerdResult res;
	const int T = O.herd_threads;
	const uint64_t EVT = 1, STOP = 2;
	int efd = new_eventfd(true);
	int stopfd = new_eventfd(true);
	int ack = new_eventfd(false); // blocking: main sleeps on it
	std::vector<std::unique_ptr<Poller>> ps;
	for (int i = 0; i < (shared ? 1 : T); i++) {
		auto p = make_poller(backend, &res.why);
		if (!p)
			break;
		if (shared && !p->shareable()) {
			res.why = "an instance serves one thread";
			break;
		}
		if (excl && !p->has_exclusive()) {
			res.why = "no EPOLLEXCLUSIVE";
			break;
		}
		int e = p->add(efd, EPOLLIN | (excl ? uint32_t(EPOLLEXCLUSIVE) : 0u), EVT);
		if (!e)
			e = p->add(stopfd, EPOLLIN, STOP);
		if (e) {
			res.why = strf("add: %s", strerror(-e));
			break;
		}
		ps.push_back(std::move(p));
	}
	if (int(ps.size()) != (shared ? 1 : T)) {
		close(efd);
		close(stopfd);
		close(ack);
		return res;
	}
	std::atomic<bool> stop{false};
	std::atomic<uint64_t> wakeups{0}, csw{0};
	SpinBarrier bar(T + 1);
	std::vector<std::thread> th;
	for (int t = 0; t < T; t++) {
		Poller *p = ps[shared ? 0 : size_t(t)].get();
		th.emplace_back([&, p] {
			rusage r0, r1;
			bar.arrive_and_wait();
			getrusage(RUSAGE_THREAD, &r0);
			Ev ev[4];
			uint64_t my_wakeups = 0;
			while (!stop.load(std::memory_order_relaxed)) {
				int n = p->wait(ev, 4, 2000);
				if (stop.load(std::memory_order_relaxed))
					break;
				bool evt = false;
				for (int i = 0; i < n; i++)
					evt |= ev[i].data.u64 == EVT;
				if (!evt)
					continue;
				my_wakeups++;
				if (efd_read(efd))
					efd_write(ack);
			}
			getrusage(RUSAGE_THREAD, &r1);
			wakeups += my_wakeups;
			// The last sleep of each thread is ended by the stop event.
			csw += uint64_t(std::max<long>(0, r1.ru_nvcsw - r0.ru_nvcsw - 1));
		});
	}
	bar.arrive_and_wait();
	usleep(20000); // let every waiter block
	uint64_t events = 0;
	bool bad = false;
	Timed t = run_for(O.budget_ms, 20, [&] {
		efd_write(efd);
		pollfd pf{ack, POLLIN, 0};
		if (poll(&pf, 1, 2000) != 1) {
			bad = true;
			return false;
		}
		efd_read(ack);
		events++;
		return true;
	});
	stop = true;
	efd_write(stopfd);
	for (auto &x : th)
		x.join();
	ps.clear();
	close(efd);
	close(stopfd);
	close(ack);
	if (bad || !t.ok) {
		res.why = "an event was not consumed (lost wake-up?)";
		return res;
	}
	res.ok = true;
	res.events_per_s = 1e9 / t.per_iter_ns;
	res.wakeups_per_event = double(wakeups.load()) / double(events);
	res.csw_per_event = double(csw.load()) / double(events);
	return res;
}

void wl_herd()
{
	std::string d = strf(
		"%d waiter threads, one eventfd, one event at a time: the main thread writes the "
		"eventfd and sleeps until a waiter has read it (non-blocking read; losers of the race "
		"see EAGAIN). shared = one instance for all threads, per-thread = one instance each "
		"(io_uring: a ring each, poll: poll() each), +EXCL = EPOLLEXCLUSIVE on ADD. Reports "
		"events/s, wait returns with the event per event, and waiter sleeps (voluntary context "
		"switches, i.e. kernel wake-ups, incl. ones the wait hides) per event.",
		O.herd_threads);
	heading("5", "thundering herd", d.c_str());
	const char *W = "herd";
	struct Cfg {
		const char *name;
		bool shared, excl;
	} cfgs[] = {{"shared", true, false}, {"shared+EXCL", true, true},
		    {"per-thread", false, false}, {"per-thread+EXCL", false, true}};
	for (auto &c : cfgs) {
		std::string cfg = strf("%s T=%d", c.name, O.herd_threads);
		for (int rep = 0; rep < O.reps; rep++) {
			for (auto &b : order(rep)) {
				auto r = herd(b, c.shared, c.excl);
				if (!r.ok) {
					R.not_available(W, cfg, "events/s", "", true, b, r.why);
					R.not_available(W, cfg, "wakeups/event", "", false, b, r.why);
					R.not_available(W, cfg, "sleeps/event", "", false, b, r.why);
					continue;
				}
				R.add(W, cfg, "events/s", "", true, b, rep, r.events_per_s);
				R.add(W, cfg, "wakeups/event", "", false, b, rep, r.wakeups_per_event);
				R.add(W, cfg, "sleeps/event", "", false, b, rep, r.csw_per_event);
			}
		}
		progress("herd %s done", c.name);
	}
	print_workload(W);
}

// ---------------------------------------------------------------------------
// 6. loopback TCP echo
// ---------------------------------------------------------------------------

const int MSG = 64;

/*
 * Server: one thread, one instance of the backend; accept loop on readiness,
 * echo what arrives.  Client: one thread on native epoll (the same for every
 * backend), C connections with one 64-byte request in flight each.
 */
double echo_run(const std::string &backend, int C, std::string *why)
{
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ls < 0)
		die("socket: %s", strerror(errno));
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(ls, (sockaddr *)&sa, sizeof(sa)) || listen(ls, 1024))
		die("bind/listen 127.0.0.1: %s", strerror(errno));
	socklen_t sl = sizeof(sa);
	getsockname(ls, (sockaddr *)&sa, &sl);

	auto sp = make_poller(backend, why);
	if (!sp) {
		close(ls);
		return NAN;
	}
	int stopfd = new_eventfd();
	const uint64_t LISTEN = ~uint64_t(0) >> 2, STOP = LISTEN - 1;
	if (sp->add(ls, EPOLLIN, LISTEN) || sp->add(stopfd, EPOLLIN, STOP)) {
		*why = "add failed";
		close(ls);
		close(stopfd);
		return NAN;
	}
	std::atomic<bool> server_failed{false};
	std::thread server([&] {
		std::vector<Ev> evs(256);
		std::vector<int> conns;
		char buf[16384];
		bool run = true;
		while (run) {
			int n = sp->wait(evs.data(), int(evs.size()), 5000);
			if (n < 0) {
				server_failed = true;
				break;
			}
			for (int i = 0; i < n; i++) {
				uint64_t d = evs[size_t(i)].data.u64;
				if (d == STOP) {
					run = false;
				} else if (d == LISTEN) {
					for (;;) {
						int c = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
						if (c < 0)
							break;
						setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
						if (sp->add(c, EPOLLIN | EPOLLRDHUP, uint64_t(c))) {
							server_failed = true;
							close(c);
							continue;
						}
						conns.push_back(c);
					}
				} else {
					int c = int(d);
					for (;;) {
						ssize_t r = read(c, buf, sizeof(buf));
						if (r > 0) {
							if (write(c, buf, size_t(r)) < 0 && errno != EAGAIN)
								break;
							if (r == ssize_t(sizeof(buf)))
								continue; // maybe more (edge-triggered backends)
							break;
						}
						// io_uring may still deliver CQEs posted before the
						// DEL: ignore events for connections already closed.
						auto it = std::find(conns.begin(), conns.end(), c);
						if ((r == 0 || errno != EAGAIN) && it != conns.end()) {
							sp->del(c);
							close(c);
							conns.erase(it);
						}
						break;
					}
				}
			}
		}
		for (int c : conns) {
			sp->del(c);
			close(c);
		}
	});

	// Client.
	int cep = epoll_create1(EPOLL_CLOEXEC);
	std::vector<int> cs;
	std::vector<int> got(size_t(C), 0);
	char msg[MSG];
	memset(msg, 'x', sizeof(msg));
	bool ok = true;
	for (int i = 0; i < C && ok; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (sockaddr *)&sa, sizeof(sa))) {
			*why = strf("connect: %s", strerror(errno));
			ok = false;
			if (c >= 0)
				close(c);
			break;
		}
		set_nonblock(c);
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		Ev ev;
		ev.events = EPOLLIN;
		ev.data.u64 = uint64_t(i);
		epoll_ctl(cep, EPOLL_CTL_ADD, c, &ev);
		cs.push_back(c);
	}
	double rps = NAN;
	if (ok) {
		for (int c : cs)
			if (write(c, msg, MSG) != MSG)
				ok = false;
		uint64_t done = 0, done0 = 0;
		uint64_t t_start = ticks();
		uint64_t warm = uint64_t(0.1 * O.echo_ms * 1e6 / g_ns_per_tick);
		uint64_t dur = uint64_t(O.echo_ms * 1e6 / g_ns_per_tick);
		uint64_t t_meas = 0, t_slot = 0, done_slot = 0;
		uint64_t slot = std::max(uint64_t(20e6 / g_ns_per_tick), dur / 15);
		std::vector<double> slots;
		std::vector<Ev> evs(512);
		char buf[4096];
		while (ok) {
			int n = epoll_wait(cep, evs.data(), int(evs.size()), 2000);
			if (n <= 0) {
				*why = "client: no progress for 2s";
				ok = false;
				break;
			}
			for (int i = 0; i < n; i++) {
				size_t k = size_t(evs[size_t(i)].data.u64);
				ssize_t r = read(cs[k], buf, sizeof(buf));
				if (r <= 0) {
					if (r < 0 && errno == EAGAIN)
						continue;
					*why = "client: connection closed";
					ok = false;
					break;
				}
				got[k] += int(r);
				while (got[k] >= MSG) {
					got[k] -= MSG;
					done++;
					if (write(cs[k], msg, MSG) != MSG) {
						ok = false;
						break;
					}
				}
			}
			uint64_t t = ticks();
			if (!t_meas && t - t_start >= warm) {
				t_meas = t_slot = t;
				done0 = done_slot = done;
			}
			// Rate per slot of ~1/15 of the window; the figure is the
			// median slot (robust to the vCPU being descheduled).
			if (t_meas && t - t_slot >= slot) {
				slots.push_back(double(done - done_slot) / (tick_ns(t - t_slot) / 1e9));
				t_slot = t;
				done_slot = done;
			}
			if (t_meas && t - t_meas >= dur) {
				rps = slots.size() >= 3 ? median(slots) : double(done - done0) / (tick_ns(t - t_meas) / 1e9);
				break;
			}
		}
	}
	for (int c : cs)
		close(c);
	close(cep);
	efd_write(stopfd);
	server.join();
	sp.reset();
	close(ls);
	close(stopfd);
	if (server_failed) {
		*why = "server: a wait or ctl failed";
		return NAN;
	}
	return ok ? rps : NAN;
}

void wl_echo()
{
	std::string d = strf(
		"TCP echo over 127.0.0.1: a one-thread server on the backend (accept on readiness, "
		"echo each read), a one-thread client on native epoll with C connections, each with "
		"one 64-byte request in flight; requests/s over %.0f ms after a warm-up (median of "
		"15 slots); %d repetitions.", O.echo_ms, std::min(O.reps, O.echo_reps));
	heading("6", "loopback TCP echo", d.c_str());
	const char *W = "echo";
	for (int C : O.echo_c) {
		std::string cfg = strf("C=%d", C);
		for (int rep = 0; rep < std::min(O.reps, O.echo_reps); rep++) {
			for (auto &b : order(rep)) {
				std::string why;
				double v = echo_run(b, C, &why);
				if (!std::isfinite(v)) {
					R.not_available(W, cfg, "requests/s", "", true, b, why);
					continue;
				}
				R.add(W, cfg, "requests/s", "", true, b, rep, v);
			}
		}
		progress("echo C=%d done", C);
	}
	print_workload(W);
}

// ---------------------------------------------------------------------------
// Summary and files
// ---------------------------------------------------------------------------

void summary_eventpoll2()
{
	struct Row {
		std::string what;
		double ratio; // > 1: eventpoll2 better
		double raw;
	};
	std::vector<Row> rows;
	for (auto &[k, m] : R.metrics) {
		auto &v = R.values[k];
		if (!v.count("eventpoll2") || !v.count("epoll") || v["eventpoll2"].empty() || v["epoll"].empty())
			continue;
		double e2 = median(v["eventpoll2"]), ep = median(v["epoll"]);
		if (!(e2 > 0 && ep > 0))
			continue;
		// Counters such as wake-ups per event are not speeds: skip them.
		if (m.metric == "wakeups/event" || m.metric == "sleeps/event")
			continue;
		double raw = e2 / ep;
		rows.push_back({k.w + " " + k.c + " " + k.m, m.higher_better ? raw : 1 / raw, raw});
	}
	std::sort(rows.begin(), rows.end(), [](auto &a, auto &b) { return a.ratio < b.ratio; });
	out("== eventpoll2 against native epoll, slowest first (speed ratio: >1 faster, <1 slower)\n\n");
	for (auto &r : rows) {
		std::string verdict;
		if (r.ratio < 0.97)
			verdict = strf("%.0f%% slower", (1 / r.ratio - 1) * 100);
		else if (r.ratio > 1.03)
			verdict = strf("%.0f%% faster", (r.ratio - 1) * 100);
		else
			verdict = "same (within 3%)";
		out("  %-48s %6.2f  %s\n", r.what.c_str(), r.ratio, verdict.c_str());
	}
	out("\n");
}

void write_file(const std::string &name, const std::string &content)
{
	std::string path = O.outdir + "/" + name;
	FILE *f = fopen(path.c_str(), "w");
	if (!f) {
		fprintf(stderr, "ep2bench: cannot write %s: %s\n", path.c_str(), strerror(errno));
		return;
	}
	fputs(content.c_str(), f);
	fclose(f);
}

void write_outputs()
{
	mkdir(O.outdir.c_str(), 0755);
	std::map<std::string, std::string> files;
	std::string s = "workload,config,backend,metric,unit,rep,value\n";
	for (auto &l : R.sample_lines)
		s += l + "\n";
	files["samples.csv"] = s;

	s = "workload,config,backend,metric,unit,higher_is_better,n,median,min,max,ratio_vs_epoll,note\n";
	std::vector<std::pair<Results::Key, Metric>> ms(R.metrics.begin(), R.metrics.end());
	std::sort(ms.begin(), ms.end(), [](auto &a, auto &b) { return a.second.seq < b.second.seq; });
	for (auto &[k, m] : ms) {
		auto &vals = R.values[k];
		double ref = vals.count("epoll") && !vals["epoll"].empty() ? median(vals["epoll"]) : NAN;
		for (auto &b : O.backends) {
			if (vals.count(b) && !vals[b].empty()) {
				auto &v = vals[b];
				double md = median(v);
				s += strf("%s,%s,%s,%s,%s,%d,%zu,%.6g,%.6g,%.6g,%.4f,\n", k.w.c_str(), k.c.c_str(),
					  b.c_str(), k.m.c_str(), m.unit.c_str(), m.higher_better, v.size(), md,
					  *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()),
					  ref > 0 ? md / ref : NAN);
			} else {
				std::string why = R.na[k].count(b) ? R.na[k][b] : "no sample";
				std::replace(why.begin(), why.end(), ',', ';');
				s += strf("%s,%s,%s,%s,%s,%d,0,,,,,%s\n", k.w.c_str(), k.c.c_str(), b.c_str(),
					  k.m.c_str(), m.unit.c_str(), m.higher_better, why.c_str());
			}
		}
	}
	files["summary.csv"] = s;

	// Latency distributions: 201 quantiles of all round trips pooled over the
	// repetitions, per channel and backend (CDF plots on the host).
	s = "channel,backend,quantile,ns\n";
	for (auto &[kind, per] : g_lat_pool)
		for (auto &[b, v] : per) {
			std::vector<double> sorted = v;
			std::sort(sorted.begin(), sorted.end());
			for (int i = 0; i <= 200; i++)
				s += strf("%s,%s,%.3f,%.1f\n", kind.c_str(), b.c_str(), i / 200.0,
					  quantile(sorted, i / 200.0));
			// and the extreme tail
			for (double q : {0.999, 0.9999})
				s += strf("%s,%s,%.4f,%.1f\n", kind.c_str(), b.c_str(), q, quantile(sorted, q));
		}
	files["latency_cdf.csv"] = s;
	files["table.txt"] = g_table;

	for (auto &[name, content] : files)
		write_file(name, content);
	if (O.emit) {
		for (auto &[name, content] : files) {
			printf("EP2BENCH-FILE-BEGIN %s\n", name.c_str());
			fputs(content.c_str(), stdout);
			if (!content.empty() && content.back() != '\n')
				putchar('\n');
			printf("EP2BENCH-FILE-END %s\n", name.c_str());
		}
		fflush(stdout);
	}
}

void raise_nofile()
{
	size_t need = 64;
	for (int n : O.ctl_n)
		need = std::max(need, size_t(n));
	for (int n : O.idle_n)
		need = std::max(need, size_t(n));
	need += size_t(O.harvest_m) * O.backends.size() * 1 + 4096;
	rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur >= need)
		return;
	rlimit want_rl{need, std::max<rlim_t>(need, rl.rlim_max)};
	if (setrlimit(RLIMIT_NOFILE, &want_rl)) {
		// Unprivileged: go as high as the hard limit allows.
		want_rl.rlim_cur = want_rl.rlim_max = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &want_rl);
		fprintf(stderr, "ep2bench: RLIMIT_NOFILE limited to %llu (need %zu); large sizes may fail\n",
			(unsigned long long)rl.rlim_max, need);
	}
}

} // namespace

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, nullptr, _IOLBF, 0);
	raise_nofile();
	int pinned_cpu = -1;
	if (O.pin) {
		// Threads created later inherit the mask.
		cpu_set_t set;
		CPU_ZERO(&set);
		pinned_cpu = int(sysconf(_SC_NPROCESSORS_ONLN)) - 1;
		CPU_SET(pinned_cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			pinned_cpu = -1;
	}
	calibrate_ticks();

	utsname u;
	uname(&u);
	uint64_t t_start = mono_ns();
	out("ep2bench: eventpoll2 vs native epoll vs io_uring (multishot poll) vs poll(2)\n");
	out("kernel %s %s, %ld CPUs, mode %s, %d repetitions per backend, interleaved "
	    "(order rotated each repetition), %.0f ms per time-bounded sample\n",
	    u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), O.mode.c_str(), O.reps, O.budget_ms);
	out("every figure: median over repetitions [min, max], ratio = backend median / epoll median\n");
	if (pinned_cpu >= 0)
		out("all threads pinned to CPU %d: under emulation on a shared host a wake-up across vCPUs "
		    "waits for the host to schedule the other vCPU (milliseconds), which drowns what is "
		    "measured here (--cpus=free to spread)\n", pinned_cpu);
	out("timer: TSC, %.3f ns/tick (calibrated against CLOCK_MONOTONIC)\n", g_ns_per_tick);
	if (!ep2_available())
		out("NOTE: /dev/eventpoll2 unavailable (%s): eventpoll2 rows are n/a\n", strerror(errno));
	out("\n");

	std::pair<const char *, void (*)()> wls[] = {{"ctl", wl_ctl}, {"latency", wl_latency},
		{"harvest", wl_harvest}, {"idle", wl_idle}, {"herd", wl_herd}, {"echo", wl_echo}};
	for (auto &[name, fn] : wls) {
		if (!want(name))
			continue;
		uint64_t t0 = mono_ns();
		g_progress_t = t0;
		fn();
		g_wl_secs.push_back(strf("%s %.0fs", name, double(mono_ns() - t0) / 1e9));
	}
	summary_eventpoll2();
	std::string secs;
	for (auto &x : g_wl_secs)
		secs += (secs.empty() ? "" : ", ") + x;
	out("ep2bench: done in %.1f s (%s)\n", double(mono_ns() - t_start) / 1e9, secs.c_str());
	g_pool.close_all();
	write_outputs();
	return 0;
}
