// SPDX-License-Identifier: GPL-2.0
/*
 * callback.cpp - the wakeup path: ep_poll_callback, hooked on the wait
 * queues of every watched file (fs/eventpoll.c, same name).
 *
 * The callback runs from whatever context wakes the target's queue, with
 * that queue's lock held and IRQs off; it takes only ep->lock (irqsave),
 * never sleeps, never allocates, and wakes poll_wait after unlocking.
 * Waking poll_wait (ep_poll_safewake), and deferring that when the item
 * watches a native epoll instance, is mixed.cpp's (see mixed.hpp).
 */
#include "eventpoll.hpp"
#include "mixed.hpp"
#include "ring.hpp"
#include "roundrobin.hpp"
#include "busypoll.hpp"

namespace ep2 {

/*
 * ep_pm_stay_awake() where ep->mtx cannot be held: the wakeup source may be
 * going away (ep_destroy_wakeup_source waits for RCU readers).  Items
 * without EPOLLWAKEUP, nearly all, skip the read-side section.
 */
static void ep_pm_stay_awake_rcu(EpItem *epi)
{
	if (!read_once(epi->ws))
		return;
	ep2k_rcu_read_lock();
	if (struct wakeup_source *ws = read_once(epi->ws))
		ep2k_pm_stay_awake(ws);
	ep2k_rcu_read_unlock();
}

static int ep_poll_callback(EpPollEntry *pwq, int sync, u32 pollflags)
{
	EpItem *epi = pwq->base;
	EventPoll *ep = epi->ep;
	bool pwake = false, defer = false, recheck = false;
	int ewake = 0;

	{
		SpinLock::IrqSave guard(ep->lock);
		/*
		 * Marked: the harvest disarms a ONESHOT item and MOD sets a new
		 * mask under ep->mtx alone, not ep->lock (as epoll's
		 * ep_send_events).  Either mask is fine here: a callback that
		 * sees the old one queues the item, and the harvest re-polls it
		 * with the new mask and drops it (make check-kcsan reported the
		 * plain read).
		 */
		u32 events = read_once(epi->events);

		ep_set_busy_poll_napi_id(epi);

		/*
		 * No poll(2) event in the mask: the item is disabled (the
		 * effect of EPOLLONESHOT until the next MOD).
		 */
		if (!(events & ~EP_PRIVATE_BITS))
			goto out_unlock;

		/*
		 * Not every file passes its events as the key; when it does,
		 * ignore wakeups for events nobody asked for.  On a ring
		 * instance such a wakeup may mean an unclaimed entry went stale
		 * (an eventfd read wakes with EPOLLOUT): queue the item so that
		 * publication polls it again (ring.hpp, STALE ENTRIES); it is
		 * not an event, so nobody is woken.
		 */
		if (pollflags && !(pollflags & events)) {
			if (!ep->ring || !ep_ring_maybe_stale_locked(ep, epi))
				goto out_unlock;
			recheck = true;
		}

		/*
		 * While a scan copies events out without ep->lock, chain the
		 * item on ovflist; ep_done_scan() requeues it.
		 */
		/* A keyed ring publishes here, and the item needs no queueing. */
		if (ep->ring && !recheck && ep_ring_keyed_put_locked(ep, epi, pollflags))
			goto wake;

		if (read_once(ep->ovflist) != ep_unactive()) {
			if (epi->next == ep_unactive()) {
				epi->next = read_once(ep->ovflist);
				write_once(ep->ovflist, epi);
				ep_pm_stay_awake_rcu(epi);
			}
		} else if (!epi->is_ready_linked()) {
			ep->rdllist.add_tail(&epi->rdllink);
			ep_pm_stay_awake_rcu(epi);
		}
		if (ep->ring)
			ep_ring_note_ready_locked(ep, epi);
		if (recheck)
			goto out_unlock;
	wake:

		/* Wake the waiters, and note the pollers for after unlock. */
		if (ep->wq.active()) {
			if ((events & EPOLLEXCLUSIVE) && !(pollflags & POLLFREE)) {
				switch (pollflags & EPOLLINOUT_BITS) {
				case EPOLLIN:
					if (events & EPOLLIN)
						ewake = 1;
					break;
				case EPOLLOUT:
					if (events & EPOLLOUT)
						ewake = 1;
					break;
				case 0:
					ewake = 1;
					break;
				}
			}
			if (sync)
				ep->wq.wake_up_sync();
			else
				ep->wq.wake_up();
			/* The woken waiter moves the entry to the tail (roundrobin.hpp). */
			if (ewake && ep->rr)
				ep_rr_note_locked(ep, pwq);
		}
		if (ep->poll_wait.active()) {
			if (epi->target_kind == TARGET_NATIVE_EPOLL)
				defer = ep_poll_defer_locked(ep, pollflags & EPOLL_URING_WAKE);
			else
				pwake = true;
		}
	out_unlock:;
	}

	/* Outside the lock. */
	if (pwake)
		ep_poll_safewake(ep, epi, pollflags & EPOLL_URING_WAKE);
	if (defer)
		ep->pwake_work.queue();

	/* EPOLLEXCLUSIVE never changes after ADD; the word does (above). */
	if (!(read_once(epi->events) & EPOLLEXCLUSIVE))
		ewake = 1;

	if (pollflags & POLLFREE) {
		/*
		 * The queue is going away (signalfd, binder...).  A racing
		 * ep_remove_wait_queue() may miss whead == NULL and remove
		 * again after us, so unlink with list_del_init.
		 */
		ep2k_wait_entry_unlink(pwq->wait.raw());
		/*
		 * whead != NULL is what keeps ep_remove/ep_clear_and_put
		 * waiting on the queue's lock, which our caller holds.  Once
		 * it is NULL nothing protects ep, epi or pwq: touch nothing
		 * after this store.
		 */
		store_release(pwq->whead, static_cast<struct wait_queue_head *>(nullptr));
	}
	return ewake;
}

} // namespace ep2

extern "C" int ep2_poll_callback(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key)
{
	return ep2::ep_poll_callback(ep2::EpPollEntry::from_wait(wait), sync,
				     static_cast<u32>(reinterpret_cast<uintptr_t>(key)));
}
