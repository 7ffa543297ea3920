/* cli: the command-line verbs and what they share (error printing, the
 * stderr progress bar, common options). These files may print; the engine
 * under them does not. Each verb returns the process exit status. */
#ifndef FT_CLI_H
#define FT_CLI_H

#include <stdbool.h>

#include "options.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_GATE_FAILED = 1, EXIT_ERROR = 2 };

int cli_describe(int argc, char **argv);
int cli_gen(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_predict(int argc, char **argv);
int cli_registry(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_card(int argc, char **argv);        /* registry card */
int cli_drift(int argc, char **argv);
/* registry policy|alias|compare and approve --promote (cli_policy.c) */
/* The index in argv of `registry`'s sub-command: the first word that is
 * neither an option nor the value of one ("--registry DIR"); 0 when none. */
int cli_registry_verb(int argc, char **argv);
bool cli_policy_handles(int argc, char **argv);
int cli_policy(int argc, char **argv);
/* registry show's lines on how a version differs from the group's policy
 * and the defaults: printed, or added to its JSON as "flags". */
void cli_policy_print_flags(const char *root, const char *group, int version);
struct cJSON;
void cli_policy_flags_json(const char *root, const char *group, int version, struct cJSON *o);

/* "fraudtree: <msg>" on stderr; returns EXIT_ERROR. */
int cli_error(const struct ft_err *err);
int cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A progress bar on stderr when it is a terminal (silent otherwise). */
struct cli_progress;
struct cli_progress *cli_progress_new(void);
void cli_progress_free(struct cli_progress *p);   /* clears the line */
void cli_progress_fn(void *ctx, const char *stage, uint64_t done, uint64_t total);

/* MODEL as predict, export and drift take it: GROUP/VERSION, GROUP@latest,
 * GROUP@approved or a model.json path. Caller frees with model_free. */
struct model;
struct model *cli_model_load(const char *ref, const char *registry, struct ft_err *err);

/* The value of option `name` at argv[*i] ("--name=V" or "--name V", which
 * advances *i), or NULL when argv[*i] is not that option. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name);

/* --delimiter's value for `verb` into *out (one character or "tab"); false
 * after saying why, the same words for every verb. */
bool cli_delimiter(const char *verb, const char *value, char *out);

#endif
