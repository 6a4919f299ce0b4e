#!/bin/bash
# `mirrorprov raid-inspect` and `geometry --device` inside umockdev testbeds
# (tests/fixtures/umockdev, each described in its .txt): golden human and JSON
# output, mounts faked through MIRRORPROV_MOUNTINFO and the redirected
# /proc/self/mountinfo, unreadable devices, usage errors.
. "$(dirname "$0")/../lib.sh"
FIX=$TOP/tests/fixtures/umockdev
# The sanitizer runtime cannot come first when umockdev preloads its library.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export LC_ALL=C
unset MIRRORPROV_MOUNTINFO

if ! command -v umockdev-run >/dev/null; then
	echo "ok - raid-inspect # SKIP umockdev-run missing"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# mock FIXTURE ARGS...: mirrorprov ARGS inside the testbed of FIXTURE.
mock() { local f=$1; shift; umockdev-run -d "$FIX/$f.umockdev" -- "$MP" "$@"; }

t_golden "a: single path + SES + SATA, human" raid-inspect/a.txt 0 mock a-fc-single-raid6 raid-inspect
t_golden "a: json" raid-inspect/a.json 0 mock a-fc-single-raid6 raid-inspect -J
t_golden "a: --all lists the SATA disk" raid-inspect/a-all.txt 0 mock a-fc-single-raid6 raid-inspect --all
t_golden "b: dual-HBA multipath, human" raid-inspect/b.txt 0 mock b-fc-multipath-2luns raid-inspect
t_golden "b: json" raid-inspect/b.json 0 mock b-fc-multipath-2luns raid-inspect -J
t_golden "b: -o columns" raid-inspect/b-columns.txt 0 mock b-fc-multipath-2luns raid-inspect \
	-o NAME,HCTL,MPATH,SIZE,MIN-IO,OPT-IO,HINTS,PATHS
t_golden "b: -o json keys" raid-inspect/b-columns.json 0 mock b-fc-multipath-2luns raid-inspect -J \
	-o device,multipath,io_hints,LOG-SEC,PHY-SEC,rev
t_golden "c: lpfc HBA and a port with link down, human" raid-inspect/c.txt 0 mock c-fc-lpfc-linkdown raid-inspect
t_golden "c: json" raid-inspect/c.json 0 mock c-fc-lpfc-linkdown raid-inspect -J
t_golden "d: SAS and iSCSI are not FC" raid-inspect/d.json 0 mock d-sas-iscsi raid-inspect -J
t_golden "d: --all, human" raid-inspect/d-all.txt 0 mock d-sas-iscsi raid-inspect --all
t_golden "d: --all, json" raid-inspect/d-all.json 0 mock d-sas-iscsi raid-inspect --all -J
MIRRORPROV_MOUNTINFO=$FIX/e-fc-in-use.mountinfo \
	t_golden "e: mounted, partitioned, LVM-held, blank; human" raid-inspect/e.txt 0 mock e-fc-in-use raid-inspect
MIRRORPROV_MOUNTINFO=$FIX/e-fc-in-use.mountinfo \
	t_golden "e: json" raid-inspect/e.json 0 mock e-fc-in-use raid-inspect -J
# The default table, redirected by umockdev, gives the same answer.
t_golden "e: /proc/self/mountinfo inside the testbed" raid-inspect/e.json 0 \
	umockdev-run -d "$FIX/e-fc-in-use.umockdev" -- sh -c \
	'mkdir -p "$UMOCKDEV_DIR/proc/self" && cp "$1" "$UMOCKDEV_DIR/proc/self/mountinfo" && exec "$2" raid-inspect -J' \
	sh "$FIX/e-fc-in-use.mountinfo" "$MP"

# The JSON interface: the keys the issue names, typed values.
mock b-fc-multipath-2luns raid-inspect -J >"$tmp/b.json"
python3 - "$tmp/b.json" <<'PY' && t_ok "json keys and types" || t_fail "json keys and types"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"hosts", "luns"}
assert {"host", "port_name", "node_name", "port_state", "speed"} <= set(d["hosts"][0])
assert list(d["luns"][0]) == ["wwid", "device", "transport", "size_bytes", "vendor", "model", "paths",
    "multipath", "minimum_io_size", "optimal_io_size", "io_hints", "fstype", "label", "uuid", "pttype",
    "mounted", "mountpoints", "holders", "candidate", "reason"]
assert {"name", "hctl", "host"} <= set(d["luns"][0]["paths"][0])
assert type(d["luns"][0]["size_bytes"]) is int and type(d["luns"][0]["candidate"]) is bool
assert [l["io_hints"] for l in d["luns"]] == ["reported", "bogus"]
PY

# An unreadable mount table: still exit 0, said on stderr, nothing is a candidate.
err=$(MIRRORPROV_MOUNTINFO=$tmp/none mock a-fc-single-raid6 raid-inspect -J 2>&1 >"$tmp/out"); rc=$?
if [ $rc = 0 ] && grep -q 'cannot read the mount table' <<<"$err" &&
	grep -q '"reason": "the mount table could not be read"' "$tmp/out"; then
	t_ok "unreadable mount table: warned, no candidate"
else
	t_fail "unreadable mount table: warned, no candidate" "rc=$rc" "$err"
fi
# A LUN whose node cannot be opened: warned, not a candidate, exit 0.
grep -v '^N: sdf$' "$FIX/a-fc-single-raid6.umockdev" >"$tmp/a-no-node.umockdev"
err=$(umockdev-run -d "$tmp/a-no-node.umockdev" -- "$MP" raid-inspect 2>&1 >"$tmp/out"); rc=$?
if [ $rc = 0 ] && grep -q 'cannot read signatures of /dev/sdf' <<<"$err" &&
	grep -q 'signatures could not be read' "$tmp/out" && grep -q '0 candidates' "$tmp/out"; then
	t_ok "unreadable LUN: warned, no candidate"
else
	t_fail "unreadable LUN: warned, no candidate" "rc=$rc" "$err" "$(cat "$tmp/out")"
fi
# Garbage attributes must not crash: sizes and states become unknown.
sed -e 's/^A: size=.*/A: size=lots\\n/' -e 's/^A: port_state=.*/A: port_state=\\n/' \
	-e 's/^A: queue\/optimal_io_size=.*/A: queue\/optimal_io_size=-1\\n/' \
	"$FIX/b-fc-multipath-2luns.umockdev" >"$tmp/b-odd.umockdev"
out=$(umockdev-run -d "$tmp/b-odd.umockdev" -- "$MP" raid-inspect -J 2>&1); rc=$?
[ $rc = 0 ] && grep -q '"size_bytes": 0' <<<"$out" && grep -q '"port_state": null' <<<"$out" &&
	t_ok "odd attribute values" || t_fail "odd attribute values" "rc=$rc"

t_error "unknown column" 2 "unknown column 'BOGUS'" mock a-fc-single-raid6 raid-inspect -o NAME,BOGUS
t_error "stray argument" 2 "unexpected argument 'sdf'" "$MP" raid-inspect sdf
t_error "empty column list" 2 "unknown column ''" "$MP" raid-inspect -o ,

# geometry --device: the chunk comes from minimum_io_size; disagreement is reported.
t_golden "geometry --device: chunk from the device" raid-inspect/geometry-device.txt 0 \
	mock a-fc-single-raid6 geometry --raid6 16 --device /dev/sdf
t_golden "geometry --device by WWID, json" raid-inspect/geometry-device-wwid.json 0 \
	mock b-fc-multipath-2luns geometry --raid6 16 --device wwn-0x600d02310009a3e15c2e8f1d7a4b3c90 -J
err=$(mock a-fc-single-raid6 geometry --raid6 15 --device /dev/sdf -J 2>&1 >"$tmp/out")
grep -q 'reports minimum/optimal I/O 256 KiB/3.5 MiB but the computed stripe unit/width is 256 KiB/3.2 MiB' <<<"$err" &&
	grep -q '"matches": false' "$tmp/out" && t_ok "geometry --device: disagreement reported" ||
	t_fail "geometry --device: disagreement reported" "$err"
err=$(mock b-fc-multipath-2luns geometry --raid6 6 --device /dev/dm-1 2>&1 >"$tmp/out")
grep -q 'reports bogus I/O hints' <<<"$err" && grep -q 'assuming a 64 KiB chunk' <<<"$err" &&
	grep -q 'chunk 64 KiB (assumed default)' "$tmp/out" && t_ok "geometry --device: bogus hints ignored" ||
	t_fail "geometry --device: bogus hints ignored" "$err"
t_golden "geometry --device: --chunk wins" raid-inspect/geometry-device-chunk.json 0 \
	mock a-fc-single-raid6 geometry --raid6 16 --chunk 128k --device /dev/sdf -J
t_error "geometry --device: no such device" 2 "'/dev/sdx' is not a block device" \
	mock a-fc-single-raid6 geometry --raid6 16 --device /dev/sdx
t_error "geometry --device: unknown WWID" 2 "no LUN has the WWID 'naa.600d0231000000000000000000000001'" \
	mock a-fc-single-raid6 geometry --raid6 16 --device naa.600d0231000000000000000000000001
t_error "geometry --device: a regular file" 2 "is not a block device" \
	"$MP" geometry --raid6 16 --device "$FIX/a-fc-single-raid6.umockdev"
t_done
