/* reference: the training split's distributions, kept in model.json so
 * that a later file can be compared with the data the model learnt from
 * (fraudtree drift). Per recipe input: 10 quantile bins for a numeric or
 * datetime column (edges and shares, plus the missing share), the
 * category shares of a categorical one (the most frequent
 * REFERENCE_MAX_CATEGORIES, the rest as "other", plus the missing share);
 * and the model's score by distinct leaf score.
 *
 * Every share is a fraction of the training rows, so a column's shares
 * (its bins, other and missing) sum to 1. Equal training data gives equal
 * bins: edges are order statistics of the sorted values. */
#ifndef FT_REFERENCE_H
#define FT_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"
#include "recipe.h"
#include "tree.h"
#include "util.h"

#define REFERENCE_BINS 10
#define REFERENCE_MAX_CATEGORIES 50

struct reference_column {
	char *name;                 /* the recipe input's name */
	bool numeric;               /* numeric or datetime: bins; else categories */
	/* numeric: nedges distinct edges e[0] < ... ; bin 0 is x <= e[0], bin
	 * k is e[k-1] < x <= e[k], bin nedges is x > e[nedges-1]. */
	double *edges; size_t nedges;
	/* categorical: the categories, most frequent first (ties by text) */
	char **categories; size_t ncategories;
	double *share;              /* numeric: nedges + 1 bins; categorical:
	                               ncategories, then "other" */
	double missing;             /* share of missing cells */
	/* categorical lookup, sorted by text: index into categories */
	size_t *sorted;
};

struct reference {
	struct reference_column *cols; size_t ncols;   /* by recipe input */
	size_t rows;                /* training rows measured */
	/* score: distinct leaf scores ascending, each with its share of the
	 * real training rows the tree was grown on */
	double *score; double *score_share; size_t nscore;
};

/* The distributions of r's inputs over the training rows of f. Caller
 * frees with reference_free. */
struct reference *reference_fit(const struct frame *f, const struct recipe *r,
				const size_t *rows, size_t n);
/* Set the score part from t's leaves (real training rows per score). */
void reference_set_score(struct reference *ref, const struct tree *t);
void reference_free(struct reference *ref);

/* The numeric bin of x (not NAN). */
size_t reference_bin(const struct reference_column *c, double x);
/* The category index of text [s, s + len), or c->ncategories ("other"). */
size_t reference_category(const struct reference_column *c, const char *s, size_t len);
/* The score bin of a leaf score, or ref->nscore when the score is not one
 * of the reference's (a model whose tree does not match). */
size_t reference_score_bin(const struct reference *ref, double score);

/* JSON form inside model.json ("reference"); from_json validates it
 * against the recipe (one column per input, in order) and names the key. */
struct cJSON *reference_to_json(const struct reference *ref);
struct reference *reference_from_json(const struct cJSON *j, const struct recipe *r,
				      const char *origin, struct ft_err *err);

#endif
