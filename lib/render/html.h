/* render/html.h - what the two halves of the HTML renderer share: html.c writes the page
 * and its tables and owns the escaping; html_chart.c draws the charts as inline SVG.
 * Nothing outside lib/render/html*.c includes this.
 *
 * rl_html_put() is the only way a string that came from a log (or a file name, or a
 * policy file) reaches the page. */
#ifndef RL_RENDER_HTML_H
#define RL_RENDER_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/report/report.h"

enum {
	RL_HTML_ATTR = 1, /* inside a quoted attribute value: ' is escaped as well as & < > " */
	RL_HTML_MARK = 2, /* neutralised characters inside <span class="ctl"> (HTML text, not SVG) */
};

/* Writes s (NULL: nothing), valid UTF-8 or not, escaped for HTML or SVG text, or for a
 * quoted attribute with RL_HTML_ATTR; C0/C1 controls, DEL, bidi marks, embeddings,
 * overrides and isolates, zero-width and invisible characters, line separators and the
 * BOM are shown as "\x1b" or "\u202e" text, and a byte that is no UTF-8 as U+FFFD. At most
 * max characters (0: all); a cut is marked with "…". */
void rl_html_put(FILE *f, const char *s, int how, size_t max);

/* v with thousands separators ("20,000") into buf; returns buf. */
const char *rl_html_num(char buf[32], uint64_t v);

/* "35.29 %", or "–" for a rate over zero, into buf; returns buf. */
const char *rl_html_pct(char buf[32], rl_rate r);

/* a ÷ b as a rate (null when b is 0). */
rl_rate rl_html_ratio(uint64_t a, uint64_t b);

/* The charts (html_chart.c), each a <section class="panel">, or a sentence when there
 * is nothing to draw: attempts, retries and errors per timeline bucket; the backoff
 * verdicts and the outcomes; attempts by status; the clients with the most violations. */
void rl_html_chart_timeline(FILE *f, const rl_report *r);
void rl_html_chart_verdicts(FILE *f, const rl_report *r);
void rl_html_chart_status(FILE *f, const rl_report *r);
void rl_html_chart_offenders(FILE *f, const rl_report *r);

#endif
