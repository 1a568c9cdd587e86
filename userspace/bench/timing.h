// SPDX-License-Identifier: GPL-2.0
// ep2bench: clocks, robust loop timing and the statistics of samples.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ep2bench {

uint64_t mono_ns();

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

extern double g_ns_per_tick;
void calibrate_ticks();
inline double tick_ns(uint64_t t) { return double(t) * g_ns_per_tick; }
inline uint64_t ms_ticks(double ms) { return uint64_t(ms * 1e6 / g_ns_per_tick); }

double median(std::vector<double> v);
// Quantile of sorted data, linear interpolation.
double quantile(const std::vector<double> &sorted, double q);

// What a figure is made of: the repetitions' samples of one backend.
struct Stats {
	size_t n = 0;
	double median = NAN, min = NAN, max = NAN;
};
Stats stats(const std::vector<double> &v);

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
	uint64_t budget = ms_ticks(budget_ms);
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

} // namespace ep2bench
