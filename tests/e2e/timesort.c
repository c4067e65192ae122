/* timesort.c - writes a log's lines in time order (a stable sort by each record's start).
 *
 *   timesort FORMAT FILE
 *
 * The "time-sorted input" of SPEC §3.1.3, for the property tests: retrylens must give
 * the same report for a log and its time-sorted version while no line is more than
 * --max-lag out of order. Lines that do not parse keep their place after the previous
 * line. Uses the project's own format parsers (lib/format/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/format.h"
#include "lib/input/source.h"

typedef struct line {
	int64_t start;
	size_t seq, off, n;
} line;

static int cmp(const void *x, const void *y)
{
	const line *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: timesort FORMAT FILE\n");
		return 2;
	}
	rl_err err;
	rl_format *f;
	rl_source *src;
	if (rl_format_new(&f, argv[1], NULL, &err) || rl_source_open(&src, argv[2], NULL, &err)) {
		fprintf(stderr, "timesort: %s\n", err.msg);
		return 2;
	}
	char *text = NULL;
	size_t used = 0, cap = 0, n = 0, capl = 0;
	line *lines = NULL;
	int64_t last = INT64_MIN;
	rl_line ln;
	rl_record r;
	while (rl_source_next(src, &ln, &err) == 1) {
		if (used + ln.n + 1 > cap) {
			cap = (used + ln.n + 1) * 2;
			text = realloc(text, cap);
		}
		if (n == capl) {
			capl = capl ? capl * 2 : 1024;
			lines = realloc(lines, capl * sizeof *lines);
		}
		if (rl_format_parse(f, ln.p, ln.n, &r) == RL_REJECT_NONE)
			last = rl_record_start_us(&r);
		lines[n] = (line){last, n, used, ln.n};
		memcpy(text + used, ln.p, ln.n);
		used += ln.n;
		n++;
	}
	qsort(lines, n, sizeof *lines, cmp);
	for (size_t i = 0; i < n; i++) {
		fwrite(text + lines[i].off, 1, lines[i].n, stdout);
		fputc('\n', stdout);
	}
	free(text);
	free(lines);
	rl_source_free(src);
	rl_format_free(f);
	return 0;
}
