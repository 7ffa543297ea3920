/* registry_fixture: the hand-built model described in registry_fixture.h. */
#include "config.h"
#include "registry_fixture.h"

#include <stdlib.h>

#include "model.h"

struct recipe *fixture_recipe(void)
{
	struct recipe *r = xcalloc(1, sizeof *r);
	r->target = xstrdup("isFraud");
	r->positive = xstrdup("1");
	r->negative = xstrdup("0");
	r->ninputs = 2;
	r->inputs = xcalloc(2, sizeof *r->inputs);
	r->inputs[0].name = xstrdup("amount");
	r->inputs[0].type = COL_NUMERIC;
	r->inputs[0].impute = IMPUTE_MEDIAN;
	r->inputs[0].fill_value = 50;
	r->inputs[1].name = xstrdup("card");
	r->inputs[1].type = COL_CATEGORICAL;
	r->inputs[1].impute = IMPUTE_MOST_FREQUENT;
	r->inputs[1].fill_level = xstrdup("credit");
	r->inputs[1].encode = ENC_ONEHOT;
	r->inputs[1].nlevels = 2;
	r->inputs[1].levels = xcalloc(2, sizeof(char *));
	r->inputs[1].levels[0] = xstrdup("credit");
	r->inputs[1].levels[1] = xstrdup("debit");
	r->inputs[1].freq = xcalloc(2, sizeof(double));
	r->inputs[1].freq[0] = 70;
	r->inputs[1].freq[1] = 60;
	r->nfeatures = 3;
	r->features = xcalloc(3, sizeof *r->features);
	r->features[0] = (struct feature){ xstrdup("amount"), 0, FEAT_NUMERIC, 0 };
	r->features[1] = (struct feature){ xstrdup("card=credit"), 1, FEAT_ONEHOT, 0 };
	r->features[2] = (struct feature){ xstrdup("card=debit"), 1, FEAT_ONEHOT, 1 };
	r->ndropped = 1;
	r->dropped = xcalloc(1, sizeof(char *));
	r->drop_reasons = xcalloc(1, sizeof(char *));
	r->dropped[0] = xstrdup("id");
	r->drop_reasons[0] = xstrdup("id-like");
	return r;
}

static struct tree_node leaf(double neg, double pos, int depth)
{
	struct tree_node n = { TREE_LEAF, TREE_LEAF, -1, 0, { neg, pos },
			       { (uint64_t)neg, (uint64_t)pos }, 0, 0, depth };
	double t = neg + pos;
	n.impurity = t > 0 ? 1 - (neg / t) * (neg / t) - (pos / t) * (pos / t) : 0;
	n.samples = (uint64_t)t;
	n.real[0] = n.count[0];
	n.real[1] = n.count[1];
	return n;
}

static struct tree_node split(int32_t l, int32_t r, int32_t f, double thr,
			      struct tree_node a, struct tree_node b, int depth)
{
	struct tree_node n = leaf(a.value[0] + b.value[0], a.value[1] + b.value[1], depth);
	n.left = l;
	n.right = r;
	n.feature = f;
	n.threshold = thr;
	return n;
}

struct tree *fixture_tree(void)
{
	struct tree *t = xcalloc(1, sizeof *t);
	t->nnodes = 5;
	t->nodes = xcalloc(5, sizeof *t->nodes);
	t->nodes[1] = leaf(90, 10, 1);
	t->nodes[3] = leaf(5, 15, 2);
	t->nodes[4] = leaf(10, 0, 2);
	t->nodes[2] = split(3, 4, 2, 0.5, t->nodes[3], t->nodes[4], 1);
	t->nodes[0] = split(1, 2, 0, 100, t->nodes[1], t->nodes[2], 0);
	t->nfeatures = 3;
	t->feature_names = xcalloc(3, sizeof(char *));
	t->feature_names[0] = xstrdup("amount");
	t->feature_names[1] = xstrdup("card=credit");
	t->feature_names[2] = xstrdup("card=debit");
	t->importance = xcalloc(3, sizeof(double));
	t->importance[0] = 7.38461538461538 / 14.88461538461538;
	t->importance[2] = 7.5 / 14.88461538461538;
	t->params.criterion = CRIT_GINI;
	t->params.min_samples_split = 2;
	t->params.min_samples_leaf = 1;
	t->params.max_bins = 256;
	t->probability_odds = 1.0;
	return t;
}

char *fixture_model_text(void)
{
	struct recipe *r = fixture_recipe();
	struct tree *t = fixture_tree();
	char *s = model_to_text(r, t, 0.5, THRESHOLD_ON_SCORE, NULL);
	recipe_free(r);
	tree_free(t);
	return s;
}
