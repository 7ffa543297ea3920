/* prompt: the bottom-line input, driven by GNU readline's callback
 * interface (tig's prompt.c): keys come from curses, readline edits, and
 * the line is drawn by us, never by readline. Used for the `:` command line
 * (history kept across sessions, Tab completion) and for short questions
 * (search text, a value to type). */
#ifndef FT_PROMPT_H
#define FT_PROMPT_H

#include <curses.h>
#include <stdbool.h>

#include "app.h"

enum prompt_kind {
	PROMPT_COMMAND,   /* ":" command line: history and completion */
	PROMPT_TEXT       /* a value or search text: plain editing */
};

/* Called once when the line is finished: `line` is what was typed, or NULL
 * when the user cancelled (Esc). The prompt is closed before the call, so
 * the callback may open another prompt. */
typedef void (*prompt_done_fn)(struct app *a, const char *line, void *ctx);

/* Completion of the `:` command line: candidates for the word after head
 * (the line before it), or *files set for file names; the list and its
 * strings are the prompt's to free. */
typedef char **(*prompt_complete_fn)(const struct app *a, const char *head, size_t *n,
				     bool *files);
void prompt_set_completion(prompt_complete_fn fn);

/* Set readline up and read the history file ($XDG_STATE_HOME/fraudtree/
 * history, else ~/.local/state/fraudtree/history). */
void prompt_init(void);
/* Save the history and release readline's state. */
void prompt_end(void);

bool prompt_active(void);
/* Open the prompt on the bottom line; `initial` (may be NULL) is the text
 * already in the line. */
void prompt_begin(struct app *a, enum prompt_kind kind, const char *label,
		  const char *initial, prompt_done_fn done, void *ctx);
/* Feed one curses key to the open prompt. */
void prompt_key(struct app *a, int ch);
/* Insert pasted text at the insertion point of the open prompt: text,
 * never keys (a line break or any other control character in it becomes a
 * blank), so a paste neither finishes nor edits the line. `cut`: the paste
 * was longer than the terminal layer keeps; the text then ends in the cut
 * mark (an ellipsis, '~' without UTF-8), for the user to see. */
void prompt_paste(struct app *a, const char *text, bool cut);
/* Close the open prompt as if Esc was pressed. */
void prompt_cancel(struct app *a);
/* Draw the prompt on row y of w, leaving the cursor at the insertion
 * point. */
void prompt_draw(WINDOW *w, int y);
/* The completion candidates on show, two blanks between them ("" when
 * none); the caller lays them out (they wrap, never run off the edge). */
const char *prompt_matches(void);

#endif
