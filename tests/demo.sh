#!/bin/bash
# `make demo`: a walk-through of the reference geometry case.
set -eu
MP=${MP:-$(dirname "$0")/../build/mirrorprov}
run() { printf '\n$ %s\n' "$*"; "$@"; }
echo "Reference case: FC hardware RAID6 of 15 disks + 1 hot spare, 64 KiB chunk"
run "$MP" geometry --raid6 15 --spare 1 --chunk 64k
run "$MP" geometry --raid6 15 --spare 1 --chunk 64k -J
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
truncate -s 12T "$tmp/lun.img"
echo; echo "mkfs.xfs accepts it (dry run on a 12 TiB sparse image):"
run mkfs.xfs -N -f -d su=64k,sw=13 "$tmp/lun.img"
