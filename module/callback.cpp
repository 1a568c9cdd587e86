// SPDX-License-Identifier: GPL-2.0
/*
 * callback.cpp - the wakeup path: ep_poll_callback, hooked on the wait
 * queues of every watched file, and ep_poll_safewake, which wakes the
 * pollers of an instance (fs/eventpoll.c, same names).
 *
 * The callback runs from whatever context wakes the target's queue, with
 * that queue's lock held and IRQs off; it takes only ep->lock (irqsave),
 * never sleeps, never allocates, and wakes poll_wait after unlocking.
 */
#include "eventpoll.hpp"

namespace ep2 {

/*
 * Wake the pollers of @ep.  @epi is the item whose callback is waking (or
 * NULL).  The lockdep subclass of poll_wait's lock is the nesting depth of
 * this wakeup, as fs/eventpoll.c's ep->nests: 0 from ctl, and from a
 * callback one more than the instances being woken on this CPU below us.
 *
 * Nested wakeups recurse: waking our pollers runs the callbacks of the
 * instances that watch us.  eventpoll2's loop check keeps cycles out among
 * its own instances, but it cannot see into native epoll instances, so
 * X -> native E -> X can exist, and so can chains nested deeper than any
 * check allowed.  Three rules keep such wakeups finite and deadlock free:
 *
 * - This CPU's stack of instances being woken: a wakeup of an instance
 *   already being woken on this CPU is a cycle and is dropped (its pollers
 *   are being woken already); so is one nested deeper than
 *   EP2K_WAKE_STACK_DEPTH instances (kernel stack).
 *
 * - A callback of an item that watches a native epoll instance runs with
 *   that instance's poll_wait lock held, and our pollers may include that
 *   same instance (a cycle), whose callback would take the lock again: a
 *   self-deadlock.  Or another native instance, which native epoll gives
 *   the same lockdep subclass.  So that wakeup of our pollers is deferred
 *   to an irq_work (ep_poll_deferred), which runs it with no lock held;
 *   the callback notes it under ep->lock, which it holds anyway.
 *
 * - A cycle through two or more native instances defers again at every
 *   turn; each deferral counts a hop, and a wakeup EP_MAX_MIXED_DEPTH hops
 *   away from the event is dropped, as the poll path stops there too.
 */
static bool ep_being_woken(const ep2k_wake_stack *st, const EventPoll *ep)
{
	for (int i = 0; i < st->depth; i++)
		if (st->ep[i] == ep)
			return true;
	return false;
}

/*
 * From the callback of an item that watches a native instance, with
 * ep->lock held (IRQs off): note a deferred wakeup of poll_wait (see above).
 * True if ep->pwake_work must be queued, after unlocking.
 */
static bool ep_poll_defer_locked(EventPoll *ep, u32 pollflags)
{
	const ep2k_wake_stack *st = ep2k_this_cpu_wake_stack();
	int hops = st->hops + 1;
	if (ep_being_woken(st, ep) || hops > EP_MAX_MIXED_DEPTH)
		return false;
	ep->pwake_flags |= pollflags;
	ep->pwake_hops = static_cast<u8>(min(static_cast<int>(ep->pwake_hops), hops));
	return true;
}

void ep_poll_safewake(EventPoll *ep, EpItem *epi, u32 pollflags)
{
	unsigned long flags = ep2k_local_irq_save();
	ep2k_wake_stack *st = ep2k_this_cpu_wake_stack();
	if (!ep_being_woken(st, ep) && st->depth < EP2K_WAKE_STACK_DEPTH) {
		unsigned subclass = static_cast<unsigned>(st->depth) + (epi ? 1 : 0);
		st->ep[st->depth++] = ep;
		ep2k_wake_up_poll_irqs_off(ep->poll_wait.raw(), EPOLLIN | pollflags, subclass);
		st->depth--;
	}
	ep2k_local_irq_restore(flags);
}

/* The irq_work of a deferred wakeup: wake as ep_poll_safewake(ep, NULL). */
static void ep_poll_deferred(EventPoll *ep)
{
	unsigned long flags = ep2k_local_irq_save();
	u32 pollflags;
	u8 hops;
	{
		SpinLock::IrqSave guard(ep->lock);
		pollflags = ep->pwake_flags;
		hops = ep->pwake_hops;
		ep->pwake_flags = 0;
		ep->pwake_hops = EP_NO_PWAKE;
	}
	if (hops != EP_NO_PWAKE) {
		ep2k_wake_stack *st = ep2k_this_cpu_wake_stack();
		int saved = st->hops;
		st->hops = hops;
		ep_poll_safewake(ep, nullptr, pollflags);
		st->hops = saved;
	}
	ep2k_local_irq_restore(flags);
}

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
	bool pwake = false, defer = false;
	int ewake = 0;

	{
		SpinLock::IrqSave guard(ep->lock);
		u32 events = epi->events;

		/*
		 * No poll(2) event in the mask: the item is disabled (the
		 * effect of EPOLLONESHOT until the next MOD).
		 */
		if (!(events & ~EP_PRIVATE_BITS))
			goto out_unlock;

		/*
		 * Not every file passes its events as the key; when it does,
		 * ignore wakeups for events nobody asked for.
		 */
		if (pollflags && !(pollflags & events))
			goto out_unlock;

		/*
		 * While a scan copies events out without ep->lock, chain the
		 * item on ovflist; ep_done_scan() requeues it.
		 */
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

	if (!(epi->events & EPOLLEXCLUSIVE))
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

extern "C" void ep2_deferred_wake(struct irq_work *w)
{
	ep2::ep_poll_deferred(ep2_container_of(ep2::IrqWork::from_raw(w), ep2::EventPoll, pwake_work));
}

extern "C" int ep2_poll_callback(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key)
{
	return ep2::ep_poll_callback(ep2::EpPollEntry::from_wait(wait), sync,
				     static_cast<u32>(reinterpret_cast<uintptr_t>(key)));
}
