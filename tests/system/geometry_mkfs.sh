#!/bin/bash
# mkfs.xfs itself accepts the computed arguments (dry run on a sparse image file).
. "$(dirname "$0")/../lib.sh"
command -v mkfs.xfs >/dev/null || { t_fail "mkfs.xfs installed"; t_done; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
truncate -s 64G "$tmp/img"
while read -r args; do
	dopt=$("$MP" geometry $args -J 2>/dev/null | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["mkfs_args"][1:]))')
	out=$(mkfs.xfs -N -f -d "$dopt" "$tmp/img" 2>&1)
	if [ $? = 0 ]; then t_ok "mkfs.xfs -N accepts $dopt ($args)"; else t_fail "mkfs.xfs -N accepts $dopt ($args)" "$out"; fi
done <<'CASES'
--raid6 15 --spare 1 --chunk 64k
--raid6 16 --chunk 256k
--raid5 9 --chunk 512k
--raid10 12 --chunk 128k
--raid60 24 --spans 4 --chunk 64k
--raid0 2047 --chunk 1m
CASES
sw=$(mkfs.xfs -N -f -d su=64k,sw=13 "$tmp/img" | grep -o 'sunit=16 *swidth=208 blks')
[ -n "$sw" ] && t_ok "reference case: sunit=16 swidth=208 blks" || t_fail "reference case: sunit=16 swidth=208 blks"
t_done
