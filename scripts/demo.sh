#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's main job: set everything up (build root, kernel, module) and
# boot the VM with tls_rekey.ko loaded to show it in use.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
exec "$SRCDIR/scripts/vm.sh" --timeout 600 -- python3 tools/testing/demo/rekey_demo.py
