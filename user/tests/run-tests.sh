#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs the host tests under valgrind and merges their TAP into one stream:
# each test program's "ok - name" lines are numbered here, and each
# program adds one more test of its own, "exited 0 under valgrind", so a
# leak or a crash fails even when every check inside passed.
#
# Usage: run-tests.sh BUILD_DIR RESULTS_DIR UNIT_TEST...
# Writes RESULTS_DIR/host-user.result: "passed=N failed=N skipped=N".
set -u

build=$1 results=$2
shift 2

read -r -a valgrind <<< "${VALGRIND:-valgrind}"
valgrind+=(--quiet --leak-check=full --error-exitcode=99
	   --errors-for-leak-kinds=definite,indirect)

n=0 passed=0 failed=0 skipped=0

tap() {	# tap ok|notok description
	n=$((n + 1))
	case $1 in
	ok)	if [[ $2 == *"# SKIP"* ]]; then
			skipped=$((skipped + 1))
		else
			passed=$((passed + 1))
		fi
		echo "ok $n - $2" ;;
	*)	failed=$((failed + 1))
		echo "not ok $n - $2" ;;
	esac
}

# run NAME COMMAND...: COMMAND under valgrind; PLAIN=1: as it is (a
# script that runs the programs it tests under valgrind itself).
run() {
	local name=$1 line rc= how=" under valgrind" vg=("${valgrind[@]}")
	shift
	if [ "${PLAIN:-0}" = 1 ]; then
		how="" vg=()
	fi
	echo "# $name"
	while IFS= read -r line; do
		case $line in
		"ok - "*)	tap ok "$name: ${line#ok - }" ;;
		"not ok - "*)	tap notok "$name: ${line#not ok - }" ;;
		exit=*)		rc=${line#exit=} ;;
		*)		echo "# $line" ;;
		esac
	done < <("${vg[@]}" "$@"; echo "exit=$?")
	if [ "$rc" = 0 ]; then
		tap ok "$name: exited 0$how"
	else
		tap notok "$name: exited $rc$how (99: valgrind errors)"
	fi
}

for t in "$@"; do
	run "$t" "$build/tests/$t"
done
run test-cli "$build/tests/test-cli" "$build/vmpkramctl" "${valgrind[@]}"
PLAIN=1 run test-qemu-shim "$(dirname "$0")/qemu-shim.sh" "$build" \
	"${valgrind[@]}"

echo "1..$n"
echo "# passed=$passed failed=$failed skipped=$skipped"
mkdir -p "$results"
echo "passed=$passed failed=$failed skipped=$skipped" > "$results/host-user.result"
[ "$failed" = 0 ]
