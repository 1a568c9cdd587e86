// SPDX-License-Identifier: GPL-2.0
// ep2bench: small utilities (see util.h).
#include "util.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace ep2bench {

FdPool g_pool;

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ep2bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

std::string vstrf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(nullptr, 0, fmt, ap2);
	va_end(ap2);
	std::string s(size_t(std::max(n, 0)) + 1, '\0');
	vsnprintf(&s[0], s.size(), fmt, ap);
	s.resize(size_t(std::max(n, 0)));
	return s;
}

std::string strf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	std::string s = vstrf(fmt, ap);
	va_end(ap);
	return s;
}

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
	if (a > 0 && a < 0.1)
		return strf("%.3g", v); // per-event counters: 0.000977
	if (a >= 100)
		return strf("%.1f%s", v, suf[i]);
	if (a >= 10)
		return strf("%.2f%s", v, suf[i]);
	return strf("%.3f%s", v, suf[i]);
}

std::string count_str(long n)
{
	if (n >= 1000000 && n % 100000 == 0)
		return strf("%gM", double(n) / 1e6);
	if (n >= 1000 && n % 100 == 0)
		return strf("%gk", double(n) / 1e3);
	return strf("%ld", n);
}

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

std::vector<int> parse_ints(const std::string &s)
{
	std::vector<int> v;
	for (std::string t : split(s)) {
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
	}
	if (v.empty())
		die("bad number list: %s", s.c_str());
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

void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die("fcntl: %s", strerror(errno));
}

int new_eventfd(bool nonblock)
{
	int fd = eventfd(0, EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0));
	if (fd < 0)
		die("eventfd: %s (raise RLIMIT_NOFILE?)", strerror(errno));
	return fd;
}

void efd_write(int fd, uint64_t v)
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

const std::vector<int> &FdPool::get(size_t n)
{
	fds.reserve(n);
	while (fds.size() < n)
		fds.push_back(new_eventfd());
	return fds;
}

void FdPool::close_all()
{
	for (int fd : fds)
		close(fd);
	fds.clear();
}

void SpinBarrier::arrive_and_wait()
{
	n.fetch_add(1);
	while (n.load() < want)
		sched_yield();
}

} // namespace ep2bench
