// SPDX-License-Identifier: GPL-2.0
/*
 * frontend.cpp - the ioctl ABI (uapi/linux/eventpoll2.h) in front of the
 * epoll calls: argument structs copied in (extensible, openat2-style),
 * reserved fields checked, then epoll's own checks in epoll's order.
 */
#include "eventpoll.hpp"
#include "ctl.hpp"
#include "wait.hpp"
#include "frontend.hpp"
#include "busypoll.hpp"
#include "batch.hpp"

namespace ep2 {

namespace {

static_assert(sizeof(ep2_event) == EP2K_SIZEOF_EPOLL_EVENT);
static_assert(sizeof(ep2_create_args) == EP2_CREATE_ARGS_SIZE_VER1);
static_assert(sizeof(ep2_ctl_args) == EP2_CTL_ARGS_SIZE_VER0);
static_assert(sizeof(ep2_wait_args) == EP2_WAIT_ARGS_SIZE_VER1);
static_assert(sizeof(ep2_ctl_batch_args) == EP2_CTL_BATCH_ARGS_SIZE_VER0);
static_assert(sizeof(ep2_ctl_wait_args) == EP2_CTL_WAIT_ARGS_SIZE_VER0);
/* The batch and ctl + wait structs share their first 32 bytes. */
static_assert(__builtin_offsetof(ep2_ctl_batch_args, done) == 24 &&
	      __builtin_offsetof(ep2_ctl_wait_args, done) == 24 &&
	      __builtin_offsetof(ep2_ctl_wait_args, failed) == 28);

/*
 * Copy an argument struct whose first field is its size.  One copy in the
 * common case (userspace's size is ours); otherwise copy_struct_from_user()
 * semantics: a larger struct needs zeroed tail bytes (E2BIG), a smaller one
 * (down to version 0) is zero-extended.
 */
template <typename Args, u32 Ver0>
ErrorOr<> copy_args(Args &args, UserPtr uarg)
{
	if (ep2k_copy_from_user(&args, uarg.get(), sizeof(Args))) {
		/*
		 * Maybe a shorter, older struct at the end of a mapping; one
		 * that claims to be at least ours is simply unreadable.
		 */
		u32 size;
		if (ep2k_copy_from_user(&size, uarg.get(), sizeof(size)) || size >= sizeof(Args))
			return EFAULT_;
		args.size = size;
	}
	if (likely(args.size == sizeof(Args)))
		return OK;
	if (args.size < Ver0)
		return EINVAL_;
	u32 usize = args.size;
	int err = ep2k_copy_struct_from_user(&args, sizeof(Args), uarg.get(), usize);
	if (err)
		return Error{err};
	args.size = usize;
	return OK;
}

UserPtr user_ptr(u64 v, bool compat) { return UserPtr{compat ? reinterpret_cast<uintptr_t>(ep2k_compat_ptr(v)) : v}; }

ErrorOr<int> ioc_create(UserPtr uarg)
{
	ep2_create_args a;
	TRY((copy_args<ep2_create_args, EP2_CREATE_ARGS_SIZE_VER0>(a, uarg)));
	constexpr u32 ring_modes = EP2_CREATE_RING_STRICT | EP2_CREATE_RING_KEYED;
	if (a.flags & ~static_cast<u32>(EP2_CLOEXEC | EP2_CREATE_RING | ring_modes |
					 EP2_CREATE_ROUNDROBIN) ||
	    a.__reserved)
		return EINVAL_;
	/* ring_entries and STRICT go with the flag: without it they are a mistake. */
	if (!(a.flags & EP2_CREATE_RING) != !a.ring_entries)
		return EINVAL_;
	if ((a.flags & ring_modes) && !(a.flags & EP2_CREATE_RING))
		return EINVAL_;
	/* Strict is exact; keyed is not: the two exclude each other. */
	if ((a.flags & ring_modes) == ring_modes)
		return EINVAL_;

	EventPoll *ep = TRY(ep_alloc(a.ring_entries, a.flags & ring_modes,
				     a.flags & EP2_CREATE_ROUNDROBIN));
	struct file *file = nullptr;
	int fd = ep2k_instance_fd_create(ep, a.flags & EP2_CLOEXEC, &file);
	if (fd < 0) {
		ep_put(ep);
		return Error{fd};
	}
	ep->file = file;
	return ErrorOr<int>(fd);
}

} // namespace

/* EP2_IOC_CTL; from io_uring (uring.cpp) with @nonblock for its inline issue. */
ErrorOr<> ioc_ctl(UserPtr uarg, bool compat, struct file *via, bool nonblock)
{
	ep2_ctl_args a;
	TRY((copy_args<ep2_ctl_args, EP2_CTL_ARGS_SIZE_VER0>(a, uarg)));

	/* epoll_ctl() copies the event first, for every op but DEL. */
	ep2_event ev{};
	if (a.op != EP2_CTL_DEL &&
	    ep2k_copy_from_user(&ev, user_ptr(a.event, compat).get(), sizeof(ev)))
		return EFAULT_;
	return ep_ctl(a.epfd, a.op, a.fd, a.op != EP2_CTL_DEL ? &ev : nullptr, via, nonblock);
}

/*
 * A wait submitted through io_uring (uring.cpp): the ioctl's struct and
 * rules, and no signal mask (a queued wait has none to install).
 */
ErrorOr<UringWaitArgs> uring_wait_args(unsigned nr, UserPtr uarg)
{
	ep2_wait_args a;
	TRY((copy_args<ep2_wait_args, EP2_WAIT_ARGS_SIZE_VER0>(a, uarg)));
	if (a.sigmask || a.sigsetsize)
		return EINVAL_;
	UringWaitArgs w{a.epfd, UserPtr{a.events}, a.maxevents, {WaitTimeout::Forever, 0}};
	switch (nr) {
	case EP2K_IOC_NR_WAIT:
	case EP2K_IOC_NR_PWAIT:
		if (a.timeout)
			return EINVAL_;
		w.to = WaitTimeout::from_ms(a.timeout_ms);
		break;
	default: /* PWAIT2 */
		if (a.timeout_ms)
			return EINVAL_;
		if (a.timeout) {
			s64 sec;
			long nsec;
			if (ep2k_get_timespec(UserPtr{a.timeout}.get(), &sec, &nsec))
				return EFAULT_;
			w.to = TRY(WaitTimeout::from_timespec(sec, nsec));
		}
		break;
	}
	return w;
}

namespace {

ErrorOr<int> ioc_wait(unsigned nr, UserPtr uarg, bool compat, struct file *via)
{
	ep2_wait_args a;
	TRY((copy_args<ep2_wait_args, EP2_WAIT_ARGS_SIZE_VER0>(a, uarg)));
	UserPtr events = user_ptr(a.events, compat);
	if (a.__reserved1)
		return EINVAL_;
	/* Version 0 callers: min_events and min_wait_ns are 0, a plain wait. */
	MinWait mw = MinWait::from_args(a.min_events, a.min_wait_ns, a.maxevents > 0 ? a.maxevents : 1);

	switch (nr) {
	case EP2K_IOC_NR_WAIT:
		if (a.sigmask || a.sigsetsize || a.timeout)
			return EINVAL_;
		return ep_wait(a.epfd, events, a.maxevents, WaitTimeout::from_ms(a.timeout_ms), via, mw);
	case EP2K_IOC_NR_PWAIT:
		if (a.timeout)
			return EINVAL_;
		return ep_pwait(a.epfd, events, a.maxevents, WaitTimeout::from_ms(a.timeout_ms),
				user_ptr(a.sigmask, compat), a.sigsetsize, via, mw);
	default: { /* PWAIT2 */
		if (a.timeout_ms)
			return EINVAL_;
		WaitTimeout to{WaitTimeout::Forever, 0};
		if (a.timeout) {
			s64 sec;
			long nsec;
			if (ep2k_get_timespec(user_ptr(a.timeout, compat).get(), &sec, &nsec))
				return EFAULT_;
			to = TRY(WaitTimeout::from_timespec(sec, nsec));
		}
		return ep_pwait(a.epfd, events, a.maxevents, to, user_ptr(a.sigmask, compat),
				a.sigsetsize, via, mw);
	}
	}
}

/*
 * done/failed of a batch or ctl + wait struct (offset 24 in both).  Written
 * as zeros before anything is applied, so a struct that cannot take the
 * counts is EFAULT with nothing done.
 */
ErrorOr<> put_counts(UserPtr uarg, u32 done, u32 failed)
{
	u32 counts[2] = {done, failed};
	if (ep2k_copy_to_user(uarg.offset(24).get(), counts, sizeof(counts)))
		return EFAULT_;
	return OK;
}

/* EP2_IOC_CTL_BATCH: returns the number of changes processed. */
ErrorOr<int> ioc_ctl_batch(UserPtr uarg, bool compat, struct file *via)
{
	ep2_ctl_batch_args a;
	TRY((copy_args<ep2_ctl_batch_args, EP2_CTL_BATCH_ARGS_SIZE_VER0>(a, uarg)));
	UserPtr changes = user_ptr(a.changes, compat);
	TRY(ep_batch_check(a.epfd, changes, a.nchanges, a.flags, via));
	TRY(put_counts(uarg, 0, 0));

	BatchResult r = ep_apply_changes(a.epfd, changes, a.nchanges, a.flags, via);
	(void)put_counts(uarg, r.done, r.failed);	/* the return value says it too */
	if (r.fault && !r.done)
		return EFAULT_;
	return ErrorOr<int>(static_cast<int>(r.done));
}

/*
 * EP2_IOC_CTL_WAIT: every check of both halves first (nothing is applied
 * by a call that fails them), then the changes, then the wait on the same
 * instance reference.  A failed change makes the wait a non-blocking pass;
 * an unreadable change is EFAULT with no wait (done says what was applied).
 */
ErrorOr<int> ioc_ctl_wait(UserPtr uarg, bool compat, struct file *via)
{
	ep2_ctl_wait_args a;
	TRY((copy_args<ep2_ctl_wait_args, EP2_CTL_WAIT_ARGS_SIZE_VER0>(a, uarg)));
	UserPtr changes = user_ptr(a.changes, compat);
	UserPtr events = user_ptr(a.events, compat);

	TRY(ep_batch_check(a.epfd, changes, a.nchanges, a.flags, via));
	TRY(ep_check_wait_array(events, a.maxevents));
	SigMask sm;
	TRY(sm.read(user_ptr(a.sigmask, compat), a.sigsetsize));
	FdRef f(a.epfd);
	if (!f)
		return EBADF_;	/* closed since the check */
	if (!kfile::is_ep2(f.get()) || (via && via != f.get()))
		return EINVAL_;
	WaitTimeout to = WaitTimeout::from_ns(a.timeout_ns);
	MinWait mw = MinWait::from_args(a.min_events, a.min_wait_ns, a.maxevents);
	TRY(put_counts(uarg, 0, 0));

	BatchResult r = ep_apply_changes(a.epfd, changes, a.nchanges, a.flags, via);
	(void)put_counts(uarg, r.done, r.failed);
	if (r.fault)
		return EFAULT_;
	if (r.failed)
		to = WaitTimeout{WaitTimeout::Poll, 0};

	sm.install();
	auto res = ep_poll_instance(ep_from_file(f.get()), events, a.maxevents, to, mw);
	sm.done(res.is_error() && res.error().code == EINTR_.code);
	return res;
}

} // namespace

} // namespace ep2

using namespace ep2;

/*
 * Entry from the device's and the instances' file_operations.  Dispatch is
 * on the ioctl's type and number; the size lives in the struct itself.
 */
extern "C" long ep2_ioctl(struct file *f, unsigned int cmd, unsigned long arg, int compat)
{
	unsigned type = (cmd >> EP2K_IOC_TYPESHIFT) & EP2K_IOC_TYPEMASK;
	unsigned nr = (cmd >> EP2K_IOC_NRSHIFT) & EP2K_IOC_NRMASK;
	UserPtr uarg{arg};
	struct file *via = kfile::is_ep2(f) ? f : nullptr;

	/*
	 * Linux 6.9's EPIOCSPARAMS/EPIOCGPARAMS, on an instance only (the
	 * control device is no epoll file: ENOTTY there).
	 */
	if (type == EP2K_EPOLL_IOC_TYPE) {
		if (!via)
			return ENOTTY_.code;
		return ep_params_ioctl(ep_from_file(f), cmd, uarg).to_long();
	}
	if (type != EP2K_IOC_MAGIC)
		return ENOTTY_.code;
	switch (nr) {
	case EP2K_IOC_NR_CREATE:
		return ioc_create(uarg).to_long();
	case EP2K_IOC_NR_CTL:
		return ioc_ctl(uarg, compat, via, false).to_long();
	case EP2K_IOC_NR_WAIT:
	case EP2K_IOC_NR_PWAIT:
	case EP2K_IOC_NR_PWAIT2:
		return ioc_wait(nr, uarg, compat, via).to_long();
	case EP2K_IOC_NR_CTL_BATCH:
		return ioc_ctl_batch(uarg, compat, via).to_long();
	case EP2K_IOC_NR_CTL_WAIT:
		return ioc_ctl_wait(uarg, compat, via).to_long();
	default:
		return ENOTTY_.code;
	}
}
