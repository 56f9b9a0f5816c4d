#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every `unsafe {` block and `unsafe impl` in the module's Rust sources must
# be preceded by a `// SAFETY:` comment (within the comment lines above it).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
for f in tls_rekey.rs $(find rust tools/testing -name "*.rs" | sort); do
	[ "$f" = rust/bindings.rs ] && continue
	awk -v f="$f" '
		/^[[:space:]]*\/\// { if ($0 ~ /SAFETY:/) safety = 1; comment = 1; next }
		/unsafe[[:space:]]*\{|unsafe impl/ {
			if (!safety && !($0 ~ /SAFETY:/)) { printf "%s:%d: unsafe without SAFETY comment\n", f, NR; bad = 1 }
		}
		{ if (!($0 ~ /^[[:space:]]*$/)) { safety = ($0 ~ /\(\(?$|= *$|\{$|,$|=>$/) ? safety : 0 } }
		END { exit bad }
	' "$f" || bad=1
done
exit $bad
