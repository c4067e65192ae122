/* jscan.c - the single-pass JSON path scanner (see jscan.h).
 *
 * The wanted paths form a small trie: an object node holds entries by key, an array node
 * entries by index; an entry may fill a slot, lead on to an object node, to an array
 * node, or several of these. The scanner is a recursive descent that carries the trie
 * entry of the value it is on (NULL: nothing wanted below, only the grammar is checked). */
#include "lib/format/jscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/base/err.h"

#define MAX_STEPS 8
#define MAX_DEPTH RL_JSCAN_MAX_DEPTH
#define MAX_KEY 256 /* keys with escapes longer than this never match */

typedef struct jentry {
	char *key; /* object entries; NULL in array nodes */
	size_t klen;
	int index; /* array entries */
	int obj_child, arr_child; /* node numbers, -1: none */
	int slot; /* -1: none */
	bool raw;
} jentry;

typedef struct jnode {
	bool is_array;
	int *entries; /* into rl_jpaths.e */
	size_t n, cap;
	uint16_t *table; /* object nodes: open addressing by key hash, entry number + 1 */
	size_t mask;
} jnode;

struct rl_jpaths {
	jentry *e;
	size_t ne, cap_e;
	jnode *nodes;
	size_t nn, cap_n;
	size_t nslots;
};

/* Room for need elements of size bytes in *p (lib/base/array.h). */
static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	return need == 0 || rl_array_grow(p, cap, need - 1, size) == 0;
}

static int new_node(rl_jpaths *s, bool is_array)
{
	if (!grow((void **)&s->nodes, &s->cap_n, s->nn + 1, sizeof *s->nodes))
		return -1;
	s->nodes[s->nn] = (jnode){.is_array = is_array};
	return (int)s->nn++;
}

rl_jpaths *rl_jpaths_new(void)
{
	rl_jpaths *s = calloc(1, sizeof *s);
	if (s && new_node(s, false) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

void rl_jpaths_free(rl_jpaths *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ne; i++)
		free(s->e[i].key);
	for (size_t i = 0; i < s->nn; i++) {
		free(s->nodes[i].entries);
		free(s->nodes[i].table);
	}
	free(s->e);
	free(s->nodes);
	free(s);
}

size_t rl_jpaths_slots(const rl_jpaths *s)
{
	return s->nslots;
}

typedef struct step {
	const char *key; /* NULL: an index */
	size_t klen;
	int index;
} step;

/* "a.b[2]["c.d"]" → steps; returns the count or -1. */
static int split_path(const char *p, size_t n, step *st)
{
	int k = 0;
	size_t i = 0;
	while (i < n) {
		if (k == MAX_STEPS)
			return -1;
		if (p[i] == '[') {
			i++;
			if (i < n && p[i] == '"') {
				size_t a = ++i;
				while (i < n && p[i] != '"')
					i++;
				if (i + 1 >= n || p[i + 1] != ']' || i == a)
					return -1;
				st[k++] = (step){p + a, i - a, 0};
				i += 2;
			} else {
				size_t a = i;
				long v = 0;
				while (i < n && p[i] >= '0' && p[i] <= '9' && v < 100000)
					v = v * 10 + (p[i++] - '0');
				if (i == a || i >= n || p[i] != ']')
					return -1;
				if (k == 0)
					return -1; /* the line is an object: the first step is a key */
				st[k++] = (step){NULL, 0, (int)v};
				i++;
			}
		} else {
			if (k > 0) {
				if (p[i] != '.')
					return -1;
				i++;
			}
			size_t a = i;
			while (i < n && p[i] != '.' && p[i] != '[')
				i++;
			if (i == a)
				return -1;
			st[k++] = (step){p + a, i - a, 0};
		}
	}
	return k;
}

static size_t key_hash(const char *k, size_t n)
{
	return n * 0x9E3779B1u ^ (unsigned char)k[0] * 31u ^ (unsigned char)k[n - 1] * 131u ^
	       (unsigned char)k[n / 2] * 2654435761u;
}

/* Rebuilds the key table of an object node, at most half full. */
static bool index_node(rl_jpaths *s, jnode *nd)
{
	size_t size = 16;
	while (size < 2 * nd->n)
		size *= 2;
	uint16_t *t = calloc(size, sizeof *t);
	if (!t)
		return false;
	for (size_t i = 0; i < nd->n; i++) {
		const jentry *e = &s->e[nd->entries[i]];
		size_t h = key_hash(e->key, e->klen) & (size - 1);
		while (t[h])
			h = (h + 1) & (size - 1);
		t[h] = (uint16_t)(nd->entries[i] + 1);
	}
	free(nd->table);
	nd->table = t;
	nd->mask = size - 1;
	return true;
}

static int find_or_add(rl_jpaths *s, int node, const step *st)
{
	jnode *nd = &s->nodes[node];
	for (size_t i = 0; i < nd->n; i++) {
		const jentry *e = &s->e[nd->entries[i]];
		if (st->key ? (e->key && e->klen == st->klen && memcmp(e->key, st->key, st->klen) == 0)
			    : e->index == st->index)
			return nd->entries[i];
	}
	if (s->ne >= UINT16_MAX || !grow((void **)&s->e, &s->cap_e, s->ne + 1, sizeof *s->e) ||
	    !grow((void **)&nd->entries, &nd->cap, nd->n + 1, sizeof *nd->entries))
		return -1;
	jentry e = {.index = st->index, .obj_child = -1, .arr_child = -1, .slot = -1};
	if (st->key) {
		if (!(e.key = malloc(st->klen + 1)))
			return -1;
		memcpy(e.key, st->key, st->klen);
		e.key[st->klen] = 0;
		e.klen = st->klen;
	}
	s->e[s->ne] = e;
	nd->entries[nd->n++] = (int)s->ne;
	if (!nd->is_array && !index_node(s, nd)) {
		nd->n--; /* not added: nothing refers to it, nothing leaks */
		free(e.key);
		return -1;
	}
	return (int)s->ne++;
}

int rl_jpaths_add(rl_jpaths *s, const char *path, size_t n, int slot, bool raw)
{
	step st[MAX_STEPS];
	int k = split_path(path, n, st);
	if (k <= 0 || slot < 0 || slot > 255)
		return -1;
	int node = 0;
	for (int i = 0; i < k; i++) {
		int e = find_or_add(s, node, &st[i]);
		if (e < 0)
			return RL_ENOMEM;
		if (i == k - 1) {
			s->e[e].slot = slot;
			s->e[e].raw = raw;
			break;
		}
		bool arr = st[i + 1].key == NULL;
		int *child = arr ? &s->e[e].arr_child : &s->e[e].obj_child;
		if (*child < 0) {
			int c = new_node(s, arr);
			if (c < 0)
				return RL_ENOMEM;
			s->e[e].arr_child = arr ? c : s->e[e].arr_child;
			s->e[e].obj_child = arr ? s->e[e].obj_child : c;
		}
		node = arr ? s->e[e].arr_child : s->e[e].obj_child;
	}
	if ((size_t)slot + 1 > s->nslots)
		s->nslots = (size_t)slot + 1;
	return 0;
}

/* --- the scanner ------------------------------------------------------------------- */

typedef struct scan {
	const rl_jpaths *s;
	const char *p, *end;
	rl_jvalue *vals;
	char *out; /* the next free byte of the caller's buffer */
} scan;

static bool value(scan *c, const jentry *e, int depth);

static void skip_ws(scan *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char h = p[i];
		int d = h >= '0' && h <= '9'   ? h - '0'
			: h >= 'a' && h <= 'f' ? h - 'a' + 10
			: h >= 'A' && h <= 'F' ? h - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Decodes the already checked string body p[0..n) into out (room for n bytes: a valid
 * body never decodes longer). */
static size_t unescape(const char *p, size_t n, char *out)
{
	return rl_json_unescape(out, n, p, n, NULL);
}

/* c->p at the opening quote; on success *body and *len give the text between the quotes;
 * *esc says whether it holds escapes. */
static bool string_body(scan *c, const char **body, size_t *len, bool *esc)
{
	const char *q = ++c->p, *end = c->end;
	*esc = false;
	/* most strings hold no escape: two memchr() find their end */
	const char *quote = memchr(q, '"', (size_t)(end - q));
	if (quote && !memchr(q, '\\', (size_t)(quote - q))) {
		*body = q;
		*len = (size_t)(quote - q);
		c->p = quote + 1;
		return true;
	}
	for (;;) {
		while (q < end && *q != '"' && *q != '\\')
			q++;
		if (q >= end)
			return false;
		if (*q == '"')
			break;
		*esc = true;
		if (++q >= end)
			return false;
		if (*q == 'u') {
			if (end - q < 5 || hex4(q + 1) < 0)
				return false;
			q += 5;
		} else if (*q == '"' || *q == '\\' || *q == '/' || *q == 'b' || *q == 'f' || *q == 'n' || *q == 'r' ||
			   *q == 't') {
			q++;
		} else {
			return false;
		}
	}
	*body = c->p;
	*len = (size_t)(q - c->p);
	c->p = q + 1;
	return true;
}

static void put(scan *c, const jentry *e, rl_jtype t, const char *p, size_t n)
{
	if (e && e->slot >= 0)
		c->vals[e->slot] = (rl_jvalue){t, rl_str_make(p, n)};
}

static bool digits(scan *c)
{
	const char *a = c->p;
	while (c->p < c->end && (unsigned)(*c->p - '0') <= 9)
		c->p++;
	return c->p > a;
}

static bool number(scan *c, const jentry *e)
{
	const char *a = c->p;
	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!digits(c))
			return false;
	}
	put(c, e, RL_J_NUMBER, a, (size_t)(c->p - a));
	return true;
}

static bool literal(scan *c, const jentry *e, const char *word, rl_jtype t)
{
	size_t k = strlen(word);
	if ((size_t)(c->end - c->p) < k || memcmp(c->p, word, k) != 0)
		return false;
	put(c, e, t, c->p, k);
	c->p += k;
	return true;
}

static const jentry *lookup_key(const scan *c, const jnode *nd, const char *k, size_t n)
{
	if (!nd->table)
		return NULL;
	for (size_t h = key_hash(k, n) & nd->mask; nd->table[h]; h = (h + 1) & nd->mask) {
		const jentry *e = &c->s->e[nd->table[h] - 1];
		if (e->klen == n && memcmp(e->key, k, n) == 0)
			return e;
	}
	return NULL;
}

static bool object(scan *c, const jnode *nd, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return true;
	}
	for (;;) {
		if (c->p >= c->end || *c->p != '"')
			return false;
		const char *k;
		size_t kn;
		bool esc;
		if (!string_body(c, &k, &kn, &esc))
			return false;
		const jentry *e = NULL;
		if (nd && kn > 0) {
			char dec[MAX_KEY];
			if (!esc)
				e = lookup_key(c, nd, k, kn);
			else if (kn <= MAX_KEY)
				e = lookup_key(c, nd, dec, unescape(k, kn, dec));
		}
		skip_ws(c);
		if (c->p >= c->end || *c->p != ':')
			return false;
		c->p++;
		if (!value(c, e, depth))
			return false;
		skip_ws(c);
		if (c->p >= c->end)
			return false;
		if (*c->p == '}') {
			c->p++;
			return true;
		}
		if (*c->p != ',')
			return false;
		c->p++;
		skip_ws(c);
	}
}

/* first: the entry that takes element 0 (a path that reached an array without an index) */
static bool array(scan *c, const jnode *nd, const jentry *first, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return true;
	}
	for (int idx = 0;; idx++) {
		const jentry *e = idx == 0 ? first : NULL;
		for (size_t i = 0; nd && i < nd->n; i++)
			if (c->s->e[nd->entries[i]].index == idx)
				e = &c->s->e[nd->entries[i]];
		if (!value(c, e, depth))
			return false;
		skip_ws(c);
		if (c->p >= c->end)
			return false;
		if (*c->p == ']') {
			c->p++;
			return true;
		}
		if (*c->p != ',')
			return false;
		c->p++;
	}
}

static bool value(scan *c, const jentry *e, int depth)
{
	skip_ws(c);
	if (c->p >= c->end)
		return false;
	const char *a = c->p;
	const rl_jpaths *s = c->s;
	switch (*c->p) {
	case '"': {
		const char *b;
		size_t n;
		bool esc;
		if (!string_body(c, &b, &n, &esc))
			return false;
		if (e && e->slot >= 0) {
			if (esc) {
				size_t k = unescape(b, n, c->out);
				put(c, e, RL_J_STRING, c->out, k);
				c->out += k;
			} else {
				put(c, e, RL_J_STRING, b, n);
			}
		}
		return true;
	}
	case '{':
		if (!object(c, e && e->obj_child >= 0 ? &s->nodes[e->obj_child] : NULL, depth + 1))
			return false;
		put(c, e, RL_J_OBJECT, a, (size_t)(c->p - a));
		return true;
	case '[': {
		bool take_first = e && e->slot >= 0 && !e->raw;
		if (!array(c, e && e->arr_child >= 0 ? &s->nodes[e->arr_child] : NULL, take_first ? e : NULL,
			   depth + 1))
			return false;
		if (!take_first)
			put(c, e, RL_J_ARRAY, a, (size_t)(c->p - a));
		return true;
	}
	case 't':
		return literal(c, e, "true", RL_J_TRUE);
	case 'f':
		return literal(c, e, "false", RL_J_FALSE);
	case 'n':
		return literal(c, e, "null", RL_J_NULL);
	default:
		return number(c, e);
	}
}

bool rl_jscan(const rl_jpaths *s, const char *p, size_t n, rl_jvalue *vals, char *buf, size_t cap)
{
	memset(vals, 0, s->nslots * sizeof *vals);
	if (cap < n) /* decoded strings never outgrow their escaped text: n bytes suffice */
		return false;
	scan c = {s, p, p + n, vals, buf};
	skip_ws(&c);
	if (c.p >= c.end || *c.p != '{' || !object(&c, &s->nodes[0], 1))
		return false;
	skip_ws(&c);
	return c.p == c.end;
}
