/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libeventpoll2: the epoll API, one to one, on /dev/eventpoll2.
 *
 * Same arguments, same return values, same errno values as epoll_create(2),
 * epoll_create1(2), epoll_ctl(2), epoll_wait(2), epoll_pwait(2) and
 * epoll_pwait2(2); the waits are cancellation points as epoll's are.  The
 * instance fds are real anon_inode:[eventpoll2] files: poll them, nest them
 * (in each other or in native epoll, and the reverse), pass them over unix
 * sockets, dup and close them.
 *
 * Thread-safe, async-signal-safe once the device is open, and fork-safe.
 * The library keeps one fd of /dev/eventpoll2 (O_CLOEXEC), opened lazily on
 * the first create; it needs no per-process state beyond that.  ctl and wait
 * are one ioctl on the instance fd itself; the device fd is used to create
 * instances and to give the exact epoll errno when epfd is not an instance.
 * If the program closes the device fd (closefrom() after fork, a close_range()
 * sweep, dup2() over it) the library notices and reopens it.
 *
 * When the module is not loaded, calls fail with ENODEV (ep2_available()
 * says so up front).  The environment variable EP2_DEVICE names another
 * device path (for tests; ignored in set-uid programs).
 */
#ifndef EVENTPOLL2_H
#define EVENTPOLL2_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>
#include <linux/eventpoll2.h>

#define EVENTPOLL2_LIB_VERSION_MAJOR	0
#define EVENTPOLL2_LIB_VERSION_MINOR	1

#ifdef __cplusplus
extern "C" {
#endif

int ep2_create(int size);
int ep2_create1(int flags);
int ep2_ctl(int epfd, int op, int fd, struct epoll_event *event);
int ep2_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
int ep2_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
	      const sigset_t *sigmask);
int ep2_pwait2(int epfd, struct epoll_event *events, int maxevents,
	       const struct timespec *timeout, const sigset_t *sigmask);

/*
 * The ready ring (an eventpoll2 extension; see README "The ready ring").
 *
 * ep2_create_ring() creates an instance with a ring of @entries slots (a
 * power of two, 64..65536; 0 picks 4096) and maps it.  @flags: EPOLL_CLOEXEC,
 * and EP2_CREATE_RING_STRICT for a ring that serves only what it can keep
 * exactly as epoll_wait() reports it (edge-triggered items on eventfds; the
 * rest takes the kernel path), or EP2_CREATE_RING_KEYED for a ring the
 * wakeup callback fills itself with the wakeup's key (no poll: the cheapest,
 * for loops that take readiness bits as hints; README "The ready ring").  ep2_wait(),
 * ep2_pwait() and ep2_pwait2() on such an instance take what the ring holds,
 * without a system call, unless the ring is empty (then they sleep in the
 * kernel) or kernel_pending says the kernel holds events too (level-triggered
 * and EPOLLWAKEUP items, a full ring, or readiness not yet published): then
 * one wait ioctl publishes what is pending, takes the ring and then the rest,
 * so one call returns what epoll_wait() would.  Close it
 * with ep2_close(), which also unmaps the ring (a plain close() leaves the
 * mapping, and with it the instance, alive until the process exits).
 *
 * ep2_ring_harvest() is the harvest alone: never a system call, never
 * blocks; any number of threads may harvest one ring at once (each entry is
 * claimed with a compare-and-swap).  It returns 0 when the ring is empty.
 */
struct ep2_ring {
	struct ep2_ring_header *hdr;
	struct ep2_ring_entry *entries;
	uint32_t mask;
	uint32_t nentries;
	size_t size;
	int epfd;
};

#define EP2_RING_DEFAULT_ENTRIES 4096

int ep2_create_ring(int flags, unsigned int entries);
int ep2_close(int epfd);
/* The ring of an instance made by ep2_create_ring(), or NULL. */
struct ep2_ring *ep2_ring_get(int epfd);
/* Map / unmap an instance's ring yourself (e.g. an fd received over a socket). */
int ep2_ring_map(int epfd, struct ep2_ring *ring);
void ep2_ring_unmap(struct ep2_ring *ring);
int ep2_ring_harvest(struct ep2_ring *ring, struct epoll_event *events, int maxevents);
/*
 * The harvest of a single consumer: the caller promises that no other
 * harvest and no wait on this ring run at the same time (one event loop
 * thread per ring).  No atomic read-modify-write per entry; an event may come
 * twice only if the kernel updates an entry while it is being harvested.
 */
int ep2_ring_harvest_single(struct ep2_ring *ring, struct epoll_event *events, int maxevents);
/* 1: the kernel holds events the ring does not (call a wait to get them). */
static inline int ep2_ring_kernel_pending(const struct ep2_ring *ring)
{
	return __atomic_load_n(&ring->hdr->kernel_pending, __ATOMIC_ACQUIRE) != 0;
}
/* Entries published and not yet consumed, per the shared indexes (a hint). */
static inline uint32_t ep2_ring_ready(const struct ep2_ring *ring)
{
	uint32_t t = __atomic_load_n(&ring->hdr->tail, __ATOMIC_ACQUIRE);
	uint32_t h = __atomic_load_n(&ring->hdr->head, __ATOMIC_ACQUIRE);
	return t - h <= ring->nentries ? t - h : 0;
}

/*
 * Round-robin exclusive wakeups (EP2_CREATE_ROUNDROBIN; README "Round-robin
 * exclusive wakeups"): an instance on which EPOLLEXCLUSIVE items hand the
 * target's wakeups to the instances watching it in turn, and whose own
 * waiters are woken FIFO.  @flags: EPOLL_CLOEXEC or 0.
 */
int ep2_create_roundrobin(int flags);

/*
 * Linux 6.9's EPIOCSPARAMS / EPIOCGPARAMS (README "Busy polling"): the
 * instance's busy-poll parameters.  One ioctl on @epfd, errno as 6.9's
 * (EINVAL, EPERM, EFAULT); on a native epoll fd they reach the running
 * kernel's epoll (6.1: ENOTTY).
 */
int ep2_set_params(int epfd, const struct ep2_epoll_params *params);
int ep2_get_params(int epfd, struct ep2_epoll_params *params);

/*
 * Batched ctl, ctl + wait in one call, min-wait batching (eventpoll2
 * extensions; README "Batched ctl", "ctl + wait", "Min-wait batching").
 *
 * ep2_ctl_batch() applies @nchanges changes in order, each exactly as one
 * ep2_ctl() (same checks, same errno), and writes each one's result (0 or
 * -errno) into changes[i].result.  It returns how many were processed
 * (results written): nchanges, or fewer when EP2_BATCH_STOP_ON_ERROR
 * stopped after the failed change (its result says why) or an entry could
 * not be read (nothing from there on was looked at).  -1 with errno when
 * nothing was processed: EINVAL (flags, nchanges > EP2_CTL_BATCH_MAX),
 * EFAULT, EBADF/EINVAL (epfd, as epoll_ctl's).  @failed, if not NULL, gets
 * the number of failed changes.
 *
 * ep2_ctl_wait() is EP2_IOC_CTL_WAIT: the changes of @a, then a wait, in
 * one call (it fills a->size and a->epfd, and a->sigsetsize when a sigmask
 * is given).  Returns the number of events; a->done and a->failed say what
 * the changes did.  A failed change makes the wait non-blocking.
 *
 * ep2_wait_min() is ep2_pwait2() that returns once @min_events are ready,
 * or @min_wait_ns after the first one was, whichever is first, bounded by
 * @timeout.  On a ring instance it takes the ring in userspace when it
 * already holds min_events.
 */
int ep2_ctl_batch(int epfd, struct ep2_ctl_change *changes, unsigned int nchanges,
		  unsigned int flags, unsigned int *failed);
int ep2_ctl_wait(int epfd, struct ep2_ctl_wait_args *a);
int ep2_wait_min(int epfd, struct epoll_event *events, int maxevents,
		 const struct timespec *timeout, const sigset_t *sigmask,
		 unsigned int min_events, uint64_t min_wait_ns);

/* 1 if /dev/eventpoll2 can be opened, else 0 with errno set (ENODEV). */
int ep2_available(void);
/* The control device fd (opened on first use, O_CLOEXEC), or -1 with errno. */
int ep2_device_fd(void);

#ifdef __cplusplus
}
#endif

#endif /* EVENTPOLL2_H */
