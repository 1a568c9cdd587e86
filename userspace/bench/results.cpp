// SPDX-License-Identifier: GPL-2.0
// ep2bench: results, table and files (see results.h).
#include "results.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <tuple>

#include <sys/stat.h>

#include "options.h"
#include "util.h"

namespace ep2bench {

Results R;
uint64_t g_progress_t = 0;

namespace {
std::string g_table; // everything printed as the table (also table.txt)

std::string fmt_value(double v, const std::string &unit)
{
	if (unit == "ns")
		return human_ns(v);
	return human(v);
}
} // namespace

bool Results::Key::operator<(const Key &o) const
{
	return std::tie(w, c, m) < std::tie(o.w, o.c, o.m);
}

void Results::declare(const std::string &w, const std::string &c, const Metric &m)
{
	Key k{w, c, m.name};
	if (!metrics.count(k))
		metrics.emplace(k, std::make_pair(m, seq++));
}

void Results::add(const std::string &w, const std::string &c, const Metric &m,
		  const std::string &backend, int rep, double v)
{
	declare(w, c, m);
	values[Key{w, c, m.name}][backend].push_back(v);
	sample_lines.push_back(strf("%s,%s,%s,%s,%s,%d,%.6g", w.c_str(), c.c_str(), backend.c_str(),
				    m.name.c_str(), m.unit.c_str(), rep, v));
}

void Results::not_available(const std::string &w, const std::string &c, const Metric &m,
			    const std::string &backend, const std::string &why)
{
	declare(w, c, m);
	na[Key{w, c, m.name}][backend] = why;
}

void Results::each_figure(const std::string &w, const std::function<void(const Figure &)> &fn)
{
	std::vector<std::pair<Key, std::pair<Metric, int>>> ms;
	for (auto &kv : metrics)
		if (w.empty() || kv.first.w == w)
			ms.push_back(kv);
	std::sort(ms.begin(), ms.end(), [](auto &a, auto &b) { return a.second.second < b.second.second; });
	for (auto &[k, mi] : ms) {
		auto &vals = values[k];
		double ref = median(vals["epoll"]);
		for (auto &b : backends[k.w]) {
			Stats s = stats(vals[b]);
			std::string why;
			if (!s.n)
				why = na[k].count(b) ? na[k][b] : "no sample";
			fn(Figure{k, mi.first, b, s, why, ref});
		}
	}
}

void out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	std::string s = vstrf(fmt, ap);
	va_end(ap);
	fputs(s.c_str(), stdout);
	fflush(stdout);
	g_table += s;
}

void progress(const char *fmt, ...)
{
	uint64_t now = mono_ns();
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "  .. ");
	vfprintf(stderr, fmt, ap);
	if (g_progress_t)
		fprintf(stderr, " (%.1fs)", double(now - g_progress_t) / 1e9);
	fprintf(stderr, "\n");
	va_end(ap);
	g_progress_t = now;
}

void heading(int number, const std::string &title, const std::string &d)
{
	out("== %d. %s\n", number, title.c_str());
	// Wrap the description at ~76 columns.
	std::string line;
	size_t i = 0;
	while (i < d.size()) {
		size_t j = d.find(' ', i);
		if (j == std::string::npos)
			j = d.size();
		std::string word = d.substr(i, j - i);
		if (line.size() + word.size() + 1 > 76) {
			out("   %s\n", line.c_str());
			line.clear();
		}
		line += (line.empty() ? "" : " ") + word;
		i = j + 1;
	}
	if (!line.empty())
		out("   %s\n", line.c_str());
	out("\n");
}

// The table of one workload: a line per (config, metric, backend).
void print_workload(const std::string &w)
{
	int bw = 11; // the backend column: wider for longer (variant) names
	for (auto &b : R.backends[w])
		bw = std::max(bw, int(b.size()));
	out("  %-22s %-18s %-*s %10s %10s %10s  %-9s\n", "config", "metric", bw, "backend", "median",
	    "min", "max", "vs epoll");
	std::string last;
	R.each_figure(w, [&](const Results::Figure &f) {
		const Metric &m = f.metric;
		std::string cfg = (f.key.c + "|" + f.key.m) == last ? "" : f.key.c;
		std::string met = cfg.empty() ? "" : m.name + (m.unit == "ns" ? "" : " " + m.unit);
		last = f.key.c + "|" + f.key.m;
		if (!f.s.n) {
			out("  %-22s %-18s %-*s %10s  (%s)\n", cfg.c_str(), met.c_str(), bw, f.backend.c_str(),
			    "n/a", f.why.c_str());
			return;
		}
		std::string ratio = "";
		if (std::isfinite(f.ref) && f.ref > 0)
			ratio = strf("%.2fx", f.s.median / f.ref);
		out("  %-22s %-18s %-*s %10s %10s %10s  %-6s %s\n", cfg.c_str(), met.c_str(), bw,
		    f.backend.c_str(), fmt_value(f.s.median, m.unit).c_str(),
		    fmt_value(f.s.min, m.unit).c_str(), fmt_value(f.s.max, m.unit).c_str(), ratio.c_str(),
		    f.backend == "epoll" ? (m.higher_better ? "(higher is better)" : "(lower is better)") : "");
	});
	out("\n");
}

void summary_vs_epoll(const std::string &backend)
{
	struct Row {
		std::string what;
		double ratio; // > 1: eventpoll2 better
		double raw;
	};
	std::vector<Row> rows;
	for (auto &[k, mi] : R.metrics) {
		const Metric &m = mi.first;
		auto &v = R.values[k];
		double e2 = median(v[backend]), ep = median(v["epoll"]);
		if (!(e2 > 0 && ep > 0))
			continue;
		// Counters such as wake-ups per event are not speeds: skip them.
		if (m.name == "wakeups/event" || m.name == "sleeps/event" ||
		    m.name.rfind("syscalls/", 0) == 0)
			continue;
		double raw = e2 / ep;
		rows.push_back({k.w + " " + k.c + " " + k.m, m.higher_better ? raw : 1 / raw, raw});
	}
	if (rows.empty() && backend != "eventpoll2")
		return;
	std::sort(rows.begin(), rows.end(), [](auto &a, auto &b) { return a.ratio < b.ratio; });
	out("== %s against native epoll, slowest first (speed ratio: >1 faster, <1 slower)\n\n",
	    backend.c_str());
	for (auto &r : rows) {
		std::string verdict;
		if (r.ratio < 0.97)
			verdict = strf("%.0f%% slower", (1 / r.ratio - 1) * 100);
		else if (r.ratio > 1.03)
			verdict = strf("%.0f%% faster", (r.ratio - 1) * 100);
		else
			verdict = "same (within 3%)";
		out("  %-48s %6.2f  %s\n", r.what.c_str(), r.ratio, verdict.c_str());
	}
	out("\n");
}

namespace {
void write_file(const std::string &name, const std::string &content)
{
	std::string path = O.outdir + "/" + name;
	FILE *f = fopen(path.c_str(), "w");
	if (!f) {
		fprintf(stderr, "ep2bench: cannot write %s: %s\n", path.c_str(), strerror(errno));
		return;
	}
	fputs(content.c_str(), f);
	fclose(f);
}
} // namespace

void write_outputs(std::map<std::string, std::string> files)
{
	mkdir(O.outdir.c_str(), 0755);
	std::string s = "workload,config,backend,metric,unit,rep,value\n";
	for (auto &l : R.sample_lines)
		s += l + "\n";
	files["samples.csv"] = s;

	s = "workload,config,backend,metric,unit,higher_is_better,n,median,min,max,ratio_vs_epoll,note\n";
	R.each_figure("", [&](const Results::Figure &f) {
		const auto &k = f.key;
		const Metric &m = f.metric;
		if (f.s.n) {
			s += strf("%s,%s,%s,%s,%s,%d,%zu,%.6g,%.6g,%.6g,%.4f,\n", k.w.c_str(), k.c.c_str(),
				  f.backend.c_str(), k.m.c_str(), m.unit.c_str(), m.higher_better, f.s.n,
				  f.s.median, f.s.min, f.s.max, f.ref > 0 ? f.s.median / f.ref : NAN);
		} else {
			std::string why = f.why;
			std::replace(why.begin(), why.end(), ',', ';');
			s += strf("%s,%s,%s,%s,%s,%d,0,,,,,%s\n", k.w.c_str(), k.c.c_str(), f.backend.c_str(),
				  k.m.c_str(), m.unit.c_str(), m.higher_better, why.c_str());
		}
	});
	files["summary.csv"] = s;
	files["table.txt"] = g_table;

	for (auto &[name, content] : files)
		write_file(name, content);
	if (O.emit) {
		for (auto &[name, content] : files) {
			printf("EP2BENCH-FILE-BEGIN %s\n", name.c_str());
			fputs(content.c_str(), stdout);
			if (!content.empty() && content.back() != '\n')
				putchar('\n');
			printf("EP2BENCH-FILE-END %s\n", name.c_str());
		}
		fflush(stdout);
	}
}

} // namespace ep2bench
