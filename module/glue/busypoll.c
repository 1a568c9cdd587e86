// SPDX-License-Identifier: GPL-2.0
/*
 * busypoll.c - the kernel side of two extensions: per-instance busy polling
 * (napi_busy_loop, a socket's NAPI id, CAP_NET_ADMIN for large budgets) and
 * round-robin exclusive wakeups (moving a wait entry to the tail of its
 * queue, FIFO waiters).  Thin wrappers only; the logic is busypoll.cpp and
 * roundrobin.cpp.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <net/busy_poll.h>
#include <net/sock.h>

#include "../kapi.h"
#include "glue.h"

int ep2k_capable_net_admin(void) { return capable(CAP_NET_ADMIN); }

u32 ep2k_file_napi_id(struct file *f)
{
	struct socket *sock = sock_from_file(f);
	struct sock *sk;

	if (!sock)
		return 0;
	sk = READ_ONCE(sock->sk);
	return sk ? READ_ONCE(sk->sk_napi_id) : 0;
}

struct ep2k_busy_arg {
	void *ctx;
	unsigned long usecs;
};

/* loop_end of napi_busy_loop(): events arrived, or the instance's time is up. */
static bool ep2k_busy_loop_end(void *p, unsigned long start_time)
{
	struct ep2k_busy_arg *a = p;

	return ep2_busy_loop_events(a->ctx) ||
	       time_after(busy_loop_current_time(), start_time + a->usecs);
}

void ep2k_napi_busy_loop(u32 napi_id, void *ctx, u32 usecs, int prefer, unsigned int budget)
{
	struct ep2k_busy_arg a = { .ctx = ctx, .usecs = usecs };

	napi_busy_loop(napi_id, ep2k_busy_loop_end, &a, prefer, budget);
}

void ep2k_wait_entry_move_tail(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	if (!list_empty(&e->entry))
		list_move_tail(&e->entry, &wq->head);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void ep2k___add_wait_queue_exclusive_tail(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	e->flags |= WQ_FLAG_EXCLUSIVE;
	__add_wait_queue_entry_tail(wq, e);
}
