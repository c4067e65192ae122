/* split/split.c - inputs read and merged by time, each line to its client's shard. */
#include "lib/split/split.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/base/defaults.h"
#include "lib/classify/identity.h"
#include "lib/input/merge.h"
#include "lib/input/reader.h"

#define SPLIT_MAX_LINE (16u << 20) /* lines split copies whole, at least */

/* A part's bytes on their way to its gzip file: filled by the reading thread, deflated
 * by the pool (gzip is most of split's work: a thread of its own per core, while the
 * reading thread parses). The buffers of one part are written in the order filled. */
typedef struct chunk {
	struct chunk *next;
	size_t n;
	char b[];
} chunk;

typedef struct part {
	gzFile gz;
	chunk *cur; /* being filled */
	chunk *head, *tail; /* full, waiting for the pool */
	bool busy; /* a pool thread writes it */
	bool queued; /* in the ready list */
	struct part *next_ready;
} part;

struct rl_split {
	rl_split_opts o;
	rl_split_stats stats;
	part *part; /* by shard */
	char **tmp, **final; /* their names */
	size_t chunk_size, nchunks, max_chunks; /* chunks made, at most max_chunks */
	chunk *free_chunks;
	part *ready_head, *ready_tail; /* parts with full chunks, not busy */
	pthread_t *pool;
	size_t npool;
	bool quit;
	pthread_mutex_t mu;
	pthread_cond_t work, room; /* a part is ready; a chunk is free (or the pool is idle) */
	rl_readers readers;
	rl_reader *srcs;
	rl_store_source_delta *deltas; /* the readers count into them; unused here */
	_Atomic int64_t *time_res, *dur_res;
	size_t nsrcs;
	_Atomic int stop;
	int write_failed; /* errno of the first failed write (under mu) */
	uint32_t failed_shard;
};

/* Under mu: puts part p in the ready list. */
static void make_ready(rl_split *sp, part *p)
{
	if (p->busy || p->queued || !p->head)
		return;
	p->queued = true;
	p->next_ready = NULL;
	if (sp->ready_tail)
		sp->ready_tail->next_ready = p;
	else
		sp->ready_head = p;
	sp->ready_tail = p;
	pthread_cond_signal(&sp->work);
}

/* Deflates one chunk of p into its file (outside mu); 0 or an errno. */
static int deflate_chunk(part *p, const chunk *c)
{
	if (!c->n || gzwrite(p->gz, c->b, (unsigned)c->n) == (int)c->n)
		return 0;
	int e;
	gzerror(p->gz, &e);
	return e == Z_ERRNO && errno ? errno : EIO;
}

/* A pool thread: takes a ready part and writes its chunks in order. */
static void *pool_run(void *arg)
{
	rl_split *sp = arg;
	pthread_mutex_lock(&sp->mu);
	for (;;) {
		while (!sp->ready_head && !sp->quit)
			pthread_cond_wait(&sp->work, &sp->mu);
		part *p = sp->ready_head;
		if (!p)
			break;
		sp->ready_head = p->next_ready;
		if (!sp->ready_head)
			sp->ready_tail = NULL;
		p->queued = false;
		p->busy = true;
		while (p->head) {
			chunk *c = p->head;
			p->head = c->next;
			if (!p->head)
				p->tail = NULL;
			bool skip = sp->write_failed != 0;
			pthread_mutex_unlock(&sp->mu);
			int e = skip ? 0 : deflate_chunk(p, c);
			pthread_mutex_lock(&sp->mu);
			if (e && !sp->write_failed) {
				sp->write_failed = e;
				sp->failed_shard = (uint32_t)(p - sp->part);
			}
			c->next = sp->free_chunks;
			sp->free_chunks = c;
			pthread_cond_broadcast(&sp->room);
		}
		p->busy = false;
		pthread_cond_broadcast(&sp->room);
	}
	pthread_mutex_unlock(&sp->mu);
	return NULL;
}

/* Hands p's current chunk to the pool (or writes it, without one) and takes an empty
 * one, waiting while every chunk is in flight. 0, or RL_ENOMEM. */
static int hand_chunk(rl_split *sp, part *p)
{
	chunk *c = p->cur;
	p->cur = NULL;
	if (!sp->npool) {
		int e = c && !sp->write_failed ? deflate_chunk(p, c) : 0;
		if (e) {
			sp->write_failed = e;
			sp->failed_shard = (uint32_t)(p - sp->part);
		}
		if (c)
			c->n = 0;
		p->cur = c;
	} else {
		pthread_mutex_lock(&sp->mu);
		if (c) {
			c->next = NULL;
			if (p->tail)
				p->tail->next = c;
			else
				p->head = c;
			p->tail = c;
			make_ready(sp, p);
		}
		while (!sp->free_chunks && sp->nchunks >= sp->max_chunks)
			pthread_cond_wait(&sp->room, &sp->mu);
		if (sp->free_chunks) {
			p->cur = sp->free_chunks;
			sp->free_chunks = p->cur->next;
			p->cur->n = 0;
		}
		pthread_mutex_unlock(&sp->mu);
	}
	if (!p->cur) {
		if (!(p->cur = malloc(sizeof *p->cur + sp->chunk_size)))
			return RL_ENOMEM;
		p->cur->n = 0;
		sp->nchunks++; /* only this thread makes them */
	}
	return 0;
}

/* Appends n bytes to shard's part. */
static void append(rl_split *sp, uint32_t shard, const char *b, size_t n)
{
	part *p = &sp->part[shard];
	while (n) {
		if ((!p->cur || p->cur->n == sp->chunk_size) && hand_chunk(sp, p)) {
			pthread_mutex_lock(&sp->mu);
			if (!sp->write_failed) {
				sp->write_failed = ENOMEM;
				sp->failed_shard = shard;
			}
			pthread_mutex_unlock(&sp->mu);
			return;
		}
		size_t k = sp->chunk_size - p->cur->n < n ? sp->chunk_size - p->cur->n : n;
		memcpy(p->cur->b + p->cur->n, b, k);
		p->cur->n += k;
		b += k;
		n -= k;
	}
}

static void put(rl_split *sp, uint32_t shard, const char *p, size_t n)
{
	append(sp, shard, p, n);
	append(sp, shard, "\n", 1);
	sp->stats.lines++;
}

/* Hands every part's last chunk over and waits until the pool has written them all. */
static void drain_parts(rl_split *sp)
{
	for (uint32_t i = 0; i < sp->o.shards; i++) {
		part *p = &sp->part[i];
		if (p->cur && p->cur->n && !hand_chunk(sp, p) && p->cur)
			p->cur->n = 0;
	}
	if (!sp->npool)
		return;
	pthread_mutex_lock(&sp->mu);
	for (;;) {
		bool idle = !sp->ready_head;
		for (uint32_t i = 0; idle && i < sp->o.shards; i++)
			idle = !sp->part[i].busy && !sp->part[i].head;
		if (idle)
			break;
		pthread_cond_wait(&sp->room, &sp->mu);
	}
	pthread_mutex_unlock(&sp->mu);
}

static int failed_errno(rl_split *sp)
{
	pthread_mutex_lock(&sp->mu);
	int e = sp->write_failed;
	pthread_mutex_unlock(&sp->mu);
	return e;
}

/* A line that holds no record: shard 0's. One longer than split reads whole (cut) is
 * written as its first bytes padded with blanks past --max-line: its ingest rejects it
 * as too long, as it would the line itself. */
static void other_line(void *ctx, const char *p, size_t n, bool cut)
{
	rl_split *sp = ctx;
	sp->stats.others++;
	if (cut) {
		char pad[4096];
		memset(pad, ' ', sizeof pad);
		append(sp, 0, p, n);
		for (size_t k = n, m; k <= sp->o.max_line; k += m) {
			m = sp->o.max_line + 1 - k < sizeof pad ? sp->o.max_line + 1 - k : sizeof pad;
			append(sp, 0, pad, m);
		}
		n = 0;
	}
	put(sp, 0, p, n);
}

static bool tick(void *ctx)
{
	rl_split *sp = ctx;
	return !atomic_load_explicit(&sp->stop, memory_order_relaxed);
}

void rl_split_stop(rl_split *sp, int why)
{
	atomic_store_explicit(&sp->stop, why ? why : -1, memory_order_relaxed);
}

/* mkdir -p */
static int make_dir(const char *dir, rl_err *err)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
		return rl_err_set(err, RL_EUSAGE, dir, 0, "--out: the name is too long");
	for (char *p = path + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return rl_err_set(err, RL_EINPUT, path, 0, "cannot create the directory: %s", strerror(errno));
		*p = c;
		if (!c)
			break;
	}
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return rl_err_set(err, RL_EINPUT, dir, 0, "--out: not a directory");
	return 0;
}

int rl_split_new(rl_split **out, const rl_split_opts *o, rl_err *err)
{
	*out = NULL;
	rl_split *sp = calloc(1, sizeof *sp);
	if (!sp)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	sp->o = *o;
	if (!sp->o.max_line)
		sp->o.max_line = RL_DEFAULT_MAX_LINE;
	if (!sp->o.level)
		sp->o.level = 1;
	if (!sp->o.format)
		sp->o.format = "auto";
	uint32_t n = o->shards ? o->shards : 1;
	sp->o.shards = n;
	pthread_mutex_init(&sp->mu, NULL);
	pthread_cond_init(&sp->work, NULL);
	pthread_cond_init(&sp->room, NULL);
	/* 64 MiB of chunks in flight at most, two per part and a few more per thread */
	sp->chunk_size = (32u << 20) / n;
	sp->chunk_size = sp->chunk_size > (256u << 10) ? 256u << 10 : sp->chunk_size < 4096 ? 4096 : sp->chunk_size;
	sp->max_chunks = 2 * (size_t)n + 8;
	sp->part = calloc(n, sizeof *sp->part);
	sp->tmp = calloc(n, sizeof *sp->tmp);
	sp->final = calloc(n, sizeof *sp->final);
	if (!sp->part || !sp->tmp || !sp->final) {
		rl_split_free(sp);
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	}
	*out = sp;
	return 0;
}

/* Opens DIR/shard-I-of-N.log.gz.tmp for every I. */
static int open_parts(rl_split *sp, rl_err *err)
{
	int rc = make_dir(sp->o.out_dir, err);
	if (rc)
		return rc;
	char mode[8];
	snprintf(mode, sizeof mode, "wb%d", sp->o.level);
	for (uint32_t i = 0; i < sp->o.shards; i++) {
		size_t k = strlen(sp->o.out_dir) + 64;
		sp->final[i] = malloc(k);
		sp->tmp[i] = malloc(k + 4);
		if (!sp->final[i] || !sp->tmp[i])
			return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		snprintf(sp->final[i], k, "%s/shard-%u-of-%u.log.gz", sp->o.out_dir, i, sp->o.shards);
		snprintf(sp->tmp[i], k + 4, "%s.tmp", sp->final[i]);
		if (!(sp->part[i].gz = gzopen(sp->tmp[i], mode)))
			return rl_err_set(err, RL_EINPUT, sp->tmp[i], 0, "cannot write it: %s", strerror(errno));
		gzbuffer(sp->part[i].gz, (unsigned)sp->chunk_size);
	}
	/* the pool: a thread per core (the reading thread has one too, but parses fast) */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores;
	sp->pool = calloc(want, sizeof *sp->pool);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old); /* signals are the reading thread's */
	for (size_t i = 0; sp->pool && i < want; i++)
		if (pthread_create(&sp->pool[sp->npool], NULL, pool_run, sp) == 0)
			sp->npool++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static void stop_pool(rl_split *sp)
{
	if (!sp->npool)
		return;
	pthread_mutex_lock(&sp->mu);
	sp->quit = true;
	pthread_cond_broadcast(&sp->work);
	pthread_mutex_unlock(&sp->mu);
	for (size_t i = 0; i < sp->npool; i++)
		pthread_join(sp->pool[i], NULL);
	sp->npool = 0;
}

/* Closes the parts; renames them in place when keep, else removes them. */
static int close_parts(rl_split *sp, bool keep, rl_err *err)
{
	int rc = 0;
	if (keep)
		drain_parts(sp);
	stop_pool(sp);
	if (keep && sp->write_failed)
		rc = rl_err_set(err, RL_EINPUT, sp->tmp[sp->failed_shard], 0, "cannot write it: %s",
				strerror(sp->write_failed));
	for (uint32_t i = 0; i < sp->o.shards; i++) {
		if (!sp->part[i].gz)
			continue;
		int z = gzclose(sp->part[i].gz);
		sp->part[i].gz = NULL;
		if (keep && !rc && z != Z_OK)
			rc = rl_err_set(err, RL_EINPUT, sp->tmp[i], 0, "cannot write it (is the disk full?)");
	}
	for (uint32_t i = 0; i < sp->o.shards; i++) {
		if (!sp->tmp[i])
			continue;
		if (keep && !rc && rename(sp->tmp[i], sp->final[i]) != 0)
			rc = rl_err_set(err, RL_EINPUT, sp->final[i], 0, "cannot rename %s to it: %s", sp->tmp[i],
					strerror(errno));
		if (!keep || rc)
			remove(sp->tmp[i]);
	}
	return rc;
}

static void input_failed(rl_split *sp, rl_reader *s, bool *failed)
{
	*failed = true;
	s->failed = true;
	if (s->err.line > 0)
		rl_readers_notice(&sp->readers, s->name, true, "line %lld: %s", s->err.line, s->err.msg);
	else
		rl_readers_notice(&sp->readers, s->name, true, "%s", s->err.msg);
	s->error = 0;
}

/* Opens and starts every input (formats sniffed): nothing is written before. */
static int open_inputs(rl_split *sp, const char *const *paths, size_t n, bool *failed, rl_err *err)
{
	sp->srcs = calloc(n ? n : 1, sizeof *sp->srcs);
	sp->deltas = calloc(n ? n : 1, sizeof *sp->deltas);
	sp->time_res = calloc(n ? n : 1, sizeof *sp->time_res);
	sp->dur_res = calloc(n ? n : 1, sizeof *sp->dur_res);
	if (!sp->srcs || !sp->deltas || !sp->time_res || !sp->dur_res)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	bool is_auto = strcmp(sp->o.format, "auto") == 0;
	/* lines up to SPLIT_MAX_LINE reach their part whole (one over --max-line is rejected
	 * there as too long); only longer ones are cut (other_line) */
	sp->readers = (rl_readers){.format_spec = is_auto ? NULL : sp->o.format,
				   .format_opts = &sp->o.format_opts,
				   .max_line = sp->o.max_line >= SPLIT_MAX_LINE ? sp->o.max_line + 1 : SPLIT_MAX_LINE,
				   .notice = sp->o.notice,
				   .notice_ctx = sp->o.notice_ctx,
				   .tick = tick,
				   .tick_ctx = sp,
				   .other_line = other_line,
				   .other_line_ctx = sp};
	int rc;
	for (size_t i = 0; i < n; i++) {
		rl_reader *s = &sp->srcs[i];
		sp->nsrcs = i + 1;
		s->delta = &sp->deltas[i];
		s->time_res_pub = &sp->time_res[i];
		s->dur_res_pub = &sp->dur_res[i];
		if ((rc = rl_reader_open(s, &sp->readers, i, paths[i], err)))
			return rc;
		for (size_t j = 0; j < i && s->ino; j++)
			if (sp->srcs[j].ino == s->ino && sp->srcs[j].dev == s->dev && !sp->srcs[j].skip) {
				s->skip = s->eof = true;
				rl_readers_notice(&sp->readers, s->name, false, "the same file as %s: read once",
						  sp->srcs[j].name);
				break;
			}
		if (!s->skip && !is_auto && (rc = rl_format_new(&s->fmt, sp->o.format, &sp->o.format_opts, err)))
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		rl_reader *s = &sp->srcs[i];
		if (s->skip)
			continue;
		if (s->fmt && rl_format_is_document(s->fmt))
			return rl_err_set(err, RL_EUSAGE, s->name, 0,
					  "a %s document is read whole, not line by line: ingest it with --shard I/N "
					  "instead of splitting it",
					  rl_format_name(s->fmt));
		if ((rc = rl_reader_start(s, err)))
			return rc;
		if (s->fmt && rl_format_is_document(s->fmt))
			return rl_err_set(err, RL_EUSAGE, s->name, 0,
					  "a %s document is read whole, not line by line: ingest it with --shard I/N "
					  "instead of splitting it",
					  rl_format_name(s->fmt));
		if (s->error)
			input_failed(sp, s, failed);
	}
	/* a part is read with one format: inputs of two would leave one unparsed there */
	const rl_reader *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const rl_reader *s = &sp->srcs[i];
		if (s->skip || !s->fmt)
			continue;
		if (first && strcmp(rl_format_name(first->fmt), rl_format_name(s->fmt)) != 0)
			return rl_err_set(err, RL_EUSAGE, s->name, 0,
					  "it is read as %s and %s as %s: a part holds one format; split each "
					  "format into an --out of its own",
					  rl_format_name(s->fmt), first->name, rl_format_name(first->fmt));
		first = first ? first : s;
	}
	return 0;
}

/* A record made of parts (CRI P lines, stdout and stderr interleaved) cannot be routed
 * line by line: the parts come before the client is known. */
static int parts_refused(const rl_reader *s, rl_err *err)
{
	return rl_err_set(err, RL_EUSAGE, s->name, 0,
			  "its records come in parts (%s: CRI P lines), which split cannot route line by line: "
			  "ingest it with --shard I/N instead",
			  rl_format_name(s->fmt));
}

int rl_split_run(rl_split *sp, const char *const *paths, size_t n, rl_err *err)
{
	bool failed = false;
	int rc = open_parts(sp, err);
	if (!rc)
		rc = open_inputs(sp, paths, n, &failed, err);
	if (rc) {
		close_parts(sp, false, err);
		return rc;
	}
	for (;;) {
		size_t best = rl_merge_next(sp->srcs, n);
		if (best == n || ((sp->stats.records & 1023) == 0 && failed_errno(sp)))
			break;
		rl_reader *b = &sp->srcs[best];
		/* a line ingest would reject as too long is no record of any client */
		if (b->parts_seen) {
			rc = parts_refused(b, err);
			break;
		}
		uint32_t shard = b->rec_n > sp->o.max_line ? 0 : rl_identity_shard(b->cur, sp->o.shards);
		put(sp, shard, b->rec_p, b->rec_n);
		sp->stats.records++;
		rl_reader_count_record(b);
		if (atomic_load_explicit(&sp->stop, memory_order_relaxed) && !rl_source_is_stream(b->src)) {
			b->has_rec = false;
			b->eof = true;
		} else {
			rl_reader_pull(b);
		}
		if (b->error)
			input_failed(sp, b, &failed);
	}
	for (size_t i = 0; !rc && i < n; i++)
		if (sp->srcs[i].parts_seen)
			rc = parts_refused(&sp->srcs[i], err);
	if (rc) {
		close_parts(sp, false, err);
		return rc;
	}
	sp->stats.stopped = atomic_load_explicit(&sp->stop, memory_order_relaxed);
	if ((rc = close_parts(sp, true, err)))
		return rc;
	rl_err_clear(err);
	return failed ? RL_EINPUT : 0;
}

const rl_split_stats *rl_split_stats_of(const rl_split *sp)
{
	return &sp->stats;
}

void rl_split_free(rl_split *sp)
{
	if (!sp)
		return;
	stop_pool(sp);
	for (uint32_t i = 0; sp->part && i < sp->o.shards; i++) {
		part *p = &sp->part[i];
		if (p->gz) {
			gzclose(p->gz);
			remove(sp->tmp[i]);
		}
		free(p->cur);
		for (chunk *c = p->head, *nx; c; c = nx) {
			nx = c->next;
			free(c);
		}
	}
	for (chunk *c = sp->free_chunks, *nx; c; c = nx) {
		nx = c->next;
		free(c);
	}
	free(sp->pool);
	pthread_mutex_destroy(&sp->mu);
	pthread_cond_destroy(&sp->work);
	pthread_cond_destroy(&sp->room);
	for (uint32_t i = 0; sp->tmp && i < sp->o.shards; i++) {
		free(sp->tmp[i]);
		free(sp->final[i]);
	}
	for (size_t i = 0; i < sp->nsrcs; i++)
		rl_reader_close(&sp->srcs[i]);
	free(sp->srcs);
	free(sp->deltas);
	free(sp->time_res);
	free(sp->dur_res);
	free(sp->part);
	free(sp->tmp);
	free(sp->final);
	free(sp);
}
