#!/bin/bash
# The layering rule, checked over every #include "…" of the C sources: a file
# may include headers of its own folder and of the folders listed for it
# below, nothing else (no upward and no sideways include).  README.md
# ("Developer map") explains the layers.
#
#   tests/layers.sh [ROOT]   check the tree at ROOT (default: this checkout)
#   tests/layers.sh --self-test
#
# Prints TAP lines: one "not ok" per offending include, then one summary line.
set -u

# Who may include whom.  Domain folders: fs/ formats and mounts what raid/
# measured on block/ devices; backend/ registers and checks what sync/ mirrors.
declare -A ALLOWED=(
	[cli]="app fs raid block sync backend lib"
	[app]="fs raid block sync backend lib"
	[fs]="raid block lib"
	[raid]="block lib"
	[block]="lib"
	[backend]="sync lib"
	[sync]="lib"
	[lib]=""
)
# Drivers, not layers: they may include anything.
EXEMPT="tests bench"

check_tree() {
	local root=$1 bad=0 n=0 files=0 f line dir inc target
	while IFS= read -r f; do
		dir=${f%%/*}
		case " $EXEMPT " in *" $dir "*) continue ;; esac
		files=$((files + 1))
		if [ -z "${ALLOWED[$dir]+set}" ]; then
			echo "not ok - $f: folder $dir/ has no place in the layer order (add it to tests/layers.sh and README.md)"
			bad=$((bad + 1))
			continue
		fi
		while IFS= read -r line; do
			n=$((n + 1))
			inc=${line#*\"}
			inc=${inc%%\"*}
			case $inc in
			*/*) target=${inc%%/*} ;;
			*) target=$dir ;;   # a header next to the file
			esac
			[ "$target" = "$dir" ] && continue
			case " ${ALLOWED[$dir]} " in *" $target "*) continue ;; esac
			echo "not ok - ${line%%:*}: $f includes \"$inc\": $dir/ may include only ${ALLOWED[$dir]:-its own headers}"
			bad=$((bad + 1))
		done < <(cd "$root" && grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed "s|^|$f:|")
	done < <(cd "$root" && find . -path ./.git -prune -o -path './build*' -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
		sed 's|^\./||' | grep / | sort)
	if [ "$bad" = 0 ]; then
		echo "ok - layers: $n includes in $files files, none upward or sideways"
	else
		echo "not ok - layers: $bad of $n includes break the layer order"
	fi
	[ "$bad" = 0 ]
}

# One self-test case over the tree in $tmp: want "pass", or "fail" with a
# line matching pattern.
expect() {
	local name=$1 want=$2 pattern=${3:-.} out rc
	out=$(check_tree "$tmp"); rc=$?
	if { [ "$want" = pass ] && [ $rc = 0 ]; } || { [ "$want" = fail ] && [ $rc != 0 ] && grep -q -- "$pattern" <<<"$out"; }; then
		echo "ok - layers self-test: $name"
	else
		echo "not ok - layers self-test: $name"
		sed 's/^/# /' <<<"$out"
		failed=1
	fi
}

self_test() {
	local failed=0
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/lib" "$tmp/raid" "$tmp/cli" "$tmp/tests/unit"
	printf '#include "macro.h"\n' >"$tmp/lib/a.c"
	printf '#include "block/blockdev.h"\n#include "lib/macro.h"\n' >"$tmp/raid/geometry.c"
	printf '#include "raid/geometry.h"\n#include "output.h"\n' >"$tmp/cli/x.c"
	printf '#include "cli/mirrorprov.h"\n' >"$tmp/tests/unit/t.c"
	expect "a clean tree passes" pass
	printf '#include "cli/mirrorprov.h"\n' >"$tmp/lib/upward.c"
	expect "lib/ including cli/ fails" fail 'lib/upward.c includes "cli/mirrorprov.h"'
	rm "$tmp/lib/upward.c"
	printf '#include "backend/http.h"\n' >"$tmp/raid/sideways.h"
	expect "raid/ including backend/ fails" fail 'raid/sideways.h includes "backend/http.h"'
	rm "$tmp/raid/sideways.h"
	mkdir "$tmp/misc" && printf '\n' >"$tmp/misc/m.c"
	expect "an unknown folder fails" fail 'folder misc/ has no place'
	return $failed
}

if [ "${1:-}" = --self-test ]; then
	self_test
else
	check_tree "${1:-$(cd "$(dirname "$0")/.." && pwd)}"
fi
