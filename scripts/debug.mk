# SPDX-License-Identifier: GPL-2.0
#
# scripts/debug.mk - the debug-kernel lane (included by the top Makefile).
# See scripts/debug-lane.md.
#
#   make debug-kernel           build (once, cached) the lockdep/KASAN/kmemleak
#                               kernel under $(EP2_CACHE)/debug-kernel
#   make check-debug            build eventpoll2.ko for it (in a cache copy of
#                               the sources), boot it, run the selftests, the
#                               smoke exerciser and kmemleak scans; any splat
#                               or leak fails.  CHECK_DEBUG_ARGS=... is passed
#                               to scripts/check-debug (e.g. test names).
#   make check-debug-selfcheck  show that the lane catches bugs: every
#                               scripts/debug-inject/*.patch, applied to a
#                               throw-away copy, must make the run fail with
#                               the report its "expect:" line names
#   make debug-clean            drop the cached module copies and logs (not
#                               the kernel; rm -rf $(EP2_CACHE)/debug-kernel)
#
# The reliability lanes (scripts/debug-lane.md, "The reliability lanes"):
#   make kcsan-kernel / check-kcsan / check-kcsan-selfcheck   KCSAN
#   make check-fault            fail-nth over every call (debug kernel)
#   make soak [SOAK_MINUTES=30] the storm with an exact account of events

.PHONY: debug-setup debug-kernel check-debug check-debug-selfcheck debug-clean

# What building a kernel needs beyond make check's packages (not installed
# by CI, which runs only make check).
EP2_DEBUG_PACKAGES := bc bison flex libelf-dev libssl-dev cpio rsync kmod

debug-setup:
	EP2_SETUP_EXTRA="$(EP2_DEBUG_PACKAGES) $(EP2_SETUP_EXTRA)" scripts/setup

debug-kernel: debug-setup
	scripts/debug-kernel

check-debug: debug-setup selftests userspace
	scripts/check-debug $(CHECK_DEBUG_ARGS)

check-debug-selfcheck: debug-setup selftests userspace
	scripts/debug-selfcheck

debug-clean:
	rm -rf $(EP2_CACHE)/debug-module $(EP2_CACHE)/debug-inject $(EP2_CACHE)/debug-check \
		$(EP2_CACHE)/kcsan-module $(EP2_CACHE)/kcsan-inject

# ---- the reliability lanes (scripts/debug-lane.md: KCSAN, fault injection,
# soak; PREEMPT_RT is make check KFLAVOUR=rt).  None of them is in CI.
.PHONY: soak kcsan-kernel check-kcsan check-kcsan-selfcheck check-fault

# Lane programs: userspace, linked with the tree's libeventpoll2.a.
$(B)/rel/%: scripts/%.c $(EP2_LIB) uapi/linux/eventpoll2.h userspace/include/eventpoll2.h
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -Iuapi -Iuserspace/include -o $@ $< $(EP2_LIB) -lpthread

# make soak [SOAK_MINUTES=30] [SOAK_ARGS="-t 2 -k 32 -p 2"]: the mixed storm
# on the packaged kernel, then the exact account of every event.
SOAK_MINUTES ?= 30
soak: all $(B)/rel/soak
	scripts/vm --timeout $$(( $(SOAK_MINUTES) * 60 + 600 )) --module eventpoll2.ko -- \
		$(B)/rel/soak -s $$(( $(SOAK_MINUTES) * 60 )) $(SOAK_ARGS)

# KCSAN: a second kernel (KCSAN and KASAN do not combine), cached in
# $(EP2_CACHE)/kcsan-kernel; the suite, the smoke steps and a soak on it.
# Any KCSAN report fails (scripts/vm counts "BUG: KCSAN:" as a splat).
KCSAN_SOAK_SECONDS ?= 120
kcsan-kernel: debug-setup
	scripts/debug-kernel --variant kcsan

check-kcsan: debug-setup selftests userspace $(B)/rel/soak
	scripts/check-debug --variant kcsan --run "$(B)/rel/soak -s $(KCSAN_SOAK_SECONDS)" $(CHECK_KCSAN_ARGS)

# Each scripts/kcsan-inject/*.patch (a plain racy access) must be caught.
check-kcsan-selfcheck: debug-setup selftests userspace $(B)/rel/soak
	EP2_KERNEL_VARIANT=kcsan EP2_SELFCHECK_RUN="$(B)/rel/soak -s 60" scripts/debug-selfcheck

# Fault injection: scripts/faultinj.c on the debug kernel (failslab,
# fail_page_alloc, fail_usercopy, fail-nth), then kmemleak.
# Injected faults print a stack each (verbose=2), whose frames may be named
# lockdep_* or kmemleak_*; and kmemleak's own scan-area allocation may be the
# one failed ("Cannot allocate a scan area, scanning the full object": it
# falls back).  Neither is a splat here; every report's title line still is.
FAULT_SPLAT_IGNORE := \]  (\? )?[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+( \[[a-z0-9_]+\])?$$|kmemleak: Cannot allocate a scan area, scanning the full object
check-fault: debug-setup userspace $(B)/rel/faultinj
	EP2_VM_SPLAT_IGNORE='$(FAULT_SPLAT_IGNORE)' \
		scripts/check-debug --no-selftests --no-smoke --run "$(B)/rel/faultinj" $(CHECK_FAULT_ARGS)
