# selftests/selftests.mk - the selftests (included by the top Makefile, after
# userspace/userspace.mk, whose libraries they link).
#
# build/selftests/NAME_test: every selftests/*_test.c as a 64-bit program; the
# ABI-heavy ones again as 32-bit programs, compat32_NAME_test (the compat_ioctl
# path: pointers as __u64, packed 12-byte events, 64-bit timespec, 8-byte
# sigset); cxx_api_test.cpp as C++17 against the static library and C++20
# against the shared one.  scripts/guest-check runs them all.

SELFTEST_HARNESS := $(KSRC)/tools/testing/selftests
SELFTEST_CFLAGS  := $(CFLAGS) -Wall -Wno-unused-parameter $(UAPI) -Iuserspace/include \
	-Iselftests -I$(SELFTEST_HARNESS)
SELFTEST_DEPS    := $(wildcard selftests/*.h) selftests/selftests.mk
SELFTEST_CHECK    = @test -e $(SELFTEST_HARNESS)/kselftest_harness.h || \
	{ echo "missing $(KSRC): run scripts/setup" >&2; exit 1; }

# The uring_*_test files need liburing (Debian: liburing-dev, which
# scripts/setup installs); without it they are not built.
SELFTEST_URING  := $(wildcard /usr/include/liburing.h)
SELFTEST_SRCS   := $(if $(SELFTEST_URING),$(wildcard selftests/*_test.c),\
	$(filter-out selftests/uring_%,$(wildcard selftests/*_test.c)))
SELFTESTS       := $(patsubst selftests/%.c,$(B)/selftests/%,$(SELFTEST_SRCS))
COMPAT32_SRCS   := $(filter $(addprefix selftests/,create_test.c ctl_errors_test.c wait_test.c \
	signal_test.c modes_test.c ring_test.c rr_test.c batch_test.c),$(wildcard selftests/*_test.c))
COMPAT32_TESTS  := $(patsubst selftests/%.c,$(B)/selftests/compat32_%,$(COMPAT32_SRCS))
EP2_CXX_TESTS   := $(B)/selftests/cxx17_api_test $(B)/selftests/cxx20_api_test \
	$(if $(SELFTEST_URING),$(B)/selftests/uring_cxx_test)

# preload_test and ep2stat_test run the preload and ep2stat.
selftests: $(SELFTESTS) $(COMPAT32_TESTS) $(EP2_CXX_TESTS) $(EP2_PRELOAD) $(EP2STAT)

$(B)/selftests/%: selftests/%.c $(SELFTEST_DEPS) $(EP2_LIB)
	@mkdir -p $(@D)
	$(SELFTEST_CHECK)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $< $(EP2_LIB) $(SELFTEST_LIBS) -lpthread

$(B)/selftests/uring_%: SELFTEST_LIBS := -luring

$(B)/selftests/compat32_%: selftests/%.c $(SELFTEST_DEPS) $(EP2_LIB32)
	@mkdir -p $(@D)
	$(SELFTEST_CHECK)
	$(CC) -m32 $(SELFTEST_CFLAGS) -o $@ $< $(EP2_LIB32) -lpthread

$(B)/selftests/cxx17_api_test: selftests/cxx_api_test.cpp $(EP2_HEADERS) $(EP2_LIB)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 $(CXXFLAGS) $(EP2_CXXWARN) $(UAPI) -Iuserspace/include -o $@ $< \
		$(EP2_LIB) -lpthread

$(B)/selftests/uring_cxx_test: selftests/uring_cxx_test.cpp userspace/include/eventpoll2_uring.h \
		$(EP2_HEADERS) $(EP2_LIB)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 $(CXXFLAGS) $(EP2_CXXWARN) $(UAPI) -Iuserspace/include -o $@ $< \
		$(EP2_LIB) -luring -lpthread

$(B)/selftests/cxx20_api_test: selftests/cxx_api_test.cpp $(EP2_HEADERS) $(EP2_SO_LINKS)
	@mkdir -p $(@D)
	$(CXX) -std=c++20 $(CXXFLAGS) $(EP2_CXXWARN) $(UAPI) -Iuserspace/include -o $@ $< \
		-L$(B)/lib -leventpoll2 -Wl,-rpath,'$$ORIGIN/../lib'
