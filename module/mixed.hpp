/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mixed.hpp - nesting with native epoll: eventpoll2 instances and native
 * epoll instances watching each other.  What keeps such chains finite and
 * deadlock free lives here and in mixed.cpp, with its glue in one section
 * of kapi.h and glue/helpers.c ("nesting with native epoll"); the rest of
 * the module points here.
 *
 * THE PROBLEM.  Each backend's loop check sees only its own instances, and
 * eventpoll2 cannot veto native epoll's ADD.  So a mixed chain can nest
 * deeper than either allows (EP_MAX_NESTS), and can even close a cycle
 * (X -> native E -> X).  Polls recurse down such a chain and wakeups up it,
 * and native epoll takes its own locks on the way.  eventpoll2 bounds both
 * itself, at EP_MAX_MIXED_DEPTH eventpoll2 levels.
 *
 * POLL, down the chain (ep_eventpoll_poll, ep_poll_native_target):
 *
 * - Depth across native instances.  Native epoll polls our instance file
 *   through ->poll, which carries no depth.  Before polling a native
 *   target, ep_poll_native_target() pushes a PollFrame (task, depth); our
 *   ->poll, entered at depth 0, continues from its task's frame
 *   (ep_inherited_poll_depth).  Deeper than EP_MAX_MIXED_DEPTH, a poll
 *   answers "not ready".
 *
 * - Re-entry.  A cycle brings ->poll back to an instance whose mtx the same
 *   task holds (EventPoll::mtx_owner, recorded by EpLock): the poll answers
 *   "not ready" instead of deadlocking.
 *
 * - Trylock from outside (ep_poll_lock).  A poll entered through ->poll (a
 *   native instance, poll(), select()) may run under locks we cannot order
 *   against: native epoll polls us with its own mtx held, while our ADD of
 *   a native target holds our mtx and takes its.  So it only tries ep->mtx
 *   (which adds no lock-order edge and cannot deadlock) and, when that is
 *   contended, answers from the lock-free view of the ready list.  The same
 *   holds all the way down a chain entered from outside: the native mtx is
 *   still held there, and a nested instance's ADD of that native instance
 *   takes the two the other way round (a three-task ABBA, mixing_test
 *   mixed_storm).  Nested instances under our own harvest or ctl
 *   (loop-checked, ordered by depth) take the mutex, the depth as lockdep
 *   subclass.
 *
 * - No re-poll of native targets from outside.  The caller may be that
 *   native instance, holding its mtx (a cycle), or one of its lock class:
 *   polling it would take that mtx.  A queued native target counts as
 *   ready instead; the instance's harvest re-polls it under its own mtx and
 *   drops it if stale.
 *
 * WAKE, up the chain (ep_poll_safewake, from ep_poll_callback and ctl):
 * waking an instance's pollers (poll_wait) runs the callbacks of whatever
 * watches it, native epoll included, under the lock of the queue woken.
 *
 * - The wake stack (kapi.h ep2k_wake_stack: per CPU, used with IRQs off;
 *   on PREEMPT_RT, where spinlock_t sleeps, per task) lists the instances
 *   being woken by the chain running here.  A wakeup of an instance
 *   already on it is a cycle and is dropped (its pollers are being woken
 *   already); so is one nested deeper than EP2K_WAKE_STACK_DEPTH (kernel
 *   stack).  Its depth is the lockdep subclass of poll_wait's lock, as
 *   fs/eventpoll.c's ep->nests: 0 from ctl, one more from a callback.
 *
 * - Deferred wakeups.  A callback of an item that watches a native
 *   instance runs with that instance's poll_wait lock held, and our
 *   pollers may include that same instance (a cycle), whose callback would
 *   take the lock again: a hard lockup.  Or another native instance, which
 *   native epoll gives the same lockdep subclass.  So the callback only
 *   notes that wakeup, under the ep->lock it holds anyway
 *   (ep_poll_defer_locked), and ep->pwake_work, an irq_work, runs it right
 *   after with no lock held (on x86 a self-IPI, before the waking syscall
 *   returns to userspace).
 *
 * - Hops.  A cycle through two or more native instances defers again at
 *   every turn; each deferral counts a hop (EventPoll::pwake_hops while
 *   pending, ep2k_wake_stack::hops while it runs), and a wakeup
 *   EP_MAX_MIXED_DEPTH hops away from the event is dropped, as the poll
 *   path stops there too.
 *
 * So in a mixed chain readiness propagates up to EP_MAX_MIXED_DEPTH
 * eventpoll2 levels and no further, and cycles and deep chains cause no
 * hang, lockup or stack overflow (selftests/mixing_test.c).  What userspace
 * sees: README.md, "Known differences from epoll".
 */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

/* The bound on mixed chains, in eventpoll2 levels (and deferral hops). */
constexpr int EP_MAX_MIXED_DEPTH = EP2K_WAKE_STACK_DEPTH;
/* EventPoll::pwake_hops when no deferred wakeup is pending. */
constexpr u8 EP_NO_PWAKE = 0xff;

void ep_nesting_init();

/* --- poll --------------------------------------------------------------- */
/* The depth ->poll continues from when a native instance polls us (else 0). */
int ep_inherited_poll_depth(struct task_struct *self);
/* ep_item_poll() of a native epoll instance at @depth. */
u32 ep_poll_native_target(EpItem *epi, struct poll_table_struct *pt, int depth);

/* lockdep knows 8 subclasses; deeper mixed chains share the last one. */
inline unsigned ep_mtx_subclass(int depth) { return static_cast<unsigned>(min(depth, 7)); }

/* ep->mtx for a poll at @depth: only tried when entered from outside. */
inline EpLock ep_poll_lock(EventPoll *ep, int depth, bool from_outside)
{
	return from_outside ? EpLock(ep, EpLock::Try{}) : EpLock(ep, ep_mtx_subclass(depth));
}

/* --- wake --------------------------------------------------------------- */
/*
 * Wake the pollers of @ep.  @epi is the item whose callback is waking (or
 * NULL: ctl, release, a deferred wakeup).
 */
void ep_poll_safewake(EventPoll *ep, EpItem *epi, u32 pollflags);
/*
 * From the callback of an item that watches a native instance, with
 * ep->lock held: note a deferred wakeup of poll_wait.  True if
 * ep->pwake_work must be queued, after unlocking.
 */
bool ep_poll_defer_locked(EventPoll *ep, u32 pollflags);
/* ep->pwake_work and its state, at ep_alloc() and ep_free(). */
void ep_pwake_init(EventPoll *ep);
void ep_pwake_sync(EventPoll *ep);

} // namespace ep2
