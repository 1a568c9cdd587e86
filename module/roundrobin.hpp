/* SPDX-License-Identifier: GPL-2.0 */
/*
 * roundrobin.hpp - round-robin exclusive wakeups (EP2_CREATE_ROUNDROBIN),
 * an opt-in extension.
 *
 * epoll wakes EPOLLEXCLUSIVE waiters in a fixed order: the target file's
 * wait queue holds one exclusive entry per instance, a wakeup walks it from
 * the head and stops at the first entry whose callback woke a waiter, so the
 * first instance with a sleeping thread always wins; inside one instance,
 * waiters queue at the head, so the thread that slept last is woken first.
 *
 * On a round-robin instance:
 * - the callback that woke a waiter for an exclusive item notes the entry on
 *   ep->rr_pending (ep->lock); the next harvest of the instance (the woken
 *   waiter's, under ep->mtx) moves each noted entry to the tail of its
 *   queue, under that queue's lock.  The entry is not moved in the callback
 *   itself: the callback runs inside the queue's walk (__wake_up_common),
 *   and a walk that does not stop at us (wake_up_all, wake_up_nr) would
 *   meet the moved entry again; moved again, forever.  Between the wakeup
 *   and the move the entry's instance has no sleeper (the woken waiter
 *   left ep->wq), so its callback declines and the walk goes on to the
 *   next instance: nothing waits for the move.
 * - waiters queue on ep->wq at the tail (FIFO).
 * Instances without the flag never touch any of it.
 */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

/* Callback, ep->lock held: @pwq woke a waiter of its round-robin instance. */
inline void ep_rr_note_locked(EventPoll *ep, EpPollEntry *pwq)
{
	if (!pwq->rr_link.linked())
		ep->rr_pending.add_tail(&pwq->rr_link);
}

/* ep->mtx held: move the noted entries to the tail of their queues. */
void ep_rr_rotate(EventPoll *ep);
/* ep->mtx held, @pwq already off its queue: forget a pending rotation. */
void ep_rr_forget(EventPoll *ep, EpPollEntry *pwq);

} // namespace ep2
