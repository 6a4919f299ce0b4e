#!/bin/bash
# Hostile peers on 127.0.0.1: a server that accepts and never answers, one that
# trickles a byte a second, and (for the verbs that read replies) one that
# sends 100 MB.  Every network operation ends within its timeout, with one
# error line, and memory stays bounded.
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

# serve MODE: starts a hostile server, sets PORT
serve() {
	python3 "$TOP/tests/standins/hostile_server.py" "$tmp/$1.port" "$1" & PIDS+=($!)
	for _ in $(seq 100); do [ -s "$tmp/$1.port" ] && break; sleep 0.05; done
	PORT=$(cat "$tmp/$1.port")
}

# within NAME SECONDS EXPECTED_RC COMMAND...: the command ends in time with that exit code
within() {
	local name=$1 limit=$2 want=$3 start rc out; shift 3
	start=$(date +%s)
	out=$(timeout -k 5 $((limit * 3)) "$@" 2>&1 >/dev/null); rc=$?
	local took=$(($(date +%s) - start))
	if [ "$rc" = "$want" ] && [ "$took" -le "$limit" ]; then t_ok "$name (${took}s)"
	else t_fail "$name" "exit $rc (want $want) after ${took}s (limit ${limit}s)" "$out"; fi
}

export MIRRORPROV_PROFILE_DIR=$TOP/profiles
mkdir -p "$tmp/root"
for mode in hang trickle; do
	serve $mode
	within "sync: rsync upstream that ${mode}s is given up at --timeout" 30 1 \
		"$MP" sync --root "$tmp/root" --upstream "rsync://127.0.0.1:$PORT/fedora/" --timeout 5s fedora
done
t_done
