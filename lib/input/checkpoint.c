/* input/checkpoint.c - matching inputs to checkpoints, and writing them (lib/input/checkpoint.h). */
#include "lib/input/checkpoint.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/text.h"

static int grow(rl_checkpoints *c)
{
	if (c->n < c->cap)
		return 0;
	size_t nc = c->cap ? c->cap * 2 : 16;
	rl_store_checkpoint *v = realloc(c->v, nc * sizeof *v);
	if (!v)
		return RL_ENOMEM;
	c->v = v;
	bool *cl = realloc(c->claimed, nc * sizeof *cl);
	if (!cl)
		return RL_ENOMEM;
	c->claimed = cl;
	c->cap = nc;
	return 0;
}

static int load_row(void *ctx, const rl_store_checkpoint *cp)
{
	rl_checkpoints *c = ctx;
	if (grow(c))
		return RL_ENOMEM;
	rl_store_checkpoint *d = &c->v[c->n];
	*d = *cp;
	d->name = strdup(cp->name);
	d->format = cp->format ? strdup(cp->format) : NULL;
	d->pending = cp->npending ? malloc(cp->npending) : NULL;
	if (!d->name || (cp->format && !d->format) || (cp->npending && !d->pending)) {
		free((char *)d->name);
		free((char *)d->format);
		free((void *)d->pending);
		return RL_ENOMEM;
	}
	if (cp->npending)
		memcpy((void *)d->pending, cp->pending, cp->npending);
	c->claimed[c->n++] = false;
	return 0;
}

int rl_checkpoints_load(rl_checkpoints *c, rl_store *st, rl_err *err)
{
	memset(c, 0, sizeof *c);
	int rc = rl_store_checkpoints(st, load_row, c, err);
	if (rc == RL_ENOMEM)
		rl_err_set(err, rc, NULL, 0, "out of memory");
	return rc;
}

void rl_checkpoints_free(rl_checkpoints *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->v[i].name);
		free((char *)c->v[i].format);
		free((void *)c->v[i].pending);
	}
	free(c->v);
	free(c->claimed);
	memset(c, 0, sizeof *c);
}

/* An input's first bytes, and the hashes of its prefixes asked so far (most
 * checkpoints have the same length, 4 KiB). */
typedef struct prefix {
	const char *p;
	size_t n;
	uint32_t len[8];
	uint64_t hash[8];
	size_t nh;
} prefix;

static uint64_t prefix_hash(prefix *x, uint32_t len)
{
	for (size_t i = 0; i < x->nh; i++)
		if (x->len[i] == len)
			return x->hash[i];
	uint64_t h = rl_fnv1a64(x->p, len);
	size_t at = x->nh < 8 ? x->nh++ : len % 8;
	x->len[at] = len;
	x->hash[at] = h;
	return h;
}

static bool same_content(prefix *x, const rl_store_checkpoint *cp)
{
	return cp->fp_len && cp->fp_len <= x->n && prefix_hash(x, cp->fp_len) == cp->fp_hash;
}

/* The checkpoint whose first bytes x starts with (and, with by_file, whose file this
 * is), claimed or not: its index, or -1. */
static long find(rl_checkpoints *c, prefix *x, const rl_reader *r, bool by_file)
{
	for (size_t k = 0; k < c->n; k++) {
		const rl_store_checkpoint *cp = &c->v[k];
		if (by_file && (cp->dev != (uint64_t)r->dev || cp->ino != (uint64_t)r->ino || cp->gzip))
			continue;
		if (same_content(x, cp))
			return (long)k;
	}
	return -1;
}

static void skip_input(rl_reader *r, const char *why, const char *other)
{
	r->skip = r->eof = true;
	r->delta->name = NULL; /* nothing to record */
	if (other)
		rl_readers_notice(r->all, r->name, false, "%s %s: read once", why, other);
	else
		rl_readers_notice(r->all, r->name, false, "%s", why);
}

/* What a source keeps from its checkpoint: its place in the merge's ties, its
 * resolution (SPEC §3.1.1: fixed per source) and, when auto_format, its format. */
static void restore(rl_reader *r, const rl_store_checkpoint *cp, bool auto_format)
{
	r->order = (uint64_t)cp->id; /* older sources first at equal times */
	r->time_res = cp->time_res_us;
	r->dur_res = cp->dur_res_us;
	r->res_lines = cp->res_lines;
	atomic_store_explicit(r->time_res_pub, r->time_res, memory_order_relaxed);
	atomic_store_explicit(r->dur_res_pub, r->dur_res, memory_order_relaxed);
	rl_err e;
	rl_err_clear(&e);
	if (auto_format && !r->fmt && cp->format)
		(void)rl_format_new(&r->fmt, cp->format, r->all->format_opts, &e); /* else sniffed */
}

/* Goes on from checkpoint cp: returns 0 (placed, or skipped with a notice) or an error
 * that is not the input's. */
static int resume(rl_reader *r, const rl_store_checkpoint *cp, bool auto_format, rl_err *err)
{
	bool gzip = rl_source_is_gzip(r->src);
	bool same_file = cp->dev == (uint64_t)r->dev && cp->ino == (uint64_t)r->ino && cp->gzip == gzip;
	if (cp->document) {
		skip_input(r, "read before (a document is read whole, once)", NULL);
		return 0;
	}
	if (same_file && cp->ended && cp->size == r->file_size && cp->mtime_ns == r->mtime_ns) {
		/* unchanged since it was read to its end (a pending last line stays pending) */
		skip_input(r, "nothing new", NULL);
		return 0;
	}
	if (!gzip && r->file_size < cp->offset) {
		/* shorter than what was read: truncated in place and written anew */
		rl_readers_notice(
			r->all, r->name, false,
			"now %llu bytes, shorter than the %llu read before: truncated and written again, read "
			"from its start",
			(unsigned long long)r->file_size, (unsigned long long)cp->offset);
		r->order = (uint64_t)cp->id;
		return 0;
	}
	r->done_offset = cp->offset;
	r->done_lines = cp->lines;
	restore(r, cp, auto_format);
	if (!gzip && r->file_size == cp->offset) {
		skip_input(r, "nothing new", NULL);
		return 0;
	}
	rl_err e;
	rl_err_clear(&e);
	int rc = rl_source_skip(r->src, cp->offset, cp->lines, &e);
	if (rc == RL_ENOMEM)
		return rl_err_set(err, rc, NULL, 0, "out of memory");
	if (rc == 1) {
		/* a compressed copy of less than was read (an older copy): nothing new in it */
		rl_readers_notice(r->all, r->name, false, "nothing new: %s", e.msg);
		r->skip = r->eof = true;
		r->delta->name = NULL;
	} else if (rc) {
		/* unreadable before the checkpoint (bad gzip data, a read error): the input
		 * failed, its checkpoint stays; the run reads the others and exits 3 */
		r->skip = r->eof = true;
		r->delta->name = NULL;
		r->error = rc;
		r->err = e;
	}
	return 0;
}

/* A new source: its fingerprint is what the peek gave. */
static int add_new(rl_checkpoints *c, rl_reader *r)
{
	if (grow(c))
		return RL_ENOMEM;
	c->v[c->n] = (rl_store_checkpoint){.fp_len = r->fp_len, .fp_hash = r->fp_hash};
	c->claimed[c->n] = true;
	r->cp = (long)c->n++;
	return 0;
}

int rl_checkpoints_place(rl_checkpoints *c, rl_reader *srcs, size_t n, bool auto_format, rl_err *err)
{
	prefix *xs = calloc(n ? n : 1, sizeof *xs);
	bool *todo = calloc(n ? n : 1, sizeof *todo);
	int rc = 0;
	if (!xs || !todo) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rl_reader *r = &srcs[i];
		if (r->skip || !r->src || rl_source_is_stream(r->src) || !r->ino)
			continue;
		rl_err e;
		rl_err_clear(&e);
		if (rl_source_peek(r->src, RL_FINGERPRINT_MAX, &xs[i].p, &xs[i].n, &e) || !xs[i].n)
			continue; /* unreadable (reported when read) or empty: no identity yet */
		if (xs[i].n > RL_FINGERPRINT_MAX)
			xs[i].n = RL_FINGERPRINT_MAX;
		r->fp_len = (uint32_t)xs[i].n;
		r->fp_hash = rl_fnv1a64(xs[i].p, xs[i].n);
		todo[i] = true;
	}
	/* the file itself first, wherever its name went; then copies by content; then new
	 * sources (and inputs with the first bytes of one placed before them) */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			rl_reader *r = &srcs[i];
			if (!todo[i])
				continue;
			long k = find(c, &xs[i], r, pass == 0);
			if (k < 0 && pass == 0)
				continue;
			todo[i] = false;
			if (k >= 0 && c->claimed[k]) {
				for (size_t j = 0; j < n; j++)
					if (srcs[j].cp == k) {
						skip_input(r, "the same first bytes as", srcs[j].name);
						break;
					}
				continue;
			}
			if (k < 0) {
				if (add_new(c, r)) {
					rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
					goto out;
				}
				continue;
			}
			c->claimed[k] = true;
			r->cp = k;
			if ((rc = resume(r, &c->v[k], auto_format, err)))
				goto out;
		}
out:
	/* a plain file's last line without its newline yet waits for it (a compressed copy
	 * cannot grow: its last line counts) */
	for (size_t i = 0; i < n && !rc; i++)
		srcs[i].hold_unterminated = srcs[i].cp >= 0 && !srcs[i].skip && srcs[i].all->keep_pending &&
					    !rl_source_is_gzip(srcs[i].src);
	free(xs);
	free(todo);
	return rc;
}

size_t rl_checkpoints_pending(const rl_checkpoints *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += c->v[i].npending != 0;
	return n;
}

void rl_checkpoints_bind(rl_checkpoints *c, rl_reader *r, size_t k)
{
	c->claimed[k] = true;
	r->cp = (long)k;
	restore(r, &c->v[k], true);
}

int rl_checkpoints_save(rl_checkpoints *c, const rl_reader *srcs, size_t n, rl_store *st, int64_t run_id, rl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const rl_reader *r = &srcs[i];
		if (r->cp < 0 || r->skip || r->no_checkpoint)
			continue;
		rl_store_checkpoint *cp = &c->v[r->cp];
		if (r->fp_len > cp->fp_len) { /* the fingerprint grows with the file, up to 4 KiB */
			cp->fp_len = r->fp_len;
			cp->fp_hash = r->fp_hash;
		}
		cp->dev = (uint64_t)r->dev;
		cp->ino = (uint64_t)r->ino;
		cp->size = r->file_size;
		cp->mtime_ns = r->mtime_ns;
		cp->gzip = r->src && rl_source_is_gzip(r->src);
		/* before the parts of a record still held (a stop between them) */
		cp->offset = r->nheld ? r->held_offset : r->done_offset;
		cp->lines = r->nheld ? r->held_lines : r->done_lines;
		cp->ended = r->eof && !r->cut && !r->failed;
		cp->document = r->fmt && rl_format_is_document(r->fmt);
		cp->time_res_us = r->time_res;
		cp->dur_res_us = r->dur_res;
		cp->res_lines = r->res_lines;
		rl_store_checkpoint row = *cp;
		row.name = r->name;
		/* the whole spec: a format's name is cut (nginx:'…' can be long) */
		row.format = !r->fmt ? NULL : r->all->format_spec ? r->all->format_spec : rl_format_name(r->fmt);
		row.pending = r->pending;
		row.npending = r->npending;
		int rc = rl_store_checkpoint_put(st, &row, run_id, err);
		if (rc)
			return rc;
		cp->id = row.id;
	}
	return 0;
}
