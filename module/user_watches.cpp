// SPDX-License-Identifier: GPL-2.0
/*
 * user_watches.cpp - per-user watch accounting (see user_watches.hpp).
 *
 * LOCKING: users_lock (plain spinlock) protects the hash and the reference
 * counts; the watch count itself is an atomic, charged and uncharged under
 * the instance's mtx, never under users_lock.
 */
#include "user_watches.hpp"
#include "kobj.hpp"
#include "stats.hpp"

namespace ep2 {

struct UserWatches {
	EP2_PINNED(UserWatches);
	/* Hash chain; users_lock. */
	UserWatches *hnext;
	/* The user, with the reference taken by get_current_user(); immutable. */
	struct user_struct *user;
	/* Instances holding this record; users_lock. */
	long refs;
	/* Items charged to the user; atomic. */
	long watches;
};

namespace {

constexpr unsigned USERS_HASH_BITS = 6;
UserWatches *users_hash[1u << USERS_HASH_BITS];
SpinLock users_lock;

unsigned users_hash_fn(struct user_struct *u)
{
	u64 v = reinterpret_cast<uintptr_t>(u) >> 6;
	return static_cast<unsigned>((v * 0x61C8864680B583EBull) >> (64 - USERS_HASH_BITS));
}

UserWatches *find_locked(struct user_struct *u)
{
	for (UserWatches *uw = users_hash[users_hash_fn(u)]; uw; uw = uw->hnext)
		if (uw->user == u)
			return uw;
	return nullptr;
}

} // namespace

ErrorOr<UserWatches *> user_watches_get_current()
{
	struct user_struct *u = ep2k_get_current_user();
	UserWatches *found;

	{
		SpinLock::Plain guard(users_lock);
		found = find_locked(u);
		if (found)
			found->refs++;
	}
	if (!found) {
		/* Allocate before the lock; insert unless someone beat us to it. */
		auto *fresh = static_cast<UserWatches *>(ep2k_kzalloc(sizeof(UserWatches), EP2K_GFP_KERNEL));
		if (!fresh) {
			ep2k_free_uid(u);
			return ENOMEM_;
		}
		fresh->user = u;
		fresh->refs = 1;
		{
			SpinLock::Plain guard(users_lock);
			found = find_locked(u);
			if (found) {
				found->refs++;
			} else {
				unsigned b = users_hash_fn(u);
				fresh->hnext = users_hash[b];
				users_hash[b] = fresh;
				stat_inc(Stat::Users);
				return fresh; /* keeps the reference on u */
			}
		}
		ep2k_kfree(fresh);
	}
	/* The record already holds a reference on the user. */
	ep2k_free_uid(u);
	return found;
}

void user_watches_put(UserWatches *uw)
{
	bool last;
	{
		SpinLock::Plain guard(users_lock);
		last = --uw->refs == 0;
		if (last) {
			UserWatches **pp = &users_hash[users_hash_fn(uw->user)];
			while (*pp != uw)
				pp = &(*pp)->hnext;
			*pp = uw->hnext;
		}
	}
	if (last) {
		ep2k_free_uid(uw->user);
		ep2k_kfree(uw);
		stat_dec(Stat::Users);
	}
}

bool user_watches_charge(UserWatches *uw)
{
	/* As epoll: refuse when the count has reached the limit. */
	if (__atomic_load_n(&uw->watches, __ATOMIC_RELAXED) >= ep2k_max_user_watches())
		return false;
	__atomic_add_fetch(&uw->watches, 1, __ATOMIC_RELAXED);
	return true;
}

void user_watches_uncharge(UserWatches *uw)
{
	__atomic_sub_fetch(&uw->watches, 1, __ATOMIC_RELAXED);
}

int user_watches_init()
{
	users_lock.init("eventpoll2_users_lock", &ep2k_key_users_lock);
	return 0;
}

void user_watches_exit() {}

} // namespace ep2
