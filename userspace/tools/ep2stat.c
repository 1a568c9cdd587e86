// SPDX-License-Identifier: GPL-2.0
/*
 * ep2stat - the eventpoll2 instances of a process and what they watch.
 *
 *	ep2stat [-a] [PID...]
 *
 * For each PID (default: every process that has one) lists the fds that are
 * anon_inode:[eventpoll2] (with -a also native anon_inode:[eventpoll]), and
 * for each the items from /proc/PID/fdinfo/FD: target fd, events decoded
 * (IN|OUT|ET...), the 64-bit data, and what the target fd is now.  An item
 * whose target fd was closed or now names another file (the classic epoll
 * pitfall: the item lives as long as the file, not the fd) is flagged.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define EP2_LINK "anon_inode:[eventpoll2]"
#define EPOLL_LINK "anon_inode:[eventpoll]"

static int all_kinds;

static const struct {
	unsigned bit;
	const char *name;
} ev_names[] = {
	{ EPOLLIN, "IN" }, { EPOLLPRI, "PRI" }, { EPOLLOUT, "OUT" }, { EPOLLERR, "ERR" },
	{ EPOLLHUP, "HUP" }, { EPOLLRDNORM, "RDNORM" }, { EPOLLRDBAND, "RDBAND" },
	{ EPOLLWRNORM, "WRNORM" }, { EPOLLWRBAND, "WRBAND" }, { EPOLLMSG, "MSG" },
	{ EPOLLRDHUP, "RDHUP" }, { EPOLLEXCLUSIVE, "EXCLUSIVE" }, { EPOLLWAKEUP, "WAKEUP" },
	{ EPOLLONESHOT, "ONESHOT" }, { EPOLLET, "ET" },
};

static void decode_events(unsigned ev, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(ev_names) / sizeof(ev_names[0]); i++) {
		if (!(ev & ev_names[i].bit))
			continue;
		ev &= ~ev_names[i].bit;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s", off ? "|" : "",
				ev_names[i].name);
	}
	if (ev)
		off += snprintf(buf + off, off < len ? len - off : 0, "%s0x%x", off ? "|" : "", ev);
	if (!off)
		snprintf(buf, len, "0");
}

static int read_link(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len - 1);

	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static void comm_of(int pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	buf[0] = 0;
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* What fd @tfd of @pid is now, and whether it is still the watched file. */
static void describe_target(int pid, int tfd, unsigned long ino, unsigned sdev,
			    char *buf, size_t len)
{
	char path[64], link[256];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, tfd);
	if (read_link(path, link, sizeof(link)) < 0) {
		snprintf(buf, len, "(fd closed: item kept alive by a dup of the file)");
		return;
	}
	if (stat(path, &st) == 0 && (st.st_ino != ino ||
	    (sdev && (unsigned)((major(st.st_dev) << 20) | minor(st.st_dev)) != sdev))) {
		snprintf(buf, len, "%s (STALE: fd now names another file, watched ino %lu)", link, ino);
		return;
	}
	snprintf(buf, len, "%s", link);
}

static int show_instance(int pid, int fd, const char *kind)
{
	char path[64], line[512], evbuf[160], target[400];
	unsigned flags = 0;
	int items = 0;
	char ring[sizeof(line)] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f) {
		printf("  fd %d  %s  (fdinfo: %s)\n", fd, kind, strerror(errno));
		return -1;
	}
	/* Header first (pos, flags, mnt_id, ino), then one line per item. */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "flags: %o", &flags) == 1)
			continue;
		if (!strncmp(line, "tfd:", 4))
			items++;
		else if (!strncmp(line, "ring:", 5))
			snprintf(ring, sizeof(ring), "%s", line);
	}
	printf("  fd %d  %s  flags 0%o (O_RDWR%s)  %d item%s\n", fd, kind, flags,
	       (flags & O_CLOEXEC) ? "|O_CLOEXEC" : "", items, items == 1 ? "" : "s");
	if (*ring)
		printf("    %s", ring);	/* the ready ring: entries, tail, head, overflow */
	if (items) {
		printf("    %6s  %-28s  %-18s  %s\n", "TFD", "EVENTS", "DATA", "TARGET");
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			int tfd;
			unsigned ev, sdev = 0;
			unsigned long long data;
			unsigned long ino = 0;
			long long pos;

			if (sscanf(line, "tfd: %d events: %x data: %llx pos:%lli ino:%lx sdev:%x",
				   &tfd, &ev, &data, &pos, &ino, &sdev) < 3)
				continue;
			decode_events(ev, evbuf, sizeof(evbuf));
			describe_target(pid, tfd, ino, sdev, target, sizeof(target));
			printf("    %6d  %-28s  0x%016llx  %s\n", tfd, evbuf, data, target);
		}
	}
	fclose(f);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Returns the number of instances shown, -1 if the process is unreadable. */
static int show_pid(int pid, int quiet_if_none)
{
	char path[64], link[256], comm[64];
	struct dirent *de;
	int *fds = NULL, nfds = 0, cap = 0, shown = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d) {
		if (!quiet_if_none)
			fprintf(stderr, "ep2stat: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char fdpath[96];
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		fd = atoi(de->d_name);
		snprintf(fdpath, sizeof(fdpath), "%s/%d", path, fd);
		if (read_link(fdpath, link, sizeof(link)) < 0)
			continue;
		if (strcmp(link, EP2_LINK) && !(all_kinds && !strcmp(link, EPOLL_LINK)))
			continue;
		if (nfds == cap) {
			int *n = realloc(fds, (cap = cap ? cap * 2 : 16) * sizeof(*fds));
			if (!n)
				break;
			fds = n;
		}
		fds[nfds++] = fd;
	}
	closedir(d);
	qsort(fds, nfds, sizeof(*fds), cmp_int);

	comm_of(pid, comm, sizeof(comm));
	if (nfds || !quiet_if_none)
		printf("PID %d (%s): %d instance%s\n", pid, comm, nfds, nfds == 1 ? "" : "s");
	for (int i = 0; i < nfds; i++) {
		char fdpath[96];

		snprintf(fdpath, sizeof(fdpath), "%s/%d", path, fds[i]);
		if (read_link(fdpath, link, sizeof(link)) < 0)
			continue;
		show_instance(pid, fds[i], !strcmp(link, EP2_LINK) ? "eventpoll2" : "epoll");
		shown++;
	}
	free(fds);
	return shown;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ep2stat [-a] [PID...]\n"
		"List the eventpoll2 instances of each PID (default: of every process\n"
		"that has one) and their items from /proc/PID/fdinfo.\n"
		"  -a   also list native epoll instances\n");
}

int main(int argc, char **argv)
{
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "ah")) != -1) {
		switch (opt) {
		case 'a':
			all_kinds = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			char *end;
			long pid = strtol(argv[i], &end, 10);

			if (*end || pid <= 0) {
				fprintf(stderr, "ep2stat: not a pid: %s\n", argv[i]);
				rc = 2;
				continue;
			}
			if (show_pid((int)pid, 0) < 0)
				rc = 1;
		}
		return rc;
	}

	DIR *proc = opendir("/proc");
	struct dirent *de;
	int found = 0;

	if (!proc) {
		perror("ep2stat: /proc");
		return 1;
	}
	while ((de = readdir(proc))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (show_pid(atoi(de->d_name), 1) > 0)
			found++;
	}
	closedir(proc);
	if (!found)
		printf("no process has an %s instance\n", all_kinds ? "epoll or eventpoll2" : "eventpoll2");
	return 0;
}
