/* input/sniff.c - the format the start of an input shows (--format auto). */
#include "lib/input/sniff.h"

#include <stdlib.h>
#include <string.h>

bool rl_line_is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

int rl_sniff_document(rl_source *src, const rl_format_opts *opts, rl_format **fmt, rl_err *err)
{
	*fmt = NULL;
	const char *p;
	size_t n, want = 512;
	int har, rc;
	for (;;) {
		/* an idle stream is judged by what it sent, once that holds a whole line */
		rl_source_set_idle_return(src, true);
		rc = rl_source_peek(src, want, &p, &n, err);
		rl_source_set_idle_return(src, false);
		bool idle = rl_source_take_idle(src);
		if (rc)
			return rc;
		if (idle && !memchr(p, '\n', n))
			continue;
		if ((har = rl_har_detect(p, n, n < want || idle)) >= 0)
			break;
		want = n * 2;
	}
	if (!har)
		return 0;
	if (opts && opts->nfields)
		return rl_err_set(err, RL_EUSAGE, "--field", 0,
				  "applies to JSON formats only, and this input is a HAR");
	if ((rc = rl_har_format_new(fmt, opts, err)))
		return rc;
	rl_source_set_max_line(src, RL_DOCUMENT_MAX_BYTES);
	return 0;
}

int rl_sniff_lines(rl_sniff *s, rl_source *src, const rl_format_opts *opts, const char *name, rl_format **fmt,
		   rl_err *err)
{
	*fmt = NULL;
	rl_sniff_clear(s);
	s->lines = calloc(RL_SNIFF_LINES, sizeof *s->lines);
	s->arena = malloc(RL_SNIFF_BYTES);
	rl_str views[RL_SNIFF_LINES];
	size_t offs[RL_SNIFF_LINES], used = 0, cap = RL_SNIFF_BYTES;
	if (!s->lines || !s->arena)
		return rl_err_set(err, RL_ENOMEM, name, 0, "out of memory");
	/* every line is kept whole (the arena grows for the one that crosses 1 MiB, then
	 * sniffing stops): a cut copy would be handed back as if it were the line */
	size_t nonblank = 0;
	while (s->n < RL_SNIFF_LINES && nonblank < RL_SNIFF_LINES / 2 && used < RL_SNIFF_BYTES) {
		rl_line ln;
		/* once a line is in hand, an idle stream does not hold the decision back */
		rl_source_set_idle_return(src, nonblank > 0);
		int r = rl_source_next(src, &ln, &s->read_err);
		rl_source_set_idle_return(src, false);
		if (r == 2)
			break; /* nothing more for now: decide with these lines */
		if (r <= 0) {
			s->read_error = r; /* the lines before a read error still count */
			s->ended = true;
			break;
		}
		nonblank += !ln.overlong && !rl_line_is_blank(ln.p, ln.n);
		if (used + ln.n > cap) {
			size_t nc = used + ln.n;
			char *a = realloc(s->arena, nc ? nc : 1);
			if (!a)
				return rl_err_set(err, RL_ENOMEM, name, 0, "out of memory");
			s->arena = a;
			cap = nc;
		}
		memcpy(s->arena + used, ln.p, ln.n);
		offs[s->n] = used;
		s->lines[s->n++] = ln;
		used += ln.n;
	}
	for (size_t i = 0; i < s->n; i++) {
		rl_line *ln = &s->lines[i];
		ln->p = s->arena + offs[i];
		if (!ln->overlong && !rl_line_is_blank(ln->p, ln->n))
			views[s->nonblank++] = rl_str_make(ln->p, ln->n);
	}
	if (s->nonblank == 0)
		return 0;
	return rl_format_sniff(fmt, views, s->nonblank, opts, &s->matched, name, err);
}

bool rl_sniff_next(rl_sniff *s, rl_line *ln)
{
	if (s->next >= s->n)
		return false;
	*ln = s->lines[s->next++];
	return true;
}

void rl_sniff_clear(rl_sniff *s)
{
	free(s->lines);
	free(s->arena);
	memset(s, 0, sizeof *s);
}
