#!/bin/bash
# Injection on the disk verbs, on loop devices over sparse files in a temp
# directory (never an existing disk): a label with quotes, ';', '$()', '%' and
# non-UTF-8 bytes reaches mkfs.xfs as one argument (a recording wrapper) and
# reads back from the superblock and the GPT name byte for byte; labels with
# blanks are refused before anything is written; mount points with blanks,
# quotes, '$()', '%', tabs and non-UTF-8 bytes are mounted there and kept in
# the fstab with octal escapes that libmount (findmnt) reads back exactly; a
# newline is refused.
. "$(dirname "$0")/../lib.sh"
need_root "mkfs/mount injection tests"
for p in losetup mkfs.xfs blkid findmnt openssl; do command -v $p >/dev/null || { t_fail "$p installed"; t_done; }; done
REF="--raid6 15 --spare 1 --chunk 64k"
tmp=$(mktemp -d /tmp/mp-inj.XXXXXX)
loops=()
cleanup() {
	local m l
	while read -r m; do umount "$(printf '%b' "$m")"; done < <(awk -v t="$tmp" 'index($2, t) == 1 {print $2}' /proc/self/mounts | sort -r)
	for l in "${loops[@]}"; do losetup -d "$l"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
n=0
new_loop() {
	n=$((n + 1))
	truncate -s 1G "$tmp/img$n"
	LOOP=$(losetup -fP --show "$tmp/img$n") || { t_fail "losetup"; t_done; }
	loops+=("$LOOP")
}
mkdir -p "$tmp/bin"
cat >"$tmp/bin/mkfs.xfs" <<'SH'
#!/bin/sh
for a in "$@"; do printf '%s\0' "$a"; done >"$ARGV_LOG"
PATH=${PATH#*:} exec mkfs.xfs "$@"
SH
chmod +x "$tmp/bin/mkfs.xfs"

for label in 'a;$(id)' "q'\"%h" $'x\xffy' '`id`'; do
	new_loop
	ARGV_LOG=$tmp/argv PATH=$tmp/bin:$PATH "$MP" mkfs $REF --label "$label" --yes "$LOOP" >"$tmp/out" 2>&1; rc=$?
	q=$(printf %q "$label")
	if [ $rc = 0 ] && tr '\0' '\n' <"$tmp/argv" | grep -qxF -- "$label"; then t_ok "label $q: one mkfs.xfs argument"
	else t_fail "label $q: one mkfs.xfs argument" "exit $rc" "$(cat "$tmp/out")"; fi
	[ "$(blkid -p -o value -s LABEL "$LOOP")" = "$label" ] && t_ok "label $q: superblock holds it" ||
		t_fail "label $q: superblock holds it" "$(blkid -p "$LOOP")"
done
new_loop
"$MP" mkfs $REF --label 'p"%q' --partition --yes "$LOOP" >"$tmp/out" 2>&1 && udevadm settle 2>/dev/null
[ "$(blkid -p -o value -s PART_ENTRY_NAME "${LOOP}p1" 2>/dev/null)" = 'p"%q' ] && t_ok "GPT partition name holds the label" ||
	t_fail "GPT partition name holds the label" "$(blkid -p "${LOOP}p1" 2>&1)" "$(cat "$tmp/out")"
for label in 'a b' $'a\tb' $'a\nb' 'thirteen-byte'; do
	new_loop
	before=$(openssl dgst -sha256 -r "$tmp/img$n")
	t_error "label $(printf %q "$label") refused" 2 "label" "$MP" mkfs $REF --label "$label" --yes "$LOOP"
	[ "$(openssl dgst -sha256 -r "$tmp/img$n")" = "$before" ] && t_ok "refused label: image unchanged" ||
		t_fail "refused label: image unchanged"
done

# mount points: the fstab line escapes them; libmount reads the same path back
new_loop
"$MP" mkfs $REF --label mnt --yes "$LOOP" >/dev/null 2>&1 || t_fail "mkfs for the mount tests"
# findmnt shows unprintable bytes as \xNN: decode before comparing
findmnt_b() { findmnt "$@" 2>/dev/null | while IFS= read -r l; do printf '%b\n' "$l"; done; }
uuid=$(blkid -p -o value -s UUID "$LOOP")
for name in 'a b' "quo'te\"" '$(id);x' '100%h' $'caf\xc3\xa9' $'bad\xff' $'tab\there'; do
	mp="$tmp/m/$name"
	q=$(printf %q "$name")
	out=$("$MP" mount --fstab "$tmp/fstab" -f "$LOOP" "$mp" $REF 2>&1); rc=$?
	[ $rc = 0 ] && findmnt_b -n -o TARGET --source "$LOOP" | grep -qxF -- "$mp" && t_ok "mount on $q" ||
		t_fail "mount on $q" "exit $rc" "$out"
	[ "$(findmnt_b --fstab --tab-file "$tmp/fstab" -n -o TARGET --source "UUID=$uuid")" = "$mp" ] &&
		t_ok "fstab entry for $q reads back exactly" || t_fail "fstab entry for $q reads back exactly" "$(cat -A "$tmp/fstab")"
	[ "$(grep -vc '^#' "$tmp/fstab")" = 1 ] && t_ok "fstab for $q: one line" || t_fail "fstab for $q: one line" "$(cat "$tmp/fstab")"
	umount "$mp"
done
t_error "a mount point with a newline is refused" 2 "invalid mount point" \
	"$MP" mount --fstab "$tmp/fstab" -f "$LOOP" "$tmp/m/new"$'\n'"line" $REF
t_done
