/* input/prefetch.c - lines read and parsed ahead (lib/input/prefetch.h). */
#define _GNU_SOURCE /* sched_getaffinity: the cores this process may run on */
#include "lib/input/prefetch.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/classify/endpoint.h"
#include "lib/input/sniff.h"

#define NBATCH 4
#define BATCH_LINES 1024
#define BATCH_BYTES (512 * 1024) /* a batch ends once its copies take this much */
#define CHUNK_MIN (256 * 1024)

/* Bytes of a batch: chunks that stay where they are, so that views into them hold. */
typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
} chunk;

typedef struct batch {
	chunk *chunks, *cur;
	size_t bytes; /* copied into the chunks so far */
	rl_line lines[BATCH_LINES];
	rl_prefetched pre[BATCH_LINES];
	size_t n;
	int end; /* after these lines: 0 more, 1 the input ended, RL_EINPUT (err) */
	rl_err err;
} batch;

struct rl_prefetch {
	rl_source *src;
	rl_format *fmt;
	bool hold_unterminated;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch *b[NBATCH];
	size_t head, count; /* the reader's batch, and how many are full */
	bool quit;
	size_t pos; /* the reader's next line in b[head] */
	bool taking; /* the reader holds b[head] */
};

/* n bytes in the batch's chunks; NULL when out of memory. */
static char *room(batch *b, size_t n)
{
	chunk *c = b->cur;
	while (c && c->cap - c->used < n)
		c = c->next; /* a later chunk kept from an earlier use of the batch */
	if (!c) {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
		if (!(c = malloc(sizeof *c + cap)))
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = NULL;
		chunk **tail = &b->chunks;
		while (*tail)
			tail = &(*tail)->next;
		*tail = c;
	}
	b->cur = c;
	char *p = c->data + c->used;
	c->used += n;
	b->bytes += n;
	return p;
}

/* A view the record keeps outside its line (into the format's buffers, which the
 * next line reuses): copied into the batch. False when out of memory. */
__attribute__((always_inline)) static inline bool own(batch *b, rl_str *s, const char *line, size_t n)
{
	uintptr_t off = (uintptr_t)s->p - (uintptr_t)line;
	if (!s->p || (off <= n && s->n <= n - off))
		return true;
	char *q = room(b, s->n ? s->n : 1);
	if (!q)
		return false;
	memcpy(q, s->p, s->n);
	s->p = q;
	return true;
}

/* Every rl_str of rl_record (record.h): a new one is added here too. */
static bool own_record(batch *b, rl_record *r, const char *line, size_t n)
{
	return own(b, &r->method, line, n) && own(b, &r->target, line, n) && own(b, &r->protocol, line, n) &&
	       own(b, &r->addr, line, n) && own(b, &r->user_agent, line, n) && own(b, &r->referer, line, n) &&
	       own(b, &r->vhost, line, n) && own(b, &r->client_id, line, n) && own(b, &r->forwarded_for, line, n) &&
	       own(b, &r->request_id, line, n) && own(b, &r->idempotency_key, line, n) &&
	       own(b, &r->retry_after, line, n) && own(b, &r->body, line, n);
}

static void batch_reset(batch *b)
{
	for (chunk *c = b->chunks; c; c = c->next)
		c->used = 0;
	b->cur = b->chunks;
	b->bytes = 0;
	b->n = 0;
	b->end = 0;
}

/* Fills b from the source: false when out of memory (the lines so far are kept). */
static bool fill(rl_prefetch *pf, batch *b)
{
	while (b->n < BATCH_LINES && b->bytes < BATCH_BYTES) {
		rl_line ln;
		int r = rl_source_next(pf->src, &ln, &b->err);
		if (r != 1) {
			b->end = r == 0 || r == 2 ? 1 : r; /* 2 (idle) is a stream's: not here */
			return true;
		}
		char *q = room(b, ln.n ? ln.n : 1);
		if (!q)
			return false;
		memcpy(q, ln.p, ln.n);
		ln.p = q;
		rl_prefetched *pre = &b->pre[b->n];
		/* what take_line and parse_line parse (reader.c): keep the two together */
		pre->parsed = !(ln.unterminated && pf->hold_unterminated && !ln.overlong) && !ln.overlong &&
			      !rl_line_is_blank(ln.p, ln.n);
		pre->tpl = NULL;
		if (pre->parsed) {
			pre->rj = rl_format_parse(pf->fmt, ln.p, ln.n, &pre->rec);
			if (rl_format_borrowed(pf->fmt) && !own_record(b, &pre->rec, ln.p, ln.n))
				return false;
			if (pre->rj == RL_REJECT_NONE) {
				char tpl[RL_ENDPOINT_MAX_LEN];
				size_t tn = rl_prefetch_template(&pre->rec, tpl, sizeof tpl);
				char *t = room(b, tn ? tn : 1);
				if (!t)
					return false;
				memcpy(t, tpl, tn);
				pre->tpl = t;
				pre->tpl_n = tn;
			}
		}
		b->lines[b->n++] = ln;
	}
	return true;
}

static void *run(void *arg)
{
	rl_prefetch *pf = arg;
	size_t tail = 0;
	for (;;) {
		pthread_mutex_lock(&pf->mu);
		while (!pf->quit && pf->count == NBATCH)
			pthread_cond_wait(&pf->cv, &pf->mu);
		bool quit = pf->quit;
		pthread_mutex_unlock(&pf->mu);
		if (quit)
			return NULL;
		batch *b = pf->b[tail];
		batch_reset(b);
		bool ok = fill(pf, b);
		pthread_mutex_lock(&pf->mu);
		if (!ok)
			b->end = RL_ENOMEM;
		pf->count++;
		pthread_cond_broadcast(&pf->cv);
		pthread_mutex_unlock(&pf->mu);
		if (b->end)
			return NULL;
		tail = (tail + 1) % NBATCH;
	}
}

int rl_prefetch_start(rl_prefetch **out, rl_source *src, rl_format *fmt, bool hold_unterminated)
{
	*out = NULL;
	rl_prefetch *pf = calloc(1, sizeof *pf);
	if (!pf)
		return RL_ENOMEM;
	pf->src = src;
	pf->fmt = fmt;
	pf->hold_unterminated = hold_unterminated;
	for (size_t i = 0; i < NBATCH; i++)
		if (!(pf->b[i] = calloc(1, sizeof *pf->b[i]))) {
			for (size_t k = 0; k < i; k++)
				free(pf->b[k]);
			free(pf);
			return RL_ENOMEM;
		}
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old); /* signals are the reader's */
	int rc = pthread_create(&pf->thread, NULL, run, pf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_mutex_destroy(&pf->mu);
		pthread_cond_destroy(&pf->cv);
		for (size_t i = 0; i < NBATCH; i++)
			free(pf->b[i]);
		free(pf);
		return RL_ENOMEM;
	}
	*out = pf;
	return 0;
}

int rl_prefetch_next(rl_prefetch *pf, const rl_line **line, const rl_prefetched **pre, rl_err *err)
{
	for (;;) {
		if (!pf->taking) {
			pthread_mutex_lock(&pf->mu);
			while (pf->count == 0)
				pthread_cond_wait(&pf->cv, &pf->mu);
			pthread_mutex_unlock(&pf->mu);
			pf->taking = true;
			pf->pos = 0;
		}
		batch *b = pf->b[pf->head];
		if (pf->pos < b->n) {
			*line = &b->lines[pf->pos];
			*pre = &b->pre[pf->pos];
			pf->pos++;
			return 1;
		}
		if (b->end) {
			if (b->end == 1)
				return 0;
			if (b->end == RL_ENOMEM)
				return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			*err = b->err;
			return b->end;
		}
		/* the batch is done with: the thread may fill it again */
		pthread_mutex_lock(&pf->mu);
		pf->count--;
		pf->head = (pf->head + 1) % NBATCH;
		pf->taking = false;
		pthread_cond_broadcast(&pf->cv);
		pthread_mutex_unlock(&pf->mu);
	}
}

void rl_prefetch_free(rl_prefetch *pf)
{
	if (!pf)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->quit = true;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	pthread_join(pf->thread, NULL);
	pthread_mutex_destroy(&pf->mu);
	pthread_cond_destroy(&pf->cv);
	for (size_t i = 0; i < NBATCH; i++) {
		for (chunk *c = pf->b[i]->chunks, *next; c; c = next) {
			next = c->next;
			free(c);
		}
		free(pf->b[i]);
	}
	free(pf);
}

size_t rl_prefetch_template(const rl_record *r, char *out, size_t cap)
{
	return rl_endpoint_template(r->method.n ? r->target : RL_STR_NULL, out, cap);
}

bool rl_prefetch_enabled(void)
{
	static _Atomic int on = -1; /* asked once: neither changes during a run */
	int v = atomic_load_explicit(&on, memory_order_relaxed);
	if (v < 0) {
		const char *e = getenv("RETRYLENS_PREFETCH");
		cpu_set_t set; /* on one core the thread only adds its copies and switches */
		v = !(e && strcmp(e, "0") == 0) && (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) > 1);
		atomic_store_explicit(&on, v, memory_order_relaxed);
	}
	return v;
}
