// SPDX-License-Identifier: GPL-2.0
/*
 * soak.c - the soak lane (make soak; scripts/debug-lane.md "Soak"): a mixed
 * multi-threaded storm on eventpoll2 and native epoll for a chosen time,
 * then an exact account of every event signalled.
 *
 * Accounted sets.  Each group is one instance holding K eventfds, each
 * registered EPOLLIN | EPOLLET | EPOLLONESHOT.  Producers write 1 to random
 * eventfds (written[] counts).  A consumer that harvests an event for an fd
 * must be the only one holding it: it flips the fd's "armed" flag 1 -> 0
 * (a second harvest of the same arming is a DUPLICATE), reads the eventfd
 * (it must be readable: the event was a fresh poll; EAGAIN is an event
 * WITHOUT READINESS), adds what it read to consumed[], re-arms the flag and
 * then the item (EPOLL_CTL_MOD).  At the end, with producers and consumers
 * stopped, each fd's remaining count is read; remaining > 0 must come with a
 * pending event (else a LOST WAKEUP), and consumed + remaining == written
 * for every fd.  The groups:
 *
 *   ep2       an eventpoll2 instance, harvested by ep2_wait/pwait/pwait2
 *   ring      an eventpoll2 instance with a ready ring, harvested from the
 *             ring (any thread) and through waits
 *   native    a native epoll instance (the same checks hold for epoll)
 *   nested    an eventpoll2 instance watched by native epoll, watched by an
 *             eventpoll2 top instance that the consumers sleep on
 *   mixed     a native instance watched by an eventpoll2 instance that the
 *             consumers sleep on
 *
 * Around them: a churn thread (scratch instances, ctl ADD/MOD/DEL of pipes,
 * nesting of the accounted instances into scratch native and eventpoll2
 * instances and ELOOP attempts, dup/close of accounted fds, close of
 * watched fds, fork of children that use inherited instances and fds), and
 * a signaller (SIGUSR1 to the consumers: waits return EINTR).
 *
 * Usage: soak [-s SECONDS] [-t CONSUMERS_PER_GROUP] [-k FDS] [-p PRODUCERS]
 * Prints the counts, then "soak: PASS" or "soak: FAIL"; exit 0 on PASS.
 * The module's live objects (/sys/kernel/debug/eventpoll2/stats) must be
 * back to their values at the start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "eventpoll2.h"

enum { G_EP2, G_RING, G_NATIVE, G_NESTED, G_MIXED, NGROUPS };
static const char *const gname[NGROUPS] = { "ep2", "ring", "native", "nested", "mixed" };

#define MAXK 64
#define MAXT 8
#define EVMAX 16

struct slot {
	int fd;
	atomic_int armed;
	atomic_ulong written, consumed, harvested;
};

struct group {
	int id;
	int inst;		/* the instance holding the eventfds */
	int top;		/* what consumers sleep on (inst, or a nesting top) */
	int mid;		/* nested: the native instance between */
	int native_inst;	/* inst is native epoll */
	int native_top;		/* top is native epoll */
	struct ep2_ring *ring;
	struct slot s[MAXK];
};

static struct group groups[NGROUPS];
static int K = 32, T = 2, P = 2;
static long seconds = 30 * 60;
static atomic_int stop_producers, stop_churn, stop_consumers;
static atomic_int errors;
static atomic_ulong n_ops, n_ring_calls, n_waits, n_eintr, n_events, n_ring_events, n_ctl, n_close, n_dup,
	n_fork, n_nest, n_eloop, n_signals, n_writes, n_empty;

#define FAIL(...)                                                             \
	do {                                                                  \
		if (atomic_fetch_add(&errors, 1) < 20) {                      \
			fprintf(stderr, "soak: ERROR: " __VA_ARGS__);         \
			fputc('\n', stderr);                                  \
		}                                                             \
	} while (0)

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int xctl(int native, int ep, int op, int fd, struct epoll_event *ev)
{
	atomic_fetch_add(&n_ctl, 1);
	return native ? epoll_ctl(ep, op, fd, ev) : ep2_ctl(ep, op, fd, ev);
}

/* ---- consumers ---------------------------------------------------------- */

/* Take one harvested event of group g: the exactly-once and readiness checks. */
static void consume(struct group *g, const struct epoll_event *e)
{
	int i = (int)(e->data.u64 & 0xffff), gid = (int)(e->data.u64 >> 16);
	unsigned long long v;
	struct slot *s;
	struct epoll_event ev;

	atomic_fetch_add(&n_events, 1);
	if (gid != g->id || i >= K) {
		FAIL("%s: event with foreign data %#llx", gname[g->id], (unsigned long long)e->data.u64);
		return;
	}
	s = &g->s[i];
	atomic_fetch_add(&s->harvested, 1);
	if (!(e->events & EPOLLIN))
		FAIL("%s fd#%d: events %#x without EPOLLIN", gname[g->id], i, e->events);
	int one = 1;
	if (!atomic_compare_exchange_strong(&s->armed, &one, 0)) {
		FAIL("%s fd#%d: DUPLICATE: harvested again before it was re-armed", gname[g->id], i);
		return;
	}
	if (read(s->fd, &v, sizeof(v)) != sizeof(v)) {
		FAIL("%s fd#%d: event WITHOUT READINESS (read: %s)", gname[g->id], i, strerror(errno));
		v = 0;
	}
	atomic_fetch_add(&s->consumed, v);
	atomic_store(&s->armed, 1);
	ev.events = EPOLLIN | EPOLLET | EPOLLONESHOT;
	ev.data.u64 = e->data.u64;
	if (xctl(g->native_inst, g->inst, EPOLL_CTL_MOD, s->fd, &ev))
		FAIL("%s fd#%d: re-arm MOD: %s", gname[g->id], i, strerror(errno));
}

/* Harvest the accounted instance directly (timeout 0 or ms). */
static int harvest_inst(struct group *g, int timeout, unsigned long long *seed)
{
	struct epoll_event evs[EVMAX];
	int n, max = 1 + (int)(rnd(seed) % EVMAX);

	atomic_fetch_add(&n_waits, 1);
	if (g->native_inst) {
		n = epoll_wait(g->inst, evs, max, timeout);
	} else {
		switch (rnd(seed) % 3) {
		case 0:
			n = ep2_wait(g->inst, evs, max, timeout);
			break;
		case 1: {
			sigset_t m;
			sigemptyset(&m);
			n = ep2_pwait(g->inst, evs, max, timeout, &m);
			break;
		}
		default: {
			struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };
			n = ep2_pwait2(g->inst, evs, max, &ts, NULL);
			break;
		}
		}
	}
	if (n < 0) {
		if (errno == EINTR) {
			atomic_fetch_add(&n_eintr, 1);
			return 0;
		}
		FAIL("%s: wait: %s", gname[g->id], strerror(errno));
		return 0;
	}
	if (n == 0)
		atomic_fetch_add(&n_empty, 1);
	for (int j = 0; j < n; j++)
		consume(g, &evs[j]);
	return n;
}

static int harvest_ring(struct group *g, unsigned long long *seed)
{
	struct epoll_event evs[EVMAX];
	int n = ep2_ring_harvest(g->ring, evs, 1 + (int)(rnd(seed) % EVMAX));

	atomic_fetch_add(&n_ring_calls, 1);
	if (n < 0) {
		FAIL("ring harvest: %s", strerror(errno));
		return 0;
	}
	atomic_fetch_add(&n_ring_events, n);
	for (int j = 0; j < n; j++)
		consume(g, &evs[j]);
	return n;
}

static void on_usr1(int sig) { (void)sig; }

struct cons_arg {
	struct group *g;
	int idx;
	pthread_t th;
};

static void *consumer(void *p)
{
	struct cons_arg *a = p;
	struct group *g = a->g;
	unsigned long long seed = 0x9e3779b97f4a7c15ULL * (g->id * 16 + a->idx + 1);

	while (!atomic_load(&stop_consumers)) {
		atomic_fetch_add(&n_ops, 1);
		if (g->ring && (rnd(&seed) & 1) && harvest_ring(g, &seed))
			continue;
		if (g->top == g->inst) {
			harvest_inst(g, 50, &seed);
			continue;
		}
		/* Sleep on the nesting top, then take the accounted instance. */
		struct epoll_event tev[2];
		int n;
		atomic_fetch_add(&n_waits, 1);
		n = g->native_top ? epoll_wait(g->top, tev, 2, 50) : ep2_wait(g->top, tev, 2, 50);
		if (n < 0 && errno == EINTR) {
			atomic_fetch_add(&n_eintr, 1);
			continue;
		}
		if (n < 0) {
			FAIL("%s: wait on the top: %s", gname[g->id], strerror(errno));
			continue;
		}
		if (n > 0)
			harvest_inst(g, 0, &seed);
	}
	return NULL;
}

/* ---- producers ---------------------------------------------------------- */

static void *producer(void *p)
{
	unsigned long long seed = 0xdeadbeefcafeULL + (uintptr_t)p, one = 1;

	while (!atomic_load(&stop_producers)) {
		struct group *g = &groups[rnd(&seed) % NGROUPS];
		struct slot *s = &g->s[rnd(&seed) % K];

		if (write(s->fd, &one, sizeof(one)) != sizeof(one)) {
			FAIL("write: %s", strerror(errno));
			continue;
		}
		atomic_fetch_add(&s->written, 1);
		atomic_fetch_add(&n_writes, 1);
		atomic_fetch_add(&n_ops, 1);
		if ((rnd(&seed) & 63) == 0)
			usleep(rnd(&seed) % 2000);
	}
	return NULL;
}

/* ---- churn -------------------------------------------------------------- */

static int any_create(int native)
{
	return native ? epoll_create1(EPOLL_CLOEXEC) : ep2_create1(EP2_CLOEXEC);
}

/* A child: touch inherited instances and fds without consuming anything. */
static void child_work(unsigned long long seed)
{
	int ep = any_create(rnd(&seed) & 1);
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	struct group *g = &groups[rnd(&seed) % NGROUPS];

	if (ep < 0)
		_exit(2);
	/* Watch an inherited eventfd and an inherited instance (not harvested). */
	ev.data.u32 = 1;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, g->s[0].fd, &ev) && ep2_ctl(ep, EPOLL_CTL_ADD, g->s[0].fd, &ev))
		_exit(3);
	ev.data.u32 = 2;
	(void)(epoll_ctl(ep, EPOLL_CTL_ADD, g->inst, &ev) && ep2_ctl(ep, EPOLL_CTL_ADD, g->inst, &ev));
	(void)(epoll_wait(ep, evs, 4, 1) < 0 && ep2_wait(ep, evs, 4, 1));
	/* Closing inherited fds affects only this process. */
	close(g->s[1].fd);
	close(g->inst);
	_exit(0);
}

static void *churn(void *p)
{
	unsigned long long seed = 0x1234567ULL;
	int scratch[4] = { -1, -1, -1, -1 }, sn[4] = { 0 };
	int pipes[8][2];
	double last_fork = 0;

	(void)p;
	for (int i = 0; i < 8; i++)
		if (pipe2(pipes[i], O_NONBLOCK | O_CLOEXEC))
			pipes[i][0] = pipes[i][1] = -1;
	while (!atomic_load(&stop_churn)) {
		unsigned op = rnd(&seed) % 10;
		int si = rnd(&seed) % 4;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x5c5c };

		atomic_fetch_add(&n_ops, 1);
		if (scratch[si] < 0) {
			sn[si] = rnd(&seed) & 1;
			scratch[si] = any_create(sn[si]);
			if (scratch[si] < 0)
				FAIL("create: %s", strerror(errno));
			continue;
		}
		switch (op) {
		case 0: case 1: case 2: {	/* ctl on pipes */
			int pi = rnd(&seed) % 8, end = rnd(&seed) & 1, fd = pipes[pi][end];
			int cop = 1 + rnd(&seed) % 3;
			ev.events = end ? EPOLLOUT : EPOLLIN | (rnd(&seed) & 1 ? EPOLLET : 0);
			xctl(sn[si], scratch[si], cop, fd, &ev);
			if (end == 0 && (rnd(&seed) & 1)) {
				char c = 'x';
				if (write(pipes[pi][1], &c, 1) < 0 && errno != EAGAIN)
					FAIL("pipe write: %s", strerror(errno));
			} else if (end == 0) {
				char buf[64];
				(void)!read(fd, buf, sizeof(buf));
			}
			break;
		}
		case 3: {	/* nest an accounted instance (or its top) somewhere */
			struct group *g = &groups[rnd(&seed) % NGROUPS];
			int target = rnd(&seed) & 1 ? g->inst : g->top;
			atomic_fetch_add(&n_nest, 1);
			if (xctl(sn[si], scratch[si], EPOLL_CTL_ADD, target, &ev) && errno != EEXIST &&
			    errno != ELOOP && errno != EINVAL)
				FAIL("nest ADD: %s", strerror(errno));
			/* and a cycle attempt between two scratch instances */
			int sj = (si + 1) % 4;
			if (scratch[sj] >= 0 && sn[si] == sn[sj]) {
				int in = xctl(sn[si], scratch[si], EPOLL_CTL_ADD, scratch[sj], &ev) == 0 || errno == EEXIST;
				/* si now watches sj: sj watching si would close a cycle */
				if (xctl(sn[sj], scratch[sj], EPOLL_CTL_ADD, scratch[si], &ev) == 0 && in)
					FAIL("%s: a two-instance cycle was accepted", sn[si] ? "native" : "eventpoll2");
				else if (errno == ELOOP)
					atomic_fetch_add(&n_eloop, 1);
			}
			break;
		}
		case 4: {	/* watch an accounted eventfd LT from a scratch instance */
			struct group *g = &groups[rnd(&seed) % NGROUPS];
			int fd = g->s[rnd(&seed) % K].fd;
			ev.events = EPOLLIN;
			if (xctl(sn[si], scratch[si], EPOLL_CTL_ADD, fd, &ev) && errno != EEXIST)
				FAIL("scratch ADD of an accounted fd: %s", strerror(errno));
			if (rnd(&seed) & 1) {
				struct epoll_event evs[8];
				/* a scratch instance never reads: its events are not counted */
				if ((sn[si] ? epoll_wait(scratch[si], evs, 8, 0) : ep2_wait(scratch[si], evs, 8, 0)) < 0 &&
				    errno != EINTR)
					FAIL("scratch wait: %s", strerror(errno));
				atomic_fetch_add(&n_waits, 1);
			}
			break;
		}
		case 5: {	/* dup an accounted fd and close the dup (items stay) */
			struct group *g = &groups[rnd(&seed) % NGROUPS];
			int d = dup(g->s[rnd(&seed) % K].fd);
			atomic_fetch_add(&n_dup, 1);
			if (d < 0) {
				FAIL("dup: %s", strerror(errno));
				break;
			}
			if (rnd(&seed) & 1) {
				ev.events = EPOLLIN;
				xctl(sn[si], scratch[si], EPOLL_CTL_ADD, d, &ev);
			}
			close(d);
			atomic_fetch_add(&n_close, 1);
			break;
		}
		case 6: {	/* close a watched pipe end, make a new pipe */
			int pi = rnd(&seed) % 8;
			close(pipes[pi][0]);
			close(pipes[pi][1]);
			atomic_fetch_add(&n_close, 2);
			if (pipe2(pipes[pi], O_NONBLOCK | O_CLOEXEC))
				pipes[pi][0] = pipes[pi][1] = -1;
			break;
		}
		case 7:		/* close a scratch instance (with its items) */
			close(scratch[si]);
			scratch[si] = -1;
			atomic_fetch_add(&n_close, 1);
			break;
		case 8: {	/* fork */
			if (now() - last_fork < 0.05)
				break;
			last_fork = now();
			pid_t pid = fork();
			if (pid == 0)
				child_work(seed);
			if (pid < 0) {
				FAIL("fork: %s", strerror(errno));
				break;
			}
			int st;
			if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
				FAIL("child: status %#x", st);
			atomic_fetch_add(&n_fork, 1);
			break;
		}
		default: {	/* mixed scratch chain: native <-> eventpoll2 both ways */
			int sj = (si + 1) % 4;
			if (scratch[sj] >= 0 && sn[si] != sn[sj]) {
				atomic_fetch_add(&n_nest, 1);
				xctl(sn[si], scratch[si], EPOLL_CTL_ADD, scratch[sj], &ev);
				xctl(sn[sj], scratch[sj], EPOLL_CTL_ADD, scratch[si], &ev);
				struct epoll_event evs[4];
				(void)(sn[si] ? epoll_wait(scratch[si], evs, 4, 0) : ep2_wait(scratch[si], evs, 4, 0));
				atomic_fetch_add(&n_waits, 1);
			}
			break;
		}
		}
	}
	for (int i = 0; i < 4; i++)
		if (scratch[i] >= 0)
			close(scratch[i]);
	for (int i = 0; i < 8; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	return NULL;
}

/* ---- signals ------------------------------------------------------------ */

static struct cons_arg cons[NGROUPS][MAXT];

static void *signaller(void *p)
{
	unsigned long long seed = 0xabcdefULL;

	(void)p;
	while (!atomic_load(&stop_churn)) {
		struct cons_arg *a = &cons[rnd(&seed) % NGROUPS][rnd(&seed) % T];
		pthread_kill(a->th, SIGUSR1);
		atomic_fetch_add(&n_signals, 1);
		usleep(2000 + rnd(&seed) % 8000);
	}
	return NULL;
}

/* ---- module statistics -------------------------------------------------- */

#define STATS "/sys/kernel/debug/eventpoll2/stats"

static int read_stats(char *buf, size_t len)
{
	FILE *f = fopen(STATS, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return 0;
}

/* ---- set-up and the final account --------------------------------------- */

static void setup_group(struct group *g, int id)
{
	struct epoll_event ev;

	g->id = id;
	g->native_inst = id == G_NATIVE || id == G_MIXED;
	if (id == G_RING) {
		g->inst = ep2_create_ring(EP2_CLOEXEC, 256);
		g->ring = ep2_ring_get(g->inst);
	} else {
		g->inst = any_create(g->native_inst);
	}
	if (g->inst < 0 || (id == G_RING && !g->ring)) {
		perror("soak: create");
		exit(2);
	}
	for (int i = 0; i < K; i++) {
		struct slot *s = &g->s[i];
		s->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		atomic_store(&s->armed, 1);
		ev.events = EPOLLIN | EPOLLET | EPOLLONESHOT;
		ev.data.u64 = ((unsigned long long)id << 16) | (unsigned)i;
		if (s->fd < 0 || xctl(g->native_inst, g->inst, EPOLL_CTL_ADD, s->fd, &ev)) {
			perror("soak: eventfd/ADD");
			exit(2);
		}
	}
	g->top = g->inst;
	ev.events = EPOLLIN;
	ev.data.u64 = 0x70b;
	if (id == G_NESTED) {
		/* eventpoll2 inst <- native mid <- eventpoll2 top */
		g->mid = epoll_create1(EPOLL_CLOEXEC);
		g->top = ep2_create1(EP2_CLOEXEC);
		if (g->mid < 0 || g->top < 0 || epoll_ctl(g->mid, EPOLL_CTL_ADD, g->inst, &ev) ||
		    ep2_ctl(g->top, EPOLL_CTL_ADD, g->mid, &ev)) {
			perror("soak: nested set-up");
			exit(2);
		}
	} else if (id == G_MIXED) {
		/* native inst <- eventpoll2 top */
		g->mid = -1;
		g->top = ep2_create1(EP2_CLOEXEC);
		if (g->top < 0 || ep2_ctl(g->top, EPOLL_CTL_ADD, g->inst, &ev)) {
			perror("soak: mixed set-up");
			exit(2);
		}
	} else {
		g->mid = -1;
	}
}

/* With everything stopped: each fd's remaining count, and its pending event. */
static void final_account(unsigned long *checked)
{
	for (int id = 0; id < NGROUPS; id++) {
		struct group *g = &groups[id];
		int pending[MAXK] = { 0 };
		struct epoll_event evs[MAXK];
		int n;

		if (g->ring) {
			while ((n = ep2_ring_harvest(g->ring, evs, MAXK)) > 0)
				for (int j = 0; j < n; j++)
					pending[evs[j].data.u64 & 0xffff]++;
		}
		do {
			n = g->native_inst ? epoll_wait(g->inst, evs, MAXK, 0) : ep2_wait(g->inst, evs, MAXK, 0);
			for (int j = 0; j < n; j++)
				pending[evs[j].data.u64 & 0xffff]++;
		} while (n > 0);
		if (n < 0)
			FAIL("%s: final wait: %s", gname[id], strerror(errno));
		for (int i = 0; i < K; i++) {
			struct slot *s = &g->s[i];
			unsigned long long v = 0;
			if (read(s->fd, &v, sizeof(v)) != sizeof(v))
				v = 0;
			if (pending[i] > 1)
				FAIL("%s fd#%d: %d pending events for one ONESHOT arming", gname[id], i, pending[i]);
			if (v && !pending[i])
				FAIL("%s fd#%d: LOST WAKEUP: %llu signalled and unread, no event pending",
				     gname[id], i, v);
			if (atomic_load(&s->consumed) + v != atomic_load(&s->written))
				FAIL("%s fd#%d: consumed %lu + remaining %llu != written %lu", gname[id], i,
				     atomic_load(&s->consumed), v, atomic_load(&s->written));
			*checked += atomic_load(&s->harvested) + 1;
		}
	}
}

int main(int argc, char **argv)
{
	pthread_t prod[MAXT], ch, sg;
	char base[512], after[512];
	int opt, have_stats;
	unsigned long checked = 0;
	double t0;

	while ((opt = getopt(argc, argv, "s:t:k:p:")) != -1) {
		switch (opt) {
		case 's': seconds = atol(optarg); break;
		case 't': T = atoi(optarg); break;
		case 'k': K = atoi(optarg); break;
		case 'p': P = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: soak [-s SECONDS] [-t CONSUMERS] [-k FDS] [-p PRODUCERS]\n");
			return 2;
		}
	}
	if (K < 2 || K > MAXK || T < 1 || T > MAXT || P < 1 || P > MAXT || seconds < 1) {
		fprintf(stderr, "soak: bad arguments\n");
		return 2;
	}
	if (!ep2_available()) {
		perror("soak: /dev/eventpoll2");
		return 2;
	}
	if (access(STATS, R_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	have_stats = read_stats(base, sizeof(base)) == 0;

	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);

	for (int id = 0; id < NGROUPS; id++)
		setup_group(&groups[id], id);
	printf("soak: %ld s, %d groups x %d eventfds, %d consumers per group, %d producers\n",
	       seconds, NGROUPS, K, T, P);
	fflush(stdout);
	t0 = now();
	for (int id = 0; id < NGROUPS; id++)
		for (int i = 0; i < T; i++) {
			cons[id][i] = (struct cons_arg){ &groups[id], i, 0 };
			pthread_create(&cons[id][i].th, NULL, consumer, &cons[id][i]);
		}
	for (int i = 0; i < P; i++)
		pthread_create(&prod[i], NULL, producer, (void *)(uintptr_t)i);
	pthread_create(&ch, NULL, churn, NULL);
	pthread_create(&sg, NULL, signaller, NULL);

	for (long last = -1; now() - t0 < seconds && atomic_load(&errors) == 0;) {
		sleep(1);
		long el = (long)(now() - t0);
		if (el / 60 != last / 60 || last < 0) {
			printf("soak: %ld s: %lu ops, %lu events, %lu waits, %lu EINTR\n", el,
			       atomic_load(&n_ops), atomic_load(&n_events), atomic_load(&n_waits),
			       atomic_load(&n_eintr));
			fflush(stdout);
		}
		last = el;
	}
	atomic_store(&stop_producers, 1);
	for (int i = 0; i < P; i++)
		pthread_join(prod[i], NULL);
	atomic_store(&stop_churn, 1);
	pthread_join(ch, NULL);
	pthread_join(sg, NULL);
	/* Let the consumers take what is pending, then stop them. */
	usleep(500000);
	atomic_store(&stop_consumers, 1);
	for (int id = 0; id < NGROUPS; id++)
		for (int i = 0; i < T; i++)
			pthread_join(cons[id][i].th, NULL);
	final_account(&checked);

	for (int id = 0; id < NGROUPS; id++) {
		struct group *g = &groups[id];
		if (g->top != g->inst)
			close(g->top);
		if (g->mid >= 0)
			close(g->mid);
		for (int i = 0; i < K; i++)
			close(g->s[i].fd);
		if (g->ring)
			ep2_close(g->inst);
		else
			close(g->inst);
	}
	int stats_ok = 1;
	if (have_stats) {
		/* Frees after the last close may be deferred (RCU): allow 10 s. */
		for (int i = 0; i < 100; i++) {
			read_stats(after, sizeof(after));
			if (!strcmp(base, after))
				break;
			usleep(100000);
		}
		stats_ok = !strcmp(base, after);
		if (!stats_ok)
			FAIL("module objects not back to baseline:\n--- start\n%s--- end\n%s", base, after);
	}

	unsigned long per[NGROUPS] = { 0 };
	for (int id = 0; id < NGROUPS; id++)
		for (int i = 0; i < K; i++)
			per[id] += atomic_load(&groups[id].s[i].harvested);
	printf("soak: %.0f s; %lu operations: %lu writes, %lu waits (%lu EINTR, %lu empty), %lu ring harvests, "
	       "%lu ctl, %lu close, %lu dup, %lu fork, %lu nesting ADDs (%lu ELOOP), %lu signals\n",
	       now() - t0, atomic_load(&n_writes) + atomic_load(&n_waits) + atomic_load(&n_ring_calls) +
	       atomic_load(&n_ctl) + atomic_load(&n_close) + atomic_load(&n_dup) + atomic_load(&n_fork) +
	       atomic_load(&n_signals),
	       atomic_load(&n_writes), atomic_load(&n_waits), atomic_load(&n_eintr), atomic_load(&n_empty),
	       atomic_load(&n_ring_calls),
	       atomic_load(&n_ctl), atomic_load(&n_close), atomic_load(&n_dup), atomic_load(&n_fork),
	       atomic_load(&n_nest), atomic_load(&n_eloop), atomic_load(&n_signals));
	printf("soak: events harvested %lu (%lu from the ring); per group:", atomic_load(&n_events),
	       atomic_load(&n_ring_events));
	for (int id = 0; id < NGROUPS; id++)
		printf(" %s %lu", gname[id], per[id]);
	printf("\nsoak: events checked %lu (every harvest, plus %d final accounts), module objects %s\n",
	       checked, NGROUPS * K, have_stats ? (stats_ok ? "back to baseline" : "NOT back to baseline") : "not readable");
	if (atomic_load(&errors)) {
		printf("soak: FAIL (%d errors)\n", atomic_load(&errors));
		return 1;
	}
	printf("soak: PASS\n");
	return 0;
}
