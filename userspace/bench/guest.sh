#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the scripts/vm guest (started by scripts/bench): ep2bench with
# its files emitted on stdout, then perf's epoll benchmarks (wait, wait -E
# edge-triggered, ctl) natively and, if the LD_PRELOAD drop-in exists, on
# eventpoll2 through it with its ready ring (the default: the -E items are
# served by the ring) and without (EP2_PRELOAD_RING=0), interleaved.
#
# Environment: EP2BENCH_PERF_RUNTIME (s per perf run, default 2),
# EP2BENCH_PERF_REPS (default 2), EP2BENCH_PERF=0 to skip perf.
set -u
cd "$(dirname "$0")/../.."
echo "EP2BENCH-UNAME $(uname -r)"
echo "EP2BENCH-CPUS $(nproc)"
echo "EP2BENCH-CLOCKSOURCE $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
build/bench/ep2bench --emit "$@"
rc=$?
echo "EP2BENCH-RC $rc"

[ "${EP2BENCH_PERF:-1}" = 1 ] || exit $rc
PRELOAD=$PWD/build/lib/libeventpoll2_preload.so
rt=${EP2BENCH_PERF_RUNTIME:-2}
cpu=$(($(nproc) - 1))
reps=${EP2BENCH_PERF_REPS:-2}
if ! command -v perf >/dev/null; then
	echo "EP2BENCH-PERF-UNAVAILABLE"
	exit $rc
fi
backends=(epoll)
if [ -e "$PRELOAD" ]; then
	backends+=(eventpoll2-preload eventpoll2-preload-noring)
else
	echo "EP2BENCH-PRELOAD-MISSING $PRELOAD"
fi
for ((r = 1; r <= reps; r++)); do
	for b in "${backends[@]}"; do
		case $b in
		epoll) env=() ;;
		eventpoll2-preload) env=(LD_PRELOAD="$PRELOAD" EP2_PRELOAD_RING=1) ;;
		eventpoll2-preload-noring) env=(LD_PRELOAD="$PRELOAD" EP2_PRELOAD_RING=0) ;;
		esac
		# "wait-E": perf bench epoll wait -E (edge-triggered).
		for bench in wait wait-E ctl; do
			args=("${bench%-E}")
			[ "$bench" = wait-E ] && args+=(-E)
			echo "EP2BENCH-PERF-BEGIN $bench $b $r"
			# -n and one CPU, as ep2bench: cross-vCPU wake-ups under TCG
			# measure the host's scheduler, not the epoll implementation.
			env "${env[@]}" taskset -c "$cpu" perf bench epoll "${args[@]}" -n -r "$rt" 2>&1
			echo "EP2BENCH-PERF-END $bench $b $r rc=$?"
		done
	done
done
exit $rc
