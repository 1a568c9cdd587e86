// SPDX-License-Identifier: GPL-2.0
// ep2bench: command line options and the sizes of each mode.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace ep2bench {

struct Opts {
	std::string mode = "default";
	std::vector<std::string> backends; // --backends, default: every by_default backend
	bool backends_given = false;
	std::set<std::string> workloads;   // empty: all
	int reps = 5;
	double budget_ms = 100;   // time per sample of time-bounded loops
	std::string outdir = "/tmp/ep2bench";
	bool emit = false;
	bool pin = true;          // all threads on one CPU
	std::vector<int> ctl_n = {1000, 10000};
	int harvest_m = 10000;
	std::vector<int> harvest_k = {1, 64, 1024};
	std::vector<int> idle_n = {10, 1000, 10000, 100000};
	int herd_threads = 4;
	std::vector<int> echo_c = {1, 50, 300};
	double echo_ms = 300;
	int echo_reps = 3;        // connection set-up is slow under TCG
	int lat_max = 20000;      // round trips per latency sample at most
};
extern Opts O;

void parse_args(int argc, char **argv);
// Raises RLIMIT_NOFILE to what the sizes in O need.
void raise_nofile();

} // namespace ep2bench
