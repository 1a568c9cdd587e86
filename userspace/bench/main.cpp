// SPDX-License-Identifier: GPL-2.0
/*
 * ep2bench - comparison harness: eventpoll2 against native epoll, io_uring
 * (multishot IORING_OP_POLL_ADD) and poll(2), on the same workloads, in the
 * same boot, interleaved.
 *
 * Every workload is run for every backend, repetition after repetition, the
 * backends interleaved within each repetition (the order rotates from one
 * repetition to the next), so that slow drifts of the machine (other guests
 * on the host, TCG translation caches, memory) hit all backends alike.  Each
 * figure is reported as the median over the repetitions with min and max,
 * and as a ratio against native epoll's median.
 *
 * Output: a plain-text table on stdout; every sample as CSV in the output
 * directory (samples.csv, summary.csv, latency_cdf.csv, table.txt); with
 * --emit the files are also printed on stdout between markers, for a host
 * that cannot read the guest's file system (scripts/bench).
 *
 * Files: main.cpp (this), options.* (command line), util.* and timing.*
 * (helpers, clocks, run_for, statistics), poller.* (the Poller interface and
 * the backend registry) with one backend_*.cpp per backend, workload.h and
 * method.cpp (the workload registry and the method), one wl_*.cpp per
 * workload, results.* (table, CSV files).
 */
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sched.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "eventpoll2.h"
#include "options.h"
#include "results.h"
#include "timing.h"
#include "workload.h"

using namespace ep2bench;

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, nullptr, _IOLBF, 0);
	raise_nofile();
	int pinned_cpu = -1;
	if (O.pin) {
		// Threads created later inherit the mask.
		cpu_set_t set;
		CPU_ZERO(&set);
		pinned_cpu = int(sysconf(_SC_NPROCESSORS_ONLN)) - 1;
		CPU_SET(pinned_cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			pinned_cpu = -1;
	}
	calibrate_ticks();

	utsname u;
	uname(&u);
	uint64_t t_start = mono_ns();
	out("ep2bench: eventpoll2 vs native epoll vs io_uring (multishot poll) vs poll(2)\n");
	out("kernel %s %s, %ld CPUs, mode %s, %d repetitions per backend, interleaved "
	    "(order rotated each repetition), %.0f ms per time-bounded sample\n",
	    u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), O.mode.c_str(), O.reps, O.budget_ms);
	out("every figure: median over repetitions [min, max], ratio = backend median / epoll median\n");
	if (pinned_cpu >= 0)
		out("all threads pinned to CPU %d: under emulation on a shared host a wake-up across vCPUs "
		    "waits for the host to schedule the other vCPU (milliseconds), which drowns what is "
		    "measured here (--cpus=free to spread)\n", pinned_cpu);
	out("timer: TSC, %.3f ns/tick (calibrated against CLOCK_MONOTONIC)\n", g_ns_per_tick);
	if (!ep2_available())
		out("NOTE: /dev/eventpoll2 unavailable (%s): eventpoll2 rows are n/a\n", strerror(errno));
	out("\n");
	run_workloads(t_start);
	return 0;
}
