/* SPDX-License-Identifier: GPL-2.0 */
/*
 * batch.hpp - batched ctl: an array of changes applied in order, each one
 * exactly as one epoll_ctl() (ctl.cpp's ep_ctl), with a result per change.
 */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

struct BatchResult {
	u32 done;	/* changes processed: applied or failed, result written */
	u32 failed;	/* of those, how many failed */
	bool fault;	/* stopped at entry `done`: it could not be read */
};

/*
 * The checks of a whole batch call, before anything is applied: flags,
 * count (EINVAL), the array (EFAULT), the instance (EBADF, EINVAL).
 */
ErrorOr<> ep_batch_check(int epfd, UserPtr changes, u32 nchanges, u32 flags, struct file *via);

/*
 * Apply @nchanges changes from @changes.  The array is read once, in chunks
 * on the stack; entry i's result goes to its own result field right after
 * the change was applied.  Stops at the first failure with
 * EP2_BATCH_STOP_ON_ERROR, at an entry that cannot be read, or at a result
 * that cannot be written (that change was applied and counts as done).
 */
BatchResult ep_apply_changes(int epfd, UserPtr changes, u32 nchanges, u32 flags, struct file *via);

} // namespace ep2
