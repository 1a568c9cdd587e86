/* SPDX-License-Identifier: GPL-2.0 */
/*
 * busypoll.hpp - Linux 6.9's per-instance busy polling (EPIOCSPARAMS /
 * EPIOCGPARAMS, struct epoll_params) on the 6.1 kernel, an opt-in
 * extension with upstream's ABI.
 *
 * As fs/eventpoll.c (6.9+): the callback and ADD remember the NAPI id of a
 * socket item (sk->sk_napi_id) while busy polling is on for the instance;
 * a wait that finds nothing ready busy-polls that NAPI context with
 * napi_busy_loop() until an event arrives or busy_poll_usecs have passed,
 * and only then sleeps; a busy loop that found nothing forgets the id until
 * a socket item is seen ready again.
 *
 * One difference: "on" is busy_poll_usecs != 0 or prefer_busy_poll, never
 * the global net.core.busy_poll (upstream also honours it, but the module
 * cannot read it: sysctl_net_busy_poll is not exported).  With
 * busy_poll_usecs 0 and prefer_busy_poll 1, the loop makes one pass, as
 * upstream does with net.core.busy_poll at its default of 0.
 */
#pragma once
#include "eventpoll.hpp"

namespace ep2 {

inline bool ep_busy_loop_on(const EventPoll *ep)
{
	return read_once(ep->busy_poll_usecs) || read_once(ep->prefer_busy_poll);
}

void ep_set_busy_poll_napi_id_slow(EpItem *epi);

/* Callback (ep->lock held) and ADD: remember a socket item's NAPI id. */
inline void ep_set_busy_poll_napi_id(EpItem *epi)
{
	if (unlikely(ep_busy_loop_on(epi->ep)) && epi->target_kind == TARGET_PLAIN)
		ep_set_busy_poll_napi_id_slow(epi);
}

/* Wait path, nothing ready: busy-poll; true when events arrived meanwhile. */
bool ep_busy_loop(EventPoll *ep);

/* EPIOCSPARAMS / EPIOCGPARAMS on an instance; @cmd is the whole command. */
ErrorOr<> ep_params_ioctl(EventPoll *ep, unsigned cmd, UserPtr uarg);

} // namespace ep2
