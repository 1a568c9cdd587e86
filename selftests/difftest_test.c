// SPDX-License-Identifier: GPL-2.0
/*
 * difftest_test.c - differential random testing: native epoll is the oracle.
 *
 * A seeded generator makes a list of operations: create pipes, socketpairs
 * (stream, seqpacket, dgram), eventfds and instances; dup, dup2 and close;
 * ctl ADD/MOD/DEL (and invalid ops) with random masks (ET, ONESHOT, RDHUP,
 * EXCLUSIVE, WAKEUP, unknown bits) on random targets, instances included
 * (nesting, loops); writes, reads, shutdowns; waits with random maxevents
 * and timeout 0; poll() of random fds; batched ctl (up to 8 changes, on
 * epoll applied one by one with epoll_ctl(), on eventpoll2 as one
 * EP2_IOC_CTL_BATCH, stop-on-error sometimes) and ctl + wait (up to 3
 * changes then a wait with timeout 0: epoll_ctl()s then epoll_wait() against
 * one EP2_IOC_CTL_WAIT).  The list is applied to two worlds,
 * each in its own process: one with epoll, one with eventpoll2.  Both
 * processes start from the same fd table, so every fd number, every error
 * and every event is identical if the backends are: each op's return value,
 * errno and delivered events (compared as a multiset of (events, data);
 * EP2_FUZZ_ORDER=1 compares the order too) are streamed to the parent and
 * compared in lockstep.
 *
 * On a divergence: the seed, the op index, both results; then the failing
 * prefix is shrunk (delta debugging over the op list, every candidate run
 * in both worlds again) and the minimal sequence is printed with each op
 * described and both worlds' results.
 *
 * Environment:
 *   EP2_FUZZ_OPS       total ops across this file (default 100000)
 *   EP2_FUZZ_SEED      first seed (default 1)
 *   EP2_FUZZ_SEED_OPS  ops per seed, i.e. per pair of fresh worlds (5000)
 *   EP2_FUZZ_ORDER     1: events must come in the same order
 *   EP2_FUZZ_NOCLOSE   1: no close of watched files (for a backend without
 *                      close detection)
 *   EP2_FUZZ_INJECT    1: the eventpoll2 world hides EPOLLRDHUP in what it
 *                      reports (checks that divergences are caught and shrunk)
 *
 *   EP2_FUZZ_OPS=1000000 build/selftests/difftest_test
 */
#include "backend.h"
#include "util.h"
#include <sys/prctl.h>
#include "kselftest_harness.h"

#define NSLOT	24
#define MAXEV	8
#define RES_FD	1000		/* each world's result pipe */

enum kind { K_PIPE, K_SOCK, K_EFD, K_EP, K_DUP, K_CLOSE, K_CTL, K_WRITE, K_READ, K_SHUT,
	    K_WAIT, K_POLL, K_BATCH, K_CTLWAIT, K_DUP2, K_NKINDS };
static const char *const kind_name[] = { "pipe", "socketpair", "eventfd", "create1", "dup",
	"close", "ctl", "write", "read", "shutdown", "wait", "poll", "batch", "ctl+wait", "dup2" };
/* weights of the kinds, out of 100 (the last one takes the rest) */
static const int kind_weight[K_NKINDS] = { 3, 3, 3, 3, 2, 4, 22, 12, 7, 2, 23, 8, 4, 2, 2 };

enum type { T_NONE, T_PIPE_R, T_PIPE_W, T_SOCK, T_EFD, T_EP };
static const char *const type_name[] = { "-", "pipe_r", "pipe_w", "sock", "efd", "ep" };

/* One operation: raw random numbers, interpreted against the world state. */
struct op {
	uint8_t kind, a, b, c;
	uint32_t m, n;
};

struct rec {
	int32_t ret, err, nev;
	uint32_t extra;
	struct epoll_event ev[MAXEV];
};

struct vrec {
	struct rec r;
	char desc[160];
};

struct slot {
	int fd;
	int open;
	int type;
};

struct world {
	const struct backend *b;
	struct slot s[NSLOT];
	int noclose;
	int keep_order;
	long inject;
};

static int env_int(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? atol(v) : def;
}

/* ---- generation -------------------------------------------------------- */

static void gen_ops(uint64_t seed, struct op *ops, long n)
{
	uint64_t s = rng_seed(seed);

	for (long i = 0; i < n; i++) {
		uint32_t r = rng_below(&s, 100), acc = 0;
		int k;

		for (k = 0; k < K_NKINDS - 1; k++) {
			acc += kind_weight[k];
			if (r < acc)
				break;
		}
		ops[i].kind = k;
		ops[i].a = rng_next(&s);
		ops[i].b = rng_next(&s);
		ops[i].c = rng_next(&s);
		ops[i].m = rng_next(&s);
		ops[i].n = rng_next(&s);
	}
}

/* A random event mask from m. */
static uint32_t gen_mask(uint32_t m)
{
	static const uint32_t bits[] = { EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLERR, EPOLLHUP, EPOLLRDHUP,
					 EPOLLRDNORM, EPOLLRDBAND, EPOLLWRNORM, EPOLLWRBAND, EPOLLMSG };
	uint32_t ev = 0;

	/* mostly IN and/or OUT, sometimes anything */
	switch (m & 3) {
	case 0: ev = EPOLLIN; break;
	case 1: ev = EPOLLOUT; break;
	case 2: ev = EPOLLIN | EPOLLOUT; break;
	default:
		for (unsigned i = 0; i < ARRAY_SIZE(bits); i++)
			if (m & (1u << (i + 2)))
				ev |= bits[i];
	}
	m >>= 13;
	if ((m & 7) < 3)
		ev |= EPOLLET;
	if ((m >> 3 & 7) == 0)
		ev |= EPOLLONESHOT;
	if ((m >> 6 & 7) == 0)
		ev |= EPOLLRDHUP;
	if ((m >> 9 & 31) == 0)
		ev |= EPOLLEXCLUSIVE;
	if ((m >> 14 & 31) == 0)
		ev |= EPOLLWAKEUP;
	if ((m >> 17 & 31) == 0)
		ev |= 1u << (16 + (m >> 22 & 7));	/* an unknown bit */
	return ev;
}

/* ---- a world ----------------------------------------------------------- */

static int free_slot(struct world *w, int after)
{
	for (int i = after; i < NSLOT; i++)
		if (!w->s[i].open)
			return i;
	return -1;
}

/*
 * Mostly (7 in 8) one of the open slots, else any slot, which may be empty
 * or closed (its old fd number: EBADF, or whatever file reuses it).
 */
static int pick_any(struct world *w, unsigned k)
{
	int open[NSLOT], n = 0;

	for (int i = 0; i < NSLOT; i++)
		if (w->s[i].open)
			open[n++] = i;
	if (n && k % 8)
		return open[(k / 8) % n];
	return (int)(k % NSLOT);
}

/* The k-th open instance slot (k mod their number), else slot k. */
static int pick_ep(struct world *w, unsigned k)
{
	int eps[NSLOT], n = 0;

	for (int i = 0; i < NSLOT; i++)
		if (w->s[i].open && w->s[i].type == T_EP)
			eps[n++] = i;
	return n ? eps[k % n] : (int)(k % NSLOT);
}

static int slot_fd(struct world *w, int i)
{
	return w->s[i].type == T_NONE ? -1 : w->s[i].fd;
}

static void put(struct world *w, int i, int fd, int type)
{
	w->s[i].fd = fd;
	w->s[i].open = 1;
	w->s[i].type = type;
}

#define D(...) do { if (desc) snprintf(desc, 160, __VA_ARGS__); } while (0)

/*
 * The changes of a batch op, from its random fields: targets, ops and masks
 * chosen as K_CTL chooses them (the same on both worlds: they have the same
 * slots).
 */
static int gen_changes(struct world *w, const struct op *op, long idx, int max,
		       struct ep2_ctl_change *c)
{
	uint64_t s = rng_seed((uint64_t)op->m << 32 | op->n);
	int n = 1 + (int)rng_below(&s, (uint32_t)max);

	for (int k = 0; k < n; k++) {
		int t = pick_any(w, (unsigned)rng_next(&s));
		unsigned sel = rng_below(&s, 20);

		c[k] = (struct ep2_ctl_change){
			.op = sel < 9 ? EPOLL_CTL_ADD : sel < 14 ? EPOLL_CTL_MOD : sel < 18 ? EPOLL_CTL_DEL :
			      sel == 18 ? 0 : 4,
			.fd = slot_fd(w, t),
			.events = gen_mask((uint32_t)rng_next(&s)),
			.data = (uint64_t)t << 32 | (uint32_t)idx << 4 | (uint32_t)k,
		};
	}
	return n;
}

/*
 * A batch on this world: on eventpoll2 one call; on epoll the documented
 * equivalent: epfd checked first as a whole (EBADF, EINVAL: not an instance),
 * then epoll_ctl() per change, stopping after a failure with STOP_ON_ERROR.
 * Returns the count processed or -1 (errno); results in c[].result.
 */
static int batch_apply(struct world *w, int epfd, struct ep2_ctl_change *c, int n, unsigned flags)
{
	char path[64], link[64];
	ssize_t len;
	int done = 0;

	if (w->b == &backend_ep2)
		return ep2_ctl_batch(epfd, c, (unsigned)n, flags, NULL);
	if (fcntl(epfd, F_GETFD) < 0) {
		errno = EBADF;
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", epfd);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0 || (link[len] = 0, strcmp(link, w->b->anon_name))) {
		errno = EINVAL;
		return -1;
	}
	while (done < n) {
		struct epoll_event ev = { .events = c[done].events, .data.u64 = c[done].data };

		c[done].result = w->b->ctl(epfd, c[done].op, c[done].fd, &ev) ? -errno : 0;
		if (c[done++].result && (flags & EP2_BATCH_STOP_ON_ERROR))
			break;
	}
	return done;
}

static void apply(struct world *w, const struct op *op, long idx, struct rec *r, char *desc)
{
	const struct backend *b = w->b;
	int fds[2], i, j, fd;
	long ret = 0;

	memset(r, 0, sizeof(*r));
	errno = 0;
	switch (op->kind) {
	case K_PIPE:
		i = free_slot(w, 0);
		j = i < 0 ? -1 : free_slot(w, i + 1);
		if (j < 0) {
			ret = -2;
			D("pipe: no slots");
			break;
		}
		ret = pipe2(fds, O_NONBLOCK);
		if (!ret) {
			put(w, i, fds[0], T_PIPE_R);
			put(w, j, fds[1], T_PIPE_W);
			r->extra = fds[0] << 16 | fds[1];
		}
		D("pipe → @%d=%d (r), @%d=%d (w)", i, fds[0], j, fds[1]);
		break;
	case K_SOCK: {
		static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
		int t = types[op->a % 3];

		i = free_slot(w, 0);
		j = i < 0 ? -1 : free_slot(w, i + 1);
		if (j < 0) {
			ret = -2;
			D("socketpair: no slots");
			break;
		}
		ret = socketpair(AF_UNIX, t | SOCK_NONBLOCK, 0, fds);
		if (!ret) {
			put(w, i, fds[0], T_SOCK);
			put(w, j, fds[1], T_SOCK);
			r->extra = fds[0] << 16 | fds[1];
		}
		D("socketpair(%s) → @%d=%d, @%d=%d", t == SOCK_STREAM ? "stream" :
		  t == SOCK_DGRAM ? "dgram" : "seqpacket", i, fds[0], j, fds[1]);
		break;
	}
	case K_EFD:
		i = free_slot(w, 0);
		if (i < 0) {
			ret = -2;
			D("eventfd: no slot");
			break;
		}
		ret = fd = eventfd(op->n & 1, EFD_NONBLOCK | (op->a & 1 ? EFD_SEMAPHORE : 0));
		if (fd >= 0)
			put(w, i, fd, T_EFD);
		D("eventfd(%u%s) → @%d=%d", op->n & 1, op->a & 1 ? ", SEMAPHORE" : "", i, fd);
		break;
	case K_EP:
		i = free_slot(w, 0);
		if (i < 0) {
			ret = -2;
			D("create1: no slot");
			break;
		}
		ret = fd = b->create1(0);
		if (fd >= 0)
			put(w, i, fd, T_EP);
		D("create1 → @%d=%d", i, fd);
		break;
	case K_DUP:
		i = pick_any(w, op->a);
		j = free_slot(w, 0);
		if (!w->s[i].open || j < 0) {
			ret = -2;
			D("dup @%d: nothing to do", i);
			break;
		}
		ret = fd = dup(w->s[i].fd);
		if (fd >= 0)
			put(w, j, fd, w->s[i].type);
		D("dup(@%d=%d) → @%d=%d", i, w->s[i].fd, j, fd);
		break;
	case K_DUP2:
		/* put slot a's file at slot b's number, replacing b's file */
		i = pick_any(w, op->a);
		j = pick_any(w, op->b);
		if (!w->s[i].open || !w->s[j].open || i == j ||
		    (w->noclose && w->s[j].type != T_EP)) {
			ret = -2;
			D("dup2 @%d → @%d: nothing to do", i, j);
			break;
		}
		ret = dup2(w->s[i].fd, w->s[j].fd);
		if (ret >= 0)
			w->s[j].type = w->s[i].type;
		D("dup2(@%d=%d, @%d=%d)", i, w->s[i].fd, j, w->s[j].fd);
		break;
	case K_CLOSE:
		i = pick_any(w, op->a);
		if (!w->s[i].open || (w->noclose && w->s[i].type != T_EP)) {
			ret = -2;
			D("close @%d: nothing to do", i);
			break;
		}
		ret = close(w->s[i].fd);
		w->s[i].open = 0;
		D("close(@%d=%d %s)", i, w->s[i].fd, type_name[w->s[i].type]);
		break;
	case K_CTL: {
		int e = pick_ep(w, op->a), t = pick_any(w, op->c), ctlop;
		unsigned sel = op->b % 20;
		struct epoll_event ev = { .events = gen_mask(op->m),
					  .data.u64 = (uint64_t)t << 32 | (uint32_t)idx };

		ctlop = sel < 9 ? EPOLL_CTL_ADD : sel < 14 ? EPOLL_CTL_MOD : sel < 18 ? EPOLL_CTL_DEL :
			sel == 18 ? 0 : 4;
		ret = b->ctl(slot_fd(w, e), ctlop, slot_fd(w, t), &ev);
		D("ctl(@%d=%d, %s, @%d=%d %s%s, %#x, %#llx)", e, slot_fd(w, e),
		  ctlop == 1 ? "ADD" : ctlop == 2 ? "DEL" : ctlop == 3 ? "MOD" : "BADOP", t,
		  slot_fd(w, t), type_name[w->s[t].type], w->s[t].open ? "" : " (closed)",
		  ev.events, (unsigned long long)ev.data.u64);
		break;
	}
	case K_WRITE: {
		static char buf[70000];
		static const int sizes[] = { 1, 100, 4096, 70000 };
		int sz = sizes[op->n % 4];

		i = pick_any(w, op->a);
		fd = slot_fd(w, i);
		if (w->s[i].type == T_EFD) {
			uint64_t v = op->n & 4 ? 0xfffffffffffffffeULL : 1 + (op->n >> 8 & 3);

			ret = write(fd, &v, 8);
			D("write(@%d=%d, efd += %#llx)", i, fd, (unsigned long long)v);
		} else {
			ret = write(fd, buf, sz);
			D("write(@%d=%d %s, %d bytes)", i, fd, type_name[w->s[i].type], sz);
		}
		break;
	}
	case K_READ: {
		static char buf[70000];
		static const int sizes[] = { 1, 100, 8, 70000 };
		int sz = sizes[op->n % 4];

		i = pick_any(w, op->a);
		fd = slot_fd(w, i);
		if (w->s[i].type == T_EFD)
			sz = 8;
		ret = read(fd, buf, sz);
		D("read(@%d=%d %s, %d)", i, fd, type_name[w->s[i].type], sz);
		break;
	}
	case K_SHUT:
		i = pick_any(w, op->a);
		fd = slot_fd(w, i);
		ret = shutdown(fd, op->n % 3);
		D("shutdown(@%d=%d %s, %u)", i, fd, type_name[w->s[i].type], op->n % 3);
		break;
	case K_WAIT: {
		int e = pick_ep(w, op->a), max = (op->n & 15) == 0 ? (int)(op->n >> 4 & 1) - 1 :
			1 + (int)(op->n >> 4) % MAXEV;

		ret = b->wait(slot_fd(w, e), r->ev, max, 0);
		if (ret > 0) {
			r->nev = ret;
			if (!w->keep_order)
				ev_sort(r->ev, ret);
		}
		D("wait(@%d=%d, max %d)", e, slot_fd(w, e), max);
		break;
	}
	case K_BATCH: {
		struct ep2_ctl_change c[MAXEV];
		int e = pick_ep(w, op->a), n = gen_changes(w, op, idx, MAXEV, c);
		unsigned flags = op->b & 1 ? EP2_BATCH_STOP_ON_ERROR : 0;

		ret = batch_apply(w, slot_fd(w, e), c, n, flags);
		if (ret > 0) {
			/* the per-change errno as the record's events */
			r->nev = (int)ret;
			for (int k = 0; k < ret; k++) {
				r->ev[k].events = (uint32_t)-c[k].result;
				r->ev[k].data.u64 = c[k].data;
			}
		}
		D("batch(@%d=%d, %d changes%s: first %d fd %d %#x)", e, slot_fd(w, e), n,
		  flags ? ", stop" : "", c[0].op, c[0].fd, c[0].events);
		break;
	}
	case K_CTLWAIT: {
		struct ep2_ctl_change c[3];
		int e = pick_ep(w, op->a), n = gen_changes(w, op, idx, 3, c), epfd = slot_fd(w, e);
		int max = 1 + (int)(op->c % MAXEV);
		unsigned flags = op->b & 1 ? EP2_BATCH_STOP_ON_ERROR : 0;
		int done;

		if (w->b == &backend_ep2) {
			struct ep2_ctl_wait_args a = {
				.changes = (uintptr_t)c, .nchanges = (uint32_t)n, .flags = flags,
				.events = (uintptr_t)r->ev, .maxevents = max, .timeout_ns = 0,
			};

			ret = ep2_ctl_wait(epfd, &a);
			done = ret >= 0 ? (int)a.done : 0;
		} else {
			done = batch_apply(w, epfd, c, n, flags);
			ret = done < 0 ? -1 : w->b->wait(epfd, r->ev, max, 0);
		}
		if (ret > 0) {
			r->nev = (int)ret;
			if (!w->keep_order)
				ev_sort(r->ev, (int)ret);
		}
		if (ret >= 0) {
			r->extra = (uint32_t)done << 24;
			for (int k = 0; k < done; k++)
				r->extra |= ((uint32_t)-c[k].result & 0xff) << (8 * k);
		}
		D("ctl+wait(@%d=%d, %d changes%s: first %d fd %d %#x, max %d)", e, epfd, n,
		  flags ? ", stop" : "", c[0].op, c[0].fd, c[0].events, max);
		break;
	}
	case K_POLL: {
		struct pollfd p;

		i = pick_any(w, op->a);
		p.fd = slot_fd(w, i);
		p.events = (short)(op->m & (POLLIN | POLLOUT | POLLPRI | POLLRDHUP | POLLRDNORM |
					    POLLWRNORM | POLLRDBAND | POLLWRBAND));
		p.revents = 0;
		ret = poll(&p, 1, 0);
		r->extra = (uint16_t)p.revents;
		D("poll(@%d=%d %s, %#x)", i, p.fd, type_name[w->s[i].type], p.events);
		break;
	}
	}
	r->ret = ret;
	r->err = ret == -1 ? errno : 0;
}

/* Run ops[0..n) in a world; stream records (verbose: vrecs) to RES_FD. */
static void world_main(const struct backend *b, const struct op *ops, long n, int verbose, int noclose)
{
	static struct world w;
	static char out[64 * sizeof(struct vrec)];
	size_t used = 0;

	memset(&w, 0, sizeof(w));
	w.b = b;
	w.noclose = noclose;
	w.keep_order = env_int("EP2_FUZZ_ORDER", 0) == 1;
	w.inject = b == &backend_ep2 && env_int("EP2_FUZZ_INJECT", 0) == 1;
	signal(SIGPIPE, SIG_IGN);
	for (long i = 0; i < n; i++) {
		struct vrec v;
		size_t sz = verbose ? sizeof(struct vrec) : sizeof(struct rec);

		apply(&w, &ops[i], i, &v.r, verbose ? v.desc : NULL);
		if (w.inject)
			for (int k = 0; k < v.r.nev; k++)
				v.r.ev[k].events &= ~EPOLLRDHUP;
		memcpy(out + used, &v, sz);
		used += sz;
		if (used + sizeof(struct vrec) > sizeof(out) || i == n - 1) {
			for (size_t off = 0; off < used;) {
				ssize_t k = write(RES_FD, out + off, used - off);

				if (k <= 0)
					_exit(3);
				off += k;
			}
			used = 0;
		}
	}
	_exit(0);
}

static pid_t spawn_world(const struct backend *b, const struct op *ops, long n, int verbose,
			 int noclose, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int dev = ep2_device_fd();

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(p[1], RES_FD) != RES_FD)
			_exit(4);
		/* the same fd table in both worlds: 0-2, the device, RES_FD */
		if (dev > 3)
			syscall(SYS_close_range, 3U, (unsigned)dev - 1, 0U);
		syscall(SYS_close_range, (unsigned)dev + 1, RES_FD - 1U, 0U);
		syscall(SYS_close_range, RES_FD + 1U, ~0U, 0U);
		world_main(b, ops, n, verbose, noclose);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static int read_full(int fd, void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t k = read(fd, (char *)buf + off, len - off);

		if (k <= 0)
			return -1;
		off += k;
	}
	return 0;
}

/* What the epoll world did: shows that the ops exercise something. */
struct stats {
	long ok[K_NKINDS], fail[K_NKINDS];
	long events, nonempty_waits, eloop, einval;
};

static struct stats stats;

static void count(const struct op *op, const struct rec *r)
{
	if (r->ret >= 0)
		stats.ok[op->kind]++;
	else if (r->ret == -1)
		stats.fail[op->kind]++;
	if (op->kind == K_WAIT && r->nev > 0) {
		stats.events += r->nev;
		stats.nonempty_waits++;
	}
	if (op->kind == K_CTL && r->ret == -1)
		stats.eloop += r->err == ELOOP, stats.einval += r->err == EINVAL;
}

static int rec_equal(const struct rec *a, const struct rec *b)
{
	if (a->ret != b->ret || a->err != b->err || a->nev != b->nev || a->extra != b->extra)
		return 0;
	return !memcmp(a->ev, b->ev, a->nev * sizeof(a->ev[0]));
}

static void rec_str(const struct rec *r, char *buf, size_t len)
{
	int off = snprintf(buf, len, "ret %d", r->ret);

	if (r->ret == -1)
		off += snprintf(buf + off, len - off, " (%s)", strerror(r->err));
	if (r->extra)
		off += snprintf(buf + off, len - off, " extra %#x", r->extra);
	for (int i = 0; i < r->nev && off < (int)len; i++)
		off += snprintf(buf + off, len - off, " {%#x, %#llx}", r->ev[i].events,
				(unsigned long long)r->ev[i].data.u64);
}

/*
 * Run ops[0..n) in both worlds; the index of the first divergence, or -1.
 * verbose: print every op with both results.
 */
static long run_pair(const struct op *ops, long n, int verbose, int noclose,
		     struct rec *ra_out, struct rec *rb_out)
{
	int fa, fb, status;
	pid_t pa = spawn_world(&backend_epoll, ops, n, verbose, noclose, &fa);
	pid_t pb = spawn_world(&backend_ep2, ops, n, verbose, noclose, &fb);
	long diverged = -1;
	size_t sz = verbose ? sizeof(struct vrec) : sizeof(struct rec);

	if (pa < 0 || pb < 0)
		return -2;
	for (long i = 0; i < n; i++) {
		struct vrec va, vb;

		if (read_full(fa, &va, sz) || read_full(fb, &vb, sz)) {
			/* a world died: report it as ret -999 */
			diverged = i;
			if (ra_out) {
				memset(ra_out, 0, sizeof(*ra_out));
				ra_out->ret = -999;
			}
			if (rb_out) {
				memset(rb_out, 0, sizeof(*rb_out));
				rb_out->ret = -999;
			}
			break;
		}
		if (verbose) {
			char sa[400], sb[400];

			rec_str(&va.r, sa, sizeof(sa));
			rec_str(&vb.r, sb, sizeof(sb));
			ksft_print_msg("  op %ld: %s\n", i, va.desc);
			ksft_print_msg("      epoll: %s\n", sa);
			ksft_print_msg("      ep2:   %s%s\n", sb, rec_equal(&va.r, &vb.r) ? "" : "   <<< DIFFERS");
		}
		if (!verbose)
			count(&ops[i], &va.r);
		if (!rec_equal(&va.r, &vb.r)) {
			diverged = i;
			if (ra_out)
				*ra_out = va.r;
			if (rb_out)
				*rb_out = vb.r;
			break;
		}
	}
	kill(pa, SIGKILL);
	kill(pb, SIGKILL);
	waitpid(pa, &status, 0);
	waitpid(pb, &status, 0);
	close(fa);
	close(fb);
	return diverged;
}

/*
 * Delta debugging: the smallest op list (1-minimal, within a time budget)
 * that still diverges somewhere.  ops is shrunk in place; returns its length.
 */
static long shrink(struct op *ops, long n, int noclose, int budget_s)
{
	long long t0 = now_ns();
	long chunk = n / 2;
	struct op *tmp = malloc(n * sizeof(*ops));

	struct stats saved = stats;

	while (chunk >= 1 && elapsed_ms(t0) < budget_s * 1000LL) {
		int removed = 0;

		for (long start = 0; start < n && elapsed_ms(t0) < budget_s * 1000LL;) {
			long m = 0, end = start + chunk < n ? start + chunk : n, d;

			for (long i = 0; i < n; i++)
				if (i < start || i >= end)
					tmp[m++] = ops[i];
			d = m ? run_pair(tmp, m, 0, noclose, NULL, NULL) : -1;
			if (d >= 0) {
				/* still diverges: keep the prefix up to the divergence */
				n = d + 1;
				memcpy(ops, tmp, n * sizeof(*ops));
				removed = 1;
			} else {
				start += chunk;
			}
		}
		if (!removed)
			chunk /= 2;
		else if (chunk > n / 2)
			chunk = n / 2 ? n / 2 : 1;
	}
	free(tmp);
	stats = saved;
	return n;
}

/* Run seeds [seed0, seed0 + nseeds) with per_seed ops each; 0 or the failing seed's index + 1. */
static void run_seeds(struct __test_metadata *_metadata, uint64_t seed0, long total)
{
	long per_seed = env_int("EP2_FUZZ_SEED_OPS", 5000), done = 0;
	int noclose = env_int("EP2_FUZZ_NOCLOSE", 0);
	struct op *ops = malloc(per_seed * sizeof(*ops));
	long long t0 = now_ns();
	uint64_t seed = seed0;

	ASSERT_NE(NULL, ops);
	if (!ep2_available())
		SKIP(return, "eventpoll2 not available");
	/* the device fd is opened before the worlds fork: both inherit it */
	ASSERT_GE(ep2_device_fd(), 0);
	while (done < total) {
		long n = total - done < per_seed ? total - done : per_seed, d;
		struct rec ra, rb;

		gen_ops(seed, ops, n);
		d = run_pair(ops, n, 0, noclose, &ra, &rb);
		ASSERT_NE(-2, d);
		if (d >= 0) {
			char sa[400], sb[400];
			long m;

			rec_str(&ra, sa, sizeof(sa));
			rec_str(&rb, sb, sizeof(sb));
			ksft_print_msg("DIVERGENCE: seed %llu, op %ld (%s)\n", (unsigned long long)seed, d,
				       kind_name[ops[d].kind]);
			ksft_print_msg("  epoll: %s\n  ep2:   %s\n", sa, sb);
			ksft_print_msg("  reproduce (first test): EP2_FUZZ_SEED=%llu EP2_FUZZ_SEED_OPS=%ld EP2_FUZZ_OPS=%ld%s%s build/selftests/difftest_test\n",
				       (unsigned long long)seed, d + 1, 4 * (d + 1),
				       noclose ? " EP2_FUZZ_NOCLOSE=1" : "",
				       env_int("EP2_FUZZ_ORDER", 0) == 1 ? " EP2_FUZZ_ORDER=1" : "");
			m = shrink(ops, d + 1, noclose, 30);
			ksft_print_msg("minimal failing sequence (%ld ops, from a prefix of %ld):\n", m, d + 1);
			run_pair(ops, m, 1, noclose, NULL, NULL);
			done += d + 1;
			EXPECT_LT(d, 0) TH_LOG("epoll and eventpoll2 diverge (seed %llu, op %ld)",
					       (unsigned long long)seed, d);
			break;
		}
		done += n;
		seed++;
	}
	{
		long long ms = elapsed_ms(t0) ? elapsed_ms(t0) : 1;

		ksft_print_msg("difftest: seeds %llu..%llu, %ld ops executed in %lld ms (%lld ops/s)\n",
			       (unsigned long long)seed0, (unsigned long long)(seed > seed0 ? seed - 1 : seed),
			       done, ms, done * 1000 / ms);
		ksft_print_msg("  ctl %ld ok / %ld failed (%ld ELOOP, %ld EINVAL); waits %ld ok / %ld failed, "
			       "%ld with events, %ld events; writes %ld ok; closes %ld\n",
			       stats.ok[K_CTL], stats.fail[K_CTL], stats.eloop, stats.einval,
			       stats.ok[K_WAIT], stats.fail[K_WAIT], stats.nonempty_waits, stats.events,
			       stats.ok[K_WRITE], stats.ok[K_CLOSE]);
		ksft_print_msg("  batches %ld ok / %ld failed; ctl+waits %ld ok / %ld failed\n",
			       stats.ok[K_BATCH], stats.fail[K_BATCH], stats.ok[K_CTLWAIT],
			       stats.fail[K_CTLWAIT]);
	}
	free(ops);
}

/*
 * Four seed ranges; each runs a quarter of EP2_FUZZ_OPS.  The seed ranges do
 * not overlap as long as EP2_FUZZ_OPS / 4 / EP2_FUZZ_SEED_OPS < 1000000.
 */
FIXTURE(fuzz) { int unused; };
FIXTURE_SETUP(fuzz) { }
FIXTURE_TEARDOWN(fuzz) { }

static void fuzz_range(struct __test_metadata *_metadata, int range)
{
	long total = env_int("EP2_FUZZ_OPS", 100000);
	uint64_t seed0 = env_int("EP2_FUZZ_SEED", 1) + (uint64_t)range * 1000000;

	/* a watchdog: a hung world (or kernel) fails the test instead of the run */
	alarm(120 + total / 4 / 200);
	run_seeds(_metadata, seed0, total / 4);
	alarm(0);
}

TEST_F_TIMEOUT(fuzz, seeds_0xxxxxx, 100000) { fuzz_range(_metadata, 0); }
TEST_F_TIMEOUT(fuzz, seeds_1xxxxxx, 100000) { fuzz_range(_metadata, 1); }
TEST_F_TIMEOUT(fuzz, seeds_2xxxxxx, 100000) { fuzz_range(_metadata, 2); }
TEST_F_TIMEOUT(fuzz, seeds_3xxxxxx, 100000) { fuzz_range(_metadata, 3); }

TEST_HARNESS_MAIN
