/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the C glue files only (never seen by C++). */
#ifndef EP2_GLUE_H
#define EP2_GLUE_H

#include <linux/fs.h>
#include <linux/wait.h>
#include <linux/poll.h>
#include <linux/irq_work.h>

extern const struct file_operations ep2k_instance_fops;

int ep2k_poll_callback_tramp(struct wait_queue_entry *wait, unsigned int mode,
			     int sync, void *key);
void ep2k_deferred_wake_tramp(struct irq_work *w);
int ep2k_minwait_wake_function(struct wait_queue_entry *wq_entry,
			       unsigned int mode, int sync, void *key);
int ep2k_autoremove_wake_function(struct wait_queue_entry *wq_entry,
				  unsigned int mode, int sync, void *key);
int ep2k_instance_mmap(struct file *file, struct vm_area_struct *vma);
struct io_uring_cmd;
int ep2k_instance_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
void ep2k_ptable_queue_proc_tramp(struct file *file, wait_queue_head_t *whead,
				  poll_table *pt);

#endif
