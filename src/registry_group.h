/* registry_group: what a model group may be called, and the group a run
 * registers into when the settings name none. The rule sits below both the
 * settings (which check registry.group) and the registry (which builds paths
 * from it), so neither has to include the other. */
#ifndef FT_REGISTRY_GROUP_H
#define FT_REGISTRY_GROUP_H

#include <stdbool.h>

#define REGISTRY_GROUP_MAX 63          /* characters in a group name */
#define REGISTRY_GROUP_DEFAULT "fraud-detection-model-group"

/* [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; false for NULL. */
bool registry_group_valid(const char *name);

#endif
