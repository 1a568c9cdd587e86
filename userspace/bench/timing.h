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

// The batching under run_for and run_for_parts: batch(n, &t) runs n
// iterations (false: failure) and sets t to the ticks its timed parts took;
// about budget_ms of batches after an untimed warm-up (under TCG the first
// runs of a code path translate it), at least min_iters iterations.
template <class B>
Timed run_batches(double budget_ms, uint64_t min_iters, B &&batch)
{
	Timed r;
	uint64_t budget = ms_ticks(budget_ms);
	uint64_t w0 = ticks(), w = 0, t;
	while (w < 20 && (ticks() - w0 < budget / 10 || w < 2)) {
		if (!batch(1, &t))
			return r;
		w++;
	}
	double est = tick_ns(ticks() - w0) / double(w); // ns per iteration
	uint64_t n = std::max<uint64_t>(1, uint64_t(BATCH_NS / std::max(est, 1.0)));
	std::vector<double> per;
	uint64_t t0 = ticks();
	do {
		if (!batch(n, &t))
			return r;
		per.push_back(tick_ns(t) / double(n));
		r.iters += n;
	} while (ticks() - t0 < budget || r.iters < min_iters);
	r.per_iter_ns = median(per);
	r.ok = true;
	return r;
}

// Times fn() (false: failure), a whole batch of calls at a time.
template <class F>
Timed run_for(double budget_ms, uint64_t min_iters, F &&fn)
{
	return run_batches(budget_ms, min_iters, [&](uint64_t n, uint64_t *t) {
		uint64_t b0 = ticks();
		for (uint64_t i = 0; i < n; i++)
			if (!fn())
				return false;
		*t = ticks() - b0;
		return true;
	});
}

// Times timed() only, each call after an untimed prepare() (both false:
// failure); costs two clock reads per iteration, so for iterations well
// above a microsecond (a harvest of K events made ready by prepare()).
template <class P, class F>
Timed run_for_parts(double budget_ms, uint64_t min_iters, P &&prepare, F &&timed)
{
	return run_batches(budget_ms, min_iters, [&](uint64_t n, uint64_t *t) {
		*t = 0;
		for (uint64_t i = 0; i < n; i++) {
			if (!prepare())
				return false;
			uint64_t c0 = ticks();
			if (!timed())
				return false;
			*t += ticks() - c0;
		}
		return true;
	});
}

} // namespace ep2bench
