/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ring.hpp - the ready ring: an opt-in extension (EP2_CREATE_RING) that
 * publishes ready events into memory shared with userspace, so a busy
 * event loop harvests them without a system call.
 *
 * WHAT IS PUBLISHED, AND WHEN
 * The wakeup path is epoll's, unchanged: ep_poll_callback() puts the item on
 * the ready list.  For a ring instance it also queues a task_work on the
 * ring's owner (the thread that last waited on the instance; first its
 * creator), which runs before that thread next returns to userspace.  There,
 * in process context under ep->mtx, ep_ring_publish() does what
 * ep_send_events() does, a fresh ->poll() of each ready item masked by its
 * events, and writes the result into the ring instead of a user array.  So a
 * ring event is exactly what epoll_wait() would have returned at that
 * moment; no ->poll() runs in the callback's context (it may be hard IRQ,
 * under the target's queue lock).
 *
 * Served by the ring: EPOLLET and EPOLLONESHOT items (ONESHOT disables the
 * item at publication, as a harvest does).  Served by the kernel path, which
 * the wait ioctls harvest as epoll does: level-triggered items (a ring has
 * no "next wait" at which to report them again) and EPOLLWAKEUP items (the
 * wakeup source is held until the next wait).  EPOLLEXCLUSIVE concerns the
 * wakeup of sleeping waiters and is unchanged.
 *
 * COALESCING, AND WHY NOTHING IS LOST
 * An item is at most once unclaimed in the ring: a new readiness of an item
 * whose entry is still unclaimed updates that entry in place (its events
 * word, by compare-and-swap against the consumer's claim), as epoll's ready
 * list holds an item once.  A claimed entry is never touched again; a new
 * readiness then takes a new entry.  So with ring entries >= ring-served
 * items the ring cannot overflow; if it is full anyway (a smaller ring, or a
 * consumer that does not advance head), the item stays on the kernel's
 * ready list, kernel_pending is set and overflow counted: the wait ioctls
 * return it.  Never a silent drop.
 *
 * HOSTILE USERSPACE
 * The kernel keeps its own tail and never reads it back.  It reads head
 * only to decide whether a slot may be reused, and entry words only in a
 * compare-and-swap against values it wrote; every index is masked.  A
 * consumer that scribbles over the mapping garbles its own events and
 * nothing else.
 *
 * STALE ENTRIES
 * A ring entry holds the item's state when it was published; epoll_wait()
 * polls at the harvest.  If the file's state changes between the two
 * without a wakeup the item listens to (its data read by the program), the
 * entry is stale.  Where the change does wake the queue with another key
 * (an eventfd read wakes with EPOLLOUT), the callback queues the item
 * anyway if it has an unclaimed entry, and publication polls it again:
 * still ready, the entry is updated; no longer, it is withdrawn, as epoll
 * would drop the item.  Other files (pipes, sockets) wake nobody when read,
 * so their entries can stay stale until harvested; a strict ring does not
 * serve them (ep_ring_serves).
 *
 * LOCKING: the ring's kernel-private state (tail, overflow, gen) and the
 * per-item position are written under ep->mtx; publish_queued and the
 * owner are protected by ep->lock.
 */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

struct EpRing {
	EP2_PINNED(EpRing);
	/* The instance; immutable. */
	EventPoll *ep;
	/* The shared pages (vmalloc_user); header first, then the entries. */
	ep2_ring_header *hdr;
	ep2_ring_entry *ents;
	/* Immutable geometry. */
	u32 entries;
	u32 mask;
	u32 mmap_size;
	u32 pages;
	/* The kernel's own tail: the next position it fills; ep->mtx. */
	u32 tail;
	/* Entries appended, ever (a waiter's "anything new?"); ep->mtx. */
	u64 gen;
	u64 overflow;
	/* The user charged for the pages (RLIMIT_MEMLOCK); immutable. */
	struct user_struct *user;
	/* Where publication runs; ep->lock.  A task reference is held. */
	struct task_struct *owner;
	/* The owner's task_work, queued at most once (publish_queued, ep->lock). */
	TaskWork work;
	bool publish_queued;
	/*
	 * A ring-served item went on the ready list since the last publication
	 * began (ep->lock): without one, publication has nothing to do and
	 * skips its scan (an instance of LT items pays nothing for the ring).
	 */
	bool served_queued;
	/* EP2_CREATE_RING_STRICT; immutable. */
	bool strict;
};

ErrorOr<EpRing *> ep_ring_create(u32 entries, bool strict);
void ep_ring_destroy(EpRing *r);

constexpr u8 EPI_IN_RING = 1;
constexpr u8 EPI_DRAIN_WAKES = 2;

/*
 * Served by the ring (see above).  A strict ring (EP2_CREATE_RING_STRICT)
 * serves only what it can keep exact: edge-triggered items whose target
 * wakes its queue when it is drained (eventfd), so an entry that went stale
 * is withdrawn before anyone harvests it (see STALE ENTRIES).
 */
inline bool ep_ring_serves(const EpRing *r, const EpItem *epi, u32 events)
{
	if (!(events & (EPOLLET | EPOLLONESHOT)) || (events & EPOLLWAKEUP))
		return false;
	return !r->strict || ((events & EPOLLET) && !(events & EPOLLONESHOT) &&
			      (epi->ring_flags & EPI_DRAIN_WAKES));
}

/* @epi went on the ready list (ep->lock held, any context): queue publication. */
void ep_ring_note_ready_locked(EventPoll *ep, EpItem *epi);
/*
 * The callback, for a wakeup whose key matches none of @epi's events (ep->lock
 * held): does @epi have an unclaimed entry that the change may have made
 * stale?  Then it is queued for publication, which polls it again.
 */
bool ep_ring_maybe_stale_locked(EventPoll *ep, EpItem *epi);
/* The kernel list's state for consumers; ep->lock held. */
void ep_ring_set_pending_locked(EventPoll *ep, bool pending);
/* Unclaimed entries per the (untrusted) head; for poll and wait. */
bool ep_ring_nonempty(const EventPoll *ep);
/* @epi is being removed or modified: withdraw its unclaimed entry; ep->mtx. */
void ep_ring_forget(EventPoll *ep, EpItem *epi);
/*
 * Publish what is ready into the ring now (ep->mtx held): the wait ioctls do
 * it first, so an item pending publication coalesces with its unclaimed
 * entry instead of being reported twice.
 */
void ep_ring_publish_locked(EventPoll *ep);
/*
 * The wait ioctls on a ring instance: claim ring entries into the user array
 * first (as any consumer would); ep->mtx held.  Returns how many, or EFAULT.
 */
ErrorOr<int> ep_ring_consume(EventPoll *ep, UserPtr events, int maxevents);
/* A waiter becomes the owner (where publication runs). */
void ep_ring_adopt_owner(EventPoll *ep);

} // namespace ep2
