#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make host-test`: cargo test of the kernel-independent logic (rust/logic),
# with the build root's Debian cargo and rustc (the compiler the module is
# built with), so a machine needs no Rust toolchain of its own. The target
# directory lives in the cache, not in the repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SRCDIR/scripts/bootstrap.sh" >/dev/null
in_root sh -c 'cd /src && CARGO_HOME=/build/cargo CARGO_TARGET_DIR=/build/cargo-target cargo test --offline --workspace "$@"' host-test "$@"
