// SPDX-License-Identifier: GPL-2.0
// ep2bench workload 6: loopback TCP echo.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_loop.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {
namespace {

const int MSG = 64;

/*
 * Server: one thread, one instance of the backend; accept loop on readiness,
 * echo what arrives.  Client: one thread on native epoll (the same for every
 * backend), C connections with one 64-byte request in flight each.
 * Returns requests/s (NAN on failure, *why set) and sets *sys_per_req to the
 * server's system calls per request over the measured window: its poller's
 * kernel entries plus the accept4/read/write calls of its loop.
 */
double echo_run(const std::string &backend, int C, std::string *why, double *sys_per_req)
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
	// The server's system calls so far (published by it after each wait and
	// each event handled; read by the client at the window's ends).
	std::atomic<uint64_t> srv_sys{0};
	std::thread server([&] {
		uint64_t io_calls = 0;
		std::vector<Ev> evs(256);
		std::vector<int> conns;
		char buf[16384];
		bool run = true;
		while (run) {
			int n = sp->wait(evs.data(), int(evs.size()), 5000);
			srv_sys.store(sp->syscalls() + io_calls, std::memory_order_relaxed);
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
						io_calls++;
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
						io_calls++;
						ssize_t r = read(c, buf, sizeof(buf));
						if (r > 0) {
							io_calls++;
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
				// Per event: the client may preempt the server mid-batch.
				srv_sys.store(sp->syscalls() + io_calls, std::memory_order_relaxed);
			}
		}
		for (int c : conns) {
			sp->del(c);
			close(c);
		}
	});

	// Client (echo_loop.cpp, the same for every echo workload).
	uint64_t sys0 = 0;
	double rps = echo_client_run(sa, C, why,
				     [&] { sys0 = srv_sys.load(std::memory_order_relaxed); },
				     [&](uint64_t requests) {
					     *sys_per_req = double(srv_sys.load(std::memory_order_relaxed) - sys0) /
							    double(std::max<uint64_t>(requests, 1));
				     });
	bool ok = std::isfinite(rps);
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

void run(Run &r)
{
	for (int C : O.echo_c) {
		Config c{strf("C=%d", C), {{"requests/s", "", true}, {"syscalls/request", "", false}}, {},
			 std::min(O.reps, O.echo_reps)};
		r.measure(c, [&](const std::string &b, int) {
			std::string why;
			double spr = NAN;
			double v = echo_run(b, C, &why, &spr);
			if (!std::isfinite(v))
				return Sample::na(why);
			return Sample{v, spr};
		});
	}
}

const WorkloadReg reg{{
	"echo", 6, "loopback TCP echo",
	[] {
		return strf(
			"TCP echo over 127.0.0.1: a one-thread server on the backend (accept on readiness, "
			"echo each read), a one-thread client on native epoll with C connections, each with "
			"one 64-byte request in flight; requests/s over %.0f ms after a warm-up (median of "
			"15 slots); %d repetitions. syscalls/request: the server's (its backend's kernel entries plus its "
			"accept4/read/write calls) per request over the window. eventpoll2+ring and io_uring register "
			"edge-triggered, the others level-triggered.", O.echo_ms, std::min(O.reps, O.echo_reps));
	},
	run, {}, {"eventpoll2+ring", "eventpoll2+keyring"},
}};

} // namespace
} // namespace ep2bench
