// SPDX-License-Identifier: GPL-2.0
/*
 * busypoll.cpp - EPIOCSPARAMS / EPIOCGPARAMS and the busy loop (see
 * busypoll.hpp; fs/eventpoll.c 6.9+ ep_eventpoll_bp_ioctl, ep_busy_loop,
 * ep_set_busy_poll_napi_id).
 */
#include "busypoll.hpp"
#include "ring.hpp"
#include "stats.hpp"

namespace ep2 {

static_assert(sizeof(ep2_epoll_params) == 8);

void ep_set_busy_poll_napi_id_slow(EpItem *epi)
{
	EventPoll *ep = epi->ep;
	u32 napi_id = ep2k_file_napi_id(epi->file);

	/* Not a NAPI id (not a socket, or no packet through NAPI yet), or ours. */
	if (napi_id < static_cast<u32>(EP2K_MIN_NAPI_ID) || napi_id == read_once(ep->napi_id))
		return;
	write_once(ep->napi_id, napi_id);
}

/*
 * What the busy loop watches: the ready list, and on a ring instance entries
 * appended since the loop began (ring->gen, never the untrusted head: a
 * consumer that corrupts it must not end every busy loop at once, which
 * would turn the wait into a spin).
 */
struct BusyCtx {
	EventPoll *ep;
	u64 ring_gen;
};

static bool ep_busy_events(const BusyCtx *c)
{
	return c->ep->events_available() ||
	       (c->ep->ring && read_once(c->ep->ring->gen) != c->ring_gen);
}

bool ep_busy_loop(EventPoll *ep)
{
	u32 napi_id = read_once(ep->napi_id);

	if (likely(napi_id < static_cast<u32>(EP2K_MIN_NAPI_ID)) || !ep_busy_loop_on(ep))
		return false;
	u32 budget = read_once(ep->busy_poll_budget);
	if (!budget)
		budget = EP2K_BUSY_POLL_BUDGET;
	BusyCtx ctx{ep, ep->ring ? read_once(ep->ring->gen) : 0};
	stat_inc(Stat::BusyLoops);
	ep2k_napi_busy_loop(napi_id, &ctx, read_once(ep->busy_poll_usecs),
			    read_once(ep->prefer_busy_poll), budget);
	if (ep_busy_events(&ctx))
		return true;
	/*
	 * Nothing came: forget the id until a socket item is seen ready
	 * again, so an idle instance sleeps at once next time.
	 */
	write_once(ep->napi_id, 0u);
	return false;
}

/* The checks of 6.9's EPIOCSPARAMS, in its order. */
ErrorOr<> ep_params_ioctl(EventPoll *ep, unsigned cmd, UserPtr uarg)
{
	ep2_epoll_params p;

	if (cmd == static_cast<unsigned>(EP2K_EPIOCSPARAMS)) {
		if (ep2k_copy_from_user(&p, uarg.get(), sizeof(p)))
			return EFAULT_;
		if (p.__pad)
			return EINVAL_;
		if (p.busy_poll_usecs > static_cast<u32>(EP2K_S32_MAX))
			return EINVAL_;
		if (p.prefer_busy_poll > 1)
			return EINVAL_;
		if (p.busy_poll_budget > EP2K_NAPI_POLL_WEIGHT && !ep2k_capable_net_admin())
			return EPERM_;
		write_once(ep->busy_poll_usecs, p.busy_poll_usecs);
		write_once(ep->busy_poll_budget, p.busy_poll_budget);
		write_once(ep->prefer_busy_poll, p.prefer_busy_poll);
		return OK;
	}
	if (cmd == static_cast<unsigned>(EP2K_EPIOCGPARAMS)) {
		p = {};
		p.busy_poll_usecs = read_once(ep->busy_poll_usecs);
		p.busy_poll_budget = read_once(ep->busy_poll_budget);
		p.prefer_busy_poll = read_once(ep->prefer_busy_poll);
		if (ep2k_copy_to_user(uarg.get(), &p, sizeof(p)))
			return EFAULT_;
		return OK;
	}
	/* 6.9: any other command on an epoll file is EINVAL. */
	return EINVAL_;
}

} // namespace ep2

/* The busy loop's end test (glue/busypoll.c); @ctx is ep_busy_loop()'s. */
extern "C" int ep2_busy_loop_events(void *ctx)
{
	return ep2::ep_busy_events(static_cast<const ep2::BusyCtx *>(ctx));
}
