// SPDX-License-Identifier: GPL-2.0
/*
 * close_watch.cpp - removing the items of a file that is being released,
 * as fs/eventpoll.c's eventpoll_release_file() does from __fput().
 *
 * The moment comes from fsnotify (glue/fsnotify.c): a close event for a file
 * whose count already reached zero, before its ->release.  Each item of the
 * file is claimed (EpItem::dying, under watch_lock) so that a racing DEL or
 * instance release leaves it to us, then removed under its instance's mtx.
 * Files that emit no close event (FMODE_NONOTIFY: ptmx masters, fanotify
 * files) are pinned by their items instead: they stay watched until DEL or
 * the instance's release (README: differences from epoll).
 */
#include "close_watch.hpp"
#include "eventpoll.hpp"
#include "file_watch.hpp"

namespace ep2 {

bool close_watch_supported(struct file *file)
{
	return ep2k_file_notifies_close(file);
}

ErrorOr<void *> close_watch_register(struct file *file)
{
	void *cookie = nullptr;
	if (int err = ep2k_close_watch_add(file, &cookie))
		return Error{err};
	return cookie;
}

void close_watch_unregister(void *cookie)
{
	if (cookie)
		ep2k_close_watch_put(cookie);
}

int close_watch_init() { return ep2k_close_watch_init(); }
void close_watch_exit() { ep2k_close_watch_exit(); }

/* The last reference to @file is gone: unhook it from every instance. */
static void ep_file_release(struct file *file)
{
	while (EpItem *epi = file_watch_claim_item(file)) {
		EventPoll *ep = epi->ep; /* pinned by the claim */
		{
			EpLock lk(ep);
			ep_remove_claimed(ep, epi);
		}
		ep_put(ep);
	}
	file_watch_release(file);
}

} // namespace ep2

extern "C" void ep2_file_closing(struct file *f)
{
	ep2::ep_file_release(f);
}
