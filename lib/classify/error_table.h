/* classify/error_table.h - the error messages behind the failures (SPEC §4; the report's errors[]).
 *
 * A capped table of error rows, (status, type, code, message template) each with the
 * first message seen as its sample, handing out small ids like lib/mem/intern.h does for
 * endpoints. ingest gives every failed attempt's body to rl_error_table_id(); the id is the
 * attempt's error code in its aggregate key (lib/aggregate/aggregate.h), so error counts are
 * counted per minute, committed and summed exactly like attempt counts, and this table
 * only names the ids (the store's error_code rows).
 *
 * Only failures (status 0 or ≥ 400, 499 included) with a body that says something
 * (lib/classify/error_body.h) get a row. Past cap templates, a new one is counted under the row
 * (status, "", "", "{other}") of its status, so the table, and the database, stay small;
 * the table remembers that the cap was hit. Rows the database already holds are preloaded
 * and count towards the cap.
 *
 * Sharing: the ingest thread adds rows; the commit writer reads the rows that existed
 * when a batch was submitted and sets their database ids, as with lib/mem/intern.h. */
#ifndef RL_ERROR_TABLE_H
#define RL_ERROR_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/defaults.h"
#include "lib/store/rows.h"
#include "lib/base/text.h"

#define RL_ERROR_TABLE_OTHER "{other}"

typedef struct rl_error_table rl_error_table;

/* One row. Strings are NUL-terminated, clean (lib/base/text.h rl_text_clean), "" when absent. */
typedef rl_store_error_row rl_error_row; /* lib/store/rows.h */

/* A table of up to cap templates (0: RL_ERRORS_CAP); NULL when out of memory. */
rl_error_table *rl_error_table_new(size_t cap);
void rl_error_table_free(rl_error_table *t);

/* Sets *id to the row of a response with this status and body, adding the row if new;
 * 0 when the status is no failure or the body says nothing. Returns 0, or RL_ENOMEM. */
int rl_error_table_id(rl_error_table *t, int status, rl_str body, uint32_t *id);

/* Number of rows (the largest id). */
uint32_t rl_error_table_count(const rl_error_table *t);

/* The row of an id rl_error_table_id handed out. */
const rl_error_row *rl_error_table_row(const rl_error_table *t, uint32_t id);
void rl_error_table_set_db_id(rl_error_table *t, uint32_t id, int64_t db_id);

/* Adds a row the database holds under db_id (a callback for rl_store_errors: ctx is the
 * rl_error_table). Returns 0, or RL_ENOMEM. */
int rl_error_table_preload(void *ctx, int64_t db_id, int status, const char *type, const char *code,
			   const char *message);

/* True when a template was counted under "{other}". */
bool rl_error_table_capped(const rl_error_table *t);

#endif
