#!/bin/bash
# The longest C functions, for the "no function in cli/ over 60 lines" rule:
# universal-ctags gives each function's first and last line (line:, end:);
# the length counts both, the signature and the braces included.
#
#   tests/funclen.sh [N] [DIR...]   the N longest (default 10) under DIRs
#                                   (default: every layer)
#   tests/funclen.sh --max LINES DIR...   TAP: fails when one is longer
set -u
cd "$(dirname "$0")/.."
max=
if [ "${1:-}" = --max ]; then max=$2; shift 2; n=0; else n=${1:-10}; shift || true; fi
[ $# -gt 0 ] || set -- lib raid block fs sync backend app cli
command -v ctags >/dev/null || { echo "not ok - funclen: universal-ctags is not installed"; exit 1; }
lengths() {
	ctags -D 'DEFINE_TRIVIAL_CLEANUP_FUNC(t,f)=' --fields=+ne --c-kinds=f -o - $(find "$@" -name '*.c' 2>/dev/null | sort) |
		awk -F'\t' '{ s = e = 0; for (i = 4; i <= NF; i++) { if ($i ~ /^line:/) s = substr($i, 6); if ($i ~ /^end:/) e = substr($i, 5) }
			    if (e) printf "%5d %s:%d %s\n", e - s + 1, $2, s, $1 }' | sort -rn
}
if [ -z "$max" ]; then
	lengths "$@" | head -n "$n"
	exit 0
fi
over=$(lengths "$@" | awk -v m="$max" '$1 > m')
if [ -n "$over" ]; then
	echo "not ok - functions over $max lines in $*:"
	sed 's/^/# /' <<<"$over"
	exit 1
fi
echo "ok - no function over $max lines in $*"
