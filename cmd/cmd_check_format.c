/* cmd_check_format.c - retrylens check-format: why lines do not parse.
 *
 * Reads the first lines of one input with the format given (or sniffed), counts how
 * many parse, and for the first lines that do not, shows which item of the format
 * failed and what the line had there. Nothing is stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/format/format.h"
#include "lib/input/sniff.h"
#include "lib/input/source.h"
#include "lib/base/text.h"

static void show_line(long long lineno, const char *p, size_t n, const char *why)
{
	char excerpt[200];
	rl_text_clean(excerpt, sizeof excerpt, p, n < 160 ? n : 160);
	printf("line %lld: %s\n  %s\n", lineno, why, excerpt);
}

typedef struct check {
	size_t lines, parsed, pending, failed, skipped, show;
} check;

/* Checks one line against fmt (NULL only while blank or overlong lines come first). */
static void check_line(check *c, rl_format *fmt, const rl_line *ln)
{
	c->lines++;
	if (ln->overlong) {
		if (++c->failed <= c->show) {
			char why[96];
			snprintf(why, sizeof why, "longer than --max-line (%zu bytes)", ln->full_len);
			show_line(ln->lineno, ln->p, ln->n, why);
		}
		return;
	}
	if (rl_line_is_blank(ln->p, ln->n) || !fmt) {
		c->skipped++;
		return;
	}
	rl_record rec;
	rl_reject rj = rl_format_parse(fmt, ln->p, ln->n, &rec);
	if (rj == RL_REJECT_NONE) {
		c->parsed++;
	} else if (rj == RL_REJECT_PENDING) {
		c->pending++; /* a document's line, a CRI partial line: its record comes later */
	} else if (rj == RL_REJECT_NOT_ACCESS) {
		c->skipped++;
	} else if (++c->failed <= c->show) {
		char why[512];
		rl_format_explain(fmt, ln->p, ln->n, why, sizeof why);
		show_line(ln->lineno, ln->p, ln->n, why);
	}
}

/* A document format (har) parses its items once the lines are read. */
static void check_document(check *c, rl_format *fmt)
{
	rl_reject rj = rl_format_finish(fmt);
	c->parsed = 0;
	if (rj) {
		printf("the document: %s\n", rl_reject_text(rj));
		c->failed = 1;
		return;
	}
	rl_record rec;
	long long item;
	rl_record_reset(&rec);
	while (rl_format_next(fmt, &rec, &rj, &item) > 0) {
		if (rj == RL_REJECT_NONE)
			c->parsed++;
		else if (++c->failed <= c->show)
			printf("entry %lld: %s\n", item, rl_reject_text(rj));
		rl_record_reset(&rec);
	}
}

int cmd_check_format(int argc, char **argv)
{
	cli_ingest_args a = {CLI_INGEST_DEFAULTS};
	size_t max_lines = 1000, show = 5;
	const cli_opt opts[] = {
		CLI_FORMAT_OPTS(a),
		{"--lines", CLI_COUNT, &max_lines, "N", "lines to check (default 1000; 0: all)"},
		{"--show", CLI_COUNT, &show, "N", "lines that fail to explain (default 5)"},
		{"--max-line", CLI_COUNT, &a.max_line, "BYTES", "longer lines are rejected (default 65536)"},
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"check-format",
		"[--format FMT] FILE|-",
		"Checks a format against the first lines of a log: how many parse, and for the first\n"
		"lines that do not, which item of the format failed and what the line had there.\n"
		"Exit code 0 when every line checked parses, 1 when some do not.",
		"examples:\n"
		"  retrylens check-format access.log\n"
		"  retrylens check-format --format 'nginx:$remote_addr [$time_local] \"$request\" $status' x.log\n"
		"  retrylens check-format --log-format-file /etc/nginx/nginx.conf --log-format-name main x.log\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	rl_source *src = NULL;
	rl_format *fmt = NULL;
	rl_sniff sn = {0};
	check c = {0};
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (npos != 1) {
		rc = cli_usage(cmd.name, "name one input file, or - for standard input");
		goto done;
	}
	if ((rc = cli_resolve_format(cmd.name, &a)))
		goto done;
	c.show = show;
	rl_err err;
	rl_err_clear(&err);
	rl_source_opts so = {.max_line = a.max_line};
	rl_format_opts fo = cli_format_opts(&a);
	bool sniffed = strcmp(a.format, "auto") == 0;
	if (rl_source_open(&src, pos[0], &so, &err) || (!sniffed && rl_format_new(&fmt, a.format, &fo, &err)) ||
	    (sniffed && rl_sniff_document(src, &fo, &fmt, &err))) {
		rc = cli_fail(&err);
		goto done;
	}
	if (!sniffed)
		printf("format: %s\n", rl_format_name(fmt));
	else if (fmt)
		printf("format auto: har (the input starts as a HAR document)\n");
	if (fmt && rl_format_is_document(fmt))
		rl_source_set_max_line(src, RL_DOCUMENT_MAX_BYTES);
	/* auto: the first lines choose, as ingest does; then they are checked like the rest */
	while (!fmt) {
		int sr = rl_sniff_lines(&sn, src, &fo, pos[0], &fmt, &err);
		if (sr == RL_EINPUT) {
			printf("%s\n", err.msg);
			rc = EXIT_THRESHOLD;
			goto done;
		}
		if (sr) {
			rc = cli_fail(&err);
			goto done;
		}
		if (fmt || sn.ended)
			break;
		rl_line ln;
		while (rl_sniff_next(&sn, &ln))
			check_line(&c, NULL, &ln);
	}
	if (sniffed && fmt && !rl_format_is_document(fmt))
		printf("format auto: %s (%zu of the first %zu lines parse)\n", rl_format_name(fmt), sn.matched,
		       sn.nonblank);
	int r = sn.read_error;
	if (r)
		err = sn.read_err;
	rl_line ln;
	bool document = fmt && rl_format_is_document(fmt);
	bool all = true; /* read to the end (--lines did not stop it) */
	for (;;) {
		if (!document && max_lines && c.lines == max_lines) {
			all = false; /* a document is read whole: its items are what is checked */
			break;
		}
		if (!rl_sniff_next(&sn, &ln) && (r < 0 || (r = rl_source_next(src, &ln, &err)) <= 0))
			break;
		check_line(&c, fmt, &ln);
	}
	/* what a line format still holds at the end (a CRI partial line) is lost */
	for (rl_reject rj; all && fmt && (rj = rl_format_end(fmt)) != RL_REJECT_NONE;)
		if (++c.failed <= c.show)
			printf("at the end of the input: %s\n", rl_reject_text(rj));
	if (r < 0)
		fprintf(stderr, "retrylens: %s: %s\n", pos[0], err.msg);
	if (document) {
		check_document(&c, fmt);
		printf("%zu lines read: %zu entries parse, %zu do not\n", c.lines, c.parsed, c.failed);
	} else {
		printf("%zu lines checked: %zu parse, %zu do not, %zu skipped (blank or not access records)\n", c.lines,
		       c.parsed, c.failed, c.skipped);
	}
	if (!c.parsed && !c.failed && c.lines > c.skipped)
		c.failed = 1; /* lines that only pend: nothing parsed */
	if (!c.parsed && c.skipped && !document)
		printf("no line is an access record: check the format (or --field)\n");
	rc = r < 0 ? EXIT_INPUT : c.failed || !c.parsed ? EXIT_THRESHOLD : EXIT_OK;
done:
	rl_format_free(fmt);
	rl_source_free(src);
	rl_sniff_clear(&sn);
	free(a.format_buf);
	free(pos);
	return rc;
}
