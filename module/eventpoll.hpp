/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eventpoll.hpp - the eventpoll2 instance, its items and their wait entries.
 *
 * LOCKING:
 * eventpoll2 uses the locks of fs/eventpoll.c, in the same order, plus one
 * for its own file registry (native epoll keeps that list in file->f_ep,
 * which a module must not touch):
 *
 * 1) ep_nested_mtx (mutex, global)      "epmutex": serialises loop checks
 * 2) ep->mtx       (mutex, per instance)
 * 3) ep->lock      (spinlock, IRQ-safe, per instance)
 *    watch_lock    (spinlock, global, file_watch.cpp), taken under 2) but
 *                  never together with 3)
 *
 * The acquire order is 1 -> 2 -> 3.  ep->lock is a spinlock taken with IRQs
 * off because ep_poll_callback() runs from whatever context wakes the
 * watched file's wait queue, hard IRQ included.  ep->mtx is a sleeping lock:
 * the event transfer loop copies to userspace and calls ->poll(), both of
 * which may sleep; it is held there, in ctl and in instance release, so an
 * item cannot vanish while it is used.  ep_nested_mtx is taken when an ADD
 * may change the topology of nested instances (the target is an instance,
 * or the instance being added to is itself watched), so two concurrent ADDs
 * (A into B, B into A) cannot form a cycle neither of them sees.
 *
 * Several ep->mtx are held at once only down a nesting chain: after
 * ctl(e1, ADD, e2), e1->mtx is taken before e2->mtx; cycles are refused, so
 * the order is well founded, and lockdep is told the depth as the subclass.
 *
 * Wakeups and frees happen outside ep->lock: a callback that must wake
 * pollers of the instance (poll_wait) does so after unlocking; items are
 * freed after they are off every list.
 *
 * Nesting with native epoll instances, which no loop check sees across,
 * adds rules of its own (trylock from outside, wakeups deferred to
 * irq_work, a depth bound): see mixed.hpp.
 *
 * OWNERSHIP:
 *   struct file ([eventpoll2]) --private--> EventPoll  (refcount: 1 + items)
 *   EventPoll --rbr--> EpItem --pwqlist--> EpPollEntry --wait--> target whead
 *   EpItem --fllink--> FileWatch(target file) (file_watch.cpp)
 *   EventPoll --user--> UserWatches (per-user count, user_watches.cpp)
 */
#pragma once
#include "kobj.hpp"
#include "list.hpp"

namespace ep2 {

/* epoll's event bits, generated from the kernel's headers. */
constexpr u32 EPOLLIN = EP2K_EPOLLIN;
constexpr u32 EPOLLPRI = EP2K_EPOLLPRI;
constexpr u32 EPOLLOUT = EP2K_EPOLLOUT;
constexpr u32 EPOLLERR = EP2K_EPOLLERR;
constexpr u32 EPOLLHUP = EP2K_EPOLLHUP;
constexpr u32 EPOLLRDNORM = EP2K_EPOLLRDNORM;
constexpr u32 EPOLLEXCLUSIVE = EP2K_EPOLLEXCLUSIVE;
constexpr u32 EPOLLWAKEUP = EP2K_EPOLLWAKEUP;
constexpr u32 EPOLLONESHOT = EP2K_EPOLLONESHOT;
constexpr u32 EPOLLET = EP2K_EPOLLET;
constexpr u32 POLLFREE = EP2K_POLLFREE;
constexpr u32 EPOLL_URING_WAKE = EP2K_EPOLL_URING_WAKE;

/* Private bits of the event mask (never reported, never polled for). */
constexpr u32 EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
constexpr u32 EPOLLINOUT_BITS = EPOLLIN | EPOLLOUT;
constexpr u32 EPOLLEXCLUSIVE_OK_BITS =
	EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

/* Maximum nesting of instances (fs/eventpoll.c EP_MAX_NESTS). */
constexpr int EP_MAX_NESTS = 4;
/* Largest maxevents: INT_MAX / sizeof(struct epoll_event). */
constexpr long EP_MAX_EVENTS = EP2K_INT_MAX / EP2K_SIZEOF_EPOLL_EVENT;

struct EventPoll;
struct EpItem;
struct FileWatch;
struct UserWatches;
struct EpRing;

/* ovflist "not active" / "not linked" marker, as EP_UNACTIVE_PTR. */
inline EpItem *ep_unactive() { return reinterpret_cast<EpItem *>(-1L); }

/* A wait entry hooked on one of the target file's wait queues. */
struct EpPollEntry {
	EP2_PINNED(EpPollEntry);
	/* Next entry of the same item; protected by ep->mtx. */
	EpPollEntry *next;
	/* The entry on the target's queue; its func is ep2_poll_callback. */
	WaitEntry wait;
	/* The queue it is on; NULL once POLLFREE detached it (store_release). */
	struct wait_queue_head *whead;
	/* The item this entry belongs to; immutable. */
	EpItem *base;
	/*
	 * Round-robin instances: on ep->rr_pending while a rotation to the
	 * tail of *whead is owed (roundrobin.hpp); protected by ep->lock.
	 */
	ListNode rr_link;

	static EpPollEntry *from_wait(struct wait_queue_entry *w)
	{
		return ep2_container_of(WaitEntry::from_raw(w), EpPollEntry, wait);
	}
};

/* What an item watches: how ep_item_poll() reaches it. */
enum TargetKind : u8 {
	TARGET_PLAIN = 0,	/* any pollable file: vfs_poll() */
	TARGET_EP2 = 1,		/* an eventpoll2 instance: ep_eventpoll_poll() with depth */
	TARGET_NATIVE_EPOLL = 2, /* a native epoll instance: vfs_poll(), depth carried aside */
};

/* One watched (file, fd) of one instance: fs/eventpoll.c's struct epitem. */
struct EpItem {
	EP2_PINNED(EpItem);
	/* Link in ep->rbr, keyed by (file, fd); protected by ep->mtx. */
	RbNode rbn;
	/* Link in ep->rdllist or a scan's txlist; protected by ep->lock. */
	ListNode rdllink;
	/* Link in ep->ovflist; ep_unactive() when not on it; ep->lock. */
	EpItem *next;
	/* The watched file and the fd it was added under; immutable. */
	struct file *file;
	int fd;
	/* Set when the target's close removes the item; ep->mtx. */
	bool dying;
	/* The item holds a reference on @file (targets without close events). */
	bool pins_file;
	/* What the target is (TargetKind), fixed at insert. */
	u8 target_kind;
	/*
	 * Ring instances (ring.hpp): EPI_IN_RING, the item has an entry at
	 * ring_pos (ep->mtx to write; the callback reads it, see
	 * ep_ring_maybe_stale_locked); EPI_DRAIN_WAKES, the target wakes its
	 * queue when drained (fixed at insert).
	 */
	u8 ring_flags;
	/* Wait entries on the target's queues; protected by ep->mtx. */
	EpPollEntry *pwqlist;
	/* The instance this item belongs to; immutable. */
	EventPoll *ep;
	/* Link in the target's FileWatch::items; protected by watch_lock. */
	ListNode fllink;
	/* The registry record of @file; immutable while the item lives. */
	FileWatch *watch;
	/* EPOLLWAKEUP source; ep->mtx to change, RCU for the callback. */
	struct wakeup_source *ws;
	/*
	 * The event mask and data (epoll_event).  events is written under
	 * ep->mtx and read by the callback under ep->lock (ep_modify orders
	 * the two with a full barrier, as epoll does); data only under mtx.
	 */
	u32 events;
	u32 ring_pos;	/* see ring_flags */
	u64 data;

	static EpItem *from_rbn(struct rb_node *n)
	{
		return ep2_container_of(RbNode::from_raw(n), EpItem, rbn);
	}
	static EpItem *from_rdllink(ListNode *n)
	{
		return ep2_container_of(n, EpItem, rdllink);
	}
	static EpItem *from_fllink(ListNode *n)
	{
		return ep2_container_of(n, EpItem, fllink);
	}
	bool is_ready_linked() const { return rdllink.linked(); }
};

/* fs/eventpoll.c's struct eventpoll. */
struct EventPoll {
	EP2_PINNED(EventPoll);
	/* Held by ctl, the transfer loop, poll and release (see LOCKING). */
	Mutex mtx;
	/* Tasks sleeping in wait (exclusive waiters). */
	WaitQueueHead wq;
	/* Pollers of the instance file itself (poll, select, an outer epoll). */
	WaitQueueHead poll_wait;
	/* Ready items; protected by lock. */
	ListNode rdllist;
	/* Protects rdllist and ovflist; IRQ-safe (the callback may run in IRQ). */
	SpinLock lock;
	/* All items, keyed by (file, fd); protected by mtx. */
	RbRootCached rbr;
	/*
	 * While a scan has stolen rdllist and runs without lock, the callback
	 * chains items here (LIFO) instead; ep_unactive() otherwise.  lock.
	 */
	EpItem *ovflist;
	/* Instance wakeup source for EPOLLWAKEUP; protected by mtx. */
	struct wakeup_source *ws;
	/* Per-user watch accounting of the creator; immutable. */
	UserWatches *user;
	/* The [eventpoll2] file; immutable once created. */
	struct file *file;
	/* The registry record of our own file once something watches us. */
	FileWatch *self_watch;
	/* Loop-check generation and result; protected by ep_nested_mtx. */
	u64 gen;
	int loop_check_depth;
	/*
	 * The task holding mtx (set by EpLock), so a poll that a cycle
	 * through a native instance brings back here sees it (mixed.hpp).
	 */
	struct task_struct *mtx_owner;
	/* 1 for the file + 1 per item; the last put frees. */
	int refcount;
	/*
	 * A wakeup of poll_wait deferred out of a native epoll instance's
	 * wakeup (mixed.hpp).  pwake_flags (poll flags to pass on, ORed)
	 * and pwake_hops (deferrals that led here; EP_NO_PWAKE when none is
	 * pending) are protected by lock.
	 */
	IrqWork pwake_work;
	u32 pwake_flags;
	u8 pwake_hops;
	/* The ready ring (EP2_CREATE_RING), or NULL; immutable (ring.hpp). */
	EpRing *ring;
	/* Waits queued through io_uring (uring.cpp); protected by lock. */
	ListNode uring_waits;
	/*
	 * EP2_CREATE_ROUNDROBIN (immutable) and the wait entries owed a move
	 * to the tail of their queue (EpPollEntry::rr_link; lock).
	 */
	bool rr;
	ListNode rr_pending;
	/*
	 * EPIOCSPARAMS (busypoll.hpp): written with write_once by the ioctl,
	 * read with read_once; napi_id is the NAPI id of the last socket item
	 * seen ready (lock, or read_once), 0 when none.
	 */
	u16 busy_poll_budget;
	u8 prefer_busy_poll;
	u32 busy_poll_usecs;
	u32 napi_id;

	bool events_available() const
	{
		return !rdllist.empty_careful() || read_once(ovflist) != ep_unactive();
	}
};

/*
 * ep->mtx held, with the owner recorded (see EventPoll::mtx_owner); the
 * destructor unlocks only if held.  Only ctl's CtlLock drops and retakes it
 * inside the scope, around the loop check (ctl.cpp).  The trylock forms
 * serve poll from outside (mixed.hpp) and io_uring's nonblocking issue
 * (uring.cpp).
 */
class [[nodiscard]] EpLock {
	EP2_NO_COPY(EpLock);
	friend class CtlLock;
public:
	explicit EpLock(EventPoll *ep, unsigned subclass = 0) : m_ep(ep) { lock(subclass); }
	/* mutex_trylock(): held only if try_lock() said so. */
	struct Try {};
	EpLock(EventPoll *ep, Try) : m_ep(ep) { try_lock(); }
	/* Either of the two: the trylock when @try_only (io_uring's nonblocking issue). */
	struct MaybeTry { bool try_only; };
	EpLock(EventPoll *ep, MaybeTry m) : m_ep(ep)
	{
		if (!m.try_only)
			lock();
		else
			try_lock();
	}
	bool held() const { return m_held; }
	~EpLock()
	{
		if (m_held)
			unlock();
	}

private:
	void lock(unsigned subclass = 0)
	{
		m_ep->mtx.lock(subclass);
		write_once(m_ep->mtx_owner, ep2k_current());
		m_held = true;
	}
	bool try_lock()
	{
		if (m_ep->mtx.try_lock()) {
			write_once(m_ep->mtx_owner, ep2k_current());
			m_held = true;
		}
		return m_held;
	}
	void unlock()
	{
		write_once(m_ep->mtx_owner, static_cast<struct task_struct *>(nullptr));
		m_ep->mtx.unlock();
		m_held = false;
	}

	EventPoll *m_ep;
	bool m_held = false;
};

/* An (file, fd) key, ordered as fs/eventpoll.c's ep_cmp_ffd. */
inline int ep_cmp_ffd(struct file *f1, int fd1, struct file *f2, int fd2)
{
	auto a = reinterpret_cast<uintptr_t>(f1), b = reinterpret_cast<uintptr_t>(f2);
	return a > b ? 1 : a < b ? -1 : fd1 - fd2;
}

/* --- eventpoll.cpp: instance lifetime and scans --------------------------- */
ErrorOr<EventPoll *> ep_alloc(u32 ring_entries, u32 ring_modes, bool rr);
void ep_get(EventPoll *ep);
void ep_put(EventPoll *ep);
EventPoll *ep_from_file(struct file *f);
void ep_start_scan(EventPoll *ep, ListNode &txlist);
void ep_done_scan(EventPoll *ep, ListNode &txlist);

/*
 * A scan of the ready list as a scope: ep_start_scan() on entry,
 * ep_done_scan() on exit, the stolen items on txlist.  ep->mtx held.
 */
class [[nodiscard]] ReadyScan {
	EP2_NO_COPY(ReadyScan);
public:
	explicit ReadyScan(EventPoll *ep) : m_ep(ep)
	{
		txlist.init();
		ep_start_scan(ep, txlist);
	}
	~ReadyScan() { ep_done_scan(m_ep, txlist); }
	ListNode txlist;

private:
	EventPoll *m_ep;
};
/*
 * @from_outside: entered through ->poll here or further up a nested chain
 * (mtx only tried, native targets not re-polled: mixed.hpp).
 */
u32 ep_eventpoll_poll(EventPoll *ep, struct poll_table_struct *pt, int depth, bool from_outside);

/* --- epitem.cpp: items -------------------------------------------------- */
EpItem *ep_find(EventPoll *ep, struct file *file, int fd);
ErrorOr<> ep_insert(EventPoll *ep, u32 events, u64 data, struct file *tfile, int fd,
		    bool full_check);
ErrorOr<> ep_modify(EventPoll *ep, EpItem *epi, u32 events, u64 data);
void ep_remove(EventPoll *ep, EpItem *epi);
void ep_remove_claimed(EventPoll *ep, EpItem *epi);
void ep_unregister_pollwait(EventPoll *ep, EpItem *epi);
/* @from_outside: inside a poll entered from outside (see ep_eventpoll_poll). */
u32 ep_item_poll(EpItem *epi, struct poll_table_struct *pt, int depth, bool from_outside = false);
void ep_pm_stay_awake(EpItem *epi);
void ep_pm_relax(EpItem *epi);
int ep_item_caches_init();
void ep_item_caches_exit();

/* Nesting with native epoll, waking an instance's pollers: mixed.hpp. */

/* --- loop_check.cpp: nesting -------------------------------------------- */
extern Mutex ep_nested_mtx;
extern u64 loop_check_gen;
bool ep_loop_check(EventPoll *ep, EventPoll *to);
void ep_list_file_for_check(struct file *file);
bool ep_reverse_path_check();
void ep_clear_tfile_check_list();
void ep_loop_check_init();

} // namespace ep2
