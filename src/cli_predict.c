/* cli_predict: `fraudtree predict MODEL FILE.csv [-o OUT.csv] [--explain]`.
 * MODEL is GROUP/VERSION, GROUP@latest, GROUP@approved, or a path to a
 * model.json. With -o the output is written beside OUT and renamed into
 * place only when every row was scored, so a failed run leaves no
 * half-written file behind. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "predict.h"
#include "registry.h"

static const char usage_text[] =
	"Usage: fraudtree predict GROUP/VERSION|GROUP@latest|GROUP@approved|MODEL.json FILE.csv\n"
	"                         [-o OUT.csv] [--explain] [--leaf] [--reasons N]\n"
	"                         [--delimiter C] [--registry DIR]\n"
	"Scores raw rows with a registered model: writes the input columns, then\n"
	"fraud_leaf (with --leaf), fraud_probability and prediction (and\n"
	"decision_path with --explain); --reasons N adds reason_1..reason_N, the\n"
	"codes (model.json's reason_codes) of the tests that raised the fraud\n"
	"probability most.\n"
	"Exit status: 0 success, 2 error.\n";

int cli_predict(int argc, char **argv)
{
	const char *registry = NULL, *out = NULL, *pos[2] = { NULL, NULL };
	struct predict_options opt = { 0 };
	size_t npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *v;
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		}
		if (!strcmp(s, "--explain")) {
			opt.explain = true;
		} else if (!strcmp(s, "--leaf")) {
			opt.leaf = true;
		} else if ((v = cli_option_value(argc, argv, &i, "--reasons"))) {
			char *end;
			errno = 0;
			unsigned long n = strtoul(v, &end, 10);
			if (end == v || *end || errno || n < 1 || n > 64 || v[0] == '-')
				return cli_errorf("predict: --reasons: expected a whole number from 1 "
						  "to 64, got '%s'", v);
			opt.reasons = (unsigned)n;
		} else if ((v = cli_option_value(argc, argv, &i, "--registry"))) {
			registry = v;
		} else if ((v = cli_option_value(argc, argv, &i, "-o")) ||
			   (v = cli_option_value(argc, argv, &i, "--output"))) {
			out = v;
		} else if ((v = cli_option_value(argc, argv, &i, "--delimiter"))) {
			if (!cli_delimiter("predict", v, &opt.delimiter))
				return EXIT_ERROR;
		} else if (s[0] == '-' && s[1]) {
			return cli_errorf("predict: unknown option or missing value: %s (see --help)", s);
		} else if (npos < 2) {
			pos[npos++] = s;
		} else {
			return cli_errorf("predict: too many arguments (see --help)");
		}
	}
	if (npos != 2) {
		fputs(usage_text, stderr);
		return EXIT_ERROR;
	}

	struct ft_err err;
	struct model *m = cli_model_load(pos[0], registry, &err);
	if (!m)
		return cli_error(&err);

	int fd = STDOUT_FILENO;
	bool to_file = out && strcmp(out, "-");
	struct out_file of;
	if (to_file) {
		if (out_open(&of, out, 0666, &err) < 0) {
			model_free(m);
			return cli_error(&err);
		}
		fd = of.fd;
	}
	struct cli_progress *bar = cli_progress_new();
	opt.progress.fn = cli_progress_fn;
	opt.progress.ctx = bar;
	struct predict_stats st;
	double t0 = ft_now();
	int rc = predict_csv(m, pos[1], fd, to_file ? out : "standard output", &opt, &st, &err);
	cli_progress_free(bar);
	model_free(m);
	if (to_file && out_commit(&of, rc == 0, rc == 0 ? &err : NULL) < 0)
		rc = -1;
	if (rc < 0)
		return cli_error(&err);
	if (out && strcmp(out, "-"))
		fprintf(stderr, "fraudtree: %llu rows scored, %llu flagged, %.2f s -> %s\n",
			(unsigned long long)st.rows, (unsigned long long)st.flagged,
			ft_now() - t0, out);
	return EXIT_OK;
}
