/* pipeline_publish: serialise a run and register it (pipeline_publish.h).
 * Kept apart from pipeline.c so that the run itself does not depend on the
 * registry: only publishing does. */
#include "config.h"
#include "pipeline_publish.h"

#include <stdlib.h>

#include "model.h"
#include "settings.h"

int pipeline_publish(const struct pipeline_result *r, const struct pipeline_publish_args *a,
		     int *version, struct ft_err *err)
{
	char *model = model_to_text(r->recipe, r->tree, r->settings.threshold,
				    r->settings.threshold_on, r->reference);
	char *evaluation = pipeline_report_json(r);
	char *pipeline = settings_to_json(&r->settings);
	int rc = -1;
	if (!model || !evaluation || !pipeline) {
		ft_fail(err, FT_EINTERNAL, "register: could not serialise the results");
		goto done;
	}
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
