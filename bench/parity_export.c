/* parity_export: the prepared matrices of one pipeline run, for comparing
 * the tree with scikit-learn's on exactly the same numbers (bench-parity.sh).
 *
 * Usage: parity_export [--set KEY=VALUE]... [--na-values LIST]
 *                      [--delimiter C] FILE.csv OUTDIR
 *
 * Runs the engine's own stages with the settings `fraudtree run` would use
 * (defaults, then each --set in order): target, stratified split, recipe
 * fitted on the training rows, applied to train and test, training split
 * resampled. Writes into OUTDIR:
 *   train.csv   the resampled training matrix: one column per feature,
 *               then "__weight" (only when resample.method=class_weight),
 *               then "__label" (0/1); floats as "%.9g", which reads back
 *               to the same float32
 *   test.csv    the test matrix, never resampled, the same columns
 *               without "__weight"
 *   params.txt  the resolved tree parameters and threshold, key=value
 *   proba.txt   the fraud probability of each test row, one per line,
 *               from the tree fitted on train.csv
 *   before.csv  with resample.method set: the training matrix before it
 *   groups.txt  with it: per feature "numeric" or the categorical column
 *               SMOTE-NC takes it for (resample_categorical_groups)
 *   tree.json   that tree (tree_to_json), so the two trees can be walked
 *               side by side to find where they part
 *   ccp_path.txt its minimal cost-complexity pruning path (tree_ccp_path):
 *               one step a line, "alpha impurity leaves" ("%.17g"), for
 *               comparing with cost_complexity_pruning_path (bench-ccp.sh)
 * and prints one line of key=value pairs: the fit time and size of the tree
 * (and the time of its pruning path, path_seconds)
 * fitted on that training matrix, its test accuracy and recall, and the
 * test accuracy and recall of pipeline_run on the same settings (they must
 * be equal: the pipeline reaches the same matrix in place). */
#include "config.h"

#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_load.h"
#include "metrics.h"
#include "pipeline.h"
#include "dataset.h"
#include "recipe.h"
#include "recipe_apply.h"
#include "resample.h"
#include "split.h"
#include "target.h"
#include "settings.h"
#include "tree.h"
#include "tree_json.h"
#include "util.h"

struct options {
	char **sets; size_t nsets;
	const char *na_values;
	char delimiter;
	const char *file, *out_dir;
};

static void usage(FILE *out)
{
	fputs("usage: parity_export [--set KEY=VALUE]... [--na-values LIST] "
	      "[--delimiter C] FILE.csv OUTDIR\n", out);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_SET = 256, OPT_NA_VALUES, OPT_DELIMITER, OPT_HELP };
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, OPT_SET },
		{ "na-values", required_argument, NULL, OPT_NA_VALUES },
		{ "delimiter", required_argument, NULL, OPT_DELIMITER },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SET:
			o->sets = xreallocarray(o->sets, o->nsets + 1, sizeof *o->sets);
			o->sets[o->nsets++] = optarg;
			break;
		case OPT_NA_VALUES:
			o->na_values = optarg;
			break;
		case OPT_DELIMITER:
			if (!strcmp(optarg, "tab") || !strcmp(optarg, "\\t"))
				o->delimiter = '\t';
			else if (strlen(optarg) == 1)
				o->delimiter = optarg[0];
			else {
				fprintf(stderr, "parity_export: --delimiter: expected one character\n");
				return -1;
			}
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return -1;
	}
	o->file = argv[optind];
	o->out_dir = argv[optind + 1];
	return 0;
}

/* --na-values as `fraudtree run` takes it: comma-separated, kept in the
 * settings so the recipe knows them too. */
static void add_na_values(struct settings *s, const char *list)
{
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		s->na_values = xreallocarray(s->na_values, s->nna_values + 1,
					     sizeof *s->na_values);
		s->na_values[s->nna_values++] = xstrndup(p, len);
		if (!comma)
			break;
		p = comma + 1;
	}
}

static void put_quoted(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

/* One matrix as CSV, row-major from the column-major dataset. */
static int write_matrix(const char *path, const struct dataset *d,
			const struct recipe *rc, struct ft_err *err)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return ft_fail(err, FT_EIO, "%s: cannot create", path);
	static char buf[1 << 20];
	setvbuf(fp, buf, _IOFBF, sizeof buf);
	for (size_t j = 0; j < d->nfeatures; j++) {
		put_quoted(fp, rc->features[j].name);
		putc(',', fp);
	}
	fputs(d->w ? "__weight,__label\n" : "__label\n", fp);
	for (size_t i = 0; i < d->n; i++) {
		for (size_t j = 0; j < d->nfeatures; j++)
			fprintf(fp, "%.9g,", (double)dataset_x(d, j, dataset_row(d, i)));
		if (d->w)
			fprintf(fp, "%.17g,", d->w[i]);
		fprintf(fp, "%u\n", (unsigned)d->y[i]);
	}
	if (fclose(fp) != 0)
		return ft_fail(err, FT_EIO, "%s: write failed", path);
	return 0;
}

static int write_params(const char *path, const struct settings *s, struct ft_err *err)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return ft_fail(err, FT_EIO, "%s: cannot create", path);
	const struct tree_params *p = &s->tree;
	fprintf(fp, "criterion=%s\n", criterion_name(p->criterion));
	fprintf(fp, "max_depth=%d\n", p->max_depth);
	fprintf(fp, "min_samples_split=%zu\n", p->min_samples_split);
	fprintf(fp, "min_samples_leaf=%zu\n", p->min_samples_leaf);
	fprintf(fp, "min_impurity_decrease=%.17g\n", p->min_impurity_decrease);
	fprintf(fp, "max_leaf_nodes=%zu\n", p->max_leaf_nodes);
	fprintf(fp, "ccp_alpha=%.17g\n", p->ccp_alpha);
	fprintf(fp, "max_bins=%d\n", p->max_bins);
	fprintf(fp, "resample=%s\n", resample_name(s->resample));
	fprintf(fp, "resample_ratio=%.17g\nseed=%llu\n", s->resample_ratio,
		(unsigned long long)s->split_seed);
	fprintf(fp, "threshold=%.17g\n", s->threshold);
	if (fclose(fp) != 0)
		return ft_fail(err, FT_EIO, "%s: write failed", path);
	return 0;
}

/* Per feature, as SMOTE-NC groups them: "numeric", or the number of the
 * categorical column it encodes (resample_categorical_groups). */
static int write_groups(const char *path, const struct recipe *rc, struct ft_err *err)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return ft_fail(err, FT_EIO, "%s: cannot write", path);
	size_t *g = resample_categorical_groups(rc);
	for (size_t j = 0; j < rc->nfeatures; j++) {
		if (g[j] == RESAMPLE_NC_NUMERIC)
			fputs("numeric\n", fp);
		else
			fprintf(fp, "%zu\n", g[j]);
	}
	free(g);
	if (fclose(fp) != 0)
		return ft_fail(err, FT_EIO, "%s: cannot write", path);
	return 0;
}

static int write_ccp_path(const char *path, const struct tree_ccp_step *st, size_t n,
			  struct ft_err *err)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return ft_fail(err, FT_EIO, "%s: cannot write", path);
	for (size_t k = 0; k < n; k++)
		fprintf(fp, "%.17g %.17g %zu\n", st[k].alpha, st[k].impurity, st[k].leaves);
	if (fclose(fp) != 0)
		return ft_fail(err, FT_EIO, "%s: cannot write", path);
	return 0;
}

static int write_proba(const char *path, const double *proba, size_t n,
		       struct ft_err *err)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return ft_fail(err, FT_EIO, "%s: cannot create", path);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%.17g\n", proba[i]);
	if (fclose(fp) != 0)
		return ft_fail(err, FT_EIO, "%s: write failed", path);
	return 0;
}

static int write_tree(const char *path, const struct tree *t, struct ft_err *err)
{
	cJSON *j = tree_to_json(t);
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	FILE *fp = fopen(path, "w");
	int rv = 0;
	if (!fp || fputs(text, fp) == EOF)
		rv = ft_fail(err, FT_EIO, "%s: cannot write", path);
	if (fp && fclose(fp) != 0 && rv == 0)
		rv = ft_fail(err, FT_EIO, "%s: write failed", path);
	free(text);
	return rv;
}

/* The pipeline's preparation, stage by stage, keeping the training matrix
 * that pipeline_run frees once it is binned. s must be resolved (the
 * pipeline result's settings: target, positive and tuned parameters set). */
static int prepare(const struct frame *f, const struct settings *s,
		   struct recipe **rc, struct dataset *train, struct dataset *test,
		   struct ft_err *err)
{
	struct target_info t;
	struct split sp;
	memset(&t, 0, sizeof t);
	memset(&sp, 0, sizeof sp);
	int rv = -1;
	if (target_resolve(f, s, &t, err) < 0 || split_stratified(&t, f->nrows, s, NULL, &sp, err) < 0)
		goto done;
	*rc = recipe_fit(f, s, &t, sp.train, sp.ntrain, NULL, err);
	if (!*rc)
		goto done;
	if (recipe_apply(*rc, f, &t, sp.train, sp.ntrain, NULL, train, err) < 0 ||
	    recipe_apply(*rc, f, &t, sp.test, sp.ntest, NULL, test, err) < 0)
		goto done;
	rv = 0;
done:
	split_free(&sp);
	target_info_free(&t);
	return rv;
}

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	if (parse_args(argc, argv, &o) < 0)
		return 2;

	struct ft_err err;
	ft_err_clear(&err);
	struct settings s;
	settings_init(&s);
	for (size_t i = 0; i < o.nsets; i++)
		if (settings_set(&s, o.sets[i], &err) < 0)
			goto fail;
	if (o.na_values)
		add_na_values(&s, o.na_values);
	if (settings_validate(&s, &err) < 0)
		goto fail;

	struct csv_options copt = {
		.delimiter = o.delimiter,
		.na_values = (const char *const *)s.na_values,
		.nna_values = s.nna_values,
	};
	struct frame *f = csv_load(o.file, &copt, &err);
	if (!f)
		goto fail;

	struct pipeline_result run;
	if (pipeline_run(f, &s, NULL, &run, &err) < 0)
		goto fail;

	struct recipe *rc = NULL;
	struct dataset train, test;
	memset(&train, 0, sizeof train);
	memset(&test, 0, sizeof test);
	if (prepare(f, &run.settings, &rc, &train, &test, &err) < 0)
		goto fail;
	frame_free(f);

	/* Resampled, the matrix before it and how SMOTE-NC saw each feature
	 * go out too (bench-smote.sh compares with imbalanced-learn). */
	char *path;
	int rv = 0;
	if (run.settings.resample != RESAMPLE_NONE) {
		path = xasprintf("%s/before.csv", o.out_dir);
		rv = write_matrix(path, &train, rc, &err);
		free(path);
		path = xasprintf("%s/groups.txt", o.out_dir);
		if (rv == 0)
			rv = write_groups(path, rc, &err);
		free(path);
		if (rv < 0)
			goto fail;
	}
	double r0 = ft_now();
	if (resample_apply(&train, &run.settings, rc, NULL, &err) < 0)
		goto fail;
	double resample_seconds = ft_now() - r0;

	path = xasprintf("%s/train.csv", o.out_dir);
	rv = write_matrix(path, &train, rc, &err);
	free(path);
	path = xasprintf("%s/test.csv", o.out_dir);
	if (rv == 0)
		rv = write_matrix(path, &test, rc, &err);
	free(path);
	path = xasprintf("%s/params.txt", o.out_dir);
	if (rv == 0)
		rv = write_params(path, &run.settings, &err);
	free(path);
	if (rv < 0)
		goto fail;

	const char **names = xcalloc(rc->nfeatures + 1, sizeof *names);
	for (size_t j = 0; j < rc->nfeatures; j++)
		names[j] = rc->features[j].name;
	double t0 = ft_now();
	struct tree *tree = tree_fit(&train, names, &run.settings.tree, NULL, &err);
	double t1 = ft_now();
	free(names);
	if (!tree)
		goto fail;
	double *proba = xmalloc((test.n ? test.n : 1) * sizeof *proba);
	tree_predict(tree, &test, proba);
	struct metrics m;
	metrics_compute(test.y, proba, test.n, run.settings.threshold, &m);
	path = xasprintf("%s/proba.txt", o.out_dir);
	rv = write_proba(path, proba, test.n, &err);
	free(path);
	path = xasprintf("%s/tree.json", o.out_dir);
	if (rv == 0)
		rv = write_tree(path, tree, &err);
	free(path);
	double t2 = ft_now();
	size_t nsteps;
	struct tree_ccp_step *steps = tree_ccp_path(tree, &nsteps);
	double t3 = ft_now();
	path = xasprintf("%s/ccp_path.txt", o.out_dir);
	if (rv == 0)
		rv = write_ccp_path(path, steps, nsteps, &err);
	free(path);
	free(steps);
	if (rv < 0)
		goto fail;

	size_t pos = 0;
	for (size_t i = 0; i < train.n; i++)
		pos += train.y[i];
	printf("train_rows=%zu train_positives=%zu test_rows=%zu features=%zu "
	       "fit_seconds=%.3f path_seconds=%.6f path_steps=%zu resample_seconds=%.6f "
	       "synthetic=%zu nodes=%zu leaves=%zu "
	       "depth=%d accuracy=%.6f recall=%.6f run_accuracy=%.6f run_recall=%.6f\n",
	       train.n, pos, test.n, train.nfeatures, t1 - t0, t3 - t2, nsteps,
	       resample_seconds, train.nsynthetic, tree->nnodes,
	       tree_leaves(tree), tree_depth(tree), m.accuracy, m.recall,
	       run.test_metrics.accuracy, run.test_metrics.recall);

	free(proba);
	tree_free(tree);
	dataset_free(&train);
	dataset_free(&test);
	recipe_free(rc);
	pipeline_result_free(&run);
	settings_free(&s);
	free(o.sets);
	return 0;
fail:
	fprintf(stderr, "parity_export: %s\n", err.msg);
	return 2;
}
