/* card: the model card of one registered version, for the model-risk
 * reviewer and the stakeholder (fraudtree(1), registry card). */
#ifndef FT_CARD_H
#define FT_CARD_H

#include "util.h"

enum card_format { CARD_HTML, CARD_MARKDOWN, CARD_FORMAT_COUNT };

const char *card_format_name(enum card_format f);
bool card_format_parse(const char *s, enum card_format *out);

/* The card of root/group/version: purpose (the group's description), data
 * (file, rows, sha256, date range when the file is still the one trained
 * on), split and resampling, confusion matrix, every metric with its
 * interval beside the majority baseline, the gate and its result, how the
 * gate and threshold differ from the policy and the defaults, top
 * features, the tree (HTML: inline SVG folded below depth 3), resolved
 * settings and the audit trail. HTML is one self-contained file: inline
 * CSS and SVG, no script, no link to fetch. Numbers as registry show
 * --json writes them. NULL with err when the version is damaged or
 * missing. Caller frees. */
char *card_render(const char *root, const char *group, int version, enum card_format f,
		  struct ft_err *err);

#endif
