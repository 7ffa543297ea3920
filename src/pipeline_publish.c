/* pipeline_publish: serialise a run and register it (pipeline_publish.h).
 * Kept apart from pipeline.c so that the run itself does not depend on the
 * registry: only publishing does. */
#include "config.h"
#include "pipeline_publish.h"

#include <stdio.h>
#include <stdlib.h>

#include "compare.h"
#include "model.h"
#include "settings.h"
#include "sha256.h"

/* A policy's must_beat champion: this run's model against the champion on
 * the run's data (rows neither trained on, compare.h), before anything is
 * written. No champion yet: nothing to beat. */
static int beats_champion(const struct pipeline_result *r, const char *root,
			  const char *group, const char *data_path, const char *pipeline,
			  struct ft_err *err)
{
	struct registry_policy pol;
	if (registry_get_policy(root, group, &pol, err) < 0)
		return -1;
	bool wanted = pol.set && pol.must_beat_champion;
	registry_policy_free(&pol);
	int champion = 0;
	if (!wanted || registry_get_alias(root, group, "champion", &champion, err) < 0)
		return wanted ? -1 : 0;
	if (!champion)
		return 0;
	struct registry_details d;
	if (registry_show(root, group, champion, &d, err) < 0)
		return -1;
	int rc = -1;
	struct model *cm = registry_load_model(root, group, champion, err);
	char *cpipe = cm ? registry_read_pipeline(root, group, champion, err) : NULL;
	char sha[65];
	uint64_t size;
	if (cpipe && sha256_file(data_path, sha, &size, err) == 0) {
		char *cname = xasprintf("%s@champion (%s/%d)", group, group, champion);
		struct model mine = { r->recipe, r->tree, r->settings.threshold };
		struct compare_model a = { cname, cm, d.v.m.data_sha256, cpipe };
		struct compare_model b = { "this run", &mine, sha, pipeline };
		struct compare_result res;
		if (compare_models(&a, &b, data_path, &res, err) == 0) {
			char why[320];
			if (compare_beats(&res, why, sizeof why))
				rc = 0;
			else
				ft_fail(err, FT_EREFUSED, "%s/%s: refused by the group's policy: it must "
					"beat %s on %zu rows: %s", root, group, cname, res.rows, why);
			compare_result_free(&res);
		}
		free(cname);
	}
	free(cpipe);
	model_free(cm);
	registry_details_free(&d);
	return rc;
}

int pipeline_publish(const struct pipeline_result *r, const struct pipeline_publish_args *a,
		     int *version, struct ft_err *err)
{
	char *model = model_to_text(r->recipe, r->tree, r->settings.threshold,
				    r->settings.threshold_on);
	char *evaluation = pipeline_report_json(r);
	char *pipeline = settings_to_json(&r->settings);
	int rc = -1;
	if (!model || !evaluation || !pipeline) {
		ft_fail(err, FT_EINTERNAL, "register: could not serialise the results");
		goto done;
	}
	const char *group = a->group ? a->group : r->settings.group;
	if (beats_champion(r, a->root, group, a->data_path, pipeline, err) < 0)
		goto done;
	struct registry_publish_args p = {
		.group = a->group ? a->group : r->settings.group,
		.description = a->description,
		.user = a->user,
		.model_json = model,
		.evaluation_json = evaluation,
		.pipeline_json = pipeline,
		.gate = &r->gate,
		.metrics = &r->test_metrics,
		.data_path = a->data_path,
		.data_rows = a->data_rows,
		.data_columns = a->data_columns,
	};
	rc = registry_publish(a->root, &p, version, err);
done:
	free(model);
	free(evaluation);
	free(pipeline);
	return rc;
}
