// SPDX-License-Identifier: GPL-2.0
/*
 * file_watch.cpp - the registry of watched files (see file_watch.hpp).
 */
#include "file_watch.hpp"
#include "close_watch.hpp"
#include "stats.hpp"

namespace ep2 {

namespace {

constexpr unsigned WATCH_HASH_BITS = 12;
constexpr unsigned WATCH_HASH_SIZE = 1u << WATCH_HASH_BITS;

/* Hash buckets; watch_lock.  Zero-initialised storage, no constructor. */
FileWatch *watch_hash[WATCH_HASH_SIZE];
SpinLock watch_lock;
struct kmem_cache *watch_cache;

unsigned watch_hash_fn(struct file *f)
{
	u64 v = reinterpret_cast<uintptr_t>(f) >> 6;
	return static_cast<unsigned>((v * 0x61C8864680B583EBull) >> (64 - WATCH_HASH_BITS));
}

void link_item_locked(FileWatch *w, EpItem *epi)
{
	epi->watch = w;
	w->items.add_tail(&epi->fllink);
	if (kfile::is_ep2(w->file))
		ep_from_file(w->file)->self_watch = w;
}

} // namespace

WatchLockGuard::WatchLockGuard() { ep2k_spin_lock(watch_lock.raw()); }
WatchLockGuard::~WatchLockGuard() { ep2k_spin_unlock(watch_lock.raw()); }

FileWatch *file_watch_find_locked(struct file *file)
{
	for (FileWatch *w = watch_hash[watch_hash_fn(file)]; w; w = w->hnext)
		if (w->file == file)
			return w;
	return nullptr;
}

static void file_watch_free(FileWatch *w)
{
	close_watch_unregister(w->close_cookie);
	ep2k_kmem_cache_free(watch_cache, w);
	stat_dec(Stat::FileWatches);
}

ErrorOr<> file_watch_attach(EpItem *epi)
{
	struct file *file = epi->file;

	{
		WatchLockGuard guard;
		if (FileWatch *w = file_watch_find_locked(file)) {
			epi->pins_file = w->pins;
			link_item_locked(w, epi);
			return OK;
		}
	}

	/* First watcher of this file: allocate (and register for close) unlocked. */
	auto *fresh = static_cast<FileWatch *>(ep2k_kmem_cache_zalloc(watch_cache, EP2K_GFP_KERNEL));
	if (!fresh)
		return ENOMEM_;
	stat_inc(Stat::FileWatches);
	fresh->file = file;
	fresh->items.init();
	fresh->close_cookie = nullptr;
	fresh->pins = true;
	if (close_watch_supported(file)) {
		/*
		 * The close mark's allocation can fail (ENOMEM): fail the ADD
		 * then, as epoll fails on its allocations.  Pinning the file
		 * instead would keep it open after its last close(), with the
		 * item still reporting (make check-fault found this).
		 */
		auto cookie = close_watch_register(file);
		if (cookie.is_error()) {
			file_watch_free(fresh);
			return cookie.error();
		}
		fresh->close_cookie = cookie.value();
		fresh->pins = false;
	}

	FileWatch *unused = nullptr;
	{
		WatchLockGuard guard;
		FileWatch *w = file_watch_find_locked(file);
		if (!w) {
			w = fresh;
			w->hashed = true;
			unsigned b = watch_hash_fn(file);
			w->hnext = watch_hash[b];
			watch_hash[b] = w;
		} else {
			unused = fresh;	/* raced with another first watcher */
		}
		epi->pins_file = w->pins;
		link_item_locked(w, epi);
	}
	if (unused)
		file_watch_free(unused);
	return OK;
}

/*
 * Take @w off the hash; watch_lock held.  Returns @w when the caller is to
 * free it, NULL when a loop check still lists it (file_watch_unlist frees).
 */
static FileWatch *unhash_locked(FileWatch *w)
{
	FileWatch **pp = &watch_hash[watch_hash_fn(w->file)];
	while (*pp != w)
		pp = &(*pp)->hnext;
	*pp = w->hnext;
	w->hashed = false;
	return w->check_next ? nullptr : w;
}

/*
 * Unlink @epi.  An entry left without items is kept, with its close mark,
 * for as long as its file is open: the file's release frees it
 * (file_watch_release), and an ADD/DEL cycle on an open file costs no mark
 * churn.  Only an entry that pins its file (no close event will ever come)
 * goes with its last item.
 */
void file_watch_detach(EpItem *epi)
{
	FileWatch *w = epi->watch;
	FileWatch *dead = nullptr;

	{
		WatchLockGuard guard;
		epi->fllink.del_init();
		if (w->items.empty()) {
			if (kfile::is_ep2(w->file))
				ep_from_file(w->file)->self_watch = nullptr;
			if (w->pins)
				dead = unhash_locked(w);
		}
	}
	epi->watch = nullptr;
	if (dead)
		file_watch_free(dead);
}

/* @file is being released and has no items left: drop its entry. */
void file_watch_release(struct file *file)
{
	FileWatch *dead = nullptr;
	{
		WatchLockGuard guard;
		FileWatch *w = file_watch_find_locked(file);
		if (w && w->items.empty())
			dead = unhash_locked(w);
	}
	if (dead)
		file_watch_free(dead);
}

EpItem *file_watch_claim_item(struct file *file)
{
	WatchLockGuard guard;
	FileWatch *w = file_watch_find_locked(file);
	if (!w)
		return nullptr;
	for (ListNode *n = w->items.next; n != &w->items; n = n->next) {
		EpItem *epi = EpItem::from_fllink(n);
		if (!epi->dying) {
			write_once(epi->dying, true);
			/* The item holds a reference on its instance: safe to add ours. */
			ep_get(epi->ep);
			return epi;
		}
	}
	return nullptr;
}

void file_watch_unlist(FileWatch *w)
{
	bool dead;
	{
		WatchLockGuard guard;
		w->check_next = nullptr;
		dead = !w->hashed;
	}
	if (dead)
		file_watch_free(w);
}

int file_watch_init()
{
	watch_lock.init("eventpoll2_watch_lock", &ep2k_key_watch_lock);
	watch_cache = ep2k_kmem_cache_create("eventpoll2_watch", sizeof(FileWatch), alignof(FileWatch), 0);
	return watch_cache ? 0 : ENOMEM_.code;
}

/*
 * Unload: no instance is left, so no item; what remains are the entries of
 * files still open somewhere that were watched once.  Free them (and their
 * close marks) before close_watch_exit() waits for the marks to go.
 */
void file_watch_exit()
{
	for (;;) {
		FileWatch *w = nullptr;
		{
			WatchLockGuard guard;
			for (unsigned b = 0; b < WATCH_HASH_SIZE && !w; b++)
				if (watch_hash[b])
					w = unhash_locked(watch_hash[b]);
		}
		if (!w)
			break;
		file_watch_free(w);
	}
	ep2k_kmem_cache_destroy(watch_cache);
}

} // namespace ep2
