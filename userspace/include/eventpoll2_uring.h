/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * eventpoll2_uring.h - eventpoll2 calls as io_uring SQEs, liburing style.
 * Header-only; needs liburing (or any <liburing.h>-compatible SQE type).
 *
 *	struct ep2_wait_args wa;                        (lives until the CQE)
 *	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
 *	ep2_uring_prep_wait(sqe, &wa, ep, events, 64, -1);
 *	sqe->user_data = 1;
 *	io_uring_submit(&ring);                         (never blocks on the instance)
 *	...  cqe->res: events written, 0 on timeout, or -errno
 *
 * Each command is IORING_OP_URING_CMD on the instance fd with the ioctl's
 * number as cmd_op and a struct ep2_uring_cmd in the SQE's command area
 * pointing at the ioctl's argument struct (uapi/linux/eventpoll2.h,
 * "io_uring").  The argument struct and the event buffer must stay valid
 * until the command's CQE.  The helpers set every field of a 64-byte SQE
 * but user_data; in an IORING_SETUP_SQE128 ring call
 * ep2_uring_sqe128_clear() first (the command area's last 64 bytes must be
 * zero there).
 *
 * C++ (C++17): ep2::uring::Ctl and ep2::uring::Wait hold the argument
 * struct for the SQE's lifetime, and ep2::uring::result() turns cqe->res
 * into an ep2::Result-like value (with <eventpoll2.hpp>).
 */
#ifndef EVENTPOLL2_URING_H
#define EVENTPOLL2_URING_H

#include <liburing.h>
#include <string.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <linux/eventpoll2.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zero a 128-byte SQE (an IORING_SETUP_SQE128 ring's). */
static inline void ep2_uring_sqe128_clear(struct io_uring_sqe *sqe)
{
	memset(sqe, 0, 2 * sizeof(*sqe));
}

/* IORING_OP_URING_CMD @cmd_op on instance @epfd, command area {@args, @flags}. */
static inline void ep2_uring_prep_cmd(struct io_uring_sqe *sqe, int epfd, __u32 cmd_op,
				      __u64 args, __u32 flags)
{
	struct ep2_uring_cmd c;

	/* Every field of a 64-byte SQE but user_data (the caller's, as in liburing). */
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, epfd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	c.args = args;
	c.flags = flags;
	c.__reserved = 0;
	memcpy(sqe->cmd, &c, sizeof(c));
}

/* epoll_ctl(epfd, op, fd, ev) as an SQE; *@args is filled and must outlive the CQE. */
static inline void ep2_uring_prep_ctl(struct io_uring_sqe *sqe, struct ep2_ctl_args *args,
				      int epfd, int op, int fd, struct epoll_event *ev)
{
	memset(args, 0, sizeof(*args));
	args->size = sizeof(*args);
	args->epfd = epfd;
	args->op = op;
	args->fd = fd;
	args->event = (__u64)(uintptr_t)ev;
	ep2_uring_prep_cmd(sqe, epfd, EP2_IOC_CTL, (__u64)(uintptr_t)args, 0);
}

/*
 * epoll_wait(epfd, events, maxevents, timeout_ms) as an SQE: completes
 * with the events written when some are ready, 0 when @timeout_ms (> 0)
 * expires or at once for 0, and waits for events with -1.
 */
static inline void ep2_uring_prep_wait(struct io_uring_sqe *sqe, struct ep2_wait_args *args,
				       int epfd, struct epoll_event *events, int maxevents,
				       int timeout_ms)
{
	memset(args, 0, sizeof(*args));
	args->size = sizeof(*args);
	args->epfd = epfd;
	args->events = (__u64)(uintptr_t)events;
	args->maxevents = maxevents;
	args->timeout_ms = timeout_ms;
	ep2_uring_prep_cmd(sqe, epfd, EP2_IOC_WAIT, (__u64)(uintptr_t)args, 0);
}

/*
 * Cancel this instance's queued waits whose user_data is @user_data (or
 * all of them with EP2_URING_CANCEL_ANY in @flags): they complete with
 * -ECANCELED; this command's res is how many, or -ENOENT.
 * (IORING_OP_ASYNC_CANCEL cannot reach a queued command on 6.1.)
 */
static inline void ep2_uring_prep_cancel(struct io_uring_sqe *sqe, int epfd, __u64 user_data,
					 __u32 flags)
{
	ep2_uring_prep_cmd(sqe, epfd, EP2_URING_CMD_CANCEL, user_data, flags);
}

#ifdef __cplusplus
} /* extern "C" */

#include <cstddef>
#include <system_error>

namespace ep2 {
namespace uring {

/* cqe->res as a count or an error_code (like ep2::Result<std::size_t>). */
struct CqeResult {
	int res;
	bool ok() const noexcept { return res >= 0; }
	explicit operator bool() const noexcept { return ok(); }
	std::size_t value() const noexcept { return ok() ? std::size_t(res) : 0; }
	std::error_code error() const noexcept
	{
		return ok() ? std::error_code() : std::error_code(-res, std::system_category());
	}
};
inline CqeResult result(const struct io_uring_cqe *cqe) noexcept { return CqeResult{cqe->res}; }

/* One ctl in flight: owns its argument struct and its event. */
class Ctl {
public:
	Ctl() noexcept = default;
	Ctl(const Ctl &) = delete;
	Ctl &operator=(const Ctl &) = delete;
	/* Prepare @sqe: op on @fd with @events/@data (ignored for DEL). */
	void prep(struct io_uring_sqe *sqe, int epfd, int op, int fd, std::uint32_t events = 0,
		  std::uint64_t data = 0) noexcept
	{
		ev_.events = events;
		ev_.data.u64 = data;
		ep2_uring_prep_ctl(sqe, &args_, epfd, op, fd, &ev_);
	}

private:
	struct ep2_ctl_args args_ {};
	struct epoll_event ev_ {};
};

/* One wait in flight: owns its argument struct; the events go to @events. */
class Wait {
public:
	Wait() noexcept = default;
	Wait(const Wait &) = delete;
	Wait &operator=(const Wait &) = delete;
	void prep(struct io_uring_sqe *sqe, int epfd, struct epoll_event *events, int maxevents,
		  int timeout_ms = -1) noexcept
	{
		ep2_uring_prep_wait(sqe, &args_, epfd, events, maxevents, timeout_ms);
	}

private:
	struct ep2_wait_args args_ {};
};

inline void prep_cancel(struct io_uring_sqe *sqe, int epfd, std::uint64_t user_data) noexcept
{
	ep2_uring_prep_cancel(sqe, epfd, user_data, 0);
}
inline void prep_cancel_all(struct io_uring_sqe *sqe, int epfd) noexcept
{
	ep2_uring_prep_cancel(sqe, epfd, 0, EP2_URING_CANCEL_ANY);
}

} // namespace uring
} // namespace ep2
#endif /* __cplusplus */

#endif /* EVENTPOLL2_URING_H */
