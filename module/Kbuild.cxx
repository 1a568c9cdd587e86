# SPDX-License-Identifier: GPL-2.0
#
# C++ in Kbuild.
#
# Flags are derived from the kernel's own KBUILD_CFLAGS (so retpolines, the
# return thunk, SLS hardening, the stack protector, -mcmodel=kernel, fentry
# and everything else the kernel's C is built with apply unchanged), minus the
# options that mean nothing to C++, plus what a freestanding C++ needs.  C++
# sources include no kernel header, so LINUXINCLUDE and the forced -include of
# compiler_types.h are not passed.

# Options g++ rejects or ignores for C++ ("valid for C/ObjC but not for C++").
ep2-c-only-flags := -std=% -Wstrict-prototypes -Wold-style-definition \
	-Wmissing-prototypes -Wdeclaration-after-statement -Wno-pointer-sign \
	-Werror=strict-prototypes -Werror=implicit-int -Werror=implicit-function-declaration \
	-Werror=incompatible-pointer-types -Werror=designated-init \
	-Wno-old-style-declaration -Wold-style-declaration -Wnested-externs \
	-Wimplicit-int -Wimplicit-function-declaration -Wno-enum-int-mismatch

# $(_c_flags) is what Kbuild gives a C object before includes: KBUILD_CPPFLAGS,
# KBUILD_CFLAGS, ccflags-y, per-object CFLAGS_*, and the per-object
# sanitizer and coverage flags (CFLAGS_KASAN, CFLAGS_UBSAN, CFLAGS_KCSAN,
# CFLAGS_KCOV, CFLAGS_GCOV) that scripts/Makefile.lib adds outside
# KBUILD_CFLAGS; so a KASAN kernel instruments the C++ as it does the C.
# Recursively expanded: it depends on the target.
ep2-cxxflags = $(filter-out $(ep2-c-only-flags),$(_c_flags) $(modkern_cflags)) \
	$(NOSTDINC_FLAGS) \
	-std=gnu++20 -nostdinc++ -ffreestanding \
	-fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit \
	-fno-unwind-tables -fno-asynchronous-unwind-tables \
	-fno-sized-deallocation -fno-aligned-new \
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-Werror=return-type -Wnon-virtual-dtor -Wno-invalid-offsetof \
	-I$(src)/module -I$(obj)/module/generated -I$(src)/uapi \
	$(modname_flags) $(basename_flags)

quiet_cmd_cxx_o_cpp = C++ $(quiet_modtag) $@
      cmd_cxx_o_cpp = $(CXX) -Wp,-MMD,$(depfile) $(ep2-cxxflags) -c -o $@ $< \
		$(cmd_objtool)

# The same steps rule_cc_o_c takes for a C object that exports nothing:
# compile + fixdep, then record objtool as a dependency of the object.
define rule_cxx_o_cpp
	$(call cmd_and_fixdep,cxx_o_cpp)
	$(call cmd,gen_objtooldep)
endef

$(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cxx_o_cpp)

CXX ?= g++
ifeq ($(origin CXX),default)
CXX := $(patsubst %gcc,%g++,$(CC))
endif

# Layout of the kernel objects C++ embeds, generated from the real headers the
# way asm-offsets.h is (module/glue/layout.c -> .s -> filechk offsets).
ep2-layout := $(obj)/module/generated/ep2_layout.h

$(ep2-layout): $(obj)/module/glue/layout.s FORCE
	$(call filechk,offsets,__EP2_LAYOUT_H__)

$(addprefix $(obj)/,$(ep2-cxx)): $(ep2-layout)

targets += module/glue/layout.s
clean-files += module/generated/ep2_layout.h
