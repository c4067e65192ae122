/* classify/error_table.c - a fixed array of rows (room for the cap and one "{other}" row per status,
 * so it never moves while the writer reads it) and open addressing over their ids. */
#include "lib/classify/error_table.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/err.h"
#include "lib/classify/error_body.h"
#include "lib/classify/policy.h"

#define STATUSES 1000 /* 0..999: one "{other}" row each at most */
#define CLEAN_MAX(n) ((n)*4 + 8) /* rl_text_clean writes a control byte as 4 */
#define MEMO 64 /* bodies remembered: the same body again costs a hash and a compare */
#define MEMO_BODY 512 /* longest body remembered */

typedef struct memo {
	uint64_t hash;
	uint32_t id;
	int status;
	size_t n; /* 0: empty slot */
	char body[MEMO_BODY];
} memo;

typedef struct row {
	rl_error_row r;
	uint64_t hash;
	char *mem; /* type, code, message and sample, one allocation */
} row;

struct rl_error_table {
	rl_error_body *em;
	row *rows; /* rows[1..count] */
	size_t count, max_rows, cap, regular;
	uint32_t *slots; /* ids; 0 = empty */
	size_t nslots;
	uint32_t other[STATUSES]; /* the "{other}" row of each status, 0 = none yet */
	bool capped;
	memo memo[MEMO]; /* the id of recent bodies, direct-mapped by hash */
};

rl_error_table *rl_error_table_new(size_t cap)
{
	rl_error_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cap = cap ? cap : RL_ERRORS_CAP;
	t->max_rows = t->cap + STATUSES;
	t->nslots = 16;
	while (t->nslots < 2 * t->max_rows)
		t->nslots <<= 1;
	t->em = rl_error_body_new();
	t->rows = calloc(t->max_rows + 1, sizeof *t->rows);
	t->slots = calloc(t->nslots, sizeof *t->slots);
	if (!t->em || !t->rows || !t->slots) {
		rl_error_table_free(t);
		return NULL;
	}
	return t;
}

void rl_error_table_free(rl_error_table *t)
{
	if (!t)
		return;
	for (size_t i = 1; t->rows && i <= t->count; i++)
		free(t->rows[i].mem);
	rl_error_body_free(t->em);
	free(t->rows);
	free(t->slots);
	free(t);
}

static uint64_t key_hash(int status, const char *type, const char *code, const char *message)
{
	uint64_t h = rl_hash_bytes(type, strlen(type), (uint64_t)status + 1);
	h = rl_hash_bytes(code, strlen(code), h);
	return rl_hash_bytes(message, strlen(message), h);
}

/* The id of the row, or 0 with *slot where it would go. */
static uint32_t lookup(const rl_error_table *t, int status, const char *type, const char *code, const char *message,
		       uint64_t h, size_t *slot)
{
	size_t mask = t->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		uint32_t id = t->slots[i];
		if (!id) {
			*slot = i;
			return 0;
		}
		const row *w = &t->rows[id];
		if (w->hash == h && w->r.status == status && !strcmp(w->r.message, message) &&
		    !strcmp(w->r.type, type) && !strcmp(w->r.code, code))
			return id;
	}
}

/* Adds a row at slot; 0 when out of memory or out of room. */
static uint32_t add(rl_error_table *t, int status, const char *type, const char *code, const char *message,
		    const char *sample, uint64_t h, size_t slot)
{
	if (t->count >= t->max_rows)
		return 0;
	size_t lt = strlen(type) + 1, lc = strlen(code) + 1, lm = strlen(message) + 1, ls = strlen(sample) + 1;
	char *mem = malloc(lt + lc + lm + ls);
	if (!mem)
		return 0;
	memcpy(mem, type, lt);
	memcpy(mem + lt, code, lc);
	memcpy(mem + lt + lc, message, lm);
	memcpy(mem + lt + lc + lm, sample, ls);
	uint32_t id = (uint32_t)++t->count;
	t->rows[id] = (row){{status, mem, mem + lt, mem + lt + lc, mem + lt + lc + lm, 0}, h, mem};
	t->slots[slot] = id;
	return id;
}

/* The sample of a new row: the message as sent, its control characters made spaces,
 * cleaned, "…" when it was cut. */
static void make_sample(char *dst, size_t cap, rl_error_body_fields *f)
{
	size_t mn = strlen(f->message);
	for (size_t i = 0; i < mn; i++)
		if ((unsigned char)f->message[i] < 0x20 || f->message[i] == 0x7f)
			f->message[i] = ' ';
	size_t sn = rl_text_clean(dst, cap - 4, f->message, mn);
	if (f->message_cut && sn)
		memcpy(dst + sn, "\xe2\x80\xa6", 4); /* "…" and the NUL */
}

/* The row of (status, type, code, message), added if new: past the cap, the status's
 * "{other}" row. */
static uint32_t row_id(rl_error_table *t, int status, const char *type, const char *code, const char *message,
		       rl_error_body_fields *f)
{
	uint64_t h = key_hash(status, type, code, message);
	size_t slot;
	uint32_t id = lookup(t, status, type, code, message, h, &slot);
	if (id)
		return id;
	char sample[CLEAN_MAX(RL_ERROR_BODY_MAX) + 4];
	make_sample(sample, sizeof sample, f);
	if (t->regular < t->cap) {
		if ((id = add(t, status, type, code, message, sample, h, slot)))
			t->regular++;
		return id;
	}
	t->capped = true;
	if (t->other[status])
		return t->other[status];
	h = key_hash(status, "", "", RL_ERROR_TABLE_OTHER);
	if (!(id = lookup(t, status, "", "", RL_ERROR_TABLE_OTHER, h, &slot)))
		id = add(t, status, "", "", RL_ERROR_TABLE_OTHER, sample, h, slot);
	return t->other[status] = id;
}

int rl_error_table_id(rl_error_table *t, int status, rl_str body, uint32_t *id)
{
	*id = 0;
	if (!rl_status_is_failure(status) || status >= STATUSES || body.n == 0)
		return 0;
	/* the same body as a recent one: its id (a row never changes id, and past the cap a
	 * new template stays under "{other}") */
	uint64_t bh = rl_hash_bytes(body.p, body.n, (uint64_t)status);
	memo *m = body.n <= MEMO_BODY ? &t->memo[bh & (MEMO - 1)] : NULL;
	if (m && m->n == body.n && m->hash == bh && m->status == status && !memcmp(m->body, body.p, body.n)) {
		*id = m->id;
		return 0;
	}
	rl_error_body_fields f;
	if (!rl_error_body_parse(t->em, body, &f))
		goto remember; /* a body that says nothing: id 0 */
	char tpl[RL_ERROR_BODY_MAX + 1];
	size_t tn = rl_error_body_template(f.message, strlen(f.message), f.message_cut, tpl, sizeof tpl);
	char type[CLEAN_MAX(RL_ERROR_BODY_FIELD_MAX)], code[CLEAN_MAX(RL_ERROR_BODY_FIELD_MAX)];
	char message[CLEAN_MAX(RL_ERROR_BODY_MAX)];
	rl_text_clean(type, sizeof type, f.type, strlen(f.type));
	rl_text_clean(code, sizeof code, f.code, strlen(f.code));
	rl_text_clean(message, sizeof message, tpl, tn);
	*id = row_id(t, status, type, code, message, &f);
	if (!*id)
		return t->count >= t->max_rows ? 0 : RL_ENOMEM; /* no room left (never with this cap): no row */
remember:
	if (m) {
		m->hash = bh;
		m->id = *id;
		m->status = status;
		m->n = body.n;
		memcpy(m->body, body.p, body.n);
	}
	return 0;
}

uint32_t rl_error_table_count(const rl_error_table *t)
{
	return (uint32_t)t->count;
}

/* These two never read t->count: the commit writer calls them for ids handed out
 * earlier while the ingest thread goes on adding (lib/store/writer.h). */
const rl_error_row *rl_error_table_row(const rl_error_table *t, uint32_t id)
{
	return id && id <= t->max_rows && t->rows[id].mem ? &t->rows[id].r : NULL;
}

void rl_error_table_set_db_id(rl_error_table *t, uint32_t id, int64_t db_id)
{
	if (id && id <= t->max_rows)
		t->rows[id].r.db_id = db_id;
}

int rl_error_table_preload(void *ctx, int64_t db_id, int status, const char *type, const char *code,
			   const char *message)
{
	rl_error_table *t = ctx;
	if (status < 0 || status >= STATUSES)
		return 0; /* not a row this version writes */
	uint64_t h = key_hash(status, type, code, message);
	size_t slot;
	uint32_t id = lookup(t, status, type, code, message, h, &slot);
	bool other = !type[0] && !code[0] && !strcmp(message, RL_ERROR_TABLE_OTHER);
	if (!id) {
		if (!(id = add(t, status, type, code, message, "", h, slot)))
			return t->count >= t->max_rows ? 0 : RL_ENOMEM; /* more rows than room: the rest count as new */
		if (other)
			t->other[status] = id;
		else
			t->regular++;
	}
	t->rows[id].r.db_id = db_id;
	return 0;
}

bool rl_error_table_capped(const rl_error_table *t)
{
	return t->capped;
}
