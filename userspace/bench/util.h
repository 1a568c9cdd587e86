// SPDX-License-Identifier: GPL-2.0
// ep2bench: small utilities shared by every file (errors, formatting, fds).
#pragma once

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <string>
#include <vector>

namespace ep2bench {

[[noreturn]] void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string vstrf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

// Number of events and the like with SI suffix, 4 significant digits.
std::string human(double v);
// A size for labels: 10, 1k, 1.5k, 100k, 1M.
std::string count_str(long n);
// Durations given in ns, printed in the unit that fits.
std::string human_ns(double ns);

std::vector<int> parse_ints(const std::string &s);
std::vector<std::string> split(const std::string &s);

void set_nonblock(int fd);
int new_eventfd(bool nonblock = true);
void efd_write(int fd, uint64_t v = 1);
uint64_t efd_read(int fd);

// A pool of idle, non-blocking eventfds, grown on demand, shared by workloads.
struct FdPool {
	std::vector<int> fds;
	const std::vector<int> &get(size_t n);
	void close_all();
};
extern FdPool g_pool;

// Simple spinning barrier (no futex sleep, so no context switch counted).
struct SpinBarrier {
	std::atomic<int> n{0};
	int want;
	explicit SpinBarrier(int w) : want(w) {}
	void arrive_and_wait();
};

} // namespace ep2bench
