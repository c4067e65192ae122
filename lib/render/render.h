/* render.h - one renderer per output format, all reading the report model.
 *
 * Renderers write to a FILE the caller owns and return 0, RL_ENOMEM, or RL_EOUTPUT when
 * writing failed (the caller reports it). They are found by name in one table, so a new
 * output format is one function and one row. Strings from logs were made safe when they were stored
 * (lib/base/text.h); renderers still escape what their format needs. */
#ifndef RL_RENDER_H
#define RL_RENDER_H

#include <stdbool.h>
#include <jansson.h>
#include <stdio.h>

#include "lib/base/err.h"
#include "lib/report/report.h"

typedef struct rl_render_opts {
	bool color; /* ANSI bold headings (the caller decides: a TTY, no NO_COLOR, no TERM=dumb) */
	size_t top; /* the --top the report was built with, for headings; 0: all */
	const char *table; /* csv: one of rl_csv_table's names (NULL: "endpoints") */
} rl_render_opts;

typedef int (*rl_render_fn)(const rl_report *r, FILE *out, const rl_render_opts *o);

typedef struct rl_renderer {
	const char *name; /* the --output value */
	rl_render_fn fn;
} rl_renderer;

/* Every output format, in the order --help lists them; ends with {NULL, NULL}. */
extern const rl_renderer rl_renderers[];

/* The renderer called name, or NULL. */
const rl_renderer *rl_renderer_find(const char *name);

/* The JSON document of SPEC §6 as a jansson tree (the caller json_decref()s it), NULL
 * when out of memory: what --output json prints and --fail-on reads. */
json_t *rl_render_json_doc(const rl_report *r);

/* Whether client counter k (RL_CL_*) is a column of a client table: attempts, retries,
 * blind and unsafe, then every verdict but compliant, and with violations their sum. */
bool rl_render_client_column(int k, bool violations);

/* v in its shortest form that reads back as v (0.1, not 0.10000000000000001), as the
 * JSON report writes reals; returns buf. */
const char *rl_render_real(char buf[40], double v);

/* SPEC §6, schema retrylens.report/1. */
int rl_render_json(const rl_report *r, FILE *out, const rl_render_opts *o);

/* Aligned tables for a terminal. */
int rl_render_text(const rl_report *r, FILE *out, const rl_render_opts *o);

/* One table as RFC 4180 CSV (SPEC §5): a header row of the JSON keys of that table's
 * rows (nested objects flattened with '.'), then one row per JSON row. */
int rl_render_csv(const rl_report *r, FILE *out, const rl_render_opts *o);

/* The name of csv table i, in --help's order; NULL past the last. */
const char *rl_csv_table(size_t i);

/* The whole report as Markdown headings and pipe tables, for a post-incident review. */
int rl_render_markdown(const rl_report *r, FILE *out, const rl_render_opts *o);

/* One self-contained HTML file: inline CSS and SVG charts, no script, no network. */
int rl_render_html(const rl_report *r, FILE *out, const rl_render_opts *o);

/* Prometheus text exposition format 0.0.4 (node_exporter's textfile collector). */
int rl_render_prometheus(const rl_report *r, FILE *out, const rl_render_opts *o);

#endif
