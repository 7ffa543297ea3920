/* commands: the one table of workbench commands (tmux's cmd_entry): the
 * rows that belong to no one screen, here, and each screen's own rows
 * (screen_ops.commands). Together they feed the `:` command line, its Tab
 * completion, the help screen and the man page. */
#ifndef FT_COMMANDS_H
#define FT_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "screen.h"

/* The rows of no one screen. */
const struct command *commands_table(size_t *n);
/* A command of the table or of any screen; NULL if unknown. */
const struct command *commands_find(const char *name);

/* Split a command line into words (double and single quotes group, a
 * backslash escapes); *argc receives the count. Caller frees with
 * commands_free_argv. NULL when a quote is left open. */
char **commands_split(const char *line, int *argc);
void commands_free_argv(char **argv);

/* Run a typed line ("target isFraud"; a leading ':' is allowed). Returns 0,
 * or -1 with a->message set to the error. */
int commands_execute(struct app *a, const char *line);
/* Run with ready words, argv[0] the command name. */
int commands_invoke(struct app *a, int argc, char **argv);

/* What argument position `index` (1-based) of command `name` completes to. */
enum cmd_arg commands_arg_kind(const char *name, int index);

/* Completion candidates for the word after `head` (the line before it):
 * command names, columns, setting keys and values... *files is set when
 * file names should complete instead. Caller frees the list (each string
 * and the array); *n receives the count. */
char **commands_complete(const struct app *a, const char *head, size_t *n, bool *files);

#endif
