// SPDX-License-Identifier: GPL-2.0
/*
 * mixed.cpp - nesting with native epoll (see mixed.hpp): the poll frames
 * that carry the depth across native instances, the wakeup of an
 * instance's pollers on the per-CPU wake stack, and the wakeups deferred
 * to irq_work.
 */
#include "mixed.hpp"

namespace ep2 {

namespace {

/*
 * Polls of native epoll targets in progress, one frame per (task, depth),
 * newest first.
 */
struct PollFrame {
	struct task_struct *task;
	int depth;		/* the native instance's depth */
	PollFrame *next;
};
PollFrame *poll_frames;		/* frames_lock */
int poll_frames_count;		/* atomic: no frame, no lookup */
SpinLock frames_lock;		/* plain: process context only */

bool ep_being_woken(const ep2k_wake_stack *st, const EventPoll *ep)
{
	for (int i = 0; i < st->depth; i++)
		if (st->ep[i] == ep)
			return true;
	return false;
}

} // namespace

void ep_nesting_init()
{
	frames_lock.init("eventpoll2_poll_frames", &ep2k_key_frames_lock);
}

int ep_inherited_poll_depth(struct task_struct *self)
{
	if (likely(!__atomic_load_n(&poll_frames_count, __ATOMIC_RELAXED)))
		return 0;
	SpinLock::Plain guard(frames_lock);
	for (PollFrame *f = poll_frames; f; f = f->next)
		if (f->task == self)
			return f->depth + 1;
	return 0;
}

u32 ep_poll_native_target(EpItem *epi, struct poll_table_struct *pt, int depth)
{
	if (depth > EP_MAX_MIXED_DEPTH)
		return 0;
	PollFrame frame{ep2k_current(), depth, nullptr};
	{
		SpinLock::Plain guard(frames_lock);
		frame.next = poll_frames;
		poll_frames = &frame;
		__atomic_add_fetch(&poll_frames_count, 1, __ATOMIC_RELAXED);
	}
	u32 res = ep2k_vfs_poll(epi->file, pt, epi->events);
	{
		SpinLock::Plain guard(frames_lock);
		PollFrame **pp = &poll_frames;
		while (*pp != &frame)
			pp = &(*pp)->next;
		*pp = frame.next;
		__atomic_sub_fetch(&poll_frames_count, 1, __ATOMIC_RELAXED);
	}
	return res;
}

void ep_poll_safewake(EventPoll *ep, EpItem *epi, u32 pollflags)
{
	ep2k_wake_frame frame;
	ep2k_wake_stack *st = ep2k_wake_enter(&frame);
	if (!ep_being_woken(st, ep) && st->depth < EP2K_WAKE_STACK_DEPTH) {
		unsigned subclass = static_cast<unsigned>(st->depth) + (epi ? 1 : 0);
		st->ep[st->depth++] = ep;
		ep2k_wake_up_poll_irqs_off(ep->poll_wait.raw(), EPOLLIN | pollflags, subclass);
		st->depth--;
	}
	ep2k_wake_exit(&frame);
}

bool ep_poll_defer_locked(EventPoll *ep, u32 pollflags)
{
	const ep2k_wake_stack *st = ep2k_wake_current();
	int hops = st->hops + 1;
	if (ep_being_woken(st, ep) || hops > EP_MAX_MIXED_DEPTH)
		return false;
	ep->pwake_flags |= pollflags;
	ep->pwake_hops = static_cast<u8>(min(static_cast<int>(ep->pwake_hops), hops));
	return true;
}

/*
 * The irq_work of a deferred wakeup: wake as ep_poll_safewake(ep, NULL).
 * It is a plain irq_work (not IRQ_WORK_INIT_HARD): on PREEMPT_RT it runs in
 * the per-CPU irq_work thread, where ep->lock and the poll_wait lock, both
 * sleeping locks there, may be taken; in hard IRQ they could not be.
 */
static void ep_poll_deferred(EventPoll *ep)
{
	ep2k_wake_frame frame;
	ep2k_wake_stack *st = ep2k_wake_enter(&frame);
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
		int saved = st->hops;
		st->hops = hops;
		ep_poll_safewake(ep, nullptr, pollflags);
		st->hops = saved;
	}
	ep2k_wake_exit(&frame);
}

void ep_pwake_init(EventPoll *ep)
{
	ep->pwake_work.init_deferred_wake();
	ep->pwake_hops = EP_NO_PWAKE;
}

void ep_pwake_sync(EventPoll *ep)
{
	/*
	 * No item is left to defer a wakeup (each callback was unhooked
	 * under its queue's lock); let a deferred one that is queued finish.
	 */
	ep->pwake_work.sync();
}

} // namespace ep2

extern "C" void ep2_deferred_wake(struct irq_work *w)
{
	ep2::ep_poll_deferred(ep2_container_of(ep2::IrqWork::from_raw(w), ep2::EventPoll, pwake_work));
}
