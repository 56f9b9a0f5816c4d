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
else
modules:
	scripts/build-module.sh $(VARIANT)
clippy:
	scripts/build-module.sh $(VARIANT) CLIPPY=1
endif

bootstrap:
	scripts/bootstrap.sh

kernel:
	scripts/build-kernel.sh $(VARIANT)

host-test:
	cargo test --workspace

vm:
	scripts/vm.sh --variant $(VARIANT) -- $(if $(CMD),$(CMD),bash -l)

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh $(VARIANT)

check:
	scripts/check.sh lean debug

check-lean:
	scripts/check.sh lean

check-debug:
	scripts/check.sh debug

.PHONY: modules clean clippy bootstrap kernel host-test vm demo bench check check-lean check-debug
