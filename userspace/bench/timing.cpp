// SPDX-License-Identifier: GPL-2.0
// ep2bench: clocks and statistics (see timing.h).
#include "timing.h"

#include <time.h>
#include <unistd.h>

namespace ep2bench {

double g_ns_per_tick = 1.0;

uint64_t mono_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

void calibrate_ticks()
{
	uint64_t n0 = mono_ns(), t0 = ticks();
	usleep(100000);
	uint64_t n1 = mono_ns(), t1 = ticks();
	if (t1 > t0 && n1 > n0)
		g_ns_per_tick = double(n1 - n0) / double(t1 - t0);
}

double median(std::vector<double> v)
{
	if (v.empty())
		return NAN;
	std::sort(v.begin(), v.end());
	size_t n = v.size();
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

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

Stats stats(const std::vector<double> &v)
{
	Stats s;
	s.n = v.size();
	if (v.empty())
		return s;
	s.median = median(v);
	s.min = *std::min_element(v.begin(), v.end());
	s.max = *std::max_element(v.begin(), v.end());
	return s;
}

} // namespace ep2bench
