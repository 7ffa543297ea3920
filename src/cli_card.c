/* cli_card: `fraudtree registry card GROUP/VERSION [-o FILE] [--format
 * html|md]`, the model card. Arguments are checked before the registry is
 * read; with -o the file appears whole or not at all. */
#include "config.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "options.h"
#include "registry.h"

static const char usage_text[] =
	"Usage: fraudtree registry card GROUP/VERSION [-o FILE] [--format html|md]\n"
	"                               [--registry DIR]\n"
	"The model card: purpose, data, split, confusion matrix, every metric beside\n"
	"the majority baseline, the gate, top features, the tree, settings and audit\n"
	"trail; HTML (default) is one self-contained file. Exit status: 0, 2 error.\n";

int cli_card(int argc, char **argv)
{
	const char *registry = NULL, *out = NULL, *ref = NULL;
	enum card_format fmt = CARD_HTML;
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
			if (!card_format_parse(v, &fmt))
				return cli_errorf("registry card: --format: expected html or md, got '%s'",
						  v);
		} else if (s[0] == '-' && s[1]) {
			return cli_errorf("registry card: unknown option or missing value: %s "
					  "(see --help)", s);
		} else if (!ref) {
			ref = s;
		} else {
			return cli_errorf("registry card: too many arguments (see --help)");
		}
	}
	if (!ref) {
		fputs(usage_text, stderr);
		return EXIT_ERROR;
	}
	const char *root = options_registry_root(registry);
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	struct ft_err err;
	char *text = NULL;
	if (registry_resolve(root, ref, group, &version, &err) < 0 ||
	    !(text = card_render(root, group, version, fmt, &err)))
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
