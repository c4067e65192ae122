/* classify/error_body.c - error envelopes read with jansson, cut-off ones and HTML with PCRE2, and one
 * pass over a message to make its template. */
#include "lib/classify/error_body.h"

#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rl_error_body {
	pcre2_code *json; /* "key": "value" pairs of a cut-off envelope */
	pcre2_code *html; /* <title> or <h1> */
	pcre2_match_data *md; /* sized for the larger of the two */
};

/* the keys a message may hide under, best first (RFC 9457's title comes last: detail
 * says more) */
static const char *const message_keys[] = {"message", "error_description", "detail", "msg", "title", NULL};

static pcre2_code *compile(const char *pattern, uint32_t flags)
{
	int code;
	PCRE2_SIZE at;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, flags, &code, &at, NULL);
#ifndef RL_NO_JIT
	if (re)
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* without JIT (no support): slower, same result */
#endif
	return re;
}

rl_error_body *rl_error_body_new(void)
{
	rl_error_body *em = calloc(1, sizeof *em);
	if (!em)
		return NULL;
	em->json = compile("\"(message|error_description|detail|error|type|code)\"\\s*+:\\s*+"
			   "\"((?:[^\"\\\\]++|\\\\.)*+)(\")?",
			   0);
	em->html = compile("<(?:title|h1)\\b[^>]*+>\\s*+([^<]*)", PCRE2_CASELESS);
	em->md = pcre2_match_data_create(4, NULL);
	if (!em->json || !em->html || !em->md) {
		rl_error_body_free(em);
		return NULL;
	}
	return em;
}

void rl_error_body_free(rl_error_body *em)
{
	if (!em)
		return;
	pcre2_code_free(em->json);
	pcre2_code_free(em->html);
	pcre2_match_data_free(em->md);
	free(em);
}

/* --- copying with a bound ----------------------------------------------------- */

/* The longest prefix of s[0..n) of at most max bytes that ends at a character boundary. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

/* Copies at most max bytes of s into dst (NUL-terminated); true when it was cut. */
static bool copy_cut(char *dst, size_t max, const char *s, size_t n)
{
	size_t k = utf8_prefix(s, n, max);
	memcpy(dst, s, k);
	dst[k] = 0;
	return k < n;
}

/* Decodes the body of a JSON string into dst (NUL-terminated, at most max bytes before
 * it); true when it was cut. */
static bool unescape(char *dst, size_t max, const char *s, size_t n)
{
	bool cut;
	size_t k = rl_json_unescape(dst, max, s, n, &cut);
	for (size_t i = 0; i < k; i++)
		if (dst[i] == 0)
			dst[i] = ' '; /* a \u0000 must not end the message early */
	dst[k] = 0;
	return cut;
}

/* --- JSON ----------------------------------------------------------------------- */

typedef struct found {
	json_t *message, *type, *code;
} found;

static json_t *string_member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) && json_string_length(v) ? v : NULL;
}

/* The message of an object: the first message key holding a string, or the message of
 * the first element of an array under one (FastAPI's {"detail":[{"msg":…}]}). */
static json_t *message_of(json_t *o, int depth)
{
	for (const char *const *k = message_keys; *k; k++) {
		json_t *v = json_object_get(o, *k);
		if (json_is_string(v) && json_string_length(v))
			return v;
		if (depth == 0 && json_is_array(v) && json_is_object(json_array_get(v, 0))) {
			json_t *m = message_of(json_array_get(v, 0), 1);
			if (m)
				return m;
		}
	}
	return NULL;
}

/* A code: a string "code", else a string "status" (Google's {"code":404,
 * "status":"NOT_FOUND"}), else GraphQL's extensions.code, else a numeric "code". */
static json_t *code_of(json_t *o)
{
	json_t *v;
	if ((v = string_member(o, "code")) || (v = string_member(o, "status")) ||
	    (v = string_member(json_object_get(o, "extensions"), "code")))
		return v;
	v = json_object_get(o, "code");
	return json_is_integer(v) ? v : NULL;
}

/* Fills what f still lacks from object o. */
static void take(found *f, json_t *o)
{
	if (!json_is_object(o))
		return;
	if (!f->message)
		f->message = message_of(o, 0);
	if (!f->type)
		f->type = string_member(o, "type");
	if (!f->code)
		f->code = code_of(o);
}

static void read_json(json_t *root, found *f)
{
	if (json_is_string(root)) {
		f->message = json_string_length(root) ? root : NULL;
		return;
	}
	if (json_is_array(root))
		root = json_array_get(root, 0);
	if (!json_is_object(root))
		return;
	json_t *err = json_object_get(root, "error");
	if (json_is_object(err)) {
		take(f, err);
	} else if (json_is_string(err) && json_string_length(err)) {
		/* OAuth 2: {"error": "invalid_grant", "error_description": "…"} */
		if (message_of(root, 0))
			f->code = err;
		else
			f->message = err;
	}
	take(f, root);
	json_t *errs = json_object_get(root, "errors");
	json_t *first = json_is_array(errs) ? json_array_get(errs, 0) : NULL;
	if (json_is_string(first) && !f->message)
		f->message = first;
	take(f, first);
}

static void value_text(json_t *v, char *dst, size_t max, bool *cut)
{
	if (json_is_string(v)) {
		bool c = copy_cut(dst, max, json_string_value(v), json_string_length(v));
		if (cut)
			*cut = c;
	} else if (json_is_integer(v)) {
		snprintf(dst, max + 1, "%lld", (long long)json_integer_value(v));
	}
}

static bool parse_json(rl_str body, rl_error_body_fields *out)
{
	/* an envelope may be followed by other bytes; a string must be the whole body */
	size_t flags = JSON_DECODE_ANY | (body.p[0] == '"' ? 0 : JSON_DISABLE_EOF_CHECK);
	json_t *root = json_loadb(body.p, body.n, flags, NULL);
	if (!root)
		return false;
	found f = {NULL, NULL, NULL};
	read_json(root, &f);
	value_text(f.message, out->message, RL_ERROR_BODY_MAX, &out->message_cut);
	value_text(f.type, out->type, RL_ERROR_BODY_FIELD_MAX, NULL);
	value_text(f.code, out->code, RL_ERROR_BODY_FIELD_MAX, NULL);
	json_decref(root);
	return true;
}

/* --- fallbacks -------------------------------------------------------------------- */

/* A cut-off envelope: the first value of each key; the message from the best key. */
static void scan_cut_json(rl_error_body *em, rl_str body, rl_error_body_fields *out)
{
	int best = 99; /* the priority of the message taken so far, 0 the best */
	bool have_type = false, have_code = false;
	PCRE2_SIZE at = 0;
	int rc;
	while (at < body.n && (rc = pcre2_match(em->json, (PCRE2_SPTR)body.p, body.n, at, 0, em->md, NULL)) >= 3) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(em->md);
		const char *key = body.p + ov[2];
		size_t keyn = ov[3] - ov[2];
		const char *val = body.p + ov[4];
		size_t valn = ov[5] - ov[4];
		bool closed = rc > 3; /* the closing quote was there */
		at = ov[1] > at ? ov[1] : at + 1;
		int prio = keyn == 7 && !memcmp(key, "message", 7)		 ? 0
			   : keyn == 17 && !memcmp(key, "error_description", 17) ? 1
			   : keyn == 6 && !memcmp(key, "detail", 6)		 ? 2
			   : keyn == 5 && !memcmp(key, "error", 5)		 ? 3
										 : -1;
		if (prio >= 0 && prio < best && valn) {
			best = prio;
			out->message_cut = unescape(out->message, RL_ERROR_BODY_MAX, val, valn) || !closed;
		} else if (keyn == 4 && !memcmp(key, "type", 4) && !have_type) {
			have_type = true;
			unescape(out->type, RL_ERROR_BODY_FIELD_MAX, val, valn);
		} else if (keyn == 4 && !memcmp(key, "code", 4) && !have_code) {
			have_code = true;
			unescape(out->code, RL_ERROR_BODY_FIELD_MAX, val, valn);
		}
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static rl_str trim(rl_str s)
{
	while (s.n && is_space(s.p[0]))
		s.p++, s.n--;
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static void scan_html(rl_error_body *em, rl_str body, rl_error_body_fields *out)
{
	if (pcre2_match(em->html, (PCRE2_SPTR)body.p, body.n, 0, 0, em->md, NULL) < 2)
		return;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(em->md);
	rl_str t = trim(rl_str_make(body.p + ov[2], ov[3] - ov[2]));
	out->message_cut = copy_cut(out->message, RL_ERROR_BODY_MAX, t.p, t.n);
}

/* Plain text: the first line that holds more than white space. */
static void scan_text(rl_str body, rl_error_body_fields *out)
{
	const char *p = body.p, *end = body.p + body.n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		rl_str line = trim(rl_str_make(p, (size_t)(e - p)));
		if (line.n) {
			out->message_cut = copy_cut(out->message, RL_ERROR_BODY_MAX, line.p, line.n);
			return;
		}
		p = e + 1;
	}
}

bool rl_error_body_parse(rl_error_body *em, rl_str body, rl_error_body_fields *out)
{
	memset(out, 0, sizeof *out);
	body = trim(body);
	if (!body.n || rl_str_eq(body, "null"))
		return false;
	char c = body.p[0];
	if (c == '{' || c == '[' || c == '"') {
		bool parsed = parse_json(body, out);
		if (!parsed && c != '"')
			scan_cut_json(em, body, out);
		else if (!parsed)
			scan_text(body, out); /* a line that starts with a quote but is no JSON string */
	} else if (c == '<') {
		scan_html(em, body, out);
	} else {
		scan_text(body, out);
	}
	return out->message[0] || out->type[0] || out->code[0];
}

/* --- templates ----------------------------------------------------------------- */

typedef struct sink {
	char *p;
	size_t n, max;
	bool full, space;
} sink;

/* Appends n bytes whole or not at all (then the template ends there). */
static void put(sink *o, const char *s, size_t n)
{
	if (o->full)
		return;
	size_t sp = o->space && o->n ? 1 : 0;
	if (o->n + sp + n > o->max) {
		o->full = true;
		return;
	}
	if (sp)
		o->p[o->n++] = ' ';
	o->space = false;
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static bool is_word(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* 8-4-4-4-12 hex digits, not followed by a word character: 36, else 0. */
static size_t uuid_at(const unsigned char *s, size_t n)
{
	if (n < 36 || (n > 36 && is_word(s[36])))
		return 0;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return 0;
	}
	return 36;
}

static bool is_local(unsigned char c)
{
	return is_word(c) || c == '.' || c == '%' || c == '+' || c == '-';
}

/* local@label.label…: its length, else 0. A dot that ends a sentence is not taken. */
static size_t email_at(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_local(s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != '@')
		return 0;
	size_t end = 0, labels = 0;
	for (size_t j = i + 1;;) {
		size_t k = j;
		while (k < n && (is_word(s[k]) || s[k] == '-') && s[k] != '_')
			k++;
		if (k == j)
			break;
		labels++;
		end = k;
		if (k + 1 >= n || s[k] != '.')
			break;
		j = k + 1;
	}
	return labels >= 2 ? end : 0;
}

/* The index of the quote that closes the one at i, or n. A single quote closes only
 * before a non-word character ("it's" inside a quote does not close it). */
static size_t closing_quote(const unsigned char *s, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++)
		if (s[j] == s[i] && (s[i] == '"' || j + 1 == n || !is_word(s[j + 1])))
			return j;
	return n;
}

/* A word from s[0] to s[t]: its placeholder, or it as is (digit runs of a word that
 * starts with a digit become {n}). Returns how many bytes were consumed. */
static size_t put_word(sink *o, const unsigned char *s, size_t t, size_t n)
{
	size_t digits = 0, hex = 0;
	for (size_t i = 0; i < t; i++) {
		digits += is_digit(s[i]);
		hex += is_hex(s[i]);
	}
	if (digits == t) {
		/* a number, with its decimal fraction */
		if (t + 1 < n && s[t] == '.' && is_digit(s[t + 1]))
			for (t++; t < n && is_digit(s[t]);)
				t++;
		put(o, "{n}", 3);
		return t;
	}
	if (t >= 8 && hex == t && digits) {
		put(o, "{hex}", 5);
		return t;
	}
	if (t >= 16 && digits) {
		put(o, "{id}", 4);
		return t;
	}
	if (!is_digit(s[0])) {
		put(o, (const char *)s, t);
		return t;
	}
	for (size_t i = 0; i < t;) {
		size_t j = i;
		if (is_digit(s[i])) {
			while (j < t && is_digit(s[j]))
				j++;
			put(o, "{n}", 3);
		} else {
			while (j < t && !is_digit(s[j]))
				j++;
			put(o, (const char *)s + i, j - i);
		}
		i = j;
	}
	return t;
}

size_t rl_error_body_template(const char *msg, size_t n, bool cut, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)msg;
	sink o = {out, 0, cap - 1 < RL_ERROR_BODY_MAX ? cap - 1 : RL_ERROR_BODY_MAX, false, false};
	unsigned char prev = ' ';
	size_t i = 0;
	while (i < n && !o.full) {
		unsigned char c = s[i];
		if (c <= ' ' || c == 0x7f) {
			o.space = true;
			prev = ' ';
			i++;
			continue;
		}
		bool boundary = !is_word(prev);
		size_t k;
		if ((c == '\'' || c == '"') && boundary) {
			size_t j = closing_quote(s, n, i);
			char q[6] = {(char)c, '{', 's', '}', (char)c, 0};
			if (j < n) {
				put(&o, q, 5);
				prev = c;
				i = j + 1;
				continue;
			}
			if (cut) {
				put(&o, q, 4); /* the quote runs past the cut */
				break;
			}
		} else if (is_word(c) && boundary && (k = uuid_at(s + i, n - i))) {
			put(&o, "{uuid}", 6);
			prev = s[i + k - 1];
			i += k;
			continue;
		} else if (is_word(c) && boundary && !is_local(prev) && (k = email_at(s + i, n - i))) {
			put(&o, "{email}", 7);
			prev = s[i + k - 1];
			i += k;
			continue;
		} else if (is_word(c) && boundary) {
			size_t t = i;
			while (t < n && is_word(s[t]))
				t++;
			size_t used = put_word(&o, s + i, t - i, n - i);
			prev = s[i + used - 1];
			i += used;
			continue;
		}
		/* anything else: one character, whole */
		size_t l = 1;
		if (c >= 0xc0)
			while (i + l < n && l < 4 && (s[i + l] & 0xc0) == 0x80)
				l++;
		put(&o, (const char *)s + i, l);
		prev = c;
		i += l;
	}
	out[o.n] = 0;
	return o.n;
}
