#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs the host tests under valgrind and merges their TAP into one stream:
# each test program's "ok - name" lines are numbered here, and each
# program adds one more test of its own, "exited 0 under valgrind", so a
# leak or a crash fails even when every check inside passed.  test-cli
# runs twice: against vmpkramctl (libvmpkram linked statically) and,
# without valgrind, against vmpkramctl-shared, which uses libvmpkram.so.1,
# so that the shared library and its version script are what a program
# really gets.
# The exported symbols are checked against libvmpkram.sym and the header.
#
# Usage: run-tests.sh SRC_DIR BUILD_DIR RESULTS_DIR UNIT_TEST...
# Writes RESULTS_DIR/host-user.result: "passed=N failed=N skipped=N".
set -u

src=$1 build=$2 results=$3
shift 3

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

# run NAME COMMAND...: COMMAND's TAP lines, numbered, and its exit status.
run_plain() {
	local name=$1 line rc=
	shift
	echo "# $name"
	while IFS= read -r line; do
		case $line in
		"ok - "*)	tap ok "$name: ${line#ok - }" ;;
		"not ok - "*)	tap notok "$name: ${line#not ok - }" ;;
		exit=*)		rc=${line#exit=} ;;
		*)		echo "# $line" ;;
		esac
	done < <("$@"; echo "exit=$?")
	if [ "$rc" = 0 ]; then
		tap ok "$name: exited 0$vg"
	else
		tap notok "$name: exited $rc$vg${vg:+ (99: valgrind errors)}"
	fi
}

run() {	# run NAME COMMAND...: the same under valgrind
	vg=" under valgrind" run_plain "$1" "${valgrind[@]}" "${@:2}"
}

vg=
for t in "$@"; do
	run "$t" "$build/tests/$t"
done
run test-cli "$build/tests/test-cli" "$build/vmpkramctl" "${valgrind[@]}"
# A script that runs the programs it tests under valgrind itself.
run_plain test-qemu-shim "$(dirname "$0")/qemu-shim.sh" "$build" \
	"${valgrind[@]}"
# The same program, so valgrind would find nothing new: without it.
run_plain "test-cli (libvmpkram.so)" "$build/tests/test-cli" \
	"$build/vmpkramctl-shared" env
readelf -d "$build/vmpkramctl-shared" | grep -q 'NEEDED.*\[libvmpkram\.so\.1\]'
[ $? = 0 ] && tap ok "vmpkramctl-shared uses libvmpkram.so.1" ||
	tap notok "vmpkramctl-shared uses libvmpkram.so.1"
run_plain check-symbols "$src/tests/check-symbols.sh" \
	"$build/lib/libvmpkram.so.1" "$src/lib/libvmpkram.sym" \
	"$src/lib/libvmpkram.h"

echo "1..$n"
echo "# passed=$passed failed=$failed skipped=$skipped"
mkdir -p "$results"
echo "passed=$passed failed=$failed skipped=$skipped" > "$results/host-user.result"
[ "$failed" = 0 ]
