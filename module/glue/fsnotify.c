// SPDX-License-Identifier: GPL-2.0
/*
 * fsnotify.c - the kernel side of close_watch.cpp.
 *
 * Native epoll unhooks a closing file from __fput() (eventpoll_release()), a
 * hook no module has.  Just before it, __fput() calls fsnotify_close(),
 * which reaches any fsnotify group with a mark on the inode the file's path
 * points at, while the file is intact (f_count is 0, ->release has not run).
 * eventpoll2 keeps one fsnotify group and one mark per watched inode (shared
 * by every watched file on that inode, counted here), and hands each close
 * event's file to C++ (ep2_file_closing).  This is the exported fsnotify API
 * nfsd uses as a module; nothing else of fsnotify is touched.
 *
 * The mark goes on d_inode(f->f_path.dentry), the inode fsnotify_close()
 * notifies (it differs from file_inode() on overlayfs).
 *
 * A mark's count of users changes under ep2k_close_users_lock; it goes to
 * and from zero (mark created or destroyed) only under ep2k_close_marks_lock
 * as well.  The last mark used is remembered, so watching another file on
 * the same inode (every eventfd, timerfd and epoll file shares the one anon
 * inode) takes a spinlock, not the mutex and an fsnotify lookup.
 */
#include <linux/fs.h>
#include <linux/fsnotify_backend.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "../kapi.h"
#include "glue.h"

struct ep2k_close_mark {
	struct fsnotify_mark fsn;
	struct inode *inode;	/* the marked inode; immutable */
	long users;		/* watched files on this inode; ep2k_close_users_lock */
};

static struct fsnotify_group *ep2k_close_group;
static DEFINE_MUTEX(ep2k_close_marks_lock);
static DEFINE_SPINLOCK(ep2k_close_users_lock);
static struct ep2k_close_mark *ep2k_close_last;	/* ep2k_close_users_lock */

static int ep2k_close_handle_event(struct fsnotify_group *group, u32 mask,
				   const void *data, int data_type, struct inode *dir,
				   const struct qstr *file_name, u32 cookie,
				   struct fsnotify_iter_info *iter_info)
{
	if ((mask & (FS_CLOSE_WRITE | FS_CLOSE_NOWRITE)) && data_type == FSNOTIFY_EVENT_PATH)
		ep2_file_closing(container_of((const struct path *)data, struct file, f_path));
	return 0;
}

static void ep2k_close_free_mark(struct fsnotify_mark *mark)
{
	kfree(container_of(mark, struct ep2k_close_mark, fsn));
}

static const struct fsnotify_ops ep2k_close_ops = {
	.handle_event	= ep2k_close_handle_event,
	.free_mark	= ep2k_close_free_mark,
};

int ep2k_close_watch_init(void)
{
	ep2k_close_group = fsnotify_alloc_group(&ep2k_close_ops, 0);
	return PTR_ERR_OR_ZERO(ep2k_close_group);
}

void ep2k_close_watch_exit(void)
{
	/* Every mark was destroyed with its last watch; wait for their frees. */
	fsnotify_wait_marks_destroyed();
	fsnotify_put_group(ep2k_close_group);
}

int ep2k_close_watch_add(struct file *f, void **cookie)
{
	struct inode *inode = d_inode(f->f_path.dentry);
	struct fsnotify_mark *found;
	struct ep2k_close_mark *cm;
	int err;

	spin_lock(&ep2k_close_users_lock);
	cm = ep2k_close_last;
	if (cm && cm->inode == inode) {
		cm->users++;		/* > 0 already: no transition from zero */
		spin_unlock(&ep2k_close_users_lock);
		*cookie = cm;
		return 0;
	}
	spin_unlock(&ep2k_close_users_lock);

	mutex_lock(&ep2k_close_marks_lock);
	found = fsnotify_find_mark(&inode->i_fsnotify_marks, ep2k_close_group);
	if (found) {
		cm = container_of(found, struct ep2k_close_mark, fsn);
		spin_lock(&ep2k_close_users_lock);
		cm->users++;
		ep2k_close_last = cm;
		spin_unlock(&ep2k_close_users_lock);
		fsnotify_put_mark(found);	/* the find's reference */
		goto out;
	}
	cm = kzalloc(sizeof(*cm), GFP_KERNEL_ACCOUNT);
	if (!cm) {
		err = -ENOMEM;
		goto out_err;
	}
	fsnotify_init_mark(&cm->fsn, ep2k_close_group);
	cm->fsn.mask = FS_CLOSE_WRITE | FS_CLOSE_NOWRITE;
	cm->inode = inode;
	err = fsnotify_add_inode_mark(&cm->fsn, inode, 0);
	if (err) {
		fsnotify_put_mark(&cm->fsn);	/* frees through ->free_mark */
		goto out_err;
	}
	spin_lock(&ep2k_close_users_lock);
	cm->users = 1;
	ep2k_close_last = cm;
	spin_unlock(&ep2k_close_users_lock);
out:
	mutex_unlock(&ep2k_close_marks_lock);
	*cookie = cm;
	return 0;
out_err:
	mutex_unlock(&ep2k_close_marks_lock);
	return err;
}

void ep2k_close_watch_put(void *cookie)
{
	struct ep2k_close_mark *cm = cookie;
	bool last;

	spin_lock(&ep2k_close_users_lock);
	if (cm->users > 1) {
		cm->users--;
		spin_unlock(&ep2k_close_users_lock);
		return;
	}
	spin_unlock(&ep2k_close_users_lock);

	/* Possibly the last user: decide under the mutex too. */
	mutex_lock(&ep2k_close_marks_lock);
	spin_lock(&ep2k_close_users_lock);
	last = --cm->users == 0;
	if (last && ep2k_close_last == cm)
		ep2k_close_last = NULL;
	spin_unlock(&ep2k_close_users_lock);
	if (last) {
		fsnotify_destroy_mark(&cm->fsn, ep2k_close_group);
		fsnotify_put_mark(&cm->fsn);	/* the reference from init */
	}
	mutex_unlock(&ep2k_close_marks_lock);
}
