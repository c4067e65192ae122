/* render/threshold.c - --fail-on thresholds (lib/render/threshold.h). */
#include "lib/render/threshold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"

#define CLOSE_MAX 3 /* names suggested for an unknown metric */

static const char *const op_names[] = {"<", "<=", ">", ">=", "==", "!="};

const char *rl_threshold_op_name(rl_threshold_op op)
{
	return (unsigned)op < sizeof op_names / sizeof *op_names ? op_names[op] : "?";
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	return s;
}

int rl_threshold_parse(const char *text, rl_threshold *t, rl_err *err)
{
	memset(t, 0, sizeof *t);
	t->text = text;
	const char *o = strpbrk(text, "<>=!");
	if (!o)
		return rl_err_set(
			err, RL_EUSAGE, "--fail-on", 0,
			"'%s': want METRIC OP NUMBER, OP one of < <= > >= == != (e.g. 'blind_4xx_retry_rate>0.01')",
			text);
	size_t oplen = (o[1] == '=') ? 2 : 1;
	if (o[0] == '<')
		t->op = oplen == 2 ? RL_OP_LE : RL_OP_LT;
	else if (o[0] == '>')
		t->op = oplen == 2 ? RL_OP_GE : RL_OP_GT;
	else if (o[0] == '=' && oplen == 2)
		t->op = RL_OP_EQ;
	else if (o[0] == '!' && oplen == 2)
		t->op = RL_OP_NE;
	else
		return rl_err_set(err, RL_EUSAGE, "--fail-on", 0, "'%s': '%.*s' is not an operator (< <= > >= == !=)",
				  text, (int)oplen, o);
	char metric[RL_THRESHOLD_PATH_MAX], num[64];
	size_t mlen = (size_t)(o - text);
	if (mlen >= sizeof metric || strlen(o + oplen) >= sizeof num)
		return rl_err_set(err, RL_EUSAGE, "--fail-on", 0, "'%s': too long", text);
	memcpy(metric, text, mlen);
	metric[mlen] = 0;
	snprintf(num, sizeof num, "%s", o + oplen);
	char *m = trim(metric), *v = trim(num), *end;
	if (!*m)
		return rl_err_set(err, RL_EUSAGE, "--fail-on", 0, "'%s': no metric before '%s'", text,
				  rl_threshold_op_name(t->op));
	for (const char *c = m; *c; c++)
		if (!(*c == '.' || *c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			return rl_err_set(err, RL_EUSAGE, "--fail-on", 0,
					  "'%s': '%s' is not a metric name (a dotted path such as "
					  "retries.backoff.compliance_rate)",
					  text, m);
	t->value = strtod(v, &end);
	if (!*v || *end || !isfinite(t->value))
		return rl_err_set(err, RL_EUSAGE, "--fail-on", 0, "'%s': '%s' is not a number", text, v);
	snprintf(t->metric, sizeof t->metric, "%s", m);
	return 0;
}

/* The value at a dotted path through objects; NULL when there is none. */
static json_t *at_path(json_t *doc, const char *path)
{
	json_t *v = doc;
	char key[RL_THRESHOLD_PATH_MAX];
	while (v && *path) {
		size_t n = strcspn(path, ".");
		if (n == 0 || n >= sizeof key || !json_is_object(v))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		v = json_object_get(v, key);
		path += n + (path[n] == '.');
	}
	return v;
}

/* Every numeric (or null) field of the document's objects, arrays aside, by full path. */
typedef struct leaves {
	char (*path)[RL_THRESHOLD_PATH_MAX];
	size_t n, cap;
} leaves;

static void collect(json_t *o, const char *prefix, leaves *l)
{
	const char *k;
	json_t *v;
	json_object_foreach (o, k, v) {
		char p[RL_THRESHOLD_PATH_MAX];
		if (snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", k) >= (int)sizeof p)
			continue;
		if (json_is_object(v)) {
			if (strcmp(p, "window") != 0) /* times, not numbers (null in an empty report) */
				collect(v, p, l);
		} else if (json_is_number(v) || json_is_null(v)) {
			if (rl_array_grow((void **)&l->path, &l->cap, l->n, sizeof *l->path))
				return;
			memcpy(l->path[l->n++], p, sizeof p);
		}
	}
}

/* Whether path is metric or ends with "." metric. */
static bool ends_with(const char *path, const char *metric)
{
	size_t p = strlen(path), m = strlen(metric);
	return p == m ? strcmp(path, metric) == 0
		      : p > m && path[p - m - 1] == '.' && strcmp(path + p - m, metric) == 0;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(b), prev[RL_THRESHOLD_PATH_MAX + 1], cur[RL_THRESHOLD_PATH_MAX + 1];
	if (n > RL_THRESHOLD_PATH_MAX || strlen(a) > RL_THRESHOLD_PATH_MAX)
		return (size_t)-1;
	for (size_t j = 0; j <= n; j++)
		prev[j] = j;
	for (size_t i = 1; a[i - 1]; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (n + 1) * sizeof *prev);
	}
	return prev[n];
}

/* The distance from metric to path: to the whole path, or to its end with as many
 * dotted parts as metric has. */
static size_t distance(const char *metric, const char *path)
{
	size_t d = edit_distance(metric, path);
	int parts = 1;
	for (const char *c = metric; *c; c++)
		parts += *c == '.';
	const char *tail = path + strlen(path);
	for (int k = 0; k < parts && tail > path;) {
		tail--;
		if (*tail == '.' && ++k == parts) {
			tail++;
			break;
		}
	}
	size_t e = edit_distance(metric, tail);
	return e < d ? e : d;
}

int rl_threshold_resolve(rl_threshold *t, json_t *doc, rl_err *err)
{
	if (strcmp(t->metric, "window") == 0 || strncmp(t->metric, "window.", 7) == 0)
		return rl_err_set(err, RL_EUSAGE, "--fail-on", 0, "'%s': the report's window is times, not numbers",
				  t->text);
	json_t *v = at_path(doc, t->metric);
	if (v && (json_is_number(v) || json_is_null(v))) {
		snprintf(t->path, sizeof t->path, "%s", t->metric);
		return 0;
	}
	/* SPEC §5: the totals. or retries. prefix may be left out where that is unique */
	static const char *const prefix[2] = {"totals.", "retries."};
	char full[2][RL_THRESHOLD_PATH_MAX];
	json_t *pv[2];
	for (int w = 0; w < 2; w++) {
		size_t a = strlen(prefix[w]), b = strlen(t->metric);
		pv[w] = NULL;
		if (a + b >= sizeof full[w])
			continue; /* longer than any path of the report */
		memcpy(full[w], prefix[w], a);
		memcpy(full[w] + a, t->metric, b + 1);
		pv[w] = at_path(doc, full[w]);
	}
	for (int w = 0; w < 2; w++)
		if (pv[w] && !json_is_number(pv[w]) && !json_is_null(pv[w]))
			pv[w] = NULL; /* a group: not what the name means */
	if ((pv[0] != NULL) != (pv[1] != NULL)) {
		snprintf(t->path, sizeof t->path, "%s", full[pv[0] ? 0 : 1]);
		return 0;
	}
	if (v) /* a group of fields or text, and no number by that name under a prefix */
		return rl_err_set(err, RL_EUSAGE, "--fail-on", 0, "'%s': %s is %s, not a number", t->text, t->metric,
				  json_is_object(v)  ? "a group of fields"
				  : json_is_array(v) ? "a table"
						     : "text");
	leaves l = {0};
	collect(doc, "", &l);
	size_t found = 0, first = 0;
	char list[512] = "";
	size_t k = 0;
	for (size_t i = 0; i < l.n; i++)
		if (ends_with(l.path[i], t->metric)) {
			if (!found++)
				first = i;
			if (k < sizeof list)
				k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", l.path[i]);
		}
	int rc = 0;
	if (found == 1) {
		snprintf(t->path, sizeof t->path, "%s", l.path[first]);
	} else if (found > 1) {
		rc = rl_err_set(err, RL_EUSAGE, "--fail-on", 0, "'%s': %s is ambiguous (%s): name one", t->text,
				t->metric, list);
	} else {
		/* the closest names: the CLOSE_MAX nearest within the limit, nearest first */
		size_t best[CLOSE_MAX], bestd[CLOSE_MAX], nb = 0, limit = strlen(t->metric) / 3;
		if (limit < 2)
			limit = 2;
		for (size_t i = 0; i < l.n; i++) {
			size_t d = distance(t->metric, l.path[i]);
			if (d > limit || (nb == CLOSE_MAX && d >= bestd[CLOSE_MAX - 1]))
				continue;
			size_t j = nb < CLOSE_MAX ? nb++ : CLOSE_MAX - 1; /* the farthest gives way */
			while (j > 0 && bestd[j - 1] > d) {
				best[j] = best[j - 1];
				bestd[j] = bestd[j - 1];
				j--;
			}
			best[j] = i;
			bestd[j] = d;
		}
		k = 0;
		for (size_t i = 0; i < nb && k < sizeof list; i++)
			k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", l.path[best[i]]);
		if (nb)
			rc = rl_err_set(err, RL_EUSAGE, "--fail-on", 0,
					"'%s': no metric %s in the report; did you mean %s?", t->text, t->metric, list);
		else
			rc = rl_err_set(err, RL_EUSAGE, "--fail-on", 0,
					"'%s': no metric %s in the report (metrics are the numbers of --output json, "
					"e.g. totals.retryable_rate, retries.blind_4xx_retry_rate)",
					t->text, t->metric);
	}
	free(l.path);
	return rc;
}

int rl_threshold_eval(const rl_threshold *t, json_t *doc, double *value)
{
	json_t *v = at_path(doc, t->path);
	if (!v || !json_is_number(v))
		return -1;
	double x = json_number_value(v);
	*value = x;
	switch (t->op) {
	case RL_OP_LT:
		return x < t->value;
	case RL_OP_LE:
		return x <= t->value;
	case RL_OP_GT:
		return x > t->value;
	case RL_OP_GE:
		return x >= t->value;
	case RL_OP_EQ:
		return x == t->value;
	case RL_OP_NE:
		return x != t->value;
	}
	return 0;
}
