// SPDX-License-Identifier: GPL-2.0
/*
 * signal_test.c - signals and epoll_pwait()/epoll_pwait2():
 * the temporary mask (applied for the wait only, SIGKILL/SIGSTOP stripped,
 * restored on return, restored only after the handler on EINTR), EINTR
 * (never restarted, even with SA_RESTART), timeout 0 never EINTR, events
 * before signals, sigsetsize and sigmask pointer checks.
 */
#include "backend.h"
#include "util.h"
#include <sys/wait.h>
#include <linux/time_types.h>
#include "kselftest_harness.h"

FIXTURE(sig) {
	int ep;
	int p[2];
};
BACKEND_VARIANTS(sig);

static volatile sig_atomic_t hits[65];
static volatile sig_atomic_t usr2_blocked_in_handler = -1;

static void handler(int sig)
{
	sigset_t cur;

	hits[sig]++;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	usr2_blocked_in_handler = sigismember(&cur, SIGUSR2);
}

static int install(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int blocked(int sig)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static int pending(int sig)
{
	sigset_t s;

	sigpending(&s);
	return sigismember(&s, sig);
}

static void mask_of(sigset_t *s, int a, int b)
{
	sigemptyset(s);
	if (a)
		sigaddset(s, a);
	if (b)
		sigaddset(s, b);
}

/* Block only a and b (0 = none) in the calling thread. */
static void set_mask(int a, int b)
{
	sigset_t s;

	mask_of(&s, a, b);
	sigprocmask(SIG_SETMASK, &s, NULL);
}

/* SigBlk of task tid of process pid (0 = self), or ~0ULL. */
static unsigned long long sigblk_of(pid_t pid, pid_t tid)
{
	char path[96], line[256];
	unsigned long long v = ~0ULL;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigBlk: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* State letter of pid (from /proc/pid/stat), or '?'. */
static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

#define BIT(sig) (1ULL << ((sig) - 1))

FIXTURE_SETUP(sig)
{
	memset((void *)hits, 0, sizeof(hits));
	set_mask(0, 0);
	self->ep = B->create1(0);
	ASSERT_GE(self->ep, 0);
	ASSERT_EQ(0, pipe2(self->p, O_NONBLOCK));
	ASSERT_EQ(0, ev_add(B, self->ep, self->p[0], EPOLLIN, 0x5a));
}

FIXTURE_TEARDOWN(sig)
{
	close(self->ep);
	close(self->p[0]);
	close(self->p[1]);
}

/* ---- the temporary mask ----------------------------------------------------------- */

/* pwait mask {USR1}; USR1 sent to the waiter mid-wait → no EINTR, 0 at timeout; handler runs after */
TEST_F(sig, pwait_mask_blocks_signal_during_wait)
{
	struct epoll_event ev;
	struct delayed d;
	sigset_t m;
	long long t0 = now_ns();

	ASSERT_EQ(0, install(SIGUSR1, 0));
	mask_of(&m, SIGUSR1, 0);
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 50));
	EXPECT_EQ(0, B->pwait(self->ep, &ev, 1, 400, &m));
	EXPECT_GE(elapsed_ms(t0), 400);
	delayed_join(&d);
	/* mask restored (USR1 unblocked): the handler has run by now */
	EXPECT_EQ(1, hits[SIGUSR1]);
	EXPECT_EQ(0, blocked(SIGUSR1));
}

/* same with pwait2 and a 400 ms timespec */
TEST_F(sig, pwait2_mask_blocks_signal_during_wait)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 400 * 1000000L };
	struct delayed d;
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	mask_of(&m, SIGUSR1, 0);
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 50));
	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &ts, &m));
	delayed_join(&d);
	EXPECT_EQ(1, hits[SIGUSR1]);
}

/* USR1 blocked and pending; pwait with a mask that still blocks it → 0, still pending */
TEST_F(sig, pwait_mask_keeps_pending_blocked)
{
	struct epoll_event ev;
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	mask_of(&m, SIGUSR1, SIGUSR2);
	EXPECT_EQ(0, B->pwait(self->ep, &ev, 1, 100, &m));
	EXPECT_EQ(0, hits[SIGUSR1]);
	EXPECT_TRUE(pending(SIGUSR1));
	EXPECT_TRUE(blocked(SIGUSR1));
	EXPECT_FALSE(blocked(SIGUSR2));
	set_mask(0, 0);
	EXPECT_EQ(1, hits[SIGUSR1]);
}

/* USR1 blocked and pending; pwait with an empty mask → EINTR, handler ran, USR1 blocked again */
TEST_F(sig, pwait_mask_unblocks_pending_eintr)
{
	struct epoll_event ev;
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	sigemptyset(&m);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 5000, &m));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, hits[SIGUSR1]);
	EXPECT_FALSE(pending(SIGUSR1));
	EXPECT_TRUE(blocked(SIGUSR1));
}

/* on EINTR the handler runs with the pwait mask in force; the old mask comes back after it */
TEST_F(sig, handler_runs_under_pwait_mask)
{
	struct epoll_event ev;
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, SIGUSR2);
	raise(SIGUSR1);
	sigemptyset(&m);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, -1, &m));
	EXPECT_EQ(EINTR, errno);
	ASSERT_EQ(1, hits[SIGUSR1]);
	EXPECT_EQ(0, usr2_blocked_in_handler);
	EXPECT_TRUE(blocked(SIGUSR1));
	EXPECT_TRUE(blocked(SIGUSR2));
}

/* pwait2: pending USR1 unblocked by the pwait2 mask → EINTR, handler ran, mask restored */
TEST_F(sig, pwait2_mask_unblocks_pending_eintr)
{
	struct epoll_event ev;
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, SIGUSR2);
	raise(SIGUSR1);
	mask_of(&m, SIGUSR2, 0);
	errno = 0;
	EXPECT_EQ(-1, B->pwait2(self->ep, &ev, 1, NULL, &m));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, hits[SIGUSR1]);
	EXPECT_EQ(1, usr2_blocked_in_handler);
	EXPECT_TRUE(blocked(SIGUSR1));
	EXPECT_TRUE(blocked(SIGUSR2));
}

/* a NULL sigmask leaves the thread's mask alone: pending blocked USR1 stays pending */
TEST_F(sig, null_sigmask_keeps_thread_mask)
{
	struct epoll_event ev;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	EXPECT_EQ(0, B->pwait(self->ep, &ev, 1, 100, NULL));
	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &(struct timespec){ 0, 1000000 }, NULL));
	EXPECT_EQ(0, hits[SIGUSR1]);
	EXPECT_TRUE(pending(SIGUSR1));
}

/* while the waiter sleeps, its SigBlk is the pwait mask ({USR1, USR2}) exactly */
struct status_probe {
	pid_t tid;
	int wfd;
	unsigned long long seen;
	unsigned long long want;
};

static void *probe_fn(void *arg)
{
	struct status_probe *s = arg;
	uint64_t one = 1;

	for (int i = 0; i < 500; i++) {
		s->seen = sigblk_of(0, s->tid);
		if (s->seen == s->want)
			break;
		sleep_ms(10);
	}
	if (write(s->wfd, &one, sizeof(one)) < 0)
		perror("probe write");
	return NULL;
}

TEST_F(sig, pwait_mask_in_force_during_wait)
{
	struct status_probe s = { .tid = gettid(), .wfd = self->p[1],
				  .want = BIT(SIGUSR1) | BIT(SIGUSR2) };
	struct epoll_event ev;
	pthread_t thr;
	sigset_t m;

	ASSERT_EQ(0, sigblk_of(0, s.tid));
	mask_of(&m, SIGUSR1, SIGUSR2);
	ASSERT_EQ(0, pthread_create(&thr, NULL, probe_fn, &s));
	EXPECT_EQ(1, B->pwait(self->ep, &ev, 1, 20000, &m));
	pthread_join(thr, NULL);
	EXPECT_EQ(s.want, s.seen);
	EXPECT_EQ(0, sigblk_of(0, s.tid));
}

/* pwait with a full mask: SIGKILL and SIGSTOP are stripped from what is in force */
TEST_F(sig, full_mask_strips_kill_and_stop)
{
	struct status_probe s = { .tid = gettid(), .wfd = self->p[1] };
	struct epoll_event ev;
	pthread_t thr;
	sigset_t m;

	sigfillset(&m);
	/* what the kernel should install: the full set minus KILL and STOP */
	s.want = 0;
	for (int sig = 1; sig <= 64; sig++)
		if (sigismember(&m, sig) == 1 && sig != SIGKILL && sig != SIGSTOP)
			s.want |= BIT(sig);
	ASSERT_EQ(0, pthread_create(&thr, NULL, probe_fn, &s));
	EXPECT_EQ(1, B->pwait(self->ep, &ev, 1, 20000, &m));
	pthread_join(thr, NULL);
	EXPECT_EQ(s.want, s.seen);
	EXPECT_EQ(0, s.seen & (BIT(SIGKILL) | BIT(SIGSTOP)));
	EXPECT_EQ(0, sigblk_of(0, s.tid));
}

/* a child in pwait(-1) with every signal blocked still dies of SIGKILL */
TEST_F(sig, sigkill_cannot_be_blocked)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct epoll_event ev;
		sigset_t m;

		sigfillset(&m);
		B->pwait(self->ep, &ev, 1, -1, &m);
		_exit(3);
	}
	/* wait until the child sleeps with the big mask in force */
	for (int i = 0; i < 500; i++) {
		unsigned long long b = sigblk_of(pid, 0);

		if (b != ~0ULL && (b & BIT(SIGUSR1)) && state_of(pid) == 'S')
			break;
		sleep_ms(10);
	}
	EXPECT_EQ('S', state_of(pid));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

/* ---- restoring the mask --------------------------------------------------------------- */

/* mask restored after a timeout, an event, and errors (EINVAL, EBADF, EFAULT) */
TEST_F(sig, mask_restored_after_every_return)
{
	struct epoll_event ev;
	sigset_t m;

	set_mask(SIGHUP, 0);
	mask_of(&m, SIGUSR1, SIGUSR2);
	EXPECT_EQ(0, B->pwait(self->ep, &ev, 1, 10, &m));		/* timeout */
	EXPECT_TRUE(blocked(SIGHUP));
	EXPECT_FALSE(blocked(SIGUSR1));
	ASSERT_EQ(1, write1(self->p[1]));
	EXPECT_EQ(1, B->pwait(self->ep, &ev, 1, -1, &m));		/* event */
	EXPECT_FALSE(blocked(SIGUSR1));
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 0, 0, &m));		/* EINVAL */
	EXPECT_FALSE(blocked(SIGUSR2));
	EXPECT_EQ(-1, B->pwait(-1, &ev, 1, 0, &m));			/* EBADF */
	EXPECT_FALSE(blocked(SIGUSR1));
	EXPECT_EQ(-1, B->pwait(self->ep, NULL, 1, 0, &m));		/* EFAULT */
	EXPECT_EQ(EFAULT, errno);
	EXPECT_FALSE(blocked(SIGUSR1));
	EXPECT_FALSE(blocked(SIGUSR2));
	EXPECT_TRUE(blocked(SIGHUP));
	EXPECT_EQ(0, sigblk_of(0, gettid()) & (BIT(SIGUSR1) | BIT(SIGUSR2)));
}

/* pwait2 restores the mask after a timeout and after EINVAL (bad timespec is before the mask) */
TEST_F(sig, pwait2_mask_restored)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 10 * 1000000L };
	sigset_t m;

	mask_of(&m, SIGUSR1, 0);
	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &ts, &m));
	EXPECT_FALSE(blocked(SIGUSR1));
	EXPECT_EQ(-1, B->pwait2(self->ep, &ev, -1, &ts, &m));
	EXPECT_FALSE(blocked(SIGUSR1));
}

/* ---- EINTR ----------------------------------------------------------------------------- */

/* wait(-1), nothing ready, a handled signal arrives → EINTR, handler ran once */
TEST_F(sig, eintr_infinite_wait)
{
	struct epoll_event ev;
	struct delayed d;
	long long t0 = now_ns();

	ASSERT_EQ(0, install(SIGUSR1, 0));
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 100));
	errno = 0;
	EXPECT_EQ(-1, B->wait(self->ep, &ev, 1, -1));
	EXPECT_EQ(EINTR, errno);
	EXPECT_GE(elapsed_ms(t0), 100);
	EXPECT_EQ(1, hits[SIGUSR1]);
	delayed_join(&d);
}

/* wait(20 s), signal after 100 ms → EINTR early */
TEST_F(sig, eintr_positive_timeout)
{
	struct epoll_event ev;
	struct delayed d;
	long long t0 = now_ns();

	ASSERT_EQ(0, install(SIGUSR2, 0));
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR2, 100));
	errno = 0;
	EXPECT_EQ(-1, B->wait(self->ep, &ev, 1, 20000));
	EXPECT_EQ(EINTR, errno);
	EXPECT_LT(elapsed_ms(t0), 15000);
	EXPECT_EQ(1, hits[SIGUSR2]);
	delayed_join(&d);
}

/* pwait2(NULL timeout, NULL mask), signal → EINTR */
TEST_F(sig, eintr_pwait2_null_timeout)
{
	struct epoll_event ev;
	struct delayed d;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 100));
	errno = 0;
	EXPECT_EQ(-1, B->pwait2(self->ep, &ev, 1, NULL, NULL));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, hits[SIGUSR1]);
	delayed_join(&d);
}

/* SA_RESTART does not restart epoll: wait, pwait and pwait2 all give EINTR */
TEST_F(sig, sa_restart_still_eintr)
{
	struct epoll_event ev;
	struct timespec ts = { 3, 0 };
	struct delayed d;

	ASSERT_EQ(0, install(SIGUSR1, SA_RESTART));
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 100));
	errno = 0;
	EXPECT_EQ(-1, B->wait(self->ep, &ev, 1, 3000));
	EXPECT_EQ(EINTR, errno);
	delayed_join(&d);
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 100));
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 3000, NULL));
	EXPECT_EQ(EINTR, errno);
	delayed_join(&d);
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 100));
	errno = 0;
	EXPECT_EQ(-1, B->pwait2(self->ep, &ev, 1, &ts, NULL));
	EXPECT_EQ(EINTR, errno);
	delayed_join(&d);
	EXPECT_EQ(3, hits[SIGUSR1]);
}

/* SA_RESTART + pending signal unblocked by the pwait mask → EINTR, not a restarted wait */
TEST_F(sig, sa_restart_pwait_mask_eintr)
{
	struct epoll_event ev;
	sigset_t m;
	long long t0 = now_ns();

	ASSERT_EQ(0, install(SIGUSR1, SA_RESTART));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	sigemptyset(&m);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 3000, &m));
	EXPECT_EQ(EINTR, errno);
	EXPECT_LT(elapsed_ms(t0), 2500);
	EXPECT_EQ(1, hits[SIGUSR1]);
}

/* timeout 0 never gives EINTR: pending signal unblocked by the mask → 0, still pending */
TEST_F(sig, timeout_zero_never_eintr)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 0 };
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	sigemptyset(&m);
	EXPECT_EQ(0, B->pwait(self->ep, &ev, 1, 0, &m));
	EXPECT_EQ(0, B->pwait2(self->ep, &ev, 1, &ts, &m));
	EXPECT_EQ(0, hits[SIGUSR1]);
	EXPECT_TRUE(pending(SIGUSR1));
	EXPECT_TRUE(blocked(SIGUSR1));
}

/* a ready event wins over a pending signal: returns 1, no handler, signal still pending */
TEST_F(sig, ready_event_beats_pending_signal)
{
	struct epoll_event ev = { 0 };
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	ASSERT_EQ(1, write1(self->p[1]));
	sigemptyset(&m);
	ASSERT_EQ(1, B->pwait(self->ep, &ev, 1, -1, &m));
	EXPECT_EQ(0x5a, ev.data.u64);
	EXPECT_EQ(0, hits[SIGUSR1]);
	EXPECT_TRUE(pending(SIGUSR1));
	EXPECT_TRUE(blocked(SIGUSR1));
}

/* pending signal, stale ready item (empty harvest), positive timeout → EINTR, not 0 */
TEST_F(sig, stale_item_then_pending_signal_eintr)
{
	struct epoll_event ev;
	sigset_t m;
	char c;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	sigemptyset(&m);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 5000, &m));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, hits[SIGUSR1]);
}

/* an event arriving after an EINTR is reported by the next wait */
TEST_F(sig, event_after_eintr_reported)
{
	struct epoll_event ev = { 0 };
	struct delayed d;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	ASSERT_EQ(0, delayed_signal(&d, pthread_self(), SIGUSR1, 50));
	EXPECT_EQ(-1, B->wait(self->ep, &ev, 1, 5000));
	delayed_join(&d);
	ASSERT_EQ(1, write1(self->p[1]));
	ASSERT_EQ(1, B->wait(self->ep, &ev, 1, 5000));
	EXPECT_EQ(0x5a, ev.data.u64);
}

/* a signal sent to another thread does not interrupt this thread's wait */
static void *sleeper_fn(void *arg)
{
	sleep_ms(600);
	return NULL;
}

TEST_F(sig, signal_to_other_thread_no_eintr)
{
	struct epoll_event ev;
	struct delayed d;
	pthread_t other;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	ASSERT_EQ(0, pthread_create(&other, NULL, sleeper_fn, NULL));
	ASSERT_EQ(0, delayed_signal(&d, other, SIGUSR1, 50));
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 300));
	delayed_join(&d);
	pthread_join(other, NULL);
	EXPECT_EQ(1, hits[SIGUSR1]);
}

/* ignored signals (SIG_IGN, default-ignore SIGWINCH) do not interrupt */
TEST_F(sig, ignored_signals_no_eintr)
{
	struct epoll_event ev;
	struct delayed d1, d2;

	ASSERT_TRUE(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
	ASSERT_TRUE(signal(SIGWINCH, SIG_DFL) != SIG_ERR);
	ASSERT_EQ(0, delayed_signal(&d1, pthread_self(), SIGUSR1, 50));
	ASSERT_EQ(0, delayed_signal(&d2, pthread_self(), SIGWINCH, 80));
	EXPECT_EQ(0, B->wait(self->ep, &ev, 1, 300));
	delayed_join(&d1);
	delayed_join(&d2);
}

/* SIGSTOP + SIGCONT during wait (no handlers): the wait returns EINTR */
TEST_F(sig, stop_cont_gives_eintr)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct epoll_event ev;
		int r = B->wait(self->ep, &ev, 1, 10000);

		_exit(r == -1 && errno == EINTR ? 0 : r == 0 ? 1 : 2);
	}
	for (int i = 0; i < 500 && state_of(pid) != 'S'; i++)
		sleep_ms(10);
	sleep_ms(100);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* ---- sigsetsize and the sigmask pointer ----------------------------------------------- */

/* sigsetsize other than 8 with a mask → EINVAL (pwait and pwait2) */
TEST_F(sig, sigsetsize_invalid_einval)
{
	struct epoll_event ev;
	struct __kernel_timespec ts = { 0, 0 };
	unsigned long long m = 0;
	size_t bad[] = { 0, 4, 7, 9, 16, 128 };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, raw_pwait(B, self->ep, &ev, 1, 0, &m, bad[i]));
		EXPECT_EQ(EINVAL, errno);
		errno = 0;
		EXPECT_EQ(-1, raw_pwait2(B, self->ep, &ev, 1, &ts, &m, bad[i]));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(0, raw_pwait(B, self->ep, &ev, 1, 0, &m, 8));
	EXPECT_EQ(0, raw_pwait2(B, self->ep, &ev, 1, &ts, &m, 8));
}

/* sigsetsize is ignored when the mask pointer is NULL */
TEST_F(sig, sigsetsize_ignored_without_mask)
{
	struct epoll_event ev;
	struct __kernel_timespec ts = { 0, 0 };

	EXPECT_EQ(0, raw_pwait(B, self->ep, &ev, 1, 0, NULL, 3));
	EXPECT_EQ(0, raw_pwait2(B, self->ep, &ev, 1, &ts, NULL, 1000));
}

/* sigsetsize is checked before epfd, maxevents and the buffer */
TEST_F(sig, sigsetsize_checked_before_wait_args)
{
	struct epoll_event ev;
	unsigned long long m = 0;

	errno = 0;
	EXPECT_EQ(-1, raw_pwait(B, -1, &ev, 1, 0, &m, 4));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, raw_pwait(B, self->ep, (void *)(uintptr_t)0xffff800000000000ULL, 1, 0, &m, 16));
	EXPECT_EQ(EINVAL, errno);
}

/* pwait2: the timespec comes before the sigset: bad timespec pointer + bad sigsetsize → EFAULT */
TEST_F(sig, pwait2_timespec_before_sigset)
{
	struct epoll_event ev;
	struct __kernel_timespec bad_ts = { 0, -1 };
	unsigned long long m = 0;

	errno = 0;
	EXPECT_EQ(-1, raw_pwait2(B, self->ep, &ev, 1, (void *)8, &m, 4));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, raw_pwait2(B, self->ep, &ev, 1, &bad_ts, (void *)8, 8));
	EXPECT_EQ(EINVAL, errno);
}

/* bad sigmask pointer → EFAULT (pwait, pwait2), before maxevents/epfd checks; mask untouched */
TEST_F(sig, bad_sigmask_pointer_efault)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 0 };
	void *unm = unmapped_page();

	ASSERT_TRUE(unm != NULL);
	set_mask(SIGUSR1, 0);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 0, (sigset_t *)8));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 0, unm));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, B->pwait2(self->ep, &ev, 1, &ts, unm));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(-1, &ev, 0, 0, unm));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_TRUE(blocked(SIGUSR1));
	EXPECT_FALSE(blocked(SIGUSR2));
}

/* a mask straddling a PROT_NONE page → EFAULT */
TEST_F(sig, sigmask_straddles_guard_efault)
{
	struct epoll_event ev;
	char *g = guarded_boundary();

	ASSERT_TRUE(g != NULL);
	errno = 0;
	EXPECT_EQ(-1, raw_pwait(B, self->ep, &ev, 1, 0, g - 4, 8));
	EXPECT_EQ(EFAULT, errno);
	memset(g - 8, 0, 8);
	EXPECT_EQ(0, raw_pwait(B, self->ep, &ev, 1, 0, g - 8, 8));
}

/* a pending blocked signal whose action is "ignore", unblocked by the pwait mask: EINTR, then it is gone */
TEST_F(sig, pwait_unblocks_pending_ignored_signal_eintr)
{
	struct epoll_event ev;
	sigset_t m;

	ASSERT_TRUE(signal(SIGWINCH, SIG_DFL) != SIG_ERR);	/* default action: ignore */
	set_mask(SIGWINCH, 0);
	raise(SIGWINCH);
	ASSERT_TRUE(pending(SIGWINCH));
	sigemptyset(&m);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 3000, &m));
	EXPECT_EQ(EINTR, errno);
	EXPECT_FALSE(pending(SIGWINCH));
	EXPECT_TRUE(blocked(SIGWINCH));
}

/* a second pwait right after an EINTR works normally (mask state is clean) */
TEST_F(sig, pwait_after_eintr_clean_state)
{
	struct epoll_event ev;
	sigset_t m;

	ASSERT_EQ(0, install(SIGUSR1, 0));
	set_mask(SIGUSR1, 0);
	raise(SIGUSR1);
	sigemptyset(&m);
	ASSERT_EQ(-1, B->pwait(self->ep, &ev, 1, 3000, &m));
	ASSERT_EQ(1, hits[SIGUSR1]);
	/* nothing pending now: a 50 ms pwait with a different mask simply times out */
	mask_of(&m, SIGUSR2, 0);
	EXPECT_EQ(0, B->pwait(self->ep, &ev, 1, 50, &m));
	EXPECT_TRUE(blocked(SIGUSR1));
	EXPECT_FALSE(blocked(SIGUSR2));
	EXPECT_EQ(BIT(SIGUSR1), sigblk_of(0, gettid()));
}

/* the handler can itself call pwait (nested) and the outer mask still comes back right */
static const struct backend *nested_b;
static int nested_ep;
static volatile sig_atomic_t nested_ret = -2;

static void nesting_handler(int sig)
{
	struct epoll_event ev;
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, SIGHUP);
	nested_ret = nested_b->pwait(nested_ep, &ev, 1, 10, &m);
	hits[sig]++;
}

TEST_F(sig, pwait_inside_handler)
{
	struct sigaction sa = { .sa_handler = nesting_handler };
	struct epoll_event ev;
	sigset_t m;

	nested_b = B;
	nested_ep = self->ep;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	set_mask(SIGUSR1, SIGUSR2);
	raise(SIGUSR1);
	sigemptyset(&m);
	errno = 0;
	EXPECT_EQ(-1, B->pwait(self->ep, &ev, 1, 3000, &m));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, hits[SIGUSR1]);
	EXPECT_EQ(0, nested_ret);
	EXPECT_EQ(BIT(SIGUSR1) | BIT(SIGUSR2), sigblk_of(0, gettid()));
}

TEST_HARNESS_MAIN
