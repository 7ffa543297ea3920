/* tree_text: a fitted tree as text a person reads (the Tree screen,
 * rules.txt, `fraudtree run`'s summary). */
#ifndef FT_TREE_TEXT_H
#define FT_TREE_TEXT_H

#include "tree.h"

/* What a leaf decides: the value its threshold reads (the leaf's score,
 * or its fraud probability) against the threshold, as predict decides. */
struct tree_decision {
	double threshold;
	enum threshold_on on;
};

/* sklearn-like text export ("|--- TransactionAmt >  412.5" ...
 * "|   |--- class: fraud (p=0.83, n=212)"); a leaf shows the class the model
 * decides there (d: its score or probability against the threshold, as
 * predict decides, not the majority), p = that class's weighted share, n =
 * real training rows, "+N synthetic" the samples resampling added; a
 * resampled tree shows the fraud probability too ("fraud (p=0.83, fraud
 * probability 0.12, n=22 +531 synthetic)"). Thresholds are the
 * shortest decimal that reads back as the tree's own (0.805, not 0.81). A
 * line deeper than 32 levels keeps 32 bars and says its depth ("[depth 40]
 * |--- ..."), so the text is at most a bounded number of bytes per node.
 * Caller frees. */
char *tree_export_text(const struct tree *t, const struct tree_decision *d,
		       const char *positive_name, const char *negative_name);
/* One "if A and B then fraud (p=0.83, n=212)" line per leaf, in tree
 * order, conditions on one feature merged ("2.5 < amount <= 7"); a tree
 * with no split gives "always legit (...)". Caller frees. */
char *tree_export_rules(const struct tree *t, const struct tree_decision *d,
			const char *positive_name, const char *negative_name);

#endif
