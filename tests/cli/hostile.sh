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
t_done
