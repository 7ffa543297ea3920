/* commands: the one table of workbench commands (tmux's cmd_entry). It
 * feeds the `:` command line, its Tab completion, the help screen and the
 * man page; every key action of every screen is one of these commands. */
#ifndef FT_COMMANDS_H
#define FT_COMMANDS_H

#include <stddef.h>

#include "app.h"

/* What an argument position completes to. */
enum cmd_arg {
	ARG_NONE,
	ARG_FILE,
	ARG_COLUMN,
	ARG_IMPUTE,
	ARG_ENCODE,
	ARG_RESAMPLE,
	ARG_KEY,          /* a setting key */
	ARG_VALUE,        /* a value of the key before it */
	ARG_COMMAND,
	ARG_EXPORT,       /* "rules" | "text" */
	ARG_VERSION,
	ARG_TEXT
};

struct command {
	const char *name;
	const char *args;     /* "COL STRATEGY", for usage lines */
	const char *help;     /* one line */
	enum cmd_arg complete[3];   /* per argument; the last one repeats */
	/* argv[0] is the command name. Returns 0, or -1 with a message set. */
	int (*run)(struct app *a, int argc, char **argv);
};

const struct command *commands_table(size_t *n);
const struct command *commands_find(const char *name);   /* NULL if unknown */

/* Split a command line into words (double and single quotes group, a
 * backslash escapes); *argc receives the count. Caller frees with
 * commands_free_argv. NULL when a quote is left open. */
char **commands_split(const char *line, int *argc);
void commands_free_argv(char **argv);

/* Run a typed line ("target isFraud"; a leading ':' is allowed). Returns 0,
 * or -1 with a->message set to the error. */
int commands_execute(struct app *a, const char *line);
/* Run with ready words, argv[0] the command name (screens use this). */
int commands_invoke(struct app *a, int argc, char **argv);

/* Run command `name` with up to two arguments (a NULL ends the list). */
int commands_run(struct app *a, const char *name, const char *arg1, const char *arg2);

/* What argument position `index` (1-based) of command `name` completes to. */
enum cmd_arg commands_arg_kind(const char *name, int index);

#endif
