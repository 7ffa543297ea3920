/* pipeline_publish: a finished run into the registry, the one way both
 * front ends register a model. It serialises the run the way every reader
 * expects (model.json by model_to_text, evaluation.json by
 * pipeline_report_json, pipeline.json by settings_to_json of the resolved
 * settings) and hands them, with the gate and the test metrics, to
 * registry_publish. */
#ifndef FT_PIPELINE_PUBLISH_H
#define FT_PIPELINE_PUBLISH_H

#include <stdint.h>

#include "pipeline.h"
#include "registry.h"
#include "util.h"

struct pipeline_publish_args {
	const char *root;            /* registry root (options_registry_root) */
	const char *group;           /* NULL: the run's registry.group */
	const char *description;     /* may be NULL */
	const char *user;            /* NULL: registry_default_user */
	const char *data_path;       /* the CSV the run read: its size and sha256 go
	                                into the manifest */
	uint64_t data_rows, data_columns;
};

/* Register r as a new version (PendingManualApproval). r is only read, but
 * must not change until this returns. Returns 0 with *version set, or -1
 * with err; on error nothing is registered (registry_publish's rules). */
int pipeline_publish(const struct pipeline_result *r, const struct pipeline_publish_args *a,
		     int *version, struct ft_err *err);

#endif
