# SPDX-License-Identifier: GPL-2.0
#
# tls_rekey: user-facing targets. Kbuild (the file of that name) builds the
# module itself. Without KDIR everything runs in the cached Debian trixie
# build root made by scripts/bootstrap.sh; with KDIR=/path/to/tree the
# module is built against that Rust-enabled tree with the host's tools.

VARIANT ?= lean

ifneq ($(KDIR),)
modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=1 modules
clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
# Install in place of tls.ko for the tree's kernel release (see
# scripts/install-module.sh); INSTALL_MOD_PATH installs under another root.
install: modules
	scripts/install-module.sh $(if $(INSTALL_MOD_PATH),--root $(INSTALL_MOD_PATH)) \
		$(CURDIR)/tls_rekey.ko $(shell $(MAKE) -s -C $(KDIR) kernelrelease)
else
modules:
	scripts/build-module.sh $(VARIANT)
clippy:
	scripts/build-module.sh $(VARIANT) CLIPPY=1
install:
	@echo "make install needs KDIR=/path/to/your/kernel/tree (the VM tests install the cached build)" >&2; false
endif

bootstrap:
	scripts/bootstrap.sh

kernel:
	scripts/build-kernel.sh $(VARIANT)

host-test:
	scripts/host-test.sh

vm:
	scripts/vm.sh --variant $(VARIANT) -- $(if $(CMD),$(CMD),bash -l)

demo:
	scripts/demo.sh

demo-offload:
	scripts/vm.sh --variant lean --timeout 600 -- bash tools/testing/demo/offload_demo.sh

bench:
	scripts/bench.sh $(VARIANT)

check:
	scripts/check.sh lean debug

check-lean:
	scripts/check.sh lean

check-debug:
	scripts/check.sh debug

.PHONY: modules clean clippy install bootstrap kernel host-test vm demo demo-offload bench check check-lean check-debug
