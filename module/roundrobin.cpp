// SPDX-License-Identifier: GPL-2.0
/*
 * roundrobin.cpp - round-robin exclusive wakeups: the rotation owed by a
 * wakeup (see roundrobin.hpp for the rule and why it is not done in the
 * callback).
 */
#include "roundrobin.hpp"
#include "stats.hpp"

namespace ep2 {

void ep_rr_rotate(EventPoll *ep)
{
	ep->mtx.assert_held();
	/*
	 * One entry at a time: the queue's lock nests outside ep->lock (the
	 * callback takes ep->lock under it), so it cannot be taken here with
	 * ep->lock held.  ep->mtx keeps every entry alive (they are freed by
	 * ep_unregister_pollwait(), under ep->mtx, after ep_rr_forget()).
	 * Bounded: callbacks may note entries meanwhile; the next harvest
	 * takes those.
	 */
	for (int budget = 64; budget > 0; budget--) {
		EpPollEntry *pwq;
		{
			SpinLock::Irq guard(ep->lock);
			if (ep->rr_pending.empty())
				return;
			ListNode *n = ep->rr_pending.next;
			n->del_init();
			pwq = ep2_container_of(n, EpPollEntry, rr_link);
		}
		/* As ep_remove_wait_queue(): POLLFREE may have detached it. */
		ep2k_rcu_read_lock();
		struct wait_queue_head *whead = load_acquire(pwq->whead);
		if (whead) {
			ep2k_wait_entry_move_tail(whead, pwq->wait.raw());
			stat_inc(Stat::RrMoves);
		}
		ep2k_rcu_read_unlock();
	}
}

void ep_rr_forget(EventPoll *ep, EpPollEntry *pwq)
{
	SpinLock::Irq guard(ep->lock);
	if (pwq->rr_link.linked())
		pwq->rr_link.del_init();
}

} // namespace ep2
