// SPDX-License-Identifier: GPL-2.0
/*
 * uring.cpp - eventpoll2 calls submitted through io_uring: the instance's
 * ->uring_cmd (IORING_OP_URING_CMD; uapi/linux/eventpoll2.h, "io_uring").
 *
 * The command's op is the ioctl's number and its argument is the ioctl's
 * struct, read by the ioctl's code (frontend.cpp), so a command means what
 * the ioctl means.  CTL runs at issue.  A wait harvests at issue when events
 * are ready; otherwise it is queued on the instance and the submitter goes
 * on (-EIOCBQUEUED):
 *
 *   issue ──> UringWait on ep->wq (exclusive, as a sleeping waiter) + timer
 *     wake (callback, any context) ─┐
 *     timer: deadline, or ring/task exit (checked every EXIT_CHECK_NS) ─┼─> fire:
 *     EP2_URING_CMD_CANCEL ─────────┘    Pending -> Fired (one winner),
 *                                        task work queued
 *   task work (the submitter's context) ──> harvest (ep_send_events) ──>
 *     io_uring_cmd_done(n), or, when a wakeup found nothing (another waiter
 *     took it), back to Pending on ep->wq.
 *
 * Why a timer for exit: 6.1 has no cancel hook for uring_cmd
 * (IORING_URING_CMD_CANCELABLE is 6.7), and io_uring's exit paths wait for
 * every request: a queued wait that never completed would hang the exiting
 * task (io_uring_cancel_generic) or WARN in io_ring_exit_work after 60 s.
 * So every queued wait is looked at every EXIT_CHECK_NS: if the ring is
 * dying or the submitter exiting, it completes with -ECANCELED.
 * IORING_OP_ASYNC_CANCEL cannot find such a request (it answers -ENOENT);
 * EP2_URING_CMD_CANCEL is the way to cancel one.
 *
 * Lifetime: the request holds the instance file until it completes, so
 * the instance outlives every UringWait on it; closing the fd neither
 * completes nor cancels a queued wait (as with epoll_wait() in another
 * thread, and any io_uring request on any file).  A UringWait is freed by
 * the task work that completes its command, after it is off ep->wq and
 * ep->uring_waits (ep->lock) and its timer is cancelled.  Registration
 * (ep->wq, the list, the timer start) happens in one ep->lock section, so
 * nothing can fire it before all three are in place.
 */
#include "eventpoll.hpp"
#include "frontend.hpp"
#include "ring.hpp"
#include "stats.hpp"
#include "wait.hpp"

namespace ep2 {

namespace {

constexpr s64 NSEC_PER_MSEC = 1000000LL;
/* How often a queued wait checks for the ring's or the submitter's exit. */
constexpr s64 EXIT_CHECK_NS = 200 * NSEC_PER_MSEC;
constexpr u64 EXIT_CHECK_SLACK_NS = 50 * NSEC_PER_MSEC;

enum State : int { Pending = 0, Fired = 1 };
enum Reason : int { Events = 1, Timeout = 2, Cancel = 3 };

/* A wait queued on an instance (see the top of the file). */
struct UringWait {
	EP2_PINNED(UringWait);
	/* On ep->wq while pending; ep->lock (the wake removes it itself). */
	WaitEntry wait;
	/* Deadline and exit checks; started under ep->lock at registration. */
	HrTimer timer;
	/* Link in ep->uring_waits (EP2_URING_CMD_CANCEL); ep->lock. */
	ListNode link;
	/* Immutable: the command, its instance, where the events go. */
	struct io_uring_cmd *cmd;
	EventPoll *ep;
	UserPtr events;
	int maxevents;
	s64 deadline_ns;	/* 0: none */
	/* Pending or Fired (atomic); the winner of the move to Fired sets reason. */
	int state;
	int reason;
	/* EP2_URING_CMD_CANCEL named it (it may be Fired already); ep->lock. */
	bool cancel_requested;

	static UringWait *from_wait(struct wait_queue_entry *e)
	{
		return ep2_container_of(WaitEntry::from_raw(e), UringWait, wait);
	}
	static UringWait *from_timer(struct hrtimer *t)
	{
		return ep2_container_of(HrTimer::from_raw(t), UringWait, timer);
	}
};

bool events_ready(EventPoll *ep)
{
	return ep->events_available() || (ep->ring && ep_ring_nonempty(ep));
}

/* Pending -> Fired; the winner queues the task work.  Any context. */
bool fire(UringWait *w, Reason why)
{
	int expected = Pending;
	if (!__atomic_compare_exchange_n(&w->state, &expected, Fired, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return false;
	write_once(w->reason, static_cast<int>(why));
	ep2k_uring_cmd_complete_in_task(w->cmd);
	return true;
}

ErrorOr<> check_reserved(const ep2_uring_cmd &pc, u32 flags_allowed)
{
	if ((pc.flags & ~flags_allowed) || pc.__reserved)
		return EINVAL_;
	return OK;
}

/* The waits: harvest now if events are ready, else queue. */
ErrorOr<int> uring_wait(struct io_uring_cmd *cmd, unsigned nr, const ep2_uring_cmd &pc,
			struct file *via, bool nonblock)
{
	TRY(check_reserved(pc, 0));
	UringWaitArgs a = TRY(uring_wait_args(nr, UserPtr{pc.args}));
	EventPoll *ep;
	{
		FdRef f(a.epfd);
		/* The request's file (via) keeps ep alive past this scope. */
		ep = TRY(ep_wait_target(f, a.events, a.maxevents, via));
	}

	if (events_ready(ep)) {
		auto r = ep_send_events(ep, a.events, a.maxevents, nonblock);
		if (r.is_error())
			return r.error();	/* EAGAIN: io_uring retries from io-wq */
		if (r.value() > 0)
			return r;
	}
	if (a.to.kind == WaitTimeout::Poll)
		return ErrorOr<int>(0);

	auto *w = static_cast<UringWait *>(ep2k_kzalloc(sizeof(UringWait), EP2K_GFP_KERNEL_ACCOUNT));
	if (unlikely(!w))
		return ENOMEM_;
	new (w) UringWait;
	ep2k_init_uring_wait_entry(w->wait.raw());
	w->timer.init();
	w->link.init();
	w->cmd = cmd;
	w->ep = ep;
	w->events = a.events;
	w->maxevents = a.maxevents;
	w->deadline_ns = a.to.kind == WaitTimeout::Deadline ? a.to.deadline_ns : 0;
	w->state = Pending;
	ep2k_uring_cmd_pdu_set(cmd, w);
	stat_inc(Stat::UringWaits);

	s64 first = ep2k_ktime_get_ns() + EXIT_CHECK_NS;
	if (w->deadline_ns && w->deadline_ns < first)
		first = w->deadline_ns;
	bool ready;
	{
		SpinLock::Irq guard(ep->lock);
		ep->uring_waits.add_tail(&w->link);
		w->timer.start(first, w->deadline_ns ? 0 : EXIT_CHECK_SLACK_NS);
		/* The final check under the lock, as ep_poll's. */
		ready = events_ready(ep);
		if (!ready)
			ep2k___add_wait_queue_exclusive(ep->wq.raw(), w->wait.raw());
	}
	if (ready)
		fire(w, Events);
	return ErrorOr<int>(-EP2K_EIOCBQUEUED);
}

/* EP2_URING_CMD_CANCEL: fire the matching queued waits of this instance. */
ErrorOr<int> uring_cancel(EventPoll *ep, const ep2_uring_cmd &pc)
{
	TRY(check_reserved(pc, EP2_URING_CANCEL_ANY));
	int n = 0;
	SpinLock::Irq guard(ep->lock);
	ep2_list_for_each_safe(pos, tmp, ep->uring_waits) {
		UringWait *w = ep2_container_of(pos, UringWait, link);
		if (!(pc.flags & EP2_URING_CANCEL_ANY) && ep2k_uring_cmd_user_data(w->cmd) != pc.args)
			continue;
		/* A fired wait completes with what it harvests, or sees the flag. */
		w->cancel_requested = true;
		fire(w, Cancel);
		n++;
	}
	if (!n)
		return ENOENT_;
	return ErrorOr<int>(n);
}

/*
 * A wakeup found nothing (another waiter harvested first): queue again.
 * Otherwise the result to complete with: 0 once the deadline passed,
 * ECANCELED when a cancel came meanwhile.
 */
enum class Rearm { Queued, Expired, Cancelled };
Rearm rearm(UringWait *w)
{
	if (w->deadline_ns && ep2k_ktime_get_ns() >= w->deadline_ns)
		return Rearm::Expired;
	EventPoll *ep = w->ep;
	bool ready;
	{
		SpinLock::Irq guard(ep->lock);
		if (w->cancel_requested)
			return Rearm::Cancelled;
		store_release(w->state, static_cast<int>(Pending));
		ready = events_ready(ep);
		if (!ready && !ep2k_wait_entry_queued_locked(w->wait.raw()))
			ep2k___add_wait_queue_exclusive(ep->wq.raw(), w->wait.raw());
	}
	if (ready)
		fire(w, Events);
	return Rearm::Queued;
}

} // namespace

} // namespace ep2

using namespace ep2;

/*
 * ->uring_cmd of an instance (glue/uring.c).  Returns the CQE's result,
 * -EIOCBQUEUED (completed later), or -EAGAIN from the nonblocking inline
 * issue (io_uring then issues again from io-wq, where sleeping is fine).
 */
extern "C" int ep2_instance_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	u32 op = ep2k_uring_cmd_op(cmd);
	unsigned type = (op >> EP2K_IOC_TYPESHIFT) & EP2K_IOC_TYPEMASK;
	unsigned nr = (op >> EP2K_IOC_NRSHIFT) & EP2K_IOC_NRMASK;
	struct file *via = ep2k_uring_cmd_file(cmd);
	bool nonblock = ep2k_uring_issue_nonblock(issue_flags);

	/* Fixed buffers (IORING_URING_CMD_FIXED) mean nothing here. */
	if (ep2k_uring_cmd_flags(cmd))
		return EINVAL_.code;

	/* The command area: our struct, then zeroes (an SQE128 ring has 80 bytes). */
	unsigned char area[80];
	ep2k_uring_cmd_payload(cmd, issue_flags, area, sizeof(area));
	unsigned long have = ep2k_uring_cmd_payload_size(issue_flags);
	for (unsigned long i = sizeof(ep2_uring_cmd); i < have && i < sizeof(area); i++)
		if (area[i])
			return EINVAL_.code;
	ep2_uring_cmd pc;
	__builtin_memcpy(&pc, area, sizeof(pc));

	if (type != EP2K_IOC_MAGIC)
		return ENOTTY_.code;
	switch (nr) {
	case EP2K_IOC_NR_CTL:
		if (auto r = check_reserved(pc, 0); r.is_error())
			return r.error().code;
		return static_cast<int>(ioc_ctl(UserPtr{pc.args}, false, via, nonblock).to_long());
	case EP2K_IOC_NR_WAIT:
	case EP2K_IOC_NR_PWAIT:
	case EP2K_IOC_NR_PWAIT2:
		return static_cast<int>(uring_wait(cmd, nr, pc, via, nonblock).to_long());
	case EP2K_IOC_NR_URING_CANCEL:
		return static_cast<int>(uring_cancel(ep_from_file(via), pc).to_long());
	default:
		return ENOTTY_.code;
	}
}

/* A wakeup of ep->wq (ep->lock held, any context). */
extern "C" int ep2_uring_wake(struct wait_queue_entry *wait)
{
	UringWait *w = UringWait::from_wait(wait);

	/* Off the queue whatever happens, as ep_autoremove_wake_function. */
	ep2k_wait_entry_unlink(wait);
	/* 1 counts as the exclusive wakeup; 0 passes it on to the next waiter. */
	return fire(w, Events) ? 1 : 0;
}

/* The timer (hard IRQ): the deadline, and the exit checks. */
extern "C" s64 ep2_uring_timer(struct hrtimer *t)
{
	UringWait *w = UringWait::from_timer(t);
	s64 now = ep2k_ktime_get_ns();

	if (load_acquire(w->state) == Pending) {
		if (ep2k_uring_cmd_owner_gone(w->cmd))
			fire(w, Cancel);
		else if (w->deadline_ns && now >= w->deadline_ns)
			fire(w, Timeout);
	}
	/* Runs until the completion cancels it. */
	s64 next = now + EXIT_CHECK_NS;
	if (w->deadline_ns > now && w->deadline_ns < next)
		next = w->deadline_ns;
	return next;
}

/*
 * The task work of a fired wait: in the submitter's context (user memory
 * reachable), or in io_uring's fallback worker when the submitter is
 * exiting.  Harvests and completes, or queues the wait again.
 */
extern "C" void ep2_uring_cmd_task_work(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	auto *w = static_cast<UringWait *>(ep2k_uring_cmd_pdu_get(cmd));
	EventPoll *ep = w->ep;
	int why = read_once(w->reason);
	long res;

	if (why == Cancel || !ep2k_uring_cmd_in_submitter(cmd)) {
		res = ECANCELED_.code;
	} else {
		auto r = ep_send_events(ep, w->events, w->maxevents, false);
		if (r.is_error()) {
			res = r.error().code;
		} else if (r.value() == 0 && why == Events) {
			Rearm again = rearm(w);
			if (again == Rearm::Queued)
				return;
			res = again == Rearm::Cancelled ? ECANCELED_.code : 0;
		} else {
			res = r.value();
		}
	}

	{
		SpinLock::Irq guard(ep->lock);
		if (ep2k_wait_entry_queued_locked(w->wait.raw()))
			ep2k___remove_wait_queue(ep->wq.raw(), w->wait.raw());
		w->link.del_init();
	}
	w->timer.cancel();
	w->~UringWait();
	ep2k_kfree(w);
	stat_dec(Stat::UringWaits);
	/* Last: completing may drop the request's reference on the instance. */
	ep2k_uring_cmd_done(cmd, res, issue_flags);
}
