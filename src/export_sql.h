/* export_sql: a model as one SQL SELECT that scores a raw table the way
 * `fraudtree predict` scores the raw CSV (fraudtree(1), EXPORT). */
#ifndef FT_EXPORT_SQL_H
#define FT_EXPORT_SQL_H

#include <stdbool.h>

#include "model.h"
#include "util.h"

enum sql_dialect {
	SQL_SQLITE,      /* any column types; text cells as .import --csv leaves them */
	SQL_POSTGRES,    /* typed or text columns */
	SQL_ANSI,        /* typed columns, NULL for missing; CASE, CAST, COALESCE, EXTRACT */
	SQL_DIALECT_COUNT
};

const char *sql_dialect_name(enum sql_dialect d);
bool sql_dialect_parse(const char *s, enum sql_dialect *out);

/* The query for `table` (a name, or dot-separated parts, each quoted as an
 * identifier). It returns every column of the table, then fraud_leaf,
 * fraud_probability and prediction. `origin` names the model in the
 * query's opening comment. NULL with err when the dialect cannot express
 * a step the tree uses. Caller frees. */
char *export_sql(const struct model *m, enum sql_dialect d, const char *table,
		 const char *origin, struct ft_err *err);

#endif
