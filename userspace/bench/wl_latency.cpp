// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 2: wake-up latency (ping-pong); also latency_cdf.csv.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

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
	uint64_t budget = ms_ticks(O.budget_ms);
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

void run(Run &r)
{
	for (std::string kind : {"eventfd", "pipe", "unix"}) {
		Config c{kind, {{"p50 round trip", "ns", false}, {"p99 round trip", "ns", false}}};
		r.measure(c, [&](const std::string &b, int) {
			std::string why;
			auto rt = pingpong(b, kind, &why);
			if (rt.empty())
				return Sample::na(why);
			std::sort(rt.begin(), rt.end());
			auto &pool = g_lat_pool[kind][b];
			pool.insert(pool.end(), rt.begin(), rt.end());
			return Sample{quantile(rt, 0.5), quantile(rt, 0.99)};
		});
	}
}

// Latency distributions: 201 quantiles of all round trips pooled over the
// repetitions, per channel and backend (CDF plots on the host).
void files(std::map<std::string, std::string> &f)
{
	std::string s = "channel,backend,quantile,ns\n";
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
	f["latency_cdf.csv"] = s;
}

const WorkloadReg reg{{
	"latency", 2, "wake-up latency",
	[] {
		return std::string(
			"Two threads ping-pong one message over an eventfd pair, a pipe pair or a unix "
			"socketpair, each blocked in the wait of its own instance until its end is readable; "
			"round-trip time percentiles (median over repetitions of each repetition's p50/p99; "
			"p99 under emulation is mostly the host descheduling the vCPU).");
	},
	run, {}, {"eventpoll2+ring"}, files,
}};

} // namespace
} // namespace ep2bench
