// SPDX-License-Identifier: GPL-2.0
/*
 * ep2bench: the backends.  A backend is a Poller (the epoll-shaped interface
 * every workload drives) plus a registration: its name, its place in the
 * default order, how to make an instance, and the features it lacks.  Each
 * backend is one file backend_*.cpp holding a `const BackendReg` (see
 * README.md, "Adding a workload / a backend").
 */
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sys/epoll.h>

namespace ep2bench {

using Ev = struct epoll_event;

struct Poller {
	virtual ~Poller() = default;
	// 0 or -errno; -EINVAL for a mode the backend does not have.
	virtual int add(int fd, uint32_t events, uint64_t data) = 0;
	virtual int mod(int fd, uint32_t events, uint64_t data) = 0;
	virtual int del(int fd) = 0;
	// Number of events (0 on timeout) or -errno.
	virtual int wait(Ev *evs, int max, int timeout_ms) = 0;
	// Kernel entries this poller made (for syscalls/event): the backend
	// counts each system call it issues (epoll_wait/epoll_ctl, ioctl,
	// io_uring_enter, poll), not what it serves from shared memory.
	uint64_t syscalls() const { return nsys; }

protected:
	uint64_t nsys = 0;
};

// What a workload may need beyond add/mod/del/wait.
enum class Feature {
	Registration, // a kernel-side interest set (ctl has something to measure)
	LT,           // level-triggered events
	ET,           // EPOLLET
	Exclusive,    // EPOLLEXCLUSIVE
	Shared,       // several threads waiting on one instance at once
};

struct Backend {
	std::string name;
	int rank; // place in the default backend list (lower first)
	// A new instance, or nullptr with the reason in *why (may throw).
	std::function<std::unique_ptr<Poller>(std::string *why)> make;
	// The features it does not have, each with the reason reported as n/a.
	std::map<Feature, std::string> lacks;
	// Optional: false with the reason when no instance can be made at all.
	std::function<bool(std::string *why)> available;
	// In the default backend list?  A variant that only some workloads
	// should run says false; the workloads name it (Workload::backends).
	bool by_default = true;
};

// Backend::make of a backend whose instances cannot fail but by throwing.
template <class P>
std::unique_ptr<Poller> make_instance(std::string *) { return std::make_unique<P>(); }

// Registers a backend at start-up: one `const BackendReg reg{...};` per file.
struct BackendReg {
	explicit BackendReg(Backend b);
};

// The registered backend names in rank order: all, or those by_default.
std::vector<std::string> all_backends(bool only_default = false);
const Backend *find_backend(const std::string &name);
// A new instance of backend `name`, or nullptr with the reason in *why.
std::unique_ptr<Poller> make_poller(const std::string &name, std::string *why);
// True (with the reason in *why) when `name` cannot run something needing
// `need`: not available, or lacking one of the features.
bool cannot_run(const std::string &name, const std::vector<Feature> &need, std::string *why);

} // namespace ep2bench
