/* options: the shared option rules (options.h). Values are checked here and
 * the message is left to the front end, which knows the option's spelling. */
#include "config.h"
#include "options.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

const char *options_registry_root(const char *option)
{
	if (option && *option)
		return option;
	const char *env = getenv("FRAUDTREE_REGISTRY");
	if (env && *env)
		return env;
	return "registry";
}

bool options_parse_delimiter(const char *s, char *out)
{
	if (!strcasecmp(s, "tab") || !strcmp(s, "\\t")) {
		*out = '\t';
		return true;
	}
	if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
		return false;
	*out = s[0];
	return true;
}

char **options_split_list(const char *s, size_t *n)
{
	size_t cap = 4, k = 0;
	char **v = xmalloc(cap * sizeof *v);
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (k + 2 > cap) {
			cap *= 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[k++] = xstrndup(p, len);
		if (!comma)
			break;
		p = comma + 1;
	}
	v[k] = NULL;
	if (n)
		*n = k;
	return v;
}

void options_list_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void options_add_na_values(struct settings *s, const char *list)
{
	size_t n;
	char **v = options_split_list(list, &n);
	s->na_values = xreallocarray(s->na_values, s->nna_values + n, sizeof *s->na_values);
	for (size_t i = 0; i < n; i++)
		s->na_values[s->nna_values++] = v[i];
	free(v);     /* the strings now belong to s */
}
