/* SPDX-License-Identifier: GPL-2.0 */
/*
 * file_watch.hpp - the registry of watched files.
 *
 * Native epoll hangs the items that watch a file on file->f_ep; a module may
 * not.  eventpoll2 keeps its own registry instead: a hash of struct file *
 * to a FileWatch listing every EpItem (of any instance) that watches the
 * file.  It serves what f_ep serves upstream: the reverse path check, the
 * upward depth of nested instances, and removal of items when the file is
 * closed (close_watch.cpp).
 *
 * LOCKING: watch_lock (a plain spinlock, never taken in IRQ context) protects
 * the hash chains, every FileWatch::items list and EventPoll::self_watch.  It
 * nests inside ep->mtx and ep_nested_mtx and is never held with ep->lock.
 */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

struct FileWatch {
	EP2_PINNED(FileWatch);
	/* Hash chain; watch_lock. */
	FileWatch *hnext;
	/* The watched file (the key); immutable. */
	struct file *file;
	/* Items watching @file, linked by EpItem::fllink; watch_lock. */
	ListNode items;
	/*
	 * Link in the reverse-path check list (NULL when not listed); set
	 * under ep_nested_mtx + watch_lock.  A listed entry whose last item
	 * goes away is unhashed but freed only by file_watch_unlist().
	 */
	FileWatch *check_next;
	/* On the hash (false once its last item went); watch_lock. */
	bool hashed;
	/* Close notification registration (close_watch.cpp); immutable. */
	void *close_cookie;
	/* No close notification: items hold a file reference; immutable. */
	bool pins;
};

class [[nodiscard]] WatchLockGuard {
	EP2_NO_COPY(WatchLockGuard);
public:
	WatchLockGuard();
	~WatchLockGuard();
};

/*
 * Link @epi into the registry entry of epi->file (allocating it, and
 * registering for close notification, first); sets epi->pins_file.
 */
ErrorOr<> file_watch_attach(EpItem *epi);
/* Unlink @epi (the entry stays while the file is open, unless it pins it). */
void file_watch_detach(EpItem *epi);
/* The close path, once @file's items are gone: free its entry. */
void file_watch_release(struct file *file);
/*
 * For the close path: an item of @file not yet claimed, now claimed (dying)
 * and its instance referenced (ep_get); NULL when none is left.
 */
EpItem *file_watch_claim_item(struct file *file);
/* Take @w off the reverse-path check list; frees it if it died meanwhile. */
void file_watch_unlist(FileWatch *w);
/* The entry of @file or NULL; watch_lock held. */
FileWatch *file_watch_find_locked(struct file *file);
int file_watch_init();
void file_watch_exit();

} // namespace ep2
