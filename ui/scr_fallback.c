/* scr_fallback: stand-ins for the Evaluate, Tree and Registry screens, so
 * the workbench links in a build that does not have them. The definitions
 * are weak and live in their own archive, linked after the ui library: a
 * real screen, when present, is found first and replaces its stand-in. */
#include "config.h"
#include "screen.h"

static void draw_evaluate(struct app *a, WINDOW *win)
{
	screen_draw_unavailable(a, win, "Evaluate");
}

static void draw_tree(struct app *a, WINDOW *win)
{
	screen_draw_unavailable(a, win, "Tree");
}

static void draw_registry(struct app *a, WINDOW *win)
{
	screen_draw_unavailable(a, win, "Registry");
}

static int no_key(struct app *a, int ch)
{
	return KEY_UNHANDLED;
}

static const struct key_help no_help[] = { { NULL, NULL } };

__attribute__((weak)) const struct screen_ops scr_evaluate_ops = {
	.name = "Evaluate", .draw = draw_evaluate, .key = no_key, .help = no_help,
};
__attribute__((weak)) const struct screen_ops scr_tree_ops = {
	.name = "Tree", .draw = draw_tree, .key = no_key, .help = no_help,
};
__attribute__((weak)) const struct screen_ops scr_registry_ops = {
	.name = "Registry", .draw = draw_registry, .key = no_key, .help = no_help,
};
