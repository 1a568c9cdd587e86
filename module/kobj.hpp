/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kobj.hpp - kernel objects embedded in C++ objects.
 *
 * Each type is opaque storage of exactly the kernel object's size and
 * alignment (generated from the real headers into ep2_layout.h and
 * static_assert'ed here), reached only through the glue.  They are pinned (EP2_PINNED):
 * wait queue heads, mutexes and rb nodes are self-referential or referenced
 * by address from other kernel objects, so they never copy and never move.
 *
 * Lock guards encode their context in their type (Zircon's
 * Guard<SpinLock, IrqSave>): SpinLock::IrqSave for the callback path, which
 * may run in hard IRQ context; SpinLock::Irq for process context that must
 * keep the callback out.  ep->mtx has its own guard, EpLock (eventpoll.hpp).
 */
#pragma once
#include "rt.hpp"

namespace ep2 {

/* lockdep_assert_irqs_enabled(): free when the kernel has no lockdep. */
inline void lockdep_assert_irqs_enabled()
{
	if constexpr (EP2K_CONFIG_LOCKDEP)
		ep2k_lockdep_assert_irqs_enabled();
}

#define EP2_OPAQUE(Name, KType, SYM)                                         \
	alignas(EP2K_ALIGNOF_##SYM) unsigned char m_storage[EP2K_SIZEOF_##SYM]; \
	KType *raw() { return reinterpret_cast<KType *>(m_storage); }          \
	const KType *raw() const { return reinterpret_cast<const KType *>(m_storage); }

#define EP2_CHECK_LAYOUT(Name, SYM)                                          \
	static_assert(sizeof(Name) == EP2K_SIZEOF_##SYM, #Name " size");        \
	static_assert(alignof(Name) == EP2K_ALIGNOF_##SYM, #Name " alignment")

class SpinLock {
	EP2_PINNED(SpinLock);
public:
	EP2_OPAQUE(SpinLock, struct spinlock, SPINLOCK)

	void init(const char *name, struct lock_class_key *key) { ep2k_spin_lock_init(raw(), name, key); }
	void assert_held()
	{
		if constexpr (EP2K_CONFIG_LOCKDEP)
			ep2k_lockdep_assert_spin_held(raw());
	}

	/* spin_lock_irqsave: any context, including hard IRQ. */
	class [[nodiscard]] IrqSave {
	EP2_NO_COPY(IrqSave);
	public:
		explicit IrqSave(SpinLock &l) : m_lock(l), m_flags(ep2k_spin_lock_irqsave(l.raw())) {}
		~IrqSave() { ep2k_spin_unlock_irqrestore(m_lock.raw(), m_flags); }

	private:
		SpinLock &m_lock;
		unsigned long m_flags;
	};

	/* spin_lock_irq: process context with IRQs known to be enabled. */
	class [[nodiscard]] Irq {
	EP2_NO_COPY(Irq);
	public:
		explicit Irq(SpinLock &l) : m_lock(l) { ep2k_spin_lock_irq(l.raw()); }
		~Irq() { ep2k_spin_unlock_irq(m_lock.raw()); }

	private:
		SpinLock &m_lock;
	};

	/* spin_lock: locks never taken from IRQ context. */
	class [[nodiscard]] Plain {
	EP2_NO_COPY(Plain);
	public:
		explicit Plain(SpinLock &l) : m_lock(l) { ep2k_spin_lock(l.raw()); }
		~Plain() { ep2k_spin_unlock(m_lock.raw()); }

	private:
		SpinLock &m_lock;
	};
};
EP2_CHECK_LAYOUT(SpinLock, SPINLOCK);

class Mutex {
	EP2_PINNED(Mutex);
public:
	EP2_OPAQUE(Mutex, struct mutex, MUTEX)

	void init(const char *name, struct lock_class_key *key) { ep2k_mutex_init(raw(), name, key); }
	void destroy() { ep2k_mutex_destroy(raw()); }
	void lock(unsigned subclass = 0) { ep2k_mutex_lock_nested(raw(), subclass); }
	[[nodiscard]] bool try_lock() { return ep2k_mutex_trylock(raw()); }
	void unlock() { ep2k_mutex_unlock(raw()); }
	void assert_held()
	{
		if constexpr (EP2K_CONFIG_LOCKDEP)
			ep2k_lockdep_assert_mutex_held(raw());
	}
};
EP2_CHECK_LAYOUT(Mutex, MUTEX);

class WaitQueueHead {
	EP2_PINNED(WaitQueueHead);
public:
	EP2_OPAQUE(WaitQueueHead, struct wait_queue_head, WAIT_QUEUE_HEAD)

	void init(const char *name, struct lock_class_key *key) { ep2k_init_waitqueue_head(raw(), name, key); }
	/* waitqueue_active(): the list head's next is not the head itself. */
	bool active() const
	{
		void *const *next = reinterpret_cast<void *const *>(m_storage + EP2K_WQH_HEAD_NEXT);
		return read_once(*next) != static_cast<const void *>(m_storage + EP2K_WQH_HEAD);
	}
	void wake_up() { ep2k_wake_up(raw()); }
	void wake_up_sync() { ep2k_wake_up_sync(raw()); }
};
EP2_CHECK_LAYOUT(WaitQueueHead, WAIT_QUEUE_HEAD);

/*
 * An irq_work that runs ep2_deferred_wake() (mixed.cpp); the owner syncs it
 * before it is freed.
 */
class IrqWork {
	EP2_PINNED(IrqWork);
public:
	EP2_OPAQUE(IrqWork, struct irq_work, IRQ_WORK)

	void init_deferred_wake() { ep2k_init_deferred_wake(raw()); }
	/* false if already pending (it will run once for both). */
	bool queue() { return ep2k_irq_work_queue(raw()); }
	/* Wait until it is neither pending nor running.  May sleep. */
	void sync() { ep2k_irq_work_sync(raw()); }
	static IrqWork *from_raw(struct irq_work *w) { return reinterpret_cast<IrqWork *>(w); }
};
EP2_CHECK_LAYOUT(IrqWork, IRQ_WORK);

/* A task_work (struct callback_head) whose func is ep2_ring_work() (ring.cpp). */
class TaskWork {
	EP2_PINNED(TaskWork);
public:
	EP2_OPAQUE(TaskWork, struct callback_head, CALLBACK_HEAD)

	void init_ring_work() { ep2k_init_ring_work(raw()); }
	/* 0, or -ESRCH when @t is exiting (the work will not run). */
	int add_resume(struct task_struct *t) { return ep2k_task_work_add_resume(t, raw()); }
};
EP2_CHECK_LAYOUT(TaskWork, CALLBACK_HEAD);

/* An hrtimer whose callback is ep2_uring_timer() (uring.cpp). */
class HrTimer {
	EP2_PINNED(HrTimer);
public:
	EP2_OPAQUE(HrTimer, struct hrtimer, HRTIMER)

	void init() { ep2k_uring_timer_init(raw()); }
	void start(s64 expires_ns, u64 slack_ns) { ep2k_uring_timer_start(raw(), expires_ns, slack_ns); }
	/* Inactive on return; waits for a running callback.  Not from the callback. */
	void cancel() { ep2k_uring_timer_cancel(raw()); }
	static HrTimer *from_raw(struct hrtimer *t) { return reinterpret_cast<HrTimer *>(t); }
};
EP2_CHECK_LAYOUT(HrTimer, HRTIMER);

class WaitEntry {
	EP2_PINNED(WaitEntry);
public:
	EP2_OPAQUE(WaitEntry, struct wait_queue_entry, WAIT_QUEUE_ENTRY)

	static WaitEntry *from_raw(struct wait_queue_entry *e) { return reinterpret_cast<WaitEntry *>(e); }
};
EP2_CHECK_LAYOUT(WaitEntry, WAIT_QUEUE_ENTRY);

class RbNode {
	EP2_PINNED(RbNode);
public:
	EP2_OPAQUE(RbNode, struct rb_node, RB_NODE)

	static RbNode *from_raw(struct rb_node *n) { return reinterpret_cast<RbNode *>(n); }
	/* Child links, read the way asm reads struct fields: by generated offset. */
	struct rb_node **right_link() { return field<EP2K_RB_NODE_RIGHT>(); }
	struct rb_node **left_link() { return field<EP2K_RB_NODE_LEFT>(); }

private:
	template <unsigned long Off> struct rb_node **field()
	{
		return reinterpret_cast<struct rb_node **>(m_storage + Off);
	}
};
EP2_CHECK_LAYOUT(RbNode, RB_NODE);

class RbRootCached {
	EP2_PINNED(RbRootCached);
public:
	EP2_OPAQUE(RbRootCached, struct rb_root_cached, RB_ROOT_CACHED)

	void init() { ep2k_rb_root_cached_init(raw()); }
	struct rb_node **root_link() { return reinterpret_cast<struct rb_node **>(m_storage + EP2K_RB_ROOT_CACHED_ROOT); }
	struct rb_node *first() const { return ep2k_rb_first_cached(raw()); }
	bool empty() const { return ep2k_rb_empty_cached(raw()); }
	static struct rb_node *next(struct rb_node *n) { return ep2k_rb_next(n); }
};
EP2_CHECK_LAYOUT(RbRootCached, RB_ROOT_CACHED);

class PollTable {
	EP2_PINNED(PollTable);
public:
	EP2_OPAQUE(PollTable, struct poll_table_struct, POLL_TABLE)
};
EP2_CHECK_LAYOUT(PollTable, POLL_TABLE);

/* Read-only views of struct file fields by generated offset. */
namespace kfile {
template <typename T> inline T field(const struct file *f, unsigned long off)
{
	return read_once(*reinterpret_cast<const T *>(reinterpret_cast<const char *>(f) + off));
}
inline bool is_ep2(const struct file *f)
{
	return field<const void *>(f, EP2K_FILE_F_OP) == static_cast<const void *>(&ep2k_instance_fops);
}
inline void *private_data(const struct file *f) { return field<void *>(f, EP2K_FILE_PRIVATE_DATA); }
} // namespace kfile

/* A reference-counted struct file * from fdget(); fdput() on scope exit. */
class [[nodiscard]] FdRef {
	EP2_NO_COPY(FdRef);
public:
	explicit FdRef(int fd) : m_file(ep2k_fdget(fd, &m_flags)) {}
	~FdRef()
	{
		if (m_file && (m_flags & EP2K_FDPUT_FPUT))
			ep2k_fdput(m_file, m_flags);
	}
	struct file *get() const { return m_file; }
	explicit operator bool() const { return m_file != nullptr; }

private:
	unsigned int m_flags = 0;
	struct file *m_file;
};

} // namespace ep2
