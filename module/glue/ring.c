// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - kernel facilities of the ready ring (module/ring.cpp): the
 * shared pages (vmalloc_user, remap_vmalloc_range), their charge to the
 * user's locked memory (RLIMIT_MEMLOCK, as io_uring charges its rings),
 * the mmap vma, and the task_work that publishes events in the owner's
 * context.  One-line wrappers, as in helpers.c: decisions are in C++.
 */
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/user.h>
#include <linux/sched/signal.h>
#include <linux/capability.h>
#include <linux/task_work.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/eventfd.h>
#include <linux/err.h>

#include "../kapi.h"
#include "glue.h"

void *ep2k_vmalloc_user(unsigned long size) { return vmalloc_user(size); }
void ep2k_vfree(const void *p) { vfree(p); }

/* user->locked_vm, the counter io_uring and BPF charge pinned pages to. */
unsigned long ep2k_rlimit_memlock_pages(void) { return rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT; }
int ep2k_capable_ipc_lock(void) { return capable(CAP_IPC_LOCK); }
unsigned long ep2k_user_locked_vm(struct user_struct *u) { return atomic_long_read(&u->locked_vm); }
int ep2k_user_locked_vm_cmpxchg(struct user_struct *u, unsigned long old, unsigned long new)
{
	return atomic_long_try_cmpxchg(&u->locked_vm, (long *)&old, new);
}
void ep2k_user_locked_vm_sub(struct user_struct *u, unsigned long pages)
{
	atomic_long_sub(pages, &u->locked_vm);
}

/* The mmap of an instance. */
int ep2k_instance_mmap(struct file *file, struct vm_area_struct *vma)
{
	return ep2_instance_mmap(file, vma);
}
unsigned long ep2k_vma_len(struct vm_area_struct *vma) { return vma->vm_end - vma->vm_start; }
unsigned long ep2k_vma_pgoff(struct vm_area_struct *vma) { return vma->vm_pgoff; }
int ep2k_vma_is_shared(struct vm_area_struct *vma) { return !!(vma->vm_flags & VM_SHARED); }
int ep2k_vma_is_exec(struct vm_area_struct *vma) { return !!(vma->vm_flags & VM_EXEC); }
/* Never executable, never grown by mremap, never in a core dump. */
void ep2k_vma_seal_ring(struct vm_area_struct *vma)
{
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_flags &= ~VM_MAYEXEC;
}
int ep2k_remap_vmalloc_range(struct vm_area_struct *vma, void *addr)
{
	return remap_vmalloc_range(vma, addr, 0);
}

/*
 * task_work in the ring owner's context, run before it next returns to
 * userspace: TWA_RESUME's TIF_NOTIFY_RESUME, without its kick_process() (an
 * IPI to a busy owner per batch: the owner returns to userspace soon anyway,
 * and a consumer that finds the ring short enters the kernel, which
 * publishes itself).
 */
static void ep2k_ring_work_tramp(struct callback_head *cb)
{
	ep2_ring_work(cb);
}
void ep2k_init_ring_work(struct callback_head *cb) { init_task_work(cb, ep2k_ring_work_tramp); }
int ep2k_task_work_add_resume(struct task_struct *t, struct callback_head *cb)
{
	int err = task_work_add(t, cb, TWA_NONE);

	if (!err)
		set_tsk_thread_flag(t, TIF_NOTIFY_RESUME);
	return err;
}
void ep2k_get_task_struct(struct task_struct *t) { get_task_struct(t); }
void ep2k_put_task_struct(struct task_struct *t) { put_task_struct(t); }

void ep2k_seq_print_ring(struct seq_file *m, u32 entries, u32 tail, u32 head, u64 overflow,
			 u32 pending)
{
	seq_printf(m, "ring: entries %u tail %u head %u overflow %llu kernel_pending %u\n",
		   entries, tail, head, overflow, pending);
}

/*
 * Does @f wake its wait queue when drained?  An eventfd does (a read wakes
 * writers with EPOLLOUT on the one queue); eventfd_ctx_fileget() is the
 * exported test for "is an eventfd".
 */
int ep2k_file_wakes_on_drain(struct file *f)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fileget(f);

	if (IS_ERR(ctx))
		return 0;
	eventfd_ctx_put(ctx);
	return 1;
}
