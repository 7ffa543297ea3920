#!/bin/sh
# layers.sh [ROOT]: the layer rules of HACKING.md, checked from the
# #include lines of ROOT/src and ROOT/ui (ROOT defaults to the source tree).
#
# A module is a .c file and its .h (src/tree.c + src/tree.h = src/tree). A
# module depends on another when its .c or .h includes the other's header,
# resolved as the compiler does: the includer's directory first, then src/,
# then ui/. Three layers:
#   engine  src/ except main.c and cli*: may include only the engine, never
#           a curses or readline header
#   ui      ui/: may include the engine and ui/, never the command-line verbs
#   cli     src/main.c and src/cli*: may include anything
# and no circle of modules anywhere. Prints every violation, one a line, and
# exits 1 when there is one, 0 otherwise.
set -eu

root=${1:-${FT_SRCDIR:-$(dirname "$0")/..}}
for d in src ui; do
	if [ ! -d "$root/$d" ]; then
		echo "layers.sh: $root/$d: no such directory" >&2
		exit 2
	fi
done

# One line per #include: "FILE<TAB>quote|angle<TAB>NAME". Files are listed
# first (as "FILE<TAB>file") so a module that includes nothing still exists.
list() {
	for f in "$root"/src/*.[ch] "$root"/ui/*.[ch]; do
		[ -f "$f" ] || continue
		rel=${f#"$root"/}
		printf '%s\tfile\t\n' "$rel"
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"]\)\([^">]*\)[">].*/\1\2/p' "$f" |
		while IFS= read -r inc; do
			case $inc in
			\"*) printf '%s\tquote\t%s\n' "$rel" "${inc#?}" ;;
			*) printf '%s\tangle\t%s\n' "$rel" "${inc#?}" ;;
			esac
		done
	done
}

out=$(list | awk -F '\t' '
function module(path) { sub(/\.[ch]$/, "", path); return path }
function layer(m,  base) {
	if (m ~ /^ui\//) return "ui"
	base = m; sub(/^src\//, "", base)
	if (base == "main" || base ~ /^cli/) return "cli"
	return "engine"
}
# "a/./b/../c" -> "a/c"; "" when the path climbs out of the tree.
function norm(p,  n, part, i, k, out) {
	n = split(p, part, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (part[i] == "" || part[i] == ".") continue
		if (part[i] == "..") { if (k == 0) return ""; k--; continue }
		out[++k] = part[i]
	}
	p = ""
	for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
	return p
}
# Where the compiler finds a quoted include: the directory of the includer, then
# the -I directories (src/, ui/) and the top of the tree (-I$(srcdir)).
function resolve(from, name,  dir, c) {
	dir = from; sub(/\/[^\/]*$/, "", dir)
	if ((c = norm(dir "/" name)) in files) return c
	if ((c = norm("src/" name)) in files) return c
	if ((c = norm("ui/" name)) in files) return c
	if ((c = norm(name)) in files) return c
	return ""
}
function fail(msg) { print "layers: " msg; bad = 1 }
$2 == "file" { files[$1] = 1; mods[module($1)] = 1; next }
{ from[NR] = $1; kind[NR] = $2; name[NR] = $3 }
END {
	for (i in from) {
		c = ""
		f = from[i]; m = module(f); l = layer(m)
		if (kind[i] == "angle") {
			if (l == "engine" && name[i] ~ /^(n?curses(w)?\/|readline\/|(n?curses|panel|menu|form|term)\.h$)/)
				fail(f " includes <" name[i] ">: the engine never touches the terminal")
			else if (l == "engine" && ((c = norm("ui/" name[i])) in files || (c = norm(name[i])) ~ /^ui\//))
				fail(f " includes <" name[i] ">: the engine includes only the engine")
			continue
		}
		t = resolve(f, name[i])
		if (t == "") continue          # config.h and other generated headers
		tm = module(t); tl = layer(tm)
		if (l == "engine" && tl != "engine")
			fail(f " includes " t ": the engine includes only the engine")
		if (l == "ui" && tl == "cli")
			fail(f " includes " t ": ui/ may not include the command-line verbs")
		if (tm != m && !((m, tm) in edge)) {
			edge[m, tm] = 1
			adj[m] = adj[m] " " tm
		}
	}
	# Depth-first search; a grey module met again closes a circle.
	for (m in mods) colour[m] = 0
	for (m in mods) if (colour[m] == 0) visit(m, 0)
	exit 0
}
function visit(m, depth,  n, k, succ, j, cyc) {
	colour[m] = 1; stack[depth] = m
	n = split(adj[m], succ, " ")
	for (k = 1; k <= n; k++) {
		if (colour[succ[k]] == 1) {
			cyc = succ[k]
			for (j = depth; stack[j] != succ[k]; j--) ;
			cyc = stack[j]
			for (j = j + 1; j <= depth; j++) cyc = cyc " -> " stack[j]
			fail("circle: " cyc " -> " succ[k])
		} else if (colour[succ[k]] == 0) {
			visit(succ[k], depth + 1)
		}
	}
	colour[m] = 2
}
') || true
if [ -n "$out" ]; then
	printf '%s\n' "$out" | sort
	exit 1
fi
