// SPDX-License-Identifier: GPL-2.0
/*
 * ep2bench: workloads and the method.  A workload is one file wl_*.cpp
 * holding a `const WorkloadReg` (see README.md, "Adding a workload / a
 * backend"): its name, number and title, a description for the table, the
 * backends it runs, and a run function that calls Run::measure() once per
 * configuration with a function measuring one sample of one backend.
 * Run::measure() is the method, written once: the repetitions, the
 * backends interleaved and rotated, the samples recorded (median, min and
 * max are taken from them by results.cpp).
 */
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "options.h"
#include "poller.h"
#include "results.h"

namespace ep2bench {

// One sample of one backend: a value per metric of the configuration, in
// their order, or the reason there is none (all its metrics are n/a).
struct Sample {
	std::vector<double> values;
	std::string why;
	Sample(std::initializer_list<double> v) : values(v) {}
	static Sample na(std::string why)
	{
		Sample s{};
		s.why = std::move(why);
		return s;
	}
};

// One configuration of a workload (a group of rows of the table).
struct Config {
	std::string name;             // the config column, e.g. "N=1k"
	std::vector<Metric> metrics;
	std::vector<Feature> need = {}; // backends lacking one are n/a (not sampled)
	int reps = 0;                 // 0: --reps
};

using SampleFn = std::function<Sample(const std::string &backend, int rep)>;

class Run {
public:
	Run(std::string workload, std::vector<std::string> backends)
		: workload_(std::move(workload)), backends_(std::move(backends))
	{
	}
	// The backends this workload runs, in the order of --backends.
	const std::vector<std::string> &backends() const { return backends_; }
	// The method: c.reps repetitions; in each, sample() once per backend
	// (those c.need rules out are n/a), the order rotated by one from one
	// repetition to the next (A B C D, B C D A, ...); every value recorded.
	void measure(const Config &c, const SampleFn &sample);

private:
	std::string workload_;
	std::vector<std::string> backends_;
};

// An option of one workload, --NAME=ARG (parsed with its value as text).
struct WorkloadOption {
	std::string name, arg, help; // "harvest-only-k", "LIST", the --help text
	std::function<void(const std::string &value)> set;
	// Optional: sets the default of a mode ("default", "quick", "full").
	std::function<void(const std::string &mode)> preset = {};
};

struct Workload {
	std::string name;  // for --workloads and the workload column
	int number;        // heading number and place in the run order
	std::string title;
	std::function<std::string()> describe; // the text under the heading
	std::function<void(Run &)> run;
	// The backends it runs, in this order, unless --backends names some (then
	// those of them it names, in that order); empty: every by_default one.
	// Name epoll too for the ratios.
	std::vector<std::string> backends = {};
	// With backends empty: variants that are not by_default it runs too
	// (in rank order among the default ones), e.g. {"eventpoll2+ring"}.
	std::vector<std::string> also = {};
	// Optional: files it adds to the output, called whether it ran or not.
	std::function<void(std::map<std::string, std::string> &files)> files = {};
	std::vector<WorkloadOption> options = {};
};

struct WorkloadReg {
	explicit WorkloadReg(Workload w);
};

std::vector<const Workload *> all_workloads(); // by number
const Workload *find_workload(const std::string &name);
// Runs the selected workloads (heading, measurements, table), then the
// summary (total time since t_start, mono_ns()), and writes the output files.
void run_workloads(uint64_t t_start);

} // namespace ep2bench
