/* SPDX-License-Identifier: GPL-2.0 */
/*
 * list.hpp - an intrusive circular doubly linked list, the kernel's list_head
 * semantics in C++ (the kernel never touches these lists, so they need not be
 * struct list_head).  A node that is on no list points at itself.
 */
#pragma once
#include "rt.hpp"

namespace ep2 {

struct ListNode {
	ListNode *next;
	ListNode *prev;

	void init()
	{
		write_once(next, this);
		prev = this;
	}
	bool empty() const { return read_once(next) == this; }
	/*
	 * list_empty_careful(): safe against a concurrent del_init_careful.
	 * Called without the lock that guards the list (ep_wait's lockless
	 * events_available()), so both loads are marked, as the kernel's
	 * READ_ONCE(head->prev): a writer may be linking a node in under
	 * ep->lock.  A stale answer only costs a recheck under the lock
	 * (make check-kcsan reported the plain read of prev).
	 */
	bool empty_careful() const
	{
		ListNode *n = load_acquire(next);
		return n == this && n == read_once(prev);
	}
	bool linked() const { return !empty(); }

	static void link_between(ListNode *n, ListNode *prev, ListNode *next)
	{
		next->prev = n;
		n->next = next;
		n->prev = prev;
		write_once(prev->next, n);
	}
	void add_head(ListNode *n) { link_between(n, this, next); }	/* list_add */
	void add_tail(ListNode *n) { link_between(n, prev, this); }	/* list_add_tail */

	void del_init()
	{
		next->prev = prev;
		write_once(prev->next, next);
		init();
	}

	/* Move every node of this list to the front of @to; this list becomes empty. */
	void splice_init_to_head(ListNode &to)
	{
		if (empty())
			return;
		ListNode *first = next, *last = prev, *at = to.next;
		first->prev = &to;
		to.next = first;
		last->next = at;
		at->prev = last;
		init();
	}
};

/* for (n = head.next; n != &head; n = next) with `next` saved first. */
#define ep2_list_for_each_safe(pos, tmp, head) \
	for (ListNode *pos = (head).next, *tmp = pos->next; pos != &(head); pos = tmp, tmp = pos->next)

} // namespace ep2
