/* csv.c - one table of the report as CSV (SPEC §5).
 *
 * The rows are read from the JSON document (rl_render_json_doc), so a cell is the JSON
 * value it stands for, and the columns are the JSON keys of that table's rows, nested
 * objects flattened with '.' (backoff.too_fast). Each table's columns are listed here,
 * so a table with no rows (or not in this report yet) still has its header. RFC 4180:
 * CRLF line ends; a cell holding a comma, a quote, CR or LF is quoted, its quotes
 * doubled. A string cell that starts with = + - @, a tab or CR gets a ' before it, so a
 * spreadsheet never evaluates a log's content as a formula. */
#include <stdlib.h>
#include <string.h>

#include "lib/render/render.h"

typedef struct csv_table {
	const char *name;
	const char *path; /* the array in the JSON document, dotted */
	const char *const *columns; /* dotted paths into each row, NULL-ended */
} csv_table;

#define BACKOFF_COLUMNS                                                                            \
	"backoff.checked", "backoff.compliant", "backoff.too_fast", "backoff.ignored_retry_after", \
		"backoff.over_max_retries", "backoff.no_jitter"

static const char *const status_cols[] = {"status", "count", "retryable", NULL};
static const char *const endpoint_cols[] = {"endpoint",		 "method", "attempts", "errors", "retries",
					    "blind_4xx_retries", "p50_ms", "p95_ms",   "p99_ms", NULL};
static const char *const client_cols[] = {
	"client",	 "attempts",   "retries", "blind_4xx_retries", "unsafe_retries",
	BACKOFF_COLUMNS, "violations", "rekeyed", "evidence_attempts", NULL};
static const char *const sdk_cols[] = {
	"sdk",		 "version",	    "attempts", "clients", "retries", "blind_4xx_retries", "unsafe_retries",
	BACKOFF_COLUMNS, "compliance_rate", NULL};
static const char *const error_cols[] = {"status", "type", "code", "message", "count", "sample", NULL};
static const char *const timeline_cols[] = {
	"start", "attempts", "retries", "errors", "retryable_errors", "blind_4xx_retries", NULL};
static const char *const storm_cols[] = {"start",   "end",	     "minutes", "attempts",
					 "retries", "amplification", "clients", NULL};

static const csv_table tables[] = {
	{"status", "status", status_cols},
	{"endpoints", "endpoints", endpoint_cols},
	{"clients", "clients", client_cols},
	{"sdks", "sdks", sdk_cols},
	{"errors", "errors", error_cols},
	{"timeline", "timeline", timeline_cols},
	{"storms", "retries.storms.storms", storm_cols},
};

const char *rl_csv_table(size_t i)
{
	return i < sizeof tables / sizeof tables[0] ? tables[i].name : NULL;
}

/* The value at a dotted path under v, or NULL. */
static json_t *at_path(json_t *v, const char *path)
{
	char key[64];
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		path += n + (dot != NULL);
	}
	return v;
}

static void write_cell(FILE *f, const char *s, size_t n, bool text)
{
	bool guard = text && n && strchr("=+-@\t\r", s[0]);
	bool quote = false;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (quote)
		fputc('"', f);
	if (guard)
		fputc('\'', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	if (quote)
		fputc('"', f);
}

/* A JSON value as a cell: null empty, a string as it is, an array of scalars joined
 * with spaces (a storm's clients), numbers as the JSON writes them. */
static void value_cell(FILE *f, json_t *v)
{
	char buf[40];
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		write_cell(f, json_string_value(v), json_string_length(v), true);
		break;
	case JSON_INTEGER:
		fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fputs(rl_render_real(buf, json_real_value(v)), f);
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	case JSON_ARRAY: {
		/* as one string, so that a formula guard and quoting see all of it */
		size_t len = 0, i;
		json_t *x;
		json_array_foreach (v, i, x)
			if (json_is_string(x))
				len += json_string_length(x) + 1;
		char *joined = malloc(len + 1), *p = joined;
		if (!joined)
			break;
		json_array_foreach (v, i, x) {
			if (!json_is_string(x))
				continue;
			if (p != joined)
				*p++ = ' ';
			memcpy(p, json_string_value(x), json_string_length(x));
			p += json_string_length(x);
		}
		write_cell(f, joined, (size_t)(p - joined), true);
		free(joined);
		break;
	}
	default:
		break;
	}
}

int rl_render_csv(const rl_report *r, FILE *f, const rl_render_opts *o)
{
	const char *name = o && o->table ? o->table : "endpoints";
	const csv_table *t = NULL;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (strcmp(tables[i].name, name) == 0)
			t = &tables[i];
	if (!t)
		return RL_EUSAGE;
	json_t *doc = rl_render_json_doc(r);
	if (!doc)
		return RL_ENOMEM;
	for (const char *const *c = t->columns; *c; c++) {
		if (c != t->columns)
			fputc(',', f);
		write_cell(f, *c, strlen(*c), false);
	}
	fputs("\r\n", f);
	json_t *rows = at_path(doc, t->path), *row;
	size_t i;
	if (json_is_array(rows))
		json_array_foreach (rows, i, row) {
			for (const char *const *c = t->columns; *c; c++) {
				if (c != t->columns)
					fputc(',', f);
				value_cell(f, at_path(row, *c));
			}
			fputs("\r\n", f);
		}
	json_decref(doc);
	return ferror(f) ? RL_EOUTPUT : 0;
}
