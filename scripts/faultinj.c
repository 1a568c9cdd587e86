// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj.c - systematic fault injection, the way syzkaller does it
 * (make check-fault; scripts/debug-lane.md "Fault injection").  Runs in the
 * guest of the debug kernel, which has failslab, fail_page_alloc,
 * fail_usercopy and /proc/<pid>/task/<tid>/fail-nth.
 *
 * For each call (create, the first create of a user, create with a ring,
 * mmap of the ring, ctl ADD (of an eventfd, with EPOLLWAKEUP, of a nested
 * instance, on a ring instance), MOD and DEL, WAIT, PWAIT, PWAIT2, a wait on
 * a ring instance), for n = 1, 2, ...:
 * set up fresh objects, write n to this thread's fail-nth right before the
 * call, make the call, read fail-nth back.  0 means the n-th fault point of
 * the call was failed; nonzero means the call has only n - 1 of them, and
 * the loop ends (the call must then have succeeded).  After each injected
 * failure:
 *
 *   - the errno must be a clean one (ENOMEM, EFAULT);
 *   - the instance must be consistent: the probes of the call (an item
 *     that failed to be added is absent and can be added, one that failed
 *     to be modified or deleted is still there with its old data, a pending
 *     ET event survives a failed wait and is delivered once, a ring that
 *     failed to map maps and delivers) must give the same answers as they
 *     do after a success;
 *   - nothing leaks: after the iteration's objects are closed, the module's
 *     live objects (/sys/kernel/debug/eventpoll2/stats) are as before it,
 *     and no fd is left behind (kmemleak runs after the program).
 *
 * Native epoll goes through the same loop for the calls it has (create,
 * ctl, waits), as a reference: its fault points and errnos are printed next
 * to eventpoll2's.  With verbose=2 the kernel prints a stack for each
 * injected fault (except __GFP_NOWARN ones); the first frame beyond the
 * allocator names the fault point.
 *
 * Usage: faultinj [CALL...]  (default: all).  Output: KTAP-like lines and a
 * table; exit 0 if every call passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/time_types.h>
#include <linux/eventpoll2.h>
#include "eventpoll2.h"

#define MAXN 200
#define RING_ENTRIES 64

static int dev = -1, nth_fd = -1, kmsg = -1;
static int failures;

struct ctx {
	int native;
	int ep, efd, efd2;
	void *map;
	size_t map_len;
	struct ep2_ring ring;
	int ring_mapped;
};

/* ---- helpers ------------------------------------------------------------ */

static void wr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0) {
		fprintf(stderr, "faultinj: cannot write %s to %s: %s\n", val, path, strerror(errno));
		exit(2);
	}
	close(fd);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void read_stats(char *buf, size_t len)
{
	int fd = open("/sys/kernel/debug/eventpoll2/stats", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
}

static long ioc(int fd, unsigned long cmd, void *arg)
{
	long r = ioctl(fd, cmd, arg);

	return r;
}

static int do_create(struct ctx *c, int ring)
{
	if (c->native)
		return epoll_create1(EPOLL_CLOEXEC);
	struct ep2_create_args a = { .size = sizeof(a), .flags = EP2_CLOEXEC };
	if (ring) {
		a.flags |= EP2_CREATE_RING;
		a.ring_entries = RING_ENTRIES;
	}
	return (int)ioc(dev, EP2_IOC_CREATE, &a);
}

static int do_ctl(struct ctx *c, int op, int fd, unsigned events, unsigned long long data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	if (c->native)
		return epoll_ctl(c->ep, op, fd, &ev);
	struct ep2_ctl_args a = { .size = sizeof(a), .epfd = c->ep, .op = op, .fd = fd,
				  .event = (unsigned long long)(uintptr_t)&ev };
	return (int)ioc(c->ep, EP2_IOC_CTL, &a);
}

enum { W_WAIT, W_PWAIT, W_PWAIT2 };

static int do_wait(struct ctx *c, int kind, struct epoll_event *evs, int max)
{
	sigset_t m;
	struct __kernel_timespec kts = { 0, 0 };
	struct timespec ts = { 0, 0 };

	sigemptyset(&m);
	if (c->native) {
		switch (kind) {
		case W_WAIT: return epoll_wait(c->ep, evs, max, 0);
		case W_PWAIT: return epoll_pwait(c->ep, evs, max, 0, &m);
		default: return (int)syscall(SYS_epoll_pwait2, c->ep, evs, max, &ts, NULL, 8);
		}
	}
	struct ep2_wait_args a = { .size = sizeof(a), .epfd = c->ep,
				   .events = (unsigned long long)(uintptr_t)evs, .maxevents = max };
	unsigned long cmd = EP2_IOC_WAIT;
	if (kind == W_PWAIT) {
		cmd = EP2_IOC_PWAIT;
		a.sigmask = (unsigned long long)(uintptr_t)&m;
		a.sigsetsize = 8;
	} else if (kind == W_PWAIT2) {
		cmd = EP2_IOC_PWAIT2;
		a.sigmask = (unsigned long long)(uintptr_t)&m;
		a.sigsetsize = 8;
		a.timeout = (unsigned long long)(uintptr_t)&kts;
	}
	return (int)ioc(c->ep, cmd, &a);
}

static void efd_signal(int fd)
{
	unsigned long long one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		perror("eventfd write");
}

/* ---- the probes: the same answers after a failure as after a success ---- */

#define PROBE(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("#   PROBE FAILED (%s:%d: %s): ", __func__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                  \
			printf("\n");                                         \
			return 1;                                             \
		}                                                             \
	} while (0)

/* The instance works: ADD a fresh eventfd, signal it, one event, DEL. */
static int probe_instance_works(struct ctx *c)
{
	struct epoll_event evs[4];
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), n;

	PROBE(do_ctl(c, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLET, 0x77) == 0, "ADD: %s", strerror(errno));
	efd_signal(fd);
	n = do_wait(c, W_WAIT, evs, 4);
	if (n == 0 && c->ring_mapped)
		n = ep2_ring_harvest(&c->ring, evs, 4);
	PROBE(n == 1 && evs[0].data.u64 == 0x77, "wait gave %d (%s)", n, n < 0 ? strerror(errno) : "");
	PROBE(do_ctl(c, EPOLL_CTL_DEL, fd, 0, 0) == 0, "DEL: %s", strerror(errno));
	close(fd);
	return 0;
}

/* Is efd registered, and with which data?  Returns data, or -1 if absent. */
static long long item_data(struct ctx *c, int fd)
{
	struct epoll_event evs[4];
	int n;

	if (do_ctl(c, EPOLL_CTL_ADD, fd, EPOLLIN, 0xabc) == 0) {
		do_ctl(c, EPOLL_CTL_DEL, fd, 0, 0);
		return -1;
	}
	if (errno != EEXIST)
		return -2;
	efd_signal(fd);
	n = do_wait(c, W_WAIT, evs, 4);
	if (n == 0 && c->ring_mapped)
		n = ep2_ring_harvest(&c->ring, evs, 4);
	{
		unsigned long long v;
		(void)!read(fd, &v, sizeof(v));
	}
	return n == 1 ? (long long)evs[0].data.u64 : -3;
}

/* ---- the calls ---------------------------------------------------------- */

struct call {
	const char *name;
	int native_too;
	int no_keeper;		/* run with no other instance of this user open */
	void (*prep)(struct ctx *);
	long (*call)(struct ctx *);
	int (*check)(struct ctx *, long rc, int err);	/* 0 if consistent */
	void (*cleanup)(struct ctx *);
};

static void cleanup_all(struct ctx *c)
{
	if (c->ring_mapped)
		ep2_ring_unmap(&c->ring);
	c->ring_mapped = 0;
	if (c->map && c->map != MAP_FAILED)
		munmap(c->map, c->map_len);
	c->map = NULL;
	if (c->ep >= 0)
		close(c->ep);
	if (c->efd >= 0)
		close(c->efd);
	if (c->efd2 >= 0)
		close(c->efd2);
	c->ep = c->efd = c->efd2 = -1;
}

static void prep_none(struct ctx *c) { (void)c; }

static void prep_inst(struct ctx *c)
{
	c->ep = do_create(c, 0);
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static void prep_item(struct ctx *c)
{
	prep_inst(c);
	if (do_ctl(c, EPOLL_CTL_ADD, c->efd, EPOLLIN | EPOLLET, 0x11))
		perror("faultinj: prep ADD");
}

static void prep_pending(struct ctx *c)
{
	prep_item(c);
	efd_signal(c->efd);
}

static void prep_ring_inst(struct ctx *c)
{
	c->ep = do_create(c, 1);
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->map_len = EP2_RING_MMAP_SIZE(RING_ENTRIES, 4096);
}

static void prep_ring_pending(struct ctx *c)
{
	prep_ring_inst(c);
	if (ep2_ring_map(c->ep, &c->ring))
		perror("faultinj: ring map");
	else
		c->ring_mapped = 1;
	if (do_ctl(c, EPOLL_CTL_ADD, c->efd, EPOLLIN | EPOLLET, 0x11))
		perror("faultinj: prep ADD");
	/*
	 * This thread is the ring's owner: the wakeup queues the publication
	 * on it, which runs before write() returns; the wait takes the event
	 * from the ring.
	 */
	efd_signal(c->efd);
}

static long call_create(struct ctx *c) { return c->ep = do_create(c, 0); }
static long call_create_ring(struct ctx *c) { return c->ep = do_create(c, 1); }

static int check_create(struct ctx *c, long rc, int err)
{
	(void)err;
	if (rc < 0)
		c->ep = do_create(c, 0);
	return probe_instance_works(c);
}

static int check_create_ring(struct ctx *c, long rc, int err)
{
	(void)err;
	if (rc < 0)
		c->ep = do_create(c, 1);
	PROBE(ep2_ring_map(c->ep, &c->ring) == 0, "map after create: %s", strerror(errno));
	c->ring_mapped = 1;
	return probe_instance_works(c);
}

static long call_mmap(struct ctx *c)
{
	c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, c->ep, 0);
	return c->map == MAP_FAILED ? -1 : 0;
}

static int check_mmap(struct ctx *c, long rc, int err)
{
	(void)err;
	if (rc == 0) {
		struct ep2_ring_header *h = c->map;
		PROBE(h->entries == RING_ENTRIES && h->mmap_size == c->map_len, "header %u/%u",
		      h->entries, h->mmap_size);
		munmap(c->map, c->map_len);
	}
	c->map = NULL;
	PROBE(ep2_ring_map(c->ep, &c->ring) == 0, "map again: %s", strerror(errno));
	c->ring_mapped = 1;
	return probe_instance_works(c);
}

static long call_add(struct ctx *c) { return do_ctl(c, EPOLL_CTL_ADD, c->efd, EPOLLIN | EPOLLET, 0x22); }
static long call_add_wakeup(struct ctx *c)
{
	return do_ctl(c, EPOLL_CTL_ADD, c->efd, EPOLLIN | EPOLLET | EPOLLWAKEUP, 0x22);
}

/* A nested instance (same backend) as the target. */
static void prep_nested(struct ctx *c)
{
	prep_inst(c);
	c->efd2 = do_create(c, 0);
}

static long call_add_nested(struct ctx *c) { return do_ctl(c, EPOLL_CTL_ADD, c->efd2, EPOLLIN, 0x44); }

static int check_add_nested(struct ctx *c, long rc, int err)
{
	int r = do_ctl(c, EPOLL_CTL_ADD, c->efd2, EPOLLIN, 0x44);

	(void)err;
	if (rc < 0)
		PROBE(r == 0, "ADD after a failed nested ADD: %s", strerror(errno));
	else
		PROBE(r < 0 && errno == EEXIST, "ADD after a nested ADD: %d (%s)", r, strerror(errno));
	/* The nested instance reports through the outer one. */
	int fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	struct ctx inner = *c;
	struct epoll_event evs[4];
	inner.ep = c->efd2;
	PROBE(do_ctl(&inner, EPOLL_CTL_ADD, fd, EPOLLIN, 1) == 0, "inner ADD: %s", strerror(errno));
	int n = do_wait(c, W_WAIT, evs, 4);
	close(fd);
	PROBE(n == 1 && evs[0].data.u64 == 0x44, "outer wait gave %d", n);
	return probe_instance_works(c);
}

static void prep_ring_item_inst(struct ctx *c)
{
	prep_ring_inst(c);
	if (ep2_ring_map(c->ep, &c->ring))
		perror("faultinj: ring map");
	else
		c->ring_mapped = 1;
}

/* Items of an instance, from its fdinfo (same format on both backends). */
static int count_items(int ep)
{
	char path[64], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "tfd:", 4);
	fclose(f);
	return n;
}

static int check_add(struct ctx *c, long rc, int err)
{
	long long d = item_data(c, c->efd);

	(void)err;
	if (rc < 0)
		PROBE(d == -1, "after a failed ADD the item is %s (%lld)", d >= 0 ? "present" : "odd", d);
	else
		PROBE(d == 0x22, "after ADD the item's data is %lld", d);
	if (probe_instance_works(c))
		return 1;
	/* Closing the watched file's last fd removes its item, as in epoll. */
	close(c->efd);
	c->efd = -1;
	PROBE(count_items(c->ep) == 0, "%d items left after the watched file was closed", count_items(c->ep));
	return 0;
}

static long call_mod(struct ctx *c) { return do_ctl(c, EPOLL_CTL_MOD, c->efd, EPOLLIN | EPOLLET, 0x33); }

static int check_mod(struct ctx *c, long rc, int err)
{
	long long d = item_data(c, c->efd);

	(void)err;
	PROBE(d == (rc < 0 ? 0x11 : 0x33), "after MOD (rc %ld) the item's data is %lld", rc, d);
	return probe_instance_works(c);
}

static long call_del(struct ctx *c) { return do_ctl(c, EPOLL_CTL_DEL, c->efd, 0, 0); }

static int check_del(struct ctx *c, long rc, int err)
{
	long long d = item_data(c, c->efd);

	(void)err;
	PROBE(d == (rc < 0 ? 0x11 : -1), "after DEL (rc %ld) the item is %lld", rc, d);
	return probe_instance_works(c);
}

static struct epoll_event wevs[8];

static long call_wait(struct ctx *c) { return do_wait(c, W_WAIT, wevs, 8); }
static long call_pwait(struct ctx *c) { return do_wait(c, W_PWAIT, wevs, 8); }
static long call_pwait2(struct ctx *c) { return do_wait(c, W_PWAIT2, wevs, 8); }

/* The pending ET event is delivered exactly once: by the call, or after it. */
static int check_wait(struct ctx *c, long rc, int err)
{
	struct epoll_event evs[8];
	int got = rc > 0 ? (int)rc : 0, n;

	(void)err;
	if (rc > 0)
		PROBE(rc == 1 && wevs[0].data.u64 == 0x11 && (wevs[0].events & EPOLLIN), "wait gave %ld", rc);
	for (int i = 0; i < 2; i++) {
		if (c->ring_mapped) {
			n = ep2_ring_harvest(&c->ring, evs, 8);
			PROBE(n >= 0, "ring harvest: %s", strerror(errno));
			got += n;
		}
		n = do_wait(c, W_WAIT, evs, 8);
		PROBE(n >= 0, "wait after: %s", strerror(errno));
		got += n;
	}
	PROBE(got == 1, "the pending event was delivered %d times (call rc %ld)", got, rc);
	return probe_instance_works(c);
}

static const struct call calls[] = {
	{ "create_first", 1, 1, prep_none, call_create, check_create, cleanup_all },
	{ "create", 1, 0, prep_none, call_create, check_create, cleanup_all },
	{ "create_ring", 0, 0, prep_none, call_create_ring, check_create_ring, cleanup_all },
	{ "mmap_ring", 0, 0, prep_ring_inst, call_mmap, check_mmap, cleanup_all },
	{ "ctl_add", 1, 0, prep_inst, call_add, check_add, cleanup_all },
	{ "ctl_add_wakeup", 1, 0, prep_inst, call_add_wakeup, check_add, cleanup_all },
	{ "ctl_add_nested", 1, 0, prep_nested, call_add_nested, check_add_nested, cleanup_all },
	{ "ctl_add_ring", 0, 0, prep_ring_item_inst, call_add, check_add, cleanup_all },
	{ "ctl_mod", 1, 0, prep_item, call_mod, check_mod, cleanup_all },
	{ "ctl_del", 1, 0, prep_item, call_del, check_del, cleanup_all },
	{ "wait", 1, 0, prep_pending, call_wait, check_wait, cleanup_all },
	{ "pwait", 1, 0, prep_pending, call_pwait, check_wait, cleanup_all },
	{ "pwait2", 1, 0, prep_pending, call_pwait2, check_wait, cleanup_all },
	{ "wait_ring", 0, 0, prep_ring_pending, call_wait, check_wait, cleanup_all },
};

/* ---- the kernel's report of each injected fault -------------------------- */

static int infra(const char *f)
{
	static const char *const pre[] = {
		"dump_stack", "fail_dump", "should_fail", "__should_fail", "should_failslab",
		"should_fail_alloc_page", "should_fail_usercopy", "prepare_alloc_pages",
		"__alloc_pages", "alloc_pages", "__get_free_pages", "get_zeroed_page", "__kmalloc",
		"kmalloc", "kmem_cache_alloc", "__kmem_cache_alloc", "slab_pre_alloc_hook", "kzalloc",
		"_copy_from_user", "_copy_to_user", "copy_from_user", "copy_to_user", "__vmalloc",
		"vmalloc", "vzalloc", "__get_vm_area", "alloc_vmap_area", "kmemleak", "slab_alloc",
		"ep2k_", "__alloc_pages_bulk", "alloc_pages_bulk", "vm_area_alloc_pages",
		"__kasan", "kasan", "kmalloc_trace", "kvmalloc", "__kvmalloc", "copy_struct_from_user",
		"get_timespec64", "memdup_user", "strncpy_from_user",
	};
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(f, pre[i], strlen(pre[i])))
			return 1;
	return 0;
}

/* Read the new kernel records: the injection's capability and its site. */
static void kmsg_site(char *out, size_t len)
{
	char rec[1024], cap[32] = "", first[160] = "", mod[160] = "";
	int in_stack = 0;
	ssize_t n;

	out[0] = 0;
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = 0;
		char *t = strchr(rec, ';');
		if (!t)
			continue;
		t++;
		char *nl = strchr(t, '\n');
		if (nl)
			*nl = 0;
		if (strstr(t, "FAULT_INJECTION: forcing a failure")) {
			/* one record: "...failure.\x0aname failslab, interval ..." */
			char *nm = strstr(t, "name ");
			in_stack = 1;
			first[0] = mod[0] = cap[0] = 0;
			if (nm)
				sscanf(nm + 5, "%31[^,]", cap);
			continue;
		}
		if (!in_stack)
			continue;
		while (*t == ' ')
			t++;
		if (!strncmp(t, "? ", 2) || !*t || *t == '<' || !strncmp(t, "CPU:", 4) ||
		    !strncmp(t, "Hardware", 8) || !strncmp(t, "Call Trace", 10))
			continue;
		char fn[160];
		if (sscanf(t, "%159[^+ ]", fn) != 1)
			continue;
		if (!first[0] && !infra(fn))
			snprintf(first, sizeof(first), "%s", fn);
		if (!mod[0] && strstr(t, "[eventpoll2]") && !infra(fn))
			snprintf(mod, sizeof(mod), "%s", fn);
	}
	if (in_stack || cap[0]) {
		if (mod[0] && strcmp(mod, first))
			snprintf(out, len, "%s: %s <- %s", cap, first, mod);
		else
			snprintf(out, len, "%s: %s", cap, first[0] ? first : "?");
	}
}

/* ---- the loop ----------------------------------------------------------- */

static int run_call(const struct call *k, int native)
{
	struct ctx c = { .native = native, .ep = -1, .efd = -1, .efd2 = -1 };
	char before[512], after[512], buf[32], site[400];
	int points = 0, failed_calls = 0, absorbed = 0, bad = 0, enomem = 0, efault = 0;
	const char *be = native ? "epoll" : "eventpoll2";

	for (int n = 1; n <= MAXN; n++) {
		int fds0 = count_fds(), consumed, err;
		long rc;

		read_stats(before, sizeof(before));
		k->prep(&c);
		kmsg_site(site, sizeof(site));	/* drop what came before */
		snprintf(buf, sizeof(buf), "%d", n);
		if (pwrite(nth_fd, buf, strlen(buf), 0) < 0) {
			perror("faultinj: fail-nth");
			exit(2);
		}
		rc = k->call(&c);
		err = errno;
		memset(buf, 0, sizeof(buf));
		/*
		 * The read's own copy_to_user() is a fault point too: when the
		 * call left exactly 1, that copy is failed (EFAULT), which also
		 * says the call did not consume the n-th point.
		 */
		if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0) {
			if (errno != EFAULT) {
				perror("faultinj: read fail-nth");
				exit(2);
			}
			strcpy(buf, "1");
		}
		consumed = atoi(buf) == 0;
		if (!consumed)
			(void)!pwrite(nth_fd, "0", 1, 0);
		kmsg_site(site, sizeof(site));
		if (!consumed) {
			if (rc < 0) {
				printf("#   %s/%s: failed with %s although no fault was injected\n", k->name, be,
				       strerror(err));
				bad++;
			}
			k->cleanup(&c);
			break;
		}
		points = n;
		if (rc < 0) {
			failed_calls++;
			if (err == ENOMEM)
				enomem++;
			else if (err == EFAULT)
				efault++;
			else {
				printf("#   %s/%s: fault point %d: unexpected errno %s\n", k->name, be, n, strerror(err));
				bad++;
			}
		} else {
			absorbed++;
		}
		printf("#   %s/%s: fault point %d: %s -> %s\n", k->name, be, n, site[0] ? site : "(not reported: __GFP_NOWARN)",
		       rc < 0 ? strerror(err) : "call succeeded (fault absorbed)");
		if (k->check(&c, rc, err)) {
			printf("#   %s/%s: fault point %d: instance INCONSISTENT afterwards\n", k->name, be, n);
			bad++;
		}
		k->cleanup(&c);
		if (count_fds() != fds0) {
			printf("#   %s/%s: fault point %d: %d fds before, %d after\n", k->name, be, n, fds0, count_fds());
			bad++;
		}
		for (int i = 0; i < 50; i++) {
			read_stats(after, sizeof(after));
			if (!strcmp(before, after))
				break;
			usleep(20000);
		}
		if (strcmp(before, after)) {
			printf("#   %s/%s: fault point %d: module objects LEAKED:\n# before: %s\n# after: %s\n", k->name,
			       be, n, before, after);
			bad++;
		}
		if (n == MAXN) {
			printf("#   %s/%s: more than %d fault points\n", k->name, be, MAXN);
			bad++;
		}
	}
	printf("%sok %s.%s # %d fault points, all hit: %d failed the call (ENOMEM %d, EFAULT %d), %d absorbed\n",
	       bad ? "not " : "", k->name, be, points, failed_calls, enomem, efault, absorbed);
	fflush(stdout);
	return bad != 0;
}

int main(int argc, char **argv)
{
	char path[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access("/sys/kernel/debug/eventpoll2", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access("/sys/kernel/debug/failslab", F_OK)) {
		fprintf(stderr, "faultinj: no /sys/kernel/debug/failslab (kernel without FAULT_INJECTION_DEBUG_FS)\n");
		return 2;
	}
	/*
	 * As syzkaller sets it up: GFP_KERNEL allocations and order-0 pages
	 * can fail, the capabilities are armed for this task only (task-filter
	 * and make-it-fail; fail-nth itself takes precedence), probability 0
	 * so nothing fails except the n-th point; verbose 2: a stack each.
	 */
	wr("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	wr("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	wr("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	wr("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	static const char *const caps[] = { "failslab", "fail_page_alloc", "fail_usercopy" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/task-filter", caps[i]);
		wr(path, "Y");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose", caps[i]);
		wr(path, "2");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/probability", caps[i]);
		wr(path, "0");
	}
	snprintf(path, sizeof(path), "/proc/%d/make-it-fail", getpid());
	wr(path, "1");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	nth_fd = open(path, O_RDWR);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	dev = open(EVENTPOLL2_DEVICE, O_RDWR | O_CLOEXEC);
	if (nth_fd < 0 || kmsg < 0 || dev < 0) {
		perror("faultinj: fail-nth, /dev/kmsg or the device");
		return 2;
	}
	lseek(kmsg, 0, SEEK_END);
	/* One instance stays open throughout (the user's watch accounting). */
	int keeper = ep2_create1(EP2_CLOEXEC);
	if (keeper < 0) {
		perror("faultinj: create");
		return 2;
	}
	int ncalls = sizeof(calls) / sizeof(calls[0]), tested = 0;
	for (int i = 0; i < ncalls; i++) {
		int want = argc <= 1;
		for (int j = 1; j < argc; j++)
			want |= !strcmp(argv[j], calls[i].name);
		if (!want)
			continue;
		tested++;
		if (calls[i].no_keeper) {
			close(keeper);
			keeper = -1;
		}
		failures += run_call(&calls[i], 0);
		if (calls[i].native_too)
			failures += run_call(&calls[i], 1);
		if (keeper < 0 && (keeper = ep2_create1(EP2_CLOEXEC)) < 0) {
			perror("faultinj: create");
			return 2;
		}
	}
	close(keeper);
	wr(path, "0");
	snprintf(path, sizeof(path), "/proc/%d/make-it-fail", getpid());
	wr(path, "0");
	printf("# faultinj: %d calls, %s\n", tested, failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
