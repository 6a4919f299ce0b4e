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

self_test() {
	local tmp rc=0 out
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	mkdir -p "$tmp/lib" "$tmp/raid" "$tmp/cli" "$tmp/tests/unit"
	printf '#include "macro.h"\n' >"$tmp/lib/a.c"
	printf '#include "block/blockdev.h"\n#include "lib/macro.h"\n' >"$tmp/raid/geometry.c"
	printf '#include "raid/geometry.h"\n#include "output.h"\n' >"$tmp/cli/x.c"
	printf '#include "cli/mirrorprov.h"\n' >"$tmp/tests/unit/t.c"
	if out=$(check_tree "$tmp"); then echo "ok - layers self-test: a clean tree passes"
	else echo "not ok - layers self-test: a clean tree passes"; echo "$out" | sed 's/^/# /'; rc=1; fi
	printf '#include "cli/mirrorprov.h"\n' >"$tmp/lib/upward.c"
	if out=$(check_tree "$tmp"); then
		echo "not ok - layers self-test: lib/ including cli/ fails"; rc=1
	elif grep -q 'lib/upward.c includes "cli/mirrorprov.h"' <<<"$out"; then
		echo "ok - layers self-test: lib/ including cli/ fails"
	else echo "not ok - layers self-test: lib/ including cli/ fails (wrong message)"; echo "$out" | sed 's/^/# /'; rc=1; fi
	rm "$tmp/lib/upward.c"
	printf '#include "backend/http.h"\n' >"$tmp/raid/sideways.h"
	check_tree "$tmp" >/dev/null && { echo "not ok - layers self-test: raid/ including backend/ fails"; rc=1; } ||
		echo "ok - layers self-test: raid/ including backend/ fails"
	rm "$tmp/raid/sideways.h"
	mkdir "$tmp/misc" && printf '\n' >"$tmp/misc/m.c"
	check_tree "$tmp" >/dev/null && { echo "not ok - layers self-test: an unknown folder fails"; rc=1; } ||
		echo "ok - layers self-test: an unknown folder fails"
	return $rc
}

if [ "${1:-}" = --self-test ]; then
	self_test
else
	check_tree "${1:-$(cd "$(dirname "$0")/.." && pwd)}"
fi
