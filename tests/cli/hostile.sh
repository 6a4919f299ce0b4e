#!/bin/bash
# Hostile command-line input: newlines, terminal escapes, quotes, shell
# metacharacters and non-UTF-8 bytes in arguments give one clean error line
# (control characters shown as \xNN), exit 2 and nothing on stdout.
. "$(dirname "$0")/../lib.sh"

t_error "newline in chunk is one error line" 2 "chunk size '1\\x0a2'" "$MP" geometry --raid6 15 --chunk $'1\n2'
t_error "escape sequence is not passed to the terminal" 2 "'\\x1b[2J64k'" "$MP" geometry --raid6 15 --chunk $'\e[2J64k'
t_error "shell metacharacters are only text" 2 "'\$(touch x);64k'" "$MP" geometry --raid6 15 --chunk '$(touch x);64k'
t_error "non-UTF-8 disk count" 2 "disk count" "$MP" geometry --raid6 $'1\xff5'
t_error "newline in unexpected argument" 2 "unexpected argument 'a\\x0ab'" "$MP" geometry --raid6 15 $'a\nb'
t_error "carriage return and tab" 2 "'\\x0d\\x09'" "$MP" geometry --level $'\r\t' --disks 4
t_error "huge disk count" 2 "out of range" "$MP" geometry --raid6 99999999999999999999999999
t_error "long argument" 2 "chunk size" "$MP" geometry --raid6 15 --chunk "$(head -c 100000 /dev/zero | tr '\0' 7)k"
# Unknown verbs and getopt's complaints: one "mirrorprov: VERB:" line, escaped (getopt itself is silenced).
t_error "unknown verb with an escape sequence" 2 "unknown verb '\\x1b[2Jx'" "$MP" $'\e[2Jx'
t_error "unknown long option with an escape sequence" 2 "mirrorprov: sync: unknown option '--\\x1b[31mx'" \
	"$MP" sync $'--\e[31mx' fedora
t_error "unknown short option" 2 "mirrorprov: layout: unknown option '-x'" "$MP" layout -x
t_error "option without its argument" 2 "mirrorprov: sync: option '--timeout' needs an argument" "$MP" sync --timeout
t_error "short option without its argument" 2 "mirrorprov: check: option '-c' needs an argument" "$MP" check -c
t_error "flag given an argument" 2 "mirrorprov: mkfs: option '--dry-run' takes no argument" "$MP" mkfs --dry-run=$'\e[2J'
err=$("$MP" sync $'--\e[31mx' 2>&1; "$MP" $'\e[2Jx' 2>&1; "$MP" mkfs $'--\xc2\x9b2J' 2>&1)
! grep -q $'\e\|\xc2\x9b' <<<"$err" && t_ok "no raw ESC or C1 CSI on stderr" || t_fail "no raw escape on stderr" "$(cat -A <<<"$err")"
t_done
