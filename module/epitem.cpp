// SPDX-License-Identifier: GPL-2.0
/*
 * epitem.cpp - items: lookup, insert, modify, remove, and polling one item
 * (fs/eventpoll.c ep_find, ep_insert, ep_modify, ep_remove, ep_item_poll).
 */
#include "eventpoll.hpp"
#include "mixed.hpp"
#include "ring.hpp"
#include "file_watch.hpp"
#include "close_watch.hpp"
#include "user_watches.hpp"
#include "stats.hpp"
#include "roundrobin.hpp"
#include "busypoll.hpp"

namespace ep2 {

namespace {

struct kmem_cache *epi_cache;
struct kmem_cache *pwq_cache;

/* poll_table + the item being inserted (fs/eventpoll.c struct ep_pqueue). */
struct EpPqueue {
	EP2_PINNED(EpPqueue);
	PollTable pt;	/* first: the queue proc recovers us from &pt */
	EpItem *epi;	/* NULL once an allocation in the queue proc failed */
};
static_assert(__builtin_offsetof(EpPqueue, pt) == 0);

void ep_rbtree_insert(EventPoll *ep, EpItem *epi)
{
	struct rb_node **p = ep->rbr.root_link(), *parent = nullptr;
	bool leftmost = true;

	while (*p) {
		parent = *p;
		EpItem *epic = EpItem::from_rbn(parent);
		if (ep_cmp_ffd(epi->file, epi->fd, epic->file, epic->fd) > 0) {
			p = RbNode::from_raw(parent)->right_link();
			leftmost = false;
		} else {
			p = RbNode::from_raw(parent)->left_link();
		}
	}
	ep2k_rb_link_node(epi->rbn.raw(), parent, p);
	ep2k_rb_insert_color_cached(epi->rbn.raw(), ep->rbr.raw(), leftmost);
}

/* Detach from one wait queue; the queue may have been freed (POLLFREE). */
void ep_remove_wait_queue(EpPollEntry *pwq)
{
	ep2k_rcu_read_lock();
	/* Pairs with store_release() in the POLLFREE path of the callback. */
	struct wait_queue_head *whead = load_acquire(pwq->whead);
	if (whead)
		ep2k_remove_wait_queue(whead, pwq->wait.raw());
	ep2k_rcu_read_unlock();
}

ErrorOr<> ep_create_wakeup_source(EpItem *epi)
{
	EventPoll *ep = epi->ep;
	if (!ep->ws) {
		ep->ws = ep2k_wakeup_source_register("eventpoll");	/* epoll's name, for suspend tooling */
		if (!ep->ws)
			return ENOMEM_;
	}
	struct wakeup_source *ws = ep2k_wakeup_source_register_for_file(epi->file);
	if (!ws)
		return ENOMEM_;
	store_release(epi->ws, ws);
	return OK;
}

/* Rare: MOD dropped EPOLLWAKEUP. */
[[gnu::noinline]] void ep_destroy_wakeup_source(EpItem *epi)
{
	struct wakeup_source *ws = epi->ws;
	write_once(epi->ws, static_cast<struct wakeup_source *>(nullptr));
	/* Let a callback that read the old pointer finish with it. */
	ep2k_synchronize_rcu();
	ep2k_wakeup_source_unregister(ws);
}

} // namespace

void ep_pm_stay_awake(EpItem *epi)
{
	if (struct wakeup_source *ws = read_once(epi->ws))
		ep2k_pm_stay_awake(ws);
}

void ep_pm_relax(EpItem *epi)
{
	if (struct wakeup_source *ws = read_once(epi->ws))
		ep2k_pm_relax(ws);
}

/*
 * @epi was found ready by a poll in process context (insert, modify): queue
 * it unless it is queued already, wake the waiters, and the instance's own
 * pollers outside the lock.  Must be called with ep->mtx held.
 */
static void ep_queue_ready(EventPoll *ep, EpItem *epi)
{
	bool pwake = false;
	{
		SpinLock::Irq guard(ep->lock);
		if (!epi->is_ready_linked()) {
			ep->rdllist.add_tail(&epi->rdllink);
			ep_pm_stay_awake(epi);
			if (ep->ring)
				ep_ring_note_ready_locked(ep, epi);
			if (ep->wq.active())
				ep->wq.wake_up();
			if (ep->poll_wait.active())
				pwake = true;
		}
	}
	if (pwake)
		ep_poll_safewake(ep, nullptr, 0);
}

/* Must be called with ep->mtx held. */
EpItem *ep_find(EventPoll *ep, struct file *file, int fd)
{
	struct rb_node *rbp = *ep->rbr.root_link();
	while (rbp) {
		EpItem *epi = EpItem::from_rbn(rbp);
		int kcmp = ep_cmp_ffd(file, fd, epi->file, epi->fd);
		if (kcmp > 0)
			rbp = *RbNode::from_raw(rbp)->right_link();
		else if (kcmp < 0)
			rbp = *RbNode::from_raw(rbp)->left_link();
		else
			return epi;
	}
	return nullptr;
}

/* Unhook every wait entry of @epi.  Must be called with ep->mtx held. */
void ep_unregister_pollwait(EventPoll *ep, EpItem *epi)
{
	EpPollEntry *pwq;
	while ((pwq = epi->pwqlist) != nullptr) {
		epi->pwqlist = pwq->next;
		ep_remove_wait_queue(pwq);
		if (ep->rr)
			ep_rr_forget(ep, pwq);
		ep2k_kmem_cache_free(pwq_cache, pwq);
		stat_dec(Stat::PollEntries);
	}
}

/*
 * Poll one item: a fresh ->poll() of the target, masked by the item's
 * events.  A target already on its way out (no reference left) is "not
 * ready".  @depth is the lockdep subclass for a nested instance's mtx.
 */
u32 ep_item_poll(EpItem *epi, struct poll_table_struct *pt, int depth, bool from_outside)
{
	struct file *file = epi->file;
	u32 res;

	if (!ep2k_get_file_not_zero(file))
		return 0;
	switch (epi->target_kind) {
	case TARGET_EP2:
		res = ep_eventpoll_poll(ep_from_file(file), pt, depth, from_outside);
		break;
	case TARGET_NATIVE_EPOLL:
		res = ep_poll_native_target(epi, pt, depth);
		break;
	default:
		res = ep2k_vfs_poll(file, pt, epi->events);
		break;
	}
	ep2k_fput(file);
	return res & epi->events;
}

/*
 * Unlink and free @epi, dropping its reference on @ep.  Its wait entries are
 * already unhooked.  The caller holds ep->mtx and a reference on @ep of its
 * own (the instance file's, or the close path's), so this never frees @ep.
 */
static void ep_remove_locked(EventPoll *ep, EpItem *epi)
{
	if (ep->ring)
		ep_ring_forget(ep, epi);	/* a removed item is never reported */
	ep2k_rb_erase_cached(epi->rbn.raw(), ep->rbr.raw());
	{
		SpinLock::Irq guard(ep->lock);
		if (epi->is_ready_linked())
			epi->rdllink.del_init();
	}
	ep2k_wakeup_source_unregister(epi->ws);
	bool pinned = epi->pins_file;
	struct file *file = epi->file;
	file_watch_detach(epi);
	ep2k_kmem_cache_free(epi_cache, epi);
	stat_dec(Stat::Items);
	if (pinned)
		ep2k_fput(file);
	user_watches_uncharge(ep->user);

	if (__atomic_sub_fetch(&ep->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		ep2k_warn_once("ep_remove dropped the last instance reference");
}

/*
 * Remove @epi (DEL, instance release, failed insert).  The caller holds
 * ep->mtx and a reference on @ep other than the item's.  An item whose file
 * is being released is left to the close path (close_watch.cpp), which
 * claimed it or is about to: a file whose count reached zero is inside
 * __fput(), before its close event.
 */
void ep_remove(EventPoll *ep, EpItem *epi)
{
	ep->mtx.assert_held();
	lockdep_assert_irqs_enabled();

	ep_unregister_pollwait(ep, epi);

	/* Cheap sync with the close path. */
	if (unlikely(read_once(epi->dying)))
		return;
	if (epi->pins_file) {
		ep_remove_locked(ep, epi);
		return;
	}
	/* Holding a reference, we know the close path is not and will not be running. */
	struct file *file = epi->file;
	if (!ep2k_get_file_not_zero(file))
		return;
	ep_remove_locked(ep, epi);
	ep2k_fput(file);
}

/* The close path's removal of an item it claimed; ep->mtx held. */
void ep_remove_claimed(EventPoll *ep, EpItem *epi)
{
	ep->mtx.assert_held();
	ep_unregister_pollwait(ep, epi);
	ep_remove_locked(ep, epi);
}

/* Must be called with ep->mtx held. */
ErrorOr<> ep_insert(EventPoll *ep, u32 events, u64 data, struct file *tfile, int fd,
		    bool full_check)
{
	lockdep_assert_irqs_enabled();

	if (!user_watches_charge(ep->user))
		return ENOSPC_;

	/*
	 * Undo what is done so far on any error return: once the item is in
	 * the tree, ep_remove() undoes all of it (and cannot free @ep: the
	 * instance file holds a reference); before, the item and the charge.
	 */
	EpItem *epi = nullptr;
	bool in_tree = false;
	ScopeGuard rollback([&] {
		if (in_tree) {
			ep_remove(ep, epi);
			return;
		}
		if (epi) {
			ep2k_kmem_cache_free(epi_cache, epi);
			stat_dec(Stat::Items);
		}
		user_watches_uncharge(ep->user);
	});

	epi = static_cast<EpItem *>(ep2k_kmem_cache_zalloc(epi_cache, EP2K_GFP_KERNEL));
	if (unlikely(!epi))
		return ENOMEM_;
	stat_inc(Stat::Items);
	epi->rdllink.init();
	epi->fllink.init();
	epi->ep = ep;
	epi->file = tfile;
	epi->fd = fd;
	epi->events = events;
	epi->data = data;
	epi->next = ep_unactive();
	if (ep->ring && ep2k_file_wakes_on_drain(tfile))
		epi->ring_flags = EPI_DRAIN_WAKES;
	epi->target_kind = kfile::is_ep2(tfile) ? TARGET_EP2
			   : ep2k_file_is_native_epoll(tfile) ? TARGET_NATIVE_EPOLL : TARGET_PLAIN;

	TRY(file_watch_attach(epi));
	if (epi->pins_file)
		ep2k_get_file(tfile);
	if (full_check && !kfile::is_ep2(tfile))
		ep_list_file_for_check(tfile);

	ep_rbtree_insert(ep, epi);
	ep_get(ep);
	in_tree = true;

	/* Now check if we've created too many backpaths. */
	if (unlikely(full_check && !ep_reverse_path_check()))
		return EINVAL_;

	if (epi->events & EPOLLWAKEUP)
		TRY(ep_create_wakeup_source(epi));

	/* Attach to the target's wait queues and read its current state. */
	EpPqueue epq;
	epq.epi = epi;
	ep2k_init_poll_table_queue(epq.pt.raw());
	u32 revents = ep_item_poll(epi, epq.pt.raw(), 1);

	/* An allocation in the queue proc failed. */
	if (unlikely(!epq.epi))
		return ENOMEM_;
	rollback.disarm();

	/* Record the NAPI id of a socket item (busy polling). */
	ep_set_busy_poll_napi_id(epi);

	/* Already ready: on the ready list it goes. */
	if (revents)
		ep_queue_ready(ep, epi);
	return OK;
}

/* Must be called with ep->mtx held. */
ErrorOr<> ep_modify(EventPoll *ep, EpItem *epi, u32 events, u64 data)
{
	lockdep_assert_irqs_enabled();

	/*
	 * Set the new mask before ->poll(), so an event between the poll and
	 * the registration of the new mask is not missed.
	 */
	write_once(epi->events, events);
	epi->data = data;
	/*
	 * An unclaimed ring entry carries the old data and mask: withdraw it;
	 * the poll below queues the item again if it is ready.
	 */
	if (ep->ring)
		ep_ring_forget(ep, epi);
	if (epi->events & EPOLLWAKEUP) {
		if (!read_once(epi->ws))
			(void)ep_create_wakeup_source(epi); /* as epoll: failure ignored */
	} else if (read_once(epi->ws)) {
		ep_destroy_wakeup_source(epi);
	}

	/*
	 * Publish the new mask to the callback (which reads it under
	 * ep->lock, not ep->mtx) and order it before ->poll(); pairs with the
	 * barrier in wq_has_sleeper().  Either the callback or the poll below
	 * sees the readiness.
	 */
	smp_mb();

	/* If the item is hot and not on the ready list, put it there. */
	PollTable pt;
	ep2k_init_poll_table_null(pt.raw());
	if (ep_item_poll(epi, pt.raw(), 1))
		ep_queue_ready(ep, epi);
	return OK;
}

int ep_item_caches_init()
{
	/* We can have many thousands of items: keep one within two cache lines. */
	static_assert(sizeof(EpItem) <= 128, "EpItem must stay within 128 bytes");
	epi_cache = ep2k_kmem_cache_create("eventpoll2_epi", sizeof(EpItem), alignof(EpItem), 1);
	pwq_cache = ep2k_kmem_cache_create("eventpoll2_pwq", sizeof(EpPollEntry), alignof(EpPollEntry), 0);
	if (!epi_cache || !pwq_cache) {
		ep_item_caches_exit();
		return ENOMEM_.code;
	}
	return 0;
}

void ep_item_caches_exit()
{
	ep2k_kmem_cache_destroy(pwq_cache);
	ep2k_kmem_cache_destroy(epi_cache);
	pwq_cache = epi_cache = nullptr;
}

/* The queue proc: one more wait queue of the target to hook onto. */
void ep_ptable_queue_proc(struct wait_queue_head *whead, struct poll_table_struct *pt)
{
	auto *epq = reinterpret_cast<EpPqueue *>(pt);
	EpItem *epi = epq->epi;

	if (unlikely(!epi)) /* an earlier allocation has failed */
		return;

	auto *pwq = static_cast<EpPollEntry *>(ep2k_kmem_cache_zalloc(pwq_cache, EP2K_GFP_KERNEL));
	if (unlikely(!pwq)) {
		epq->epi = nullptr;
		return;
	}
	stat_inc(Stat::PollEntries);
	ep2k_init_callback_entry(pwq->wait.raw());
	pwq->whead = whead;
	pwq->base = epi;
	pwq->rr_link.init();
	if (epi->events & EPOLLEXCLUSIVE)
		ep2k_add_wait_queue_exclusive(whead, pwq->wait.raw());
	else
		ep2k_add_wait_queue(whead, pwq->wait.raw());
	pwq->next = epi->pwqlist;
	epi->pwqlist = pwq;
}

} // namespace ep2

extern "C" void ep2_ptable_queue_proc(struct file *f, struct wait_queue_head *whead,
				      struct poll_table_struct *pt)
{
	ep2::ep_ptable_queue_proc(whead, pt);
}
