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

LIB_SRCS := userspace/lib/eventpoll2.c
SELFTESTS := $(patsubst selftests/%.c,$(B)/selftests/%,$(wildcard selftests/*_test.c))
DEMO := $(B)/userspace/ep2demo

.PHONY: all module userspace selftests run check shell setup clean fuzz preload-demo

# Fragments, one per area, each owned by its area: they append build
# products to EXTRA_TARGETS and define their own phony targets.
EXTRA_TARGETS :=
-include userspace/userspace.mk
-include userspace/bench/bench.mk
-include scripts/debug.mk
include packaging/packaging.mk

all: module userspace selftests $(EXTRA_TARGETS)

module:
	@test -n "$(KVER)" || { echo "no target kernel found: run scripts/setup" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

$(B)/lib/libeventpoll2.a: $(LIB_SRCS) userspace/include/eventpoll2.h uapi/linux/eventpoll2.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -fPIC $(UAPI) -Iuserspace/include -c -o $(B)/lib/eventpoll2.o $<
	$(AR) rcs $@ $(B)/lib/eventpoll2.o

userspace: $(B)/lib/libeventpoll2.a $(DEMO)

$(DEMO): userspace/demo/ep2demo.cpp userspace/include/eventpoll2.hpp $(B)/lib/libeventpoll2.a
	@mkdir -p $(@D)
	$(CXX) -std=c++20 $(CFLAGS) $(WARN) $(UAPI) -Iuserspace/include -o $@ $< $(B)/lib/libeventpoll2.a -lpthread

selftests: $(SELFTESTS)

$(B)/selftests/%: selftests/%.c $(wildcard selftests/*.h) $(B)/lib/libeventpoll2.a
	@mkdir -p $(@D)
	@test -e $(KSRC)/tools/testing/selftests/kselftest_harness.h || { echo "missing $(KSRC): run scripts/setup" >&2; exit 1; }
	$(CC) $(CFLAGS) -Wall -Wno-unused-parameter $(UAPI) -Iuserspace/include -Iselftests \
		-I$(KSRC)/tools/testing/selftests -o $@ $< $(B)/lib/libeventpoll2.a -lpthread

# The ABI-heavy test files again as 32-bit programs: the compat_ioctl path
# (pointers as __u64, packed 12-byte events, 64-bit timespec, 8-byte sigset).
COMPAT32_SRCS := $(filter $(addprefix selftests/,create_test.c ctl_errors_test.c wait_test.c signal_test.c modes_test.c),$(wildcard selftests/*_test.c))
COMPAT32_TESTS := $(patsubst selftests/%.c,$(B)/selftests/compat32_%,$(COMPAT32_SRCS))
selftests: $(COMPAT32_TESTS)

$(B)/lib32/libeventpoll2.a: $(LIB_SRCS) userspace/include/eventpoll2.h uapi/linux/eventpoll2.h
	@mkdir -p $(@D)
	$(CC) -m32 $(CFLAGS) -Wall -Wno-unused-parameter $(UAPI) -Iuserspace/include -c -o $(B)/lib32/eventpoll2.o $<
	$(AR) rcs $@ $(B)/lib32/eventpoll2.o

$(B)/selftests/compat32_%: selftests/%.c $(wildcard selftests/*.h) $(B)/lib32/libeventpoll2.a
	@mkdir -p $(@D)
	$(CC) -m32 $(CFLAGS) -Wall -Wno-unused-parameter $(UAPI) -Iuserspace/include -Iselftests \
		-I$(KSRC)/tools/testing/selftests -o $@ $< $(B)/lib32/libeventpoll2.a -lpthread

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
