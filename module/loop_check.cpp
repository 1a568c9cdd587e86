// SPDX-License-Identifier: GPL-2.0
/*
 * loop_check.cpp - nesting of instances: cycle and depth checks, and the
 * wakeup-path limits (fs/eventpoll.c ep_loop_check, reverse_path_check).
 *
 * All of it runs under ep_nested_mtx ("epmutex"), with one loop_check_gen
 * per checked ADD marking the instances already visited.
 */
#include "eventpoll.hpp"
#include "file_watch.hpp"

namespace ep2 {

Mutex ep_nested_mtx;
u64 loop_check_gen;

namespace {

/* The instance an ADD inserts into; ep_nested_mtx. */
EventPoll *inserting_into;

/* Files reached by the ADD being checked, chained by check_next; ep_nested_mtx. */
FileWatch *const CHECK_LIST_END = reinterpret_cast<FileWatch *>(-1L);
FileWatch *tfile_check_list = CHECK_LIST_END;

/*
 * Wakeup paths of length 1..5 allowed to emanate from one file.  Paths of
 * length 1 are unlimited (path_count_inc(0) never counts).
 */
constexpr int PATH_ARR_SIZE = 5;
constexpr int path_limits[PATH_ARR_SIZE] = {1000, 500, 100, 50, 10};
int path_count[PATH_ARR_SIZE];

bool path_count_inc(int nests)
{
	if (nests == 0)
		return true;
	return ++path_count[nests] <= path_limits[nests];
}

/* Depth of the subtree below @ep, or > EP_MAX_NESTS on a loop / too deep. */
int ep_loop_check_proc(EventPoll *ep, int depth)
{
	int result = 0;

	if (ep->gen == loop_check_gen)
		return ep->loop_check_depth;

	EpLock guard(ep, depth + 1);
	ep->gen = loop_check_gen;
	for (struct rb_node *rbp = ep->rbr.first(); rbp; rbp = RbRootCached::next(rbp)) {
		EpItem *epi = EpItem::from_rbn(rbp);
		if (unlikely(epi->target_kind == TARGET_EP2)) {
			EventPoll *ep_tovisit = ep_from_file(epi->file);
			if (ep_tovisit == inserting_into || depth > EP_MAX_NESTS)
				result = EP_MAX_NESTS + 1;
			else
				result = max(result, ep_loop_check_proc(ep_tovisit, depth + 1) + 1);
			if (result > EP_MAX_NESTS)
				break;
		} else {
			/* A leaf: its wakeup paths are checked by ep_reverse_path_check(). */
			ep_list_file_for_check(epi->file);
		}
	}
	ep->loop_check_depth = result;
	return result;
}

/* How far up from @ep instances nest; watch_lock held. */
int ep_get_upwards_depth_proc(EventPoll *ep, int depth)
{
	int result = 0;

	if (ep->gen == loop_check_gen)
		return ep->loop_check_depth;
	if (FileWatch *w = ep->self_watch) {
		for (ListNode *n = w->items.next; n != &w->items; n = n->next) {
			EpItem *epi = EpItem::from_fllink(n);
			result = max(result, ep_get_upwards_depth_proc(epi->ep, depth + 1) + 1);
		}
	}
	ep->gen = loop_check_gen;
	ep->loop_check_depth = result;
	return result;
}

/* Count the wakeup paths through @items; false when a limit is exceeded. */
bool reverse_path_check_proc(ListNode &items, int depth)
{
	if (depth > EP_MAX_NESTS) /* too deep nesting */
		return false;
	for (ListNode *n = items.next; n != &items; n = n->next) {
		EpItem *epi = EpItem::from_fllink(n);
		FileWatch *up = epi->ep->self_watch;
		bool ok = (!up || up->items.empty()) ? path_count_inc(depth)
						     : reverse_path_check_proc(up->items, depth + 1);
		if (!ok)
			return false;
	}
	return true;
}

} // namespace

/*
 * Would adding @to into @ep create a loop or nest deeper than EP_MAX_NESTS?
 * Returns true when the ADD may proceed.  ep_nested_mtx held.
 */
bool ep_loop_check(EventPoll *ep, EventPoll *to)
{
	inserting_into = ep;
	int depth = ep_loop_check_proc(to, 0);
	if (depth > EP_MAX_NESTS)
		return false;
	int upwards_depth;
	{
		WatchLockGuard guard;
		upwards_depth = ep_get_upwards_depth_proc(ep, 0);
	}
	return depth + 1 + upwards_depth <= EP_MAX_NESTS;
}

/* Remember @file for the reverse path check of this ADD.  ep_nested_mtx held. */
void ep_list_file_for_check(struct file *file)
{
	WatchLockGuard guard;
	FileWatch *w = file_watch_find_locked(file);
	if (!w || w->check_next)
		return;
	w->check_next = tfile_check_list;
	tfile_check_list = w;
}

/* True when the listed files do not get too many wakeup paths.  ep_nested_mtx held. */
bool ep_reverse_path_check()
{
	WatchLockGuard guard;
	for (FileWatch *w = tfile_check_list; w != CHECK_LIST_END; w = w->check_next) {
		for (int &c : path_count)
			c = 0;
		if (!reverse_path_check_proc(w->items, 0))
			return false;
	}
	return true;
}

/* ep_nested_mtx held. */
void ep_clear_tfile_check_list()
{
	while (tfile_check_list != CHECK_LIST_END) {
		FileWatch *w = tfile_check_list;
		tfile_check_list = w->check_next;
		file_watch_unlist(w);
	}
}

void ep_loop_check_init()
{
	ep_nested_mtx.init("ep_nested_mtx", &ep2k_key_nested_mtx);
}

} // namespace ep2
