/* recipe_json: a recipe's form inside model.json. */
#ifndef FT_RECIPE_JSON_H
#define FT_RECIPE_JSON_H

#include "recipe.h"
#include "util.h"

/* recipe_from_json validates everything and names the offending key;
 * origin (the file) begins its messages. Both return what the caller
 * frees (cJSON_Delete, recipe_free). */
struct cJSON;
struct cJSON *recipe_to_json(const struct recipe *r);
struct recipe *recipe_from_json(const struct cJSON *j, const char *origin,
				struct ft_err *err);

#endif
