/* cli_common: what every verb shares: errors on stderr, the progress bar. */
#include "config.h"
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/stat.h>

#include "registry.h"

/* Messages quote data (file names, column names, values): shown escaped,
 * so that no message can move the cursor or forge a line. */
static void print_error(const char *msg)
{
	char *shown = ft_escape_controls(msg);
	fprintf(stderr, "fraudtree: %s\n", shown);
	free(shown);
}

int cli_error(const struct ft_err *err)
{
	print_error(err->msg[0] ? err->msg : "unknown error");
	return EXIT_ERROR;
}

int cli_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[2048];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	print_error(buf);
	return EXIT_ERROR;
}

struct cli_progress {
	bool tty;
	pthread_mutex_t lock;
	double last;
	int shown;
};

struct cli_progress *cli_progress_new(void)
{
	struct cli_progress *p = xcalloc(1, sizeof *p);
	p->tty = isatty(2);
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void cli_progress_free(struct cli_progress *p)
{
	if (!p)
		return;
	if (p->tty && p->shown)
		fputs("\r\033[K", stderr);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void cli_progress_fn(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;
	if (!p || !p->tty)
		return;
	pthread_mutex_lock(&p->lock);
	double now = ft_now();
	if (now - p->last >= 0.1 || done == total) {
		p->last = now;
		int width = 40, fill = total ? (int)((double)done / (double)total * width) : 0;
		if (fill > width)
			fill = width;
		char bar[64];
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(width - fill));
		bar[width] = '\0';
		fprintf(stderr, "\r%-9s [%s] %3d%%", stage, bar,
			total ? (int)(100.0 * (double)done / (double)total) : 0);
		p->shown = 1;
	}
	pthread_mutex_unlock(&p->lock);
}

/* What predict, export and drift accept for MODEL: a model.json path (a
 * name ending in .json, or a path to a regular file), else a registry
 * reference. */
static bool is_model_file(const char *ref)
{
	struct stat st;
	size_t n = strlen(ref);
	return (n > 5 && !strcmp(ref + n - 5, ".json")) ||
	       (strchr(ref, '/') && stat(ref, &st) == 0 && S_ISREG(st.st_mode));
}

struct model *cli_model_load(const char *ref, const char *registry, struct ft_err *err)
{
	if (is_model_file(ref))
		return model_load(ref, err);
	const char *root = options_registry_root(registry);
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	/* Resolved and loaded under one lock: GROUP@approved never yields a
	 * version rejected in between. */
	return registry_load_ref(root, ref, group, &version, err);
}

bool cli_delimiter(const char *verb, const char *value, char *out)
{
	if (options_parse_delimiter(value, out))
		return true;
	cli_errorf("%s: --delimiter: expected one character (or 'tab'), got '%s'", verb, value);
	return false;
}

const char *cli_option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *s = argv[*i];
	if (strncmp(s, name, n))
		return NULL;
	if (s[n] == '=')
		return s + n + 1;
	if (s[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}
