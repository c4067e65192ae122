/* render.h - one renderer per output format, all reading the report model.
 *
 * Renderers write to a FILE the caller owns and return 0, or -1 when writing failed
 * (the caller reports it). Strings from logs were made safe when they were stored
 * (lib/text.h); renderers still escape what their format needs. */
#ifndef RL_RENDER_H
#define RL_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/report.h"

typedef struct rl_render_opts {
	bool color; /* ANSI bold headings (the caller decides: a TTY, and no NO_COLOR) */
	size_t top; /* the --top the report was built with, for headings; 0: all */
} rl_render_opts;

/* SPEC §6, schema retrylens.report/1. */
int rl_render_json(const rl_report *r, FILE *out);

/* Aligned tables for a terminal. */
int rl_render_text(const rl_report *r, FILE *out, const rl_render_opts *o);

#endif
