// SPDX-License-Identifier: GPL-2.0
/*
 * fdinfo.cpp - /proc/PID/fdinfo/N of an instance: epoll's exact line per
 * item, in tree order (fs/eventpoll.c ep_show_fdinfo); a ring instance adds
 * one "ring:" line after them (the kernel's tail, the shared head as read).
 */
#include "eventpoll.hpp"
#include "ring.hpp"

using namespace ep2;

extern "C" void ep2_instance_show_fdinfo(struct seq_file *m, struct file *f)
{
	EventPoll *ep = ep_from_file(f);

	EpLock guard(ep);
	for (struct rb_node *rbp = ep->rbr.first(); rbp; rbp = RbRootCached::next(rbp)) {
		EpItem *epi = EpItem::from_rbn(rbp);
		ep2k_seq_print_item(m, epi->fd, epi->events, epi->data, epi->file);
		if (ep2k_seq_has_overflowed(m))
			break;
	}
	if (EpRing *r = ep->ring)
		ep2k_seq_print_ring(m, r->entries, r->tail, read_once(r->hdr->head), r->overflow,
				    read_once(r->hdr->kernel_pending));
}
