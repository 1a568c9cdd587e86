# userspace/bench/bench.mk - the comparison harness (included by the top Makefile).
#
#   make bench        build ep2bench, run it in the guest on every backend, write
#                     build/bench/results.md, CSVs and plots (scripts/bench)
#   make bench-quick  the same with --quick (a short table, about a minute)
#   make bench-full   the same with --full (bigger sizes, more repetitions)
#
# BENCH_ARGS are passed on to ep2bench (e.g. BENCH_ARGS="--workloads=latency").
#
# The io_uring backend needs liburing (Debian: liburing-dev); without it the
# harness still builds and reports that backend as n/a.

BENCH_BIN      := $(B)/bench/ep2bench
BENCH_CXXFLAGS ?= -std=c++17 -O2 -g
BENCH_URING    := $(if $(wildcard /usr/include/liburing.h),-DEP2BENCH_HAVE_LIBURING)
BENCH_LIBS     := $(if $(BENCH_URING),-luring) -lpthread
BENCH_ARGS     ?=

EXTRA_TARGETS += $(BENCH_BIN)

.PHONY: bench bench-quick bench-full

# One object per source file: the method and helpers, a backend_*.cpp per
# backend, a wl_*.cpp per workload (a new file is picked up by the wildcard).
BENCH_SRCS := $(wildcard userspace/bench/*.cpp)
BENCH_OBJS := $(patsubst userspace/bench/%.cpp,$(B)/bench/obj/%.o,$(BENCH_SRCS))

$(B)/bench/obj/%.o: userspace/bench/%.cpp userspace/include/eventpoll2.h uapi/linux/eventpoll2.h
	@mkdir -p $(@D)
	$(CXX) $(BENCH_CXXFLAGS) $(WARN) $(BENCH_URING) $(UAPI) -Iuserspace/include -MMD -MP -c -o $@ $<

-include $(BENCH_OBJS:.o=.d)

$(BENCH_BIN): $(BENCH_OBJS) $(B)/lib/libeventpoll2.a
	@mkdir -p $(@D)
	$(CXX) $(BENCH_CXXFLAGS) -o $@ $(BENCH_OBJS) $(B)/lib/libeventpoll2.a $(BENCH_LIBS)

# `module` runs Kbuild, which rebuilds a stale eventpoll2.ko before it is measured.
bench bench-quick bench-full: $(BENCH_BIN) module
	scripts/bench $(if $(filter bench-quick,$@),--quick)$(if $(filter bench-full,$@),--full) $(BENCH_ARGS)
