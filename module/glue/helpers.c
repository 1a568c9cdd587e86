// SPDX-License-Identifier: GPL-2.0
/*
 * helpers.c - one-line C wrappers of kernel API for the C++ side.
 *
 * Each function here exists because the kernel API it wraps is an inline
 * function or a macro (or needs a type C++ does not see).  No logic lives
 * here: if a function grows a decision, it belongs in C++.  Including
 * ../kapi.h makes the C compiler check each prototype against the real
 * kernel API.
 */
#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/eventpoll.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/device.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/sched/rt.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/dcache.h>
#include <linux/percpu.h>
#include <linux/irq_work.h>

#include "../kapi.h"
#include "glue.h"

/* lock classes: one per lock role (see the LOCKING block in eventpoll.hpp) */
struct lock_class_key ep2k_key_ep_lock;
struct lock_class_key ep2k_key_ep_mtx;
struct lock_class_key ep2k_key_ep_wq;
struct lock_class_key ep2k_key_ep_poll_wait;
struct lock_class_key ep2k_key_users_lock;
struct lock_class_key ep2k_key_nested_mtx;
struct lock_class_key ep2k_key_watch_lock;
struct lock_class_key ep2k_key_frames_lock;

static inline gfp_t ep2k_gfp(enum ep2k_gfp g)
{
	return g == EP2K_GFP_KERNEL_ACCOUNT ? GFP_KERNEL_ACCOUNT : GFP_KERNEL;
}

/* spinlock_t */
void ep2k_spin_lock_init(spinlock_t *l, const char *name, struct lock_class_key *key)
{
#ifdef CONFIG_DEBUG_SPINLOCK	/* selected by lockdep: give the lock its class */
	__raw_spin_lock_init(spinlock_check(l), name, key, LD_WAIT_CONFIG);
#else
	spin_lock_init(l);
#endif
}
unsigned long ep2k_spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags;

	spin_lock_irqsave(l, flags);
	return flags;
}
void ep2k_spin_unlock_irqrestore(spinlock_t *l, unsigned long flags) { spin_unlock_irqrestore(l, flags); }
void ep2k_spin_lock_irq(spinlock_t *l) { spin_lock_irq(l); }
void ep2k_spin_unlock_irq(spinlock_t *l) { spin_unlock_irq(l); }
void ep2k_spin_lock(spinlock_t *l) { spin_lock(l); }
void ep2k_spin_unlock(spinlock_t *l) { spin_unlock(l); }
void ep2k_lockdep_assert_spin_held(spinlock_t *l) { lockdep_assert_held(l); }
void ep2k_lockdep_assert_irqs_enabled(void) { lockdep_assert_irqs_enabled(); }

/* struct mutex */
void ep2k_mutex_init(struct mutex *m, const char *name, struct lock_class_key *key)
{
	__mutex_init(m, name, key);
}
void ep2k_mutex_destroy(struct mutex *m) { mutex_destroy(m); }
void ep2k_mutex_lock_nested(struct mutex *m, unsigned int subclass) { mutex_lock_nested(m, subclass); }
void ep2k_mutex_unlock(struct mutex *m) { mutex_unlock(m); }
int ep2k_mutex_trylock(struct mutex *m) { return mutex_trylock(m); }
void ep2k_lockdep_assert_mutex_held(struct mutex *m) { lockdep_assert_held(m); }

/* wait queues */
void ep2k_init_waitqueue_head(struct wait_queue_head *wq, const char *name,
			      struct lock_class_key *key)
{
	__init_waitqueue_head(wq, name, key);
}
void ep2k_wake_up(struct wait_queue_head *wq) { wake_up(wq); }
void ep2k_wake_up_sync(struct wait_queue_head *wq) { wake_up_sync(wq); }
void ep2k_add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e) { add_wait_queue(wq, e); }
void ep2k_add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	add_wait_queue_exclusive(wq, e);
}
void ep2k_remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e) { remove_wait_queue(wq, e); }
void ep2k___add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	__add_wait_queue_exclusive(wq, e);
}
void ep2k___remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	__remove_wait_queue(wq, e);
}
void ep2k_init_callback_entry(struct wait_queue_entry *e)
{
	init_waitqueue_func_entry(e, ep2k_poll_callback_tramp);
}
void ep2k_init_autoremove_entry(struct wait_queue_entry *e)
{
	init_wait(e);
	e->func = ep2k_autoremove_wake_function;
}
void ep2k_init_minwait_entry(struct wait_queue_entry *e)
{
	init_wait(e);
	e->func = ep2k_minwait_wake_function;
}
int ep2k_wait_entry_queued(struct wait_queue_entry *e) { return !list_empty_careful(&e->entry); }
int ep2k_wait_entry_queued_locked(struct wait_queue_entry *e) { return !list_empty(&e->entry); }
void ep2k_wait_entry_unlink(struct wait_queue_entry *e) { list_del_init(&e->entry); }

/* nesting with native epoll (mixed.hpp) */
void ep2k_wake_up_poll_irqs_off(struct wait_queue_head *wq, u32 events, unsigned int subclass)
{
	spin_lock_nested(&wq->lock, subclass);
	wake_up_locked_poll(wq, (__force __poll_t)events);
	spin_unlock(&wq->lock);
}

/*
 * The wake stack (mixed.hpp).  Without PREEMPT_RT, one per CPU, used with
 * IRQs off: nothing else runs on the CPU while a chain of wakeups uses it.
 * On PREEMPT_RT that cannot work: spinlock_t is a sleeping lock, so IRQs
 * must not be off around wake_up() (a contended lock would schedule with
 * IRQs off), and another task can run on this CPU in the middle of a chain
 * and push to the same stack.  There the stack is the task's, in the
 * outermost ep2k_wake_enter() frame, found through a short list of the
 * chains in progress (few at a time; a raw lock for nanoseconds).
 */
#ifdef CONFIG_PREEMPT_RT
static struct ep2k_wake_frame *ep2k_wake_chains;	/* ep2k_wake_lock */
static DEFINE_RAW_SPINLOCK(ep2k_wake_lock);

static struct ep2k_wake_frame *ep2k_wake_find(void)
{
	struct ep2k_wake_frame *f;

	for (f = ep2k_wake_chains; f; f = f->next)
		if (f->task == current)
			return f;
	return NULL;
}

struct ep2k_wake_stack *ep2k_wake_enter(struct ep2k_wake_frame *f)
{
	struct ep2k_wake_frame *outer;
	unsigned long flags;

	raw_spin_lock_irqsave(&ep2k_wake_lock, flags);
	outer = ep2k_wake_find();
	f->outermost = !outer;
	if (!outer) {
		f->task = current;
		f->own.depth = 0;
		f->own.hops = 0;
		f->next = ep2k_wake_chains;
		ep2k_wake_chains = f;
		outer = f;
	}
	raw_spin_unlock_irqrestore(&ep2k_wake_lock, flags);
	return &outer->own;
}

void ep2k_wake_exit(struct ep2k_wake_frame *f)
{
	struct ep2k_wake_frame **pp;
	unsigned long flags;

	if (!f->outermost)
		return;
	raw_spin_lock_irqsave(&ep2k_wake_lock, flags);
	for (pp = &ep2k_wake_chains; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	raw_spin_unlock_irqrestore(&ep2k_wake_lock, flags);
}

const struct ep2k_wake_stack *ep2k_wake_current(void)
{
	static const struct ep2k_wake_stack empty;
	const struct ep2k_wake_frame *f;
	unsigned long flags;

	raw_spin_lock_irqsave(&ep2k_wake_lock, flags);
	f = ep2k_wake_find();
	raw_spin_unlock_irqrestore(&ep2k_wake_lock, flags);
	/* Only this task changes its own stack: reading it unlocked is fine. */
	return f ? &f->own : &empty;
}
#else
static DEFINE_PER_CPU(struct ep2k_wake_stack, ep2k_wake_stacks);

struct ep2k_wake_stack *ep2k_wake_enter(struct ep2k_wake_frame *f)
{
	local_irq_save(f->flags);
	return this_cpu_ptr(&ep2k_wake_stacks);
}

void ep2k_wake_exit(struct ep2k_wake_frame *f) { local_irq_restore(f->flags); }

/* From the callback: ep->lock is held with IRQs off, the CPU is ours. */
const struct ep2k_wake_stack *ep2k_wake_current(void) { return this_cpu_ptr(&ep2k_wake_stacks); }
#endif
void ep2k_init_deferred_wake(struct irq_work *w) { init_irq_work(w, ep2k_deferred_wake_tramp); }
int ep2k_irq_work_queue(struct irq_work *w) { return irq_work_queue(w); }
void ep2k_irq_work_sync(struct irq_work *w) { irq_work_sync(w); }

/* scheduling, signals, time */
void ep2k_set_current_interruptible(void) { __set_current_state(TASK_INTERRUPTIBLE); }
void ep2k_set_current_running(void) { __set_current_state(TASK_RUNNING); }
int ep2k_signal_pending(void) { return signal_pending(current); }
int ep2k_fatal_signal_pending(void) { return fatal_signal_pending(current); }
int ep2k_schedule_hrtimeout_abs(const s64 *expires_ns, u64 slack_ns)
{
	ktime_t exp;

	if (expires_ns)
		exp = ns_to_ktime(*expires_ns);
	return schedule_hrtimeout_range(expires_ns ? &exp : NULL, slack_ns, HRTIMER_MODE_ABS);
}
s64 ep2k_ktime_get_ns(void) { return ktime_get_ns(); }
u64 ep2k_current_timer_slack_ns(void) { return current->timer_slack_ns; }
int ep2k_current_nice(void) { return task_nice(current); }
void ep2k_cond_resched(void) { cond_resched(); }
struct task_struct *ep2k_current(void) { return current; }
int ep2k_capable_block_suspend(void) { return capable(CAP_BLOCK_SUSPEND); }
void ep2k_sigmask_install(u64 mask)
{
	sigset_t set = { .sig = { mask } };

	set_restore_sigmask();
	current->saved_sigmask = current->blocked;
	sigprocmask(SIG_SETMASK, &set, NULL);
}
int ep2k_sigmask_test_and_clear_restore(void) { return test_and_clear_restore_sigmask(); }
void ep2k_sigmask_restore_saved(void) { sigprocmask(SIG_SETMASK, &current->saved_sigmask, NULL); }

/* files */
struct file *ep2k_fdget(int fd, unsigned int *flags)
{
	struct fd f = fdget(fd);

	*flags = f.flags;
	return f.file;
}
void ep2k_fdput(struct file *f, unsigned int flags)
{
	fdput((struct fd){ .file = f, .flags = flags });
}
void ep2k_get_file(struct file *f) { get_file(f); }
void ep2k_fput(struct file *f) { fput(f); }
int ep2k_get_file_not_zero(struct file *f) { return atomic_long_inc_not_zero(&f->f_count); }
int ep2k_file_can_poll(struct file *f) { return file_can_poll(f); }
int ep2k_file_is_native_epoll(struct file *f)
{
	return f->f_op != &ep2k_instance_fops && f->f_path.dentry &&
	       !strcmp(f->f_path.dentry->d_name.name, "[eventpoll]");
}
int ep2k_file_notifies_close(struct file *f) { return !(f->f_mode & (FMODE_NONOTIFY | FMODE_PATH)); }
int ep2k_instance_fd_create(void *priv, int cloexec, struct file **filep)
{
	int flags = O_RDWR | (cloexec ? O_CLOEXEC : 0);
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(flags);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile("[eventpoll2]", &ep2k_instance_fops, priv, flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*filep = file;
	fd_install(fd, file);
	return fd;
}
void ep2k_seq_print_item(struct seq_file *m, int fd, u32 events, u64 data, struct file *f)
{
	struct inode *inode = file_inode(f);

	seq_printf(m, "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x\n",
		   fd, events, (long long)data, (long long)f->f_pos,
		   inode->i_ino, inode->i_sb->s_dev);
}
int ep2k_seq_has_overflowed(struct seq_file *m) { return seq_has_overflowed(m); }

/* poll */
void ep2k_init_poll_table_queue(poll_table *pt) { init_poll_funcptr(pt, ep2k_ptable_queue_proc_tramp); }
void ep2k_init_poll_table_null(poll_table *pt) { init_poll_funcptr(pt, NULL); }
u32 ep2k_vfs_poll(struct file *f, poll_table *pt, u32 key)
{
	if (pt)
		pt->_key = (__force __poll_t)key;
	return (__force u32)vfs_poll(f, pt);
}
void ep2k_poll_wait(struct file *f, struct wait_queue_head *wq, poll_table *pt) { poll_wait(f, wq, pt); }

/* user memory */
unsigned long ep2k_copy_from_user(void *dst, const void __user *src, unsigned long n)
{
	return copy_from_user(dst, src, n);
}
unsigned long ep2k_copy_to_user(void __user *dst, const void *src, unsigned long n)
{
	return copy_to_user(dst, src, n);
}
int ep2k_copy_struct_from_user(void *dst, unsigned long ksize, const void __user *src,
			       unsigned long usize)
{
	return copy_struct_from_user(dst, ksize, src, usize);
}
int ep2k_access_ok(const void __user *p, unsigned long n) { return access_ok(p, n); }
int ep2k_put_uevent(void __user *uevent, u32 revents, u64 data)
{
	return !epoll_put_uevent((__force __poll_t)revents, data, uevent);
}
int ep2k_get_timespec(const void __user *uts, s64 *sec, long *nsec)
{
	struct timespec64 ts;

	if (get_timespec64(&ts, uts))
		return -EFAULT;
	*sec = ts.tv_sec;
	*nsec = ts.tv_nsec;
	return 0;
}
void __user *ep2k_compat_ptr(u64 uptr) { return compat_ptr((compat_uptr_t)uptr); }

/* memory */
struct kmem_cache *ep2k_kmem_cache_create(const char *name, unsigned int size,
					  unsigned int align, int hwcache_align)
{
	return kmem_cache_create(name, size, align,
				 SLAB_ACCOUNT | (hwcache_align ? SLAB_HWCACHE_ALIGN : 0), NULL);
}
void ep2k_kmem_cache_destroy(struct kmem_cache *c) { kmem_cache_destroy(c); }
void *ep2k_kmem_cache_zalloc(struct kmem_cache *c, enum ep2k_gfp gfp)
{
	return kmem_cache_zalloc(c, ep2k_gfp(gfp));
}
void ep2k_kmem_cache_free(struct kmem_cache *c, void *p) { kmem_cache_free(c, p); }
void *ep2k_kzalloc(unsigned long size, enum ep2k_gfp gfp) { return kzalloc(size, ep2k_gfp(gfp)); }
void ep2k_kfree(const void *p) { kfree(p); }
void ep2k_rcu_read_lock(void) { rcu_read_lock(); }
void ep2k_rcu_read_unlock(void) { rcu_read_unlock(); }
void ep2k_synchronize_rcu(void) { synchronize_rcu(); }
unsigned long ep2k_totalram_lowmem_pages(void)
{
	struct sysinfo si;

	si_meminfo(&si);
	return si.totalram - si.totalhigh;
}
unsigned int ep2k_page_shift(void) { return PAGE_SHIFT; }

/* rbtree */
void ep2k_rb_root_cached_init(struct rb_root_cached *root) { *root = RB_ROOT_CACHED; }
void ep2k_rb_link_node(struct rb_node *node, struct rb_node *parent, struct rb_node **link)
{
	rb_link_node(node, parent, link);
}
void ep2k_rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root, int leftmost)
{
	rb_insert_color_cached(node, root, leftmost);
}
void ep2k_rb_erase_cached(struct rb_node *node, struct rb_root_cached *root) { rb_erase_cached(node, root); }
struct rb_node *ep2k_rb_first_cached(const struct rb_root_cached *root) { return rb_first_cached(root); }
struct rb_node *ep2k_rb_next(const struct rb_node *node) { return rb_next(node); }
int ep2k_rb_empty_cached(const struct rb_root_cached *root) { return RB_EMPTY_ROOT(&root->rb_root); }

/* credentials, power management */
struct user_struct *ep2k_get_current_user(void) { return get_current_user(); }
void ep2k_free_uid(struct user_struct *u) { free_uid(u); }
struct wakeup_source *ep2k_wakeup_source_register(const char *name)
{
	return wakeup_source_register(NULL, name);
}
struct wakeup_source *ep2k_wakeup_source_register_for_file(struct file *f)
{
	struct name_snapshot n;
	struct wakeup_source *ws;

	take_dentry_name_snapshot(&n, f->f_path.dentry);
	ws = wakeup_source_register(NULL, n.name.name);
	release_dentry_name_snapshot(&n);
	return ws;
}
void ep2k_wakeup_source_unregister(struct wakeup_source *ws) { wakeup_source_unregister(ws); }
void ep2k_pm_stay_awake(struct wakeup_source *ws) { __pm_stay_awake(ws); }
void ep2k_pm_relax(struct wakeup_source *ws) { __pm_relax(ws); }
int ep2k_wakeup_source_active(struct wakeup_source *ws) { return ws->active; }

/* diagnostics */
void ep2k_dump_stack(void) { dump_stack(); }
void ep2k_seq_print_stat(struct seq_file *m, const char *name, long v) { seq_printf(m, "%s %ld\n", name, v); }
void ep2k_warn_once(const char *what) { WARN_ONCE(1, "eventpoll2: %s\n", what); }
void ep2k_warn(const char *what) { WARN(1, "eventpoll2: %s\n", what); }
