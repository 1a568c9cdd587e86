// SPDX-License-Identifier: GPL-2.0
/*
 * module.cpp - explicit initialisation of every part, in order, and its
 * undoing in reverse (no global constructors: each part has init()/exit()).
 */
#include "eventpoll.hpp"
#include "mixed.hpp"
#include "file_watch.hpp"
#include "close_watch.hpp"
#include "user_watches.hpp"
#include "stats.hpp"

namespace ep2 {

unsigned long ep_item_cost()
{
	return sizeof(EpItem) + sizeof(EpPollEntry);
}

} // namespace ep2

using namespace ep2;

extern "C" int ep2_module_init(void)
{
	int err;

	/* epoll's default: 4% of low memory, per user. */
	ep2k_set_max_user_watches(static_cast<long>(
		((ep2k_totalram_lowmem_pages() / 25) << ep2k_page_shift()) / ep_item_cost()));

	ep_loop_check_init();
	ep_nesting_init();
	if ((err = user_watches_init()))
		return err;
	if ((err = ep_item_caches_init()))
		goto out_users;
	if ((err = file_watch_init()))
		goto out_items;
	if ((err = close_watch_init()))
		goto out_watch;
	return 0;

out_watch:
	file_watch_exit();
out_items:
	ep_item_caches_exit();
out_users:
	user_watches_exit();
	return err;
}

extern "C" void ep2_module_exit(void)
{
	/*
	 * Unload needs every instance file closed (fops owner), and with them
	 * every item: anything still counted is a leak, and a WARNING fails
	 * the test run that unloads the module.
	 */
	static constexpr Stat live_objects[] = {Stat::Instances, Stat::Items, Stat::PollEntries, Stat::Users, Stat::Rings, Stat::RingPages, Stat::UringWaits};
	for (Stat s : live_objects)
		if (stat_counters[static_cast<int>(s)] != 0) {
			ep2k_warn("objects leaked at unload (see /sys/kernel/debug/eventpoll2/stats)");
			break;
		}
	/* Entries of still-open files, with their close marks, then the marks' group. */
	file_watch_exit();
	if (stat_counters[static_cast<int>(Stat::FileWatches)] != 0)
		ep2k_warn("file watches leaked at unload");
	close_watch_exit();
	ep_item_caches_exit();
	user_watches_exit();
}
