/* train_bench: time tree_fit on a matrix written by bench/train_sklearn.py
 * and score a held-out matrix, for bench/bench-train.sh.
 *
 * Matrix file: uint64 n, uint64 nfeatures (little-endian), then n *
 * nfeatures float32 column-major, then n uint8 labels.
 * Usage: train_bench TRAIN.bin TEST.bin MAX_DEPTH THREADS CRITERION
 * Prints one line of key=value pairs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "tree.h"
#include "util.h"

static int load(const char *path, struct dataset *d)
{
	FILE *fp = fopen(path, "rb");
	uint64_t hdr[2];
	if (!fp || fread(hdr, sizeof hdr, 1, fp) != 1) {
		fprintf(stderr, "train_bench: %s: cannot read\n", path);
		return -1;
	}
	memset(d, 0, sizeof *d);
	d->n = hdr[0];
	d->nfeatures = hdr[1];
	d->X = xmalloc(d->n * d->nfeatures * sizeof *d->X);
	d->y = xmalloc(d->n);
	if (fread(d->X, sizeof *d->X, d->n * d->nfeatures, fp) != d->n * d->nfeatures ||
	    fread(d->y, 1, d->n, fp) != d->n) {
		fprintf(stderr, "train_bench: %s: truncated\n", path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: train_bench TRAIN.bin TEST.bin MAX_DEPTH THREADS gini|entropy\n");
		return 2;
	}
	struct dataset train, test;
	if (load(argv[1], &train) < 0 || load(argv[2], &test) < 0)
		return 2;
	struct tree_params p = {
		.criterion = strcmp(argv[5], "entropy") == 0 ? CRIT_ENTROPY : CRIT_GINI,
		.max_depth = atoi(argv[3]), .min_samples_split = 2, .min_samples_leaf = 1,
		.max_bins = 256, .threads = atoi(argv[4]),
	};
	struct ft_err err;
	double t0 = ft_now();
	struct tree *t = tree_fit(&train, NULL, &p, NULL, &err);
	double t1 = ft_now();
	if (!t) {
		fprintf(stderr, "train_bench: %s\n", err.msg);
		return 2;
	}
	double *proba = xmalloc(test.n * sizeof *proba);
	tree_predict(t, &test, proba);
	struct metrics m;
	metrics_compute(test.y, proba, test.n, 0.5, &m);
	printf("fit_seconds=%.3f nodes=%zu depth=%d accuracy=%.5f recall=%.5f\n",
	       t1 - t0, t->nnodes, tree_depth(t), m.accuracy, m.recall);
	free(proba);
	tree_free(t);
	dataset_free(&train);
	dataset_free(&test);
	return 0;
}
