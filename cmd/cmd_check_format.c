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
#include "lib/source.h"
#include "lib/text.h"

#define SNIFF 64

static void show_line(long long lineno, const char *p, size_t n, const char *why)
{
	char excerpt[200];
	rl_text_clean(excerpt, sizeof excerpt, p, n < 160 ? n : 160);
	printf("line %lld: %s\n  %s\n", lineno, why, excerpt);
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
	rl_line *held = NULL;
	char *arena = NULL;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (npos != 1) {
		rc = cli_usage(cmd.name, "name one input file, or - for standard input");
		goto done;
	}
	if ((rc = cli_resolve_format(cmd.name, &a)))
		goto done;
	rl_err err;
	rl_err_clear(&err);
	rl_source_opts so = {.max_line = a.max_line};
	rl_format_opts fo = cli_format_opts(&a);
	bool sniffed = strcmp(a.format, "auto") == 0;
	if (rl_source_open(&src, pos[0], &so, &err) || (!sniffed && rl_format_new(&fmt, a.format, &fo, &err))) {
		rc = cli_fail(&err);
		goto done;
	}
	if (sniffed) {
		/* a HAR is told from its first bytes, before lines are read */
		const char *p;
		size_t n, want = 512;
		int har;
		for (;;) {
			if (rl_source_peek(src, want, &p, &n, &err)) {
				rc = cli_fail(&err);
				goto done;
			}
			if ((har = rl_har_detect(p, n, n < want)) >= 0)
				break;
			want = n * 2;
		}
		if (har == 1 && rl_har_format_new(&fmt, &fo, &err) == 0) {
			sniffed = false;
			printf("format auto: har (the input starts as a HAR document)\n");
		}
	}
	if (fmt && rl_format_is_document(fmt))
		rl_source_set_max_line(src, RL_DOCUMENT_MAX_BYTES);
	/* the first lines: for the sniffer, then checked like the rest */
	held = calloc(SNIFF, sizeof *held);
	arena = malloc((size_t)SNIFF * (a.max_line ? a.max_line : 65536));
	size_t nhold = sniffed ? SNIFF : 0; /* only the sniffer needs lines held */
	rl_str views[SNIFF];
	size_t nheld = 0, nviews = 0, used = 0;
	if (!held || !arena) {
		rc = cli_usage(cmd.name, "out of memory");
		goto done;
	}
	int r = 1;
	while (nheld < nhold && (r = rl_source_next(src, &held[nheld], &err)) > 0) {
		rl_line *ln = &held[nheld++];
		memcpy(arena + used, ln->p, ln->n);
		ln->p = arena + used;
		used += ln->n;
		if (ln->n && !ln->overlong)
			views[nviews++] = rl_str_make(ln->p, ln->n);
	}
	if (sniffed) {
		size_t matched = 0;
		if (rl_format_sniff(&fmt, views, nviews, &fo, &matched, pos[0], &err)) {
			printf("%s\n", err.msg);
			rc = EXIT_THRESHOLD;
			goto done;
		}
		printf("format auto: %s (%zu of the first %zu lines parse)\n", fmt->name, matched, nviews);
	} else if (strcmp(a.format, "auto") != 0) {
		printf("format: %s\n", fmt->name);
	}
	size_t lines = 0, parsed = 0, failed = 0, blank = 0;
	for (size_t i = 0;; i++) {
		rl_line ln;
		if (i < nheld)
			ln = held[i];
		else if (r <= 0 || (r = rl_source_next(src, &ln, &err)) <= 0)
			break;
		if (max_lines && lines == max_lines)
			break;
		lines++;
		if (ln.overlong) {
			failed++;
			if (failed <= show) {
				char why[96];
				snprintf(why, sizeof why, "longer than --max-line (%zu bytes)", ln.full_len);
				show_line(ln.lineno, ln.p, ln.n, why);
			}
			continue;
		}
		size_t k = 0;
		while (k < ln.n && (ln.p[k] == ' ' || ln.p[k] == '\t' || ln.p[k] == '\r'))
			k++;
		if (k == ln.n) {
			blank++;
			continue;
		}
		rl_record rec;
		rl_reject rj = rl_format_parse(fmt, ln.p, ln.n, &rec);
		if (rj == RL_REJECT_NONE || rj == RL_REJECT_PENDING) {
			parsed++;
			continue;
		}
		if (rj == RL_REJECT_NOT_ACCESS) {
			blank++;
			continue;
		}
		if (++failed <= show) {
			char why[512];
			rl_format_explain(fmt, ln.p, ln.n, why, sizeof why);
			show_line(ln.lineno, ln.p, ln.n, why);
		}
	}
	if (r < 0)
		fprintf(stderr, "retrylens: %s: %s\n", pos[0], err.msg);
	if (rl_format_is_document(fmt)) {
		/* the lines were the document; its items are what parses or not */
		rl_reject rj = fmt->ops->finish(fmt);
		parsed = 0;
		if (rj) {
			printf("the document: %s\n", rl_reject_text(rj));
			failed = 1;
		} else {
			rl_record rec;
			long long item;
			rl_record_reset(&rec);
			while (fmt->ops->next(fmt, &rec, &rj, &item) > 0) {
				if (rj == RL_REJECT_NONE)
					parsed++;
				else if (++failed <= show)
					printf("entry %lld: %s\n", item, rl_reject_text(rj));
				rl_record_reset(&rec);
			}
		}
		printf("%zu lines read: %zu entries parse, %zu do not\n", lines, parsed, failed);
		rc = r < 0 ? EXIT_INPUT : failed ? EXIT_THRESHOLD : EXIT_OK;
		goto done;
	}
	printf("%zu lines checked: %zu parse, %zu do not, %zu skipped (blank or not access records)\n", lines, parsed,
	       failed, blank);
	rc = r < 0 ? EXIT_INPUT : failed ? EXIT_THRESHOLD : EXIT_OK;
done:
	rl_format_free(fmt);
	rl_source_free(src);
	free(held);
	free(arena);
	free(a.format_buf);
	free(pos);
	return rc;
}
