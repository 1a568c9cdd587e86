#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the scripts/vm guest (scripts/bench --profile): one ep2bench
# workload per backend under `perf record` (cpu-clock sampling: the emulated
# CPU has no PMU, so no instruction or cycle counts), then perf report's
# inclusive ("children") profile of each, between markers for the host.
#
#   profile.sh BACKENDS EP2BENCH-ARGS...     e.g. profile.sh eventpoll2,epoll --workloads=ctl
set -u
cd "$(dirname "$0")/../.."
backends=$1
shift
for b in ${backends//,/ }; do
	echo "EP2BENCH-PROFILE-BEGIN $b"
	perf record -q -o "/tmp/perf.$b" -e cpu-clock -F "${EP2BENCH_PROFILE_FREQ:-4000}" -g -- \
		build/bench/ep2bench --backends="$b" "$@" 2>&1 | grep -E '^  [A-Za-z]|^ {40,}[a-z]'
	echo "--- samples per object"
	perf report -i "/tmp/perf.$b" --no-children --sort dso --stdio -n -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8
	echo "--- inclusive profile (children), by symbol"
	perf report -i "/tmp/perf.$b" --children --sort sym --stdio -n -g none \
		--percent-limit "${EP2BENCH_PROFILE_LIMIT:-1}" 2>/dev/null | grep -v '^#' | grep -v '^$' | c++filt | head -80
	echo "EP2BENCH-PROFILE-END $b"
	rm -f "/tmp/perf.$b"
done
