#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sum the result files (one "passed=N failed=N skipped=N" line each) that
# the test runners wrote, print one line per runner and, last, the total
# as "N passed, N failed, N skipped".  Exits non-zero when anything failed
# or when no runner reported at all.
#
# usage: summarize.sh RESULTS_DIR
set -euo pipefail

dir=${1:?usage: summarize.sh RESULTS_DIR}
tp=0 tf=0 ts=0 files=0

echo
echo "== results"
for f in "$dir"/*.result; do
	[ -e "$f" ] || continue
	p=0 fl=0 s=0
	read -r line <"$f"
	for kv in $line; do
		case $kv in
		passed=*) p=${kv#passed=} ;;
		failed=*) fl=${kv#failed=} ;;
		skipped=*) s=${kv#skipped=} ;;
		esac
	done
	printf '  %-48s %4d passed, %d failed, %d skipped\n' \
		"$(basename "$f" .result)" "$p" "$fl" "$s"
	tp=$((tp + p)) tf=$((tf + fl)) ts=$((ts + s)) files=$((files + 1))
done
if [ "$files" -eq 0 ]; then
	echo "  no test runner reported"
	tf=$((tf + 1))
fi
echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ]
