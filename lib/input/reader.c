/* reader.c - one input as a stream of records (lib/input/reader.h). */
#include "lib/input/reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/base/array.h"
#include "lib/base/text.h"
#include "lib/input/prefetch.h"

#define RES_LINES 1000 /* the resolution is the finest shown in the first 1,000 lines */

void rl_readers_notice(const rl_readers *all, const char *source, bool is_error, const char *fmt, ...)
{
	if (!all->notice)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	all->notice(all->notice_ctx, source, msg, is_error);
}

static void reject(rl_reader *s, const rl_line *ln, const char *reason)
{
	if (s->all->others_elsewhere)
		return; /* shard 0 counts it */
	s->delta->rejected++;
	s->all->rejected++;
	if (s->samples_taken >= s->all->max_samples || s->all->nsamples == s->all->cap_samples)
		return;
	s->samples_taken++;
	rl_writer_sample *sm = &s->all->samples[s->all->nsamples++];
	sm->src = s->index;
	sm->line = ln->lineno;
	snprintf(sm->reason, sizeof sm->reason, "%s", reason);
	size_t k = rl_text_clean(sm->excerpt, sizeof sm->excerpt, ln->p,
				 ln->n < RL_SAMPLE_EXCERPT ? ln->n : RL_SAMPLE_EXCERPT);
	/* a sample cut from a longer line says so (the excerpt has room for the mark) */
	if ((ln->overlong ? ln->full_len : ln->n) > RL_SAMPLE_EXCERPT && k + 4 <= sizeof sm->excerpt)
		memcpy(sm->excerpt + k, "\xe2\x80\xa6", 4);
}

/* The resolution of the source (SPEC §3.1.1): the finest of its first records. */
static void note_resolution(rl_reader *s)
{
	if (s->res_lines < RES_LINES) {
		s->res_lines++;
		if (!s->time_res || s->cur->time_res_us < s->time_res) {
			s->time_res = s->cur->time_res_us;
			atomic_store_explicit(s->time_res_pub, s->time_res, memory_order_relaxed);
		}
		if (s->cur->duration_us >= 0 && (!s->dur_res || s->cur->duration_res_us < s->dur_res)) {
			s->dur_res = s->cur->duration_res_us;
			atomic_store_explicit(s->dur_res_pub, s->dur_res, memory_order_relaxed);
		}
	}
}

/* Reads a line with the format (or takes what the prefetch thread made of it, pre);
 * returns true when it holds a record (s->cur). A document format takes the line for
 * later (RL_REJECT_PENDING): neither a record nor a reject. */
static bool parse_line(rl_reader *s, const rl_line *ln, const rl_prefetched *pre)
{
	s->last_line = ln->lineno;
	s->done_offset = ln->next;
	s->done_lines = ln->lineno;
	if (ln->overlong) {
		char reason[96];
		snprintf(reason, sizeof reason, "line too long (%zu bytes; the limit is %zu)", ln->full_len,
			 s->fmt && rl_format_is_document(s->fmt) ? RL_DOCUMENT_MAX_BYTES : s->all->max_line);
		reject(s, ln, reason);
		return false;
	}
	if (!(pre && pre->parsed) && rl_line_is_blank(ln->p, ln->n)) /* (the prefetch parses none) */
		return false;
	s->run_nonblank++;
	rl_reject rj;
	if (pre && pre->parsed) {
		s->cur = &pre->rec;
		s->cur_tpl = pre->tpl;
		s->cur_tpl_n = pre->tpl_n;
		rj = pre->rj;
	} else {
		s->cur = &s->rec;
		s->cur_tpl = NULL;
		rj = rl_format_parse(s->fmt, ln->p, ln->n, &s->rec); /* (prefetch parses what this does) */
	}
	if (rj == RL_REJECT_PENDING) {
		s->run_parsed++; /* a part of a record the format assembles */
		s->part_held = !rl_format_is_document(s->fmt); /* a document's lines are read at its end */
		return false;
	}
	if (rj == RL_REJECT_NOT_ACCESS) {
		s->run_parsed++;
		if (!s->all->others_elsewhere) {
			s->delta->skipped++;
			s->all->skipped++;
		}
		return false;
	}
	if (rj) {
		char reason[96];
		s->run_parsed += rj != RL_REJECT_NO_MATCH; /* the format read it: a bad value */
		if (rj == RL_REJECT_NO_MATCH)
			snprintf(reason, sizeof reason, "does not match format %.64s", rl_format_name(s->fmt));
		else
			snprintf(reason, sizeof reason, "%s", rl_reject_text(rj));
		reject(s, ln, reason);
		return false;
	}
	note_resolution(s);
	s->run_parsed++;
	s->rec_line = ln->lineno;
	s->rec_p = ln->p;
	s->rec_n = ln->n;
	return true;
}

/* Appends a held part and its newline to s->held. Non-zero: out of memory. */
static int hold_bytes(rl_reader *s, const char *p, size_t n)
{
	if (rl_array_grow((void **)&s->held, &s->capheld, s->nheld_bytes + n, 1))
		return RL_ENOMEM;
	memcpy(s->held + s->nheld_bytes, p, n);
	s->nheld_bytes += n;
	s->held[s->nheld_bytes++] = '\n';
	return 0;
}

/* Takes a line: pending when it is a file's last line without its newline yet (SPEC
 * §4: the next run reads it again; a report counts it), else parsed. The line is
 * counted once it is accounted for: a record's line with its attempt
 * (rl_reader_count_record), so that a commit between the two never holds one without
 * the other. */
static bool take_line(rl_reader *s, const rl_line *ln, const rl_prefetched *pre)
{
	if (ln->unterminated && s->hold_unterminated && !ln->overlong && !(s->fmt && rl_format_is_document(s->fmt))) {
		free(s->pending);
		s->npending = 0;
		if ((s->pending = malloc(ln->n ? ln->n : 1))) {
			memcpy(s->pending, ln->p, ln->n);
			s->npending = ln->n;
		}
		return false;
	}
	uint64_t off0 = s->done_offset;
	long long lines0 = s->done_lines;
	s->owed_lines++;
	s->part_held = false;
	bool rec = parse_line(s, ln, pre);
	if (s->part_held) {
		/* counted with the record it is part of; a checkpoint stops before the first */
		if (!s->nheld++) {
			s->held_offset = off0;
			s->held_lines = lines0;
			s->nheld_bytes = 0;
		}
		s->parts_seen++;
		if (s->hold_unterminated && hold_bytes(s, ln->p, ln->n))
			s->hold_unterminated = false; /* out of memory: the parts are lost at the end, as before */
		return false;
	}
	s->nheld = 0;
	if (!rec) {
		if (s->all->other_line)
			s->all->other_line(s->all->other_line_ctx, ln->p, ln->n, ln->overlong);
		if (s->all->others_elsewhere)
			s->owed_lines = 0;
		rl_reader_count_record(s);
	}
	return rec;
}

void rl_reader_drop_record(rl_reader *s)
{
	s->owed_lines = 0;
}

void rl_reader_count_record(rl_reader *s)
{
	s->delta->lines += s->owed_lines;
	s->all->lines += s->owed_lines;
	s->owed_lines = 0;
}

/* At the end of a plain file (ingest), the parts of a record whose last part has not
 * come are pending like a last line without its newline (SPEC §4): not counted, the
 * checkpoint before them, their bytes (and that line's) kept for the next run and the
 * report. False when there are none (or they cannot be kept). */
static bool hold_parts_at_end(rl_reader *s)
{
	if (!s->nheld || !s->hold_unterminated)
		return false;
	if (s->npending && hold_bytes(s, s->pending, s->npending))
		return false;
	if (s->npending)
		s->nheld_bytes--; /* that line had no newline */
	free(s->pending);
	s->pending = s->held;
	s->npending = s->nheld_bytes;
	s->held = NULL;
	s->nheld_bytes = s->capheld = 0;
	s->owed_lines = 0;
	s->pending_parts = s->nheld;
	s->done_offset = s->held_offset;
	s->done_lines = s->held_lines;
	return true;
}

/* At the end of a document's input: finish() reads it; an unreadable document is one
 * reject, sampled at its last line (where a truncated file breaks). */
static void finish_document(rl_reader *s)
{
	s->doc_finished = true;
	rl_reject rj = rl_format_finish(s->fmt);
	if (rj) {
		rl_line ln = {.p = "", .n = 0, .lineno = s->last_line};
		char reason[96];
		snprintf(reason, sizeof reason, "%s (format %.32s)", rl_reject_text(rj), rl_format_name(s->fmt));
		reject(s, &ln, reason);
	}
}

/* The next item of a finished document, like a line: returns true when it is a record
 * (s->cur, rec_line = its item number); a rejected item is sampled as "entry N". At
 * the last item the source ends. */
static bool take_item(rl_reader *s)
{
	rl_reject rj = RL_REJECT_NONE;
	long long item = 0;
	rl_record_reset(&s->rec);
	s->cur = &s->rec;
	s->cur_tpl = NULL;
	if (!rl_format_next(s->fmt, &s->rec, &rj, &item)) {
		s->eof = true;
		return false;
	}
	if (rj) {
		const rl_record *r = &s->rec;
		char reason[96], excerpt[RL_SAMPLE_EXCERPT];
		snprintf(reason, sizeof reason, "entry %lld: %s", item, rl_reject_text(rj));
		/* the excerpt: the entry's request, as far as the format read it */
		int mn = r->method.n < 32 ? (int)r->method.n : 32, tn = r->target.n < 120 ? (int)r->target.n : 120;
		int k = snprintf(excerpt, sizeof excerpt, "%.*s %.*s", mn, mn ? r->method.p : "", tn,
				 tn ? r->target.p : "");
		rl_line ln = {.p = excerpt, .n = k > 1 ? (size_t)k : 0, .lineno = item};
		reject(s, &ln, reason);
		return false;
	}
	note_resolution(s);
	s->run_parsed++;
	s->rec_line = item;
	return true;
}

/* The next line of the source: from the prefetch thread once it runs. It starts at the
 * first line after the sniffed ones, for a regular file with a format that parses
 * alone (a JSON log's once its profile is chosen). */
static int next_line(rl_reader *s, rl_line *ln, const rl_line **lp, const rl_prefetched **pre)
{
	*lp = ln;
	*pre = NULL;
	if (!s->prefetch && !s->no_prefetch) {
		int alone = s->fmt ? rl_format_parses_alone(s->fmt) : -1;
		if (alone < 0 || rl_source_is_stream(s->src) || !rl_prefetch_enabled())
			s->no_prefetch = true;
		else if (alone && rl_prefetch_start(&s->prefetch, s->src, s->fmt, s->hold_unterminated))
			s->no_prefetch = true; /* out of memory: read inline */
	}
	if (s->prefetch)
		return rl_prefetch_next(s->prefetch, lp, pre, &s->err);
	return rl_source_next(s->src, ln, &s->err);
}

/* Reads lines until one holds a record (s->has_rec) or the input ends. */
void rl_reader_pull(rl_reader *s)
{
	s->has_rec = false;
	while (!s->eof) {
		if (s->doc_finished) {
			if (take_item(s)) {
				s->has_rec = true;
				return;
			}
			continue;
		}
		rl_line ln;
		const rl_line *lp = &ln; /* the line: ln, or the prefetch's */
		const rl_prefetched *pre = NULL;
		if (!rl_sniff_next(&s->sniff, &ln)) {
			/* an input that ended (or failed, already reported) while sniffing is not
			 * read again */
			bool ended = s->sniff.ended;
			if (s->sniff.lines)
				rl_sniff_clear(&s->sniff);
			int r = ended ? 0 : next_line(s, &ln, &lp, &pre);
			if (r == 2)
				continue; /* idle returns are the sniffer's: nothing yet, read again */
			if (r < 0)
				s->error = r;
			if (r <= 0 && rl_format_is_document(s->fmt)) {
				finish_document(s);
				continue;
			}
			if (r == 0 && hold_parts_at_end(s)) {
				s->eof = true;
				return;
			}
			if (r <= 0) {
				/* what the format held (CRI partial lines) is lost: counted, sampled */
				s->nheld = 0;
				if (s->all->others_elsewhere)
					s->owed_lines = 0; /* no record: shard 0 counts them */
				rl_reader_count_record(s);
				for (rl_reject rj; (rj = rl_format_end(s->fmt)) != RL_REJECT_NONE;) {
					rl_line lost = {.p = "", .n = 0, .lineno = s->last_line};
					reject(s, &lost, rl_reject_text(rj));
				}
				s->eof = true;
				return;
			}
		}
		if (take_line(s, lp, pre)) {
			s->has_rec = true;
			return;
		}
	}
}

/* Chooses the format of input si from its first bytes (a HAR) or lines; the lines wait
 * in s->sniff. Blank or overlong lines before the first real one are taken as they
 * come, 64 at a time, however many there are. */
static int sniff(rl_reader *s, rl_err *err)
{
	int rc = rl_sniff_document(s->src, s->all->format_opts, &s->fmt, err);
	if (rc)
		return rc;
	if (s->fmt) {
		rl_readers_notice(s->all, s->name, false, "format auto: har (the input starts as a HAR document)");
		return 0;
	}
	for (;;) {
		rc = rl_sniff_lines(&s->sniff, s->src, s->all->format_opts, s->name, &s->fmt, err);
		if (s->sniff.read_error) {
			s->error = s->sniff.read_error;
			s->err = s->sniff.read_err;
		}
		if (rc || s->fmt || s->sniff.ended)
			break;
		/* only blank or overlong lines so far: count them, sniff again after them */
		rl_line ln;
		while (rl_sniff_next(&s->sniff, &ln))
			take_line(s, &ln, NULL);
	}
	if (s->fmt)
		rl_readers_notice(s->all, s->name, false, "format auto: %s (%zu of the first %zu lines parse)",
				  rl_format_name(s->fmt), s->sniff.matched, s->sniff.nonblank);
	return rc;
}

int rl_reader_open(rl_reader *s, rl_readers *all, size_t index, const char *path, rl_err *err)
{
	s->all = all;
	s->index = index;
	s->cp = -1;
	s->order = ((uint64_t)1 << 62) + index;
	bool is_stdin = strcmp(path, "-") == 0;
	snprintf(s->name, sizeof s->name, "%s", is_stdin ? "(stdin)" : path);
	s->name_hash = (uint32_t)rl_fnv1a64(s->name, strlen(s->name));
	rl_source_opts so = {
		.max_line = all->max_line, .tick = all->tick, .tick_ctx = all->tick_ctx, .tick_us = all->tick_us};
	int rc = rl_source_open(&s->src, path, &so, err);
	if (rc)
		return rc;
	struct stat sb;
	if (!is_stdin && stat(path, &sb) == 0) {
		s->dev = sb.st_dev;
		s->ino = sb.st_ino;
		s->file_size = (uint64_t)sb.st_size;
		s->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	}
	return 0;
}

int rl_reader_start(rl_reader *s, rl_err *err)
{
	int rc = 0;
	if (!s->fmt)
		rc = sniff(s, err);
	if (rc) {
		if (rc != RL_EINPUT)
			return rc;
		s->err = *err; /* no format: the whole input is unreadable */
		s->eof = true;
		s->error = rc;
		rl_err_clear(err);
	}
	if (!s->eof && !s->fmt) {
		/* only blank or overlong lines: still counted */
		rl_line ln;
		while (rl_sniff_next(&s->sniff, &ln))
			take_line(s, &ln, NULL);
		s->eof = true;
	} else if (!s->eof) {
		s->delta->format = rl_format_name(s->fmt);
	}
	if (s->fmt && rl_format_is_document(s->fmt))
		rl_source_set_max_line(s->src, RL_DOCUMENT_MAX_BYTES);
	if (!s->eof)
		rl_reader_pull(s);
	return 0;
}

int rl_reader_open_mem(rl_reader *s, rl_readers *all, size_t index, const char *name, const void *data, size_t n,
		       rl_err *err)
{
	s->all = all;
	s->index = index;
	s->cp = -1;
	s->order = ((uint64_t)1 << 62) + index;
	snprintf(s->name, sizeof s->name, "%s", name);
	s->name_hash = (uint32_t)rl_fnv1a64(s->name, strlen(s->name));
	rl_source_opts so = {.max_line = all->max_line};
	return rl_source_open_mem(&s->src, name, data, n, &so, err);
}

void rl_reader_close(rl_reader *s)
{
	free(s->pending);
	s->pending = NULL;
	free(s->held);
	s->held = NULL;
	rl_prefetch_free(s->prefetch); /* before the source and the format it reads with */
	s->prefetch = NULL;
	rl_source_free(s->src);
	rl_format_free(s->fmt);
	rl_sniff_clear(&s->sniff);
	s->src = NULL;
	s->fmt = NULL;
}
