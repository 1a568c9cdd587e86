/* SPDX-License-Identifier: GPL-2.0 */
/*
 * close_watch.hpp - learning that a watched file is being released.
 *
 * Native epoll unhooks a file's items from __fput() (eventpoll_release()),
 * a hook a module cannot have.  close_watch gives eventpoll2 the same moment
 * by another route (see close_watch.cpp); files it cannot watch are pinned
 * by their items instead (EpItem::pins_file), the documented fallback.
 */
#pragma once
#include "rt.hpp"

namespace ep2 {

/* Can a close of @file be observed?  If not, items must pin the file. */
bool close_watch_supported(struct file *file);
/* Start observing closes of @file; the cookie goes to unregister. */
ErrorOr<void *> close_watch_register(struct file *file);
void close_watch_unregister(void *cookie);
int close_watch_init();
void close_watch_exit();

} // namespace ep2
