#!/bin/bash
# Golden output of `mirrorprov geometry`, and its input errors.
. "$(dirname "$0")/../lib.sh"

t_golden "reference case, human" geometry/raid6-15-spare1.txt 0 "$MP" geometry --raid6 15 --spare 1 --chunk 64k
t_golden "reference case, json" geometry/raid6-15-spare1.json 0 "$MP" geometry --raid6 15 --spare 1 --chunk 64k -J
t_golden "level/disks spelling" geometry/raid6-15-spare1.json 0 "$MP" geometry --level raid6 --disks 15 --spare 1 --chunk 64KiB --json
t_golden "raid60 spans, human" geometry/raid60-16-spans2.txt 0 "$MP" geometry --raid60 16 --spans 2 --chunk 256k
t_golden "raid10 json" geometry/raid10-12.json 0 "$MP" geometry --raid10 12 --chunk 128k -J
t_golden "raid1 human" geometry/raid1-2.txt 0 "$MP" geometry --raid1 2 --chunk 64k
t_golden "raid1 json" geometry/raid1-2.json 0 "$MP" geometry --raid1 2 --chunk 64k -J
t_golden "fixture a geometry" geometry/raid6-16-256k.json 0 "$MP" geometry --raid6 16 --chunk 256k -J

warn=$("$MP" geometry --raid6 15 -J 2>&1 >/dev/null)
case $warn in *"assuming a 64 KiB chunk"*) t_ok "default chunk warns";; *) t_fail "default chunk warns" "$warn";; esac
warn=$("$MP" geometry --raid6 14 --chunk 96k 2>&1 >/dev/null)
case $warn in *"not a power of two"*) t_ok "non-power-of-two chunk warns";; *) t_fail "non-power-of-two chunk warns" "$warn";; esac

t_error "unknown level" 2 "unknown RAID level 'raid7'" "$MP" geometry --level raid7 --disks 8
t_error "too few disks" 2 "raid6 needs at least 4 disks" "$MP" geometry --raid6 3
t_error "odd raid10" 2 "raid10 needs an even number of disks" "$MP" geometry --raid10 7
t_error "not divisible by spans" 2 "disks are not divisible by spans" "$MP" geometry --raid50 13 --spans 2
t_error "spans on raid6" 2 "--spans applies only to raid50 and raid60" "$MP" geometry --raid6 15 --spans 3
t_error "negative disks" 2 "disk count '-4' is not a non-negative whole number" "$MP" geometry --raid6 -4
t_error "non-numeric disks" 2 "disk count 'many'" "$MP" geometry --raid6 many
t_error "negative spares" 2 "spare count '-1'" "$MP" geometry --raid6 15 --spare -1
t_error "chunk not 4k multiple" 2 "chunk is not a multiple of 4 KiB" "$MP" geometry --raid6 15 --chunk 6k
t_error "chunk garbage" 2 "chunk size '64kb' is not a size" "$MP" geometry --raid6 15 --chunk 64kb
t_error "width too large" 2 "exceeds the 2 GiB - 1 byte" "$MP" geometry --raid0 2048 --chunk 1m
t_error "overflowing chunk" 2 "chunk size '99999999999999999999k' is too large" "$MP" geometry --raid6 15 --chunk 99999999999999999999k
t_error "overflowing disks" 2 "disk count '4294967296' is out of range" "$MP" geometry --raid6 4294967296
t_error "no level" 2 "no RAID level given" "$MP" geometry --chunk 64k
t_error "two levels" 2 "more than one RAID level" "$MP" geometry --raid6 15 --raid5 4
t_error "stray argument" 2 "unexpected argument 'x'" "$MP" geometry --raid6 15 x
t_error "unknown verb suggests" 2 "did you mean 'geometry'?" "$MP" geometri

"$MP" geometry --raid6 15 --chunk 64k >/dev/full 2>/dev/null
[ $? = 1 ] && t_ok "stdout write error detected" || t_fail "stdout write error detected"
"$MP" --version | grep -q '^mirrorprov ' && t_ok "--version" || t_fail "--version"
t_done
