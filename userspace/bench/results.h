// SPDX-License-Identifier: GPL-2.0
// ep2bench: the results: every sample, the table on stdout (also table.txt),
// samples.csv, summary.csv, and the eventpoll2-against-epoll summary.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "timing.h"

namespace ep2bench {

// One measured quantity of a configuration of a workload.
struct Metric {
	std::string name, unit; // unit "ns" prints as a duration
	bool higher_better;
};

struct Results {
	struct Key {
		std::string w, c, m;
		bool operator<(const Key &o) const;
	};
	// One line of the table / of summary.csv: a metric of one backend.
	struct Figure {
		const Key &key;
		const Metric &metric;
		const std::string &backend;
		Stats s;         // s.n == 0: n/a
		std::string why; // the reason when n/a
		double ref;      // epoll's median (NAN: none)
	};

	std::map<Key, std::pair<Metric, int>> metrics; // with the order of first appearance
	std::map<Key, std::map<std::string, std::vector<double>>> values;
	std::map<Key, std::map<std::string, std::string>> na; // backend -> reason
	std::map<std::string, std::vector<std::string>> backends; // workload -> the backends it ran
	std::vector<std::string> sample_lines;
	int seq = 0;

	void declare(const std::string &w, const std::string &c, const Metric &m);
	void add(const std::string &w, const std::string &c, const Metric &m, const std::string &backend,
		 int rep, double v);
	void not_available(const std::string &w, const std::string &c, const Metric &m,
			   const std::string &backend, const std::string &why);
	// Every figure in the order of first appearance (of workload w, or all
	// when w is empty), for each metric its workload's backends in order.
	void each_figure(const std::string &w, const std::function<void(const Figure &)> &fn);
};
extern Results R;

// Printed as the table (stdout and table.txt).
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// Progress lines on stderr (not part of the table).
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern uint64_t g_progress_t;

void heading(int number, const std::string &title, const std::string &desc);
void print_workload(const std::string &w);
// The speed ratios of `backend` against epoll, slowest first (skipped for a
// variant that ran nowhere).
void summary_vs_epoll(const std::string &backend);
// Writes files (name -> content) plus samples.csv, summary.csv and
// table.txt into the output directory (and with --emit on stdout).
void write_outputs(std::map<std::string, std::string> files);

} // namespace ep2bench
