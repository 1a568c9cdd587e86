# packaging/packaging.mk - distribution (included by the top Makefile):
# kernel flavours, man pages, the DKMS tree, Debian packages.
#
#   make KFLAVOUR=rt ...   build/run/check for the rt kernel (also: cloud)
#   make module-flavours   the module for every installed flavour, side by
#                          side in build/kmod/KVER/ (the tree's .ko untouched)
#   make man               build/man/*.[137] from docs/man/*.scd (scdoc)
#   make man-check         man -l, groff -ww and mandoc -T lint on each page
#   make dkms-tree         build/dkms/eventpoll2-VERSION (dkms.conf + sources)
#   make dkms-check        dkms add/build/install on this host for two 6.1
#                          ABIs, modprobe in the guest, a selftest (root)
#   make deb               the Debian packages in build/deb/, lintian
#   make deb-check         install them into a scratch root, build and run a
#                          program with pkg-config
#
# None of this is needed by make all/run/check, and only the man, deb and
# dkms targets need the packaging tools (packaging/tools.pkgs), which they
# install through scripts/setup.  See packaging/README.md.

# Rules here must not become the default goal (`all`, defined after the
# fragments are included).
_pkg_saved_goal := $(.DEFAULT_GOAL)

EP2_VERSION ?= 0.1.0
PKG_TOOLS := $(shell sed 's/\#.*//' packaging/tools.pkgs)

# ---- kernel flavours ----------------------------------------------------------
# KFLAVOUR= (generic), rt or cloud picks the Debian kernel flavour: scripts/kver
# chooses the newest kernel of it, scripts/setup installs its image and
# headers, scripts/vm boots it.  ($(shell) does not see command-line
# variables in make 4.3, hence the explicit hand-over.)  The tree's
# eventpoll2.ko is rebuilt for whichever kernel KVER names; Kbuild notices
# the changed command lines.
KFLAVOUR ?=
ifneq ($(KFLAVOUR),)
ifeq ($(origin KVER),file)
KVER := $(shell KFLAVOUR='$(KFLAVOUR)' scripts/kver 2>/dev/null)
endif
endif

# What Kbuild needs, and all of it (the DKMS tree is made of this list).
KMOD_SRCS := Kbuild module/Kbuild.cxx \
	$(sort $(wildcard module/*.cpp module/*.hpp module/*.h module/glue/*.c module/glue/*.h)) \
	uapi/linux/eventpoll2.h

.PHONY: module-kver module-flavours man man-check dkms-tree dkms-check deb deb-check \
	packaging-setup install-dkms-src FORCE

# The module for $(KVER) in build/kmod/$(KVER)/, from a tree of symlinks to
# the sources (so that no object lands next to them).
module-kver: $(B)/kmod/$(KVER)/eventpoll2.ko

$(B)/kmod/%/eventpoll2.ko: FORCE
	@test -e /lib/modules/$*/build/Makefile || { echo "no headers for $*" >&2; exit 1; }
	@for f in $(KMOD_SRCS); do mkdir -p $(@D)/$$(dirname $$f); \
		ln -sfn $(CURDIR)/$$f $(@D)/$$f; done
	$(MAKE) -C /lib/modules/$*/build M=$(CURDIR)/$(@D) modules

# Every flavour whose headers are installed (generic, rt, cloud).
module-flavours:
	@set -e; for f in '' rt cloud; do \
		v=$$(KFLAVOUR=$$f scripts/kver -b 2>/dev/null) || { echo "module-flavours: no headers for flavour '$$f'"; continue; }; \
		$(MAKE) --no-print-directory $(B)/kmod/$$v/eventpoll2.ko; \
		echo "module-flavours: $(B)/kmod/$$v/eventpoll2.ko: $$(modinfo -F vermagic $(B)/kmod/$$v/eventpoll2.ko)"; \
	done

FORCE:

# ---- set-up ---------------------------------------------------------------------
packaging-setup:
	EP2_SETUP_EXTRA="$(PKG_TOOLS) $(EP2_SETUP_EXTRA)" scripts/setup

# ---- man pages ------------------------------------------------------------------
MAN_SRCS  := $(wildcard docs/man/*.scd)
MAN_PAGES := $(patsubst docs/man/%.scd,$(B)/man/%,$(MAN_SRCS))

man: $(MAN_PAGES) $(B)/man/.links

$(B)/man/%: docs/man/%.scd packaging/man-tidy
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(EP2_VERSION)/g' $< | scdoc | packaging/man-tidy > $@.tmp
	mv $@.tmp $@

# Extra names (docs/man/links) as ".so" pages.
$(B)/man/.links: docs/man/links $(MAN_PAGES)
	sed 's/#.*//' $< | while read -r alias page; do \
		[ -n "$$alias" ] || continue; \
		test -e $(B)/man/$$page || { echo "docs/man/links: no page $$page" >&2; exit 1; }; \
		echo ".so man$${page##*.}/$$page" > $(B)/man/$$alias; \
	done
	touch $@

man-check: packaging-setup
	$(MAKE) --no-print-directory man
	packaging/man-check $(B)/man docs/man/links

# ---- DKMS -------------------------------------------------------------------------
DKMS_TREE := $(B)/dkms/eventpoll2-$(EP2_VERSION)

$(B)/dkms.conf: packaging/dkms.conf.in
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(EP2_VERSION)/g' $< > $@

# Install the DKMS source tree into DKMS_SRCDIR (debian/rules uses it too).
install-dkms-src: $(B)/dkms.conf
	@test -n "$(DKMS_SRCDIR)" || { echo "install-dkms-src: set DKMS_SRCDIR" >&2; exit 1; }
	for f in $(KMOD_SRCS); do install -D -m 644 $$f $(DKMS_SRCDIR)/$$f; done
	install -m 644 $(B)/dkms.conf $(DKMS_SRCDIR)/dkms.conf

dkms-tree:
	rm -rf $(DKMS_TREE)
	$(MAKE) --no-print-directory install-dkms-src DKMS_SRCDIR=$(DKMS_TREE)

# DKMS_FROM=deb: install build/deb/eventpoll2-dkms_*.deb instead of the tree.
dkms-check: packaging-setup
	$(MAKE) --no-print-directory dkms-tree selftests $(if $(filter deb,$(DKMS_FROM)),deb)
	packaging/dkms-check $(DKMS_TREE) $(EP2_VERSION)

# ---- Debian packages ----------------------------------------------------------
deb: packaging-setup
	packaging/make-deb $(EP2_VERSION)

deb-check: deb
	packaging/deb-check $(EP2_VERSION)

.DEFAULT_GOAL := $(_pkg_saved_goal)
