/* screen: the screen table in tab order, key-table dispatch and the list
 * navigation every list screen shares. */
#include "config.h"
#include "screen.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct screen_ops *const screens[SCR_COUNT] = {
	[SCR_DATA] = &scr_data_ops,
	[SCR_PREPARE] = &scr_prepare_ops,
	[SCR_TRAIN] = &scr_train_ops,
	[SCR_EVALUATE] = &scr_evaluate_ops,
	[SCR_TREE] = &scr_tree_ops,
	[SCR_REGISTRY] = &scr_registry_ops,
};

const struct screen_ops *screen_get(enum screen_id id)
{
	return screens[id < SCR_COUNT ? id : SCR_DATA];
}

enum screen_id screen_find(const char *s)
{
	for (int i = 0; i < SCR_COUNT; i++) {
		char num[4];
		snprintf(num, sizeof num, "%d", i + 1);
		if (!strcasecmp(s, screens[i]->name) || !strcmp(s, num))
			return (enum screen_id)i;
	}
	return SCR_COUNT;
}

int screen_dispatch(const struct key_binding *table, struct app *a, int ch)
{
	for (const struct key_binding *k = table; k && k->label; k++) {
		if (!k->run)
			continue;
		for (size_t i = 0; i < sizeof k->keys / sizeof k->keys[0] && k->keys[i]; i++)
			if (k->keys[i] == ch)
				return k->run(a, ch) | KEY_HANDLED;
	}
	return KEY_UNHANDLED;
}

bool screen_list_key(int ch, size_t *cur, size_t n, size_t page)
{
	if (page < 1)
		page = 1;
	size_t last = n ? n - 1 : 0;
	switch (ch) {
	case KEY_UP: case 'k':
		if (*cur > 0)
			(*cur)--;
		break;
	case KEY_DOWN: case 'j':
		if (*cur < last)
			(*cur)++;
		break;
	case KEY_PPAGE:
		*cur = *cur > page ? *cur - page : 0;
		break;
	case KEY_NPAGE: case ' ':
		*cur = *cur + page < last ? *cur + page : last;
		break;
	case KEY_HOME: case 'g':
		*cur = 0;
		break;
	case KEY_END: case 'G':
		*cur = last;
		break;
	default:
		return false;
	}
	if (*cur > last)
		*cur = last;
	return true;
}

size_t screen_find_row(size_t n, size_t cur, bool forward,
		       bool (*match)(size_t row, void *ctx), void *ctx, bool *wrapped)
{
	*wrapped = false;
	for (size_t k = 1; k <= n; k++) {
		size_t i = forward ? (cur + k) % n : (cur + n - k) % n;
		if (match(i, ctx)) {
			*wrapped = k > 1 && (forward ? i <= cur : i >= cur);
			return i;
		}
	}
	return n;
}

/* The keys of no one screen (the main loop's). */
static const struct key_binding global_keys[] = {
	{ { '1', '2', '3', '4' }, "1-6", "switch screen", KB_VIEW, "screen", NULL },
	{ { '\t', KEY_BTAB }, "Tab, Shift-Tab", "next, previous screen", KB_VIEW, "screen", NULL },
	{ { ':' }, ":", "command line (Tab completes, Up/Down history)", KB_VIEW, NULL, NULL },
	{ { KEY_F(1), '?' }, "F1, ?", "this help (Esc, q or F1 closes it; : types a command)", KB_VIEW, "help", NULL },
	{ { 'u' }, "u", "undo the last settings change", KB_SETTING, "undo", NULL },
	{ { 27 }, "Esc", "cancel the running job, close a prompt", KB_VIEW, "cancel", NULL },
	{ { 12 }, "Ctrl-L", "redraw", KB_VIEW, NULL, NULL },
	{ { 'q', 'Q', 3 }, "q, Ctrl-C", "quit (asks when a model would be lost)", KB_VIEW, "q", NULL },
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

const struct key_binding *screen_global_keys(void)
{
	return global_keys;
}

