/* SPDX-License-Identifier: GPL-2.0 */
/* ctl.hpp - epoll_ctl() for the ioctl front end. */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

ErrorOr<> ep_ctl(int epfd, int op, int fd, ep2_event *epds, struct file *via,
		 bool nonblock = false);
/* The same with epfd already resolved to @epf (held by the caller). */
ErrorOr<> ep_ctl_file(struct file *epf, int op, int fd, ep2_event *epds, struct file *via,
		      bool nonblock = false);

} // namespace ep2
