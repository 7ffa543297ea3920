/* cli_gen: `fraudtree gen`, the synthetic transactions CSV on standard
 * output or, with -o, written atomically to a file. Options are checked in
 * full before the first byte is written. */
#include "config.h"
#include "cli.h"
#include "gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char gen_usage[] =
	"Usage: fraudtree gen --rows N [--seed S] [--fraud-rate R] [-o FILE]\n"
	"Write N synthetic card transactions as CSV (header first) to standard\n"
	"output, or atomically to FILE. The same N, S and R give the same bytes.\n\n"
	"  --rows N         number of data rows (required; 0 writes the header only)\n"
	"  --seed S         random seed, an unsigned integer (default 42)\n"
	"  --fraud-rate R   expected share of isFraud = 1, 0 to 1 (default 0.02)\n"
	"  -o, --output F   write to F instead of standard output ('-' = stdout)\n"
	"  -h, --help       show this help\n";

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return cli_errorf("gen: %s: expected an unsigned integer, got '%s'", opt, s);
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end)
		return cli_errorf("gen: %s: expected an unsigned integer, got '%s'", opt, s);
	if (errno == ERANGE)
		return cli_errorf("gen: %s: '%s' is too large", opt, s);
	*out = v;
	return 0;
}

static int parse_rate(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno == ERANGE || !(v >= 0.0 && v <= 1.0))
		return cli_errorf("gen: --fraud-rate: expected a number from 0 to 1, got '%s'", s);
	*out = v;
	return 0;
}

/* "--name VALUE" or "--name=VALUE"; returns the value or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name,
				const char *alias, bool *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (!strncmp(a, name, n) && a[n] == '=')
		return a + n + 1;
	if (strcmp(a, name) && !(alias && !strcmp(a, alias)))
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int cli_gen(int argc, char **argv)
{
	struct gen_options opt;
	gen_options_default(&opt);
	const char *output = NULL;
	bool have_rows = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(gen_usage, stdout);
			return EXIT_OK;
		}
		if ((v = option_value(argc, argv, &i, "--rows", NULL, &missing))) {
			if (parse_u64("--rows", v, &opt.rows))
				return EXIT_ERROR;
			have_rows = true;
		} else if ((v = option_value(argc, argv, &i, "--seed", NULL, &missing))) {
			if (parse_u64("--seed", v, &opt.seed))
				return EXIT_ERROR;
		} else if ((v = option_value(argc, argv, &i, "--fraud-rate", NULL, &missing))) {
			if (parse_rate(v, &opt.fraud_rate))
				return EXIT_ERROR;
		} else if ((v = option_value(argc, argv, &i, "--output", "-o", &missing))) {
			if (!*v)
				return cli_errorf("gen: %s: expected a file name", a);
			output = v;
		} else if (missing) {
			return cli_errorf("gen: %s needs a value (try 'fraudtree gen --help')", a);
		} else {
			return cli_errorf("gen: unknown argument '%s' (try 'fraudtree gen --help')", a);
		}
	}
	if (!have_rows)
		return cli_errorf("gen: --rows N is required (try 'fraudtree gen --help')");

	struct ft_err err;
	ft_err_clear(&err);
	if (gen_check(&opt, &err) < 0)
		return cli_error(&err);

	if (output && !strcmp(output, "-"))
		output = NULL;
	struct cli_progress *bar = output ? cli_progress_new() : NULL;
	struct ft_progress progress = { cli_progress_fn, bar, NULL };
	int rc = output ? gen_write_file(&opt, output, &progress, &err)
			: gen_write_fd(&opt, STDOUT_FILENO, NULL, &err);
	cli_progress_free(bar);
	return rc < 0 ? cli_error(&err) : EXIT_OK;
}
