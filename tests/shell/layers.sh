#!/bin/sh
# The source tree keeps its layers (tests/layers.sh reads the #include
# lines), and the checker itself catches each kind of breach on small
# synthetic trees: a circle, the engine including ui/, the engine including
# curses or readline, ui/ including the command-line verbs.
set -u
: "${FT_SRCDIR:?}"
check="$FT_SRCDIR/tests/layers.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ft-layers.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$(sh "$check" "$FT_SRCDIR" 2>&1) || fail "the source tree breaks its layers:
$out"

# tree NAME FILE=TEXT...: a synthetic tree with src/ and ui/.
tree() {
	d="$tmp/$1"; shift
	mkdir -p "$d/src" "$d/ui"
	for spec in "$@"; do
		printf '%b\n' "${spec#*=}" >"$d/${spec%%=*}"
	done
}
# expect NAME PATTERN: the checker fails on the tree and says PATTERN.
expect() {
	out=$(sh "$check" "$tmp/$1" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] || fail "$1: exit $rc, expected 1 ($out)"
	printf '%s\n' "$out" | grep -q -- "$2" || fail "$1: expected '$2', got: $out"
}

# A clean tree passes, whatever order its files come in.
tree clean 'src/util.h=#include <stdio.h>' 'src/util.c=#include "config.h"\n#include "util.h"' \
	'src/tree.h=#include "util.h"' 'src/tree.c=#include "tree.h"\n#include "util.h"' \
	'src/cli.h=#include "tree.h"' 'src/main.c=#include "cli.h"\n#include "tui.h"' \
	'ui/tui.h=#include "tree.h"' 'ui/tui.c=#include "tui.h"\n#include <curses.h>'
out=$(sh "$check" "$tmp/clean" 2>&1) || fail "clean tree refused: $out"

# A circle through three modules, closed by a .c file: the one the issue
# found between the registry, the model and the recipe.
tree circle 'src/registry.h=#include "model.h"' 'src/model.h=#include "prep.h"' \
	'src/prep.h=#include <stddef.h>' 'src/prep.c=#include "prep.h"\n#include "registry.h"'
expect circle 'circle: src/[a-z]* -> src/[a-z]* -> src/[a-z]* -> src/'

# Two modules including each other's headers.
tree pair 'src/metrics.h=#include "settings.h"' 'src/settings.h=#include "metrics.h"'
expect pair 'circle: src/metrics -> src/settings -> src/metrics\|circle: src/settings -> src/metrics -> src/settings'

# A circle inside ui/.
tree uicircle 'ui/app.h=#include "screen.h"' 'ui/screen.h=#include "app.h"'
expect uicircle 'circle: ui/'

# The engine including a ui header, found through the search path.
tree up 'src/prep.c=#include "view.h"' 'ui/view.h=#include <stddef.h>'
expect up 'src/prep.c includes ui/view.h'

# The same reached by a relative path, from the top of the tree, or with
# angle brackets: each compiles, so each counts.
tree up2 'src/prep.c=#include "../ui/view.h"' 'ui/view.h=#include <stddef.h>'
expect up2 'src/prep.c includes ui/view.h'
tree up3 'src/prep.h=#include "ui/view.h"' 'ui/view.h=#include <stddef.h>'
expect up3 'src/prep.h includes ui/view.h'
tree up4 'src/prep.c=#include <view.h>' 'ui/view.h=#include <stddef.h>'
expect up4 'src/prep.c includes <view.h>'
# A circle closed through "./" and "../src/".
tree dots 'src/a.h=#include "./b.h"' 'src/b.h=#include "../src/a.h"'
expect dots 'circle: src/a -> src/b -> src/a\|circle: src/b -> src/a -> src/b'

# The engine including the terminal libraries.
tree curses 'src/frame.c=#include <ncursesw/curses.h>'
expect curses 'src/frame.c includes <ncursesw/curses.h>'
tree readline 'src/frame.h=#include <readline/readline.h>'
expect readline 'src/frame.h includes <readline/readline.h>'
tree curses2 'src/gen.c=#  include <curses.h>'
expect curses2 'src/gen.c includes <curses.h>'

# ui/ reaching into the command-line verbs.
tree uicli 'ui/tui.c=#include "cli.h"' 'src/cli.h=#include <stdio.h>'
expect uicli 'ui/tui.c includes src/cli.h'

# The engine including the command-line verbs.
tree enginecli 'src/tree.c=#include "cli.h"' 'src/cli.h=#include <stdio.h>'
expect enginecli 'src/tree.c includes src/cli.h'

# A missing directory is an error of its own (2), not a pass.
mkdir "$tmp/empty"
sh "$check" "$tmp/empty" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a tree without src/ and ui/ was not refused with 2"
exit 0
