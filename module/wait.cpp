// SPDX-License-Identifier: GPL-2.0
/*
 * wait.cpp - epoll_wait(), epoll_pwait(), epoll_pwait2(): harvesting ready
 * events (ep_send_events), sleeping for them (ep_poll), timeouts with
 * select()'s slack rules, and the pwait signal mask.
 */
#include "eventpoll.hpp"
#include "wait.hpp"
#include "ring.hpp"
#include "roundrobin.hpp"
#include "busypoll.hpp"

namespace ep2 {

namespace {

constexpr s64 NSEC_PER_SEC = 1000000000LL;
constexpr s64 NSEC_PER_MSEC = 1000000LL;
constexpr s64 KTIME_MAX = 0x7fffffffffffffffLL;
constexpr s64 MAX_SLACK = 100 * NSEC_PER_MSEC;

/* now + delta, saturating like timespec64_add_safe()/ktime. */
s64 deadline_after(s64 delta_ns)
{
	s64 now = ep2k_ktime_get_ns();
	s64 sum;
	if (__builtin_add_overflow(now, delta_ns, &sum))
		return KTIME_MAX;
	return sum;
}

/* fs/select.c select_estimate_accuracy() for an absolute deadline. */
u64 select_estimate_accuracy(s64 deadline_ns)
{
	u64 slack = ep2k_current_timer_slack_ns();
	if (slack == 0)
		return 0;

	s64 rem = deadline_ns - ep2k_ktime_get_ns();
	u64 ret;
	if (rem < 0) {
		ret = 0;
	} else {
		s64 sec = rem / NSEC_PER_SEC, nsec = rem % NSEC_PER_SEC;
		s64 divfactor = ep2k_current_nice() > 0 ? 1000 / 5 : 1000;
		if (sec > MAX_SLACK / (NSEC_PER_SEC / divfactor)) {
			ret = MAX_SLACK;
		} else {
			s64 s = nsec / divfactor + sec * (NSEC_PER_SEC / divfactor);
			ret = s > MAX_SLACK ? MAX_SLACK : s;
		}
	}
	return ret < slack ? slack : ret;
}

} // namespace

/*
 * Transfer ready events to userspace: a fresh ->poll() of each ready item,
 * masked by its events; LT items go back to the tail of the ready list,
 * ONESHOT items are disabled.  A fault returns EFAULT only when nothing was
 * delivered, and the item stays ready.  @try_only: EAGAIN if ep->mtx is
 * busy (io_uring's nonblocking issue).
 */
ErrorOr<int> ep_send_events(EventPoll *ep, UserPtr events, int maxevents, bool try_only)
{
	/* Let threads exit promptly on a fatal signal. */
	if (ep2k_fatal_signal_pending())
		return EINTR_;

	PollTable pt;
	ep2k_init_poll_table_null(pt.raw());
	int res = 0;

	EpLock lk(ep, EpLock::MaybeTry{try_only});
	if (!lk.held())
		return EAGAIN_;
	/* Round-robin: first move the entries that woke us to the tail. */
	if (ep->rr)
		ep_rr_rotate(ep);
	/*
	 * A ring instance: publish what is pending (so an item coalesces with
	 * its unclaimed entry, as on epoll's ready list), take the ring as any
	 * consumer would, then harvest what the ring does not serve.
	 */
	if (ep->ring) {
		ep_ring_publish_locked(ep);
		res = TRY(ep_ring_consume(ep, events, maxevents));
		if (res >= maxevents)
			return ErrorOr<int>(res);
		events = events.offset(static_cast<u64>(res) * sizeof(ep2_event));
	}
	ReadyScan scan(ep);

	/* Items cannot vanish during the loop: we hold ep->mtx. */
	ep2_list_for_each_safe(pos, tmp, scan.txlist) {
		EpItem *epi = EpItem::from_rdllink(pos);

		if (res >= maxevents)
			break;

		/*
		 * Activate ep->ws before deactivating epi->ws, so the re-activation
		 * below cannot let the system suspend in between.
		 */
		if (struct wakeup_source *ws = read_once(epi->ws)) {
			if (ep2k_wakeup_source_active(ws))
				ep2k_pm_stay_awake(ep->ws);
			ep2k_pm_relax(ws);
		}

		epi->rdllink.del_init();

		u32 revents = ep_item_poll(epi, pt.raw(), 1);
		if (!revents)
			continue;

		if (ep2k_put_uevent(events.get(), revents, epi->data)) {
			scan.txlist.add_head(&epi->rdllink);
			ep_pm_stay_awake(epi);
			if (!res)
				res = EFAULT_.code;
			break;
		}
		events = events.offset(sizeof(ep2_event));
		res++;
		if (epi->events & EPOLLONESHOT) {
			write_once(epi->events, epi->events & EP_PRIVATE_BITS);
		} else if (!(epi->events & EPOLLET)) {
			/*
			 * Level triggered: back on the ready list so the next wait
			 * polls it again.  Only we insert into rdllist now: ctl is
			 * locked out by mtx and the callback uses ovflist.
			 */
			ep->rdllist.add_tail(&epi->rdllink);
			ep_pm_stay_awake(epi);
		}
	}
	if (res < 0)
		return Error{res};
	return ErrorOr<int>(res);
}

/*
 * Wait for events: fs/eventpoll.c ep_poll.  @deadline_ns NULL waits forever;
 * a Poll timeout makes one non-blocking pass.  Waiters queue exclusively;
 * the wakeup entry removes itself, so each wakeup reaches the next waiter.
 */
static ErrorOr<int> ep_poll(EventPoll *ep, UserPtr events, int maxevents, WaitTimeout to)
{
	bool timed_out = false;
	u64 slack = 0;
	s64 expires = 0;
	const s64 *exp = nullptr;

	lockdep_assert_irqs_enabled();

	if (to.kind == WaitTimeout::Deadline) {
		slack = select_estimate_accuracy(to.deadline_ns);
		expires = to.deadline_ns;
		exp = &expires;
	} else if (to.kind == WaitTimeout::Poll) {
		/* Non-blocking: no trip to the wait queue. */
		timed_out = true;
	}

	/*
	 * Racy, and fine: the check under the lock below is the one that
	 * counts.  On a ring instance, entries appended since our last harvest
	 * (ring->gen) count too: the (untrusted) head is read only here, so a
	 * consumer that corrupts it cannot make this loop spin.
	 */
	EpRing *ring = ep->ring;
	u64 seen_gen = 0;
	if (ring) {
		ep_ring_adopt_owner(ep);
		seen_gen = read_once(ring->gen);
	}
	bool eavail = ep->events_available() || (ring && ep_ring_nonempty(ep));

	for (;;) {
		if (eavail) {
			/*
			 * Transfer what is ready.  An empty harvest with time left
			 * goes round again.
			 */
			if (ring)
				seen_gen = read_once(ring->gen);
			int res = TRY(ep_send_events(ep, events, maxevents, false));
			if (res)
				return ErrorOr<int>(res);
		}

		if (timed_out)
			return ErrorOr<int>(0);

		/* EPIOCSPARAMS: busy-poll the last NAPI id seen, then sleep. */
		if (ep_busy_loop(ep)) {
			eavail = true;
			continue;
		}

		if (ep2k_signal_pending())
			return EINTR_;

		WaitEntry wait;
		ep2k_init_autoremove_entry(wait.raw());

		{
			SpinLock::Irq guard(ep->lock);
			/*
			 * No barrier needed: the callback checks waitqueue_active()
			 * under the same lock.
			 */
			ep2k_set_current_interruptible();
			/*
			 * The final check under the lock: a scan moves items
			 * between rdllist and ovflist, both briefly empty.
			 */
			eavail = ep->events_available() ||
				 (ring && read_once(ring->gen) != seen_gen);
			if (!eavail) {
				/* Round-robin instances queue FIFO, epoll LIFO. */
				if (ep->rr)
					ep2k___add_wait_queue_exclusive_tail(ep->wq.raw(), wait.raw());
				else
					ep2k___add_wait_queue_exclusive(ep->wq.raw(), wait.raw());
			}
		}

		if (!eavail)
			timed_out = !ep2k_schedule_hrtimeout_abs(exp, slack);
		ep2k_set_current_running();

		/* Woken (or timed out): go and try to harvest. */
		eavail = true;

		if (ep2k_wait_entry_queued(wait.raw())) {
			SpinLock::Irq guard(ep->lock);
			/*
			 * Timed out and no longer queued means woken after the
			 * timeout, before we got the lock: harvest anyway.
			 */
			if (timed_out)
				eavail = !ep2k_wait_entry_queued_locked(wait.raw());
			ep2k___remove_wait_queue(ep->wq.raw(), wait.raw());
		}
	}
}

WaitTimeout WaitTimeout::from_ms(int ms)
{
	if (ms < 0)
		return {Forever, 0};
	if (ms == 0)
		return {Poll, 0};
	return {Deadline, deadline_after(static_cast<s64>(ms) * NSEC_PER_MSEC)};
}

/* fs/select.c poll_select_set_timeout(). */
ErrorOr<WaitTimeout> WaitTimeout::from_timespec(s64 sec, long nsec)
{
	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return EINVAL_;
	if (!sec && !nsec)
		return WaitTimeout{Poll, 0};
	s64 delta;
	if (__builtin_mul_overflow(sec, NSEC_PER_SEC, &delta) ||
	    __builtin_add_overflow(delta, static_cast<s64>(nsec), &delta))
		delta = KTIME_MAX;
	return WaitTimeout{Deadline, deadline_after(delta)};
}

/*
 * fs/eventpoll.c do_epoll_wait(): the checks, in epoll's order, on @f (the
 * fdget() of epfd, taken by the caller; checked after the arguments).
 */
ErrorOr<EventPoll *> ep_wait_target(const FdRef &f, UserPtr events, int maxevents, struct file *via)
{
	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return EINVAL_;
	if (!ep2k_access_ok(events.get(), static_cast<unsigned long>(maxevents) * sizeof(ep2_event)))
		return EFAULT_;
	if (!f)
		return EBADF_;
	if (!kfile::is_ep2(f.get()) || (via && via != f.get()))
		return EINVAL_;
	return ErrorOr<EventPoll *>(ep_from_file(f.get()));
}

ErrorOr<int> ep_wait(int epfd, UserPtr events, int maxevents, WaitTimeout to, struct file *via)
{
	FdRef f(epfd);
	EventPoll *ep = TRY(ep_wait_target(f, events, maxevents, via));
	return ep_poll(ep, events, maxevents, to);
}

/*
 * epoll_pwait(): install the caller's mask (SIGKILL/SIGSTOP cannot be
 * blocked), wait, and restore it, except after EINTR: then the mask stays
 * until the signal handler has run (the arch signal code restores it).
 */
ErrorOr<int> ep_pwait(int epfd, UserPtr events, int maxevents, WaitTimeout to,
		      UserPtr sigmask, u64 sigsetsize, struct file *via)
{
	if (!sigmask.is_null()) {
		u64 mask;
		if (sigsetsize != EP2K_SIGSET_SIZE)
			return EINVAL_;
		if (ep2k_copy_from_user(&mask, sigmask.get(), sizeof(mask)))
			return EFAULT_;
		mask &= ~((1ULL << (EP2K_SIGKILL - 1)) | (1ULL << (EP2K_SIGSTOP - 1)));
		ep2k_sigmask_install(mask);
	}

	auto res = ep_wait(epfd, events, maxevents, to, via);

	if (!(res.is_error() && res.error().code == EINTR_.code)) {
		if (ep2k_sigmask_test_and_clear_restore())
			ep2k_sigmask_restore_saved();
	}
	return res;
}

} // namespace ep2
