#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The library's exported symbols against its version script and header,
# one TAP line ("ok - ..." without numbers, as the test programs print)
# each:
#   - libvmpkram.so exports exactly the functions libvmpkram.sym lists,
#     each in the version node it is listed under (nothing leaks, nothing
#     is missing, nothing moved to another version);
#   - the functions libvmpkram.h declares are the ones libvmpkram.sym
#     lists (a new call cannot be forgotten in the version script).
#
# usage: check-symbols.sh LIBVMPKRAM_SO LIBVMPKRAM_SYM LIBVMPKRAM_H
set -uo pipefail

so=${1:?usage: check-symbols.sh SO SYM HEADER} sym=${2:?} header=${3:?}
status=0

# "VERSION symbol" for every function the version script exports.
script_symbols() {
	awk '/^[A-Z_0-9]+ *\{/ { node = $1; global = 1; next }
	     /^[ \t]*global:/ { global = 1; next }
	     /^[ \t]*local:/ { global = 0; next }
	     /^}/ { node = ""; next }
	     node != "" && global && /;/ { gsub(/[ \t;]/, ""); print node, $0 }' "$sym" |
		LC_ALL=C sort
}

# "VERSION symbol" for every function the library exports.
exported_symbols() {
	objdump -T "$so" | awk '$2 == "g" && $3 == "DF" && $4 != "*UND*" { print $(NF - 1), $NF }' |
		LC_ALL=C sort
}

# Functions the header declares: lines that start with a type.
header_functions() {
	grep -E '^[a-z].*[ *]vmpkram_[a-z0-9_]+\(' "$header" |
		sed -E 's/.*[ *](vmpkram_[a-z0-9_]+)\(.*/\1/' | LC_ALL=C sort -u
}

report() {	# report STATUS NAME DIFF
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		sed 's/^/# /' <<<"$3"
		status=1
	fi
}

d=$(diff <(script_symbols) <(exported_symbols))
report $? "$(basename "$so") exports exactly what $(basename "$sym") lists, in its version (< script, > library)" "$d"
d=$(diff <(script_symbols | awk '{ print $2 }' | LC_ALL=C sort) <(header_functions))
report $? "$(basename "$header") declares exactly the functions $(basename "$sym") lists (< script, > header)" "$d"
n=$(script_symbols | wc -l)
[ "$n" -gt 0 ]
report $? "$(basename "$sym") lists $n functions" ""
exit $status
