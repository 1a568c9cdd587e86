/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * eventpoll2: epoll reimplemented as a loadable module.
 *
 * The ABI between the module and userspace.  Shared verbatim by the module,
 * the C library, the LD_PRELOAD drop-in and the tests; usable from C and C++.
 *
 * All ioctls are issued on a file descriptor of /dev/eventpoll2 (the control
 * device) or on an instance fd.  Every ctl/wait argument struct names the
 * instance in its `epfd` field, so the module resolves it exactly as
 * epoll_ctl()/epoll_wait() resolve their first argument: a bad fd is EBADF and
 * a file that is not an eventpoll2 instance is EINVAL (never ENOTTY).  When
 * the ioctl is issued on an instance fd, `epfd` must name that same instance.
 *
 * Argument structs are extensible like openat2(2)/clone3(2): the first field
 * is the size userspace passes; a larger struct from a newer userspace is
 * accepted when the bytes the module does not know are zero (else E2BIG), a
 * smaller one from an older userspace is zero-extended, and anything below
 * the first published size is EINVAL.  Reserved fields must be zero (EINVAL).
 *
 * The module dispatches on the ioctl's type and number only; the size bits of
 * the command are those of the version-0 struct, and the struct's own `size`
 * field says how much userspace passed.
 *
 * The return value of CREATE is the new fd; of WAIT/PWAIT/PWAIT2 and
 * CTL_WAIT the number of events written; of CTL zero; of CTL_BATCH the
 * number of changes processed.  Errors are -1 with errno, epoll's errno.
 *
 * All pointers travel as __u64 so one layout serves 64-bit and 32-bit
 * (compat) callers.  struct epoll_event keeps epoll's layout: packed, 12
 * bytes on x86-64 and i386.
 */
#ifndef _UAPI_LINUX_EVENTPOLL2_H
#define _UAPI_LINUX_EVENTPOLL2_H

/*
 * The module's C++ side includes no kernel header: it defines the __u32
 * family itself and EP2_UAPI_TYPES_PROVIDED (it never expands the _IO*
 * macros; it gets the ioctl numbers from generated/ep2_layout.h).
 */
#ifndef EP2_UAPI_TYPES_PROVIDED
#include <linux/types.h>
#include <linux/ioctl.h>
#endif

#define EVENTPOLL2_DEVICE	"/dev/eventpoll2"
#define EVENTPOLL2_ANON_NAME	"[eventpoll2]"

/*
 * Flags for EP2_IOC_CREATE: close-on-exec, as epoll_create1(), and the
 * opt-in ready ring (an eventpoll2 extension; epoll_create1() defines no
 * other flag, so no bit here means anything to epoll).
 */
#define EP2_CLOEXEC		02000000	/* == O_CLOEXEC == EPOLL_CLOEXEC */
#define EP2_CREATE_RING		0x00000001	/* create with a ready ring (ring_entries) */
#define EP2_CREATE_RING_STRICT	0x00000002	/* with EP2_CREATE_RING: the ring serves only
						 * what it keeps exactly as epoll_wait()
						 * reports it (ET items on eventfds) */
#define EP2_CREATE_RING_KEYED	0x00000004	/* with EP2_CREATE_RING: publish the wakeup's
						 * key from the callback, without a poll */
/*
 * Round-robin exclusive wakeups (an eventpoll2 extension, opt-in per
 * instance; works with the version-0 struct).  On such an instance:
 * - an EPOLLEXCLUSIVE item whose wakeup woke one of the instance's waiters
 *   has its wait entry moved to the tail of the target file's wait queue
 *   when that waiter takes the wakeup, so the next wakeup of the target
 *   goes to another instance's waiter (in turn) instead of the same one;
 * - threads waiting in the instance itself queue FIFO (at the tail), so a
 *   wakeup goes to the longest sleeper, not the latest (epoll: LIFO).
 * A create flag and not an event bit: epoll keeps unknown event bits, so
 * any bit an ADD could carry might mean something to a future epoll; the
 * create flags are eventpoll2's own (epoll_create1 defines only CLOEXEC).
 */
#define EP2_CREATE_ROUNDROBIN	0x00000100	/* bit 8: the low bits are the ring's */

/* ctl ops: the same values as EPOLL_CTL_*. */
#define EP2_CTL_ADD		1
#define EP2_CTL_DEL		2
#define EP2_CTL_MOD		3

/*
 * The event record, bit for bit epoll's struct epoll_event.  Event bits are
 * epoll's EPOLL* values.
 */
#if defined(__x86_64__) || defined(__i386__)
#define EP2_PACKED __attribute__((packed))
#else
#define EP2_PACKED
#endif

struct ep2_event {
	__u32 events;
	__u64 data;
} EP2_PACKED;

struct ep2_create_args {
	__u32 size;		/* sizeof(struct ep2_create_args) */
	__u32 flags;		/* EP2_CLOEXEC, EP2_CREATE_RING, EP2_CREATE_ROUNDROBIN */
	/* Version 1 (16 bytes): */
	__u32 ring_entries;	/* with EP2_CREATE_RING: a power of two in
				 * [EP2_RING_MIN_ENTRIES, EP2_RING_MAX_ENTRIES];
				 * must be 0 without it */
	__u32 __reserved;	/* must be 0 */
};
#define EP2_CREATE_ARGS_SIZE_VER0	8
#define EP2_CREATE_ARGS_SIZE_VER1	16

struct ep2_ctl_args {
	__u32 size;		/* sizeof(struct ep2_ctl_args) */
	__s32 epfd;		/* the instance */
	__s32 op;		/* EP2_CTL_* */
	__s32 fd;		/* the target file descriptor */
	__u64 event;		/* user pointer to struct ep2_event; unread for DEL */
};
#define EP2_CTL_ARGS_SIZE_VER0		24

struct ep2_wait_args {
	__u32 size;		/* sizeof(struct ep2_wait_args) */
	__s32 epfd;		/* the instance */
	__u64 events;		/* user pointer to struct ep2_event[maxevents] */
	__s32 maxevents;
	__s32 timeout_ms;	/* WAIT, PWAIT: -1 forever, 0 poll, >0 ms */
	__u64 sigmask;		/* PWAIT, PWAIT2: user pointer to sigset_t, or 0 */
	__u64 sigsetsize;	/* PWAIT, PWAIT2: sizeof the kernel sigset (8) */
	__u64 timeout;		/* PWAIT2: user pointer to struct __kernel_timespec, 0 = forever */
	/* Version 1 (64 bytes): min-wait batching (README "Min-wait batching"). */
	__u32 min_events;	/* return once this many are ready (0, 1: no batching) */
	__u32 __reserved1;	/* must be 0 */
	__u64 min_wait_ns;	/* ... or this long after the first one was seen (0: no cap) */
};
#define EP2_WAIT_ARGS_SIZE_VER0		48
#define EP2_WAIT_ARGS_SIZE_VER1		64
/* min_events (and maxevents standing in for it) counts at most this many. */
#define EP2_MIN_EVENTS_MAX		1024

/*
 * Batched ctl (EP2_IOC_CTL_BATCH) and ctl + wait in one call
 * (EP2_IOC_CTL_WAIT): an eventpoll2 extension (README "Batched ctl",
 * "ctl + wait").  The changes are applied in array order, each exactly as
 * one epoll_ctl(epfd, op, fd, &{events, data}) would be, and each entry's
 * result (0 or -errno) is written back into its own `result` field (read
 * never: the array may be resubmitted as is).  The kernel reads each entry
 * once.  At most EP2_CTL_BATCH_MAX changes per call (more: EINVAL).
 */
struct ep2_ctl_change {
	__s32 op;		/* EP2_CTL_* */
	__s32 fd;		/* the target file descriptor */
	__u32 events;		/* as epoll_event.events; unread for DEL */
	__s32 result;		/* out: 0 or -errno; ignored on input */
	__u64 data;		/* as epoll_event.data; unread for DEL */
};
#define EP2_CTL_CHANGE_SIZE		24
#define EP2_CTL_BATCH_MAX		4096

/* Batch flags. */
#define EP2_BATCH_STOP_ON_ERROR		0x00000001	/* stop after the first failed change */

struct ep2_ctl_batch_args {
	__u32 size;		/* sizeof(struct ep2_ctl_batch_args) */
	__s32 epfd;		/* the instance */
	__u64 changes;		/* user pointer to struct ep2_ctl_change[nchanges] */
	__u32 nchanges;		/* 0..EP2_CTL_BATCH_MAX */
	__u32 flags;		/* EP2_BATCH_* */
	__u32 done;		/* out: changes processed (result written) */
	__u32 failed;		/* out: of those, how many failed */
};
#define EP2_CTL_BATCH_ARGS_SIZE_VER0	32

struct ep2_ctl_wait_args {
	__u32 size;		/* sizeof(struct ep2_ctl_wait_args) */
	__s32 epfd;		/* the instance */
	__u64 changes;		/* as ep2_ctl_batch_args (may be 0 with nchanges 0) */
	__u32 nchanges;
	__u32 flags;		/* EP2_BATCH_* */
	__u32 done;		/* out */
	__u32 failed;		/* out */
	__u64 events;		/* user pointer to struct ep2_event[maxevents] */
	__s32 maxevents;
	__u32 min_events;	/* as ep2_wait_args */
	__s64 timeout_ns;	/* < 0 forever, 0 poll, > 0 relative, CLOCK_MONOTONIC */
	__u64 min_wait_ns;	/* as ep2_wait_args */
	__u64 sigmask;		/* user pointer to sigset_t, or 0 (as pwait) */
	__u64 sigsetsize;	/* with sigmask: sizeof the kernel sigset (8) */
};
#define EP2_CTL_WAIT_ARGS_SIZE_VER0	80

/*
 * The ready ring (EP2_CREATE_RING): events published by the kernel into
 * memory shared with userspace, harvested there without a system call.
 * Map it with mmap(NULL, hdr.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
 * instance_fd, 0); mmap_size is EP2_RING_MMAP_SIZE(entries, page size).
 *
 *   offset 0                 the header (one page)
 *     tail            kernel  next position the kernel fills (store-release)
 *     kernel_pending  kernel  1: events wait on the kernel's ready list
 *                             (LT/EPOLLWAKEUP items, ring full, or not yet
 *                             published): call the wait ioctl to get them
 *     entries, mask, entries_offset, mmap_size: immutable
 *     overflow        kernel  publications that found the ring full
 *     mods            kernel  in-place updates and withdrawals, ever (lets a
 *                             single consumer skip its second pass)
 *     head            users   next position to consume (compare-and-swap)
 *   offset entries_offset    struct ep2_ring_entry[entries]
 *
 * An entry at position p lives in slot p & mask.  Its first 8 bytes are one
 * 64-bit word, events | (u64)seq << 32 (little endian): seq == (u32)p once
 * the kernel published it, events != 0 while it is unclaimed.  A consumer
 * claims an entry by compare-and-swap of the word to (u64)seq << 32
 * (events 0); the kernel updates an unclaimed entry in place the same way.
 * See README ("The ready ring") for the ordering rules.  The kernel never
 * trusts what it reads back from this memory: head is only used to decide
 * whether a slot may be reused, and every index is masked.
 */
#define EP2_RING_MIN_ENTRIES	64
#define EP2_RING_MAX_ENTRIES	65536

struct ep2_ring_header {
	__u32 tail;
	__u32 kernel_pending;
	__u32 entries;
	__u32 mask;
	__u32 entries_offset;
	__u32 mmap_size;
	__u64 overflow;
	__u32 mods;		/* kernel: entries updated in place or withdrawn, ever */
	__u8  __pad0[28];	/* the consumer index gets its own cache line */
	__u32 head;
	__u8  __pad1[60];
};

struct ep2_ring_entry {
	__u32 events;		/* 0: claimed (or removed by the kernel) */
	__u32 seq;		/* the position it was published at */
	__u64 data;		/* the item's epoll_data */
};

#define EP2_RING_ENTRY_WORD(events, seq) \
	((__u64)(__u32)(events) | ((__u64)(__u32)(seq) << 32))
#define EP2_RING_MMAP_SIZE(entries, page) \
	((page) + ((((__u64)(entries) * sizeof(struct ep2_ring_entry)) + (page) - 1) & ~((__u64)(page) - 1)))

#define EP2_IOC_MAGIC		0xE2

#define EP2_IOC_CREATE		_IOW(EP2_IOC_MAGIC, 0x01, struct ep2_create_args)
#define EP2_IOC_CTL		_IOW(EP2_IOC_MAGIC, 0x02, struct ep2_ctl_args)
#define EP2_IOC_WAIT		_IOW(EP2_IOC_MAGIC, 0x03, struct ep2_wait_args)
#define EP2_IOC_PWAIT		_IOW(EP2_IOC_MAGIC, 0x04, struct ep2_wait_args)
#define EP2_IOC_PWAIT2		_IOW(EP2_IOC_MAGIC, 0x05, struct ep2_wait_args)
#define EP2_IOC_CTL_BATCH	_IOWR(EP2_IOC_MAGIC, 0x10, struct ep2_ctl_batch_args)
#define EP2_IOC_CTL_WAIT	_IOWR(EP2_IOC_MAGIC, 0x11, struct ep2_ctl_wait_args)

/*
 * io_uring (an eventpoll2 extension): IORING_OP_URING_CMD on an instance.
 *
 *   sqe->opcode = IORING_OP_URING_CMD, sqe->fd = the instance (or a fixed
 *   file index with IOSQE_FIXED_FILE), sqe->cmd_op = EP2_IOC_CTL,
 *   EP2_IOC_WAIT, EP2_IOC_PWAIT or EP2_IOC_PWAIT2, and the SQE's command
 *   area (sqe->cmd: 16 bytes, 80 in an IORING_SETUP_SQE128 ring) holds a
 *   struct ep2_uring_cmd, whose args points to the ioctl's own argument
 *   struct, read with the ioctl's rules (size, version, reserved fields,
 *   epfd naming the instance the SQE targets).  Command-area bytes past
 *   the struct must be zero.
 *
 *   cqe->res is what the ioctl returns: 0 for CTL, the number of events
 *   written for the waits, or -errno.  The waits complete when events
 *   arrive, when timeout_ms / timeout expires (res 0), or with -ECANCELED
 *   (EP2_URING_CMD_CANCEL, the ring's or the submitting task's exit); they
 *   never block the submitting task.  A signal mask has no meaning for a
 *   queued wait: PWAIT and PWAIT2 need sigmask 0 (else EINVAL).
 *
 *   EP2_URING_CMD_CANCEL: args is the user_data of the waits to cancel on
 *   this instance (flags: EP2_URING_CANCEL_ANY cancels every wait); res is
 *   the number cancelled, or -ENOENT.
 *
 * The argument struct and the event buffer must stay valid until the CQE.
 */
struct ep2_uring_cmd {
	__u64 args;		/* user pointer to ep2_ctl_args / ep2_wait_args;
				 * EP2_URING_CMD_CANCEL: the user_data */
	__u32 flags;		/* 0; EP2_URING_CMD_CANCEL: EP2_URING_CANCEL_ANY */
	__u32 __reserved;	/* must be 0 */
};
#define EP2_URING_CMD_CANCEL	_IOW(EP2_IOC_MAGIC, 0x10, struct ep2_uring_cmd)
#define EP2_URING_CANCEL_ANY	0x00000001

/*
 * Linux 6.9's per-instance busy-poll parameters (EPIOCSPARAMS/EPIOCGPARAMS
 * of <linux/eventpoll.h>), accepted on an instance fd with the same numbers,
 * struct and checks, so a program written for them runs unmodified.  The
 * struct is layout-identical to 6.9's struct epoll_params; it has its own
 * name so that this header and a newer <linux/eventpoll.h> can be included
 * together.  Set checks, in 6.9's order: copy (EFAULT), __pad != 0 (EINVAL),
 * busy_poll_usecs > S32_MAX (EINVAL), prefer_busy_poll > 1 (EINVAL),
 * busy_poll_budget > 64 (NAPI_POLL_WEIGHT) without CAP_NET_ADMIN (EPERM).
 * Any other command of type 0x8A on an instance: EINVAL (as 6.9); on the
 * control device: ENOTTY.  See README "Busy polling".
 */
struct ep2_epoll_params {
	__u32 busy_poll_usecs;	/* busy-poll this long before sleeping (0: off) */
	__u16 busy_poll_budget;	/* packets per NAPI poll (0: the kernel's 8) */
	__u8  prefer_busy_poll;	/* 0 or 1: passed to napi_busy_loop() */
	__u8  __pad;		/* must be 0 */
};
#define EP2_EPOLL_IOC_TYPE	0x8A
#define EP2_EPIOCSPARAMS	_IOW(EP2_EPOLL_IOC_TYPE, 0x01, struct ep2_epoll_params)
#define EP2_EPIOCGPARAMS	_IOR(EP2_EPOLL_IOC_TYPE, 0x02, struct ep2_epoll_params)
#define EP2_NAPI_POLL_WEIGHT	64

#endif /* _UAPI_LINUX_EVENTPOLL2_H */
