/* har.c - HAR 1.2 files (browser and proxy exports), a document format (SPEC §2).
 *
 * A HAR is one JSON document, {"log": {"creator": {...}, "entries": [...]}}, and each
 * entry is one attempt:
 *
 *   startedDateTime   the start (ISO 8601; its resolution is the fraction shown)
 *   time              total ms, as the writer printed it (-1 or absent: no duration)
 *   request           method, url (the target: the whole URL without its fragment or
 *                     user:password, so that two hosts' /favicon.ico are two requests;
 *                     endpoints drop scheme and host; the host also goes to vhost),
 *                     httpVersion, headers User-Agent, Idempotency-Key, X-Request-Id
 *   response          status (0, or no response at all: a network error), bodySize
 *                     (else content.size) as bytes, header Retry-After, content.text
 *                     (base64-decoded when encoding says so) as the body of statuses 0
 *                     and >= 400; for 0 without content, the exporter's _error text
 *
 * parse() only buffers the lines; finish() reads the whole document with jansson and
 * sorts the entries by start (ties keep file order); next() hands them out. A HAR holds
 * no client address: one file is one browser or proxy session, so every entry has the
 * client "har:<creator.name> <creator.version>", unless --client names a request
 * header, whose value then is the client of the entries that carry it.
 *
 * Ownership: the document, the sorted index and the decoded bodies belong to the
 * format; records point into them until the format is freed. */
#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/internal.h"
#include "lib/base/timestamp.h"

#define BOM "\xEF\xBB\xBF"
#define DETECT_WINDOW (64 * 1024)
#define HEADER_NAME_MAX 128

typedef struct har_item {
	json_t *entry; /* borrowed from the document */
	int64_t start_us, res_us;
	long long index; /* 1-based position in log.entries */
	rl_reject rj; /* why the entry is no attempt, found while sorting */
} har_item;

typedef struct har_format {
	rl_format base;
	char url[4096]; /* the current entry's URL without user:password, when it had one */
	char *text; /* the lines taken, each with its "\n", until finish() */
	size_t len, cap, max;
	bool too_big; /* the document passed max (or could not be buffered) */
	bool finished;
	json_t *doc;
	har_item *items;
	size_t nitems, next;
	char **bodies; /* base64-decoded bodies */
	size_t nbodies, cap_bodies;
	char client[160]; /* "har:<creator.name> <creator.version>" */
	char client_header[HEADER_NAME_MAX]; /* --client, "" when not given */
	bool client_is_secret;
} har_format;

static rl_str view(const json_t *v)
{
	if (!json_is_string(v))
		return RL_STR_NULL;
	return rl_str_make(json_string_value(v), json_string_length(v));
}

/* Header names compare case-insensitively, '-' and '_' alike ("X-Api-Key" names
 * x_api_key as nginx writes it). */
static bool name_eq(rl_str a, const char *b)
{
	size_t n = strlen(b);
	if (a.n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int x = tolower((unsigned char)a.p[i]), y = tolower((unsigned char)b[i]);
		if (x == '_')
			x = '-';
		if (y == '_')
			y = '-';
		if (x != y)
			return false;
	}
	return true;
}

/* The value of the first header called name in a HAR headers array. */
static rl_str header(const json_t *headers, const char *name)
{
	size_t i;
	json_t *h;
	json_array_foreach (headers, i, h) {
		if (name_eq(view(json_object_get(h, "name")), name))
			return view(json_object_get(h, "value"));
	}
	return RL_STR_NULL;
}

/* "https://user@host:8443/p?q#f" → target "https://host:8443/p?q" (in buf when the
 * user part had to go) and host "host:8443"; a URL without "scheme://" is kept whole
 * (but for its fragment). */
static rl_str url_target(rl_str url, rl_str *host, char *buf, size_t cap)
{
	const char *p = url.p;
	if (!p)
		return RL_STR_NULL;
	const char *end = p + url.n;
	const char *hash = memchr(p, '#', url.n);
	if (hash)
		end = hash;
	size_t i = 0;
	while (p + i < end && (isalnum((unsigned char)p[i]) || p[i] == '+' || p[i] == '-' || p[i] == '.'))
		i++;
	if (i == 0 || end - (p + i) < 3 || memcmp(p + i, "://", 3) != 0)
		return rl_str_make(p, (size_t)(end - p));
	const char *auth = p + i + 3, *a = auth, *q = a;
	while (q < end && *q != '/' && *q != '?')
		q++;
	for (const char *at = a; at < q; at++)
		if (*at == '@')
			a = at + 1; /* never keep user:password */
	*host = rl_str_make(a, (size_t)(q - a));
	if (a == auth)
		return rl_str_make(p, (size_t)(end - p));
	size_t k = (size_t)(auth - p), rest = (size_t)(end - a);
	if (k >= cap) /* an absurd scheme: keep what follows user:password */
		return rl_str_make(a, rest);
	if (k + rest > cap)
		rest = cap - k;
	memcpy(buf, p, k);
	memcpy(buf + k, a, rest);
	return rl_str_make(buf, k + rest);
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decodes base64 text (standard or URL alphabet, whitespace ignored, padding optional)
 * into a buffer the format keeps. Returns the view, or empty when the text is not
 * base64 or memory is short (the body is only a source of error messages). */
static rl_str b64_body(har_format *f, rl_str s)
{
	if (f->nbodies == f->cap_bodies) {
		size_t nc = f->cap_bodies ? 2 * f->cap_bodies : 16;
		char **nb = realloc(f->bodies, nc * sizeof *nb);
		if (!nb)
			return RL_STR_NULL;
		f->bodies = nb;
		f->cap_bodies = nc;
	}
	char *out = malloc(s.n / 4 * 3 + 3);
	if (!out)
		return RL_STR_NULL;
	size_t o = 0;
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '=')
			break;
		if (isspace(c))
			continue;
		int v = b64_value(c);
		if (v < 0) {
			free(out);
			return RL_STR_NULL;
		}
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	f->bodies[f->nbodies++] = out;
	return rl_str_make(out, o);
}

static rl_reject har_parse(rl_format *base, const char *p, size_t n, rl_record *r)
{
	har_format *f = (har_format *)base;
	(void)r;
	if (f->finished)
		return RL_REJECT_NO_MATCH; /* a document takes no lines after its end */
	if (f->too_big)
		return RL_REJECT_PENDING;
	if (n >= f->max - f->len) {
		f->too_big = true;
		free(f->text);
		f->text = NULL;
		f->len = f->cap = 0;
		return RL_REJECT_PENDING;
	}
	if (f->len + n + 1 > f->cap) {
		size_t nc = f->cap ? f->cap : 64 * 1024;
		while (nc < f->len + n + 1)
			nc *= 2;
		if (nc > f->max)
			nc = f->max;
		char *nt = realloc(f->text, nc);
		if (!nt) {
			f->too_big = true;
			return RL_REJECT_PENDING;
		}
		f->text = nt;
		f->cap = nc;
	}
	memcpy(f->text + f->len, p, n);
	f->len += n;
	f->text[f->len++] = '\n';
	return RL_REJECT_PENDING;
}

static int by_start(const void *a, const void *b)
{
	const har_item *x = a, *y = b;
	if (x->start_us != y->start_us)
		return x->start_us < y->start_us ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void set_client(har_format *f, const json_t *log)
{
	const json_t *creator = json_object_get(log, "creator");
	rl_str name = view(json_object_get(creator, "name")), version = view(json_object_get(creator, "version"));
	if (!name.n)
		name = rl_str_make("unknown", 7);
	int k = name.n > 100 ? 100 : (int)name.n, v = version.n > 40 ? 40 : (int)version.n;
	snprintf(f->client, sizeof f->client, "har:%.*s%s%.*s", k, name.p, v ? " " : "", v, v ? version.p : "");
}

/* Reads the buffered text: the document, its creator, its entries sorted by start. */
static rl_reject read_document(har_format *f)
{
	const char *p = f->text;
	size_t n = f->len, i = 0;
	if (n >= 3 && memcmp(p, BOM, 3) == 0)
		i = 3;
	while (i < n && isspace((unsigned char)p[i]))
		i++;
	if (i == n)
		return RL_REJECT_NONE; /* an empty input is no document, and nothing to reject */
	json_error_t je;
	f->doc = json_loadb(p + i, n - i, JSON_ALLOW_NUL, &je);
	const json_t *log = json_object_get(f->doc, "log");
	const json_t *entries = json_object_get(log, "entries");
	if (!json_is_array(entries))
		return RL_REJECT_BAD_DOCUMENT;
	set_client(f, log);
	size_t count = json_array_size(entries);
	if (count == 0)
		return RL_REJECT_NONE;
	f->items = calloc(count, sizeof *f->items);
	if (!f->items)
		return RL_REJECT_BAD_DOCUMENT; /* the interface has no other word for it */
	f->nitems = count;
	for (size_t k = 0; k < count; k++) {
		har_item *it = &f->items[k];
		it->entry = json_array_get(entries, k);
		it->index = (long long)k + 1;
		if (!json_is_object(it->entry))
			it->rj = RL_REJECT_NO_MATCH;
		else if (!rl_timestamp_parse_iso8601(view(json_object_get(it->entry, "startedDateTime")), &it->start_us,
						     &it->res_us))
			it->rj = RL_REJECT_BAD_TIME;
		if (it->rj)
			it->start_us = INT64_MIN; /* rejected entries come first */
	}
	qsort(f->items, count, sizeof *f->items, by_start);
	return RL_REJECT_NONE;
}

static rl_reject har_finish(rl_format *base)
{
	har_format *f = (har_format *)base;
	if (f->finished)
		return RL_REJECT_NONE;
	f->finished = true;
	rl_reject rj = f->too_big ? RL_REJECT_BAD_DOCUMENT : read_document(f);
	if (rj) {
		json_decref(f->doc);
		f->doc = NULL;
		f->nitems = 0;
	}
	free(f->text);
	f->text = NULL;
	f->len = f->cap = 0;
	return rj;
}

/* Fills r from one entry whose start was read by finish(). */
static rl_reject fill(har_format *f, const har_item *it, rl_record *r)
{
	const json_t *e = it->entry, *req = json_object_get(e, "request"), *resp = json_object_get(e, "response");
	const json_t *reqh = json_object_get(req, "headers"), *resph = json_object_get(resp, "headers");
	r->method = view(json_object_get(req, "method"));
	r->target = url_target(view(json_object_get(req, "url")), &r->vhost, f->url, sizeof f->url);
	if (it->rj)
		return it->rj;
	r->time_us = it->start_us;
	r->time_res_us = it->res_us;
	r->time_is_start = true;

	char num[64];
	const json_t *t = json_object_get(e, "time");
	if (rl_json_number_text(t, num, sizeof num) &&
	    !rl_duration_parse(rl_str_make(num, strlen(num)), 1000, &r->duration_us, &r->duration_res_us))
		r->duration_us = -1; /* -1 (not known) or unreadable */

	const json_t *st = json_object_get(resp, "status");
	if (!st || json_is_null(st))
		r->status = 0; /* no response: mitmproxy writes none for a failed connection */
	else if (json_is_integer(st) && json_integer_value(st) >= 0 && json_integer_value(st) <= 999)
		r->status = (int)json_integer_value(st);
	else
		return RL_REJECT_BAD_STATUS;

	const json_t *content = json_object_get(resp, "content");
	const json_t *bs = json_object_get(resp, "bodySize"), *cs = json_object_get(content, "size");
	if (json_is_integer(bs) && json_integer_value(bs) >= 0)
		r->bytes = json_integer_value(bs);
	else if (json_is_integer(cs) && json_integer_value(cs) >= 0)
		r->bytes = json_integer_value(cs);

	r->protocol = view(json_object_get(req, "httpVersion"));
	r->user_agent = header(reqh, "User-Agent");
	r->idempotency_key = header(reqh, "Idempotency-Key");
	r->request_id = header(reqh, "X-Request-Id");
	r->retry_after = header(resph, "Retry-After");
	if (f->client_header[0]) {
		r->client_id = header(reqh, f->client_header);
		r->client_is_secret = r->client_id.n && f->client_is_secret;
	}
	if (!r->client_id.n)
		r->client_id = rl_str_make(f->client, strlen(f->client));

	if (r->status == 0 || r->status >= 400) {
		rl_str text = view(json_object_get(content, "text"));
		if (text.n && rl_str_eq(view(json_object_get(content, "encoding")), "base64"))
			text = b64_body(f, text);
		if (!text.n && r->status == 0)
			text = view(json_object_get(resp, "_error"));
		r->body = text.n ? text : RL_STR_NULL;
	}
	return RL_REJECT_NONE;
}

static int har_next(rl_format *base, rl_record *r, rl_reject *rj, long long *item)
{
	har_format *f = (har_format *)base;
	if (f->next >= f->nitems)
		return 0;
	const har_item *it = &f->items[f->next++];
	*item = it->index;
	*rj = fill(f, it, r);
	return 1;
}

static void har_free(rl_format *base)
{
	har_format *f = (har_format *)base;
	free(f->text);
	json_decref(f->doc);
	free(f->items);
	for (size_t i = 0; i < f->nbodies; i++)
		free(f->bodies[i]);
	free(f->bodies);
	free(f);
}

static const rl_format_ops har_ops = {.parse = har_parse, .free = har_free, .finish = har_finish, .next = har_next};

int rl_har_format_new(rl_format **out, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	const char *client = opts ? opts->client : NULL;
	if (client) {
		/* "$http_x_api_key", "http_x_api_key", "X-Api-Key": the request header X-Api-Key */
		if (*client == '$')
			client++;
		if (strncmp(client, "http_", 5) == 0 && client[5])
			client += 5;
		if (!*client || strlen(client) >= HEADER_NAME_MAX)
			return rl_err_set(err, RL_EUSAGE, "--client", 0,
					  "'%s' is not a request header name (format har)", opts->client);
	}
	har_format *f = calloc(1, sizeof *f);
	if (!f)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	f->base.ops = &har_ops;
	f->max = RL_DOCUMENT_MAX_BYTES;
	snprintf(f->base.name, sizeof f->base.name, "har");
	snprintf(f->client, sizeof f->client, "har:unknown");
	if (client) {
		snprintf(f->client_header, sizeof f->client_header, "%s", client);
		f->client_is_secret = rl_format_name_is_secret(client, strlen(client));
	}
	*out = &f->base;
	return 0;
}

/* Past the optional BOM and whitespace: "{", whitespace, "log", whitespace, ":",
 * whitespace, "{". Returns the offset after it, 0 when p starts otherwise, or -1 when
 * the n bytes end first. */
static long log_object_start(const char *p, size_t n)
{
	static const char *const steps[] = {"{", "\"log\"", ":", "{"};
	size_t i = 0;
	for (size_t k = 0; k < 3 && i < n && (unsigned char)p[i] == (unsigned char)BOM[k]; k++)
		i++;
	if (i > 0 && i < 3)
		return i == n ? -1 : 0;
	for (size_t s = 0; s < 4; s++) {
		while (i < n && isspace((unsigned char)p[i]))
			i++;
		size_t k = strlen(steps[s]);
		size_t m = n - i < k ? n - i : k;
		if (memcmp(p + i, steps[s], m) != 0)
			return 0;
		if (m < k)
			return -1;
		i += k;
	}
	return (long)i;
}

/* Skips a JSON string at p[i] == '"'; returns the index after it, or n when cut. */
static size_t skip_string(const char *p, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			return i + 1;
	}
	return n;
}

/* Skips one JSON value at p[i]; returns the index after it, or n when cut. */
static size_t skip_value(const char *p, size_t i, size_t n)
{
	if (i < n && p[i] == '"')
		return skip_string(p, i, n);
	int depth = 0;
	for (; i < n; i++) {
		char c = p[i];
		if (c == '"')
			i = skip_string(p, i, n) - 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (depth-- == 0)
				return i; /* the end of the enclosing object: not part of the value */
			if (depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'))
			return i;
	}
	return n;
}

int rl_har_detect(const char *p, size_t n, bool end)
{
	long at = log_object_start(p, n);
	if (at == 0)
		return 0;
	size_t lim = n < DETECT_WINDOW ? n : DETECT_WINDOW;
	int undecided = end || n >= DETECT_WINDOW ? 0 : -1;
	if (at < 0 || (size_t)at > lim) /* only space so far, or the input stops inside {"log": { */
		return undecided;
	/* the members of "log": a HAR's has version, creator or entries (JSON log lines
	 * with a "log" object of their own have other members) */
	size_t i = (size_t)at;
	for (;;) {
		while (i < lim && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r' || p[i] == ','))
			i++;
		if (i >= lim)
			return undecided;
		if (p[i] == '}')
			return 0;
		if (p[i] != '"')
			return 0;
		size_t k = skip_string(p, i, lim);
		if (k >= lim)
			return undecided;
		size_t klen = k - i - 2;
		const char *key = p + i + 1;
		if ((klen == 7 && memcmp(key, "version", 7) == 0) || (klen == 7 && memcmp(key, "creator", 7) == 0) ||
		    (klen == 7 && memcmp(key, "entries", 7) == 0))
			return 1;
		i = k;
		while (i < lim && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
			i++;
		if (i >= lim)
			return undecided;
		if (p[i] != ':')
			return 0;
		i++;
		while (i < lim && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
			i++;
		i = skip_value(p, i, lim);
		if (i >= lim)
			return undecided;
	}
}
