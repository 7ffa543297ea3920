/* options: the rules of the options every front end accepts (--delimiter,
 * --na-values, --registry), so `fraudtree run`, the other verbs and the
 * workbench read them the same way. Nothing here prints. */
#ifndef FT_OPTIONS_H
#define FT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

/* Registry root: the --registry value, else $FRAUDTREE_REGISTRY, else
 * "registry". Returns option or a string that outlives the call. */
const char *options_registry_root(const char *option);

/* A --delimiter value, the same for every verb: one character other than a
 * double quote or a line break, or "tab" (any case) or "\t" for a tab.
 * False when s is none of these. */
bool options_parse_delimiter(const char *s, char *out);

/* Split "a,b,c" into a NULL-terminated array (empty items kept, so "a,,b"
 * has three); *n gets the count when n is not NULL. Caller frees with
 * options_list_free. */
char **options_split_list(const char *s, size_t *n);
void options_list_free(char **v);

/* --na-values LIST: append each item of the comma-separated list to
 * s->na_values, after the pipeline file's, so the written pipeline.json
 * reproduces the load. */
void options_add_na_values(struct settings *s, const char *list);

#endif
