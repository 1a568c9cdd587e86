// SPDX-License-Identifier: GPL-2.0
/*
 * entry.c - where the kernel enters eventpoll2.
 *
 * Module init/exit, the /dev/eventpoll2 misc device, the instance
 * file_operations, the wait-queue and poll-table callbacks, the sysctl table
 * and the debugfs triggers.  Every function here is a trampoline into C++
 * (kapi.h, "kernel -> C++"); the only state kept here is what the kernel's
 * registration APIs need as C objects.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/sysctl.h>
#include <linux/debugfs.h>
#include <linux/uaccess.h>
#include <linux/seq_file.h>
#include <linux/compat.h>

#include "../kapi.h"
#include "glue.h"

/* --- instance file ------------------------------------------------------- */
static int ep2k_instance_release(struct inode *inode, struct file *file)
{
	return ep2_instance_release(file);
}

static __poll_t ep2k_instance_poll(struct file *file, poll_table *pt)
{
	return (__force __poll_t)ep2_instance_poll(file, pt);
}

static void ep2k_instance_show_fdinfo(struct seq_file *m, struct file *f)
{
	ep2_instance_show_fdinfo(m, f);
}

static long ep2k_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return ep2_ioctl(file, cmd, arg, 0);
}

#ifdef CONFIG_COMPAT
static long ep2k_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return ep2_ioctl(file, cmd, (unsigned long)compat_ptr(arg), 1);
}
#endif

/* read/write of an instance: EINVAL, as an epoll fd (no ->read/->write). */
const struct file_operations ep2k_instance_fops = {
	.owner		= THIS_MODULE,
	.show_fdinfo	= ep2k_instance_show_fdinfo,
	.release	= ep2k_instance_release,
	.poll		= ep2k_instance_poll,
	.llseek		= noop_llseek,
	.unlocked_ioctl	= ep2k_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= ep2k_compat_ioctl,
#endif
	.mmap		= ep2k_instance_mmap,	/* the ready ring (glue/ring.c) */
	.uring_cmd	= ep2k_instance_uring_cmd,	/* io_uring commands (glue/uring.c) */
};

/* --- callbacks ----------------------------------------------------------- */
int ep2k_poll_callback_tramp(struct wait_queue_entry *wait, unsigned int mode,
			     int sync, void *key)
{
	return ep2_poll_callback(wait, mode, sync, key);
}

void ep2k_deferred_wake_tramp(struct irq_work *w)
{
	ep2_deferred_wake(w);
}

/*
 * autoremove_wake_function, but remove even on failure to wake up (as
 * fs/eventpoll.c's ep_autoremove_wake_function).
 */
int ep2k_autoremove_wake_function(struct wait_queue_entry *wq_entry,
				  unsigned int mode, int sync, void *key)
{
	int ret = default_wake_function(wq_entry, mode, sync, key);

	list_del_init_careful(&wq_entry->entry);
	return ret;
}

/* A min-wait waiter (wait.cpp): woken only once enough items are ready. */
int ep2k_minwait_wake_function(struct wait_queue_entry *wq_entry,
			       unsigned int mode, int sync, void *key)
{
	if (!ep2_minwait_ready(wq_entry))
		return 0;
	return ep2k_autoremove_wake_function(wq_entry, mode, sync, key);
}

void ep2k_ptable_queue_proc_tramp(struct file *file, wait_queue_head_t *whead,
				  poll_table *pt)
{
	ep2_ptable_queue_proc(file, whead, pt);
}

/* --- /dev/eventpoll2 ----------------------------------------------------- */
static const struct file_operations ep2k_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= ep2k_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= ep2k_compat_ioctl,
#endif
	.llseek		= noop_llseek,
};

static struct miscdevice ep2k_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "eventpoll2",
	.fops	= &ep2k_dev_fops,
	.mode	= 0666,
};

/* --- sysctl: fs.eventpoll2.max_user_watches ------------------------------ */
static long ep2k_max_user_watches_val __read_mostly;
static long ep2k_long_zero;
static long ep2k_long_max = LONG_MAX;

static struct ctl_table ep2k_sysctl_table[] = {
	{
		.procname	= "max_user_watches",
		.data		= &ep2k_max_user_watches_val,
		.maxlen		= sizeof(long),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
		.extra1		= &ep2k_long_zero,
		.extra2		= &ep2k_long_max,
	},
	{ }
};
static struct ctl_table_header *ep2k_sysctl_header;

long ep2k_max_user_watches(void) { return READ_ONCE(ep2k_max_user_watches_val); }
void ep2k_set_max_user_watches(long v) { WRITE_ONCE(ep2k_max_user_watches_val, v); }

/* --- debugfs triggers (only with debug_triggers=1) ----------------------- */
static bool debug_triggers;
module_param(debug_triggers, bool, 0444);
MODULE_PARM_DESC(debug_triggers,
		 "Create /sys/kernel/debug/eventpoll2/trigger (test-only: stack, warn)");

int ep2k_debug_triggers_enabled(void) { return debug_triggers; }

static struct dentry *ep2k_debugfs_dir;

static int ep2k_stats_open_show(struct seq_file *m, void *v)
{
	ep2_stats_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ep2k_stats_open);

static ssize_t ep2k_trigger_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	char buf[16];
	long ret;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	ret = ep2_debug_trigger(buf);
	return ret < 0 ? ret : len;
}

static const struct file_operations ep2k_trigger_fops = {
	.owner	= THIS_MODULE,
	.write	= ep2k_trigger_write,
	.llseek	= noop_llseek,
};

/* --- init / exit --------------------------------------------------------- */
static int __init ep2k_init(void)
{
	int err;

	err = ep2_module_init();
	if (err)
		return err;

	ep2k_sysctl_header = register_sysctl("fs/eventpoll2", ep2k_sysctl_table);
	if (!ep2k_sysctl_header) {
		err = -ENOMEM;
		goto out_cxx;
	}
	err = misc_register(&ep2k_miscdev);
	if (err)
		goto out_sysctl;
	ep2k_debugfs_dir = debugfs_create_dir("eventpoll2", NULL);
	debugfs_create_file("stats", 0444, ep2k_debugfs_dir, NULL, &ep2k_stats_open_fops);
	if (debug_triggers)
		debugfs_create_file("trigger", 0200, ep2k_debugfs_dir, NULL, &ep2k_trigger_fops);
	return 0;

out_sysctl:
	unregister_sysctl_table(ep2k_sysctl_header);
out_cxx:
	ep2_module_exit();
	return err;
}

static void __exit ep2k_exit(void)
{
	debugfs_remove_recursive(ep2k_debugfs_dir);
	misc_deregister(&ep2k_miscdev);
	unregister_sysctl_table(ep2k_sysctl_header);
	ep2_module_exit();
}

module_init(ep2k_init);
module_exit(ep2k_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("eventpoll2 developers");
MODULE_DESCRIPTION("epoll reimplemented in C++ as anon_inode:[eventpoll2]");
