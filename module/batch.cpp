// SPDX-License-Identifier: GPL-2.0
/*
 * batch.cpp - batched ctl (EP2_IOC_CTL_BATCH, and the changes of
 * EP2_IOC_CTL_WAIT).  No lock is held across changes: each one is a whole
 * ep_ctl(), with its own checks in epoll's order, its own locks and its own
 * errno, so a batch is observably the same as the calls one by one (a
 * concurrent wait may see the state between two changes, as it may between
 * two epoll_ctl() calls).
 */
#include "eventpoll.hpp"
#include "ctl.hpp"
#include "batch.hpp"

namespace ep2 {

namespace {

static_assert(sizeof(ep2_ctl_change) == EP2_CTL_CHANGE_SIZE);
static_assert(__builtin_offsetof(ep2_ctl_change, result) == 12);

/* Changes copied to the kernel stack at a time: 384 bytes. */
constexpr u32 CHUNK = 16;
constexpr u32 KNOWN_FLAGS = EP2_BATCH_STOP_ON_ERROR;

} // namespace

ErrorOr<> ep_batch_check(int epfd, UserPtr changes, u32 nchanges, u32 flags, struct file *via)
{
	if ((flags & ~KNOWN_FLAGS) || nchanges > EP2_CTL_BATCH_MAX)
		return EINVAL_;
	if (!ep2k_access_ok(changes.get(), static_cast<unsigned long>(nchanges) * sizeof(ep2_ctl_change)))
		return EFAULT_;
	FdRef f(epfd);
	if (!f)
		return EBADF_;
	if (!kfile::is_ep2(f.get()) || (via && via != f.get()))
		return EINVAL_;
	return OK;
}

BatchResult ep_apply_changes(int epfd, UserPtr changes, u32 nchanges, u32 flags, struct file *via)
{
	BatchResult r{0, 0, false};
	ep2_ctl_change chunk[CHUNK];
	/*
	 * epfd was checked by ep_batch_check(); one reference serves every
	 * change (as a syscall in progress holds its file).  Closed since: the
	 * changes get its EBADF, as epoll_ctl() would.
	 */
	FdRef f(epfd);

	while (r.done < nchanges) {
		/* A dying task stops between chunks (done < nchanges, no fault). */
		if (r.done && ep2k_fatal_signal_pending())
			break;
		u32 want = min(CHUNK, nchanges - r.done);
		UserPtr at = changes.offset(static_cast<u64>(r.done) * sizeof(ep2_ctl_change));
		unsigned long bytes = want * sizeof(ep2_ctl_change);
		unsigned long left = ep2k_copy_from_user(chunk, at.get(), bytes);
		/* Only whole entries count: a fault inside one stops before it. */
		u32 got = static_cast<u32>((bytes - left) / sizeof(ep2_ctl_change));

		for (u32 i = 0; i < got; i++) {
			ep2_ctl_change &c = chunk[i];
			ep2_event ev{};
			ev.events = c.events;
			ev.data = c.data;
			auto res = f ? ep_ctl_file(f.get(), c.op, c.fd, c.op != EP2_CTL_DEL ? &ev : nullptr, via)
				     : ErrorOr<>(EBADF_);
			s32 code = res.is_error() ? res.error().code : 0;
			r.done++;
			if (code)
				r.failed++;
			UserPtr res_at = at.offset(static_cast<u64>(i) * sizeof(ep2_ctl_change) +
						   __builtin_offsetof(ep2_ctl_change, result));
			if (ep2k_copy_to_user(res_at.get(), &code, sizeof(code))) {
				r.fault = true;		/* applied, its result lost */
				return r;
			}
			if (code && (flags & EP2_BATCH_STOP_ON_ERROR))
				return r;
		}
		if (got < want) {
			r.fault = true;
			break;
		}
	}
	return r;
}

} // namespace ep2
