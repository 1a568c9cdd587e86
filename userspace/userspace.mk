# userspace/userspace.mk - included by the top Makefile.
#
# Every library rule: libeventpoll2 static (and its -m32 build, which the
# 32-bit selftests link), shared with soname and symbol versions, its
# pkg-config file; the C++ header, the demo, the LD_PRELOAD drop-in, ep2stat,
# ep2callcost, and `make install` / `make uninstall` (PREFIX=/usr/local,
# DESTDIR=, LIBDIR=, INCLUDEDIR=, BINDIR=).

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
CXXFLAGS   ?= -O2 -g
INSTALL    ?= install

EP2_VERSION   := 0.1.0
EP2_SOVERSION := 0
EP2_SONAME    := libeventpoll2.so.$(EP2_SOVERSION)
EP2_SO_REAL   := $(B)/lib/libeventpoll2.so.$(EP2_VERSION)
EP2_SO_LINKS  := $(B)/lib/$(EP2_SONAME) $(B)/lib/libeventpoll2.so
EP2_PRELOAD   := $(B)/lib/libeventpoll2_preload.so
EP2_PC        := $(B)/lib/pkgconfig/eventpoll2.pc
EP2STAT       := $(B)/bin/ep2stat
EP2CALLCOST   := $(B)/bin/ep2callcost
EP2_HEADERS   := userspace/include/eventpoll2.h userspace/include/eventpoll2.hpp uapi/linux/eventpoll2.h
EP2_CXXWARN   := -Wall -Wextra -Wpedantic -Werror

LIB_SRCS      := userspace/lib/eventpoll2.c
EP2_LIB       := $(B)/lib/libeventpoll2.a
EP2_LIB32     := $(B)/lib32/libeventpoll2.a
EP2_LIB_FLAGS := $(CFLAGS) $(WARN) -fPIC $(UAPI) -Iuserspace/include
DEMO          := $(B)/userspace/ep2demo

EP2_USERSPACE := $(EP2_SO_REAL) $(EP2_SO_LINKS) $(EP2_PRELOAD) $(EP2_PC) $(EP2STAT)

.PHONY: install install-userspace uninstall uninstall-userspace userspace-install-check

userspace: $(EP2_LIB) $(DEMO) $(EP2_USERSPACE) $(EP2CALLCOST)

# ---- libeventpoll2.a, 64- and 32-bit ------------------------------------------------
$(EP2_LIB): $(LIB_SRCS) userspace/include/eventpoll2.h userspace/lib/ring_impl.h uapi/linux/eventpoll2.h
	@mkdir -p $(@D)
	$(CC) $(EP2_LIB_FLAGS) -c -o $(@D)/eventpoll2.o $<
	$(AR) rcs $@ $(@D)/eventpoll2.o

$(EP2_LIB32): $(LIB_SRCS) userspace/include/eventpoll2.h userspace/lib/ring_impl.h uapi/linux/eventpoll2.h
	@mkdir -p $(@D)
	$(CC) -m32 $(EP2_LIB_FLAGS) -c -o $(@D)/eventpoll2.o $<
	$(AR) rcs $@ $(@D)/eventpoll2.o

# ---- libeventpoll2.so ----------------------------------------------------------
$(EP2_SO_REAL): $(LIB_SRCS) userspace/lib/libeventpoll2.map userspace/include/eventpoll2.h userspace/lib/ring_impl.h uapi/linux/eventpoll2.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -fPIC -fvisibility=hidden $(UAPI) -Iuserspace/include -shared \
		-Wl,-soname,$(EP2_SONAME) -Wl,--version-script=userspace/lib/libeventpoll2.map \
		-Wl,-z,defs -o $@ $(LIB_SRCS) -lpthread

$(B)/lib/$(EP2_SONAME): $(EP2_SO_REAL)
	ln -sf $(notdir $<) $@

$(B)/lib/libeventpoll2.so: $(B)/lib/$(EP2_SONAME)
	ln -sf $(notdir $<) $@

# For the build tree and the default PREFIX; `make install` writes its own.
EP2_PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(EP2_VERSION)|'

$(EP2_PC): userspace/lib/eventpoll2.pc.in userspace/userspace.mk
	@mkdir -p $(@D)
	$(EP2_PC_SED) $< > $@

# ---- the LD_PRELOAD drop-in -------------------------------------------------------
$(EP2_PRELOAD): userspace/preload/ep2_preload.c userspace/lib/ring_impl.h userspace/include/eventpoll2.h uapi/linux/eventpoll2.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -fPIC -fvisibility=hidden $(UAPI) -Iuserspace/include -Iuserspace/lib -shared -Wl,-z,defs \
		-o $@ $< -ldl -lpthread

# ---- ep2stat -----------------------------------------------------------------------
$(EP2STAT): userspace/tools/ep2stat.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -o $@ $<

# Per-call cost of each path (not installed; scripts/preload-demo runs it).
$(EP2CALLCOST): userspace/tools/ep2callcost.c $(EP2_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -Iuserspace/include -o $@ $< $(EP2_LIB) -ldl -lpthread

# ---- the demo ------------------------------------------------------------------------
$(DEMO): userspace/demo/ep2demo.cpp userspace/include/eventpoll2.hpp $(EP2_LIB)
	@mkdir -p $(@D)
	$(CXX) -std=c++20 $(CFLAGS) $(WARN) $(UAPI) -Iuserspace/include -o $@ $< $(EP2_LIB) -lpthread

# ---- install ----------------------------------------------------------------------
install: install-userspace
uninstall: uninstall-userspace

install-userspace: $(EP2_LIB) $(EP2_USERSPACE)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 uapi/linux/eventpoll2.h $(DESTDIR)$(INCLUDEDIR)/linux/eventpoll2.h
	$(INSTALL) -m 644 userspace/include/eventpoll2.h userspace/include/eventpoll2.hpp \
		userspace/include/eventpoll2_uring.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 644 $(EP2_LIB) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(EP2_SO_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(EP2_SO_REAL)) $(DESTDIR)$(LIBDIR)/$(EP2_SONAME)
	ln -sf $(EP2_SONAME) $(DESTDIR)$(LIBDIR)/libeventpoll2.so
	$(INSTALL) -m 755 $(EP2_PRELOAD) $(DESTDIR)$(LIBDIR)/
	$(EP2_PC_SED) userspace/lib/eventpoll2.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/eventpoll2.pc
	$(INSTALL) -m 755 $(EP2STAT) $(DESTDIR)$(BINDIR)/
	@if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null; then ldconfig || true; fi

uninstall-userspace:
	rm -f $(DESTDIR)$(INCLUDEDIR)/linux/eventpoll2.h $(DESTDIR)$(INCLUDEDIR)/eventpoll2.h \
		$(DESTDIR)$(INCLUDEDIR)/eventpoll2.hpp $(DESTDIR)$(INCLUDEDIR)/eventpoll2_uring.h \
		$(DESTDIR)$(LIBDIR)/libeventpoll2.a \
		$(DESTDIR)$(LIBDIR)/libeventpoll2.so* $(DESTDIR)$(LIBDIR)/libeventpoll2_preload.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/eventpoll2.pc $(DESTDIR)$(BINDIR)/ep2stat

# Host-side: install into a scratch DESTDIR and build a C and a C++ program
# from it with pkg-config alone (no module needed: they are only linked).
userspace-install-check: $(EP2_LIB) $(EP2_USERSPACE)
	userspace/install-check "$(CC)" "$(CXX)"
