#!/bin/sh
# registry-links.sh: nothing under the registry is reached through a link
# or taken for what it is not. A symbolic link, a hard link, a pipe or a
# directory where the format expects a plain file or directory is refused
# (exit 2, naming the path) or reported by verify, and whatever the link
# points to is never read, written or deleted.
. "$FT_SRCDIR/tests/shell/registry-lib.sh"
R="$T/reg"
publish "$R" g first >/dev/null
publish "$R" g second >/dev/null

# A directory outside the registry that a planted link points to, and its
# fingerprint (names, sizes, contents) to compare with afterwards.
mkdir -p "$T/victim/sub" && echo precious >"$T/victim/file" && echo deep >"$T/victim/sub/f"
chmod 700 "$T/victim"
fingerprint() { (cd "$T/victim" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+ | awk '{print $1, $5, $NF}'; cat file sub/f); }
fingerprint >"$T/victim.before"
intact() {
	fingerprint | cmp -s - "$T/victim.before" || fail "$1: the link's target was changed"
}

# ---- .staging clean-up never follows a link nor recurses through one ----
mkdir -p "$R/g/.staging/stale"
ln -s "$T/victim" "$R/g/.staging/evil"
ln -s "$T/victim" "$R/g/.staging/stale/inner"
ln -s "$T/victim/file" "$R/g/.staging/stale/file"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/.staging/evil: stale staging entry"
has "$T/out" "$R/g/.staging/stale: stale staging entry"
expect 0 "$FT_BIN" registry approve g/1 --reason ok --registry "$R"
intact "approve with links in staging"
[ -z "$(ls -A "$R/g/.staging")" ] || fail "stale staging entries not removed: $(ls -A "$R/g/.staging")"
expect 0 "$FT_BIN" registry verify --registry "$R"

# .staging itself a link: writers refuse, naming it; the target's
# subdirectories stay.
rmdir "$R/g/.staging"
ln -s "$T/victim" "$R/g/.staging"
expect 2 "$FT_BIN" registry reject g/1 --reason no --registry "$R"
has "$T/err" "$R/g/.staging: is a symbolic link"
expect 2 "$STRESS" publish "$R" g "$T/data.csv"
has "$T/err" "$R/g/.staging: is a symbolic link"
intact "writers with .staging a link"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/.staging: is a symbolic link"
rm "$R/g/.staging"

# ---- a symlinked version directory is damaged, never repaired ----------
mkdir "$T/outside"
cp "$R/g/2/"* "$T/outside/"
sed 's/"version":	2/"version":	3/; s/PendingManualApproval/Approved/' "$R/g/2/manifest.json" \
	>"$T/outside/manifest.json"
sha256sum "$T/outside/"* >"$T/outside.sums"
ln -s "$T/outside" "$R/g/3"
expect 0 "$FT_BIN" registry list g --registry "$R"
grep -q "^3  *DAMAGED  *$R/g/3: is a symbolic link" "$T/out" || fail "symlinked version: $(cat "$T/out")"
expect 2 "$FT_BIN" registry show g/3 --registry "$R"
has "$T/err" "$R/g/3: is a symbolic link"
expect 2 "$FT_BIN" registry approve g/3 --reason x --registry "$R"
has "$T/err" "$R/g/3: is a symbolic link"
printf 'amount,card\n1,debit\n' >"$T/in.csv"
expect 2 "$FT_BIN" predict g/3 "$T/in.csv" --registry "$R"
has "$T/err" "$R/g/3: is a symbolic link"
expect 0 "$FT_BIN" registry reject g/2 --reason "a write repairs the group" --registry "$R"
sha256sum -c --quiet "$T/outside.sums" || fail "repair rewrote a manifest outside the registry"
[ "$(grep -c '"version":3' "$R/g/audit.jsonl")" = 0 ] || fail "repair recorded the linked version"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/3: is a symbolic link"
rm "$R/g/3"

# A link or a stray temporary inside a version, a hard-linked file.
ln -s /etc/passwd "$R/g/1/extra"
echo '{' >"$R/g/1/manifest.json.tmp.0123456789abcdef"
ln "$R/g/2/model.json" "$T/model-copy"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/1/extra: is a symbolic link"
has "$T/out" "$R/g/1/manifest.json.tmp.0123456789abcdef: leftover temporary"
has "$T/out" "$R/g/2/model.json: has 2 hard links"
expect 2 "$FT_BIN" registry show g/2 --registry "$R"
has "$T/err" "$R/g/2/model.json: has 2 hard links"
rm "$R/g/1/extra" "$T/model-copy"
expect 0 "$FT_BIN" registry approve g/2 --reason "removes the temporary" --registry "$R"
[ ! -e "$R/g/1/manifest.json.tmp.0123456789abcdef" ] || fail "temporary manifest not removed"
expect 0 "$FT_BIN" registry verify --registry "$R"

# ---- the audit log: a hard link, a link, a pipe, a directory ------------
cp "$R/g/audit.jsonl" "$T/audit.saved"
cp "$R/g/audit.jsonl" "$T/victim-log"
sha256sum "$T/victim-log" >"$T/victim-log.sum"
rm "$R/g/audit.jsonl" && ln "$T/victim-log" "$R/g/audit.jsonl"
expect 2 "$FT_BIN" registry reject g/2 --reason "through a hard link" --registry "$R"
has "$T/err" "$R/g/audit.jsonl: has 2 hard links"
sha256sum -c --quiet "$T/victim-log.sum" || fail "appended through a hard link"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/audit.jsonl: has 2 hard links"
expect 0 "$FT_BIN" registry list --registry "$R"
has "$T/out" "DAMAGED $R/g/audit.jsonl: has 2 hard links"
rm "$R/g/audit.jsonl" && ln -s "$T/victim-log" "$R/g/audit.jsonl"
expect 2 "$FT_BIN" registry approve g/1 --reason "through a link" --registry "$R"
has "$T/err" "$R/g/audit.jsonl: is a symbolic link"
sha256sum -c --quiet "$T/victim-log.sum" || fail "appended through a symbolic link"
rm "$R/g/audit.jsonl" && mkfifo "$R/g/audit.jsonl"
# A pipe must not hang any reader or writer.
expect 0 timeout 10 "$FT_BIN" registry list --registry "$R"
has "$T/out" "DAMAGED $R/g/audit.jsonl: is a pipe"
expect 2 timeout 10 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/audit.jsonl: is a pipe"
expect 2 timeout 10 "$FT_BIN" registry approve g/1 --reason pipe --registry "$R"
has "$T/err" "$R/g/audit.jsonl: is a pipe"
# Without a readable log no version can be shown or served as approved.
expect 2 timeout 10 "$FT_BIN" predict g@approved "$T/in.csv" --registry "$R"
has "$T/err" "no approved version"
rm "$R/g/audit.jsonl" && mkdir "$R/g/audit.jsonl"
expect 0 "$FT_BIN" registry list --registry "$R"
has "$T/out" "DAMAGED $R/g/audit.jsonl: is a directory"
rmdir "$R/g/audit.jsonl" && cp "$T/audit.saved" "$R/g/audit.jsonl"

# The lock file and group.json: links refused by writers.
ln -s "$T/victim/file" "$T/lock-link"
mv "$R/g/.lock" "$T/lock.saved" && mv "$T/lock-link" "$R/g/.lock"
expect 2 "$FT_BIN" registry approve g/1 --reason lock --registry "$R"
has "$T/err" "$R/g/.lock: is a symbolic link"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/.lock: is a symbolic link"
rm "$R/g/.lock" && mv "$T/lock.saved" "$R/g/.lock"
mv "$R/g/group.json" "$T/group.saved" && ln -s "$T/group.saved" "$R/g/group.json"
expect 2 "$STRESS" publish "$R" g "$T/data.csv"
has "$T/err" "$R/g/group.json: is a symbolic link"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/g/group.json: is a symbolic link"
rm "$R/g/group.json" && mv "$T/group.saved" "$R/g/group.json"
intact "lock and group.json links"

# ---- a symlinked group directory: refused by readers, reported by verify
cp -r "$R/g" "$T/elsewhere"
ln -s "$T/elsewhere" "$R/linked"
expect 2 "$FT_BIN" registry show linked/1 --registry "$R"
has "$T/err" "$R/linked: is a symbolic link"
expect 2 "$FT_BIN" predict linked/1 "$T/in.csv" --registry "$R"
has "$T/err" "$R/linked: is a symbolic link"
expect 2 "$FT_BIN" registry verify --registry "$R"
has "$T/out" "$R/linked: is a symbolic link"
expect 2 "$FT_BIN" registry verify linked --registry "$R"
has "$T/out" "$R/linked: is a symbolic link"
expect 0 "$FT_BIN" registry list --registry "$R"
has "$T/out" "DAMAGED $R/linked: is a symbolic link"
expect 2 "$STRESS" publish "$R" linked "$T/data.csv"
has "$T/err" "$R/linked: is a symbolic link"
[ ! -e "$T/elsewhere/3" ] || fail "registered through a linked group"
rm "$R/linked"

# ---- a registry owned by another user, root at work in it --------------
# The owner plants links to a root-only directory; root's writers must not
# touch it. Needs root and setpriv (util-linux); skipped otherwise.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	RO=$T/other-owner
	publish "$RO" g >/dev/null
	mkdir -p "$T/rootonly/keep" && echo root >"$T/rootonly/keep/f" && chmod 700 "$T/rootonly"
	chown -R nobody "$RO"
	chmod 755 "$T"
	as_owner() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	as_owner ln -s "$T/rootonly" "$RO/g/.staging/evil" || fail "owner: ln"
	as_owner mkdir "$RO/g/.staging/1-x" && as_owner ln -s "$T/rootonly/keep" "$RO/g/.staging/1-x/k"
	expect 0 "$FT_BIN" registry approve g/1 --reason "root approves" --registry "$RO"
	[ -f "$T/rootonly/keep/f" ] || fail "root's approve deleted a root-only directory's contents"
	as_owner sh -c "rmdir '$RO/g/.staging' 2>/dev/null; ln -s '$T/rootonly' '$RO/g/.staging'"
	expect 2 "$FT_BIN" registry reject g/1 --reason "root rejects" --registry "$RO"
	has "$T/err" "$RO/g/.staging: is a symbolic link"
	[ -f "$T/rootonly/keep/f" ] || fail "root's reject deleted through a linked .staging"
	chmod 700 "$T"
fi

# A version number taken by a file or a link is not handed out again.
ln -s "$T/victim" "$R/g/3"
[ "$(publish "$R" g)" = 4 ] || fail "the number of a link was handed out"
intact "a link in a version's place"
rm "$R/g/3"
echo ok
