// SPDX-License-Identifier: GPL-2.0
/*
 * eventpoll.cpp - the instance: allocation, scans of the ready list, poll of
 * the instance file, and release (fs/eventpoll.c ep_alloc, ep_start_scan,
 * ep_done_scan, __ep_eventpoll_poll, ep_clear_and_put).
 */
#include "eventpoll.hpp"
#include "mixed.hpp"
#include "user_watches.hpp"
#include "stats.hpp"
#include "ring.hpp"

namespace ep2 {

/*
 * A new instance; with a ready ring of @ring_entries when non-zero (@ring_modes:
 * EP2_CREATE_RING_STRICT, EP2_CREATE_RING_KEYED); @rr: EP2_CREATE_ROUNDROBIN.
 */
ErrorOr<EventPoll *> ep_alloc(u32 ring_entries, u32 ring_modes, bool rr)
{
	EpRing *ring = nullptr;
	if (ring_entries)
		ring = TRY(ep_ring_create(ring_entries, ring_modes & EP2_CREATE_RING_STRICT,
					  ring_modes & EP2_CREATE_RING_KEYED));
	auto user_or = user_watches_get_current();
	if (user_or.is_error()) {
		if (ring)
			ep_ring_destroy(ring);
		return user_or.error();
	}
	UserWatches *user = user_or.release_value();

	auto *ep = static_cast<EventPoll *>(ep2k_kzalloc(sizeof(EventPoll), EP2K_GFP_KERNEL_ACCOUNT));
	if (unlikely(!ep)) {
		user_watches_put(user);
		if (ring)
			ep_ring_destroy(ring);
		return ENOMEM_;
	}
	ep->ring = ring;
	if (ring)
		ring->ep = ep;
	ep->mtx.init("&ep2->mtx", &ep2k_key_ep_mtx);
	ep->lock.init("&ep2->lock", &ep2k_key_ep_lock);
	ep->wq.init("&ep2->wq", &ep2k_key_ep_wq);
	ep->poll_wait.init("&ep2->poll_wait", &ep2k_key_ep_poll_wait);
	ep->rdllist.init();
	ep->uring_waits.init();
	ep->rbr.init();
	ep->ovflist = ep_unactive();
	ep->rr = rr;
	ep->rr_pending.init();
	ep_pwake_init(ep);
	ep->user = user;
	ep->refcount = 1;
	stat_inc(Stat::Instances);
	return ep;
}

EventPoll *ep_from_file(struct file *f)
{
	return static_cast<EventPoll *>(kfile::private_data(f));
}

void ep_get(EventPoll *ep)
{
	__atomic_add_fetch(&ep->refcount, 1, __ATOMIC_RELAXED);
}

static void ep_free(EventPoll *ep)
{
	ep_pwake_sync(ep);
	ep->mtx.destroy();
	user_watches_put(ep->user);
	ep2k_wakeup_source_unregister(ep->ws);
	if (ep->ring)
		ep_ring_destroy(ep->ring);
	ep2k_kfree(ep);
	stat_dec(Stat::Instances);
}

void ep_put(EventPoll *ep)
{
	if (__atomic_sub_fetch(&ep->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (unlikely(!ep->rbr.empty()))
		ep2k_warn_once("instance freed with items");
	ep_free(ep);
}

/*
 * Steal the ready list and divert the callback to ovflist, so events that
 * arrive while the caller works on @txlist without ep->lock are kept.
 * Must be called with ep->mtx held.
 */
void ep_start_scan(EventPoll *ep, ListNode &txlist)
{
	lockdep_assert_irqs_enabled();
	SpinLock::Irq guard(ep->lock);
	ep->rdllist.splice_init_to_head(txlist);
	write_once(ep->ovflist, static_cast<EpItem *>(nullptr));
}

/*
 * Put back what the scan left on @txlist and what the callback chained on
 * ovflist meanwhile (reversed to FIFO), then re-enable the ready list.
 */
void ep_done_scan(EventPoll *ep, ListNode &txlist)
{
	SpinLock::Irq guard(ep->lock);
	EpItem *epi, *nepi;
	for (nepi = read_once(ep->ovflist); (epi = nepi) != nullptr; nepi = epi->next, epi->next = ep_unactive()) {
		/* An item already on txlist is put back by the splice below. */
		if (!epi->is_ready_linked()) {
			/* ovflist is LIFO: adding at the head restores FIFO. */
			ep->rdllist.add_head(&epi->rdllink);
			ep_pm_stay_awake(epi);
		}
	}
	write_once(ep->ovflist, ep_unactive());
	txlist.splice_init_to_head(ep->rdllist);
	if (ep->ring)
		ep_ring_set_pending_locked(ep, !ep->rdllist.empty());
	ep2k_pm_relax(ep->ws);
	if (!ep->rdllist.empty() && ep->wq.active())
		ep->wq.wake_up();
}

/*
 * ->poll of the instance file (@depth 0, or the depth inherited through a
 * native epoll instance), and of a nested instance from ep_item_poll()
 * (@depth > 0, the lockdep subclass of mtx).
 */
u32 ep_eventpoll_poll(EventPoll *ep, struct poll_table_struct *pt, int depth, bool from_outside)
{
	struct task_struct *self = ep2k_current();
	u32 res = 0;

	/*
	 * Mixed nesting (mixed.hpp): the depth a native instance polls us at,
	 * its bound, re-entry through a cycle, trylock from outside.
	 */
	if (depth == 0)
		depth = ep_inherited_poll_depth(self);

	/* Insert inside our poll wait queue. */
	ep2k_poll_wait(ep->file, ep->poll_wait.raw(), pt);

	if (unlikely(depth > EP_MAX_MIXED_DEPTH || read_once(ep->mtx_owner) == self))
		return 0;

	/* Unclaimed ring entries are ready events (the ring holds no LT item to re-poll). */
	if (ep->ring && ep_ring_nonempty(ep))
		return EPOLLIN | EPOLLRDNORM;

	EpLock guard = ep_poll_lock(ep, depth, from_outside);
	if (!guard.held())
		return ep->events_available() ? EPOLLIN | EPOLLRDNORM : 0;

	PollTable ptnull;
	ep2k_init_poll_table_null(ptnull.raw());

	ReadyScan scan(ep);
	ep2_list_for_each_safe(pos, tmp, scan.txlist) {
		EpItem *epi = EpItem::from_rdllink(pos);
		/* From outside, a queued native target counts as ready (mixed.hpp). */
		if (from_outside && epi->target_kind == TARGET_NATIVE_EPOLL) {
			res = EPOLLIN | EPOLLRDNORM;
			break;
		}
		if (ep_item_poll(epi, ptnull.raw(), depth + 1, from_outside)) {
			res = EPOLLIN | EPOLLRDNORM;
			break;
		}
		/*
		 * Queued by the callback but not ready for the events asked
		 * for: drop it from the ready list, as epoll does.
		 */
		ep_pm_relax(epi);
		epi->rdllink.del_init();
	}
	return res;
}

/* Release of the instance file: unhook and free every item, then put. */
static void ep_clear_and_put(EventPoll *ep)
{
	/* Release whoever polls us. */
	if (ep->poll_wait.active())
		ep_poll_safewake(ep, nullptr, 0);

	{
		EpLock guard(ep);
		/* First unhook every callback, so none runs during the frees. */
		for (struct rb_node *rbp = ep->rbr.first(); rbp; rbp = RbRootCached::next(rbp)) {
			ep_unregister_pollwait(ep, EpItem::from_rbn(rbp));
			ep2k_cond_resched();
		}
		struct rb_node *next;
		for (struct rb_node *rbp = ep->rbr.first(); rbp; rbp = next) {
			next = RbRootCached::next(rbp);
			ep_remove(ep, EpItem::from_rbn(rbp));
			ep2k_cond_resched();
		}
	}
	ep_put(ep);
}

} // namespace ep2

using namespace ep2;

extern "C" int ep2_instance_release(struct file *f)
{
	EventPoll *ep = ep_from_file(f);
	if (ep)
		ep_clear_and_put(ep);
	return 0;
}

extern "C" u32 ep2_instance_poll(struct file *f, struct poll_table_struct *pt)
{
	return ep_eventpoll_poll(ep_from_file(f), pt, 0, true);
}
