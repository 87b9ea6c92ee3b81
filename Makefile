# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of partvisor.ko plus its tools and checks.
#   make [KDIR=...] [W=1] [C=1]   module (default KDIR: running kernel, else
#                                 the installed Debian linux-headers-*-amd64)
#   make module-btf               the module's BTF where KDIR has no vmlinux
#                                 (Debian's headers): from the kernel's image
#   make tools                    pvctl, guests, the scheduler simulator,
#                                 the BPF tools (pvexit, pvhcall, pvsched, pvtop)
#   make selftests                kselftest programs
#   make checkpatch               checkpatch.pl --strict over our sources
#   make check / check-quick      every test / the fast subset (no Bochs)
#   make demo                     boot an emulated machine and show partvisor

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
PV_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/partvisor
KERNEL_TARBALL ?= /usr/src/linux-source-6.1.tar.xz
CHECKPATCH ?= $(PV_CACHE)/checkpatch/scripts/checkpatch.pl

SRCDIR := $(CURDIR)
CHECK_SOURCES = $(shell find module include tools/pvctl tools/bench \
		  tools/sched-sim tools/lib selftests \
		  -name '*.[ch]' | sort)
# Without the generated skeletons.
CHECK_BPF_SOURCES = $(shell find tools/bpf -name '*.[ch]' ! -name '*.skel.h' | sort)

.PHONY: all modules module-btf clean tools selftests checkpatch check \
	check-quick demo

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel build dir: set KDIR or install linux-headers-amd64" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(SRCDIR) modules

# What kbuild does with a vmlinux: tp_btf programs need the module's BTF.
# VMLINUZ names the image if it is not /boot/vmlinuz-<KDIR's release>.
module-btf: modules
	PV_CACHE=$(PV_CACHE) KERNEL_TARBALL=$(KERNEL_TARBALL) \
		tools/testing/vm/module-btf.sh $(KDIR) $(SRCDIR)/partvisor.ko

clean:
	$(MAKE) -C $(KDIR) M=$(SRCDIR) clean
	$(MAKE) -C tools/pvctl clean
	$(MAKE) -C tools/guests clean
	$(MAKE) -C tools/sched-sim clean
	$(MAKE) -C tools/bpf clean
	$(MAKE) -C selftests clean

tools:
	$(MAKE) -C tools/pvctl
	$(MAKE) -C tools/guests
	$(MAKE) -C tools/sched-sim
	$(MAKE) -C tools/bpf

selftests:
	$(MAKE) -C selftests

$(CHECKPATCH):
	mkdir -p $(PV_CACHE)/checkpatch
	tar -C $(PV_CACHE)/checkpatch --strip-components=1 -xf $(KERNEL_TARBALL) \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'

# FILE_PATH_CHANGES: we are not a kernel tree with a MAINTAINERS file.
checkpatch: $(CHECKPATCH)
	perl $(CHECKPATCH) --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES -f $(CHECK_SOURCES)
	@# BPF tools: libbpf's read-only globals are "const volatile", and so
	@# is the signal flag.
	perl $(CHECKPATCH) --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES,VOLATILE -f $(CHECK_BPF_SOURCES)

check:
	tools/testing/vm/check.sh --full

check-quick:
	tools/testing/vm/check.sh --quick

demo:
	tools/testing/vm/demo.sh
