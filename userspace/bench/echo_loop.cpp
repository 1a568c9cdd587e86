// SPDX-License-Identifier: GPL-2.0
// ep2bench: the echo harness of workloads 12 and 13 (see echo_loop.h).
#include "echo_loop.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "batch.h"
#include "options.h"
#include <cstdio>
#include "timing.h"
#include "util.h"

namespace ep2bench {

namespace {
const int MSG = 64;
}

double echo_client_run(const sockaddr_in &sa, int C, std::string *why,
		       const std::function<void()> &at_start,
		       const std::function<void(uint64_t requests)> &at_end)
{
	const int one = 1;
	int cep = epoll_create1(EPOLL_CLOEXEC);
	std::vector<int> cs;
	std::vector<int> got(size_t(C), 0);
	char msg[MSG];
	memset(msg, 'x', sizeof(msg));
	bool ok = true;
	for (int i = 0; i < C && ok; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (const sockaddr *)&sa, sizeof(sa))) {
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
		uint64_t warm = ms_ticks(0.1 * O.echo_ms);
		uint64_t dur = ms_ticks(O.echo_ms);
		uint64_t t_meas = 0, t_slot = 0, done_slot = 0;
		uint64_t slot = std::max(ms_ticks(20), dur / 15);
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
				at_start();
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
				at_end(done - done0);
				break;
			}
		}
	}
	for (int c : cs)
		close(c);
	close(cep);
	return ok ? rps : NAN;
}

bool echo_loop_run(const std::string &backend, int C, const EchoLoop &how, EchoStats *st, std::string *why)
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
	if (bind(ls, (sockaddr *)&sa, sizeof(sa)) || listen(ls, 1024))
		die("bind/listen 127.0.0.1: %s", strerror(errno));
	socklen_t sl = sizeof(sa);
	getsockname(ls, (sockaddr *)&sa, &sl);

	auto sp = make_poller(backend, why);
	if (!sp) {
		close(ls);
		return false;
	}
	fprintf(stderr, "  .. .. echo %s C=%d\n", backend.c_str(), C);
	BatchCtl *bc = dynamic_cast<BatchCtl *>(sp.get());
	MinWaitCap *mw = dynamic_cast<MinWaitCap *>(sp.get());
	if (how.min_events > 1 && !mw && backend.find('+') != std::string::npos) {
		*why = "no min-wait";
		close(ls);
		return false;
	}
	int stopfd = new_eventfd();
	const uint64_t LISTEN = ~uint64_t(0) >> 2, STOP = LISTEN - 1;
	if (sp->add(ls, EPOLLIN, LISTEN) || sp->add(stopfd, EPOLLIN, STOP)) {
		*why = "add failed";
		close(ls);
		close(stopfd);
		return false;
	}
	const uint32_t conn_ev = how.oneshot ? EPOLLIN | EPOLLONESHOT : EPOLLIN;
	std::atomic<bool> server_failed{false}, counting{false}, stop{false}, server_done{false};
	EchoStats srv;
	std::thread server([&] {
		std::vector<Ev> evs(256);
		std::vector<int> conns;
		std::vector<Change> rearm;
		char buf[16384];
		bool run = true;
		std::vector<uint64_t> partial; // bytes of a request not yet complete, by fd
		rusage r0{}, r1{};
		bool started = false;
		while (run && !stop.load(std::memory_order_relaxed)) {
			if (!started && counting.load(std::memory_order_relaxed)) {
				started = true;
				srv = EchoStats{};
				getrusage(RUSAGE_THREAD, &r0);
			}
			int n;
			if (!rearm.empty() && bc) {
				n = bc->ctl_wait(rearm.data(), int(rearm.size()), evs.data(), int(evs.size()), 1000);
				srv.poll_calls++;
			} else {
				for (auto &c : rearm) {
					if (sp->mod(c.fd, c.events, c.data))
						server_failed = true;
					srv.poll_calls++;
				}
				if (how.min_events > 1 && mw)
					n = mw->wait_min(evs.data(), int(evs.size()), 1000, how.min_events, how.min_wait_ns);
				else
					n = sp->wait(evs.data(), int(evs.size()), 1000);
				srv.poll_calls++;
			}
			rearm.clear();
			srv.waits++;
			if (n < 0) {
				server_failed = true;
				break;
			}
			srv.events += uint64_t(n);
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
						if (sp->add(c, conn_ev | EPOLLRDHUP, uint64_t(c))) {
							server_failed = true;
							close(c);
							continue;
						}
						conns.push_back(c);
					}
				} else {
					int c = int(d);
					bool keep = true;
					for (;;) {
						ssize_t r = read(c, buf, sizeof(buf));
						if (r > 0) {
							if (write(c, buf, size_t(r)) < 0 && errno != EAGAIN)
								break;
							if (size_t(c) >= partial.size())
								partial.resize(size_t(c) + 1024, 0);
							partial[size_t(c)] += uint64_t(r);
							srv.requests += partial[size_t(c)] / MSG;
							partial[size_t(c)] %= MSG;
							if (r == ssize_t(sizeof(buf)))
								continue;
							break;
						}
						auto it = std::find(conns.begin(), conns.end(), c);
						if ((r == 0 || errno != EAGAIN) && it != conns.end()) {
							sp->del(c);
							close(c);
							conns.erase(it);
							keep = false;
						}
						break;
					}
					if (keep && how.oneshot)
						rearm.push_back(Change{EPOLL_CTL_MOD, c, conn_ev | EPOLLRDHUP, uint64_t(c)});
				}
			}
		}
		getrusage(RUSAGE_THREAD, &r1);
		srv.nvcsw = uint64_t(std::max<long>(0, r1.ru_nvcsw - r0.ru_nvcsw));
		srv.nivcsw = uint64_t(std::max<long>(0, r1.ru_nivcsw - r0.ru_nivcsw));
		for (int c : conns) {
			sp->del(c);
			close(c);
		}
		server_done = true;
	});

	// Client: workload 6's, on native epoll.
	uint64_t requests_client = 0;
	double rps = echo_client_run(sa, C, why, [&] { counting = true; },
				     [&](uint64_t n) { requests_client = n; });
	bool ok = std::isfinite(rps);
	efd_write(stopfd);
	/*
	 * The server stops on that event; should it not see it within 3 s,
	 * a flag stops it (within a wait timeout) and the run says so.
	 */
	uint64_t t_stop = mono_ns();
	while (!server_done && mono_ns() - t_stop < 3000000000ull)
		usleep(10000);
	if (!server_done) {
		stop = true;
		fprintf(stderr, "  .. .. %s C=%d: the server saw no STOP event in 3 s\n", backend.c_str(), C);
	}
	server.join();
	sp.reset();
	close(ls);
	close(stopfd);
	if (server_failed) {
		*why = "server: a wait or ctl failed";
		return false;
	}
	if (!ok || !std::isfinite(rps))
		return false;
	(void)requests_client;
	*st = srv;
	st->rps = rps;
	if (!st->requests) {
		*why = "server: no requests counted";
		return false;
	}
	return true;
}

} // namespace ep2bench
