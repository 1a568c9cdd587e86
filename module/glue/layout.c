// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - generates generated/ep2_layout.h, the asm-offsets way.
 *
 * Compiled to assembly only; Kbuild's `filechk offsets` turns the markers
 * into #defines.  C++ embeds kernel objects as opaque storage of exactly
 * these sizes and alignments (static_assert'ed in kobj.hpp), and takes the
 * kernel constants it needs (poll bits, errno values, ioctl numbers) from
 * here rather than from kernel headers.
 */
#define COMPILE_OFFSETS
#include <linux/kbuild.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/rbtree.h>
#include <linux/poll.h>
#include <linux/errno.h>
#include <linux/eventpoll.h>
#include <linux/fcntl.h>
#include <linux/signal.h>
#include <linux/limits.h>
#include <linux/eventpoll2.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/uaccess.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/hrtimer.h>
#include <linux/io_uring.h>
#include <linux/netdevice.h>
#include <net/busy_poll.h>

#define SIZE_ALIGN(sym, type)					\
	DEFINE(EP2K_SIZEOF_##sym, sizeof(type));		\
	DEFINE(EP2K_ALIGNOF_##sym, __alignof__(type))

void ep2_layout(void);
void ep2_layout(void)
{
	COMMENT("Kernel objects embedded in C++ objects");
	SIZE_ALIGN(SPINLOCK, spinlock_t);
	SIZE_ALIGN(MUTEX, struct mutex);
	SIZE_ALIGN(WAIT_QUEUE_HEAD, struct wait_queue_head);
	SIZE_ALIGN(WAIT_QUEUE_ENTRY, struct wait_queue_entry);
	SIZE_ALIGN(RB_NODE, struct rb_node);
	SIZE_ALIGN(RB_ROOT_CACHED, struct rb_root_cached);
	SIZE_ALIGN(POLL_TABLE, poll_table);
	SIZE_ALIGN(IRQ_WORK, struct irq_work);
	SIZE_ALIGN(CALLBACK_HEAD, struct callback_head);
	SIZE_ALIGN(HRTIMER, struct hrtimer);
	BLANK();

	COMMENT("rb_node children, read by the C++ tree walk (as asm reads fields)");
	OFFSET(EP2K_RB_NODE_RIGHT, rb_node, rb_right);
	OFFSET(EP2K_RB_NODE_LEFT, rb_node, rb_left);
	OFFSET(EP2K_RB_ROOT_CACHED_ROOT, rb_root_cached, rb_root.rb_node);
	BLANK();

	COMMENT("Hot-path fields C++ reads by offset (never writes)");
	OFFSET(EP2K_FILE_F_OP, file, f_op);
	OFFSET(EP2K_FILE_PRIVATE_DATA, file, private_data);
	OFFSET(EP2K_WQH_HEAD, wait_queue_head, head);
	OFFSET(EP2K_WQH_HEAD_NEXT, wait_queue_head, head.next);
	DEFINE(EP2K_FDPUT_FPUT, FDPUT_FPUT);
	BLANK();

	COMMENT("Poll bits");
	DEFINE(EP2K_EPOLLIN, (__force u32)EPOLLIN);
	DEFINE(EP2K_EPOLLPRI, (__force u32)EPOLLPRI);
	DEFINE(EP2K_EPOLLOUT, (__force u32)EPOLLOUT);
	DEFINE(EP2K_EPOLLERR, (__force u32)EPOLLERR);
	DEFINE(EP2K_EPOLLHUP, (__force u32)EPOLLHUP);
	DEFINE(EP2K_EPOLLRDNORM, (__force u32)EPOLLRDNORM);
	DEFINE(EP2K_EPOLLEXCLUSIVE, (__force u32)EPOLLEXCLUSIVE);
	DEFINE(EP2K_EPOLLWAKEUP, (__force u32)EPOLLWAKEUP);
	DEFINE(EP2K_EPOLLONESHOT, (__force u32)EPOLLONESHOT);
	DEFINE(EP2K_EPOLLET, (__force u32)EPOLLET);
	DEFINE(EP2K_POLLFREE, (__force u32)POLLFREE);
	DEFINE(EP2K_EPOLL_URING_WAKE, (__force u32)EPOLL_URING_WAKE);
	BLANK();

	COMMENT("errno");
	DEFINE(EP2K_EPERM, EPERM);
	DEFINE(EP2K_ENOENT, ENOENT);
	DEFINE(EP2K_EINTR, EINTR);
	DEFINE(EP2K_EBADF, EBADF);
	DEFINE(EP2K_EAGAIN, EAGAIN);
	DEFINE(EP2K_ENOMEM, ENOMEM);
	DEFINE(EP2K_EFAULT, EFAULT);
	DEFINE(EP2K_EEXIST, EEXIST);
	DEFINE(EP2K_EINVAL, EINVAL);
	DEFINE(EP2K_ENOSPC, ENOSPC);
	DEFINE(EP2K_ENOTTY, ENOTTY);
	DEFINE(EP2K_E2BIG, E2BIG);
	DEFINE(EP2K_ELOOP, ELOOP);
	DEFINE(EP2K_ENODEV, ENODEV);
	DEFINE(EP2K_ECANCELED, ECANCELED);
	DEFINE(EP2K_EIOCBQUEUED, EIOCBQUEUED);
	BLANK();

	COMMENT("Kernel configuration the C++ side adapts to");
	DEFINE(EP2K_CONFIG_LOCKDEP, IS_ENABLED(CONFIG_LOCKDEP));
	BLANK();

	COMMENT("Limits and ABI");
	DEFINE(EP2K_INT_MAX, INT_MAX);
	DEFINE(EP2K_SIGKILL, SIGKILL);
	DEFINE(EP2K_SIGSTOP, SIGSTOP);
	DEFINE(EP2K_SIGSET_SIZE, sizeof(sigset_t));
	DEFINE(EP2K_IOC_MAGIC, EP2_IOC_MAGIC);
	DEFINE(EP2K_IOC_NRSHIFT, _IOC_NRSHIFT);
	DEFINE(EP2K_IOC_NRMASK, _IOC_NRMASK);
	DEFINE(EP2K_IOC_TYPESHIFT, _IOC_TYPESHIFT);
	DEFINE(EP2K_IOC_TYPEMASK, _IOC_TYPEMASK);
	DEFINE(EP2K_IOC_NR_CREATE, _IOC_NR(EP2_IOC_CREATE));
	DEFINE(EP2K_IOC_NR_CTL, _IOC_NR(EP2_IOC_CTL));
	DEFINE(EP2K_IOC_NR_WAIT, _IOC_NR(EP2_IOC_WAIT));
	DEFINE(EP2K_IOC_NR_PWAIT, _IOC_NR(EP2_IOC_PWAIT));
	DEFINE(EP2K_IOC_NR_PWAIT2, _IOC_NR(EP2_IOC_PWAIT2));
	DEFINE(EP2K_IOC_NR_URING_CANCEL, _IOC_NR(EP2_URING_CMD_CANCEL));
	DEFINE(EP2K_URING_CMD_FIXED, IORING_URING_CMD_FIXED);
	DEFINE(EP2K_IOC_NR_CTL_BATCH, _IOC_NR(EP2_IOC_CTL_BATCH));
	DEFINE(EP2K_IOC_NR_CTL_WAIT, _IOC_NR(EP2_IOC_CTL_WAIT));
	DEFINE(EP2K_SIZEOF_EPOLL_EVENT, sizeof(struct epoll_event));
	DEFINE(EP2K_EPOLL_IOC_TYPE, EP2_EPOLL_IOC_TYPE);
	DEFINE(EP2K_EPIOCSPARAMS, EP2_EPIOCSPARAMS);
	DEFINE(EP2K_EPIOCGPARAMS, EP2_EPIOCGPARAMS);
	DEFINE(EP2K_NAPI_POLL_WEIGHT, NAPI_POLL_WEIGHT);
	DEFINE(EP2K_BUSY_POLL_BUDGET, BUSY_POLL_BUDGET);
	DEFINE(EP2K_MIN_NAPI_ID, MIN_NAPI_ID);
	DEFINE(EP2K_S32_MAX, S32_MAX);
	DEFINE(EP2K_PAGE_SIZE, PAGE_SIZE);

	BUILD_BUG_ON(sizeof(struct ep2_event) != sizeof(struct epoll_event));
	BUILD_BUG_ON(EP2_CLOEXEC != O_CLOEXEC);
	BUILD_BUG_ON(EP2_CTL_ADD != EPOLL_CTL_ADD || EP2_CTL_DEL != EPOLL_CTL_DEL ||
		     EP2_CTL_MOD != EPOLL_CTL_MOD);
	BUILD_BUG_ON(sizeof(struct ep2_ctl_args) != EP2_CTL_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ep2_wait_args) != EP2_WAIT_ARGS_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct ep2_ctl_change) != EP2_CTL_CHANGE_SIZE);
	BUILD_BUG_ON(sizeof(struct ep2_ctl_batch_args) != EP2_CTL_BATCH_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ep2_ctl_wait_args) != EP2_CTL_WAIT_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ep2_create_args) != EP2_CREATE_ARGS_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct ep2_ring_header) != 128);
	BUILD_BUG_ON(sizeof(struct ep2_ring_entry) != 16);
	BUILD_BUG_ON((EP2_CREATE_RING | EP2_CREATE_RING_STRICT | EP2_CREATE_RING_KEYED) & O_CLOEXEC);
	BUILD_BUG_ON((EP2_CREATE_RING | EP2_CREATE_RING_STRICT | EP2_CREATE_RING_KEYED | EP2_CLOEXEC) &
		     EP2_CREATE_ROUNDROBIN);
	BUILD_BUG_ON(sizeof(struct ep2_uring_cmd) != 16);
	BUILD_BUG_ON(sizeof(struct ep2_epoll_params) != 8);
	BUILD_BUG_ON(EP2_NAPI_POLL_WEIGHT != NAPI_POLL_WEIGHT);
}
