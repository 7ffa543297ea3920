/* registry_policy: a model group's policy (minimum gate, four-eyes
 * approval, must beat the champion) and its aliases, as group.json holds
 * them, and the checks a registration and an approval must pass. The
 * registry stores and audits them (registry_set_policy, registry_set_alias);
 * this module only reads, writes and judges their JSON, so the registry
 * can include it and it needs nothing of the registry. */
#ifndef FT_REGISTRY_POLICY_H
#define FT_REGISTRY_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "util.h"

struct cJSON;

struct registry_policy {
	bool set;                        /* false: the group has no policy */
	struct gate_condition *gate; size_t ngate;   /* minimum conditions on test */
	bool four_eyes;                  /* the approver is not the registrant */
	bool must_beat_champion;         /* net savings or recall, McNemar p < 0.05 */
	char *reason, *user, *time;      /* of the last change */
};

void registry_policy_free(struct registry_policy *p);   /* members; NULL is a no-op */
void registry_policy_copy(struct registry_policy *dst, const struct registry_policy *src);

/* The short gate form `--set gate=` takes ("recall.lower>=0.5,alerts<=500"),
 * or "" / "none" for no conditions. Fails naming the bad condition. */
int registry_policy_parse_gate(const char *text, struct registry_policy *p,
			       struct ft_err *err);
/* "recall.lower>=0.5,alerts<=500" ("none" when empty); caller frees. */
char *registry_policy_gate_text(const struct gate_condition *g, size_t n);

/* group.json's "policy" member (NULL or absent: no policy). where names
 * the file in errors. */
int registry_policy_from_json(const struct cJSON *j, const char *where,
			      struct registry_policy *out, struct ft_err *err);
/* The "policy" member for group.json; caller deletes. */
struct cJSON *registry_policy_to_json(const struct registry_policy *p);

/* Every policy condition on these test metrics: true when all hold, else
 * false with why = the first that does not ("recall.lower 0.41 is not >=
 * 0.5"; "recall.lower is not measured"). */
bool registry_policy_admits(const struct registry_policy *p, const struct metrics *m,
			    char *why, size_t size);

/* How a version's gate and threshold differ from the policy and from the
 * defaults, one line each ("gate lacks the policy's recall.lower>=0.5",
 * "gate accuracy>=0.8 is below the default accuracy>=0.85", "threshold 0.3,
 * not the default 0.5"). gate_json and threshold_json are the version's
 * pipeline.json members (either may be NULL). Returns the count; *out
 * (caller frees each and the array) holds the lines. */
size_t registry_policy_flags(const struct registry_policy *p, const struct cJSON *gate_json,
			     const struct cJSON *threshold_json, char ***out);

/* Aliases: names of [a-z][a-z0-9_-]{0,31} ("champion"). */
bool registry_alias_valid(const char *name);
/* The version group.json's "aliases" gives name, or 0. */
int registry_alias_get(const struct cJSON *group_json, const char *name);

#endif
