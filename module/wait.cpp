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
 * Ready items for min-wait, counted up to @limit: unconsumed ring entries
 * (per the untrusted head, bounded by the ring size) plus the ready list
 * and what a running scan diverted to ovflist.  ep->lock held: every waker
 * of ep->wq holds it, so the wake function below may call this.  A count of
 * readiness notifications: the harvest polls each item, so fewer may come
 * back, and a ring item that became ready again while its entry is
 * unclaimed counts twice until it is published.
 */
static u32 ep_ready_count_locked(EventPoll *ep, u32 limit)
{
	u32 n = 0;
	if (EpRing *r = ep->ring) {
		u32 used = read_once(r->tail) - load_acquire(r->hdr->head);
		if (used <= r->entries)
			n = used;
	}
	for (ListNode *p = read_once(ep->rdllist.next); p != &ep->rdllist && n < limit; p = p->next)
		n++;
	for (EpItem *e = read_once(ep->ovflist); e && e != ep_unactive() && n < limit; e = e->next)
		n++;
	return n;
}

/*
 * A min-wait waiter's wait entry: woken only once @need items are ready
 * (the wake function declines otherwise, so an exclusive wakeup passes on
 * to the next waiter); its timer and signals wake it directly.
 */
struct MinWaitEntry {
	EP2_PINNED(MinWaitEntry);
	WaitEntry wait;
	EventPoll *ep;
	u32 need;
};

/*
 * Wait for events: fs/eventpoll.c ep_poll.  @deadline_ns NULL waits forever;
 * a Poll timeout makes one non-blocking pass.  Waiters queue exclusively;
 * the wakeup entry removes itself, so each wakeup reaches the next waiter.
 *
 * With min-wait (@mw.need > 1) the harvest is held back while fewer than
 * need items are ready: the first time the wait sees one ready opens the
 * batch (and starts the wait_ns clock); it then sleeps on an entry that is
 * woken only at need ready, or until the batch deadline, the timeout or a
 * signal, and harvests once, into the whole array.  One harvest per call:
 * nothing is held back from userspace, an LT item is never reported twice.
 */
static ErrorOr<int> ep_poll(EventPoll *ep, UserPtr events, int maxevents, WaitTimeout to, MinWait mw)
{
	bool timed_out = false;
	u64 slack = 0;
	s64 expires = KTIME_MAX;
	bool has_deadline = false;

	lockdep_assert_irqs_enabled();

	if (to.kind == WaitTimeout::Deadline) {
		slack = select_estimate_accuracy(to.deadline_ns);
		expires = to.deadline_ns;
		has_deadline = true;
	} else if (to.kind == WaitTimeout::Poll) {
		/* Non-blocking: no trip to the wait queue. */
		timed_out = true;
	}

	/* Min-wait: a Poll pass ignores it. */
	const u32 need = mw.need;
	const bool batching = need > 1 && !timed_out;
	bool batch_open = false;
	s64 batch_deadline = KTIME_MAX;
	u64 batch_slack = 0;

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
		if (eavail && batching) {
			u32 n;
			if (ring)
				seen_gen = read_once(ring->gen);
			{
				SpinLock::Irq guard(ep->lock);
				n = ep_ready_count_locked(ep, need);
			}
			if (!n) {
				eavail = false;		/* a stale wakeup: nothing ready */
			} else {
				if (!batch_open) {
					batch_open = true;
					if (mw.wait_ns) {
						batch_deadline = deadline_after(mw.wait_ns);
						batch_slack = select_estimate_accuracy(batch_deadline);
					}
				}
				/* Keep collecting unless it is time to harvest. */
				if (n < need && !timed_out && !ep2k_signal_pending() &&
				    ep2k_ktime_get_ns() < batch_deadline)
					eavail = false;
			}
		}
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
			batch_open = false;
			batch_deadline = KTIME_MAX;
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

		MinWaitEntry wait;
		wait.ep = ep;
		wait.need = need;
		if (batch_open)
			ep2k_init_minwait_entry(wait.wait.raw());
		else
			ep2k_init_autoremove_entry(wait.wait.raw());

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
			if (batch_open)
				eavail = ep_ready_count_locked(ep, need) >= need;
			else
				eavail = ep->events_available() ||
					 (ring && read_once(ring->gen) != seen_gen);
			if (!eavail) {
				/* Round-robin instances queue FIFO, epoll LIFO. */
				if (ep->rr)
					ep2k___add_wait_queue_exclusive_tail(ep->wq.raw(), wait.wait.raw());
				else
					ep2k___add_wait_queue_exclusive(ep->wq.raw(), wait.wait.raw());
			}
		}

		if (!eavail) {
			/* The batch deadline, when it comes first, is a wakeup, not a timeout. */
			bool batch_timer = batch_open && batch_deadline < expires;
			s64 until = batch_timer ? batch_deadline : expires;
			bool expired = !ep2k_schedule_hrtimeout_abs(has_deadline || batch_timer ? &until : nullptr,
								    batch_timer ? batch_slack : slack);
			if (expired && !batch_timer)
				timed_out = true;
		}
		ep2k_set_current_running();

		/* Woken (or timed out): go and try to harvest. */
		eavail = true;

		if (ep2k_wait_entry_queued(wait.wait.raw())) {
			SpinLock::Irq guard(ep->lock);
			/*
			 * Timed out and no longer queued means woken after the
			 * timeout, before we got the lock: harvest anyway.  A batch
			 * that timed out harvests what it collected.
			 */
			if (timed_out && !batch_open)
				eavail = !ep2k_wait_entry_queued_locked(wait.wait.raw());
			ep2k___remove_wait_queue(ep->wq.raw(), wait.wait.raw());
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

WaitTimeout WaitTimeout::from_ns(s64 ns)
{
	if (ns < 0)
		return {Forever, 0};
	if (ns == 0)
		return {Poll, 0};
	return {Deadline, deadline_after(ns)};
}

MinWait MinWait::from_args(u32 min_events, u64 min_wait_ns, int maxevents)
{
	u32 need = min_events;
	/* min_wait alone: collect until the array is full or the time is up. */
	if (!need && min_wait_ns)
		need = static_cast<u32>(maxevents);
	if (need > static_cast<u32>(maxevents))
		need = static_cast<u32>(maxevents);
	/* The count is a walk of the ready list under ep->lock: bounded. */
	if (need > EP2_MIN_EVENTS_MAX)
		need = EP2_MIN_EVENTS_MAX;
	s64 ns = min_wait_ns > static_cast<u64>(KTIME_MAX) ? KTIME_MAX : static_cast<s64>(min_wait_ns);
	return MinWait{need, ns};
}

ErrorOr<> ep_check_wait_array(UserPtr events, int maxevents)
{
	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return EINVAL_;
	if (!ep2k_access_ok(events.get(), static_cast<unsigned long>(maxevents) * sizeof(ep2_event)))
		return EFAULT_;
	return OK;
}

/*
 * fs/eventpoll.c do_epoll_wait(): the checks, in epoll's order, on @f (the
 * fdget() of epfd, taken by the caller; checked after the arguments).
 */
ErrorOr<EventPoll *> ep_wait_target(const FdRef &f, UserPtr events, int maxevents, struct file *via)
{
	TRY(ep_check_wait_array(events, maxevents));
	if (!f)
		return EBADF_;
	if (!kfile::is_ep2(f.get()) || (via && via != f.get()))
		return EINVAL_;
	return ErrorOr<EventPoll *>(ep_from_file(f.get()));
}

ErrorOr<int> ep_poll_instance(EventPoll *ep, UserPtr events, int maxevents, WaitTimeout to, MinWait mw)
{
	return ep_poll(ep, events, maxevents, to, mw);
}

ErrorOr<int> ep_wait(int epfd, UserPtr events, int maxevents, WaitTimeout to, struct file *via,
		     MinWait mw)
{
	FdRef f(epfd);
	EventPoll *ep = TRY(ep_wait_target(f, events, maxevents, via));
	return ep_poll(ep, events, maxevents, to, mw);
}

ErrorOr<> SigMask::read(UserPtr sigmask, u64 sigsetsize)
{
	if (sigmask.is_null())
		return OK;
	u64 mask;
	if (sigsetsize != EP2K_SIGSET_SIZE)
		return EINVAL_;
	if (ep2k_copy_from_user(&mask, sigmask.get(), sizeof(mask)))
		return EFAULT_;
	m_mask = mask & ~((1ULL << (EP2K_SIGKILL - 1)) | (1ULL << (EP2K_SIGSTOP - 1)));
	m_set = true;
	return OK;
}

void SigMask::install() const
{
	if (m_set)
		ep2k_sigmask_install(m_mask);
}

void SigMask::done(bool eintr) const
{
	if (!eintr && ep2k_sigmask_test_and_clear_restore())
		ep2k_sigmask_restore_saved();
}

/*
 * epoll_pwait(): install the caller's mask (SIGKILL/SIGSTOP cannot be
 * blocked), wait, and restore it, except after EINTR: then the mask stays
 * until the signal handler has run (the arch signal code restores it).
 */
ErrorOr<int> ep_pwait(int epfd, UserPtr events, int maxevents, WaitTimeout to,
		      UserPtr sigmask, u64 sigsetsize, struct file *via, MinWait mw)
{
	SigMask sm;
	TRY(sm.read(sigmask, sigsetsize));
	sm.install();

	auto res = ep_wait(epfd, events, maxevents, to, via, mw);

	sm.done(res.is_error() && res.error().code == EINTR_.code);
	return res;
}

} // namespace ep2

extern "C" int ep2_minwait_ready(struct wait_queue_entry *w)
{
	auto *m = reinterpret_cast<ep2::MinWaitEntry *>(ep2::WaitEntry::from_raw(w));
	static_assert(__builtin_offsetof(ep2::MinWaitEntry, wait) == 0);
	return ep2::ep_ready_count_locked(m->ep, m->need) >= m->need;
}
