#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the kernel module, one TAP result each:
#   - checkpatch.pl --strict (from linux-source-6.12) on kmod/, clean;
#   - for every given kernel: W=1 build with warnings as errors, and
#     sparse (C=2) with no warning on our sources.
#
# usage: check-static.sh RESULT_FILE KREL...
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
result=${1:?usage: check-static.sh RESULT_FILE KREL...}
shift
passed=0 failed=0 n=0

report() {	# report STATUS NAME [DETAIL_FILE]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' "$3"
	fi
	return 0
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "TAP version 13"
ksrc=$("$top/tools/ksrc.sh")
(cd "$top" && perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types -f kmod/*.c kmod/*.h kmod/uapi/linux/*.h) >"$log" 2>&1
# --terse prints one "file:line: TYPE:..." line per finding.
! grep -Eq ': (ERROR|WARNING|CHECK):' "$log"
report $? "checkpatch --strict kmod/" "$log"

for k in "$@"; do
	"$top/tools/kbuild.sh" "/lib/modules/$k/build" >"$log" 2>&1
	report $? "W=1 -Werror build for $k" "$log"
	# C=2 checks every file even when nothing needs rebuilding.
	"$top/tools/kbuild.sh" "/lib/modules/$k/build" C=2 >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'warning:\|error:' "$log"; then
		rc=1
	fi
	report $rc "sparse C=2 for $k" "$log"
done

echo "1..$n"
mkdir -p "$(dirname "$result")"
echo "passed=$passed failed=$failed skipped=0" >"$result"
[ "$failed" -eq 0 ]
