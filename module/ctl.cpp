// SPDX-License-Identifier: GPL-2.0
/*
 * ctl.cpp - epoll_ctl(): fs/eventpoll.c do_epoll_ctl, check for check.
 *
 * The order of the checks is epoll's, because the errno a caller sees for a
 * call that is wrong in several ways is part of the behaviour: EBADF (epfd,
 * then fd), EPERM (no ->poll), EPOLLWAKEUP silently dropped without
 * CAP_BLOCK_SUSPEND, EINVAL (self / not an instance), the EPOLLEXCLUSIVE
 * rules, ELOOP, then the op's own EEXIST / ENOENT / EINVAL.
 */
#include "eventpoll.hpp"
#include "ctl.hpp"

namespace ep2 {

namespace {

bool ep_op_has_event(int op) { return op != EP2_CTL_DEL; }

/* The target may be polled but not nested with EPOLLEXCLUSIVE. */
bool is_instance_file(struct file *f)
{
	return kfile::is_ep2(f) || ep2k_file_is_native_epoll(f);
}

} // namespace

/*
 * The locks of one ctl call, taken as fs/eventpoll.c do_epoll_ctl takes
 * them: ep->mtx; and for an ADD that may change the topology of nested
 * instances (the target is an instance, this instance is itself watched,
 * or a check is under way), the loop-check section first: ep_nested_mtx,
 * a fresh loop_check_gen, the loop check, then ep->mtx again.  The files
 * whose wakeup paths the ADD lengthens are collected for
 * ep_reverse_path_check() while the section lasts.  The destructor undoes
 * it all in reverse.
 */
class [[nodiscard]] CtlLock {
	EP2_NO_COPY(CtlLock);
public:
	/* @nonblock: trylocks only; busy() says one of them failed (EAGAIN). */
	CtlLock(EventPoll *ep, int op, struct file *tfile, bool nonblock)
		: m_lk(ep, EpLock::MaybeTry{nonblock})
	{
		if (!m_lk.held()) {
			m_busy = true;
			return;
		}
		if (op != EP2_CTL_ADD ||
		    !(read_once(ep->self_watch) || ep->gen == read_once(loop_check_gen) ||
		      kfile::is_ep2(tfile)))
			return;
		m_lk.unlock();
		if (nonblock) {
			if (!ep_nested_mtx.try_lock()) {
				m_busy = true;
				return;
			}
		} else {
			ep_nested_mtx.lock();
		}
		loop_check_gen++;
		m_full_check = true;
		if (kfile::is_ep2(tfile) && !ep_loop_check(ep, ep_from_file(tfile)))
			return;	/* a loop: ep->mtx is not retaken */
		if (!nonblock)
			m_lk.lock();
		else if (!m_lk.try_lock())
			m_busy = true;
	}
	~CtlLock()
	{
		if (m_lk.held())
			m_lk.unlock();
		if (m_full_check) {
			ep_clear_tfile_check_list();
			loop_check_gen++;
			ep_nested_mtx.unlock();
		}
	}
	/* False when the loop check refused the ADD (ELOOP) or a trylock failed. */
	bool held() const { return m_lk.held(); }
	bool busy() const { return m_busy; }
	bool full_check() const { return m_full_check; }

private:
	EpLock m_lk;
	bool m_full_check = false;
	bool m_busy = false;
};

/*
 * @epds is the caller's event, already copied from userspace (NULL for DEL).
 * @via: the instance file the ioctl was issued on, or NULL for the device:
 * on an instance, epfd must name that instance.  @nonblock (io_uring's
 * nonblocking issue, as fs/eventpoll.c's): EAGAIN rather than sleep on a
 * contended mutex.
 */
ErrorOr<> ep_ctl(int epfd, int op, int fd, ep2_event *epds, struct file *via, bool nonblock)
{
	FdRef f(epfd);
	if (!f)
		return EBADF_;
	return ep_ctl_file(f.get(), op, fd, epds, via, nonblock);
}

/*
 * The rest of epoll_ctl() once epfd is resolved (its EBADF is the first
 * check): the batch resolves it once and holds the reference for all its
 * changes.
 */
ErrorOr<> ep_ctl_file(struct file *epf, int op, int fd, ep2_event *epds, struct file *via,
		      bool nonblock)
{
	struct file *f = epf;
	FdRef tf(fd);
	if (!tf)
		return EBADF_;

	/* The target file descriptor must support poll. */
	if (!ep2k_file_can_poll(tf.get()))
		return EPERM_;

	/* EPOLLWAKEUP needs CAP_BLOCK_SUSPEND; without it the bit is dropped. */
	if (ep_op_has_event(op) && (epds->events & EPOLLWAKEUP) && !ep2k_capable_block_suspend())
		epds->events &= ~EPOLLWAKEUP;

	/* epfd must be an instance, and an instance cannot watch itself. */
	if (f == tf.get() || !kfile::is_ep2(f))
		return EINVAL_;
	if (via && via != f)
		return EINVAL_;

	/*
	 * EPOLLEXCLUSIVE hooks at ADD time only, so MOD cannot set it; nested
	 * exclusive wakeups are not supported.
	 */
	if (ep_op_has_event(op) && (epds->events & EPOLLEXCLUSIVE)) {
		if (op == EP2_CTL_MOD)
			return EINVAL_;
		if (op == EP2_CTL_ADD &&
		    (is_instance_file(tf.get()) || (epds->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return EINVAL_;
	}

	EventPoll *ep = ep_from_file(f);
	/* ep->mtx, after the loop-check section when the ADD needs one. */
	CtlLock lock(ep, op, tf.get(), nonblock);
	if (!lock.held())
		return lock.busy() ? EAGAIN_ : ELOOP_;

	ErrorOr<> error = EINVAL_;
	{
		EpItem *epi = ep_find(ep, tf.get(), fd);
		switch (op) {
		case EP2_CTL_ADD:
			if (!epi) {
				epds->events |= EPOLLERR | EPOLLHUP;
				error = ep_insert(ep, epds->events, epds->data, tf.get(), fd,
						  lock.full_check());
			} else {
				error = EEXIST_;
			}
			break;
		case EP2_CTL_DEL:
			if (epi) {
				/* The instance file's reference keeps ep alive. */
				ep_remove(ep, epi);
				error = OK;
			} else {
				error = ENOENT_;
			}
			break;
		case EP2_CTL_MOD:
			if (epi) {
				if (!(epi->events & EPOLLEXCLUSIVE)) {
					epds->events |= EPOLLERR | EPOLLHUP;
					error = ep_modify(ep, epi, epds->events, epds->data);
				}
			} else {
				error = ENOENT_;
			}
			break;
		}
	}
	return error;
}

} // namespace ep2
