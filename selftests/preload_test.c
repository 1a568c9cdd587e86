// SPDX-License-Identifier: GPL-2.0
/*
 * preload_test.c - libeventpoll2_preload.so: unmodified epoll code, run
 * under LD_PRELOAD, gets eventpoll2 instances.
 *
 * Each test re-executes this binary under LD_PRELOAD (build/lib/ next to
 * build/selftests/, or $EP2_PRELOAD_LIB) in a child mode that runs one
 * scenario with plain libc epoll calls and reports failures on stdout; the
 * test checks the exit status and, for the fallback, stderr.  Native epoll
 * instances for the routing checks come from libc itself (dlopen of
 * libc.so.6), which the preload does not interpose.
 */
#include "backend.h"
#include "util.h"
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "kselftest_harness.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define EP2_LINK "anon_inode:[eventpoll2]"
#define EPOLL_LINK "anon_inode:[eventpoll]"

/* ==== child side: runs under LD_PRELOAD =================================== */

static int c_fail;
#define C_CHECK(cond) do {							\
		if (!(cond)) {							\
			printf("FAIL %s:%d: %s (errno %d %s)\n", __FILE__,	\
			       __LINE__, #cond, errno, strerror(errno));	\
			c_fail = 1;						\
		}								\
	} while (0)

/* libc's own epoll, behind the preload's back. */
static struct {
	int (*create1)(int);
	int (*ctl)(int, int, int, struct epoll_event *);
	int (*wait)(int, struct epoll_event *, int, int);
	int (*pwait2)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
	long (*syscall)(long, ...);
} libc;

static void load_libc(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

	if (!h) {
		printf("FAIL dlopen libc.so.6: %s\n", dlerror());
		exit(1);
	}
	libc.create1 = dlsym(h, "epoll_create1");
	libc.ctl = dlsym(h, "epoll_ctl");
	libc.wait = dlsym(h, "epoll_wait");
	libc.pwait2 = dlsym(h, "epoll_pwait2");
	libc.syscall = dlsym(h, "syscall");
	if (!libc.create1 || !libc.ctl || !libc.wait || !libc.pwait2 || !libc.syscall) {
		printf("FAIL dlsym libc epoll\n");
		exit(1);
	}
}

static int lowest_free_fd(void)
{
	int fd = dup(1);

	close(fd);
	return fd;
}

static int ready(int ep, int (*w)(int, struct epoll_event *, int, int), uint64_t data)
{
	struct epoll_event out[4];
	int n = w(ep, out, 4, 1000);

	return n == 1 && out[0].data.u64 == data;
}

/* epoll_create*, ctl and all waits through libc: eventpoll2 instances. */
static void child_basic(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[4];
	struct timespec ts = { 0, 0 };
	sigset_t mask;
	int ep, ep2, p[2], before, low;

	C_CHECK(pipe(p) == 0);
	before = count_open_fds();
	low = lowest_free_fd();
	ep = epoll_create1(0);
	C_CHECK(ep >= 0);
	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(ep == low);			/* the lowest free fd, as epoll's */
	C_CHECK((fcntl(ep, F_GETFD) & FD_CLOEXEC) == 0);
	C_CHECK(count_open_fds() == before + 1);	/* no fd of the preload's own */

	ep2 = epoll_create1(EPOLL_CLOEXEC);
	C_CHECK(fd_link_is(ep2, EP2_LINK));
	C_CHECK((fcntl(ep2, F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
	close(ep2);
	ep2 = epoll_create(10);
	C_CHECK(fd_link_is(ep2, EP2_LINK));
	close(ep2);
	errno = 0;
	C_CHECK(epoll_create(0) == -1 && errno == EINVAL);
	errno = 0;
	C_CHECK(epoll_create1(O_NONBLOCK) == -1 && errno == EINVAL);

	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(epoll_wait(ep, out, 4, 0) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
	C_CHECK(ready(ep, epoll_wait, 7));
	sigemptyset(&mask);
	C_CHECK(epoll_pwait(ep, out, 4, 0, &mask) == 1);
	C_CHECK(epoll_pwait(ep, out, 4, 0, NULL) == 1);
	C_CHECK(epoll_pwait2(ep, out, 4, &ts, &mask) == 1);
	C_CHECK(epoll_pwait2(ep, out, 4, NULL, NULL) == 1);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 8;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
	C_CHECK(ready(ep, epoll_wait, 8));
	C_CHECK(epoll_wait(ep, out, 4, 0) == 0);
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0);

	/* The instance is visible as such in fdinfo (ep2stat reads it). */
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
	{
		char path[64], buf[1024];
		int f, n;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ep);
		f = open(path, O_RDONLY);
		n = f >= 0 ? (int)read(f, buf, sizeof(buf) - 1) : -1;
		C_CHECK(n > 0);
		buf[n > 0 ? n : 0] = 0;
		C_CHECK(strstr(buf, "tfd: ") != NULL);
		close(f);
	}
	close(ep);
}

/* syscall(SYS_epoll_*) is routed too; other syscalls pass through. */
static void child_syscall(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 9 }, out[4];
	struct { long long s, ns; } kts = { 0, 0 };
	uint64_t mask = 0;
	int ep, p[2];

	C_CHECK(pipe(p) == 0);
	ep = (int)syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	C_CHECK(ep >= 0 && fd_link_is(ep, EP2_LINK));
	C_CHECK((fcntl(ep, F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
#ifdef SYS_epoll_create
	{
		int e = (int)syscall(SYS_epoll_create, 1);

		C_CHECK(e >= 0 && fd_link_is(e, EP2_LINK));
		close(e);
		errno = 0;
		C_CHECK(syscall(SYS_epoll_create, 0) == -1 && errno == EINVAL);
	}
#endif
	errno = 0;
	C_CHECK(syscall(SYS_epoll_create1, 1) == -1 && errno == EINVAL);
	C_CHECK(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
#ifdef SYS_epoll_wait
	C_CHECK(syscall(SYS_epoll_wait, ep, out, 4, 1000) == 1 && out[0].data.u64 == 9);
#endif
	C_CHECK(syscall(SYS_epoll_pwait, ep, out, 4, 0, &mask, 8) == 1);
	errno = 0;
	C_CHECK(syscall(SYS_epoll_pwait, ep, out, 4, 0, &mask, 4) == -1 && errno == EINVAL);
	C_CHECK(syscall(SYS_epoll_pwait2, ep, out, 4, &kts, NULL, 0) == 1);
	C_CHECK(syscall(SYS_epoll_pwait2, ep, out, 4, NULL, &mask, 8) == 1);
	errno = 0;
	C_CHECK(syscall(SYS_epoll_ctl, -1, EPOLL_CTL_ADD, p[0], NULL) == -1 && errno == EFAULT);
	/* Everything else is libc's syscall(). */
	C_CHECK(syscall(SYS_getpid) == getpid());
	C_CHECK(syscall(SYS_gettid) == gettid());
	errno = 0;
	C_CHECK(syscall(SYS_close, -1) == -1 && errno == EBADF);
	{
		int q[2];

		C_CHECK(syscall(SYS_pipe2, q, O_CLOEXEC) == 0);
		C_CHECK((fcntl(q[0], F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
		close(q[0]);
		close(q[1]);
	}
	close(ep);
}

/* Native epoll fds (made behind the preload's back) keep working. */
static void child_native(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 11 }, out[4];
	struct timespec ts = { 0, 0 };
	int nat, ep, p[2];

	load_libc();
	C_CHECK(pipe(p) == 0);
	nat = libc.create1(0);
	C_CHECK(nat >= 0 && fd_link_is(nat, EPOLL_LINK));
	C_CHECK(epoll_ctl(nat, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(epoll_wait(nat, out, 4, 0) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
	C_CHECK(ready(nat, epoll_wait, 11));
	C_CHECK(epoll_pwait(nat, out, 4, 0, NULL) == 1);
	C_CHECK(epoll_pwait2(nat, out, 4, &ts, NULL) == 1);
	C_CHECK(syscall(SYS_epoll_pwait, nat, out, 4, 0, NULL, 0) == 1);
	ev.data.u64 = 12;
	C_CHECK(syscall(SYS_epoll_ctl, nat, EPOLL_CTL_MOD, p[0], &ev) == 0);
	C_CHECK(ready(nat, libc.wait, 12));

	/* Nesting, both ways: eventpoll2 in native, native in eventpoll2. */
	ep = epoll_create1(0);
	C_CHECK(fd_link_is(ep, EP2_LINK));
	ev.data.u64 = 13;
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, nat, &ev) == 0);
	C_CHECK(ready(ep, epoll_wait, 13));
	{
		int outer = libc.create1(0);

		ev.data.u64 = 14;
		C_CHECK(epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev) == 0);
		C_CHECK(ready(outer, epoll_wait, 14));
		close(outer);
	}
	/* Success leaves errno alone, even through the native path. */
	errno = ERANGE;
	C_CHECK(epoll_wait(nat, out, 4, 0) == 1);
	C_CHECK(errno == ERANGE);
	close(ep);
	close(nat);
}

/*
 * errno parity: each error case on an eventpoll2 instance through the
 * preload gives what the same case gives libc's own epoll on a native one.
 */
static void child_errno(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	struct timespec bad = { 0, 2000000000L };
	int ep, nat, p[2], reg;

	load_libc();
	C_CHECK(pipe(p) == 0);
	reg = open("/proc/self/exe", O_RDONLY);
	ep = epoll_create1(0);
	nat = libc.create1(0);
	C_CHECK(fd_link_is(ep, EP2_LINK) && fd_link_is(nat, EPOLL_LINK));
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
	C_CHECK(libc.ctl(nat, EPOLL_CTL_ADD, p[1], &ev) == 0);

#define PARITY(expr_pre, expr_nat) do {						\
		int r1, e1, r2, e2;						\
		errno = 0; r1 = (expr_pre); e1 = errno;				\
		errno = 0; r2 = (expr_nat); e2 = errno;				\
		if (r1 != r2 || e1 != e2) {					\
			printf("FAIL parity %s: preload %d/%s, native %d/%s\n",	\
			       #expr_pre, r1, strerror(e1), r2, strerror(e2));	\
			c_fail = 1;						\
		}								\
	} while (0)
	/* ctl: bad epfd, EFAULT before EBADF, non-instance epfd, bad targets */
	PARITY(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], NULL), libc.ctl(-1, EPOLL_CTL_ADD, p[0], NULL));
	PARITY(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), libc.ctl(-1, EPOLL_CTL_ADD, p[0], &ev));
	PARITY(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), libc.ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
	PARITY(epoll_ctl(reg, EPOLL_CTL_ADD, p[1], &ev), libc.ctl(reg, EPOLL_CTL_ADD, p[1], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), libc.ctl(nat, EPOLL_CTL_ADD, -1, &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), libc.ctl(nat, EPOLL_CTL_ADD, reg, &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), libc.ctl(nat, EPOLL_CTL_ADD, nat, &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), libc.ctl(nat, EPOLL_CTL_ADD, p[1], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), libc.ctl(nat, EPOLL_CTL_MOD, p[0], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), libc.ctl(nat, EPOLL_CTL_DEL, p[0], NULL));
	PARITY(epoll_ctl(ep, 77, p[1], &ev), libc.ctl(nat, 77, p[1], &ev));
	PARITY(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)8), libc.ctl(nat, EPOLL_CTL_ADD, p[0], (void *)8));
	/* waits */
	PARITY(epoll_wait(-1, out, 4, 0), libc.wait(-1, out, 4, 0));
	PARITY(epoll_wait(p[0], out, 4, 0), libc.wait(p[0], out, 4, 0));
	PARITY(epoll_wait(ep, out, 0, 0), libc.wait(nat, out, 0, 0));
	PARITY(epoll_wait(ep, (void *)-4096L, 4, 0), libc.wait(nat, (void *)-4096L, 4, 0));
	PARITY(epoll_wait(-1, out, 0, 0), libc.wait(-1, out, 0, 0));
	PARITY(epoll_pwait2(ep, out, 4, &bad, NULL), libc.pwait2(nat, out, 4, &bad, NULL));
	PARITY(epoll_pwait2(p[0], out, 4, NULL, NULL), libc.pwait2(p[0], out, 4, NULL, NULL));
	PARITY((int)syscall(SYS_epoll_pwait, ep, out, 4, 0, out, 3),
	       (int)libc.syscall(SYS_epoll_pwait, nat, out, 4, 0, out, 3));
	PARITY((int)syscall(SYS_epoll_ctl, p[0], EPOLL_CTL_ADD, p[1], &ev),
	       (int)libc.syscall(SYS_epoll_ctl, p[0], EPOLL_CTL_ADD, p[1], &ev));
	errno = 0;
	C_CHECK(epoll_create(-3) == -1 && errno == EINVAL);
	close(ep);
	close(nat);
	close(reg);
}

/* The module is "absent" (EP2_DEVICE points nowhere): native epoll. */
static void child_fallback(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 };
	int ep, ep2, p[2];

	C_CHECK(pipe(p) == 0);
	ep = epoll_create1(0);
	C_CHECK(ep >= 0 && fd_link_is(ep, EPOLL_LINK));
	ep2 = (int)syscall(SYS_epoll_create1, 0);
	C_CHECK(ep2 >= 0 && fd_link_is(ep2, EPOLL_LINK));
	C_CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	C_CHECK(write(p[1], "x", 1) == 1);
	C_CHECK(ready(ep, epoll_wait, 5));
	close(ep);
	close(ep2);
}

/*
 * Programs sweep their fds and size their tables tightly: the preload has
 * no fd to lose, and a create with only one free fd still succeeds.
 */
static void child_sweep(void)
{
	struct rlimit rl;
	int ep, keep[64], n = 0, fd;

	ep = epoll_create1(0);
	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(syscall(SYS_close_range, 3, ~0U, 0) == 0);
	ep = epoll_create1(0);
	C_CHECK(ep == 3 && fd_link_is(ep, EP2_LINK));
	closefrom(3);
	ep = epoll_create1(EPOLL_CLOEXEC);
	C_CHECK(ep == 3 && fd_link_is(ep, EP2_LINK));
	close(ep);

	/* RLIMIT_NOFILE = 16, fds 0..14 taken: one free fd. */
	rl.rlim_cur = rl.rlim_max = 16;
	C_CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	while ((fd = dup(1)) >= 0 && fd < 15)
		keep[n++] = fd;
	if (fd >= 15)
		keep[n++] = fd;
	close(keep[--n]);	/* free exactly fd 15 */
	ep = epoll_create1(0);
	C_CHECK(ep == 15);	/* native here: the device needed a second fd */
	errno = 0;
	C_CHECK(epoll_create1(0) == -1 && errno == EMFILE);
	close(ep);
	while (n > 0)
		close(keep[--n]);
}

static void *blocked(void *arg)
{
	struct epoll_event ev;

	for (;;)
		epoll_wait(*(int *)arg, &ev, 1, -1);
	return NULL;
}

/* pthread_cancel of a thread blocked in epoll_wait(). */
static void child_cancel(void)
{
	int ep = epoll_create1(0);
	pthread_t t;
	void *ret = NULL;

	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(pthread_create(&t, NULL, blocked, &ep) == 0);
	usleep(50000);
	C_CHECK(pthread_cancel(t) == 0);
	C_CHECK(pthread_join(t, &ret) == 0);
	C_CHECK(ret == PTHREAD_CANCELED);
}

/*
 * A program written for Linux 6.9's EPIOCSPARAMS/EPIOCGPARAMS: its own
 * struct and numbers, ioctl() on what epoll_create1() returned.  The preload
 * does not interpose ioctl: it reaches the instance, which takes it.
 */
struct app_epoll_params {
	uint32_t busy_poll_usecs;
	uint16_t busy_poll_budget;
	uint8_t prefer_busy_poll;
	uint8_t __pad;
};
#define APP_EPIOCSPARAMS _IOW(0x8A, 0x01, struct app_epoll_params)
#define APP_EPIOCGPARAMS _IOR(0x8A, 0x02, struct app_epoll_params)

static void child_busy_poll_params(void)
{
	struct app_epoll_params p = { .busy_poll_usecs = 250, .busy_poll_budget = 16,
				      .prefer_busy_poll = 1 }, q;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	C_CHECK(fd_link_is(ep, EP2_LINK));
	C_CHECK(ioctl(ep, APP_EPIOCSPARAMS, &p) == 0);
	memset(&q, 0xff, sizeof(q));
	C_CHECK(ioctl(ep, APP_EPIOCGPARAMS, &q) == 0);
	C_CHECK(q.busy_poll_usecs == 250 && q.busy_poll_budget == 16 &&
		q.prefer_busy_poll == 1 && q.__pad == 0);
	p.__pad = 1;
	errno = 0;
	C_CHECK(ioctl(ep, APP_EPIOCSPARAMS, &p) == -1 && errno == EINVAL);
	close(ep);
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "create_ctl_wait", child_basic }, { "syscall_routed", child_syscall },
	{ "native_fds_routed", child_native }, { "errno_parity", child_errno },
	{ "fallback", child_fallback }, { "fd_sweeps_and_limits", child_sweep },
	{ "cancellation", child_cancel }, { "busy_poll_params", child_busy_poll_params },
};

static int child_main(const char *name)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (!strcmp(scenarios[i].name, name)) {
			scenarios[i].fn();
			return c_fail;
		}
	}
	printf("FAIL no scenario %s\n", name);
	return 2;
}

/* ==== parent side: the harness ============================================= */

static char preload_path[PATH_MAX];

static int find_preload(void)
{
	char exe[PATH_MAX - 64], *slash;
	const char *env = getenv("EP2_PRELOAD_LIB");
	ssize_t n;

	if (env && *env) {
		snprintf(preload_path, sizeof(preload_path), "%s", env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return -1;
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		snprintf(preload_path, sizeof(preload_path), "%s/../lib/libeventpoll2_preload.so", exe);
	}
	return access(preload_path, R_OK);
}

/*
 * Run scenario @name under the preload with extra environment @env
 * (NULL-terminated "K=V" list); its stdout/stderr into @out.  Exit status.
 */
static int run_child(const char *name, const char *const *env, char *out, size_t outlen)
{
	int pfd[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char self[PATH_MAX];
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);

		self[l > 0 ? l : 0] = 0;
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		setenv("LD_PRELOAD", preload_path, 1);
		for (; env && *env; env++)
			putenv((char *)*env);
		execl(self, self, "--preload-child", name, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (got + 1 < outlen && (n = read(pfd[0], out + got, outlen - 1 - got)) > 0)
		got += n;
	out[got] = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char out[16384];

#define PRELOAD_SCENARIO(name, need_device, ...)				\
	TEST(name)								\
	{									\
		const char *const env[] = { __VA_ARGS__ };			\
		int rc;								\
										\
		if (find_preload())						\
			SKIP(return, "no libeventpoll2_preload.so (make userspace)");	\
		if (need_device && access(EVENTPOLL2_DEVICE, F_OK))		\
			SKIP(return, "eventpoll2 module not loaded");		\
		rc = run_child(#name, env, out, sizeof(out));			\
		if (rc)								\
			TH_LOG("child output:\n%s", out);			\
		EXPECT_EQ(0, rc);						\
	}

PRELOAD_SCENARIO(create_ctl_wait, 1, NULL)
PRELOAD_SCENARIO(syscall_routed, 1, NULL)
PRELOAD_SCENARIO(native_fds_routed, 1, NULL)
PRELOAD_SCENARIO(errno_parity, 1, NULL)
PRELOAD_SCENARIO(fd_sweeps_and_limits, 1, NULL)
PRELOAD_SCENARIO(cancellation, 1, NULL)
PRELOAD_SCENARIO(busy_poll_params, 1, NULL)

/* Device missing: native epoll, and one line on stderr when verbose. */
TEST(fallback)
{
	const char *const env[] = { "EP2_DEVICE=/nonexistent/eventpoll2",
				    "EP2_PRELOAD_VERBOSE=1", NULL };
	const char *const quiet[] = { "EP2_DEVICE=/nonexistent/eventpoll2", NULL };
	const char *msg = "eventpoll2 preload: /nonexistent/eventpoll2 unavailable";
	char *first;

	if (find_preload())
		SKIP(return, "no libeventpoll2_preload.so (make userspace)");
	EXPECT_EQ(0, run_child("fallback", env, out, sizeof(out)));
	first = strstr(out, msg);
	EXPECT_NE(NULL, first);
	if (first)
		EXPECT_EQ(NULL, strstr(first + 1, msg));	/* once */
	TH_LOG("%s", out);
	EXPECT_EQ(0, run_child("fallback", quiet, out, sizeof(out)));
	EXPECT_EQ(NULL, strstr(out, msg));			/* silent by default */
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--preload-child"))
		return child_main(argv[2]);
	return test_harness_run(argc, argv);
}
