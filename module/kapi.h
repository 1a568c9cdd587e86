/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kapi.h - the whole of the kernel as C++ sees it.
 *
 * C++ never includes a kernel header.  Everything it needs from the kernel is
 * declared here, with `extern "C"` linkage, and implemented by one-line C
 * wrappers in glue/helpers.c (the counterpart of Rust-for-Linux's
 * rust/helpers).  glue/helpers.c includes this header *and* the real kernel
 * headers, so the C compiler checks every prototype below against the real
 * API; nothing here is a hand-copied kernel declaration.
 *
 * Kernel objects appear only as incomplete struct types (the same tags the
 * kernel uses: struct file, struct spinlock, ...).  C++ embeds them as opaque,
 * suitably sized and aligned storage (see kobj.hpp, checked against
 * generated/ep2_layout.h) and hands the glue their address.
 *
 * A handful of hot-path reads (a file's f_op and private_data, whether a
 * wait queue is empty) are done in C++ by offsets generated from the real
 * headers, the way assembly reads struct fields via asm-offsets.h; C++ never
 * writes a kernel object's field.  See kobj.hpp.
 *
 * The other direction, kernel -> C++, is the set of ep2_* entry points at the
 * end of this file: C trampolines in glue/entry.c (file_operations, the wait
 * queue callback, the poll-table queue proc, fsnotify) call them.
 */
#ifndef EP2_KAPI_H
#define EP2_KAPI_H

#ifdef __cplusplus
#define EP2_EXTERN_C extern "C"
#define EP2_EXTERN_C_BEGIN extern "C" {
#define EP2_EXTERN_C_END }
#define __user
typedef unsigned char u8;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;
#else
#define EP2_EXTERN_C
#define EP2_EXTERN_C_BEGIN
#define EP2_EXTERN_C_END
#endif

EP2_EXTERN_C_BEGIN

struct file;
struct spinlock;
struct mutex;
struct wait_queue_head;
struct wait_queue_entry;
struct rb_node;
struct rb_root_cached;
struct poll_table_struct;
struct lock_class_key;
struct kmem_cache;
struct user_struct;
struct wakeup_source;
struct seq_file;
struct task_struct;
struct irq_work;
struct callback_head;
struct vm_area_struct;
struct io_uring_cmd;
struct hrtimer;

/* Explicit allocation contexts; mapped to gfp_t in the glue. */
enum ep2k_gfp {
	EP2K_GFP_KERNEL = 0,		/* may sleep; process context */
	EP2K_GFP_KERNEL_ACCOUNT = 1,	/* GFP_KERNEL charged to the memcg */
};

/* --- lock classes: one static key per lock role, owned by the glue ------ */
extern struct lock_class_key ep2k_key_ep_lock;
extern struct lock_class_key ep2k_key_ep_mtx;
extern struct lock_class_key ep2k_key_ep_wq;
extern struct lock_class_key ep2k_key_ep_poll_wait;
extern struct lock_class_key ep2k_key_users_lock;
extern struct lock_class_key ep2k_key_nested_mtx;
extern struct lock_class_key ep2k_key_watch_lock;
extern struct lock_class_key ep2k_key_frames_lock;

/* --- spinlock_t ---------------------------------------------------------- */
void ep2k_spin_lock_init(struct spinlock *l, const char *name, struct lock_class_key *key);
unsigned long ep2k_spin_lock_irqsave(struct spinlock *l);
void ep2k_spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);
void ep2k_spin_lock_irq(struct spinlock *l);
void ep2k_spin_unlock_irq(struct spinlock *l);
void ep2k_spin_lock(struct spinlock *l);
void ep2k_spin_unlock(struct spinlock *l);
void ep2k_lockdep_assert_spin_held(struct spinlock *l);
void ep2k_lockdep_assert_irqs_enabled(void);

/* --- struct mutex -------------------------------------------------------- */
void ep2k_mutex_init(struct mutex *m, const char *name, struct lock_class_key *key);
void ep2k_mutex_destroy(struct mutex *m);
void ep2k_mutex_lock_nested(struct mutex *m, unsigned int subclass);
int ep2k_mutex_trylock(struct mutex *m);
void ep2k_mutex_unlock(struct mutex *m);
void ep2k_lockdep_assert_mutex_held(struct mutex *m);

/* --- wait queues --------------------------------------------------------- */
void ep2k_init_waitqueue_head(struct wait_queue_head *wq, const char *name,
			      struct lock_class_key *key);
void ep2k_wake_up(struct wait_queue_head *wq);
void ep2k_wake_up_sync(struct wait_queue_head *wq);
void ep2k_add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
void ep2k_add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e);
void ep2k_remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
/* Lock-held variants (caller holds the lock that protects @wq, e.g. ep->lock). */
void ep2k___add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e);
void ep2k___remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
/* An entry whose ->func is the eventpoll2 poll callback (ep2_poll_callback). */
void ep2k_init_callback_entry(struct wait_queue_entry *e);
/* An entry for the current task that removes itself when woken. */
void ep2k_init_autoremove_entry(struct wait_queue_entry *e);
/* A min-wait waiter: wakes (and removes itself) only if ep2_minwait_ready(). */
void ep2k_init_minwait_entry(struct wait_queue_entry *e);
int ep2k_wait_entry_queued(struct wait_queue_entry *e);		/* !list_empty_careful */
int ep2k_wait_entry_queued_locked(struct wait_queue_entry *e);	/* !list_empty */
/* POLLFREE side of the callback: list_del_init(&e->entry). */
void ep2k_wait_entry_unlink(struct wait_queue_entry *e);

/* --- nesting with native epoll (mixed.hpp) -------------------------------- */
/*
 * wake_up_poll() inside ep2k_wake_enter()/exit() (IRQs off, except on
 * PREEMPT_RT), the queue's lock taken with lockdep @subclass.
 */
void ep2k_wake_up_poll_irqs_off(struct wait_queue_head *wq, u32 events, unsigned int subclass);
/* The stack of instances being woken by the chain of wakeups running here. */
#define EP2K_WAKE_STACK_DEPTH 7	/* + 1 for a callback: lockdep's 8 subclasses */
struct ep2k_wake_stack {
	int depth;
	const void *ep[EP2K_WAKE_STACK_DEPTH];
	/* Deferred wakeups that led to the one running (0: not deferred). */
	int hops;
};
/*
 * A use of the wake stack, on the caller's stack.  Without PREEMPT_RT the
 * stack is per CPU and enter() disables IRQs until exit().  On PREEMPT_RT
 * (spinlock_t sleeps, so IRQs stay on, and another task may run on this CPU
 * in the middle of a chain) it is per task: the outermost frame's @own.
 */
struct ep2k_wake_frame {
	unsigned long flags;		/* without PREEMPT_RT: IRQ state */
	const void *task;		/* PREEMPT_RT: owner of @own ... */
	struct ep2k_wake_frame *next;	/* ... on the list of chains */
	int outermost;
	struct ep2k_wake_stack own;
};
struct ep2k_wake_stack *ep2k_wake_enter(struct ep2k_wake_frame *f);
void ep2k_wake_exit(struct ep2k_wake_frame *f);
/* The stack of the chain running here, read-only, or an empty one (ep->lock held). */
const struct ep2k_wake_stack *ep2k_wake_current(void);
/* An irq_work whose func is ep2_deferred_wake(); queue, sync (may sleep). */
void ep2k_init_deferred_wake(struct irq_work *w);
int ep2k_irq_work_queue(struct irq_work *w);
void ep2k_irq_work_sync(struct irq_work *w);

/* --- scheduling, signals, time ------------------------------------------ */
void ep2k_set_current_interruptible(void);
void ep2k_set_current_running(void);
int ep2k_signal_pending(void);
int ep2k_fatal_signal_pending(void);
/* schedule_hrtimeout_range(@expires_ns or NULL = forever, ABS, monotonic). */
int ep2k_schedule_hrtimeout_abs(const s64 *expires_ns, u64 slack_ns);
s64 ep2k_ktime_get_ns(void);			/* CLOCK_MONOTONIC */
u64 ep2k_current_timer_slack_ns(void);
int ep2k_current_nice(void);
void ep2k_cond_resched(void);
struct task_struct *ep2k_current(void);
int ep2k_capable_block_suspend(void);
/* pwait signal mask (see wait.cpp). */
void ep2k_sigmask_install(u64 mask);		/* save blocked, set restore flag, set mask */
int ep2k_sigmask_test_and_clear_restore(void);
void ep2k_sigmask_restore_saved(void);

/* --- files ---------------------------------------------------------------- */
/* fdget(): NULL for a bad or O_PATH fd.  @flags is fdput()'s cookie. */
struct file *ep2k_fdget(int fd, unsigned int *flags);
void ep2k_fdput(struct file *f, unsigned int flags);
void ep2k_get_file(struct file *f);
void ep2k_fput(struct file *f);
int ep2k_get_file_not_zero(struct file *f);	/* atomic_long_inc_not_zero(&f->f_count) */
int ep2k_file_can_poll(struct file *f);
int ep2k_file_is_native_epoll(struct file *f);	/* an anon_inode:[eventpoll] */
int ep2k_file_notifies_close(struct file *f);	/* !(f_mode & (FMODE_NONOTIFY|FMODE_PATH)) */
/* The instance file_operations: its address identifies instance files. */
struct file_operations;
extern const struct file_operations ep2k_instance_fops;
/* A new anon_inode:[eventpoll2] file + fd for @priv; returns fd or -errno. */
int ep2k_instance_fd_create(void *priv, int cloexec, struct file **filep);
void ep2k_seq_print_item(struct seq_file *m, int fd, u32 events, u64 data,
			 struct file *f);
int ep2k_seq_has_overflowed(struct seq_file *m);

/* --- poll ----------------------------------------------------------------- */
/* Sizes of poll_table are generated; the queue proc is ep2_ptable_queue_proc. */
void ep2k_init_poll_table_queue(struct poll_table_struct *pt);
void ep2k_init_poll_table_null(struct poll_table_struct *pt);
u32 ep2k_vfs_poll(struct file *f, struct poll_table_struct *pt, u32 key);
void ep2k_poll_wait(struct file *f, struct wait_queue_head *wq, struct poll_table_struct *pt);

/* --- user memory ---------------------------------------------------------- */
unsigned long ep2k_copy_from_user(void *dst, const void __user *src, unsigned long n);
unsigned long ep2k_copy_to_user(void __user *dst, const void *src, unsigned long n);
int ep2k_copy_struct_from_user(void *dst, unsigned long ksize,
			       const void __user *src, unsigned long usize);
int ep2k_access_ok(const void __user *p, unsigned long n);
/* epoll_put_uevent(): 0 on success, non-zero on a fault. */
int ep2k_put_uevent(void __user *uevent, u32 revents, u64 data);
/* get_timespec64 from a __kernel_timespec: 0, or -EFAULT. */
int ep2k_get_timespec(const void __user *uts, s64 *sec, long *nsec);
void __user *ep2k_compat_ptr(u64 uptr);

/* --- memory --------------------------------------------------------------- */
struct kmem_cache *ep2k_kmem_cache_create(const char *name, unsigned int size,
					  unsigned int align, int hwcache_align);
void ep2k_kmem_cache_destroy(struct kmem_cache *c);
void *ep2k_kmem_cache_zalloc(struct kmem_cache *c, enum ep2k_gfp gfp);
void ep2k_kmem_cache_free(struct kmem_cache *c, void *p);
void *ep2k_kzalloc(unsigned long size, enum ep2k_gfp gfp);
void ep2k_kfree(const void *p);
void ep2k_rcu_read_lock(void);
void ep2k_rcu_read_unlock(void);
void ep2k_synchronize_rcu(void);
unsigned long ep2k_totalram_lowmem_pages(void);
unsigned int ep2k_page_shift(void);

/* --- rbtree --------------------------------------------------------------- */
void ep2k_rb_root_cached_init(struct rb_root_cached *root);
void ep2k_rb_link_node(struct rb_node *node, struct rb_node *parent, struct rb_node **link);
void ep2k_rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root, int leftmost);
void ep2k_rb_erase_cached(struct rb_node *node, struct rb_root_cached *root);
struct rb_node *ep2k_rb_first_cached(const struct rb_root_cached *root);
struct rb_node *ep2k_rb_next(const struct rb_node *node);
int ep2k_rb_empty_cached(const struct rb_root_cached *root);

/* --- credentials, power management --------------------------------------- */
struct user_struct *ep2k_get_current_user(void);
void ep2k_free_uid(struct user_struct *u);
struct wakeup_source *ep2k_wakeup_source_register(const char *name);
struct wakeup_source *ep2k_wakeup_source_register_for_file(struct file *f);
void ep2k_wakeup_source_unregister(struct wakeup_source *ws);
void ep2k_pm_stay_awake(struct wakeup_source *ws);
void ep2k_pm_relax(struct wakeup_source *ws);
int ep2k_wakeup_source_active(struct wakeup_source *ws);

/* --- sysctl --------------------------------------------------------------- */
/* fs.eventpoll2.max_user_watches lives in the glue (a ctl_table needs it). */
long ep2k_max_user_watches(void);
void ep2k_set_max_user_watches(long v);

/* --- diagnostics ---------------------------------------------------------- */
void ep2k_dump_stack(void);
void ep2k_seq_print_stat(struct seq_file *m, const char *name, long v);
void ep2k_warn_once(const char *what);		/* WARN_ONCE(1, ...) */
void ep2k_warn(const char *what);		/* WARN(1, ...) */
int ep2k_debug_triggers_enabled(void);

/* --- the ready ring (glue/ring.c) -------------------------------------- */
void *ep2k_vmalloc_user(unsigned long size);	/* zeroed, mappable to userspace */
void ep2k_vfree(const void *p);
unsigned long ep2k_rlimit_memlock_pages(void);
int ep2k_capable_ipc_lock(void);
unsigned long ep2k_user_locked_vm(struct user_struct *u);
int ep2k_user_locked_vm_cmpxchg(struct user_struct *u, unsigned long old, unsigned long new_);
void ep2k_user_locked_vm_sub(struct user_struct *u, unsigned long pages);
unsigned long ep2k_vma_len(struct vm_area_struct *vma);
unsigned long ep2k_vma_pgoff(struct vm_area_struct *vma);
int ep2k_vma_is_shared(struct vm_area_struct *vma);
int ep2k_vma_is_exec(struct vm_area_struct *vma);
void ep2k_vma_seal_ring(struct vm_area_struct *vma);
int ep2k_remap_vmalloc_range(struct vm_area_struct *vma, void *addr);
/* A task_work whose func is ep2_ring_work(); added with TWA_RESUME. */
void ep2k_init_ring_work(struct callback_head *cb);
int ep2k_task_work_add_resume(struct task_struct *t, struct callback_head *cb);
void ep2k_get_task_struct(struct task_struct *t);
void ep2k_put_task_struct(struct task_struct *t);
/* A target that wakes its queue when drained (an eventfd): 1, else 0. */
int ep2k_file_wakes_on_drain(struct file *f);
/* The ring's line in fdinfo (after the items). */
void ep2k_seq_print_ring(struct seq_file *m, u32 entries, u32 tail, u32 head, u64 overflow,
			 u32 pending);

/* --- io_uring commands (glue/uring.c) ---------------------------------- */
u32 ep2k_uring_cmd_op(const struct io_uring_cmd *cmd);
u32 ep2k_uring_cmd_flags(const struct io_uring_cmd *cmd);	/* sqe->uring_cmd_flags */
struct file *ep2k_uring_cmd_file(const struct io_uring_cmd *cmd);
/* The SQE's command area into @dst (zero-filled past what the SQE has). */
void ep2k_uring_cmd_payload(const struct io_uring_cmd *cmd, unsigned int issue_flags,
			    void *dst, unsigned long len);
unsigned long ep2k_uring_cmd_payload_size(unsigned int issue_flags);	/* 16 or 80 */
int ep2k_uring_issue_nonblock(unsigned int issue_flags);	/* IO_URING_F_NONBLOCK */
void *ep2k_uring_cmd_pdu_get(const struct io_uring_cmd *cmd);
void ep2k_uring_cmd_pdu_set(struct io_uring_cmd *cmd, void *p);
u64 ep2k_uring_cmd_user_data(const struct io_uring_cmd *cmd);
/* The ring is dying or the submitting task exiting (any context). */
int ep2k_uring_cmd_owner_gone(const struct io_uring_cmd *cmd);
/* current is the submitting task, alive (user memory reachable). */
int ep2k_uring_cmd_in_submitter(const struct io_uring_cmd *cmd);
/* io_uring_cmd_complete_in_task() with ep2_uring_cmd_task_work(). */
void ep2k_uring_cmd_complete_in_task(struct io_uring_cmd *cmd);
void ep2k_uring_cmd_done(struct io_uring_cmd *cmd, long res, unsigned int issue_flags);
/* An exclusive wait entry whose func is ep2_uring_wake(). */
void ep2k_init_uring_wait_entry(struct wait_queue_entry *e);
/* hrtimer (monotonic, absolute) whose callback is ep2_uring_timer(). */
void ep2k_uring_timer_init(struct hrtimer *t);
void ep2k_uring_timer_start(struct hrtimer *t, s64 expires_ns, u64 slack_ns);
void ep2k_uring_timer_cancel(struct hrtimer *t);		/* waits for a running callback */
/* --- busy polling, round-robin wakeups (glue/busypoll.c) ---------------- */
int ep2k_capable_net_admin(void);
/* sk->sk_napi_id of a socket file; 0 for any other file. */
u32 ep2k_file_napi_id(struct file *f);
/*
 * napi_busy_loop(@napi_id, prefer, budget) until ep2_busy_loop_events(@ctx)
 * or @usecs (busy_loop_current_time() units) have passed since it started.
 */
void ep2k_napi_busy_loop(u32 napi_id, void *ctx, u32 usecs, int prefer, unsigned int budget);
/* Under @wq's lock (irqsave): if @e is still queued, move it to the tail. */
void ep2k_wait_entry_move_tail(struct wait_queue_head *wq, struct wait_queue_entry *e);
/* Caller holds the lock protecting @wq: an exclusive entry at the tail (FIFO). */
void ep2k___add_wait_queue_exclusive_tail(struct wait_queue_head *wq, struct wait_queue_entry *e);

/* --- fsnotify close watch (glue/fsnotify.c) ------------------------------- */
int ep2k_close_watch_init(void);
void ep2k_close_watch_exit(void);
/* Ensure a close mark on the inode f's path notifies; -errno.  May sleep. */
int ep2k_close_watch_add(struct file *f, void **cookie);
void ep2k_close_watch_put(void *cookie);

/* ============ kernel -> C++: implemented in C++, called by C trampolines == */
int ep2_module_init(void);
void ep2_module_exit(void);
long ep2_ioctl(struct file *f, unsigned int cmd, unsigned long arg, int compat);
int ep2_instance_release(struct file *f);
u32 ep2_instance_poll(struct file *f, struct poll_table_struct *pt);
void ep2_instance_show_fdinfo(struct seq_file *m, struct file *f);
int ep2_poll_callback(struct wait_queue_entry *wait, unsigned int mode, int sync, void *key);
int ep2_minwait_ready(struct wait_queue_entry *wait);
void ep2_deferred_wake(struct irq_work *w);
int ep2_instance_mmap(struct file *f, struct vm_area_struct *vma);
void ep2_ring_work(struct callback_head *cb);
int ep2_instance_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
void ep2_uring_cmd_task_work(struct io_uring_cmd *cmd, unsigned int issue_flags);
int ep2_uring_wake(struct wait_queue_entry *wait);
/* Next absolute expiry (ns) to restart the timer at, or 0. */
s64 ep2_uring_timer(struct hrtimer *t);
void ep2_ptable_queue_proc(struct file *f, struct wait_queue_head *whead,
			   struct poll_table_struct *pt);
void ep2_file_closing(struct file *f);
long ep2_debug_trigger(const char *what);
void ep2_stats_show(struct seq_file *m);
/* The busy loop's end test: events to harvest (@ctx: busypoll.cpp's). */
int ep2_busy_loop_events(void *ctx);

EP2_EXTERN_C_END

#endif /* EP2_KAPI_H */
