/* cli_export: `fraudtree export MODEL --format sql|dot|json [-o FILE]`.
 * MODEL is resolved as predict resolves it. Every argument is checked
 * before the model is read; with -o the file appears whole or not at all. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export_dot.h"
#include "export_sql.h"
#include "model.h"

static const char usage_text[] =
	"Usage: fraudtree export GROUP/VERSION|GROUP@latest|GROUP@approved|MODEL.json\n"
	"                        --format sql|dot|json [-o FILE] [--registry DIR]\n"
	"                        [--dialect sqlite|postgres|ansi] [--table NAME] [--max-depth N]\n"
	"The model outside fraudtree: one SQL SELECT scoring the raw table as predict\n"
	"scores the raw CSV, the tree for Graphviz, or the tree and recipe as JSON.\n"
	"Exit status: 0 success, 2 error.\n";

enum export_format { EXPORT_SQL, EXPORT_DOT, EXPORT_JSON, EXPORT_FORMAT_COUNT };
static const char *const format_names[EXPORT_FORMAT_COUNT] = { "sql", "dot", "json" };

int cli_export(int argc, char **argv)
{
	const char *registry = NULL, *out = NULL, *ref = NULL, *table = "transactions";
	const char *format = NULL;
	enum sql_dialect dialect = SQL_SQLITE;
	bool dialect_set = false, table_set = false, depth_set = false;
	long max_depth = -1;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v;
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		}
		if ((v = cli_option_value(argc, argv, &i, "--registry"))) {
			registry = v;
		} else if ((v = cli_option_value(argc, argv, &i, "-o")) ||
			   (v = cli_option_value(argc, argv, &i, "--output"))) {
			out = v;
		} else if ((v = cli_option_value(argc, argv, &i, "--format"))) {
			format = v;
		} else if ((v = cli_option_value(argc, argv, &i, "--dialect"))) {
			if (!sql_dialect_parse(v, &dialect))
				return cli_errorf("export: --dialect: expected sqlite, postgres or ansi, "
						  "got '%s'", v);
			dialect_set = true;
		} else if ((v = cli_option_value(argc, argv, &i, "--table"))) {
			table = v;
			table_set = true;
		} else if ((v = cli_option_value(argc, argv, &i, "--max-depth"))) {
			char *end;
			errno = 0;
			max_depth = strtol(v, &end, 10);
			if (end == v || *end || errno || max_depth < 0 || max_depth > 1000000)
				return cli_errorf("export: --max-depth: expected a whole number "
						  "from 0, got '%s'", v);
			depth_set = true;
		} else if (s[0] == '-' && s[1]) {
			return cli_errorf("export: unknown option or missing value: %s (see --help)", s);
		} else if (!ref) {
			ref = s;
		} else {
			return cli_errorf("export: too many arguments (see --help)");
		}
	}
	if (!ref || !format) {
		fputs(usage_text, stderr);
		return EXIT_ERROR;
	}
	int fmt = 0;
	while (fmt < EXPORT_FORMAT_COUNT && strcmp(format, format_names[fmt]))
		fmt++;
	if (fmt == EXPORT_FORMAT_COUNT)
		return cli_errorf("export: --format: expected sql, dot or json, got '%s'", format);
	if ((dialect_set || table_set) && fmt != EXPORT_SQL)
		return cli_errorf("export: --dialect and --table go with --format sql");
	if (depth_set && fmt != EXPORT_DOT)
		return cli_errorf("export: --max-depth goes with --format dot");

	struct ft_err err;
	struct model *m = cli_model_load(ref, registry, &err);
	if (!m)
		return cli_error(&err);
	char *text = NULL;
	switch ((enum export_format)fmt) {
	case EXPORT_SQL:
		text = export_sql(m, dialect, table, ref, &err);
		break;
	case EXPORT_DOT:
		text = export_dot(m, (int)max_depth, ref);
		break;
	case EXPORT_JSON:
	case EXPORT_FORMAT_COUNT:
		text = export_json(m);
		break;
	}
	model_free(m);
	if (!text)
		return cli_error(&err);
	int rc = EXIT_OK;
	if (out && strcmp(out, "-")) {
		struct out_file of;
		if (out_open(&of, out, 0666, &err) < 0) {
			rc = cli_error(&err);
		} else {
			bool ok = write_all(of.fd, text, strlen(text)) == 0;
			int e = errno;
			if (out_commit(&of, ok, &err) < 0) {
				if (!ok)
					ft_fail(&err, FT_EIO, "%s: %s", out, strerror(e));
				rc = cli_error(&err);
			}
		}
	} else {
		fputs(text, stdout);
	}
	free(text);
	return rc;
}
