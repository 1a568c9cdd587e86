// SPDX-License-Identifier: GPL-2.0
/*
 * ep2demo - eventpoll2 at work, through the C++ API (eventpoll2.hpp): one
 * instance watching a unix socketpair (ET), a pipe and an eventfd (LT); each
 * is made ready in turn and what a wait reports is printed, then the
 * instance's fdinfo.
 */
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eventpoll2.hpp"

using namespace std::chrono_literals;
using ep2::Events;

namespace {

const char *const names[] = {"socketpair[0]", "pipe (read end)", "eventfd"};

[[noreturn]] void die(const char *what, std::error_code ec)
{
	std::cerr << "ep2demo: " << what << ": " << ec.message() << "\n";
	std::exit(1);
}

void must(bool ok, const char *what)
{
	if (!ok)
		die(what, std::error_code(errno, std::generic_category()));
}

void show(ep2::Instance &ep, const char *step)
{
	std::array<epoll_event, 8> evs{};
	auto n = ep.wait(evs, 1000ms);
	if (!n)
		die("wait", n.error());
	std::printf("  %-34s -> %zu event(s):", step, *n);
	for (std::size_t i = 0; i < *n; i++) {
		auto e = Events(evs[i].events);
		std::printf(" [%s:%s%s%s]", names[evs[i].data.u64], has(e, Events::in) ? " IN" : "",
			    has(e, Events::out) ? " OUT" : "", has(e, Events::hup) ? " HUP" : "");
	}
	std::printf("\n");
}

} // namespace

int main()
{
	auto created = ep2::Instance::create();
	if (!created)
		die("create (is the module loaded?)", created.error());
	ep2::Instance ep = std::move(*created);

	char link[256] = {};
	std::string path = "/proc/self/fd/" + std::to_string(ep.fd());
	must(readlink(path.c_str(), link, sizeof(link) - 1) > 0, "readlink");
	std::printf("eventpoll2 demo (C++ API): instance fd %d is %s\n", ep.fd(), link);

	int sv[2], pfd[2];
	must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	must(pipe(pfd) == 0, "pipe");
	int efd = eventfd(0, 0);
	must(efd >= 0, "eventfd");

	const int fds[] = {sv[0], pfd[0], efd};
	for (std::uint64_t i = 0; i < 3; i++) {
		Events want = i == 0 ? Events::in | Events::et : Events::in;
		if (auto ec = ep.add(fds[i], want, i))
			die("add", ec);
	}
	std::printf("watching: socketpair (ET), pipe (LT), eventfd (LT)\n");

	std::uint64_t one = 1;
	char c;
	must(write(sv[1], "ping", 4) == 4, "write");
	show(ep, "write 4 bytes to the socket peer");
	show(ep, "wait again (ET: nothing new)");
	must(write(pfd[1], "x", 1) == 1, "write");
	show(ep, "write to the pipe");
	show(ep, "wait again (LT: still readable)");
	must(read(pfd[0], &c, 1) == 1, "read");
	must(write(efd, &one, sizeof(one)) == sizeof(one), "write");
	show(ep, "drain pipe, signal the eventfd");
	close(pfd[1]);
	must(read(efd, &one, sizeof(one)) == sizeof(one), "read");
	show(ep, "close the pipe's write end");

	std::printf("fdinfo of the instance:\n");
	std::ifstream info("/proc/self/fdinfo/" + std::to_string(ep.fd()));
	for (std::string line; std::getline(info, line);)
		std::printf("  %s\n", line.c_str());
	std::printf("eventpoll2 demo: done\n");
	return 0;
}
