# eventpoll2 - epoll reimplemented as a loadable module, in C++.
#
#   make            build the module, the userspace library and tools, the selftests
#   make run        set up, boot the guest, load the module, show it working
#   make check      set up, boot the guest, run every selftest (KTAP + totals)
#   make shell      a shell inside the guest with the module loaded
#   make clean
#
# The target kernel is detected (scripts/kver); override with KVER=...

SHELL := /bin/bash
KVER  ?= $(shell scripts/kver 2>/dev/null)
KDIR  ?= /lib/modules/$(KVER)/build
EP2_CACHE ?= $(HOME)/.cache/eventpoll2
KSRC  ?= $(EP2_CACHE)/linux-source-6.1
export EP2_CACHE

CC      ?= gcc
CXX     ?= g++
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
UAPI    := -Iuapi
B       := build

# The default goal, set here once: the fragments below define rules before
# `all` does, and none of them touches .DEFAULT_GOAL.
.DEFAULT_GOAL := all

.PHONY: all module userspace selftests run check shell setup clean fuzz preload-demo

# Fragments, one per area, each owning its rules; a missing one is an error.
# Products outside module/userspace/selftests go on EXTRA_TARGETS.
EXTRA_TARGETS :=
include userspace/userspace.mk
include selftests/selftests.mk
include userspace/bench/bench.mk
include scripts/debug.mk
include packaging/packaging.mk

all: module userspace selftests $(EXTRA_TARGETS)

# Phony: Kbuild is always invoked and rebuilds what its sources changed.
module:
	@test -n "$(KVER)" || { echo "no target kernel found: run scripts/setup" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

setup:
	scripts/setup

# The set-up step runs first, then a fresh make (KVER is detected only once
# the headers exist).
run:
	scripts/setup
	$(MAKE) all
	scripts/vm --module eventpoll2.ko -- sh -c '$(DEMO) && echo && \
		build/bench/ep2bench --quick --backends=eventpoll2,epoll,io_uring,poll'

# The differential random tester, long: >= 1M operations in lockstep on
# native epoll and eventpoll2 (make check runs 100k).
FUZZ_OPS ?= 1000000
fuzz: all
	EP2_VM_ENV="EP2_FUZZ_OPS" EP2_FUZZ_OPS=$(FUZZ_OPS) EP2_TEST_TIMEOUT=3600 \
		EP2_CHECK_TIMEOUT=4000 scripts/check build/selftests/difftest_test

# Unmodified programs under the LD_PRELOAD drop-in: perf bench epoll, redis,
# nginx (their packages are installed first; the guest cannot install).
preload-demo:
	EP2_SETUP_EXTRA="redis-server redis-tools nginx-light wrk curl" scripts/setup
	$(MAKE) all
	scripts/vm --timeout 1800 --module eventpoll2.ko -- scripts/preload-demo

check:
	scripts/setup
	$(MAKE) all
	scripts/check

shell: all
	scripts/vm --module eventpoll2.ko --shell

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B)

# A stack trace from inside C++ (ORC through C++ frames), and proof that an
# injected WARNING fails a guest run: this target succeeds only if it does.
.PHONY: cxx-stack splat-selftest
cxx-stack: all
	scripts/vm --module eventpoll2.ko -- scripts/guest-debug-trigger
splat-selftest: all
	@if scripts/vm --module eventpoll2.ko -- scripts/guest-debug-trigger warn; then \
		echo "splat-selftest: FAIL: an injected WARNING went unnoticed"; exit 1; \
	else echo "splat-selftest: OK: the injected WARNING failed the run"; fi
