// SPDX-License-Identifier: GPL-2.0
/*
 * uring.c - kernel facilities of the io_uring commands (module/uring.cpp):
 * the instance's ->uring_cmd, the command's fields and its completion
 * (io_uring_cmd_done, in the submitter's task_work), whether the ring or
 * the submitting task is going away, the wait-queue entry a queued wait
 * hangs on the instance, and its hrtimer.  One-line wrappers, as in
 * helpers.c: decisions are in C++.
 */
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/io_uring_types.h>
#include <linux/percpu-refcount.h>
#include <linux/sched.h>
#include <linux/hrtimer.h>
#include <linux/wait.h>
#include <linux/string.h>

#include "../kapi.h"
#include "glue.h"

/* The pdu area holds the C++ side's pointer to its state. */
static_assert(sizeof(((struct io_uring_cmd *)0)->pdu) >= sizeof(void *));

int ep2k_instance_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return ep2_instance_uring_cmd(cmd, issue_flags);
}

u32 ep2k_uring_cmd_op(const struct io_uring_cmd *cmd) { return cmd->cmd_op; }
u32 ep2k_uring_cmd_flags(const struct io_uring_cmd *cmd) { return cmd->flags; }
struct file *ep2k_uring_cmd_file(const struct io_uring_cmd *cmd) { return cmd->file; }

/*
 * The SQE's command area: from sqe->cmd to the end of the SQE, 16 bytes, or
 * 80 in an SQE128 ring (io_uring's uring_cmd_pdu_size(), which is private
 * to io_uring/); io_uring copied it when the command went async.
 */
unsigned long ep2k_uring_cmd_payload_size(unsigned int issue_flags)
{
	unsigned long sz = sizeof(struct io_uring_sqe) - offsetof(struct io_uring_sqe, cmd);

	return (issue_flags & IO_URING_F_SQE128) ? sz + sizeof(struct io_uring_sqe) : sz;
}

void ep2k_uring_cmd_payload(const struct io_uring_cmd *cmd, unsigned int issue_flags,
			    void *dst, unsigned long len)
{
	unsigned long have = ep2k_uring_cmd_payload_size(issue_flags);

	memset(dst, 0, len);
	memcpy(dst, cmd->cmd, min(len, have));
}

int ep2k_uring_issue_nonblock(unsigned int issue_flags) { return !!(issue_flags & IO_URING_F_NONBLOCK); }

void *ep2k_uring_cmd_pdu_get(const struct io_uring_cmd *cmd)
{
	void *p;

	memcpy(&p, cmd->pdu, sizeof(p));
	return p;
}

void ep2k_uring_cmd_pdu_set(struct io_uring_cmd *cmd, void *p)
{
	memcpy(cmd->pdu, &p, sizeof(p));
}

u64 ep2k_uring_cmd_user_data(const struct io_uring_cmd *cmd)
{
	return cmd_to_io_kiocb((struct io_uring_cmd *)cmd)->cqe.user_data;
}

/*
 * The ring is being torn down (its last reference is gone: close of the
 * ring fd, or the owning task's files going away), or the submitting task
 * is exiting: io_uring's exit paths then wait for every request, and a
 * queued wait must end.  Read from the timer: both fields are stable while
 * the request lives.
 */
int ep2k_uring_cmd_owner_gone(const struct io_uring_cmd *cmd)
{
	struct io_kiocb *req = cmd_to_io_kiocb((struct io_uring_cmd *)cmd);

	return percpu_ref_is_dying(&req->ctx->refs) || (READ_ONCE(req->task->flags) & PF_EXITING);
}

/* The task work runs in the submitter, or (exit) in io_uring's fallback worker. */
int ep2k_uring_cmd_in_submitter(const struct io_uring_cmd *cmd)
{
	struct io_kiocb *req = cmd_to_io_kiocb((struct io_uring_cmd *)cmd);

	return req->task == current && !(current->flags & (PF_EXITING | PF_KTHREAD));
}

static void ep2k_uring_cmd_tw_tramp(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	ep2_uring_cmd_task_work(cmd, issue_flags);
}

void ep2k_uring_cmd_complete_in_task(struct io_uring_cmd *cmd)
{
	io_uring_cmd_complete_in_task(cmd, ep2k_uring_cmd_tw_tramp);
}

void ep2k_uring_cmd_done(struct io_uring_cmd *cmd, long res, unsigned int issue_flags)
{
	io_uring_cmd_done(cmd, res, 0, issue_flags);
}

/* A wait-queue entry whose func is ep2_uring_wake() (no task to wake). */
static int ep2k_uring_wake_tramp(struct wait_queue_entry *wait, unsigned int mode, int sync,
				 void *key)
{
	return ep2_uring_wake(wait);
}

void ep2k_init_uring_wait_entry(struct wait_queue_entry *e)
{
	init_waitqueue_func_entry(e, ep2k_uring_wake_tramp);
	INIT_LIST_HEAD(&e->entry);	/* "not queued" until added */
	e->flags = WQ_FLAG_EXCLUSIVE;
}

/* hrtimer, CLOCK_MONOTONIC, absolute; its callback is ep2_uring_timer(). */
static enum hrtimer_restart ep2k_uring_timer_tramp(struct hrtimer *t)
{
	s64 next = ep2_uring_timer(t);

	if (next <= 0)
		return HRTIMER_NORESTART;
	hrtimer_set_expires(t, ns_to_ktime(next));
	return HRTIMER_RESTART;
}

void ep2k_uring_timer_init(struct hrtimer *t)
{
	hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	t->function = ep2k_uring_timer_tramp;
}

void ep2k_uring_timer_start(struct hrtimer *t, s64 expires_ns, u64 slack_ns)
{
	hrtimer_start_range_ns(t, ns_to_ktime(expires_ns), slack_ns, HRTIMER_MODE_ABS);
}

void ep2k_uring_timer_cancel(struct hrtimer *t)
{
	hrtimer_cancel(t);
}
