// SPDX-License-Identifier: GPL-2.0
/*
 * ring.cpp - the ready ring (see ring.hpp for what it is and why it is
 * safe; README "The ready ring" for the userspace side).
 */
#include "ring.hpp"
#include "stats.hpp"

namespace ep2 {

namespace {

/* An entry's first 8 bytes as one word: events | seq << 32. */
constexpr u64 word_of(u32 events, u32 seq) { return static_cast<u64>(events) | (static_cast<u64>(seq) << 32); }
constexpr u32 word_events(u64 w) { return static_cast<u32>(w); }
constexpr u32 word_seq(u64 w) { return static_cast<u32>(w >> 32); }
static_assert(__builtin_offsetof(ep2_ring_entry, events) == 0 &&
	      __builtin_offsetof(ep2_ring_entry, seq) == 4 &&
	      __builtin_offsetof(ep2_ring_entry, data) == 8, "entry word layout");
static_assert(__builtin_offsetof(ep2_ring_header, head) == 64, "head on its own line");

u64 *entry_word(ep2_ring_entry *e) { return reinterpret_cast<u64 *>(e); }

ep2_ring_entry *slot(EpRing *r, u32 pos) { return &r->ents[pos & r->mask]; }

/* Replace @expect by @desired unless a consumer (or we) changed it. */
bool cas_word(ep2_ring_entry *e, u64 expect, u64 desired)
{
	return __atomic_compare_exchange_n(entry_word(e), &expect, desired, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/*
 * Charge @pages to @u's locked memory, bounded by RLIMIT_MEMLOCK unless the
 * caller has CAP_IPC_LOCK (io_uring's rule for its rings).
 */
ErrorOr<> charge_locked_vm(struct user_struct *u, unsigned long pages)
{
	bool bounded = !ep2k_capable_ipc_lock();
	unsigned long limit = ep2k_rlimit_memlock_pages();
	for (;;) {
		unsigned long cur = ep2k_user_locked_vm(u);
		unsigned long next = cur + pages;
		if (bounded && (next < cur || next > limit))
			return ENOMEM_;
		if (ep2k_user_locked_vm_cmpxchg(u, cur, next))
			return OK;
	}
}

} // namespace

ErrorOr<EpRing *> ep_ring_create(u32 entries)
{
	if (entries < EP2_RING_MIN_ENTRIES || entries > EP2_RING_MAX_ENTRIES ||
	    (entries & (entries - 1)))
		return EINVAL_;
	u64 bytes = EP2_RING_MMAP_SIZE(entries, EP2K_PAGE_SIZE);

	auto *r = static_cast<EpRing *>(ep2k_kzalloc(sizeof(EpRing), EP2K_GFP_KERNEL_ACCOUNT));
	if (unlikely(!r))
		return ENOMEM_;
	r->entries = entries;
	r->mask = entries - 1;
	r->mmap_size = static_cast<u32>(bytes);
	r->pages = static_cast<u32>(bytes >> ep2k_page_shift());
	r->user = ep2k_get_current_user();
	if (auto c = charge_locked_vm(r->user, r->pages); c.is_error()) {
		ep2k_free_uid(r->user);
		ep2k_kfree(r);
		return c.error();
	}
	void *mem = ep2k_vmalloc_user(bytes);
	if (unlikely(!mem)) {
		ep2k_user_locked_vm_sub(r->user, r->pages);
		ep2k_free_uid(r->user);
		ep2k_kfree(r);
		return ENOMEM_;
	}
	/* vmalloc_user() zeroes: no byte userspace sees is uninitialised. */
	r->hdr = static_cast<ep2_ring_header *>(mem);
	r->ents = reinterpret_cast<ep2_ring_entry *>(static_cast<char *>(mem) + EP2K_PAGE_SIZE);
	r->hdr->entries = entries;
	r->hdr->mask = r->mask;
	r->hdr->entries_offset = EP2K_PAGE_SIZE;
	r->hdr->mmap_size = r->mmap_size;
	r->owner = ep2k_current();
	ep2k_get_task_struct(r->owner);
	r->work.init_ring_work();
	stat_inc(Stat::Rings);
	__atomic_add_fetch(&stat_counters[static_cast<int>(Stat::RingPages)], r->pages, __ATOMIC_RELAXED);
	return ErrorOr<EpRing *>(r);
}

/* From ep_free(): no task_work is pending (each holds a file reference). */
void ep_ring_destroy(EpRing *r)
{
	ep2k_vfree(r->hdr);
	ep2k_user_locked_vm_sub(r->user, r->pages);
	ep2k_free_uid(r->user);
	ep2k_put_task_struct(r->owner);
	__atomic_sub_fetch(&stat_counters[static_cast<int>(Stat::RingPages)], r->pages, __ATOMIC_RELAXED);
	stat_dec(Stat::Rings);
	ep2k_kfree(r);
}

void ep_ring_set_pending_locked(EventPoll *ep, bool pending)
{
	write_once(ep->ring->hdr->kernel_pending, static_cast<u32>(pending));
}

/*
 * From the callback and ep_queue_ready(), ep->lock held, any context: an
 * item went on the ready list.  Queue the owner's publication once; it
 * holds a reference on the instance file until it has run, so the instance
 * (and the module) outlive it.  task_work_add() is IRQ-safe.  If it cannot
 * be queued (owner exiting, instance closing), the item simply stays on the
 * kernel list, which kernel_pending announces.
 */
void ep_ring_note_ready_locked(EventPoll *ep, EpItem *epi)
{
	EpRing *r = ep->ring;
	ep_ring_set_pending_locked(ep, true);
	/* epi->events changes under ep->mtx only: see ep_poll_callback(). */
	if (!ep_ring_serves(read_once(epi->events)) || r->publish_queued)
		return;
	if (!ep2k_get_file_not_zero(ep->file))
		return;
	if (r->work.add_resume(r->owner) != 0) {
		ep2k_fput(ep->file);	/* safe in any context: a last fput is deferred */
		return;
	}
	r->publish_queued = true;
}

bool ep_ring_nonempty(const EventPoll *ep)
{
	const EpRing *r = ep->ring;
	u32 head = load_acquire(r->hdr->head);
	u32 used = read_once(r->tail) - head;
	return used != 0 && used <= r->entries;
}

void ep_ring_forget(EventPoll *ep, EpItem *epi)
{
	EpRing *r = ep->ring;
	if (!epi->in_ring)
		return;
	epi->in_ring = false;
	u32 pos = epi->ring_pos;
	if (r->tail - pos > r->entries)
		return;			/* its slot was reused: long claimed */
	ep2_ring_entry *e = slot(r, pos);
	u64 w = load_acquire(*entry_word(e));
	if (word_seq(w) == pos && word_events(w))
		(void)cas_word(e, w, word_of(0, pos));	/* lost to a claim: it was delivered */
}

namespace {

/*
 * Publish @revents for @epi; ep->mtx held.  An unclaimed entry of the item
 * is updated in place (coalescing); otherwise a new entry is appended if
 * head says the slot is free.  false: the ring is full.
 */
bool ring_put(EpRing *r, EpItem *epi, u32 revents)
{
	if (epi->in_ring && r->tail - epi->ring_pos <= r->entries) {
		u32 pos = epi->ring_pos;
		ep2_ring_entry *e = slot(r, pos);
		u64 w = load_acquire(*entry_word(e));
		if (word_seq(w) == pos && word_events(w) && cas_word(e, w, word_of(revents, pos)))
			return true;
	}
	/*
	 * Untrusted head: a slot is reused only once head is past it.  A head
	 * that is inconsistent with our tail (ahead of it, or more than a ring
	 * behind) makes the ring "full": events go to the kernel list.
	 */
	u32 head = load_acquire(r->hdr->head);
	if (r->tail - head >= r->entries)
		return false;
	u32 pos = r->tail;
	ep2_ring_entry *e = slot(r, pos);
	write_once(e->data, epi->data);
	store_release(*entry_word(e), word_of(revents, pos));	/* data before the word */
	epi->in_ring = true;
	epi->ring_pos = pos;
	write_once(r->tail, pos + 1);
	write_once(r->gen, r->gen + 1);
	store_release(r->hdr->tail, r->tail);			/* the entry before the tail */
	return true;
}

} // namespace

/*
 * ep_send_events() into the ring; ep->mtx held.  Items the ring does not
 * serve stay on the ready list (put back by ep_done_scan()).
 */
void ep_ring_publish_locked(EventPoll *ep)
{
	EpRing *r = ep->ring;
	PollTable pt;
	ep2k_init_poll_table_null(pt.raw());

	ReadyScan scan(ep);
	ep2_list_for_each_safe(pos, tmp, scan.txlist) {
		EpItem *epi = EpItem::from_rdllink(pos);
		if (!ep_ring_serves(epi->events))
			continue;
		epi->rdllink.del_init();
		u32 revents = ep_item_poll(epi, pt.raw(), 1);
		if (!revents)
			continue;
		if (!ring_put(r, epi, revents)) {
			/* Full: this and the rest stay for the wait ioctls. */
			tmp->add_tail(&epi->rdllink);
			r->overflow++;
			write_once(r->hdr->overflow, r->overflow);
			break;
		}
		if (epi->events & EPOLLONESHOT)
			write_once(epi->events, epi->events & EP_PRIVATE_BITS);
	}
}

/* The owner's task_work. */
static void ep_ring_publish(EventPoll *ep)
{
	{
		/* From here on a new readiness queues a new publication. */
		SpinLock::Irq guard(ep->lock);
		ep->ring->publish_queued = false;
	}
	EpLock lk(ep);
	ep_ring_publish_locked(ep);
}

ErrorOr<int> ep_ring_consume(EventPoll *ep, UserPtr events, int maxevents)
{
	EpRing *r = ep->ring;
	u32 head = load_acquire(r->hdr->head);
	u32 tail = r->tail;
	if (tail - head > r->entries)
		return ErrorOr<int>(0);		/* inconsistent head: nothing to take */
	u32 h = head;
	int n = 0;
	for (; h != tail && n < maxevents; h++) {
		ep2_ring_entry *e = slot(r, h);
		u64 w = load_acquire(*entry_word(e));
		if (word_seq(w) != h || !word_events(w))
			continue;	/* claimed already */
		u64 data = read_once(e->data);
		if (ep2k_put_uevent(events.offset(static_cast<u64>(n) * sizeof(ep2_event)).get(),
				    word_events(w), data)) {
			if (!n)
				return EFAULT_;
			break;
		}
		if (cas_word(e, w, word_of(0, h)))
			n++;		/* else another consumer took it first */
	}
	/* Advance head to h, unless other consumers went further; bounded. */
	u32 cur = head;
	for (int tries = 0; tries < 64; tries++) {
		if (__atomic_compare_exchange_n(&r->hdr->head, &cur, h, false, __ATOMIC_RELEASE,
						__ATOMIC_ACQUIRE))
			break;
		if (static_cast<s32>(cur - h) >= 0)
			break;
	}
	return ErrorOr<int>(n);
}

void ep_ring_adopt_owner(EventPoll *ep)
{
	EpRing *r = ep->ring;
	struct task_struct *self = ep2k_current(), *old;
	if (likely(read_once(r->owner) == self))
		return;
	ep2k_get_task_struct(self);
	{
		SpinLock::Irq guard(ep->lock);
		old = r->owner;
		write_once(r->owner, self);
	}
	ep2k_put_task_struct(old);
}

} // namespace ep2

using namespace ep2;

extern "C" void ep2_ring_work(struct callback_head *cb)
{
	EpRing *r = reinterpret_cast<EpRing *>(reinterpret_cast<char *>(cb) - __builtin_offsetof(EpRing, work));
	EventPoll *ep = r->ep;
	struct file *file = ep->file;
	ep_ring_publish(ep);
	ep2k_fput(file);	/* may be the last reference: touch nothing after */
}

extern "C" int ep2_instance_mmap(struct file *f, struct vm_area_struct *vma)
{
	EventPoll *ep = ep_from_file(f);
	EpRing *r = ep->ring;
	if (!r)
		return ENODEV_.code;
	/* All of it, or the header page alone (to read the geometry). */
	unsigned long len = ep2k_vma_len(vma);
	if (ep2k_vma_pgoff(vma) != 0 || (len != r->mmap_size && len != EP2K_PAGE_SIZE))
		return EINVAL_.code;
	if (!ep2k_vma_is_shared(vma))
		return EINVAL_.code;
	if (ep2k_vma_is_exec(vma))
		return EPERM_.code;
	ep2k_vma_seal_ring(vma);
	return ep2k_remap_vmalloc_range(vma, r->hdr);
}
