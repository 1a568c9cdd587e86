/* SPDX-License-Identifier: GPL-2.0 */
/*
 * user_watches.hpp - per-user watch accounting (fs.eventpoll2.max_user_watches).
 *
 * Native epoll counts in user_struct->epoll_watches; eventpoll2 has its own
 * limit and so its own count, kept per struct user_struct (the same object
 * epoll charges: the creator's, held for the instance's lifetime).
 */
#pragma once
#include "rt.hpp"

namespace ep2 {

struct UserWatches;

/* The record of the current user, with a reference. */
ErrorOr<UserWatches *> user_watches_get_current();
void user_watches_put(UserWatches *uw);
/* Charge one watch; false (ENOSPC) when the user is at the limit. */
bool user_watches_charge(UserWatches *uw);
void user_watches_uncharge(UserWatches *uw);
/* Size of one watch, for the default limit (EP_ITEM_COST). */
unsigned long ep_item_cost();
int user_watches_init();
void user_watches_exit();

} // namespace ep2
