/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.hpp - live object counts, shown in /sys/kernel/debug/eventpoll2/stats.
 *
 * The module's slab caches are merged with others by SLUB, so /proc/slabinfo
 * cannot tell whether eventpoll2 leaks; these counters can.  Relaxed atomics:
 * they are read for tests and debugging, never for decisions.
 */
#pragma once
#include "rt.hpp"

namespace ep2 {

/*
 * Live objects (checked at unload), then event counters that only grow:
 * busy loops run (EPIOCSPARAMS) and wait entries moved to the tail of their
 * queue (round-robin instances).
 */
enum class Stat : int {
	Instances, Items, PollEntries, FileWatches, Users, Rings, RingPages, UringWaits,
	BusyLoops, RrMoves, Count
};

extern long stat_counters[static_cast<int>(Stat::Count)];

inline void stat_inc(Stat s) { __atomic_add_fetch(&stat_counters[static_cast<int>(s)], 1, __ATOMIC_RELAXED); }
inline void stat_dec(Stat s) { __atomic_sub_fetch(&stat_counters[static_cast<int>(s)], 1, __ATOMIC_RELAXED); }

} // namespace ep2
