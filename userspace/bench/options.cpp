// SPDX-License-Identifier: GPL-2.0
// ep2bench: command line options (see options.h).
#include "options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <sys/resource.h>

#include "poller.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {

Opts O;

namespace {

std::string join(const std::vector<std::string> &v)
{
	std::string s;
	for (auto &x : v)
		s += (s.empty() ? "" : ",") + x;
	return s;
}

void usage(FILE *f)
{
	std::vector<std::string> wl;
	std::string more;
	for (const Workload *w : all_workloads()) {
		wl.push_back(w->name);
		for (auto &o : w->options)
			more += strf("  %-21s %s\n", ("--" + o.name + "=" + o.arg).c_str(), o.help.c_str());
	}
	fprintf(f,
"Usage: ep2bench [--quick|--full] [options]\n"
"Compare eventpoll2 with native epoll, io_uring (multishot poll) and poll(2).\n"
"\n"
"  --quick               small sizes, 3 repetitions: a short table (15-25 s under TCG)\n"
"  --full                bigger sizes, more repetitions, longer samples\n"
"  --backends=LIST       default %s\n"
"  --workloads=LIST      %s (default all)\n"
"  --reps=N              repetitions of each sample per backend\n"
"  --budget-ms=MS        duration of each time-bounded sample\n"
"  --ctl-n=LIST          fds for ctl throughput (e.g. 1k,10k,100k)\n"
"  --harvest-m=N  --harvest-k=LIST\n"
"  --idle-n=LIST         idle fds for idle scaling\n"
"  --herd-threads=T\n"
"  --echo-c=LIST  --echo-ms=MS  --echo-reps=N (default 3: connection set-up is slow)\n"
"  --cpus=pin|free       pin every thread to one CPU (default) or let them spread\n"
"  --out=DIR             output directory (default /tmp/ep2bench)\n"
"  --emit                also print the output files between markers on stdout\n"
"%s",
		join(all_backends(true)).c_str(), join(wl).c_str(), more.c_str());
}

void apply_mode(const std::string &m)
{
	O.mode = m;
	if (m == "quick") {
		O.reps = 3;
		O.budget_ms = 40;
		O.ctl_n = {1000};
		O.harvest_m = 5000;
		O.harvest_k = {1, 64};
		O.idle_n = {10, 1000, 10000};
		O.herd_threads = 4;
		O.echo_c = {1, 50};
		O.echo_ms = 100;
		O.echo_reps = 2;
		O.lat_max = 1000;
	} else if (m == "full") {
		O.reps = 7;
		O.budget_ms = 300;
		O.ctl_n = {1000, 10000, 100000};
		O.harvest_m = 10000;
		O.harvest_k = {1, 64, 1024};
		O.idle_n = {10, 100, 1000, 10000, 100000};
		O.herd_threads = 8;
		O.echo_c = {1, 50, 300};
		O.echo_ms = 1500;
		O.echo_reps = 7;
		O.lat_max = 100000;
	}
}

// A workload's own option --NAME, or nullptr.
const WorkloadOption *workload_option(const std::string &flag)
{
	for (const Workload *w : all_workloads())
		for (auto &o : w->options)
			if ("--" + o.name == flag)
				return &o;
	return nullptr;
}

} // namespace

void parse_args(int argc, char **argv)
{
	O.backends = all_backends(true);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--quick"))
			apply_mode("quick");
		else if (!strcmp(argv[i], "--full"))
			apply_mode("full");
	for (const Workload *w : all_workloads())
		for (auto &o : w->options)
			if (o.preset)
				o.preset(O.mode);
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i], k = a, v;
		size_t eq = a.find('=');
		if (eq != std::string::npos) {
			k = a.substr(0, eq);
			v = a.substr(eq + 1);
		}
		if (k == "--quick" || k == "--full")
			continue;
		else if (k == "-h" || k == "--help") {
			usage(stdout);
			exit(0);
		} else if (k == "--emit")
			O.emit = true;
		else if (eq == std::string::npos)
			die("unknown option %s (try --help)", a.c_str());
		else if (const WorkloadOption *wo = workload_option(k))
			wo->set(v);
		else if (k == "--backends") {
			O.backends = split(v);
			O.backends_given = true;
			for (auto &b : O.backends)
				if (!find_backend(b))
					die("unknown backend %s", b.c_str());
		} else if (k == "--workloads") {
			for (auto &w : split(v)) {
				if (!find_workload(w))
					die("unknown workload %s", w.c_str());
				O.workloads.insert(w);
			}
		} else if (k == "--reps")
			O.reps = std::max(1, atoi(v.c_str()));
		else if (k == "--budget-ms")
			O.budget_ms = std::max(1.0, atof(v.c_str()));
		else if (k == "--ctl-n")
			O.ctl_n = parse_ints(v);
		else if (k == "--harvest-m")
			O.harvest_m = parse_ints(v).at(0);
		else if (k == "--harvest-k")
			O.harvest_k = parse_ints(v);
		else if (k == "--idle-n")
			O.idle_n = parse_ints(v);
		else if (k == "--herd-threads")
			O.herd_threads = std::max(2, atoi(v.c_str()));
		else if (k == "--echo-c")
			O.echo_c = parse_ints(v);
		else if (k == "--echo-reps")
			O.echo_reps = std::max(1, atoi(v.c_str()));
		else if (k == "--echo-ms")
			O.echo_ms = std::max(10.0, atof(v.c_str()));
		else if (k == "--cpus") {
			if (v != "pin" && v != "free")
				die("--cpus: pin or free");
			O.pin = v == "pin";
		} else if (k == "--out")
			O.outdir = v;
		else
			die("unknown option %s (try --help)", a.c_str());
	}
}

void raise_nofile()
{
	size_t need = 64;
	for (int n : O.ctl_n)
		need = std::max(need, size_t(n));
	for (int n : O.idle_n)
		need = std::max(need, size_t(n));
	// harvest and harvest-only keep one set of M fds per backend they run,
	// which may be more than --backends names (variants they add).
	need += size_t(O.harvest_m) * std::max(O.backends.size(), all_backends().size()) + 4096;
	rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur >= need)
		return;
	rlimit want_rl{need, std::max<rlim_t>(need, rl.rlim_max)};
	if (setrlimit(RLIMIT_NOFILE, &want_rl)) {
		// Unprivileged: go as high as the hard limit allows.
		want_rl.rlim_cur = want_rl.rlim_max = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &want_rl);
		fprintf(stderr, "ep2bench: RLIMIT_NOFILE limited to %llu (need %zu); large sizes may fail\n",
			(unsigned long long)rl.rlim_max, need);
	}
}

} // namespace ep2bench
