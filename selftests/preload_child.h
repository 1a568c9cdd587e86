/* SPDX-License-Identifier: GPL-2.0 */
/*
 * preload_child.h - tests that run a scenario under libeventpoll2_preload.so.
 *
 * The test binary re-executes itself under LD_PRELOAD (build/lib/ next to
 * build/selftests/, or $EP2_PRELOAD_LIB) as "--preload-child NAME"; the
 * child runs scenario NAME with plain libc calls, prints "FAIL ..." lines
 * through C_CHECK and exits non-zero on a failure; the parent checks the
 * exit status (a signal is 128 + its number) and shows the output.
 */
#ifndef EP2_SELFTEST_PRELOAD_CHILD_H
#define EP2_SELFTEST_PRELOAD_CHILD_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int c_fail;
#define C_CHECK(cond) do {							\
		if (!(cond)) {							\
			printf("FAIL %s:%d: %s (errno %d %s)\n", __FILE__,	\
			       __LINE__, #cond, errno, strerror(errno));	\
			c_fail = 1;						\
		}								\
	} while (0)

static char preload_path[PATH_MAX];
/* Run in the forked child just before the exec (NULL: nothing). */
static void (*child_setup)(void);

/* 0 when the preload library is there (path in preload_path). */
static inline int find_preload(void)
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
static inline int run_child(const char *name, const char *const *env, char *out, size_t outlen)
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
		if (child_setup)
			child_setup();
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

#endif
