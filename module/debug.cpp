// SPDX-License-Identifier: GPL-2.0
/*
 * debug.cpp - test-only triggers (module parameter debug_triggers=1 creates
 * /sys/kernel/debug/eventpoll2/trigger).  "stack" dumps a stack taken three
 * C++ frames deep, to show ORC unwinding through C++; "warn" raises a
 * WARNING from C++, which the guest runner must catch as a splat.
 */
#include "rt.hpp"

namespace ep2 {
namespace debug {

[[gnu::noinline]] void innermost_frame() { ep2k_dump_stack(); }
[[gnu::noinline]] void middle_frame() { innermost_frame(); __asm__ volatile(""); }
[[gnu::noinline]] void outer_frame() { middle_frame(); __asm__ volatile(""); }

bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

} // namespace debug
} // namespace ep2

extern "C" long ep2_debug_trigger(const char *what)
{
	using namespace ep2;
	if (!ep2k_debug_triggers_enabled())
		return EPERM_.code;
	if (debug::streq(what, "stack")) {
		debug::outer_frame();
		return 0;
	}
	if (debug::streq(what, "warn")) {
		ep2k_warn("debug trigger: injected warning");
		return 0;
	}
	return EINVAL_.code;
}

#include "stats.hpp"

namespace ep2 {
long stat_counters[static_cast<int>(Stat::Count)];
}

extern "C" void ep2_stats_show(struct seq_file *m)
{
	using namespace ep2;
	static const char *const names[] = { "instances", "items", "poll_entries", "file_watches", "users", "rings", "ring_pages",
						     "uring_waits", "busy_loops", "rr_moves" };
	static_assert(sizeof(names) / sizeof(names[0]) == static_cast<int>(Stat::Count));
	for (int i = 0; i < static_cast<int>(Stat::Count); i++)
		ep2k_seq_print_stat(m, names[i], __atomic_load_n(&stat_counters[i], __ATOMIC_RELAXED));
}
