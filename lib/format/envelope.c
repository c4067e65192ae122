/* envelope.c - log shippers' wrappers around a line of another format.
 *
 *   cri        containerd / CRI-O:  2024-01-01T00:00:00.123456789Z stdout F <line>
 *              (stderr too; P marks a partial line, joined with what follows up to F)
 *   compose    docker compose:      caddy  | <line>
 *   vector     Vector json_lines:   {"message":"<line>","timestamp":…,"host":…}
 *   fluentbit  Fluent Bit json_lines and Docker's json-file: {"date":…,"log":"<line>"}
 *
 * A wrapper is a format around another: it takes the inner line out (a view into the
 * line, or decoded into a buffer it owns and reuses) and hands it to the inner format's
 * parse. A partial CRI line is RL_REJECT_PENDING: its record comes with the stream's F
 * line, and one still open at the end of input is reported lost (envelope_end). A
 * wrapper event without a line (a Vector event without a message), or with an empty
 * one, is RL_REJECT_NOT_ACCESS: skipped, not rejected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/format/internal.h"
#include "lib/format/jscan.h"
#include "lib/base/timestamp.h"

#define MAX_PARTIAL (4u << 20) /* a CRI line joined from P parts is at most this long */

typedef enum kind { K_CRI, K_COMPOSE, K_VECTOR, K_FLUENTBIT, K_COUNT } kind;
static const char *const kind_names[K_COUNT] = {"cri", "compose", "vector", "fluentbit"};

typedef struct envelope {
	rl_format base;
	kind k;
	rl_format *inner;
	bool named; /* base.name shows the inner format's final name */
	rl_jpaths *paths; /* vector, fluentbit: the key of the line */
	rl_jvalue val;
	char *buf; /* decoded inner lines */
	size_t cap;
	char *part[2]; /* cri: the P parts so far, per stream (stdout, stderr) */
	size_t part_n[2], part_cap[2];
	bool part_over[2];
} envelope;

/* Room for need bytes in *b (lib/base/array.h). */
static bool grow(char **b, size_t *cap, size_t need)
{
	return need == 0 || rl_array_grow((void **)b, cap, need - 1, 1) == 0;
}

/* "TIME stdout|stderr F|P " → *stream (0, 1), *partial and the content; false when the
 * line is not in that shape. check_time validates the time (for detection). */
static bool cri_split(const char *p, size_t n, bool check_time, int *stream, bool *partial, rl_str *content)
{
	const char *sp = memchr(p, ' ', n < 64 ? n : 64);
	if (!sp || sp - p < 20 || p[4] != '-' || p[10] != 'T')
		return false;
	if (check_time && !rl_timestamp_parse_iso8601(rl_str_make(p, (size_t)(sp - p)), &(int64_t){0}, NULL))
		return false;
	size_t i = (size_t)(sp - p) + 1;
	if (n - i < 8 || (memcmp(p + i, "stdout ", 7) != 0 && memcmp(p + i, "stderr ", 7) != 0))
		return false;
	*stream = p[i + 3] == 'e';
	i += 7;
	if (p[i] != 'F' && p[i] != 'P')
		return false;
	*partial = p[i] == 'P';
	i++;
	if (i < n && p[i] != ' ')
		return false;
	i += i < n;
	*content = rl_str_make(p + i, n - i);
	return true;
}

/* "name   | " → the content; the name is a compose service (letters, digits, _ . -). */
static bool compose_split(const char *p, size_t n, rl_str *content)
{
	size_t i = 0;
	while (i < n && i < 128 &&
	       ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
		(i > 0 && (p[i] == '_' || p[i] == '.' || p[i] == '-'))))
		i++;
	size_t name = i;
	while (i < n && p[i] == ' ')
		i++;
	if (name == 0 || i == name || i >= n || p[i] != '|' || (i + 1 < n && p[i + 1] != ' '))
		return false;
	i += 1 + (i + 1 < n);
	*content = rl_str_make(p + i, n - i);
	return true;
}

/* The inner format on the unwrapped line; an empty one is skipped as a blank line would
 * be (counted as not an access record, never rejected). */
static rl_reject inner_parse(envelope *e, rl_str c, rl_record *r)
{
	size_t i = 0;
	while (i < c.n && (c.p[i] == ' ' || c.p[i] == '\t' || c.p[i] == '\r'))
		i++;
	if (i == c.n)
		return RL_REJECT_NOT_ACCESS;
	return e->inner->ops->parse(e->inner, c.p, c.n, r);
}

static rl_reject cri_parse(envelope *e, const char *p, size_t n, rl_record *r)
{
	int s;
	bool partial;
	rl_str c;
	if (!cri_split(p, n, false, &s, &partial, &c))
		return RL_REJECT_NO_MATCH;
	if (partial || e->part_n[s] || e->part_over[s]) {
		size_t need = e->part_n[s] + c.n;
		if (need > MAX_PARTIAL || e->part_over[s] || !grow(&e->part[s], &e->part_cap[s], need + 1)) {
			e->part_over[s] = partial;
			e->part_n[s] = 0;
			return partial ? RL_REJECT_PENDING : RL_REJECT_TOO_LONG;
		}
		memcpy(e->part[s] + e->part_n[s], c.p, c.n);
		e->part_n[s] = need;
		if (partial)
			return RL_REJECT_PENDING; /* the record comes with the stream's "F" line */
		c = rl_str_make(e->part[s], need);
		e->part_n[s] = 0; /* the bytes stay until the next line: the record's views */
	}
	return inner_parse(e, c, r);
}

/* Vector, Fluent Bit: the line in *c, or why there is none. */
static rl_reject json_unwrap(envelope *e, const char *p, size_t n, rl_str *c)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == n || p[i] != '{')
		return RL_REJECT_NO_MATCH;
	if (!grow(&e->buf, &e->cap, n + 1))
		return RL_REJECT_TOO_LONG;
	if (!rl_jscan(e->paths, p, n, &e->val, e->buf, e->cap))
		return RL_REJECT_NO_MATCH;
	if (e->val.type != RL_J_STRING)
		return RL_REJECT_NOT_ACCESS;
	*c = e->val.text;
	while (c->n && (c->p[c->n - 1] == '\n' || c->p[c->n - 1] == '\r')) /* Docker keeps the newline */
		c->n--;
	return RL_REJECT_NONE;
}

static rl_reject json_wrapper_parse(envelope *e, const char *p, size_t n, rl_record *r)
{
	rl_str c;
	rl_reject rj = json_unwrap(e, p, n, &c);
	return rj ? rj : inner_parse(e, c, r);
}

static rl_reject envelope_parse(rl_format *base, const char *p, size_t n, rl_record *r)
{
	envelope *e = (envelope *)base;
	rl_reject rj;
	if (e->k == K_CRI) {
		rj = cri_parse(e, p, n, r);
	} else if (e->k == K_COMPOSE) {
		rl_str c;
		rj = compose_split(p, n, &c) ? inner_parse(e, c, r) : RL_REJECT_NO_MATCH;
	} else {
		rj = json_wrapper_parse(e, p, n, r);
	}
	if (rj == RL_REJECT_NONE && !e->named) {
		/* a JSON format names its profile once a line chose it */
		snprintf(e->base.name, sizeof e->base.name, "%s>%.200s", kind_names[e->k], e->inner->name);
		e->named = true;
	}
	return rj;
}

static void envelope_free(rl_format *base)
{
	envelope *e = (envelope *)base;
	rl_format_free(e->inner);
	rl_jpaths_free(e->paths);
	free(e->buf);
	free(e->part[0]);
	free(e->part[1]);
	free(e);
}

/* check-format: the wrapper's shape, else the inner format's explanation of the line
 * inside (a CRI line's own part only: explaining changes no joining state) */
static void envelope_explain(rl_format *base, const char *p, size_t n, char *buf, size_t cap)
{
	envelope *e = (envelope *)base;
	rl_str c = RL_STR_NULL;
	rl_reject rj = RL_REJECT_NO_MATCH;
	int s;
	bool partial = false;
	if (e->k == K_CRI)
		rj = cri_split(p, n, false, &s, &partial, &c) ? RL_REJECT_NONE : RL_REJECT_NO_MATCH;
	else if (e->k == K_COMPOSE)
		rj = compose_split(p, n, &c) ? RL_REJECT_NONE : RL_REJECT_NO_MATCH;
	else
		rj = json_unwrap(e, p, n, &c);
	static const char *const shape[K_COUNT] = {
		"no CRI prefix (TIME stdout|stderr F|P)", "no docker compose prefix (name  | )",
		"not a Vector event with a \"message\" string", "not a Fluent Bit record with a \"log\" string"};
	if (rj == RL_REJECT_NO_MATCH)
		snprintf(buf, cap, "%s", shape[e->k]);
	else if (rj != RL_REJECT_NONE)
		snprintf(buf, cap, "%s",
			 rj == RL_REJECT_NOT_ACCESS ? "a wrapper event without a line" : rl_reject_text(rj));
	else if (partial)
		snprintf(buf, cap, "a partial line (P), joined with the lines after it");
	else
		rl_format_explain(e->inner, c.p, c.n, buf, cap);
}

/* CRI: partial lines still waiting for their "F" line at the end of input are lost. */
static rl_reject envelope_end(rl_format *base)
{
	envelope *e = (envelope *)base;
	for (int s = 0; s < 2; s++) /* one stream per call: each lost line counts */
		if (e->part_n[s] > 0 || e->part_over[s]) {
			e->part_n[s] = 0;
			e->part_over[s] = false;
			return RL_REJECT_PARTIAL;
		}
	return RL_REJECT_NONE;
}

static const rl_format_ops envelope_ops = {
	.parse = envelope_parse, .free = envelope_free, .explain = envelope_explain, .end = envelope_end};

int rl_envelope_format_new(rl_format **out, const char *kind_name, rl_format *inner, rl_err *err)
{
	*out = NULL;
	int k = 0;
	while (k < K_COUNT && strcmp(kind_names[k], kind_name) != 0)
		k++;
	if (k == K_COUNT || rl_format_is_document(inner)) {
		rl_format_free(inner);
		return rl_err_set(err, RL_EUSAGE, "--format", 0,
				  k == K_COUNT ? "unknown wrapper '%s' (known: cri, compose, vector, fluentbit)"
					       : "a document format cannot be inside the '%s' wrapper",
				  kind_name);
	}
	envelope *e = calloc(1, sizeof *e);
	if (e)
		e->inner = inner;
	if (!e || ((k == K_VECTOR || k == K_FLUENTBIT) &&
		   (!(e->paths = rl_jpaths_new()) ||
		    rl_jpaths_add(e->paths, k == K_VECTOR ? "message" : "log", k == K_VECTOR ? 7 : 3, 0, false)))) {
		if (e)
			envelope_free(&e->base);
		else
			rl_format_free(inner);
		return rl_err_set(err, RL_ENOMEM, "--format", 0, "out of memory");
	}
	e->base.ops = &envelope_ops;
	e->base.logs_forwarded_for = inner->logs_forwarded_for;
	e->k = (kind)k;
	snprintf(e->base.name, sizeof e->base.name, "%s>%.200s", kind_names[k], inner->name);
	*out = &e->base;
	return 0;
}

const char *rl_envelope_detect(const char *p, size_t n)
{
	int s;
	bool partial;
	rl_str c;
	if (cri_split(p, n, true, &s, &partial, &c))
		return kind_names[K_CRI];
	if (compose_split(p, n, &c))
		return kind_names[K_COMPOSE];
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i == n || p[i] != '{')
		return NULL;
	const char *found = NULL;
	rl_jpaths *paths = rl_jpaths_new();
	char *buf = malloc(n + 1);
	rl_jvalue v[2];
	if (paths && buf && !rl_jpaths_add(paths, "message", 7, 0, false) &&
	    !rl_jpaths_add(paths, "log", 3, 1, false) && rl_jscan(paths, p, n, v, buf, n + 1))
		found = v[0].type == RL_J_STRING   ? kind_names[K_VECTOR]
			: v[1].type == RL_J_STRING ? kind_names[K_FLUENTBIT]
						   : NULL;
	rl_jpaths_free(paths);
	free(buf);
	return found;
}
