# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers for the shell tests of the test VM.  Source it:
#	. "$(dirname "$0")/tap.sh"
# then report with ok/not_ok/skip/check and end with tap_done.
#
# Not 6.12's tools/testing/selftests/kselftest/ktap_helpers.sh, which
# gives the same TAP 13: it wants the plan before the first test
# (ktap_finished compares the results with it), while these scripts
# decide as they go (pool_corrupt.sh's cases, kexec_pool.sh continuing
# its numbering across kexec stages) and print the plan last, as TAP
# allows; it echoes descriptions unquoted, so a '*' or '[' in one is
# globbed; and it would have to be extracted from linux-source-6.12 at
# build time and shipped in the initramfs, for about as many lines as
# this file.

n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

check() {	# check DESCRIPTION COMMAND...
	check_desc=$1
	shift
	if "$@"; then ok "$check_desc"; else not_ok "$check_desc"; fi
}

# Prints the plan; the exit status says whether everything passed.
tap_done() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

# JSON is checked by value with vmpkram_json (selftests/vmpkram_json.c),
# never by grepping text: vmpkramctl indents it only on a terminal.
# json_is PATH VALUE < JSON: the value at PATH is VALUE.
json_is() {
	[ "$(vmpkram_json "$1")" = "$2" ]
}

# json_match PATH REGEX < JSON: the value at PATH matches REGEX (grep -E).
json_match() {
	vmpkram_json "$1" | grep -Eq -- "$2"
}

# devtmpfs creates /dev/vmpkram asynchronously after misc_register().
# (sh has no locals: the counter must not be the caller's.)
dev_ready() {
	dev_tries=0
	while [ ! -c /dev/vmpkram ] && [ $dev_tries -lt 50 ]; do
		sleep 0.1
		dev_tries=$((dev_tries + 1))
	done
	[ -c /dev/vmpkram ]
}
